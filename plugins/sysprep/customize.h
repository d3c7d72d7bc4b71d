/* SPDX-License-Identifier: GPL-2.0-or-later */
/* customize.h: what the files of the customize operation (one .so,
 * sysprep-customize.so) share: the parsed actions and passwords, and
 * the helpers every action uses to check, report and (unless this is
 * a dry run) change a guest path.
 */
#ifndef GS_CUSTOMIZE_H
#define GS_CUSTOMIZE_H

#include <stdbool.h>
#include <sys/types.h>

#include "goldsmith-plugin.h"
#include "string-vector.h"
#include "edit-util.h"

enum cz_verb {
  CZ_HOSTNAME,
  CZ_TIMEZONE,
  CZ_SSH_INJECT,
  CZ_FIRSTBOOT,
  CZ_FIRSTBOOT_COMMAND,
  CZ_RUN,
  CZ_RUN_COMMAND,
  CZ_DELETE,
  CZ_TOUCH,
  CZ_WRITE,
  CZ_APPEND_LINE,
  CZ_MKDIR,
  CZ_CHMOD,
  CZ_UPLOAD,
  CZ_COPY_IN,
  CZ_TRUNCATE,
  CZ_TRUNCATE_RECURSIVE,
  CZ_SCRUB,
  CZ_COPY,
  CZ_MOVE,
  CZ_LINK,
  CZ_EDIT,
  CZ_INSTALL,                    /* the package actions: a = "P1,P2" */
  CZ_UNINSTALL,
  CZ_UPDATE,
  CZ_FIRSTBOOT_INSTALL,
  CZ_SM_REGISTER,                /* subscription-manager */
  CZ_SM_ATTACH,                  /* a = "auto" or "pool:ID" (file: read) */
  CZ_SM_REMOVE,
  CZ_SM_UNREGISTER,
};

/* One action, checked at configure time.  a and b are the verb's
 * arguments (write: a = FILE, b = CONTENT; chmod: a = FILE; upload:
 * a = host FILE, b = DEST; copy-in: a = host path, b = REMOTEDIR;
 * ssh-inject: a = USER, b = the key itself or NULL with key_file set;
 * copy, move: a = SOURCE, b = DEST; link: a = TARGET, b = "LINK[:LINK]";
 * edit: a = FILE, b = the Perl expression).
 */
struct cz_action {
  enum cz_verb verb;
  char *label;                   /* "--write /etc/motd" or "FILE:LINE: write /etc/motd" */
  char *a, *b;
  char *key_file;                /* ssh-inject: host file holding the key */
  mode_t mode;                   /* chmod */
};

enum cz_pw_kind {
  CZ_PW_SET,                     /* password:PW, file:FILE */
  CZ_PW_RANDOM,
  CZ_PW_DISABLED,
};

struct cz_password {
  char *user;
  char *label;                   /* where it was given, for messages */
  enum cz_pw_kind kind;
  bool locked;
  char *password;                /* CZ_PW_SET only; never printed */
};

struct cz_state {
  struct cz_action *actions;
  size_t nactions;
  struct cz_password *passwords; /* --password USER:SELECTOR */
  size_t npasswords;
  struct cz_password *root;      /* --root-password, or NULL */
  bool root_from_cli;
  char *crypto;                  /* md5, sha256, sha512, yescrypt */
  bool selinux_relabel;
  bool no_logfile;               /* scrub /tmp/builder.log at the end */
  struct cz_password *sm;        /* --sm-credentials USER:password:PW or
                                    USER:file:FILE (never printed), or
                                    NULL */
  /* Dry run: what earlier actions would have created ("d/path",
   * "f/path"), so that later ones plan against it.
   */
  string_vector planned;
};

/* customize-doc.c (generated from customize.pod): the man-page text. */
extern const char cz_description[];

/* customize-args.c: the user's settings checked and added to ST (W:
 * where they came from, for messages); -1 when refused (said).
 */
extern char *cz_where (const config_setting_t *s, const char *what);
extern int cz_add_action (struct cz_state *st, const char *file,
                          unsigned line, const char *text);
extern int cz_add_password (struct cz_state *st, const char *w,
                            const char *text);
extern int cz_set_root_password (struct cz_state *st, const char *w,
                                 const char *sel, bool cli);
extern int cz_set_crypto (struct cz_state *st, const char *w, const char *c);
extern int cz_set_sm_credentials (struct cz_state *st, const char *w,
                                  const char *text);

/* customize-util.c: what every action uses. */
extern char *cz_target (struct gs_ctx *ctx, guestfs_h *g,
                        const struct cz_action *act, const char *path);
extern int cz_exists (struct cz_state *st, guestfs_h *g, const char *path);
extern int cz_is_dir (struct cz_state *st, guestfs_h *g, const char *path);
extern int cz_plan (struct cz_state *st, char type, const char *path);
extern int cz_report (struct gs_ctx *ctx, const char *path, bool existed,
                      int64_t bytes);
extern char *cz_read_host_file (const char *label, const char *file,
                                size_t *len_r);
extern const char *cz_basename (const char *path);
/* augeas on FILE alone, with LENS: the file, or NULL (a file augeas
 * cannot parse is an error).  gs_aug_end (A) either way.
 */
extern struct gs_aug_file *cz_aug_open (struct gs_aug *a, guestfs_h *g,
                                        const char *lens, const char *file);

/* customize-files.c: delete, touch, write, append-line, mkdir, chmod,
 * upload, copy-in.
 */
extern int cz_file_action (struct cz_state *st, struct gs_ctx *ctx,
                           guestfs_h *g, const struct cz_action *act);
extern int cz_write_file (struct cz_state *st, struct gs_ctx *ctx,
                          guestfs_h *g, const struct cz_action *act,
                          const char *path, const char *content, size_t len);
extern int cz_check_parent (struct cz_state *st, guestfs_h *g,
                            const struct cz_action *act, const char *path);

/* customize-paths.c: truncate, truncate-recursive, scrub, copy, move,
 * link, edit; and --no-logfile.
 */
extern int cz_path_action (struct cz_state *st, struct gs_ctx *ctx,
                           guestfs_h *g, const struct cz_action *act);
extern int cz_scrub_logfile (struct gs_ctx *ctx, guestfs_h *g);
/* The host's perl, or NULL (--edit needs it). */
extern char *cz_find_perl (void);

/* customize-system.c: hostname, timezone, ssh-inject, firstboot, run,
 * SELinux relabelling.
 */
extern int cz_system_action (struct cz_state *st, struct gs_ctx *ctx,
                             guestfs_h *g, const struct cz_action *act);
extern int cz_selinux_relabel (struct cz_state *st, struct gs_ctx *ctx,
                               guestfs_h *g);
extern int cz_find_host_ssh_key (const char *label, char **file_r);
extern bool cz_valid_hostname (const char *name);
extern bool cz_valid_timezone (const char *tz);

/* customize-system.c: run SCRIPT with the guest's /bin/sh, chrooted
 * into it in the appliance, for ACT (checked: a shell, the host's
 * architecture).  The output goes to the debug log, never the report;
 * a failure is one error with the command's last line of stderr, and
 * where the appliance has no network and NET_HINT is set, the hint to
 * use --network.
 */
extern int cz_guest_sh (struct gs_ctx *ctx, guestfs_h *g,
                        const struct cz_action *act, const char *script,
                        bool net_hint);

/* customize-packages.c: install, uninstall, update, firstboot-install
 * and the sm-* actions.
 */
extern bool cz_valid_package (const char *name);
extern bool cz_valid_pool (const char *id);
extern int cz_package_check (struct cz_state *st, struct gs_ctx *ctx);
extern int cz_package_action (struct cz_state *st, struct gs_ctx *ctx,
                              guestfs_h *g, const struct cz_action *act);

/* customize-passwords.c */
extern int cz_parse_password (const char *label, const char *user,
                              const char *selector, struct cz_password *pw);
extern void cz_password_free (struct cz_password *pw);
extern bool cz_valid_crypto (const char *crypto);
extern int cz_set_passwords (struct cz_state *st, struct gs_ctx *ctx,
                             guestfs_h *g);

#endif /* GS_CUSTOMIZE_H */
