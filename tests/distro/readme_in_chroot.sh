#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# readme_in_chroot.sh - the README's test command on a fresh Debian release:
# a minimal chroot made by debootstrap, the project's source copied in, and
# there, as root, `scripts/setup.sh --tests=unit,integration`, `cmake -S . -B
# build && cmake --build build -j2`, the unit tests with the clang-format
# check (this release's clang-format) and the integration tests that load the
# probe into this machine's kernel and assert exact counts.
#
#   readme_in_chroot.sh --suite SUITE --source-dir DIR --build-dir DIR
#                       --unit NAME,... --integration NAME,...
#                       [--cache-dir DIR] [--keep]
#
#   --suite SUITE        the Debian release: bookworm or trixie
#   --source-dir DIR     the project's tree (its tracked files are copied)
#   --build-dir DIR      the host's CMake build tree (cache and logs go there)
#   --unit NAME,...      the tests `ctest -L 'unit|style'` must run and pass,
#                        every one (CTest names: unit.cli,...,style.clang_format)
#   --integration NAME,...  the integration tests to run with -R; every one
#                        must run and pass (integration.count_exact,...)
#   --cache-dir DIR      the chroot tarball and apt's downloaded packages
#                        (default: BUILD/distro-cache)
#   --keep               leave the chroot (unmounted) in BUILD/distro-run/SUITE/root
#
# The first run makes the chroot with `debootstrap --variant=minbase SUITE` and
# keeps it as a tarball; later runs unpack that (tests/lib/debian-chroot.sh,
# shared with packaging.deb).  The harness changes nothing in it but apt's
# sources, resolv.conf, a policy-rc.d that starts no services and dpkg's
# force-unsafe-io; apt's archives are a directory of the cache.  The source is
# `git ls-files` of a git checkout, else the tree without its build directories
# (any directory holding a CMakeCache.txt) and .git, copied to
# /root/bcc-execcount, owned by root.
#
# Everything runs in a private mount namespace (unshare), so no mount outlives
# the run, even killed; on every exit the processes left in the chroot are
# killed, everything is unmounted and the chroot removed.  Mounted there: the
# chroot bound on itself (so `/` is a mount point: the cache test's unshare
# needs one), a new procfs, /sys (read-only at the top; tracefs, cgroups as on
# the host) and /dev as recursive binds, devpts, bpffs on /sys/fs/bpf, a tmpfs
# on /tmp.  tracefs is mounted on the host first if it is not.
#
# Each phase (debootstrap, setup.sh, build, unit, integration) prints its
# seconds.  The ctest runs must show every named test passed, none skipped
# (EXECCOUNT_NO_SKIP=1 makes a would-be skip fail), none missing, none more.
#
# Logs: BUILD/distro-run/SUITE/*.log.
# Exit status: 0 pass; 1 a phase or check failed; 77 skipped (not root, not
# amd64, no debootstrap or unshare, the archive unreachable); 125 the harness
# failed.
set -euo pipefail

prog=distro
EX_SKIP=77
EX_FAIL=125

say() { printf '%s: %s\n' "$prog" "$*"; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit "$EX_FAIL"; }
skip() { printf '%s: skip: %s\n' "$prog" "$*"; exit "$EX_SKIP"; }
fail() { printf '%s: FAIL %s\n' "$prog" "$*"; exit 1; }
usage() { sed -n '10,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

args=("$@")
suite='' source_dir='' build_dir='' cache_dir='' unit_list='' integration_list='' keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--suite) suite=${2:?}; shift 2 ;;
	--source-dir) source_dir=${2:?}; shift 2 ;;
	--build-dir) build_dir=${2:?}; shift 2 ;;
	--cache-dir) cache_dir=${2:?}; shift 2 ;;
	--unit) unit_list=${2:?}; shift 2 ;;
	--integration) integration_list=${2:?}; shift 2 ;;
	--keep) keep=1; shift ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
done
[ -n "$suite" ] && [ -n "$source_dir" ] && [ -n "$build_dir" ] || usage
[ -n "$unit_list" ] && [ -n "$integration_list" ] || usage
prog=distro.$suite
source_dir=$(cd "$source_dir" && pwd -P)
build_dir=$(cd "$build_dir" && pwd -P)
cache_dir=${cache_dir:-$build_dir/distro-cache}
IFS=, read -r -a unit_tests <<<"$unit_list"
IFS=, read -r -a integration_tests <<<"$integration_list"

# the chroot machinery, shared with tests/packaging
# shellcheck source=../lib/debian-chroot.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/debian-chroot.sh"
chroot_init "$suite" "$build_dir/distro-run/$suite/root" "$build_dir/distro-run/$suite" "$cache_dir"
[ -f "$source_dir/scripts/setup.sh" ] && [ -f "$source_dir/CMakeLists.txt" ] ||
	die "$source_dir is not the project's tree (no scripts/setup.sh or CMakeLists.txt)"

# --- on the host: can it run here, then a private mount namespace ------------

if [ -z "${EXECCOUNT_DISTRO_NAMESPACE:-}" ]; then
	[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot and mount)"
	for t in debootstrap chroot mount umount tar unshare; do
		command -v "$t" >/dev/null || skip "$t is not installed (scripts/setup.sh --tests=distro installs debootstrap)"
	done
	[ "$(uname -m)" = x86_64 ] && [ "$(dpkg --print-architecture 2>/dev/null || echo amd64)" = amd64 ] ||
		skip "the chroot is made for amd64 only"
	chroot_require_archive
	unshare --mount --propagation private true 2>/dev/null ||
		skip "cannot make a private mount namespace (unshare --mount --propagation private)"
	# libbcc attaches tracepoints through tracefs: the chroot sees the host's
	if ! grep -qs ' /sys/kernel/tracing tracefs ' /proc/mounts; then
		say "mounting tracefs at /sys/kernel/tracing on the host"
		mount -t tracefs tracefs /sys/kernel/tracing || die "cannot mount tracefs at /sys/kernel/tracing"
	fi
	EXECCOUNT_DISTRO_NAMESPACE=1 exec unshare --mount --propagation private bash "${BASH_SOURCE[0]}" "${args[@]}"
fi

# --- in the namespace: everything below is undone on every exit -----------------

chroot_start "$keep"

times=() t_all=$SECONDS
phase_done() { # NAME T0
	times+=("$1 $(elapsed "$2")")
	say "phase $1: $(elapsed "$2")"
}
# run_phase NAME LOG COMMAND: a shell command in the project's copy in the chroot
run_phase() {
	local name=$1 log=$2 t0=$SECONDS
	say "phase $name: $3"
	if ! in_root EXECCOUNT_NO_SKIP=1 sh -c "cd /root/bcc-execcount && $3" >"$run/$log" 2>&1; then
		tail -n 40 "$run/$log"
		fail "phase $name failed after $(elapsed "$t0"): $3 (see $run/$log)"
	fi
	phase_done "$name" "$t0"
}

# --- 1. a fresh Debian ------------------------------------------------------------

t0=$SECONDS
chroot_unpack
phase_done debootstrap "$t0"
chroot_configure
# dpkg without fsync: the chroot is thrown away after the run
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/bcc-execcount-test-unsafe-io"

mounted() { mounts_under "$1" | grep -qxF "$1"; }
mount --bind "$root" "$root"
chroot_mount_apt_cache
chroot_mount_kernel_fs
mounted "$root/dev/pts" || mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$root/dev/pts"
mounted "$root/sys/fs/bpf" || mount -t bpf bpf "$root/sys/fs/bpf"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
[ -e "$root/sys/kernel/tracing/events" ] || die "tracefs is not visible in the chroot at /sys/kernel/tracing"

# --- 2. the source, as a clone has it ---------------------------------------------

dest=$root/root/bcc-execcount
mkdir -p "$dest"
if [ "$(git -C "$source_dir" rev-parse --show-toplevel 2>/dev/null)" = "$source_dir" ]; then
	# the tracked files as they are in the work tree (a deleted one is left out)
	git -C "$source_dir" ls-files -z | while IFS= read -r -d '' f; do
		if [ -e "$source_dir/$f" ] || [ -L "$source_dir/$f" ]; then printf '%s\0' "$f"; fi
	done | tar -C "$source_dir" --null -T - --owner=0 --group=0 -cf - | tar -C "$dest" -xf -
	how="git ls-files"
else
	tar -C "$source_dir" --exclude=./.git --exclude-tag-all=CMakeCache.txt --owner=0 --group=0 -cf - . |
		tar -C "$dest" -xf -
	how="the tree without build directories"
fi
say "copied the source ($how: $(find "$dest" -type f | wc -l) files) to /root/bcc-execcount"

# --- 3. the README's commands, then the tests -----------------------------------

run_phase setup.sh setup.log "scripts/setup.sh --tests=unit,integration"
say "$(in_root sh -c '. /etc/os-release; echo "$PRETTY_NAME"'); $(in_root dpkg-query -W -f '${Package} ${Version}\n' libbpfcc | head -n 1); kernel headers: $(in_root readlink /lib/modules/"$(uname -r)"/build || echo none linked)"
run_phase build build.log "cmake -S . -B build && cmake --build build -j2"

# check_ctest NAME LOG EXPECTED...: the ctest run in LOG ran exactly EXPECTED, all passed
check_ctest() {
	local name=$1 log=$run/$2 t ran n
	shift 2
	ran=$(sed -nE 's/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: ([^ ]+) .*/\1/p' "$log" | sort)
	[ "$ran" = "$(printf '%s\n' "$@" | sort)" ] ||
		fail "$name: ctest ran [${ran//$'\n'/ }], expected [$*] (see $log)"
	for t in "$@"; do
		grep -qE "Test +#[0-9]+: ${t//./\\.} \.+ +Passed " "$log" || fail "$name: $t did not pass (see $log)"
	done
	n=$#
	grep -qxF "100% tests passed, 0 tests failed out of $n" "$log" ||
		fail "$name: no '100% tests passed, 0 tests failed out of $n' (see $log)"
	! grep -qE 'The following tests did not run|Not Run|\*\*\*Skipped|SKIP part' "$log" ||
		fail "$name: a test or part of one did not run (see $log)"
	say "ok   $name: $n of $n tests passed, none skipped"
}

run_phase unit unit.log "ctest --test-dir build -L '^(unit|style)\$' --no-tests=error --output-on-failure"
check_ctest unit unit.log "${unit_tests[@]}"
regex="^($(printf '%s|' "${integration_tests[@]}" | sed 's/\./\\./g; s/|$//'))\$"
run_phase integration integration.log "ctest --test-dir build -R '$regex' --no-tests=error --output-on-failure"
check_ctest integration integration.log "${integration_tests[@]}"

say "times: ${times[*]/%/,} total $(elapsed "$t_all")"
say "the README's commands work on $suite; logs in $run"
