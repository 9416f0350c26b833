// SPDX-License-Identifier: GPL-2.0
#include "probe.h"

#include <bcc/bcc_common.h>
#include <bcc/bcc_version.h>
#include <bcc/libbpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contract.h"
#include "kernel.h"
#include "log.h"

#define PROGS_MAX 8
/* keys per batch call, so that keys and per-CPU values take at most about 1 MiB */
#define BATCH_BYTES (1u << 20)
/* the kernel's ENOTSUPP, which user-space headers do not define */
#define KERNEL_ENOTSUPP 524

struct probe {
	void *module;
	struct {
		const char *fn;
		int fd;
	} progs[PROGS_MAX];
	unsigned int nprogs;
	int counts_fd;
	int stats_fd;
	int self_fd;
	/* reading counts: one value per possible CPU per key; buffers allocated on first use */
	int ncpus;
	bool no_batch;
	unsigned int batch_len;
	void *batch_keys;
	struct contract_counts *values;
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

int probe_compile(struct probe **out, const char *source, size_t len, const char *name,
		  const char *const *cflags, int ncflags)
{
	int ncpus = kernel_possible_cpus();

	struct probe *probe;
	char *text;
	int n, saved;

	*out = NULL;
	if (ncpus < 1) {
		log_msg("cannot tell how many CPUs there can be (/sys/devices/system/cpu/possible): %s",
			strerror(ncpus ? -ncpus : EINVAL));
		return -EIO;
	}
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
	probe->module =
		bpf_module_create_c_from_string(text, 0, (const char **)cflags, ncflags, true, NULL);
	stdout_restore(saved);
	free(text);
	if (!probe->module) {
		free(probe);
		log_msg("probe %s did not compile, or its tables could not be created (the messages above say which; a table too large for --max-keys shows as \"could not open bpf map\")",
			name);
		return -EINVAL;
	}
	probe->ncpus = ncpus;
	probe->counts_fd = bpf_table_fd(probe->module, CONTRACT_COUNTS_TABLE);
	probe->stats_fd = bpf_table_fd(probe->module, CONTRACT_STATS_TABLE);
	probe->self_fd = bpf_table_fd(probe->module, CONTRACT_SELF_TABLE);
	/* a debugging switch for the tests: read key by key, as on kernels before 5.6 */
	probe->no_batch = getenv("EXECCOUNT_DEBUG_NO_BATCH") != NULL;
	*out = probe;
	return 0;
}

static int check_table(struct probe *probe, const char *table, int type, size_t key,
		       size_t value)
{
	static const char *const type_names[] = {
		[BPF_MAP_TYPE_ARRAY] = "BPF_ARRAY",
		[BPF_MAP_TYPE_PERCPU_HASH] = "BPF_PERCPU_HASH",
	};
	size_t got_key, got_value;

	if (bpf_table_id(probe->module, table) >= bpf_num_tables(probe->module)) {
		log_msg("probe has no table '%s' -- it is part of the probe contract (see --print-probe)",
			table);
		return -ENOENT;
	}
	if (bpf_table_type(probe->module, table) != type) {
		log_msg("probe table '%s' must be a %s, as in the built-in probe (--print-probe)",
			table, type_names[type]);
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

int probe_check_contract(struct probe *probe, const struct key_layout *layout,
			 const char *const *fns, unsigned int nfns)
{
	int err;

	err = check_table(probe, CONTRACT_COUNTS_TABLE, BPF_MAP_TYPE_PERCPU_HASH, layout->size,
			  sizeof(struct contract_counts));
	if (!err)
		err = check_table(probe, CONTRACT_STATS_TABLE, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
				  sizeof(struct contract_stats));
	if (!err)
		err = check_table(probe, CONTRACT_SELF_TABLE, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
				  sizeof(struct contract_self));
	if (err)
		return err;
	for (unsigned int i = 0; i < nfns; i++)
		if (!bpf_function_start(probe->module, fns[i])) {
			log_msg("probe has no function '%s', which this hook attaches", fns[i]);
			return -ENOENT;
		}
	return 0;
}

int probe_load(struct probe *probe, const char *fn, int prog_type, struct load_stats *stats)
{
	int fd = -1;

	for (unsigned int i = 0; i < probe->nprogs; i++)
		if (strcmp(probe->progs[i].fn, fn) == 0)
			return probe->progs[i].fd;
	if (probe->nprogs == PROGS_MAX)
		return -E2BIG;

	/* the verifier's statistics (log level 4) when asked: a few lines */
	if (stats) {
		char log[4096] = "";
		const char *at;

		fd = bcc_func_load(probe->module, prog_type, fn, bpf_function_start(probe->module, fn),
				   bpf_function_size(probe->module, fn),
				   bpf_module_license(probe->module),
				   bpf_module_kern_version(probe->module), 4, log, sizeof(log), NULL, -1);
		*stats = (struct load_stats){ 0 };
		if (fd >= 0) {
			if ((at = strstr(log, "processed ")))
				sscanf(at, "processed %lu insns", &stats->insns);
			if ((at = strstr(log, "verification time ")))
				sscanf(at, "verification time %lu usec", &stats->verify_us);
		}
	}
	/* a failed load makes libbcc retry with a log and print the verifier's output on stderr */
	if (!stats || fd < 0)
		fd = bcc_func_load(probe->module, prog_type, fn, bpf_function_start(probe->module, fn),
				   bpf_function_size(probe->module, fn),
				   bpf_module_license(probe->module),
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
	probe->progs[probe->nprogs].fn = fn;
	probe->progs[probe->nprogs++].fd = fd;
	return fd;
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

int probe_self_hits(struct probe *probe, uint64_t *entries, uint64_t *exits)
{
	uint32_t zero = 0;
	struct contract_self self;

	if (bpf_lookup_elem(probe->self_fd, &zero, &self)) {
		log_msg("reading table '%s': %s", CONTRACT_SELF_TABLE, strerror(errno));
		return -errno;
	}
	*entries = self.entries;
	*exits = self.exits;
	return 0;
}

/* One key: its per-CPU values summed, and the host's numbers derived. */
static int push_raw(struct probe *probe, struct snapshot *snap, const struct key_layout *layout,
		    const void *raw, const struct contract_counts *percpu)
{
	struct contract_counts sum = { 0 };
	struct exec_counts n;
	struct exec_key key;

	for (int cpu = 0; cpu < probe->ncpus; cpu++) {
		sum.execve_ok += percpu[cpu].execve_ok;
		sum.execve_failed += percpu[cpu].execve_failed;
		sum.execveat_ok += percpu[cpu].execveat_ok;
		sum.execveat_failed += percpu[cpu].execveat_failed;
	}
	n = (struct exec_counts){
		.execve = sum.execve_ok + sum.execve_failed,
		.execveat = sum.execveat_ok + sum.execveat_failed,
		.ok = sum.execve_ok + sum.execveat_ok,
		.failed = sum.execve_failed + sum.execveat_failed,
	};
	key_decode(layout, raw, &key);
	return snapshot_push(snap, &key, &n);
}

/* Room for batch_len keys and their values (batch_len >= 1). */
static int read_buffers(struct probe *probe, const struct key_layout *layout)
{
	size_t per_key = layout->size + probe->ncpus * sizeof(struct contract_counts);

	if (probe->values)
		return 0;
	probe->batch_len = BATCH_BYTES / per_key ? BATCH_BYTES / per_key : 1;
	probe->batch_keys = malloc(probe->batch_len * layout->size);
	probe->values = malloc(probe->batch_len * probe->ncpus * sizeof(struct contract_counts));
	return probe->batch_keys && probe->values ? 0 : -ENOMEM;
}

/* One lookup per key: kernels before 5.6.  Keys are never deleted, so a failed lookup is an error. */
static int read_by_key(struct probe *probe, const struct key_layout *layout, struct snapshot *snap)
{
	unsigned char key[sizeof(struct exec_key)], next[sizeof(struct exec_key)];
	int err = read_buffers(probe, layout);

	if (err)
		return err;
	if (bpf_get_first_key(probe->counts_fd, next, layout->size))
		goto out_iter;
	do {
		memcpy(key, next, layout->size);
		if (bpf_lookup_elem(probe->counts_fd, key, probe->values))
			return -errno;
		err = push_raw(probe, snap, layout, key, probe->values);
		if (err)
			return err;
	} while (bpf_get_next_key(probe->counts_fd, key, next) == 0);
out_iter:
	/* the iteration ends (or finds an empty table) with ENOENT */
	return errno == ENOENT ? 0 : -errno;
}

/*
 * batch_len keys at a time.  -EINVAL or -ENOTSUPP on the first call: the
 * kernel has no batch ops (< 5.6), and the caller falls back for good.
 */
static int read_batch(struct probe *probe, const struct key_layout *layout, struct snapshot *snap)
{
	__u32 batch, next, n;
	bool first = true;
	int err = read_buffers(probe, layout);

	if (err)
		return err;
	for (;;) {
		n = probe->batch_len;
		err = bpf_lookup_batch(probe->counts_fd, first ? NULL : &batch, &next,
				       probe->batch_keys, probe->values, &n);
		err = err ? -errno : 0;
		if (err && err != -ENOENT)
			return err;
		for (__u32 i = 0; i < n; i++) {
			int perr = push_raw(probe, snap, layout,
					    (unsigned char *)probe->batch_keys + i * layout->size,
					    probe->values + (size_t)i * probe->ncpus);

			if (perr)
				return perr;
		}
		if (err == -ENOENT)
			return 0;
		batch = next;
		first = false;
	}
}

int probe_read_counts(struct probe *probe, const struct key_layout *layout, struct snapshot *snap)
{
	struct contract_stats stats;
	uint32_t zero = 0;
	const char *table = CONTRACT_COUNTS_TABLE;
	int err = -EINVAL;

	snap->len = 0;
	if (!probe->no_batch) {
		err = read_batch(probe, layout, snap);
		if ((err == -EINVAL || err == -KERNEL_ENOTSUPP) && snap->len == 0) {
			log_verbose("no batch lookups in this kernel (%s): reading key by key",
				    strerror(-err));
			probe->no_batch = true;
		}
	}
	/* a hash bucket with more keys than a batch holds: this read goes key by key */
	if (probe->no_batch || err == -ENOSPC) {
		snap->len = 0;
		err = read_by_key(probe, layout, snap);
	}
	if (!err) {
		table = CONTRACT_STATS_TABLE;
		err = bpf_lookup_elem(probe->stats_fd, &zero, &stats) ? -errno : 0;
		if (!err)
			snap->dropped = stats.dropped;
	}
	if (err)
		log_msg("reading table '%s': %s", table, err == -ENOMEM ? "out of memory" : strerror(-err));
	return err;
}

void probe_destroy(struct probe *probe)
{
	if (!probe)
		return;
	for (unsigned int i = 0; i < probe->nprogs; i++)
		close(probe->progs[i].fd);
	bpf_module_destroy(probe->module);
	free(probe->batch_keys);
	free(probe->values);
	free(probe);
}
