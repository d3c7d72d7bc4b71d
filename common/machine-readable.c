/* SPDX-License-Identifier: GPL-2.0-or-later */
/* machine-readable.c: --machine-readable[=FORMAT] of resize and
 * sparsify, as virt-resize and virt-sparsify have it: progress as
 * "N/M" lines, and every message, warning and error also as one
 * compact JSON object a line ({"message", "timestamp", "type"}), on
 * the channel FORMAT names (stream:stdout, stream:stderr, fd:N,
 * file:PATH; none: stdout).  The usual lines on stderr stay.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "goldsmith-int.h"

static FILE *mr;                 /* NULL: not machine-readable */

int
gs_int_mr_open (const char *format)
{
  const char *what = NULL;

  if (format == NULL || format[0] == '\0' ||
      strcmp (format, "stream:stdout") == 0)
    mr = stdout;
  else if (strcmp (format, "stream:stderr") == 0)
    mr = stderr;
  else if (strncmp (format, "fd:", 3) == 0) {
    char *end;
    long fd;

    errno = 0;
    fd = strtol (format + 3, &end, 10);
    if (format[3] == '\0' || *end || errno || fd < 0 || fd > 65535 ||
        fcntl ((int) fd, F_GETFL) == -1)
      what = "not an open file descriptor";
    else if ((mr = fdopen ((int) fd, "w")) == NULL)
      what = strerror (errno);
  }
  else if (strncmp (format, "file:", 5) == 0 && format[5]) {
    if ((mr = fopen (format + 5, "w")) == NULL)
      what = strerror (errno);
  }
  else
    what = "expected stream:stdout, stream:stderr, fd:N or file:PATH";
  if (what) {
    mr = NULL;
    gs_error ("--machine-readable=%s: %s", format, what);
    return -1;
  }
  /* Line by line: a reader sees each line when it is written. */
  setvbuf (mr, NULL, _IOLBF, 0);
  return 0;
}

bool
gs_int_mr_on (void)
{
  return mr != NULL;
}

/* One message as JSON; TYPE: message, info, warning or error. */
void
gs_int_mr_message (const char *type, const char *msg)
{
  struct timespec ts;
  struct tm tm;
  char date[32], zone[8], stamp[64];
  json_object *o;

  if (mr == NULL)
    return;
  /* RFC 3339 with nanoseconds and the zone, as the anchors print it. */
  clock_gettime (CLOCK_REALTIME, &ts);
  localtime_r (&ts.tv_sec, &tm);
  strftime (date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  strftime (zone, sizeof zone, "%z", &tm);   /* +hhmm -> +hh:mm */
  snprintf (stamp, sizeof stamp, "%s.%09ld%.3s:%s", date, ts.tv_nsec,
            zone, zone + 3);
  o = json_object_new_object ();
  gs_int_json_add_string (o, "message", msg);
  gs_int_json_add_string (o, "timestamp", stamp);
  gs_int_json_add_string (o, "type", type);
  fprintf (mr, "%s\n",
           json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN |
                                           JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (o);
}

/* Progress in place of a bar: "DONE/TOTAL". */
void
gs_int_mr_progress (uint64_t done, uint64_t total)
{
  if (mr && !gs_int_quiet ())    /* -q: no bar, so no lines either */
    fprintf (mr, "%llu/%llu\n", (unsigned long long) done,
             (unsigned long long) total);
}
