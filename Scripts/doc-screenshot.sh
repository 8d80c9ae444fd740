#!/usr/bin/env bash
# Writes the policy book for Policies/ (`precert doc`) into a temporary folder and renders
# index.html and each policy page to PNG with headless Chromium, to look at the book as a reviewer
# would see it in a browser.
#
#   Scripts/doc-screenshot.sh [OUT_DIR]     (default: a new temporary folder)
#
# Needs Chromium (Debian: `apt-get install chromium`); Graphviz (`apt-get install graphviz`) draws
# the diagrams, which are otherwise shown as their DOT source. WIDTH and HEIGHT set the window
# (default 1280x2000); a page taller than the window is cut at its height. Prints the PNGs' paths.
set -euo pipefail
cd "$(dirname "$0")/.."

browser=""
for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then browser="$candidate"; break; fi
done
if [ -z "$browser" ]; then
    echo "doc-screenshot.sh: Chromium is not installed; install it with: apt-get install chromium" >&2
    exit 1
fi
if ! command -v dot >/dev/null 2>&1; then
    echo "doc-screenshot.sh: Graphviz is not installed, so diagrams show as DOT source (apt-get install graphviz)" >&2
fi

out="${1:-$(mktemp -d "${TMPDIR:-/tmp}/precert-book.XXXXXX")}"
mkdir -p "$out"
swift build --product precert >&2
bin="$(swift build --product precert --show-bin-path)/precert"
"$bin" doc --policies Policies --output "$out/book" >&2

# Each run gets a profile of its own, so that it neither reads nor leaves a user's browser state.
profile="$(mktemp -d "${TMPDIR:-/tmp}/precert-chromium.XXXXXX")"
trap 'rm -rf "$profile"' EXIT
for page in "$out"/book/*.html; do
    png="$out/$(basename "$page" .html).png"
    "$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars --user-data-dir="$profile" \
        --window-size="${WIDTH:-1280},${HEIGHT:-2000}" --screenshot="$png" "file://$(cd "$(dirname "$page")" && pwd)/$(basename "$page")" \
        >/dev/null 2>&1
    echo "$png"
done
