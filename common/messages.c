/* SPDX-License-Identifier: GPL-2.0-or-later */
/* messages.c: every message goldsmith prints goes through here, so that
 * stdout stays free for the report (JSON or text) and each line says
 * who speaks: "goldsmith: [OPERATION: ]error: text".  Messages are
 * never cut (a long argument must not hide the reason), and errno is
 * the same after a message as before it, so a caller may still say %m.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "goldsmith-int.h"

static const char *program = "goldsmith";
static bool quiet, verbose;
static const char *current_op;   /* prefix while a plugin runs */
static char *last_error;        /* whole, for the report */

void
gs_int_set_verbosity (bool q, bool v)
{
  quiet = q;
  verbose = v;
}

bool
gs_int_verbose (void)
{
  return verbose;
}

bool
gs_int_quiet (void)
{
  return quiet;
}

void
gs_int_set_current_op (const char *name)
{
  current_op = name;
}

void
gs_int_set_program (const char *name)
{
  program = name;
}

const char *
gs_int_last_error (void)
{
  return last_error ? last_error : "";
}

void
gs_int_clear_last_error (void)
{
  free (last_error);
  last_error = NULL;
}

void
gs_int_print_safe (FILE *fp, const char *s, size_t n)
{
  for (size_t i = 0; i < n && s[i]; ++i) {
    unsigned char c = (unsigned char) s[i];

    if (c < 0x20 || c == 0x7f)
      fprintf (fp, "\\x%02x", c);
    else
      fputc (c, fp);
  }
}

char *
gs_int_printable (const char *s)
{
  char *r = NULL;
  size_t len;
  FILE *fp = open_memstream (&r, &len);

  if (fp == NULL)
    return NULL;
  gs_int_print_safe (fp, s, SIZE_MAX);
  if (fclose (fp) != 0) {
    free (r);
    return NULL;
  }
  return r;
}

const char *
gs_int_human_size (int64_t bytes, char *buf, size_t len)
{
  static const char units[] = "KMGT";
  const char *sign = bytes < 0 ? "-" : "";
  /* As virt-resize's human_size: each step divides the integer, so
   * 1048575 is "1024.0K", not "1.0M".
   */
  uint64_t i = bytes < 0 ? -(uint64_t) bytes : (uint64_t) bytes;
  size_t u;

  if (i < 1024) {
    snprintf (buf, len, "%s%" PRIu64, sign, i);
    return buf;
  }
  for (u = 0; ; ++u) {
    double f = (double) i / 1024;

    i /= 1024;
    if (i < 1024 || u == sizeof units - 2) {
      snprintf (buf, len, "%s%.1f%c", sign, f, units[u]);
      return buf;
    }
  }
}

static void vmessage (const char *kind, const char *fs, va_list args)
  __attribute__((format (printf, 2, 0)));

static void
vmessage (const char *kind, const char *fs, va_list args)
{
  int saved_errno = errno;
  char *msg = NULL;

  /* gcc 12 with sanitizers can't see fs is never NULL (format-truncation). */
  if (fs == NULL)
    fs = "(null)";
  if (vasprintf (&msg, fs, args) == -1)
    msg = NULL;
  fflush (stdout);
  fprintf (stderr, "%s: ", program);
  if (current_op)
    fprintf (stderr, "%s: ", current_op);
  if (kind[0])
    fprintf (stderr, "%s: ", kind);
  fprintf (stderr, "%s\n", msg ? msg : "out of memory (formatting a message)");
  if (strcmp (kind, "error") == 0) {
    free (last_error);
    last_error = msg;
  }
  else
    free (msg);
  errno = saved_errno;
}

void
gs_error (const char *fs, ...)
{
  va_list args;

  va_start (args, fs);
  vmessage ("error", fs, args);
  va_end (args);
}

void
gs_warning (const char *fs, ...)
{
  va_list args;

  va_start (args, fs);
  vmessage ("warning", fs, args);
  va_end (args);
}

void
gs_info (const char *fs, ...)
{
  va_list args;

  if (quiet)
    return;
  va_start (args, fs);
  vmessage ("", fs, args);
  va_end (args);
}

void
gs_debug (const char *fs, ...)
{
  va_list args;

  if (!verbose)
    return;
  va_start (args, fs);
  vmessage ("debug", fs, args);
  va_end (args);
}
