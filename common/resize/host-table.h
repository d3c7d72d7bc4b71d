/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host-table.h: the source's table read on the host, for a plan
 * before any launch (host-table.c).
 */
#ifndef GS_RESIZE_HOST_TABLE_H
#define GS_RESIZE_HOST_TABLE_H

#include "goldsmith-int.h"
#include "plan.h"

#define GS_RESIZE_HOST_MAX_PARTS 128
/* What the parser reads: MBR, GPT header, 128 entries (512-byte sectors). */
#define GS_RESIZE_HEAD_BYTES (34 * 512)

/* A GPT entry's fields as libguestfs's part_get_gpt_* give them. */
struct gs_resize_gpt_entry {
  char type[37], guid[37];       /* upper case, as sgdisk prints them */
  uint64_t attributes;
  char name[37];
  bool name_ok;                  /* plain printable ASCII: NAME is it */
};

struct gs_resize_host_table {
  struct gs_resize_disk disk;
  struct gs_resize_part parts[GS_RESIZE_HOST_MAX_PARTS];
  struct gs_resize_gpt_entry gpt[GS_RESIZE_HOST_MAX_PARTS];  /* as parts */
};

/* 1: T holds IN's primary or GPT partitions (geometry only); 0: not
 * read here (no table, logical partitions, an unusual GPT).
 */
extern int gs_int_resize_host_table (const struct gs_disk *in,
                                     struct gs_resize_host_table *t);
/* The same, from HEAD, a disk's first GS_RESIZE_HEAD_BYTES, of SIZE
 * bytes in all.
 */
extern int gs_int_resize_parse_head (const unsigned char *head, int64_t size,
                                     struct gs_resize_host_table *t);
/* Plan on that table for TARGET_SIZE bytes: -1 if the planner refuses
 * (said, in its words), else 0 (also when nothing could be read).
 */
extern int gs_int_resize_host_preplan (const struct gs_disk *in,
                                       int64_t target_size,
                                       const struct gs_resize_requests *rq);

#endif /* GS_RESIZE_HOST_TABLE_H */
