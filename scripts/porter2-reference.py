#!/usr/bin/env python3
"""Writes the Porter2 reference table the stemmer test checks word for word:
every distinct Latin-letter token of the shared corpus with its stem from the
reference implementation (PyPI snowballstemmer, English).

    python3 -m venv .build/venv && .build/venv/bin/pip install snowballstemmer==3.1.1
    .build/venv/bin/python scripts/porter2-reference.py ../shared/data/patents > Tests/Fixtures/porter2-reference.tsv
"""
import os, re, sys, unicodedata, html
import snowballstemmer

root = sys.argv[1]
words = set()
token = re.compile(r"[^\W_]+", re.UNICODE)

def latin(word):
    return all(unicodedata.category(c).startswith("L") and "LATIN" in unicodedata.name(c, "") for c in word)

for directory, _, files in os.walk(root):
    for name in files:
        if name.endswith((".tif", ".png", ".jpg", ".zip", ".ZIP", ".gz", ".pdf")):
            continue
        try:
            text = open(os.path.join(directory, name), encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        text = html.unescape(re.sub(r"<[^>]*>", " ", text))
        text = unicodedata.normalize("NFKC", text).casefold()
        for word in token.findall(text):
            if latin(word):
                words.add(word)

stemmer = snowballstemmer.stemmer("english")
for word in sorted(words):
    print(f"{word}\t{stemmer.stemWord(word)}")
