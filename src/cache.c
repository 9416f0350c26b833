// SPDX-License-Identifier: GPL-2.0
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_write.h"
#include "fdio.h"
#include "log.h"

/* far above any probe's image (the built-in one is about 10 KiB) */
#define ENTRY_MAX_BYTES (64u << 20)

int cache_key_text(const struct cache_key_input *in, char *buf, size_t len)
{
	unsigned char digest[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];
	size_t at;
	int n;

	sha256(in->source, in->source_len, digest);
	sha256_hex(digest, hex);
	n = snprintf(
		buf, len,
		"bcc-execcount %s cache format %u\nlibbcc %s\nkernel %s\nbuild %s\nmachine %s\nheaders %s\nenv %s\nprobe sha256:%s\n",
		in->tool_version, IMAGE_FORMAT_VERSION, in->libbcc_version, in->release, in->build,
		in->machine, in->headers, in->env, hex);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	at = n;
	for (int i = 0; i < in->ncflags; i++) {
		if (strchr(in->cflags[i], '\n'))
			return -ENOSPC;
		n = snprintf(buf + at, len - at, "cflag %s\n", in->cflags[i]);
		if (n < 0 || (size_t)n >= len - at)
			return -ENOSPC;
		at += n;
	}
	/* eight lines before the cflags: a newline inside an input would add one */
	n = 0;
	for (const char *c = buf; *c; c++)
		n += *c == '\n';
	return n == 8 + in->ncflags ? 0 : -ENOSPC;
}

/* Owned by root or by us, and writable by no one else: or why not, for a message. */
static const char *unsafe(const struct stat *st, char *why, size_t len)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		if (geteuid() == 0)
			snprintf(why, len, "owned by uid %u, not root", (unsigned int)st->st_uid);
		else
			snprintf(why, len, "owned by uid %u, neither root nor uid %u",
				 (unsigned int)st->st_uid, (unsigned int)geteuid());
		return why;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, len, "writable by %s (mode %04o)",
			 st->st_mode & S_IWOTH ? "others" : "its group",
			 (unsigned int)(st->st_mode & 07777));
		return why;
	}
	return NULL;
}

/* "<64 lowercase hex>.probe": a name cache_entry_path() gives */
static bool is_entry_name(const char *name)
{
	for (int i = 0; i < SHA256_HEX_LEN; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return strcmp(name + SHA256_HEX_LEN, CACHE_SUFFIX) == 0;
}

/*
 * Remove what a store killed between its write and its rename (SIGKILL, a
 * crash, a power cut) left: atomic_write()'s temporary files of entries,
 * ".<64 hex>.probe.XXXXXX", regular files, stale.  Nothing else in the
 * directory is touched.  Stale means last written more than
 * CACHE_TEMP_STALE_SECONDS ago (or as far in the future: the clock was set
 * back): a store takes milliseconds from mkostemp() to rename(), so a younger
 * file may be another instance's store in progress, and is left to it.  Were
 * one removed all the same (a store stalled for minutes, a clock jump), that
 * store's rename fails and it is only not cached: never a wrong entry.
 */
static void sweep_temp_files(const struct cache *cache, int dirfd)
{
	char name[SHA256_HEX_LEN + sizeof(CACHE_SUFFIX)];
	time_t now = time(NULL);
	struct dirent *d;
	struct stat st;
	DIR *dp;
	int fd;

	fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	dp = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dp) {
		log_verbose("cache: cannot list %s: %s", cache->dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((d = readdir(dp))) {
		long long age;

		if (!atomic_write_temp_of(d->d_name, name, sizeof(name)) || !is_entry_name(name) ||
		    fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		age = (long long)now - (long long)st.st_mtime;
		if (age <= CACHE_TEMP_STALE_SECONDS && age >= -CACHE_TEMP_STALE_SECONDS)
			continue;
		if (unlinkat(dirfd, d->d_name, 0) == 0)
			log_verbose(
				"cache: removed %s/%s, left by a store that did not finish (%s %lld s %s)",
				cache->dir, d->d_name, age < 0 ? "dated" : "written",
				age < 0 ? -age : age,
				age < 0 ? "ahead: the clock was set back" : "ago");
		else if (errno != ENOENT) /* ENOENT: another instance removed it first */
			log_verbose("cache: cannot remove %s/%s: %s", cache->dir, d->d_name,
				    strerror(errno));
	}
	closedir(dp);
}

int cache_open(struct cache *cache, const char *dir, bool explicit_dir)
{
	const char *what = explicit_dir ? "unusable" : "ignored";
	const char *then = explicit_dir ? "" : ", compiling every time";
	const char *fix = explicit_dir ? "or choose another --cache-dir" : "or remove it";
	bool made = false;
	char why[64];
	struct stat st;
	size_t len;
	int fd, err;

	cache->usable = false;
	if (snprintf(cache->dir, sizeof(cache->dir), "%s", dir) >= (int)sizeof(cache->dir)) {
		log_msg("cache directory %.64s...: path too long -- choose a shorter --cache-dir",
			dir);
		return explicit_dir ? -ENAMETOOLONG : 0;
	}
	/* "link/" would make O_NOFOLLOW follow link: the name without its trailing slashes */
	for (len = strlen(cache->dir); len > 1 && cache->dir[len - 1] == '/'; len--)
		cache->dir[len - 1] = '\0';
	dir = cache->dir;
	if (mkdir(dir, 0755) == 0) {
		made = true;
	} else if (errno != EEXIST) {
		err = -errno;
		if (!explicit_dir) {
			log_verbose("cache: unavailable: cannot create %s: %s", dir,
				    strerror(-err));
			return 0;
		}
		log_msg("cache directory %s unusable: cannot create it: %s -- its parent must exist and be writable",
			dir, strerror(-err));
		return err;
	}
	/* the directory itself, not what a symlink there points to */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
			log_msg("cache directory %s %s: a symbolic link%s -- it must be a directory itself, %s",
				dir, what, then, fix);
		else
			log_msg("cache directory %s %s: %s%s -- it must be a directory, %s", dir,
				what, err == -ENOTDIR ? "not a directory" : strerror(-err), then,
				fix);
		return explicit_dir ? err : 0;
	}
	/* made readable by all whatever the umask (a user with CAP_BPF may read root's entries) */
	if (made && fchmod(fd, 0755))
		log_verbose("cache: chmod 0755 %s: %s", dir, strerror(errno));
	err = fstat(fd, &st) ? -errno : 0;
	if (err || unsafe(&st, why, sizeof(why))) {
		close(fd);
		log_msg("cache directory %s %s: %s%s -- only root may write it: chown root and chmod go-w it, %s",
			dir, what, err ? strerror(-err) : why, then, fix);
		return explicit_dir ? (err ? err : -EPERM) : 0;
	}
	sweep_temp_files(cache, fd);
	close(fd);
	cache->usable = true;
	return 0;
}

void cache_entry_path(const struct cache *cache, const char *key, char *path)
{
	unsigned char digest[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];

	sha256(key, strlen(key), digest);
	sha256_hex(digest, hex);
	snprintf(path, PATH_MAX, "%s/%s%s", cache->dir, hex, CACHE_SUFFIX);
}

static int read_entry(int fd, size_t size, unsigned char **out)
{
	unsigned char *buf = malloc(size ? size : 1);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	n = read_full(fd, buf, size);
	if (n < 0 || (size_t)n < size) {
		free(buf);
		return n < 0 ? n : -EIO;
	}
	*out = buf;
	return 0;
}

int cache_load(const struct cache *cache, const char *key, struct probe_image *img)
{
	char path[PATH_MAX], why[64];
	const char *reason = NULL;
	unsigned char *buf = NULL;
	struct stat st;
	int fd, err;

	cache_entry_path(cache, key, path);
	/* not through a symlink, and not blocking on a FIFO planted there */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			return -ENOENT;
		reason = err == -ELOOP ? "a symbolic link" : strerror(-err);
		goto refused;
	}
	if (fstat(fd, &st)) {
		reason = strerror(errno);
	} else if (!S_ISREG(st.st_mode)) {
		reason = "not a regular file";
	} else if (!(reason = unsafe(&st, why, sizeof(why)))) {
		if (st.st_nlink != 1)
			reason = "has other hard links";
		else if (st.st_size <= 0 || (uintmax_t)st.st_size > ENTRY_MAX_BYTES)
			reason = st.st_size ? "too large" : "empty";
	}
	if (!reason) {
		err = read_entry(fd, st.st_size, &buf);
		if (err)
			reason = err == -EIO ? "truncated while reading" : strerror(-err);
	}
	close(fd);
	if (!reason && image_parse(img, buf, st.st_size, key, &reason) == 0) {
		free(buf);
		return 0;
	}
	free(buf);
	image_free(img);
refused:
	log_msg("cache entry %s ignored: %s -- compiling the probe", path, reason);
	return -EINVAL;
}

void cache_store(const struct cache *cache, const char *key, const struct probe_image *img)
{
	char path[PATH_MAX];
	unsigned char *buf;
	size_t len;
	int err;

	cache_entry_path(cache, key, path);
	err = image_serialize(img, key, &buf, &len);
	if (!err) {
		err = atomic_write(path, buf, len);
		free(buf);
	}
	if (err)
		log_verbose("cache: not stored in %s: %s", cache->dir, strerror(-err));
	else
		log_verbose("cache: stored %s", path);
}

int cache_describe(const char *dir, char *buf, size_t len)
{
	unsigned long entries = 0;
	unsigned long long bytes = 0;
	char why[64];
	struct dirent *d;
	struct stat st;
	DIR *dp;
	int err;

	if (lstat(dir, &st)) {
		err = -errno;
		snprintf(buf, len, "%s: %s%s", dir, strerror(-err),
			 err == -ENOENT ? " (made at the first start)" : "");
		return err == -ENOENT ? 0 : err;
	}
	if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
		snprintf(buf, len, "%s: %s", dir,
			 S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory");
		return -EINVAL;
	}
	if (unsafe(&st, why, sizeof(why))) {
		snprintf(buf, len, "%s: %s", dir, why);
		return -EPERM;
	}
	dp = opendir(dir);
	if (!dp) {
		err = -errno;
		snprintf(buf, len, "%s: %s", dir, strerror(-err));
		return err;
	}
	while ((d = readdir(dp))) {
		size_t n = strlen(d->d_name);

		if (n == SHA256_HEX_LEN + strlen(CACHE_SUFFIX) &&
		    strcmp(d->d_name + SHA256_HEX_LEN, CACHE_SUFFIX) == 0 &&
		    fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode)) {
			entries++;
			bytes += st.st_size;
		}
	}
	closedir(dp);
	snprintf(buf, len, "%s: %lu compiled probe%s, %llu KiB", dir, entries,
		 entries == 1 ? "" : "s", (bytes + 1023) / 1024);
	return 0;
}
