/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.c: what `goldsmith resize' reads of IN in the appliance: the
 * partition table and each partition's content and size (for the
 * planner), which contents the resize operations can grow, and the
 * --lv-expand volumes.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanups.h"
#include "resize-int.h"
#include "host-table.h"

static const char *
keep (struct gs_resize_source *src, char *s)
{
  if (s == NULL)
    return NULL;
  string_vector_append (&src->strings, s);
  return src->strings.ptr[src->strings.len - 1];
}

char *
gs_int_resize_part_dev (const char *dev, int num)
{
  return gs_xasprintf ("%s%d", dev, num);
}

/* Content of DEV as the planner and the operations name it: a vfs_type
 * filesystem type, "swap", "lvm-pv", or NULL (unknown).
 */
static char *
content_of (struct gs_session *s, const char *dev)
{
  char *t;

  gs_quiet_begin (s->g);
  t = guestfs_vfs_type (s->g, dev);
  gs_quiet_end (s->g);
  if (t == NULL || t[0] == '\0' || strcmp (t, "unknown") == 0) {
    free (t);
    return NULL;
  }
  if (strcmp (t, "LVM2_member") == 0) {
    free (t);
    return strdup ("lvm-pv");
  }
  return t;
}

static int64_t
content_size_of (struct gs_session *s, const char *dev, const char *content)
{
  guestfs_h *g = s->g;
  int64_t r = -1;

  if (content == NULL || strcmp (content, "swap") == 0)
    return -1;
  if (strcmp (content, "lvm-pv") == 0) {
    struct guestfs_lvm_pv_list *pvs = guestfs_pvs_full (g);

    for (size_t i = 0; pvs && i < pvs->len; ++i)
      if (strcmp (pvs->val[i].pv_name, dev) == 0)
        r = pvs->val[i].pv_size;
    if (pvs)
      guestfs_free_lvm_pv_list (pvs);
    return r;
  }
  /* A filesystem: its size as statvfs says, mounted read-only. */
  gs_quiet_begin (s->g);
  if (guestfs_mount_ro (g, dev, "/") == 0) {
    struct guestfs_statvfs *sv = guestfs_statvfs (g, "/");

    if (sv) {
      r = sv->bsize * sv->blocks;
      guestfs_free_statvfs (sv);
    }
    guestfs_umount_all (g);
  }
  gs_quiet_end (s->g);
  if (r == -1)
    gs_debug ("%s: %s: size unknown (cannot mount it)", dev, content);
  return r;
}

/* The source's table as its first sectors hold it (host-table.c's
 * parser, on one pread): NULL where it cannot be read so (sectors other
 * than 512 bytes, a table the parser leaves to parted); then every
 * field is asked of parted and sgdisk, as for logical partitions.
 */
static struct gs_resize_host_table *
read_head (guestfs_h *g, const char *indev, const struct gs_resize_disk *d)
{
  struct gs_resize_host_table *t;
  CLEANUP_FREE char *buf = NULL;
  size_t got = 0;

  if (d->sector_size != 512 || d->size < GS_RESIZE_HEAD_BYTES)
    return NULL;
  buf = guestfs_pread_device (g, indev, GS_RESIZE_HEAD_BYTES, 0, &got);
  if (buf == NULL || got != GS_RESIZE_HEAD_BYTES)
    return NULL;
  t = gs_xmalloc (sizeof *t);
  if (gs_int_resize_parse_head ((unsigned char *) buf, d->size, t) != 1 ||
      t->disk.table != d->table) {
    free (t);
    return NULL;
  }
  return t;
}

/* The entry of HEAD that is P (same number, start and size), or
 * SIZE_MAX.
 */
static size_t
head_entry (const struct gs_resize_host_table *head,
            const struct gs_resize_part *p)
{
  for (size_t i = 0; head && i < head->disk.nparts; ++i)
    if (head->parts[i].num == p->num && head->parts[i].start == p->start &&
        head->parts[i].size == p->size)
      return i;
  return SIZE_MAX;
}

int
gs_int_resize_read_source (struct gs_session *s, const char *indev,
                           struct gs_resize_source *src)
{
  guestfs_h *g = s->g;
  CLEANUP_FREE char *type = NULL;
  struct guestfs_partition_list *pl;
  struct gs_resize_host_table *head;
  int ss;

  src->disk.size = guestfs_blockdev_getsize64 (g, indev);
  ss = guestfs_blockdev_getss (g, indev);
  if (src->disk.size == -1 || ss == -1)
    return -1;
  src->disk.sector_size = ss;
  gs_quiet_begin (s->g);
  type = guestfs_part_get_parttype (g, indev);
  gs_quiet_end (s->g);
  if (type == NULL) {
    gs_error ("the input disk has no partition table");
    return -1;
  }
  if (strcmp (type, "msdos") == 0)
    src->disk.table = GS_RESIZE_TABLE_MBR;
  else if (strcmp (type, "gpt") == 0)
    src->disk.table = GS_RESIZE_TABLE_GPT;
  else {
    gs_error ("the input disk has a '%s' partition table: only MBR and GPT "
              "are supported", type);
    return -1;
  }
  if (src->disk.table == GS_RESIZE_TABLE_GPT &&
      (src->disk.disk_guid = keep (src, guestfs_part_get_disk_guid
                                   (g, indev))) == NULL)
    return -1;

  if ((pl = guestfs_part_list (g, indev)) == NULL)
    return -1;
  head = read_head (g, indev, &src->disk);
  src->parts = gs_xcalloc (pl->len, sizeof *src->parts);
  for (size_t i = 0; i < pl->len; ++i) {
    struct gs_resize_part *p = &src->parts[i];
    int n = pl->val[i].part_num;
    CLEANUP_FREE char *dev = gs_int_resize_part_dev (indev, n);
    size_t h;

    p->num = n;
    p->start = pl->val[i].part_start;
    p->size = pl->val[i].part_size;
    p->mbr_id = -1;
    p->content_size = -1;
    h = head_entry (head, p);
    if (h != SIZE_MAX && src->disk.table == GS_RESIZE_TABLE_MBR) {
      p->mbr_id = head->parts[h].mbr_id;
      p->kind = gs_int_resize_mbr_id_is_extended (p->mbr_id)
        ? GS_RESIZE_EXTENDED : GS_RESIZE_PRIMARY;
      p->bootable = head->parts[h].bootable;
    }
    else if (h != SIZE_MAX) {
      const struct gs_resize_gpt_entry *x = &head->gpt[h];

      p->kind = GS_RESIZE_PRIMARY;
      p->gpt_type = keep (src, strdup (x->type));
      p->gpt_guid = keep (src, strdup (x->guid));
      p->name = keep (src, x->name_ok ? strdup (x->name)
                      : guestfs_part_get_name (g, indev, n));
      if (p->gpt_type == NULL || p->gpt_guid == NULL || p->name == NULL)
        goto fail;
      p->has_gpt_attributes = true;
      p->gpt_attributes = x->attributes;
    }
    else if (src->disk.table == GS_RESIZE_TABLE_MBR) {
      p->mbr_id = guestfs_part_get_mbr_id (g, indev, n);
      p->kind = n >= 5 ? GS_RESIZE_LOGICAL
        : gs_int_resize_mbr_id_is_extended (p->mbr_id) ? GS_RESIZE_EXTENDED
        : GS_RESIZE_PRIMARY;
      if (p->kind != GS_RESIZE_LOGICAL)
        p->bootable = guestfs_part_get_bootable (g, indev, n) == 1;
    }
    else {
      int64_t a;

      p->kind = GS_RESIZE_PRIMARY;
      p->gpt_type = keep (src, guestfs_part_get_gpt_type (g, indev, n));
      p->gpt_guid = keep (src, guestfs_part_get_gpt_guid (g, indev, n));
      p->name = keep (src, guestfs_part_get_name (g, indev, n));
      if (p->gpt_type == NULL || p->gpt_guid == NULL || p->name == NULL)
        goto fail;
      if ((a = guestfs_part_get_gpt_attributes (g, indev, n)) != -1) {
        p->has_gpt_attributes = true;
        p->gpt_attributes = (uint64_t) a;
      }
    }
    if (p->kind != GS_RESIZE_EXTENDED && dev) {
      p->content = keep (src, content_of (s, dev));
      p->content_size = content_size_of (s, dev, p->content);
    }
    gs_debug ("source partition %d: start %" PRIi64 " size %" PRIi64
              " content %s (%" PRIi64 ")", n, p->start, p->size,
              p->content ? p->content : "unknown", p->content_size);
  }
  src->disk.parts = src->parts;
  src->disk.nparts = pl->len;
  guestfs_free_partition_list (pl);
  free (head);
  return 0;

 fail:
  guestfs_free_partition_list (pl);
  free (head);
  return -1;
}

/* Probe every content type of the source once; those no operation
 * claims go to RQ's unavailable_fs, for the planner.
 */
int
gs_int_resize_probe_contents (struct gs_registry *reg,
                              struct gs_session *s, const char *indev,
                              const struct gs_resize_source *src,
                              struct gs_resize_requests *rq)
{
  string_vector seen = empty_vector;
  int r = 0;

  for (size_t i = 0; i < src->disk.nparts; ++i) {
    const struct gs_resize_part *p = &src->parts[i];
    CLEANUP_FREE char *dev = gs_int_resize_part_dev (indev, p->num);
    bool dup = false;

    if (p->content == NULL || p->kind == GS_RESIZE_EXTENDED)
      continue;
    for (size_t j = 0; j < seen.len; ++j)
      dup |= strcmp (seen.ptr[j], p->content) == 0;
    if (dup)
      continue;
    string_vector_append_copy (&seen, p->content);
    if (gs_int_content_claims (reg, s->g, "resize", dev, p->content) <= 0) {
      gs_debug ("no resize operation can grow %s", p->content);
      if (string_vector_append_copy (&rq->unavailable_fs, p->content) == -1)
        r = -1;
    }
  }
  string_vector_free_all (&seen);
  return r;
}

/* --lv-expand names: "/dev/VG/LV" or "VG/LV"; each must exist on IN.
 * Fills DEVS and CONTENTS (NULL for unknown); a content nothing can
 * grow is an error with --unknown-filesystems error, else a warning.
 */
int
gs_int_resize_check_lvs (struct gs_registry *reg, struct gs_session *s,
                         const string_vector *names,
                         enum gs_resize_unknown_fs ufs,
                         string_vector *devs, string_vector *contents)
{
  CLEANUP_FREE_STRV char **lvs = guestfs_lvs (s->g);

  if (lvs == NULL)
    return -1;
  for (size_t i = 0; i < names->len; ++i) {
    const char *n = names->ptr[i];
    char *dev, *c;
    bool found = false;

    if (asprintf (&dev, "%s%s", strncmp (n, "/dev/", 5) ? "/dev/" : "",
                  n) == -1)
      return -1;
    for (size_t j = 0; lvs[j]; ++j)
      found |= strcmp (lvs[j], dev) == 0;
    if (!found) {
      gs_error ("--lv-expand %s: no such logical volume on the input disk",
                n);
      free (dev);
      return -1;
    }
    c = content_of (s, dev);
    if (c == NULL ||
        gs_int_content_claims (reg, s->g, "resize", dev, c) <= 0) {
      if (ufs == GS_RESIZE_UNKNOWN_FS_ERROR) {
        gs_error ("--lv-expand %s: unknown/unavailable method for expanding "
                  "the %s content (--unknown-filesystems error)", n,
                  c ? c : "unknown");
        free (dev);
        free (c);
        return -1;
      }
      if (ufs == GS_RESIZE_UNKNOWN_FS_WARN)
        gs_warning ("--lv-expand %s: its %s content will not be expanded", n,
                    c ? c : "unknown");
      free (c);
      c = strdup ("");           /* grow the LV only */
    }
    string_vector_append (devs, dev);
    string_vector_append (contents, c);
  }
  return 0;
}
