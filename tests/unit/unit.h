/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unit.h - small helpers shared by the unit tests: output captured in memory,
 * scratch directories, whole files written and read in one call, directory
 * listings.
 */
#ifndef EXECCOUNT_UNIT_H
#define EXECCOUNT_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A FILE * that writes into memory (open_memstream). */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static inline void capture_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

/* Everything written so far, NUL-terminated. */
static inline const char *capture_text(struct capture *c)
{
	assert_int_equal(fflush(c->f), 0);
	return c->buf;
}

static inline void capture_close(struct capture *c)
{
	fclose(c->f);
	free(c->buf);
	*c = (struct capture){ 0 };
}

/* What write(f, s) writes, as a new string (free it). */
static inline char *written_by(void (*write)(FILE *, const char *), const char *s)
{
	struct capture c;

	capture_open(&c);
	write(c.f, s);
	fclose(c.f);
	return c.buf;
}

/* Occurrences of '\n' in s. */
static inline size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* A fresh directory under $TMPDIR (or /tmp); path must hold PATH_MAX bytes. */
static inline void tmpdir_make(char *path)
{
	const char *base = getenv("TMPDIR");

	snprintf(path, PATH_MAX, "%s/execcount-unit.XXXXXX", base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(path));
}

static inline int tmpdir_remove_one(const char *path, const struct stat *st, int flag,
				    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm -rf path */
static inline void tmpdir_remove(const char *path)
{
	assert_int_equal(nftw(path, tmpdir_remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* mkdir -p for every directory above the file dir/rel, then write len bytes of data to it. */
static inline void write_file(const char *dir, const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX];
	int fd;

	assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) < sizeof(path));
	for (char *slash = path + strlen(dir) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*slash = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), len);
	assert_int_equal(close(fd), 0);
}

/* The whole content of path, NUL-terminated (free it); *len is its size. */
static inline void *slurp(const char *path, size_t *len)
{
	struct capture c;
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		print_error("cannot open %s: %s\n", path, strerror(errno));
	assert_true(fd >= 0);
	capture_open(&c);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		assert_int_equal(fwrite(buf, 1, n, c.f), n);
	assert_int_equal(n, 0);
	close(fd);
	fclose(c.f);
	*len = c.len;
	return c.buf;
}

/* path holds exactly want_len bytes of want. */
static inline void assert_content(const char *path, const void *want, size_t want_len)
{
	size_t len;
	void *got = slurp(path, &len);

	assert_int_equal(len, want_len);
	assert_memory_equal(got, want, want_len);
	free(got);
}

/* The names in dir (not . and ..), sorted, joined by '|' (free it). */
static inline char *listing(const char *dir)
{
	struct dirent **names;
	struct capture c;
	int n = scandir(dir, &names, NULL, alphasort);

	assert_true(n >= 0);
	capture_open(&c);
	for (int i = 0, first = 1; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
			fprintf(c.f, "%s%s", first ? "" : "|", names[i]->d_name);
			first = 0;
		}
		free(names[i]);
	}
	free(names);
	fclose(c.f);
	return c.buf ? c.buf : strdup("");
}

static inline void assert_listing(const char *dir, const char *want)
{
	char *got = listing(dir);

	assert_string_equal(got, want);
	free(got);
}

#endif
