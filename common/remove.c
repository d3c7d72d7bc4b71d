/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remove.c: gs_remove, the one way operations remove guest paths, so
 * that the safety rules (no symlink followed, no path protected by
 * --exclude-path touched (exclude.c), dry runs only report) hold for
 * every plugin.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "goldsmith-int.h"
#include "ctx.h"
#include "cleanups.h"
#include "path-join.h"
#include "xalloc.h"

/* Does the tree under DIR hold a protected path? */
static int
holds_protected (struct gs_ctx *ctx, guestfs_h *g, const char *dir)
{
  CLEANUP_FREE_STRV char **all = NULL;

  if (!gs_int_exclude_any (ctx->exclude))
    return 0;
  if ((all = guestfs_find (g, dir)) == NULL)
    return -1;
  for (size_t i = 0; all[i] != NULL; ++i) {
    CLEANUP_FREE char *p = gs_path_join (dir, all[i]);

    if (p == NULL)
      return -1;
    if (gs_path_protected (ctx, p))
      return 1;
  }
  return 0;
}

/* Dry run: was PATH, or a directory above it, reported removed? */
static bool
dry_removed (const struct gs_ctx *ctx, const char *path)
{
  for (size_t i = 0; i < ctx->dry_removed.len; ++i) {
    const char *r = ctx->dry_removed.ptr[i];
    size_t n = strlen (r);

    if (strncmp (path, r, n) == 0 && (path[n] == '\0' || path[n] == '/'))
      return true;
  }
  return false;
}

int
gs_exists (struct gs_ctx *ctx, guestfs_h *g, const char *path)
{
  int r;

  if (ctx->dry_run && dry_removed (ctx, path))
    return 0;
  if ((r = guestfs_exists (g, path)) != 0)
    return r;
  return guestfs_is_symlink (g, path);   /* exists follows links */
}

static int remove_real (struct gs_ctx *ctx, guestfs_h *g, const char *path,
                        mode_t type, int64_t size, unsigned flags);

/* lstatnslist answers in one message (4 MiB at most): a statns is
 * about 150 bytes, so a directory of 100,000 entries goes in chunks.
 */
#define STAT_CHUNK 1000

/* Remove the entries NAMES[0..N) of DIR, a directory reached without
 * any symlink: a few lstatnslist calls for all of them, then one
 * removal each.
 */
static int
remove_names (struct gs_ctx *ctx, guestfs_h *g, const char *dir,
              char **names, size_t n, unsigned flags)
{
  for (size_t i = 0; i < n; i += STAT_CHUNK) {
    size_t k = n - i < STAT_CHUNK ? n - i : STAT_CHUNK;
    char *saved = names[i + k];
    struct guestfs_statns_list *st;
    int r = 0;

    names[i + k] = NULL;        /* the chunk, as a NULL-ended list */
    st = guestfs_lstatnslist (g, dir, &names[i]);
    names[i + k] = saved;
    if (st == NULL)
      return -1;
    /* lstatnslist reports a missing entry as st_ino == -1, without an
     * error, and never follows a symlink.
     */
    for (size_t j = 0; j < k && r == 0; ++j) {
      CLEANUP_FREE char *p = NULL;

      if (st->val[j].st_ino == -1)
        continue;
      p = gs_path_join (dir, names[i + j]);
      r = remove_real (ctx, g, p, st->val[j].st_mode & S_IFMT,
                         st->val[j].st_size, flags);
    }
    guestfs_free_statns_list (st);
    if (r == -1)
      return -1;
  }
  return 0;
}

/* Remove what DIR holds, entry by entry, keeping DIR itself. */
static int
remove_contents (struct gs_ctx *ctx, guestfs_h *g, const char *dir,
                 unsigned flags)
{
  CLEANUP_FREE_STRV char **names = guestfs_ls (g, dir);
  size_t n = 0;

  if (names == NULL)
    return -1;
  while (names[n] != NULL)
    n++;
  return remove_names (ctx, g, dir, names, n, flags);
}

/* PATH is canonical up to its last element, of TYPE. */
static int
remove_real (struct gs_ctx *ctx, guestfs_h *g, const char *path,
             mode_t type, int64_t size, unsigned flags)
{
  bool recursive = flags & GS_REMOVE_RECURSIVE;
  bool files_only = flags & GS_REMOVE_FILES_ONLY;
  int r;

  if (gs_path_protected (ctx, path))
    return 0;
  if (type == S_IFDIR) {
    if (!recursive)
      return 0;                  /* directories are kept */
    if (files_only)
      return remove_contents (ctx, g, path, flags);
    if ((r = holds_protected (ctx, g, path)) == -1)
      return -1;
    if (r == 1)
      return remove_contents (ctx, g, path, flags);
    if ((size = guestfs_du (g, path)) == -1)
      return -1;
    size *= 1024;                /* du reports KiB in use */
  }
  else if (files_only && type != S_IFREG)
    return 0;

  if (ctx->dry_run && dry_removed (ctx, path))
    return 0;                    /* an earlier operation "removed" it */
  if (gs_report_path (ctx, path, GS_ACTION_REMOVED, size) == -1)
    return -1;
  if (ctx->dry_run)
    return string_vector_append_copy (&ctx->dry_removed, path);
  return type == S_IFDIR ? guestfs_rm_rf (g, path) : guestfs_rm (g, path);
}

/* PATH without empty or "." elements, ".." taken back lexically and
 * no trailing slash: what realpath gives for a path with no symlink.
 */
char *
gs_int_lexical_path (const char *path)
{
  char *out = gs_xmalloc (strlen (path) + 2);
  size_t len = 0;

  for (const char *p = path; *p; ) {
    size_t n;

    while (*p == '/')
      p++;
    n = strcspn (p, "/");
    if (n == 0 || (n == 1 && p[0] == '.'))
      ;
    else if (n == 2 && p[0] == '.' && p[1] == '.') {
      while (len > 0 && out[len - 1] != '/')
        len--;
      if (len > 0)
        len--;                   /* the slash before the element */
    }
    else {
      out[len++] = '/';
      memcpy (out + len, p, n);
      len += n;
    }
    p += n;
  }
  if (len == 0)
    out[len++] = '/';
  out[len] = '\0';
  return out;
}

bool
gs_int_resolved_dir_ok (const char *lexical, const char *real)
{
  size_t n = strlen (real);
  CLEANUP_FREE char *canon = NULL;

  if (real[0] != '/')
    return false;
  canon = gs_int_lexical_path (real);
  if (strcmp (canon, real) != 0)
    return false;                /* not what a realpath gives */
  if (strcmp (real, "/") == 0)
    return false;
  /* A directory on LEXICAL's own path (or LEXICAL itself). */
  return !(strncmp (lexical, real, n) == 0 &&
           (lexical[n] == '/' || lexical[n] == '\0'));
}

/* Where may the entries of DIR be removed?  libguestfs resolves DIR's
 * symlinks inside the guest's root (its realpath runs chrooted there:
 * an absolute link /home -> /srv/home is the guest's /srv/home, and
 * ../../.. stops at the guest's /), so the removal lands where
 * virt-sysprep's glob found the entries, never outside the guest.  A
 * link back up its own path (/var/log/audit -> / or -> /var) is
 * refused (gs_int_resolved_dir_ok): its entries would be the link's
 * own parents.  1 yes, with *WHERE_RET the real directory; 0 no (a
 * missing DIR, or a refused link, with a warning when there were
 * entries to remove); -1 on error.
 */
static int
dir_removable (struct gs_ctx *ctx, guestfs_h *g, const char *dir,
               char *const *names, size_t nentries, char **where_ret)
{
  CLEANUP_FREE char *lexical = gs_int_lexical_path (dir);
  char *real = NULL;
  int r;

  *where_ret = NULL;
  /* realpath fails on a missing path or a symlink loop: nothing to
   * remove there, and not an error of ours.
   */
  gs_quiet_begin (g);
  real = guestfs_realpath (g, dir);
  gs_quiet_end (g);
  if (real == NULL)
    return 0;
  if (strcmp (real, lexical) != 0 &&
      !gs_int_resolved_dir_ok (lexical, real)) {
    CLEANUP_FREE char *one = nentries == 1 ? gs_path_join (dir, names[0])
                                           : NULL;

    if (one)
      gs_warning ("%s not removed: %s is a symlink back up its own path "
                  "(to %s)", one, dir, real);
    else
      gs_warning ("%zu paths in %s not removed: the directory is a symlink "
                  "back up its own path (to %s)", nentries, dir, real);
    free (real);
    return 0;
  }
  if ((r = guestfs_is_dir (g, real)) != 1) {
    free (real);
    return r;
  }
  *where_ret = real;
  return 1;
}

int
gs_remove (struct gs_ctx *ctx, guestfs_h *g, const char *path,
           unsigned flags)
{
  char *paths[2] = { (char *) path, NULL };

  return gs_remove_all (ctx, g, paths, flags);
}

/* Is PATH one gs_remove may consider (absolute, naming an entry)? */
static bool
removable_name (const struct gs_ctx *ctx, const char *path)
{
  const char *slash = strrchr (path, '/');
  const char *base = slash ? slash + 1 : path;

  return path[0] == '/' && base[0] && strcmp (base, ".") != 0 &&
    strcmp (base, "..") != 0 && !gs_path_protected (ctx, path);
}

/* Paths come in runs sharing a parent (glob_expand and find sort
 * them): each run costs one realpath and is_dir for the parent and an
 * lstatnslist per STAT_CHUNK entries, then one removal per entry,
 * rather than four calls per path.
 */
int
gs_remove_all (struct gs_ctx *ctx, guestfs_h *g, char *const *paths,
               unsigned flags)
{
  size_t before = ctx->op ? ctx->op->npaths : 0;
  string_vector run = empty_vector;
  CLEANUP_FREE char *parent = NULL;
  int r = 0;

  for (size_t i = 0; r == 0; ++i) {
    const char *p = paths[i];
    size_t plen = 0;

    if (p != NULL) {
      if (!removable_name (ctx, p))
        continue;
      plen = strrchr (p, '/') - p;
      while (plen > 0 && p[plen - 1] == '/')
        plen--;                  /* "/etc//x": the parent is "/etc" */
    }
    /* The end of a run: remove its entries. */
    if (parent != NULL &&
        (p == NULL || strlen (parent) != (plen ? plen : 1) ||
         strncmp (parent, p, plen ? plen : 1) != 0)) {
      CLEANUP_FREE char *where = NULL;

      if ((r = dir_removable (ctx, g, parent, run.ptr, run.len,
                              &where)) == 1)
        r = remove_names (ctx, g, where, run.ptr, run.len, flags);
      string_vector_free_all (&run);
      free (parent);
      parent = NULL;
    }
    if (p == NULL || r == -1)
      break;
    if (parent == NULL)
      parent = gs_xstrndup (p, plen ? plen : 1);
    string_vector_append_copy (&run, strrchr (p, '/') + 1);
  }
  string_vector_free_all (&run);
  if (r == -1)
    return -1;
  return (ctx->op ? ctx->op->npaths : 0) - before;
}
