#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# deb_in_chroot.sh - the Debian package on a fresh Debian: build the .deb
# with cpack, install it with apt into a minimal chroot of the host's release
# (bookworm on Debian 12, trixie on 13, else bookworm) made by debootstrap (apt
# pulls every dependency from the archive), then run `bcc-execcount --version`
# and `bcc-execcount --doctor` there.
#
#   deb_in_chroot.sh --build-dir DIR [--cache-dir DIR] [--version X.Y.Z]
#                    [--keep]
#
#   --build-dir DIR   the CMake build tree (cpack runs there)
#   --cache-dir DIR   the chroot tarball and apt's downloaded packages
#                     (default: BUILD/packaging-cache)
#   --version X.Y.Z   the version the package must have (default: not checked)
#   --keep            leave the chroot (unmounted) in BUILD/packaging-run/root
#
# The first run makes the chroot with `debootstrap --variant=minbase SUITE`
# from the mirror this machine's apt uses (EXECCOUNT_DEBIAN_MIRROR overrides)
# and keeps it as a tarball; later runs unpack that.  The chroot is never
# changed before the package goes in but for apt's sources (SUITE,
# SUITE-updates, SUITE-security, as an install has them),
# resolv.conf and a policy-rc.d that starts no services.  The package is
# installed with --no-install-recommends: its Depends alone must be enough.
# /proc (a new procfs), /sys and /dev (recursive binds, slaves, so nothing
# propagates back) are mounted while it runs, and unmounted on every exit.
# That chroot machinery is tests/lib/debian-chroot.sh, shared with tests/distro.
#
# Checks: the .deb's fields (name, version, section, Depends on libbpfcc,
# libmicrohttpd12 and libnettle8 (libmicrohttpd12t64 and libnettle8t64 from
# Debian 13 on) and libc6) and files;
# in the chroot, the installed files (binary, gzipped man page, completion,
# probe), no missing library, the
# completion registers, --print-probe is the installed probe, --version prints
# three lines, and --doctor prints a line naming the kernel, its fourteen check
# lines in order with `kernel headers` failing (a fresh chroot has none) with
# a hint naming linux-headers, a last line counting the failures, and exits 1.
#
# Logs: BUILD/packaging-run/*.log.
# Exit status: 0 pass; 1 a check failed; 77 skipped (not root, no debootstrap,
# the archive unreachable); 125 the harness failed.
set -euo pipefail

prog=packaging.deb
EX_SKIP=77
EX_FAIL=125

say() { printf '%s: %s\n' "$prog" "$*"; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit "$EX_FAIL"; }
skip() { printf '%s: skip: %s\n' "$prog" "$*"; exit "$EX_SKIP"; }
usage() { sed -n '10,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

build_dir='' cache_dir='' want_version='' keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--build-dir) build_dir=${2:?}; shift 2 ;;
	--cache-dir) cache_dir=${2:?}; shift 2 ;;
	--version) want_version=${2:?}; shift 2 ;;
	--keep) keep=1; shift ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
done
[ -n "$build_dir" ] || usage
build_dir=$(cd "$build_dir" && pwd -P)
cache_dir=${cache_dir:-$build_dir/packaging-cache}

# the chroot machinery, shared with tests/distro
# shellcheck source=../lib/debian-chroot.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/debian-chroot.sh"
# a .deb built here asks for this release's library versions: the host's suite
suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || suite=''
chroot_version_of "$suite" >/dev/null || suite=bookworm
chroot_init "$suite" "$build_dir/packaging-run/root" "$build_dir/packaging-run" "$cache_dir"

[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot and mount)"
for t in debootstrap chroot mount umount tar dpkg-deb; do
	command -v "$t" >/dev/null || skip "$t is not installed (scripts/setup.sh --tests installs debootstrap)"
done
[ "$(uname -m)" = x86_64 ] || skip "the chroot is made for amd64 only"
[ -f "$build_dir/CPackConfig.cmake" ] || die "no CPackConfig.cmake in $build_dir (configure with cmake first)"
cpack=$(sed -n 's/^CMAKE_COMMAND:INTERNAL=//p' "$build_dir/CMakeCache.txt")
cpack=$(dirname "$cpack")/cpack
[ -x "$cpack" ] || cpack=$(command -v cpack) || die "cpack not found"

chroot_require_archive

chroot_start "$keep"

failures=0
check() { # DESCRIPTION COMMAND...: a check that must pass
	local what=$1
	shift
	if "$@"; then
		say "ok   $what"
	else
		say "FAIL $what"
		failures=$((failures + 1))
	fi
}

# --- 1. the package -------------------------------------------------------------

t0=$SECONDS
rm -rf "$run/pkg"
mkdir -p "$run/pkg"
(cd "$build_dir" && "$cpack" -G DEB -B "$run/pkg") >"$run/cpack.log" 2>&1 ||
	{ cat "$run/cpack.log"; die "cpack -G DEB failed"; }
debs=("$run"/pkg/bcc-execcount_*.deb)
if [ "${#debs[@]}" -ne 1 ] || [ ! -f "${debs[0]}" ]; then
	die "cpack made no single bcc-execcount_*.deb in $run/pkg"
fi
deb=${debs[0]}
say "built $(basename "$deb") in $(elapsed "$t0")"
field() { dpkg-deb -f "$deb" "$1"; }
say "Depends: $(field Depends)"
say "Recommends: $(field Recommends)"
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|')

check "package name is bcc-execcount" test "$(field Package)" = bcc-execcount
[ -z "$want_version" ] || check "package version is $want_version" test "$(field Version)" = "$want_version"
check "architecture is $(dpkg --print-architecture)" test "$(field Architecture)" = "$(dpkg --print-architecture)"
check "section is admin" test "$(field Section)" = admin
check "file name is bcc-execcount_<version>_<arch>.deb" \
	test "$(basename "$deb")" = "bcc-execcount_$(field Version)_$(field Architecture).deb"
mhd=libmicrohttpd12 nettle=libnettle8
# the 64-bit time_t rename
[ "$debian_version" -lt 13 ] || { mhd=libmicrohttpd12t64 nettle=libnettle8t64; }
for dep in libbpfcc "$mhd" "$nettle" libc6; do
	check "Depends names $dep" grep -qE "(^|, )$dep( |,|$)" <<<"$(field Depends)"
done
check "Recommends kernel headers" grep -q linux-headers <<<"$(field Recommends)"
check "a description of more than one line" test "$(field Description | wc -l)" -gt 3
files=(/usr/sbin/bcc-execcount /usr/share/man/man8/bcc-execcount.8.gz
	/usr/share/bash-completion/completions/bcc-execcount /usr/share/bcc-execcount/execcount.bpf.c)
for f in "${files[@]}"; do
	check "the .deb holds $f" grep -qxF "$f" <<<"$contents"
done

# --- 2. a fresh Debian ---------------------------------------------------------

chroot_unpack
chroot_configure
chroot_mount_apt_cache
chroot_mount_kernel_fs

# --- 3. apt installs it, with what it depends on ----------------------------------

t0=$SECONDS
cp "$deb" "$root/tmp/"
before=$(in_root dpkg-query -W -f '${Package}\n' | sort)
in_root apt-get update -q >"$run/apt-update.log" 2>&1 ||
	{ tail -n 20 "$run/apt-update.log"; die "apt-get update in the chroot failed"; }
if ! in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" >"$run/apt-install.log" 2>&1; then
	tail -n 30 "$run/apt-install.log"
	say "FAIL apt-get install ./$(basename "$deb") on a fresh Debian $debian_version (see $run/apt-install.log)"
	exit 1
fi
after=$(in_root dpkg-query -W -f '${Package}\n' | sort)
pulled=$(comm -13 <(echo "$before") <(echo "$after") | grep -vx bcc-execcount | tr '\n' ' ')
say "apt installed bcc-execcount and $(wc -w <<<"$pulled") dependencies in $(elapsed "$t0"): $pulled"

check "dpkg says installed" grep -q 'install ok installed' <<<"$(in_root dpkg-query -W -f '${Status}' bcc-execcount)"
listed=$(in_root dpkg -L bcc-execcount)
for f in "${files[@]}"; do
	check "$f installed" test -s "$root$f"
	check "dpkg -L lists $f" grep -qxF "$f" <<<"$listed"
done
check "the binary is executable" test -x "$root/usr/sbin/bcc-execcount"
check "the man page is gzip" in_root gzip -t /usr/share/man/man8/bcc-execcount.8.gz
missing=$(in_root ldd /usr/sbin/bcc-execcount | grep 'not found' || true)
check "no library missing (ldd)${missing:+: $missing}" test -z "$missing"
check "the completion registers" \
	in_root bash -c '. /usr/share/bash-completion/completions/bcc-execcount && complete -p bcc-execcount | grep -q _bcc_execcount'
in_root bcc-execcount --print-probe >"$run/print-probe.out" 2>"$run/print-probe.err" || true
check "--print-probe is the installed probe" cmp -s "$run/print-probe.out" "$root/usr/share/bcc-execcount/execcount.bpf.c"

# --- 4. --version and --doctor there ---------------------------------------------

set +e
in_root bcc-execcount --version >"$run/version.out" 2>"$run/version.err"
vrc=$?
in_root bcc-execcount --doctor >"$run/doctor.out" 2>"$run/doctor.err"
drc=$?
set -e
say "--version (exit $vrc):"
sed 's/^/    /' "$run/version.out" "$run/version.err"
say "--doctor (exit $drc):"
sed 's/^/    /' "$run/doctor.out" "$run/doctor.err"

mapfile -t v <"$run/version.out"
check "--version exits 0" test "$vrc" -eq 0
check "--version prints three lines" test "${#v[@]}" -eq 3
check "--version line 1 is 'bcc-execcount ${want_version:-X.Y.Z}'" \
	grep -qxE "bcc-execcount ${want_version:-[0-9]+\.[0-9]+\.[0-9]+}" <<<"${v[0]:-}"
check "--version line 2 is 'libbcc X.Y.Z'" grep -qxE 'libbcc [0-9]+\.[0-9]+(\.[0-9]+)?.*' <<<"${v[1]:-}"
check "--version line 3 is 'LLVM N ...'" grep -qxE 'LLVM [0-9]+.*' <<<"${v[2]:-}"

want_checks=(kernel privileges lockdown "kernel headers" tracefs kprobes "syscall tracepoints"
	sched_process_exec hooks BTF libbcc LLVM cgroup2 cache)
mapfile -t d <"$run/doctor.out"
# a first line naming the kernel, a line per check, the verdict last
got_checks=() nfail=0 bad_lines=0
for i in "${!d[@]}"; do
	line=${d[i]}
	if [[ $line =~ ^(ok\ \ |warn|fail)\ ([^:]+):\ . ]]; then
		got_checks+=("${BASH_REMATCH[2]}")
		[ "${BASH_REMATCH[1]}" = fail ] && nfail=$((nfail + 1))
	elif [ "$i" -eq 0 ] && [[ $line =~ ^bcc-execcount\ on\ Linux\ [^\ ]+\ \([^\ ]+\)$ ]]; then
		:
	elif [ "$i" -eq $((${#d[@]} - 1)) ] && [[ $line == "bcc-execcount can"* ]]; then
		:
	else
		bad_lines=$((bad_lines + 1))
	fi
done
check "--doctor exits 1 (no kernel headers in the chroot)" test "$drc" -eq 1
check "--doctor's checks are: ${want_checks[*]}" test "${got_checks[*]}" = "${want_checks[*]}"
check "--doctor prints the kernel, '<status> <check>: <detail>' lines, the verdict" test "$bad_lines" -eq 0
headers_line=$(grep -E '^.{5}kernel headers: ' "$run/doctor.out" || true)
check "--doctor: 'fail kernel headers: ...'" grep -q '^fail kernel headers: ' <<<"$headers_line"
check "--doctor's kernel headers hint names linux-headers" grep -q -- '-- .*linux-headers' <<<"$headers_line"
check "--doctor's last line: 'bcc-execcount cannot run here: $nfail problem(s) above'" \
	grep -qxE "bcc-execcount cannot run here: $nfail problem(\(s\)|s?) above" <<<"${d[${#d[@]} - 1]:-}"

if [ "$failures" -gt 0 ]; then
	say "$failures check(s) failed; logs in $run"
	exit 1
fi
say "all checks passed"
