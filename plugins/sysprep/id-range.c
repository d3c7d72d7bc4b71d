/* SPDX-License-Identifier: GPL-2.0-or-later */
/* id-range.c: LO..HI as a regular expression over decimal numbers.
 * Augeas path expressions compare values as strings, never as
 * numbers; a range written as a regexp lets augeas pick the accounts
 * of UID_MIN..UID_MAX among tens of thousands in one call, where
 * reading each account's uid costs a scan of all of them.
 */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "id-range.h"

static bool
all (const char *s, size_t n, char c)
{
  for (size_t i = 0; i < n; ++i)
    if (s[i] != c)
      return false;
  return true;
}

/* The numbers of N digits from A to B (A <= B, both N digits). */
static void
same_length (FILE *out, const char *a, const char *b, size_t n)
{
  char lo, hi;
  bool first = true;

  if (n == 0)
    return;
  if (a[0] == b[0]) {
    fputc (a[0], out);
    same_length (out, a + 1, b + 1, n - 1);
    return;
  }
  lo = a[0];
  hi = b[0];
  fputc ('(', out);
  if (!all (a + 1, n - 1, '0')) {     /* a[0] followed by a[1..]..99 */
    char nines[24];

    memset (nines, '9', n - 1);
    fputc (a[0], out);
    same_length (out, a + 1, nines, n - 1);
    lo++;
    first = false;
  }
  if (!all (b + 1, n - 1, '9'))
    hi--;
  if (lo <= hi) {                     /* whole blocks: [lo-hi][0-9]... */
    if (!first)
      fputc ('|', out);
    if (lo == hi)
      fputc (lo, out);
    else
      fprintf (out, "[%c-%c]", lo, hi);
    for (size_t i = 1; i < n; ++i)
      fputs ("[0-9]", out);
    first = false;
  }
  if (!all (b + 1, n - 1, '9')) {     /* b[0] followed by 00..b[1..] */
    char zeros[24];

    memset (zeros, '0', n - 1);
    if (!first)
      fputc ('|', out);
    fputc (b[0], out);
    same_length (out, zeros, b + 1, n - 1);
  }
  fputc (')', out);
}

char *
gs_id_range_regex (unsigned long lo, unsigned long hi)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buf, &size);
  char sa[24], sb[24];
  size_t na, nb;

  if (out == NULL)
    return NULL;
  na = snprintf (sa, sizeof sa, "%lu", lo);
  nb = snprintf (sb, sizeof sb, "%lu", hi);
  fputs ("0*(", out);
  /* One alternative per number of digits. */
  for (size_t n = na; n <= nb; ++n) {
    char a[24], b[24];

    if (n == na)
      memcpy (a, sa, n + 1);
    else {
      a[0] = '1';
      memset (a + 1, '0', n - 1);
      a[n] = '\0';
    }
    if (n == nb)
      memcpy (b, sb, n + 1);
    else {
      memset (b, '9', n);
      b[n] = '\0';
    }
    if (n > na)
      fputc ('|', out);
    same_length (out, a, b, n);
  }
  fputc (')', out);
  if (fclose (out) != 0) {
    free (buf);
    return NULL;
  }
  return buf;
}
