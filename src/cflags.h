/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cflags.h - the -D settings the probe is compiled with, from the command
 * line: the key's fields (--by), the table size (--max-keys), the uid filter
 * (--uid), whether kprobes are attached (their functions are compiled only
 * then), how the kprobe'd syscall functions take their arguments, and
 * whether each exec is counted at its exit alone.
 * Pure: unit-tested without libbcc.
 */
#ifndef EXECCOUNT_CFLAGS_H
#define EXECCOUNT_CFLAGS_H

#include <stdbool.h>

#include "cli.h"

#define CFLAGS_MAX 9

struct cflags {
	const char *argv[CFLAGS_MAX];
	int n;
	char max_keys[48];
	char uids[32 + CLI_MAX_UIDS * 11];
};

/* at_exit: the plan counts at the exits alone (plan.h), -DEXECCOUNT_AT_EXIT */
void cflags_build(struct cflags *out, const struct config *cfg, bool kprobes, bool syscall_wrapper,
		  bool at_exit);

#endif
