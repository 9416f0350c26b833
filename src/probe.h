/* SPDX-License-Identifier: GPL-2.0 */
/*
 * probe.h - the only place that compiles and loads through libbcc: module
 * creation (clang), the contract check, program load (the verifier) and the
 * table reads.  Each call logs its own one-line error and returns a negative
 * errno; the caller picks the exit code.
 */
#ifndef EXECCOUNT_PROBE_H
#define EXECCOUNT_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "counts.h"

struct probe;

/*
 * Compile source with libbcc.  name is what diagnostics call the file (clang
 * sees a #line directive), so errors point at the user's own file and line.
 * Tables are created here.  Returns 0 or -EINVAL (compile failed: clang's
 * diagnostics are on stderr) or -ENOMEM.
 */
int probe_compile(struct probe **out, const char *source, size_t len, const char *name);

/* Every table, size and function the host needs, for the hook using fn. -ENOENT if not. */
int probe_check_contract(struct probe *probe, const char *fn);

/* Load fn as prog_type: -EPERM (privilege) or another -errno (verifier: log on stderr). */
int probe_load(struct probe *probe, const char *fn, int prog_type);
int probe_prog_fd(const struct probe *probe);

/* The self-test's counter: whose execs it takes (this process), and how many it has seen. */
int probe_self_set(struct probe *probe);
int probe_self_hits(struct probe *probe, uint64_t *hits);

/* Replace snap's rows with the counts table, in the kernel's order. */
int probe_read_counts(struct probe *probe, struct snapshot *snap);

/* Close the program and destroy the module (which closes the tables); NULL is fine. */
void probe_destroy(struct probe *probe);

const char *probe_libbcc_version(void);

#endif
