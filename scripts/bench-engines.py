#!/usr/bin/env python3
"""Our engine against Tantivy (PyPI `tantivy`) and SQLite FTS5 on the same documents and
the same queries (translated where the peer can express them).

    python3 -m venv .build/bench-venv && .build/bench-venv/bin/pip install tantivy   (0.27)
    .build/bench-venv/bin/python scripts/bench-engines.py --data DIR --corpus GEN_DIR --work WORK_DIR

DIR is our data folder with GEN_DIR imported (`patents import --data DIR --no-index GEN_DIR`);
with --build-ours the script (re)builds our index there with `patents index` and reports
its time and peak RSS like the peers' (otherwise it reuses the index and its last build
numbers from WORK_DIR/builds.json). GEN_DIR holds the
MAREC bundles `patents generate` wrote; the peers index the same documents read from
them. Every engine runs count + top-1,000 per query, --repeats times, in its own process
(peak RSS per process). Prints Markdown for BENCHMARKS.md.
"""
import argparse, json, os, re, resource, sqlite3, subprocess, sys, time
import xml.etree.ElementTree as ET

# (PatSnap query [TAB options for `patents bench search`], Tantivy query or None, FTS5 MATCH or None).
# Tantivy: ttl/abst analysed with the default tokenizer, *_stem with en_stem, ipc/cpc raw codes
# with their ancestors, pbd/apd integers, authority raw. "re:FIELD:REGEX" is a RegexQuery.
QUERIES = [
    ("TTL:battery", "ttl:battery", "ttl:battery"),
    ("ABST:method", "abst:method", "abst:method"),
    ("battery", "ttl:battery OR abst:battery", "battery"),
    ("TTL:(battery AND cell)", "ttl:battery AND ttl:cell", "ttl:battery AND ttl:cell"),
    ("ABST:(signal AND processing AND circuit)", "abst:signal AND abst:processing AND abst:circuit", "abst:signal AND abst:processing AND abst:circuit"),
    ("TTL:(sensor OR detector OR probe)", "ttl:sensor OR ttl:detector OR ttl:probe", "ttl:sensor OR ttl:detector OR ttl:probe"),
    ("ABST:(vehicle OR engine OR motor) AND TTL:control", "(abst:vehicle OR abst:engine OR abst:motor) AND ttl:control", "(abst:vehicle OR abst:engine OR abst:motor) AND ttl:control"),
    ("TA:system NOT TA:method", "+(ttl:system abst:system) -(ttl:method abst:method)", "system NOT method"),
    ("TTL:(method AND (device OR apparatus)) AND NOT ABST:water", "+ttl:method +(ttl:device ttl:apparatus) -abst:water", "ttl:method AND (ttl:device OR ttl:apparatus) NOT abst:water"),
    ('ABST:"of the"', 'abst:"of the"', 'abst:"of the"'),
    ('TTL:"control device"', 'ttl:"control device"', 'ttl:"control device"'),
    ("ABST:(method $W3 device)", 'abst:"method device"~3', "abst:NEAR(method device, 3)"),
    ("ABST:(layer $W5 substrate)", 'abst:"layer substrate"~5', "abst:NEAR(layer substrate, 5)"),
    ("TTL:(data $PRE2 processing)", 'ttl:"data processing"~2', "ttl:NEAR(data processing, 2)"),
    ("ABST:(water $SEN acid)", None, None),
    ("TA:batter*", "re:ttl:batter.*|re:abst:batter.*", "batter*"),
    ("ABST:electr*", "re:abst:electr.*", "abst:electr*"),
    ("TTL:*ology", "re:ttl:.*ology", None),
    ("ABST:co?l", "re:abst:co.l", None),
    ("IPC:H01M", "ipc:H01M", None),
    ("CPC:G06F", "cpc:G06F", None),
    ("IPC:A61K AND TTL:composition", "ipc:A61K AND ttl:composition", None),
    ("PBD:[20100101 TO 20201231]", "pbd:[20100101 TO 20201231]", None),
    ("APD:[20150101 TO 20151231] AND ABST:method", "apd:[20150101 TO 20151231] AND abst:method", None),
    ("PBD:[20000101 TO 20091231] AND TTL:(system OR apparatus)", "pbd:[20000101 TO 20091231] AND (ttl:system OR ttl:apparatus)", None),
    ("AUTHORITY:US AND TTL:device", "authority:US AND ttl:device", None),
    ("TTL:batteries\tstem", "ttl_stem:batteries", None),
    ("ABST:(processing AND signals)\tstem", "abst_stem:processing AND abst_stem:signals", None),
    ("TTL:battery\tDOCDB", None, None),
    ("ABST:method\tEXTEND", None, None),
    ("IPC:H01M\tAPNO", None, None),
    ("AN:toyota", "an:toyota", None),
]

# `--full-text` (a corpus with claims and descriptions, e.g. `patents generate` without
# --biblio-only): queries on CLMS, DESC and TACD; Tantivy gets clms/desc fields too. None:
# Tantivy cannot express the query ($SEN, $PARA, independent claims, collapse, stems of claims).
FULL_TEXT_QUERIES = [
    ("TACD:battery", "ttl:battery OR abst:battery OR clms:battery OR desc:battery", None),
    ("CLMS:battery", "clms:battery", None),
    ("DESC:(lithium AND electrode)", "desc:lithium AND desc:electrode", None),
    ('TACD:"lithium ion"', 'ttl:"lithium ion" OR abst:"lithium ion" OR clms:"lithium ion" OR desc:"lithium ion"', None),
    ("CLMS:(method $W3 device)", 'clms:"method device"~3', None),
    ("DESC:(signal $SEN processing)", None, None),
    ("CLMS:(wherein $PARA layer)", None, None),
    ("TACD:batter*", "re:ttl:batter.*|re:abst:batter.*|re:clms:batter.*|re:desc:batter.*", None),
    ("DESC:*ology", "re:desc:.*ology", None),
    ("IPC:H01M AND CLMS:electrode", "ipc:H01M AND clms:electrode", None),
    ("PBD:[20100101 TO 20201231] AND DESC:system", "pbd:[20100101 TO 20201231] AND desc:system", None),
    ("CLMS:(method NOT device)", "+clms:method -clms:device", None),
    ("ICLMS:apparatus", None, None),
    ('TACD:(vehicle AND (battery OR "fuel cell"))',
     '+(ttl:vehicle abst:vehicle clms:vehicle desc:vehicle) '
     '+(ttl:battery abst:battery clms:battery desc:battery ttl:"fuel cell" abst:"fuel cell" clms:"fuel cell" desc:"fuel cell")', None),
    ("DESC:battery\tDOCDB", None, None),
    ("CLMS:batteries\tstem", None, None),
    ('DESC:"of the"', 'desc:"of the"', None),
    ('CLMS:"at least one"', 'clms:"at least one"', None),
]
FULL_TEXT = "--full-text" in sys.argv
if FULL_TEXT:
    QUERIES = FULL_TEXT_QUERIES


def documents(corpus):
    """The generated MAREC documents as dicts (the same records `patents import` reads)."""
    declaration = '<?xml version="1.0" encoding="UTF-8"?>'
    for name in sorted(os.listdir(corpus)):
        with open(os.path.join(corpus, name), encoding="utf-8") as handle:
            for chunk in handle.read().split(declaration):
                chunk = chunk.strip()
                if not chunk:
                    continue
                root = ET.fromstring(chunk)
                app = root.find("bibliographic-data/application-reference/document-id/date")
                yield {
                    "pn": root.get("country") + root.get("doc-number") + root.get("kind"),
                    "authority": root.get("country"),
                    "pbd": int(root.get("date") or 0),
                    "apd": int(app.text) if app is not None and app.text else 0,
                    "ttl": " ".join(t.text or "" for t in root.iter("invention-title")),
                    "abst": " ".join("".join(p.itertext()) for p in root.iter("abstract")),
                    "ipc": [c.text for c in root.iter("classification-ipcr")],
                    "cpc": [c.text for c in root.iter("classification-cpc")],
                    "an": [n.text or "" for n in root.iter("last-name") if n is not None],
                    "clms": " ".join("".join(c.itertext()) for c in root.iter("claims")) if FULL_TEXT else "",
                    "desc": " ".join("".join(d.itertext()) for d in root.iter("description")) if FULL_TEXT else "",
                }


def ancestors(code):
    """A class code and its hierarchy levels (H, H01, H01M, H01M10, H01M10/0525)."""
    out = {code[:1], code[:3], code[:4]}
    if "/" in code:
        out.add(code.split("/")[0])
    out.add(code)
    return sorted(out)


def tantivy_schema(tantivy):
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("pn", stored=True, tokenizer_name="raw")
    builder.add_text_field("authority", tokenizer_name="raw")
    for field in ["ttl", "abst", "an"] + (["clms", "desc"] if FULL_TEXT else []):
        builder.add_text_field(field, tokenizer_name="default")
    for field in ["ttl_stem", "abst_stem"]:
        builder.add_text_field(field, tokenizer_name="en_stem")
    builder.add_text_field("ipc", tokenizer_name="raw")
    builder.add_text_field("cpc", tokenizer_name="raw")
    builder.add_integer_field("pbd", indexed=True, fast=True)
    builder.add_integer_field("apd", indexed=True, fast=True)
    return builder.build()


def max_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def json_lines(corpus, path):
    """The documents as Tantivy JSON lines, written once before any timing: Tantivy is timed
    on its build alone (documents handed to it parsed), as our `patents index` reads the store."""
    if os.path.exists(path):
        return
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        for doc in documents(corpus):
            out.write(json.dumps({
                "pn": doc["pn"], "authority": doc["authority"], "ttl": doc["ttl"], "abst": doc["abst"], "ttl_stem": doc["ttl"],
                "abst_stem": doc["abst"], "an": doc["an"] or [""], "ipc": sum((ancestors(c) for c in doc["ipc"]), []) or [""],
                "cpc": sum((ancestors(c) for c in doc["cpc"]), []) or [""], "pbd": doc["pbd"], "apd": doc["apd"],
                **({"clms": doc["clms"], "desc": doc["desc"]} if FULL_TEXT else {})},
                ensure_ascii=False) + "\n")
    os.rename(path + ".tmp", path)


def build_tantivy(corpus, path):
    import tantivy
    lines = os.path.join(os.path.dirname(path), "documents.jsonl")
    json_lines(corpus, lines)
    os.makedirs(path, exist_ok=True)
    index = tantivy.Index(tantivy_schema(tantivy), path=path)
    writer = index.writer(heap_size=512_000_000, num_threads=2)
    started, count = time.perf_counter(), 0
    with open(lines, encoding="utf-8") as handle:
        for line in handle:
            writer.add_json(line)
            count += 1
    writer.commit()
    writer.wait_merging_threads()
    return {"documents": count, "seconds": time.perf_counter() - started, "max_rss_mb": max_rss_mb()}


def build_fts5(corpus, path):
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(pn UNINDEXED, ttl, abst)")
    started, count = time.perf_counter(), 0
    batch = []
    for doc in documents(corpus):
        batch.append((doc["pn"], doc["ttl"], doc["abst"]))
        count += 1
        if len(batch) == 10_000:
            db.executemany("INSERT INTO docs VALUES (?, ?, ?)", batch)
            batch = []
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)", batch)
    db.commit()
    db.execute("INSERT INTO docs(docs) VALUES('optimize')")
    db.commit()
    return {"documents": count, "seconds": time.perf_counter() - started, "max_rss_mb": max_rss_mb()}


def timed(run, repeats):
    run()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        total = run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return total, samples[len(samples) // 2], samples[min(len(samples) - 1, len(samples) * 99 // 100)]


def query_tantivy(path, repeats):
    import tantivy
    started = time.perf_counter()
    index = tantivy.Index.open(path)
    searcher = index.searcher()
    opened = (time.perf_counter() - started) * 1000
    schema = index.schema
    results = []
    for _, text, _ in QUERIES:
        if text is None:
            results.append(None)
            continue
        if text.startswith("re:"):
            parts = [tantivy.Query.regex_query(schema, p.split(":", 2)[1], p.split(":", 2)[2]) for p in text.split("|")]
            query = parts[0] if len(parts) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in parts])
        else:
            query = index.parse_query(text, ["ttl", "abst"])
        results.append(timed(lambda: searcher.search(query, limit=1000, count=True).count, repeats))
    return {"open_ms": opened, "max_rss_mb": max_rss_mb(), "results": results}


def query_fts5(path, repeats):
    started = time.perf_counter()
    db = sqlite3.connect(path)
    opened = (time.perf_counter() - started) * 1000
    results = []
    for _, _, text in QUERIES:
        if text is None:
            results.append(None)
            continue
        def run():
            total = db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (text,)).fetchone()[0]
            db.execute("SELECT pn FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 1000", (text,)).fetchall()
            return total
        results.append(timed(run, repeats))
    return {"open_ms": opened, "max_rss_mb": max_rss_mb(), "results": results}


def child(args):
    """Runs one step in this process and prints its JSON (so each has its own peak RSS)."""
    step = args.step
    if step == "build-tantivy":
        out = build_tantivy(args.corpus, os.path.join(args.work, "tantivy"))
    elif step == "build-fts5":
        out = build_fts5(args.corpus, os.path.join(args.work, "fts5.sqlite"))
    elif step == "query-tantivy":
        out = query_tantivy(os.path.join(args.work, "tantivy"), args.repeats)
    else:
        out = query_fts5(os.path.join(args.work, "fts5.sqlite"), args.repeats)
    print(json.dumps(out))


def run_step(args, step):
    output = subprocess.run([sys.executable, __file__, "--step", step, "--corpus", args.corpus, "--work", args.work,
                             "--repeats", str(args.repeats), "--data", args.data] + (["--full-text"] if FULL_TEXT else []),
                            check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def size_mb(path):
    if os.path.isfile(path):
        return os.path.getsize(path) / 1e6
    return sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(path) for f in files) / 1e6


def drop_caches():
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as handle:
            handle.write("3\n")
        return True
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--binary", default=".build/release/patents")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--skip-build", action="store_true", help="reuse the peers' indexes in --work")
    parser.add_argument("--build-ours", action="store_true", help="rebuild our index in --data and time it")
    parser.add_argument("--no-fts5", action="store_true", help="Tantivy only (no FTS5 index is built or queried)")
    parser.add_argument("--full-text", action="store_true",
                        help="the claims-and-description queries (FULL_TEXT_QUERIES) on a full-text corpus; Tantivy indexes clms/desc too")
    parser.add_argument("--step")
    args = parser.parse_args()
    if args.step:
        return child(args)
    os.makedirs(args.work, exist_ok=True)
    builds = {}
    if not args.skip_build:
        builds["tantivy"] = run_step(args, "build-tantivy")
        if not args.no_fts5:
            builds["fts5"] = run_step(args, "build-fts5")
        json.dump(builds, open(os.path.join(args.work, "builds.json"), "w"))
    else:
        builds = json.load(open(os.path.join(args.work, "builds.json")))
    if args.build_ours:
        import shutil
        shutil.rmtree(os.path.join(args.data, "index"), ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([args.binary, "index", "--data", args.data], check=True, capture_output=True)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        builds["ours"] = {"seconds": seconds, "max_rss_mb": peak}
        json.dump(builds, open(os.path.join(args.work, "builds.json"), "w"))

    cold = drop_caches()
    query_file = os.path.join(args.work, "queries.txt")
    with open(query_file, "w") as handle:
        handle.write("\n".join(q for q, _, _ in QUERIES) + "\n")
    ours = json.loads(subprocess.run([args.binary, "bench", "search", "--data", args.data, "--queries", query_file,
                                      "--repeats", str(args.repeats), "--json"], check=True, capture_output=True, text=True).stdout)
    drop_caches()
    tantivy = run_step(args, "query-tantivy")
    fts5 = {"results": [None] * len(QUERIES)}
    if "fts5" in builds and not args.no_fts5:
        drop_caches()
        fts5 = run_step(args, "query-fts5")

    print(f"## Index ({ours['documents']:,} documents)\n")
    print("| engine | build s | docs/s | size MB | build peak RSS MB | open ms" + (" (caches dropped)" if cold else "") + " | query peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    index_dir = os.path.join(args.data, "index")
    mine = builds.get("ours")
    built = f"{mine['seconds']:.0f} | {ours['documents'] / mine['seconds']:,.0f}" if mine else "not measured (--build-ours) |"
    print(f"| ours | {built} | {size_mb(index_dir):.0f} | {mine['max_rss_mb'] if mine else 0:.0f} | {ours['open_ms']:.1f} | {ours['max_rss_mb']:.0f} |")
    for name, path, result in [("tantivy", os.path.join(args.work, "tantivy"), tantivy), ("fts5", os.path.join(args.work, "fts5.sqlite"), fts5)]:
        if name not in builds:
            continue
        build = builds[name]
        print(f"| {name} | {build['seconds']:.0f} | {build['documents'] / build['seconds']:,.0f} | {size_mb(path):.0f} | "
              f"{build['max_rss_mb']:.0f} | {result['open_ms']:.1f} | {result['max_rss_mb']:.0f} |")

    print("\n## Count + top-1,000 (ms, p50 / p99)\n")
    print("| query | ours total | ours p50 | ours p99 | tantivy total | tantivy p50 | tantivy p99 | ours/tantivy | fts5 total | fts5 p50 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ratios, ours_p50, tantivy_p50 = [], [], []
    for (query, _, _), mine, theirs, lite in zip(QUERIES, ours["queries"], tantivy["results"], fts5["results"]):
        row = f"| `{query.replace(chr(9), ' ⟨') + ('⟩' if chr(9) in query else '')}` | {mine['total']:,} | {mine['p50_ms']:.2f} | {mine['p99_ms']:.2f} |"
        if theirs:
            ratio = mine["p50_ms"] / max(theirs[1], 1e-6)
            ratios.append(ratio)
            ours_p50.append(mine["p50_ms"])
            tantivy_p50.append(theirs[1])
            row += f" {theirs[0]:,} | {theirs[1]:.2f} | {theirs[2]:.2f} | {ratio:.2f} |"
        else:
            row += " — | — | — | — |"
        row += f" {lite[0]:,} | {lite[1]:.2f} |" if lite else " — | — |"
        print(row)
    if ratios:
        from statistics import geometric_mean, median
        print(f"\nExpressible in Tantivy: {len(ratios)} queries. Median of our/tantivy p50 ratios {median(ratios):.2f}, "
              f"geometric mean {geometric_mean(ratios):.2f}; sum of p50s ours {sum(ours_p50):.1f} ms vs tantivy {sum(tantivy_p50):.1f} ms. "
              f"Worst our p99: {max(q['p99_ms'] for q in ours['queries']):.1f} ms.")


if __name__ == "__main__":
    main()
