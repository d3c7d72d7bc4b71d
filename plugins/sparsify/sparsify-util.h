/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sparsify-util.h: what the operations of family "sparsify" share
 * (header only: plugins export nothing but their entry point).
 */
#ifndef GS_SPARSIFY_UTIL_H
#define GS_SPARSIFY_UTIL_H

#include <stdbool.h>
#include <string.h>

#include "goldsmith-plugin.h"

/* Is the content of this run one of NAMES (NULL-terminated, or NULL
 * for any)?  If not, the run is marked not applicable.
 */
static inline bool
gs_sparsify_claims (struct gs_ctx *ctx, const char *const *names)
{
  const char *c = gs_sparsify_content (ctx);

  if (c && names == NULL)
    return true;
  for (size_t i = 0; c && names && names[i]; ++i)
    if (strcmp (c, names[i]) == 0)
      return true;
  gs_not_applicable (ctx, "content is %s", c ? c : "unknown");
  return false;
}

/* Call FN with libguestfs errors kept quiet: for calls whose failure
 * is an answer (is discard supported here?), not an error.
 */
#define GS_QUIETLY(g, expr)                                     \
  ({ gs_quiet_begin (g);                                       \
     __auto_type r_ = (expr);                                   \
     gs_quiet_end (g);                                          \
     r_; })

#endif /* GS_SPARSIFY_UTIL_H */
