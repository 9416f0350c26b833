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
