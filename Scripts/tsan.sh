#!/usr/bin/env bash
# Runs the concurrency tests under ThreadSanitizer: 8 tasks evaluate the same cases against one shared
# catalog (and one shared evaluator with per-task scratch buffers) and must agree with one task; and
# the JSON Lines evaluator runs on 2 and 3 threads (reading, writing and evaluating at once).
#
#   Scripts/tsan.sh [CASES_PER_TASK]     (default 100000)
#
# Builds into .build-tsan (a debug build with -sanitize=thread). Exits non-zero on a data race
# (TSan's report is printed) or on any decision that differs between tasks.
set -euo pipefail
cases="${1:-100000}"
cd "$(dirname "$0")/.."
export PRECERT_CONCURRENCY_CASES="$cases"
# halt_on_error makes the first race fail the run instead of only printing a warning.
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
swift test --sanitize=thread --scratch-path "${SCRATCH:-.build-tsan}" --filter "RobustnessConcurrencyTests|JSONLinesTests" 2>&1 \
    | grep -vE '^\s*$' | grep -E --line-buffered 'concurrency|ThreadSanitizer|WARNING|SUMMARY|✘|✔|error|  #[0-9]' 
status=${PIPESTATUS[0]}
echo "tsan.sh: swift test exited with $status"
exit "$status"
