/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-util.h: what the libFuzzer targets in fuzz/ share: a private
 * scratch directory, inputs as strings and files, and a registry of the
 * real operation plugins.
 */
#ifndef GS_FUZZ_UTIL_H
#define GS_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goldsmith-int.h"

/* libFuzzer's entry points (the targets define them). */
extern int LLVMFuzzerInitialize (int *argc, char ***argv);
extern int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Call once from LLVMFuzzerInitialize with its arguments: finds the
 * build tree ($GOLDSMITH_BUILDDIR, else the parent of the program's
 * directory), loads the plugins, and makes a scratch directory in
 * $TMPDIR the working directory, so that relative paths in inputs
 * resolve there; paths on the command line are made absolute first.
 * DEFAULT_FLAG ("-name=value" or NULL) is added to libFuzzer's flags
 * unless the command line sets that flag.
 */
extern void fuzz_init (int *argc, char ***argv, const char *default_flag);

/* DEFAULT_FLAG for the targets whose input is libconfig text: most
 * inputs are syntax errors, after which libconfig leaks
 * (tests/lsan.supp), and a leak check after each of them makes the run
 * 15 times slower.  Leaks are still reported, at exit.
 *
 * fuzz.mk compiles fuzz-util.c with -DFUZZ_LIBCONFIG_INPUT for those
 * that need no more than that: it then defines their
 * LLVMFuzzerInitialize, fuzz_init with this flag.
 */
#define FUZZ_LIBCONFIG_FLAG "-detect_leaks=0"
extern const char *fuzz_builddir (void);

/* Abort the whole run (not a finding: the harness is broken). */
extern void fuzz_die (const char *fs, ...) GS_PRINTF (1, 2)
  __attribute__((noreturn));

/* DATA as a NUL-terminated string (cut at the first NUL); free it. */
extern char *fuzz_string (const uint8_t *data, size_t size);
/* Rewrite the scratch file NAME with DATA; returns its path. */
extern const char *fuzz_write_file (const char *name,
                                    const uint8_t *data, size_t size);

/* False if S names something that could block or exhaust the harness
 * rather than the code under test: a device, /proc or /sys file
 * (/dev/stdin, /dev/zero), a libconfig @include, or a \x escape (in
 * a libconfig string it could spell any of them).  Targets skip such
 * inputs.
 */
extern bool fuzz_host_safe (const char *s, size_t len);
/* True if S holds a libconfig @include (in any case). */
extern bool fuzz_has_include (const char *s, size_t len);

/* REG (empty) gets every plugin of the build tree: the instrumented
 * copies in fuzz/plugins first, then the others from plugins/FAMILY/.
 */
extern void fuzz_registry_new (struct gs_registry *reg);

#endif /* GS_FUZZ_UTIL_H */
