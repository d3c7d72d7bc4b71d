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
  ({ guestfs_push_error_handler ((g), NULL, NULL);              \
     __auto_type r_ = (expr);                                   \
     guestfs_pop_error_handler (g);                             \
     r_; })

/* Give a whole device's blocks back: discard them, which reads back as
 * zeros on the copying mode's overlay and unmaps them in place.  Where
 * discard does not work, copying mode writes zeros (zero_device skips
 * blocks that are already zero); in place that would allocate them, so
 * it is an error.  With MUST_ZERO (--zero: the data must be gone), in
 * place a discard that the device does not promise reads back as zeros
 * is preceded by writing zeros.  *METHOD says what was done.
 */
static inline int
gs_sparsify_clear_device (struct gs_ctx *ctx, guestfs_h *g, const char *dev,
                          bool must_zero, const char **method)
{
  bool in_place = gs_sparsify_in_place (ctx);
  bool zeroed = false;

  if (in_place && must_zero &&
      GS_QUIETLY (g, guestfs_blkdiscardzeroes (g, dev)) != 1) {
    if (guestfs_zero_device (g, dev) == -1)
      return -1;
    zeroed = true;
  }
  if (GS_QUIETLY (g, guestfs_blkdiscard (g, dev)) == 0) {
    *method = "discard";
    return 0;
  }
  if (zeroed) {                  /* the data is gone, if not unmapped */
    *method = "zero";
    return 0;
  }
  if (in_place) {
    gs_error ("%s: the disk does not support discard", dev);
    return -1;
  }
  if (guestfs_zero_device (g, dev) == -1)
    return -1;
  *method = "zero";
  return 0;
}

#endif /* GS_SPARSIFY_UTIL_H */
