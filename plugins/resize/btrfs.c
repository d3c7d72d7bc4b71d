/* SPDX-License-Identifier: GPL-2.0-or-later */
/* btrfs: grow btrfs filesystems to their device (mounted). */
#include <config.h>

#include "resize-util.h"

static const char *const types[] = { "btrfs", NULL };

static int
grow (guestfs_h *g, const char *root)
{
  (void) root;
  /* No size: btrfs grows to the whole device ("max"). */
  return guestfs_btrfs_filesystem_resize (g, "/", -1);
}

static int
btrfs_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
               const char *root)
{
  (void) op;
  if (!gs_resize_claims (ctx, types))
    return 0;
  if (gs_dry_run (ctx))
    return gs_resize_probe (ctx, g, root, "btrfs", "btrfs");
  if (gs_resize_mounted (g, root, grow) == -1)
    return -1;
  return gs_report_path (ctx, root, GS_ACTION_CHANGED, -1);
}

static const struct gs_operation btrfs_op = {
  .name = "btrfs",
  .family = "resize",
  .heading = "Grow btrfs filesystems (btrfs filesystem resize, mounted)",
  .phase = GS_PHASE_DEVICES,
  .order = 100,
  .enabled_by_default = true,
  .perform = btrfs_perform,
};

GS_REGISTER_PLUGIN (&btrfs_op);
