// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_cli.c - the option parser on any argv.
 *
 * The input is split at NUL bytes into arguments (after argv[0]), handed to
 * cli_parse() with --help's and the errors' text going to memory streams; the
 * whole input, as one string, also goes to cli_parse_listen().
 *
 * Checked besides memory safety and UB: a usage error says something on err
 * and nothing on out (but help asked for before it); help only when asked
 * for; success with nothing on err; a run configuration holds what the rest of the program
 * relies on (an interval from 1 s, 1-4 distinct --by fields matching the
 * mask, a sort field inside --by, classic only per uid, a listen address that
 * inet_pton() accepts, ...).
 */
#include "fuzz.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "cli.h"

#define MAX_ARGS 64

static void check_listen_addr(const struct listen_addr *a)
{
	unsigned char bin[16];

	if (a->family != AF_INET && a->family != AF_INET6)
		fuzz_fail("listen: family %d", a->family);
	if (!memchr(a->host, '\0', sizeof(a->host)) || !a->host[0])
		fuzz_fail("listen: host not a non-empty string");
	if (inet_pton(a->family, a->host, bin) != 1)
		fuzz_fail("listen: host '%s' is not an address of its family", a->host);
	if (a->port < 1 || a->port > 65535)
		fuzz_fail("listen: port %u", a->port);
}

static void check_config(const struct config *cfg)
{
	unsigned int mask = 0;

	if (cfg->action != CLI_RUN)
		return;
	if (cfg->interval < 1 || cfg->interval > CLI_MAX_INTERVAL)
		fuzz_fail("interval %u", cfg->interval);
	if (cfg->nby < 1 || cfg->nby > FIELD_COUNT_)
		fuzz_fail("nby %u", cfg->nby);
	for (unsigned int i = 0; i < cfg->nby; i++) {
		if ((unsigned int)cfg->by[i] >= FIELD_COUNT_)
			fuzz_fail("by[%u] = %d", i, cfg->by[i]);
		if (mask & 1u << cfg->by[i])
			fuzz_fail("--by field %d twice", cfg->by[i]);
		mask |= 1u << cfg->by[i];
	}
	if (mask != cfg->by_mask)
		fuzz_fail("by_mask %#x, fields %#x", cfg->by_mask, mask);
	if (!cfg->syscalls || cfg->syscalls & ~(unsigned int)(SYSCALL_EXECVE | SYSCALL_EXECVEAT))
		fuzz_fail("syscalls %#x", cfg->syscalls);
	if (cfg->max_keys < 1 || cfg->max_keys > CLI_MAX_MAX_KEYS)
		fuzz_fail("max_keys %lu", cfg->max_keys);
	if (cfg->max_series < 1 || cfg->max_series > CLI_MAX_MAX_SERIES)
		fuzz_fail("max_series %lu", cfg->max_series);
	if (cfg->top > CLI_MAX_TOP)
		fuzz_fail("top %lu", cfg->top);
	if (cfg->nuids > CLI_MAX_UIDS)
		fuzz_fail("nuids %u", cfg->nuids);
	for (unsigned int i = 0; i < cfg->nuids; i++) {
		if (cfg->uids[i] == UINT32_MAX)
			fuzz_fail("uid (uid_t)-1 accepted");
		for (unsigned int j = 0; j < i; j++)
			if (cfg->uids[i] == cfg->uids[j])
				fuzz_fail("uid %u twice", cfg->uids[i]);
	}
	if ((unsigned int)cfg->format > FORMAT_CSV || (unsigned int)cfg->attach > ATTACH_TRACEPOINT)
		fuzz_fail("format %d, attach %d", cfg->format, cfg->attach);
	if (cfg->format == FORMAT_CLASSIC && cfg->by_mask != 1u << FIELD_UID)
		fuzz_fail("classic with --by %#x", cfg->by_mask);
	if (count_order_field(cfg->sort) >= 0 &&
	    !(cfg->by_mask & 1u << count_order_field(cfg->sort)))
		fuzz_fail("sort %d by a field not in --by %#x", cfg->sort, cfg->by_mask);
	if ((cfg->probe_path && !cfg->probe_path[0]) ||
	    (cfg->kernel_headers && !cfg->kernel_headers[0]) ||
	    (cfg->textfile && !cfg->textfile[0]))
		fuzz_fail("an empty path accepted");
	if (cfg->listen)
		check_listen_addr(&cfg->listen_addr);
}

/*
 * Whether argv may ask for --help or --usage: a long option that is a prefix of
 * either, or a short one with 'h'.  Generous (an option's argument counts too,
 * and what follows "--", which may be -p's argument), so it only ever excuses
 * output.
 */
static bool help_asked(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strncmp(a, "--", 2) == 0) {
			size_t len = strcspn(a + 2, "=");

			if (len &&
			    (strncmp(a + 2, "help", len) == 0 || strncmp(a + 2, "usage", len) == 0))
				return true;
		} else if (a[0] == '-' && strchr(a, 'h')) {
			return true;
		}
	}
	return false;
}

static void fuzz_parse(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	struct fuzz_mem out, err;
	struct config cfg;
	int rc;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = "bcc-execcount";
	/* the arguments: the input's NUL-separated strings (empty ones too) */
	for (size_t at = 0; at < size && argc <= MAX_ARGS; at += strlen(copy + at) + 1)
		argv[argc++] = copy + at;
	argv[argc] = NULL;

	fuzz_mem_open(&out);
	fuzz_mem_open(&err);
	rc = cli_parse(&cfg, argc, argv, out.f, err.f);
	fuzz_mem_done(&out);
	fuzz_mem_done(&err);
	if (rc != 0 && rc != -EINVAL)
		fuzz_fail("cli_parse returned %d", rc);
	if (rc) {
		if (!err.len)
			fuzz_fail("usage error with nothing said");
		/* out holds only help asked for before the error (--help -x) */
		if (out.len && !help_asked(argc, argv))
			fuzz_fail("usage error wrote %zu bytes to out", out.len);
	} else {
		if (err.len)
			fuzz_fail("success with a message: %.*s", (int)err.len, err.buf);
		if (cfg.action == CLI_HELP && !out.len)
			fuzz_fail("help with nothing printed");
		if (cfg.action == CLI_HELP && !help_asked(argc, argv))
			fuzz_fail("help given, though no argument asks for it");
		check_config(&cfg);
	}
	fuzz_mem_free(&out);
	fuzz_mem_free(&err);
	free(copy);
}

static void fuzz_listen(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct listen_addr addr;
	const char *why = NULL;
	int rc;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	rc = cli_parse_listen(s, &addr, &why);
	if (rc == 0)
		check_listen_addr(&addr);
	else if (rc != -EINVAL || !why || !why[0])
		fuzz_fail("cli_parse_listen: %d with reason %s", rc, why ? why : "(none)");
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse(data, size);
	fuzz_listen(data, size);
	return 0;
}
