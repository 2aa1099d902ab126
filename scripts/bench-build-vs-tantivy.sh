#!/usr/bin/env bash
# Index build: ours (`patents index --rebuild`, from the store) against Tantivy 0.27 on the
# same documents (`bench-engines.py --step build-tantivy`: documents written once as JSON
# lines, then `add_json` timed with 2 threads, commit, wait_merging_threads), in
# interleaved passes on one machine. Prints Markdown rows for BENCHMARKS.md.
#   scripts/bench-build-vs-tantivy.sh DATA CORPUS WORK [PASSES] [import]
# With `import`, each pass also times `patents import` of CORPUS into a new data folder
# (decoding the XML, the store, then the index: end to end) in the same run.
# DATA: our data folder with CORPUS imported (`patents import --no-index`); CORPUS: the
# MAREC bundles `patents generate` wrote; WORK: where Tantivy's index and JSON lines go.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=$1 CORPUS=$2 WORK=$3 PASSES=${4:-2} IMPORT=${5:-}
PYTHON=${PYTHON:-.build/bench-venv/bin/python}
swift build -c release >/dev/null
echo "| pass | engine | build | documents/s | peak RSS | index |"
echo "|---:|---|---:|---:|---:|---:|"
for pass in $(seq 1 "$PASSES"); do
    rm -rf "$WORK/tantivy"
    line=$("$PYTHON" scripts/bench-engines.py --step build-tantivy --corpus "$CORPUS" --work "$WORK" --data "$DATA" | tail -1)
    read -r docs seconds rss < <("$PYTHON" -c "import json,sys; d=json.loads(sys.argv[1]); print(d['documents'], d['seconds'], d['max_rss_mb'])" "$line")
    printf '| %s | Tantivy | %.1f s | %.0f | %.0f MB | %s |\n' "$pass" "$seconds" "$(awk "BEGIN { print $docs / $seconds }")" "$rss" \
        "$(du -sh "$WORK/tantivy" | cut -f1)"
    /usr/bin/time -f "%e %M" -o "$WORK/time" .build/release/patents index --data "$DATA" --rebuild > "$WORK/out"
    read -r seconds kb < "$WORK/time"
    docs=$(grep -o 'indexed [0-9]*' "$WORK/out" | grep -o '[0-9]*')
    printf '| %s | ours | %.1f s | %.0f | %d MB | %s |\n' "$pass" "$seconds" "$(awk "BEGIN { print $docs / $seconds }")" "$((kb / 1024))" \
        "$(du -sh "$DATA/index" | cut -f1)"
    if [ "$IMPORT" = import ]; then
        rm -rf "$WORK/import-data"
        /usr/bin/time -f "%e %M" -o "$WORK/time" .build/release/patents import --data "$WORK/import-data" "$CORPUS" > "$WORK/out" 2> "$WORK/err"
        read -r seconds kb < "$WORK/time"
        docs=$(grep -o 'indexed [0-9]*' "$WORK/out" | grep -o '[0-9]*')
        printf '| %s | ours, import + index from the XML | %.1f s | %.0f | %d MB | %s |\n' "$pass" "$seconds" \
            "$(awk "BEGIN { print $docs / $seconds }")" "$((kb / 1024))" "$(du -sh "$WORK/import-data/index" | cut -f1)"
        rm -rf "$WORK/import-data"
    fi
done
