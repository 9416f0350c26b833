// SPDX-License-Identifier: GPL-2.0
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "log.h"

extern const char execcount_probe[];
extern const unsigned long execcount_probe_len;
extern const char execcount_probe_name[];

void source_builtin(struct probe_source *src)
{
	*src = (struct probe_source){
		.text = execcount_probe,
		.len = execcount_probe_len,
		.name = execcount_probe_name,
	};
}

int source_read(struct probe_source *src, const char *path)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd, err;

	memset(src, 0, sizeof(*src));
	/* O_NONBLOCK: opening a FIFO with no writer would wait forever; we refuse it below */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		err = -errno;
		log_msg("cannot open probe file %s: %s", path, strerror(-err));
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		log_msg("cannot stat probe file %s: %s", path, strerror(-err));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -ENODEV;
		log_msg("probe file %s is not a regular file", path);
		goto out_close;
	}
	if (st.st_size > SOURCE_MAX_BYTES) {
		err = -EFBIG;
		log_msg("probe file %s is %lld bytes, more than the %d a probe may have", path,
			(long long)st.st_size, SOURCE_MAX_BYTES);
		goto out_close;
	}
	/* one byte more than stat said, to see a file that grew */
	buf = malloc(st.st_size + 2);
	if (!buf) {
		err = -ENOMEM;
		log_msg("out of memory reading probe file %s", path);
		goto out_close;
	}
	n = read_full(fd, buf, st.st_size + 1);
	if (n < 0) {
		err = n;
		log_msg("cannot read probe file %s: %s", path, strerror(-err));
		goto out_free;
	}
	if (n > st.st_size || memchr(buf, '\0', n)) {
		err = -EINVAL;
		log_msg("probe file %s is not C source: %s", path,
			n > st.st_size ? "it changed while being read" : "it contains NUL bytes");
		goto out_free;
	}
	buf[n] = '\0';
	close(fd);
	*src = (struct probe_source){ .text = buf, .len = n, .name = path, .owned = buf };
	return 0;

out_free:
	free(buf);
out_close:
	close(fd);
	return err;
}

void source_free(struct probe_source *src)
{
	free(src->owned);
	src->owned = NULL;
}
