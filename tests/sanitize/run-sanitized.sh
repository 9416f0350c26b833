#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-sanitized.sh - build the project with AddressSanitizer and
# UndefinedBehaviorSanitizer (-DEXECCOUNT_SANITIZE=ON) and run its unit and
# integration tests there (what the CTest test sanitize.suite runs).
#
#   run-sanitized.sh --source-dir DIR --build-dir DIR [--ctest CTEST] [--build-only]
#                    [-- CTEST_ARGS...]
#
#   --source-dir DIR  the project's source tree
#   --build-dir DIR   the sanitizer build (configured once, rebuilt as sources change)
#   --ctest CTEST     the ctest to run (default: ctest from PATH)
#   --build-only      configure and build, run no test (CTest's sanitize.build)
#   CTEST_ARGS        instead of the default selection, -L 'unit|integration'
#                     -LE 'sanitize|vm-guest|docs' (kernel_matrix repeats, for the VMs, what
#                     count_exact, cleanup, execveat and atomic_update check here;
#                     training_doc, label docs, runs the guide's commands, each a path
#                     another test covers)
#
# In the tests' environment: every leak is an error (LeakSanitizer, also in the
# tool started by the python tests, with one suppression, lsan.supp: libbcc's USDT
# parser table, filled twice when the tool loads libbcc.so.0 beside libbcc_bpf to
# compile; libbcc and its LLVM leak nothing else LSan sees), UBSan stops at
# the first report with its stack, ASan reports carry stacks.  A sanitizer
# report makes the process exit non-zero, which fails the test that ran it.
# LeakSanitizer cannot run in a process traced by another (it stops its threads
# with ptrace, and dies when it cannot): `strace` on the tests' PATH is a wrapper
# (BUILD/sanitize-bin/strace) that turns the leak check off in what strace runs,
# and only there; ASan and UBSan stay on.  The tests need not know.
#
# Exit status: the inner ctest's (0 when every test passed or skipped), or 1
# when configuring or building failed; 2 usage.
set -euo pipefail

prog=run-sanitized
say() { printf '%s: %s\n' "$prog" "$*" >&2; }
fail() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
usage() { sed -n '8,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

source_dir='' build_dir='' ctest=ctest build_only=0
while [ $# -gt 0 ]; do
	case "$1" in
	--source-dir) source_dir=${2:?}; shift 2 ;;
	--build-dir) build_dir=${2:?}; shift 2 ;;
	--ctest) ctest=${2:?}; shift 2 ;;
	--build-only) build_only=1; shift ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ -n "$source_dir" ] && [ -n "$build_dir" ] || usage
source_dir=$(cd "$source_dir" && pwd)
mkdir -p "$build_dir"
build_dir=$(cd "$build_dir" && pwd)

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
	say "configuring the ASan+UBSan build in $build_dir"
	if ! cmake -S "$source_dir" -B "$build_dir" -DEXECCOUNT_SANITIZE=ON \
		>"$build_dir/configure.log" 2>&1; then
		tail -n 30 "$build_dir/configure.log" >&2
		rm -f "$build_dir/CMakeCache.txt"
		fail "configuring failed (the whole log: $build_dir/configure.log)"
	fi
fi
grep -q '^EXECCOUNT_SANITIZE:BOOL=ON$' "$build_dir/CMakeCache.txt" ||
	fail "$build_dir is not a -DEXECCOUNT_SANITIZE=ON build"
say "building in $build_dir"
start=$(date +%s)
if ! cmake --build "$build_dir" -j2 >"$build_dir/build.log" 2>&1; then
	tail -n 40 "$build_dir/build.log" >&2
	fail "building failed (the whole log: $build_dir/build.log)"
fi
say "built in $(($(date +%s) - start)) s"

# Leaks are errors everywhere (the default on x86_64 Linux, said so all the same).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1
export LSAN_OPTIONS=${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$source_dir/tests/sanitize/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1
if real_strace=$(command -v strace); then
	mkdir -p "$build_dir/sanitize-bin"
	cat >"$build_dir/sanitize-bin/strace" <<-WRAPPER
		#!/bin/sh
		# written by run-sanitized.sh: LeakSanitizer dies under ptrace; no leak check under strace
		exec "$real_strace" -E "ASAN_OPTIONS=\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0" "\$@"
	WRAPPER
	chmod +x "$build_dir/sanitize-bin/strace"
	export PATH=$build_dir/sanitize-bin:$PATH
fi
[ "$build_only" -eq 0 ] || exit 0
[ $# -gt 0 ] || set -- -L 'unit|integration' -LE 'sanitize|vm-guest|docs'
say "ASAN_OPTIONS=$ASAN_OPTIONS"
say "LSAN_OPTIONS=$LSAN_OPTIONS"
say "UBSAN_OPTIONS=$UBSAN_OPTIONS"
say "running: $ctest --test-dir $build_dir $* --no-tests=error --output-on-failure"
set +e
"$ctest" --test-dir "$build_dir" "$@" --no-tests=error --output-on-failure
rc=$?
set -e
say "ctest exit $rc after $(($(date +%s) - start)) s in all"
exit "$rc"
