// SPDX-License-Identifier: GPL-2.0
/*
 * bcc-execcount - count execve() calls per user with eBPF through libbcc.
 *
 *   argv -> cli -> probe source -> hook choice -> cache hit, or compile
 *   (-D settings) and store -> contract -> load -> attach -> self-test ->
 *   loop: snapshot, delta, render -> detach -> final
 *
 * main() only orchestrates: every phase lives in its own file and reports its
 * own error; main maps the failing phase to an exit code (sysexits.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "attach.h"
#include "cache.h"
#include "cflags.h"
#include "cgroups.h"
#include "cli.h"
#include "counts.h"
#include "doctor.h"
#include "http.h"
#include "kernel.h"
#include "log.h"
#include "metrics.h"
#include "output.h"
#include "privs.h"
#include "probe.h"
#include "source.h"
#include "textfile.h"
#include "users.h"
#include "versions.h"

#ifndef EXECCOUNT_VERSION
#define EXECCOUNT_VERSION "0.0.0"
#endif

/* The self-test execs this: no file can have an empty name, so it always fails with ENOENT. */
#define SELF_TEST_PATH ""

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* SA_RESTART off, so a signal cuts a wait short; sigaction also overrides an inherited SIG_IGN. */
static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a closed stdout pipe shows up as EPIPE, and we stop cleanly */
	sigaction(SIGPIPE, &ign, NULL);
}

static double ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1e3 + (now.tv_nsec - start->tv_nsec) / 1e6;
}

static void stage_done(const char *stage, struct timespec *start)
{
	log_verbose("%-9s %7.1f ms", stage, ms_since(start));
	clock_gettime(CLOCK_MONOTONIC, start);
}

/*
 * Make one call of each counted syscall on a path that cannot exist and see
 * the hooks count them, at entry and at exit: proves they fire.  The probe
 * keeps these calls out of the counts.
 */
static int self_test(struct probe *probe, unsigned int syscalls)
{
	char *const args[] = { (char *)"bcc-execcount-self-test", NULL };
	char *const env[] = { NULL };
	uint64_t entries, exits, entries_after, exits_after, calls = 0;
	int err;

	err = probe_self_hits(probe, &entries, &exits);
	if (err)
		return err;
	if (syscalls & SYSCALL_EXECVE) {
		execve(SELF_TEST_PATH, args, env);
		calls++;
	}
	if (syscalls & SYSCALL_EXECVEAT) {
		syscall(SYS_execveat, AT_FDCWD, SELF_TEST_PATH, args, env, 0);
		calls++;
	}
	err = probe_self_hits(probe, &entries_after, &exits_after);
	if (err)
		return err;
	if (entries_after - entries != calls || exits_after - exits != calls) {
		log_msg("self-test failed: of this process's %" PRIu64
			" exec calls the hooks saw %" PRIu64 " at entry and %" PRIu64
			" at exit -- either a hook is not on the exec path, or the probe does not count its own process into table 'self' as the built-in one does (--print-probe)",
			calls, entries_after - entries, exits_after - exits);
		return -ENODATA;
	}
	return 0;
}

enum wait_result {
	WAIT_TICK,
	WAIT_STOP,
	WAIT_STDOUT_GONE,
};

/*
 * Sleep until deadline (CLOCK_MONOTONIC).  The stop signals are blocked
 * except inside ppoll, so one arriving between the check and the sleep is
 * not lost.  When stdout is a pipe, its reader going away wakes us too.
 */
static enum wait_result wait_until(const struct timespec *deadline, const sigset_t *waitmask,
				   bool watch_stdout)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = 0 };

	for (;;) {
		struct timespec now, left;

		if (stop_signal)
			return WAIT_STOP;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = deadline->tv_sec - now.tv_sec;
		left.tv_nsec = deadline->tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			return WAIT_TICK;
		if (ppoll(&pfd, watch_stdout ? 1 : 0, &left, waitmask) > 0 &&
		    (pfd.revents & (POLLERR | POLLHUP)))
			return WAIT_STDOUT_GONE;
	}
}

static bool stdout_is_pipe(void)
{
	struct stat st;

	return fstat(STDOUT_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

struct counter {
	const struct config *cfg;
	struct key_layout layout;
	struct probe *probe;
	struct user_names *users;
	struct cgroup_names *cgroups;
	struct snapshot cur;
	struct snapshot prev;
	uint64_t dropped_said; /* the dropped count last warned about */
	bool live;	       /* the table redrawn in place on a terminal */
	const char *hook_kind; /* "kprobe" or "tracepoint", for the live header */
	/* the metrics: --listen, --textfile */
	struct http_server *http;
	struct metrics_info metrics;
	bool textfile_failing; /* said once per run of failed writes */
};

/*
 * After writing to stdout: 0; -EPIPE when its reader has gone away (a clean
 * end: `| head -1`); another -errno, reported here, when writing failed.
 * errno is cleared before the writes, so it names the write that failed.
 */
static int stdout_status(void)
{
	int err;

	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	err = errno ? errno : EIO;
	if (err == EPIPE)
		return -EPIPE;
	log_msg("writing to stdout: %s", strerror(err));
	return -err;
}

/* Names for the first n rows (those printed or exported): users, cgroup paths. */
static void name_rows(struct counter *c, size_t n)
{
	if (n > c->cur.len)
		n = c->cur.len;
	for (size_t i = 0; i < n; i++) {
		struct count_row *row = &c->cur.rows[i];

		if (c->users)
			row->user = user_names_get(c->users, row->key.uid);
		if (c->cgroups)
			row->cgroup = cgroup_names_get(c->cgroups, row->key.cgroup);
	}
}

/*
 * The metrics page from the current snapshot, to the HTTP server and the
 * textfile.  A failed textfile write is said once and retried every
 * interval: the counts are safe in the kernel meanwhile.
 */
static int export_metrics(struct counter *c)
{
	char *page = NULL;
	size_t len = 0;
	FILE *m;
	int err;

	if (!c->http && !c->cfg->textfile)
		return 0;
	counts_sort(&c->cur, ORDER_BY_COUNT);
	name_rows(c, c->cfg->max_series);
	m = open_memstream(&page, &len);
	if (!m || metrics_render(m, c->cfg, &c->cur, &c->metrics) || fclose(m)) {
		if (m)
			fclose(m);
		free(page);
		log_msg("out of memory rendering the metrics");
		return -ENOMEM;
	}
	err = c->http ? http_publish(c->http, page, len) : 0;
	if (!err && c->cfg->textfile) {
		int werr = textfile_write(c->cfg->textfile, page, len);

		if (werr && !c->textfile_failing)
			log_msg("warning: writing --textfile %s: %s -- retrying every interval",
				c->cfg->textfile, strerror(-werr));
		else if (!werr && c->textfile_failing)
			log_msg("--textfile %s written again", c->cfg->textfile);
		c->textfile_failing = werr != 0;
	}
	free(page);
	if (err)
		log_msg("out of memory publishing the metrics");
	return err;
}

/* Rows for the live view: as many as fit the terminal, unless -r/--top says. */
static unsigned long live_rows(const struct config *cfg)
{
	struct winsize ws;

	if (cfg->top)
		return cfg->top;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row == 0)
		return 20;
	/* header, blank, column names, the "more keys" and "dropped" lines, the last newline */
	return ws.ws_row > 12 ? ws.ws_row - 7 : 5;
}

/* Read the table, work out deltas, export, print.  -EPIPE when stdout has gone away. */
static int emit(struct counter *c, bool final)
{
	struct config view = *c->cfg; /* with the rows this block shows */
	struct timespec now;
	char *block = NULL;
	size_t block_len = 0;
	FILE *mem, *out;
	int err;

	err = probe_read_counts(c->probe, &c->layout, &c->cur);
	if (err)
		return err;
	counts_sort(&c->cur, ORDER_BY_KEY);
	counts_merge(&c->cur);
	counts_delta(&c->cur, &c->prev);
	if (c->cgroups)
		cgroup_names_next_block(c->cgroups);
	err = snapshot_copy(&c->prev, &c->cur);
	if (err) {
		log_msg("out of memory keeping %zu rows", c->cur.len);
		return err;
	}
	if (c->cur.dropped > c->dropped_said) {
		log_msg("warning: %" PRIu64
			" execs not counted: the table is full at %lu keys -- raise --max-keys",
			c->cur.dropped - c->dropped_said, c->cfg->max_keys);
		c->dropped_said = c->cur.dropped;
	}
	err = export_metrics(c);
	if (err)
		return err;
	view.top = c->live ? live_rows(c->cfg) : c->cfg->top;
	/* classic is the original's line: uid order (of the --top busiest), no names */
	if (c->cfg->format == FORMAT_CLASSIC) {
		struct snapshot busiest = { .rows = c->cur.rows, .len = c->cur.len };

		if (view.top && view.top < c->cur.len) {
			counts_sort(&c->cur, ORDER_BY_COUNT);
			busiest.len = view.top;
		}
		counts_sort(&busiest, ORDER_BY_KEY);
	} else {
		counts_sort(&c->cur, c->cfg->sort);
		name_rows(c, view.top ? view.top : c->cur.len);
	}
	clock_gettime(CLOCK_REALTIME, &now);
	/*
	 * The block is rendered in memory and written at once: stdout is line
	 * buffered (each interval must reach a pipe at once), and a write per row
	 * was a fifth of the tool's CPU with 1,000 keys (docs/performance.md).  A
	 * terminal redrawn in place gets its whole screen in one write too.
	 */
	mem = open_memstream(&block, &block_len);
	out = mem ? mem : stdout;
	errno = 0;
	if (c->live)
		output_live(&view, out, &c->cur, &now, final, c->hook_kind);
	else
		output_rows(&view, out, &c->cur, &now, final);
	if (mem) {
		err = fclose(mem) ? -ENOMEM : 0;
		errno = 0;
		if (!err) {
			fwrite(block, 1, block_len, stdout);
			fflush(stdout);
		}
		free(block);
		if (err) {
			log_msg("out of memory rendering %zu rows", c->cur.len);
			return err;
		}
	}
	return stdout_status();
}

/* Only the caches the output needs: classic prints bare uids, and cgroups need --by cgroup. */
static int names_setup(struct counter *c)
{
	char root[PATH_MAX];
	FILE *mountinfo;
	int err = -ENOENT;

	/* classic prints bare uids, but the metrics carry user names */
	if ((c->cfg->by_mask & 1u << FIELD_UID) &&
	    (c->cfg->format != FORMAT_CLASSIC || c->http || c->cfg->textfile)) {
		c->users = user_names_new(NULL);
		if (!c->users) {
			log_msg("out of memory");
			return -ENOMEM;
		}
	}
	if (!(c->cfg->by_mask & 1u << FIELD_CGROUP))
		return 0;
	mountinfo = fopen("/proc/self/mountinfo", "r");
	if (mountinfo) {
		err = cgroup2_mount_find(mountinfo, root, sizeof(root));
		fclose(mountinfo);
	}
	if (err) {
		/* the ids are still counted and shown; only their paths are unknown */
		log_msg("warning: no cgroup2 mount found: cgroups are shown by id only");
		return 0;
	}
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

static int print_versions(void)
{
	char llvm[300];

	/* LLVM is mapped only with libbcc proper, which compiles: load it to name it */
	probe_compiler_load();
	llvm_describe(llvm, sizeof(llvm));
	errno = 0;
	printf("bcc-execcount %s\nlibbcc %s\nLLVM %s\n", EXECCOUNT_VERSION, probe_libbcc_version(),
	       llvm);
	return stdout_status() ? EXIT_FAILURE : EX_OK;
}

static int doctor(const struct config *cfg)
{
	int failed;

	probe_compiler_load();
	errno = 0;
	failed = doctor_run(stdout, probe_libbcc_version(),
			    cfg->no_cache    ? NULL
			    : cfg->cache_dir ? cfg->cache_dir
					     : CACHE_DEFAULT_DIR);
	if (stdout_status())
		return EXIT_FAILURE;
	return failed ? EXIT_FAILURE : EX_OK;
}

static int print_probe(void)
{
	struct probe_source src;

	source_builtin(&src);
	errno = 0;
	fwrite(src.text, 1, src.len, stdout);
	return stdout_status() ? EXIT_FAILURE : EX_OK;
}

/* The kernel's version: one too old fails late and obscurely (an unknown helper), so say it. */
static int kernel_version_check(void)
{
	struct utsname u;
	unsigned int major, minor;

	if (uname(&u) || kernel_release_check(u.release, &major, &minor) != -EOPNOTSUPP)
		return EX_OK;
	log_msg("Linux %u.%u is too old: the probe needs Linux %s or later (for %s) -- run it on a newer kernel (%s and later are tested)",
		major, minor, KERNEL_MIN_TEXT, KERNEL_MIN_WHY, KERNEL_TESTED_TEXT);
	return EX_UNAVAILABLE;
}

/* Kernel headers: libbcc compiles against them and is unhelpful when they are missing. */
static int headers_check(void)
{
	struct headers_info headers;

	if (kernel_headers_find(&headers)) {
		if (headers.from_env)
			log_msg("kernel headers at %s are incomplete: %s is missing -- the tree needs the source and the generated headers both (Debian splits them into linux-headers-<abi>-common and -<flavour>; scripts/setup.sh links them under /lib/modules)",
				headers.path, headers.missing);
		else
			log_msg("no kernel headers for %s (%s is missing) -- install linux-headers-%s, or point --kernel-headers DIR (BCC_KERNEL_SOURCE) at a kernel tree; scripts/setup.sh links the distribution's nearest headers",
				headers.release, headers.missing, headers.release);
		return EX_UNAVAILABLE;
	}
	log_verbose("kernel headers: %s", headers.path);
	return EX_OK;
}

/* The environment libbcc and clang read while compiling: part of the cache key. */
static void compile_env(char *buf, size_t len)
{
	static const char *const names[] = { "BCC_KERNEL_SOURCE",
					     "BCC_LINUX_VERSION_CODE",
					     "BCC_KERNEL_MODULES_SUFFIX",
					     "ARCH",
					     "CPATH",
					     "C_INCLUDE_PATH" };
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && at < len; i++) {
		const char *v = getenv(names[i]);

		if (v)
			at += snprintf(buf + at, len - at, "%s%s=%s", at ? " " : "", names[i], v);
	}
}

/*
 * The probe compiled, with its tables created: loaded from the cache when it
 * holds this very build (no clang, no LLVM in the process), else compiled by
 * clang through libbcc.  key (KEY_MAX bytes) is the cache key, and *store
 * says whether to keep the compile in the cache once the probe has proved
 * itself (the caller does).  Returns an exit code.
 */
#define KEY_MAX 8192
static int probe_get(const struct config *cfg, const struct cache *cache,
		     const struct probe_source *src, const struct hooks *hooks,
		     struct probe **probe, struct timespec *stage, char *key, bool *store)
{
	struct probe_image img = { 0 };
	struct cflags cflags;
	struct utsname u;
	char path[PATH_MAX], headers[2 * PATH_MAX + 64], env[4096], libbcc[PATH_MAX + 64];
	bool cacheable = cache->usable;
	int err, rc;

	*store = false;
	cflags_build(&cflags, cfg, hooks->kind == HOOK_KPROBE, hooks->syscall_wrapper);
	for (int i = 0; i < cflags.n; i++)
		log_verbose("cflag: %s", cflags.argv[i]);
	if (cacheable) {
		uname(&u);
		kernel_headers_identity(headers, sizeof(headers));
		compile_env(env, sizeof(env));
		probe_libbcc_identity(libbcc, sizeof(libbcc));
		if (cache_key_text(&(struct cache_key_input){ .tool_version = EXECCOUNT_VERSION,
							      .libbcc_version = libbcc,
							      .release = u.release,
							      .build = u.version,
							      .machine = u.machine,
							      .headers = headers,
							      .env = env,
							      .cflags = cflags.argv,
							      .ncflags = cflags.n,
							      .source = src->text,
							      .source_len = src->len },
				   key, KEY_MAX)) {
			log_verbose(
				"cache: not used: a setting is too long for the key, or holds a newline");
			cacheable = false;
		}
	}
	if (cacheable) {
		cache_entry_path(cache, key, path);
		err = cache_load(cache, key, &img);
		if (err == 0) {
			log_verbose("cache: hit %s", path);
			err = probe_from_image(probe, &img);
			image_free(&img);
			if (err == -EPERM)
				return EX_NOPERM;
			if (err == 0) {
				stage_done("cache", stage);
				return EX_OK;
			}
			/* what libbcc made, the image could not make again: compile, keep nothing */
			log_msg("cache entry %s could not be loaded -- compiling the probe", path);
			cacheable = false;
		} else if (err == -ENOENT) {
			log_verbose("cache: miss %s", path);
		}
	} else if (cfg->no_cache) {
		log_verbose("cache: off (--no-cache)");
	}

	rc = headers_check();
	if (rc != EX_OK)
		return rc;
	err = probe_compile(probe, src->text, src->len, src->name, cflags.argv, cflags.n);
	if (err)
		return err == -EINVAL ? EX_DATAERR : err == -ENOENT ? EX_UNAVAILABLE : EXIT_FAILURE;
	stage_done("compile", stage);
	*store = cacheable && probe_cacheable(*probe);
	if (cacheable && !*store)
		log_verbose(
			"cache: not stored: the probe has tables a start from the cache could not make the same (pinned, or of a type needing BTF)");
	return EX_OK;
}

static int run(const struct config *cfg)
{
	struct probe_source src = { 0 };
	struct cache cache = { .usable = false };
	char key[KEY_MAX];
	bool store = false;
	struct hooks hooks = { 0 };
	struct counter c = { .cfg = cfg };
	const char *fns[HOOKS_MAX], *hook_names[HOOKS_MAX];
	int prog_fds[HOOKS_MAX];
	struct timespec stage, deadline;
	sigset_t stops, waitmask;
	unsigned long ticks = 0;
	bool watch_stdout;
	int err, rc = EX_OK;

	clock_gettime(CLOCK_MONOTONIC, &stage);

	/* The probe's text: built in, or the user's file. */
	if (cfg->probe_path) {
		err = source_read(&src, cfg->probe_path);
		if (err) {
			rc = (err == -EFBIG || err == -EINVAL) ? EX_DATAERR : EX_NOINPUT;
			goto out;
		}
	} else {
		source_builtin(&src);
	}

	/* The kernel, then privileges: say what is needed before libbcc fails on its first map. */
	rc = kernel_version_check();
	if (rc != EX_OK)
		goto out;
	if (!kernel_initial_userns()) {
		log_msg("eBPF cannot be used from inside a user namespace (a rootless container?): its capabilities count only there -- run it on the host, as root");
		rc = EX_NOPERM;
		goto out;
	}
	if (!kernel_privileged()) {
		log_msg("loading eBPF needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN (mounting tracefs too) -- run as root: sudo bcc-execcount");
		rc = EX_NOPERM;
		goto out;
	}

	/* Where the metrics go: checked before anything is attached. */
	if (cfg->textfile && textfile_check(cfg->textfile)) {
		rc = EX_CANTCREAT;
		goto out;
	}
	if (cfg->listen) {
		err = http_bind(&c.http, &cfg->listen_addr);
		if (err) {
			rc = err == -ENOMEM ? EXIT_FAILURE : EX_UNAVAILABLE;
			goto out;
		}
	}

	/* The compiled-program cache: a --cache-dir that cannot be used is refused now. */
	if (!cfg->no_cache &&
	    cache_open(&cache, cfg->cache_dir ? cfg->cache_dir : CACHE_DEFAULT_DIR,
		       cfg->cache_dir)) {
		rc = EX_CANTCREAT;
		goto out;
	}

	/* The hooks: ask the kernel what it offers before trying anything. */
	err = hooks_choose(cfg->attach, cfg->syscalls, &hooks);
	if (err) {
		rc = (err == -EPERM || err == -EACCES) ? EX_NOPERM : EX_UNAVAILABLE;
		goto out;
	}
	for (unsigned int i = 0; i < hooks.n; i++) {
		fns[i] = hooks.at[i].fn;
		hook_names[i] = hooks.at[i].name;
		log_verbose("hook: %-40s -> %s()", hooks.at[i].name, hooks.at[i].fn);
	}

	if (cfg->kernel_headers && setenv("BCC_KERNEL_SOURCE", cfg->kernel_headers, 1)) {
		log_msg("setting BCC_KERNEL_SOURCE: %s", strerror(errno));
		rc = EXIT_FAILURE;
		goto out;
	}
	stage_done("checks", &stage);
	if (stop_signal)
		goto out;

	/* The probe: from the cache, or compiled (-D settings); the tables are created here. */
	rc = probe_get(cfg, &cache, &src, &hooks, &c.probe, &stage, key, &store);
	if (rc != EX_OK)
		goto out;
	key_layout_init(&c.layout, cfg->by_mask);
	err = probe_check_contract(c.probe, &c.layout, fns, hooks.n);
	if (err) {
		rc = EX_DATAERR;
		goto out_probe;
	}
	if (stop_signal)
		goto out_probe;

	/* Load: the kernel verifier checks each program (and says how, with --verbose). */
	for (unsigned int i = 0; i < hooks.n; i++) {
		struct load_stats stats = { 0 };

		prog_fds[i] =
			probe_load(c.probe, hooks.at[i].fn, attachment_prog_type(&hooks.at[i]),
				   cfg->verbose ? &stats : NULL);
		if (prog_fds[i] < 0) {
			rc = prog_fds[i] == -EPERM ? EX_NOPERM : EX_DATAERR;
			goto out_probe;
		}
		if (stats.insns)
			log_verbose("verify    %7.1f ms  %s(): %lu instructions processed",
				    stats.verify_us / 1e3, hooks.at[i].fn, stats.insns);
	}
	stage_done("load", &stage);

	/* Attach, then prove the hooks fire. */
	err = probe_self_set(c.probe);
	if (!err)
		err = hooks_attach(&hooks, prog_fds);
	if (err) {
		rc = EXIT_FAILURE;
		goto out_probe;
	}
	stage_done("attach", &stage);
	err = self_test(c.probe, cfg->syscalls);
	if (err) {
		rc = EXIT_FAILURE;
		goto out_detach;
	}
	stage_done("self-test", &stage);
	/* a compile that was checked, loaded, attached and seen counting: kept for the next start */
	if (store) {
		cache_store(&cache, key, probe_image(c.probe));
		stage_done("store", &stage);
	}
	if (stop_signal)
		goto out_detach;

	err = names_setup(&c);
	if (err) {
		rc = EXIT_FAILURE;
		goto out_detach;
	}
	log_counting(&hooks, cfg->interval);
	c.hook_kind = hooks.kind == HOOK_KPROBE ? "kprobe" : "tracepoint";
	c.live = cfg->format == FORMAT_TABLE && !cfg->noclear && isatty(STDOUT_FILENO);
	c.metrics = (struct metrics_info){ .hooks = hook_names,
					   .nhooks = hooks.n,
					   .version = EXECCOUNT_VERSION,
					   .libbcc_version = probe_libbcc_version() };
	/* the hooks and versions are worth a page before the first interval */
	err = export_metrics(&c);
	if (err) {
		rc = EXIT_FAILURE;
		goto out_detach;
	}
	/* running for days: keep only what reading the maps (and the textfile) needs */
	if (c.http || cfg->textfile) {
		err = privileges_drop(cfg->textfile != NULL);
		if (!err && c.http)
			err = http_serve(c.http);
		if (err) {
			rc = EXIT_FAILURE;
			goto out_detach;
		}
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	errno = 0;
	output_start(cfg, stdout,
		     &(struct run_info){ .hooks = hook_names,
					 .nhooks = hooks.n,
					 .probe = cfg->probe_path ? cfg->probe_path : "builtin",
					 .pid = getpid(),
					 .version = EXECCOUNT_VERSION },
		     &deadline);
	err = stdout_status();
	if (err) {
		rc = err == -EPIPE ? EX_OK : EXIT_FAILURE;
		goto out_detach;
	}

	/* Count: one block per interval until a signal, COUNT, or stdout goes away. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, &waitmask);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGHUP);
	watch_stdout = stdout_is_pipe();
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	for (;;) {
		enum wait_result w;

		deadline.tv_sec += cfg->interval;
		w = wait_until(&deadline, &waitmask, watch_stdout);
		if (w == WAIT_STDOUT_GONE)
			goto out_detach;
		if (w == WAIT_STOP)
			break;
		err = emit(&c, false);
		if (err == -EPIPE)
			goto out_detach;
		if (err) {
			rc = EXIT_FAILURE;
			goto out_detach;
		}
		if (cfg->count && ++ticks == cfg->count)
			break;
	}

	/* Stop counting first, so the final totals are the last word. */
	hooks_detach(&hooks);
	err = emit(&c, true);
	/* a hung-up terminal (SIGHUP) cannot take the final block: not a failure */
	if (err && err != -EPIPE && !(err == -EIO && stop_signal == SIGHUP))
		rc = EXIT_FAILURE;

out_detach:
	hooks_detach(&hooks);
out_probe:
	probe_destroy(c.probe);
out:
	http_stop(c.http);
	user_names_free(c.users);
	cgroup_names_free(c.cgroups);
	snapshot_free(&c.cur);
	snapshot_free(&c.prev);
	source_free(&src);
	return rc;
}

/*
 * The exit.  libbcc.so.0 and libbcc_bpf.so.0 (one package) define the same
 * C++ globals (bcc's USDT parser tables); loaded side by side, as after a
 * compile, each library's constructor and destructor runs on the one
 * interposed object, and exit() would destroy it twice (ASan: a
 * use-after-free in libbcc_bpf's destructor).  Such a process ends with
 * _exit() once its output is flushed: nothing of ours needs destructors.
 * The sanitized build runs its leak check first (tests/sanitize/lsan.supp
 * has the one leak the double construction makes).
 */
static int finish(int rc)
{
	if (!probe_compiler_loaded())
		return rc;
	/* what stdout takes was checked already; what it does not (a closed pipe) is not news */
	fflush(NULL);
#ifdef __SANITIZE_ADDRESS__
	__lsan_do_leak_check();
#endif
	_exit(rc);
}

int main(int argc, char **argv)
{
	struct config cfg;

	/* a closed fd 0-2 would be reused by the first file we open, and written to as stdout */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
			return EXIT_FAILURE;
	/* getopt names the program after argv[0]: keep every message's prefix the same */
	argv[0] = (char *)PROG_NAME;
	if (cli_parse(&cfg, argc, argv, stdout, stderr))
		return EX_USAGE;
	log_setup(stderr, cfg.verbose);
	switch (cfg.action) {
	case CLI_HELP:
		return EX_OK;
	case CLI_VERSION:
		return finish(print_versions());
	case CLI_PRINT_PROBE:
		return print_probe();
	case CLI_DOCTOR:
		return finish(doctor(&cfg));
	case CLI_RUN:
		break;
	}
	setlinebuf(stdout);
	install_signals();
	return finish(run(&cfg));
}
