// SPDX-License-Identifier: GPL-2.0
#include "attach.h"

#include <bcc/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "kernel.h"
#include "log.h"

#define TP_CATEGORY	 "syscalls"
#define SUCCESS_CATEGORY "sched"
#define SUCCESS_EVENT	 "sched_process_exec"

static const char *const syscall_names[] = { "execve", "execveat" };
static const char *const kprobe_fns[] = { CONTRACT_FN_EXECVE_KPROBE, CONTRACT_FN_EXECVEAT_KPROBE };
static const char *const tracepoint_fns[] = { CONTRACT_FN_EXECVE_TRACEPOINT,
					      CONTRACT_FN_EXECVEAT_TRACEPOINT };

static const char *tracefs_dir;
static int tracefs_err;

/* tracefs for the tracepoints (or a tracefs kprobe), mounted if need be; a failure is said once. */
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
	tracefs_err = tracefs_readable(tracefs_dir);
	if (tracefs_err) {
		log_msg("cannot look inside tracefs at %s: %s -- it is root's: run as root, or add CAP_DAC_READ_SEARCH to CAP_BPF and CAP_PERFMON",
			tracefs_dir, strerror(-tracefs_err));
		tracefs_dir = NULL;
	}
	return tracefs_err;
}

static struct attachment *add(struct hooks *hooks, enum attach_kind kind, const char *fn)
{
	struct attachment *at = &hooks->at[hooks->n++];

	memset(at, 0, sizeof(*at));
	at->kind = kind;
	at->fn = fn;
	at->perf_fd = -1;
	return at;
}

static void add_kprobe(struct hooks *hooks, enum attach_kind kind, const char *fn,
		       const char *target)
{
	struct attachment *at = add(hooks, kind, fn);
	bool ret = kind == AT_KRETPROBE;

	snprintf(at->target, sizeof(at->target), "%s", target);
	snprintf(at->name, sizeof(at->name), "%s:%s", ret ? "kretprobe" : "kprobe", target);
	/* libbcc's own naming: p_/r_ and the function */
	snprintf(at->ev_name, sizeof(at->ev_name), "%s_%s", ret ? "r" : "p", target);
}

/* The tracepoint category:event, or -EOPNOTSUPP (said) when the kernel lacks it. */
static int add_tracepoint(struct hooks *hooks, const char *fn, const char *category,
			  const char *event, const char *config)
{
	char rel[160];
	struct attachment *at;

	snprintf(rel, sizeof(rel), "events/%s/%s/id", category, event);
	if (!tracefs_has(tracefs_dir, rel)) {
		log_msg("this kernel has no tracepoint %s:%s (needs %s)", category, event, config);
		return -EOPNOTSUPP;
	}
	at = add(hooks, AT_TRACEPOINT, fn);
	snprintf(at->target, sizeof(at->target), "%s:%s", category, event);
	snprintf(at->name, sizeof(at->name), "tracepoint:%s:%s", category, event);
	return 0;
}

/* Has the kernel the syscall's exit tracepoint, syscalls:sys_exit_<name>? */
static bool has_exit_tracepoint(const char *name)
{
	char rel[160];

	snprintf(rel, sizeof(rel), "events/" TP_CATEGORY "/sys_exit_%s/id", name);
	return tracefs_has(tracefs_dir, rel);
}

/* kprobes: the PMU (preferred: dies with its fd) or tracefs kprobe_events. */
static int kprobe_support(struct hooks *hooks, unsigned int syscalls, char *why, size_t len)
{
	const char *last = "execve";
	char fn[128];
	size_t prefix;
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
	/* each syscall's function, found as bcc finds it (one pass of kallsyms each) */
	for (int i = 0; i < 2; i++) {
		if (!(syscalls & 1u << i))
			continue;
		last = syscall_names[i];
		rewind(kallsyms);
		err = syscall_fnname(kallsyms, syscall_names[i], fn, sizeof(fn));
		if (err) {
			fclose(kallsyms);
			snprintf(why, len, "no %s syscall function in /proc/kallsyms",
				 syscall_names[i]);
			return -EOPNOTSUPP;
		}
	}
	fclose(kallsyms);
	/* they share the prefix bcc found: __x64_sys_, sys_, ... */
	prefix = strlen(fn) - strlen(last);
	hooks->kind = HOOK_KPROBE;
	hooks->syscall_wrapper = !(prefix == 4 && strncmp(fn, "sys_", 4) == 0);
	for (int i = 0; i < 2; i++)
		if (syscalls & 1u << i) {
			snprintf(fn + prefix, sizeof(fn) - prefix, "%s", syscall_names[i]);
			add_kprobe(hooks, AT_KPROBE, kprobe_fns[i], fn);
		}
	/*
	 * The exits: the tracepoint where there is one, as a kretprobe can miss
	 * returns when more calls are in flight than its maxactive.
	 */
	for (int i = 0; i < 2; i++) {
		char event[64];

		if (!(syscalls & 1u << i))
			continue;
		if (has_exit_tracepoint(syscall_names[i])) {
			snprintf(event, sizeof(event), "sys_exit_%s", syscall_names[i]);
			add_tracepoint(hooks, CONTRACT_FN_EXIT_TRACEPOINT, TP_CATEGORY, event,
				       "CONFIG_FTRACE_SYSCALLS");
		} else {
			snprintf(fn + prefix, sizeof(fn) - prefix, "%s", syscall_names[i]);
			add_kprobe(hooks, AT_KRETPROBE, CONTRACT_FN_EXIT_KRETPROBE, fn);
		}
	}
	return 0;
}

static int tracepoint_support(struct hooks *hooks, unsigned int syscalls)
{
	char event[64];

	hooks->kind = HOOK_TRACEPOINT;
	for (int ret = 0; ret < 2; ret++)
		for (int i = 0; i < 2; i++) {
			int err;

			if (!(syscalls & 1u << i))
				continue;
			snprintf(event, sizeof(event), "sys_%s_%s", ret ? "exit" : "enter",
				 syscall_names[i]);
			err = add_tracepoint(hooks,
					     ret ? CONTRACT_FN_EXIT_TRACEPOINT : tracepoint_fns[i],
					     TP_CATEGORY, event, "CONFIG_FTRACE_SYSCALLS");
			if (err)
				return err;
		}
	return 0;
}

int hooks_choose(enum attach_mode mode, unsigned int syscalls, struct hooks *hooks)
{
	char why[256];
	int err;

	memset(hooks, 0, sizeof(*hooks));
	/* every choice needs tracepoints: sched_process_exec at least */
	err = need_tracefs();
	if (err)
		return err;
	if (mode == ATTACH_TRACEPOINT) {
		err = tracepoint_support(hooks, syscalls);
	} else {
		err = kprobe_support(hooks, syscalls, why, sizeof(why));
		if (err && mode == ATTACH_KPROBE) {
			log_msg("cannot attach a kprobe: %s -- try --attach tracepoint", why);
			return err;
		}
		/* auto: the tracepoints count the same calls; kprobes are the first choice only */
		if (err) {
			log_verbose("kprobes unavailable (%s); using the tracepoints", why);
			hooks->n = 0;
			err = tracepoint_support(hooks, syscalls);
		}
	}
	if (err)
		return err;
	/* every successful exec, on every architecture */
	return add_tracepoint(hooks, CONTRACT_FN_SUCCESS, SUCCESS_CATEGORY, SUCCESS_EVENT,
			      "CONFIG_TRACEPOINTS");
}

int attachment_prog_type(const struct attachment *at)
{
	switch (at->kind) {
	case AT_KPROBE:
	case AT_KRETPROBE:
		return BPF_PROG_TYPE_KPROBE;
	case AT_TRACEPOINT:
	default:
		return BPF_PROG_TYPE_TRACEPOINT;
	}
}

static int attach_one(struct attachment *at, int prog_fd)
{
	char category[sizeof(at->target)], *event;
	int fd;

	switch (at->kind) {
	case AT_KPROBE:
	case AT_KRETPROBE:
		fd = bpf_attach_kprobe(prog_fd,
				       at->kind == AT_KPROBE ? BPF_PROBE_ENTRY : BPF_PROBE_RETURN,
				       at->ev_name, at->target, 0, 0);
		break;
	case AT_TRACEPOINT:
	default:
		snprintf(category, sizeof(category), "%s", at->target);
		event = strchr(category, ':');
		*event++ = '\0';
		fd = bpf_attach_tracepoint(prog_fd, category, event);
		break;
	}
	if (fd < 0) {
		int err = errno ? -errno : -EINVAL;

		log_msg("attaching %s failed: %s", at->name, strerror(-err));
		return err;
	}
	at->perf_fd = fd;
	return 0;
}

/* Outcomes before entries, so every call noted at entry has its outcome seen. */
int hooks_attach(struct hooks *hooks, const int *prog_fds)
{
	for (unsigned int i = hooks->n; i-- > 0;) {
		int err = attach_one(&hooks->at[i], prog_fds[i]);

		if (err) {
			hooks_detach(hooks);
			return err;
		}
	}
	return 0;
}

/*
 * The order of bcc's BPF::detach_kprobe_event: the perf event, then the
 * tracefs entry.  libbcc falls back to a tracefs kprobe on its own when the
 * PMU fails, so look for our entry wherever kprobe_events exists (libbcc
 * removes it only if it is there).
 */
static void detach_one(struct attachment *at)
{
	char category[sizeof(at->target)], *event;

	if (at->perf_fd < 0)
		return;
	bpf_close_perf_event_fd(at->perf_fd);
	at->perf_fd = -1;
	if (at->kind == AT_TRACEPOINT) {
		snprintf(category, sizeof(category), "%s", at->target);
		event = strchr(category, ':');
		*event++ = '\0';
		bpf_detach_tracepoint(category, event);
	} else if (tracefs_has(tracefs_path(), "kprobe_events")) {
		bpf_detach_kprobe(at->ev_name);
	}
}

void hooks_detach(struct hooks *hooks)
{
	for (unsigned int i = 0; i < hooks->n; i++)
		detach_one(&hooks->at[i]);
}
