// SPDX-License-Identifier: GPL-2.0
#include "fdio.h"

#include <errno.h>
#include <unistd.h>

ssize_t read_full(int fd, void *buf, size_t len)
{
	char *at = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, at + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

int write_full(int fd, const void *data, size_t len)
{
	const char *at = data;

	while (len) {
		ssize_t n = write(fd, at, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		at += n;
		len -= n;
	}
	return 0;
}
