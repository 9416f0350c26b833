/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach.h - which hooks, and attaching them.  hooks_choose() asks the kernel
 * what it offers before anything is tried, so `auto` never makes libbcc
 * print a failed kprobe; hooks_attach()/hooks_detach() are the libbcc calls.
 *
 * For each syscall counted (execve, execveat), the hooks of one exec
 * (probes/execcount.bpf.c):
 *   entry    kprobe:<syscall fn>, or tracepoint:syscalls:sys_enter_<syscall>
 *   exit     tracepoint:syscalls:sys_exit_<syscall> (kretprobe:<syscall fn>
 *            with kprobes on a kernel without syscall tracepoints)
 *   success  tracepoint:sched:sched_process_exec, either way
 */
#ifndef EXECCOUNT_ATTACH_H
#define EXECCOUNT_ATTACH_H

#include <stdbool.h>

#include "cli.h"

enum hook_kind {
	HOOK_KPROBE,
	HOOK_TRACEPOINT,
};

enum attach_kind {
	AT_KPROBE,
	AT_KRETPROBE,
	AT_TRACEPOINT,
};

struct attachment {
	enum attach_kind kind;
	const char *fn;	   /* the probe function (contract.h) */
	char target[128];  /* "__x64_sys_execve", "syscalls:sys_enter_execve" */
	char name[160];	   /* "kprobe:__x64_sys_execve", as in the output */
	char ev_name[160]; /* libbcc's event name, to remove a tracefs kprobe */
	int perf_fd;	   /* the attachment; -1 when not attached */
};

#define HOOKS_MAX 5

struct hooks {
	enum hook_kind kind;		 /* of the syscall hooks */
	bool syscall_wrapper;		 /* the kprobe'd functions take a struct pt_regs * */
	struct attachment at[HOOKS_MAX]; /* entries first, then exits, then success */
	unsigned int n;
};

/*
 * Pick the hooks for mode and the syscalls (enum syscall_set): kprobes where
 * the kernel has them and the syscall functions exist, else the syscalls
 * tracepoints.  Mounts tracefs when the choice needs it.  Logs why it cannot
 * and returns -EOPNOTSUPP (kernel lacks it) or another -errno (e.g. -EPERM
 * mounting).
 */
int hooks_choose(enum attach_mode mode, unsigned int syscalls, struct hooks *hooks);

/* The BPF program type the attachment takes. */
int attachment_prog_type(const struct attachment *at);

/*
 * Attach each hook to prog_fds[i], outcomes first, so an exec noted at entry
 * always has its outcome seen; on failure, what was attached is detached again.
 */
int hooks_attach(struct hooks *hooks, const int *prog_fds);
/* Entries first, so no attempt starts after its outcome hooks are gone.  Safe to call twice. */
void hooks_detach(struct hooks *hooks);

#endif
