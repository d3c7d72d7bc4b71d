/* SPDX-License-Identifier: GPL-2.0-or-later */
/* string-vector.h: a growable, NULL-terminated array of owned strings.
 * Header-only so that plugins can use it without linking common/.
 */
#ifndef GS_STRING_VECTOR_H
#define GS_STRING_VECTOR_H

#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"    /* gs_xrealloc, gs_xstrdup */

typedef struct {
  char **ptr;                    /* always NULL-terminated when len > 0 */
  size_t len;
  size_t cap;
} string_vector;

#define empty_vector { .ptr = NULL, .len = 0, .cap = 0 }

/* Append s, taking ownership.  Memory running out ends the process
 * (gs_xrealloc), so this always returns 0: the int is kept for the
 * callers that still test it.
 */
static inline int
string_vector_append (string_vector *v, char *s)
{
  if (v->len + 2 > v->cap) {
    size_t ncap = v->cap ? v->cap * 2 : 8;

    v->ptr = gs_xreallocarray (v->ptr, ncap, sizeof (char *));
    v->cap = ncap;
  }
  v->ptr[v->len++] = s;
  v->ptr[v->len] = NULL;
  return 0;
}

static inline int
string_vector_append_copy (string_vector *v, const char *s)
{
  return string_vector_append (v, gs_xstrdup (s));
}

static inline void
string_vector_free_all (string_vector *v)
{
  for (size_t i = 0; i < v->len; ++i)
    free (v->ptr[i]);
  free (v->ptr);
  v->ptr = NULL;
  v->len = v->cap = 0;
}

static inline int
string_vector_cmp_ (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static inline void
string_vector_sort (string_vector *v)
{
  if (v->len > 1)
    qsort (v->ptr, v->len, sizeof (char *), string_vector_cmp_);
}

#endif /* GS_STRING_VECTOR_H */
