// SPDX-License-Identifier: GPL-2.0
#include "kernel.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

#define TRACEFS_DIR	    "/sys/kernel/tracing"
#define DEBUGFS_TRACEFS_DIR "/sys/kernel/debug/tracing"

int kernel_release_check(const char *release, unsigned int *major, unsigned int *minor)
{
	unsigned long v[2];
	const char *at = release;
	char *end;

	for (int i = 0; i < 2; i++) {
		if (*at < '0' || *at > '9')
			return -EINVAL;
		errno = 0;
		v[i] = strtoul(at, &end, 10);
		if (errno || v[i] > 100000 || (i == 0 && *end != '.'))
			return -EINVAL;
		at = end + 1;
	}
	*major = v[0];
	*minor = v[1];
	if (v[0] < KERNEL_MIN_MAJOR || (v[0] == KERNEL_MIN_MAJOR && v[1] < KERNEL_MIN_MINOR))
		return -EOPNOTSUPP;
	return 0;
}

static bool cap_has(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

bool kernel_privileged(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
	return cap_has(data, CAP_SYS_ADMIN) ||
	       (cap_has(data, CAP_BPF) && cap_has(data, CAP_PERFMON));
}

bool kernel_initial_userns(void)
{
	char line[128] = "";
	unsigned long inside, outside, count;
	FILE *f = fopen("/proc/self/uid_map", "r");

	/* the initial namespace maps every uid to itself: "0 0 4294967295" */
	if (!f)
		return true; /* no user namespaces in this kernel */
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
	       outside == 0 && count == 4294967295UL;
}

static bool is_tracefs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == TRACEFS_MAGIC;
}

/* stat, not access(2): access checks the real uid, without a non-root caller's capabilities */
static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *tracefs_path(void)
{
	/* libbcc's get_tracefs_path(): the debugfs location wins when it exists */
	return path_exists(DEBUGFS_TRACEFS_DIR) ? DEBUGFS_TRACEFS_DIR : TRACEFS_DIR;
}

int tracefs_prepare(const char **path, bool *mounted)
{
	*mounted = false;
	*path = tracefs_path();
	if (strcmp(*path, DEBUGFS_TRACEFS_DIR) == 0)
		return 0;
	if (is_tracefs(TRACEFS_DIR))
		return 0;
	if (mount("tracefs", TRACEFS_DIR, "tracefs", 0, NULL))
		return -errno;
	*mounted = true;
	return 0;
}

int tracefs_readable(const char *tracefs)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/events", tracefs);
	return stat(path, &st) ? -errno : 0;
}

bool tracefs_has(const char *tracefs, const char *rel)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", tracefs, rel) >= sizeof(path))
		return false;
	return path_exists(path);
}

int cpu_list_count(const char *list)
{
	const char *p = list;
	int count = 0;

	for (;;) {
		char *end;
		unsigned long lo, hi;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		lo = hi = strtoul(p, &end, 10);
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				return -EINVAL;
			hi = strtoul(p, &end, 10);
		}
		if (hi < lo || hi - lo >= 65536 || count + (hi - lo + 1) > 65536)
			return -EINVAL;
		count += hi - lo + 1;
		p = end;
		if (*p == ',') {
			p++;
			continue;
		}
		return (*p == '\0' || (*p == '\n' && p[1] == '\0')) ? count : -EINVAL;
	}
}

int kernel_possible_cpus(void)
{
	char buf[4096];
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int n = -EIO;

	if (!f)
		return -errno;
	if (fgets(buf, sizeof(buf), f))
		n = cpu_list_count(buf);
	fclose(f);
	return n;
}

bool kernel_has_kprobe_pmu(void)
{
	return path_exists("/sys/bus/event_source/devices/kprobe/type");
}

/* bcc's list, in bcc's order (src/python/bcc/__init__.py _syscall_prefixes) */
static const char *const syscall_prefixes[] = {
	"sys_",		"__x64_sys_",	"__x32_compat_sys_", "__ia32_compat_sys_",
	"__arm64_sys_", "__s390x_sys_", "__s390_sys_",
};
#define N_PREFIXES (sizeof(syscall_prefixes) / sizeof(syscall_prefixes[0]))

/* "ffffffff816c55b0 T __x64_sys_execve\t[module]" -> "__x64_sys_execve" */
static char *kallsyms_name(char *line)
{
	char *name = strchr(line, ' ');

	if (!name || !(name = strchr(name + 1, ' ')))
		return NULL;
	name++;
	name[strcspn(name, " \t\n")] = '\0';
	return name;
}

int syscall_fnname(FILE *kallsyms, const char *name, char *out, size_t len)
{
	char line[512], want[128];
	size_t best = N_PREFIXES;
	bool found_fn[N_PREFIXES] = { false };

	while (fgets(line, sizeof(line), kallsyms)) {
		char *sym = kallsyms_name(line);
		size_t plen;

		if (!sym)
			continue;
		for (size_t i = 0; i < N_PREFIXES; i++) {
			plen = strlen(syscall_prefixes[i]);
			if (strncmp(sym, syscall_prefixes[i], plen) != 0)
				continue;
			if (strcmp(sym + plen, "bpf") == 0 && i < best)
				best = i;
			if (strcmp(sym + plen, name) == 0)
				found_fn[i] = true;
		}
	}
	if (best == N_PREFIXES || !found_fn[best])
		return -ENOENT;
	if ((size_t)snprintf(want, sizeof(want), "%s%s", syscall_prefixes[best], name) >=
		    sizeof(want) ||
	    strlen(want) >= len)
		return -ENAMETOOLONG;
	strcpy(out, want);
	return 0;
}

static void tracepoint_facts(struct kernel_facts *k)
{
	char rel[160];

	for (int i = 0; i < SYSCALLS_N; i++) {
		snprintf(rel, sizeof(rel), "events/syscalls/sys_enter_%s/id",
			 syscall_table[i].name);
		k->enter_tp[i] = tracefs_has(k->tracefs, rel);
		snprintf(rel, sizeof(rel), "events/syscalls/sys_exit_%s/id", syscall_table[i].name);
		k->exit_tp[i] = tracefs_has(k->tracefs, rel);
	}
	k->sched_exec_tp = tracefs_has(k->tracefs, "events/sched/sched_process_exec/id");
	/*
	 * x86_64 returns from a successful exec through the syscall's exit, so
	 * sys_exit_* fires then too (ret 0, in the new program); arm64 did not
	 * before kernel commit de6921856f99 (bcc#3978), and other architectures
	 * are not known here.
	 */
#if defined(__x86_64__)
	k->exit_sees_success = true;
#endif
}

/* kprobes, and each syscall's function found as bcc finds it (one pass of kallsyms each) */
static void kprobe_facts(struct kernel_facts *k)
{
	FILE *kallsyms;

	k->kprobes_read = true;
	k->kprobe_pmu = kernel_has_kprobe_pmu();
	k->kprobe_events = !k->tracefs_err && tracefs_has(k->tracefs, "kprobe_events");
	if (!k->kprobe_pmu && !k->kprobe_events)
		return;
	kallsyms = fopen("/proc/kallsyms", "r");
	if (!kallsyms) {
		k->kallsyms_err = -errno;
		return;
	}
	for (int i = 0; i < SYSCALLS_N; i++) {
		rewind(kallsyms);
		if (syscall_fnname(kallsyms, syscall_table[i].name, k->syscall_fn[i],
				   sizeof(k->syscall_fn[i])))
			k->syscall_fn[i][0] = '\0';
	}
	fclose(kallsyms);
}

void kernel_facts_read(struct kernel_facts *k, unsigned int flags)
{
	memset(k, 0, sizeof(*k));
	k->tracefs = tracefs_path();
	k->tracefs_mount_tried = flags & FACTS_MOUNT;
	if (flags & FACTS_MOUNT) {
		k->tracefs_err = tracefs_prepare(&k->tracefs, &k->tracefs_mounted);
		k->tracefs_mount_failed = k->tracefs_err != 0;
	}
	if (!k->tracefs_err)
		k->tracefs_err = tracefs_readable(k->tracefs);
	if (!k->tracefs_err)
		tracepoint_facts(k);
	if (flags & FACTS_KPROBES)
		kprobe_facts(k);
}

/* kconfig.h is in the source tree, autoconf.h in the build tree (one dir unless split) */
static int headers_check(struct headers_info *info, const char *src, const char *build)
{
	const char *const files[][2] = {
		{ src, "include/linux/kconfig.h" },
		{ build, "include/generated/autoconf.h" },
	};

	snprintf(info->path, sizeof(info->path), "%s", src);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char file[PATH_MAX];

		snprintf(file, sizeof(file), "%s/%s", files[i][0], files[i][1]);
		if (!is_regular(file)) {
			snprintf(info->missing, sizeof(info->missing), "%s", file);
			return -ENOENT;
		}
	}
	return 0;
}

int kernel_headers_find(struct headers_info *info)
{
	const char *env = getenv("BCC_KERNEL_SOURCE");
	struct utsname un;
	char src[PATH_MAX], build[PATH_MAX];
	struct stat st;

	memset(info, 0, sizeof(*info));
	if (uname(&un))
		return -errno;
	snprintf(info->release, sizeof(info->release), "%s", un.release);

	if (env && *env) {
		info->from_env = true;
		return headers_check(info, env, env);
	}

	/* libbcc: source/ when both build/ and source/ are directories, else build/ */
	snprintf(src, sizeof(src), "/lib/modules/%s/source", un.release);
	snprintf(build, sizeof(build), "/lib/modules/%s/build", un.release);
	bool both = stat(src, &st) == 0 && S_ISDIR(st.st_mode) && stat(build, &st) == 0 &&
		    S_ISDIR(st.st_mode);
	if (headers_check(info, both ? src : build, build) == 0)
		return 0;
	if (is_regular("/sys/kernel/kheaders.tar.xz")) {
		snprintf(info->path, sizeof(info->path), "/sys/kernel/kheaders.tar.xz");
		info->missing[0] = '\0';
		return 0;
	}
	return -ENOENT;
}

int kernel_headers_identity(char *buf, size_t len)
{
	struct headers_info info;
	char real[PATH_MAX], build[PATH_MAX], real_build[PATH_MAX] = "";
	struct stat st;

	if (kernel_headers_find(&info)) {
		snprintf(buf, len, "none");
		return -ENOENT;
	}
	if (!realpath(info.path, real))
		snprintf(real, sizeof(real), "%s", info.path);
	/* the generated half, which Debian ships apart: linked anew, it changes too */
	snprintf(build, sizeof(build), "/lib/modules/%s/build", info.release);
	if (!info.from_env && !realpath(build, real_build))
		real_build[0] = '\0';
	if (stat(real, &st))
		memset(&st, 0, sizeof(st));
	snprintf(buf, len, "%s %s %llu:%llu %lld", real, real_build, (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino, (long long)st.st_mtime);
	return 0;
}
