/* SPDX-License-Identifier: GPL-2.0-or-later */
/* resize.h: `goldsmith resize' (virt-resize's job) as the core runs it;
 * cli/resize.c only parses the command line into a gs_resize_job.
 * The planner (plan.h) and the host-side table (host-table.h) come with
 * it.
 */
#ifndef GS_RESIZE_H
#define GS_RESIZE_H

#include "goldsmith-int.h"
#include "plan.h"
#include "host-table.h"

struct gs_resize_job {
  const char *in, *out;          /* as the user named them */
  struct gs_disk *indisk, *outdisk;   /* outdisk NULL: dry run, no OUT */
  int64_t out_size;              /* --output-size, in bytes */
  string_vector lv_expand;       /* --lv-expand, as given */
  struct gs_resize_requests rq;  /* the planner's options */
  bool dry_run;                  /* plan only: OUT is not touched */
  bool copy_boot_loader;         /* the area before the first partition */
  bool sparse;                   /* skip zero blocks (OUT is zeroed) */
  bool verbose, trace, progress; /* the appliance's */
  bool print_plan;               /* the plan as text on stdout */
};

/* Create PATH (OUT's stand-in, named OUT in messages) as an empty disk
 * of SIZE bytes in format FMT: raw is sparse and all zeros.
 */
extern int gs_int_resize_create_target (const char *path, const char *out,
                                        const char *fmt, int64_t size);
/* Plan and write OUT in one launch; what happened goes to REPORT.
 * Returns GS_EXIT_OK, GS_EXIT_USAGE (the plan refused: OUT untouched)
 * or GS_EXIT_ERROR.
 */
extern int gs_int_resize_run (struct gs_registry *reg,
                              struct gs_settings *settings,
                              struct gs_resize_job *j,
                              struct gs_guest *guest, json_object *report);

#endif /* GS_RESIZE_H */
