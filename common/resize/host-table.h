/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host-table.h: the source's table read on the host, for a plan
 * before any launch (host-table.c).
 */
#ifndef GS_RESIZE_HOST_TABLE_H
#define GS_RESIZE_HOST_TABLE_H

#include "goldsmith-int.h"
#include "plan.h"

#define GS_RESIZE_HOST_MAX_PARTS 128

struct gs_resize_host_table {
  struct gs_resize_disk disk;
  struct gs_resize_part parts[GS_RESIZE_HOST_MAX_PARTS];
};

/* 1: T holds IN's primary or GPT partitions (geometry only); 0: not
 * read here (no table, logical partitions, an unusual GPT).
 */
extern int gs_int_resize_host_table (const struct gs_disk *in,
                                     struct gs_resize_host_table *t);
/* Plan on that table for TARGET_SIZE bytes: -1 if the planner refuses
 * (said, in its words), else 0 (also when nothing could be read).
 */
extern int gs_int_resize_host_preplan (const struct gs_disk *in,
                                       int64_t target_size,
                                       const struct gs_resize_requests *rq);

#endif /* GS_RESIZE_HOST_TABLE_H */
