/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run.c: one sparsify run: the overlay (copying mode), the appliance
 * launch, the devices (devices.c), the copy to OUT (copy.c), then the
 * report with the allocated sizes before and after.
 */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "sparsify-int.h"

static int64_t
allocated (const char *path)
{
  struct stat st;

  if (stat (path, &st) == -1)
    return -1;
  if (S_ISBLK (st.st_mode))
    return -1;                   /* unknown: a device is all "allocated" */
  return (int64_t) st.st_blocks * 512;
}

static void
add_size (json_object *o, const char *key, int64_t v)
{
  if (v >= 0)
    json_object_object_add (o, key, json_object_new_int64 (v));
}

/* The launch and everything up to OUT's stand-in written. */
static int
launch (struct gs_registry *reg, struct gs_settings *settings,
        struct gs_sparsify_job *j, struct gs_guest *guest,
        json_object *report)
{
  struct gs_session_opts so = {
    .settings = settings,
    .readonly = j->dry_run,
    .discard = !j->dry_run,
    .verbose = j->verbose,
    .trace = j->trace,
    .progress = j->progress,
  };
  struct gs_session s = { 0 };
  json_object *records = json_object_new_array ();
  int code = GS_EXIT_ERROR, r;

  json_object_object_add (report, "devices", records);
  /* A remote IN is reached through the overlay even in a dry run. */
  if ((!j->dry_run && !j->in_place) || j->disk->remote) {
    gs_info ("Creating an overlay in %s to protect the input disk ...",
             j->tmp);
    if (gs_int_overlay_create_in (j->disk, j->tmp,
                                  "cluster_size=4096") == -1)
      return GS_EXIT_ERROR;
    gs_int_scratch_add (j->disk->overlay);
    j->disk->readonly = j->dry_run;  /* the overlay is written, IN never */
  }
  gs_info ("Launching the appliance ...");
  if (gs_int_session_launch (&s, guest, 1, &so) == -1) {
    const char *e = s.last_guestfs_error ? s.last_guestfs_error
      : gs_int_last_error ();

    if (j->in_place && strstr (e, "discard")) {
      gs_error ("%s: this disk cannot discard (%s format or backend): "
                "in-place sparsify is impossible; use copying mode", j->in,
                j->disk->format);
      code = GS_EXIT_UNSUPPORTED;
    }
    goto out;
  }
  /* Encrypted devices, opened: their filesystems are sparsified too. */
  if (gs_int_luks_open_all (&s, settings->keys) == -1) {
    code = GS_EXIT_USAGE;
    goto out;
  }
  if (j->in_place && !j->dry_run) {
    const char *f[] = { "fstrim", NULL };

    if (guestfs_feature_available (s.g, (char **) f) != 1) {
      gs_error ("the appliance cannot trim (no fstrim): in-place sparsify "
                "is impossible; use copying mode");
      code = GS_EXIT_UNSUPPORTED;
      goto out;
    }
  }
  r = gs_int_sparsify_devices (reg, s.g, j, records);
  if (r == -2)
    code = GS_EXIT_USAGE;
  if (r < 0)
    goto out;
  if (gs_int_session_close (&s) == -1) {
    gs_error ("the appliance did not shut down cleanly: nothing was "
              "written to OUT");
    goto out;
  }
  if (!j->dry_run && !j->in_place && gs_int_sparsify_convert (j) == -1)
    goto out;
  code = GS_EXIT_OK;

 out:
  gs_int_report_appliance (report, 1, s.tcg_fallback, settings->accel);
  gs_int_session_close (&s);
  if (j->disk->overlay) {
    gs_int_scratch_forget (j->disk->overlay);
    gs_int_overlay_discard (j->disk);
  }
  return code;
}

int
gs_int_sparsify_run (struct gs_registry *reg, struct gs_settings *settings,
                     struct gs_sparsify_job *j, struct gs_guest *guest,
                     json_object *report)
{
  int64_t after = -1;
  int code;

  gs_int_json_add_string (report, "mode", j->in_place ? "in-place" : "copy");
  j->in_allocated = allocated (j->in);
  {
    json_object *in = json_object_new_object ();

    gs_int_json_add_string (in, "path", j->in);
    gs_int_json_add_string (in, "format", j->disk->format);
    add_size (in, "virtual_size", j->disk->virtual_size);
    add_size (in, "allocated", j->in_allocated);
    json_object_object_add (report, "input", in);
  }
  gs_int_set_current_image (j->in);
  gs_int_progress_image ("image-start", "sparsify", j->in, NULL);
  code = launch (reg, settings, j, guest, report);
  gs_int_set_current_image (NULL);
  if (!j->in_place && !j->out_is_blockdev)
    gs_int_outfile_finish (j->out, code == GS_EXIT_OK && !j->dry_run, &code);
  gs_int_progress_done ("sparsify", j->in, code);
  if (code == GS_EXIT_OK && !j->dry_run) {
    json_object *out = json_object_new_object ();
    const char *path = j->in_place ? j->in : j->out;

    after = allocated (path);
    gs_int_json_add_string (out, "path", path);
    gs_int_json_add_string (out, "format", j->in_place ? j->disk->format
                            : j->out_fmt);
    add_size (out, "allocated", after);
    json_object_object_add (report, j->in_place ? "after" : "output", out);
    if (j->in_allocated >= 0 && after >= 0)
      json_object_object_add (report, "bytes_reclaimed",
                              json_object_new_int64 (j->in_allocated - after));
    gs_info ("Sparsify operation completed with no errors.%s",
             j->in_place ? "" : "  Check the output boots before deleting "
             "the input.");
  }
  json_object_object_add (report, "exit_status", json_object_new_int (code));
  if (code != GS_EXIT_OK)
    gs_int_report_set_error (report, gs_int_last_error ());
  if (j->json)
    gs_int_report_print_json (report);
  else if (code == GS_EXIT_OK)
    gs_int_sparsify_print_text (report, j, after);
  return code;
}
