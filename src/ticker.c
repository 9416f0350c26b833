// SPDX-License-Identifier: GPL-2.0
#include "ticker.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define N_STOP_SIGNALS (sizeof(stop_signals) / sizeof(stop_signals[0]))

void ticker_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &sa, NULL);
	/* a closed stdout pipe shows up as EPIPE, and we stop cleanly */
	sigaction(SIGPIPE, &ign, NULL);
}

int ticker_stopped(void)
{
	return stop_signal;
}

static bool stdout_is_pipe(void)
{
	struct stat st;

	return fstat(STDOUT_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

static void stop_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < N_STOP_SIGNALS; i++)
		sigaddset(set, stop_signals[i]);
}

/* The calling thread's mask with the stop signals let through. */
static void open_mask(sigset_t *mask)
{
	pthread_sigmask(SIG_BLOCK, NULL, mask);
	for (size_t i = 0; i < N_STOP_SIGNALS; i++)
		sigdelset(mask, stop_signals[i]);
}

void ticker_block_stops(sigset_t *old)
{
	sigset_t stops;

	stop_set(&stops);
	pthread_sigmask(SIG_BLOCK, &stops, old);
}

void ticker_start(struct ticker *t, unsigned int interval)
{
	/* blocked except inside ppoll, so one arriving between the check and the sleep is not lost */
	ticker_block_stops(NULL);
	open_mask(&t->waitmask);
	t->interval = interval;
	t->watch_stdout = stdout_is_pipe();
	clock_gettime(CLOCK_MONOTONIC, &t->deadline);
}

enum tick_wait ticker_wait(struct ticker *t)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = 0 };

	t->deadline.tv_sec += t->interval;
	for (;;) {
		struct timespec now, left;

		if (stop_signal)
			return WAIT_STOP;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = t->deadline.tv_sec - now.tv_sec;
		left.tv_nsec = t->deadline.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0) {
			/*
			 * A whole interval missed (stopped, suspended, starved): one
			 * block now covers all of it, and the schedule starts again
			 * from now rather than catching up with a burst of blocks.
			 */
			if (left.tv_sec < -(time_t)t->interval)
				t->deadline = now;
			return WAIT_TICK;
		}
		if (ppoll(&pfd, t->watch_stdout ? 1 : 0, &left, &t->waitmask) > 0 &&
		    (pfd.revents & (POLLERR | POLLHUP)))
			return WAIT_STDOUT_GONE;
	}
}

int ticker_wait_writable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
	sigset_t mask;
	int n;

	if (stop_signal && timeout_ms < 0)
		return -EINTR;
	open_mask(&mask);
	n = ppoll(&pfd, 1, timeout_ms < 0 ? NULL : &ts, &mask);
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	return pfd.revents & (POLLERR | POLLNVAL) ? -EPIPE : 1;
}

ssize_t ticker_write(int fd, const void *buf, size_t len, bool stopping)
{
	sigset_t stops, old;
	ssize_t n;
	int err;

	/*
	 * The stop signals let through for the write, so one that comes while a
	 * reader holds the pipe full cuts the write short (SA_RESTART is off).
	 * One landing between the check and the write itself is seen at the
	 * next write or wait.  Once stopping, what is left goes out in pieces
	 * a pipe that polled writable takes without blocking, and only another
	 * stop signal cuts one short.
	 */
	stop_set(&stops);
	pthread_sigmask(SIG_UNBLOCK, &stops, &old);
	if (stopping && len > PIPE_BUF)
		len = PIPE_BUF;
	else if (!stopping && stop_signal) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return -EINTR;
	}
	n = write(fd, buf, len);
	err = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return n < 0 ? -err : n;
}
