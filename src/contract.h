/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contract.h - what the host expects of a probe, in one place.
 *
 * probes/execcount.bpf.c implements this; a user's --probe file must too.
 * The host checks every item after compiling and names what is missing.
 */
#ifndef EXECCOUNT_CONTRACT_H
#define EXECCOUNT_CONTRACT_H

#include <stdint.h>

/* BPF_HASH(counts, u32 uid, u64 execs) */
#define CONTRACT_COUNTS_TABLE "counts"
typedef uint32_t contract_counts_key;
typedef uint64_t contract_counts_value;

/* BPF_ARRAY(self, struct execcount_self, 1): the self-test's private counter */
#define CONTRACT_SELF_TABLE "self"
struct contract_self {
	uint64_t pidns_dev; /* written by the host before attaching: stat(/proc/self/ns/pid) */
	uint64_t pidns_ino;
	uint32_t tgid; /* the host's pid in that namespace */
	uint32_t reserved;
	uint64_t hits; /* execs by the host, kept out of counts */
};

/* One function per hook kind; only the one being attached must exist. */
#define CONTRACT_FN_KPROBE     "execve_kprobe"
#define CONTRACT_FN_TRACEPOINT "execve_tracepoint"

#endif
