/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plan.h - which hooks to attach: a pure function of the kernel's facts
 * (kernel.h, read once) and the options, so every choice is unit-tested
 * with made-up kernels, and --doctor's verdict is the run's own.
 *
 * For each syscall counted (syscalls.h), the hooks of one exec
 * (probes/execcount.bpf.c):
 *   entry    kprobe:<syscall fn>, or tracepoint:syscalls:sys_enter_<syscall>
 *   exit     tracepoint:syscalls:sys_exit_<syscall> (kretprobe:<syscall fn>
 *            with kprobes on a kernel without syscall tracepoints)
 *   success  tracepoint:sched:sched_process_exec, either way
 * or, on the tracepoints, for keys an exec does not change (uid, cgroup)
 * where the exit fires after a success too (x86_64), at the exits, one
 * program per execve:
 *   exit     tracepoint:syscalls:sys_exit_execve (every success, execveat's too)
 *   execveat tracepoint:syscalls:sys_enter_execveat (notes the process),
 *            tracepoint:syscalls:sys_exit_execveat (its failures)
 */
#ifndef EXECCOUNT_PLAN_H
#define EXECCOUNT_PLAN_H

#include <stdbool.h>

#include "cli.h"
#include "finding.h"
#include "kernel.h"

enum hook_kind {
	HOOK_KPROBE,
	HOOK_TRACEPOINT,
};

enum attach_kind {
	AT_KPROBE,
	AT_KRETPROBE,
	AT_TRACEPOINT,
};

/* One hook: where, which probe function, and (attach.h) its program and its attachment. */
struct attachment {
	enum attach_kind kind;
	const char *fn;	   /* the probe function (contract.h) */
	bool entry;	   /* at a syscall's entry: attached after the outcomes */
	char target[128];  /* "__x64_sys_execve", "syscalls:sys_enter_execve" */
	char name[160];	   /* "kprobe:__x64_sys_execve", as in the output */
	char ev_name[160]; /* libbcc's event name, to remove a tracefs kprobe */
	int prog_fd;	   /* the loaded program (the probe owns it); -1 until loaded */
	int perf_fd;	   /* the attachment; -1 when not attached */
};

#define HOOKS_MAX 5

struct hooks {
	enum hook_kind kind;		 /* of the syscall hooks */
	bool syscall_wrapper;		 /* the kprobe'd functions take a struct pt_regs * */
	bool at_exit;			 /* counted at the exit alone: no entry, no success hook */
	struct attachment at[HOOKS_MAX]; /* as named in the output: the first is "the hook" */
	unsigned int n;
};

/*
 * The hooks for mode, syscalls (enum syscall_set) and the key's fields
 * (by_mask, 1u << FIELD_*) on kernel k: kprobes where the kernel has them
 * and the syscall functions exist, else the syscalls tracepoints;
 * sched_process_exec always, except on the tracepoints with the exit alone
 * (at_exit) where the key and the kernel allow it.  0, or why->err with why
 * the failed check (tracefs, kprobes, syscall tracepoints, sched_process_exec).
 * When auto could not have kprobes, 0 with why the kprobes finding at WARN.
 */
int hooks_plan(const struct kernel_facts *k, enum attach_mode mode, unsigned int syscalls,
	       unsigned int by_mask, struct hooks *out, struct finding *why);

/* The syscall hooks alone, for --doctor: by kprobes, or by tracepoints.  As hooks_plan(). */
int plan_kprobes(const struct kernel_facts *k, unsigned int syscalls, struct hooks *out,
		 struct finding *why);
int plan_tracepoints(const struct kernel_facts *k, unsigned int syscalls, struct hooks *out,
		     struct finding *why);

/* sched:sched_process_exec, which every plan needs, as a finding. */
void plan_sched(const struct kernel_facts *k, struct finding *f);
/* tracefs, which every plan needs, as a finding (a run's mount, or --doctor's look). */
void plan_tracefs(const struct kernel_facts *k, struct finding *f);

#endif
