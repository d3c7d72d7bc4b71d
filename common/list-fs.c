/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list-fs.c: guestfs_list_filesystems' answer without its parted and
 * sgdisk run per partition.
 *
 * libguestfs's list_filesystems asks parted for each partition's table
 * type and sgdisk (or sfdisk) for its GPT type, only to leave out the
 * partitions that hold no filesystem (Windows LDM metadata and data,
 * Microsoft reserved, Windows snapshot): under TCG about 1.5 s per
 * partition, 5.5 s of a 20 s sparsify of a 3-partition disk.  Here the
 * types come from each disk's first sectors (one pread, parsed by
 * resize's table reader), and the rest is what libguestfs does: the
 * vfs_type (blkid) of every disk without partitions, every partition,
 * MD device and logical volume, in that order; no type is "unknown";
 * "*_member" and crypto_LUKS are containers, left out; a btrfs is its
 * device (the default subvolume) and its other subvolumes.  Anything
 * else (logical partitions, sectors other than 512 bytes, Windows
 * dynamic disks) gets libguestfs's own call.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "cleanups.h"
#include "resize/host-table.h"

/* GPT types of partitions with no filesystem, as libguestfs's list. */
static const char *const no_fs_types[] = {
  "5808C8AA-7E8F-42E0-85D2-E1E90434CFB3",  /* LDM metadata */
  "AF9B60A0-1431-4F62-BC68-3311714A69AD",  /* LDM data */
  "E3C9E316-0B5C-4DB8-817D-F92DF00215AE",  /* Microsoft reserved */
  "CADDEBF1-4400-4DE8-B103-12117DCF3CCF",  /* Windows snapshot */
};

/* The partition number of PART if it is one of DEV's ("/dev/sda1" of
 * "/dev/sda"), else 0.
 */
static int
part_of (const char *part, const char *dev)
{
  size_t n = strlen (dev);

  if (strncmp (part, dev, n) != 0 || part[n] < '1' || part[n] > '9' ||
      part[n + strspn (part + n, "0123456789")] != '\0')
    return 0;
  return atoi (part + n);
}

/* Whether partition NUM of the disk whose head is T may hold a
 * filesystem.  -1: the head does not say (libguestfs must).
 */
static int
may_hold_fs (const struct gs_resize_host_table *t, int num)
{
  for (size_t i = 0; i < t->disk.nparts; ++i) {
    if (t->parts[i].num != num)
      continue;
    /* LDM, or a protective MBR whose GPT is not at 512 bytes (larger
     * sectors): theirs.
     */
    if (t->disk.table == GS_RESIZE_TABLE_MBR)
      return t->parts[i].mbr_id == 0x42 || t->parts[i].mbr_id == 0xee
        ? -1 : 1;
    for (size_t k = 0; k < sizeof no_fs_types / sizeof no_fs_types[0]; ++k)
      if (strcasecmp (t->gpt[i].type, no_fs_types[k]) == 0)
        return k < 2 ? -1 : 0;                       /* LDM: theirs */
    return 1;
  }
  return -1;
}

/* A btrfs: the whole device (its default subvolume), then every other
 * subvolume as "btrfsvol:DEV/PATH".  false if they cannot be listed.
 */
static bool
btrfs_volumes (guestfs_h *g, const char *dev, string_vector *out)
{
  struct guestfs_btrfssubvolume_list *l;
  int64_t def;

  gs_quiet_begin (g);
  l = guestfs_btrfs_subvolume_list (g, dev);
  def = l ? guestfs_btrfs_subvolume_get_default (g, dev) : -1;
  gs_quiet_end (g);
  if (l == NULL || def == -1) {
    if (l)
      guestfs_free_btrfssubvolume_list (l);
    return false;
  }
  string_vector_append_copy (out, dev);
  string_vector_append_copy (out, "btrfs");
  for (uint32_t i = 0; i < l->len; ++i)
    if ((int64_t) l->val[i].btrfssubvolume_id != def) {
      string_vector_append (out, gs_xasprintf ("btrfsvol:%s/%s", dev,
                                               l->val[i].btrfssubvolume_path));
      string_vector_append_copy (out, "btrfs");
    }
  guestfs_free_btrfssubvolume_list (l);
  return true;
}

/* Append DEV and its type to OUT as libguestfs would; false if only
 * libguestfs can say.
 */
static bool
check_vfs_type (guestfs_h *g, const char *dev, string_vector *out)
{
  CLEANUP_FREE char *t = NULL;
  size_t n;

  gs_quiet_begin (g);
  t = guestfs_vfs_type (g, dev);
  gs_quiet_end (g);
  n = t ? strlen (t) : 0;
  if (t && strcmp (t, "btrfs") == 0)
    return btrfs_volumes (g, dev, out);
  if ((n >= 7 && strcmp (t + n - 7, "_member") == 0) ||
      (t && strcmp (t, "crypto_LUKS") == 0))
    return true;
  string_vector_append_copy (out, dev);
  string_vector_append_copy (out, n ? t : "unknown");
  return true;
}

static char **
libguestfs_answer (guestfs_h *g, const char *why, string_vector *out)
{
  gs_debug ("filesystems: libguestfs's list_filesystems (%s)", why);
  string_vector_free_all (out);
  return guestfs_list_filesystems (g);
}

char **
gs_int_list_filesystems (guestfs_h *g)
{
  CLEANUP_FREE_STRV char **devices = guestfs_list_devices (g);
  CLEANUP_FREE_STRV char **parts = guestfs_list_partitions (g);
  CLEANUP_FREE_STRV char **mds = guestfs_list_md_devices (g);
  CLEANUP_FREE_STRV char **lvs = NULL;
  string_vector out = empty_vector;
  const char *lvm2[] = { "lvm2", NULL };

  if (devices == NULL || parts == NULL || mds == NULL)
    return NULL;
  if (guestfs_feature_available (g, (char **) lvm2) == 1 &&
      (lvs = guestfs_lvs (g)) == NULL)
    return NULL;
  /* Disks without partitions. */
  for (size_t i = 0; devices[i]; ++i) {
    bool has_parts = false;

    for (size_t k = 0; parts[k] && !has_parts; ++k)
      has_parts = part_of (parts[k], devices[i]) > 0;
    if (!has_parts && !check_vfs_type (g, devices[i], &out))
      return libguestfs_answer (g, "a btrfs whose subvolumes cannot be listed", &out);
  }
  /* Partitions, with their disk's table read once. */
  for (size_t i = 0; devices[i]; ++i) {
    struct gs_resize_host_table *t = NULL;

    for (size_t k = 0; parts[k]; ++k) {
      int num = part_of (parts[k], devices[i]), r;

      if (num == 0)
        continue;
      if (t == NULL) {
        CLEANUP_FREE char *head = NULL;
        size_t got = 0;

        /* A short read is a disk smaller than the head: theirs. */
        t = gs_xmalloc (sizeof *t);
        gs_quiet_begin (g);
        head = guestfs_pread_device (g, devices[i], GS_RESIZE_HEAD_BYTES, 0,
                                     &got);
        gs_quiet_end (g);
        if (head == NULL || got != GS_RESIZE_HEAD_BYTES ||
            gs_int_resize_parse_head ((unsigned char *) head, INT64_MAX,
                                      t) != 1) {
          free (t);
          return libguestfs_answer (g, "a table read by parted only", &out);
        }
      }
      if ((r = may_hold_fs (t, num)) == -1) {
        free (t);
        return libguestfs_answer (g, "a partition of unknown or LDM type",
                                  &out);
      }
      if (r == 1 && !check_vfs_type (g, parts[k], &out)) {
        free (t);
        return libguestfs_answer (g, "a btrfs whose subvolumes cannot be listed", &out);
      }
    }
    free (t);
  }
  for (size_t i = 0; mds[i]; ++i)
    if (!check_vfs_type (g, mds[i], &out))
      return libguestfs_answer (g, "a btrfs whose subvolumes cannot be listed", &out);
  for (size_t i = 0; lvs && lvs[i]; ++i)
    if (!check_vfs_type (g, lvs[i], &out))
      return libguestfs_answer (g, "a btrfs whose subvolumes cannot be listed", &out);
  string_vector_append (&out, NULL);
  if (gs_int_inspect_compare ())
    gs_int_list_fs_compare (g, out.ptr);
  return out.ptr;
}
