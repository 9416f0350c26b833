/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syscalls.h - the exec syscalls counted, described once: the --syscalls
 * name, the bit in enum syscall_set, the probe's entry functions and the
 * syscall number the self-test calls.  Every list of syscalls in the tree
 * (the hook plan, the self-test, the JSON start line, --syscalls) walks
 * this table.  Pure data.
 */
#ifndef EXECCOUNT_SYSCALLS_H
#define EXECCOUNT_SYSCALLS_H

/* The syscalls counted, as a mask. */
enum syscall_set {
	SYSCALL_EXECVE = 1u << 0,
	SYSCALL_EXECVEAT = 1u << 1,
};

struct syscall_info {
	const char *name;	   /* "execve": --syscalls, tracepoints, kallsyms */
	unsigned int bit;	   /* enum syscall_set */
	const char *kprobe_fn;	   /* the probe's entry function at the kprobe (contract.h) */
	const char *tracepoint_fn; /* and at syscalls:sys_enter_<name> */
	long nr;		   /* SYS_<name>, for the self-test */
};

#define SYSCALLS_N 2
extern const struct syscall_info syscall_table[SYSCALLS_N];

/* The syscall called name, or NULL. */
const struct syscall_info *syscall_find(const char *name);

#endif
