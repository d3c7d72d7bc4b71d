/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layout.c: the second half of resize's planner (plan.c has the first):
 * with every partition's size decided, where each one goes on the
 * target (virt-resize's "calculate target partitions": alignment,
 * numbering, logical partitions moving with their extended one, the
 * extra partition), then what content grows and how.  Pure functions,
 * as plan.c; docs/resize-plan.md gives the algorithm.
 */
#include <config.h>

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "goldsmith-int.h"
#include "plan-int.h"

/* ---- Content ------------------------------------------------------- */

bool
gs_int_resize_content_unknown (const struct gs_resize_part *p)
{
  return p->content == NULL || strcmp (p->content, "unknown") == 0;
}

const char *
gs_int_resize_content_description (const struct gs_resize_part *p)
{
  if (p->kind == GS_RESIZE_EXTENDED)
    return "extended partition";
  if (gs_int_resize_content_unknown (p))
    return "unknown data";
  if (content_is (p, "swap"))
    return "swap";
  if (content_is (p, "lvm-pv"))
    return "LVM physical volume";
  return NULL;                   /* a filesystem: "the TYPE filesystem" */
}

/* A filesystem: not unknown, swap or a PV. */
static bool
content_is_fs (const struct gs_resize_part *p)
{
  return p->kind != GS_RESIZE_EXTENDED && !gs_int_resize_content_unknown (p) &&
    !content_is (p, "swap") && !content_is (p, "lvm-pv");
}

/* virt-resize's expand_content_method, or NULL. */
static const char *
expand_method (const struct gs_resize_part *p)
{
  static const struct { const char *content, *method; } methods[] = {
    { "ext2", "resize2fs" }, { "ext3", "resize2fs" },
    { "ext4", "resize2fs" }, { "ntfs", "ntfsresize" },
    { "btrfs", "btrfs-filesystem-resize" }, { "xfs", "xfs_growfs" },
    { "f2fs", "resize.f2fs" }, { "swap", "mkswap" },
    { "lvm-pv", "pvresize" },
  };

  if (p->kind == GS_RESIZE_EXTENDED || p->content == NULL)
    return NULL;
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; ++i)
    if (strcmp (p->content, methods[i].content) == 0)
      return methods[i].method;
  return NULL;
}

static uint64_t
div_roundup (uint64_t n, uint64_t d)
{
  return n / d + (n % d != 0);
}

static uint64_t
round_up (uint64_t n, uint64_t a)
{
  return div_roundup (n, a) * a;
}

/* First sector a partition may use: after the MBR, or after the
 * primary GPT (header + 16 KiB of entries).
 */
static uint64_t
first_usable (const struct plan_state *st)
{
  if (st->src->table == GS_RESIZE_TABLE_MBR)
    return 1;
  return 2 + div_roundup (128 * 128, st->ss);
}

/* virt-resize's align_first_partition_and_fix_bootloader. */
static bool
align_first (const struct plan_state *st)
{
  const struct plan_work *w = &st->w[0];

  switch (st->rq->align_first) {
  case GS_RESIZE_ALIGN_FIRST_NEVER: return false;
  case GS_RESIZE_ALIGN_FIRST_ALWAYS: return true;
  case GS_RESIZE_ALIGN_FIRST_AUTO: break;
  }
  /* Only what we know how to fix: a lone bootable NTFS partition not
   * already aligned to 4 KiB (Windows XP's sector 63).
   */
  return st->ntop == 1 && w->action != GS_RESIZE_DELETE &&
    w->p->kind == GS_RESIZE_PRIMARY && content_is (w->p, "ntfs") &&
    w->p->bootable && w->p->start % 4096 != 0;
}

static bool
unavailable (const struct gs_resize_requests *rq, const char *content)
{
  for (size_t i = 0; i < rq->unavailable_fs.len; ++i)
    if (content && strcmp (rq->unavailable_fs.ptr[i], content) == 0)
      return true;
  return false;
}

static void
set_new_position (const struct plan_state *st, struct gs_resize_plan_part *pp,
                  uint64_t start, uint64_t end)
{
  pp->new_start_sect = start;
  pp->new_end_sect = end;
  pp->new_start = (int64_t) (start * st->ss);
  pp->new_end = (int64_t) ((end + 1) * st->ss) - 1;
  pp->new_size = (int64_t) ((end - start + 1) * st->ss);
}

/* The number of the extra partition, 0 if there is none free.  Kept
 * numbers: above every source partition's (1/14/15 gets 16), else the
 * lowest never used, as a deleted partition's number is not recycled;
 * virt-resize's numbering: the next one.
 */
static int
extra_number (const struct plan_state *st, int next_seq)
{
  bool mbr = st->src->table == GS_RESIZE_TABLE_MBR;
  int limit = mbr ? 4 : GS_RESIZE_GPT_MAX_PARTITIONS, max = 0;

  if (!st->rq->keep_numbers)
    return next_seq <= limit ? next_seq : 0;
  for (size_t i = 0; i < st->ntop; ++i)
    if (st->w[i].p->num > max)
      max = st->w[i].p->num;
  if (max < limit)
    return max + 1;
  for (int n = 1; n <= limit; ++n) {
    bool used = false;

    for (size_t i = 0; i < st->ntop; ++i)
      used |= st->w[i].p->num == n;
    if (!used)
      return n;
  }
  return 0;
}

#define MBR_MAX UINT64_C (0xffffffff)

/* Place every partition (virt-resize's "calculate target partitions"),
 * keeping or renumbering, then the extra partition.
 */
int
gs_int_resize_layout (struct plan_state *st, struct gs_resize_plan *plan)
{
  const struct gs_resize_requests *rq = st->rq;
  bool mbr = st->src->table == GS_RESIZE_TABLE_MBR;
  uint64_t start, last_end = 0, limit;
  uint64_t align = (uint64_t) rq->alignment;
  int seq = 1;
  size_t n = 0;

  plan->parts = gs_xcalloc (st->nall + 1, sizeof *plan->parts);
  plan->align_first = align_first (st);
  /* The first source partition's start (even if deleted, as
   * virt-resize), rounded up to a target sector, or `alignment'.
   */
  start = plan->align_first ? align : div_roundup (st->w[0].p->start, st->ss);
  if (start < first_usable (st))
    start = plan->align_first ? round_up (first_usable (st), align)
                              : first_usable (st);

  for (size_t i = 0; i < st->ntop; ++i) {
    const struct plan_work *w = &st->w[i];
    struct gs_resize_plan_part *pp = &plan->parts[n++];
    uint64_t size, next;

    pp->src = w->p;
    pp->kind = w->p->kind;
    pp->action = w->action;
    pp->old_num = w->p->num;
    pp->old_start = w->p->start;
    pp->old_size = w->p->size;
    pp->old_end = w->p->start + w->p->size - 1;
    pp->via_logical = w->via_logical;
    pp->requested_size = new_size_of (w);

    if (w->action != GS_RESIZE_DELETE) {
      pp->new_num = rq->keep_numbers ? w->p->num : seq;
      ++seq;
      size = div_roundup (pp->requested_size, st->ss);
      next = round_up (start + size, align);
      /* Kept size, or up to the next aligned start if resized. */
      set_new_position (st, pp, start, is_resized (w) ? next - 1
                                                      : start + size - 1);
      last_end = pp->new_end_sect;
      start = next;
      if (w->action != GS_RESIZE_IGNORE)
        pp->copy_size = pp->requested_size < w->p->size
          ? pp->requested_size : w->p->size;
      if (mbr && (pp->new_start_sect > MBR_MAX ||
                  pp->new_end_sect - pp->new_start_sect + 1 > MBR_MAX)) {
        gs_error ("partition %d: an MBR partition table cannot hold it at "
                  "sectors %" PRIu64 "-%" PRIu64 " (start and length must "
                  "be below 2^32 sectors)", w->p->num, pp->new_start_sect,
                  pp->new_end_sect);
        return -1;
      }
    }
    if (w->p->kind != GS_RESIZE_EXTENDED)
      continue;

    /* Its logical partitions move with it, keeping their offsets; the
     * last one ends as far from the end of the extended partition as it
     * did, so it grows or shrinks with it.
     */
    for (size_t j = st->ntop; j < st->nall; ++j) {
      const struct plan_work *l = &st->w[j];
      struct gs_resize_plan_part *lp = &plan->parts[n++];
      uint64_t ls = l->p->start / st->ss;
      uint64_t le = (l->p->start + l->p->size) / st->ss - 1;
      uint64_t es = w->p->start / st->ss;
      uint64_t ee = (w->p->start + w->p->size) / st->ss - 1;

      lp->src = l->p;
      lp->kind = GS_RESIZE_LOGICAL;
      lp->old_num = l->p->num;
      lp->old_start = l->p->start;
      lp->old_size = l->p->size;
      lp->old_end = l->p->start + l->p->size - 1;
      if (w->action == GS_RESIZE_DELETE || w->action == GS_RESIZE_IGNORE) {
        lp->action = GS_RESIZE_DELETE; /* no EBR, so not there */
        continue;
      }
      lp->action = l->action;
      lp->new_num = l->p->num;
      lp->requested_size = new_size_of (l);
      if (l->last_logical && w->via_logical)
        set_new_position (st, lp, pp->new_start_sect + (ls - es),
                          pp->new_end_sect - (ee - le));
      else
        set_new_position (st, lp, pp->new_start_sect + (ls - es),
                          pp->new_start_sect + (le - es));
      if (lp->new_end_sect > pp->new_end_sect) {
        gs_error ("extended partition %d would no longer hold logical "
                  "partition %d", w->p->num, l->p->num);
        return -1;
      }
    }
  }

  /* The last usable sector, keeping virt-resize's 64 at the end (the
   * backup GPT needs 33 with 512-byte sectors).
   */
  limit = plan->target_sectors - 1 - GS_RESIZE_END_RESERVED;
  if (last_end > limit) {
    gs_error ("the partitions do not fit in the target disk: they end at "
              "sector %" PRIu64 ", the last usable one is %" PRIu64,
              last_end, limit);
    return -1;
  }

  if (plan->surplus == 0)
    plan->extra = GS_RESIZE_EXTRA_NONE;
  else if (!rq->extra_partition)
    plan->extra = GS_RESIZE_EXTRA_DISABLED;
  else if (plan->surplus < GS_RESIZE_MIN_EXTRA_PARTITION)
    plan->extra = GS_RESIZE_EXTRA_TOO_SMALL;
  else if (extra_number (st, seq) == 0)
    plan->extra = GS_RESIZE_EXTRA_NO_NUMBER;
  else if (start > limit)
    plan->extra = GS_RESIZE_EXTRA_TOO_SMALL;
  else if (mbr && start > MBR_MAX)
    plan->extra = GS_RESIZE_EXTRA_MBR_LIMIT;
  else {
    struct gs_resize_plan_part *pp = &plan->parts[n++];
    uint64_t end = limit;

    if (mbr && end - start + 1 > MBR_MAX)
      end = start + MBR_MAX - 1;
    plan->extra = GS_RESIZE_EXTRA_CREATED;
    pp->kind = GS_RESIZE_PRIMARY;
    pp->action = GS_RESIZE_CREATE;
    pp->new_num = extra_number (st, seq);
    set_new_position (st, pp, start, end);
    pp->requested_size = pp->new_size;
  }
  plan->nparts = n;
  return 0;
}

/* What grows and how; --unknown-filesystems error; NTFS boot records. */
int
gs_int_resize_contents (const struct plan_state *st, struct gs_resize_plan *plan)
{
  const struct gs_resize_requests *rq = st->rq;

  for (size_t i = 0; i < plan->nparts; ++i) {
    struct gs_resize_plan_part *pp = &plan->parts[i];
    const struct gs_resize_part *p = pp->src;

    if (p == NULL || pp->action == GS_RESIZE_DELETE)
      continue;
    pp->fix_ntfs_boot = content_is (p, "ntfs") && p->bootable &&
      pp->action != GS_RESIZE_IGNORE && pp->new_start != pp->old_start;
    /* As virt-resize, any resized partition gets its content grown to
     * fill it, except when forced below the content's size.
     */
    if (!action_resizes (pp->action) ||
        !rq->expand_content || p->kind == GS_RESIZE_EXTENDED ||
        (p->content_size >= 0 && p->content_size >= pp->new_size))
      continue;
    if (!unavailable (rq, p->content))
      pp->expand_method = expand_method (p);
    /* The kernel refuses to resize a btrfs to less than 256 MiB (the
     * ioctl fails with EINVAL): known now, not once OUT is half
     * written.
     */
    if (pp->expand_method && content_is (p, "btrfs") &&
        pp->new_size < GS_RESIZE_BTRFS_MIN_SIZE) {
      if (rq->unknown_fs == GS_RESIZE_UNKNOWN_FS_ERROR) {
        gs_error ("partition %d: a btrfs filesystem cannot be resized to "
                  "less than 256 MiB, and its partition will be %" PRId64
                  " bytes (--unknown-filesystems error)", p->num,
                  pp->new_size);
        return -1;
      }
      pp->expand_method = NULL;
    }
    if (pp->expand_method == NULL && content_is_fs (p)) {
      pp->content_unexpandable = true;
      if (rq->unknown_fs == GS_RESIZE_UNKNOWN_FS_ERROR) {
        gs_error ("partition %d: unknown/unavailable method for expanding "
                  "the %s filesystem (--unknown-filesystems error)",
                  p->num, p->content);
        return -1;
      }
    }
  }
  return 0;
}
