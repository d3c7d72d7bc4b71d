/* SPDX-License-Identifier: GPL-2.0-or-later */
/* icon.c: the "icon" operation: virt-inspector's <icon>, the guest's
 * logo as base64 PNG.  libguestfs's inspect_get_icon (favicon=false)
 * for the roots libguestfs inspected; for the Linux roots goldsmith
 * inspected itself, libguestfs's rules followed here (icon-rules.c):
 * the first of the distribution's files that exists (links followed),
 * that the appliance's file(1) calls a PNG of 16 to 1024 pixels each
 * way, and that is no larger than the rule's limit.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "cleanups.h"
#include "icon-rules.h"
#include "own.h"

/* PATH's bytes if it passes libguestfs's checks, else NULL; *STOP
 * where libguestfs gives up on the other files too (is_file failed).
 */
static char *
get_png (guestfs_h *g, const char *path, size_t max, size_t *size,
         bool *stop)
{
  CLEANUP_FREE char *real = NULL, *type = NULL;
  int64_t fsize;
  int w, h, r;

  r = guestfs_is_file_opts (g, path, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1,
                            -1);
  *stop = r == -1;
  if (r != 1 ||
      (real = guestfs_realpath (g, path)) == NULL ||
      (type = guestfs_file (g, real)) == NULL ||
      !gs_icon_png_ok (type, &w, &h))
    return NULL;
  if (max == 0)
    max = 4 * (size_t) w * (size_t) h;
  if ((fsize = guestfs_filesize (g, real)) == -1 || (uint64_t) fsize > max)
    return NULL;
  return guestfs_read_file (g, real, size);
}

/* The icon of a root goldsmith inspected, or NULL (none).  *UNSURE:
 * a rule goldsmith does not follow (the core never lets one through).
 */
static char *
own_icon (struct gs_ctx *ctx, guestfs_h *g, size_t *size, bool *unsure)
{
  const char *major = gs_guest_get (ctx, "major-version");
  const char *const *paths;
  size_t max;
  char *data = NULL;
  bool stop = false;

  paths = gs_icon_paths (gs_guest_get (ctx, "distro"),
                         major ? atoi (major) : 0, &max);
  *unsure = paths == NULL;
  gs_quiet_begin (g);
  for (size_t i = 0; paths && paths[i] && data == NULL && !stop; ++i)
    data = get_png (g, paths[i], max, size, &stop);
  gs_quiet_end (g);
  return data;
}

static char *
base64 (const unsigned char *p, size_t n)
{
  static const char t[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = gs_xmalloc ((n + 2) / 3 * 4 + 1), *o = out;

  for (size_t i = 0; i < n; i += 3) {
    unsigned v = p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0)
      | (i + 2 < n ? p[i + 2] : 0);

    *o++ = t[v >> 18 & 63];
    *o++ = t[v >> 12 & 63];
    *o++ = i + 1 < n ? t[v >> 6 & 63] : '=';
    *o++ = i + 2 < n ? t[v & 63] : '=';
  }
  *o = '\0';
  return out;
}

static char *
libguestfs_icon (guestfs_h *g, const char *root, size_t *size)
{
  char *data;

  gs_quiet_begin (g);
  data = guestfs_inspect_get_icon (g, root, size,
                                   GUESTFS_INSPECT_GET_ICON_FAVICON, 0, -1);
  gs_quiet_end (g);
  if (data && *size == 0) {
    free (data);                 /* libguestfs's "not found" */
    data = NULL;
  }
  return data;
}

int
gs_inspect_icon (struct gs_ctx *ctx, guestfs_h *g, const char *root)
{
  bool own = !gs_guest_inspected_by_libguestfs (g, root), unsure = false;
  size_t size = 0;
  CLEANUP_FREE char *data = NULL;
  CLEANUP_FREE char *b64 = NULL;

  data = own ? own_icon (ctx, g, &size, &unsure)
    : libguestfs_icon (g, root, &size);
  if (unsure) {
    gs_error ("%s: goldsmith does not follow libguestfs's icon rule for "
              "this distribution", root);
    return -1;
  }
  if (own && gs_inspect_comparing ()) {
    size_t lsize = 0;
    CLEANUP_FREE char *ldata = libguestfs_icon (g, root, &lsize);
    bool same = (data == NULL) == (ldata == NULL) &&
      (data == NULL || (size == lsize && memcmp (data, ldata, size) == 0));

    if (!same)
      gs_warning ("inspection differs: %s: icon: goldsmith %zu bytes, "
                  "libguestfs %zu bytes", root, data ? size : 0,
                  ldata ? lsize : 0);
    gs_warning ("inspection compared: %s: icon of %zu bytes, %d "
                "difference%s", root, data ? size : 0, !same,
                same ? "s" : "");
  }
  if (data == NULL) {
    gs_not_applicable (ctx, "no icon found");
    return 0;
  }
  b64 = base64 ((unsigned char *) data, size);
  return gs_inspect_set (ctx, "icon", b64);
}
