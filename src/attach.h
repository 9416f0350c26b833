/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach.h - the planned hooks (plan.h) made real through libbcc: each
 * attachment's program loaded (the verifier) and attached, then detached.
 * Each attachment owns its perf event; the probe owns the program fds.
 */
#ifndef EXECCOUNT_ATTACH_H
#define EXECCOUNT_ATTACH_H

#include <stdbool.h>

#include "plan.h"
#include "probe.h"

/* The probe's contract for these hooks: the tables the host reads (layout: the key), and each hook's function. */
int hooks_check(const struct hooks *hooks, struct probe *probe, const struct key_layout *layout);

/*
 * Load each hook's function as its program type into at->prog_fd; with
 * verbose, say what the verifier processed.  0, or -EPERM (privilege) or
 * another -errno (the verifier's log is on stderr).
 */
int hooks_load(struct hooks *hooks, struct probe *probe, bool verbose);

/*
 * Attach each hook to its program, outcomes first, so an exec noted at entry
 * always has its outcome seen.  0, or the -errno of the attachment that
 * failed (*failed; nothing said yet), with what was attached detached again.
 */
int hooks_attach(struct hooks *hooks, const struct attachment **failed);
/* Entries first, so no attempt starts after its outcome hooks are gone.  Safe to call twice. */
void hooks_detach(struct hooks *hooks);

#endif
