/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-resize-plan: the layout planner of goldsmith resize
 * (common/resize/plan.c) on any source partition table (what a guest's
 * disk holds, as libguestfs reports it) and any requests (the
 * options).  Every plan it accepts is checked: created partitions
 * inside the target's usable sectors, not overlapping, logical ones
 * inside their extended one, numbers unique and valid for the table,
 * nothing copied beyond a partition, no content shrunk unless
 * --resize-force (or a swap); the text and JSON forms of the plan are
 * made too.
 *
 * The input: a header of flags and up to 12 partitions in sectors
 * (fixed-size fields, so that mutations stay meaningful), then the
 * requests, one "--option ARG" a line (see resize/plan.h), plus
 * "--unavailable CONTENT" for a content no operation can grow.
 */
#include <config.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "common/resize/plan.h"
#include "fuzz-util.h"

#define MAX_PARTS 12

static FILE *devnull;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init (argc, argv, NULL);
  if ((devnull = fopen ("/dev/null", "w")) == NULL)
    fuzz_die ("/dev/null: cannot open");
  return 0;
}

struct reader {
  const uint8_t *p;
  size_t n;
};

/* Missing bytes read as zeros: every prefix of an input is valid. */
static uint64_t
take (struct reader *r, size_t bytes)
{
  uint64_t v = 0;

  for (size_t i = 0; i < bytes; ++i) {
    v = v << 8 | (r->n ? *r->p : 0);
    if (r->n) {
      r->p++;
      r->n--;
    }
  }
  return v;
}

/* SECTORS << SHIFT sectors in bytes, at most the largest int64_t
 * (what libguestfs can report).
 */
static int64_t
bytes_of (uint64_t sectors, int shift, uint32_t ss)
{
  uint64_t s = sectors << shift;

  return s > (uint64_t) INT64_MAX / ss ? INT64_MAX / ss * ss
                                       : (int64_t) (s * ss);
}

static const char *const contents[] = {
  NULL, "unknown", "ext4", "xfs", "btrfs", "ntfs", "vfat", "swap", "lvm-pv",
  "f2fs",
};
#define NCONTENTS (sizeof contents / sizeof contents[0])

static void
check_plan (const struct gs_resize_disk *src,
            const struct gs_resize_requests *rq,
            const struct gs_resize_plan *plan)
{
  bool mbr = plan->table == GS_RESIZE_TABLE_MBR;
  uint64_t ss = plan->sector_size;
  uint64_t first = mbr ? 1 : 2 + (128 * 128 + ss - 1) / ss;
  uint64_t limit = plan->target_sectors - 1 - GS_RESIZE_END_RESERVED;
  const struct gs_resize_plan_part *ext = NULL;

  if (plan->surplus < 0)
    fuzz_die ("planned with a deficit of %" PRId64, -plan->surplus);
  for (size_t i = 0; i < plan->nparts; ++i) {
    const struct gs_resize_plan_part *a = &plan->parts[i];
    const struct gs_resize_part *p = a->src;

    if (a->action == GS_RESIZE_DELETE) {
      if (a->new_num != 0)
        fuzz_die ("deleted partition %d gets number %d", a->old_num,
                  a->new_num);
      continue;
    }
    if (a->new_num < 1 ||
        (mbr && a->kind != GS_RESIZE_LOGICAL && a->new_num > 4) ||
        (mbr && a->kind == GS_RESIZE_LOGICAL && a->new_num < 5) ||
        (!mbr && a->new_num > GS_RESIZE_GPT_MAX_PARTITIONS))
      fuzz_die ("partition %d: new number %d", a->old_num, a->new_num);
    if (a->new_start_sect < first || a->new_end_sect < a->new_start_sect ||
        a->new_end_sect > limit)
      fuzz_die ("partition %d at sectors %" PRIu64 "-%" PRIu64
                " (usable: %" PRIu64 "-%" PRIu64 ")", a->old_num,
                a->new_start_sect, a->new_end_sect, first, limit);
    if (a->new_start != (int64_t) (a->new_start_sect * ss) ||
        a->new_size != (int64_t) ((a->new_end_sect - a->new_start_sect + 1)
                                  * ss) ||
        a->new_end != a->new_start + a->new_size - 1)
      fuzz_die ("partition %d: bytes and sectors disagree", a->old_num);
    if (mbr && (a->new_start_sect > UINT32_MAX ||
                a->new_end_sect - a->new_start_sect + 1 > UINT32_MAX))
      fuzz_die ("partition %d: beyond what MBR can hold", a->old_num);
    if (a->copy_size < 0 || a->copy_size > a->new_size ||
        (p && a->copy_size > p->size))
      fuzz_die ("partition %d: copies %" PRId64 " bytes (old %" PRId64
                ", new %" PRId64 ")", a->old_num, a->copy_size,
                p ? p->size : -1, a->new_size);
    if (a->action == GS_RESIZE_COPY && p && a->new_size < p->size)
      fuzz_die ("copied partition %d shrinks", a->old_num);
    /* A swap is made again (mkswap): it may shrink, as in virt-resize. */
    if (p && rq->resizes_force.len == 0 && p->kind != GS_RESIZE_EXTENDED &&
        a->action != GS_RESIZE_IGNORE && a->new_size < p->content_size &&
        !(p->content && strcmp (p->content, "swap") == 0))
      fuzz_die ("partition %d: %" PRId64 " bytes for %" PRId64
                " of content, without --resize-force", a->old_num,
                a->new_size, p->content_size);
    if (a->kind == GS_RESIZE_EXTENDED)
      ext = a;
    if (a->kind == GS_RESIZE_LOGICAL &&
        (ext == NULL || a->new_start_sect <= ext->new_start_sect ||
         a->new_end_sect > ext->new_end_sect))
      fuzz_die ("logical partition %d outside its extended one", a->old_num);

    for (size_t j = 0; j < i; ++j) {
      const struct gs_resize_plan_part *b = &plan->parts[j];

      if (b->action == GS_RESIZE_DELETE)
        continue;
      if (b->new_num == a->new_num)
        fuzz_die ("two partitions numbered %d", a->new_num);
      /* Logical partitions are inside the extended one, by design. */
      if ((a->kind == GS_RESIZE_LOGICAL) != (b->kind == GS_RESIZE_LOGICAL) &&
          (a->kind == GS_RESIZE_EXTENDED || b->kind == GS_RESIZE_EXTENDED))
        continue;
      if (a->new_start_sect <= b->new_end_sect &&
          b->new_start_sect <= a->new_end_sect)
        fuzz_die ("partitions %d and %d overlap", a->new_num, b->new_num);
    }
  }
  (void) src;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct reader r = { data, size };
  struct gs_resize_part parts[MAX_PARTS];
  struct gs_resize_disk src = { 0 };
  struct gs_resize_requests rq;
  struct gs_resize_plan plan;
  uint64_t flags = take (&r, 1);
  int shift = (int) take (&r, 1) % 32; /* up to 2^63 bytes: huge disks */
  uint32_t tss = (flags & 4) ? 4096 : 512;
  int64_t target;
  char *text, *line, *save = NULL;

  memset (parts, 0, sizeof parts);
  src.table = (flags & 1) ? GS_RESIZE_TABLE_GPT : GS_RESIZE_TABLE_MBR;
  src.sector_size = (flags & 2) ? 4096 : 512;
  src.size = bytes_of (take (&r, 4), shift, src.sector_size);
  target = bytes_of (take (&r, 4), shift, tss);
  src.disk_guid = "01234567-89AB-CDEF-0123-456789ABCDEF";
  src.nparts = take (&r, 1) % MAX_PARTS + 1;
  src.parts = parts;
  for (size_t i = 0; i < src.nparts; ++i) {
    struct gs_resize_part *p = &parts[i];
    uint64_t cs = take (&r, 4);

    p->num = (int) take (&r, 1);
    p->kind = (enum gs_resize_kind) (take (&r, 1) % 3);
    p->start = bytes_of (take (&r, 4), shift, src.sector_size);
    p->size = bytes_of (take (&r, 4), shift, src.sector_size);
    p->mbr_id = (int) take (&r, 1) - 1;
    p->content = contents[take (&r, 1) % NCONTENTS];
    p->content_size = cs == UINT32_MAX ? -1
      : bytes_of (cs, shift, src.sector_size);
    p->bootable = take (&r, 1) & 1;
    p->gpt_type = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
    p->gpt_guid = "11111111-2222-3333-4444-555555555555";
    p->name = "fuzz";
  }

  gs_int_resize_requests_init (&rq);
  rq.extra_partition = !(flags & 8);
  rq.keep_numbers = !(flags & 16);
  rq.expand_content = !(flags & 32);
  text = fuzz_string (r.p, r.n);
  for (line = strtok_r (text, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save)) {
    char *arg = strchr (line, ' ');

    if (arg)
      *arg++ = '\0';
    if (strcmp (line, "--unavailable") == 0)
      string_vector_append_copy (&rq.unavailable_fs, arg ? arg : "");
    else if (gs_int_resize_request_add (&rq, line, arg ? arg : "") == -1)
      goto out;                  /* the command line stops here */
  }

  if (gs_int_resize_plan (&src, target, tss, &rq, &plan) == 0) {
    json_object *j;

    check_plan (&src, &rq, &plan);
    gs_int_resize_plan_print (&plan, devnull);
    if ((j = gs_int_resize_plan_json (&plan)) == NULL)
      fuzz_die ("no JSON for a plan");
    json_object_put (j);
    for (size_t i = 0; i < src.nparts; ++i)
      gs_int_resize_plan_find (&plan, parts[i].num);
  }
  gs_int_resize_plan_free (&plan);
 out:
  gs_int_resize_requests_free (&rq);
  free (text);
  return 0;
}
