/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contract.h - what the host expects of a probe, in one place.
 *
 * probes/execcount.bpf.c implements this; a user's --probe file must too.
 * The host checks every table and function after compiling and names what
 * is missing or has the wrong size; and each table's key and value, field by
 * field, against libbcc's description of the compiled types (typedesc.h),
 * with the layouts below (contract.c).
 */
#ifndef EXECCOUNT_CONTRACT_H
#define EXECCOUNT_CONTRACT_H

#include <stdint.h>

#include "keys.h"
#include "typedesc.h"

/*
 * BPF_PERCPU_HASH(counts, struct execcount_key, struct execcount_value): the
 * key's layout is keys.h's key_layout_init() for the -D EXECCOUNT_BY_*
 * settings; the value, one per possible CPU, is this.
 */
#define CONTRACT_COUNTS_TABLE "counts"
struct contract_counts {
	uint64_t execve_ok;
	uint64_t execve_failed;
	uint64_t execveat_ok;
	uint64_t execveat_failed;
};

/* BPF_ARRAY(stats, struct execcount_stats, 1) */
#define CONTRACT_STATS_TABLE "stats"
struct contract_stats {
	uint64_t
		dropped; /* execs not counted for want of room: `counts` full, no slot in `calls` */
};

/* BPF_ARRAY(self, struct execcount_self, 1): the self-test's private counters */
#define CONTRACT_SELF_TABLE "self"
struct contract_self {
	uint64_t pidns_dev; /* written by the host before attaching: stat(/proc/self/ns/pid) */
	uint64_t pidns_ino;
	uint32_t tgid;	      /* the host's pid in that namespace */
	uint32_t global_tgid; /* the probe's to fill in */
	uint64_t entries;     /* the host's own calls seen at syscall entry, kept out of counts */
	uint64_t exits;	      /* and at syscall exit */
};

/* What the host reads of each table it reads: names, offsets and sizes. */
struct contract_table {
	const char *name;		       /* CONTRACT_*_TABLE */
	const char *key_struct, *value_struct; /* the built-in probe's, for hints */
	struct layout key, value;
};

enum { CONTRACT_COUNTS, CONTRACT_STATS, CONTRACT_SELF, CONTRACT_TABLES_ };

struct contract_layouts {
	struct contract_table tables[CONTRACT_TABLES_];
	struct layout_field key_fields[FIELD_COUNT_]; /* the counts key's, per keys */
};

/*
 * The tables' layouts: the counts key from keys (keys.c's field table: names,
 * sizes and order), the values from the structs above.
 */
void contract_layouts_init(struct contract_layouts *c, const struct key_layout *keys);

/* One function per hook; only those being attached must exist. */
#define CONTRACT_FN_EXECVE_KPROBE	"execve_kprobe"
#define CONTRACT_FN_EXECVEAT_KPROBE	"execveat_kprobe"
#define CONTRACT_FN_EXIT_KRETPROBE	"exit_kretprobe"
#define CONTRACT_FN_EXECVE_TRACEPOINT	"execve_tracepoint"
#define CONTRACT_FN_EXECVEAT_TRACEPOINT "execveat_tracepoint"
#define CONTRACT_FN_EXIT_TRACEPOINT	"exit_tracepoint"
#define CONTRACT_FN_SUCCESS		"exec_success"
/* EXECCOUNT_AT_EXIT: each exec counted at its exit; execveat noted at entry */
#define CONTRACT_FN_EXECVE_EXIT	   "execve_exit"
#define CONTRACT_FN_EXECVEAT_ENTRY "execveat_entry"
#define CONTRACT_FN_EXECVEAT_EXIT  "execveat_exit"

#endif
