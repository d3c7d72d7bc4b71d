/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run.c: `goldsmith resize IN OUT' as the core runs it (virt-resize's
 * job), in one appliance launch: IN is added read-only, OUT writable.
 * The source table and contents are read (source.c), every resize
 * operation is asked (in a dry run, on IN) whether it can grow each
 * content, the planner (plan.c) lays out the target, and only then is
 * OUT written (target.c), then each content is grown by the operations
 * of family "resize" (plugins/resize/), then --lv-expand.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanups.h"
#include "resize-int.h"

/* Grow DEV holding CONTENT: the resize operations that take it run
 * (the core asks each first), recorded in OPS.  -1 if one failed.
 */
static int
grow_content (struct gs_registry *reg, guestfs_h *g, const char *dev,
              const char *content, struct gs_op_results *ops)
{
  const struct gs_content_opts o = { .family = "resize" };

  return gs_int_content_run (reg, g, dev, content, &o, ops)
    == GS_OP_FAILED ? -1 : 0;
}

int
gs_int_resize_run (struct gs_registry *reg, struct gs_settings *settings,
                   struct gs_resize_job *j, struct gs_guest *guest,
                   json_object *report)
{
  struct gs_session_opts so = {
    .settings = settings,
    .verbose = j->verbose,
    .trace = j->trace,
    .progress = j->progress,
  };
  struct gs_session s = { 0 };
  struct gs_resize_source src = { .strings = empty_vector };
  struct gs_resize_plan plan = { 0 };
  string_vector lv_devs = empty_vector, lv_contents = empty_vector;
  CLEANUP_FREE_STRV char **devs = NULL;
  const char *indev, *outdev = NULL;
  struct gs_op_results ops = { 0 };
  int code = GS_EXIT_ERROR;
  guestfs_h *g;

  gs_int_set_current_image (guest->name);
  gs_int_progress_image ("image-start", "resize", guest->name, NULL);
  /* A remote IN is reached through a scratch overlay (remote.c). */
  if (j->indisk->remote) {
    if (gs_int_overlay_create (j->indisk) == -1)
      goto out;
    gs_int_scratch_add (j->indisk->overlay);
  }
  gs_info ("Launching the appliance ...");
  if (gs_int_session_launch (&s, guest, 1, &so) == -1)
    goto out;
  g = s.g;
  if ((devs = guestfs_list_devices (g)) == NULL || devs[0] == NULL)
    goto out;
  indev = devs[0];
  if (j->outdisk) {
    if (devs[1] == NULL) {
      gs_error ("the appliance does not show the output disk");
      goto out;
    }
    outdev = devs[1];
  }
  {                              /* LVM: the source's volumes only */
    char *f[] = { (char *) indev, NULL };
    if (guestfs_lvm_set_filter (g, f) == -1)
      goto out;
  }

  /* Everything below up to the plan is bad input if it fails. */
  code = GS_EXIT_USAGE;
  if (gs_int_resize_read_source (&s, indev, &src) == -1)
    goto out;
  if (gs_int_resize_probe_contents (reg, &s, indev, &src, &j->rq) == -1 ||
      gs_int_resize_check_lvs (reg, &s, &j->lv_expand, j->rq.unknown_fs,
                 &lv_devs, &lv_contents) == -1)
    goto out;
  {
    int64_t size = outdev ? guestfs_blockdev_getsize64 (g, outdev)
                          : j->out_size;
    int ss = outdev ? guestfs_blockdev_getss (g, outdev) : 512;

    if (size == -1 || ss == -1) {
      code = GS_EXIT_ERROR;
      goto out;
    }
    if (gs_int_resize_plan (&src.disk, size, ss, &j->rq, &plan) == -1 ||
        gs_int_resize_check_numbering (&plan) == -1)
      goto out;
  }
  json_object_object_add (report, "plan", gs_int_resize_plan_json (&plan));
  {
    json_object *jl = json_object_new_array ();

    for (size_t i = 0; i < lv_devs.len; ++i)
      json_object_array_add (jl, json_object_new_string (lv_devs.ptr[i]));
    json_object_object_add (report, "lv_expand", jl);
  }
  if (j->print_plan) {
    gs_int_resize_plan_print (&plan, stdout);
    for (size_t i = 0; i < lv_devs.len; ++i)
      printf ("%s: this logical volume will be expanded to the maximum "
              "size%s%s%s\n", lv_devs.ptr[i],
              lv_contents.ptr[i][0] ? ".  Its " : "",
              lv_contents.ptr[i][0] ? lv_contents.ptr[i] : "",
              lv_contents.ptr[i][0] ? " content will be expanded too." : "");
    fflush (stdout);
  }
  if (j->dry_run) {
    code = GS_EXIT_OK;
    goto out;
  }

  /* From here on OUT is written: failures are runtime failures. */
  code = GS_EXIT_ERROR;
  gs_info ("Creating the partition table of the output disk ...");
  if (gs_int_resize_create_table (g, outdev, &plan) == -1)
    goto out;
  if (j->copy_boot_loader &&
      gs_int_resize_copy_boot_loader (g, indev, outdev, &src, &plan,
                                      j->sparse) == -1)
    goto out;
  if (gs_int_resize_copy_partitions (g, indev, outdev, &plan, j->sparse) == -1)
    goto out;

  {
    /* Only LVM needs it (an LVM rescan costs about a second). */
    bool any = lv_devs.len > 0;
    for (size_t i = 0; i < plan.nparts; ++i)
      any |= plan.parts[i].expand_method != NULL && plan.parts[i].src &&
        plan.parts[i].src->content &&
        strcmp (plan.parts[i].src->content, "lvm-pv") == 0;
    if (any) {
      /* The output's volumes only: IN holds the same VG names. */
      char *f[] = { (char *) outdev, NULL };
      if (guestfs_lvm_set_filter (g, f) == -1)
        goto out;
    }
  }
  for (size_t i = 0; i < plan.nparts; ++i) {
    const struct gs_resize_plan_part *pp = &plan.parts[i];
    CLEANUP_FREE char *dev = NULL;

    if (pp->expand_method == NULL || pp->content_unexpandable ||
        pp->src == NULL)
      continue;
    if ((dev = gs_int_resize_part_dev (outdev, pp->new_num)) == NULL)
      goto out;
    gs_info ("Expanding the %s on partition %d ...", pp->src->content,
             pp->new_num);
    if (grow_content (reg, g, dev, pp->src->content, &ops) == -1)
      goto out;
  }
  for (size_t i = 0; i < lv_devs.len; ++i) {
    gs_info ("Expanding %s ...", lv_devs.ptr[i]);
    if (guestfs_lvresize_free (g, lv_devs.ptr[i], 100) == -1)
      goto out;
    if (j->rq.expand_content && lv_contents.ptr[i][0] &&
        grow_content (reg, g, lv_devs.ptr[i], lv_contents.ptr[i],
                      &ops) == -1)
      goto out;
  }
  code = GS_EXIT_OK;

 out:
  json_object_object_add (report, "operations", gs_int_op_results_json (&ops));
  gs_int_op_results_free (&ops);
  gs_int_report_appliance (report, 1, s.tcg_fallback, settings->accel);
  if (gs_int_session_close (&s) == -1 && code == GS_EXIT_OK) {
    gs_error ("the appliance did not shut down cleanly: the output may be "
              "incomplete");
    code = GS_EXIT_ERROR;
  }
  if (j->indisk->overlay) {
    gs_int_scratch_forget (j->indisk->overlay);
    gs_int_overlay_discard (j->indisk);
  }
  gs_int_resize_plan_free (&plan);
  free (src.parts);
  string_vector_free_all (&src.strings);
  string_vector_free_all (&lv_devs);
  string_vector_free_all (&lv_contents);
  gs_int_set_current_image (NULL);
  return code;
}
