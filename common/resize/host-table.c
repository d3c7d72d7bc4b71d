/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host-table.c: the source's partition table read on the host,
 * before any launch, so that the planner can refuse what the table
 * alone decides (a partition the source lacks, a size that comes out
 * zero or negative, a target too small) in milliseconds instead of
 * after a launch.  Only geometry is known here (no content): the plan
 * made from it is the most lenient one (every partition taken to hold
 * swap, which the planner lets shrink and grow freely, nothing aligned
 * first), so whatever it refuses the real plan would refuse too, with
 * the same message.  Logical partitions (an extended partition's chain
 * lies elsewhere on the disk) and unusual tables are left to the
 * appliance: then nothing is checked here.
 *
 * The same parser reads the head of the source in the appliance
 * (source.c): one pread instead of a parted or sgdisk run per field and
 * partition (0.3-0.9 s each under TCG).
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-table.h"

#define SECTOR 512

static uint64_t
le (const unsigned char *p, int n)
{
  uint64_t v = 0;

  for (int i = n - 1; i >= 0; --i)
    v = v << 8 | p[i];
  return v;
}

static bool
all_zero (const unsigned char *p, size_t n)
{
  for (size_t i = 0; i < n; ++i)
    if (p[i])
      return false;
  return true;
}

/* GUID G (on-disk, mixed-endian) as sgdisk and libguestfs print it. */
static void
guid_text (const unsigned char *g, char out[37])
{
  snprintf (out, 37, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
            (unsigned) le (g, 4), (unsigned) le (g + 4, 2),
            (unsigned) le (g + 6, 2), g[8], g[9], g[10], g[11], g[12], g[13],
            g[14], g[15]);
}

/* A GPT entry's name (UTF-16LE, 36 units) if it is plain printable
 * ASCII, which every tool reads alike; else name_ok is false.
 */
static void
gpt_name (const unsigned char *e, struct gs_resize_gpt_entry *x)
{
  size_t k = 0;

  x->name_ok = true;
  for (int i = 0; i < 36; ++i) {
    unsigned u = (unsigned) le (e + 56 + 2 * i, 2);

    if (u == 0)
      break;
    if (u < 0x20 || u > 0x7e || u == '\'') {
      x->name_ok = false;
      break;
    }
    x->name[k++] = (char) u;
  }
  x->name[k] = '\0';
}

int
gs_int_resize_parse_head (const unsigned char *buf, int64_t size,
                          struct gs_resize_host_table *t)
{
  const unsigned char *mbr = buf, *gpt = buf + SECTOR;

  memset (t, 0, sizeof *t);
  if (size <= 0 || mbr[510] != 0x55 || mbr[511] != 0xaa)
    return 0;
  t->disk.sector_size = SECTOR;
  t->disk.size = size;
  t->disk.parts = t->parts;
  if (mbr[446 + 4] == 0xee && memcmp (gpt, "EFI PART", 8) == 0) {
    uint64_t entries = le (gpt + 72, 8);
    uint32_t n = (uint32_t) le (gpt + 80, 4), esize = (uint32_t) le (gpt + 84, 4);

    /* The usual layout only: entries at LBA 2, 128 bytes each. */
    if (entries != 2 || esize != 128 || n == 0 ||
        n > GS_RESIZE_HOST_MAX_PARTS)
      return 0;
    t->disk.table = GS_RESIZE_TABLE_GPT;
    for (uint32_t i = 0; i < n; ++i) {
      const unsigned char *e = buf + 2 * SECTOR + i * 128;
      struct gs_resize_gpt_entry *x = &t->gpt[t->disk.nparts];
      struct gs_resize_part *p;
      uint64_t first = le (e + 32, 8), last = le (e + 40, 8);

      if (all_zero (e, 16))
        continue;                /* an unused entry */
      if (last < first)
        return 0;
      p = &t->parts[t->disk.nparts++];
      p->num = (int) i + 1;
      p->kind = GS_RESIZE_PRIMARY;
      p->start = (int64_t) first * SECTOR;
      p->size = (int64_t) (last - first + 1) * SECTOR;
      p->mbr_id = -1;
      p->content_size = -1;
      guid_text (e, x->type);
      guid_text (e + 16, x->guid);
      x->attributes = le (e + 48, 8);
      gpt_name (e, x);
    }
  }
  else {
    t->disk.table = GS_RESIZE_TABLE_MBR;
    for (int i = 0; i < 4; ++i) {
      const unsigned char *e = mbr + 446 + i * 16;
      struct gs_resize_part *p;

      if (e[4] == 0)
        continue;                /* an unused entry */
      if (gs_int_resize_mbr_id_is_extended (e[4]))
        return 0;                /* logical partitions: the appliance's */
      p = &t->parts[t->disk.nparts++];
      p->num = i + 1;
      p->kind = GS_RESIZE_PRIMARY;
      p->start = (int64_t) le (e + 8, 4) * SECTOR;
      p->size = (int64_t) le (e + 12, 4) * SECTOR;
      p->mbr_id = e[4];
      p->bootable = e[0] == 0x80;
      p->content_size = -1;
    }
  }
  return t->disk.nparts > 0 ? 1 : 0;
}

int
gs_int_resize_host_table (const struct gs_disk *in, struct gs_resize_host_table *t)
{
  unsigned char buf[GS_RESIZE_HEAD_BYTES];

  memset (t, 0, sizeof *t);
  if (in->virtual_size <= 0 ||
      gs_int_read_head (in, buf, sizeof buf) != (ssize_t) sizeof buf)
    return 0;
  return gs_int_resize_parse_head (buf, in->virtual_size, t);
}

int
gs_int_resize_host_preplan (const struct gs_disk *in, int64_t target_size,
                     const struct gs_resize_requests *rq)
{
  struct gs_resize_host_table *t = calloc (1, sizeof *t);
  struct gs_resize_requests lenient;
  struct gs_resize_plan plan;
  int r = 0;

  if (t == NULL)
    return 0;                    /* the appliance will say */
  /* --shrink's "no deficit" is the one refusal that a lenient plan
   * could make wrongly (aligning first may make a deficit): left to
   * the real plan.
   */
  if (target_size > 0 && rq->shrink == NULL &&
      gs_int_resize_host_table (in, t) == 1) {
    /* Swap everywhere, nothing aligned first: the plan that needs the
     * least, so its refusals are the real plan's too.
     */
    for (size_t i = 0; i < t->disk.nparts; ++i)
      t->parts[i].content = "swap";
    lenient = *rq;
    lenient.unknown_fs = GS_RESIZE_UNKNOWN_FS_IGNORE;
    lenient.align_first = GS_RESIZE_ALIGN_FIRST_NEVER;
    lenient.expand_content = false;
    memset (&plan, 0, sizeof plan);
    r = gs_int_resize_plan (&t->disk, target_size, SECTOR, &lenient, &plan);
    gs_int_resize_plan_free (&plan);
  }
  free (t);
  return r;
}
