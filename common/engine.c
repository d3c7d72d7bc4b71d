/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine.c: the run engine of the guest tools (sysprep, inspect): launch
 * after launch of the plan (common/shared.c), or in parallel jobs
 * (common/jobs.c), each launch as below.
 *
 * The launch opens its guests' disks (through overlays when the run is
 * transactional), inspects them together, leaves for a later launch a
 * guest that clashes with another, runs the family's selected
 * operations on each root of the others (run.c), and commits or rolls
 * back each guest on its own.  What happened is recorded in the report
 * entries and in the engine's results; the tools only say what to run
 * and render the report.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "goldsmith-int.h"
#include "cleanups.h"

/* Transactional: every writable disk gets an overlay, committed only
 * after a fully successful run.  A guest left for a later launch keeps
 * the overlay it has.
 */
static int
begin_transaction (const struct gs_engine *e, struct gs_guest *guest)
{
  for (size_t i = 0; i < guest->ndisks; ++i) {
    struct gs_disk *d = &guest->disks[i];
    bool writes = e->transactional && !e->dry_run && !d->readonly;

    /* A remote disk is always reached through an overlay (remote.c);
     * written (in place too), it is committed like any other.
     */
    if (d->overlay || !(writes || d->remote))
      continue;
    if (gs_int_overlay_create (d) == -1)
      return -1;
    d->scratch_overlay = d->remote && (e->dry_run || d->readonly);
    /* Ctrl-C or kill: the overlay goes, the image was never written. */
    gs_int_scratch_add (d->overlay);
  }
  return 0;
}

static int
end_transaction (struct gs_guest *guest, bool success, json_object *jg)
{
  int r = 0;
  bool any = false;

  for (size_t i = 0; i < guest->ndisks; ++i) {
    struct gs_disk *d = &guest->disks[i];

    if (d->overlay == NULL)
      continue;
    gs_int_scratch_forget (d->overlay);
    if (d->scratch_overlay) {
      gs_int_overlay_discard (d);
      continue;
    }
    any = true;
    if (!success)
      gs_int_overlay_discard (d);
    else if (gs_int_overlay_commit (d) == -1)
      r = -1;
  }
  if (any) {
    json_object_object_add (jg, "committed",
                            json_object_new_boolean (success && r == 0));
    if (!success)
      gs_info ("%s: nothing was written to the image (the run failed)",
               guest->name);
  }
  return r;
}

int
gs_int_engine_launch (const struct gs_engine *e, struct gs_plan *plan,
                      const size_t *ids, size_t k, json_object **jgs,
                      json_object *report)
{
  struct gs_session_opts so = {
    .settings = e->settings,
    .readonly = e->dry_run,
    .verbose = e->verbose,
    .trace = e->trace,
    .progress = e->progress,
  };
  struct gs_run_opts ro = {
    .family = e->family,
    .dry_run = e->dry_run,
    .mount_options = e->mount_options,
    .exclude = e->exclude,
  };
  struct gs_session s = { 0 };
  struct gs_shared sh = { 0 };
  struct gs_guest *guests = calloc (k ? k : 1, sizeof *guests);
  size_t *at = calloc (k ? k : 1, sizeof *at);   /* their indexes in PLAN */
  size_t n = 0, ndisks = 0;      /* guests (and disks) in this launch */
  int *results = e->results;
  int r = GS_EXIT_OK;

  if (guests == NULL || at == NULL) {
    gs_error ("out of memory");
    r = GS_EXIT_ERROR;
    goto out;
  }
  for (size_t i = 0; i < k; ++i) {
    struct gs_guest *g = &plan->guests[ids[i]];

    if (begin_transaction (e, g) == -1) {
      gs_int_report_set_error (jgs[ids[i]], gs_int_last_error ());
      results[ids[i]] = r = GS_EXIT_USAGE;
      plan->state[ids[i]] = GS_PLAN_DONE;
      end_transaction (g, false, jgs[ids[i]]);
      continue;
    }
    at[n] = ids[i];
    ndisks += g->ndisks;
    guests[n++] = *g;            /* shallow: the overlays are set */
  }
  if (n == 0)
    goto out;
  gs_info ("Launching the appliance (%zu guest%s, %zu disk%s%s) ...", n,
           n == 1 ? "" : "s", ndisks, ndisks == 1 ? "" : "s",
           e->dry_run ? ", read-only" : "");
  if (gs_int_session_launch (&s, guests, n, &so) == -1) {
    gs_int_report_appliance (report, &s, e->settings);
    for (size_t i = 0; i < n; ++i) {
      gs_int_report_set_error (jgs[at[i]], s.last_guestfs_error);
      results[at[i]] = GS_EXIT_ERROR;
    }
    goto close;
  }
  gs_int_report_appliance (report, &s, e->settings);
  if (gs_int_luks_open_all (&s, e->settings->keys) == -1) {
    for (size_t i = 0; i < n; ++i) {
      gs_int_report_set_error (jgs[at[i]], gs_int_last_error ());
      results[at[i]] = GS_EXIT_USAGE;
    }
    goto close;
  }
  if (gs_int_shared_inspect (&s, guests, n, &sh) == -1) {
    for (size_t i = 0; i < n; ++i)
      if (!sh.deferred || !sh.deferred[i]) {
        json_object_object_add (jgs[at[i]], "roots",
                                json_object_new_array ());
        gs_int_report_set_error (jgs[at[i]], s.last_guestfs_error);
        results[at[i]] = GS_EXIT_ERROR;
      }
    goto close;
  }
  for (size_t i = 0; i < n; ++i) {
    json_object *jg = jgs[at[i]];

    if (gs_int_shared_defer (plan, &sh, at, i))
      continue;
    gs_int_set_current_image (guests[i].name);
    if (sh.roots[i][0] == NULL) {
      gs_error ("%s: no operating system was found on this disk image "
                "(not a virtual machine's disk, an operating system "
                "goldsmith does not know, or encrypted)", guests[i].name);
      gs_int_report_set_error (jg, "no operating system was found on this "
                               "disk image");
      json_object_object_add (jg, "roots", json_object_new_array ());
      results[at[i]] = GS_EXIT_ERROR;
      continue;
    }
    ro.disk_start = sh.starts[i];
    ro.disk_count = n > 1 ? guests[i].ndisks : 0;
    results[at[i]] = gs_int_run_roots (&s, e->reg, sh.roots[i], &ro, jg)
      == -1 ? GS_EXIT_ERROR : GS_EXIT_OK;
  }
  gs_int_set_current_image (NULL);

 close:
  if (gs_int_session_close (&s) == -1) {
    gs_error ("the appliance did not shut down cleanly%s",
              e->in_place ? ": changes may be lost" : "");
    for (size_t i = 0; i < n; ++i)
      if (!sh.deferred || !sh.deferred[i])
        results[at[i]] = GS_EXIT_ERROR;
  }
  for (size_t i = 0; i < n; ++i) {
    if (sh.deferred && sh.deferred[i])
      continue;
    plan->state[at[i]] = GS_PLAN_DONE;
    if (end_transaction (&plan->guests[at[i]], results[at[i]] == GS_EXIT_OK,
                         jgs[at[i]]) == -1)
      results[at[i]] = GS_EXIT_ERROR;
    if (results[at[i]] != GS_EXIT_OK)
      r = results[at[i]];
  }
 out:
  gs_int_shared_free (&sh);
  free (guests);
  free (at);
  return r;
}

int
gs_int_engine_each_launch (const struct gs_engine *e, struct gs_guest *guests,
                           size_t n, json_object **jgs, json_object *report)
{
  struct gs_plan plan;
  size_t *ids = calloc (n ? n : 1, sizeof *ids), k;
  int code = GS_EXIT_OK;

  if (ids == NULL ||
      gs_int_plan_new (&plan, guests, n, e->settings->isolate) == -1) {
    free (ids);
    gs_error ("out of memory");
    return GS_EXIT_ERROR;
  }
  while ((k = gs_int_plan_next (&plan, ids)) > 0) {
    int r = gs_int_engine_launch (e, &plan, ids, k, jgs, report);

    if (r != GS_EXIT_OK)
      code = r;
  }
  gs_int_plan_free (&plan);
  free (ids);
  return code;
}
