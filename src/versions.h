/* SPDX-License-Identifier: GPL-2.0 */
/*
 * versions.h - which LLVM libbcc compiles with.  libbcc's C API does not say;
 * the library it loaded does (libLLVM-14.so.1 -> LLVM 14), found in a
 * /proc/self/maps stream.
 */
#ifndef EXECCOUNT_VERSIONS_H
#define EXECCOUNT_VERSIONS_H

#include <stddef.h>
#include <stdio.h>

/*
 * The first libLLVM mapped: lib gets its file name ("libLLVM-14.so.1"),
 * major its version ("14").  0, or -ENOENT when no LLVM is loaded.
 */
int llvm_from_maps(FILE *maps, char *lib, size_t lib_len, char *major, size_t major_len);

/* "14 (libLLVM-14.so.1)" for this process, or "not loaded" and -ENOENT. */
int llvm_describe(char *buf, size_t len);

#endif
