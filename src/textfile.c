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

#include "atomic_write.h"
#include "log.h"

int textfile_check(const char *path)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	int fd, err = atomic_write_names(path, dir, tmp);

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

int textfile_write(const char *path, const char *text, size_t len)
{
	return atomic_write(path, text, len);
}
