/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ticker.h - the run's clock: the stop signals (SIGINT, SIGTERM, SIGHUP),
 * and the wait for the next interval that any of them, or stdout's reader
 * going away, cuts short.  Owns the one piece of signal state, the signal
 * that asked us to stop.
 */
#ifndef EXECCOUNT_TICKER_H
#define EXECCOUNT_TICKER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

/* Catch the stop signals (SA_RESTART off, overriding an inherited SIG_IGN); ignore SIGPIPE. */
void ticker_signals(void);

/* The stop signal received, or 0. */
int ticker_stopped(void);

struct ticker {
	struct timespec deadline; /* CLOCK_MONOTONIC: the next tick */
	unsigned int interval;	  /* seconds */
	sigset_t waitmask;	  /* the mask inside ppoll: the stop signals let through */
	bool watch_stdout;	  /* stdout is a pipe or socket: its reader's end wakes us */
};

/* Block the stop signals in the calling thread (old: the mask before, or NULL): a thread started
 * then inherits them blocked, so they reach the main thread's waits and writes. */
void ticker_block_stops(sigset_t *old);

/* Start counting intervals from now; the stop signals are blocked outside the wait from here on. */
void ticker_start(struct ticker *t, unsigned int interval);

enum tick_wait {
	WAIT_TICK,
	WAIT_STOP,
	WAIT_STDOUT_GONE,
};

/*
 * Sleep until the next tick, a stop signal, or stdout's reader leaving.  A
 * tick missed by more than an interval (a stall) is not made up: the tick
 * comes at once, alone, and the next one an interval after it.
 */
enum tick_wait ticker_wait(struct ticker *t);

/*
 * Until fd can take a write: 1; 0 when timeout_ms (>= 0) passed first;
 * -EINTR when a stop signal came (at once if one came already and
 * timeout_ms < 0); -EPIPE when its reader has gone; another -errno.
 */
int ticker_wait_writable(int fd, int timeout_ms);

/*
 * write(2) that a stop signal cuts short: bytes written, or -EINTR, or
 * -errno.  stopping: a stop signal came already, write anyway (at most
 * PIPE_BUF bytes; after ticker_wait_writable()).
 */
ssize_t ticker_write(int fd, const void *buf, size_t len, bool stopping);

#endif
