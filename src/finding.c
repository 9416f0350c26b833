// SPDX-License-Identifier: GPL-2.0
#include "finding.h"

#include <stdarg.h>

#include "log.h"

void finding_set(struct finding *f, enum finding_level level, const char *check, int err,
		 const char *hint, const char *fmt, ...)
{
	va_list ap;

	f->level = level;
	f->check = check;
	f->err = level == FINDING_FAIL ? err : 0;
	snprintf(f->hint, sizeof(f->hint), "%s", hint ? hint : "");
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

void finding_print(FILE *out, const struct finding *f)
{
	static const char *const levels[] = { "ok", "warn", "fail" };

	fprintf(out, "%-4s %s: %s%s%s\n", levels[f->level], f->check, f->detail,
		*f->hint ? " -- " : "", f->hint);
}

int finding_report(const struct finding *f)
{
	const char *sep = *f->hint ? " -- " : "";

	switch (f->level) {
	case FINDING_FAIL:
		log_msg("%s%s%s", f->detail, sep, f->hint);
		return f->err;
	case FINDING_WARN:
		log_msg("warning: %s%s%s", f->detail, sep, f->hint);
		return 0;
	case FINDING_OK:
	default:
		log_verbose("%s: %s", f->check, f->detail);
		return 0;
	}
}
