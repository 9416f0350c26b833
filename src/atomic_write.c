// SPDX-License-Identifier: GPL-2.0
#include "atomic_write.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"

int atomic_write_names(const char *path, char *dir, char *tmp)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	int n;

	if (!*name)
		return -EISDIR;
	if (!slash)
		n = snprintf(dir, PATH_MAX, ".");
	else if (slash == path)
		n = snprintf(dir, PATH_MAX, "/");
	else
		n = snprintf(dir, PATH_MAX, "%.*s", (int)(slash - path), path);
	if (n >= PATH_MAX || snprintf(tmp, PATH_MAX, "%s/.%s.XXXXXX", dir, name) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/* what mkostemp() puts in place of "XXXXXX": glibc's and musl's letters and digits */
#define TEMP_SUFFIX_LEN 6

bool atomic_write_temp_of(const char *base, char *name, size_t len)
{
	size_t n = strlen(base), keep;

	/* ".", at least one byte of NAME, ".", the suffix */
	if (n < 3 + TEMP_SUFFIX_LEN || base[0] != '.' || base[n - TEMP_SUFFIX_LEN - 1] != '.')
		return false;
	for (size_t i = n - TEMP_SUFFIX_LEN; i < n; i++)
		if (!((base[i] >= 'a' && base[i] <= 'z') || (base[i] >= 'A' && base[i] <= 'Z') ||
		      (base[i] >= '0' && base[i] <= '9')))
			return false;
	keep = n - TEMP_SUFFIX_LEN - 2;
	if (keep >= len || memchr(base, '/', n))
		return false;
	memcpy(name, base + 1, keep);
	name[keep] = '\0';
	return true;
}

int atomic_write(const char *path, const void *data, size_t len)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	int fd, err = atomic_write_names(path, dir, tmp);

	if (err)
		return err;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* readable by all: node_exporter need not run as root, nor a capable user of the cache */
	err = fchmod(fd, 0644) ? -errno : 0;
	if (!err)
		err = write_full(fd, data, len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	/* the rename itself survives a crash once the directory is synced */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}
