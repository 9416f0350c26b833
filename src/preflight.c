// SPDX-License-Identifier: GPL-2.0
#include "preflight.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cache.h"
#include "cgroups.h"
#include "kernel.h"
#include "versions.h"

void check_kernel(struct finding *f, const char *release)
{
	unsigned int major, minor;
	int err = kernel_release_check(release, &major, &minor);

	if (err == -EINVAL)
		finding_set(f, FINDING_WARN, "kernel", 0,
			    "bcc-execcount needs Linux " KERNEL_MIN_TEXT " or later",
			    "cannot read a version in release %.64s", release);
	else if (err)
		finding_set(f, FINDING_FAIL, "kernel", -EOPNOTSUPP,
			    "run it on a newer kernel (" KERNEL_TESTED_TEXT
			    " and later are tested)",
			    "Linux %u.%u is too old: the probe needs Linux " KERNEL_MIN_TEXT
			    " or later (for " KERNEL_MIN_WHY ")",
			    major, minor);
	else
		finding_set(f, FINDING_OK, "kernel", 0, NULL,
			    "Linux %u.%u (needs " KERNEL_MIN_TEXT " or later)", major, minor);
}

void check_privileges(struct finding *f)
{
	if (!kernel_initial_userns())
		finding_set(
			f, FINDING_FAIL, "privileges", -EPERM, "run it on the host, as root",
			"eBPF cannot be used from inside a user namespace (a rootless container?): its capabilities count only there");
	else if (!kernel_privileged())
		finding_set(
			f, FINDING_FAIL, "privileges", -EPERM, "run as root: sudo bcc-execcount",
			"loading eBPF needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN (mounting tracefs too)");
	else
		finding_set(f, FINDING_OK, "privileges", 0, NULL,
			    "CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)");
}

/* /sys/kernel/security/lockdown: "[none] integrity confidentiality" */
void check_lockdown(struct finding *f)
{
	char buf[128] = "", *open_, *close_;
	FILE *in = fopen("/sys/kernel/security/lockdown", "r");

	if (!in) {
		finding_set(f, FINDING_OK, "lockdown", 0, NULL,
			    "no lockdown in this kernel (or securityfs not mounted)");
		return;
	}
	if (!fgets(buf, sizeof(buf), in))
		buf[0] = '\0';
	fclose(in);
	open_ = strchr(buf, '[');
	close_ = open_ ? strchr(open_, ']') : NULL;
	if (!close_) {
		finding_set(f, FINDING_WARN, "lockdown", 0, NULL, "cannot read the mode");
		return;
	}
	*close_ = '\0';
	if (strcmp(open_ + 1, "confidentiality") == 0)
		finding_set(
			f, FINDING_FAIL, "lockdown", -EPERM,
			"boot with lockdown=integrity or none (the probe reads the exec'd path and syscall arguments)",
			"confidentiality: BPF may not read kernel memory");
	else
		finding_set(f, FINDING_OK, "lockdown", 0, NULL, "%s", open_ + 1);
}

void check_headers(struct finding *f)
{
	struct headers_info h;

	if (kernel_headers_find(&h) == 0)
		finding_set(f, FINDING_OK, "kernel headers", 0, NULL, "%s", h.path);
	else if (h.from_env)
		finding_set(
			f, FINDING_FAIL, "kernel headers", -ENOENT,
			"the tree needs the source and the generated headers both (Debian splits them into linux-headers-<abi>-common and -<flavour>; scripts/setup.sh links them under /lib/modules)",
			"kernel headers at %s are incomplete: %s is missing", h.path, h.missing);
	else
		finding_set(f, FINDING_FAIL, "kernel headers", -ENOENT, NULL,
			    "no kernel headers for %s (%s is missing)", h.release, h.missing);
	/* the hint names the release: set apart, as finding_set's hint is fixed text */
	if (f->level == FINDING_FAIL && !h.from_env)
		snprintf(
			f->hint, sizeof(f->hint),
			"install linux-headers-%s, or point --kernel-headers DIR (BCC_KERNEL_SOURCE) at a kernel tree; scripts/setup.sh links the distribution's nearest headers",
			h.release);
}

void check_btf(struct finding *f)
{
	struct stat st;

	if (stat("/sys/kernel/btf/vmlinux", &st) == 0)
		finding_set(f, FINDING_OK, "BTF", 0, NULL, "/sys/kernel/btf/vmlinux");
	else
		finding_set(f, FINDING_WARN, "BTF", 0,
			    "not needed by this tool (it compiles against headers)", "none");
}

void check_llvm(struct finding *f)
{
	char buf[300];

	if (llvm_describe(buf, sizeof(buf)))
		finding_set(f, FINDING_FAIL, "LLVM", -ENOENT,
			    "libbcc compiles with LLVM: reinstall libbpfcc", "%s", buf);
	else
		finding_set(f, FINDING_OK, "LLVM", 0, NULL, "%s", buf);
}

void check_cgroup2(struct finding *f, char *root, size_t len)
{
	FILE *mountinfo = fopen("/proc/self/mountinfo", "r");
	int err = -ENOENT;

	if (mountinfo) {
		err = cgroup2_mount_find(mountinfo, root, len);
		fclose(mountinfo);
	}
	if (err)
		finding_set(f, FINDING_WARN, "cgroup2", 0, "--by cgroup shows ids, not paths",
			    "no cgroup2 mount found");
	else
		finding_set(f, FINDING_OK, "cgroup2", 0, NULL, "%s", root);
}

void check_cache(struct finding *f, const char *dir)
{
	char buf[300];

	if (!dir)
		finding_set(f, FINDING_OK, "cache", 0, NULL,
			    "off (--no-cache): every start compiles the probe");
	else if (cache_describe(dir, buf, sizeof(buf)))
		finding_set(
			f, FINDING_WARN, "cache", 0,
			"ignored, every start compiles: chown root and chmod go-w it, or remove it",
			"%s", buf);
	else
		finding_set(f, FINDING_OK, "cache", 0, NULL, "%s", buf);
}
