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

  plan (7);
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
  return exit_status ();
}
