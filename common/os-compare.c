/* SPDX-License-Identifier: GPL-2.0-or-later */
/* os-compare.c: goldsmith's own inspection against libguestfs's, root
 * by root and field by field (GOLDSMITH_INSPECT_COMPARE=1: the test
 * suite proves the two agree on the guests it builds).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "cleanups.h"
#include "os-inspect-int.h"

static int
by_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* "MP=DEV" pairs of a mountpoint list, sorted, joined by spaces. */
static char *
mps_text (char **mps)
{
  size_t n = 0, len = 1;
  char **pairs, *out;

  while (mps && mps[2 * n] && mps[2 * n + 1])
    n++;
  pairs = gs_xcalloc (n + 1, sizeof *pairs);
  for (size_t i = 0; i < n; ++i) {
    pairs[i] = gs_xasprintf ("%s=%s", mps[2 * i], mps[2 * i + 1]);
    len += strlen (pairs[i]) + 1;
  }
  qsort (pairs, n, sizeof *pairs, by_str);
  out = gs_xcalloc (len, 1);
  for (size_t i = 0; i < n; ++i) {
    if (i)
      strcat (out, " ");
    strcat (out, pairs[i]);
  }
  gs_free_strv (pairs);
  return out;
}

/* Where R's fstab named an ID several devices carry, libguestfs's pick
 * among them counts as R's: LM is changed to say R's.
 */
static void
same_picks (const struct root *r, char **lm)
{
  for (size_t i = 0; lm && lm[i] && lm[i + 1]; i += 2)
    for (size_t k = 0; k + 1 < r->alts.len; k += 2) {
      const char *w = r->alts.ptr[k + 1];
      size_t l = strlen (lm[i + 1]);
      bool among = false;

      if (strcmp (r->alts.ptr[k], lm[i]) != 0)
        continue;
      for (const char *p = w; (p = strstr (p, lm[i + 1])) != NULL; p += l)
        among = among || ((p == w || p[-1] == ' ') &&
                          (p[l] == ' ' || p[l] == '\0'));
      for (size_t j = 0; among && r->mps[j]; j += 2)
        if (strcmp (r->mps[j], lm[i]) == 0) {
          free (lm[i + 1]);
          lm[i + 1] = gs_xstrdup (r->mps[j + 1]);
          break;
        }
    }
}

/* GOLDSMITH_INSPECT_COMPARE=1 (the test suite): every root OWN found,
 * field by field against libguestfs's inspection (which must have run:
 * no table on the handle), and every Linux root libguestfs found must
 * be in OWN unless OWN was unsure.  One line per difference, then a
 * summary; both on stderr.
 */
void
gs_int_os_compare (guestfs_h *g, const struct os_table *own, const char *why)
{
  CLEANUP_FREE_STRV char **roots = guestfs_inspect_get_roots (g);
  size_t differ = 0;

  for (size_t i = 0; i < own->n; ++i) {
    const struct root *r = &own->roots[i];
    bool known = false;

    for (size_t j = 0; roots && roots[j]; ++j)
      known = known || strcmp (roots[j], r->dev) == 0;
    if (!known) {
      gs_info ("inspection differs: %s: a root for goldsmith only", r->dev);
      differ++;
      continue;
    }
    for (size_t k = 0; k < GS_OS_NFACTS; ++k) {
      CLEANUP_FREE char *v = gs_int_os_fact (g, r->dev, k);

      if ((v == NULL) != (r->facts[k] == NULL) ||
          (v && strcmp (v, r->facts[k]) != 0)) {
        gs_info ("inspection differs: %s: %s: goldsmith '%s', libguestfs '%s'",
                 r->dev, gs_int_os_fact_keys[k],
                 r->facts[k] ? r->facts[k] : "", v ? v : "");
        differ++;
      }
    }
    {
      CLEANUP_FREE_STRV char **lm =
        guestfs_inspect_get_mountpoints (g, r->dev);
      CLEANUP_FREE char *a = mps_text (r->mps), *b = NULL;

      same_picks (r, lm);
      b = mps_text (lm);
      if (strcmp (a, b) != 0) {
        gs_info ("inspection differs: %s: mountpoints: goldsmith '%s', "
                 "libguestfs '%s'", r->dev, a, b);
        differ++;
      }
    }
  }
  for (size_t j = 0; why == NULL && roots && roots[j]; ++j) {
    CLEANUP_FREE char *type = guestfs_inspect_get_type (g, roots[j]);
    bool found = false;

    for (size_t i = 0; i < own->n; ++i)
      found = found || strcmp (own->roots[i].dev, roots[j]) == 0;
    if (!found && type && strcmp (type, "linux") == 0) {
      gs_info ("inspection differs: %s: a root for libguestfs only", roots[j]);
      differ++;
    }
  }
  gs_info ("inspection compared: %zu goldsmith root%s, %zu difference%s%s%s",
           own->n, own->n == 1 ? "" : "s", differ, differ == 1 ? "" : "s",
           why ? "; unsure of " : "", why ? why : "");
}

