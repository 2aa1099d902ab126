#!/usr/bin/env bash
# Query latency on an imported corpus (default: ./patents-data), release build.
#   scripts/bench-search.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-./patents-data}
swift build -c release >/dev/null
BIN=.build/release/patents
queries=(
  'battery' 'TTL:battery' '"lithium ion"' 'lithium $W3 battery' 'TAC:(vehicle AND (battery OR "fuel cell"))'
  'batter*' '*ology' 'IPC:H01M' 'CPC:G06F' 'PBD:[20100101 TO 20201231] AND TTL:system' 'method NOT device'
  'display $SEN pixel' 'claim $PARA wherein' 'TTL:显示设备' 'AN:google' 'PN:US10047600'
)
printf '%-45s %8s %10s\n' query total "ms (best of 5)"
for q in "${queries[@]}"; do
  best=999999
  for _ in 1 2 3 4 5; do
    start=$(date +%s%N)
    total=$("$BIN" search --data "$DATA" "$q" --json --rows 1000 | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    (( ms < best )) && best=$ms
  done
  printf '%-45s %8s %10s\n' "$q" "$total" "$best"
done
