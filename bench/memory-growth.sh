#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# memory-growth.sh - does bcc-execcount's memory grow per interval in its long-running modes?
#
# Runs the tool with --listen and --textfile at a 1-second interval for SECONDS (default 600),
# while a loop makes execs under KEYS distinct paths (--by uid,exe) and scrapes /metrics every
# second, and samples the tool's VmRSS and VmHWM each second. Prints the first, the median and the
# last samples of the second half, and the growth between the start of the second half and the end
# (after the first intervals every buffer has reached its size: the steady state allocates
# nothing new).
#
#   sudo bench/memory-growth.sh [BUILD_DIR [SECONDS [KEYS]]]
#
# Run by hand (root; not part of the tests). Results: docs/fleet.md, "Running for days".
set -euo pipefail

build=${1:-build}
seconds=${2:-600}
keys=${3:-1000}
tool=$build/bcc-execcount
helper=$build/tests/integration/exec_helper
port=${EXECCOUNT_BENCH_PORT:-9499}
work=$(mktemp -d)
trap 'kill "$pid" "$load" 2>/dev/null || true; rm -rf "$work"' EXIT

[ "$(id -u)" -eq 0 ] || { echo "memory-growth.sh: run as root" >&2; exit 77; }
[ -x "$tool" ] && [ -x "$helper" ] || { echo "memory-growth.sh: build first: $tool, $helper" >&2; exit 1; }

"$tool" --by uid,exe --max-keys $((keys * 2)) --listen "127.0.0.1:$port" \
	--textfile "$work/execcount.prom" --format json 1 >"$work/out.json" 2>"$work/err.txt" &
pid=$!
until grep -q '"type":"start"' "$work/out.json" 2>/dev/null; do
	kill -0 "$pid" || { cat "$work/err.txt" >&2; exit 1; }
	sleep 0.2
done

# the load: execs over KEYS paths, and a scrape, every second
(
	while :; do
		"$helper" --uid 4242 --count "$keys" --distinct "$keys" >/dev/null
		curl -s -o /dev/null "http://127.0.0.1:$port/metrics" || true
		sleep 1
	done
) &
load=$!

for ((i = 0; i < seconds; i++)); do
	awk '/^VmRSS|^VmHWM/ { printf "%s ", $2 } END { print "" }' "/proc/$pid/status" >>"$work/rss.txt"
	sleep 1
done
kill "$load"
kill -INT "$pid"
wait "$pid" || true

python3 - "$work/rss.txt" "$seconds" "$keys" <<'PY'
import statistics, sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
half = rows[len(rows) // 2:]
rss = [r[0] for r in half]
print(f"{sys.argv[2]} s at 1 interval/s, {sys.argv[3]} keys, --listen scraped each second, --textfile")
print(f"VmRSS KiB, second half: first {rss[0]}, median {statistics.median(rss)}, last {rss[-1]}, "
      f"max {max(rss)}; growth over the second half {rss[-1] - rss[0]} KiB "
      f"({(rss[-1] - rss[0]) / len(half):.2f} KiB per interval); VmHWM {rows[-1][1]} KiB")
PY
