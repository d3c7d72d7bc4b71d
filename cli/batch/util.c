/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c: the leaf helpers the parts of `goldsmith batch` share (file
 * names beside the report, atomic writes, string lists as JSON, shell
 * words).  They call nothing else of batch, so the parts that use them
 * (state.c, report.c, run.c, lock.c, batch.c) depend on each other in
 * one direction only.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "cleanups.h"

/* fleet.json -> fleet.EXT: the state directory (".state") and the
 * lock (".lock", lock.c) are named after the report.
 */
char *
batch_beside (const char *report, const char *ext)
{
  size_t n = strlen (report);

  if (n > 5 && strcmp (report + n - 5, ".json") == 0)
    n -= 5;
  return gs_xasprintf ("%.*s%s", (int) n, report, ext);
}

/* fleet.json -> fleet.shard-2-of-8.json */
char *
batch_shard_report (const char *report, unsigned i, unsigned n)
{
  size_t len = strlen (report);
  bool json = len > 5 && strcmp (report + len - 5, ".json") == 0;

  if (n == 0)
    return gs_xstrdup (report);
  return gs_xasprintf ("%.*s.shard-%u-of-%u%s", (int) (json ? len - 5 : len),
                       report, i, n, json ? ".json" : "");
}

/* TEXT to PATH through a temporary file, flushed, then renamed: a
 * reader (or a crash) sees the old file or the whole new one.
 */
int
batch_write_atomic (const char *path, const char *text)
{
  CLEANUP_FREE char *tmp = NULL;
  mode_t um = umask (0);
  int fd;

  umask (um);
  tmp = gs_xasprintf ("%s.XXXXXX", path);
  if ((fd = mkstemp (tmp)) == -1) {
    gs_error ("%s: %m", tmp);
    return -1;
  }
  if (gs_int_write_all (fd, text, strlen (text)) == -1)
    goto fail;
  /* The rename must never publish a file whose data is not on disk. */
  if (fchmod (fd, 0666 & ~um) == -1 || fsync (fd) == -1)
    goto fail;
  if (close (fd) == -1) {
    fd = -1;
    goto fail;
  }
  if (rename (tmp, path) == -1) {
    gs_error ("%s: %m", path);
    unlink (tmp);
    return -1;
  }
  return 0;

 fail:
  gs_error ("%s: %m", tmp);
  if (fd >= 0)
    close (fd);
  unlink (tmp);
  return -1;
}

json_object *
batch_strings_json (const string_vector *v)
{
  json_object *a = json_object_new_array ();

  /* Valid UTF-8 only, or the report is not JSON. */
  for (size_t i = 0; i < v->len; ++i) {
    CLEANUP_FREE char *u = gs_int_utf8_copy (v->ptr[i], false);

    json_object_array_add (a, json_object_new_string (u ? u : ""));
  }
  return a;
}

bool
batch_strings_equal (json_object *a, const string_vector *v)
{
  if (!json_object_is_type (a, json_type_array) ||
      json_object_array_length (a) != v->len)
    return false;
  for (size_t i = 0; i < v->len; ++i) {
    const char *s = json_object_get_string (json_object_array_get_idx (a, i));

    if (s == NULL || strcmp (s, v->ptr[i]) != 0)
      return false;
  }
  return true;
}

/* S as one shell word, for the plan a person reads (and may paste). */
void
batch_print_word (FILE *fp, const char *s)
{
  if (s[0] && strspn (s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                      "WXYZ0123456789-_=+,./:@%") == strlen (s)) {
    fputs (s, fp);
    return;
  }
  fputc ('\'', fp);
  for (const char *p = s; *p; ++p)
    if (*p == '\'')
      fputs ("'\\''", fp);
    else
      fputc (*p, fp);
  fputc ('\'', fp);
}
