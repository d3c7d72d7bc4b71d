/* SPDX-License-Identifier: GPL-2.0-or-later */
/* customize: virt-sysprep's customize operation (the virt-customize
 * engine): --hostname, --root-password, --write, --run-command, ...
 *
 * This file holds the operation and option tables, the configuration
 * (each setting handed to customize-args.c, which checks every action
 * before the appliance is launched, so that a typo costs nothing) and
 * the dispatch in command-line order.  The actions are in
 * customize-files.c, customize-paths.c, customize-system.c,
 * customize-packages.c and customize-passwords.c; what they share in
 * customize-util.c (which calls none of them); the man-page text in
 * customize.pod.
 *
 * Unlike virt-customize, nothing is done that was not asked for: no
 * random seed is written and /etc/machine-id is never regenerated (the
 * machine-id operation empties it so that each clone makes its own;
 * virt-customize refilled it, RHBZ 1557042).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goldsmith-plugin.h"
#include "string-vector.h"
#include "cleanups.h"
#include "config-util.h"
#include "customize.h"

static const struct gs_config_key keys[] = {
  { "actions", GS_KEY_STRINGS, "customizations, run in order: \"VERB:ARGUMENT\" with VERB one of hostname, timezone, ssh-inject, firstboot, firstboot-command, run, run-command, delete, touch, write, append-line, mkdir, chmod, upload, copy-in, truncate, truncate-recursive, scrub, copy, move, link, edit, install, uninstall, update, firstboot-install, sm-register, sm-attach, sm-remove, sm-unregister, commands-from-file (each file's list adds to the earlier ones; the command-line options add theirs last, in command-line order)" },
  { "root-password", GS_KEY_STRING, "root's new password: a selector (password:PW, file:FILE, random, disabled, locked:SELECTOR, locked)" },
  { "passwords", GS_KEY_STRINGS, "\"USER:SELECTOR\": users' new passwords (each file's list adds to the earlier ones; a user given twice is an error)" },
  { "password-crypto", GS_KEY_STRING, "password hash: md5, sha256, sha512 (default) or yescrypt" },
  { "selinux-relabel", GS_KEY_BOOL, "relabel the guest's files for SELinux after the customizations (default false)" },
  { "sm-credentials", GS_KEY_STRING, "subscription-manager's credentials for sm-register: USER:password:PASSWORD or USER:file:FILE (its first line)" },
  { "no-logfile", GS_KEY_BOOL, "scrub /tmp/builder.log (virt-customize's log of an earlier build) from the guest at the end (default false; goldsmith writes no such log)" },
  { NULL, 0, NULL },
};

/* virt-sysprep's command-line options of this operation (virt-
 * customize's): each action option adds "VERB:ARG" to actions.
 */
static const struct gs_option options[] = {
  { "hostname", GS_OPTION_APPEND, "actions", "hostname", "NAME",
    "Set the hostname" },
  { "timezone", GS_OPTION_APPEND, "actions", "timezone", "TZ",
    "Set the default timezone" },
  { "root-password", GS_OPTION_STRING, "root-password", NULL, "SELECTOR",
    "Set root's password (password:PW, file:FILE, random, disabled, "
    "locked:...)" },
  { "password", GS_OPTION_APPEND, "passwords", NULL, "USER:SELECTOR",
    "Set a user's password" },
  { "password-crypto", GS_OPTION_STRING, "password-crypto", NULL,
    "md5|sha256|sha512|yescrypt", "Password hash (default sha512)" },
  { "ssh-inject", GS_OPTION_APPEND, "actions", "ssh-inject",
    "USER[:file:KEYFILE|:string:KEY]", "Add an SSH public key" },
  { "firstboot", GS_OPTION_APPEND, "actions", "firstboot", "SCRIPT",
    "Run SCRIPT once at the guest's next boot" },
  { "firstboot-command", GS_OPTION_APPEND, "actions", "firstboot-command",
    "CMD", "Run CMD once at the guest's next boot" },
  { "run", GS_OPTION_APPEND, "actions", "run", "SCRIPT",
    "Run SCRIPT inside the guest now" },
  { "run-command", GS_OPTION_APPEND, "actions", "run-command", "CMD",
    "Run CMD inside the guest now" },
  { "delete", GS_OPTION_APPEND, "actions", "delete", "PATH",
    "Delete PATH (glob, recursive)" },
  { "touch", GS_OPTION_APPEND, "actions", "touch", "FILE",
    "Create FILE or update its time" },
  { "write", GS_OPTION_APPEND, "actions", "write", "FILE:CONTENT",
    "Write CONTENT to FILE" },
  { "append-line", GS_OPTION_APPEND, "actions", "append-line", "FILE:LINE",
    "Append LINE to FILE" },
  { "mkdir", GS_OPTION_APPEND, "actions", "mkdir", "DIR",
    "Create DIR and its parents" },
  { "chmod", GS_OPTION_APPEND, "actions", "chmod", "PERMS:FILE",
    "Change FILE's permissions (octal with a leading 0: 0644)" },
  { "upload", GS_OPTION_APPEND, "actions", "upload", "FILE:DEST",
    "Upload a host file" },
  { "copy-in", GS_OPTION_APPEND, "actions", "copy-in",
    "LOCALPATH:REMOTEDIR", "Copy a host file or tree into REMOTEDIR" },
  { "truncate", GS_OPTION_APPEND, "actions", "truncate", "FILE",
    "Truncate FILE to zero length" },
  { "truncate-recursive", GS_OPTION_APPEND, "actions", "truncate-recursive",
    "PATH", "Truncate every file under PATH" },
  { "scrub", GS_OPTION_APPEND, "actions", "scrub", "FILE",
    "Scrub FILE (overwrite its data, then remove it)" },
  { "copy", GS_OPTION_APPEND, "actions", "copy", "SOURCE:DEST",
    "Copy SOURCE to DEST inside the guest" },
  { "move", GS_OPTION_APPEND, "actions", "move", "SOURCE:DEST",
    "Move SOURCE to DEST inside the guest" },
  { "link", GS_OPTION_APPEND, "actions", "link", "TARGET:LINK[:LINK...]",
    "Make each LINK a symbolic link to TARGET" },
  { "edit", GS_OPTION_APPEND, "actions", "edit", "FILE:EXPR",
    "Edit FILE with the Perl expression EXPR (run on the host)" },
  { "install", GS_OPTION_APPEND, "actions", "install", "PKG,PKG...",
    "Install packages with the guest's package manager" },
  { "uninstall", GS_OPTION_APPEND, "actions", "uninstall", "PKG,PKG...",
    "Remove packages with the guest's package manager" },
  { "update", GS_OPTION_APPEND, "actions", "update", NULL,
    "Update every package with the guest's package manager" },
  { "firstboot-install", GS_OPTION_APPEND, "actions", "firstboot-install",
    "PKG,PKG...", "Install packages at the guest's next boot" },
  { "sm-credentials", GS_OPTION_STRING, "sm-credentials", NULL,
    "USER:password:PW|USER:file:FILE",
    "Credentials for --sm-register" },
  { "sm-register", GS_OPTION_APPEND, "actions", "sm-register", NULL,
    "Register the guest with subscription-manager" },
  { "sm-attach", GS_OPTION_APPEND, "actions", "sm-attach",
    "auto|pool:ID|file:FILENAME",
    "Attach the guest to subscriptions" },
  { "sm-remove", GS_OPTION_APPEND, "actions", "sm-remove", NULL,
    "Remove all the guest's subscriptions" },
  { "sm-unregister", GS_OPTION_APPEND, "actions", "sm-unregister", NULL,
    "Unregister the guest from subscription-manager" },
  { "commands-from-file", GS_OPTION_APPEND, "actions", "commands-from-file",
    "FILE", "Read customize commands from FILE, one per line" },
  { "no-logfile", GS_OPTION_TRUE, "no-logfile", NULL, NULL,
    "Scrub /tmp/builder.log (virt-customize's log) from the guest" },
  { "selinux-relabel", GS_OPTION_TRUE, "selinux-relabel", NULL, NULL,
    "Relabel SELinux guests" },
  { "no-selinux-relabel", GS_OPTION_FALSE, "selinux-relabel", NULL, NULL,
    "Don't relabel (the default)" },
  { NULL },
};

static struct cz_state *
get (struct gs_op *op)
{
  struct cz_state *st = gs_op_get_data (op);

  if (st == NULL) {
    st = gs_xcalloc (1, sizeof *st);
    gs_op_set_data (op, st);
  }
  return st;
}

static int
customize_configure (struct gs_op *op, const config_setting_t *sec)
{
  struct cz_state *st = get (op);
  const config_setting_t *s;

  /* actions and passwords add to what earlier layers gave. */
  if ((s = config_setting_get_member (sec, "actions")) != NULL)
    for (int i = 0; i < config_setting_length (s); ++i) {
      const config_setting_t *e = config_setting_get_elem (s, i);

      if (cz_add_action (st, config_setting_source_file (e),
                         config_setting_source_line (e),
                         config_setting_get_string (e)) == -1)
        return -1;
    }
  if ((s = config_setting_get_member (sec, "passwords")) != NULL)
    for (int i = 0; i < config_setting_length (s); ++i) {
      CLEANUP_FREE char *w = cz_where (config_setting_get_elem (s, i),
                                       "password");

      if (cz_add_password (st, w,
                           config_setting_get_string_elem (s, i)) == -1)
        return -1;
    }
  if ((s = config_setting_get_member (sec, "root-password")) != NULL) {
    CLEANUP_FREE char *w = cz_where (s, "root-password");

    if (cz_set_root_password (st, w, config_setting_get_string (s),
                              config_setting_source_file (s) == NULL) == -1)
      return -1;
  }
  if ((s = config_setting_get_member (sec, "password-crypto")) != NULL) {
    CLEANUP_FREE char *w = cz_where (s, "password-crypto");

    if (cz_set_crypto (st, w, config_setting_get_string (s)) == -1)
      return -1;
  }
  if ((s = config_setting_get_member (sec, "sm-credentials")) != NULL) {
    CLEANUP_FREE char *w = cz_where (s, "sm-credentials");

    if (cz_set_sm_credentials (st, w, config_setting_get_string (s)) == -1)
      return -1;
  }
  gs_config_get_bool (sec, "selinux-relabel", &st->selinux_relabel);
  gs_config_get_bool (sec, "no-logfile", &st->no_logfile);
  return 0;
}

static int
customize_config_complete (struct gs_op *op)
{
  struct cz_state *st = get (op);

  if (st->crypto == NULL)
    st->crypto = gs_xstrdup ("sha512");
  /* As virt-customize, but before anything is launched. */
  for (size_t i = 0; st->sm == NULL && i < st->nactions; ++i)
    if (st->actions[i].verb == CZ_SM_REGISTER) {
      gs_error ("%s: subscription-manager's credentials are needed: give "
                "--sm-credentials USER:password:PASSWORD or "
                "USER:file:FILENAME", st->actions[i].label);
      return -1;
    }
  return 0;
}

/* ---- perform ------------------------------------------------------- */

static int
customize_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                   const char *root)
{
  struct cz_state *st = get (op);
  const char *type = gs_guest_get (ctx, "type");

  (void) root;
  if (st->nactions == 0 && st->npasswords == 0 && st->root == NULL &&
      !st->selinux_relabel && !st->no_logfile) {
    gs_not_applicable (ctx, "no customizations were asked for");
    return 0;
  }
  if (type == NULL || strcmp (type, "linux") != 0) {
    gs_warning ("%s guests are not supported: nothing was customized",
                type ? type : "unknown");
    gs_not_applicable (ctx, "only Linux guests can be customized");
    return 0;
  }

  /* A package action the guest cannot do fails before any change. */
  if (cz_package_check (st, ctx) == -1)
    return -1;
  string_vector_free_all (&st->planned);
  for (size_t i = 0; i < st->nactions; ++i) {
    const struct cz_action *act = &st->actions[i];
    int r;

    gs_debug ("%s", act->label);
    switch (act->verb) {
    case CZ_DELETE: case CZ_TOUCH: case CZ_WRITE: case CZ_APPEND_LINE:
    case CZ_MKDIR: case CZ_CHMOD: case CZ_UPLOAD: case CZ_COPY_IN:
      r = cz_file_action (st, ctx, g, act);
      break;
    case CZ_TRUNCATE: case CZ_TRUNCATE_RECURSIVE: case CZ_SCRUB:
    case CZ_COPY: case CZ_MOVE: case CZ_LINK: case CZ_EDIT:
      r = cz_path_action (st, ctx, g, act);
      break;
    case CZ_INSTALL: case CZ_UNINSTALL: case CZ_UPDATE:
    case CZ_FIRSTBOOT_INSTALL: case CZ_SM_REGISTER: case CZ_SM_ATTACH:
    case CZ_SM_REMOVE: case CZ_SM_UNREGISTER:
      r = cz_package_action (st, ctx, g, act);
      break;
    default:
      r = cz_system_action (st, ctx, g, act);
    }
    if (r == -1)
      return -1;
  }
  /* As in virt-customize: passwords after the actions (which may add
   * the users), then relabelling, which must see every file.
   */
  if ((st->npasswords > 0 || st->root) && cz_set_passwords (st, ctx, g) == -1)
    return -1;
  if (st->selinux_relabel && cz_selinux_relabel (st, ctx, g) == -1)
    return -1;
  if (st->no_logfile && cz_scrub_logfile (ctx, g) == -1)
    return -1;
  return 0;
}

static void
customize_unload (struct gs_op *op)
{
  struct cz_state *st = gs_op_get_data (op);

  if (st == NULL)
    return;
  for (size_t i = 0; i < st->nactions; ++i) {
    free (st->actions[i].label);
    free (st->actions[i].a);
    free (st->actions[i].b);
    free (st->actions[i].key_file);
  }
  free (st->actions);
  for (size_t i = 0; i < st->npasswords; ++i)
    cz_password_free (&st->passwords[i]);
  free (st->passwords);
  if (st->root) {
    cz_password_free (st->root);
    free (st->root);
  }
  if (st->sm) {
    cz_password_free (st->sm);
    free (st->sm);
  }
  free (st->crypto);
  string_vector_free_all (&st->planned);
  free (st);
  gs_op_set_data (op, NULL);
}

static const struct gs_operation customize = {
  .name = "customize",
  .family = "sysprep",
  .heading = "Customize the guest",
  .description = cz_description,  /* customize.pod, built in */
  .phase = GS_PHASE_FILESYSTEMS,
  .order = 900,
  .enabled_by_default = true,
  .keys = keys,
  .configure = customize_configure,
  .config_complete = customize_config_complete,
  .perform = customize_perform,
  .unload = customize_unload,
  .options = options,
};

GS_REGISTER_PLUGIN (&customize);
