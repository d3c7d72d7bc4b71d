/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ext: grow ext2, ext3 and ext4 filesystems with resize2fs (after the
 * forced e2fsck it insists on).
 */
#include <config.h>

#include "resize-util.h"

static const char *const types[] = { "ext2", "ext3", "ext4", NULL };

static int
ext_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
             const char *root)
{
  (void) op;
  if (!gs_resize_claims (ctx, types))
    return 0;
  if (gs_dry_run (ctx))
    return gs_resize_probe (ctx, g, root, NULL, "resize2fs");
  if (guestfs_e2fsck (g, root, GUESTFS_E2FSCK_FORCEALL, 1, -1) == -1 ||
      guestfs_resize2fs (g, root) == -1)
    return -1;
  return gs_report_path (ctx, root, GS_ACTION_CHANGED, -1);
}

static const struct gs_operation ext_op = {
  .name = "ext",
  .family = "resize",
  .heading = "Grow ext2, ext3 and ext4 filesystems (resize2fs)",
  .phase = GS_PHASE_DEVICES,
  .order = 100,
  .enabled_by_default = true,
  .perform = ext_perform,
};

GS_REGISTER_PLUGIN (&ext_op);
