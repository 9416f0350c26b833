/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli.h - argv to a config struct.  Never exits and never touches the kernel,
 * so every path is unit-tested without root.
 */
#ifndef EXECCOUNT_CLI_H
#define EXECCOUNT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "counts.h"
#include "keys.h"
#include "syscalls.h"

enum attach_mode {
	ATTACH_AUTO,
	ATTACH_KPROBE,
	ATTACH_TRACEPOINT,
};

enum output_format {
	FORMAT_TABLE,
	FORMAT_CLASSIC,
	FORMAT_JSON,
	FORMAT_CSV,
};

enum cli_action {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
	CLI_PRINT_PROBE,
	CLI_DOCTOR,
};

#define CLI_DEFAULT_INTERVAL   5
#define CLI_MAX_INTERVAL       86400
#define CLI_DEFAULT_MAX_KEYS   10240
#define CLI_MAX_MAX_KEYS       1048576
#define CLI_MAX_UIDS	       64
#define CLI_MAX_TOP	       1000000
#define CLI_DEFAULT_MAX_SERIES 10000
#define CLI_MAX_MAX_SERIES     1000000

/* --listen [ADDR:]PORT: an IPv4 or [IPv6] address (default 127.0.0.1), no names. */
struct listen_addr {
	int family;    /* AF_INET or AF_INET6 */
	char host[64]; /* as given, without brackets: "127.0.0.1", "::1" */
	unsigned int port;
};

struct config {
	enum cli_action action;
	enum attach_mode attach;
	enum output_format format;
	const char *probe_path;		 /* NULL: the embedded probe */
	const char *kernel_headers;	 /* NULL: libbcc's own search */
	unsigned int interval;		 /* seconds between outputs */
	unsigned long count;		 /* intervals before exiting; 0 = until a signal */
	enum key_field by[FIELD_COUNT_]; /* --by, in the order given (display order) */
	unsigned int nby;
	unsigned int by_mask;  /* the same set, as 1u << FIELD_* */
	unsigned int syscalls; /* enum syscall_set */
	unsigned long max_keys;
	uint32_t uids[CLI_MAX_UIDS]; /* --uid: count only these */
	unsigned int nuids;
	unsigned long top;     /* rows shown per block; 0 = all (--top, -r/--rows) */
	enum count_order sort; /* -s/--sort: display order */
	bool sort_given;       /* -s was on the command line */
	bool noclear;	       /* -C: no redraw in place on a terminal */
	bool listen;	       /* --listen given: listen_addr is set */
	struct listen_addr listen_addr;
	const char *textfile;	  /* --textfile PATH */
	unsigned long max_series; /* keys exported to Prometheus */
	const char *cache_dir;	  /* --cache-dir; NULL: the default */
	bool no_cache;		  /* --no-cache */
	bool verbose;
};

/*
 * Fill cfg from argv.  Help and version requests go to out; errors go to err
 * as one line plus a hint to --help.  Returns 0, or -EINVAL on a usage error
 * (the caller exits with EX_USAGE).
 */
int cli_parse(struct config *cfg, int argc, char **argv, FILE *out, FILE *err);

/*
 * Strict unsigned parser: decimal digits only (no sign, no space, no
 * suffix), within [min, max].  Returns 0, -EINVAL (not a number) or -ERANGE.
 */
int cli_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* "9400", "0.0.0.0:9400", "[::1]:9400" -> out.  0, or -EINVAL with why set to the reason. */
int cli_parse_listen(const char *s, struct listen_addr *out, const char **why);

#endif
