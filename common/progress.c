/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.c: --progress-fd N, progress a pipeline can read: one JSON
 * object per line and per event (goldsmith(1), PROGRESS EVENTS), each
 * written with one write(2), so that the lines of parallel jobs (which
 * inherit the descriptor) never mix.  The text bars stay for terminals.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

static int progress_fd = -1;
static int last_percent = -1;
static bool launching;           /* libguestfs's launch steps are no copy */

int
gs_int_progress_open (int fd)
{
  if (fd < 0 || fcntl (fd, F_GETFL) == -1) {
    gs_error ("--progress-fd %d: not an open file descriptor", fd);
    return -1;
  }
  if (fd <= 1) {
    gs_error ("--progress-fd %d: standard %s is not for progress events",
              fd, fd == 0 ? "input" : "output (the report)");
    return -1;
  }
  progress_fd = fd;
  return 0;
}

bool
gs_int_progress_on (void)
{
  return progress_fd >= 0;
}

static double
wall (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Send O (taken) with its "event" and "time" first. */
static void
emit (const char *event, json_object *o)
{
  json_object *line = json_object_new_object ();
  const char *s;

  json_object_object_add (line, "event", json_object_new_string (event));
  json_object_object_add (line, "time", json_object_new_double (wall ()));
  json_object_object_add (line, "pid", json_object_new_int (getpid ()));
  json_object_object_foreach (o, k, v)
    json_object_object_add (line, k, json_object_get (v));
  json_object_put (o);
  s = json_object_to_json_string_ext (line, JSON_C_TO_STRING_PLAIN |
                                      JSON_C_TO_STRING_NOSLASHESCAPE);
  if (s) {
    /* One write per line, newline included: a reader never sees half
     * of one.  (A line is never cut: guest strings can be long.)
     */
    CLEANUP_FREE char *text = gs_xasprintf ("%s\n", s);

    if (gs_int_write_all (progress_fd, text, strlen (text)) == -1) {
      /* A reader that went away does not stop the run. */
      gs_warning ("--progress-fd %d: %m: no more progress events",
                  progress_fd);
      progress_fd = -1;
    }
  }
  json_object_put (line);
}

void
gs_int_progress_image (const char *event, const char *tool,
                       const char *image, const struct gs_guest_result *g)
{
  json_object *o;

  if (progress_fd < 0)
    return;
  o = json_object_new_object ();
  gs_int_json_add_string (o, "tool", tool);
  gs_int_json_add_string (o, "image", image);
  if (g) {
    json_object_object_add (o, "exit_status", json_object_new_int (g->exit));
    if (g->committed != GS_COMMIT_NONE)
      json_object_object_add (o, "committed",
                              json_object_new_boolean (g->committed
                                                       == GS_COMMIT_DONE));
    if (g->error)
      gs_int_json_add_string (o, "error", g->error);
  }
  emit (event, o);
}

void
gs_int_progress_launch (size_t guests, size_t disks, double seconds,
                        const char *accel, int ok)
{
  json_object *o;

  launching = ok < 0;
  if (progress_fd < 0)
    return;
  o = json_object_new_object ();
  json_object_object_add (o, "guests", json_object_new_int64 ((int64_t) guests));
  json_object_object_add (o, "disks", json_object_new_int64 ((int64_t) disks));
  if (ok >= 0) {
    json_object_object_add (o, "ok", json_object_new_boolean (ok));
    json_object_object_add (o, "seconds", json_object_new_double (seconds));
    gs_int_json_add_string (o, "accel", accel);
  }
  emit (ok >= 0 ? "launched" : "launch", o);
}

void
gs_int_progress_operation (const char *image, const char *root,
                           const struct gs_op_result *op)
{
  json_object *o;

  if (progress_fd < 0)
    return;
  o = json_object_new_object ();
  gs_int_json_add_string (o, "image", image);
  gs_int_json_add_string (o, "root", root);
  gs_int_json_add_string (o, "operation", op->name);
  gs_int_json_add_string (o, "status", gs_int_op_status_name (op->status));
  json_object_object_add (o, "paths", json_object_new_int64
                          ((int64_t) op->npaths));
  json_object_object_add (o, "bytes", json_object_new_int64 (op->bytes));
  json_object_object_add (o, "duration_ms",
                          json_object_new_int64 (op->duration_ms));
  emit ("operation", o);
}

/* Bytes copied of TOTAL (resize, sparsify, a commit): at most one
 * event per percent, and the last.
 */
void
gs_int_progress_copy (uint64_t done, uint64_t total)
{
  json_object *o;
  int pc;

  if (total == 0 || launching)
    return;
  gs_int_mr_progress (done, total);   /* every event, as the anchors */
  if (progress_fd < 0)
    return;
  pc = (int) (done * 100 / total);
  if (pc == last_percent && done < total)
    return;
  last_percent = done >= total ? -1 : pc;
  o = json_object_new_object ();
  json_object_object_add (o, "bytes", json_object_new_int64 ((int64_t) done));
  json_object_object_add (o, "total", json_object_new_int64 ((int64_t) total));
  emit ("copy", o);
}

/* A tool of one image (resize, sparsify): its end, with CODE. */
void
gs_int_progress_done (const char *tool, const char *image, int code)
{
  struct gs_guest_result g = {
    .exit = code,
    .error = code != GS_EXIT_OK ? (char *) gs_int_last_error () : NULL,
  };

  if (g.error && g.error[0] == '\0')
    g.error = NULL;
  gs_int_progress_image ("image-done", tool, image, &g);
}
