/* SPDX-License-Identifier: GPL-2.0 */
/*
 * session.h - one run of the counter: the state it owns from the first check
 * to the last block, and its phases, in the order main.c runs them.  Each
 * phase is a call into the module that does the work, and returns 0 or the
 * negative errno of what failed (already said); main.c maps it to the exit
 * code.  session_end() undoes whatever the phases did, in reverse.
 */
#ifndef EXECCOUNT_SESSION_H
#define EXECCOUNT_SESSION_H

#include <stdbool.h>

#include "cache.h"
#include "display.h"
#include "exporter.h"
#include "cli.h"
#include "counts.h"
#include "http.h"
#include "kernel.h"
#include "keys.h"
#include "obtain.h"
#include "plan.h"
#include "render.h"
#include "source.h"
#include "tick.h"

struct session {
	const struct config *cfg;
	enum attach_mode attach;   /* cfg's, until --attach auto falls back to the tracepoints */
	struct probe_source src;   /* the probe's text */
	struct cache cache;	   /* the compiled-program cache, maybe unusable */
	struct http_server *http;  /* --listen, bound first, served after attaching */
	struct kernel_facts facts; /* what the kernel offers, read once */
	struct hooks hooks;	   /* planned, then loaded and attached */
	struct obtained probe;	   /* compiled or from the cache, committed after the self-test */
	struct key_layout layout;  /* the counts table's key, for --by */
	/* the intervals */
	struct user_names *users;
	struct cgroup_names *cgroups;
	struct tick tick;	/* the interval's counts and their views */
	bool live;		/* the table redrawn in place on a terminal */
	struct run_about about; /* the start line's and the metrics' facts */
	const char *hook_names[HOOKS_MAX];
	struct exporter exporter; /* --listen and --textfile */
	struct display display;	  /* stdout */
};

void session_init(struct session *s, const struct config *cfg);

int session_source(struct session *s);	   /* the built-in probe, or --probe FILE */
int session_kernel(struct session *s);	   /* new enough (check_kernel) */
int session_privileges(struct session *s); /* eBPF allowed (check_privileges) */
int session_textfile(struct session *s);   /* --textfile's directory can take the file */
int session_listen(struct session *s);	   /* --listen's address bound */
int session_cache(struct session *s);	   /* the cache opened; --cache-dir refused if unusable */
int session_hooks(struct session *s);	   /* the kernel's facts read, the hooks planned */
int session_probe(struct session *s);	   /* obtained: from the cache, or compiled */
int session_contract(struct session *s);   /* every table and function the host uses */
int session_load(struct session *s);	   /* the verifier accepts each program */
/* The self-test armed, the hooks attached; SESSION_REPLAN: plan again from session_hooks(). */
int session_attach(struct session *s);
#define SESSION_REPLAN 1
int session_selftest(struct session *s); /* the hooks seen firing; the compile kept */
int session_start(struct session *s);	 /* names, metrics, privileges dropped, the start line */
/* The intervals until a stop signal or --count, then the final block; -EPIPE: stdout gone. */
int session_count(struct session *s);

/* Detach, destroy, free: safe after any phase. */
void session_end(struct session *s);

#endif
