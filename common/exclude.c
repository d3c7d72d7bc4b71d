/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exclude.c: --exclude-path (and the configuration's paths.exclude),
 * the regexes that protect guest paths from every operation: checked
 * by the core when an operation reports a path (run.c) and by
 * gs_remove (remove.c), and asked by operations that change files.
 */
#include <config.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "ctx.h"
#include "xalloc.h"

struct gs_exclude {
  size_t n;
  pcre2_code **re;
  pcre2_match_data *md;
};

char *
gs_int_regex_error (const char *re)
{
  int err;
  PCRE2_SIZE off;
  pcre2_code *c = pcre2_compile ((PCRE2_SPTR) re, PCRE2_ZERO_TERMINATED, 0,
                                 &err, &off, NULL);
  PCRE2_UCHAR msg[256];

  if (c) {
    pcre2_code_free (c);
    return NULL;
  }
  pcre2_get_error_message (err, msg, sizeof msg);
  return gs_xasprintf ("bad regular expression at offset %zu: %s",
                       (size_t) off, (char *) msg);
}

struct gs_exclude *
gs_int_exclude_new (const string_vector *regexes, const char *what)
{
  struct gs_exclude *ex = gs_xcalloc (1, sizeof *ex);

  ex->re = gs_xcalloc (regexes->len + 1, sizeof *ex->re);
  for (size_t i = 0; i < regexes->len; ++i) {
    int err;
    PCRE2_SIZE off;

    ex->re[i] = pcre2_compile ((PCRE2_SPTR) regexes->ptr[i],
                               PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
    if (ex->re[i] == NULL) {
      PCRE2_UCHAR msg[256];

      pcre2_get_error_message (err, msg, sizeof msg);
      gs_error ("%s '%s': bad regular expression at offset %zu: %s",
                what, regexes->ptr[i], (size_t) off, (char *) msg);
      ex->n = i;
      gs_int_exclude_free (ex);
      return NULL;
    }
    ex->n = i + 1;
  }
  if ((ex->md = pcre2_match_data_create (1, NULL)) == NULL)
    gs_int_out_of_memory ();
  return ex;
}

void
gs_int_exclude_free (struct gs_exclude *ex)
{
  if (ex == NULL)
    return;
  for (size_t i = 0; i < ex->n; ++i)
    pcre2_code_free (ex->re[i]);
  free (ex->re);
  pcre2_match_data_free (ex->md);
  free (ex);
}

bool
gs_int_exclude_match (const struct gs_exclude *ex, const char *path)
{
  if (ex == NULL)
    return false;
  for (size_t i = 0; i < ex->n; ++i)
    if (pcre2_match (ex->re[i], (PCRE2_SPTR) path, strlen (path), 0, 0,
                     ex->md, NULL) >= 0)
      return true;
  return false;
}

bool
gs_path_protected (const struct gs_ctx *ctx, const char *path)
{
  return gs_int_exclude_match (ctx->exclude, path);
}

bool
gs_int_exclude_any (const struct gs_exclude *ex)
{
  return ex != NULL && ex->n > 0;
}
