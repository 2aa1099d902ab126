#!/usr/bin/env bash
# Index build memory and time on generated corpora (engine part 1): for each size, a
# bibliographic corpus is generated from the shared data, imported without indexing,
# then indexed with `/usr/bin/time`; a row per size with the build's time, peak RSS,
# segments and index size. Optionally the same store is indexed by an older binary
# (OLD_BINARY=path) for a same-run comparison.
#   scripts/bench-index-memory.sh [SIZES…]          (default: 200000 1000000)
#   MEMORY=512 OLD_BINARY=/path/to/old/patents scripts/bench-index-memory.sh 200000
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${*:-200000 1000000}
MEMORY=${MEMORY:-512}
WORK=${WORK:-$(mktemp -d)}
swift build -c release >/dev/null
BIN=$PWD/.build/release/patents
[ -f "$WORK/model/patents.sqlite" ] || "$BIN" import --data "$WORK/model" --no-index ../shared/data/patents >/dev/null

row() {  # label, binary, data
    local label=$1 binary=$2 data=$3
    rm -rf "$data/index"
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$binary" index --data "$data" ${4:-} > "$WORK/out"
    read -r seconds kb < "$WORK/time"
    printf '| %s | %s s | %s MB | %s | %s |\n' "$label" "$seconds" "$((kb / 1024))" \
        "$(grep -o '[0-9]* segment' "$WORK/out" | head -1)" "$(du -sh "$data/index" | cut -f1)"
}

echo "| build | time | peak RSS | segments | index size |"
echo "|---|---:|---:|---|---:|"
for size in $SIZES; do
    corpus="$WORK/gen$size" data="$WORK/d$size"
    [ -d "$corpus" ] || "$BIN" generate --data "$WORK/model" --count "$size" --seed 11 --biblio-only --out "$corpus" >/dev/null
    [ -f "$data/patents.sqlite" ] || "$BIN" import --data "$data" --no-index "$corpus" >/dev/null
    row "$size patents, --memory $MEMORY" "$BIN" "$data" "--memory $MEMORY"
    if [ -n "${OLD_BINARY:-}" ]; then row "$size patents, before (20,000-patent segments, merge in memory)" "$OLD_BINARY" "$data"; fi
done
