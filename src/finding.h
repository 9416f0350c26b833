/* SPDX-License-Identifier: GPL-2.0 */
/*
 * finding.h - what one check found, in words a run and --doctor share.
 *
 * A check (preflight.h, plan.h) fills a finding; --doctor prints every one
 * as "<ok|warn|fail> <check>: <detail> -- <hint>", and a run turns a failed
 * one into its one-line error, "<detail> -- <hint>", and its err into the
 * exit code (main.c's table), so both say the same thing in the same words.
 */
#ifndef EXECCOUNT_FINDING_H
#define EXECCOUNT_FINDING_H

#include <stdio.h>

enum finding_level {
	FINDING_OK,
	FINDING_WARN,
	FINDING_FAIL,
};

struct finding {
	enum finding_level level;
	const char *check; /* "kernel", "privileges", ...: --doctor's name for it */
	char detail[512];  /* what was found */
	char hint[512];	   /* the way to the fix; "" for none */
	int err;	   /* a failure's negative errno: -EPERM, -EOPNOTSUPP, ... */
};

/* Set f, with detail as printf; hint "" for none. */
void finding_set(struct finding *f, enum finding_level level, const char *check, int err,
		 const char *hint, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* --doctor's line. */
void finding_print(FILE *out, const struct finding *f);

/*
 * For a run: a failure is logged as its one line and its err returned; a
 * warning is logged ("warning: ..."); ok is only said with --verbose.
 */
int finding_report(const struct finding *f);

#endif
