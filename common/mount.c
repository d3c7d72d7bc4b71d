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

/* In a launch shared with clones, the guest's fstab (UUID=, LABEL=,
 * which libguestfs resolved) may name another guest's filesystem: the
 * same UUID or label is on both.  DEV itself if it is the guest's; else
 * its own filesystem with DEV's UUID, or label; NULL if it has none.
 * "/" is ROOT, by definition the guest's.  Mounts by device, never by
 * a name two guests share.
 */
static char *
own_device (guestfs_h *g, const struct gs_ctx *ctx, const char *root,
            const char *path, const char *dev)
{
  CLEANUP_FREE char *uuid = NULL, *label = NULL;
  CLEANUP_FREE_STRV char **fss = NULL;
  char *found = NULL;

  if (ctx == NULL || gs_guest_has_device (ctx, g, dev) == 1)
    return strdup (dev);
  if (strcmp (path, "/") == 0)
    return strdup (root);
  gs_quiet_begin (g);
  uuid = guestfs_vfs_uuid (g, dev);
  label = guestfs_vfs_label (g, dev);
  fss = gs_int_list_filesystems (g);
  for (size_t i = 0; fss && fss[i] && fss[i + 1] && !found; i += 2) {
    CLEANUP_FREE char *u = NULL, *l = NULL;

    if (gs_guest_has_device (ctx, g, fss[i]) != 1)
      continue;
    if (uuid && uuid[0] && (u = guestfs_vfs_uuid (g, fss[i])) &&
        strcmp (u, uuid) == 0)
      found = strdup (fss[i]);
    else if (label && label[0] && (l = guestfs_vfs_label (g, fss[i])) &&
             strcmp (l, label) == 0)
      found = strdup (fss[i]);
  }
  gs_quiet_end (g);
  if (found)
    gs_debug ("%s: %s is another guest's: mounting the guest's own %s",
              path, dev, found);
  return found;
}

int
gs_int_mount_root (guestfs_h *g, const char *root, bool readonly,
                   const char *mount_options, const struct gs_ctx *ctx)
{
  CLEANUP_FREE_STRV char **mps = gs_guest_mountpoints (g, root);
  struct mp *list;
  size_t n = 0;

  if (mps == NULL)
    return -1;
  for (n = 0; mps[n] != NULL; ++n)
    ;
  n /= 2;
  list = gs_xcalloc (n, sizeof *list);
  for (size_t i = 0; i < n; ++i) {
    list[i].path = mps[2 * i];
    list[i].device = mps[2 * i + 1];
    if (ctx) {                   /* the guest's own names, as mounted */
      CLEANUP_FREE char *d = gs_inspect_device (ctx, mps[2 * i + 1]);
      char *own = d ? own_device (g, ctx, root, mps[2 * i], d) : NULL;

      if (d != NULL && own == NULL) {
        gs_warning ("%s: %s is another guest's filesystem and this "
                    "guest has none like it: not mounted", mps[2 * i], d);
        own = gs_xstrdup ("");   /* "": left out below */
      }
      free (mps[2 * i + 1]);
      mps[2 * i + 1] = own;
      list[i].device = own;
    }
  }
  qsort (list, n, sizeof *list, by_length);

  for (size_t i = 0; i < n; ++i) {
    const char *opts = options_for (mount_options, list[i].path);
    int r;

    if (readonly && opts) {
      CLEANUP_FREE char *ro = gs_xasprintf ("ro,%s", opts);

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
