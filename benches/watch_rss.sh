#!/usr/bin/env bash
# Memory stays flat in live mode: streams generated events through a pipe into
# `faultline watch --plain` and samples the watcher's resident memory (VmRSS) every second.
#
#   benches/watch_rss.sh                      # 10 million JSON events
#   LINES=2000000 FORMAT=plain benches/watch_rss.sh
#
# Writes a CSV (seconds since start, VmRSS in KiB) to $CSV (default target/watch_rss.csv)
# and prints min / max / last RSS, the RSS after the first 10% of samples, and throughput.
# Needs Linux (/proc). Builds the release binaries if they are missing.
#
# Measured 2026-11-28 (shared 2-core VM, 10M JSON events, ~2 GB): VmRSS rises to 91.5 MiB in
# the first ~5.5M events (signatures reach the --max-signatures cap of 20,000, each with its
# first examples and a sample of three events; the series budget coarsens the summary once),
# then stays at 91.5 MiB for the remaining ~4.5M events; 553k events/s end to end (the
# generator shares the CPU). Without those two bounds RSS grew with the input.
# Re-measured 2026-11-28 after JSON error fields joined messages: flat at 95.7 MiB from ~12 s
# (the build before that change: 94.4 MiB), 520-550k events/s. Again after the spike test's
# window-length bar: flat at 95.3 MiB from ~15 s, 524k events/s, 0 alerts (2 before).
# With a sample of eight events per signature instead of three: max 96.0 MiB, last 95.5 MiB,
# 498k events/s, 0 alerts.
set -euo pipefail

LINES=${LINES:-10000000}
FORMAT=${FORMAT:-json}
CSV=${CSV:-target/watch_rss.csv}
BIN=${BIN:-target/release/faultline}
GEN=${GEN:-target/release/faultline-gen}

cd "$(dirname "$0")/.."
if [[ ! -x $BIN || ! -x $GEN ]]; then
    cargo build --release --bin faultline --bin faultline-gen
fi
mkdir -p "$(dirname "$CSV")"

alerts=$(mktemp)
trap 'rm -f "$alerts"' EXIT

start=$(date +%s.%N)
"$GEN" bench --lines "$LINES" --format "$FORMAT" --out /dev/stdout \
    | "$BIN" watch --plain --quiet >"$alerts" &
# $! is the last process of the pipeline: the watcher.
pid=$!

echo "seconds,rss_kib" >"$CSV"
t=0
while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n $rss ]] && echo "$t,$rss" >>"$CSV"
    sleep 1
    t=$((t + 1))
done
wait "$pid" || true
end=$(date +%s.%N)

awk -F, -v lines="$LINES" -v secs="$(echo "$end - $start" | bc)" '
    NR == 1 { next }
    { v[++n] = $2; if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2 }
    END {
        if (n == 0) { print "no samples (did the watcher start?)"; exit 1 }
        early = v[int(n / 10) + 1]
        printf "samples: %d (one per second)\n", n
        printf "VmRSS min %.1f MiB, max %.1f MiB, after 10%% of the run %.1f MiB, last %.1f MiB\n",
            min / 1024, max / 1024, early / 1024, v[n] / 1024
        printf "%d events in %.1f s: %.0f events/s\n", lines, secs, lines / secs
    }' "$CSV"
echo "alerts printed: $(grep -c '^20' "$alerts" || true); CSV: $CSV"
