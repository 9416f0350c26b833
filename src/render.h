/* SPDX-License-Identifier: GPL-2.0 */
/*
 * render.h - what every renderer (output.h, metrics.h) is given besides the
 * rows: the few settings that shape a page, and the facts about this run.
 * Built once from the command line; the renderers never see struct config.
 */
#ifndef EXECCOUNT_RENDER_H
#define EXECCOUNT_RENDER_H

#include <sys/types.h>

#include "cli.h"

struct render_opts {
	enum output_format format;
	enum key_field by[FIELD_COUNT_]; /* --by, in display order */
	unsigned int nby;
	unsigned int by_mask;	  /* the same set, as 1u << FIELD_* */
	unsigned int syscalls;	  /* enum syscall_set */
	unsigned int interval;	  /* seconds */
	unsigned long max_keys;	  /* the kernel table's size */
	unsigned long top;	  /* rows shown; 0 = all */
	unsigned long max_series; /* keys exported to Prometheus */
};

/* o from cfg; returns o. */
const struct render_opts *render_opts_of(const struct config *cfg, struct render_opts *o);

/* About this run: the start line (json) and the metrics' info series. */
struct run_about {
	/* every attachment, the execve entry first: "kprobe:__x64_sys_execve", ... */
	const char *const *hooks;
	unsigned int nhooks;
	const char *probe; /* "builtin" or the --probe path */
	pid_t pid;
	const char *version;
	const char *libbcc_version;
};

#endif
