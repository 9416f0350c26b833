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

#include "keys.h"

enum attach_mode {
	ATTACH_AUTO,
	ATTACH_KPROBE,
	ATTACH_TRACEPOINT,
};

enum output_format {
	FORMAT_TABLE,
	FORMAT_CLASSIC,
	FORMAT_JSON,
};

enum cli_action {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
	CLI_PRINT_PROBE,
};

/* The syscalls counted, as a mask. */
enum syscall_set {
	SYSCALL_EXECVE = 1u << 0,
	SYSCALL_EXECVEAT = 1u << 1,
};

#define CLI_DEFAULT_INTERVAL 5
#define CLI_MAX_INTERVAL     86400
#define CLI_DEFAULT_MAX_KEYS 10240
#define CLI_MAX_MAX_KEYS     1048576
#define CLI_MAX_UIDS	     64
#define CLI_MAX_TOP	     1000000

struct config {
	enum cli_action action;
	enum attach_mode attach;
	enum output_format format;
	const char *probe_path;	    /* NULL: the embedded probe */
	const char *kernel_headers; /* NULL: libbcc's own search */
	unsigned int interval;	    /* seconds between outputs */
	unsigned long count;	    /* intervals before exiting; 0 = until a signal */
	enum key_field by[FIELD_COUNT_]; /* --by, in the order given (display order) */
	unsigned int nby;
	unsigned int by_mask; /* the same set, as 1u << FIELD_* */
	unsigned int syscalls; /* enum syscall_set */
	unsigned long max_keys;
	uint32_t uids[CLI_MAX_UIDS]; /* --uid: count only these */
	unsigned int nuids;
	unsigned long top; /* rows shown per block; 0 = all */
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

#endif
