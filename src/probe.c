// SPDX-License-Identifier: GPL-2.0
#include "probe.h"

#include <bcc/bcc_common.h>
#include <bcc/bcc_version.h>
#include <bcc/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contract.h"
#include "log.h"

struct probe {
	void *module;
	int prog_fd;
	int counts_fd;
	int self_fd;
};

const char *probe_libbcc_version(void)
{
	return LIBBCC_VERSION;
}

/*
 * libbcc prints some of its complaints on stdout (for one, "Unable to find
 * kernel headers"), and stdout is for data: point fd 1 at stderr meanwhile.
 */
static int stdout_to_stderr(void)
{
	int saved;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		close(saved);
		return -1;
	}
	return saved;
}

static void stdout_restore(int saved)
{
	if (saved < 0)
		return;
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
}

int probe_compile(struct probe **out, const char *source, size_t len, const char *name)
{
	struct probe *probe;
	char *text;
	int n, saved;

	*out = NULL;
	probe = calloc(1, sizeof(*probe));
	/* #line: clang's diagnostics then name the user's file, not /virtual/main.c */
	text = malloc(sizeof("#line 1 \"\"\n") + 2 * strlen(name) + len);
	if (!probe || !text) {
		free(probe);
		free(text);
		log_msg("out of memory compiling probe %s", name);
		return -ENOMEM;
	}
	n = sprintf(text, "#line 1 \"");
	for (const char *c = name; *c; c++) {
		if (*c == '"' || *c == '\\')
			text[n++] = '\\';
		text[n++] = *c;
	}
	n += sprintf(text + n, "\"\n");
	memcpy(text + n, source, len);
	text[n + len] = '\0';

	saved = stdout_to_stderr();
	probe->module = bpf_module_create_c_from_string(text, 0, NULL, 0, true, NULL);
	stdout_restore(saved);
	free(text);
	if (!probe->module) {
		free(probe);
		log_msg("probe %s did not compile (clang's messages above)", name);
		return -EINVAL;
	}
	probe->prog_fd = -1;
	probe->counts_fd = bpf_table_fd(probe->module, CONTRACT_COUNTS_TABLE);
	probe->self_fd = bpf_table_fd(probe->module, CONTRACT_SELF_TABLE);
	*out = probe;
	return 0;
}

static int check_table(struct probe *probe, const char *table, size_t key, size_t value)
{
	size_t got_key, got_value;

	if (bpf_table_id(probe->module, table) >= bpf_num_tables(probe->module)) {
		log_msg("probe has no table '%s' -- it is part of the probe contract (see --print-probe)",
			table);
		return -ENOENT;
	}
	got_key = bpf_table_key_size(probe->module, table);
	got_value = bpf_table_leaf_size(probe->module, table);
	if (got_key != key || got_value != value) {
		log_msg("probe table '%s' has %zu-byte keys and %zu-byte values, the host needs %zu and %zu",
			table, got_key, got_value, key, value);
		return -ENOENT;
	}
	return 0;
}

int probe_check_contract(struct probe *probe, const char *fn)
{
	int err;

	err = check_table(probe, CONTRACT_COUNTS_TABLE, sizeof(contract_counts_key),
			  sizeof(contract_counts_value));
	if (!err)
		err = check_table(probe, CONTRACT_SELF_TABLE, sizeof(uint32_t),
				  sizeof(struct contract_self));
	if (err)
		return err;
	if (!bpf_function_start(probe->module, fn)) {
		log_msg("probe has no function '%s', which this hook attaches", fn);
		return -ENOENT;
	}
	return 0;
}

int probe_load(struct probe *probe, const char *fn, int prog_type)
{
	int fd;

	/* a failed load makes libbcc retry with a log and print the verifier's output on stderr */
	fd = bcc_func_load(probe->module, prog_type, fn, bpf_function_start(probe->module, fn),
			   bpf_function_size(probe->module, fn), bpf_module_license(probe->module),
			   bpf_module_kern_version(probe->module), 0, NULL, 0, NULL, -1);
	if (fd < 0) {
		int err = fd < -1 ? fd : -errno;

		/* EPERM: not allowed to load at all; EACCES (and others): the verifier said no */
		if (err == -EPERM)
			log_msg("loading probe function '%s': %s -- needs CAP_BPF and CAP_PERFMON (or root), and a kernel not in lockdown mode",
				fn, strerror(-err));
		else
			log_msg("the kernel verifier rejected probe function '%s': %s (its log is above)",
				fn, strerror(-err));
		return err;
	}
	probe->prog_fd = fd;
	return 0;
}

int probe_prog_fd(const struct probe *probe)
{
	return probe->prog_fd;
}

int probe_self_set(struct probe *probe)
{
	uint32_t zero = 0;
	struct contract_self self = { .tgid = (uint32_t)getpid() };
	struct stat ns;

	/* the probe compares pids in our own pid namespace: right inside a container too */
	if (stat("/proc/self/ns/pid", &ns)) {
		log_msg("cannot stat /proc/self/ns/pid: %s -- is /proc mounted?", strerror(errno));
		return -errno;
	}
	self.pidns_dev = ns.st_dev;
	self.pidns_ino = ns.st_ino;
	if (bpf_update_elem(probe->self_fd, &zero, &self, 0)) {
		log_msg("writing table '%s': %s", CONTRACT_SELF_TABLE, strerror(errno));
		return -errno;
	}
	return 0;
}

int probe_self_hits(struct probe *probe, uint64_t *hits)
{
	uint32_t zero = 0;
	struct contract_self self;

	if (bpf_lookup_elem(probe->self_fd, &zero, &self)) {
		log_msg("reading table '%s': %s", CONTRACT_SELF_TABLE, strerror(errno));
		return -errno;
	}
	*hits = self.hits;
	return 0;
}

int probe_read_counts(struct probe *probe, struct snapshot *snap)
{
	contract_counts_key key, next;
	contract_counts_value value;
	int err;

	snap->len = 0;
	if (bpf_get_first_key(probe->counts_fd, &next, sizeof(next)))
		goto out_iter;
	do {
		key = next;
		/* keys are never deleted, so a failed lookup is an error, not a race */
		if (bpf_lookup_elem(probe->counts_fd, &key, &value)) {
			err = -errno;
			goto out;
		}
		err = snapshot_push(snap, key, value);
		if (err)
			goto out;
	} while (bpf_get_next_key(probe->counts_fd, &key, &next) == 0);
out_iter:
	/* the iteration ends (or finds an empty table) with ENOENT */
	err = errno == ENOENT ? 0 : -errno;
out:
	if (err)
		log_msg("reading table '%s': %s", CONTRACT_COUNTS_TABLE, strerror(-err));
	return err;
}

void probe_destroy(struct probe *probe)
{
	if (!probe)
		return;
	if (probe->prog_fd >= 0)
		close(probe->prog_fd);
	bpf_module_destroy(probe->module);
	free(probe);
}
