/* SPDX-License-Identifier: GPL-2.0-or-later */
/* customize-files.c: the customize actions that create, change or
 * remove guest files: --delete, --touch, --write, --append-line,
 * --mkdir, --chmod, --upload, --copy-in.
 *
 * Each one checks first (--exclude-path, what exists), reports every
 * path it creates, changes or removes, and only then, unless this is a
 * dry run, changes the guest: one code path for both, so the dry-run
 * list is what a real run does.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "goldsmith-plugin.h"
#include "cleanups.h"
#include "path-join.h"
#include "customize.h"

/* The directory PATH would be created in must exist. */
int
cz_check_parent (struct cz_state *st, guestfs_h *g,
                 const struct cz_action *act, const char *path)
{
  const char *base = cz_basename (path);
  CLEANUP_FREE char *parent = gs_xstrndup (path, base - path > 1
                                          ? base - path - 1 : 1);
  int r;

  if ((r = cz_is_dir (st, g, parent)) == -1)
    return -1;
  if (r == 0) {
    gs_error ("%s: %s: no such directory in the guest", act->label, parent);
    return -1;
  }
  return 0;
}

/* Create or replace PATH with CONTENT. */
int
cz_write_file (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
               const struct cz_action *act, const char *path,
               const char *content, size_t len)
{
  CLEANUP_FREE char *real = cz_target (ctx, g, act, path);
  int existed;

  if (real == NULL || (existed = cz_exists (st, g, path)) == -1)
    return -1;
  if (!existed && cz_check_parent (st, g, act, path) == -1)
    return -1;
  if (cz_report (ctx, real, existed, len) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return cz_plan (st, 'f', path);
  return guestfs_write (g, path, content, len);
}

static int
do_delete (struct gs_ctx *ctx, guestfs_h *g, const struct cz_action *act)
{
  CLEANUP_FREE_STRV char **matches =
    guestfs_glob_expand_opts (g, act->a,
                              GUESTFS_GLOB_EXPAND_OPTS_DIRECTORYSLASH, 0, -1);

  if (matches == NULL)
    return -1;
  if (matches[0] == NULL)
    gs_debug ("%s: nothing matches", act->label);
  for (size_t i = 0; matches[i] != NULL; ++i) {
    if (gs_path_protected (ctx, matches[i]))
      gs_warning ("%s: %s is protected by --exclude-path: kept",
                  act->label, matches[i]);
    if (gs_remove (ctx, g, matches[i], GS_REMOVE_RECURSIVE) == -1)
      return -1;
  }
  return 0;
}

static int
do_touch (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
          const struct cz_action *act)
{
  CLEANUP_FREE char *real = cz_target (ctx, g, act, act->a);
  int existed;

  if (real == NULL || (existed = cz_exists (st, g, act->a)) == -1)
    return -1;
  if (!existed && cz_check_parent (st, g, act, act->a) == -1)
    return -1;
  if (cz_report (ctx, real, existed, 0) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return cz_plan (st, 'f', act->a);
  return guestfs_touch (g, act->a);
}

/* virt-customize's append_line: keep the file's line ending. */
static int
do_append_line (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
                const struct cz_action *act)
{
  const char *path = act->a, *line = act->b;
  CLEANUP_FREE char *real = cz_target (ctx, g, act, path);
  CLEANUP_FREE char *head = NULL, *tail = NULL, *data = NULL;
  struct guestfs_statns *sb;
  const char *nl = "\n";
  size_t headlen = 0, taillen = 0;
  int64_t size;
  int r;

  if (real == NULL || (r = guestfs_exists (g, path)) == -1)
    return -1;
  if (r == 0) {
    if ((r = cz_exists (st, g, path)) == -1)
      return -1;
    if (r == 1) {                /* dry run: an earlier action's file */
      if (cz_report (ctx, real, true, strlen (line) + 1) == -1)
        return -1;
      return 0;
    }
    data = gs_xasprintf ("%s\n", line);
    return cz_write_file (st, ctx, g, act, path, data, strlen (data));
  }

  if ((sb = guestfs_statns (g, path)) == NULL)
    return -1;
  r = (sb->st_mode & S_IFMT) == S_IFREG;
  size = sb->st_size;
  guestfs_free_statns (sb);
  if (!r) {
    gs_error ("%s: %s is not a regular file", act->label, path);
    return -1;
  }
  if (size > 0) {
    if ((head = guestfs_pread (g, path, 8192, 0, &headlen)) == NULL)
      return -1;
    if (memmem (head, headlen, "\r\n", 2))
      nl = "\r\n";
    else if (memchr (head, '\n', headlen))
      nl = "\n";
    else if (memchr (head, '\r', headlen))
      nl = "\r";
    /* Does the file end with that line ending already? */
    if ((tail = guestfs_pread (g, path, strlen (nl),
                               size >= (int64_t) strlen (nl)
                               ? size - (int64_t) strlen (nl) : 0,
                               &taillen)) == NULL)
      return -1;
  }
  data = gs_xasprintf ("%s%s%s",
                       size > 0 && (taillen != strlen (nl) ||
                                    memcmp (tail, nl, taillen) != 0) ? nl : "",
                       line, nl);
  if (cz_report (ctx, real, true, strlen (data)) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return 0;
  return guestfs_write_append (g, path, data, strlen (data));
}

/* Report each missing component of DIR, then make them all. */
static int
do_mkdir (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
          const struct cz_action *act)
{
  CLEANUP_FREE char *path = gs_xstrdup (act->a);
  CLEANUP_FREE char *real = NULL;
  size_t len;
  int r;

  len = strlen (path);
  while (len > 1 && path[len - 1] == '/')
    path[--len] = '\0';
  if ((real = cz_target (ctx, g, act, path)) == NULL)
    return -1;
  for (char *p = path + 1; ; ++p) {
    char saved = *p;

    if (saved != '/' && saved != '\0')
      continue;
    *p = '\0';
    if ((r = cz_is_dir (st, g, path)) == -1)
      return -1;
    if (r == 0) {
      if ((r = cz_exists (st, g, path)) == -1)
        return -1;
      if (r == 1) {
        gs_error ("%s: %s exists and is not a directory", act->label, path);
        return -1;
      }
      if (gs_path_protected (ctx, path)) {
        gs_error ("%s: %s is protected by --exclude-path: not created",
                  act->label, path);
        return -1;
      }
      if (gs_report_path (ctx, path, GS_ACTION_CREATED, 0) == -1 ||
          (gs_dry_run (ctx) && cz_plan (st, 'd', path) == -1))
        return -1;
    }
    *p = saved;
    if (saved == '\0')
      break;
  }
  if (gs_dry_run (ctx))
    return 0;
  return guestfs_mkdir_p (g, path);
}

static int
do_chmod (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
          const struct cz_action *act)
{
  CLEANUP_FREE char *real = cz_target (ctx, g, act, act->a);
  int r;

  if (real == NULL || (r = cz_exists (st, g, act->a)) == -1)
    return -1;
  if (r == 0) {
    gs_error ("%s: no such file in the guest", act->label);
    return -1;
  }
  if (cz_report (ctx, real, true, 0) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return 0;
  return guestfs_chmod (g, act->mode, act->a);
}

static int
do_upload (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
           const struct cz_action *act)
{
  CLEANUP_FREE char *dest = NULL, *real = NULL;
  struct stat sb;
  int r, existed;

  if ((r = cz_is_dir (st, g, act->b)) == -1)
    return -1;
  dest = r ? gs_path_join (act->b, cz_basename (act->a))
           : gs_xstrdup (act->b);
  if (stat (act->a, &sb) == -1) {
    gs_error ("%s: %s: %m", act->label, act->a);
    return -1;
  }
  if ((real = cz_target (ctx, g, act, dest)) == NULL ||
      (existed = cz_exists (st, g, dest)) == -1)
    return -1;
  if (!existed && cz_check_parent (st, g, act, dest) == -1)
    return -1;
  if (cz_report (ctx, real, existed, sb.st_size) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return cz_plan (st, 'f', dest);
  if (guestfs_upload (g, act->a, dest) == -1 ||
      guestfs_chmod (g, sb.st_mode & 07777, dest) == -1)
    return -1;
  /* The host file's owner, as virt-customize (a guest filesystem that
   * cannot represent it only gets a warning).
   */
  gs_quiet_begin (g);
  r = guestfs_chown (g, sb.st_uid, sb.st_gid, dest);
  gs_quiet_end (g);
  if (r == -1)
    gs_warning ("%s: cannot give %s the owner %d:%d: %s", act->label, dest,
                (int) sb.st_uid, (int) sb.st_gid, guestfs_last_error (g));
  return 0;
}

/* copy-in: the host tree under LOCAL lands at GUEST; report each path.
 * EXISTING: what the guest already has there (guestfs_find, relative).
 */
static int
copy_in_walk (struct cz_state *st, struct gs_ctx *ctx,
              const struct cz_action *act, const char *local,
              const char *guest, const char *rel, char *const *existing)
{
  struct stat sb;
  bool existed = false;

  if (lstat (local, &sb) == -1) {
    gs_error ("%s: %s: %m", act->label, local);
    return -1;
  }
  if (gs_path_protected (ctx, guest)) {
    gs_error ("%s: %s is protected by --exclude-path: not changed",
              act->label, guest);
    return -1;
  }
  if (rel == NULL)
    existed = existing != NULL;
  else
    for (size_t i = 0; existing && existing[i]; ++i)
      if (strcmp (existing[i], rel) == 0)
        existed = true;
  if (cz_report (ctx, guest, existed, S_ISREG (sb.st_mode) ? sb.st_size : 0)
      == -1 ||
      (gs_dry_run (ctx) && cz_plan (st, S_ISDIR (sb.st_mode) ? 'd' : 'f',
                                    guest) == -1))
    return -1;

  if (S_ISDIR (sb.st_mode)) {
    DIR *d = opendir (local);
    struct dirent *e;
    int r = 0;

    if (d == NULL) {
      gs_error ("%s: %s: %m", act->label, local);
      return -1;
    }
    while (r == 0 && (errno = 0, e = readdir (d)) != NULL) {
      CLEANUP_FREE char *l = NULL, *gp = NULL, *rp = NULL;

      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      l = gs_path_join (local, e->d_name);
      gp = gs_path_join (guest, e->d_name);
      rp = rel ? gs_path_join (rel, e->d_name) : gs_xstrdup (e->d_name);
      r = copy_in_walk (st, ctx, act, l, gp, rp, existing);
    }
    if (r == 0 && errno) {
      gs_error ("%s: %s: %m", act->label, local);
      r = -1;
    }
    closedir (d);
    return r;
  }
  return 0;
}

static int
do_copy_in (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
            const struct cz_action *act)
{
  CLEANUP_FREE char *local = gs_xstrdup (act->a);
  CLEANUP_FREE char *top = NULL, *real = NULL;
  CLEANUP_FREE_STRV char **existing = NULL;
  size_t len;
  int r;

  len = strlen (local);
  while (len > 1 && local[len - 1] == '/')
    local[--len] = '\0';
  if ((r = cz_is_dir (st, g, act->b)) == -1)
    return -1;
  if (r == 0) {
    gs_error ("%s: no such directory in the guest", act->label);
    return -1;
  }
  top = gs_path_join (act->b, cz_basename (local));
  if ((real = cz_target (ctx, g, act, top)) == NULL)
    return -1;
  /* What is there already, to tell created from changed. */
  if ((r = guestfs_exists (g, top)) == -1)
    return -1;
  if (r == 1) {
    if ((r = guestfs_is_dir (g, top)) == -1)
      return -1;
    if (r == 1 ? (existing = guestfs_find (g, top)) == NULL
               : (existing = calloc (1, sizeof *existing)) == NULL)
      return -1;
  }
  if (copy_in_walk (st, ctx, act, local, real, NULL, existing) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return 0;
  return guestfs_copy_in (g, local, act->b);
}

int
cz_file_action (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
                const struct cz_action *act)
{
  switch (act->verb) {
  case CZ_DELETE: return do_delete (ctx, g, act);
  case CZ_TOUCH: return do_touch (st, ctx, g, act);
  case CZ_WRITE:
    return cz_write_file (st, ctx, g, act, act->a, act->b, strlen (act->b));
  case CZ_APPEND_LINE: return do_append_line (st, ctx, g, act);
  case CZ_MKDIR: return do_mkdir (st, ctx, g, act);
  case CZ_CHMOD: return do_chmod (st, ctx, g, act);
  case CZ_UPLOAD: return do_upload (st, ctx, g, act);
  case CZ_COPY_IN: return do_copy_in (st, ctx, g, act);
  default:
    gs_error ("%s: not a file action", act->label);
    return -1;
  }
}
