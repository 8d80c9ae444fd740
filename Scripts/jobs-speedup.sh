#!/usr/bin/env bash
# Measures `precert eval --jsonl --jobs 2` against `--jobs 1` on a generated corpus, as a user runs
# it (process start and catalog loading included): medians of wall-clock times over several runs,
# taken alternately so that both see the same machine load.
#
#   Scripts/jobs-speedup.sh [LINES] [RUNS]     (defaults 100000 lines, 21 runs)
#
# Builds the release binaries (`precert`, and `precert-bench`, which writes the corpus), writes the
# corpus to .build/jobs-corpus-LINES.jsonl once, checks that both outputs are byte-identical, and
# prints the medians and their ratio.
set -euo pipefail
lines="${1:-100000}"
runs="${2:-21}"
cd "$(dirname "$0")/.."
swift build -c release --product precert >/dev/null
swift build -c release --product precert-bench >/dev/null
precert=.build/release/precert
corpus=".build/jobs-corpus-$lines.jsonl"
# The corpus generator lives in precert-bench, an executable of its own.
if [ ! -f "$corpus" ]; then
    # Written whole or not at all, so an interrupted run leaves no short corpus behind.
    .build/release/precert-bench --write-corpus "$lines" > "$corpus.partial"
    mv "$corpus.partial" "$corpus"
fi
one=$("$precert" eval --jsonl "$corpus" --jobs 1 | cksum)
two=$("$precert" eval --jsonl "$corpus" --jobs 2 | cksum)
[ "$one" = "$two" ] || { echo "jobs-speedup.sh: --jobs 2 wrote other output than --jobs 1" >&2; exit 1; }

# Milliseconds of one run, from bash's microsecond clock.
elapsed() {
    local start=$EPOCHREALTIME
    "$precert" eval --jsonl "$corpus" --jobs "$1" > /dev/null
    local end=$EPOCHREALTIME
    echo $(( (${end/./} - ${start/./}) / 1000 ))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
times1=() times2=()
for _ in $(seq "$runs"); do
    times1+=("$(elapsed 1)")
    times2+=("$(elapsed 2)")
done
m1=$(printf '%s\n' "${times1[@]}" | median)
m2=$(printf '%s\n' "${times2[@]}" | median)
echo "jobs-speedup.sh: $lines lines, medians of $runs runs: --jobs 1 $m1 ms, --jobs 2 $m2 ms, $(awk -v a="$m1" -v b="$m2" 'BEGIN { printf "%.2f", a / b }')x"
