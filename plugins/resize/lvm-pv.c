/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvm-pv: grow an LVM physical volume to its partition (pvresize); the
 * volume group's new free space is then there for --lv-expand.
 */
#include <config.h>

#include "resize-util.h"

static const char *const types[] = { "lvm-pv", NULL };

static int
lvm_pv_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                const char *root)
{
  (void) op;
  if (!gs_resize_claims (ctx, types))
    return 0;
  if (gs_dry_run (ctx))
    return gs_resize_probe (ctx, g, root, "lvm2", "pvresize");
  if (guestfs_pvresize (g, root) == -1)
    return -1;
  return gs_report_path (ctx, root, GS_ACTION_CHANGED, -1);
}

static const struct gs_operation lvm_pv_op = {
  .name = "lvm-pv",
  .family = "resize",
  .heading = "Grow LVM physical volumes (pvresize)",
  .phase = GS_PHASE_DEVICES,
  .order = 50,
  .enabled_by_default = true,
  .perform = lvm_pv_perform,
};

GS_REGISTER_PLUGIN (&lvm_pv_op);
