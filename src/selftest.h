/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selftest.h - proof that the attached hooks fire, before counting begins.
 *
 * The probe counts this process's own exec calls into its table 'self'
 * (contract.h), not into the counts.  selftest_arm() tells it who we are,
 * before attaching; selftest_run() makes one call of each counted syscall on
 * a path that cannot exist and checks that every one was seen at entry and
 * at exit (at the exit alone when the plan has no entry hooks).
 */
#ifndef EXECCOUNT_SELFTEST_H
#define EXECCOUNT_SELFTEST_H

#include "probe.h"

/* Our pid and pid namespace, for the probe to recognise our calls.  0 or -errno (logged). */
int selftest_arm(struct probe *probe);

/*
 * One failing exec per syscall in syscalls (enum syscall_set), each seen at
 * entry (unless exit_only) and at exit: 0, or -ENODATA (logged).
 */
int selftest_run(struct probe *probe, unsigned int syscalls, bool exit_only);

#endif
