/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvm-uuids: give the guest's LVM physical volumes and volume groups
 * new random UUIDs (pvchange -u, vgchange -u), as virt-sysprep does, so
 * that clones attached to one host do not look like duplicates to LVM.
 * A device operation: the guest is unmounted; the volume groups are
 * deactivated for the change and activated again afterwards.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "cleanups.h"

/* UUID of a PV (IS_VG false) or VG, for the debug log; NULL if unknown. */
static char *
get_uuid (guestfs_h *g, const char *what, bool is_vg)
{
  char *u;

  gs_quiet_begin (g);
  u = is_vg ? guestfs_vguuid (g, what) : guestfs_pvuuid (g, what);
  gs_quiet_end (g);
  return u;
}

static int
report_all (struct gs_ctx *ctx, char **pvs, char **vgs)
{
  for (size_t i = 0; pvs[i]; ++i)
    if (gs_report_path (ctx, pvs[i], GS_ACTION_CHANGED, -1) == -1)
      return -1;
  for (size_t i = 0; vgs[i]; ++i) {
    /* A volume group is reported as its directory, /dev/VG. */
    CLEANUP_FREE char *path = gs_xasprintf ("/dev/%s", vgs[i]);

    if (gs_report_path (ctx, path, GS_ACTION_CHANGED, -1) == -1)
      return -1;
  }
  return 0;
}

/* Keep in LIST (NULL-terminated, freed as it shrinks) only what lies
 * on this guest's disks: in a launch shared with other guests, theirs
 * are not ours to change.  Returns the new length, or -1.
 */
static ssize_t
keep_own (struct gs_ctx *ctx, guestfs_h *g, char **list, bool vgs)
{
  size_t n = 0;

  for (size_t i = 0; list[i]; ++i) {
    CLEANUP_FREE char *dev = NULL;
    int r;

    if (vgs)
      dev = gs_xasprintf ("/dev/%s", list[i]);
    if ((r = gs_guest_has_device (ctx, g, vgs ? dev : list[i])) == -1)
      return -1;
    if (r == 1)
      list[n++] = list[i];
    else
      free (list[i]);
  }
  list[n] = NULL;
  return (ssize_t) n;
}

static int
lvm_uuids_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                   const char *root)
{
  const char *type = gs_guest_get (ctx, "type");
  const char *lvm2[] = { "lvm2", NULL };
  CLEANUP_FREE_STRV char **pvs = NULL;
  CLEANUP_FREE_STRV char **vgs = NULL;
  CLEANUP_FREE_STRV char **old_pvs = NULL;
  CLEANUP_FREE_STRV char **old_vgs = NULL;
  ssize_t npvs, nvgs;
  int r;

  (void) op; (void) root;
  if (type == NULL || strcmp (type, "linux") != 0) {
    gs_not_applicable (ctx, "not a Linux guest");
    return 0;
  }
  if ((r = guestfs_feature_available (g, (char **) lvm2)) == -1)
    return -1;
  if (r == 0) {
    gs_not_applicable (ctx, "the appliance has no LVM support");
    return 0;
  }
  if ((pvs = guestfs_pvs (g)) == NULL ||
      (npvs = keep_own (ctx, g, pvs, false)) == -1)
    return -1;
  /* Every volume group has a physical volume: no PV of ours, no VG of
   * ours, and one appliance call (a quarter second under TCG) saved.
   */
  if (npvs == 0) {
    gs_not_applicable (ctx, "no LVM physical volumes or volume groups");
    return 0;
  }
  if ((vgs = guestfs_vgs (g)) == NULL ||
      (nvgs = keep_own (ctx, g, vgs, true)) == -1)
    return -1;
  if (report_all (ctx, pvs, vgs) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return 0;

  old_pvs = gs_xcalloc ((size_t) npvs + 1, sizeof (char *));
  old_vgs = gs_xcalloc ((size_t) nvgs + 1, sizeof (char *));
  for (ssize_t i = 0; i < npvs; ++i)
    old_pvs[i] = get_uuid (g, pvs[i], false);
  for (ssize_t i = 0; i < nvgs; ++i)
    old_vgs[i] = get_uuid (g, vgs[i], true);

  /* virt-sysprep, if deactivating fails, closes the LUKS mappings it
   * opened on logical volumes and retries.  goldsmith opens no LUKS
   * device, so a failure here is an error.
   */
  if (nvgs > 0 && guestfs_vg_activate (g, 0, vgs) == -1)
    return -1;
  r = 0;
  for (ssize_t i = 0; r == 0 && i < npvs; ++i)
    if (guestfs_pvchange_uuid (g, pvs[i]) == -1)
      r = -1;
  for (ssize_t i = 0; r == 0 && i < nvgs; ++i)
    if (guestfs_vgchange_uuid (g, vgs[i]) == -1)
      r = -1;
  /* Activate again even after a failure: the volumes stay usable. */
  if (nvgs > 0 && guestfs_vg_activate (g, 1, vgs) == -1)
    r = -1;
  if (r == -1)
    return -1;

  for (ssize_t i = 0; i < npvs; ++i) {
    CLEANUP_FREE char *u = get_uuid (g, pvs[i], false);

    gs_debug ("PV %s: UUID %s -> %s", pvs[i],
              old_pvs[i] ? old_pvs[i] : "?", u ? u : "?");
  }
  for (ssize_t i = 0; i < nvgs; ++i) {
    CLEANUP_FREE char *u = get_uuid (g, vgs[i], true);

    gs_debug ("VG %s: UUID %s -> %s", vgs[i],
              old_vgs[i] ? old_vgs[i] : "?", u ? u : "?");
  }
  return 0;
}

static const struct gs_operation lvm_uuids = {
  .name = "lvm-uuids",
  .family = "sysprep",
  .heading = "Change LVM2 PV and VG UUIDs",
  .description =
    "On Linux guests with LVM, give every physical volume and every "
    "volume group a new random UUID (C<pvchange -u>, C<vgchange -u>), so "
    "that clones attached to one host are not taken for duplicates of "
    "one another.  The volume groups are deactivated for the change and "
    "activated again.  In a launch shared with other guests, only the "
    "volumes on this guest's disks change.  Each physical volume is reported by its device "
    "name, each volume group as F</dev/I<VG>>.  Names of volume groups "
    "and logical volumes, and so F</dev/VG/LV> paths in the guest's "
    "configuration, do not change.  Not applicable to guests without "
    "LVM.\n"
    "\n"
    "A guest that lists its physical volumes by PVID in an LVM devices "
    "file (F</etc/lvm/devices/system.devices>, RHEL 9 and Fedora 36 and "
    "later) ignores them once their UUID has changed: remove the file "
    "as well (LVM then scans all devices).\n"
    "\n"
    "Difference from virt-sysprep: when deactivating the volume groups "
    "fails, virt-sysprep closes the LUKS mappings it opened on logical "
    "volumes and retries; goldsmith opens no LUKS devices, so the "
    "failure is reported as an error.",
  .phase = GS_PHASE_DEVICES,
  .order = 99,
  .enabled_by_default = true,
  .perform = lvm_uuids_perform,
};

GS_REGISTER_PLUGIN (&lvm_uuids);
