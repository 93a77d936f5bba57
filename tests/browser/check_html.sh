#!/usr/bin/env bash
# Renders a generated `faultline summary --output html` report in a real headless browser
# (Debian's chromium) and checks it: the DOM has the expected elements (findings table,
# SVG charts), log content stayed text (no <script>/<img> injected from the logs), no
# script ran or failed, and the page made no network requests.
#
# Usage: tests/browser/check_html.sh [OUT_DIR]
#   FAULTLINE_BIN   binary to test (default: target/debug/faultline, built if missing)
#   OUT_DIR         where report.html, dom.html, report.png and logs are kept
#                   (default: a temp dir, printed at the end)
# Installs chromium with apt-get when it is missing (needs root or sudo).
# Exits 0 when every check passes, 1 when a check fails, 2 when it cannot run.
set -euo pipefail

cd "$(dirname "$0")/../.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
bin="${FAULTLINE_BIN:-target/debug/faultline}"
fail=0
check() { # check DESCRIPTION COMMAND...
    local what="$1"; shift
    if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}

if [[ ! -x "$bin" ]]; then
    cargo build --quiet || { echo "cannot build faultline" >&2; exit 2; }
fi

browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [[ -z "$browser" ]]; then
    echo "chromium not found; installing it with apt-get" >&2
    sudo=""
    [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
    { $sudo apt-get update -qq && $sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$out/apt.log" 2>&1 \
        || { echo "cannot install chromium (see $out/apt.log)" >&2; exit 2; }
    browser="$(command -v chromium)"
fi

# An hour of plain logs: steady traffic, a background error, and from 10:40 to 10:50 a new
# error whose text tries to inject markup into the report.
awk 'BEGIN {
    srand(7);
    for (s = 0; s < 3600; s++) {
        ts = sprintf("2026-11-27T%02d:%02d:%02dZ", 10 + int(s / 3600), int(s % 3600 / 60), s % 60);
        if (s >= 2400 && s < 3000)
            for (k = 0; k < 3; k++)
                printf "%s ERROR connection refused to db-primary <script>alert(1)</script><img src=x onerror=alert(2)>\n", ts;
        for (k = 0; k < 5; k++) {
            r = rand();
            if (r < 0.7) printf "%s INFO GET /api/orders/%d 200 in %dms\n", ts, int(rand() * 900), int(rand() * 80);
            else if (r < 0.99) printf "%s INFO user %d logged in\n", ts, int(rand() * 90000);
            else printf "%s ERROR payment gateway slow response after %dms\n", ts, 1000 + int(rand() * 2000);
        }
    }
}' >"$out/app.log"
# A baseline without the new error, so there are findings even without timestamps.
head -n 2000 "$out/app.log" >"$out/baseline.log"  # the first 400 s: before the new error

"$bin" summary "$out/app.log" --baseline "$out/baseline.log" --output html --out "$out/report.html" -q \
    || { echo "faultline failed" >&2; exit 2; }
has_time=0
if "$bin" events "$out/app.log" --head 1 2>/dev/null | grep -q '"time":"2026'; then has_time=1; fi

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --disable-default-apps --disable-extensions --mute-audio
       --enable-logging=stderr --v=0)
url="file://$(cd "$out" && pwd)/report.html"
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d)" \
    --log-net-log="$out/netlog.json" --dump-dom "$url" >"$out/dom.html" 2>"$out/dom.log" \
    || { echo "chromium failed (see $out/dom.log)" >&2; exit 2; }
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$(mktemp -d)" \
    --screenshot="$out/report.png" --window-size=1200,2000 --hide-scrollbars "$url" \
    >"$out/shot.log" 2>&1 || { echo "chromium screenshot failed (see $out/shot.log)" >&2; exit 2; }

dom="$out/dom.html"
check "the browser produced a DOM" test -s "$dom"
check "findings table present" grep -q '<table class="findings">' "$dom"
check "at least one finding row" grep -q 'class="finding" data-kind=' "$dom"
check "top error templates section" grep -q 'id="templates"' "$dom"
check "input overview section" grep -q 'id="input"' "$dom"
if [[ $has_time -eq 1 ]]; then
    check "inline SVG present" grep -q '<svg' "$dom"
    check "sparklines present" grep -q 'class="spark"' "$dom"
    check "error-rate chart present" grep -q 'id="timeline-chart"' "$dom"
    check "incident window marked" grep -q 'class="window"' "$dom"
else
    echo "FAIL events got no timestamps, so the page has no charts to check"
    fail=1
fi
check "no <script> element in the DOM" bash -c "! grep -qi '<script' '$dom'"
check "no <img> element injected from log content" bash -c "! grep -qi '<img' '$dom'"
check "log markup shown as text" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$dom"
check "no console messages or script errors" \
    bash -c "! grep -E 'CONSOLE|Uncaught|Refused to' '$out/dom.log' '$out/shot.log'"
# The net log lists every network request. The browser's own background requests have the
# initiator "not an origin"; requests made by a file:// page have the initiator "null".
check "no network requests made by the page" \
    bash -c "! grep -qE '\"initiator\":\"(null|file:)' '$out/netlog.json'"
check "screenshot written" test -s "$out/report.png"

echo "artifacts in $out (report.html, dom.html, report.png)"
exit $fail
