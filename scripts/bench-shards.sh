#!/usr/bin/env bash
# A 1M-patent corpus as one index and as 4 shards (many machines, part 2), release build,
# run alone: each build's time, peak RSS and size, then query latency — one index
# (`patents bench search`) against the 4 shards searched as a sharded search does
# (`--shard` ×4: statistics, every shard in parallel, merge) and the 4 shards each served
# by a `patents serve` process and searched through shard calls over HTTP (`--node` ×4, as
# a cluster's root does) — with the totals compared.
#   scripts/bench-shards.sh [SIZE] [SHARDS]        (default: 1000000 4)
#   WORK=/big/disk scripts/bench-shards.sh          (keeps the corpus for the next run)
#   WORK=… QUERIES_ONLY=1 scripts/bench-shards.sh   (the indexes of an earlier run: latency only)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1000000}
SHARDS=${2:-4}
WORK=${WORK:-$(mktemp -d)}
swift build -c release --product patents >/dev/null
BIN=$PWD/.build/release/patents
[ -f "$WORK/model/patents.sqlite" ] || "$BIN" import --data "$WORK/model" --no-index ../shared/data/patents >/dev/null
corpus="$WORK/gen$SIZE" data="$WORK/d$SIZE"
[ -d "$corpus" ] || "$BIN" generate --data "$WORK/model" --count "$SIZE" --seed 11 --biblio-only --out "$corpus" >/dev/null
[ -f "$data/patents.sqlite" ] || "$BIN" import --data "$data" --no-index "$corpus" >/dev/null

build() {  # label, data, index arguments…
    local label=$1 folder=$2
    shift 2
    if [ -n "${QUERIES_ONLY:-}" ] && [ -f "$folder/index/manifest.json" ]; then return; fi
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" index --data "$folder" --rebuild "$@" > "$WORK/out"
    read -r seconds kb < "$WORK/time"
    printf '| %s | %s s | %s MB | %s | %s |\n' "$label" "$seconds" "$((kb / 1024))" \
        "$(grep -o 'indexed [0-9]* patents' "$WORK/out" | head -1)" "$(du -sh "$folder/index" | cut -f1)"
}

echo "| build | time | peak RSS | indexed | index size |"
echo "|---|---:|---:|---|---:|"
build "1 index" "$data"
shard_args=()
for ((s = 0; s < SHARDS; s++)); do
    folder="$WORK/shard$s"
    mkdir -p "$folder"
    [ -f "$folder/patents.sqlite" ] || cp "$data/patents.sqlite" "$folder/"
    build "shard $s of $SHARDS" "$folder" --shards "$SHARDS" --shard "$s"
    shard_args+=(--shard "$folder/index")
done

"$BIN" bench search --data "$data" --json > "$WORK/one.json"
"$BIN" bench search --data "$data" "${shard_args[@]}" --json > "$WORK/sharded.json"

# The shards behind `patents serve` nodes, asked over HTTP.
head -c 48 /dev/urandom > "$WORK/cluster.secret"
pids=() node_args=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for ((s = 0; s < SHARDS; s++)); do
    "$BIN" serve --data "$WORK/shard$s" --port 0 --log-level error --cluster-secret-file "$WORK/cluster.secret" \
        > "$WORK/serve$s.out" 2>/dev/null &
    pids+=($!)
done
for ((s = 0; s < SHARDS; s++)); do
    until grep -q "listening on" "$WORK/serve$s.out" 2>/dev/null; do sleep 0.2; done
    node_args+=(--node "$(grep -o 'http://[0-9.]*:[0-9]*' "$WORK/serve$s.out" | head -1)")
done
"$BIN" bench search --data "$data" "${shard_args[@]}" "${node_args[@]}" --cluster-secret-file "$WORK/cluster.secret" \
    --json > "$WORK/nodes.json"
kill "${pids[@]}"

python3 - "$WORK/one.json" "$WORK/sharded.json" "$WORK/nodes.json" "$SHARDS" <<'PY'
import json, sys
one, sharded, nodes = (json.load(open(p)) for p in sys.argv[1:4])
n = sys.argv[4]
print(f"\n| query | total | 1 index p50 / p99 ms | {n} shards in process | {n} shards over HTTP |")
print("|---|---:|---:|---:|---:|")
for a, b, c in zip(one["queries"], sharded["queries"], nodes["queries"]):
    assert a["total"] == b["total"] == c["total"], f"{a['query']}: {a['total']} / {b['total']} / {c['total']}"
    print(f"| `{a['query']}` | {a['total']} | {a['p50_ms']:.2f} / {a['p99_ms']:.2f} | {b['p50_ms']:.2f} / {b['p99_ms']:.2f} "
          f"| {c['p50_ms']:.2f} / {c['p99_ms']:.2f} |")
def total(r, k): return sum(q[k] for q in r["queries"])
print(f"| sum of p50 | | {total(one, 'p50_ms'):.1f} | {total(sharded, 'p50_ms'):.1f} | {total(nodes, 'p50_ms'):.1f} |")
print(f"\nopened in {one['open_ms']:.1f} ms / {sharded['open_ms']:.1f} ms; peak RSS {one['max_rss_mb']:.0f} MB / {sharded['max_rss_mb']:.0f} MB")
PY
