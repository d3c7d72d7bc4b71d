/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.c: the combined report of `goldsmith batch` (one JSON
 * document: the images, each step with the tool's report of that
 * guest, and the commands run), its text summary, and the reports of
 * steps an earlier batch did, carried over from its report file.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "cleanups.h"

const char *const batch_status_names[] = {
  [BS_PENDING] = "pending", [BS_OK] = "ok", [BS_FAILED] = "failed",
  [BS_SKIPPED] = "skipped", [BS_ALREADY] = "already-done",
};

/* "ok", "failed", "already-done" or "pending". */
const char *
batch_image_status (const struct batch_image *img)
{
  bool pending = false, all_already = true;

  for (size_t s = 0; s < img->nsteps; ++s) {
    if (img->steps[s].status == BS_FAILED)
      return "failed";
    pending |= img->steps[s].status == BS_PENDING;
    all_already &= img->steps[s].status == BS_ALREADY;
  }
  return pending ? "pending" : all_already ? "already-done" : "ok";
}

json_object *
batch_report (struct batch *b, bool complete, int code)
{
  json_object *rep = gs_int_report_new ("batch", b->dry_run);
  json_object *images = json_object_new_array ();
  json_object *runs = json_object_new_array ();
  int launches = 0;

  json_object_object_del (rep, "guests");
  gs_int_json_add_string (rep, "manifest", b->m.file);
  gs_int_json_add_string (rep, "report", b->report);
  gs_int_json_add_string (rep, "state", b->state_dir);
  if (b->shard_n) {
    json_object *sh = json_object_new_object ();

    json_object_object_add (sh, "index", json_object_new_int (b->shard_i));
    json_object_object_add (sh, "count", json_object_new_int (b->shard_n));
    json_object_object_add (rep, "shard", sh);
  }
  if (b->merged) {
    json_object *from = json_object_new_array ();

    /* --merge-reports: the shard reports it was made of. */
    for (unsigned i = 1; i <= b->merged; ++i) {
      CLEANUP_FREE char *p = batch_shard_report (b->m.report, i, b->merged);

      json_object_array_add (from, json_object_new_string (p));
    }
    json_object_object_add (rep, "merged_from", from);
  }
  json_object_object_add (rep, "complete", json_object_new_boolean (complete));
  json_object_object_add (rep, "images", images);
  json_object_object_add (rep, "runs", runs);
  for (size_t i = 0; i < b->nsel; ++i) {
    const struct batch_image *img = b->sel[i];
    json_object *ji = json_object_new_object ();
    json_object *steps = json_object_new_array ();

    json_object_array_add (images, ji);
    json_object_object_add (ji, "entry", json_object_new_int64 (img->entry));
    json_object_object_add (ji, "line", json_object_new_int (img->line));
    gs_int_json_add_string (ji, "name", img->name);
    json_object_object_add (ji, "disks", batch_strings_json (&img->disks));
    gs_int_json_add_string (ji, "status", batch_image_status (img));
    json_object_object_add (ji, "steps", steps);
    for (size_t s = 0; s < img->nsteps; ++s) {
      const struct batch_step *st = &img->steps[s];
      json_object *js = json_object_new_object ();

      json_object_array_add (steps, js);
      gs_int_json_add_string (js, "tool", batch_tool_names[st->tool]);
      gs_int_json_add_string (js, "status", batch_status_names[st->status]);
      json_object_object_add (js, "args", batch_strings_json (&st->args));
      if (st->out)
        gs_int_json_add_string (js, "out", st->out);
      if (st->run > 0) {
        json_object_object_add (js, "run", json_object_new_int64 (st->run));
        json_object_object_add (js, "exit_status",
                                json_object_new_int (st->exit_status));
      }
      if (batch_jstr (st->report, "error"))
        gs_int_json_add_string (js, "error", batch_jstr (st->report, "error"));
      if (st->report)
        json_object_object_add (js, "report", json_object_get (st->report));
    }
  }
  for (size_t r = 0; r < b->nruns; ++r) {
    const struct run *run = &b->runs[r];
    json_object *jr, *entries, *v;

    if (!run->ran)
      continue;
    jr = json_object_new_object ();
    json_object_array_add (runs, jr);
    json_object_object_add (jr, "run", json_object_new_int64 (r + 1));
    gs_int_json_add_string (jr, "tool", batch_tool_names[run->tool]);
    entries = json_object_new_array ();
    for (size_t k = 0; k < run->n; ++k)
      if (run->live && run->live[k])
        json_object_array_add (entries,
                               json_object_new_int64 (run->imgs[k]->entry));
    json_object_object_add (jr, "entries", entries);
    json_object_object_add (jr, "argv", batch_strings_json (&run->argv));
    json_object_object_add (jr, "exit_status",
                            json_object_new_int (run->exit_status));
    json_object_object_add (jr, "seconds",
                            json_object_new_double (run->seconds));
    if (run->appliance) {
      json_object_object_add (jr, "appliance",
                              json_object_get (run->appliance));
      if (json_object_object_get_ex (run->appliance, "launches", &v))
        launches += json_object_get_int (v);
    }
  }
  json_object_object_add (rep, "appliance_launches",
                          json_object_new_int (launches));
  json_object_object_add (rep, "seconds", json_object_new_double (b->seconds));
  if (complete)
    json_object_object_add (rep, "exit_status", json_object_new_int (code));
  return rep;
}

int
batch_write_report (struct batch *b, bool complete, int code)
{
  CLEANUP_FREE char *text = NULL;
  json_object *rep;
  int r;

  if (b->dry_run)
    return 0;
  /* Again: the file may have been replaced since the last write. */
  if (batch_check_report (b) == -1)
    return -1;
  rep = batch_report (b, complete, code);
  /* As --json prints it: the same bytes, newline included. */
  text = gs_xasprintf ("%s\n", json_object_to_json_string_ext
                       (rep, JSON_C_TO_STRING_PRETTY |
                        JSON_C_TO_STRING_NOSLASHESCAPE));
  r = batch_write_atomic (b->report, text);
  json_object_put (rep);
  return r;
}

/* Steps an earlier batch did keep that batch's reports of them, from
 * its report file: the report stays whole across a resumed fleet.
 */
void
batch_carry_over (struct batch *b)
{
  json_object *old, *images;

  if (access (b->report, R_OK) == -1 ||
      (old = json_object_from_file (b->report)) == NULL)
    return;
  if (json_object_object_get_ex (old, "images", &images) &&
      json_object_is_type (images, json_type_array))
    for (size_t i = 0; i < b->nsel; ++i) {
      struct batch_image *img = b->sel[i];

      for (size_t k = 0; img->resume && k < json_object_array_length (images);
           ++k) {
        json_object *oi = json_object_array_get_idx (images, k), *steps;

        if (!batch_strings_equal (json_object_object_get (oi, "disks"), &img->disks) ||
            !json_object_object_get_ex (oi, "steps", &steps))
          continue;
        for (size_t s = 0; s < img->resume &&
               s < json_object_array_length (steps); ++s) {
          json_object *os = json_object_array_get_idx (steps, s), *rep;
          const char *tool = batch_jstr (os, "tool");

          if (tool && strcmp (tool, batch_tool_names[img->steps[s].tool]) == 0
              && json_object_object_get_ex (os, "report", &rep)) {
            json_object_put (img->steps[s].report);
            img->steps[s].report = json_object_get (rep);
          }
        }
        break;
      }
    }
  json_object_put (old);
}

void
batch_print_text (struct batch *b, int code)
{
  size_t ok = 0, failed = 0, already = 0, launches = 0;

  for (size_t i = 0; i < b->nsel; ++i) {
    const struct batch_image *img = b->sel[i];
    const char *st = batch_image_status (img);

    ok += strcmp (st, "ok") == 0;
    failed += strcmp (st, "failed") == 0;
    already += strcmp (st, "already-done") == 0;
    printf ("entry %zu ", img->entry);
    batch_print_word (stdout, img->name);
    for (size_t s = 0; s < img->nsteps; ++s) {
      const struct batch_step *step = &img->steps[s];

      printf ("%s%s %s", s ? ", " : ": ", batch_tool_names[step->tool],
              step->status == BS_ALREADY ? "already done"
              : batch_status_names[step->status]);
      if (step->status == BS_FAILED && batch_jstr (step->report, "error")) {
        /* Its first line (libguestfs adds advice), guest bytes escaped. */
        const char *e = batch_jstr (step->report, "error");

        printf (" (");
        gs_int_print_safe (stdout, e, strcspn (e, "\n"));
        printf (")");
      }
    }
    printf ("\n");
  }
  for (size_t r = 0; r < b->nruns; ++r) {
    json_object *v;

    if (b->runs[r].appliance &&
        json_object_object_get_ex (b->runs[r].appliance, "launches", &v))
      launches += json_object_get_int (v);
  }
  printf ("%s%zu image%s: %zu ok, %zu failed, %zu already done; "
          "%zu appliance launch%s, %.1f s%s%s; exit status %d\n",
          b->dry_run ? "Dry run: " : "", b->nsel, b->nsel == 1 ? "" : "s",
          ok, failed, already, launches, launches == 1 ? "" : "es",
          b->seconds, b->dry_run ? "" : "; report ", b->dry_run ? "" : b->report,
          code);
}
