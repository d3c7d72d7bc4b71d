/* SPDX-License-Identifier: GPL-2.0-or-later */
/* edit-util.h: helpers for operations that change guest files in place
 * (net-hwaddr, net-hostname, net-mac-bindings, user-account, and the
 * augeas edits of customize and fs-uuids).
 *
 * Two parts:
 *
 * - gs_edit_list: the candidate files of a directory: regular files
 *   only (a symlink is never followed, so an edit cannot be redirected
 *   to another file), minus those protected by --exclude-path.
 *
 * - gs_aug_*: one augeas session on exactly the files the operation
 *   chose, each with the lens it names.  The handle is opened without
 *   loading anything (AUG_NO_LOAD | AUG_NO_MODL_AUTOLOAD), so only
 *   those files are parsed: far faster than augeas's default of every
 *   known file, and nothing the operation did not vet is ever saved.
 *   Saving keeps each file's owner and mode (augeas does) and its
 *   extended attributes, including the SELinux label (we do: augeas
 *   replaces the file by a new one and only copies the label when
 *   SELinux is enabled where it runs, which the appliance is not).
 *   This is the only way goldsmith's operations open augeas.
 *
 * Dry runs take the same path: changes are made to the augeas tree and
 * reported, and only the save is skipped (augeas's own "noop" save
 * would still write FILE.augnew, which a read-only disk refuses).
 *
 * Compiled into each plugin that uses it (plugins are separate shared
 * objects and export nothing else).
 */
#ifndef GS_PLUGIN_EDIT_UTIL_H
#define GS_PLUGIN_EDIT_UTIL_H

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "string-vector.h"

/* Append to OUT (sorted) the guest paths of the regular files of DIR
 * whose name matches the fnmatch PATTERN (FNM_PERIOD: no hidden files
 * unless the pattern says so) and that --exclude-path does not
 * protect.  DIR may be a symlink inside the guest: the paths are in
 * its canonical location, and both the nominal and the canonical path
 * are checked against --exclude-path.  A missing DIR adds nothing.
 */
extern int gs_edit_list (struct gs_ctx *ctx, guestfs_h *g, const char *dir,
                         const char *pattern, string_vector *out);

/* Is VALUE (possibly in double or single quotes) a MAC address:
 * 6 octets (Ethernet) or 20 (InfiniBand), two hex digits each, all
 * separated by ':' or all by '-'?  Inline: netplan-mac.c, which the
 * unit tests link alone, uses it too.
 */
static inline bool
gs_edit_is_mac (const char *value)
{
  size_t len = strlen (value), octets = 0;
  char sep = 0;

  if (len >= 2 && (value[0] == '"' || value[0] == '\'') &&
      value[len - 1] == value[0]) {
    value++;
    len -= 2;
  }
  for (size_t i = 0; i < len; ) {
    if (i + 2 > len || !isxdigit ((unsigned char) value[i]) ||
        !isxdigit ((unsigned char) value[i + 1]))
      return false;
    octets++;
    i += 2;
    if (i == len)
      break;
    if ((value[i] != ':' && value[i] != '-') || (sep && value[i] != sep))
      return false;
    sep = value[i++];
    if (i == len)
      return false;              /* a trailing separator */
  }
  return octets == 6 || octets == 20;
}

/* Escape NAME for one step of an augeas path expression. */
extern char *gs_aug_escape (const char *name);

struct gs_aug_file {
  char *path;                    /* in the guest */
  char *node;                    /* "/files" + escaped path */
  char *error;                   /* why augeas could not parse it */
  bool changed;                  /* a node was removed or set */
};

struct gs_aug {
  guestfs_h *g;
  struct gs_aug_file *files;
  size_t nfiles;
  bool open;
};

/* Open augeas on the guest root, loading nothing yet. */
extern int gs_aug_begin (struct gs_aug *a, guestfs_h *g);
/* Have LENS (e.g. "Shellvars") parse PATH at the next gs_aug_load. */
extern struct gs_aug_file *gs_aug_add (struct gs_aug *a, const char *lens,
                                       const char *path);
/* Parse the added files.  A file augeas cannot parse gets ->error
 * set (and nothing of it is changed later): the caller decides
 * whether that is a warning or a failure.
 */
extern int gs_aug_load (struct gs_aug *a);
/* gs_aug_begin, gs_aug_add and gs_aug_load for one file: the file, or
 * NULL.  Call gs_aug_end either way.
 */
extern struct gs_aug_file *gs_aug_open (struct gs_aug *a, guestfs_h *g,
                                        const char *lens, const char *path);
/* Set the node PATH (of F) to VALUE. */
extern int gs_aug_set (struct gs_aug *a, struct gs_aug_file *f,
                       const char *path, const char *value);
/* Remove the nodes matching F->node + SUBPATH (augeas path syntax,
 * already escaped).  Returns how many were removed, or -1.
 */
extern int gs_aug_rm (struct gs_aug *a, struct gs_aug_file *f,
                      const char *subpath);
/* Remove the node PATH (from gs_aug_match) of F. */
extern int gs_aug_rm_node (struct gs_aug *a, struct gs_aug_file *f,
                           const char *path);
/* The nodes matching F->node + SUBPATH (NULL-terminated, or NULL). */
extern char **gs_aug_match (struct gs_aug *a, struct gs_aug_file *f,
                            const char *subpath);
/* The value of the node PATH, or NULL (no such node, or a node
 * without value, such as an empty field): never an error message.
 */
extern char *gs_aug_get (struct gs_aug *a, const char *path);
/* Save the changed files, keeping their extended attributes (those of
 * the file a symlink names; none for a file augeas creates).
 */
extern int gs_aug_save (struct gs_aug *a);
/* Report every changed file (GS_ACTION_CHANGED) and, unless in a dry
 * run, gs_aug_save.
 */
extern int gs_aug_commit (struct gs_ctx *ctx, struct gs_aug *a);
/* Close the session (always call it, also after a failure). */
extern void gs_aug_end (struct gs_aug *a);

#endif /* GS_PLUGIN_EDIT_UTIL_H */
