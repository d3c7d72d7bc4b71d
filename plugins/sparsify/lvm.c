/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvm-free-space: the extents of a volume group that no logical volume
 * uses still hold what deleted volumes held.  A temporary LV over all
 * of them is discarded (or zeroed) and removed, as virt-sparsify does.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sparsify-util.h"

static const char *const types[] = { "lvm-vg", NULL };

/* The VG's free bytes, or -1. */
static int64_t
vg_free (guestfs_h *g, const char *vg)
{
  struct guestfs_lvm_vg_list *l = guestfs_vgs_full (g);
  int64_t r = -1;

  for (size_t i = 0; l && i < l->len; ++i)
    if (strcmp (l->val[i].vg_name, vg) == 0)
      r = (int64_t) l->val[i].vg_free;
  if (l)
    guestfs_free_lvm_vg_list (l);
  if (r == -1)
    gs_error ("%s: no such volume group", vg);
  return r;
}

static int
lvm_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
             const char *root)
{
  const char *method = "discard";
  char lv[64], dev[320];
  int64_t free_bytes;
  int r;

  (void) op;
  if (!gs_sparsify_claims (ctx, types))
    return 0;
  if ((free_bytes = vg_free (g, root)) == -1)
    return -1;
  if (free_bytes == 0) {
    gs_not_applicable (ctx, "no free extents");
    return 0;
  }
  if (!gs_dry_run (ctx)) {
    /* The PID keeps two runs' leftovers apart; the name is removed
     * below whatever happens.
     */
    snprintf (lv, sizeof lv, "goldsmith-sparsify-%ld", (long) getpid ());
    snprintf (dev, sizeof dev, "/dev/%s/%s", root, lv);
    if (guestfs_lvcreate_free (g, lv, root, 100) == -1)
      return -1;
    r = gs_clear_device (ctx, g, dev, false, &method);
    if (guestfs_lvremove (g, dev) == -1)
      r = -1;
    if (r == -1)
      return -1;
  }
  gs_sparsify_method (ctx, method);
  return gs_report_path (ctx, root, GS_ACTION_CHANGED, free_bytes);
}

static const struct gs_operation lvm_op = {
  .name = "lvm-free-space",
  .family = "sparsify",
  .heading = "Discard the free extents of each LVM volume group",
  .phase = GS_PHASE_DEVICES,
  .order = 30,
  .enabled_by_default = true,
  .perform = lvm_perform,
};

GS_REGISTER_PLUGIN (&lvm_op);
