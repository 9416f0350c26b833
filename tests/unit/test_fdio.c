// SPDX-License-Identifier: GPL-2.0
/*
 * test_fdio.c - read_full() and write_full() over a pipe.  read() and write()
 * are wrapped (-Wl,--wrap, tests/unit/CMakeLists.txt): a script says what
 * each next call does (fail with EINTR, or move at most N bytes), then the
 * real call runs on the pipe.  So: short counts and EINTR retried until all
 * bytes are moved, end of file before len (a short count, then 0), errors as
 * a negative errno, nothing called for len 0; and, unscripted, 200000 bytes
 * each way through a 4 KiB pipe with another process at the other end.
 */
#include "unit.h"

#include <signal.h>
#include <sys/wait.h>

#include "fdio.h"

#define EINTR_STEP (-1)
#define SCRIPT_MAX 16

/* the next calls' steps: EINTR_STEP, or at most this many bytes; then real calls */
struct script {
	int step[SCRIPT_MAX];
	int n, at;
	int calls; /* calls seen since the script was set */
};

static struct script reads, writes;

static void script_set(struct script *s, const int *steps, int n)
{
	assert_true(n <= SCRIPT_MAX);
	if (n)
		memcpy(s->step, steps, n * sizeof(*steps));
	s->n = n;
	s->at = 0;
	s->calls = 0;
}

/* A scripted call: -1 and EINTR, or the length the real call may move. */
static int script_next(struct script *s, size_t *len)
{
	int step;

	s->calls++;
	if (s->at >= s->n)
		return 0;
	step = s->step[s->at++];
	if (step == EINTR_STEP) {
		errno = EINTR;
		return -1;
	}
	if ((size_t)step < *len)
		*len = step;
	return 0;
}

ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __real_write(int fd, const void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __wrap_write(int fd, const void *buf, size_t len);

ssize_t __wrap_read(int fd, void *buf, size_t len)
{
	return script_next(&reads, &len) ? -1 : __real_read(fd, buf, len);
}

ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	return script_next(&writes, &len) ? -1 : __real_write(fd, buf, len);
}

static int setup(void **state)
{
	(void)state;
	script_set(&reads, NULL, 0);
	script_set(&writes, NULL, 0);
	return 0;
}

static void make_pipe(int fds[2])
{
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
}

static void test_read_short_and_eintr(void **state)
{
	static const int steps[] = { EINTR_STEP, 1, EINTR_STEP, 3, 2 };
	char buf[16];
	int fds[2];

	(void)state;
	make_pipe(fds);
	assert_int_equal(__real_write(fds[1], "0123456789", 10), 10);
	memset(buf, 'X', sizeof(buf));
	script_set(&reads, steps, 5);
	assert_int_equal(read_full(fds[0], buf, 10), 10);
	/* the five scripted calls and one for the last 4 bytes */
	assert_int_equal(reads.calls, 6);
	assert_memory_equal(buf, "0123456789XX", 12);
	close(fds[0]);
	close(fds[1]);
}

static void test_read_eof(void **state)
{
	static const int steps[] = { 2 };
	char buf[16];
	int fds[2];

	(void)state;
	make_pipe(fds);
	assert_int_equal(__real_write(fds[1], "abcde", 5), 5);
	close(fds[1]);
	script_set(&reads, steps, 1);
	/* 2 bytes, 3 bytes, then 0: end of file before len */
	assert_int_equal(read_full(fds[0], buf, sizeof(buf)), 5);
	assert_int_equal(reads.calls, 3);
	assert_memory_equal(buf, "abcde", 5);
	assert_int_equal(read_full(fds[0], buf, sizeof(buf)), 0);
	/* nothing to read: no call */
	script_set(&reads, NULL, 0);
	assert_int_equal(read_full(fds[0], buf, 0), 0);
	assert_int_equal(reads.calls, 0);
	close(fds[0]);
}

static void test_read_error(void **state)
{
	static const int steps[] = { EINTR_STEP };
	char buf[4];
	int fds[2];

	(void)state;
	make_pipe(fds);
	/* EINTR is retried, EBADF (the pipe's write end) is not */
	script_set(&reads, steps, 1);
	assert_int_equal(read_full(fds[1], buf, sizeof(buf)), -EBADF);
	assert_int_equal(reads.calls, 2);
	close(fds[0]);
	close(fds[1]);
}

static void test_write_short_and_eintr(void **state)
{
	static const int steps[] = { EINTR_STEP, 1, EINTR_STEP, 4, 2 };
	char buf[32];
	int fds[2];

	(void)state;
	make_pipe(fds);
	script_set(&writes, steps, 5);
	assert_int_equal(write_full(fds[1], "hello, world", 12), 0);
	/* the five scripted calls and one for the last 5 bytes */
	assert_int_equal(writes.calls, 6);
	close(fds[1]);
	/* each byte once, in order, and no more */
	assert_int_equal(__real_read(fds[0], buf, sizeof(buf)), 12);
	assert_memory_equal(buf, "hello, world", 12);
	assert_int_equal(__real_read(fds[0], buf, sizeof(buf)), 0);
	close(fds[0]);
}

static void test_write_error(void **state)
{
	static const int steps[] = { EINTR_STEP, 3 };
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old;
	int fds[2];

	(void)state;
	make_pipe(fds);
	/* nothing to write: no call */
	assert_int_equal(write_full(fds[1], "", 0), 0);
	assert_int_equal(writes.calls, 0);
	/* the reader gone: EPIPE, after an EINTR retried */
	assert_int_equal(sigaction(SIGPIPE, &ignore, &old), 0);
	close(fds[0]);
	script_set(&writes, steps, 2);
	assert_int_equal(write_full(fds[1], "abcdef", 6), -EPIPE);
	assert_int_equal(writes.calls, 2);
	assert_int_equal(sigaction(SIGPIPE, &old, NULL), 0);
	close(fds[1]);
}

#define BIG 200000

static unsigned char byte_at(size_t i)
{
	return (unsigned char)(i * 31 + i / 251);
}

/* In a child: write BIG bytes in pieces of 1 to 997 (or read them back and check them). */
static int child(int fd, int writer)
{
	static unsigned char buf[BIG + 1];
	size_t at = 0;
	ssize_t n;

	if (!writer) {
		n = read_full(fd, buf, sizeof(buf));
		if (n != BIG)
			return 1;
		for (size_t i = 0; i < BIG; i++)
			if (buf[i] != byte_at(i))
				return 2;
		return 0;
	}
	for (size_t i = 0; i < BIG; i++)
		buf[i] = byte_at(i);
	for (size_t piece = 1; at < BIG; piece = piece % 997 + 1) {
		size_t len = BIG - at < piece ? BIG - at : piece;

		if (write_full(fd, buf + at, len))
			return 3;
		at += len;
	}
	return 0;
}

static pid_t spawn(int fds[2], int writer)
{
	pid_t pid;

	make_pipe(fds);
	/* a small pipe: many real short reads, and writes that wait for the reader */
	assert_true(fcntl(fds[0], F_SETPIPE_SZ, 4096) >= 4096);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[writer ? 0 : 1]);
		_exit(child(fds[writer ? 1 : 0], writer));
	}
	close(fds[writer ? 1 : 0]);
	return pid;
}

static void reap(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_real_pipe(void **state)
{
	static unsigned char buf[BIG + 1];
	int fds[2];
	pid_t pid;

	(void)state;
	/* read: the child writes in small pieces, the parent reads to end of file */
	pid = spawn(fds, 1);
	assert_int_equal(read_full(fds[0], buf, sizeof(buf)), BIG);
	assert_true(reads.calls >= BIG / 4096);
	for (size_t i = 0; i < BIG; i++)
		if (buf[i] != byte_at(i))
			fail_msg("byte %zu is %u, not %u", i, buf[i], byte_at(i));
	close(fds[0]);
	reap(pid);
	/* write: the parent writes all at once, the child reads and checks */
	for (size_t i = 0; i < BIG; i++)
		buf[i] = byte_at(i);
	pid = spawn(fds, 0);
	assert_int_equal(write_full(fds[1], buf, BIG), 0);
	close(fds[1]);
	reap(pid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_read_short_and_eintr, setup),
		cmocka_unit_test_setup(test_read_eof, setup),
		cmocka_unit_test_setup(test_read_error, setup),
		cmocka_unit_test_setup(test_write_short_and_eintr, setup),
		cmocka_unit_test_setup(test_write_error, setup),
		cmocka_unit_test_setup(test_real_pipe, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
