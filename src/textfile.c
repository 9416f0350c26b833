// SPDX-License-Identifier: GPL-2.0
#include "textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* "dir/name" -> "dir" and "dir/.name.XXXXXX" (node_exporter reads only *.prom files). */
static int split(const char *path, char *dir, char *tmp)
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

int textfile_check(const char *path)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	int fd, err = split(path, dir, tmp);

	if (err) {
		log_msg("--textfile %s: %s", path,
			err == -EISDIR ? "names a directory, not a file" : strerror(-err));
		return err;
	}
	if (stat(dir, &st))
		err = -errno;
	else if (!S_ISDIR(st.st_mode))
		err = -ENOTDIR;
	if (err) {
		log_msg("--textfile %s: its directory %s: %s", path, dir, strerror(-err));
		return err;
	}
	/* a regular file or a symlink is replaced; anything else (a device, a FIFO) is not ours */
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			log_msg("--textfile %s: is a directory", path);
		else
			log_msg("--textfile %s: is a device, FIFO or socket, not a file (it would be replaced)",
				path);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EEXIST;
	}
	/* the very temporary file each write makes: permissions, read-only mounts, name length */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		log_msg("--textfile %s: cannot create files in %s: %s", path, dir, strerror(-err));
		return err;
	}
	close(fd);
	unlink(tmp);
	return 0;
}

static int write_all(int fd, const char *text, size_t len)
{
	while (len) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		text += n;
		len -= n;
	}
	return 0;
}

int textfile_write(const char *path, const char *text, size_t len)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	int fd, err = split(path, dir, tmp);

	if (err)
		return err;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* readable by node_exporter, which need not run as root */
	err = fchmod(fd, 0644) ? -errno : 0;
	if (!err)
		err = write_all(fd, text, len);
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
