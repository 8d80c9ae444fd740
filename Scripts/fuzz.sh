#!/usr/bin/env bash
# Builds one libFuzzer target with AddressSanitizer and runs it for a while.
#
#   Scripts/fuzz.sh TARGET [SECONDS] [extra libFuzzer flags...]
#
# TARGET is a folder under Fuzz/: `policy` (YAML -> decode -> check -> compile through
# PolicyPipeline, against the shipped calendars), `expression`
# (the `when:` expression parser) or `case` (case JSON -> decode -> evaluate -> decision JSON, against
# the shipped catalog). SECONDS defaults to 60. The target is compiled together with every Swift file
# of Sources/Precert into one module (so it reaches package API) at `.build-fuzz/TARGET`; its corpus
# lives in `.build-fuzz/corpus-TARGET` (seeded from the shipped policies, the expressions in them, or
# Examples/*.json) and crashes are written to `.build-fuzz/artifacts-TARGET/`. Environment:
#   FUZZ_JOBS=N       run N workers in parallel (default 1)
#   FUZZ_NO_BUILD=1   reuse the last build
#   SWIFTC=...        the compiler (default: swiftc on PATH)
#   SCRATCH=DIR       SwiftPM's build folder for swift-crypto (default: .build)
#
# Sources/Precert hashes with swift-crypto, which the fuzz build does not compile itself: SwiftPM
# builds the `Crypto` target (release, into SCRATCH; a no-op once built), swiftc finds its module
# in the bin folder's Modules/ and links the object files of Crypto and the targets it is made of.
set -euo pipefail

target="${1:?usage: Scripts/fuzz.sh TARGET [SECONDS] [libFuzzer flags...]}"
seconds="${2:-60}"
shift $(( $# >= 2 ? 2 : 1 ))
cd "$(dirname "$0")/.."
root="$PWD"

if [[ ! -f "Fuzz/$target/main.swift" ]]; then
    echo "fuzz.sh: no target \`$target\` (targets: $(ls Fuzz | tr '\n' ' '))" >&2
    exit 2
fi

out=".build-fuzz"
binary="$out/$target"
corpus="$out/corpus-$target"
artifacts="$out/artifacts-$target"
mkdir -p "$out" "$corpus" "$artifacts"

# -- Build -------------------------------------------------------------------------------------
if [[ -z "${FUZZ_NO_BUILD:-}" || ! -x "$binary" ]]; then
    # Compile a snapshot, so that files edited meanwhile do not break the build.
    snapshot="$out/src-$target"
    rm -rf "$snapshot"
    mkdir -p "$snapshot"
    cp -R Sources/Precert "$snapshot/Precert"
    cp "Fuzz/$target/main.swift" "$snapshot/main.swift"
    mapfile -t sources < <(find "$snapshot/Precert" -name '*.swift' | sort)
    # swift-crypto, built by SwiftPM: its module, and the objects of Crypto and of the targets it
    # depends on (BoringSSL and its shims, the Swift wrapper, and the Keccak code of 4.x).
    scratch="${SCRATCH:-.build}"
    echo "fuzz.sh: building swift-crypto's Crypto target with SwiftPM (release, $scratch)" >&2
    swift build -c release --scratch-path "$scratch" --target Crypto >&2
    bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"
    crypto=()
    for part in Crypto CryptoBoringWrapper CCryptoBoringSSL CCryptoBoringSSLShims CXKCP CXKCPShims; do
        [[ -d "$bin/$part.build" ]] && mapfile -t -O "${#crypto[@]}" crypto < <(find "$bin/$part.build" -name '*.o' | sort)
    done
    [[ -f "$bin/Modules/Crypto.swiftmodule" && ${#crypto[@]} -gt 0 ]] || { echo "fuzz.sh: no Crypto module in $bin" >&2; exit 1; }
    echo "fuzz.sh: building $binary from ${#sources[@]} files of Sources/Precert + Fuzz/$target/main.swift (+ ${#crypto[@]} swift-crypto objects)" >&2
    # ld.gold warns once per ASan helper symbol; the warnings are harmless and hidden.
    "${SWIFTC:-swiftc}" -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g \
        -module-name PrecertFuzz -package-name Precert -module-cache-path "$out/module-cache" \
        -I Sources/CYAML -Xcc -I/usr/include -lyaml -I "$bin/Modules" \
        "${sources[@]}" "$snapshot/main.swift" "${crypto[@]}" -o "$binary" 2>&1 \
        | grep -v -e 'Cannot export local symbol' >&2 || true
    [[ -x "$binary" && "$binary" -nt "$snapshot/main.swift" ]] || { echo "fuzz.sh: build failed" >&2; exit 1; }
fi

# -- Seeds -------------------------------------------------------------------------------------
seed() {  # seed NAME FILE: copy a seed into the corpus under a stable name
    cp -f "$2" "$corpus/seed-$1"
}
case "$target" in
policy)
    max_len=65536
    while IFS= read -r file; do
        seed "$(echo "$file" | tr '/' '_')" "$file"
    done < <(find Policies Tests/PrecertTests/Fixtures -name '*.yaml' -size -64k | sort)
    export PRECERT_POLICIES="$root/Policies"  # for the shipped calendars
    ;;
expression)
    max_len=4096
    # Every condition, `when` and `applies_when` of the shipped policies, one file each.
    python3 - "$corpus" Policies Tests/PrecertTests/Fixtures <<'PY'
import hashlib, os, re, sys
corpus, roots = sys.argv[1], sys.argv[2:]
expressions = set()
seen = set()
def walk(node, key=None):
    # Aliases share nodes: visit each once (a billion-laughs fixture would otherwise never end).
    if isinstance(node, (dict, list)):
        if id(node) in seen: return
        seen.add(id(node))
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "conditions" and isinstance(v, dict):
                for c in v.values():
                    if isinstance(c, str): expressions.add(c)
            walk(v, k)
    elif isinstance(node, list):
        for item in node: walk(item, key)
    elif isinstance(node, str) and key in ("when", "applies_when"):
        expressions.add(node)
for root in roots:
    for folder, _, files in os.walk(root):
        if "fuzz-regressions" in folder: continue
        for name in files:
            if not name.endswith(".yaml"): continue
            text = open(os.path.join(folder, name), encoding="utf-8", errors="replace").read()
            try:
                import yaml
                seen.clear()  # ids are only unique among live objects: one file at a time
                walk(yaml.load(text, Loader=yaml.BaseLoader))
            except Exception:
                # Without PyYAML (or for a file it rejects), take one-line `when:` values.
                for m in re.finditer(r"\b(?:when|applies_when):\s*'?([^'\n{}]+?)'?\s*(?:,\s*then:|$)", text, re.M):
                    expressions.add(m.group(1))
for e in sorted(expressions):
    name = "seed-" + hashlib.sha1(e.encode()).hexdigest()[:16]
    with open(os.path.join(corpus, name), "w", encoding="utf-8") as f: f.write(e)
print(f"fuzz.sh: {len(expressions)} expression seeds", file=sys.stderr)
PY
    ;;
case)
    max_len=16384
    for file in Examples/*.json; do seed "$(basename "$file")" "$file"; done
    if [[ -f Examples/batch.jsonl ]]; then
        n=0
        while IFS= read -r line; do
            n=$((n + 1)); printf '%s' "$line" > "$corpus/seed-batch-$n.json"
        done < Examples/batch.jsonl
    fi
    export PRECERT_POLICIES="$root/Policies"
    ;;
*)
    max_len=65536
    ;;
esac
dict=()
[[ -f "Fuzz/$target/dictionary.txt" ]] && dict=(-dict="Fuzz/$target/dictionary.txt")

# -- Run ---------------------------------------------------------------------------------------
log="$out/fuzz-$target.log"
jobs="${FUZZ_JOBS:-1}"
parallel=()
[[ "$jobs" -gt 1 ]] && parallel=(-fork="$jobs" -ignore_crashes=0)
echo "fuzz.sh: running $target for ${seconds}s (max_len $max_len, log $log)" >&2
start=$(date +%s)
set +e
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}" \
"$binary" "$corpus" "${dict[@]}" "${parallel[@]}" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$@" 2>&1 | tee "$log" | grep -E --line-buffered '^#[0-9]+.*(INITED|DONE|pulse|REDUCE|NEW)' | awk 'NR % 50 == 1 { print; fflush() }' >&2
status=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - start ))

execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
[[ -z "$execs" ]] && execs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
files=$(find "$corpus" -type f | wc -l)
bytes=$(du -sb "$corpus" | cut -f1)
crashes=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
echo
echo "== fuzz $target: ${execs:-?} executions in ${elapsed}s ($(( ${execs:-0} / (elapsed > 0 ? elapsed : 1) )) exec/s); corpus $files files ($bytes bytes); crashes/timeouts/ooms so far: $crashes (in $artifacts)"
if [[ $status -ne 0 ]]; then
    echo "== libFuzzer exited with $status: see $log; reproduce with $binary ARTIFACT" >&2
fi
exit "$status"
