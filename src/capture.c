// SPDX-License-Identifier: GPL-2.0
#include "capture.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

void capture_begin(struct capture *c)
{
	fflush(stderr);
	c->saved = -1;
	c->fd = memfd_create("bcc-execcount-messages", MFD_CLOEXEC);
	if (c->fd < 0)
		return;
	c->saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (c->saved < 0 || dup2(c->fd, STDERR_FILENO) < 0) {
		if (c->saved >= 0)
			close(c->saved);
		close(c->fd);
		c->saved = c->fd = -1;
	}
}

FILE *capture_end(struct capture *c)
{
	FILE *f;

	if (c->saved < 0)
		return NULL;
	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	f = lseek(c->fd, 0, SEEK_SET) == 0 ? fdopen(c->fd, "r") : NULL;
	if (!f)
		close(c->fd);
	return f;
}

bool capture_next_line(FILE *f, char **line, size_t *cap)
{
	ssize_t n = f ? getline(line, cap, f) : -1;

	if (n < 0)
		return false;
	if (n > 0 && (*line)[n - 1] == '\n')
		(*line)[n - 1] = '\0';
	return true;
}
