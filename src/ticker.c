// SPDX-License-Identifier: GPL-2.0
#include "ticker.h"

#include <poll.h>
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

void ticker_start(struct ticker *t, unsigned int interval)
{
	sigset_t stops;

	/* blocked except inside ppoll, so one arriving between the check and the sleep is not lost */
	sigemptyset(&stops);
	for (size_t i = 0; i < N_STOP_SIGNALS; i++)
		sigaddset(&stops, stop_signals[i]);
	sigprocmask(SIG_BLOCK, &stops, &t->waitmask);
	for (size_t i = 0; i < N_STOP_SIGNALS; i++)
		sigdelset(&t->waitmask, stop_signals[i]);
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
		if (left.tv_sec < 0)
			return WAIT_TICK;
		if (ppoll(&pfd, t->watch_stdout ? 1 : 0, &left, &t->waitmask) > 0 &&
		    (pfd.revents & (POLLERR | POLLHUP)))
			return WAIT_STDOUT_GONE;
	}
}
