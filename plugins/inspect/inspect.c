/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The inspect plugins: each section of virt-inspector's report is one
 * operation of family "inspect", so each can be switched off in the
 * configuration (inspect.NAME.enabled = false) or on the command line
 * (--no-applications, --no-icon, --operations -NAME).
 *
 * They only read, the guest mounted read-only: the core's facts
 * (gs_guest_*), then for a root libguestfs inspected its inspect_*
 * API, and for a Linux root goldsmith inspected itself the guest's
 * files, by libguestfs 1.48's rules (apps.c, icon.c; os-osinfo.c for
 * osinfo).  What they find goes to the core with gs_inspect_*.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "os-osinfo.h"              /* common/os-osinfo.c, built in */
#include "cleanups.h"
#include "own.h"

#define TRY(expr) do { if ((expr) == -1) return -1; } while (0)

/* ---- os: the <operatingsystem> scalars ---------------------------- */

static int
set_owned (struct gs_ctx *ctx, const char *key, char *v)
{
  int r = gs_inspect_set (ctx, key, v);

  free (v);
  return r;
}

/* The facts the core read for every root (gs_guest_get) are taken
 * from there: each libguestfs inspect_get_* call is a round trip to
 * the appliance (70 ms under TCG), and nine of them per guest showed in
 * an 8-guest inspection.  A fact the core could not read is NULL,
 * which gs_inspect_set leaves out, as it does "unknown".
 */
static int
os_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
            const char *root)
{
  static const struct { const char *fact, *key; } facts[] = {
    { "arch", "arch" }, { "distro", "distro" },
    { "product-name", "product_name" },
  }, facts2[] = {
    { "package-format", "package_format" },
    { "package-management", "package_management" },
  };
  const char *type = gs_guest_get (ctx, "type");
  const char *major = gs_guest_get (ctx, "major-version");
  const char *minor = gs_guest_get (ctx, "minor-version");
  bool lg = gs_guest_inspected_by_libguestfs (g, root);
  int r;

  (void) op;
  TRY (gs_inspect_set (ctx, "name", type));
  for (size_t i = 0; i < sizeof facts / sizeof facts[0]; ++i)
    TRY (gs_inspect_set (ctx, facts[i].key,
                         gs_guest_get (ctx, facts[i].fact)));
  /* A Linux root has no product variant ("unknown", left out). */
  if (lg)
    TRY (set_owned (ctx, "product_variant",
                    guestfs_inspect_get_product_variant (g, root)));
  TRY (gs_inspect_set (ctx, "major_version", major ? major : "0"));
  TRY (gs_inspect_set (ctx, "minor_version", minor ? minor : "0"));
  for (size_t i = 0; i < sizeof facts2 / sizeof facts2[0]; ++i)
    TRY (gs_inspect_set (ctx, facts2[i].key,
                         gs_guest_get (ctx, facts2[i].fact)));
  if (type && strcmp (type, "windows") == 0) {
    TRY (set_owned (ctx, "windows_systemroot",
                    guestfs_inspect_get_windows_systemroot (g, root)));
    TRY (set_owned (ctx, "windows_current_control_set",
                    guestfs_inspect_get_windows_current_control_set (g,
                                                                     root)));
  }
  TRY (gs_inspect_set (ctx, "hostname", gs_guest_get (ctx, "hostname")));
  if (lg)
    TRY (set_owned (ctx, "osinfo", guestfs_inspect_get_osinfo (g, root)));
  else
    TRY (set_owned (ctx, "osinfo",
                    gs_int_os_osinfo (gs_guest_get (ctx, "distro"),
                                      major ? atoi (major) : 0,
                                      minor ? atoi (minor) : 0)));
  /* Install media flags.  libguestfs >= 1.38 deprecated these (they
   * say "installed" and false for everything now); asked anyway so
   * that an older libguestfs that still knows gives the answer.  A root
   * goldsmith inspected is an installed guest, as 1.48 says of all.
   */
  if (!lg)
    return 0;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  {
    CLEANUP_FREE char *fmt = guestfs_inspect_get_format (g, root);

    if (fmt && strcmp (fmt, "installed") != 0)
      TRY (gs_inspect_set (ctx, "format", fmt));
  }
  if ((r = guestfs_inspect_is_live (g, root)) > 0)
    TRY (gs_inspect_set (ctx, "live", "true"));
  if ((r = guestfs_inspect_is_netinst (g, root)) > 0)
    TRY (gs_inspect_set (ctx, "netinst", "true"));
  if ((r = guestfs_inspect_is_multipart (g, root)) > 0)
    TRY (gs_inspect_set (ctx, "multipart", "true"));
#pragma GCC diagnostic pop
  return 0;
}

/* ---- mountpoints, filesystems, drive mappings --------------------- */

/* DEV named as virt-inspector names it: libguestfs's canonical name
 * (/dev/vda1 and /dev/hda1 as /dev/sda1, /dev/mapper/VG-LV as
 * /dev/VG/LV), then the guest's own disk moved onto the appliance's
 * (gs_inspect_device).  A name libguestfs cannot canonicalise is kept.
 */
static char *
guest_device (struct gs_ctx *ctx, guestfs_h *g, const char *dev)
{
  char *c, *d;

  guestfs_push_error_handler (g, NULL, NULL);
  c = guestfs_canonical_device_name (g, dev);
  guestfs_pop_error_handler (g);
  d = gs_inspect_device (ctx, c ? c : dev);
  free (c);
  return d;
}

/* Key/value hash lists from libguestfs, as pairs to sort. */
struct kv { const char *k, *v; };

static int
by_len_then_key (const void *a, const void *b)
{
  const struct kv *x = a, *y = b;
  size_t lx = strlen (x->k), ly = strlen (y->k);

  if (lx != ly)
    return lx < ly ? -1 : 1;
  return strcmp (x->k, y->k);
}

static int
by_key_nocase (const void *a, const void *b)
{
  return strcasecmp (((const struct kv *) a)->k, ((const struct kv *) b)->k);
}

static struct kv *
pairs (char **hash, size_t *n)
{
  size_t len = 0;
  struct kv *kv;

  while (hash[len])
    len++;
  *n = len / 2;
  kv = calloc (*n + 1, sizeof *kv);
  for (size_t i = 0; kv && i < *n; ++i) {
    kv[i].k = hash[2 * i];
    kv[i].v = hash[2 * i + 1];
  }
  return kv;
}

static int
mountpoints_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                     const char *root)
{
  CLEANUP_FREE_STRV char **mps = gs_guest_mountpoints (g, root);
  CLEANUP_FREE struct kv *kv = NULL;
  size_t n;

  (void) op;
  if (mps == NULL || (kv = pairs (mps, &n)) == NULL)
    return -1;
  for (size_t i = 0; i < n; ++i) {
    char *d = guest_device (ctx, g, mps[2 * i + 1]);

    if (d == NULL)
      return -1;
    free (mps[2 * i + 1]);
    kv[i].v = mps[2 * i + 1] = d;
  }
  qsort (kv, n, sizeof *kv, by_len_then_key);
  TRY (gs_inspect_list (ctx, "mountpoints"));
  for (size_t i = 0; i < n; ++i) {
    TRY (gs_inspect_add_item (ctx, "mountpoints"));
    TRY (gs_inspect_item_set (ctx, "dev", kv[i].v));
    TRY (gs_inspect_item_set (ctx, "path", kv[i].k));
  }
  return 0;
}

static int
by_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
filesystems_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                     const char *root)
{
  CLEANUP_FREE_STRV char **fss = gs_guest_filesystems (g, root);
  size_t n = 0;

  (void) op;
  if (fss == NULL)
    return -1;
  for (; fss[n]; ++n) {
    char *d = guest_device (ctx, g, fss[n]);

    if (d == NULL)
      return -1;
    free (fss[n]);
    fss[n] = d;
  }
  qsort (fss, n, sizeof *fss, by_str);
  TRY (gs_inspect_list (ctx, "filesystems"));
  for (size_t i = 0; i < n; ++i) {
    char *type, *label, *uuid;
    int r;

    TRY (gs_inspect_add_item (ctx, "filesystems"));
    TRY (gs_inspect_item_set (ctx, "dev", fss[i]));
    /* A filesystem named in fstab may not exist: no error, no data. */
    gs_quiet_begin (g);
    type = guestfs_vfs_type (g, fss[i]);
    label = guestfs_vfs_label (g, fss[i]);
    uuid = guestfs_vfs_uuid (g, fss[i]);
    gs_quiet_end (g);
    r = gs_inspect_item_set (ctx, "type", type && *type ? type : NULL);
    if (r == 0)
      r = gs_inspect_item_set (ctx, "label", label && *label ? label : NULL);
    if (r == 0)
      r = gs_inspect_item_set (ctx, "uuid", uuid && *uuid ? uuid : NULL);
    free (type); free (label); free (uuid);
    TRY (r);
  }
  return 0;
}

static int
drive_mappings_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                        const char *root)
{
  CLEANUP_FREE_STRV char **dm = NULL;
  CLEANUP_FREE struct kv *kv = NULL;
  size_t n;

  (void) op;
  /* Drive letters are Windows's, whose inspection is libguestfs's. */
  if (!gs_guest_inspected_by_libguestfs (g, root)) {
    gs_not_applicable (ctx, "no drive letters (not a Windows guest)");
    return 0;
  }
  dm = guestfs_inspect_get_drive_mappings (g, root);
  if (dm == NULL || (kv = pairs (dm, &n)) == NULL)
    return -1;
  if (n == 0) {
    gs_not_applicable (ctx, "no drive letters (not a Windows guest)");
    return 0;
  }
  qsort (kv, n, sizeof *kv, by_key_nocase);
  for (size_t i = 0; i < n; ++i) {
    CLEANUP_FREE char *c = NULL;
    const char *dev = kv[i].v;

    /* Already the appliance's device: canonical only. */
    guestfs_push_error_handler (g, NULL, NULL);
    c = guestfs_canonical_device_name (g, dev);
    guestfs_pop_error_handler (g);
    TRY (gs_inspect_add_item (ctx, "drive_mappings"));
    TRY (gs_inspect_item_set (ctx, "name", kv[i].k));
    TRY (gs_inspect_item_set (ctx, "device", c ? c : dev));
  }
  return 0;
}

/* ---- applications, icon (apps.c, icon.c) -------------------------- */

static int
applications_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                      const char *root)
{
  (void) op;
  return gs_inspect_applications (ctx, g, root);
}

static int
icon_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
              const char *root)
{
  (void) op;
  return gs_inspect_icon (ctx, g, root);
}

static const struct gs_operation os_op = {
  .name = "os", .family = "inspect",
  .heading = "Identify the operating system (name, distro, version, "
             "hostname, osinfo, package format)",
  .phase = GS_PHASE_INSPECT, .order = 10, .enabled_by_default = true,
  .perform = os_perform,
};
static const struct gs_operation mountpoints_op = {
  .name = "mountpoints", .family = "inspect",
  .heading = "List the guest's mountpoints (from fstab)",
  .phase = GS_PHASE_INSPECT, .order = 20, .enabled_by_default = true,
  .perform = mountpoints_perform,
};
/* With the guest unmounted, as virt-inspector lists them: the daemon
 * asks ntfslabel for an NTFS label, and ntfslabel refuses a mounted
 * volume.
 */
static const struct gs_operation filesystems_op = {
  .name = "filesystems", .family = "inspect",
  .heading = "List the guest's filesystems with type, label and UUID",
  .phase = GS_PHASE_DEVICES, .order = 30, .enabled_by_default = true,
  .perform = filesystems_perform,
};
static const struct gs_operation drive_mappings_op = {
  .name = "drive-mappings", .family = "inspect",
  .heading = "List Windows drive letters",
  .phase = GS_PHASE_INSPECT, .order = 40, .enabled_by_default = true,
  .perform = drive_mappings_perform,
};
static const struct gs_operation applications_op = {
  .name = "applications", .family = "inspect",
  .heading = "List installed applications (rpm, dpkg, pacman, apk, "
             "Windows uninstall keys)",
  .phase = GS_PHASE_INSPECT, .order = 50, .enabled_by_default = true,
  .perform = applications_perform,
};
static const struct gs_operation icon_op = {
  .name = "icon", .family = "inspect",
  .heading = "Extract the guest's icon (base64 PNG)",
  .phase = GS_PHASE_INSPECT, .order = 60, .enabled_by_default = true,
  .perform = icon_perform,
};

GS_REGISTER_PLUGIN (&os_op, &mountpoints_op, &filesystems_op,
                    &drive_mappings_op, &applications_op, &icon_op);
