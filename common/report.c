/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.c: the renderers of a run's results (result.h): one JSON
 * document (guest strings made valid UTF-8 first; json-c escapes their
 * control characters) or text for a person.  The same JSON is the wire
 * form a parallel job sends its parent, read back here into results.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "cleanups.h"

int
gs_int_json_add_string (json_object *obj, const char *key, const char *value)
{
  /* Guest strings (hostnames, paths) may be any bytes: a report holds
   * valid UTF-8 only, or it is not JSON.
   */
  CLEANUP_FREE char *v = gs_int_utf8_copy (value ? value : "", false);
  json_object *s = v ? json_object_new_string (v) : NULL;

  if (s == NULL || json_object_object_add (obj, key, s)) {
    json_object_put (s);
    return -1;
  }
  return 0;
}

/* The head every tool's report starts with. */
json_object *
gs_int_report_new (const char *tool, bool dry_run)
{
  json_object *r = json_object_new_object ();

  if (r == NULL)
    return NULL;
  gs_int_json_add_string (r, "program", PACKAGE_NAME);
  gs_int_json_add_string (r, "version", PACKAGE_VERSION);
  gs_int_json_add_string (r, "tool", tool);
  json_object_object_add (r, "dry_run", json_object_new_boolean (dry_run));
  return r;
}

void
gs_int_report_set_error (json_object *obj, const char *msg)
{
  gs_int_json_add_string (obj, "error", msg && msg[0] ? msg : "failed");
}

/* The report's "appliance": how it ran (the TCG fallback included). */
void
gs_int_report_appliance (json_object *report, int launches, bool tcg,
                         const char *accel)
{
  json_object *app = json_object_new_object ();

  gs_int_json_add_string (app, "accel", tcg ? "tcg" : accel);
  json_object_object_add (app, "tcg_fallback",
                          json_object_new_boolean (tcg));
  json_object_object_add (app, "launches", json_object_new_int (launches));
  json_object_object_add (report, "appliance", app);
}

int
gs_int_report_print_json (json_object *report)
{
  const char *s = json_object_to_json_string_ext (report,
                                                  JSON_C_TO_STRING_PRETTY |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE);

  if (s == NULL || printf ("%s\n", s) < 0 || fflush (stdout) == EOF) {
    gs_error ("cannot write the report: %m");
    return -1;
  }
  return 0;
}

/* ---- results to JSON --------------------------------------------- */

static const char *const status_names[] = {
  [GS_OP_APPLIED] = "applied", [GS_OP_NA] = "not-applicable",
  [GS_OP_SKIPPED] = "skipped", [GS_OP_FAILED] = "failed",
};
const char *
gs_int_op_status_name (int status)
{
  return status_names[status];
}

static const char *const action_names[] = {
  [GS_ACTION_REMOVED] = "remove", [GS_ACTION_CHANGED] = "change",
  [GS_ACTION_CREATED] = "create",
};

static json_object *
fields_json (const struct gs_fields *f)
{
  json_object *o = json_object_new_object ();

  for (size_t i = 0; o && i < f->n; ++i)
    gs_int_json_add_string (o, f->key[i], f->value[i]);
  return o;
}

json_object *
gs_int_op_result_json (const struct gs_op_result *op)
{
  json_object *o = json_object_new_object ();
  json_object *paths = json_object_new_array ();

  gs_int_json_add_string (o, "name", op->name);
  gs_int_json_add_string (o, "status", status_names[op->status]);
  if (op->reason)
    gs_int_json_add_string (o, "reason", op->reason);
  for (size_t i = 0; i < op->npaths; ++i) {
    json_object *p = json_object_new_object ();

    /* json-c escapes whatever bytes a guest file name holds. */
    gs_int_json_add_string (p, "path", op->paths[i].path);
    gs_int_json_add_string (p, "action", action_names[op->paths[i].action]);
    json_object_object_add (p, "bytes",
                            json_object_new_int64 (op->paths[i].bytes));
    json_object_array_add (paths, p);
  }
  json_object_object_add (o, "paths", paths);
  json_object_object_add (o, "bytes", json_object_new_int64 (op->bytes));
  json_object_object_add (o, "duration_ms",
                          json_object_new_int64 (op->duration_ms));
  return o;
}

json_object *
gs_int_op_results_json (const struct gs_op_results *ops)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; i < ops->n; ++i)
    json_object_array_add (a, gs_int_op_result_json (&ops->op[i]));
  return a;
}

static json_object *
inspect_json (const struct gs_inspect_result *ir)
{
  json_object *o = fields_json (&ir->fields);

  for (size_t i = 0; i < ir->nlists; ++i) {
    json_object *l = json_object_new_array ();

    for (size_t k = 0; k < ir->list[i].n; ++k)
      json_object_array_add (l, fields_json (&ir->list[i].item[k]));
    json_object_object_add (o, ir->list[i].name, l);
  }
  return o;
}

static json_object *
root_json (const struct gs_root_result *rr)
{
  json_object *o = json_object_new_object ();

  gs_int_json_add_string (o, "root", rr->root);
  json_object_object_add (o, "os", fields_json (&rr->os));
  json_object_object_add (o, "operations", gs_int_op_results_json (&rr->ops));
  if (rr->inspect)
    json_object_object_add (o, "inspect", inspect_json (rr->inspect));
  if (rr->error)
    gs_int_report_set_error (o, rr->error);
  return o;
}

/* WITH_OSES: inspect's "operatingsystems", its roots' records. */
json_object *
gs_int_guest_result_json (const struct gs_guest_result *g, bool with_oses)
{
  json_object *o = json_object_new_object ();
  json_object *disks = json_object_new_array ();
  json_object *roots = json_object_new_array ();

  gs_int_json_add_string (o, "name", g->name);
  for (size_t i = 0; i < g->ndisks; ++i) {
    json_object *d = json_object_new_object ();

    gs_int_json_add_string (d, "path", g->disk[i].path);
    gs_int_json_add_string (d, "format", g->disk[i].format);
    json_object_object_add (d, "readonly",
                            json_object_new_boolean (g->disk[i].readonly));
    json_object_array_add (disks, d);
  }
  json_object_object_add (o, "disks", disks);
  for (size_t i = 0; i < g->nroots; ++i)
    json_object_array_add (roots, root_json (&g->root[i]));
  json_object_object_add (o, "roots", roots);
  if (g->error)
    gs_int_report_set_error (o, g->error);
  if (g->committed != GS_COMMIT_NONE)
    json_object_object_add (o, "committed",
                            json_object_new_boolean (g->committed
                                                     == GS_COMMIT_DONE));
  if (with_oses) {
    json_object *oses = json_object_new_array ();

    for (size_t i = 0; i < g->nroots; ++i)
      if (g->root[i].inspect)
        json_object_array_add (oses, inspect_json (g->root[i].inspect));
    json_object_object_add (o, "operatingsystems", oses);
  }
  return o;
}

json_object *
gs_int_result_json (const struct gs_run_result *r)
{
  json_object *o = gs_int_report_new (r->tool, r->dry_run);
  json_object *guests = json_object_new_array ();
  bool oses = strcmp (r->tool, "inspect") == 0;

  for (size_t i = 0; i < r->nguests; ++i)
    json_object_array_add (guests,
                           gs_int_guest_result_json (&r->guest[i], oses));
  json_object_object_add (o, "guests", guests);
  if (r->launches > 0)
    gs_int_report_appliance (o, r->launches, r->tcg_fallback, r->accel);
  return o;
}

/* ---- JSON back to results (a parallel job's answer) --------------- */

static const char *
jstr (json_object *o, const char *key)
{
  json_object *v;

  return json_object_object_get_ex (o, key, &v) &&
    json_object_is_type (v, json_type_string) ? json_object_get_string (v)
                                               : NULL;
}

static json_object *
jarr (json_object *o, const char *key)
{
  json_object *v;

  return json_object_object_get_ex (o, key, &v) &&
    json_object_is_type (v, json_type_array) ? v : NULL;
}

static int
index_of (const char *const *names, size_t n, const char *s)
{
  for (size_t i = 0; s && i < n; ++i)
    if (names[i] && strcmp (names[i], s) == 0)
      return (int) i;
  return -1;
}

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static void
fields_from_json (json_object *o, struct gs_fields *f)
{
  if (!json_object_is_type (o, json_type_object))
    return;
  json_object_object_foreach (o, k, v)
    if (json_object_is_type (v, json_type_string))
      gs_int_fields_set (f, k, json_object_get_string (v));
}

static int
op_from_json (json_object *o, struct gs_op_results *ops)
{
  struct gs_op_result *op = gs_int_result_add_op (ops, jstr (o, "name"));
  json_object *paths = jarr (o, "paths"), *v;

  if ((op->status = index_of (status_names, COUNT (status_names),
                              jstr (o, "status"))) == -1)
    return -1;
  if (jstr (o, "reason"))
    op->reason = strdup (jstr (o, "reason"));
  for (size_t i = 0; paths && i < json_object_array_length (paths); ++i) {
    json_object *p = json_object_array_get_idx (paths, i);
    int a = index_of (action_names, COUNT (action_names),
                      jstr (p, "action"));

    if (a == -1 || jstr (p, "path") == NULL)
      return -1;
    gs_int_result_add_path (op, jstr (p, "path"), a,
                            json_object_get_int64 (json_object_object_get
                                                   (p, "bytes")));
  }
  if (json_object_object_get_ex (o, "duration_ms", &v))
    op->duration_ms = json_object_get_int64 (v);
  return 0;
}

static void
inspect_from_json (json_object *o, struct gs_inspect_result *ir)
{
  json_object_object_foreach (o, k, v) {
    if (json_object_is_type (v, json_type_string))
      gs_int_fields_set (&ir->fields, k, json_object_get_string (v));
    else if (json_object_is_type (v, json_type_array)) {
      gs_int_inspect_list (ir, k, false);
      for (size_t i = 0; i < json_object_array_length (v); ++i)
        fields_from_json (json_object_array_get_idx (v, i),
                          gs_int_inspect_list (ir, k, true));
    }
  }
}

int
gs_int_guest_result_from_json (json_object *j, struct gs_guest_result *g)
{
  json_object *roots = jarr (j, "roots"), *v;

  if (roots == NULL)
    return -1;
  for (size_t i = 0; i < json_object_array_length (roots); ++i) {
    json_object *jr = json_object_array_get_idx (roots, i), *ops, *ins;
    struct gs_root_result *rr = gs_int_result_add_root (g, jstr (jr, "root"));

    json_object_object_get_ex (jr, "os", &v);
    fields_from_json (v, &rr->os);
    ops = jarr (jr, "operations");
    for (size_t k = 0; ops && k < json_object_array_length (ops); ++k)
      if (op_from_json (json_object_array_get_idx (ops, k), &rr->ops) == -1)
        return -1;
    if (json_object_object_get_ex (jr, "inspect", &ins) &&
        json_object_is_type (ins, json_type_object)) {
      if ((rr->inspect = calloc (1, sizeof *rr->inspect)) == NULL)
        return -1;
      inspect_from_json (ins, rr->inspect);
    }
    if (jstr (jr, "error"))
      gs_int_result_set_error (&rr->error, jstr (jr, "error"));
  }
  if (jstr (j, "error"))
    gs_int_result_set_error (&g->error, jstr (j, "error"));
  if (json_object_object_get_ex (j, "committed", &v))
    g->committed = json_object_get_boolean (v) ? GS_COMMIT_DONE
                                               : GS_COMMIT_NOT_DONE;
  return 0;
}

/* ---- text --------------------------------------------------------- */

void
gs_int_result_print_text (const struct gs_run_result *r)
{
  for (size_t i = 0; i < r->nguests; ++i) {
    const struct gs_guest_result *g = &r->guest[i];

    printf ("%s", r->dry_run ? "Dry run (nothing was changed): " : "");
    gs_int_print_safe (stdout, g->name, SIZE_MAX);
    if (g->error) {
      printf (": failed: ");
      gs_int_print_safe (stdout, g->error, SIZE_MAX);
    }
    printf ("\n");
    for (size_t j = 0; j < g->nroots; ++j) {
      const struct gs_root_result *rr = &g->root[j];
      const char *pn = gs_int_fields_get (&rr->os, "product-name");

      printf ("  root ");
      gs_int_print_safe (stdout, rr->root, SIZE_MAX);
      if (pn) {
        printf (" (");
        gs_int_print_safe (stdout, pn, SIZE_MAX);
        printf (")");
      }
      printf ("\n");
      for (size_t k = 0; k < rr->ops.n; ++k) {
        const struct gs_op_result *o = &rr->ops.op[k];

        printf ("    %-24s %s", o->name, status_names[o->status]);
        if (o->reason) {
          printf (": ");
          gs_int_print_safe (stdout, o->reason, SIZE_MAX);
        }
        printf ("\n");
        for (size_t l = 0; l < o->npaths; ++l) {
          printf ("      %-6s ", action_names[o->paths[l].action]);
          gs_int_print_safe (stdout, o->paths[l].path, SIZE_MAX);
          if (o->paths[l].bytes >= 0)
            printf (" (%lld bytes)", (long long) o->paths[l].bytes);
          printf ("\n");
        }
      }
    }
  }
}
