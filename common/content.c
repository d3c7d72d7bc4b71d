/* SPDX-License-Identifier: GPL-2.0-or-later */
/* content.c: operations chosen by what a device holds, not by a guest's
 * root.  resize grows each partition's or logical volume's content,
 * sparsify gives the free space of each filesystem, swap area or volume
 * group back.  The tool says which device holds what; the core runs the
 * family's selected operations on it and records what they did, as
 * run.c does for a root.  The tools never build a struct gs_ctx nor
 * call a plugin themselves.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "ctx.h"
#include "cleanups.h"

/* Ask OP, as a dry run with nothing recorded, whether it takes the
 * device: GS_OP_APPLIED (it does), GS_OP_NA or GS_OP_FAILED.
 */
static int
ask (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g, const char *dev)
{
  bool dry_run = ctx->dry_run;
  int st;

  struct gs_op_results scratch = { 0 };

  ctx->dry_run = true;
  ctx->op = gs_int_result_add_op (&scratch, op->name);
  ctx->not_applicable = false;
  gs_int_set_current_op (op->name);
  st = op->def->perform (op, ctx, g, dev) == -1 ? GS_OP_FAILED
    : ctx->not_applicable ? GS_OP_NA : GS_OP_APPLIED;
  gs_int_set_current_op (NULL);
  gs_int_op_results_free (&scratch);
  ctx->op = NULL;
  ctx->dry_run = dry_run;
  return st;
}

int
gs_int_content_claims (struct gs_registry *reg, guestfs_h *g,
                       const char *family, const char *dev,
                       const char *content)
{
  struct gs_ctx ctx = { .dry_run = true, .content = content };
  int claimed = 0, failed = 0;

  for (size_t i = 0; i < reg->nops; ++i) {
    struct gs_op *op = reg->ops[i];
    int st;

    if (!op->selected || strcmp (op->family, family) != 0)
      continue;
    st = ask (op, &ctx, g, dev);
    claimed += st == GS_OP_APPLIED;
    failed += st == GS_OP_FAILED;
  }
  free (ctx.reason);
  return failed && !claimed ? -1 : claimed;
}

int
gs_int_content_run (struct gs_registry *reg, guestfs_h *g, const char *dev,
                    const char *content, const struct gs_content_opts *o,
                    struct gs_op_results *ops)
{
  struct gs_ctx ctx = { .dry_run = o->dry_run, .in_place = o->in_place,
                        .content = content };
  int st = GS_OP_NA, failed = 0;

  for (size_t i = 0; i < reg->nops; ++i) {
    struct gs_op *op = reg->ops[i];
    int r;

    if (!op->selected || strcmp (op->family, o->family) != 0)
      continue;
    /* Every operation that takes the device: asked first (a dry run
     * costs next to nothing), so that only those run and are reported.
     */
    if (!o->first_only) {
      if ((r = ask (op, &ctx, g, dev)) == GS_OP_FAILED)
        failed++;
      if (r != GS_OP_APPLIED)
        continue;
    }
    r = gs_int_run_op (op, &ctx, g, dev, false, ops);
    if (r == GS_OP_FAILED)
      failed++;
    if (r != GS_OP_NA)
      st = r;
    /* The first operation that takes the device handles it. */
    if (o->first_only && r != GS_OP_NA)
      break;
  }
  free (ctx.reason);
  return failed ? GS_OP_FAILED : st;
}

/* A device's blocks back to the host: discarded, which reads back as
 * zeros on a copying overlay and unmaps them in place.  Where discard
 * does not work, a copy gets zeros (zero_device skips blocks already
 * zero); in place that would allocate them, so it is an error.  With
 * MUST_ZERO (the data must be gone) in place, a discard that does not
 * promise zeros is preceded by writing zeros.
 */
int
gs_int_clear_device (guestfs_h *g, const char *dev, bool in_place,
                     bool must_zero, const char **method)
{
  bool zeroed = false;
  int r;

  if (in_place && must_zero) {
    gs_quiet_begin (g);
    r = guestfs_blkdiscardzeroes (g, dev);
    gs_quiet_end (g);
    if (r != 1) {
      if (guestfs_zero_device (g, dev) == -1)
        return -1;
      zeroed = true;
    }
  }
  gs_quiet_begin (g);
  r = guestfs_blkdiscard (g, dev);
  gs_quiet_end (g);
  if (r == 0) {
    *method = "discard";
    return 0;
  }
  if (zeroed) {                  /* the data is gone, if not unmapped */
    *method = "zero";
    return 0;
  }
  if (in_place) {
    gs_error ("%s: the disk does not support discard", dev);
    return -1;
  }
  if (guestfs_zero_device (g, dev) == -1)
    return -1;
  *method = "zero";
  return 0;
}

/* The plugin API's view of it (goldsmith-plugin.h). */
int
gs_clear_device (struct gs_ctx *ctx, guestfs_h *g, const char *dev,
                 bool must_zero, const char **method)
{
  return gs_int_clear_device (g, dev, ctx->in_place, must_zero, method);
}
