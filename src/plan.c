// SPDX-License-Identifier: GPL-2.0
#include "plan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "contract.h"

#define KPROBE_HINT	     "try --attach tracepoint"
#define FTRACE_SYSCALLS_HINT "the kernel needs CONFIG_FTRACE_SYSCALLS, or kprobes (--attach kprobe)"

static struct attachment *add(struct hooks *hooks, enum attach_kind kind, const char *fn)
{
	struct attachment *at = &hooks->at[hooks->n++];

	memset(at, 0, sizeof(*at));
	at->kind = kind;
	at->fn = fn;
	at->prog_fd = -1;
	at->perf_fd = -1;
	return at;
}

static void add_kprobe(struct hooks *hooks, enum attach_kind kind, const char *fn,
		       const char *target)
{
	struct attachment *at = add(hooks, kind, fn);
	bool ret = kind == AT_KRETPROBE;

	at->entry = !ret;
	snprintf(at->target, sizeof(at->target), "%s", target);
	snprintf(at->name, sizeof(at->name), "%s:%s", ret ? "kretprobe" : "kprobe", target);
	/* libbcc's own naming: p_/r_ and the function */
	snprintf(at->ev_name, sizeof(at->ev_name), "%s_%s", ret ? "r" : "p", target);
}

static struct attachment *add_tracepoint(struct hooks *hooks, const char *fn, const char *category,
					 const char *event)
{
	struct attachment *at = add(hooks, AT_TRACEPOINT, fn);

	snprintf(at->target, sizeof(at->target), "%s:%s", category, event);
	snprintf(at->name, sizeof(at->name), "tracepoint:%s:%s", category, event);
	return at;
}

void plan_tracefs(const struct kernel_facts *k, struct finding *f)
{
	const char *check = "tracefs";

	if (!k->tracefs_err)
		finding_set(f, FINDING_OK, check, 0, NULL, "mounted at %s", k->tracefs);
	else if (k->tracefs_mount_failed)
		finding_set(
			f, FINDING_FAIL, check, k->tracefs_err,
			"run: mount -t tracefs tracefs /sys/kernel/tracing",
			"tracefs is not mounted and mounting it at /sys/kernel/tracing failed: %s",
			strerror(-k->tracefs_err));
	else if (k->tracefs_err == -ENOENT && !k->tracefs_mount_tried)
		finding_set(
			f, FINDING_WARN, check, 0,
			"the tool mounts it at start (as root): mount -t tracefs tracefs /sys/kernel/tracing",
			"not mounted at %s", k->tracefs);
	else
		finding_set(
			f, k->tracefs_mount_tried ? FINDING_FAIL : FINDING_WARN, check,
			k->tracefs_err,
			"it is root's: run as root, or add CAP_DAC_READ_SEARCH to CAP_BPF and CAP_PERFMON",
			"cannot look inside tracefs at %s: %s", k->tracefs,
			strerror(-k->tracefs_err));
}

/* Why kprobes cannot be had (0 if they can): the PMU (preferred: dies with its fd) or kprobe_events. */
static int kprobes_missing(const struct kernel_facts *k, unsigned int syscalls, struct finding *why)
{
	if (!k->kprobe_pmu && k->tracefs_err) {
		finding_set(
			why, FINDING_FAIL, "kprobes", -EOPNOTSUPP, KPROBE_HINT,
			"no kprobe PMU, and kprobe_events cannot be looked for without tracefs");
		return why->err;
	}
	if (!k->kprobe_pmu && !k->kprobe_events) {
		finding_set(
			why, FINDING_FAIL, "kprobes", -EOPNOTSUPP, KPROBE_HINT,
			"this kernel has no kprobes (no kprobe PMU, no kprobe_events: CONFIG_KPROBES is off)");
		return why->err;
	}
	if (k->kallsyms_err) {
		finding_set(why, FINDING_FAIL, "kprobes", k->kallsyms_err, KPROBE_HINT,
			    "no kprobe targets: cannot read /proc/kallsyms: %s",
			    strerror(-k->kallsyms_err));
		return why->err;
	}
	for (int i = 0; i < SYSCALLS_N; i++)
		if ((syscalls & syscall_table[i].bit) && !k->syscall_fn[i][0]) {
			finding_set(why, FINDING_FAIL, "kprobes", -EOPNOTSUPP, KPROBE_HINT,
				    "no kprobe target: no %s syscall function in /proc/kallsyms",
				    syscall_table[i].name);
			return why->err;
		}
	return 0;
}

int plan_kprobes(const struct kernel_facts *k, unsigned int syscalls, struct hooks *out,
		 struct finding *why)
{
	const char *fn = NULL;
	char event[64];

	memset(out, 0, sizeof(*out));
	if (!k->kprobes_read) {
		finding_set(why, FINDING_FAIL, "kprobes", -EOPNOTSUPP, KPROBE_HINT,
			    "kprobes were not looked for");
		return why->err;
	}
	if (kprobes_missing(k, syscalls, why))
		return why->err;
	out->kind = HOOK_KPROBE;
	for (int i = 0; i < SYSCALLS_N; i++)
		if (syscalls & syscall_table[i].bit) {
			fn = k->syscall_fn[i];
			add_kprobe(out, AT_KPROBE, syscall_table[i].kprobe_fn, fn);
		}
	/* the prefix bcc found (shared by every syscall): sys_ takes the arguments unwrapped */
	out->syscall_wrapper = fn && strncmp(fn, "sys_", 4) != 0;
	/*
	 * The exits: the tracepoint where there is one, as a kretprobe can miss
	 * returns when more calls are in flight than its maxactive.
	 */
	for (int i = 0; i < SYSCALLS_N; i++) {
		if (!(syscalls & syscall_table[i].bit))
			continue;
		if (k->exit_tp[i]) {
			snprintf(event, sizeof(event), "sys_exit_%s", syscall_table[i].name);
			add_tracepoint(out, CONTRACT_FN_EXIT_TRACEPOINT, "syscalls", event);
		} else {
			add_kprobe(out, AT_KRETPROBE, CONTRACT_FN_EXIT_KRETPROBE, k->syscall_fn[i]);
		}
	}
	finding_set(why, FINDING_OK, "kprobes", 0, NULL, "%s%s", out->at[0].name,
		    k->kprobe_pmu ? " (the kprobe PMU)" : " (kprobe_events)");
	return 0;
}

int plan_tracepoints(const struct kernel_facts *k, unsigned int syscalls, struct hooks *out,
		     struct finding *why)
{
	char event[64];

	memset(out, 0, sizeof(*out));
	out->kind = HOOK_TRACEPOINT;
	for (int ret = 0; ret < 2; ret++)
		for (int i = 0; i < SYSCALLS_N; i++) {
			const struct syscall_info *sc = &syscall_table[i];

			if (!(syscalls & sc->bit))
				continue;
			snprintf(event, sizeof(event), "sys_%s_%s", ret ? "exit" : "enter",
				 sc->name);
			if (!(ret ? k->exit_tp[i] : k->enter_tp[i])) {
				finding_set(
					why, FINDING_FAIL, "syscall tracepoints", -EOPNOTSUPP,
					FTRACE_SYSCALLS_HINT,
					"this kernel has no tracepoint syscalls:%s (needs CONFIG_FTRACE_SYSCALLS)",
					event);
				return why->err;
			}
			add_tracepoint(out, ret ? CONTRACT_FN_EXIT_TRACEPOINT : sc->tracepoint_fn,
				       "syscalls", event)
				->entry = !ret;
		}
	finding_set(why, FINDING_OK, "syscall tracepoints", 0, NULL,
		    "%u of %u (syscalls:sys_{enter,exit}_%s)", out->n, out->n,
		    syscalls == (SYSCALL_EXECVE | SYSCALL_EXECVEAT) ? "execve{,at}"
		    : syscalls & SYSCALL_EXECVE			    ? "execve"
								    : "execveat");
	return 0;
}

void plan_sched(const struct kernel_facts *k, struct finding *f)
{
	if (k->sched_exec_tp)
		finding_set(f, FINDING_OK, "sched_process_exec", 0, NULL,
			    "sched:sched_process_exec");
	else
		finding_set(
			f, FINDING_FAIL, "sched_process_exec", -EOPNOTSUPP,
			"the successful execs are counted there: the kernel needs CONFIG_TRACEPOINTS",
			"this kernel has no tracepoint sched:sched_process_exec (needs CONFIG_TRACEPOINTS)");
}

/*
 * Counted at the exits, one program per execve, when that is right: the
 * key is read as well after the exec (key_fields_at_exit), the exit fires
 * after a success too (x86_64), and both syscalls are counted: a successful
 * execveat returns through sys_exit_execve, so execveat's entry notes its
 * process for the execve exit to tell them apart (with --syscalls execve
 * alone, execveat's successes would be counted as execve's).
 */
static bool plan_at_exit(const struct kernel_facts *k, unsigned int syscalls, unsigned int by_mask,
			 struct hooks *out)
{
	enum { EXECVE, EXECVEAT };

	if (!key_fields_at_exit(by_mask) || !k->exit_sees_success ||
	    syscalls != (SYSCALL_EXECVE | SYSCALL_EXECVEAT) || !k->exit_tp[EXECVE] ||
	    !k->exit_tp[EXECVEAT] || !k->enter_tp[EXECVEAT])
		return false;
	out->at_exit = true;
	add_tracepoint(out, CONTRACT_FN_EXECVE_EXIT, "syscalls", "sys_exit_execve");
	add_tracepoint(out, CONTRACT_FN_EXECVEAT_ENTRY, "syscalls", "sys_enter_execveat")->entry =
		true;
	add_tracepoint(out, CONTRACT_FN_EXECVEAT_EXIT, "syscalls", "sys_exit_execveat");
	return true;
}

int hooks_plan(const struct kernel_facts *k, enum attach_mode mode, unsigned int syscalls,
	       unsigned int by_mask, struct hooks *out, struct finding *why)
{
	struct finding kprobes;
	int err;

	/* every choice needs tracepoints: sched_process_exec at least */
	plan_tracefs(k, why);
	if (why->level != FINDING_OK) {
		why->level = FINDING_FAIL;
		why->err = k->tracefs_err;
		return why->err;
	}
	if (mode == ATTACH_TRACEPOINT) {
		err = plan_tracepoints(k, syscalls, out, why);
	} else {
		err = plan_kprobes(k, syscalls, out, &kprobes);
		if (err && mode == ATTACH_KPROBE) {
			*why = kprobes;
			return err;
		}
		/* auto: the tracepoints count the same calls; kprobes are the first choice only */
		if (err)
			err = plan_tracepoints(k, syscalls, out, why);
		if (!err) {
			*why = kprobes;
			if (kprobes.level == FINDING_FAIL)
				why->level = FINDING_WARN;
			why->err = 0;
		}
	}
	if (err)
		return err;
	if (out->kind == HOOK_TRACEPOINT) {
		struct hooks exits = { .kind = HOOK_TRACEPOINT };

		if (plan_at_exit(k, syscalls, by_mask, &exits)) {
			*out = exits;
			return 0;
		}
	}
	/* every successful exec, on every architecture */
	if (!k->sched_exec_tp) {
		plan_sched(k, why);
		return why->err;
	}
	add_tracepoint(out, CONTRACT_FN_SUCCESS, "sched", "sched_process_exec");
	return 0;
}
