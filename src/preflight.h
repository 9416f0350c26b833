/* SPDX-License-Identifier: GPL-2.0 */
/*
 * preflight.h - the checks of this machine that a run makes before it loads
 * anything, and that --doctor prints: each fills a finding (finding.h), so
 * a run's one-line error and --doctor's line say the same thing.  The hook
 * checks (tracefs, kprobes, tracepoints) are plan.h's.
 */
#ifndef EXECCOUNT_PREFLIGHT_H
#define EXECCOUNT_PREFLIGHT_H

#include <stddef.h>

#include "finding.h"

/* The kernel's version (release: uname -r): fail below KERNEL_MIN_TEXT, warn if unreadable. */
void check_kernel(struct finding *f, const char *release);
/* The initial user namespace, and CAP_BPF with CAP_PERFMON or CAP_SYS_ADMIN. */
void check_privileges(struct finding *f);
/* lockdown=confidentiality forbids what the probe reads. */
void check_lockdown(struct finding *f);
/* Kernel headers libbcc can compile against (BCC_KERNEL_SOURCE, /lib/modules, kheaders). */
void check_headers(struct finding *f);
/* /sys/kernel/btf/vmlinux: not needed, reported. */
void check_btf(struct finding *f);
/* The LLVM libbcc compiles with (libbcc proper must be loaded to name it). */
void check_llvm(struct finding *f);
/* A cgroup2 mount, for --by cgroup's paths; its root into root (len bytes) when ok. */
void check_cgroup2(struct finding *f, char *root, size_t len);
/* The compiled-program cache's directory, NULL when off (--no-cache). */
void check_cache(struct finding *f, const char *dir);

#endif
