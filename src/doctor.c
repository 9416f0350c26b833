// SPDX-License-Identifier: GPL-2.0
#include "doctor.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/utsname.h>

#include "finding.h"
#include "keys.h"
#include "kernel.h"
#include "plan.h"
#include "preflight.h"

struct report {
	FILE *out;
	int failed;
};

static void say(struct report *r, const struct finding *f)
{
	finding_print(r->out, f);
	r->failed += f->level == FINDING_FAIL;
}

/* What a run with the defaults (--attach auto, --by uid, both syscalls) attaches, and how it counts. */
static void plan_defaults(struct report *r, const struct kernel_facts *k)
{
	char names[HOOKS_MAX * (sizeof(((struct attachment *)0)->name) + 2)] = "";
	struct hooks plan;
	struct finding f;

	if (hooks_plan(k, ATTACH_AUTO, SYSCALL_EXECVE | SYSCALL_EXECVEAT, 1u << FIELD_UID, &plan,
		       &f)) {
		f.check = "hooks";
		say(r, &f);
		return;
	}
	for (unsigned int i = 0; i < plan.n; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 i ? ", " : "", plan.at[i].name);
	finding_set(&f, FINDING_OK, "hooks", 0, NULL, "a run with the defaults attaches %s (%s)",
		    names,
		    plan.at_exit ? "counted at the exits: one program per execve, two per execveat"
				 : "counted at entry, exit and sched_process_exec");
	say(r, &f);
}

/* The hooks as a run with --attach auto plans them, from the same facts. */
static void hooks(struct report *r, const struct kernel_facts *k)
{
	unsigned int all = SYSCALL_EXECVE | SYSCALL_EXECVEAT;
	struct finding f, kprobes, tracepoints;
	struct hooks plan;

	plan_tracefs(k, &f);
	say(r, &f);
	plan_kprobes(k, all, &plan, &kprobes);
	if (kprobes.level == FINDING_FAIL) {
		kprobes.level = FINDING_WARN;
		snprintf(kprobes.hint, sizeof(kprobes.hint),
			 "--attach auto uses the syscall tracepoints");
	}
	say(r, &kprobes);
	if (k->tracefs_err) {
		finding_set(&f, FINDING_WARN, "syscall tracepoints", 0, NULL,
			    "cannot tell until tracefs is mounted");
		say(r, &f);
		finding_set(&f, FINDING_WARN, "sched_process_exec", 0, NULL,
			    "cannot tell until tracefs is mounted");
		say(r, &f);
		finding_set(&f, FINDING_WARN, "hooks", 0, NULL,
			    "cannot tell until tracefs is mounted");
		say(r, &f);
		return;
	}
	plan_tracepoints(k, all, &plan, &tracepoints);
	if (tracepoints.level == FINDING_FAIL && kprobes.level == FINDING_OK) {
		tracepoints.level = FINDING_WARN;
		snprintf(tracepoints.hint, sizeof(tracepoints.hint),
			 "the kprobes are used instead");
	}
	say(r, &tracepoints);
	plan_sched(k, &f);
	say(r, &f);
	plan_defaults(r, k);
}

int doctor_run(FILE *out, const char *libbcc_version, const char *cache_dir)
{
	struct report r = { .out = out };
	struct kernel_facts k;
	struct finding f;
	struct utsname u;
	char root[PATH_MAX];

	if (uname(&u) == 0) {
		fprintf(out, "bcc-execcount on Linux %s (%s)\n", u.release, u.machine);
		check_kernel(&f, u.release);
		say(&r, &f);
	}
	check_privileges(&f);
	say(&r, &f);
	check_lockdown(&f);
	say(&r, &f);
	check_headers(&f);
	say(&r, &f);
	kernel_facts_read(&k, FACTS_KPROBES);
	hooks(&r, &k);
	check_btf(&f);
	say(&r, &f);
	finding_set(&f, FINDING_OK, "libbcc", 0, NULL, "%s (built against)", libbcc_version);
	say(&r, &f);
	check_llvm(&f);
	say(&r, &f);
	check_cgroup2(&f, root, sizeof(root));
	say(&r, &f);
	check_cache(&f, cache_dir);
	say(&r, &f);
	if (r.failed)
		fprintf(out, "bcc-execcount cannot run here: %d problem%s above\n", r.failed,
			r.failed == 1 ? "" : "s");
	else
		fprintf(out, "bcc-execcount can run here\n");
	return r.failed;
}
