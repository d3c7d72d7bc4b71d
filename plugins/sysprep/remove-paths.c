/* remove-paths: the template behind every operation that only removes
 * paths matching globs.  Each such operation is a configuration section
 * (conf/sysprep/NAME.conf) saying `kind = "remove-paths"`, so an
 * administrator adds one by dropping a file in conf.d.
 *
 * Globs are expanded inside the guest, never on the host.  A match is
 * removed through its canonical parent directory (resolved inside the
 * guest), so a symlinked parent cannot redirect the removal, and a
 * matching symlink is removed as a link, never followed.
 */
#include <config.h>

#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "goldsmith-plugin.h"
#include "string-vector.h"
#include "cleanups.h"
#include "config-util.h"

struct rp {
  string_vector globs;
  string_vector except;          /* basenames (fnmatch patterns) kept */
  string_vector os_types;        /* filters: "x" allows, "!x" excludes */
  string_vector distros;
  string_vector package_formats;
  string_vector package_managers;
  bool recursive;                /* remove matching directories too */
  bool files_only;               /* regular files only (no links) */
  bool globs_seen;
};

static const struct gs_config_key keys[] = {
  { "globs", GS_KEY_STRINGS, "paths to remove; globs expanded in the guest" },
  { "except", GS_KEY_STRINGS, "basename patterns never removed" },
  { "recursive", GS_KEY_BOOL, "remove matching directories with their contents (default false: directories are kept)" },
  { "files-only", GS_KEY_BOOL, "remove regular files only, not symlinks or devices" },
  { "os-types", GS_KEY_STRINGS, "guest types it applies to (\"linux\"; \"!windows\" excludes)" },
  { "distros", GS_KEY_STRINGS, "distributions it applies to (\"fedora\", \"!debian\", ...)" },
  { "package-formats", GS_KEY_STRINGS, "package formats it applies to (\"rpm\", \"deb\", ...)" },
  { "package-managers", GS_KEY_STRINGS, "package managers it applies to (\"apt\", \"dnf\", ...)" },
  { NULL, 0, NULL },
};

static struct rp *
get (struct gs_op *op)
{
  struct rp *rp = gs_op_get_data (op);

  if (rp == NULL && (rp = calloc (1, sizeof *rp)) != NULL)
    gs_op_set_data (op, rp);
  return rp;
}

static int
remove_paths_configure (struct gs_op *op, const config_setting_t *sec)
{
  struct rp *rp = get (op);

  if (rp == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  if (gs_config_get_strings (sec, "globs", &rp->globs, &rp->globs_seen) ||
      gs_config_get_strings (sec, "except", &rp->except, NULL) ||
      gs_config_get_strings (sec, "os-types", &rp->os_types, NULL) ||
      gs_config_get_strings (sec, "distros", &rp->distros, NULL) ||
      gs_config_get_strings (sec, "package-formats", &rp->package_formats,
                             NULL) ||
      gs_config_get_strings (sec, "package-managers", &rp->package_managers,
                             NULL))
    return -1;
  gs_config_get_bool (sec, "recursive", &rp->recursive);
  gs_config_get_bool (sec, "files-only", &rp->files_only);

  for (size_t i = 0; i < rp->globs.len; ++i)
    if (rp->globs.ptr[i][0] != '/') {
      const config_setting_t *g = config_setting_get_member (sec, "globs");
      gs_error ("%s:%u: globs: \"%s\" is not an absolute path",
                config_setting_source_file (g),
                config_setting_source_line (g), rp->globs.ptr[i]);
      return -1;
    }
  return 0;
}

static int
remove_paths_config_complete (struct gs_op *op)
{
  struct rp *rp = get (op);

  if (rp == NULL || !rp->globs_seen) {
    gs_error ("no globs configured (a remove-paths operation needs "
              "globs = [ ... ])");
    return -1;
  }
  return 0;
}

/* Does VALUE pass FILTER?  Empty filter: yes.  "!x" entries exclude;
 * if there are plain entries, VALUE must be one of them.
 */
static bool
passes (const string_vector *filter, const char *value)
{
  bool any_plain = false;

  for (size_t i = 0; i < filter->len; ++i) {
    const char *e = filter->ptr[i];

    if (e[0] == '!') {
      if (value && strcmp (e + 1, value) == 0)
        return false;
    }
    else
      any_plain = true;
  }
  if (!any_plain)
    return true;
  for (size_t i = 0; i < filter->len; ++i)
    if (filter->ptr[i][0] != '!' && value && strcmp (filter->ptr[i], value) == 0)
      return true;
  return false;
}

static bool
applies (struct gs_ctx *ctx, const struct rp *rp)
{
  static const struct { const char *key; size_t off; } f[] = {
    { "type", offsetof (struct rp, os_types) },
    { "distro", offsetof (struct rp, distros) },
    { "package-format", offsetof (struct rp, package_formats) },
    { "package-management", offsetof (struct rp, package_managers) },
  };

  for (size_t i = 0; i < sizeof f / sizeof f[0]; ++i) {
    const string_vector *filter =
      (const string_vector *) ((const char *) rp + f[i].off);
    const char *v = gs_guest_get (ctx, f[i].key);

    if (!passes (filter, v)) {
      gs_not_applicable (ctx, "does not apply to guests with %s \"%s\"",
                         f[i].key, v ? v : "unknown");
      return false;
    }
  }
  return true;
}

static bool
excepted (const struct rp *rp, const char *base)
{
  for (size_t i = 0; i < rp->except.len; ++i)
    if (fnmatch (rp->except.ptr[i], base, FNM_PERIOD) == 0)
      return true;
  return false;
}

/* Remove one glob match. */
static int
remove_one (struct gs_ctx *ctx, guestfs_h *g, const struct rp *rp,
            const char *match)
{
  const char *slash = strrchr (match, '/');
  const char *base = slash ? slash + 1 : match;
  CLEANUP_FREE char *parent = NULL;
  CLEANUP_FREE char *real_parent = NULL;
  CLEANUP_FREE char *path = NULL;
  struct guestfs_statns *st;
  int64_t bytes;
  mode_t type;

  if (slash == NULL || !base[0] || strcmp (base, ".") == 0 ||
      strcmp (base, "..") == 0 || excepted (rp, base))
    return 0;
  if ((parent = strndup (match, slash == match ? 1 : slash - match)) == NULL)
    goto nomem;
  if ((real_parent = guestfs_realpath (g, parent)) == NULL)
    return -1;
  if (asprintf (&path, "%s%s%s", real_parent,
                strcmp (real_parent, "/") ? "/" : "", base) == -1)
    goto nomem;
  if ((st = guestfs_lstatns (g, path)) == NULL)
    return -1;
  type = st->st_mode & S_IFMT;
  bytes = st->st_size;
  guestfs_free_statns (st);

  if (type == S_IFDIR) {
    if (!rp->recursive || rp->files_only)
      return 0;                  /* a directory is kept unless recursive */
    if ((bytes = guestfs_du (g, path)) == -1)
      return -1;
    bytes *= 1024;               /* du reports KiB in use */
  }
  else if (rp->files_only && type != S_IFREG)
    return 0;

  if (gs_report_path (ctx, path, GS_ACTION_REMOVED, bytes) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return 0;
  return type == S_IFDIR ? guestfs_rm_rf (g, path) : guestfs_rm (g, path);

 nomem:
  gs_error ("out of memory");
  return -1;
}

static int
remove_paths_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                      const char *root)
{
  const struct rp *rp = get (op);

  (void) root;
  if (!applies (ctx, rp))
    return 0;
  for (size_t i = 0; i < rp->globs.len; ++i) {
    CLEANUP_FREE_STRV char **matches =
      guestfs_glob_expand_opts (g, rp->globs.ptr[i],
                                GUESTFS_GLOB_EXPAND_OPTS_DIRECTORYSLASH, 0,
                                -1);

    if (matches == NULL)
      return -1;
    for (size_t j = 0; matches[j] != NULL; ++j)
      if (remove_one (ctx, g, rp, matches[j]) == -1)
        return -1;
  }
  return 0;
}

static void
remove_paths_unload (struct gs_op *op)
{
  struct rp *rp = gs_op_get_data (op);

  if (rp == NULL)
    return;
  string_vector_free_all (&rp->globs);
  string_vector_free_all (&rp->except);
  string_vector_free_all (&rp->os_types);
  string_vector_free_all (&rp->distros);
  string_vector_free_all (&rp->package_formats);
  string_vector_free_all (&rp->package_managers);
  free (rp);
}

static const struct gs_operation remove_paths = {
  .name = "remove-paths",
  .family = "sysprep",
  .description =
    "Template for operations that remove the paths matching a list of "
    "globs; each operation made from it is a configuration section with "
    "C<kind = \"remove-paths\">.",
  .phase = GS_PHASE_FILESYSTEMS,
  .is_template = true,
  .keys = keys,
  .configure = remove_paths_configure,
  .config_complete = remove_paths_config_complete,
  .perform = remove_paths_perform,
  .unload = remove_paths_unload,
};

GS_REGISTER_PLUGIN (&remove_paths);
