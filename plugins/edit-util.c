/* SPDX-License-Identifier: GPL-2.0-or-later */
/* edit-util.c: see edit-util.h. */
#include <config.h>

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "edit-util.h"
#include "cleanups.h"
#include "path-join.h"

/* augeas flags (augeas.h; libguestfs passes them through). */
#define AUG_NO_LOAD (1 << 5)
#define AUG_NO_MODL_AUTOLOAD (1 << 6)

int
gs_edit_list (struct gs_ctx *ctx, guestfs_h *g, const char *dir,
              const char *pattern, string_vector *out)
{
  CLEANUP_FREE char *real = NULL;
  CLEANUP_FREE_STRV char **names = NULL;
  CLEANUP_FREE char **matched = NULL;   /* borrows NAMES' strings */
  struct guestfs_statns_list *st;
  size_t n = 0, j = 0;
  int r;

  if ((r = guestfs_is_dir_opts (g, dir, GUESTFS_IS_DIR_OPTS_FOLLOWSYMLINKS, 1,
                                -1)) <= 0)
    return r;                    /* missing: nothing to edit */
  if ((real = guestfs_realpath (g, dir)) == NULL ||
      (names = guestfs_ls (g, real)) == NULL)
    return -1;
  while (names[n])
    n++;
  matched = gs_xcalloc (n + 1, sizeof *matched);
  for (size_t i = 0; i < n; ++i)
    if (fnmatch (pattern, names[i], FNM_PERIOD) == 0)
      matched[j++] = names[i];
  if (j == 0)
    return 0;
  /* One call for all of them; lstat never follows a symlink. */
  if ((st = guestfs_lstatnslist (g, real, matched)) == NULL)
    return -1;
  for (size_t i = 0; i < j; ++i) {
    CLEANUP_FREE char *nominal = gs_path_join (dir, matched[i]);
    char *p = gs_path_join (real, matched[i]);

    if (st->val[i].st_ino == -1 || (st->val[i].st_mode & S_IFMT) != S_IFREG ||
        gs_path_protected (ctx, nominal) || gs_path_protected (ctx, p)) {
      free (p);
      continue;
    }
    string_vector_append (out, p);
  }
  guestfs_free_statns_list (st);
  string_vector_sort (out);
  return 0;
}

/* In a path expression, a backslash makes the next byte part of the
 * name; escape everything but a safe set.
 */
char *
gs_aug_escape (const char *name)
{
  char *out = gs_xmalloc (2 * strlen (name) + 1), *o = out;

  for (const char *p = name; *p; ++p) {
    if (!isalnum ((unsigned char) *p) && !strchr ("._-:@+~%", *p))
      *o++ = '\\';
    *o++ = *p;
  }
  *o = '\0';
  return out;
}

/* In a transform's file glob, only glob syntax needs escaping. */
static char *
glob_escape (const char *path)
{
  char *out = gs_xmalloc (2 * strlen (path) + 1), *o = out;

  for (const char *p = path; *p; ++p) {
    if (strchr ("*?[]\\", *p))
      *o++ = '\\';
    *o++ = *p;
  }
  *o = '\0';
  return out;
}

static char *
node_of (const char *path)
{
  CLEANUP_FREE char *copy = gs_xstrdup (path);
  char *node, *save = NULL;
  size_t len = strlen ("/files") + 1;

  node = gs_xmalloc (2 * strlen (path) + len + 1);
  strcpy (node, "/files");
  for (char *s = strtok_r (copy, "/", &save); s;
       s = strtok_r (NULL, "/", &save)) {
    CLEANUP_FREE char *e = gs_aug_escape (s);

    strcat (node, "/");
    strcat (node, e);
  }
  return node;
}

int
gs_aug_begin (struct gs_aug *a, guestfs_h *g)
{
  memset (a, 0, sizeof *a);
  a->g = g;
  if (guestfs_aug_init (g, "/", AUG_NO_LOAD | AUG_NO_MODL_AUTOLOAD) == -1)
    return -1;
  a->open = true;
  return 0;
}

struct gs_aug_file *
gs_aug_add (struct gs_aug *a, const char *lens, const char *path)
{
  CLEANUP_FREE char *glob = glob_escape (path);
  struct gs_aug_file *f;

  a->files = gs_xreallocarray (a->files, a->nfiles + 1, sizeof *a->files);
  f = &a->files[a->nfiles];
  memset (f, 0, sizeof *f);
  f->path = gs_xstrdup (path);
  f->node = node_of (path);
  a->nfiles++;
  if (guestfs_aug_transform (a->g, lens, glob, -1) == -1)
    return NULL;
  return f;
}

/* The value of PATH, or NULL if it has none or does not exist; never
 * an error message (libguestfs calls both an error).
 */
char *
gs_aug_get (struct gs_aug *a, const char *path)
{
  char *v;

  gs_quiet_begin (a->g);
  v = guestfs_aug_get (a->g, path);
  gs_quiet_end (a->g);
  return v;
}

int
gs_aug_load (struct gs_aug *a)
{
  if (guestfs_aug_load (a->g) == -1)
    return -1;
  for (size_t i = 0; i < a->nfiles; ++i) {
    struct gs_aug_file *f = &a->files[i];
    CLEANUP_FREE char *meta = gs_xasprintf ("/augeas%s/error", f->node);
    CLEANUP_FREE char *msg = NULL, *line = NULL;
    CLEANUP_FREE char *err = NULL;
    CLEANUP_FREE_STRV char **m = NULL;

    if ((m = guestfs_aug_match (a->g, meta)) == NULL)
      return -1;
    if (m[0] == NULL)
      continue;
    err = gs_aug_get (a, m[0]);
    {
      CLEANUP_FREE char *pm = gs_xasprintf ("%s/message", m[0]);
      CLEANUP_FREE char *pl = gs_xasprintf ("%s/line", m[0]);

      msg = gs_aug_get (a, pm);
      line = gs_aug_get (a, pl);
    }
    f->error = gs_xasprintf ("%s%s%s%s%s", err ? err : "error",
                             line ? " at line " : "", line ? line : "",
                             msg ? ": " : "", msg ? msg : "");
  }
  return 0;
}

char **
gs_aug_match (struct gs_aug *a, struct gs_aug_file *f, const char *subpath)
{
  CLEANUP_FREE char *p = gs_xasprintf ("%s%s", f->node, subpath);

  return guestfs_aug_match (a->g, p);
}

int
gs_aug_rm (struct gs_aug *a, struct gs_aug_file *f, const char *subpath)
{
  CLEANUP_FREE char *p = NULL;
  int r;

  if (f->error)
    return 0;                    /* never touch what was not parsed */
  p = gs_xasprintf ("%s%s", f->node, subpath);
  if ((r = guestfs_aug_rm (a->g, p)) > 0)
    f->changed = true;
  return r;
}

int
gs_aug_rm_node (struct gs_aug *a, struct gs_aug_file *f, const char *path)
{
  int r;

  if (f->error)
    return 0;
  if ((r = guestfs_aug_rm (a->g, path)) > 0)
    f->changed = true;
  return r;
}

int
gs_aug_set (struct gs_aug *a, struct gs_aug_file *f, const char *path,
            const char *value)
{
  if (f->error)
    return 0;                    /* never touch what was not parsed */
  if (guestfs_aug_set (a->g, path, value) == -1)
    return -1;
  f->changed = true;
  return 0;
}

struct gs_aug_file *
gs_aug_open (struct gs_aug *a, guestfs_h *g, const char *lens,
             const char *path)
{
  if (gs_aug_begin (a, g) == -1 || gs_aug_add (a, lens, path) == NULL ||
      gs_aug_load (a) == -1)
    return NULL;
  return &a->files[0];
}

int
gs_aug_save (struct gs_aug *a)
{
  struct guestfs_xattr_list **attrs = NULL;
  bool any = false;
  int r = -1;

  for (size_t i = 0; i < a->nfiles; ++i)
    any |= a->files[i].changed;
  if (!any)
    return 0;
  attrs = gs_xcalloc (a->nfiles, sizeof *attrs);
  /* Through a symlink, those of the file augeas replaces; a file
   * augeas is about to create has none.
   */
  for (size_t i = 0; i < a->nfiles; ++i) {
    int e;

    if (!a->files[i].changed)
      continue;
    if ((e = guestfs_exists (a->g, a->files[i].path)) == -1 ||
        (e == 1 &&
         (attrs[i] = guestfs_getxattrs (a->g, a->files[i].path)) == NULL))
      goto out;
  }
  if (guestfs_aug_save (a->g) == -1)
    goto out;
  /* augeas wrote a new file in place of each changed one. */
  for (size_t i = 0; i < a->nfiles; ++i) {
    if (attrs[i] == NULL)
      continue;
    for (size_t k = 0; k < attrs[i]->len; ++k) {
      const struct guestfs_xattr *x = &attrs[i]->val[k];

      if (guestfs_setxattr (a->g, x->attrname, x->attrval, x->attrval_len,
                            a->files[i].path) == -1)
        goto out;
    }
  }
  r = 0;

 out:
  for (size_t i = 0; i < a->nfiles; ++i)
    if (attrs[i])
      guestfs_free_xattr_list (attrs[i]);
  free (attrs);
  return r;
}

int
gs_aug_commit (struct gs_ctx *ctx, struct gs_aug *a)
{
  for (size_t i = 0; i < a->nfiles; ++i)
    if (a->files[i].changed &&
        gs_report_path (ctx, a->files[i].path, GS_ACTION_CHANGED, -1) == -1)
      return -1;
  return gs_dry_run (ctx) ? 0 : gs_aug_save (a);
}

void
gs_aug_end (struct gs_aug *a)
{
  if (a->open) {
    gs_quiet_begin (a->g);
    guestfs_aug_close (a->g);
    gs_quiet_end (a->g);
  }
  for (size_t i = 0; i < a->nfiles; ++i) {
    free (a->files[i].path);
    free (a->files[i].node);
    free (a->files[i].error);
  }
  free (a->files);
  memset (a, 0, sizeof *a);
}
