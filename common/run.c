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

/* Inspection facts kept for gs_guest_get, in this order. */
static const char *const fact_keys[GS_NFACTS + 1] = {
  "type", "distro", "product-name", "package-format", "package-management",
  "arch", "hostname", "major-version", "minor-version", NULL,
};
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
  json_object *p = json_object_new_object ();

  if (p == NULL || (unsigned) action > GS_ACTION_CREATED || action == 0)
    goto fail;
  /* --exclude-path holds for every operation, not by each plugin's
   * goodwill: a change to a protected path fails the operation (so a
   * transactional run writes nothing).
   */
  if (gs_int_exclude_match (ctx->exclude, path)) {
    json_object_put (p);
    gs_error ("%s is protected (--exclude-path or paths.exclude): the "
              "operation may not %s it", path,
              action == GS_ACTION_REMOVED ? "remove"
              : action == GS_ACTION_CREATED ? "create" : "change");
    return -1;
  }
  /* json-c escapes whatever bytes a guest file name holds. */
  if (gs_int_json_add_string (p, "path", path) == -1 ||
      gs_int_json_add_string (p, "action", names[action]) == -1 ||
      json_object_object_add (p, "bytes", json_object_new_int64 (bytes)) ||
      json_object_array_add (ctx->paths, p))
    goto fail;
  if (bytes > 0)
    ctx->bytes += bytes;
  gs_debug ("%s %s", names[action], path);
  return 0;

 fail:
  json_object_put (p);
  gs_error ("out of memory");
  return -1;
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

static int
load_facts (struct gs_ctx *ctx, guestfs_h *g, const char *root,
            json_object *os)
{
  for (size_t i = 0; i < NFACTS; ++i) {
    const char *k = fact_keys[i];
    char *v = NULL;

    if (strcmp (k, "type") == 0) v = guestfs_inspect_get_type (g, root);
    else if (strcmp (k, "distro") == 0) v = guestfs_inspect_get_distro (g, root);
    else if (strcmp (k, "product-name") == 0)
      v = guestfs_inspect_get_product_name (g, root);
    else if (strcmp (k, "package-format") == 0)
      v = guestfs_inspect_get_package_format (g, root);
    else if (strcmp (k, "package-management") == 0)
      v = guestfs_inspect_get_package_management (g, root);
    else if (strcmp (k, "arch") == 0) v = guestfs_inspect_get_arch (g, root);
    else if (strcmp (k, "hostname") == 0)
      v = guestfs_inspect_get_hostname (g, root);
    else {
      int n = k[1] == 'a' ? guestfs_inspect_get_major_version (g, root)
                          : guestfs_inspect_get_minor_version (g, root);
      if (n >= 0 && asprintf (&v, "%d", n) == -1)
        v = NULL;
    }
    if (v && strcmp (v, "unknown") == 0) {
      free (v);
      v = NULL;
    }
    ctx->facts[i] = v;
    if (v && gs_int_json_add_string (os, k, v) == -1)
      return -1;
  }
  return 0;
}

static const char *
status_name (int status)
{
  static const char *const n[] = {
    "applied", "not-applicable", "skipped", "failed"
  };
  return n[status];
}

enum { ST_APPLIED = GS_OP_APPLIED, ST_NA = GS_OP_NA,
       ST_SKIPPED = GS_OP_SKIPPED, ST_FAILED = GS_OP_FAILED };

/* Run one operation on the root; return its status (GS_OP_*). */
int
gs_int_run_op (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
        const char *root, bool skip, json_object *ops)
{
  json_object *o = json_object_new_object ();
  double t0 = now ();
  int status, r;

  if (o == NULL || json_object_array_add (ops, o)) {
    json_object_put (o);
    gs_error ("out of memory");
    return ST_FAILED;
  }
  gs_int_json_add_string (o, "name", op->name);
  ctx->paths = json_object_new_array ();
  ctx->bytes = 0;
  ctx->not_applicable = false;
  free (ctx->reason);
  ctx->reason = NULL;

  if (skip) {
    status = ST_SKIPPED;
    ctx->reason = strdup ("an earlier operation failed");
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
    r = op->def->perform (op, ctx, g, root);
    gs_int_set_current_op (NULL);
    if (r == -1) {
      status = ST_FAILED;
      ctx->reason = strdup (gs_int_last_error ()[0]
                            ? gs_int_last_error () : "failed");
    }
    else
      status = ctx->not_applicable ? ST_NA : ST_APPLIED;
  }

  gs_int_json_add_string (o, "status", status_name (status));
  if (ctx->reason)
    gs_int_json_add_string (o, "reason", ctx->reason);
  json_object_object_add (o, "paths", ctx->paths);
  json_object_object_add (o, "bytes", json_object_new_int64 (ctx->bytes));
  json_object_object_add (o, "duration_ms",
                          json_object_new_int64 ((int64_t)
                                                 ((now () - t0) * 1000)));
  ctx->paths = NULL;
  return status;
}

static int
run_root (struct gs_session *s, struct gs_registry *reg, const char *root,
          const struct gs_run_opts *opts, json_object *jroot)
{
  guestfs_h *g = s->g;
  struct gs_ctx ctx = { .dry_run = opts->dry_run, .exclude = opts->exclude,
                        .disk_start = opts->disk_start,
                        .disk_count = opts->disk_count };
  json_object *os = json_object_new_object ();
  json_object *ops = json_object_new_array ();
  bool failed = false, mounted = false;
  int r = 0;

  json_object_object_add (jroot, "os", os);
  json_object_object_add (jroot, "operations", ops);
  if (strcmp (opts->family, "inspect") == 0) {
    ctx.inspect = json_object_new_object ();
    json_object_object_add (jroot, "inspect", ctx.inspect);
    gs_inspect_set (&ctx, "root", root);
  }
  if (load_facts (&ctx, g, root, os) == -1) {
    r = -1;
    goto out;
  }
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
        s->quiet_errors = true;
        r = gs_int_mount_root (g, root, opts->dry_run ||
                               phase == GS_PHASE_INSPECT,
                               opts->mount_options, &ctx);
        s->quiet_errors = false;
        if (r == -1) {
          gs_int_report_set_error (jroot, gs_int_last_error ());
          failed = true;
        }
        mounted = r == 0;
      }
      if (phase == GS_PHASE_DEVICES && mounted) {
        if (guestfs_umount_all (g) == -1)
          failed = true;
        mounted = false;
      }
      if (gs_int_run_op (op, &ctx, g, root, failed, ops) == ST_FAILED)
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
gs_int_run_guest (struct gs_session *s, struct gs_registry *reg,
                  const struct gs_guest *guest,
                  const struct gs_run_opts *opts, json_object *jguest)
{
  CLEANUP_FREE_STRV char **roots = guestfs_inspect_os (s->g);

  if (roots == NULL) {
    json_object_object_add (jguest, "roots", json_object_new_array ());
    gs_int_report_set_error (jguest, s->last_guestfs_error);
    return -1;
  }
  if (roots[0] == NULL) {
    char msg[512];

    snprintf (msg, sizeof msg, "%s: no operating system was found on "
              "this disk image", guest->name);
    gs_error ("%s", msg);
    gs_int_report_set_error (jguest, msg);
    json_object_object_add (jguest, "roots", json_object_new_array ());
    return -1;
  }
  return gs_int_run_roots (s, reg, roots, opts, jguest);
}

int
gs_int_run_roots (struct gs_session *s, struct gs_registry *reg,
                  char *const *roots, const struct gs_run_opts *opts,
                  json_object *jguest)
{
  json_object *jroots = json_object_new_array ();
  int r = 0;

  json_object_object_add (jguest, "roots", jroots);
  for (size_t i = 0; roots[i] != NULL; ++i) {
    json_object *jroot = json_object_new_object ();

    json_object_array_add (jroots, jroot);
    gs_int_json_add_string (jroot, "root", roots[i]);
    if (run_root (s, reg, roots[i], opts, jroot) == -1)
      r = -1;
  }
  return r;
}
