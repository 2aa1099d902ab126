#!/usr/bin/env bash
# Fuzzes the query parser and the document readers with libFuzzer (hardening issue).
#
#   scripts/fuzz.sh [RUNS] [TARGET…]     RUNS executions per target (default 1,000,000);
#                                         targets FuzzQuery FuzzDocuments (default both)
#
# Builds Fuzz/ with -sanitize=fuzzer,address into .build-fuzz, runs each target from its
# kept corpus (Fuzz/corpus/query, Fuzz/corpus/documents; the parser with Fuzz/query.dict),
# then merges what it found back into the kept corpus, minimised. A crash stops the run
# with the input saved as .build-fuzz/crash-*; it then becomes a unit test.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1000000}
shift || true
TARGETS=${*:-FuzzQuery FuzzDocuments}
SCRATCH=$PWD/.build-fuzz
# Swift's crash backtracer and ASan's stack reads fight over a crashing process: let
# libFuzzer report the crash alone.
export SWIFT_BACKTRACE=enable=no
(cd Fuzz && swift build -c release --scratch-path "$SCRATCH" -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)
for target in $TARGETS; do
    case $target in
        FuzzQuery) corpus=Fuzz/corpus/query; options=(-dict=Fuzz/query.dict -max_len=2048) ;;
        FuzzDocuments) corpus=Fuzz/corpus/documents; options=(-max_len=16384) ;;
        *) echo "unknown target $target" >&2; exit 2 ;;
    esac
    found=$SCRATCH/found-$target
    rm -rf "$found" && mkdir -p "$found"
    echo "== $target: $RUNS runs from $(ls "$corpus" | wc -l) kept inputs"
    start=$(date +%s)
    set +e
    "$SCRATCH/release/$target" "${options[@]}" -runs="$RUNS" -artifact_prefix="$SCRATCH/" -print_final_stats=1 \
        "$found" "$corpus" > "$SCRATCH/$target.log" 2>&1
    status=$?
    set -e
    grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)|Fatal error" \
        "$SCRATCH/$target.log" || true
    echo "   exit $status after $(( $(date +%s) - start )) s"
    [ "$status" = 0 ] || { echo "$target crashed: see $SCRATCH/crash-*" >&2; exit 1; }
    merged=$SCRATCH/merged-$target
    rm -rf "$merged" && mkdir -p "$merged"
    "$SCRATCH/release/$target" -merge=1 "${options[@]}" "$merged" "$corpus" "$found" >/dev/null 2>&1
    rm -rf "$corpus" && mv "$merged" "$corpus"
    echo "   kept corpus: $(ls "$corpus" | wc -l) inputs, $(du -sh "$corpus" | cut -f1)"
done
