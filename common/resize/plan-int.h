/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan-int.h: the planner's working state, shared by its two halves:
 * plan.c (the requests applied: sizes, surplus, --expand/--shrink) and
 * layout.c (where each partition goes, and what grows in it).  Private
 * to those two files.
 */
#ifndef GS_RESIZE_PLAN_INT_H
#define GS_RESIZE_PLAN_INT_H

#include <string.h>

#include "plan.h"

struct plan_work {
  const struct gs_resize_part *p;
  enum gs_resize_action action;
  int64_t newsize;               /* bytes asked for */
  size_t ext;                    /* logical: index of its extended */
  bool last_logical;
  bool via_logical;              /* extended: its last logical resized */
};

struct plan_state {
  const struct gs_resize_disk *src;
  const struct gs_resize_requests *rq;
  uint32_t ss;                   /* target sector size */
  int64_t target_size;
  /* Top-level partitions (primary, extended) in disk order, then the
   * logical ones in disk order.
   */
  struct plan_work *w;
  size_t ntop, nall;
  /* With --expand or --shrink: the smallest target the options work
   * on, worked out before the partition takes up the difference.
   */
  int64_t min_target_size;
};

static inline bool
action_resizes (enum gs_resize_action a)
{
  return a == GS_RESIZE_RESIZE || a == GS_RESIZE_EXPAND ||
    a == GS_RESIZE_SHRINK;
}

static inline bool
is_resized (const struct plan_work *w)
{
  return action_resizes (w->action);
}

static inline int64_t
new_size_of (const struct plan_work *w)
{
  if (w->action == GS_RESIZE_DELETE)
    return 0;
  return is_resized (w) ? w->newsize : w->p->size;
}

static inline bool
content_is (const struct gs_resize_part *p, const char *what)
{
  return p->content != NULL && strcmp (p->content, what) == 0;
}

/* layout.c: place every partition and the extra one (-1: said). */
extern int gs_int_resize_layout (struct plan_state *st,
                                 struct gs_resize_plan *plan);
/* layout.c: what grows and how; --unknown-filesystems; NTFS boot. */
extern int gs_int_resize_contents (const struct plan_state *st,
                                   struct gs_resize_plan *plan);

#endif /* GS_RESIZE_PLAN_INT_H */
