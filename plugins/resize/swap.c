/* swap: a swap area cannot grow; it is made again over the whole
 * device, keeping its UUID and label (fstab names swap by either).
 * Hibernation data in it is lost, as with virt-resize.
 */
#include <config.h>

#include "resize-util.h"
#include "cleanups.h"

static const char *const types[] = { "swap", NULL };

static int
swap_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
              const char *root)
{
  CLEANUP_FREE char *label = NULL, *uuid = NULL;

  (void) op;
  if (!gs_resize_claims (ctx, types))
    return 0;
  if (gs_dry_run (ctx))
    return gs_resize_probe (ctx, g, root, NULL, "mkswap");
  if ((label = guestfs_vfs_label (g, root)) == NULL ||
      (uuid = guestfs_vfs_uuid (g, root)) == NULL)
    return -1;
  /* An unset label or UUID is "": mkswap would refuse it as an option. */
  struct guestfs_mkswap_opts_argv a = { .bitmask = 0 };
  if (label[0]) {
    a.bitmask |= GUESTFS_MKSWAP_OPTS_LABEL_BITMASK;
    a.label = label;
  }
  if (uuid[0]) {
    a.bitmask |= GUESTFS_MKSWAP_OPTS_UUID_BITMASK;
    a.uuid = uuid;
  }
  if (guestfs_mkswap_opts_argv (g, root, &a) == -1)
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
