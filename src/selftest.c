// SPDX-License-Identifier: GPL-2.0
#include "selftest.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "syscalls.h"

/* No file can have an empty name, so this always fails with ENOENT. */
#define SELF_TEST_PATH ""

int selftest_arm(struct probe *probe)
{
	struct contract_self self = { .tgid = (uint32_t)getpid() };
	struct stat ns;

	/* the probe compares pids in our own pid namespace: right inside a container too */
	if (stat("/proc/self/ns/pid", &ns)) {
		log_msg("cannot stat /proc/self/ns/pid: %s -- is /proc mounted?", strerror(errno));
		return -errno;
	}
	self.pidns_dev = ns.st_dev;
	self.pidns_ino = ns.st_ino;
	return probe_self_write(probe, &self);
}

/* execve(path, ...) and execveat(AT_FDCWD, path, ..., 0) alike, by number. */
static void exec_call(const struct syscall_info *sc)
{
	char *const args[] = { (char *)"bcc-execcount-self-test", NULL };
	char *const env[] = { NULL };

	if (sc->bit == SYSCALL_EXECVEAT)
		syscall(sc->nr, AT_FDCWD, SELF_TEST_PATH, args, env, 0);
	else
		syscall(sc->nr, SELF_TEST_PATH, args, env);
}

int selftest_run(struct probe *probe, unsigned int syscalls, bool exit_only)
{
	struct contract_self before, after;
	uint64_t calls = 0;
	int err;

	err = probe_self_read(probe, &before);
	if (err)
		return err;
	for (int i = 0; i < SYSCALLS_N; i++)
		if (syscalls & syscall_table[i].bit) {
			exec_call(&syscall_table[i]);
			calls++;
		}
	err = probe_self_read(probe, &after);
	if (err)
		return err;
	if (after.entries - before.entries != (exit_only ? 0 : calls) ||
	    after.exits - before.exits != calls) {
		char entries[64] = "";

		/* counted at the exits, nothing is seen at entry: say so only if something was */
		if (!exit_only || after.entries != before.entries)
			snprintf(entries, sizeof(entries), "%" PRIu64 " at entry and ",
				 after.entries - before.entries);
		log_msg("self-test failed: of this process's %" PRIu64
			" exec calls the hooks saw %s%" PRIu64
			" at exit -- either a hook is not on the exec path, or the probe does not count its own process into table 'self' as the built-in one does (--print-probe)",
			calls, entries, after.exits - before.exits);
		return -ENODATA;
	}
	return 0;
}
