/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cleanups.h: __attribute__((cleanup)) helpers so that every return
 * path of a function frees what it owns.  Never mark a variable that is
 * returned; never use these in main().
 */
#ifndef GS_CLEANUPS_H
#define GS_CLEANUPS_H

#include <stdio.h>
#include <stdlib.h>

#define CLEANUP_FREE      __attribute__((cleanup (gs_cleanup_free)))
#define CLEANUP_FREE_STRV __attribute__((cleanup (gs_cleanup_free_strv)))
#define CLEANUP_FCLOSE    __attribute__((cleanup (gs_cleanup_fclose)))
#define CLEANUP_XMLDOC    __attribute__((cleanup (gs_cleanup_xmldoc)))
#define CLEANUP_XPATHCTX  __attribute__((cleanup (gs_cleanup_xpathctx)))
#define CLEANUP_XPATHOBJ  __attribute__((cleanup (gs_cleanup_xpathobj)))
#define CLEANUP_CONFIG    __attribute__((cleanup (gs_cleanup_config)))

/* Inline, so that plugins can use them without linking common/. */
static inline void
gs_free_strv (char **v)
{
  if (v == NULL)
    return;
  for (size_t i = 0; v[i] != NULL; ++i)
    free (v[i]);
  free (v);
}

static inline void
gs_cleanup_free (void *ptr)
{
  free (*(void **) ptr);
}

static inline void
gs_cleanup_free_strv (void *ptr)
{
  gs_free_strv (*(char ***) ptr);
}

static inline void
gs_cleanup_fclose (void *ptr)
{
  FILE *fp = *(FILE **) ptr;

  if (fp)
    fclose (fp);
}

extern void gs_cleanup_xmldoc (void *ptr);
extern void gs_cleanup_xpathctx (void *ptr);
extern void gs_cleanup_xpathobj (void *ptr);
extern void gs_cleanup_config (void *ptr);

#endif /* GS_CLEANUPS_H */
