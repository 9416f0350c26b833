/* SPDX-License-Identifier: GPL-2.0 */
/*
 * privs.h - least privilege.  Once the hooks are attached, a long-running
 * tool (--listen, --textfile) needs only to read its maps: it drops every
 * other capability, for good (the bounding set too, and no_new_privs), before
 * its HTTP thread starts.
 */
#ifndef EXECCOUNT_PRIVS_H
#define EXECCOUNT_PRIVS_H

#include <stdbool.h>

/*
 * Keep CAP_BPF (reading the maps: Linux before 6.5 refuses every bpf() call
 * without it when unprivileged BPF is disabled) and, when keep_dac_override,
 * CAP_DAC_OVERRIDE (writing --textfile into a directory root does not own).
 * Everything else goes from the effective, permitted, inheritable, ambient and
 * bounding sets.  Logs and returns a negative errno when capset fails.
 */
int privileges_drop(bool keep_dac_override);

#endif
