/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apps.c: the "applications" operation: virt-inspector's
 * <applications>.  libguestfs's list (inspect_list_applications2) for
 * the roots libguestfs inspected; for the Linux roots goldsmith
 * inspected itself, the guest's package database read here: dpkg's
 * status file (dpkg.c); for the package formats libguestfs lists
 * nothing of (xbps, unknown), nothing.  The core never gives this file
 * an rpm, apk or pacman root of its own (os-inspect.c falls back).
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "cleanups.h"
#include "applist.h"
#include "dpkg.h"
#include "own.h"

#define DPKG_STATUS "/var/lib/dpkg/status"
#define MAX_PKG_DB (300 * 1000 * 1000)   /* libguestfs's MAX_PKG_DB_SIZE */

bool
gs_inspect_comparing (void)
{
  const char *e = getenv ("GOLDSMITH_INSPECT_COMPARE");

  return e && strcmp (e, "1") == 0;
}

/* libguestfs's list, or -1 with *ERR set. */
static int
from_libguestfs (guestfs_h *g, const char *root, struct gs_app_list *l,
                 char **err)
{
  struct guestfs_application2_list *apps;

  gs_quiet_begin (g);
  apps = guestfs_inspect_list_applications2 (g, root);
  if (apps == NULL) {
    const char *e = guestfs_last_error (g);

    *err = gs_xstrdup (e ? e : "unknown error");
    gs_quiet_end (g);
    return -1;
  }
  gs_quiet_end (g);
  for (uint32_t i = 0; i < apps->len; ++i) {
    struct guestfs_application2 *a = &apps->val[i];

    gs_app_add (l, a->app2_name, a->app2_display_name, a->app2_epoch,
                a->app2_version, a->app2_release, a->app2_arch,
                a->app2_install_path, a->app2_publisher, a->app2_url,
                a->app2_source_package, a->app2_summary,
                a->app2_description);
  }
  guestfs_free_application2_list (apps);
  return 0;
}

/* The guest's dpkg status, downloaded as libguestfs does (its size
 * checked first), then parsed.  -1 with *ERR set as libguestfs's
 * error would say it.
 */
static int
from_dpkg (guestfs_h *g, struct gs_app_list *l, char **err)
{
  FILE *fp;
  char devfd[32];
  int64_t size;
  int r;

  gs_quiet_begin (g);
  if ((size = guestfs_filesize (g, DPKG_STATUS)) == -1) {
    const char *e = guestfs_last_error (g);

    *err = gs_xstrdup (e ? e : "unknown error");
    gs_quiet_end (g);
    return -1;
  }
  if (size > MAX_PKG_DB) {
    *err = gs_xasprintf ("size of %s is unreasonably large (%" PRIi64
                         " bytes)", DPKG_STATUS, size);
    gs_quiet_end (g);
    return -1;
  }
  if ((fp = tmpfile ()) == NULL) {
    *err = gs_xasprintf ("tmpfile: %m");
    gs_quiet_end (g);
    return -1;
  }
  snprintf (devfd, sizeof devfd, "/dev/fd/%d", fileno (fp));
  if (guestfs_download (g, DPKG_STATUS, devfd) == -1) {
    const char *e = guestfs_last_error (g);

    *err = gs_xstrdup (e ? e : "unknown error");
    gs_quiet_end (g);
    fclose (fp);
    return -1;
  }
  gs_quiet_end (g);
  rewind (fp);
  r = gs_dpkg_parse (fp, l);
  if (r == -1)
    *err = gs_xasprintf ("%s: read: %m", DPKG_STATUS);
  fclose (fp);
  return r;
}

/* For a root goldsmith inspected: its list by its package format. */
static int
from_guest (struct gs_ctx *ctx, guestfs_h *g, struct gs_app_list *l,
            char **err)
{
  const char *fmt = gs_guest_get (ctx, "package-format");

  if (fmt == NULL || strcmp (fmt, "xbps") == 0)
    return 0;                    /* libguestfs lists none either */
  if (strcmp (fmt, "deb") == 0)
    return from_dpkg (g, l, err);
  *err = gs_xasprintf ("goldsmith does not read %s databases", fmt);
  return -1;
}

/* GOLDSMITH_INSPECT_COMPARE=1: OWN against libguestfs's list. */
static void
compare (guestfs_h *g, const char *root, const struct gs_app_list *own,
         const char *own_err)
{
  struct gs_app_list lg = { 0 };
  CLEANUP_FREE char *err = NULL;
  size_t differ = 0;

  if (from_libguestfs (g, root, &lg, &err) == -1 || own_err) {
    if ((err == NULL) != (own_err == NULL) ||
        (err && strcmp (err, own_err) != 0)) {
      gs_warning ("inspection differs: %s: applications: goldsmith "
                  "'%s', libguestfs '%s'", root, own_err ? own_err : "",
                  err ? err : "");
      differ++;
    }
  }
  else {
    gs_app_list_sort (&lg);
    for (size_t i = 0; i < own->n || i < lg.n; ++i) {
      const char *f = i >= own->n || i >= lg.n ? "presence"
        : gs_app_differs (&own->v[i], &lg.v[i]);

      if (f == NULL)
        continue;
      gs_warning ("inspection differs: %s: application %zu (%s): %s", root,
                  i + 1, i < own->n ? own->v[i].name : lg.v[i].name, f);
      differ++;
    }
  }
  gs_warning ("inspection compared: %s: %zu applications, %zu difference%s",
              root, own->n, differ, differ == 1 ? "" : "s");
  gs_app_list_free (&lg);
}

int
gs_inspect_applications (struct gs_ctx *ctx, guestfs_h *g, const char *root)
{
  struct gs_app_list l = { 0 };
  CLEANUP_FREE char *err = NULL;
  bool own = !gs_guest_inspected_by_libguestfs (g, root);
  int r = 0;

  if (gs_inspect_list (ctx, "applications") == -1)
    return -1;
  if ((own ? from_guest (ctx, g, &l, &err)
           : from_libguestfs (g, root, &l, &err)) == -1)
    /* A guest without a readable package database (or an rpm database
     * this libguestfs cannot read) has no list, but everything else
     * about it is still worth reporting.
     */
    gs_warning ("cannot list the applications of %s: %s", root, err);
  gs_app_list_sort (&l);
  if (own && gs_inspect_comparing ())
    compare (g, root, &l, err);
  for (size_t i = 0; r == 0 && i < l.n; ++i) {
    const struct gs_app *a = &l.v[i];
    char epoch[32];

    snprintf (epoch, sizeof epoch, "%" PRIi32, a->epoch);
#define S(k, v) if (r == 0 && *(v)) r = gs_inspect_item_set (ctx, k, v)
    r = gs_inspect_add_item (ctx, "applications");
    S ("name", a->name);
    S ("display_name", a->display_name);
    if (r == 0 && a->epoch != 0)
      r = gs_inspect_item_set (ctx, "epoch", epoch);
    S ("version", a->version);
    S ("release", a->release);
    S ("arch", a->arch);
    S ("install_path", a->install_path);
    S ("publisher", a->publisher);
    S ("url", a->url);
    S ("source_package", a->source_package);
    S ("summary", a->summary);
    S ("description", a->description);
#undef S
  }
  gs_app_list_free (&l);
  return r;
}
