#!/usr/bin/env bash
# Import throughput and peak memory (issue: the patent repository).
#   scripts/bench-import.sh [SHARED_DATA_DIR]
# 1. every shared document; 2. the full-text sources only; 3. a 300 MB weekly-style
# bundle (the real ICE bundles concatenated 40 times, renumbered so each document is new)
# to show memory stays flat however large the input.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA_DIR=${1:-../shared/data/patents}
swift build -c release >/dev/null
BIN=.build/release/patents
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

measure() {  # name, args...
    local name=$1; shift
    rm -rf "$WORK/store"
    /usr/bin/time -f "%M" -o "$WORK/rss" "$BIN" import --data "$WORK/store" "$@" 2>/dev/null | head -2 > "$WORK/out"
    printf '%-28s %s | peak RSS %s MB\n' "$name" "$(head -1 "$WORK/out")" "$(( $(cat "$WORK/rss") / 1024 ))"
}

measure "all shared data" "$DATA_DIR"
measure "full-text sources" "$DATA_DIR/uspto-ice" "$DATA_DIR/marec" "$DATA_DIR/epo-publication" "$DATA_DIR/cnipa-jpo-wipo"

python3 - "$DATA_DIR" "$WORK/bundle.xml" <<'PY'
import glob, re, sys
src, out = sys.argv[1], sys.argv[2]
docs = []
for path in sorted(glob.glob(src + "/uspto-ice/patentsview_db_fixtures/ipgxml/*.xml")):
    text = open(path, encoding="utf-8").read()
    docs += ["<?xml" + d for d in text.split("<?xml")[1:]]
with open(out, "w", encoding="utf-8") as f:
    for copy in range(40):
        for d in docs:
            f.write(re.sub(r"<doc-number>(\d+)</doc-number>", lambda m: "<doc-number>%d%02d</doc-number>" % (int(m.group(1)), copy), d, count=1))
PY
measure "bundle $(du -m "$WORK/bundle.xml" | cut -f1) MB" "$WORK/bundle.xml"
