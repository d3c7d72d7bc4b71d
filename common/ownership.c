/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ownership.c: in a launch shared by several guests, which guest a
 * root, a device or a filesystem belongs to (by the disks the guest
 * brought), and which guests clash (the same filesystem UUID or LVM
 * name on two of them) and must wait for a launch of their own.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "ctx.h"
#include "cleanups.h"

/* The index of the disk (in the order drives were added) holding DEV:
 * a whole device, a partition, an LV or a VG (through the VG's first
 * PV).
 */
static int
disk_index (guestfs_h *g, const char *dev)
{
  CLEANUP_FREE char *whole = NULL;

  if (strncmp (dev, "/dev/sd", 7) == 0 || strncmp (dev, "/dev/vd", 7) == 0
      || strncmp (dev, "/dev/hd", 7) == 0) {
    whole = guestfs_part_to_dev (g, dev);
    if (whole == NULL)
      whole = strdup (dev);
    return whole ? guestfs_device_index (g, whole) : -1;
  }
  if (strncmp (dev, "/dev/", 5) == 0 && dev[5] != '\0') {
    /* /dev/VG/LV, or a VG: /dev/VG */
    CLEANUP_FREE char *vg = strndup (dev + 5, strcspn (dev + 5, "/"));
    CLEANUP_FREE_STRV char **pvuuids = vg ? guestfs_vgpvuuids (g, vg) : NULL;
    CLEANUP_FREE_STRV char **pvs = guestfs_pvs (g);

    if (pvuuids == NULL || pvs == NULL || pvuuids[0] == NULL)
      return -1;
    for (size_t i = 0; pvs[i]; ++i) {
      CLEANUP_FREE char *u = guestfs_pvuuid (g, pvs[i]);

      /* vgpvuuids has the 32-character form without dashes. */
      if (u && strcmp (u, pvuuids[0]) == 0)
        return disk_index (g, pvs[i]);
    }
  }
  return -1;
}

/* Map ROOT to a guest: STARTS[i] is the index of guest i's first disk
 * (NGUESTS+1 entries, the last the total).  -1 if unknown.
 */
int
gs_int_inspect_root_guest (guestfs_h *g, const char *root,
                           const size_t *starts, size_t nguests)
{
  int d = disk_index (g, root);

  if (d < 0)
    return -1;
  for (size_t i = 0; i < nguests; ++i)
    if ((size_t) d >= starts[i] && (size_t) d < starts[i + 1])
      return (int) i;
  return -1;
}

/* The guest (index into STARTS, see above) whose disk holds DEV, or -1. */
static int
guest_of (guestfs_h *g, const char *dev, const size_t *starts,
          size_t nguests)
{
  int d = disk_index (g, dev);

  for (size_t i = 0; d >= 0 && i < nguests; ++i)
    if ((size_t) d >= starts[i] && (size_t) d < starts[i + 1])
      return (int) i;
  return -1;
}

/* One identifier seen on a guest's disks. */
struct seen {
  char *id;                      /* "pv:UUID", "fs:UUID", "label:L", "vg:N" */
  int guest;
};

static int
note (struct seen **v, size_t *n, const char *kind, const char *val,
      int guest)
{
  struct seen *p;

  if (val == NULL || val[0] == '\0' || guest < 0)
    return 0;
  if ((p = realloc (*v, (*n + 1) * sizeof *p)) == NULL)
    return -1;
  *v = p;
  if (asprintf (&p[*n].id, "%s:%s", kind, val) == -1)
    return -1;
  p[*n].guest = guest;
  (*n)++;
  return 0;
}

/* The identifiers of DEV (a partition, whole disk or LV) that the
 * appliance's kernel itself matches across disks as soon as it sees
 * them: an LVM PV's UUID, a RAID member's array UUID (mdadm assembles
 * by it), a btrfs filesystem's (the kernel groups devices by fsid).
 * Other filesystems' UUIDs and labels only matter when a guest's fstab
 * names them: gs_int_inspect_foreign_mounts checks that after the
 * inspection, so different guests with the same labels (every cloud
 * image of a distribution) still share a launch.
 */
static int
note_device (guestfs_h *g, const char *dev, int guest, struct seen **v,
             size_t *n)
{
  CLEANUP_FREE char *t = guestfs_vfs_type (g, dev);
  CLEANUP_FREE char *u = NULL;

  if (t == NULL || t[0] == '\0')
    return 0;                    /* no filesystem: nothing to resolve */
  if (strcmp (t, "LVM2_member") == 0 || strcmp (t, "linux_raid_member") == 0 ||
      strcmp (t, "btrfs") == 0) {
    u = guestfs_vfs_uuid (g, dev);
    return note (v, n, t[0] == 'L' ? "pv" : t, u, guest);
  }
  return 0;
}

int
gs_int_device_guest (guestfs_h *g, const char *dev, const size_t *starts,
                     size_t nguests)
{
  return guest_of (g, dev, starts, nguests);
}

/* Which of the launched guests cannot be inspected in this launch?
 * Guest i clashes (CLASH[i] set) when an identifier the appliance
 * matches across disks (see note_device) is seen on its disks and on
 * another guest's: an LVM PV UUID (LVM then uses one of the two PVs: a
 * clone's), a VG name, a RAID array UUID, a btrfs fsid.  A VG whose PVs
 * lie on two guests' disks clashes too.  Clones clash; the other guests
 * can share the launch.
 * PAIRS (NGUESTS*NGUESTS) says which with which.  Returns how many
 * guests clash, or -1 on error.
 */
int
gs_int_inspect_clashes (guestfs_h *g, const size_t *starts, size_t nguests,
                        bool *clash, unsigned char *pairs)
{
  CLEANUP_FREE_STRV char **parts = guestfs_list_partitions (g);
  CLEANUP_FREE_STRV char **devs = guestfs_list_devices (g);
  CLEANUP_FREE_STRV char **lvs = guestfs_lvs (g);
  CLEANUP_FREE_STRV char **vgs = guestfs_vgs (g);
  struct seen *v = NULL;
  size_t n = 0;
  int r = -1, count = 0;

  for (size_t i = 0; i < nguests; ++i)
    clash[i] = false;
  memset (pairs, 0, nguests * nguests);
  if (parts == NULL || devs == NULL || lvs == NULL || vgs == NULL)
    goto out;
  for (size_t i = 0; devs[i]; ++i)
    if (note_device (g, devs[i], guest_of (g, devs[i], starts, nguests),
                     &v, &n) == -1)
      goto nomem;
  for (size_t i = 0; parts[i]; ++i)
    if (note_device (g, parts[i], guest_of (g, parts[i], starts, nguests),
                     &v, &n) == -1)
      goto nomem;
  for (size_t i = 0; lvs[i]; ++i)
    if (note_device (g, lvs[i], guest_of (g, lvs[i], starts, nguests),
                     &v, &n) == -1)
      goto nomem;
  /* A VG name, owned by the guests holding its PVs (a VG on two guests'
   * disks is noted for both, so both clash).
   */
  for (size_t i = 0; vgs[i]; ++i) {
    CLEANUP_FREE_STRV char **u = guestfs_vgpvuuids (g, vgs[i]);
    CLEANUP_FREE_STRV char **pvs = u ? guestfs_pvs (g) : NULL;

    for (size_t j = 0; pvs && u[j]; ++j)
      for (size_t k = 0; pvs[k]; ++k) {
        CLEANUP_FREE char *pu = guestfs_pvuuid (g, pvs[k]);
        int gi = guest_of (g, pvs[k], starts, nguests);

        if (pu == NULL || strcmp (pu, u[j]) != 0)
          continue;
        if (note (&v, &n, "vg", vgs[i], gi) == -1)
          goto nomem;
      }
    /* Two VGs of one name (not clones: their PVs differ): LVM cannot
     * tell them apart by name, nor can we.  Every guest with a PV
     * clashes.
     */
    for (size_t j = i + 1; vgs[j]; ++j)
      if (strcmp (vgs[i], vgs[j]) == 0)
        for (size_t k = 0; k < n; ++k)
          for (size_t l = 0; l < n; ++l)
            if (strncmp (v[k].id, "pv:", 3) == 0 &&
                strncmp (v[l].id, "pv:", 3) == 0 &&
                v[k].guest != v[l].guest) {
              clash[v[k].guest] = true;
              pairs[v[k].guest * nguests + v[l].guest] = 1;
            }
  }
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      if (v[i].guest != v[j].guest && strcmp (v[i].id, v[j].id) == 0) {
        gs_debug ("%s is on the disks of guests %d and %d", v[i].id,
                  v[i].guest + 1, v[j].guest + 1);
        clash[v[i].guest] = clash[v[j].guest] = true;
        pairs[v[i].guest * nguests + v[j].guest] = 1;
        pairs[v[j].guest * nguests + v[i].guest] = 1;
      }
  for (size_t i = 0; i < nguests; ++i)
    count += clash[i];
  r = count;
  goto out;

 nomem:
  gs_error ("out of memory");
 out:
  for (size_t i = 0; i < n; ++i)
    free (v[i].id);
  free (v);
  return r;
}

/* ---- Guest device names in a shared appliance --------------------- */

static const char *const disk_prefixes[] = {
  "/dev/sd", "/dev/vd", "/dev/hd", "/dev/xvd", NULL,
};

char *
gs_int_guest_device (size_t start, size_t count, const char *dev)
{
  const char *p = NULL, *letters;
  size_t idx = 0, nl = 0;
  char name[16], *out;

  for (size_t i = 0; disk_prefixes[i] && p == NULL; ++i)
    if (strncmp (dev, disk_prefixes[i], strlen (disk_prefixes[i])) == 0)
      p = dev + strlen (disk_prefixes[i]);
  if (p == NULL || count == 0)
    return strdup (dev);
  letters = p;
  while (*p >= 'a' && *p <= 'z' && nl < 3) {
    idx = idx * 26 + (size_t) (*p - 'a') + (nl ? 26 : 0);
    nl++;
    p++;
  }
  /* Only DISK or DISK followed by a partition number. */
  if (nl == 0 || strspn (p, "0123456789") != strlen (p))
    return strdup (dev);
  (void) letters;
  if ((idx >= start && idx < start + count) || idx >= count)
    return strdup (dev);         /* the appliance's name already */
  idx += start;
  {                              /* index to letters: a..z, aa.. */
    char tmp[8];
    size_t n = 0, v = idx;

    do {
      tmp[n++] = (char) ('a' + v % 26);
      v = v / 26;
    } while (v-- > 0 && n < sizeof tmp);
    for (size_t i = 0; i < n; ++i)
      name[i] = tmp[n - 1 - i];
    name[n] = '\0';
  }
  if (asprintf (&out, "/dev/sd%s%s", name, p) == -1)
    return NULL;
  return out;
}

char *
gs_inspect_device (const struct gs_ctx *ctx, const char *dev)
{
  return gs_int_guest_device (ctx->disk_start, ctx->disk_count, dev);
}

int
gs_guest_has_device (const struct gs_ctx *ctx, guestfs_h *g, const char *dev)
{
  int d;

  if (ctx->disk_count == 0)
    return 1;                    /* the only guest of its launch */
  gs_quiet_begin (g);
  d = disk_index (g, dev);
  gs_quiet_end (g);
  if (d < 0) {
    gs_error ("%s: cannot tell which guest's disk holds it", dev);
    return -1;
  }
  return (size_t) d >= ctx->disk_start &&
    (size_t) d < ctx->disk_start + ctx->disk_count;
}
