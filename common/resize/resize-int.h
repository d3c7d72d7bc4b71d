/* SPDX-License-Identifier: GPL-2.0-or-later */
/* resize-int.h: what the parts of `goldsmith resize' in common/resize/
 * share: reading IN (source.c) and writing OUT (target.c), for run.c.
 */
#ifndef GS_RESIZE_INT_H
#define GS_RESIZE_INT_H

#include "resize.h"

/* The source table, with the strings the planner borrows. */
struct gs_resize_source {
  struct gs_resize_disk disk;
  struct gs_resize_part *parts;
  string_vector strings;         /* owned, freed at the end */
};

/* source.c */
extern char *gs_int_resize_part_dev (const char *dev, int num);
extern int gs_int_resize_read_source (struct gs_session *s, const char *indev,
                                      struct gs_resize_source *src);
extern int gs_int_resize_probe_contents (struct gs_registry *reg,
                                         struct gs_session *s,
                                         const char *indev,
                                         const struct gs_resize_source *src,
                                         struct gs_resize_requests *rq);
extern int gs_int_resize_check_lvs (struct gs_registry *reg,
                                    struct gs_session *s,
                                    const string_vector *names,
                                    enum gs_resize_unknown_fs ufs,
                                    string_vector *devs,
                                    string_vector *contents);

/* target.c */
extern int gs_int_resize_check_numbering (const struct gs_resize_plan *plan);
extern int gs_int_resize_create_table (guestfs_h *g, const char *outdev,
                                       const struct gs_resize_plan *plan);
extern int gs_int_resize_copy_boot_loader (guestfs_h *g, const char *indev,
                                           const char *outdev,
                                           const struct gs_resize_source *src,
                                           const struct gs_resize_plan *plan,
                                           bool sparse);
extern int gs_int_resize_copy_partitions (guestfs_h *g, const char *indev,
                                          const char *outdev,
                                          const struct gs_resize_plan *plan,
                                          bool sparse);

#endif /* GS_RESIZE_INT_H */
