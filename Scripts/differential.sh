#!/usr/bin/env bash
# Compares the decision-diagram evaluator with rule-by-rule evaluation (the reference semantics) on
# generated cases for every shipped policy, in a release build.
#
#   Scripts/differential.sh [CASES_PER_POLICY]     (default 1000000)
#
# Cases are generated from each policy's declared inputs (enum values, booleans, numbers and dates
# around the constants the policy compares against, codes from its code sets and outside them, texts
# around the lengths it measures, fields left out). Cases with every input known must get the same
# statuses, outcomes, cited rules and due dates; with unknown inputs, whatever the rules decide the
# diagrams decide the same way. Prints, per policy, the cases compared and the differences found.
# The CI-sized run (20,000 cases per policy) is part of `swift test --filter Robustness`.
set -euo pipefail
cases="${1:-1000000}"
cd "$(dirname "$0")/.."
export PRECERT_DIFFERENTIAL_CASES="$cases"
start=$(date +%s)
set +e
swift test -c release --scratch-path "${SCRATCH:-.build-differential}" \
    --filter 'RobustnessDifferentialTests/shippedPolicies' 2>&1 \
    | grep -E --line-buffered 'differential|✘|✔|error|issue|Expectation|diagram|rules  |walk  |decoder'
status=${PIPESTATUS[0]}
echo "differential.sh: $cases cases per policy, swift test exited with $status after $(( $(date +%s) - start ))s"
exit "$status"
