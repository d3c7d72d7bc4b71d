/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run.c: inspect a launched guest, mount each root and run the selected
 * operations of one family in (phase, order, name) order, recording
 * what each did in the report.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "goldsmith-int.h"
#include "ctx.h"
#include "cleanups.h"

/* Inspection facts kept for gs_guest_get, in os-inspect.c's order. */
#define fact_keys gs_int_os_fact_keys
#define NFACTS GS_NFACTS

bool
gs_dry_run (const struct gs_ctx *ctx)
{
  return ctx->dry_run;
}

const char *
gs_resize_content (const struct gs_ctx *ctx)
{
  return ctx->content;
}

const char *
gs_sparsify_content (const struct gs_ctx *ctx)
{
  return ctx->content;
}

bool
gs_sparsify_in_place (const struct gs_ctx *ctx)
{
  return ctx->in_place;
}

/* METHOD is a string constant of the plugin's, which stays loaded. */
void
gs_sparsify_method (struct gs_ctx *ctx, const char *method)
{
  ctx->method = method;
}

const char *
gs_guest_get (const struct gs_ctx *ctx, const char *key)
{
  for (size_t i = 0; i < NFACTS; ++i)
    if (strcmp (fact_keys[i], key) == 0)
      return ctx->facts[i];
  return NULL;
}

int
gs_report_path (struct gs_ctx *ctx, const char *path, enum gs_action action,
                int64_t bytes)
{
  static const char *const names[] = { NULL, "remove", "change", "create" };

  if ((unsigned) action > GS_ACTION_CREATED || action == 0 ||
      ctx->op == NULL) {
    gs_error ("gs_report_path: no such action, or no operation running");
    return -1;
  }
  /* --exclude-path holds for every operation, not by each plugin's
   * goodwill: a change to a protected path fails the operation (so a
   * transactional run writes nothing).
   */
  if (gs_int_exclude_match (ctx->exclude, path)) {
    gs_error ("%s is protected (--exclude-path or paths.exclude): the "
              "operation may not %s it", path,
              action == GS_ACTION_REMOVED ? "remove"
              : action == GS_ACTION_CREATED ? "create" : "change");
    return -1;
  }
  gs_int_result_add_path (ctx->op, path, action, bytes);
  gs_debug ("%s %s", names[action], path);
  return 0;
}

void
gs_not_applicable (struct gs_ctx *ctx, const char *fs, ...)
{
  va_list args;

  ctx->not_applicable = true;
  free (ctx->reason);
  va_start (args, fs);
  if (vasprintf (&ctx->reason, fs, args) == -1)
    ctx->reason = NULL;
  va_end (args);
}

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
load_facts (struct gs_ctx *ctx, guestfs_h *g, const char *root,
            struct gs_fields *os)
{
  for (size_t i = 0; i < NFACTS; ++i) {
    ctx->facts[i] = gs_int_os_fact (g, root, i);
    gs_int_fields_set (os, fact_keys[i], ctx->facts[i]);
  }
}

enum { ST_APPLIED = GS_OP_APPLIED, ST_NA = GS_OP_NA,
       ST_SKIPPED = GS_OP_SKIPPED, ST_FAILED = GS_OP_FAILED };

/* Run one operation on the root; return its status (GS_OP_*). */
int
gs_int_run_op (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
               const char *root, bool skip, struct gs_op_results *ops)
{
  struct gs_op_result *o = gs_int_result_add_op (ops, op->name);
  double t0 = now ();
  int r;

  ctx->op = o;
  ctx->not_applicable = false;
  free (ctx->reason);
  ctx->reason = NULL;

  if (skip) {
    o->status = ST_SKIPPED;
    gs_int_result_set_error (&o->reason, "an earlier operation failed");
  }
  else {
    /* Operations chosen by content (resize, sparsify): the caller
     * says what it does to which device.
     */
    if (ctx->content == NULL)
      gs_info ("%s \"%s\" ...", ctx->inspect ? "Inspecting"
               : ctx->dry_run ? "Planning" : "Performing", op->name);
    gs_int_clear_last_error ();
    gs_int_set_current_op (op->name);
    ctx->method = NULL;
    r = op->def->perform (op, ctx, g, root);
    gs_int_set_current_op (NULL);
    o->method = ctx->method;
    if (r == -1) {
      o->status = ST_FAILED;
      gs_int_result_set_error (&o->reason, gs_int_last_error ());
    }
    else {
      o->status = ctx->not_applicable ? ST_NA : ST_APPLIED;
      if (ctx->reason)
        gs_int_result_set_error (&o->reason, ctx->reason);
    }
  }
  o->duration_ms = (int64_t) ((now () - t0) * 1000);
  ctx->op = NULL;
  gs_int_progress_operation (gs_int_current_image (), root, o);
  return o->status;
}

static int
run_root (struct gs_session *s, struct gs_registry *reg, const char *root,
          const struct gs_run_opts *opts, struct gs_root_result *rr)
{
  guestfs_h *g = s->g;
  struct gs_ctx ctx = { .dry_run = opts->dry_run, .exclude = opts->exclude,
                        .disk_start = opts->disk_start,
                        .disk_count = opts->disk_count };
  bool failed = false, mounted = false;
  int r = 0;

  if (strcmp (opts->family, "inspect") == 0) {
    rr->inspect = gs_xcalloc (1, sizeof *rr->inspect);
    ctx.inspect = rr->inspect;
    {                            /* canonical, as virt-inspector's */
      char *c;

      guestfs_push_error_handler (g, NULL, NULL);
      c = guestfs_canonical_device_name (g, root);
      guestfs_pop_error_handler (g);
      gs_inspect_set (&ctx, "root", c ? c : root);
      free (c);
    }
  }
  load_facts (&ctx, g, root, &rr->os);
  /* Root and type name an <operatingsystem> (the schema requires
   * <name>): recorded whichever operations are selected, so the report
   * stays valid with the 'os' operation switched off.
   */
  if (ctx.inspect && gs_inspect_set (&ctx, "name", ctx.facts[0]) == -1) {
    r = -1;
    goto out;
  }

  for (int phase = GS_PHASE_INSPECT; phase <= GS_PHASE_DEVICES; ++phase) {
    for (size_t i = 0; i < reg->nops; ++i) {
      struct gs_op *op = reg->ops[i];

      if (!op->selected || (int) op->phase != phase ||
          strcmp (op->family, opts->family) != 0)
        continue;
      if (phase != GS_PHASE_DEVICES && !mounted && !failed) {
        gs_quiet_begin (s->g);
        r = gs_int_mount_root (g, root, opts->dry_run ||
                               phase == GS_PHASE_INSPECT,
                               opts->mount_options, &ctx);
        gs_quiet_end (s->g);
        if (r == -1) {
          gs_int_result_set_error (&rr->error, gs_int_last_error ());
          failed = true;
        }
        mounted = r == 0;
      }
      if (phase == GS_PHASE_DEVICES && mounted) {
        if (guestfs_umount_all (g) == -1)
          failed = true;
        mounted = false;
      }
      if (gs_int_run_op (op, &ctx, g, root, failed, &rr->ops) == ST_FAILED)
        failed = true;
    }
    /* Filesystem operations write through the page cache of the
     * appliance: unmount between phases so the devices are clean.
     */
    if (mounted && phase != GS_PHASE_DEVICES) {
      if (guestfs_umount_all (g) == -1)
        failed = true;
      mounted = false;
    }
  }
  if (failed)
    r = -1;

 out:
  for (size_t i = 0; i < NFACTS; ++i)
    free (ctx.facts[i]);
  free (ctx.reason);
  string_vector_free_all (&ctx.dry_removed);
  return r;
}

int
gs_int_run_roots (struct gs_session *s, struct gs_registry *reg,
                  char *const *roots, const struct gs_run_opts *opts,
                  struct gs_guest_result *guest)
{
  int r = 0;

  for (size_t i = 0; roots[i] != NULL; ++i)
    if (run_root (s, reg, roots[i], opts,
                  gs_int_result_add_root (guest, roots[i])) == -1)
      r = -1;
  return r;
}
