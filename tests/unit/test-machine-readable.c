/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-machine-readable: --machine-readable's channel
 * (common/machine-readable.c) without an appliance: the FORMATs
 * accepted and refused, progress as N/M lines (none with -q), every
 * message but debug as one JSON line with its type and an RFC 3339
 * timestamp.
 */
#include <config.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "goldsmith-plugin.h"
#include "goldsmith-int.h"
#include "unit-util.h"

int
main (void)
{
  char dir[] = "/tmp/gs-mr-XXXXXX";
  char *path, *spec, line[4096];
  FILE *fp;
  json_object *o;
  regex_t rfc3339;
  int n = 0;

  plan (13);
  if (mkdtemp (dir) == NULL)
    abort ();
  path = gs_xasprintf ("%s/mr.jsonl", dir);
  spec = gs_xasprintf ("file:%s", path);

  ok (gs_int_mr_open ("stream:nowhere") == -1 && !gs_int_mr_on (),
      "an unknown FORMAT is refused");
  ok (gs_int_mr_open ("fd:") == -1 && gs_int_mr_open ("fd:-1") == -1 &&
      gs_int_mr_open ("fd:x") == -1, "fd: needs a descriptor number");
  ok (gs_int_mr_open ("file:") == -1, "file: needs a path");
  ok (gs_int_mr_open (spec) == 0 && gs_int_mr_on (), "file:PATH is opened");

  gs_int_set_verbosity (false, false);
  gs_int_progress_copy (5, 10);
  gs_info ("Copying %s", "/dev/sda1");
  gs_warning ("a \"quoted\" warning");
  gs_debug ("not in machine-readable output");
  gs_int_set_verbosity (true, false);      /* -q */
  gs_int_progress_copy (10, 10);
  gs_error ("an error");

  fp = fopen (path, "r");
  ok (fp != NULL, "the file exists");
  if (fp == NULL)
    return exit_status ();
  ok (fgets (line, sizeof line, fp) && strcmp (line, "5/10\n") == 0,
      "progress is a N/M line");
  regcomp (&rfc3339, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
           "[0-9]{2}\\.[0-9]{9}[+-][0-9]{2}:[0-9]{2}$", REG_EXTENDED);
  {
    static const char *const want[][2] = {
      { "message", "Copying /dev/sda1" },
      { "warning", "a \"quoted\" warning" },
      { "error", "an error" },
    };

    for (size_t i = 0; i < 3 && fgets (line, sizeof line, fp); ++i) {
      const char *ts;

      o = json_tokener_parse (line);
      ts = json_object_get_string (json_object_object_get (o, "timestamp"));
      ok (o && json_object_object_length (o) == 3 &&
          strcmp (json_object_get_string (json_object_object_get
                                          (o, "type")), want[i][0]) == 0 &&
          strcmp (json_object_get_string (json_object_object_get
                                          (o, "message")), want[i][1]) == 0,
          "a %s is one JSON line: %s", want[i][0], want[i][1]);
      ok (ts && regexec (&rfc3339, ts, 0, NULL, 0) == 0,
          "its timestamp is RFC 3339 with nanoseconds: %s", ts ? ts : "");
      json_object_put (o);
      n++;
    }
  }
  ok (n == 3 && fgets (line, sizeof line, fp) == NULL,
      "no debug line, and no progress line with -q");
  regfree (&rfc3339);
  fclose (fp);
  unlink (path);
  rmdir (dir);
  free (path);
  free (spec);
  return exit_status ();
}
