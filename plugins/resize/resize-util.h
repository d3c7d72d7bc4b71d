/* SPDX-License-Identifier: GPL-2.0-or-later */
/* resize-util.h: what the content-growing operations of family "resize"
 * share (header only: plugins export nothing but their entry point).
 */
#ifndef GS_RESIZE_UTIL_H
#define GS_RESIZE_UTIL_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"

/* Is the content of this run one of NAMES (NULL-terminated)?  If not,
 * the run is marked not applicable.
 */
static inline bool
gs_resize_claims (struct gs_ctx *ctx, const char *const *names)
{
  const char *c = gs_resize_content (ctx);

  for (size_t i = 0; c && names[i]; ++i)
    if (strcmp (c, names[i]) == 0)
      return true;
  gs_not_applicable (ctx, "content is %s", c ? c : "unknown");
  return false;
}

/* Dry run: can the appliance do it?  FEATURE for feature_available, or
 * NULL for none needed.  Reports ROOT on success.
 */
static inline int
gs_resize_probe (struct gs_ctx *ctx, guestfs_h *g, const char *root,
                 const char *feature, const char *tool)
{
  if (feature) {
    const char *f[] = { feature, NULL };
    int r = guestfs_feature_available (g, (char **) f);

    if (r == -1)
      return -1;
    if (r == 0) {
      gs_error ("%s: the appliance lacks %s (feature \"%s\")", root, tool,
                feature);
      return -1;
    }
  }
  return gs_report_path (ctx, root, GS_ACTION_CHANGED, -1);
}

/* Mount ROOT at the appliance's / for a tool that grows a mounted
 * filesystem; call FN; unmount whatever happened.
 */
static inline int
gs_resize_mounted (guestfs_h *g, const char *root,
                   int (*fn) (guestfs_h *g, const char *root))
{
  int r;

  if (guestfs_mount (g, root, "/") == -1)
    return -1;
  r = fn (g, root);
  if (guestfs_umount_opts (g, "/", -1) == -1)
    r = -1;
  return r;
}

#endif /* GS_RESIZE_UTIL_H */
