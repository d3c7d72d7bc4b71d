/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.c: the result of a run, built as one JSON document (guest
 * strings made valid UTF-8 first; json-c escapes their control
 * characters) and printed either as JSON or as text for a person.
 */
#include <config.h>

#include <stdio.h>
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
  json_object_object_add (r, "guests", json_object_new_array ());
  return r;
}

json_object *
gs_int_report_add_guest (json_object *report, const struct gs_guest *guest)
{
  json_object *g = json_object_new_object (), *guests, *disks;

  if (g == NULL || !json_object_object_get_ex (report, "guests", &guests))
    return NULL;
  json_object_array_add (guests, g);
  gs_int_json_add_string (g, "name", guest->name);
  disks = json_object_new_array ();
  json_object_object_add (g, "disks", disks);
  for (size_t i = 0; i < guest->ndisks; ++i) {
    json_object *d = json_object_new_object ();

    json_object_array_add (disks, d);
    gs_int_json_add_string (d, "path", guest->disks[i].path);
    gs_int_json_add_string (d, "format", guest->disks[i].format);
    json_object_object_add (d, "readonly",
                            json_object_new_boolean (guest->disks[i].readonly));
  }
  return g;
}

void
gs_int_report_set_error (json_object *obj, const char *msg)
{
  gs_int_json_add_string (obj, "error", msg && msg[0] ? msg : "failed");
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

static const char *
get_str (json_object *o, const char *key)
{
  json_object *v;

  return json_object_object_get_ex (o, key, &v) ? json_object_get_string (v)
                                                 : NULL;
}

void
gs_int_report_print_text (json_object *report)
{
  json_object *guests, *v;
  bool dry = json_object_object_get_ex (report, "dry_run", &v) &&
    json_object_get_boolean (v);

  if (!json_object_object_get_ex (report, "guests", &guests))
    return;
  for (size_t i = 0; i < json_object_array_length (guests); ++i) {
    json_object *g = json_object_array_get_idx (guests, i), *roots;

    printf ("%s", dry ? "Dry run (nothing was changed): " : "");
    gs_int_print_safe (stdout, get_str (g, "name"), SIZE_MAX);
    if (get_str (g, "error")) {
      printf (": failed: ");
      gs_int_print_safe (stdout, get_str (g, "error"), SIZE_MAX);
    }
    printf ("\n");
    if (!json_object_object_get_ex (g, "roots", &roots))
      continue;
    for (size_t j = 0; j < json_object_array_length (roots); ++j) {
      json_object *r = json_object_array_get_idx (roots, j), *os, *ops;
      const char *pn = NULL;

      if (json_object_object_get_ex (r, "os", &os))
        pn = get_str (os, "product-name");
      printf ("  root ");
      gs_int_print_safe (stdout, get_str (r, "root"), SIZE_MAX);
      if (pn) {
        printf (" (");
        gs_int_print_safe (stdout, pn, SIZE_MAX);
        printf (")");
      }
      printf ("\n");
      if (!json_object_object_get_ex (r, "operations", &ops))
        continue;
      for (size_t k = 0; k < json_object_array_length (ops); ++k) {
        json_object *o = json_object_array_get_idx (ops, k), *paths;
        const char *reason = get_str (o, "reason");

        printf ("    %-24s %s", get_str (o, "name"), get_str (o, "status"));
        if (reason) {
          printf (": ");
          gs_int_print_safe (stdout, reason, SIZE_MAX);
        }
        printf ("\n");
        if (!json_object_object_get_ex (o, "paths", &paths))
          continue;
        for (size_t l = 0; l < json_object_array_length (paths); ++l) {
          json_object *p = json_object_array_get_idx (paths, l), *b;
          long long bytes = json_object_object_get_ex (p, "bytes", &b)
            ? (long long) json_object_get_int64 (b) : -1;

          printf ("      %-6s ", get_str (p, "action"));
          gs_int_print_safe (stdout, get_str (p, "path"), SIZE_MAX);
          if (bytes >= 0)
            printf (" (%lld bytes)", bytes);
          printf ("\n");
        }
      }
    }
  }
}

/* The report's "appliance": how it ran (the TCG fallback included). */
void
gs_int_report_launches (json_object *report, int launches, bool tcg,
                        const char *accel)
{
  json_object *old = json_object_object_get (report, "appliance");
  json_object *app = json_object_new_object ();

  /* Several launches (several guests, or jobs): one entry, counting
   * them; a TCG fallback in any of them is reported.
   */
  if (old) {
    launches += json_object_get_int (json_object_object_get (old,
                                                             "launches"));
    tcg = tcg || json_object_get_boolean (json_object_object_get
                                          (old, "tcg_fallback"));
  }
  gs_int_json_add_string (app, "accel", tcg ? "tcg" : accel);
  json_object_object_add (app, "tcg_fallback",
                          json_object_new_boolean (tcg));
  json_object_object_add (app, "launches", json_object_new_int (launches));
  json_object_object_add (report, "appliance", app);
}

void
gs_int_report_appliance (json_object *report, const struct gs_session *s,
                         const struct gs_settings *settings)
{
  gs_int_report_launches (report, 1, s->tcg_fallback, settings->accel);
}
