// SPDX-License-Identifier: GPL-2.0
#include "cflags.h"

#include <stdio.h>

void cflags_build(struct cflags *out, const struct config *cfg, bool kprobes, bool syscall_wrapper,
		  bool at_exit)
{
	size_t at;

	out->n = 0;
	for (int f = 0; f < FIELD_COUNT_; f++)
		if (cfg->by_mask & 1u << f)
			out->argv[out->n++] = key_field_define(f);
	snprintf(out->max_keys, sizeof(out->max_keys), "-DEXECCOUNT_MAX_KEYS=%lu", cfg->max_keys);
	out->argv[out->n++] = out->max_keys;
	if (cfg->nuids) {
		at = snprintf(out->uids, sizeof(out->uids), "-DEXECCOUNT_UIDS=");
		for (unsigned int i = 0; i < cfg->nuids; i++)
			at += snprintf(out->uids + at, sizeof(out->uids) - at, "%s%u", i ? "," : "",
				       (unsigned int)cfg->uids[i]);
		out->argv[out->n++] = out->uids;
	}
	/* the kprobe functions only when they are attached: less for clang to compile */
	if (kprobes)
		out->argv[out->n++] = "-DEXECCOUNT_KPROBES";
	if (kprobes && syscall_wrapper)
		out->argv[out->n++] = "-DEXECCOUNT_SYSCALL_WRAPPER";
	if (at_exit)
		out->argv[out->n++] = "-DEXECCOUNT_AT_EXIT";
}
