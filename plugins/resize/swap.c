/* SPDX-License-Identifier: GPL-2.0-or-later */
/* swap: a swap area cannot grow; it is made again over the whole
 * device, keeping its UUID and label (fstab names swap by either).
 * Hibernation data in it is lost, as with virt-resize.
 */
#include <config.h>

#include "resize-util.h"
#include "swap-util.h"

static const char *const types[] = { "swap", NULL };

static int
swap_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
              const char *root)
{
  struct gs_swap_id id;

  (void) op;
  if (!gs_resize_claims (ctx, types))
    return 0;
  if (gs_dry_run (ctx))
    return gs_resize_probe (ctx, g, root, NULL, "mkswap");
  if (gs_swap_id_read (g, root, &id) == -1 ||
      gs_swap_recreate (g, root, &id) == -1)
    return -1;
  return gs_report_path (ctx, root, GS_ACTION_CHANGED, -1);
}

static const struct gs_operation swap_op = {
  .name = "swap",
  .family = "resize",
  .heading = "Recreate swap over the whole device, keeping UUID and label",
  .phase = GS_PHASE_DEVICES,
  .order = 100,
  .enabled_by_default = true,
  .perform = swap_perform,
};

GS_REGISTER_PLUGIN (&swap_op);
