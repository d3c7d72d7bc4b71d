/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apps.c: the "applications" operation: virt-inspector's
 * <applications>.  libguestfs's list (inspect_list_applications2) for
 * the roots libguestfs inspected; for the Linux roots goldsmith
 * inspected itself, the guest's package database read as libguestfs
 * reads it: dpkg's status file, pacman's desc files and apk's installed
 * file here and in pkgdb.h's parsers; rpm's through the call libguestfs
 * itself makes for it (the appliance's librpm; the core falls back to
 * libguestfs's inspection where that call is missing); for the package
 * formats libguestfs lists nothing of (xbps, unknown), nothing.
 */
#include <config.h>

#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "goldsmith-plugin.h"
#include "cleanups.h"
#include "applist.h"
#include "pkgdb.h"
#include "own.h"

#define DPKG_STATUS "/var/lib/dpkg/status"
#define PACMAN_DB "/var/lib/pacman/local"
#define APK_DB "/lib/apk/db/installed"
#define MAX_PKG_DB (300 * 1000 * 1000)   /* libguestfs's MAX_PKG_DB_SIZE */
#define MAX_PACMAN_DESC 8192             /* a larger one is skipped */

bool
gs_inspect_comparing (void)
{
  const char *e = getenv ("GOLDSMITH_INSPECT_COMPARE");

  return e && strcmp (e, "1") == 0;
}

/* *ERR: libguestfs's last error on G. */
static void
last_error (guestfs_h *g, char **err)
{
  const char *e = guestfs_last_error (g);

  *err = gs_xstrdup (e ? e : "unknown error");
}

/* APPS appended to L, and freed; -1 with *ERR set if APPS is NULL. */
static int
add_list (guestfs_h *g, struct guestfs_application2_list *apps,
          struct gs_app_list *l, char **err)
{
  if (apps == NULL) {
    last_error (g, err);
    return -1;
  }
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

/* libguestfs's list, or -1 with *ERR set. */
static int
from_libguestfs (guestfs_h *g, const char *root, struct gs_app_list *l,
                 char **err)
{
  int r;

  gs_quiet_begin (g);
  r = add_list (g, guestfs_inspect_list_applications2 (g, root), l, err);
  gs_quiet_end (g);
  return r;
}

/* PATH from the guest into a temporary file, rewound, as libguestfs
 * downloads a package database: its size checked first, more than MAX
 * refused.  NULL with *ERR set as libguestfs's error would say it.
 * Unlike libguestfs, only a regular file (after symlinks) is read: a
 * FIFO or device planted there would block the download for good.
 */
static FILE *
download (guestfs_h *g, const char *path, int64_t max, char **err)
{
  struct guestfs_statns *st;
  FILE *fp = NULL;
  char devfd[32];

  gs_quiet_begin (g);
  if ((st = guestfs_statns (g, path)) == NULL) {
    /* Missing: the error in libguestfs's words (its filesize call's). */
    if (guestfs_filesize (g, path) == -1)
      last_error (g, err);
    else
      *err = gs_xasprintf ("%s: cannot be read", path);
  }
  else if (!S_ISREG (st->st_mode))
    *err = gs_xasprintf ("%s: not a regular file", path);
  else if (st->st_size > max)
    *err = gs_xasprintf ("size of %s is unreasonably large (%" PRIi64
                         " bytes)", path, st->st_size);
  else if ((fp = tmpfile ()) == NULL)
    *err = gs_xasprintf ("tmpfile: %m");
  else {
    snprintf (devfd, sizeof devfd, "/dev/fd/%d", fileno (fp));
    if (guestfs_download (g, path, devfd) == -1) {
      last_error (g, err);
      fclose (fp);
      fp = NULL;
    }
    else
      rewind (fp);
  }
  if (st)
    guestfs_free_statns (st);
  gs_quiet_end (g);
  return fp;
}

/* One text database (dpkg's status, apk's installed) through PARSE. */
static int
from_file (guestfs_h *g, const char *path, int (*parse) (FILE *,
                                                          struct gs_app_list *),
           struct gs_app_list *l, char **err)
{
  FILE *fp = download (g, path, MAX_PKG_DB, err);
  int r;

  if (fp == NULL)
    return -1;
  if ((r = parse (fp, l)) == -1)
    *err = gs_xasprintf ("%s: read: %m", path);
  fclose (fp);
  return r;
}

/* Every package directory's desc file; one that is missing, too large
 * or unreadable is skipped, as libguestfs skips it.
 */
static int
from_pacman (guestfs_h *g, struct gs_app_list *l, char **err)
{
  struct guestfs_dirent_list *d;

  gs_quiet_begin (g);
  d = guestfs_readdir (g, PACMAN_DB);
  if (d == NULL)
    last_error (g, err);
  gs_quiet_end (g);
  if (d == NULL)
    return -1;
  for (uint32_t i = 0; i < d->len; ++i) {
    const struct guestfs_dirent *e = &d->val[i];
    CLEANUP_FREE char *path = NULL, *e_err = NULL;
    FILE *fp;

    if (e->ftyp != 'd' || strcmp (e->name, ".") == 0 ||
        strcmp (e->name, "..") == 0)
      continue;
    path = gs_xasprintf (PACMAN_DB "/%s/desc", e->name);
    if ((fp = download (g, path, MAX_PACMAN_DESC, &e_err)) == NULL)
      continue;
    gs_pacman_parse_desc (fp, l);
    fclose (fp);
  }
  guestfs_free_dirent_list (d);
  return 0;
}

/* libguestfs lists an rpm database with this call of its own (librpm
 * in the appliance, on the guest as mounted).  It is one of its private
 * calls, so it is looked up, not linked: the core does not give this
 * file an rpm root when it is missing.
 */
static int
from_rpm (guestfs_h *g, struct gs_app_list *l, char **err)
{
  struct guestfs_application2_list *(*list) (guestfs_h *);
  int r;

  *(void **) &list = dlsym (RTLD_DEFAULT,
                            "guestfs_internal_list_rpm_applications");
  if (list == NULL) {
    *err = gs_xstrdup ("this libguestfs cannot list rpm databases");
    return -1;
  }
  gs_quiet_begin (g);
  r = add_list (g, list (g), l, err);
  gs_quiet_end (g);
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
    return from_file (g, DPKG_STATUS, gs_dpkg_parse, l, err);
  if (strcmp (fmt, "apk") == 0)
    return from_file (g, APK_DB, gs_apk_parse, l, err);
  if (strcmp (fmt, "pacman") == 0)
    return from_pacman (g, l, err);
  if (strcmp (fmt, "rpm") == 0)
    return from_rpm (g, l, err);
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
