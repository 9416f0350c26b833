// SPDX-License-Identifier: GPL-2.0
/*
 * test_plan.c - the hook plan from made-up kernels: what auto, kprobe and
 * tracepoint attach to with every fact there, without kprobes, with kprobes
 * but a syscall function missing, without an exit tracepoint (a kretprobe
 * then), without execveat's tracepoints, without sched_process_exec or
 * tracefs; the syscall wrapper from the symbol's prefix; the exits alone
 * (one program per exec) where the key and the architecture allow it; and
 * the words a finding is printed and logged in.
 */
#include "unit.h"

#include "contract.h"
#include "finding.h"
#include "log.h"
#include "plan.h"

#define BOTH   (SYSCALL_EXECVE | SYSCALL_EXECVEAT)
#define UID    (1u << FIELD_UID)
#define CGROUP (1u << FIELD_CGROUP)
#define COMM   (1u << FIELD_COMM)
#define EXE    (1u << FIELD_EXE)

/* Everything there: the kprobe PMU, x86-64's wrapped syscalls, every tracepoint. */
static struct kernel_facts full(void)
{
	struct kernel_facts k = { .tracefs = "/sys/kernel/tracing",
				  .kprobes_read = true,
				  .kprobe_pmu = true,
				  .sched_exec_tp = true };

	snprintf(k.syscall_fn[0], sizeof(k.syscall_fn[0]), "__x64_sys_execve");
	snprintf(k.syscall_fn[1], sizeof(k.syscall_fn[1]), "__x64_sys_execveat");
	for (int i = 0; i < SYSCALLS_N; i++)
		k.enter_tp[i] = k.exit_tp[i] = true;
	return k;
}

/* The hooks' names, comma-joined, to compare whole. */
static const char *names(const struct hooks *h)
{
	static char buf[1024];
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < h->n; i++)
		at += snprintf(buf + at, sizeof(buf) - at, "%s%s=%s", i ? "," : "", h->at[i].name,
			       h->at[i].fn);
	return buf;
}

static void test_auto_prefers_kprobes(void **state)
{
	struct kernel_facts k = full();
	struct hooks h;
	struct finding why;

	(void)state;
	assert_int_equal(hooks_plan(&k, ATTACH_AUTO, BOTH, UID, &h, &why), 0);
	assert_int_equal(h.kind, HOOK_KPROBE);
	assert_true(h.syscall_wrapper);
	assert_string_equal(names(&h),
			    "kprobe:__x64_sys_execve=" CONTRACT_FN_EXECVE_KPROBE
			    ",kprobe:__x64_sys_execveat=" CONTRACT_FN_EXECVEAT_KPROBE
			    ",tracepoint:syscalls:sys_exit_execve=" CONTRACT_FN_EXIT_TRACEPOINT
			    ",tracepoint:syscalls:sys_exit_execveat=" CONTRACT_FN_EXIT_TRACEPOINT
			    ",tracepoint:sched:sched_process_exec=" CONTRACT_FN_SUCCESS);
	assert_int_equal(why.level, FINDING_OK);
	assert_string_equal(h.at[0].ev_name, "p___x64_sys_execve");
	for (unsigned int i = 0; i < h.n; i++) {
		assert_int_equal(h.at[i].prog_fd, -1);
		assert_int_equal(h.at[i].perf_fd, -1);
	}
}

static void test_tracepoint_mode(void **state)
{
	struct kernel_facts k = full();
	struct hooks h;
	struct finding why;

	(void)state;
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, BOTH, UID, &h, &why), 0);
	assert_int_equal(h.kind, HOOK_TRACEPOINT);
	assert_string_equal(
		names(&h),
		"tracepoint:syscalls:sys_enter_execve=" CONTRACT_FN_EXECVE_TRACEPOINT
		",tracepoint:syscalls:sys_enter_execveat=" CONTRACT_FN_EXECVEAT_TRACEPOINT
		",tracepoint:syscalls:sys_exit_execve=" CONTRACT_FN_EXIT_TRACEPOINT
		",tracepoint:syscalls:sys_exit_execveat=" CONTRACT_FN_EXIT_TRACEPOINT
		",tracepoint:sched:sched_process_exec=" CONTRACT_FN_SUCCESS);
	/* one syscall: its hooks only */
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, SYSCALL_EXECVEAT, UID, &h, &why), 0);
	assert_string_equal(
		names(&h), "tracepoint:syscalls:sys_enter_execveat=" CONTRACT_FN_EXECVEAT_TRACEPOINT
			   ",tracepoint:syscalls:sys_exit_execveat=" CONTRACT_FN_EXIT_TRACEPOINT
			   ",tracepoint:sched:sched_process_exec=" CONTRACT_FN_SUCCESS);
}

/* This machine's kind: no kprobes.  auto takes the tracepoints and says why at WARN; kprobe fails. */
static void test_no_kprobes(void **state)
{
	struct kernel_facts k = full();
	struct hooks h;
	struct finding why;

	(void)state;
	k.kprobe_pmu = false;
	k.kprobe_events = false;
	assert_int_equal(hooks_plan(&k, ATTACH_AUTO, BOTH, UID, &h, &why), 0);
	assert_int_equal(h.kind, HOOK_TRACEPOINT);
	assert_int_equal(h.n, 5);
	assert_int_equal(why.level, FINDING_WARN);
	assert_string_equal(why.check, "kprobes");
	assert_non_null(strstr(why.detail, "CONFIG_KPROBES is off"));

	assert_int_equal(hooks_plan(&k, ATTACH_KPROBE, BOTH, UID, &h, &why), -EOPNOTSUPP);
	assert_int_equal(why.level, FINDING_FAIL);
	assert_int_equal(why.err, -EOPNOTSUPP);
	assert_string_equal(why.hint, "try --attach tracepoint");
	/* kprobe_events alone will do (CONFIG_KPROBES without the PMU) */
	k.kprobe_events = true;
	assert_int_equal(hooks_plan(&k, ATTACH_KPROBE, BOTH, UID, &h, &why), 0);
	assert_int_equal(h.kind, HOOK_KPROBE);
	assert_non_null(strstr(why.detail, "kprobe_events"));
}

/* kprobes, but kallsyms lacks execveat's function: the run and --doctor both see it. */
static void test_kprobe_symbol_missing(void **state)
{
	struct kernel_facts k = full();
	struct hooks h;
	struct finding why;

	(void)state;
	k.syscall_fn[1][0] = '\0';
	assert_int_equal(hooks_plan(&k, ATTACH_KPROBE, BOTH, UID, &h, &why), -EOPNOTSUPP);
	assert_string_equal(why.detail,
			    "no kprobe target: no execveat syscall function in /proc/kallsyms");
	/* execve alone does not need it */
	assert_int_equal(hooks_plan(&k, ATTACH_KPROBE, SYSCALL_EXECVE, UID, &h, &why), 0);
	assert_int_equal(h.n, 3);
	/* auto falls back */
	assert_int_equal(hooks_plan(&k, ATTACH_AUTO, BOTH, UID, &h, &why), 0);
	assert_int_equal(h.kind, HOOK_TRACEPOINT);
	assert_int_equal(why.level, FINDING_WARN);
	/* kallsyms unreadable: its errno */
	k = full();
	k.kallsyms_err = -EACCES;
	assert_int_equal(hooks_plan(&k, ATTACH_KPROBE, BOTH, UID, &h, &why), -EACCES);
	/* kprobe facts not read at all: not assumed */
	k = full();
	k.kprobes_read = false;
	assert_int_equal(hooks_plan(&k, ATTACH_KPROBE, BOTH, UID, &h, &why), -EOPNOTSUPP);
}

/* No syscall exit tracepoints (kprobes, no CONFIG_FTRACE_SYSCALLS): a kretprobe takes the exit. */
static void test_no_exit_tracepoint(void **state)
{
	struct kernel_facts k = full();
	struct hooks h;
	struct finding why;

	(void)state;
	for (int i = 0; i < SYSCALLS_N; i++)
		k.enter_tp[i] = k.exit_tp[i] = false;
	assert_int_equal(hooks_plan(&k, ATTACH_AUTO, SYSCALL_EXECVE, UID, &h, &why), 0);
	assert_string_equal(names(&h), "kprobe:__x64_sys_execve=" CONTRACT_FN_EXECVE_KPROBE
				       ",kretprobe:__x64_sys_execve=" CONTRACT_FN_EXIT_KRETPROBE
				       ",tracepoint:sched:sched_process_exec=" CONTRACT_FN_SUCCESS);
	assert_string_equal(h.at[1].ev_name, "r___x64_sys_execve");
	assert_int_equal(h.at[1].kind, AT_KRETPROBE);
	/* and tracepoints cannot be had */
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, BOTH, UID, &h, &why), -EOPNOTSUPP);
	assert_string_equal(why.check, "syscall tracepoints");
	assert_string_equal(
		why.detail,
		"this kernel has no tracepoint syscalls:sys_enter_execve (needs CONFIG_FTRACE_SYSCALLS)");
}

/* Only execveat's tracepoints missing: execve alone still plans; both do not. */
static void test_no_execveat_tracepoint(void **state)
{
	struct kernel_facts k = full();
	struct hooks h;
	struct finding why;

	(void)state;
	k.kprobe_pmu = false;
	k.enter_tp[1] = false;
	assert_int_equal(hooks_plan(&k, ATTACH_AUTO, BOTH, UID, &h, &why), -EOPNOTSUPP);
	assert_non_null(strstr(why.detail, "sys_enter_execveat"));
	assert_int_equal(hooks_plan(&k, ATTACH_AUTO, SYSCALL_EXECVE, UID, &h, &why), 0);
	assert_int_equal(h.n, 3);
}

static void test_no_sched_or_tracefs(void **state)
{
	struct kernel_facts k = full();
	struct hooks h;
	struct finding why;

	(void)state;
	k.sched_exec_tp = false;
	assert_int_equal(hooks_plan(&k, ATTACH_AUTO, BOTH, UID, &h, &why), -EOPNOTSUPP);
	assert_string_equal(why.check, "sched_process_exec");
	k = full();
	k.tracefs_err = -EPERM;
	k.tracefs_mount_tried = true;
	k.tracefs_mount_failed = true;
	assert_int_equal(hooks_plan(&k, ATTACH_AUTO, BOTH, UID, &h, &why), -EPERM);
	assert_string_equal(why.check, "tracefs");
	assert_string_equal(why.hint, "run: mount -t tracefs tracefs /sys/kernel/tracing");
	/* --doctor's look (no mount tried): not mounted is a warning */
	k.tracefs_mount_tried = k.tracefs_mount_failed = false;
	k.tracefs_err = -ENOENT;
	plan_tracefs(&k, &why);
	assert_int_equal(why.level, FINDING_WARN);
	/* a run that may mount: a tracefs it cannot look inside fails */
	k.tracefs_mount_tried = true;
	k.tracefs_err = -EACCES;
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, BOTH, UID, &h, &why), -EACCES);
	assert_non_null(strstr(why.detail, "cannot look inside tracefs"));
}

/* bcc's prefixes: sys_ takes its arguments directly, __x64_sys_ and the others a pt_regs. */
static void test_syscall_wrapper(void **state)
{
	struct kernel_facts k = full();
	struct hooks h;
	struct finding why;

	(void)state;
	snprintf(k.syscall_fn[0], sizeof(k.syscall_fn[0]), "sys_execve");
	snprintf(k.syscall_fn[1], sizeof(k.syscall_fn[1]), "sys_execveat");
	assert_int_equal(hooks_plan(&k, ATTACH_KPROBE, BOTH, UID, &h, &why), 0);
	assert_false(h.syscall_wrapper);
	snprintf(k.syscall_fn[0], sizeof(k.syscall_fn[0]), "__arm64_sys_execve");
	snprintf(k.syscall_fn[1], sizeof(k.syscall_fn[1]), "__arm64_sys_execveat");
	assert_int_equal(hooks_plan(&k, ATTACH_KPROBE, BOTH, UID, &h, &why), 0);
	assert_true(h.syscall_wrapper);
	assert_string_equal(h.at[0].name, "kprobe:__arm64_sys_execve");
}

/* x86_64's exits see successes too: uid and cgroup keys take the exits alone on the tracepoints. */
static void test_at_exit(void **state)
{
	struct kernel_facts k = full();
	struct hooks h;
	struct finding why;
	const char *exits = "tracepoint:syscalls:sys_exit_execve=" CONTRACT_FN_EXECVE_EXIT
			    ",tracepoint:syscalls:sys_enter_execveat=" CONTRACT_FN_EXECVEAT_ENTRY
			    ",tracepoint:syscalls:sys_exit_execveat=" CONTRACT_FN_EXECVEAT_EXIT;

	(void)state;
	k.exit_sees_success = true;
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, BOTH, UID, &h, &why), 0);
	assert_true(h.at_exit);
	assert_int_equal(h.kind, HOOK_TRACEPOINT);
	assert_string_equal(names(&h), exits);
	/* the entry is attached after the exits */
	assert_false(h.at[0].entry);
	assert_true(h.at[1].entry);
	assert_false(h.at[2].entry);
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, BOTH, UID | CGROUP, &h, &why), 0);
	assert_string_equal(names(&h), exits);
	/* sched_process_exec is not needed then */
	k.sched_exec_tp = false;
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, BOTH, UID, &h, &why), 0);
	assert_string_equal(names(&h), exits);
	/* auto without kprobes is the tracepoints: the exits alone too */
	k = full();
	k.exit_sees_success = true;
	k.kprobe_pmu = false;
	assert_int_equal(hooks_plan(&k, ATTACH_AUTO, BOTH, UID, &h, &why), 0);
	assert_string_equal(names(&h), exits);
	assert_int_equal(why.level, FINDING_WARN);
	/* with kprobes, auto attaches the kprobes, as before */
	k.kprobe_pmu = true;
	assert_int_equal(hooks_plan(&k, ATTACH_AUTO, BOTH, UID, &h, &why), 0);
	assert_false(h.at_exit);
	assert_int_equal(h.kind, HOOK_KPROBE);
	assert_int_equal(h.n, 5);
}

/* Where one program cannot be right: entry, exit and success as before. */
static void test_at_exit_not_possible(void **state)
{
	struct kernel_facts k = full();
	struct hooks h;
	struct finding why;
	const char *three = "tracepoint:syscalls:sys_enter_execve=" CONTRACT_FN_EXECVE_TRACEPOINT
			    ",tracepoint:syscalls:sys_exit_execve=" CONTRACT_FN_EXIT_TRACEPOINT
			    ",tracepoint:sched:sched_process_exec=" CONTRACT_FN_SUCCESS;

	(void)state;
	k.exit_sees_success = true;
	/* comm and exe change with the exec: noted at entry */
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, BOTH, COMM, &h, &why), 0);
	assert_false(h.at_exit);
	assert_int_equal(h.n, 5);
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, SYSCALL_EXECVE, COMM, &h, &why), 0);
	assert_false(h.at_exit);
	assert_string_equal(names(&h), three);
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, SYSCALL_EXECVE, UID | EXE, &h, &why), 0);
	assert_string_equal(names(&h), three);
	assert_true(h.at[0].entry);
	assert_false(h.at[1].entry || h.at[2].entry);
	/* one syscall alone: a successful execveat returns through execve's exit */
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, SYSCALL_EXECVE, UID, &h, &why), 0);
	assert_false(h.at_exit);
	assert_string_equal(names(&h), three);
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, SYSCALL_EXECVEAT, CGROUP, &h, &why), 0);
	assert_false(h.at_exit);
	/* no execveat entry tracepoint */
	k.enter_tp[1] = false;
	assert_int_equal(hooks_plan(&k, ATTACH_AUTO, SYSCALL_EXECVE, UID, &h, &why), 0);
	assert_false(h.at_exit);
	k.enter_tp[1] = true;
	/* an architecture whose exits miss successes (arm64 before de6921856f99) */
	k.exit_sees_success = false;
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, BOTH, UID, &h, &why), 0);
	assert_false(h.at_exit);
	assert_int_equal(hooks_plan(&k, ATTACH_TRACEPOINT, SYSCALL_EXECVE, UID, &h, &why), 0);
	assert_false(h.at_exit);
	assert_string_equal(names(&h), three);
}

/* The same words: --doctor's line and a run's line from one finding. */
static void test_finding_words(void **state)
{
	struct capture doctor, run;
	struct finding f;

	(void)state;
	finding_set(&f, FINDING_FAIL, "kernel headers", -ENOENT, "install them",
		    "no kernel headers for %s", "6.1.0");
	capture_open(&doctor);
	finding_print(doctor.f, &f);
	assert_string_equal(capture_text(&doctor),
			    "fail kernel headers: no kernel headers for 6.1.0 -- install them\n");
	capture_open(&run);
	log_setup(run.f, false);
	assert_int_equal(finding_report(&f), -ENOENT);
	assert_string_equal(capture_text(&run),
			    "bcc-execcount: no kernel headers for 6.1.0 -- install them\n");
	capture_close(&doctor);
	capture_close(&run);
	/* ok is said only with --verbose; a warning says so */
	capture_open(&run);
	log_setup(run.f, false);
	finding_set(&f, FINDING_OK, "BTF", -EIO, NULL, "there");
	assert_int_equal(f.err, 0);
	assert_int_equal(finding_report(&f), 0);
	finding_set(&f, FINDING_WARN, "cgroup2", 0, "ids only", "no cgroup2 mount found");
	assert_int_equal(finding_report(&f), 0);
	assert_string_equal(capture_text(&run),
			    "bcc-execcount: warning: no cgroup2 mount found -- ids only\n");
	log_setup(stderr, false);
	capture_close(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_prefers_kprobes),
		cmocka_unit_test(test_tracepoint_mode),
		cmocka_unit_test(test_no_kprobes),
		cmocka_unit_test(test_kprobe_symbol_missing),
		cmocka_unit_test(test_no_exit_tracepoint),
		cmocka_unit_test(test_no_execveat_tracepoint),
		cmocka_unit_test(test_no_sched_or_tracefs),
		cmocka_unit_test(test_syscall_wrapper),
		cmocka_unit_test(test_at_exit),
		cmocka_unit_test(test_at_exit_not_possible),
		cmocka_unit_test(test_finding_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
