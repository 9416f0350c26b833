/* SPDX-License-Identifier: GPL-2.0 */
/*
 * probe.h - the only place that compiles and loads through libbcc: module
 * creation (clang), the contract check, program load (the verifier) and the
 * table reads.  Each call logs its own one-line error and returns a negative
 * errno; the caller picks the exit code.
 *
 * A probe is an image (image.h: tables and instructions) and its tables'
 * fds.  It comes from a compile, or from an image the cache kept: then only
 * libbcc_bpf is used, and libbcc proper (clang, LLVM) is never loaded.
 */
#ifndef EXECCOUNT_PROBE_H
#define EXECCOUNT_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "contract.h"
#include "counts.h"
#include "image.h"
#include "keys.h"

struct probe;

/*
 * Load libbcc proper (libbcc.so.0, with LLVM) for compiling; done by
 * probe_compile() itself, and by --version to name LLVM.  0 or -ENOENT (logged).
 */
int probe_compiler_load(void);
/* Whether it is (main() then ends with _exit(): see finish()). */
bool probe_compiler_loaded(void);

/*
 * Compile source with libbcc and the cflags (-D settings).  name is what
 * diagnostics call the file (clang sees a #line directive), so errors point
 * at the user's own file and line.  Tables are created here.  Returns 0 or
 * -EINVAL (compile failed: clang's diagnostics are on stderr), -ENOENT
 * (no libbcc.so.0) or -ENOMEM.
 */
int probe_compile(struct probe **out, const char *source, size_t len, const char *name,
		  const char *const *cflags, int ncflags);

/*
 * A probe from a compiled image (taken over: img is left empty), its
 * tables created.  0, -EPERM (privilege) or another negative errno (logged).
 */
int probe_from_image(struct probe **out, struct probe_image *img);

#define PROBE_PROGS_MAX 8 /* programs loaded at once */

/* What another process needs to take a compiled and loaded probe over (obtain.c's compiler process). */
struct probe_handover {
	unsigned int ntables, nprogs;
	int table_fds[IMAGE_TABLES_MAX];	  /* one per image table, in its order */
	unsigned int prog_index[PROBE_PROGS_MAX]; /* the loaded programs: their image index, */
	int prog_fds[PROBE_PROGS_MAX];		  /* and fd */
};

/* The probe's fds, still its own (dup() or pass them on before destroying it). */
void probe_handover(const struct probe *probe, struct probe_handover *h);

/*
 * A probe made of img (moved from) and of another process's tables and
 * loaded programs, as handed over (their fds are the probe's now, closed on
 * failure too).  0 or a negative errno (said).
 */
int probe_adopt(struct probe **out, struct probe_image *img, const struct probe_handover *h);

/* The image, to be kept in the cache; only if probe_cacheable(): a compile whose tables a hit could make the same. */
const struct probe_image *probe_image(const struct probe *probe);
bool probe_cacheable(const struct probe *probe);

/*
 * Every table the host reads, with the sizes it expects (the counts key as
 * layout says), and each function in fns.  -ENOENT, named, if not.
 */
int probe_check_contract(struct probe *probe, const struct key_layout *layout,
			 const char *const *fns, unsigned int nfns);

/* What the verifier said about a program it accepted (zeros when it did not say). */
struct load_stats {
	unsigned long insns;	 /* instructions it processed */
	unsigned long verify_us; /* its verification time */
};

/*
 * Load fn as prog_type and return its fd (owned by the probe; loading the
 * same fn again returns the same fd, and leaves stats alone), or -EPERM
 * (privilege) or another -errno (verifier: its log is on stderr).  With
 * stats, the verifier is asked for its statistics too.
 */
int probe_load(struct probe *probe, const char *fn, int prog_type, struct load_stats *stats);

/* The self-test's table (selftest.h), written and read whole.  0 or -errno (logged). */
int probe_self_write(struct probe *probe, const struct contract_self *self);
int probe_self_read(struct probe *probe, struct contract_self *self);

/*
 * Replace snap's rows with the counts table (in the kernel's order), decoded
 * with layout, and read the dropped counter.  Uses BPF_MAP_LOOKUP_BATCH
 * where the kernel has it (5.6+), else one lookup per key.
 */
int probe_read_counts(struct probe *probe, const struct key_layout *layout, struct snapshot *snap);

/* Close the program and destroy the module (which closes the tables); NULL is fine. */
void probe_destroy(struct probe *probe);

const char *probe_libbcc_version(void);

/*
 * The libbcc that would compile, for the cache key: the version built
 * against, and the real path, size and mtime of libbcc.so.0 (found beside
 * the mapped libbcc_bpf, without loading it).  0, or -ENOENT with only the
 * version in buf.
 */
int probe_libbcc_identity(char *buf, size_t len);

#endif
