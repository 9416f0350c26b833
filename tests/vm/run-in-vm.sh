#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-in-vm.sh - run a command as root inside Debian's stock kernel (which has
# kprobes) booted under qemu, with the host's /usr and /etc and the project's
# source and build directories shared at the same paths as on the host.
#
#   run-in-vm.sh --source-dir DIR --build-dir DIR [--cache-dir DIR]
#                [--timeout SECONDS] [--env NAME=VALUE]... [--accel tcg|kvm]
#                [--quiet] -- COMMAND [ARGS...]
#
#   --source-dir DIR   shared read-only at the same path
#   --build-dir DIR    shared read-write at the same path; COMMAND runs there
#   --cache-dir DIR    keeps the kernel package (default: BUILD/vm-cache)
#   --timeout SECONDS  hard limit for the whole boot and run (default 240)
#   --env NAME=VALUE   set in COMMAND's environment (repeatable)
#   --accel ACCEL      qemu accelerator (default tcg: stock kernels need no kvm)
#   --quiet            do not copy the guest console to stdout as it runs
#
# The guest kernel is linux-image-<abi>, where <abi> is the one the installed
# linux-headers-amd64 depends on, so the headers under /usr/src (reached through
# the shared /usr, /lib/modules/<abi>/build and source) match it.  The package is
# fetched with `apt-get download` (never installed) and cached.
#
# Inside: proc, sysfs, devtmpfs, devpts, tracefs (/sys/kernel/tracing), debugfs,
# bpffs, cgroup2, tmpfs on /tmp, /run, /dev/shm; /bin, /sbin, /lib, /lib64 are
# links into /usr as on the host.  If BUILD is a CTest tree, BUILD/Testing in
# the guest is BUILD/vm-run/Testing on the host, so a ctest in the guest does not
# overwrite the logs of a ctest on the host that runs this script.
# COMMAND runs with stdin from /dev/null and a clean environment: PATH, HOME,
# LANG, TERM, EXECCOUNT_IN_VM=1 and the --env variables.
#
# Files: BUILD/vm-run/console.log (the serial console), BUILD/vm-run/status (the
# command's exit status, written by the guest), init and run.sh (what the guest ran).
#
# Exit status: COMMAND's (77 when it skipped); 77 when the VM cannot run on this
# machine (no qemu, qemu cannot start, not amd64, host packages missing);
# 124 on timeout; 125 when the harness or the guest failed before COMMAND ended.
set -euo pipefail

prog=run-in-vm
EX_SKIP=77
EX_TIMEOUT=124
EX_FAIL=125

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit "$EX_FAIL"; }
skip() { printf '%s: skip: %s\n' "$prog" "$*" >&2; exit "$EX_SKIP"; }
usage() { sed -n '8,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit "${1:-2}"; }

# The modules that make 9p over virtio work in Debian's kernel, in load order
# (dependencies found with modinfo are loaded first in any case).
vm_modules=(virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio virtio_pci
	9pnet 9pnet_virtio netfs fscache 9p)
guest_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- arguments -----------------------------------------------------------------

source_dir='' build_dir='' cache_dir='' timeout=240 accel=tcg quiet=0
guest_env=()
while [ $# -gt 0 ]; do
	case "$1" in
	--source-dir) [ $# -ge 2 ] || usage; source_dir=$2; shift 2 ;;
	--build-dir) [ $# -ge 2 ] || usage; build_dir=$2; shift 2 ;;
	--cache-dir) [ $# -ge 2 ] || usage; cache_dir=$2; shift 2 ;;
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

# The guest mounts the host's /usr only; the rest of the root must be links into it.
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

# linux-headers-amd64 depends on linux-headers-<abi> (= <version>).
dpkg-query -W -f='${Status}' linux-headers-amd64 2>/dev/null | grep -q 'install ok installed' ||
	skip "linux-headers-amd64 is not installed: it names the guest kernel and provides its headers (scripts/setup.sh --tests)"
headers_dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64)
if [[ "$headers_dep" =~ linux-headers-([0-9][^ ,]*-amd64)( \(= ([^\)]+)\))? ]]; then
	abi=${BASH_REMATCH[1]}
	version=${BASH_REMATCH[3]}
else
	die "cannot find the kernel ABI in linux-headers-amd64's dependency '$headers_dep'"
fi
image_pkg=linux-image-$abi

# libbcc in the guest compiles against /lib/modules/<abi>/{build,source}: both come
# with the headers package and reach the guest through the shared /usr.
headers_build=/usr/lib/modules/$abi/build
headers_source=/usr/lib/modules/$abi/source
[ -f "$headers_build/include/generated/autoconf.h" ] ||
	die "no $headers_build/include/generated/autoconf.h: is linux-headers-$abi installed completely?"
[ -f "$headers_source/include/linux/kconfig.h" ] || [ -f "$headers_build/include/linux/kconfig.h" ] ||
	die "no include/linux/kconfig.h under $headers_source or $headers_build: is linux-headers-$abi-common (linux-headers-${abi%-amd64}-common) installed?"

exec 8>"$cache_dir/.lock"
flock 8 # one download or unpack at a time per cache

find_deb() {
	local f best=
	for f in "$cache_dir/${image_pkg}_"*_amd64.deb; do
		[ -f "$f" ] || continue
		[ -n "$version" ] && [ "$f" = "$cache_dir/${image_pkg}_${version//:/%3a}_amd64.deb" ] && { echo "$f"; return; }
		best=$f
	done
	[ -n "$best" ] && echo "$best"
	return 0
}

deb=$(find_deb)
if [ -z "$deb" ]; then
	say "downloading $image_pkg${version:+ $version} into $cache_dir (apt-get download; it is not installed)"
	dl=$(mktemp -d "$cache_dir/download.XXXXXX")
	apt_log=$dl/apt.log
	ok=0
	for want in ${version:+"$image_pkg=$version"} "$image_pkg"; do
		if (cd "$dl" && apt-get -q -o APT::Sandbox::User=root download "$want") >"$apt_log" 2>&1; then
			ok=1
			break
		fi
	done
	if [ "$ok" -eq 1 ]; then
		mv "$dl"/*.deb "$cache_dir"/
		rm -rf "$dl"
	else
		err=$(grep -E '^E:' "$apt_log" | head -n 1)
		rm -rf "$dl"
		die "cannot download $image_pkg (the kernel matching linux-headers-amd64 -> linux-headers-$abi${version:+ $version}): ${err:-apt-get download failed}; run 'apt-get update', or upgrade linux-headers-amd64 if the archive has moved to a newer kernel, or put ${image_pkg}_${version:-<version>}_amd64.deb into $cache_dir"
	fi
	deb=$(find_deb)
	[ -n "$deb" ] || die "apt-get download succeeded but no ${image_pkg}_*_amd64.deb is in $cache_dir"
fi

# Older kernels left in the cache (the headers moved on): 70 MB each.
for f in "$cache_dir"/linux-image-*_amd64.deb; do
	[ ! -f "$f" ] || [ "$f" = "$deb" ] || { say "removing $(basename "$f") from the cache (not the kernel of linux-headers-amd64)"; rm -f "$f"; }
done
for d in "$cache_dir"/*-amd64; do
	[ ! -d "$d" ] || [ "$d" = "$cache_dir/$abi" ] || rm -rf "$d"
done

# Unpacked once per package: the kernel image and the modules the initramfs needs.
kdir=$cache_dir/$abi
if [ ! -f "$kdir/stamp" ] || [ "$(cat "$kdir/stamp")" != "$(basename "$deb")" ]; then
	say "unpacking $(basename "$deb") (dpkg-deb -x)"
	rm -rf "$kdir"
	unpack=$(mktemp -d "$cache_dir/unpack.XXXXXX")
	dpkg-deb -x "$deb" "$unpack" || { rm -rf "$unpack"; die "dpkg-deb -x $deb failed (a damaged download? delete it and run again)"; }
	mroot=$unpack/lib/modules/$abi
	[ -d "$mroot" ] || mroot=$unpack/usr/lib/modules/$abi
	vmlinuz=$unpack/boot/vmlinuz-$abi
	if [ ! -f "$vmlinuz" ] || [ ! -d "$mroot" ]; then
		rm -rf "$unpack"
		die "$(basename "$deb") has no boot/vmlinuz-$abi or lib/modules/$abi"
	fi

	mkdir -p "$kdir.new/modules"
	cp "$vmlinuz" "$kdir.new/vmlinuz"
	cp "$unpack/boot/config-$abi" "$kdir.new/config" 2>/dev/null || true

	# name -> file, for every module in the package
	declare -A mod_file=() mod_done=()
	while IFS= read -r -d '' f; do
		n=$(basename "$f")
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
			die "module $name is neither in $(basename "$deb") nor built into its kernel"
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
	basename "$deb" >"$kdir.new/stamp"
	rm -rf "$unpack"
	mv "$kdir.new" "$kdir"
fi
flock -u 8

# --- the initramfs -----------------------------------------------------------------

run_dir=$build_dir/vm-run
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
mkdir -p "$root"/{.vm/bin,.vm/modules,usr,etc,proc,sys,dev,tmp,run,root,mnt,var/tmp}
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 0700 "$root/root"
ln -s ../run "$root/var/run"
for d in "${usr_links[@]}"; do ln -s "usr/$d" "$root/$d"; done
cp /bin/busybox "$root/.vm/bin/busybox"
for applet in $(/bin/busybox --list); do
	case "$applet" in busybox|*/*) continue ;; esac # never link over the binary itself
	ln -s busybox "$root/.vm/bin/$applet"
done
cp "$kdir/modules/"*.ko "$kdir/modules/order" "$root/.vm/modules/"

# Shares: tag, host path, guest mount options.  Mounted parents first.
p9='trans=virtio,version=9p2000.L,msize=262144'
shares=("usr|/usr|ro,cache=loose" "etc|/etc|ro,cache=loose" "src|$source_dir|ro,cache=loose"
	"build|$build_dir|rw,cache=mmap")
if [ -f "$build_dir/CTestTestfile.cmake" ]; then
	mkdir -p "$build_dir/Testing" "$run_dir/Testing"
	shares+=("testing|$build_dir/Testing|rw,cache=mmap")
	testing_src=$run_dir/Testing
fi

qemu_shares=()
mounts=
while IFS='|' read -r tag path opts; do
	hostpath=$path
	[ "$tag" != testing ] || hostpath=$testing_src
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
say "booting $image_pkg ($(basename "$deb")) under qemu -accel $accel; console log: $log; timeout ${timeout}s"
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
