// SPDX-License-Identifier: GPL-2.0
/*
 * execcount.bpf.c - the kernel side of bcc-execcount, in BCC's C dialect.
 *
 * libbcc compiles this file with clang when bcc-execcount starts.  One of
 * the two functions below is loaded and attached to the execve syscall:
 *   execve_kprobe      a kprobe on the syscall function (e.g. __x64_sys_execve)
 *   execve_tracepoint  the syscalls:sys_enter_execve tracepoint
 * Both fire on entry, so every execve() is counted: successful or not.
 *
 * Edit freely: `bcc-execcount --print-probe > mine.c`, change it, then
 * `bcc-execcount --probe mine.c`.  The host needs the tables `counts` and
 * `self` with the key and value types below, and the function for the hook
 * it attaches (see src/contract.h).
 */
#include <uapi/linux/ptrace.h>

#ifndef MAX_KEYS
#define MAX_KEYS 10240
#endif

/* Execs per real uid, as seen from the initial user namespace. */
BPF_HASH(counts, u32, u64, MAX_KEYS);

/*
 * Before attaching, the host writes who it is into self[0]: its pid namespace
 * (device and inode of /proc/self/ns/pid) and its pid there.  It then execs
 * a missing file to prove the hook fires: those calls land in self[0].hits,
 * never in counts.  Comparing pids in the host's own namespace keeps this
 * right inside a container.
 */
struct execcount_self {
	u64 pidns_dev;
	u64 pidns_ino;
	u32 tgid;
	u32 reserved;
	u64 hits;
};
BPF_ARRAY(self, struct execcount_self, 1);

static __always_inline int count_exec(void)
{
	u32 zero = 0;
	struct execcount_self *me = self.lookup(&zero);
	struct bpf_pidns_info ns = {};

	if (me && me->tgid &&
	    bpf_get_ns_current_pid_tgid(me->pidns_dev, me->pidns_ino, &ns, sizeof(ns)) == 0 &&
	    ns.tgid == me->tgid) {
		__sync_fetch_and_add(&me->hits, 1);
		return 0;
	}

	/* The low 32 bits are the uid: keep all of them. */
	u32 uid = bpf_get_current_uid_gid();
	u64 init = 0;
	/*
	 * Insert 0 if absent, then add atomically: two CPUs adding the same
	 * new key both land on the one element.  (increment() is a plain
	 * += 1, and atomic_increment() drops the loser of an insert race.)
	 */
	u64 *count = counts.lookup_or_try_init(&uid, &init);

	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}

int execve_kprobe(struct pt_regs *ctx)
{
	return count_exec();
}

int execve_tracepoint(void *ctx)
{
	return count_exec();
}
