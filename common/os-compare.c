/* SPDX-License-Identifier: GPL-2.0-or-later */
/* os-compare.c: goldsmith's own inspection against libguestfs's, root
 * by root and field by field: the nine facts, mountpoints, filesystems
 * and osinfo; and list-fs.c's filesystem listing against
 * list_filesystems (GOLDSMITH_INSPECT_COMPARE=1: the test suite proves
 * the two agree on the guests it builds; the inspect plugin compares
 * the applications and the icon itself).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "cleanups.h"
#include "os-inspect-int.h"
#include "os-osinfo.h"

bool
gs_int_inspect_compare (void)
{
  const char *env = getenv ("GOLDSMITH_INSPECT_COMPARE");

  return env && strcmp (env, "1") == 0;
}

void
gs_int_list_fs_compare (guestfs_h *g, char **ours)
{
  CLEANUP_FREE_STRV char **theirs = guestfs_list_filesystems (g);
  size_t n = 0, m = 0, differ = 0;

  if (theirs == NULL)
    return;
  while (ours[n])
    n++;
  while (theirs[m])
    m++;
  for (size_t i = 0; i < n || i < m; ++i)
    if (i >= n || i >= m || strcmp (ours[i], theirs[i]) != 0) {
      gs_info ("filesystems differ: goldsmith %s, libguestfs %s",
               i < n ? ours[i] : "-", i < m ? theirs[i] : "-");
      differ++;
    }
  gs_info ("filesystems compared: %zu listed, %zu difference%s", n / 2,
           differ, differ == 1 ? "" : "s");
}

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

/* Is DEV among the space-separated devices W? */
static bool
among (const char *w, const char *dev)
{
  size_t l = strlen (dev);

  for (const char *p = w; (p = strstr (p, dev)) != NULL; p += l)
    if ((p == w || p[-1] == ' ') && (p[l] == ' ' || p[l] == '\0'))
      return true;
  return false;
}

/* Where R's fstab named an ID several devices carry, libguestfs's pick
 * among them counts as R's: LM is changed to say R's.
 */
static void
same_picks (const struct root *r, char **lm)
{
  for (size_t i = 0; lm && lm[i] && lm[i + 1]; i += 2)
    for (size_t k = 0; k + 1 < r->alts.len; k += 2) {
      if (strcmp (r->alts.ptr[k], lm[i]) != 0 ||
          !among (r->alts.ptr[k + 1], lm[i + 1]))
        continue;
      for (size_t j = 0; r->mps && r->mps[j]; j += 2)
        if (strcmp (r->mps[j], lm[i]) == 0) {
          free (lm[i + 1]);
          lm[i + 1] = gs_xstrdup (r->mps[j + 1]);
          break;
        }
    }
}

/* R's filesystems against libguestfs's: the same devices, where
 * libguestfs's pick among clones' devices counts as R's as for the
 * mountpoints.  In any order: libguestfs's is not fstab's (it lists the
 * phony Fedora's /boot before its /), and the inspect plugin sorts
 * them.  0 or 1 difference, said.
 */
static size_t
compare_filesystems (guestfs_h *g, const struct root *r)
{
  CLEANUP_FREE_STRV char **lf = guestfs_inspect_get_filesystems (g, r->dev);
  CLEANUP_FREE_STRV char **of = NULL;
  CLEANUP_FREE bool *used = NULL;
  size_t n = 0, nl = 0, differ = 0;

  if (r->fstab == NULL)
    return 0;                    /* unsure of this fstab: nothing to say */
  of = gs_int_os_fstab_filesystems (r->fstab, r->dev);
  while (of[n])
    n++;
  while (lf && lf[nl])
    nl++;
  differ = lf == NULL || nl != n;
  used = gs_xcalloc (n + 1, sizeof *used);
  for (size_t i = 0; i < n && differ == 0; ++i) {
    const char *mp = r->fstab[0] ? r->fstab[2 * i] : "/";
    bool found = false;

    for (size_t j = 0; j < n && !found; ++j) {
      bool alt = strcmp (lf[j], of[i]) == 0;

      for (size_t k = 0; k + 1 < r->alts.len && !alt; k += 2)
        alt = strcmp (r->alts.ptr[k], mp) == 0 &&
          among (r->alts.ptr[k + 1], lf[j]);
      if (!used[j] && alt)
        used[j] = found = true;
    }
    differ = !found;
  }
  if (differ) {
    CLEANUP_FREE char *a = NULL, *b = NULL;
    size_t la = 1, lb = 1;

    for (size_t i = 0; of[i]; ++i)
      la += strlen (of[i]) + 1;
    for (size_t i = 0; lf && lf[i]; ++i)
      lb += strlen (lf[i]) + 1;
    a = gs_xcalloc (la, 1);
    b = gs_xcalloc (lb, 1);
    for (size_t i = 0; of[i]; ++i)
      strcat (strcat (a, i ? " " : ""), of[i]);
    for (size_t i = 0; lf && lf[i]; ++i)
      strcat (strcat (b, i ? " " : ""), lf[i]);
    gs_info ("inspection differs: %s: filesystems: goldsmith '%s', "
             "libguestfs '%s'", r->dev, a, b);
  }
  return differ;
}

/* R's osinfo (the inspect family prints it) against libguestfs's. */
static size_t
compare_osinfo (guestfs_h *g, const struct root *r)
{
  CLEANUP_FREE char *lo = guestfs_inspect_get_osinfo (g, r->dev);
  CLEANUP_FREE char *oo = NULL;
  const char *maj = r->facts[F_MAJOR], *min = r->facts[F_MINOR];

  oo = gs_int_os_osinfo (r->facts[F_DISTRO], maj ? atoi (maj) : 0,
                         min ? atoi (min) : 0);
  if (lo && strcmp (lo, "unknown") == 0) {
    free (lo);
    lo = NULL;
  }
  if ((lo == NULL) == (oo == NULL) && (lo == NULL || strcmp (lo, oo) == 0))
    return 0;
  gs_info ("inspection differs: %s: osinfo: goldsmith '%s', libguestfs '%s'",
           r->dev, oo ? oo : "", lo ? lo : "");
  return 1;
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
    differ += compare_filesystems (g, r);
    differ += compare_osinfo (g, r);
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

