/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xfs: grow XFS filesystems; xfs_growfs works on a mounted filesystem. */
#include <config.h>

#include "resize-util.h"

static const char *const types[] = { "xfs", NULL };

static int
grow (guestfs_h *g, const char *root)
{
  (void) root;
  return guestfs_xfs_growfs (g, "/", GUESTFS_XFS_GROWFS_DATASEC, 1, -1);
}

static int
xfs_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
             const char *root)
{
  (void) op;
  if (!gs_resize_claims (ctx, types))
    return 0;
  if (gs_dry_run (ctx))
    return gs_resize_probe (ctx, g, root, "xfs", "xfs_growfs");
  if (gs_resize_mounted (g, root, grow) == -1)
    return -1;
  return gs_report_path (ctx, root, GS_ACTION_CHANGED, -1);
}

static const struct gs_operation xfs_op = {
  .name = "xfs",
  .family = "resize",
  .heading = "Grow XFS filesystems (xfs_growfs, mounted)",
  .phase = GS_PHASE_DEVICES,
  .order = 100,
  .enabled_by_default = true,
  .perform = xfs_perform,
};

GS_REGISTER_PLUGIN (&xfs_op);
