// SPDX-License-Identifier: GPL-2.0
#include "syscalls.h"

#include <string.h>
#include <sys/syscall.h>

#include "contract.h"

const struct syscall_info syscall_table[SYSCALLS_N] = {
	{ "execve", SYSCALL_EXECVE, CONTRACT_FN_EXECVE_KPROBE, CONTRACT_FN_EXECVE_TRACEPOINT,
	  SYS_execve },
	{ "execveat", SYSCALL_EXECVEAT, CONTRACT_FN_EXECVEAT_KPROBE,
	  CONTRACT_FN_EXECVEAT_TRACEPOINT, SYS_execveat },
};

const struct syscall_info *syscall_find(const char *name)
{
	for (int i = 0; i < SYSCALLS_N; i++)
		if (strcmp(syscall_table[i].name, name) == 0)
			return &syscall_table[i];
	return NULL;
}
