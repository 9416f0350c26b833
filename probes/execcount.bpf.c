// SPDX-License-Identifier: GPL-2.0
/*
 * execcount.bpf.c - the kernel side of bcc-execcount, in BCC's C dialect.
 *
 * libbcc compiles this file with clang when bcc-execcount starts, with -D
 * settings chosen by the command line (--by, --max-keys, --uid):
 *   EXECCOUNT_BY_UID, _COMM, _EXE, _CGROUP   the fields of the key (--by)
 *   EXECCOUNT_MAX_KEYS                       the size of `counts` (--max-keys)
 *   EXECCOUNT_UIDS                           uids to count, e.g. 0,1000 (--uid)
 *   EXECCOUNT_KPROBES                        kprobes are attached: compile
 *                                            their functions (else, the
 *                                            tracepoints': less for clang)
 *   EXECCOUNT_SYSCALL_WRAPPER                the kprobe'd function takes a
 *                                            struct pt_regs * (x86_64 >= 4.17)
 *   EXECCOUNT_AT_EXIT                        count each exec at its syscall's
 *                                            exit alone (below)
 * `bcc-execcount --verbose` prints the settings it used.
 *
 * An exec is seen at two points:
 *   entry    (kprobe on the syscall function, or syscalls:sys_enter_*)
 *            notes who calls (uid, comm, cgroup) and the path's address,
 *            per thread, before the exec changes comm and credentials;
 *   outcome  success: sched:sched_process_exec, which fires for every
 *            successful exec on every architecture; failure: the syscall's
 *            exit (syscalls:sys_exit_*, else a kretprobe) with an error.
 *            (On arm64 sys_exit_execve fires for failed execs only,
 *            bcc#3978: success never depends on it.)
 * The exec is counted at its outcome, under the key noted at entry, so
 * count = ok + failed always.  The path is read then too: at entry its page
 * may not be mapped yet (a literal in a just-forked child), and BPF cannot
 * fault it in; by the outcome the kernel has read it itself.
 * The counters are cumulative and never cleared: the host takes deltas.
 *
 * With EXECCOUNT_AT_EXIT, one program per execve instead: the syscall's exit
 * (syscalls:sys_exit_*), where x86_64 reports success (ret 0, in the new
 * program) and failure alike.  Only for keys an exec does not change: the
 * real uid (a set-user-ID program changes the effective one) and the
 * cgroup, and for both syscalls: x86_64 reports a successful execveat at
 * sys_exit_execve (the new program's first return is made to look like an
 * execve's), so execveat's entry notes its process, for its success to be
 * told apart there.  Nothing is noted for an execve.
 *
 * Edit freely: `bcc-execcount --print-probe > mine.c`, change it, then
 * `bcc-execcount --probe mine.c`.  The host needs the tables and functions
 * named in src/contract.h, with the same key and value layouts.
 */
#ifdef EXECCOUNT_KPROBES
#include <uapi/linux/ptrace.h>
#endif

#ifndef EXECCOUNT_MAX_KEYS
#define EXECCOUNT_MAX_KEYS 10240
#endif
#if !defined(EXECCOUNT_BY_UID) && !defined(EXECCOUNT_BY_COMM) && !defined(EXECCOUNT_BY_EXE) &&     \
	!defined(EXECCOUNT_BY_CGROUP)
#define EXECCOUNT_BY_UID
#endif
#define COMM_LEN 16 /* TASK_COMM_LEN */

#define EXE_LEN 256

/* The key: only the fields asked for, in this order (the host decodes it so). */
struct execcount_key {
#ifdef EXECCOUNT_BY_CGROUP
	u64 cgroup; /* cgroup v2 id of the caller */
#endif
#ifdef EXECCOUNT_BY_UID
	u32 uid; /* real uid, as seen from the initial user namespace */
#endif
#ifdef EXECCOUNT_BY_COMM
	char comm[COMM_LEN]; /* the program calling exec */
#endif
#ifdef EXECCOUNT_BY_EXE
	char exe[EXE_LEN]; /* the path passed to the syscall */
#endif
};

/*
 * Calls of each syscall that succeeded or returned an error: one counter per
 * (syscall, outcome), so each exec is one add and a read of the table never
 * sees half an exec.  The host derives count, ok, failed, execve, execveat.
 */
struct execcount_value {
	u64 execve_ok;
	u64 execve_failed;
	u64 execveat_ok;
	u64 execveat_failed;
};

/*
 * Per CPU: CPUs exec'ing under the same key never share a cache line, which
 * measured 35-40% cheaper per exec with two CPUs on one key (docs/design.md).
 * The host sums the CPUs' values.  The adds stay atomic all the same: free
 * when uncontended, and right whatever context an edited probe adds from.
 */
BPF_PERCPU_HASH(counts, struct execcount_key, struct execcount_value, EXECCOUNT_MAX_KEYS);

/* Counters about the counting itself. */
struct execcount_stats {
	u64 dropped; /* execs not counted for want of room: `counts` full, or `calls` at entry */
};
BPF_ARRAY(stats, struct execcount_stats, 1);

#if defined(EXECCOUNT_AT_EXIT) && (defined(EXECCOUNT_BY_COMM) || defined(EXECCOUNT_BY_EXE))
#error "EXECCOUNT_AT_EXIT counts keys of uid and cgroup only: comm and exe change with the exec"
#endif

#ifndef EXECCOUNT_AT_EXIT
/*
 * The calls in progress, per thread id: noted at entry, deleted at the
 * outcome.  A plain hash, not an LRU: a note is never evicted while its call
 * is in flight (a path on a slow filesystem can hold thousands in the
 * kernel at once).  A call that finds the table full is counted as dropped
 * at its entry, so every call the hooks see is counted or dropped.
 */
struct execcount_call {
	u64 filename; /* the path's address in the caller's memory */
	u64 cgroup;
	u32 uid;
	u8 syscall; /* SYSCALL_* */
	u8 self;    /* the host's own self-test call */
	u8 reserved[2];
	char comm[COMM_LEN];
};
BPF_HASH(calls, u32, struct execcount_call, 10240);
/* Room to build a key: it can exceed the 512-byte BPF stack. */
BPF_PERCPU_ARRAY(scratch, struct execcount_key, 1);
#endif

/*
 * Before attaching, the host writes who it is into self[0]: its pid namespace
 * (device and inode of /proc/self/ns/pid) and its pid there.  It then makes
 * one failing call of each syscall (an empty path) to prove the hooks fire:
 * those land in self[0], never in counts.  The first match records the
 * host's global tgid, so later execs pay one compare.
 */
struct execcount_self {
	u64 pidns_dev;
	u64 pidns_ino;
	u32 tgid;	 /* in the host's pid namespace */
	u32 global_tgid; /* learnt by the probe */
	u64 entries;	 /* self-test calls seen at entry */
	u64 exits;	 /* and at exit */
};
BPF_ARRAY(self, struct execcount_self, 1);

enum { SYSCALL_EXECVE, SYSCALL_EXECVEAT };

static __always_inline bool is_self(struct execcount_self *me, u32 tgid)
{
	struct bpf_pidns_info ns = {};

	if (!me->tgid)
		return false;
	if (me->global_tgid)
		return me->global_tgid == tgid;
	if (bpf_get_ns_current_pid_tgid(me->pidns_dev, me->pidns_ino, &ns, sizeof(ns)) ||
	    ns.tgid != me->tgid)
		return false;
	me->global_tgid = tgid;
	return true;
}

static __always_inline bool uid_wanted(u32 uid)
{
#ifdef EXECCOUNT_UIDS
	const u32 uids[] = { EXECCOUNT_UIDS };

#pragma unroll
	for (int i = 0; i < sizeof(uids) / sizeof(uids[0]); i++)
		if (uids[i] == uid)
			return true;
	return false;
#else
	return true;
#endif
}

/* syscalls:sys_enter_* and sys_exit_*: the layout every syscall event shares. */
struct syscall_enter_args {
	u64 common;
	u64 nr; /* int __syscall_nr, then padding */
	u64 args[6];
};

struct syscall_exit_args {
	u64 common;
	u64 nr;
	s64 ret;
};

/* Add one exec of syscall, ok or not, under key: the one add of every exec. */
static __always_inline void count_key(struct execcount_key *key, int syscall, bool ok)
{
	u32 zero = 0;
	struct execcount_value init = {}, *value;
	u64 *counter;

	/*
	 * Insert zeros if absent, then add atomically: two CPUs adding to the
	 * same new key both land on the one element.  (increment() is a
	 * plain += 1, and atomic_increment() drops the loser of an insert race.)
	 */
	value = counts.lookup_or_try_init(key, &init);
	if (!value) {
		struct execcount_stats *st = stats.lookup(&zero);

		if (st)
			__sync_fetch_and_add(&st->dropped, 1);
		return;
	}
	if (syscall == SYSCALL_EXECVEAT)
		counter = ok ? &value->execveat_ok : &value->execveat_failed;
	else
		counter = ok ? &value->execve_ok : &value->execve_failed;
	__sync_fetch_and_add(counter, 1);
}

#ifdef EXECCOUNT_AT_EXIT
/*
 * The execveat calls in progress, per process (tgid: a thread that execs
 * takes its leader's pid, the tgid stays): slot tgid % EXECVEATS holds
 * tgid << 32 | the calling thread's id, or 0.  An array, not a hash: its
 * lookup is inlined and touches one cache line, where a hash's touched the
 * table and a bucket, about 10% of a success's cost right after the exec
 * (docs/performance.md).  Two processes in execveat at once whose tgids
 * share a slot (Linux's default pid_max of 32768 on small machines never
 * does) can count one success under execve instead; a process killed inside
 * its execveat leaves its note until the slot is used again.
 */
#define EXECVEATS 65536
BPF_ARRAY(execveats, u64, EXECVEATS);

/*
 * The exit of an exec syscall that returned ret: count it, unless it is the
 * host's self-test.  On x86_64 the exit fires in the new program after a
 * success, with the caller's real uid and cgroup still.
 */
static __always_inline int count_at_exit(long ret, int syscall)
{
	u32 zero = 0;
	u32 uid = bpf_get_current_uid_gid(); /* the real uid: an exec keeps it */
	struct execcount_key key;

	/*
	 * The host's own calls are its self-test's, which fail: a success is
	 * never one, and skips the look (each table a program touches after an
	 * exec costs a few hundred ns: docs/performance.md).
	 */
	if (ret < 0) {
		struct execcount_self *me = self.lookup(&zero);

		if (me && is_self(me, bpf_get_current_pid_tgid() >> 32)) {
			__sync_fetch_and_add(&me->exits, 1);
			return 0;
		}
	}
	if (!uid_wanted(uid))
		return 0;
	__builtin_memset(&key, 0, sizeof(key)); /* padding is part of the key */
#ifdef EXECCOUNT_BY_CGROUP
	key.cgroup = bpf_get_current_cgroup_id();
#endif
#ifdef EXECCOUNT_BY_UID
	key.uid = uid;
#endif
	count_key(&key, syscall, ret >= 0);
	return 0;
}

/* sys_exit_execve: every failed execve, and every successful exec (execveat's if noted). */
int execve_exit(struct syscall_exit_args *ctx)
{
	int syscall = SYSCALL_EXECVE;

	if (ctx->ret >= 0) {
		u32 tgid = bpf_get_current_pid_tgid() >> 32;
		u32 slot = tgid % EXECVEATS;
		u64 *note = execveats.lookup(&slot);

		/* one exec succeeds per process: its other threads' calls end with it */
		if (note && *note >> 32 == tgid) {
			syscall = SYSCALL_EXECVEAT;
			*note = 0;
		}
	}
	return count_at_exit(ctx->ret, syscall);
}

/* sys_enter_execveat: note the process, for its success at sys_exit_execve. */
int execveat_entry(struct syscall_enter_args *ctx)
{
	u32 zero = 0;
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, slot = tgid % EXECVEATS;
	struct execcount_self *me = self.lookup(&zero);
	u64 *note;

	if ((me && is_self(me, tgid)) || !uid_wanted(bpf_get_current_uid_gid()))
		return 0;
	note = execveats.lookup(&slot);
	if (note)
		*note = id; /* tgid << 32 | tid, as bpf_get_current_pid_tgid() gives it */
	return 0;
}

/* sys_exit_execveat: a failed execveat (a successful one returns through execve's exit). */
int execveat_exit(struct syscall_exit_args *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 slot = (u32)(id >> 32) % EXECVEATS;
	u64 *note = execveats.lookup(&slot);

	if (note && *note == id)
		*note = 0;
	return count_at_exit(ctx->ret, SYSCALL_EXECVEAT);
}
#else /* !EXECCOUNT_AT_EXIT: entry and outcome */
/* Syscall entry: note who calls, for the outcome. */
static __always_inline int on_entry(const char *filename, int syscall)
{
	u32 zero = 0;
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = id;
	struct execcount_self *me = self.lookup(&zero);
	u32 uid = bpf_get_current_uid_gid(); /* the low 32 bits are the uid: all of them */
	bool mine = me && is_self(me, id >> 32);
	struct execcount_call call = {};

	if (mine)
		__sync_fetch_and_add(&me->entries, 1);
	else if (!uid_wanted(uid))
		return 0;
	call.filename = (u64)filename;
	call.uid = uid;
	call.syscall = syscall;
	call.self = mine;
#ifdef EXECCOUNT_BY_CGROUP
	call.cgroup = bpf_get_current_cgroup_id();
#endif
#ifdef EXECCOUNT_BY_COMM
	bpf_get_current_comm(call.comm, sizeof(call.comm));
#endif
	/* a note of this thread still there (its outcome unseen) is replaced */
	if (calls.update(&tid, &call)) {
		struct execcount_stats *st = stats.lookup(&zero);

		if (st)
			__sync_fetch_and_add(&st->dropped, 1);
	}
	return 0;
}

/*
 * The outcome of tid's call: count it under the key noted at entry.  exe is
 * the path as the kernel saw it (success) or NULL: read it from the caller's
 * memory (failure: the caller's memory is still there).
 */
static __always_inline void count_call(struct execcount_call *call, bool ok, const char *exe)
{
	u32 zero = 0;
	struct execcount_key *key = scratch.lookup(&zero);

	if (!key)
		return;
	/* zeroed whole: padding and the bytes after a string's NUL are part of the key */
	__builtin_memset(key, 0, sizeof(*key));
#ifdef EXECCOUNT_BY_CGROUP
	key->cgroup = call->cgroup;
#endif
#ifdef EXECCOUNT_BY_UID
	key->uid = call->uid;
#endif
#ifdef EXECCOUNT_BY_COMM
	__builtin_memcpy(key->comm, call->comm, sizeof(key->comm));
#endif
#ifdef EXECCOUNT_BY_EXE
	if (exe)
		bpf_probe_read_kernel_str(key->exe, sizeof(key->exe), exe);
	else
		bpf_probe_read_user_str(key->exe, sizeof(key->exe), (const char *)call->filename);
#endif
	count_key(key, call->syscall, ok);
}

/* Syscall exit: a call still noted here did not succeed (success removed it first). */
static __always_inline int on_exit(long ret)
{
	u32 zero = 0;
	u32 tid;
	struct execcount_call *call;

	/* success (x86_64 reports it here too): counted at sched_process_exec, nothing to do */
	if (ret >= 0)
		return 0;
	tid = bpf_get_current_pid_tgid();
	call = calls.lookup(&tid);
	if (!call)
		return 0; /* entered before we attached, or counted as dropped then */
	if (call->self) {
		struct execcount_self *me = self.lookup(&zero);

		if (me)
			__sync_fetch_and_add(&me->exits, 1);
	} else {
		count_call(call, false, NULL);
	}
	calls.delete(&tid);
	return 0;
}

/* sched:sched_process_exec, as its format file has it */
struct sched_process_exec_args {
	u64 common;
	u32 filename; /* __data_loc char[]: length << 16 | offset from the record's start */
	s32 pid;
	s32 old_pid; /* the thread that called exec */
};

int exec_success(struct sched_process_exec_args *ctx)
{
	u32 tid = ctx->old_pid;
	struct execcount_call *call = calls.lookup(&tid);

	if (!call)
		return 0;
	count_call(call, true, (const char *)ctx + (ctx->filename & 0xffff));
	calls.delete(&tid);
	return 0;
}

#ifdef EXECCOUNT_KPROBES
/* kprobes on the syscall functions: arguments as the syscall received them. */
static __always_inline unsigned long syscall_arg(struct pt_regs *ctx, int n)
{
	unsigned long arg = 0;
#ifdef EXECCOUNT_SYSCALL_WRAPPER
	struct pt_regs *regs = (struct pt_regs *)PT_REGS_PARM1(ctx);

	if (n == 0)
		bpf_probe_read_kernel(&arg, sizeof(arg), &PT_REGS_PARM1(regs));
	else
		bpf_probe_read_kernel(&arg, sizeof(arg), &PT_REGS_PARM2(regs));
#else
	arg = n == 0 ? PT_REGS_PARM1(ctx) : PT_REGS_PARM2(ctx);
#endif
	return arg;
}

int execve_kprobe(struct pt_regs *ctx)
{
	return on_entry((const char *)syscall_arg(ctx, 0), SYSCALL_EXECVE);
}

int execveat_kprobe(struct pt_regs *ctx)
{
	return on_entry((const char *)syscall_arg(ctx, 1), SYSCALL_EXECVEAT);
}

int exit_kretprobe(struct pt_regs *ctx)
{
	return on_exit(PT_REGS_RC(ctx));
}
#endif /* EXECCOUNT_KPROBES */

int execve_tracepoint(struct syscall_enter_args *ctx)
{
	return on_entry((const char *)ctx->args[0], SYSCALL_EXECVE);
}

int execveat_tracepoint(struct syscall_enter_args *ctx)
{
	return on_entry((const char *)ctx->args[1], SYSCALL_EXECVEAT);
}

int exit_tracepoint(struct syscall_exit_args *ctx)
{
	return on_exit(ctx->ret);
}
#endif /* EXECCOUNT_AT_EXIT */
