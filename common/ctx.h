/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctx.h: what the core knows of one root (or device) while operations
 * run on it.  Private to common/: plugins see struct gs_ctx as an
 * opaque pointer (goldsmith-plugin.h), and cli/ never builds one; it
 * asks the core to run operations (run.c, content.c).
 */
#ifndef GS_CTX_H
#define GS_CTX_H

#include "goldsmith-int.h"

/* One guest root (or device) being worked on. */
#define GS_NFACTS GS_OS_NFACTS
struct gs_ctx {
  bool dry_run;
  const struct gs_exclude *exclude;
  char *facts[GS_NFACTS];
  struct gs_op_result *op;       /* the operation running now */
  bool not_applicable;
  char *reason;
  unsigned firstboot_seq;        /* scripts added this run */
  string_vector dry_removed;     /* dry run: paths reported removed */
  const char *content;           /* resize, sparsify: what ROOT holds */
  bool in_place;                 /* sparsify --in-place */
  const char *method;            /* sparsify: how (gs_sparsify_method) */
  struct gs_inspect_result *inspect; /* family "inspect": this root's */
  struct gs_fields *item;        /* the list item gs_inspect_item_set sets */
  size_t disk_start, disk_count; /* the guest's disks in the appliance */
};

#endif /* GS_CTX_H */
