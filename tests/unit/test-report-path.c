/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-report-path: --exclude-path is enforced by the core for every
 * change an operation reports (gs_report_path), not by each plugin's
 * goodwill.  No appliance: the context is built here.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "goldsmith-plugin.h"
#include "goldsmith-int.h"
#include "ctx.h"
#include "unit-util.h"

int
main (void)
{
  string_vector res = empty_vector;
  struct gs_exclude *ex;
  struct gs_ctx ctx = { 0 };
  struct gs_op_results ops = { 0 };
  char *err;
  int r;

  plan (17);
  string_vector_append_copy (&res, "^/etc/machine-id$");
  string_vector_append_copy (&res, "^/var/log/keep/");
  ex = gs_int_exclude_new (&res, "--exclude-path");
  ctx.exclude = ex;
  ctx.op = gs_int_result_add_op (&ops, "test");

  is_int (gs_report_path (&ctx, "/etc/hostname", GS_ACTION_CHANGED, 5), 0,
          "an unprotected path is recorded");
  unit_capture_begin ();
  r = gs_report_path (&ctx, "/etc/machine-id", GS_ACTION_CHANGED, 33);
  err = unit_capture_end ();
  is_int (r, -1, "a change to a protected path fails the operation");
  ok (strstr (err, "/etc/machine-id is protected (--exclude-path or "
              "paths.exclude): the operation may not change it") != NULL,
      "... saying which path and why");
  free (err);
  unit_capture_begin ();
  r = gs_report_path (&ctx, "/var/log/keep/a.log", GS_ACTION_REMOVED, 1);
  err = unit_capture_end ();
  is_int (r, -1, "a removal under a protected prefix fails too");
  free (err);
  is_int ((int) ctx.op->npaths, 1,
          "only the unprotected path is in the report");
  is_str (ctx.op->paths[0].path, "/etc/hostname", "... that one");
  ctx.exclude = NULL;
  is_int (gs_report_path (&ctx, "/etc/machine-id", GS_ACTION_CHANGED, 33), 0,
          "without protections the same change is recorded");
  gs_int_op_results_free (&ops);
  gs_int_exclude_free (ex);
  string_vector_free_all (&res);
  /* Symlinked directories, resolved in the guest's root (a realpath):
   * removed there, unless the link leads back up its own path.
   */
  {
    static const struct { const char *lexical, *real; bool ok; } t[] = {
      { "/home", "/srv/home", true },          /* absolute link */
      { "/home/eve", "/srv/users/eve", true }, /* ../../.. clamped at / */
      { "/var/mail", "/var/spool/mail", true },
      { "/var/log/audit", "/", false },        /* the guest's whole root */
      { "/var/log/audit", "/var", false },     /* its own parents */
      { "/var/log/audit", "/var/log/audit", false },
      { "/home", "srv/home", false },          /* not a realpath */
      { "/home", "/srv/../etc", false },
    };

    for (size_t i = 0; i < sizeof t / sizeof t[0]; ++i)
      is_int (gs_int_resolved_dir_ok (t[i].lexical, t[i].real), t[i].ok,
              "%s -> %s: %s", t[i].lexical, t[i].real,
              t[i].ok ? "removed there" : "refused");
    err = gs_int_lexical_path ("//var/./log/../log/audit/");
    is_str (err, "/var/log/audit", "lexical path: . .. // and / dropped");
    free (err);
    err = gs_int_lexical_path ("/../../..");
    is_str (err, "/", "lexical path: .. stops at /");
    free (err);
  }
  return exit_status ();
}
