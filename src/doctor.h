/* SPDX-License-Identifier: GPL-2.0 */
/*
 * doctor.h - --doctor: what this machine offers and lacks, asked without
 * loading, attaching or mounting anything.  One line per check:
 *   ok   kernel headers: /lib/modules/6.1.0-27-amd64/build
 *   fail kernel headers: none for 6.18.4 -- install linux-headers-6.18.4, or ...
 */
#ifndef EXECCOUNT_DOCTOR_H
#define EXECCOUNT_DOCTOR_H

#include <stdio.h>

/*
 * Print every check to out; returns the number of failed checks (0: the tool
 * can run).  cache_dir: the compiled-program cache's directory, NULL if off.
 */
int doctor_run(FILE *out, const char *libbcc_version, const char *cache_dir);

#endif
