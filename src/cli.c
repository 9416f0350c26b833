// SPDX-License-Identifier: GPL-2.0
#include "cli.h"

#include <arpa/inet.h>
#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

enum {
	OPT_PRINT_PROBE = 0x100,
	OPT_USAGE,
	OPT_SYSCALLS,
	OPT_MAX_KEYS,
	OPT_UID,
	OPT_TOP,
	OPT_LISTEN,
	OPT_TEXTFILE,
	OPT_MAX_SERIES,
	OPT_DOCTOR,
	OPT_CACHE_DIR,
	OPT_NO_CACHE,
};

static const char doc[] =
	"Count execve() and execveat() calls per user, or per program, path or cgroup,\n"
	"with eBPF: a table of calls, successes and failures every INTERVAL seconds.\n"
	"\n"
	"The probe (probes/execcount.bpf.c, built in) is compiled with libbcc at start\n"
	"(once: later starts load it from /var/cache/bcc-execcount), attached to the\n"
	"exec syscalls and checked by execs of its own; counting starts then and runs\n"
	"until Ctrl-C, or for COUNT intervals.\n"
	"\n"
	"EXAMPLES:\n"
	"    bcc-execcount                  # table every 5 seconds until Ctrl-C\n"
	"    bcc-execcount 1 10             # every second, 10 times\n"
	"    bcc-execcount -b comm          # which programs call exec\n"
	"    bcc-execcount -b uid,exe --top 10\n"
	"                                   # who runs what: the 10 busiest\n"
	"    bcc-execcount --uid 1000 -b cgroup\n"
	"                                   # uid 1000's execs, per cgroup\n"
	"    bcc-execcount -f json          # JSON lines, for scripts\n"
	"    bcc-execcount --listen 9435    # metrics at http://127.0.0.1:9435/metrics\n"
	"    bcc-execcount --textfile /var/lib/prometheus/node-exporter/exec.prom\n"
	"                                   # for node_exporter's textfile collector\n"
	"    bcc-execcount -f classic       # the original Python script's output\n"
	"    bcc-execcount -a tracepoint    # the tracepoint, not a kprobe\n"
	"    bcc-execcount --doctor         # what is missing on this machine\n"
	"    bcc-execcount --print-probe > mine.c && bcc-execcount -p mine.c\n"
	"                                   # edit the probe, run it, no rebuild\n"
	"    bcc-execcount -v --no-cache    # every stage, the compile included\n"
	"\v"
	"Exit status: 0 success; 1 runtime failure; 64 bad usage; 65 probe rejected;\n"
	"66 probe file unreadable; 69 kernel support missing, or --listen cannot bind;\n"
	"73 --textfile's or --cache-dir's directory unusable; 77 insufficient privilege.\n"
	"See bcc-execcount(8).";

static const char args_doc[] = "[INTERVAL [COUNT]]";

static const struct argp_option options[] = {
	{ "attach", 'a', "MODE", 0, "auto (default), kprobe or tracepoint", 0 },
	{ "format", 'f', "FORMAT", 0, "table (default), classic, json or csv", 0 },
	{ "noclear", 'C', NULL, 0, "on a terminal, do not redraw in place: scroll", 0 },
	{ "rows", 'r', "N", 0,
	  "the same as --top; on a terminal without either, as many rows as fit", 0 },
	{ "sort", 's', "FIELD", 0,
	  "order rows by count (default), ok, failed, delta, execve, execveat, uid, comm, exe or cgroup",
	  0 },
	{ "by", 'b', "FIELDS", 0,
	  "count per FIELDS, a comma list of uid (default), comm (the calling program), exe (the path exec'd), cgroup",
	  0 },
	{ "syscalls", OPT_SYSCALLS, "LIST", 0,
	  "execve,execveat (default) or one of them; execveat is also fexecve()", 0 },
	{ "uid", OPT_UID, "UIDS", 0, "count only these uids (comma list, at most 64)", 0 },
	{ "top", OPT_TOP, "N", 0, "show only the first N keys in --sort order (the most execs)",
	  0 },
	{ "listen", OPT_LISTEN, "[ADDR:]PORT", 0,
	  "serve Prometheus metrics at http://ADDR:PORT/metrics (ADDR 127.0.0.1 unless given)", 0 },
	{ "textfile", OPT_TEXTFILE, "PATH", 0,
	  "write the metrics to PATH every interval, for node_exporter's textfile collector", 0 },
	{ "max-series", OPT_MAX_SERIES, "N", 0,
	  "export at most N keys (default 10000); the smallest are summed as \"other\"", 0 },
	{ "max-keys", OPT_MAX_KEYS, "N", 0,
	  "size of the kernel's table (default 10240); execs of further keys are counted as dropped",
	  0 },
	{ "probe", 'p', "FILE", 0, "compile FILE instead of the built-in probe", 0 },
	{ "print-probe", OPT_PRINT_PROBE, NULL, 0, "write the built-in probe to stdout and exit",
	  0 },
	{ "kernel-headers", 'k', "DIR", 0,
	  "kernel headers tree for libbcc (sets BCC_KERNEL_SOURCE)", 0 },
	{ "cache-dir", OPT_CACHE_DIR, "DIR", 0,
	  "keep compiled probes in DIR (default /var/cache/bcc-execcount)", 0 },
	{ "no-cache", OPT_NO_CACHE, NULL, 0,
	  "compile the probe, neither reading nor writing the cache", 0 },
	{ "doctor", OPT_DOCTOR, NULL, 0,
	  "check what this machine offers, one line each, attaching nothing; exit 0 if it can run",
	  0 },
	{ "verbose", 'v', NULL, 0, "show each stage and its time on stderr", 0 },
	{ "version", 'V', NULL, 0, "print the versions and exit", -1 },
	/* not '?': getopt reports a bad option byte such as 0xff as '?' too (found by fuzzing) */
	{ "help", 'h', NULL, 0, "give this help list", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "give a short usage message", -1 },
	{ 0 },
};

struct parse_ctx {
	struct config *cfg;
	FILE *out;
	FILE *err;
	int positional;
};

static const char *const attach_names[] = {
	[ATTACH_AUTO] = "auto",
	[ATTACH_KPROBE] = "kprobe",
	[ATTACH_TRACEPOINT] = "tracepoint",
};

static const char *const format_names[] = {
	[FORMAT_TABLE] = "table",
	[FORMAT_CLASSIC] = "classic",
	[FORMAT_JSON] = "json",
	[FORMAT_CSV] = "csv",
};

/* The index of arg among the n names (an enum value), or -1 after a usage error. */
static int parse_choice(struct argp_state *state, const char *what, const char *const *names, int n,
			const char *choices, const char *arg)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], arg) == 0)
			return i;
	argp_error(state, "invalid %s '%s': use %s", what, arg, choices);
	return -1;
}

static error_t parse_path(struct argp_state *state, const char *what, const char *arg,
			  const char **out)
{
	if (!*arg) {
		argp_error(state, "invalid %s '': empty path", what);
		return EINVAL;
	}
	*out = arg;
	return 0;
}

int cli_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	/* strtoul accepts blanks, '+' and '-' (and wraps negatives): refuse them */
	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static error_t parse_number(struct argp_state *state, const char *what, const char *arg,
			    unsigned long min, unsigned long max, unsigned long *out)
{
	int err = cli_parse_ulong(arg, min, max, out);

	if (err == -EINVAL)
		argp_error(state, "invalid %s '%s': not a whole number", what, arg);
	else if (err == -ERANGE)
		argp_error(state, "invalid %s '%s': must be %lu to %lu", what, arg, min, max);
	return err ? EINVAL : 0;
}

/*
 * Split a comma list (no empty items) and hand each item to one(); at most
 * max items.  Returns 0 or EINVAL after a usage error.
 */
static error_t parse_list(struct argp_state *state, const char *what, const char *arg,
			  unsigned int max, error_t (*one)(struct argp_state *, const char *))
{
	char item[64];
	unsigned int n = 0;

	for (const char *p = arg;; p++) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		error_t err;

		if (len == 0 || len >= sizeof(item)) {
			argp_error(state, "invalid %s '%s': %s", what, arg,
				   len ? "an item is too long" : "empty item");
			return EINVAL;
		}
		if (++n > max) {
			argp_error(state, "invalid %s '%s': at most %u items", what, arg, max);
			return EINVAL;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		err = one(state, item);
		if (err)
			return err;
		if (!end)
			return 0;
		p = end;
	}
}

static error_t by_one(struct argp_state *state, const char *item)
{
	struct config *cfg = ((struct parse_ctx *)state->input)->cfg;
	int field = key_field_parse(item);

	if (field < 0) {
		argp_error(state, "invalid --by field '%s': use uid, comm, exe or cgroup", item);
		return EINVAL;
	}
	if (cfg->by_mask & 1u << field) {
		argp_error(state, "invalid --by: '%s' is given twice", item);
		return EINVAL;
	}
	cfg->by_mask |= 1u << field;
	cfg->by[cfg->nby++] = field;
	return 0;
}

static error_t syscall_one(struct argp_state *state, const char *item)
{
	struct config *cfg = ((struct parse_ctx *)state->input)->cfg;

	const struct syscall_info *sc = syscall_find(item);

	if (!sc) {
		argp_error(state, "invalid syscall '%s': use execve, execveat or both", item);
		return EINVAL;
	}
	cfg->syscalls |= sc->bit;
	return 0;
}

static error_t uid_one(struct argp_state *state, const char *item)
{
	struct config *cfg = ((struct parse_ctx *)state->input)->cfg;
	unsigned long v;

	/* (uid_t)-1 is "no uid" to the kernel: no task runs as it */
	if (parse_number(state, "uid", item, 0, UINT32_MAX - 1, &v))
		return EINVAL;
	for (unsigned int i = 0; i < cfg->nuids; i++)
		if (cfg->uids[i] == v)
			return 0;
	cfg->uids[cfg->nuids++] = v;
	return 0;
}

int cli_parse_listen(const char *s, struct listen_addr *out, const char **why)
{
	const char *colon, *port = s;
	unsigned long v;
	size_t hostlen;
	unsigned char bin[16];

	memset(out, 0, sizeof(*out));
	out->family = AF_INET;
	strcpy(out->host, "127.0.0.1");
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':') {
			*why = "an IPv6 address is written [ADDR]:PORT";
			return -EINVAL;
		}
		hostlen = close - s - 1;
		port = close + 2;
		out->family = AF_INET6;
		if (hostlen >= sizeof(out->host))
			goto bad_addr;
		memcpy(out->host, s + 1, hostlen);
		out->host[hostlen] = '\0';
	} else if ((colon = strrchr(s, ':'))) {
		hostlen = colon - s;
		port = colon + 1;
		if (hostlen == 0 || hostlen >= sizeof(out->host) || memchr(s, ':', hostlen))
			goto bad_addr;
		memcpy(out->host, s, hostlen);
		out->host[hostlen] = '\0';
	}
	if (inet_pton(out->family, out->host, bin) != 1)
		goto bad_addr;
	if (cli_parse_ulong(port, 1, 65535, &v)) {
		*why = "the port must be a number from 1 to 65535";
		return -EINVAL;
	}
	out->port = v;
	return 0;
bad_addr:
	*why = "the address must be an IPv4 address or [an IPv6 address] (names are not resolved)";
	return -EINVAL;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct parse_ctx *ctx = state->input;
	struct config *cfg = ctx->cfg;
	unsigned long v;
	int i;

	switch (key) {
	case ARGP_KEY_INIT:
		state->out_stream = ctx->out;
		state->err_stream = ctx->err;
		return 0;
	case 'a':
		i = parse_choice(state, "attach mode", attach_names, 3,
				 "auto, kprobe or tracepoint", arg);
		if (i < 0)
			return EINVAL;
		cfg->attach = i;
		return 0;
	case 'f':
		i = parse_choice(state, "format", format_names, 4, "table, classic, json or csv",
				 arg);
		if (i < 0)
			return EINVAL;
		cfg->format = i;
		return 0;
	case 'b':
		cfg->nby = cfg->by_mask = 0; /* the last --by wins */
		return parse_list(state, "--by", arg, FIELD_COUNT_, by_one);
	case OPT_SYSCALLS:
		cfg->syscalls = 0;
		return parse_list(state, "--syscalls", arg, SYSCALLS_N, syscall_one);
	case OPT_UID:
		cfg->nuids = 0;
		return parse_list(state, "--uid", arg, CLI_MAX_UIDS, uid_one);
	case OPT_MAX_KEYS:
		if (parse_number(state, "--max-keys", arg, 1, CLI_MAX_MAX_KEYS, &v))
			return EINVAL;
		cfg->max_keys = v;
		return 0;
	case OPT_TOP:
	case 'r':
		if (parse_number(state, key == 'r' ? "--rows" : "--top", arg, 1, CLI_MAX_TOP, &v))
			return EINVAL;
		cfg->top = v;
		return 0;
	case 's':
		i = count_order_parse(arg);
		if (i < 0) {
			argp_error(
				state,
				"invalid --sort '%s': use count, ok, failed, delta, execve, execveat, uid, comm, exe or cgroup",
				arg);
			return EINVAL;
		}
		cfg->sort = i;
		cfg->sort_given = true;
		return 0;
	case 'C':
		cfg->noclear = true;
		return 0;
	case OPT_LISTEN: {
		const char *why;

		if (cli_parse_listen(arg, &cfg->listen_addr, &why)) {
			argp_error(state, "invalid --listen '%s': %s", arg, why);
			return EINVAL;
		}
		cfg->listen = true;
		return 0;
	}
	case OPT_TEXTFILE:
		return parse_path(state, "--textfile", arg, &cfg->textfile);
	case OPT_MAX_SERIES:
		if (parse_number(state, "--max-series", arg, 1, CLI_MAX_MAX_SERIES, &v))
			return EINVAL;
		cfg->max_series = v;
		return 0;
	case 'p':
		return parse_path(state, "probe file", arg, &cfg->probe_path);
	case 'k':
		return parse_path(state, "kernel headers directory", arg, &cfg->kernel_headers);
	case OPT_CACHE_DIR:
		return parse_path(state, "--cache-dir", arg, &cfg->cache_dir);
	case OPT_NO_CACHE:
		cfg->no_cache = true;
		return 0;
	case 'v':
		cfg->verbose = true;
		return 0;
	case OPT_PRINT_PROBE:
		cfg->action = CLI_PRINT_PROBE;
		return 0;
	case OPT_DOCTOR:
		cfg->action = CLI_DOCTOR;
		return 0;
	case 'V':
		cfg->action = CLI_VERSION;
		return 0;
	case '?':
		/* getopt's "invalid option" (said already), as argp passes a byte >= 0x80 on */
		return EINVAL;
	case 'h':
		cfg->action = CLI_HELP;
		argp_state_help(state, state->out_stream, ARGP_HELP_STD_HELP);
		return 0;
	case OPT_USAGE:
		cfg->action = CLI_HELP;
		argp_state_help(state, state->out_stream, ARGP_HELP_USAGE);
		return 0;
	case ARGP_KEY_ARG:
		if (ctx->positional == 0) {
			if (parse_number(state, "interval", arg, 1, CLI_MAX_INTERVAL, &v))
				return EINVAL;
			cfg->interval = v;
		} else if (ctx->positional == 1) {
			if (parse_number(state, "count", arg, 1, ULONG_MAX, &v))
				return EINVAL;
			cfg->count = v;
		} else {
			argp_error(state, "unexpected argument '%s': only INTERVAL and COUNT", arg);
			return EINVAL;
		}
		ctx->positional++;
		return 0;
	case ARGP_KEY_END:
		if (cfg->action == CLI_RUN && cfg->format == FORMAT_CLASSIC &&
		    cfg->by_mask != 1u << FIELD_UID) {
			argp_error(
				state,
				"--format classic prints uids only: use table or json with --by");
			return EINVAL;
		}
		if (cfg->action == CLI_RUN && cfg->format == FORMAT_CLASSIC && cfg->sort_given) {
			argp_error(state,
				   "--format classic prints uids in order: --sort does not apply");
			return EINVAL;
		}
		if (cfg->no_cache && cfg->cache_dir) {
			argp_error(state, "--no-cache and --cache-dir exclude each other");
			return EINVAL;
		}
		/* a key field to sort by must be in the key */
		if (cfg->action == CLI_RUN && count_order_field(cfg->sort) >= 0 &&
		    !(cfg->by_mask & 1u << count_order_field(cfg->sort))) {
			argp_error(state, "invalid --sort: '%s' is not one of the --by fields",
				   key_field_name(count_order_field(cfg->sort)));
			return EINVAL;
		}
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

int cli_parse(struct config *cfg, int argc, char **argv, FILE *out, FILE *err)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse_opt,
		.args_doc = args_doc,
		.doc = doc,
	};
	struct parse_ctx ctx = { .cfg = cfg, .out = out, .err = err };

	*cfg = (struct config){
		.action = CLI_RUN,
		.attach = ATTACH_AUTO,
		.format = FORMAT_TABLE,
		.interval = CLI_DEFAULT_INTERVAL,
		.by = { FIELD_UID },
		.nby = 1,
		.by_mask = 1u << FIELD_UID,
		.syscalls = SYSCALL_EXECVE | SYSCALL_EXECVEAT,
		.max_keys = CLI_DEFAULT_MAX_KEYS,
		.sort = ORDER_BY_COUNT,
		.max_series = CLI_DEFAULT_MAX_SERIES,
	};
	/* NO_EXIT: report, never exit; NO_HELP: our --help says it was asked for */
	if (argp_parse(&argp, argc, argv, ARGP_NO_EXIT | ARGP_NO_HELP, NULL, &ctx))
		return -EINVAL;
	return 0;
}
