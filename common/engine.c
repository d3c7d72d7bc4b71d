/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine.c: the run engine of the guest tools (sysprep, inspect): launch
 * after launch of the plan (common/shared.c), or in parallel jobs
 * (common/jobs.c), each launch as below.
 *
 * The launch opens its guests' disks (through overlays when the run is
 * transactional), inspects them together, leaves for a later launch a
 * guest that clashes with another, runs the family's selected
 * operations on each root of the others (run.c), and commits or rolls
 * back each guest on its own.  What happened is recorded in the engine's
 * results (result.h); the tools only say what to run and render them.
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
end_transaction (struct gs_guest *guest, bool success,
                 struct gs_guest_result *gr)
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
    gr->committed = success && r == 0 ? GS_COMMIT_DONE : GS_COMMIT_NOT_DONE;
    if (!success)
      gs_info ("%s: nothing was written to the image (the run failed)",
               guest->name);
  }
  return r;
}

/* The selected operations on ROOTS of guest G (its disks from START
 * of the launch's N guests' disks), recorded in GR.
 */
static void
run_guest (const struct gs_engine *e, struct gs_session *s,
           struct gs_run_opts *ro, const struct gs_guest *g,
           char *const *roots, size_t start, size_t n,
           struct gs_guest_result *gr)
{
  gs_int_set_current_image (g->name);
  gs_int_progress_image ("image-start", e->result->tool, g->name, NULL);
  if (roots[0] == NULL) {
    /* inspect: virt-inspector's first line (scripts look for it), then
     * the reasons, on lines of their own as virt-inspector has them.
     */
    if (strcmp (e->family, "inspect") == 0)
      gs_error ("%s: no operating system could be detected inside this "
                "disk image.\n\nIt may not be a disk image or a virtual "
                "machine's disk at all, its operating system may be one\n"
                "libguestfs does not know, or it may be encrypted (see "
                "--key).", g->name);
    else if (gs_int_anchor_style ())
      gs_error ("no operating systems were found in the guest image");
    else
      gs_error ("%s: no operating system was found on this disk image "
                "(not a virtual machine's disk, an operating system "
                "goldsmith does not know, or encrypted)", g->name);
    gs_int_result_set_error (&gr->error, "no operating system was found "
                             "on this disk image");
    gr->exit = GS_EXIT_ERROR;
  }
  else {
    ro->disk_start = start;
    ro->disk_count = n > 1 ? g->ndisks : 0;
    gr->exit = gs_int_run_roots (s, e->reg, roots, ro, gr) == -1
      ? GS_EXIT_ERROR : GS_EXIT_OK;
  }
  gs_int_set_current_image (NULL);
}

int
gs_int_engine_launch (const struct gs_engine *e, struct gs_plan *plan,
                      const size_t *ids, size_t k)
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
  struct gs_guest *guests = gs_xcalloc (k, sizeof *guests);
  size_t *at = gs_xcalloc (k, sizeof *at);   /* their indexes in PLAN */
  size_t n = 0, ndisks = 0;      /* guests (and disks) in this launch */
  struct gs_guest_result *res = e->result->guest;
  bool launched;
  int r = GS_EXIT_OK;

  for (size_t i = 0; i < k; ++i) {
    struct gs_guest *g = &plan->guests[ids[i]];

    if (begin_transaction (e, g) == -1) {
      gs_int_result_set_error (&res[ids[i]].error, gs_int_last_error ());
      res[ids[i]].exit = r = GS_EXIT_USAGE;
      plan->state[ids[i]] = GS_PLAN_DONE;
      end_transaction (g, false, &res[ids[i]]);
      gs_int_progress_image ("image-done", e->result->tool, g->name,
                             &res[ids[i]]);
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
  /* goldsmith's own inspection where it is sure (os-inspect.c); for
   * inspect also where the plugin can list the applications and find
   * the icon itself (GS_OS_OWN_FULL: rpm guests only where libguestfs
   * has its call that lists rpm databases).
   */
  s.os_method = e->settings->libguestfs_inspection ? GS_OS_LIBGUESTFS
    : strcmp (e->family, "sysprep") == 0 ? GS_OS_OWN
    : strcmp (e->family, "inspect") == 0 ? GS_OS_OWN_FULL
    : GS_OS_LIBGUESTFS;
  launched = gs_int_session_launch (&s, guests, n, &so) == 0;
  gs_int_result_launch (e->result, 1, s.tcg_fallback, e->settings->accel);
  if (!launched) {
    for (size_t i = 0; i < n; ++i) {
      gs_int_result_set_error (&res[at[i]].error, s.last_guestfs_error);
      res[at[i]].exit = GS_EXIT_ERROR;
    }
    goto close;
  }
  if (gs_int_luks_open_all (&s, e->settings->keys) == -1) {
    for (size_t i = 0; i < n; ++i) {
      gs_int_result_set_error (&res[at[i]].error, gs_int_last_error ());
      res[at[i]].exit = GS_EXIT_USAGE;
    }
    goto close;
  }
  if (gs_int_shared_inspect (&s, guests, n, &sh) == -1) {
    for (size_t i = 0; i < n; ++i)
      if (!sh.deferred || !sh.deferred[i]) {
        gs_int_result_set_error (&res[at[i]].error, s.last_guestfs_error);
        res[at[i]].exit = GS_EXIT_ERROR;
      }
    goto close;
  }
  for (size_t i = 0; i < n; ++i)
    if (!sh.deferred || !sh.deferred[i])
      run_guest (e, &s, &ro, &guests[i], sh.roots[i], sh.starts[i], n,
                 &res[at[i]]);
  /* Clones: one after another in this same launch, each alone. */
  for (size_t i = 0; sh.deferred && i < n; ++i) {
    CLEANUP_FREE_STRV char **roots = NULL;

    if (!sh.deferred[i])
      continue;
    gs_info ("%s: its LVM or filesystem IDs are also on another guest's "
             "disks (a clone?): done on its own", guests[i].name);
    if (gs_int_shared_pass (&s, &sh, i, &roots) == -1) {
      gs_int_shared_defer (plan, &sh, at, i);
      continue;
    }
    sh.deferred[i] = false;
    run_guest (e, &s, &ro, &guests[i], roots, sh.starts[i], n, &res[at[i]]);
  }
  gs_int_shared_pass_end (&s, &sh);
  gs_int_set_current_image (NULL);

 close:
  if (gs_int_session_close (&s) == -1) {
    gs_error ("the appliance did not shut down cleanly%s",
              e->in_place ? ": changes may be lost" : "");
    for (size_t i = 0; i < n; ++i)
      if (!sh.deferred || !sh.deferred[i]) {
        gs_int_result_set_error (&res[at[i]].error, "the appliance did not "
                                 "shut down cleanly");
        res[at[i]].exit = GS_EXIT_ERROR;
      }
  }
  for (size_t i = 0; i < n; ++i) {
    struct gs_guest_result *gr = &res[at[i]];

    if (sh.deferred && sh.deferred[i])
      continue;
    plan->state[at[i]] = GS_PLAN_DONE;
    if (end_transaction (&plan->guests[at[i]], gr->exit == GS_EXIT_OK,
                         gr) == -1) {
      gs_int_result_set_error (&gr->error, gs_int_last_error ());
      gr->exit = GS_EXIT_ERROR;
    }
    gs_int_progress_image ("image-done", e->result->tool, gr->name, gr);
    if (gr->exit != GS_EXIT_OK)
      r = gr->exit;
  }
 out:
  gs_int_shared_free (&sh);
  free (guests);
  free (at);
  return r;
}

int
gs_int_engine_each_launch (const struct gs_engine *e, struct gs_guest *guests,
                           size_t n)
{
  struct gs_plan plan;
  size_t *ids = gs_xcalloc (n, sizeof *ids), k;
  int code = GS_EXIT_OK;

  gs_int_plan_new (&plan, guests, n, e->settings->isolate);
  while ((k = gs_int_plan_next (&plan, ids)) > 0) {
    int r = gs_int_engine_launch (e, &plan, ids, k);

    if (r != GS_EXIT_OK)
      code = r;
  }
  gs_int_plan_free (&plan);
  free (ids);
  return code;
}
