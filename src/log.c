// SPDX-License-Identifier: GPL-2.0
#include "log.h"

#include <stdarg.h>
#include <time.h>

static FILE *log_stream;
static bool log_verbose_on;
static struct timespec stage_start; /* when the stage now running began */

void log_setup(FILE *stream, bool verbose)
{
	log_stream = stream;
	log_verbose_on = verbose;
	clock_gettime(CLOCK_MONOTONIC, &stage_start);
}

static void log_line(const char *fmt, va_list ap)
{
	FILE *out = log_stream ? log_stream : stderr;

	fputs(PROG_NAME ": ", out);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
}

void log_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
}

void log_verbose(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose_on)
		return;
	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
}

bool log_verbose_enabled(void)
{
	return log_verbose_on;
}

void log_stage(const char *stage)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	log_verbose("%-9s %7.1f ms", stage,
		    (now.tv_sec - stage_start.tv_sec) * 1e3 +
			    (now.tv_nsec - stage_start.tv_nsec) / 1e6);
	stage_start = now;
}
