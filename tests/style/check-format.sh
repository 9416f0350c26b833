#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-format.sh - fail when a C file of the tree is not as clang-format lays
# it out with the tree's .clang-format: `clang-format --dry-run --Werror` on
# every tracked .c and .h (git ls-files in a git checkout, else the .c and .h
# files under src, probes, tests and bench), naming the files and the command
# that fixes them.
#
#   check-format.sh [--source-dir DIR] [--clang-format PROGRAM]
#
# clang-format's layout changes between major versions.  The tree is checked
# with the versions Debian ships, where this project's CI runs:
#   Debian 12 (bookworm): clang-format 14.0.6 (the tree is formatted with it)
#   Debian 13 (trixie):   clang-format 19.1.7
# Both agree on the whole tree with this .clang-format: distro.trixie runs
# this check with 19 in its Debian 13 chroot on every run of the test
# command.  The one construct they lay out differently, a braced initializer
# as a macro's body (14: a block over four lines, 19: one line), is kept out
# of their reach with `// clang-format off` (tests/unit/test_cache.c,
# src/contract.c); no .clang-format setting made them agree on it.  Another major version
# skips, as it may lay out the same code otherwise; EXECCOUNT_CLANG_FORMAT_ANY=1
# checks with it anyway.
#
# Exit status: 0 all formatted; 1 files to reformat (or an error); 77 skipped
# (no clang-format, or a major version the tree was not checked with).
set -euo pipefail

verified_majors="14 19"

say() { printf 'check-format: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
skip() { say "skip: $*"; exit 77; }

src=$(cd "$(dirname "$0")/../.." && pwd)
clang_format=clang-format
while [ $# -gt 0 ]; do
	case $1 in
	--source-dir) src=${2:?--source-dir needs a directory}; shift 2 ;;
	--clang-format) clang_format=${2:?--clang-format needs a program}; shift 2 ;;
	*) die "unknown argument '$1'" ;;
	esac
done
cd "$src" || die "cannot enter the source directory $src"
[ -f .clang-format ] || die "no .clang-format in $src"

command -v "$clang_format" >/dev/null ||
	skip "$clang_format not found (scripts/setup.sh --tests=unit installs clang-format)"
version=$("$clang_format" --version)
major=$(sed -n 's/.*clang-format version \([0-9]\{1,\}\)\..*/\1/p' <<<"$version" | head -n 1)
[ -n "$major" ] || die "cannot tell the version of $clang_format from '$version'"
if [[ " $verified_majors " != *" $major "* ]] && [ "${EXECCOUNT_CLANG_FORMAT_ANY:-0}" != 1 ]; then
	skip "$clang_format is version $major; the tree's layout is checked with clang-format ${verified_majors// / and } only, and other versions may lay out the same code otherwise (EXECCOUNT_CLANG_FORMAT_ANY=1 checks anyway)"
fi

files=()
# git's list only when the source directory is a checkout's top (not a copy
# unpacked somewhere inside another repository)
top=$(git rev-parse --show-toplevel 2>/dev/null || true)
if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(pwd -P)" ]; then
	while IFS= read -r -d '' f; do
		[ -f "$f" ] && files+=("$f") # a file deleted but not yet staged is not checked
	done < <(git ls-files -z -- '*.c' '*.h')
	from="git ls-files"
else
	while IFS= read -r -d '' f; do
		files+=("${f#./}")
	done < <(find src probes tests bench \( -name '*.c' -o -name '*.h' \) -type f -print0 2>/dev/null | sort -z)
	from="src probes tests bench (not a git checkout)"
fi
[ "${#files[@]}" -gt 0 ] || die "no .c or .h files found ($from)"

# One run over all files (it goes on past the first that differs); each
# difference is reported as FILE:LINE:COL: error: ...
rc=0
out=$("$clang_format" --dry-run --Werror "${files[@]}" 2>&1) || rc=$?
# the files named, each once, in the order reported
mapfile -t bad < <(sed -n 's/^\(.*\):[0-9]\{1,\}:[0-9]\{1,\}: error: .*/\1/p' <<<"$out" | awk '!seen[$0]++')
if [ "$rc" -ne 0 ] && [ "${#bad[@]}" -eq 0 ]; then
	printf '%s\n' "$out" | head -n 20 >&2
	die "$clang_format failed (exit $rc) without naming a file"
fi
# the first differences, as clang-format reports them
[ "${#bad[@]}" -eq 0 ] || head -n 30 <<<"$out" >&2

if [ "${#bad[@]}" -gt 0 ]; then
	say "FAIL ${#bad[@]} of ${#files[@]} files are not formatted (clang-format $major, .clang-format):"
	printf '  %s\n' "${bad[@]}" >&2
	say "fix them (in $src): $clang_format -i ${bad[*]}"
	say "or, for the lines of your uncommitted changes only: git clang-format"
	exit 1
fi
say "${#files[@]} files formatted as clang-format $major lays them out (files from $from)"
