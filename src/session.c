// SPDX-License-Identifier: GPL-2.0
#include "session.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "cgroups.h"
#include "log.h"
#include "preflight.h"
#include "privs.h"
#include "selftest.h"
#include "textfile.h"
#include "ticker.h"
#include "users.h"

#ifndef EXECCOUNT_VERSION
#define EXECCOUNT_VERSION "0.0.0"
#endif

/* A row's names, asked for by the tick once per row and interval: users, cgroup paths. */
static void name_row(void *ctx, struct count_row *row)
{
	struct session *s = ctx;

	if (s->users)
		row->user = user_names_get(s->users, row->key.uid);
	if (s->cgroups)
		row->cgroup = cgroup_names_get(s->cgroups, row->key.cgroup);
}

void session_init(struct session *s, const struct config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->attach = cfg->attach;
	tick_init(&s->tick, name_row, s);
}

int session_source(struct session *s)
{
	if (!s->cfg->probe_path) {
		source_builtin(&s->src);
		return 0;
	}
	return source_read(&s->src, s->cfg->probe_path);
}

/* The kernel, then privileges: say what is needed before libbcc fails on its first map. */
int session_kernel(struct session *s)
{
	struct finding f;
	struct utsname u;

	(void)s;
	if (uname(&u))
		return 0;
	check_kernel(&f, u.release);
	/* a release without a version says nothing: go on */
	return f.level == FINDING_FAIL ? finding_report(&f) : 0;
}

int session_privileges(struct session *s)
{
	struct finding f;

	(void)s;
	check_privileges(&f);
	return finding_report(&f);
}

/* Where the metrics go: checked before anything is attached. */
int session_textfile(struct session *s)
{
	return s->cfg->textfile ? textfile_check(s->cfg->textfile) : 0;
}

int session_listen(struct session *s)
{
	return s->cfg->listen ? http_bind(&s->http, &s->cfg->listen_addr) : 0;
}

/* The compiled-program cache: a --cache-dir that cannot be used is refused now. */
int session_cache(struct session *s)
{
	const struct config *cfg = s->cfg;

	if (cfg->no_cache)
		return 0;
	return cache_open(&s->cache, cfg->cache_dir ? cfg->cache_dir : CACHE_DEFAULT_DIR,
			  cfg->cache_dir);
}

/* The hooks: ask the kernel what it offers before trying anything. */
int session_hooks(struct session *s)
{
	const struct config *cfg = s->cfg;
	struct finding why;
	int err;

	kernel_facts_read(&s->facts,
			  FACTS_MOUNT | (s->attach != ATTACH_TRACEPOINT ? FACTS_KPROBES : 0));
	if (s->facts.tracefs_mounted)
		log_verbose("mounted tracefs at %s", s->facts.tracefs);
	err = hooks_plan(&s->facts, s->attach, cfg->syscalls, cfg->by_mask, &s->hooks, &why);
	if (err)
		return finding_report(&why);
	if (why.level == FINDING_WARN)
		log_verbose("kprobes unavailable (%s); using the tracepoints", why.detail);
	for (unsigned int i = 0; i < s->hooks.n; i++) {
		s->hook_names[i] = s->hooks.at[i].name;
		log_verbose("hook: %-40s -> %s()", s->hooks.at[i].name, s->hooks.at[i].fn);
	}
	return 0;
}

/* The probe: from the cache, or compiled (-D settings); the tables are created here. */
int session_probe(struct session *s)
{
	return obtain_probe(&s->probe, s->cfg, &s->cache, &s->src, &s->hooks);
}

int session_contract(struct session *s)
{
	key_layout_init(&s->layout, s->cfg->by_mask);
	return hooks_check(&s->hooks, s->probe.probe, &s->layout);
}

/* Load: the kernel verifier checks each program (and says how, with --verbose). */
int session_load(struct session *s)
{
	return hooks_load(&s->hooks, s->probe.probe, s->cfg->verbose);
}

/*
 * The self-test armed, then the hooks.  A kernel that said it has kprobes
 * can still refuse one (a kprobe PMU without kprobe_events behind a refused
 * perf_event_open, a blacklisted symbol, a lockdown): --attach auto then
 * drops this probe and plans again on the tracepoints.
 */
int session_attach(struct session *s)
{
	const struct attachment *failed = NULL;
	int err = selftest_arm(s->probe.probe);

	if (err)
		return err;
	err = hooks_attach(&s->hooks, &failed);
	if (!err)
		return 0;
	if (s->attach == ATTACH_AUTO && s->hooks.kind == HOOK_KPROBE) {
		log_msg("warning: attaching %s failed: %s -- counting at the syscall tracepoints "
			"instead (--attach auto)",
			failed->name, strerror(-err));
		obtained_release(&s->probe);
		s->attach = ATTACH_TRACEPOINT;
		return SESSION_REPLAN;
	}
	log_msg("attaching %s failed: %s%s", failed->name, strerror(-err),
		s->hooks.kind == HOOK_KPROBE ? " -- try --attach tracepoint" : "");
	return err;
}

/* A compile that was checked, loaded, attached and seen counting: kept for the next start. */
int session_selftest(struct session *s)
{
	int err = selftest_run(s->probe.probe, s->cfg->syscalls, s->hooks.at_exit);

	if (err)
		return err;
	log_stage("self-test");
	obtained_commit(&s->probe);
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* Read the table, then the tick's sinks: metrics, then stdout.  -EPIPE when stdout has gone away. */
static int emit(struct session *c, bool final)
{
	uint64_t news;
	int err;

	err = probe_read_counts(c->probe.probe, &c->layout, tick_reading(&c->tick));
	if (err)
		return err;
	if (c->cgroups)
		cgroup_names_next_block(c->cgroups);
	err = tick_advance(&c->tick, mono_ns());
	if (err) {
		log_msg("out of memory keeping %zu rows", c->tick.cur.len);
		return err;
	}
	news = tick_dropped_news(&c->tick);
	if (news) {
		uint64_t total = c->tick.cur.dropped;

		/* what is new since the last warning, and the whole since the start */
		log_msg("warning: %" PRIu64 "%s exec%s not counted (%" PRIu64
			" in all): the table is full at %lu key%s -- raise --max-keys",
			news, news < total ? " more" : "", news == 1 ? "" : "s", total,
			c->cfg->max_keys, c->cfg->max_keys == 1 ? "" : "s");
	}
	err = exporter_publish(&c->exporter, &c->tick, &c->about);
	return err ? err : display_block(&c->display, &c->tick, final);
}

/* Only the caches the output needs: classic prints bare uids, and cgroups need --by cgroup. */
static int names_setup(struct session *c)
{
	char root[PATH_MAX];
	struct finding f;

	/* classic prints bare uids, but the metrics carry user names */
	if ((c->cfg->by_mask & 1u << FIELD_UID) &&
	    (c->cfg->format != FORMAT_CLASSIC || exporter_wanted(&c->exporter))) {
		c->users = user_names_new(NULL);
		if (!c->users) {
			log_msg("out of memory");
			return -ENOMEM;
		}
	}
	if (!(c->cfg->by_mask & 1u << FIELD_CGROUP))
		return 0;
	check_cgroup2(&f, root, sizeof(root));
	/* the ids are still counted and shown; only their paths are unknown */
	if (f.level != FINDING_OK)
		return finding_report(&f);
	log_verbose("cgroup paths: below %s", root);
	c->cgroups = cgroup_names_new(root);
	if (!c->cgroups) {
		log_msg("out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* "counting execs via <hook>, <hook>, ..., every N s": the first hook is the execve entry. */
static void log_counting(const struct hooks *hooks, unsigned int interval)
{
	char line[HOOKS_MAX * 170];
	size_t at = 0;

	line[0] = '\0';
	for (unsigned int i = 0; i < hooks->n && at < sizeof(line); i++)
		at += snprintf(line + at, sizeof(line) - at, "%s, ", hooks->at[i].name);
	log_msg("counting execs via %severy %u s; Ctrl-C to end", line, interval);
}

int session_start(struct session *s)
{
	const struct config *cfg = s->cfg;
	int err;

	exporter_init(&s->exporter, cfg, s->http);
	err = names_setup(s);
	if (err)
		return err;
	log_counting(&s->hooks, cfg->interval);
	display_init(&s->display, cfg, s->hooks.kind == HOOK_KPROBE ? "kprobe" : "tracepoint");
	s->about = (struct run_about){ .hooks = s->hook_names,
				       .nhooks = s->hooks.n,
				       .probe = cfg->probe_path ? cfg->probe_path : "builtin",
				       .pid = getpid(),
				       .version = EXECCOUNT_VERSION,
				       .libbcc_version = probe_libbcc_version() };
	/* the hooks and versions are worth a page before the first interval */
	err = exporter_publish(&s->exporter, &s->tick, &s->about);
	if (err)
		return err;
	/* running for days: keep only what reading the maps (and the textfile) needs */
	if (exporter_wanted(&s->exporter)) {
		err = privileges_drop(cfg->textfile != NULL);
		if (!err && s->http) {
			sigset_t old;

			/* its threads start with the stop signals blocked: they are for our waits */
			ticker_block_stops(&old);
			err = http_serve(s->http);
			pthread_sigmask(SIG_SETMASK, &old, NULL);
		}
		if (err)
			return err;
	}
	return display_start(&s->display, &s->about);
}

int session_count(struct session *s)
{
	struct ticker ticker;
	unsigned long ticks = 0;
	int err;

	/* one block per interval until a signal, --count, or stdout goes away */
	ticker_start(&ticker, s->cfg->interval);
	for (;;) {
		enum tick_wait w = ticker_wait(&ticker);

		if (w == WAIT_STDOUT_GONE)
			return -EPIPE;
		if (w == WAIT_STOP)
			break;
		err = emit(s, false);
		if (err == -ETIMEDOUT) /* stopped while stdout took nothing (said) */
			return 0;
		if (err)
			return err;
		if (s->cfg->count && ++ticks == s->cfg->count)
			break;
	}
	/* stop counting first, so the final totals are the last word */
	hooks_detach(&s->hooks);
	err = emit(s, true);
	/* a hung-up terminal (SIGHUP) cannot take the final block, nor a reader that
	 * took nothing within the grace after a stop signal (said): not a failure */
	if ((err == -EIO && ticker_stopped() == SIGHUP) || err == -ETIMEDOUT)
		return 0;
	return err;
}

void session_end(struct session *s)
{
	hooks_detach(&s->hooks);
	obtained_release(&s->probe);
	http_stop(s->http);
	user_names_free(s->users);
	cgroup_names_free(s->cgroups);
	tick_free(&s->tick);
	source_free(&s->src);
}
