#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-fuzz.sh - build the libFuzzer targets with clang and fuzz one of them for
# a short time (what the CTest tests fuzz.<target> run).
#
#   run-fuzz.sh --source-dir DIR --build-dir DIR [--cc CLANG] [--time SECONDS]
#               [--runs N] TARGET [-- LIBFUZZER_OPTION...]
#   run-fuzz.sh --source-dir DIR --build-dir DIR [--cc CLANG] --build-only
#
#   --source-dir DIR  the project's source tree (tests/fuzz is built from it)
#   --build-dir DIR   where the fuzzers are built (configured once, then rebuilt
#                     as the sources change); also holds artifacts/
#   --cc CLANG        the compiler (default clang): it must link -fsanitize=fuzzer
#   --time SECONDS    how long to fuzz (default 20); --runs N bounds the inputs
#                     tried too (default 5000000)
#   TARGET            cli, output, metrics, keys or typedesc
#
# The seed corpus tests/fuzz/corpus/TARGET is read, never written: new inputs go
# to a temporary directory under the build dir, removed afterwards.  A crash, a
# leak, a sanitizer report, a timeout or a violated invariant (abort()) keeps the
# input in BUILD/artifacts/TARGET-<kind>-<sha1>; the path is printed with the
# command that reproduces it.
#
# Exit status: 0 nothing found; 1 something found, or the build failed;
# 77 clang or libFuzzer's runtime is missing (the reason is printed); 2 usage.
set -euo pipefail

prog=run-fuzz
say() { printf '%s: %s\n' "$prog" "$*" >&2; }
skip() { printf '%s: skip: %s\n' "$prog" "$*" >&2; exit 77; }
fail() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
usage() { sed -n '7,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

source_dir='' build_dir='' cc=clang time=20 runs=5000000 target='' build_only=0
while [ $# -gt 0 ]; do
	case "$1" in
	--source-dir) source_dir=${2:?}; shift 2 ;;
	--build-dir) build_dir=${2:?}; shift 2 ;;
	--cc) cc=${2:?}; shift 2 ;;
	--time) time=${2:?}; shift 2 ;;
	--runs) runs=${2:?}; shift 2 ;;
	--build-only) build_only=1; shift ;;
	--) shift; break ;;
	-*) usage ;;
	*) [ -z "$target" ] || usage; target=$1; shift ;;
	esac
done
[ -n "$source_dir" ] && [ -n "$build_dir" ] || usage
[ "$build_only" -eq 1 ] || case "$target" in
	cli|output|metrics|keys|typedesc) ;;
	*) usage ;;
esac
source_dir=$(cd "$source_dir" && pwd)

# --- clang and libFuzzer ----------------------------------------------------------

cc_path=$(command -v "$cc" 2>/dev/null) ||
	skip "$cc not found: the fuzzers need clang and libFuzzer's runtime (Debian: apt-get install clang libclang-rt-dev; scripts/setup.sh --tests installs them)"
mkdir -p "$build_dir"
build_dir=$(cd "$build_dir" && pwd)
probe_dir=$(mktemp -d "$build_dir/probe.XXXXXX")
trap 'rm -rf "$probe_dir"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
	>"$probe_dir/probe.c"
if ! "$cc_path" -fsanitize=fuzzer,address,undefined "$probe_dir/probe.c" -o "$probe_dir/probe" \
	2>"$probe_dir/log"; then
	skip "$cc_path cannot link -fsanitize=fuzzer,address,undefined, so libFuzzer's runtime is missing (Debian: apt-get install libclang-rt-dev): $(grep -m1 -i error "$probe_dir/log" || head -n1 "$probe_dir/log")"
fi
rm -rf "$probe_dir"
trap - EXIT

# --- build (one at a time: the fuzz.* tests may run in parallel) -----------------

exec 9>"$build_dir/.lock"
flock 9
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
	say "configuring the fuzzers with $cc_path in $build_dir"
	if ! cmake -S "$source_dir/tests/fuzz" -B "$build_dir" -DCMAKE_C_COMPILER="$cc_path" \
		>"$build_dir/configure.log" 2>&1; then
		tail -n 30 "$build_dir/configure.log" >&2
		rm -f "$build_dir/CMakeCache.txt"
		fail "configuring the fuzzers failed (the whole log: $build_dir/configure.log)"
	fi
fi
if ! cmake --build "$build_dir" -j2 >"$build_dir/build.log" 2>&1; then
	tail -n 40 "$build_dir/build.log" >&2
	fail "building the fuzzers failed (the whole log: $build_dir/build.log)"
fi
flock -u 9
[ "$build_only" -eq 0 ] || { say "built in $build_dir"; exit 0; }

# --- fuzz --------------------------------------------------------------------------

fuzzer=$build_dir/fuzz_$target
seeds=$source_dir/tests/fuzz/corpus/$target
artifacts=$build_dir/artifacts
[ -x "$fuzzer" ] || fail "$fuzzer was not built"
[ -d "$seeds" ] || fail "no seed corpus $seeds"
mkdir -p "$artifacts"
work=$(mktemp -d "$build_dir/corpus-$target.XXXXXX")
trap 'rm -rf "$work"' EXIT
case "$target" in
	cli) max_len=1024 ;;
	*) max_len=8192 ;;
esac

# Leaks and undefined behaviour are errors, with their stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1

before=$(ls "$artifacts" | sort)
say "fuzzing $target for ${time} s (at most $runs inputs), seeds from $seeds"
start=$(date +%s)
set +e
# -error_exitcode: libFuzzer's default, 77, is CTest's skip code
"$fuzzer" -max_total_time="$time" -runs="$runs" -timeout=25 -rss_limit_mb=4096 \
	-max_len="$max_len" -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
	-artifact_prefix="$artifacts/$target-" "$@" "$work" "$seeds"
rc=$?
set -e
took=$(($(date +%s) - start))
found=$(comm -13 <(printf '%s\n' "$before") <(ls "$artifacts" | sort) | sed "s|^|$artifacts/|")
if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
	say "fuzz_$target found a problem (exit $rc) after ${took} s"
	for f in $found; do
		say "input kept in $f; reproduce with: $fuzzer $f"
	done
	[ -n "$found" ] || say "no input was kept (see libFuzzer's output above)"
	exit 1
fi
say "fuzz_$target: nothing found in ${took} s; $(ls "$work" | wc -l) new inputs beside $(ls "$seeds" | wc -l) seeds"
