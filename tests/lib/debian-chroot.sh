# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# debian-chroot.sh - a fresh minimal Debian chroot for the tests that need one
# (packaging.deb, distro.*).  Sourced, not run; the caller defines say, skip
# and die (as deb_in_chroot.sh does) before calling anything here.
#
#   . tests/lib/debian-chroot.sh
#   chroot_init SUITE ROOT RUN CACHE  the suite (bookworm, trixie), the chroot's
#                           directory, the directory for logs and the cache of
#                           the base tarball and apt's downloaded packages;
#                           sets suite, debian_version, mirror, security,
#                           tarball, root, run and cache_dir
#   debian_mirror           sets mirror and security only (no chroot)
#   chroot_require_archive  skip unless the mirror serves the suite
#   chroot_start KEEP       the cleanup on every exit (kill what is left in the
#                           chroot, unmount, remove ROOT, or with KEEP 1 keep it
#                           unmounted; INT, TERM and HUP exit 130, 143, 129);
#                           an earlier run's ROOT removed, RUN/*.log too
#   remove_root             unmount everything under ROOT, then remove it
#                           (returns 1, removing nothing, if a mount stays)
#   unmount_all             unmount everything under ROOT (1 if one stays)
#   kill_in_root            kill the processes whose root is ROOT
#   chroot_unpack           ROOT made from the base tarball; the first run makes
#                           that with `debootstrap --variant=minbase SUITE`
#                           (skips when debootstrap cannot reach the archive)
#   chroot_configure        apt's sources (SUITE, SUITE-updates, SUITE-security,
#                           as an install has them), resolv.conf, a policy-rc.d
#                           that starts no services
#   chroot_mount_apt_cache  CACHE/apt-archives bound on /var/cache/apt/archives
#   chroot_mount_kernel_fs  a new procfs on /proc; /sys (read-only at the top)
#                           and /dev as recursive binds, slaves, so nothing
#                           propagates back
#   in_root COMMAND...      COMMAND in the chroot, as root, in a clean environment
#   elapsed T0              "N s" since $SECONDS was T0
#
# The mirror is the one this machine's apt uses (EXECCOUNT_DEBIAN_MIRROR
# overrides), else deb.debian.org; the security archive likewise.

# the suites these tests know, and the VERSION_ID each one's os-release has
chroot_version_of() { # SUITE
	case $1 in
	bookworm) echo 12 ;;
	trixie) echo 13 ;;
	*) return 1 ;;
	esac
}

elapsed() { echo "$((SECONDS - $1)) s"; }

# --- the mirror: the one this machine's apt uses ---------------------------

host_uris() {
	sed -n 's/^[[:space:]]*deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\).*/\2/p' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true
	sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | tr ' ' '\n' || true
}

reachable() { # URL
	if command -v curl >/dev/null; then
		curl -fs --max-time 30 -o /dev/null "$1"
	elif command -v wget >/dev/null; then
		wget -q -T 30 -O /dev/null "$1"
	fi
}

# sets mirror and security (also used by tests/vm/run-in-vm.sh, without a chroot)
debian_mirror() {
	mirror=${EXECCOUNT_DEBIAN_MIRROR:-$(host_uris | grep -E '^https?://[^[:space:]]*/debian/?$' | head -n 1 || true)}
	mirror=${mirror:-http://deb.debian.org/debian}
	mirror=${mirror%/}
	security=$(host_uris | grep -E '^https?://[^[:space:]]*/debian-security/?$' | head -n 1 || true)
	security=${security:-${mirror}-security}
	security=${security%/}
}

chroot_init() { # SUITE ROOT RUN CACHE
	suite=$1 root=$2 run=$3 cache_dir=$4
	debian_version=$(chroot_version_of "$suite") || die "unknown Debian suite '$suite' (bookworm or trixie)"
	debian_mirror
	tarball=$cache_dir/debian$debian_version-$suite-minbase.tar.gz
}

chroot_require_archive() {
	reachable "$mirror/dists/$suite/Release" ||
		skip "the Debian archive $mirror cannot be reached (no $mirror/dists/$suite/Release)"
}

# --- mounts: found in mountinfo, undone on every exit -----------------------

mounts_under() { # DIR: mount points at or below DIR, deepest first
	awk -v d="$1" '{ p = $5; gsub(/\\040/, " ", p) } p == d || index(p, d "/") == 1 { print p }' \
		/proc/self/mountinfo | sort -r
}
unmount_all() {
	local m
	for m in $(mounts_under "$root"); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	[ -z "$(mounts_under "$root")" ]
}
remove_root() {
	[ -e "$root" ] || return 0
	if ! unmount_all; then
		say "warning: still mounted under $root, not removing it: $(mounts_under "$root" | tr '\n' ' ')" >&2
		return 1
	fi
	rm -rf --one-file-system "$root"
}

kill_in_root() { # the processes whose root is the chroot's (a daemon, a test's leftover)
	local p pids=()
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && pids+=("${p#/proc/}")
	done
	[ "${#pids[@]}" -eq 0 ] && return 0
	say "killing ${#pids[@]} process(es) left in the chroot: ${pids[*]}" >&2
	kill -KILL "${pids[@]}" 2>/dev/null || true
	sleep 1
}
chroot_cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	kill_in_root
	if [ "$chroot_keep" -eq 1 ]; then
		unmount_all || say "warning: could not unmount everything under $root" >&2
		say "kept the chroot in $root"
	else
		remove_root || true
	fi
	exit "$rc"
}
chroot_start() { # KEEP
	chroot_keep=$1
	trap chroot_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	# a run killed before its trap ran (ctest's timeout) may have left mounts
	remove_root || die "cannot clean up an earlier run's $root"
	mkdir -p "$run" "$cache_dir"
	rm -f "$run"/*.log
}

# --- a fresh Debian: debootstrap once, then its tarball ---------------------

chroot_unpack() {
	local t0=$SECONDS base m
	if [ ! -s "$tarball" ]; then
		say "debootstrap --variant=minbase $suite from $mirror (once; cached in $tarball)"
		base=$run/base
		rm -rf --one-file-system "$base"
		if ! debootstrap --variant=minbase "$suite" "$base" "$mirror" >"$run/debootstrap.log" 2>&1; then
			tail -n 20 "$run/debootstrap.log"
			# a killed debootstrap may leave proc mounted in the tree
			for m in $(mounts_under "$base"); do umount -l "$m" || true; done
			rm -rf --one-file-system "$base"
			if grep -qiE "couldn't download|failed getting release|temporary failure resolving|could not resolve|connection (refused|timed out)" \
				"$run/debootstrap.log"; then
				skip "debootstrap cannot reach the archive $mirror (see $run/debootstrap.log)"
			fi
			die "debootstrap failed (see $run/debootstrap.log)"
		fi
		for m in $(mounts_under "$base"); do umount -l "$m" || true; done
		mkdir -p "$cache_dir"
		tar -C "$base" --numeric-owner -czf "$tarball.tmp" .
		mv "$tarball.tmp" "$tarball"
		rm -rf --one-file-system "$base"
		say "made and cached the chroot in $(elapsed "$t0") ($(du -h "$tarball" | cut -f1))"
	fi
	t0=$SECONDS
	mkdir -p "$root"
	tar -C "$root" --numeric-owner -xpzf "$tarball"
	grep -q "^VERSION_ID=\"$debian_version\"" "$root/etc/os-release" ||
		die "$tarball is not Debian $debian_version"
	say "unpacked the chroot in $(elapsed "$t0")"
}

chroot_configure() {
	rm -f "$root/etc/apt/sources.list"
	cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
}

chroot_mount_apt_cache() {
	mkdir -p "$cache_dir/apt-archives/partial"
	mount --bind "$cache_dir/apt-archives" "$root/var/cache/apt/archives"
}

chroot_mount_kernel_fs() {
	mount -t proc proc "$root/proc" || skip "cannot mount proc in the chroot (no CAP_SYS_ADMIN here?)"
	mount --rbind /sys "$root/sys"
	mount --make-rslave "$root/sys"
	mount -o remount,bind,ro "$root/sys" || true
	mount --rbind /dev "$root/dev"
	mount --make-rslave "$root/dev"
}

in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
}
