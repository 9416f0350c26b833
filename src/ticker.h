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

/* Start counting intervals from now; the stop signals are blocked outside the wait from here on. */
void ticker_start(struct ticker *t, unsigned int interval);

enum tick_wait {
	WAIT_TICK,
	WAIT_STOP,
	WAIT_STDOUT_GONE,
};

/* Sleep until the next tick, a stop signal, or stdout's reader leaving. */
enum tick_wait ticker_wait(struct ticker *t);

#endif
