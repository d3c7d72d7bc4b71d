/* SPDX-License-Identifier: GPL-2.0-or-later */
/* target.c: how `goldsmith resize' writes OUT once the plan is made:
 * the partition table (partitions keep their numbers, gaps included:
 * part_add numbers them 1, 2, 3..., then gpt-renumber.c moves each GPT
 * or MBR entry to its planned slot), the boot loader area, a sparse
 * copy of every partition; and OUT itself when --output-size creates
 * it.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanups.h"
#include "gpt-renumber.h"
#include "resize-int.h"

int
gs_int_resize_create_target (const char *path, const char *out,
                             const char *fmt, int64_t size)
{
  char sz[32], err[1024];

  if (strcmp (fmt, "raw") == 0) {
    /* Sparse, and all zeros: what the sparse copy relies on. */
    if (truncate (path, size) == -1) {
      gs_error ("%s: cannot set the size: %m", out);
      return -1;
    }
    return 0;
  }
  snprintf (sz, sizeof sz, "%" PRIi64, size);
  {
    char *const argv[] = { (char *) "qemu-img", (char *) "create",
                           (char *) "-q", (char *) "-f", (char *) fmt,
                           (char *) path, sz, NULL };

    if (gs_int_run_qemu_img (argv, err, sizeof err, false) == -1) {
      gs_error ("%s: qemu-img create -f %s failed: %s", out, fmt,
                gs_int_first_line (err));
      return -1;
    }
  }
  return 0;
}

/* ---- the table ------------------------------------------------------ */

/* parted's part_add takes the lowest free number (MBR logical: from
 * 5), so the partitions are created in disk order and then moved to
 * their planned numbers (renumber_table).  Only the primary entries
 * can move: logical partitions (in EBRs) must already come out of
 * part_add numbered as planned, which this checks before anything is
 * written.
 */
int
gs_int_resize_check_numbering (const struct gs_resize_plan *plan)
{
  int next = 5;

  for (size_t i = 0; i < plan->nparts; ++i) {
    const struct gs_resize_plan_part *pp = &plan->parts[i];

    if (pp->new_num == 0 || pp->kind != GS_RESIZE_LOGICAL)
      continue;
    if (pp->new_num != next) {
      gs_error ("partition %d: logical partitions numbered out of disk "
                "order cannot keep their numbers", pp->old_num);
      return -1;
    }
    next++;
  }
  return 0;
}

/* pread_device of exactly LEN bytes. */
static char *
read_exact (guestfs_h *g, const char *dev, size_t len, int64_t offset)
{
  size_t got;
  char *r = guestfs_pread_device (g, dev, len, offset, &got);

  if (r && got != len) {
    gs_error ("%s: short read of %zu bytes at %" PRIi64, dev, len, offset);
    free (r);
    return NULL;
  }
  return r;
}

static int
write_exact (guestfs_h *g, const char *dev, const char *buf, size_t len,
             int64_t offset)
{
  while (len > 0) {
    int n = guestfs_pwrite_device (g, dev, buf, len, offset);

    if (n == -1)
      return -1;
    if (n == 0) {
      gs_error ("%s: cannot write at %" PRIi64, dev, offset);
      return -1;
    }
    buf += n;
    len -= n;
    offset += n;
  }
  return 0;
}

/* Move OUTDEV's GPT entries as MOVES say, in the primary and the backup
 * table (gpt-renumber.c fixes the CRCs).
 */
static int
renumber_gpt (guestfs_h *g, const char *outdev,
              const struct gs_renumber *moves, size_t nmoves)
{
  CLEANUP_FREE char *ph = NULL, *pa = NULL, *bh = NULL, *ba = NULL;
  struct gs_gpt_header p, b;
  int64_t ss = guestfs_blockdev_getss (g, outdev);
  size_t alen;

  if (ss == -1 || (ph = read_exact (g, outdev, ss, ss)) == NULL ||
      gs_int_gpt_header_parse ((unsigned char *) ph, ss,
                               "output disk: primary GPT header", &p) == -1)
    return -1;
  alen = (size_t) p.nentries * p.entry_size;
  if ((pa = read_exact (g, outdev, alen, p.entries_lba * ss)) == NULL ||
      (bh = read_exact (g, outdev, ss, p.alternate_lba * ss)) == NULL ||
      gs_int_gpt_header_parse ((unsigned char *) bh, ss,
                               "output disk: backup GPT header", &b) == -1)
    return -1;
  if ((size_t) b.nentries * b.entry_size != alen) {
    gs_error ("output disk: the backup GPT header describes another entry "
              "array than the primary one");
    return -1;
  }
  if ((ba = read_exact (g, outdev, alen, b.entries_lba * ss)) == NULL ||
      gs_int_gpt_renumber ((unsigned char *) ph, ss, (unsigned char *) pa,
                           alen, "output disk: primary GPT header",
                           moves, nmoves) == -1 ||
      gs_int_gpt_renumber ((unsigned char *) bh, ss, (unsigned char *) ba,
                           alen, "output disk: backup GPT header",
                           moves, nmoves) == -1)
    return -1;
  if (memcmp (pa, ba, alen) != 0) {
    gs_error ("output disk: the backup GPT entries differ from the primary "
              "ones");
    return -1;
  }
  /* Backup first: until the primary header is written, readers still
   * see the old, consistent primary table.
   */
  if (write_exact (g, outdev, ba, alen, b.entries_lba * ss) == -1 ||
      write_exact (g, outdev, bh, ss, p.alternate_lba * ss) == -1 ||
      write_exact (g, outdev, pa, alen, p.entries_lba * ss) == -1 ||
      write_exact (g, outdev, ph, ss, ss) == -1)
    return -1;
  return 0;
}

static int
renumber_mbr (guestfs_h *g, const char *outdev,
              const struct gs_renumber *moves, size_t nmoves)
{
  CLEANUP_FREE char *s0 = read_exact (g, outdev, 512, 0);

  if (s0 == NULL ||
      gs_int_mbr_renumber ((unsigned char *) s0, 512, moves, nmoves) == -1)
    return -1;
  return write_exact (g, outdev, s0 + GS_MBR_TABLE_OFFSET,
                      4 * GS_MBR_ENTRY_SIZE, GS_MBR_TABLE_OFFSET);
}

/* After part_add: give every partition its planned number by moving
 * table entries, found by their start, then have the kernel (and so
 * parted and the /dev/sdbN nodes) read the table again.
 */
static int
renumber_table (guestfs_h *g, const char *outdev,
                const struct gs_resize_plan *plan)
{
  struct guestfs_partition_list *pl;
  struct gs_renumber *moves;
  size_t nmoves = 0;
  int r = -1;

  if ((pl = guestfs_part_list (g, outdev)) == NULL)
    return -1;
  moves = gs_xcalloc (plan->nparts + 1, sizeof *moves);
  for (size_t i = 0; i < plan->nparts; ++i) {
    const struct gs_resize_plan_part *pp = &plan->parts[i];
    int cur = 0;

    if (pp->new_num == 0)
      continue;
    for (size_t j = 0; j < pl->len; ++j)
      if ((int64_t) pl->val[j].part_start == pp->new_start)
        cur = pl->val[j].part_num;
    if (cur == 0) {
      gs_error ("partition %d: parted did not create it at sector %" PRIu64,
                pp->old_num, pp->new_start_sect);
      goto out;
    }
    if (cur != pp->new_num) {
      gs_debug ("partition %d: created as %d, moved to %d", pp->old_num, cur,
                pp->new_num);
      moves[nmoves].from = cur;
      moves[nmoves++].to = pp->new_num;
    }
  }
  if (nmoves == 0) {
    r = 0;
    goto out;
  }
  if ((plan->table == GS_RESIZE_TABLE_GPT
       ? renumber_gpt (g, outdev, moves, nmoves)
       : renumber_mbr (g, outdev, moves, nmoves)) == -1 ||
      guestfs_sync (g) == -1 || guestfs_blockdev_rereadpt (g, outdev) == -1)
    goto out;
  r = 0;
 out:
  free (moves);
  guestfs_free_partition_list (pl);
  return r;
}

int
gs_int_resize_create_table (guestfs_h *g, const char *outdev,
                            const struct gs_resize_plan *plan)
{
  bool gpt = plan->table == GS_RESIZE_TABLE_GPT;
  struct guestfs_partition_list *pl;
  int r = 0;

  if (guestfs_part_init (g, outdev, gpt ? "gpt" : "msdos") == -1)
    return -1;
  if (gpt && plan->disk_guid &&
      guestfs_part_set_disk_guid (g, outdev, plan->disk_guid) == -1)
    return -1;
  for (size_t i = 0; i < plan->nparts; ++i) {
    const struct gs_resize_plan_part *pp = &plan->parts[i];

    if (pp->new_num == 0)
      continue;
    if (guestfs_part_add (g, outdev,
                          pp->kind == GS_RESIZE_EXTENDED ? "extended"
                          : pp->kind == GS_RESIZE_LOGICAL ? "logical"
                          : "primary",
                          pp->new_start_sect, pp->new_end_sect) == -1)
      return -1;
  }
  if (renumber_table (g, outdev, plan) == -1)
    return -1;
  /* Every partition has its planned number and start now. */
  if ((pl = guestfs_part_list (g, outdev)) == NULL)
    return -1;
  for (size_t i = 0; i < plan->nparts && r == 0; ++i) {
    const struct gs_resize_plan_part *pp = &plan->parts[i];
    bool ok = pp->new_num == 0;

    for (size_t j = 0; j < pl->len && !ok; ++j)
      ok = pl->val[j].part_num == pp->new_num &&
        (int64_t) pl->val[j].part_start == pp->new_start;
    if (!ok) {
      gs_error ("partition %d: the output's partition %d is not where "
                "planned", pp->old_num, pp->new_num);
      r = -1;
    }
  }
  guestfs_free_partition_list (pl);
  if (r == -1)
    return -1;

  for (size_t i = 0; i < plan->nparts; ++i) {
    const struct gs_resize_plan_part *pp = &plan->parts[i];
    const struct gs_resize_part *p = pp->src;
    int n = pp->new_num;

    if (n == 0 || p == NULL)
      continue;
    if (!gpt) {
      if (p->bootable && guestfs_part_set_bootable (g, outdev, n, 1) == -1)
        return -1;
      /* part_add made them all 0x83 (Linux), logical ones too: only
       * another ID is set (each sfdisk run costs about a second under
       * TCG).
       */
      if (p->mbr_id >= 0 && (p->mbr_id != 0x83 || pp->kind == GS_RESIZE_EXTENDED) &&
          guestfs_part_set_mbr_id (g, outdev, n, p->mbr_id) == -1)
        return -1;
      continue;
    }
    if ((p->gpt_type &&
         guestfs_part_set_gpt_type (g, outdev, n, p->gpt_type) == -1) ||
        (p->gpt_guid &&
         guestfs_part_set_gpt_guid (g, outdev, n, p->gpt_guid) == -1) ||
        (p->name && p->name[0] &&
         guestfs_part_set_name (g, outdev, n, p->name) == -1) ||
        (p->has_gpt_attributes &&
         guestfs_part_set_gpt_attributes (g, outdev, n,
                                          (int64_t) p->gpt_attributes) == -1))
      return -1;
  }
  return 0;
}

static int
copy_range (guestfs_h *g, const char *indev, const char *outdev,
            int64_t from, int64_t to, int64_t size, bool sparse)
{
  if (size <= 0)
    return 0;
  return guestfs_copy_device_to_device (g, indev, outdev,
    GUESTFS_COPY_DEVICE_TO_DEVICE_SRCOFFSET, from,
    GUESTFS_COPY_DEVICE_TO_DEVICE_DESTOFFSET, to,
    GUESTFS_COPY_DEVICE_TO_DEVICE_SIZE, size,
    GUESTFS_COPY_DEVICE_TO_DEVICE_SPARSE, sparse,
    -1);
}

/* The boot code of sector 0 (not the table), then what lies between
 * the table (MBR: sector 0; GPT: header and entries, 17408 bytes) and
 * the first partition, at most 2 MiB, in either disk.
 */
int
gs_int_resize_copy_boot_loader (guestfs_h *g, const char *indev,
                                const char *outdev,
                                const struct gs_resize_source *src,
                                const struct gs_resize_plan *plan, bool sparse)
{
  CLEANUP_FREE char *code = NULL;
  size_t n;
  int64_t from = plan->table == GS_RESIZE_TABLE_GPT ? 17408 : 512;
  int64_t end = GS_RESIZE_MIN_DISK_SIZE;

  for (size_t i = 0; i < src->disk.nparts; ++i)
    if (src->parts[i].start < end)
      end = src->parts[i].start;
  for (size_t i = 0; i < plan->nparts; ++i)
    if (plan->parts[i].new_num && plan->parts[i].new_start < end)
      end = plan->parts[i].new_start;
  if ((code = guestfs_pread_device (g, indev, 446, 0, &n)) == NULL ||
      guestfs_pwrite_device (g, outdev, code, n, 0) == -1)
    return -1;
  return copy_range (g, indev, outdev, from, from, end - from, sparse);
}

int
gs_int_resize_copy_partitions (guestfs_h *g, const char *indev,
                               const char *outdev,
                               const struct gs_resize_plan *plan, bool sparse)
{
  for (size_t i = 0; i < plan->nparts; ++i) {
    const struct gs_resize_plan_part *pp = &plan->parts[i];
    int64_t size;

    /* Logical partitions are created by part_add (which writes their
     * EBRs) and copied one by one, like primary ones: the extended
     * partition itself has nothing else to copy.
     */
    if (pp->src == NULL || pp->new_num == 0 ||
        pp->kind == GS_RESIZE_EXTENDED ||
        pp->action == GS_RESIZE_IGNORE || pp->action == GS_RESIZE_DELETE)
      continue;
    size = pp->old_size < pp->new_size ? pp->old_size : pp->new_size;
    gs_info ("Copying partition %d (%" PRIi64 " bytes) ...", pp->old_num,
             size);
    if (copy_range (g, indev, outdev, pp->old_start, pp->new_start,
                    size, sparse) == -1)
      return -1;
    if (pp->fix_ntfs_boot) {
      unsigned char h[4];
      uint64_t s = pp->new_start_sect;

      for (int k = 0; k < 4; ++k)
        h[k] = (s >> (8 * k)) & 0xff;
      if (guestfs_pwrite_device (g, outdev, (const char *) h, 4,
                                 pp->new_start + 0x1c) == -1)
        return -1;
    }
  }
  return 0;
}
