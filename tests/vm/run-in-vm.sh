#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-in-vm.sh - run a command as root inside one of Debian's stock kernels
# (which have kprobes) booted under qemu, with the host's /usr and /etc and the
# project's source and build directories shared at the same paths as on the host.
#
#   run-in-vm.sh --source-dir DIR --build-dir DIR [--suite SUITE]
#                [--expect-version X.Y] [--cache-dir DIR] [--timeout SECONDS]
#                [--env NAME=VALUE]... [--accel tcg|kvm] [--quiet]
#                -- COMMAND [ARGS...]
#
#   --source-dir DIR     shared read-only at the same path
#   --build-dir DIR      shared read-write at the same path; COMMAND runs there
#   --suite SUITE        the Debian release whose kernel boots: bullseye (5.10),
#                        bookworm (6.1), trixie (6.12)... (default: this host's)
#   --expect-version X.Y fail unless that kernel is Linux X.Y.*
#   --cache-dir DIR      keeps the kernel packages (default: BUILD/vm-cache)
#   --timeout SECONDS    hard limit for the whole boot and run (default 240)
#   --env NAME=VALUE     set in COMMAND's environment (repeatable)
#   --accel ACCEL        qemu accelerator (default tcg: stock kernels need no kvm)
#   --quiet              do not copy the guest console to stdout as it runs
#
# The guest kernel is linux-image-<abi>, the one the suite's linux-image-amd64
# depends on; its headers (linux-headers-<abi> and its -common package) are what
# libbcc compiles against in the guest, at /lib/modules/<abi>/{build,source}.
# All three are fetched with `apt-get download` from the mirror this host's apt
# uses (EXECCOUNT_DEBIAN_MIRROR overrides), through a private apt configuration,
# never installed, and kept in CACHE/SUITE/: a later run needs no network.
# Nothing of the guest kernel comes from the host, so any host (Debian 12 or 13)
# boots every suite's kernel; the host gives qemu, busybox and the shared /usr.
#
# Inside: proc, sysfs, devtmpfs, devpts, tracefs (/sys/kernel/tracing), debugfs,
# bpffs, cgroup2, tmpfs on /tmp, /run, /dev/shm; /bin, /sbin, /lib64 are links
# into /usr as on the host, /lib a directory of links into /usr/lib plus
# modules/<abi> for the headers.  If BUILD is a CTest tree, BUILD/Testing in the
# guest is BUILD/vm-run/SUITE/Testing on the host, so a ctest in the guest does
# not overwrite the logs of a ctest on the host that runs this script.
# COMMAND runs with stdin from /dev/null and a clean environment: PATH, HOME,
# LANG, TERM, EXECCOUNT_IN_VM=1 and the --env variables.
#
# Files: BUILD/vm-run/SUITE/console.log (the serial console), .../status (the
# command's exit status, written by the guest), init and run.sh (what the guest ran).
#
# Exit status: COMMAND's (77 when it skipped); 77 when the VM cannot run on this
# machine (no qemu, qemu cannot start, not amd64, host packages missing, the
# suite's kernel cannot be downloaded); 124 on timeout; 125 when the harness or
# the guest failed before COMMAND ended.
set -euo pipefail

prog=run-in-vm
EX_SKIP=77
EX_TIMEOUT=124
EX_FAIL=125

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit "$EX_FAIL"; }
skip() { printf '%s: skip: %s\n' "$prog" "$*" >&2; exit "$EX_SKIP"; }
usage() { sed -n '8,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit "${1:-2}"; }

# The modules that make 9p over virtio work in Debian's kernel, in load order
# (dependencies found with modinfo are loaded first in any case).
# The drivers the guest needs for its 9p shares: the virtio PCI transport, 9p's
# virtio transport and the 9p file system.  What each depends on (virtio_ring,
# 9pnet, netfs, fscache where it is a module of its own, ...) is read from the
# kernel package itself, so the list holds for 5.10 as for 6.12.
vm_modules=(virtio_pci 9pnet_virtio 9p)
guest_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- arguments -----------------------------------------------------------------

source_dir='' build_dir='' cache_dir='' timeout=240 accel=tcg quiet=0 suite='' expect_version=''
guest_env=()
while [ $# -gt 0 ]; do
	case "$1" in
	--source-dir) [ $# -ge 2 ] || usage; source_dir=$2; shift 2 ;;
	--build-dir) [ $# -ge 2 ] || usage; build_dir=$2; shift 2 ;;
	--cache-dir) [ $# -ge 2 ] || usage; cache_dir=$2; shift 2 ;;
	--suite) [ $# -ge 2 ] || usage; suite=$2; shift 2 ;;
	--expect-version) [ $# -ge 2 ] || usage; expect_version=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--env) [ $# -ge 2 ] || usage; guest_env+=("$2"); shift 2 ;;
	--accel) [ $# -ge 2 ] || usage; accel=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	*) say "unknown argument '$1'"; usage ;;
	esac
done
[ $# -gt 0 ] || { say "no command given after --"; usage; }
[ -n "$source_dir" ] || { say "--source-dir is required"; usage; }
[ -n "$build_dir" ] || { say "--build-dir is required"; usage; }
[[ "$timeout" =~ ^[1-9][0-9]*$ ]] || die "--timeout '$timeout': want a whole number of seconds"
[[ "$accel" =~ ^[a-z]+$ ]] || die "--accel '$accel': want an accelerator name such as tcg"
if [ -z "$suite" ]; then
	suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	[ -n "$suite" ] || die "no --suite given and no VERSION_CODENAME in /etc/os-release"
fi
[[ "$suite" =~ ^[a-z]+$ ]] || die "--suite '$suite': want a Debian release name such as bookworm"
[ -z "$expect_version" ] || [[ "$expect_version" =~ ^[0-9]+\.[0-9]+$ ]] ||
	die "--expect-version '$expect_version': want a kernel version such as 6.1"
for kv in "${guest_env[@]}"; do
	[[ "$kv" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env '$kv': want NAME=VALUE"
done

# Absolute paths, as spelt on the host (CMake keeps them that way).
[ -d "$source_dir" ] || die "source directory '$source_dir' does not exist"
[ -d "$build_dir" ] || die "build directory '$build_dir' does not exist"
source_dir=$(cd "$source_dir" && pwd)
build_dir=$(cd "$build_dir" && pwd)
if [ "$source_dir" = / ] || [ "$build_dir" = / ]; then
	die "/ cannot be shared as the source or build directory"
fi
for p in "$source_dir" "$build_dir"; do
	[[ "$p" != *[$'|\n']* ]] || die "cannot share '$p': a '|' or a newline in the path"
done
cache_dir=${cache_dir:-$build_dir/vm-cache}
mkdir -p "$cache_dir" || die "cannot create cache directory '$cache_dir'"
cache_dir=$(cd "$cache_dir" && pwd)

# --- can a VM run here at all? -------------------------------------------------

[ -z "${EXECCOUNT_IN_VM:-}" ] ||
	skip "already inside the test VM (EXECCOUNT_IN_VM is set): not nesting a TCG guest"
[ "$(uname -m)" = x86_64 ] || skip "the guest is Debian's amd64 kernel; this host is $(uname -m)"
command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)"

missing=()
for tool in cpio:cpio dpkg-deb:dpkg apt-get:apt modinfo:kmod \
	dpkg-query:dpkg flock:util-linux timeout:coreutils; do
	command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
# a static busybox runs /init before the shared /usr (and its libc) is mounted
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' ||
	missing+=(busybox-static)
[ ${#missing[@]} -eq 0 ] ||
	skip "missing tools for the VM; install the Debian packages: ${missing[*]} (scripts/setup.sh --tests)"

# The Debian archive: the mirror this machine's apt uses (tests/lib/debian-chroot.sh);
# the archive keyring (debian-archive-keyring) holds the keys of the releases around this one.
# shellcheck source=../lib/debian-chroot.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/debian-chroot.sh"
debian_mirror
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# The guest mounts the host's /usr only; the rest of the root must be links into it
# (/lib becomes a directory of links, to add modules/<abi> for the guest's headers).
usr_links=()
for d in bin sbin lib lib32 lib64 libx32; do
	if [ -L "/$d" ]; then
		[ "$(readlink "/$d")" = "usr/$d" ] || [ "$(readlink "/$d")" = "/usr/$d" ] ||
			skip "/$d links to $(readlink "/$d"), not usr/$d: the guest shares only /usr"
		usr_links+=("$d")
	elif [ -e "/$d" ]; then
		skip "/$d is a directory, not a link into /usr (not a merged-usr system): the guest shares only /usr"
	fi
done

# qemu starts, with this accelerator, CPU, memory and 9p: paused, then told to quit.
# qboot (qemu-system-data) boots a -kernel faster than SeaBIOS and, unlike it,
# writes no terminal reset sequences to the serial console; SeaBIOS if it is absent.
qemu_check() {
	printf 'quit\n' | timeout 60 qemu-system-x86_64 -accel "$accel" -cpu max -m 1G -smp 2 \
		-nodefaults -display none -S -monitor stdio "$@" \
		-virtfs local,path=/usr,mount_tag=check,security_model=none,readonly=on 2>&1
}
bios_args=(-bios qboot.rom)
if ! qemu_check "${bios_args[@]}" >/dev/null 2>&1; then
	bios_args=()
	qemu_out=$(qemu_check 2>/dev/null) ||
		skip "qemu-system-x86_64 cannot start here (-accel $accel -cpu max -m 1G -smp 2, 9p): $(printf '%s\n' "$qemu_out" | grep -v '^(qemu)\|^QEMU' | tail -n 3 | tr '\n' ' ')"
fi

# --- the guest kernel ------------------------------------------------------------

# The suite's stock kernel and its headers: linux-image-amd64 of that suite names
# linux-image-<abi>; linux-headers-<abi> and the -common package it depends on are
# the headers libbcc compiles against in the guest.  Fetched with `apt-get download`
# through a private apt configuration in the cache (the host's sources and lists
# are left alone), never installed, unpacked once.  A suite whose packages cannot
# be had makes the run skip with the reason; one already in the cache needs no
# network.
suite_dir=$cache_dir/$suite
mkdir -p "$suite_dir" || die "cannot create '$suite_dir'"
exec 8>"$suite_dir/.lock"
flock 8 # one download or unpack at a time per suite

kdir=$suite_dir/kernel
if [ -f "$kdir/stamp" ]; then
	say "$suite: kernel $(sed -n 1p "$kdir/stamp") from the cache ($kdir)"
else
	apt_root=$suite_dir/apt
	rm -rf "$apt_root"
	mkdir -p "$apt_root"/{parts,prefs,lists/partial,archives/partial,dl}
	[ -f "$keyring" ] || skip "no $keyring to check the archive's signatures (Debian package debian-archive-keyring)"
	printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" >"$apt_root/sources.list"
	# Private: sources, lists, preferences, the configuration fragments (the host's
	# apt.conf.d hooks, index targets and architectures do not apply), no dpkg status
	# (the host's installed packages must not answer for the suite's).
	apt_opts=(-q -o "Dir::Etc::sourcelist=$apt_root/sources.list" -o "Dir::Etc::parts=$apt_root/parts"
		-o "Dir::State::status=/dev/null" -o "APT::Architectures::=amd64"
		-o "Dir::Etc::sourceparts=$apt_root/parts" -o "Dir::Etc::preferencesparts=$apt_root/prefs"
		-o "Dir::Etc::preferences=$apt_root/prefs/none" -o "Dir::State::Lists=$apt_root/lists"
		-o "Dir::Cache=$apt_root" -o "Dir::Cache::archives=$apt_root/archives"
		-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o Acquire::Languages=none
		-o APT::Sandbox::User=root)
	# the host's proxies still apply (its apt.conf.d does not)
	apt_http_proxy='' apt_https_proxy=''
	eval "$(apt-config shell apt_http_proxy Acquire::http::Proxy apt_https_proxy Acquire::https::Proxy)"
	[ -z "$apt_http_proxy" ] || apt_opts+=(-o "Acquire::http::Proxy=$apt_http_proxy")
	[ -z "$apt_https_proxy" ] || apt_opts+=(-o "Acquire::https::Proxy=$apt_https_proxy")
	apt_log=$apt_root/apt.log
	fetch_fail() { # reason: the cell cannot run without the packages
		err=$(grep -E '^(E|W):' "$apt_log" 2>/dev/null | head -n 2 | tr '\n' ' ')
		skip "$suite's kernel cannot be had: $1${err:+ ($err)}; run where $mirror is reachable (EXECCOUNT_DEBIAN_MIRROR names another)"
	}
	say "$suite: fetching the package lists from $mirror (private apt configuration in $apt_root)"
	apt-get "${apt_opts[@]}" --error-on=any update >"$apt_log" 2>&1 || fetch_fail "apt-get update failed"
	show() { apt-cache "${apt_opts[@]}" show --no-all-versions "$1" 2>>"$apt_log"; }
	# the first alternative of the first dependency that names linux-image-<abi>-amd64
	first_dep() { # PATTERN: from a package record on stdin
		sed -n 's/^Depends: //p' | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/[[:space:]]//g' | grep -m 1 -x "$1"
	}
	abi=$(show linux-image-amd64 | first_dep 'linux-image-[0-9].*-amd64' | sed 's/^linux-image-//' || true)
	[ -n "$abi" ] || fetch_fail "no linux-image-amd64 naming linux-image-<abi>-amd64 in $suite"
	common=$(show "linux-headers-$abi" | first_dep 'linux-headers-.*-common' || true)
	[ -n "$common" ] || fetch_fail "linux-headers-$abi names no linux-headers-*-common package"
	pkgs=("linux-image-$abi" "linux-headers-$abi" "$common")
	say "$suite: downloading ${pkgs[*]} (apt-get download; nothing is installed)"
	(cd "$apt_root/dl" && apt-get "${apt_opts[@]}" download "${pkgs[@]}") >>"$apt_log" 2>&1 ||
		fetch_fail "apt-get download ${pkgs[*]} failed"

	unpack=$(mktemp -d "$suite_dir/unpack.XXXXXX")
	rm -rf "$kdir.new"
	mkdir -p "$kdir.new/modules" "$kdir.new/headers"
	for p in "${pkgs[@]}"; do
		debs=("$apt_root/dl/${p}_"*.deb)
		[ -f "${debs[0]}" ] || { rm -rf "$unpack" "$kdir.new"; die "apt-get download left no ${p}_*.deb in $apt_root/dl"; }
		case $p in
		linux-image-*) dest=$unpack ;;
		*) dest=$kdir.new/headers ;;
		esac
		dpkg-deb -x "${debs[0]}" "$dest" ||
			{ rm -rf "$unpack" "$kdir.new"; die "dpkg-deb -x ${debs[0]} failed (a damaged download? delete $suite_dir and run again)"; }
	done
	mroot=$unpack/lib/modules/$abi
	[ -d "$mroot" ] || mroot=$unpack/usr/lib/modules/$abi
	vmlinuz=$unpack/boot/vmlinuz-$abi
	if [ ! -f "$vmlinuz" ] || [ ! -d "$mroot" ]; then
		rm -rf "$unpack" "$kdir.new"
		die "linux-image-$abi has no boot/vmlinuz-$abi or lib/modules/$abi"
	fi
	cp "$vmlinuz" "$kdir.new/vmlinuz"
	cp "$unpack/boot/config-$abi" "$kdir.new/config" 2>/dev/null || true

	# The modules 9p over virtio needs, found in this very kernel: the drivers
	# named in vm_modules, each after the modules it depends on (modinfo), the
	# ones built into this kernel skipped (fscache is part of netfs since 6.12,
	# virtio_pci is built in on some).
	declare -A mod_file=() mod_done=()
	while IFS= read -r -d '' f; do
		n=${f##*/}
		n=${n%%.ko*}
		mod_file[${n//-/_}]=$f
	done < <(find "$mroot/kernel" -name '*.ko*' -print0)
	order=()
	add_module() { # name: its dependencies first, then itself; built-ins are skipped
		local name=${1//-/_} dep deps
		[ -z "${mod_done[$name]:-}" ] || return 0
		mod_done[$name]=1
		if [ -z "${mod_file[$name]:-}" ]; then
			grep -qE "/${name//_/[-_]}\.ko" "$mroot/modules.builtin" 2>/dev/null && return 0
			rm -rf "$unpack" "$kdir.new"
			die "module $name is neither in linux-image-$abi nor built into its kernel"
		fi
		deps=$(modinfo -F depends "${mod_file[$name]}")
		for dep in ${deps//,/ }; do add_module "$dep"; done
		case "${mod_file[$name]}" in
		*.ko) cp "${mod_file[$name]}" "$kdir.new/modules/$name.ko" ;;
		*.ko.xz) xz -dc "${mod_file[$name]}" >"$kdir.new/modules/$name.ko" ;;
		*.ko.zst) zstd -qdc "${mod_file[$name]}" >"$kdir.new/modules/$name.ko" ;;
		*.ko.gz) gzip -dc "${mod_file[$name]}" >"$kdir.new/modules/$name.ko" ;;
		*) rm -rf "$unpack" "$kdir.new"; die "cannot decompress ${mod_file[$name]}" ;;
		esac
		order+=("$name")
	}
	for m in "${vm_modules[@]}"; do add_module "$m"; done
	printf '%s\n' "${order[@]}" >"$kdir.new/modules/order"
	rm -rf "$unpack"

	# the headers tree, as /lib/modules/<abi>/{build,source} will point into it
	hbuild=usr/src/linux-headers-$abi
	hsource=usr/src/linux-headers-${common#linux-headers-}
	[ -f "$kdir.new/headers/$hbuild/include/generated/autoconf.h" ] ||
		{ rm -rf "$kdir.new"; die "linux-headers-$abi has no $hbuild/include/generated/autoconf.h"; }
	[ -f "$kdir.new/headers/$hsource/include/linux/kconfig.h" ] ||
		{ rm -rf "$kdir.new"; die "$common has no $hsource/include/linux/kconfig.h"; }
	{
		echo "$abi"
		echo "$hbuild"
		echo "$hsource"
		for p in "${pkgs[@]}"; do basename "$apt_root/dl/${p}_"*.deb; done
	} >"$kdir.new/stamp"
	rm -rf "$kdir"
	mv "$kdir.new" "$kdir"
	rm -rf "$apt_root/lists" "$apt_root/archives" # the .debs stay in dl/
fi
flock -u 8
{ read -r abi; read -r hbuild; read -r hsource; } <"$kdir/stamp"
[ -z "$expect_version" ] || [[ "$abi" == "$expect_version".* ]] ||
	die "$suite's kernel is $abi, not Linux $expect_version as --expect-version says (the suite moved on? update tests/vm/CMakeLists.txt)"

# --- the initramfs -----------------------------------------------------------------

run_dir=$build_dir/vm-run/$suite
mkdir -p "$run_dir" || die "cannot create '$run_dir'"
exec 9>"$run_dir/.lock"
flock -n 9 || die "another run-in-vm.sh is using $build_dir (lock $run_dir/.lock)"
log=$run_dir/console.log
status_file=$run_dir/status
rm -f "$status_file" "$log"

work=$(mktemp -d "${TMPDIR:-/tmp}/run-in-vm.XXXXXX")
tpid=
tail_pid=
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	if [ -n "$tpid" ] && kill -0 "$tpid" 2>/dev/null; then
		kill -TERM "$tpid" 2>/dev/null || true
		wait "$tpid" 2>/dev/null || true
	fi
	[ -z "$tail_pid" ] || kill "$tail_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'say "interrupted: stopping the VM"; exit 130' INT
trap 'say "terminated: stopping the VM"; exit 143' TERM HUP

# Quote for a POSIX shell (busybox sh runs /init): 'it'\''s'.
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

root=$work/root
# var/cache: the tool's compiled-program cache, so each configuration compiles once per boot
mkdir -p "$root"/{.vm/bin,.vm/modules,usr,etc,proc,sys,dev,tmp,run,root,mnt,var/tmp,var/cache}
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 0700 "$root/root"
ln -s ../run "$root/var/run"
for d in "${usr_links[@]}"; do
	[ "$d" = lib ] || ln -s "usr/$d" "$root/$d"
done
# /lib/modules/<abi>/{build,source}: where libbcc looks for the running kernel's
# headers, here the guest kernel's own, shared from the cache at /.vm/headers.
mkdir -p "$root/lib"
ln -s -t "$root/lib" /usr/lib/*
rm -f "$root/lib/modules"
mkdir -p "$root/lib/modules/$abi"
ln -s "/.vm/headers/$hbuild" "$root/lib/modules/$abi/build"
ln -s "/.vm/headers/$hsource" "$root/lib/modules/$abi/source"
cp /bin/busybox "$root/.vm/bin/busybox"
# the applets /init uses (the shared /usr has the rest once mounted)
# (the list read once: `busybox --list | grep -q` under pipefail fails when grep quits early)
applets=$(/bin/busybox --list)
for applet in sh cat hostname insmod ip mkdir mount mv poweroff reboot sleep sync; do
	grep -qx "$applet" <<<"$applets" || die "busybox has no $applet applet"
	ln -s busybox "$root/.vm/bin/$applet"
done
cp "$kdir/modules/"*.ko "$kdir/modules/order" "$root/.vm/modules/"

# Shares: tag, guest path, guest mount options, host path (the guest path when
# empty).  Mounted parents first.
p9='trans=virtio,version=9p2000.L,msize=262144'
shares=("usr|/usr|ro,cache=loose|" "etc|/etc|ro,cache=loose|" "src|$source_dir|ro,cache=loose|"
	"build|$build_dir|rw,cache=mmap|" "kheaders|/.vm/headers|ro,cache=loose|$kdir/headers")
if [ -f "$build_dir/CTestTestfile.cmake" ]; then
	mkdir -p "$build_dir/Testing" "$run_dir/Testing"
	shares+=("testing|$build_dir/Testing|rw,cache=mmap|$run_dir/Testing")
fi

qemu_shares=()
mounts=
while IFS='|' read -r tag path opts hostpath; do
	hostpath=${hostpath:-$path}
	ro=off
	[[ "$opts" != ro,* ]] || ro=on
	qemu_shares+=(-virtfs "local,path=${hostpath//,/,,},mount_tag=$tag,security_model=none,readonly=$ro,multidevs=remap")
	mounts+="mkdir -p $(sq "$path") 2>/dev/null
mount -t 9p -o $p9,$opts $tag $(sq "$path") || die $(sq "cannot mount 9p share '$tag' ($hostpath) at $path")
"
done < <(printf '%s\n' "${shares[@]}" | awk -F'|' '{ print length($2) "|" $0 }' | sort -t'|' -k1,1n | cut -d'|' -f2-)

# The command, its directory and its environment, for the host's bash in the guest.
{
	echo '# generated by run-in-vm.sh: the command the guest runs'
	printf 'export PATH=%q HOME=/root LANG=C.UTF-8 TERM=dumb USER=root LOGNAME=root SHELL=/bin/bash EXECCOUNT_IN_VM=1\n' "$guest_path"
	for kv in "${guest_env[@]}"; do printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"; done
	printf 'cd -- %q || exit 125\n' "$build_dir"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$root/.vm/run.sh"

cat >"$root/init" <<EOF
#!/.vm/bin/sh
# generated by run-in-vm.sh: mount, run /.vm/run.sh, record its status, power off
PATH=/.vm/bin
export PATH
say() { echo "vm-init: \$*"; }
halt_vm() { sync; while :; do poweroff -f; reboot -f; sleep 1; done; }
die() { say "error: \$*"; halt_vm; }
uptime_s() { read -r up _ </proc/uptime; echo "\$up"; }

mount -t proc proc /proc || die "cannot mount /proc"
mount -t sysfs sysfs /sys || die "cannot mount /sys"
mount -t devtmpfs devtmpfs /dev || die "cannot mount /dev"
exec </dev/null >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp || die "cannot mount /tmp"
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tracefs tracefs /sys/kernel/tracing || die "cannot mount tracefs at /sys/kernel/tracing"
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
ip link set lo up 2>/dev/null

for m in \$(cat /.vm/modules/order); do
	insmod /.vm/modules/\$m.ko || die "insmod \$m failed"
done

$mounts
[ -x /usr/bin/bash ] || die "no /usr/bin/bash in the shared /usr"
hostname $(sq "$(uname -n)-vm") 2>/dev/null
[ -e /lib/modules/\$(uname -r)/build ] || say "warning: no /lib/modules/\$(uname -r)/build: libbcc will not find kernel headers"

say "running the command at uptime \$(uptime_s) s"
/usr/bin/env -i /usr/bin/bash --noprofile --norc /.vm/run.sh </dev/null
st=\$?
say "command exited with status \$st at uptime \$(uptime_s) s"
echo "\$st" >$(sq "$status_file.tmp") && mv $(sq "$status_file.tmp") $(sq "$status_file") ||
	say "error: cannot write the exit status to $(sq "$status_file")"
halt_vm
EOF
chmod 0755 "$root/init" "$root/.vm/run.sh"
cp "$root/init" "$root/.vm/run.sh" "$run_dir/"

initrd=$work/initramfs.cpio
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) >"$initrd" ||
	die "cpio failed to build the initramfs"

# --- boot ------------------------------------------------------------------------

cmdline="console=ttyS0 panic=-1 quiet rdinit=/init"
say "booting $suite's linux-image-$abi under qemu -accel $accel; console log: $log; timeout ${timeout}s"
: >"$log"
start=$SECONDS
timeout --kill-after=10 "$timeout" qemu-system-x86_64 \
	-accel "$accel" -cpu max -m 1G -smp 2 \
	-nographic -no-reboot -nic none "${bios_args[@]}" \
	-kernel "$kdir/vmlinuz" -initrd "$initrd" -append "$cmdline" \
	"${qemu_shares[@]}" </dev/null >"$log" 2>&1 &
tpid=$!
if [ "$quiet" -eq 0 ]; then
	tail -n +1 -s 0.2 -f --pid="$tpid" "$log" | tr -d '\r' &
	tail_pid=$!
fi
qst=0
wait "$tpid" || qst=$?
tpid=
if [ -n "$tail_pid" ]; then
	wait "$tail_pid" 2>/dev/null || true
	tail_pid=
fi
elapsed=$((SECONDS - start))

log_tail() {
	say "last 40 lines of $log:"
	tail -n 40 "$log" | tr -d '\r' | sed 's/^/  | /' >&2
}

if [ "$qst" -eq 124 ] || [ "$qst" -eq 137 ]; then
	log_tail
	say "error: timed out after ${timeout}s: qemu killed before the command finished (raise --timeout? the guest is about 15x slower than the host under TCG)"
	exit "$EX_TIMEOUT"
fi
if [ ! -f "$status_file" ]; then
	log_tail
	die "the guest stopped after ${elapsed}s without recording the command's exit status (qemu exit $qst); see $log"
fi
st=$(cat "$status_file")
[[ "$st" =~ ^[0-9]+$ ]] || die "unreadable exit status '$st' in $status_file"
[ "$qst" -eq 0 ] || say "warning: qemu exited with status $qst after the command finished"
case "$st" in
0) say "command succeeded in the guest; ${elapsed}s in all" ;;
"$EX_SKIP") say "command skipped in the guest (exit 77); ${elapsed}s in all" ;;
*) [ "$quiet" -eq 0 ] || log_tail
   say "command failed in the guest with exit status $st; ${elapsed}s in all" ;;
esac
exit "$st"
