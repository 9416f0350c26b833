// SPDX-License-Identifier: GPL-2.0
#include "doctor.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "cache.h"
#include "cgroups.h"
#include "kernel.h"
#include "versions.h"

struct report {
	FILE *out;
	int failed;
};

static void line(struct report *r, const char *status, const char *check, const char *detail,
		 const char *hint)
{
	fprintf(r->out, "%-4s %s: %s%s%s\n", status, check, detail, hint ? " -- " : "",
		hint ? hint : "");
	if (strcmp(status, "fail") == 0)
		r->failed++;
}

static bool exists(const char *dir, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return stat(path, &st) == 0;
}

static void kernel(struct report *r, const char *release)
{
	char buf[160];
	unsigned int major, minor;
	int err = kernel_release_check(release, &major, &minor);

	if (err == -EINVAL) {
		snprintf(buf, sizeof(buf), "cannot read a version in release %.64s", release);
		line(r, "warn", "kernel", buf,
		     "bcc-execcount needs Linux " KERNEL_MIN_TEXT " or later");
		return;
	}
	snprintf(buf, sizeof(buf), "Linux %u.%u (needs " KERNEL_MIN_TEXT " or later)", major,
		 minor);
	if (err)
		line(r, "fail", "kernel", buf,
		     "too old for " KERNEL_MIN_WHY ": run it on a newer kernel");
	else
		line(r, "ok", "kernel", buf, NULL);
}

static void privileges(struct report *r)
{
	if (!kernel_initial_userns())
		line(r, "fail", "privileges", "inside a user namespace (a rootless container?)",
		     "eBPF needs the host: run it there, as root");
	else if (!kernel_privileged())
		line(r, "fail", "privileges", "no CAP_BPF and CAP_PERFMON, nor CAP_SYS_ADMIN",
		     "run as root (sudo bcc-execcount), or see docs/privileges.md");
	else
		line(r, "ok", "privileges", "CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)", NULL);
}

/* /sys/kernel/security/lockdown: "[none] integrity confidentiality" */
static void lockdown(struct report *r)
{
	char buf[128] = "", *open_, *close_;
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");

	if (!f) {
		line(r, "ok", "lockdown", "no lockdown in this kernel (or securityfs not mounted)",
		     NULL);
		return;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	open_ = strchr(buf, '[');
	close_ = open_ ? strchr(open_, ']') : NULL;
	if (!close_) {
		line(r, "warn", "lockdown", "cannot read the mode", NULL);
		return;
	}
	*close_ = '\0';
	if (strcmp(open_ + 1, "confidentiality") == 0)
		line(r, "fail", "lockdown", "confidentiality: BPF may not read kernel memory",
		     "boot with lockdown=integrity or none (the probe reads the exec'd path and syscall arguments)");
	else
		line(r, "ok", "lockdown", open_ + 1, NULL);
}

static void headers(struct report *r)
{
	struct headers_info info;
	char hint[2 * PATH_MAX + 256];

	if (kernel_headers_find(&info) == 0) {
		line(r, "ok", "kernel headers", info.path, NULL);
		return;
	}
	if (info.from_env)
		snprintf(hint, sizeof(hint), "BCC_KERNEL_SOURCE=%s lacks %s", info.path,
			 info.missing);
	else
		snprintf(
			hint, sizeof(hint),
			"install linux-headers-%s, or give --kernel-headers DIR (scripts/setup.sh links the distribution's nearest)",
			info.release);
	line(r, "fail", "kernel headers", "none that libbcc can compile against", hint);
}

static void tracing(struct report *r)
{
	const char *dir = tracefs_path();
	bool mounted = tracefs_readable(dir) == 0;
	bool kprobes = kernel_has_kprobe_pmu() || (mounted && exists(dir, "kprobe_events"));
	static const char *const events[] = {
		"events/syscalls/sys_enter_execve/id",
		"events/syscalls/sys_enter_execveat/id",
		"events/syscalls/sys_exit_execve/id",
		"events/syscalls/sys_exit_execveat/id",
	};
	int found = 0;
	char detail[PATH_MAX + 64];

	if (mounted) {
		snprintf(detail, sizeof(detail), "mounted at %s", dir);
		line(r, "ok", "tracefs", detail, NULL);
	} else {
		line(r, "warn", "tracefs", "not mounted (or not readable)",
		     "the tool mounts it at start (as root): mount -t tracefs tracefs /sys/kernel/tracing");
	}
	if (kprobes)
		line(r, "ok", "kprobes",
		     kernel_has_kprobe_pmu() ? "the kprobe PMU" : "kprobe_events", NULL);
	else
		line(r, "warn", "kprobes", "none (CONFIG_KPROBES is off)",
		     "--attach auto uses the syscall tracepoints");
	if (!mounted) {
		line(r, "warn", "syscall tracepoints", "cannot tell until tracefs is mounted",
		     NULL);
		line(r, "warn", "sched_process_exec", "cannot tell until tracefs is mounted", NULL);
		return;
	}
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		found += exists(dir, events[i]);
	snprintf(detail, sizeof(detail), "%d of 4 (syscalls:sys_{enter,exit}_execve{,at})", found);
	if (found == 4)
		line(r, "ok", "syscall tracepoints", detail, NULL);
	else if (kprobes)
		line(r, "warn", "syscall tracepoints", detail, "the kprobes are used instead");
	else
		line(r, "fail", "syscall tracepoints", detail,
		     "needs CONFIG_FTRACE_SYSCALLS, or kprobes");
	if (exists(dir, "events/sched/sched_process_exec/id"))
		line(r, "ok", "sched_process_exec", "sched:sched_process_exec", NULL);
	else
		line(r, "fail", "sched_process_exec", "missing",
		     "the successful execs are counted there: needs CONFIG_TRACEPOINTS");
}

static void libraries(struct report *r, const char *libbcc_version, const char *cache_dir)
{
	char buf[300];
	FILE *mountinfo;
	char root[PATH_MAX];
	int err = -1;

	if (exists("/sys/kernel/btf", "vmlinux"))
		line(r, "ok", "BTF", "/sys/kernel/btf/vmlinux", NULL);
	else
		line(r, "warn", "BTF", "none",
		     "not needed by this tool (it compiles against headers)");
	snprintf(buf, sizeof(buf), "%s (built against)", libbcc_version);
	line(r, "ok", "libbcc", buf, NULL);
	if (llvm_describe(buf, sizeof(buf)))
		line(r, "fail", "LLVM", buf, "libbcc compiles with LLVM: reinstall libbpfcc");
	else
		line(r, "ok", "LLVM", buf, NULL);
	mountinfo = fopen("/proc/self/mountinfo", "r");
	if (mountinfo) {
		err = cgroup2_mount_find(mountinfo, root, sizeof(root));
		fclose(mountinfo);
	}
	if (err == 0)
		line(r, "ok", "cgroup2", root, NULL);
	else
		line(r, "warn", "cgroup2", "not mounted", "--by cgroup shows ids, not paths");
	if (!cache_dir)
		line(r, "ok", "cache", "off (--no-cache): every start compiles the probe", NULL);
	else if (cache_describe(cache_dir, buf, sizeof(buf)))
		line(r, "warn", "cache", buf,
		     "ignored, every start compiles: chown root and chmod go-w it, or remove it");
	else
		line(r, "ok", "cache", buf, NULL);
}

int doctor_run(FILE *out, const char *libbcc_version, const char *cache_dir)
{
	struct report r = { .out = out };
	struct utsname u;

	if (uname(&u) == 0) {
		fprintf(out, "bcc-execcount on Linux %s (%s)\n", u.release, u.machine);
		kernel(&r, u.release);
	}
	privileges(&r);
	lockdown(&r);
	headers(&r);
	tracing(&r);
	libraries(&r, libbcc_version, cache_dir);
	if (r.failed)
		fprintf(out, "bcc-execcount cannot run here: %d problem%s above\n", r.failed,
			r.failed == 1 ? "" : "s");
	else
		fprintf(out, "bcc-execcount can run here\n");
	return r.failed;
}
