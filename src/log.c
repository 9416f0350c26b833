// SPDX-License-Identifier: GPL-2.0
#include "log.h"

#include <stdarg.h>

static FILE *log_stream;
static bool log_verbose_on;

void log_setup(FILE *stream, bool verbose)
{
	log_stream = stream;
	log_verbose_on = verbose;
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
