/* SPDX-License-Identifier: GPL-2.0-or-later */
/* customize-util.c: what every customize action uses: the dry run's
 * plan of what earlier actions would create, existence checks against
 * it, reporting, where a change lands (symlinks followed, protections
 * checked), reading host files, and augeas on one guest file.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "goldsmith-plugin.h"
#include "cleanups.h"
#include "customize.h"

/* Dry run: remember that an earlier action would create PATH. */
int
cz_plan (struct cz_state *st, char type, const char *path)
{
  string_vector_append (&st->planned, gs_xasprintf ("%c%s", type, path));
  return 0;
}

static bool
planned (const struct cz_state *st, const char *types, const char *path)
{
  for (size_t i = 0; i < st->planned.len; ++i)
    if (strchr (types, st->planned.ptr[i][0]) &&
        strcmp (st->planned.ptr[i] + 1, path) == 0)
      return true;
  return false;
}

int
cz_exists (struct cz_state *st, guestfs_h *g, const char *path)
{
  int r = guestfs_exists (g, path);

  if (r == 0 && planned (st, "df", path))
    return 1;
  return r;
}

int
cz_is_dir (struct cz_state *st, guestfs_h *g, const char *path)
{
  int r = guestfs_is_dir_opts (g, path, GUESTFS_IS_DIR_OPTS_FOLLOWSYMLINKS, 1,
                               -1);

  if (r == 0 && planned (st, "d", path))
    return 1;
  return r;
}

int
cz_report (struct gs_ctx *ctx, const char *path, bool existed,
           int64_t bytes)
{
  return gs_report_path (ctx, path,
                         existed ? GS_ACTION_CHANGED : GS_ACTION_CREATED,
                         bytes);
}

/* Where a change to PATH lands, with symlinks followed inside the guest:
 * PATH itself when it does not exist, else its real path.
 */
static char *
resolve (guestfs_h *g, const char *path)
{
  const char *base = cz_basename (path);
  CLEANUP_FREE char *parent = gs_xstrndup (path, base - path);
  CLEANUP_FREE char *rparent = NULL;
  char *r = NULL;

  /* Probes: a failure only means "not resolvable". */
  gs_quiet_begin (g);
  if (guestfs_exists (g, path) == 1)
    r = guestfs_realpath (g, path);
  else if (parent[0] && guestfs_is_dir_opts (g, parent,
                                             GUESTFS_IS_DIR_OPTS_FOLLOWSYMLINKS,
                                             1, -1) == 1 &&
           (rparent = guestfs_realpath (g, parent)) != NULL)
    r = gs_xasprintf ("%s%s%s", rparent, strcmp (rparent, "/") ? "/" : "",
                      base);
  gs_quiet_end (g);
  return r ? r : gs_xstrdup (path);
}

/* The real path a change to PATH lands on, or NULL when it is protected
 * by --exclude-path (or on error; reported either way).
 */
char *
cz_target (struct gs_ctx *ctx, guestfs_h *g, const struct cz_action *act,
           const char *path)
{
  char *real;

  if (gs_path_protected (ctx, path)) {
    gs_error ("%s: %s is protected by --exclude-path: not changed",
              act->label, path);
    return NULL;
  }
  real = resolve (g, path);
  if (gs_path_protected (ctx, real)) {
    gs_error ("%s: %s (%s) is protected by --exclude-path: not changed",
              act->label, path, real);
    free (real);
    return NULL;
  }
  return real;
}

char *
cz_read_host_file (const char *label, const char *file, size_t *len_r)
{
  int fd = open (file, O_RDONLY | O_CLOEXEC);
  size_t len = 0, cap = 4096;
  char *buf = NULL;
  ssize_t n;

  if (fd == -1) {
    gs_error ("%s: %s: %m", label, file);
    return NULL;
  }
  for (;;) {
    if (len + 1 >= cap || buf == NULL)
      buf = gs_xrealloc (buf, cap *= 2);
    if ((n = read (fd, buf + len, cap - len - 1)) == -1) {
      if (errno == EINTR)
        continue;
      gs_error ("%s: %s: read: %m", label, file);
      goto fail;
    }
    if (n == 0)
      break;
    len += n;
  }
  close (fd);
  buf[len] = '\0';
  *len_r = len;
  return buf;

 fail:
  close (fd);
  free (buf);
  return NULL;
}

const char *
cz_basename (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash ? slash + 1 : path;
}

/* Load only FILE, with LENS ("Shadow", "Hosts", "Shellvars", ...):
 * much faster than loading every lens on every file of the guest.
 */
struct gs_aug_file *
cz_aug_open (struct gs_aug *a, guestfs_h *g, const char *lens,
             const char *file)
{
  struct gs_aug_file *f = gs_aug_open (a, g, lens, file);

  if (f && f->error) {
    gs_error ("%s: augeas (lens %s) cannot parse this file", file, lens);
    return NULL;
  }
  return f;
}
