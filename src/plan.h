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
	struct attachment at[HOOKS_MAX]; /* entries first, then exits, then success */
	unsigned int n;
};

/*
 * The hooks for mode and syscalls (enum syscall_set) on kernel k: kprobes
 * where the kernel has them and the syscall functions exist, else the
 * syscalls tracepoints; sched_process_exec always.  0, or why->err with why
 * the failed check (tracefs, kprobes, syscall tracepoints, sched_process_exec).
 * When auto could not have kprobes, 0 with why the kprobes finding at WARN.
 */
int hooks_plan(const struct kernel_facts *k, enum attach_mode mode, unsigned int syscalls,
	       struct hooks *out, struct finding *why);

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
