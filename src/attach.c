// SPDX-License-Identifier: GPL-2.0
#include "attach.h"

#include <bcc/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "kernel.h"
#include "log.h"

#define TP_CATEGORY "syscalls"
#define TP_EVENT    "sys_enter_execve"

static const char *tracefs_dir;
static int tracefs_err;

/* tracefs for the tracepoint (or a tracefs kprobe), mounted if need be; a failure is said once. */
static int need_tracefs(void)
{
	bool mounted;

	if (tracefs_dir || tracefs_err)
		return tracefs_err;
	tracefs_err = tracefs_prepare(&tracefs_dir, &mounted);
	if (tracefs_err) {
		log_msg("tracefs is not mounted and mounting it at /sys/kernel/tracing failed: %s -- run: mount -t tracefs tracefs /sys/kernel/tracing",
			strerror(-tracefs_err));
		tracefs_dir = NULL;
		return tracefs_err;
	}
	if (mounted)
		log_verbose("mounted tracefs at %s", tracefs_dir);
	return 0;
}

/* kprobes: the PMU (preferred: dies with its fd) or tracefs kprobe_events. */
static int kprobe_support(struct hook *hook, char *why, size_t len)
{
	FILE *kallsyms;
	int err;

	if (!kernel_has_kprobe_pmu()) {
		if (need_tracefs()) {
			snprintf(
				why, len,
				"no kprobe PMU, and kprobe_events cannot be looked for without tracefs");
			return -EOPNOTSUPP;
		}
		if (!tracefs_has(tracefs_dir, "kprobe_events")) {
			snprintf(
				why, len,
				"this kernel has no kprobes (no kprobe PMU, no kprobe_events: CONFIG_KPROBES is off)");
			return -EOPNOTSUPP;
		}
	}

	kallsyms = fopen("/proc/kallsyms", "r");
	if (!kallsyms) {
		snprintf(why, len, "cannot read /proc/kallsyms: %s", strerror(errno));
		return -errno;
	}
	err = syscall_fnname(kallsyms, "execve", hook->target, sizeof(hook->target));
	fclose(kallsyms);
	if (err) {
		snprintf(why, len, "no execve syscall function in /proc/kallsyms");
		return -EOPNOTSUPP;
	}
	hook->kind = HOOK_KPROBE;
	snprintf(hook->name, sizeof(hook->name), "kprobe:%s", hook->target);
	snprintf(hook->ev_name, sizeof(hook->ev_name), "p_%s", hook->target);
	return 0;
}

static int tracepoint_support(struct hook *hook)
{
	int err = need_tracefs();

	if (err)
		return err;
	if (!tracefs_has(tracefs_dir, "events/" TP_CATEGORY "/" TP_EVENT "/id")) {
		log_msg("this kernel has no tracepoint %s:%s (needs CONFIG_FTRACE_SYSCALLS)",
			TP_CATEGORY, TP_EVENT);
		return -EOPNOTSUPP;
	}
	hook->kind = HOOK_TRACEPOINT;
	snprintf(hook->target, sizeof(hook->target), TP_CATEGORY ":" TP_EVENT);
	snprintf(hook->name, sizeof(hook->name), "tracepoint:%s", hook->target);
	return 0;
}

int hook_choose(enum attach_mode mode, struct hook *hook)
{
	char why[256];
	int err;

	memset(hook, 0, sizeof(*hook));
	hook->perf_fd = -1;
	if (mode == ATTACH_TRACEPOINT)
		return tracepoint_support(hook);

	err = kprobe_support(hook, why, sizeof(why));
	if (err == 0)
		return 0;
	if (mode == ATTACH_KPROBE) {
		log_msg("cannot attach a kprobe: %s -- try --attach tracepoint", why);
		return err;
	}
	/* auto: the tracepoint counts the same calls; kprobe is the first choice only */
	log_verbose("kprobe unavailable (%s); using the tracepoint", why);
	return tracepoint_support(hook);
}

const char *hook_function(const struct hook *hook)
{
	return hook->kind == HOOK_KPROBE ? CONTRACT_FN_KPROBE : CONTRACT_FN_TRACEPOINT;
}

int hook_prog_type(const struct hook *hook)
{
	return hook->kind == HOOK_KPROBE ? BPF_PROG_TYPE_KPROBE : BPF_PROG_TYPE_TRACEPOINT;
}

int hook_attach(struct hook *hook, int prog_fd)
{
	int fd;

	if (hook->kind == HOOK_KPROBE)
		fd = bpf_attach_kprobe(prog_fd, BPF_PROBE_ENTRY, hook->ev_name, hook->target, 0, 0);
	else
		fd = bpf_attach_tracepoint(prog_fd, TP_CATEGORY, TP_EVENT);
	if (fd < 0) {
		int err = -errno;

		log_msg("attaching %s failed: %s", hook->name, strerror(-err));
		return err ? err : -EINVAL;
	}
	hook->perf_fd = fd;
	return 0;
}

/*
 * The order of bcc's BPF::detach_kprobe_event: the perf event, then the
 * tracefs entry.  libbcc falls back to a tracefs kprobe on its own when the
 * PMU fails, so look for our entry wherever kprobe_events exists (libbcc
 * removes it only if it is there).
 */
void hook_detach(struct hook *hook)
{
	if (hook->perf_fd < 0)
		return;
	bpf_close_perf_event_fd(hook->perf_fd);
	hook->perf_fd = -1;
	if (hook->kind == HOOK_KPROBE && tracefs_has(tracefs_path(), "kprobe_events"))
		bpf_detach_kprobe(hook->ev_name);
	else if (hook->kind == HOOK_TRACEPOINT)
		bpf_detach_tracepoint(TP_CATEGORY, TP_EVENT);
}
