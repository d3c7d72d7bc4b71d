/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mount.c: mount an inspected guest root's filesystems at their guest
 * mountpoints, shortest first so that /boot lands on /.  The caller
 * keeps libguestfs errors quiet: this file reports them itself, as a
 * warning for every filesystem but the root.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "ctx.h"
#include "cleanups.h"

struct mp {
  const char *path;
  const char *device;
};

static int
by_length (const void *av, const void *bv)
{
  const struct mp *a = av, *b = bv;
  size_t la = strlen (a->path), lb = strlen (b->path);

  if (la != lb)
    return la < lb ? -1 : 1;
  return strcmp (a->path, b->path);
}

/* Options for mountpoint MP from "MP:OPTS;MP:OPTS" (virt-sysprep's
 * --mount-options), or NULL.  Returned in a static buffer.
 */
static const char *
options_for (const char *spec, const char *mp)
{
  static char buf[256];
  size_t mplen = strlen (mp);

  for (const char *p = spec; p && *p; ) {
    size_t len = strcspn (p, ";");
    const char *colon = memchr (p, ':', len);

    if (colon && (size_t) (colon - p) == mplen &&
        strncmp (p, mp, mplen) == 0) {
      size_t olen = len - mplen - 1;

      if (olen >= sizeof buf)
        olen = sizeof buf - 1;
      memcpy (buf, colon + 1, olen);
      buf[olen] = '\0';
      return buf;
    }
    p += len;
    if (*p == ';')
      p++;
  }
  return NULL;
}

int
gs_int_mount_root (guestfs_h *g, const char *root, bool readonly,
                   const char *mount_options, const struct gs_ctx *ctx)
{
  CLEANUP_FREE_STRV char **mps = guestfs_inspect_get_mountpoints (g, root);
  struct mp *list;
  size_t n = 0;

  if (mps == NULL)
    return -1;
  for (n = 0; mps[n] != NULL; ++n)
    ;
  n /= 2;
  if ((list = calloc (n ? n : 1, sizeof *list)) == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  for (size_t i = 0; i < n; ++i) {
    list[i].path = mps[2 * i];
    list[i].device = mps[2 * i + 1];
    if (ctx) {                   /* the guest's own names, as mounted */
      char *d = gs_inspect_device (ctx, mps[2 * i + 1]);

      if (d == NULL) {
        free (list);
        gs_error ("out of memory");
        return -1;
      }
      free (mps[2 * i + 1]);
      mps[2 * i + 1] = d;
      list[i].device = d;
    }
  }
  qsort (list, n, sizeof *list, by_length);

  for (size_t i = 0; i < n; ++i) {
    const char *opts = options_for (mount_options, list[i].path);
    int r;

    if (readonly && opts) {
      CLEANUP_FREE char *ro = NULL;

      if (asprintf (&ro, "ro,%s", opts) == -1) {
        free (list);
        gs_error ("out of memory");
        return -1;
      }
      r = guestfs_mount_options (g, ro, list[i].device, list[i].path);
    }
    else if (readonly)
      r = guestfs_mount_ro (g, list[i].device, list[i].path);
    else
      r = guestfs_mount_options (g, opts ? opts : "", list[i].device,
                                 list[i].path);
    if (r == -1) {
      if (strcmp (list[i].path, "/") == 0) {
        gs_error ("%s: cannot mount the guest's root filesystem: %s", root,
                  guestfs_last_error (g));
        free (list);
        return -1;
      }
      gs_warning ("%s on %s: cannot mount (ignored): %s", list[i].device,
                  list[i].path, guestfs_last_error (g));
    }
  }
  free (list);
  return 0;
}
