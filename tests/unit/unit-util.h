/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unit-util.h: helpers shared by the C unit tests in tests/unit/:
 * where the build and source trees are, temporary files that are
 * removed at exit, and capturing what the core prints on stderr.
 */
#ifndef GS_TESTS_UNIT_UTIL_H
#define GS_TESTS_UNIT_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "goldsmith-int.h"

/* $GOLDSMITH_BUILDDIR / $GOLDSMITH_SRCDIR (set by ./run), default ".". */
extern const char *unit_builddir (void);
extern const char *unit_srcdir (void);

/* printf into a new string; aborts the test on ENOMEM. */
extern char *unit_printf (const char *fs, ...) GS_PRINTF (1, 2);

/* A new file in $TMPDIR (default /tmp) named goldsmith-unit-XXXXXX
 * SUFFIX, holding LEN bytes of DATA; removed at exit.  Returns the
 * path (owned by unit-util).  Aborts the test if it cannot.
 */
extern const char *unit_temp_file (const char *suffix,
                                   const void *data, size_t len);
/* The same for a NUL-terminated string. */
extern const char *unit_temp_text (const char *suffix, const char *text);
/* A new empty directory in $TMPDIR, removed (with its files) at exit. */
extern const char *unit_temp_dir (void);

/* Everything written to file descriptor 2 between unit_capture_begin
 * and unit_capture_end is returned by unit_capture_end (a string the
 * caller frees) instead of being printed.  Not nested.
 */
extern void unit_capture_begin (void);
extern char *unit_capture_end (void);

/* True if S is exactly one line: non-empty, one '\n', at the end. */
extern bool unit_one_line (const char *s);
/* True if S contains NEEDLE (false for a NULL S). */
extern bool unit_contains (const char *s, const char *needle);

/* Fill the empty REG with the real sysprep plugins of the build tree
 * ($GOLDSMITH_BUILDDIR/plugins/sysprep), with gs_int_registry_load_path.
 * Bails out of the test if they cannot be loaded.
 */
extern void unit_registry_new (struct gs_registry *reg);

/* Makes the linker keep the whole plugin API (plugin-api.syms) and the
 * libraries the plugins use in the test program, so that plugins
 * dlopen()ed by it find every symbol even if the test itself calls
 * none of them.  Returns the number of functions it refers to.
 */
extern size_t unit_plugin_api (void);

#endif /* GS_TESTS_UNIT_UTIL_H */
