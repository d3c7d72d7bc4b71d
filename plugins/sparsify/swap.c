/* SPDX-License-Identifier: GPL-2.0-or-later */
/* swap: nothing in a swap area outlives a shutdown, so its pages go
 * back to the host whole and the area is made again with its UUID and
 * label (virt-sparsify keeps the 4 KiB header the same way).
 */
#include <config.h>

#include <stdlib.h>

#include "sparsify-util.h"
#include "swap-util.h"

static const char *const types[] = { "swap", NULL };

static int
swap_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
              const char *root)
{
  const char *method = "discard";
  struct gs_swap_id id = { NULL, NULL };
  int64_t size;

  (void) op;
  if (!gs_sparsify_claims (ctx, types))
    return 0;
  if ((size = guestfs_blockdev_getsize64 (g, root)) == -1)
    return -1;
  if (!gs_dry_run (ctx)) {
    /* The identity is in the header, which the discard takes too. */
    if (gs_swap_id_read (g, root, &id) == -1 ||
        gs_clear_device (ctx, g, root, false, &method) == -1 ||
        gs_swap_recreate (g, root, &id) == -1) {
      free (id.label);           /* a failed discard: not yet freed */
      free (id.uuid);
      return -1;
    }
  }
  gs_sparsify_method (ctx, method);
  return gs_report_path (ctx, root, GS_ACTION_CHANGED, size);
}

static const struct gs_operation swap_op = {
  .name = "swap",
  .family = "sparsify",
  .heading = "Discard a swap area whole, keeping its UUID and label",
  .phase = GS_PHASE_DEVICES,
  .order = 20,
  .enabled_by_default = true,
  .perform = swap_perform,
};

GS_REGISTER_PLUGIN (&swap_op);
