/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach.h - which hook, and attaching it.  hook_choose() asks the kernel
 * what it offers before anything is tried, so `auto` never makes libbcc
 * print a failed kprobe; hook_attach()/hook_detach() are the libbcc calls.
 */
#ifndef EXECCOUNT_ATTACH_H
#define EXECCOUNT_ATTACH_H

#include <stdbool.h>

#include "cli.h"

enum hook_kind {
	HOOK_KPROBE,
	HOOK_TRACEPOINT,
};

struct hook {
	enum hook_kind kind;
	char target[128];  /* "__x64_sys_execve" or "syscalls:sys_enter_execve" */
	char name[160];	   /* "kprobe:__x64_sys_execve", as in the output */
	char ev_name[160]; /* libbcc's event name, to remove a tracefs kprobe */
	int perf_fd;	   /* the attachment; -1 when not attached */
};

/*
 * Pick the hook for mode: kprobe where the kernel has kprobes and the syscall
 * function exists, else the syscalls:sys_enter_execve tracepoint.  Mounts
 * tracefs when the choice needs it.  Logs why it cannot and returns
 * -EOPNOTSUPP (kernel lacks it) or another -errno (e.g. -EPERM mounting).
 */
int hook_choose(enum attach_mode mode, struct hook *hook);

/* The probe function (contract.h) and BPF program type for the hook. */
const char *hook_function(const struct hook *hook);
int hook_prog_type(const struct hook *hook);

int hook_attach(struct hook *hook, int prog_fd);
/* Safe to call twice and on a hook never attached. */
void hook_detach(struct hook *hook);

#endif
