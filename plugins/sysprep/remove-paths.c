/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remove-paths: the template behind every operation that only removes
 * paths matching globs.  Each such operation is a configuration section
 * (conf/sysprep/NAME.conf) saying `kind = "remove-paths"`, so an
 * administrator adds one by dropping a file in conf.d.
 *
 * Globs are expanded inside the guest, never on the host.  A match is
 * removed only where its parent directory is reached without a symlink
 * (gs_remove_all checks it inside the guest), so a symlinked parent
 * cannot redirect the removal, and a matching symlink is removed as a
 * link, never followed.
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
#include "path-join.h"

struct rp {
  string_vector globs;
  string_vector except;          /* basenames (fnmatch patterns) kept */
  string_vector os_types;        /* filters: "x" allows, "!x" excludes */
  string_vector distros;
  string_vector package_formats;
  string_vector package_managers;
  string_vector names;           /* walk: basenames of files removed */
  string_vector touch;           /* created empty after the removals */
  string_vector reset;           /* rewritten with reset_content */
  char *reset_content;
  char *firstboot;               /* script run at next boot, if ... */
  string_vector firstboot_distros; /* ... the distro passes this */
  bool recursive;                /* remove matching directories too */
  bool files_only;               /* regular files only (no links) */
  bool update_ca_store;          /* run the guest's CA update after */
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
  { "names", GS_KEY_STRINGS, "with recursive and files-only: only files whose basename matches one of these are removed from matching directories" },
  { "touch", GS_KEY_STRINGS, "files created empty after the removals (when their directory exists)" },
  { "reset", GS_KEY_STRINGS, "existing files rewritten with reset-content" },
  { "reset-content", GS_KEY_STRING, "what reset files are rewritten with" },
  { "update-ca-store", GS_KEY_BOOL, "after removing anything, update the guest's CA store" },
  { "firstboot", GS_KEY_STRING, "after removing anything, run this shell script at the guest's next boot" },
  { "firstboot-distros", GS_KEY_STRINGS, "distributions the firstboot script is for (default: all)" },
  { NULL, 0, NULL },
};

static struct rp *
get (struct gs_op *op)
{
  struct rp *rp = gs_op_get_data (op);

  if (rp == NULL) {
    rp = gs_xcalloc (1, sizeof *rp);
    gs_op_set_data (op, rp);
  }
  return rp;
}

static int
remove_paths_configure (struct gs_op *op, const config_setting_t *sec)
{
  struct rp *rp = get (op);

  gs_config_get_strings (sec, "globs", &rp->globs, &rp->globs_seen);
  gs_config_get_strings (sec, "except", &rp->except, NULL);
  gs_config_get_strings (sec, "os-types", &rp->os_types, NULL);
  gs_config_get_strings (sec, "distros", &rp->distros, NULL);
  gs_config_get_strings (sec, "package-formats", &rp->package_formats, NULL);
  gs_config_get_strings (sec, "package-managers", &rp->package_managers,
                         NULL);
  gs_config_get_strings (sec, "names", &rp->names, NULL);
  gs_config_get_strings (sec, "touch", &rp->touch, NULL);
  gs_config_get_strings (sec, "reset", &rp->reset, NULL);
  gs_config_get_strings (sec, "firstboot-distros", &rp->firstboot_distros,
                         NULL);
  gs_config_get_string (sec, "reset-content", &rp->reset_content);
  gs_config_get_string (sec, "firstboot", &rp->firstboot);
  gs_config_get_bool (sec, "recursive", &rp->recursive);
  gs_config_get_bool (sec, "files-only", &rp->files_only);
  gs_config_get_bool (sec, "update-ca-store", &rp->update_ca_store);

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

  if (!rp->globs_seen) {
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

/* As virt-sysprep matches basenames: a leading dot is an ordinary
 * character, so "*~" takes .bashrc~ and "*.bak" takes .config.bak.
 */
static bool
matches_any (const string_vector *pats, const char *base)
{
  for (size_t i = 0; i < pats->len; ++i)
    if (fnmatch (pats->ptr[i], base, 0) == 0)
      return true;
  return false;
}

static const char *
basename_of (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash ? slash + 1 : path;
}

/* A directory walked for files by name (names or except set): find
 * lists the tree without following symlinks, and gs_remove_all checks
 * each candidate again, so nothing but a regular file goes.  The
 * candidates are added to OUT.
 */
static int
walk (guestfs_h *g, const struct rp *rp, const char *dir,
      string_vector *out)
{
  CLEANUP_FREE_STRV char **all = guestfs_find (g, dir);

  if (all == NULL)
    return -1;
  for (size_t i = 0; all[i] != NULL; ++i) {
    const char *base = basename_of (all[i]);

    if ((rp->names.len && !matches_any (&rp->names, base)) ||
        matches_any (&rp->except, base))
      continue;
    string_vector_append (out, gs_path_join (dir, all[i]));
  }
  return 0;
}

/* Remove what one glob matched, all through gs_remove_all, so a
 * directory of 100,000 logs costs a few calls per directory plus one
 * per file.
 */
static int
remove_matches (struct gs_ctx *ctx, guestfs_h *g, const struct rp *rp,
                char **matches)
{
  unsigned flags = (rp->recursive ? GS_REMOVE_RECURSIVE : 0) |
                   (rp->files_only ? GS_REMOVE_FILES_ONLY : 0);
  bool walking = rp->recursive && rp->files_only &&
                 (rp->names.len || rp->except.len);
  string_vector plain = empty_vector, walked = empty_vector;
  char *none[] = { NULL };
  int r = -1, n1, n2;

  for (size_t j = 0; matches[j] != NULL; ++j) {
    const char *match = matches[j];

    if (matches_any (&rp->except, basename_of (match)))
      continue;
    if (walking) {
      int d = guestfs_is_dir (g, match);

      if (d == -1 || (d == 1 && walk (g, rp, match, &walked) == -1))
        goto out;
      if (d == 1 ||
          (rp->names.len && !matches_any (&rp->names, basename_of (match))))
        continue;
    }
    string_vector_append_copy (&plain, match);
  }
  if ((n1 = gs_remove_all (ctx, g, plain.len ? plain.ptr : none, flags)) ==
      -1 ||
      (n2 = gs_remove_all (ctx, g, walked.len ? walked.ptr : none,
                           GS_REMOVE_FILES_ONLY)) == -1)
    goto out;
  r = n1 + n2;
 out:
  string_vector_free_all (&plain);
  string_vector_free_all (&walked);
  return r;
}

/* After the removals: files created empty, files reset. */
static int
touch_and_reset (struct gs_ctx *ctx, guestfs_h *g, const struct rp *rp)
{
  for (size_t i = 0; i < rp->touch.len; ++i) {
    const char *p = rp->touch.ptr[i];
    CLEANUP_FREE char *dir = gs_xstrndup (p, basename_of (p) - p);
    int r;

    if (gs_path_protected (ctx, p))
      continue;
    if ((r = guestfs_is_dir (g, dir)) == -1)
      return -1;
    /* Not where the directory is missing, and not over a removal that
     * --exclude-path prevented (or a symlink left in place).
     */
    if (r == 0 || (r = gs_exists (ctx, g, p)) != 0) {
      if (r == -1)
        return -1;
      continue;
    }
    if (gs_report_path (ctx, p, GS_ACTION_CREATED, 0) == -1 ||
        (!gs_dry_run (ctx) && guestfs_touch (g, p) == -1))
      return -1;
  }
  for (size_t i = 0; i < rp->reset.len; ++i) {
    const char *p = rp->reset.ptr[i];
    const char *c = rp->reset_content ? rp->reset_content : "";
    int r;

    if (gs_path_protected (ctx, p))
      continue;
    /* is_file does not follow a symlink by default. */
    if ((r = gs_exists (ctx, g, p)) == 1)
      r = guestfs_is_file (g, p);
    if (r == -1)
      return -1;
    if (r == 0)
      continue;
    if (gs_report_path (ctx, p, GS_ACTION_CHANGED, strlen (c)) == -1 ||
        (!gs_dry_run (ctx) && guestfs_write (g, p, c, strlen (c)) == -1))
      return -1;
  }
  return 0;
}

/* virt-sysprep's update_system_ca_store side effect. */
static int
update_ca_store (struct gs_ctx *ctx, guestfs_h *g)
{
  static const struct { const char *prog, *cmd; } tools[] = {
    { "/usr/bin/update-ca-trust", "update-ca-trust extract" },
    { "/usr/sbin/update-ca-certificates", "update-ca-certificates" },
  };
  CLEANUP_FREE char *out = NULL;

  for (size_t i = 0; i < sizeof tools / sizeof tools[0]; ++i) {
    int r = guestfs_is_file_opts (g, tools[i].prog,
                                  GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1,
                                  -1);

    if (r == -1)
      return -1;
    if (r == 0)
      continue;
    if (gs_dry_run (ctx))
      return 0;
    if ((out = guestfs_sh (g, tools[i].cmd)) == NULL) {
      /* E.g. a guest of another architecture: do it at first boot. */
      gs_warning ("'%s' failed in the guest; it will run at first boot",
                  tools[i].cmd);
      return gs_firstboot_add (ctx, g, "update-ca-store", tools[i].cmd,
                               strlen (tools[i].cmd));
    }
    return 0;
  }
  gs_warning ("the guest has neither update-ca-trust nor "
              "update-ca-certificates: its CA store was not updated");
  return 0;
}

static int
remove_paths_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                      const char *root)
{
  const struct rp *rp = get (op);
  int removed = 0, r;

  (void) root;
  if (!applies (ctx, rp))
    return 0;
  for (size_t i = 0; i < rp->globs.len; ++i) {
    CLEANUP_FREE_STRV char **matches =
      guestfs_glob_expand_opts (g, rp->globs.ptr[i],
                                GUESTFS_GLOB_EXPAND_OPTS_DIRECTORYSLASH, 0,
                                -1);

    if (matches == NULL ||
        (r = remove_matches (ctx, g, rp, matches)) == -1)
      return -1;
    removed += r;
  }
  if (removed > 0) {
    if (rp->update_ca_store && update_ca_store (ctx, g) == -1)
      return -1;
    if (rp->firstboot &&
        passes (&rp->firstboot_distros, gs_guest_get (ctx, "distro")) &&
        gs_firstboot_add (ctx, g, gs_op_name (op), rp->firstboot,
                          strlen (rp->firstboot)) == -1)
      return -1;
  }
  return touch_and_reset (ctx, g, rp);
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
  string_vector_free_all (&rp->names);
  string_vector_free_all (&rp->touch);
  string_vector_free_all (&rp->reset);
  string_vector_free_all (&rp->firstboot_distros);
  free (rp->reset_content);
  free (rp->firstboot);
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
