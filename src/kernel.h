/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernel.h - what this machine offers, asked without libbcc and without
 * attaching anything: privileges, tracefs, kprobes, the execve symbol, headers.
 * Each check returns 0 or a negative errno and fills in what it found, so the
 * caller can say exactly what is missing before libbcc prints its own noise.
 */
#ifndef EXECCOUNT_KERNEL_H
#define EXECCOUNT_KERNEL_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "syscalls.h"

/*
 * The oldest kernel the probe runs on: Linux 5.7, for bpf_get_ns_current_pid_tgid() (the
 * self-test's pid check; 5.7), bpf_probe_read_{user,kernel}_str() (the exec'd path; 5.5) and,
 * older still, bpf_get_current_cgroup_id() (4.18), LRU and per-CPU hashes (4.10, 4.6) and
 * tracepoint programs (4.7).  The batched table read (5.6) has a key-by-key fallback.
 */
#define KERNEL_MIN_MAJOR 5
#define KERNEL_MIN_MINOR 7
#define KERNEL_MIN_TEXT	 "5.7"
#define KERNEL_MIN_WHY	 "bpf_get_ns_current_pid_tgid() and bpf_probe_read_user_str()"
/* The oldest kernel the tests boot (Debian 11's): what the tool is supported on. */
#define KERNEL_TESTED_TEXT "5.10"

/*
 * Is the kernel of this release ("6.1.0-57-amd64", "5.10.223") new enough?  0 when it is,
 * -EOPNOTSUPP when it is older than KERNEL_MIN_TEXT, -EINVAL when the release does not begin
 * with MAJOR.MINOR (then nothing is known: the caller goes on).  *major and *minor are set
 * when parsed.
 */
int kernel_release_check(const char *release, unsigned int *major, unsigned int *minor);

/* True when the effective capabilities allow loading and attaching: CAP_SYS_ADMIN, or CAP_BPF
 * with CAP_PERFMON. */
bool kernel_privileged(void);

/* False inside a user namespace (e.g. a rootless container), where eBPF is not allowed. */
bool kernel_initial_userns(void);

/* The tracefs directory libbcc uses (the debugfs path when it exists), mounted or not. */
const char *tracefs_path(void);

/*
 * The tracefs directory libbcc will use (it prefers the debugfs path when
 * that exists), mounting tracefs at /sys/kernel/tracing if nothing is there.
 * *mounted is set when this call did the mount.
 */
int tracefs_prepare(const char **path, bool *mounted);

/* Can we look inside tracefs (it is root's, mode 0700)?  0 or -errno (-EACCES). */
int tracefs_readable(const char *tracefs);

/* Does <tracefs>/<rel> exist? */
bool tracefs_has(const char *tracefs, const char *rel);

/*
 * The number of CPUs in a kernel CPU list ("0-3,8,10-11" -> 7), as in
 * /sys/devices/system/cpu/possible: a per-CPU map holds one value for each.
 * -EINVAL when list is not one.
 */
int cpu_list_count(const char *list);
/* cpu_list_count() of /sys/devices/system/cpu/possible, or a negative errno. */
int kernel_possible_cpus(void);

/* The kprobe PMU: perf_event_open kprobes, which die with their fd. */
bool kernel_has_kprobe_pmu(void);

/*
 * The kernel function behind syscall `name` (e.g. "execve" -> "__x64_sys_execve"),
 * found as bcc does: the first prefix for which <prefix>bpf is a symbol.
 * Reads kallsyms (one pass).  -ENOENT when no prefix or no such function.
 */
int syscall_fnname(FILE *kallsyms, const char *name, char *out, size_t len);

/*
 * What the kernel offers for the hooks, read once (kernel_facts_read) and
 * planned from (plan.h): nothing in here is attached or loaded.
 */
struct kernel_facts {
	const char *tracefs;	   /* the directory libbcc uses (tracefs_path()) */
	int tracefs_err;	   /* 0: readable; else -errno mounting it, or looking inside */
	bool tracefs_mount_tried;  /* a read that may mount (a run), not --doctor's */
	bool tracefs_mount_failed; /* tracefs_err is the mount's */
	bool tracefs_mounted;	   /* this read mounted it */
	bool kprobes_read;	   /* the kprobe facts below were read */
	bool kprobe_pmu;	   /* perf_event_open kprobes */
	bool kprobe_events;	   /* tracefs kprobe_events (CONFIG_KPROBES without the PMU) */
	int kallsyms_err;	   /* -errno opening /proc/kallsyms */
	char syscall_fn[SYSCALLS_N][128]; /* syscall_fnname(), "" when it is not there */
	bool enter_tp[SYSCALLS_N];	  /* syscalls:sys_enter_<name> */
	bool exit_tp[SYSCALLS_N];	  /* syscalls:sys_exit_<name> */
	bool sched_exec_tp;		  /* sched:sched_process_exec */
	bool exit_sees_success; /* sys_exit_<name> fires after a successful exec too (x86_64) */
};

enum kernel_facts_flags {
	FACTS_MOUNT = 1u << 0,	 /* mount tracefs at /sys/kernel/tracing if nothing is there */
	FACTS_KPROBES = 1u << 1, /* look for kprobes and the syscall functions (kallsyms) */
};

/* Fill k (flags: enum kernel_facts_flags); what cannot be read is recorded, not logged. */
void kernel_facts_read(struct kernel_facts *k, unsigned int flags);

struct headers_info {
	char path[PATH_MAX];	/* the tree libbcc will compile against */
	char missing[PATH_MAX]; /* on failure: the file it lacks */
	char release[65];
	bool from_env; /* BCC_KERNEL_SOURCE */
};

/*
 * Where libbcc will find kernel headers, by libbcc's own rules:
 * BCC_KERNEL_SOURCE, else /lib/modules/<release>/{source,build}, else the
 * in-kernel /sys/kernel/kheaders.tar.xz.  -ENOENT with info->missing set when
 * none will do.
 */
int kernel_headers_find(struct headers_info *info);

/*
 * Which headers tree a compile would use, as a line for the cache key: its
 * real path (and the build tree's, which Debian ships apart), device, inode
 * and mtime, so that headers linked or installed anew make another key; or
 * "none" (-ENOENT) when there are none.
 */
int kernel_headers_identity(char *buf, size_t len);

#endif
