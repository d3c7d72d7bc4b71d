/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sparsify.h: the engine of `goldsmith sparsify` (virt-sparsify's job),
 * as cli/sparsify.c calls it: the checks before any launch, then the
 * run (overlay, launch, every device, the copy, the report).
 *
 * Copying mode (IN OUT): IN is only ever read.  Changes go to a qcow2
 * overlay in --tmp (4 KiB clusters, so a discarded filesystem block is
 * a zero cluster of its own); the appliance, in one launch, hands every
 * device to the operations of family "sparsify" (plugins/sparsify/:
 * filesystems trimmed or zero-filled, swap discarded and recreated,
 * free LVM extents discarded), then `qemu-img convert` writes OUT,
 * skipping the zeros, under a temporary name renamed into place only
 * on success.
 *
 * In-place mode (--in-place IMG): the image is opened with discard
 * enabled and the same operations may only discard (trim).  A disk
 * that cannot discard is exit 3, as in virt-sparsify.
 *
 * Nothing waits on stdin: a temp dir without room is an error up front
 * (--check-tmpdir), and OUT's filesystem is checked against
 * `qemu-img measure` before OUT is written.
 */
#ifndef GS_SPARSIFY_H
#define GS_SPARSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "goldsmith-int.h"

struct gs_sparsify_job {
  /* Set by the caller, from its options (their syntax checked). */
  const char *in;                /* IN, or IMG with --in-place */
  const char *out;               /* OUT; NULL with --in-place */
  struct gs_disk *disk;          /* IN, after gs_int_disk_check */
  bool in_place, dry_run, compress, overwrite;
  const char *out_fmt;           /* --convert, else IN's format */
  const char *qemu_opts;         /* -o OPTIONS, or NULL */
  const char *tmp_dir;           /* --tmp, or NULL: $TMPDIR, /tmp */
  const char *check_tmpdir;      /* "ignore", "continue", "warn", "fail",
                                    or NULL (fail) */
  string_vector ignore, zero;    /* --ignore, --zero, as given */
  /* Output: the core sees no cli globals. */
  bool verbose, trace;
  bool json;                     /* the report as JSON, else text */
  bool progress;                 /* qemu-img and the appliance may draw
                                    progress bars on stderr */
  /* Found by the checks and the run. */
  const char *tmp;               /* the overlay's directory */
  bool out_is_blockdev;          /* OUT is written in place, no rename */
  bool tmp_short;                /* refused: too little room in tmp (a
                                    usage error; virt-sparsify's exit 2) */
  int64_t in_allocated;          /* bytes, -1 if unknown */
};

/* --in-place: can IN's format discard at all?  Else says why (the
 * caller's exit status is GS_EXIT_UNSUPPORTED).
 */
extern int gs_int_sparsify_check_in_place (const struct gs_sparsify_job *j);
/* Before the plugins are loaded: OUT, --tmp and -o judged, the image
 * about to be written locked.  -1 (said) is a usage error.
 */
extern int gs_int_sparsify_check (struct gs_sparsify_job *j);
/* The whole run of GUEST (IN alone), recorded in REPORT and printed
 * (JSON or text).  Returns a GS_EXIT_* code.
 */
extern int gs_int_sparsify_run (struct gs_registry *reg,
                                struct gs_settings *settings,
                                struct gs_sparsify_job *j,
                                struct gs_guest *guest, json_object *report);

#endif /* GS_SPARSIFY_H */
