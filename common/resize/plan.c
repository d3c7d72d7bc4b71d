/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan.c: the layout planner of `goldsmith resize': a pure
 * function of the source partition table, the target's size and sector
 * size, and the user's requests (virt-resize's layout engine, see
 * plan.h).  It never touches a disk: a plan that cannot fit
 * fails here, before the target is opened.  docs/resize-plan.md gives
 * the algorithm and where it deliberately differs from virt-resize.
 * This file is its first half: the source table checked, the user's
 * requests applied (ignores, deletes, resizes, --expand/--shrink) and
 * the surplus worked out; layout.c then places each partition.  The
 * requests are parsed in requests.c, the plan shown in plan-print.c.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "cleanups.h"
#include "plan-int.h"

#define KiB 1024
#define HUMAN_LEN 32
bool
gs_int_resize_mbr_id_is_extended (int mbr_id)
{
  return mbr_id == 0x05 || mbr_id == 0x0f || mbr_id == 0x85;
}

const char *
gs_int_resize_action_name (enum gs_resize_action a)
{
  switch (a) {
  case GS_RESIZE_COPY: return "copy";
  case GS_RESIZE_RESIZE: return "resize";
  case GS_RESIZE_EXPAND: return "expand";
  case GS_RESIZE_SHRINK: return "shrink";
  case GS_RESIZE_IGNORE: return "ignore";
  case GS_RESIZE_DELETE: return "delete";
  case GS_RESIZE_CREATE: return "create";
  }
  return "?";
}

const char *
gs_int_resize_kind_name (enum gs_resize_kind k)
{
  switch (k) {
  case GS_RESIZE_PRIMARY: return "primary";
  case GS_RESIZE_EXTENDED: return "extended";
  case GS_RESIZE_LOGICAL: return "logical";
  }
  return "?";
}

static int
cmp_start (const void *a, const void *b)
{
  const struct plan_work *x = a, *y = b;

  return x->p->start < y->p->start ? -1 : x->p->start > y->p->start;
}

static bool
power_of_two_sector (uint32_t ss)
{
  return ss >= 512 && ss <= 65536 && (ss & (ss - 1)) == 0;
}

/* Check the source table and fill ST->w.  virt-resize's sanity checks
 * (content fits, no overlaps) plus what it left to parted to discover.
 */
static int
load_source (struct plan_state *st)
{
  const struct gs_resize_disk *src = st->src;
  bool mbr = src->table == GS_RESIZE_TABLE_MBR;
  size_t next = 0, nlog = 0, ext = SIZE_MAX;

  if (src->table != GS_RESIZE_TABLE_MBR && src->table != GS_RESIZE_TABLE_GPT) {
    gs_error ("source disk: unknown partition table type "
              "(only MBR and GPT are supported)");
    return -1;
  }
  if (!power_of_two_sector (src->sector_size)) {
    gs_error ("source disk: unsupported sector size %" PRIu32,
              src->sector_size);
    return -1;
  }
  if (src->size < GS_RESIZE_MIN_DISK_SIZE) {
    gs_error ("source disk: too small to be a disk image (%" PRId64
              " bytes)", src->size);
    return -1;
  }
  if (src->nparts == 0) {
    gs_error ("the source disk has no partitions");
    return -1;
  }
  st->w = gs_xcalloc (src->nparts, sizeof *st->w);
  st->nall = src->nparts;

  for (size_t i = 0; i < src->nparts; ++i) {
    const struct gs_resize_part *p = &src->parts[i];
    int64_t end;

    for (size_t j = 0; j < i; ++j)
      if (src->parts[j].num == p->num) {
        gs_error ("source disk: two partitions numbered %d", p->num);
        return -1;
      }
    if (p->num < 1 ||
        (mbr && p->kind != GS_RESIZE_LOGICAL && p->num > 4) ||
        (mbr && p->kind == GS_RESIZE_LOGICAL && p->num < 5) ||
        (!mbr && p->num > GS_RESIZE_GPT_MAX_PARTITIONS)) {
      gs_error ("source disk: partition %d: number out of range for %s "
                "%s partition", p->num, mbr ? "an MBR" : "a GPT",
                gs_int_resize_kind_name (p->kind));
      return -1;
    }
    if (!mbr && p->kind != GS_RESIZE_PRIMARY) {
      gs_error ("source disk: partition %d: GPT has no %s partitions",
                p->num, gs_int_resize_kind_name (p->kind));
      return -1;
    }
    if (p->start <= 0 || p->size <= 0 ||
        p->start % src->sector_size || p->size % src->sector_size ||
        __builtin_add_overflow (p->start, p->size, &end) || end > src->size) {
      gs_error ("source disk: partition %d: bad position (start %" PRId64
                ", size %" PRId64 " bytes)", p->num, p->start, p->size);
      return -1;
    }
    if (p->kind != GS_RESIZE_EXTENDED && p->content_size > p->size) {
      gs_error ("source disk: partition %d: partition size %" PRId64
                " < %s size %" PRId64, p->num, p->size,
                content_is (p, "lvm-pv") ? "physical volume" : "content",
                p->content_size);
      return -1;
    }
    if (p->kind == GS_RESIZE_EXTENDED) {
      if (ext != SIZE_MAX) {
        gs_error ("source disk: more than one extended partition");
        return -1;
      }
      ext = i;
    }
    if (p->kind == GS_RESIZE_LOGICAL)
      ++nlog;
  }
  st->ntop = src->nparts - nlog;

  /* Top-level ones first, then the logical ones, each in disk order. */
  for (size_t i = 0; i < src->nparts; ++i)
    if (src->parts[i].kind != GS_RESIZE_LOGICAL)
      st->w[next++].p = &src->parts[i];
  for (size_t i = 0; i < src->nparts; ++i)
    if (src->parts[i].kind == GS_RESIZE_LOGICAL)
      st->w[next++].p = &src->parts[i];
  qsort (st->w, st->ntop, sizeof *st->w, cmp_start);
  qsort (st->w + st->ntop, nlog, sizeof *st->w, cmp_start);

  for (size_t i = 1; i < st->ntop; ++i)
    if (st->w[i].p->start < st->w[i - 1].p->start + st->w[i - 1].p->size) {
      gs_error ("source disk: partition %d overlaps partition %d",
                st->w[i].p->num, st->w[i - 1].p->num);
      return -1;
    }
  if (nlog == 0)
    return 0;

  for (ext = 0; ext < st->ntop; ++ext)
    if (st->w[ext].p->kind == GS_RESIZE_EXTENDED)
      break;
  if (ext == st->ntop) {
    gs_error ("source disk: logical partitions without an extended "
              "partition");
    return -1;
  }
  for (size_t i = st->ntop; i < st->nall; ++i) {
    const struct gs_resize_part *l = st->w[i].p, *e = st->w[ext].p;

    if (l->start <= e->start || l->start + l->size > e->start + e->size) {
      gs_error ("source disk: logical partition %d is not inside extended "
                "partition %d", l->num, e->num);
      return -1;
    }
    if (i > st->ntop &&
        l->start < st->w[i - 1].p->start + st->w[i - 1].p->size) {
      gs_error ("source disk: partition %d overlaps partition %d",
                l->num, st->w[i - 1].p->num);
      return -1;
    }
    st->w[i].ext = ext;
    st->w[i].last_logical = i == st->nall - 1;
  }
  return 0;
}

/* The partition named NAME by option WHAT, which must not be already
 * ignored or deleted (also through its extended partition).
 */
static struct plan_work *
find_partition (struct plan_state *st, const char *what, const char *name)
{
  int num;
  struct plan_work *w = NULL;

  if (gs_int_resize_parse_partition (what, name, &num) == -1)
    return NULL;
  for (size_t i = 0; i < st->nall; ++i)
    if (st->w[i].p->num == num)
      w = &st->w[i];
  if (w == NULL) {
    gs_error ("%s: the source disk has no partition %d", what, num);
    return NULL;
  }
  if (w->action == GS_RESIZE_IGNORE || w->action == GS_RESIZE_DELETE) {
    gs_error ("%s: partition %d is already %s", what, num,
              w->action == GS_RESIZE_IGNORE ? "ignored" : "deleted");
    return NULL;
  }
  if (w->p->kind == GS_RESIZE_LOGICAL) {
    const struct plan_work *e = &st->w[w->ext];

    if (e->action == GS_RESIZE_IGNORE || e->action == GS_RESIZE_DELETE) {
      gs_error ("%s: partition %d is inside extended partition %d, which "
                "is already %s", what, num, e->p->num,
                e->action == GS_RESIZE_IGNORE ? "ignored" : "deleted");
      return NULL;
    }
  }
  return w;
}

/* virt-resize's mark_partition_for_resize, plus logical partitions: the
 * last one may change size, and its extended partition changes with it.
 */
static int
mark_for_resize (struct plan_state *st, struct plan_work *w, const char *what,
                 int64_t newsize, bool force, enum gs_resize_action action)
{
  const struct gs_resize_part *p = w->p;
  struct plan_work *e = p->kind == GS_RESIZE_LOGICAL ? &st->w[w->ext] : NULL;
  char h1[HUMAN_LEN], h2[HUMAN_LEN];

  if (is_resized (w)) {
    gs_error ("%s: partition %d is already marked for resizing%s", what,
              p->num, w->via_logical
              ? " (its last logical partition is being resized)" : "");
    return -1;
  }
  if (e && !w->last_logical) {
    gs_error ("%s: partition %d is not the last logical partition "
              "(only the last one can change size)", what, p->num);
    return -1;
  }
  if (e && is_resized (e)) {
    gs_error ("%s: its extended partition %d is already marked for "
              "resizing", what, e->p->num);
    return -1;
  }
  if (newsize == p->size)        /* nothing to do, as virt-resize */
    return 0;

  if (newsize < p->size && !force) {
    const char *problem = NULL;

    if (p->kind == GS_RESIZE_EXTENDED)
      problem = "it holds logical partitions, which shrinking might damage";
    else if (gs_int_resize_content_unknown (p))
      problem = "it holds unknown content, which shrinking might damage";
    else if (content_is (p, "swap"))
      ;                          /* allowed, as virt-resize */
    else if (p->content_size < 0)
      problem = "the size of its content is unknown";
    if (problem) {
      gs_error ("%s: cannot shrink partition %d: %s (--resize-force "
                "shrinks it anyway, destroying what does not fit)",
                what, p->num, problem);
      return -1;
    }
    if (!content_is (p, "swap") && p->content_size > newsize) {
      if (content_is (p, "lvm-pv"))
        gs_error ("%s: cannot shrink partition %d to %" PRId64 " bytes "
                  "(%s): its LVM physical volume is %" PRId64 " bytes "
                  "(%s); shrink the PV first, or use --resize-force",
                  what, p->num, newsize,
                  gs_int_human_size (newsize, h1, sizeof h1),
                  p->content_size,
                  gs_int_human_size (p->content_size, h2, sizeof h2));
      else
        gs_error ("%s: cannot shrink partition %d to %" PRId64 " bytes "
                  "(%s): its %s filesystem is %" PRId64 " bytes (%s); "
                  "shrink the filesystem first, or use --resize-force",
                  what, p->num, newsize,
                  gs_int_human_size (newsize, h1, sizeof h1), p->content,
                  p->content_size,
                  gs_int_human_size (p->content_size, h2, sizeof h2));
      return -1;
    }
  }

  w->action = action;
  w->newsize = newsize;
  if (e) {
    e->action = action;
    e->newsize = e->p->size + (newsize - p->size);
    e->via_logical = true;
  }
  return 0;
}

/* --resize / --resize-force PART=SIZE */
static int
do_resize (struct plan_state *st, const char *option, const char *arg,
           bool force)
{
  CLEANUP_FREE char *what = NULL, *name = NULL;
  const char *eq = strchr (arg, '=');
  struct plan_work *w;
  int64_t newsize;

  what = gs_xasprintf ("%s '%s'", option, arg);
  if (eq == NULL || eq[1] == '\0' || eq == arg) {
    gs_error ("%s: expected PART=SIZE", what);
    return -1;
  }
  name = gs_xstrndup (arg, eq - arg);
  if ((w = find_partition (st, what, name)) == NULL ||
      gs_int_resize_parse_size (what, w->p->size, eq + 1, &newsize) == -1)
    return -1;
  if (newsize <= 0) {
    gs_error ("%s: the new size of partition %d is zero or negative",
              what, w->p->num);
    return -1;
  }
  return mark_for_resize (st, w, what, newsize, force, GS_RESIZE_RESIZE);
}

/* --ignore / --delete PART */
static int
do_ignore_delete (struct plan_state *st, const char *option, const char *arg,
                  enum gs_resize_action action)
{
  CLEANUP_FREE char *what = NULL;
  struct plan_work *w;

  what = gs_xasprintf ("%s '%s'", option, arg);
  if ((w = find_partition (st, what, arg)) == NULL)
    return -1;
  if (w->p->kind == GS_RESIZE_LOGICAL) {
    gs_error ("%s: partition %d is a logical partition: only its extended "
              "partition %d can be %s", what, w->p->num,
              st->w[w->ext].p->num,
              action == GS_RESIZE_IGNORE ? "ignored" : "deleted");
    return -1;
  }
  if (is_resized (w)) {
    gs_error ("%s: partition %d is already marked for resizing", what,
              w->p->num);
    return -1;
  }
  w->action = action;
  return 0;
}

/* virt-resize's calculate_surplus:
 *   overhead = sector_size * (max (64, 4096, first_start_sector)
 *                             + alignment * (ntop + 1) + 64)
 * where 4096 is the 2 MiB boot loader area counted in 512-byte sectors
 * whatever the sector size, and first_start_sector is the first
 * partition's (deleted or not), truncated.
 */
static int
calculate_surplus (const struct plan_state *st, struct gs_resize_plan *plan)
{
  int64_t required = 0, first, sects, overhead, min;

  for (size_t i = 0; i < st->ntop; ++i)
    if (__builtin_add_overflow (required, new_size_of (&st->w[i]), &required))
      goto overflow;
  first = st->w[0].p->start / st->ss;
  sects = first > 4096 ? first : 4096;
  if (__builtin_mul_overflow (st->rq->alignment, (int64_t) st->ntop + 1,
                              &min) ||
      __builtin_add_overflow (sects, min, &sects) ||
      __builtin_add_overflow (sects, GS_RESIZE_END_RESERVED, &sects) ||
      __builtin_mul_overflow (sects, (int64_t) st->ss, &overhead) ||
      __builtin_add_overflow (required, overhead, &min))
    goto overflow;
  plan->required = required;
  plan->overhead = overhead;
  plan->min_target_size = min;
  plan->surplus = st->target_size - min;
  return 0;

 overflow:
  gs_error ("the requested layout is too large (check --alignment and "
            "the sizes)");
  return -1;
}

static void
deficit_error (const struct gs_resize_plan *plan, const char *what)
{
  char h1[HUMAN_LEN], h2[HUMAN_LEN];
  int64_t deficit = -plan->surplus;

  gs_int_human_size (deficit, h1, sizeof h1);
  gs_int_human_size (plan->min_target_size, h2, sizeof h2);
  if (what)
    gs_error ("%s: there is no surplus space to expand into: the target "
              "disk must be at least %" PRId64 " bytes (%s), %" PRId64
              " bytes (%s) larger", what, plan->min_target_size, h2,
              deficit, h1);
  else
    gs_error ("there is a deficit of %" PRId64 " bytes (%s): the target "
              "disk must be at least %" PRId64 " bytes (%s); make it "
              "larger or change the resizing requests", deficit, h1,
              plan->min_target_size, h2);
}

/* --expand / --shrink PART */
static int
do_expand_shrink (struct plan_state *st, struct gs_resize_plan *plan)
{
  const struct gs_resize_requests *rq = st->rq;
  const char *option = rq->expand ? "--expand" : "--shrink";
  const char *arg = rq->expand ? rq->expand : rq->shrink;
  CLEANUP_FREE char *what = NULL;
  struct plan_work *w;
  int64_t newsize;

  if (rq->expand && rq->shrink) {
    gs_error ("--expand and --shrink cannot be used together");
    return -1;
  }
  if (arg == NULL)
    return 0;
  what = gs_xasprintf ("%s '%s'", option, arg);
  if (calculate_surplus (st, plan) == -1)
    return -1;
  if (rq->expand && plan->surplus < 0) {
    deficit_error (plan, what);
    return -1;
  }
  if (rq->shrink && plan->surplus > 0) {
    gs_error ("%s: there is no deficit to shrink by: the target disk is "
              "large enough", what);
    return -1;
  }
  if ((w = find_partition (st, what, arg)) == NULL)
    return -1;
  /* --expand works on any target with no deficit; --shrink until the
   * partition would be smaller than its content (any size for swap).
   */
  st->min_target_size = plan->min_target_size;
  if (rq->shrink) {
    /* A content the guest says is larger than its partition (hostile
     * or broken) cannot shrink at all.
     */
    int64_t keep = content_is (w->p, "swap") || w->p->content_size < 0
      ? 1 : w->p->content_size;

    if (keep > w->p->size)
      keep = w->p->size;
    st->min_target_size -= w->p->size - keep;
  }
  if (__builtin_add_overflow (w->p->size, plan->surplus, &newsize)) {
    gs_error ("%s: the new size is too large", what);
    return -1;
  }
  if (newsize <= 0) {
    gs_error ("%s: partition %d (%" PRId64 " bytes) is smaller than the "
              "deficit (%" PRId64 " bytes)", what, w->p->num, w->p->size,
              -plan->surplus);
    return -1;
  }
  return mark_for_resize (st, w, what, newsize, false,
                          rq->expand ? GS_RESIZE_EXPAND : GS_RESIZE_SHRINK);
}

int
gs_int_resize_plan (const struct gs_resize_disk *src, int64_t target_size,
                    uint32_t target_sector_size,
                    const struct gs_resize_requests *rq,
                    struct gs_resize_plan *plan)
{
  struct plan_state st = {
    .src = src, .rq = rq, .ss = target_sector_size,
    .target_size = target_size,
  };
  int r = -1;

  memset (plan, 0, sizeof *plan);
  plan->table = src->table;
  plan->disk_guid = src->table == GS_RESIZE_TABLE_GPT ? src->disk_guid : NULL;
  plan->sector_size = target_sector_size;
  plan->target_size = target_size;
  plan->alignment = rq->alignment;
  plan->keep_numbers = rq->keep_numbers;
  plan->unknown_fs = rq->unknown_fs;

  if (!power_of_two_sector (target_sector_size)) {
    gs_error ("target disk: unsupported sector size %" PRIu32,
              target_sector_size);
    return -1;
  }
  if (target_size < GS_RESIZE_MIN_DISK_SIZE) {
    gs_error ("target disk: too small to be a disk image (%" PRId64
              " bytes)", target_size);
    return -1;
  }
  if (rq->alignment < 1) {
    gs_error ("--alignment %" PRId64 ": alignment cannot be < 1",
              rq->alignment);
    return -1;
  }
  plan->target_sectors = target_size / target_sector_size;
  if (load_source (&st) == -1)
    goto out;

  /* In virt-resize's order: ignores, deletes, resizes, forced resizes,
   * then --expand or --shrink by what is left over.
   */
  for (size_t i = 0; i < rq->ignores.len; ++i)
    if (do_ignore_delete (&st, "--ignore", rq->ignores.ptr[i],
                          GS_RESIZE_IGNORE) == -1)
      goto out;
  for (size_t i = 0; i < rq->deletes.len; ++i)
    if (do_ignore_delete (&st, "--delete", rq->deletes.ptr[i],
                          GS_RESIZE_DELETE) == -1)
      goto out;
  for (size_t i = 0; i < rq->resizes.len; ++i)
    if (do_resize (&st, "--resize", rq->resizes.ptr[i], false) == -1)
      goto out;
  for (size_t i = 0; i < rq->resizes_force.len; ++i)
    if (do_resize (&st, "--resize-force", rq->resizes_force.ptr[i],
                   true) == -1)
      goto out;

  /* Logical partitions hold sector numbers in their EBRs, relative to
   * the extended partition: moving them keeps those only if the
   * sector size stays the same.
   */
  if (st.nall > st.ntop && src->sector_size != target_sector_size) {
    for (size_t i = 0; i < st.ntop; ++i)
      if (st.w[i].p->kind == GS_RESIZE_EXTENDED &&
          st.w[i].action != GS_RESIZE_DELETE &&
          st.w[i].action != GS_RESIZE_IGNORE) {
        gs_error ("extended partition %d: its logical partitions cannot "
                  "move from %" PRIu32 "-byte to %" PRIu32 "-byte sectors "
                  "(delete or ignore it)", st.w[i].p->num,
                  src->sector_size, target_sector_size);
        goto out;
      }
  }

  if (do_expand_shrink (&st, plan) == -1 ||
      calculate_surplus (&st, plan) == -1)
    goto out;
  if (plan->surplus < 0) {
    deficit_error (plan, NULL);
    goto out;
  }
  if (rq->expand || rq->shrink)
    plan->min_target_size = st.min_target_size;
  if (gs_int_resize_layout (&st, plan) == -1 ||
      gs_int_resize_contents (&st, plan) == -1)
    goto out;
  r = 0;

 out:
  free (st.w);
  if (r == -1) {
    free (plan->parts);
    plan->parts = NULL;
    plan->nparts = 0;
  }
  return r;
}

void
gs_int_resize_plan_free (struct gs_resize_plan *plan)
{
  free (plan->parts);
  plan->parts = NULL;
  plan->nparts = 0;
}

const struct gs_resize_plan_part *
gs_int_resize_plan_find (const struct gs_resize_plan *plan, int old_num)
{
  for (size_t i = 0; i < plan->nparts; ++i)
    if (plan->parts[i].old_num == old_num)
      return &plan->parts[i];
  return NULL;
}

