/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ntfs: grow NTFS filesystems with ntfsresize.  Windows checks the
 * filesystem at its next boot, as after virt-resize.
 */
#include <config.h>

#include "resize-util.h"

static const char *const types[] = { "ntfs", NULL };

static int
ntfs_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
              const char *root)
{
  (void) op;
  if (!gs_resize_claims (ctx, types))
    return 0;
  if (gs_dry_run (ctx))
    return gs_resize_probe (ctx, g, root, "ntfsprogs", "ntfsresize");
  if (guestfs_ntfsresize_opts (g, root, -1) == -1)
    return -1;
  return gs_report_path (ctx, root, GS_ACTION_CHANGED, -1);
}

static const struct gs_operation ntfs_op = {
  .name = "ntfs",
  .family = "resize",
  .heading = "Grow NTFS filesystems (ntfsresize)",
  .phase = GS_PHASE_DEVICES,
  .order = 100,
  .enabled_by_default = true,
  .perform = ntfs_perform,
};

GS_REGISTER_PLUGIN (&ntfs_op);
