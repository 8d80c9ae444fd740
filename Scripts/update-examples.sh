#!/usr/bin/env bash
# Rewrites every output block of Examples/README.md with what `precert eval` prints today.
# Run it after editing a policy; the walk-through test fails until the README is current.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product precert >/dev/null
bin="$(swift build --show-bin-path)/precert"
python3 - "$bin" <<'PY'
import os, re, subprocess, sys
binary = sys.argv[1]
path = "Examples/README.md"
text = open(path).read()
pattern = re.compile(r"(```console\n\$ precert (?P<args>[^\n]*)\n```\n\n```(?P<lang>[a-z]+)\n)(?P<out>.*?)(```\n)", re.S)
def refresh(match):
    args = match.group("args").split()
    # The width and color the walk-through test renders with, whatever the terminal.
    env = dict(os.environ, COLUMNS="100")
    env.pop("NO_COLOR", None)
    result = subprocess.run([binary] + args, capture_output=True, text=True, env=env)
    return match.group(1) + result.stdout + match.group(5)
open(path, "w").write(pattern.sub(refresh, text))
PY
echo "updated Examples/README.md"
