#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# setup.sh - prepare a Debian 12 or 13 / Ubuntu machine (as root) to build and
# run bcc-execcount: packages from the distribution, kernel headers for libbcc,
# tracefs.  Safe to run again: it only adds what is missing.
#
#   scripts/setup.sh                   what building and running the tool needs
#   scripts/setup.sh --tests           that, plus what the whole test suite needs
#   scripts/setup.sh --tests=GROUP,... that, plus what these test groups need:
#       unit         the cmocka unit tests and the clang-format check (style)
#       integration  the root tests against the real kernel (python3, bpftool,
#                    setpriv, strace, the Python original for training_doc)
#       fleet        the output tests: Prometheus, node_exporter, tmux
#       vm           the kprobe VM tests (qemu, busybox, the initramfs tools)
#       packaging    packaging.deb (cpack's .deb, a debootstrap chroot)
#       distro       the distribution matrix (distro.*: debootstrap chroots)
#       fuzz         the libFuzzer targets (clang and libFuzzer's runtime)
#
# Every action is announced on stderr.  Exit status: 0 ready; 1 an error (a
# bad argument or an unknown group among them, not root, a package missing).
set -euo pipefail

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

test_groups=(unit integration fleet vm packaging distro fuzz)

# group_packages GROUP: the packages a test group needs, one word each
group_packages() {
	case $1 in
	# unit tests (cmocka) and style.clang_format (clang-format: 14 on Debian 12,
	# 19 on 13; tests/style/check-format.sh)
	unit) echo libcmocka-dev clang-format ;;
	# integration tests: python3 drives the tool, bpftool lists what is loaded,
	# setpriv (util-linux) drops privileges, strace sees how the table is read;
	# training_doc runs the original Python bcc script beside the tool
	integration) echo python3 bpftool util-linux strace python3-bpfcc ;;
	# output tests: a real Prometheus scrapes --listen and node_exporter serves
	# --textfile (each test starts its own on free loopback ports; a packaged
	# service on 9090/9100 is left alone), and the live view is driven in tmux
	# (they are integration tests: the integration group's packages too)
	fleet) echo prometheus prometheus-node-exporter tmux "$(group_packages integration)" ;;
	# the kprobe VM tests boot a stock Debian kernel under qemu; they download
	# that kernel and its headers themselves; the guest runs an integration test
	# with the host's /usr (python3, bpftool: the integration group's packages)
	vm) echo qemu-system-x86 busybox-static cpio kmod zstd xz-utils "$(group_packages integration)" ;;
	# packaging.deb: cpack's .deb (dpkg-shlibdeps computes its Depends, and
	# CPackDeb needs the file utility) installed into a fresh chroot of this
	# machine's Debian release made by debootstrap
	packaging) echo debootstrap dpkg-dev file ;;
	# distro.*: the README's commands in fresh debootstrap chroots
	distro) echo debootstrap ;;
	# fuzz.*: libFuzzer targets built with clang, whose package does not pull in
	# libFuzzer's runtime (libclang-rt-dev: the default clang's libclang-rt-NN-dev)
	fuzz) echo clang libclang-rt-dev ;;
	*) return 1 ;;
	esac
}

groups=()
case "${1:-}" in
"") ;;
--tests) groups=("${test_groups[@]}") ;;
--tests=*)
	IFS=, read -r -a groups <<<"${1#--tests=}"
	[ "${#groups[@]}" -gt 0 ] || die "--tests= names no group (groups: ${test_groups[*]})"
	for g in "${groups[@]}"; do
		group_packages "$g" >/dev/null ||
			die "unknown test group '$g' in '$1' (groups: ${test_groups[*]})"
	done
	;;
-h | --help) sed -n '4,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) die "unknown argument '$1' (use --tests, --tests=GROUP,... or nothing)" ;;
esac
[ $# -le 1 ] || die "one argument at the most (use --tests=GROUP,GROUP for several groups)"

[ "$(id -u)" -eq 0 ] || die "run as root: it installs packages and links kernel headers"
command -v apt-get >/dev/null || die "apt-get not found: this script knows Debian and Ubuntu only"

release=$(uname -r)
arch=$(dpkg --print-architecture)

# Build and run: compiler, CMake, libbcc's C API (it pulls in clang/LLVM), libmicrohttpd (--listen),
# nettle (SHA-256 for the compiled-program cache; GnuTLS, under libmicrohttpd, already uses it).
core=(gcc make cmake pkg-config libbpfcc-dev libbpfcc libmicrohttpd-dev nettle-dev)
packages=("${core[@]}")
for g in "${groups[@]}"; do
	for p in $(group_packages "$g"); do
		[[ " ${packages[*]} " == *" $p "* ]] || packages+=("$p")
	done
done

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

apt_updated=0
apt_update() {
	[ "$apt_updated" -eq 1 ] && return
	say "apt-get update"
	apt-get update -q >&2
	apt_updated=1
}

# A package the archive does not have under this name: its alternative (Ubuntu
# ships bpftool in linux-tools), or a warning for what only some tests need.
available() { apt-cache show "$1" >/dev/null 2>&1; }
if [ "${#missing[@]}" -gt 0 ]; then
	apt_update
	install=()
	for p in "${missing[@]}"; do
		if available "$p"; then
			install+=("$p")
		elif [ "$p" = bpftool ] && available "linux-tools-$release"; then
			install+=(linux-tools-common "linux-tools-$release")
		elif [[ " ${core[*]} " != *" $p "* ]]; then
			say "warning: package $p is not in this distribution's archive; the tests that need it will skip and say so"
		else
			die "package $p is not in this distribution's archive (apt-get update done): bcc-execcount needs it"
		fi
	done
	if [ "${#install[@]}" -gt 0 ]; then
		say "installing ${install[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"${install[@]}" >&2
	fi
fi

# Kernel headers: libbcc compiles the probe against /lib/modules/<release>/build.
headers_ok() {
	local dir=/lib/modules/$release
	local src=$dir/build
	[ -d "$dir/source" ] && [ -d "$dir/build" ] && src=$dir/source
	[ -f "$src/include/linux/kconfig.h" ] && [ -f "$dir/build/include/generated/autoconf.h" ]
}

if headers_ok; then
	say "kernel headers for $release: present"
elif [ -n "${BCC_KERNEL_SOURCE:-}" ]; then
	say "kernel headers: BCC_KERNEL_SOURCE=$BCC_KERNEL_SOURCE is set, leaving /lib/modules alone"
else
	apt_update
	if apt-cache show "linux-headers-$release" >/dev/null 2>&1; then
		say "installing linux-headers-$release"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "linux-headers-$release" >&2
	else
		# No package for this kernel (a custom or cloud kernel): use the
		# distribution's own headers.  Good enough for a probe that reads no
		# kernel structures, as bcc-execcount's built-in one.
		meta=linux-headers-$arch
		apt-cache show "$meta" >/dev/null 2>&1 || meta=linux-headers-generic
		say "no linux-headers-$release package for the running kernel; installing $meta"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$meta" >&2
		# the newest full headers tree (Debian: -<flavour> for generated files,
		# -common for the rest; Ubuntu: one tree)
		newest() { ls -d "$@" 2>/dev/null | sed 's|/include/generated$||' | sort -V | tail -n 1; }
		# the plain flavour of this architecture (not -cloud-, -rt-), else any
		build=$(newest /usr/src/linux-headers-*[0-9]-"$arch"/include/generated)
		[ -n "$build" ] || build=$(newest /usr/src/linux-headers-*/include/generated)
		[ -n "$build" ] || die "installed $meta but found no headers tree under /usr/src"
		common=${build%-*}-common
		[ -f "$common/include/linux/kconfig.h" ] || common=$build
		[ -f "$common/include/linux/kconfig.h" ] || die "no include/linux/kconfig.h in $build or $common"
		mkdir -p "/lib/modules/$release"
		ln -sfn "$build" "/lib/modules/$release/build"
		ln -sfn "$common" "/lib/modules/$release/source"
		say "kernel $release has no packaged headers: linked /lib/modules/$release/build -> $build and source -> $common (the nearest the distribution has; enough for probes that read no kernel structs)"
	fi
	headers_ok || die "kernel headers for $release are still incomplete under /lib/modules/$release"
fi

# tracefs: libbcc attaches tracepoints through it (bcc-execcount mounts it too).
if ! grep -qs ' /sys/kernel/tracing tracefs ' /proc/mounts && [ ! -e /sys/kernel/debug/tracing/events ]; then
	say "mounting tracefs at /sys/kernel/tracing"
	mount -t tracefs tracefs /sys/kernel/tracing ||
		say "could not mount tracefs (the tool will say so if it needs it)"
fi

say "ready"
