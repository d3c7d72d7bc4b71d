/* remove.c: gs_remove, the one way operations remove guest paths, and
 * --exclude-path, the regexes that protect paths from every operation.
 * Keeping both here means the safety rules (no symlink followed, no
 * protected path touched, dry runs only report) hold for every plugin.
 */
#include <config.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "goldsmith-int.h"
#include "cleanups.h"
#include "path-join.h"

struct gs_exclude {
  size_t n;
  pcre2_code **re;
  pcre2_match_data *md;
};

struct gs_exclude *
gs_int_exclude_new (const string_vector *regexes, const char *what)
{
  struct gs_exclude *ex = calloc (1, sizeof *ex);

  if (ex == NULL || (ex->re = calloc (regexes->len + 1, sizeof *ex->re)) ==
      NULL)
    goto nomem;
  for (size_t i = 0; i < regexes->len; ++i) {
    int err;
    PCRE2_SIZE off;

    ex->re[i] = pcre2_compile ((PCRE2_SPTR) regexes->ptr[i],
                               PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
    if (ex->re[i] == NULL) {
      PCRE2_UCHAR msg[256];

      pcre2_get_error_message (err, msg, sizeof msg);
      gs_error ("%s '%s': bad regular expression at offset %zu: %s",
                what, regexes->ptr[i], (size_t) off, (char *) msg);
      ex->n = i;
      gs_int_exclude_free (ex);
      return NULL;
    }
    ex->n = i + 1;
  }
  if ((ex->md = pcre2_match_data_create (1, NULL)) == NULL)
    goto nomem;
  return ex;

 nomem:
  gs_int_exclude_free (ex);
  gs_error ("out of memory");
  return NULL;
}

void
gs_int_exclude_free (struct gs_exclude *ex)
{
  if (ex == NULL)
    return;
  for (size_t i = 0; i < ex->n; ++i)
    pcre2_code_free (ex->re[i]);
  free (ex->re);
  pcre2_match_data_free (ex->md);
  free (ex);
}

bool
gs_int_exclude_match (const struct gs_exclude *ex, const char *path)
{
  if (ex == NULL)
    return false;
  for (size_t i = 0; i < ex->n; ++i)
    if (pcre2_match (ex->re[i], (PCRE2_SPTR) path, strlen (path), 0, 0,
                     ex->md, NULL) >= 0)
      return true;
  return false;
}

bool
gs_path_protected (const struct gs_ctx *ctx, const char *path)
{
  return gs_int_exclude_match (ctx->exclude, path);
}


/* Does the tree under DIR hold a protected path? */
static int
holds_protected (struct gs_ctx *ctx, guestfs_h *g, const char *dir)
{
  CLEANUP_FREE_STRV char **all = NULL;

  if (ctx->exclude == NULL || ctx->exclude->n == 0)
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

/* Remove what DIR holds, entry by entry, keeping DIR itself. */
static int
remove_contents (struct gs_ctx *ctx, guestfs_h *g, const char *dir,
                 unsigned flags)
{
  CLEANUP_FREE_STRV char **names = guestfs_ls (g, dir);
  struct guestfs_statns_list *st;
  int r = 0;

  if (names == NULL)
    return -1;
  if (names[0] == NULL)
    return 0;
  /* One call for the whole directory rather than one per entry. */
  if ((st = guestfs_lstatnslist (g, dir, names)) == NULL)
    return -1;
  for (size_t i = 0; names[i] != NULL && r == 0; ++i) {
    CLEANUP_FREE char *p = gs_path_join (dir, names[i]);

    if (p == NULL) {
      gs_error ("out of memory");
      r = -1;
    }
    else if (st->val[i].st_ino != -1)
      r = remove_real (ctx, g, p, st->val[i].st_mode & S_IFMT,
                       st->val[i].st_size, flags);
  }
  guestfs_free_statns_list (st);
  return r;
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

static int remove_path (struct gs_ctx *ctx, guestfs_h *g, const char *path,
                        unsigned flags);

int
gs_remove (struct gs_ctx *ctx, guestfs_h *g, const char *path,
           unsigned flags)
{
  size_t before = json_object_array_length (ctx->paths);

  if (remove_path (ctx, g, path, flags) == -1)
    return -1;
  return json_object_array_length (ctx->paths) - before;
}

static int
remove_path (struct gs_ctx *ctx, guestfs_h *g, const char *path,
             unsigned flags)
{
  const char *slash = strrchr (path, '/');
  const char *base = slash ? slash + 1 : path;
  CLEANUP_FREE char *parent = NULL;
  CLEANUP_FREE char *real_parent = NULL;
  CLEANUP_FREE char *real = NULL;
  char *names[2] = { (char *) base, NULL };
  struct guestfs_statns_list *st;
  mode_t type;
  int64_t size;
  int r;

  if (path[0] != '/' || !base[0] || strcmp (base, ".") == 0 ||
      strcmp (base, "..") == 0 || gs_path_protected (ctx, path))
    return 0;
  if ((parent = strndup (path, slash == path ? 1 : slash - path)) == NULL)
    goto nomem;
  /* A missing parent means a missing path. */
  if ((r = guestfs_is_dir_opts (g, parent,
                                GUESTFS_IS_DIR_OPTS_FOLLOWSYMLINKS, 1,
                                -1)) <= 0)
    return r;
  if ((real_parent = guestfs_realpath (g, parent)) == NULL)
    return -1;
  if ((real = gs_path_join (real_parent, base)) == NULL)
    goto nomem;
  /* lstatnslist, unlike lstatns, reports a missing entry without an
   * error (st_ino == -1), and never follows a symlink.
   */
  if ((st = guestfs_lstatnslist (g, real_parent, names)) == NULL)
    return -1;
  type = st->val[0].st_mode & S_IFMT;
  size = st->val[0].st_size;
  r = st->val[0].st_ino == -1 ? 0 : 1;
  guestfs_free_statns_list (st);
  if (r == 0)
    return 0;
  return remove_real (ctx, g, real, type, size, flags);

 nomem:
  gs_error ("out of memory");
  return -1;
}
