/* SPDX-License-Identifier: GPL-2.0-or-later */
/* customize: virt-sysprep's customize operation (the virt-customize
 * engine): --hostname, --root-password, --write, --run-command, ...
 *
 * This file holds the operation table, the configuration (every action
 * is checked here, before the appliance is launched, so that a typo
 * costs nothing), the dispatch in command-line order, and the helpers
 * the actions share.  The actions themselves are in customize-files.c,
 * customize-system.c and customize-passwords.c.
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
  { "actions", GS_KEY_STRINGS, "customizations, run in order: \"VERB:ARGUMENT\" with VERB one of hostname, timezone, ssh-inject, firstboot, firstboot-command, run, run-command, delete, touch, write, append-line, mkdir, chmod, upload, copy-in, truncate, truncate-recursive, scrub, copy, move, link, edit, commands-from-file (each file's list adds to the earlier ones; the command-line options add theirs last, in command-line order)" },
  { "root-password", GS_KEY_STRING, "root's new password: a selector (password:PW, file:FILE, random, disabled, locked:SELECTOR, locked)" },
  { "passwords", GS_KEY_STRINGS, "\"USER:SELECTOR\": users' new passwords (each file's list adds to the earlier ones; a user given twice is an error)" },
  { "password-crypto", GS_KEY_STRING, "password hash: md5, sha256, sha512 (default) or yescrypt" },
  { "selinux-relabel", GS_KEY_BOOL, "relabel the guest's files for SELinux after the customizations (default false)" },
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

/* What each verb's argument looks like. */
enum arg_shape {
  ARG_ANY,                       /* non-empty */
  ARG_GUEST_PATH,                /* absolute guest path (glob for delete) */
  ARG_HOST_FILE,                 /* readable host file */
  ARG_GUEST_PATH_TEXT,           /* FILE:TEXT */
  ARG_PERMS_PATH,                /* PERMS:FILE */
  ARG_HOST_GUEST,                /* HOSTPATH:GUESTPATH */
  ARG_HOSTNAME,
  ARG_TIMEZONE,
  ARG_SSH,                       /* USER[:file:F|:string:KEY] */
  ARG_GUEST_GUEST,               /* SOURCE:DEST, both in the guest */
  ARG_LINK,                      /* TARGET:LINK[:LINK...] */
  ARG_EDIT,                      /* FILE:EXPR */
  ARG_COMMANDS,                  /* a host file of commands */
};

static const struct verb {
  const char *name;
  enum cz_verb verb;
  enum arg_shape shape;
  const char *syntax;            /* for messages */
} verbs[] = {
  { "hostname", CZ_HOSTNAME, ARG_HOSTNAME, "NAME" },
  { "timezone", CZ_TIMEZONE, ARG_TIMEZONE, "TIMEZONE" },
  { "ssh-inject", CZ_SSH_INJECT, ARG_SSH, "USER[:file:KEYFILE|:string:KEY]" },
  { "firstboot", CZ_FIRSTBOOT, ARG_HOST_FILE, "SCRIPT" },
  { "firstboot-command", CZ_FIRSTBOOT_COMMAND, ARG_ANY, "COMMAND" },
  { "run", CZ_RUN, ARG_HOST_FILE, "SCRIPT" },
  { "run-command", CZ_RUN_COMMAND, ARG_ANY, "COMMAND" },
  { "delete", CZ_DELETE, ARG_GUEST_PATH, "PATH" },
  { "touch", CZ_TOUCH, ARG_GUEST_PATH, "FILE" },
  { "write", CZ_WRITE, ARG_GUEST_PATH_TEXT, "FILE:CONTENT" },
  { "append-line", CZ_APPEND_LINE, ARG_GUEST_PATH_TEXT, "FILE:LINE" },
  { "mkdir", CZ_MKDIR, ARG_GUEST_PATH, "DIR" },
  { "chmod", CZ_CHMOD, ARG_PERMS_PATH, "PERMS:FILE" },
  { "upload", CZ_UPLOAD, ARG_HOST_GUEST, "FILE:DEST" },
  { "copy-in", CZ_COPY_IN, ARG_HOST_GUEST, "LOCALPATH:REMOTEDIR" },
  { "truncate", CZ_TRUNCATE, ARG_GUEST_PATH, "FILE" },
  { "truncate-recursive", CZ_TRUNCATE_RECURSIVE, ARG_GUEST_PATH, "PATH" },
  { "scrub", CZ_SCRUB, ARG_GUEST_PATH, "FILE" },
  { "copy", CZ_COPY, ARG_GUEST_GUEST, "SOURCE:DEST" },
  { "move", CZ_MOVE, ARG_GUEST_GUEST, "SOURCE:DEST" },
  { "link", CZ_LINK, ARG_LINK, "TARGET:LINK[:LINK...]" },
  { "edit", CZ_EDIT, ARG_EDIT, "FILE:EXPR" },
  /* Expanded at configure time into the actions it lists. */
  { "commands-from-file", (enum cz_verb) -1, ARG_COMMANDS, "FILE" },
};
#define NVERBS (sizeof verbs / sizeof verbs[0])

static struct cz_state *
get (struct gs_op *op)
{
  struct cz_state *st = gs_op_get_data (op);

  if (st == NULL && (st = calloc (1, sizeof *st)) != NULL)
    gs_op_set_data (op, st);
  if (st == NULL)
    gs_error ("out of memory");
  return st;
}

/* Where a setting came from, for messages: "FILE:LINE: WHAT" from a
 * file; from a command-line layer (no file), the option "--WHAT".
 */
static char *
where_at (const char *file, unsigned line, const char *what)
{
  char *w;

  if (file) {
    if (asprintf (&w, "%s:%u: %s", file, line, what) == -1)
      w = NULL;
  }
  /* "actions" itself only comes from --set: no option to name. */
  else if (asprintf (&w, "%s%s", strcmp (what, "actions") ? "--" : "",
                     what) == -1)
    w = NULL;
  if (w == NULL)
    gs_error ("out of memory");
  return w;
}

static char *
where (const config_setting_t *s, const char *what)
{
  return where_at (config_setting_source_file (s),
                   config_setting_source_line (s), what);
}

const char *
cz_basename (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash ? slash + 1 : path;
}

/* Split "A:B" at the first colon into owned copies. */
static int
split2 (const char *arg, char **a, char **b)
{
  const char *colon = strchr (arg, ':');

  if (colon == NULL)
    return 0;
  if ((*a = strndup (arg, colon - arg)) == NULL ||
      (*b = strdup (colon + 1)) == NULL) {
    free (*a);
    *a = NULL;
    gs_error ("out of memory");
    return -1;
  }
  return 1;
}

static bool
valid_user (const char *u)
{
  /* Also keeps augeas path expressions built from it well-formed. */
  if (u[0] == '\0' || u[0] == '-' || strlen (u) > 32)
    return false;
  for (const char *p = u; *p; ++p)
    if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
        !(*p >= '0' && *p <= '9') && *p != '_' && *p != '-' && *p != '.' &&
        !(*p == '$' && p[1] == '\0'))
      return false;
  return true;
}

static int
check_readable (const char *w, const char *file, bool dir_ok)
{
  struct stat sb;

  if (stat (file, &sb) == -1 || access (file, R_OK) == -1) {
    gs_error ("%s: %s: %m", w, file);
    return -1;
  }
  if (!S_ISREG (sb.st_mode) && !(dir_ok && S_ISDIR (sb.st_mode))) {
    gs_error ("%s: %s: not a regular file", w, file);
    return -1;
  }
  return 0;
}

/* PERMS as virt-customize reads them: octal with a leading 0 (0644),
 * else decimal ("420" is 0644).  A decimal number that looks like a
 * mode ("755") is almost never meant: it is taken, as the anchor does,
 * with a warning saying what it means.
 */
static int
parse_perms (const char *w, const char *s, mode_t *mode)
{
  bool octal = s[0] == '0';
  char *end;
  unsigned long v;

  if (s[0] == '\0' || strspn (s, octal ? "01234567" : "0123456789")
      != strlen (s) || strlen (s) > 5) {
    gs_error ("%s: bad permissions \"%s\": give them in octal with a "
              "leading 0 (0644), or in decimal (420)", w, s);
    return -1;
  }
  errno = 0;
  v = strtoul (s, &end, octal ? 8 : 10);
  if (errno || *end || v > 07777) {
    gs_error ("%s: bad permissions \"%s\" (at most 07777, or 4095 in "
              "decimal)", w, s);
    return -1;
  }
  if (!octal && strspn (s, "01234567") == strlen (s) && v > 7)
    gs_warning ("%s: \"%s\" is decimal (mode 0%lo), as virt-customize "
                "reads it; for mode 0%s write 0%s", w, s, v, s, s);
  *mode = v;
  return 0;
}

static int add_commands (struct cz_state *st, const char *w,
                         const char *file);

/* Check one "VERB:ARG" (an element of actions at FILE:LINE, or FILE
 * NULL: the command line) and append it.
 */
static int
add_action_at (struct cz_state *st, const char *file, unsigned line,
               const char *text)
{
  const struct verb *v = NULL;
  struct cz_action act = { 0 }, *p;
  size_t vlen = strcspn (text, ":");
  CLEANUP_FREE char *w = NULL;
  const char *arg;
  int r;

  for (size_t i = 0; i < NVERBS; ++i)
    if (strlen (verbs[i].name) == vlen &&
        strncmp (verbs[i].name, text, vlen) == 0)
      v = &verbs[i];
  if (v == NULL || text[vlen] != ':') {
    CLEANUP_FREE char *wa = where_at (file, line, "actions");

    if (wa == NULL)
      return -1;
    if (v == NULL)
      gs_error ("%s: unknown action \"%.*s\" (expected hostname, timezone, "
                "ssh-inject, firstboot, firstboot-command, run, run-command, "
                "delete, touch, write, append-line, mkdir, chmod, upload, "
                "copy-in, truncate, truncate-recursive, scrub, copy, move, "
                "link, edit or commands-from-file)", wa, (int) vlen, text);
    else
      gs_error ("%s: \"%s\": expected %s:%s", wa, text, v->name, v->syntax);
    return -1;
  }
  arg = text + vlen + 1;
  if ((w = where_at (file, line, v->name)) == NULL)
    return -1;
  if (v->shape == ARG_COMMANDS)
    return add_commands (st, w, arg);
  act.verb = v->verb;

  switch (v->shape) {
  case ARG_ANY:
  case ARG_HOST_FILE:
  case ARG_GUEST_PATH:
  case ARG_HOSTNAME:
  case ARG_TIMEZONE:
    if (arg[0] == '\0') {
      gs_error ("%s: expected %s, not an empty string", w, v->syntax);
      return -1;
    }
    if (v->shape == ARG_GUEST_PATH && arg[0] != '/') {
      gs_error ("%s: \"%s\": expected an absolute guest path", w, arg);
      return -1;
    }
    if (v->shape == ARG_HOST_FILE && check_readable (w, arg, false) == -1)
      return -1;
    if (v->shape == ARG_HOSTNAME && !cz_valid_hostname (arg)) {
      gs_error ("%s: \"%s\" is not a valid hostname (letters, digits, '-' "
                "and '.', at most 253 characters)", w, arg);
      return -1;
    }
    if (v->shape == ARG_TIMEZONE && !cz_valid_timezone (arg)) {
      gs_error ("%s: \"%s\" is not a timezone name like Europe/London", w,
                arg);
      return -1;
    }
    if ((act.a = strdup (arg)) == NULL)
      goto nomem;
    break;

  case ARG_GUEST_PATH_TEXT:
  case ARG_PERMS_PATH:
  case ARG_HOST_GUEST:
  case ARG_GUEST_GUEST:
  case ARG_LINK:
  case ARG_EDIT:
    if ((r = split2 (arg, &act.a, &act.b)) == -1)
      return -1;
    if (r == 0 || act.a[0] == '\0' ||
        (v->shape != ARG_GUEST_PATH_TEXT && act.b[0] == '\0')) {
      gs_error ("%s: expected %s, not \"%s\"", w, v->syntax, arg);
      goto fail;
    }
    if (v->shape == ARG_PERMS_PATH) {
      char *f = act.b;           /* PERMS:FILE: the file is second */

      if (parse_perms (w, act.a, &act.mode) == -1)
        goto fail;
      act.b = act.a;
      act.a = f;
    }
    if (v->shape == ARG_HOST_GUEST) {
      if (check_readable (w, act.a, v->verb == CZ_COPY_IN) == -1)
        goto fail;
      if (act.b[0] != '/') {
        gs_error ("%s: \"%s\": expected an absolute guest path", w, act.b);
        goto fail;
      }
    }
    else if (v->shape == ARG_LINK) {
      /* TARGET is the link's text, as given; each LINK is a path. */
      for (const char *l = act.b; *l; l += strcspn (l, ":"), l += *l == ':')
        if (*l != '/') {
          gs_error ("%s: \"%.*s\": expected an absolute guest path", w,
                    (int) strcspn (l, ":"), l);
          goto fail;
        }
      if (act.b[strlen (act.b) - 1] == ':' || strstr (act.b, "::")) {
        gs_error ("%s: expected %s, not \"%s\"", w, v->syntax, arg);
        goto fail;
      }
    }
    else if (act.a[0] != '/' ||
             (v->shape == ARG_GUEST_GUEST && act.b[0] != '/')) {
      gs_error ("%s: \"%s\": expected an absolute guest path", w,
                act.a[0] != '/' ? act.a : act.b);
      goto fail;
    }
    if (v->shape == ARG_EDIT) {
      CLEANUP_FREE char *perl = cz_find_perl ();

      if (perl == NULL) {
        gs_error ("%s: --edit runs a Perl expression on the host, and "
                  "there is no perl in PATH", w);
        goto fail;
      }
    }
    if (v->verb == CZ_APPEND_LINE && strpbrk (act.b, "\r\n")) {
      gs_error ("%s: the line must not contain newline characters (give "
                "the option once per line)", w);
      goto fail;
    }
    break;

  case ARG_COMMANDS:              /* expanded above */
    return -1;

  case ARG_SSH: {
    const char *colon = strchr (arg, ':');
    size_t ulen = colon ? (size_t) (colon - arg) : strlen (arg);

    if ((act.a = strndup (arg, ulen)) == NULL)
      goto nomem;
    if (!valid_user (act.a)) {
      gs_error ("%s: \"%s\" is not a valid user name", w, act.a);
      goto fail;
    }
    if (colon == NULL || colon[1] == '\0') {
      if (cz_find_host_ssh_key (w, &act.key_file) == -1)
        goto fail;
    }
    else if (strncmp (colon + 1, "file:", 5) == 0 && colon[6]) {
      if (check_readable (w, colon + 6, false) == -1 ||
          (act.key_file = strdup (colon + 6)) == NULL)
        goto fail;
    }
    else if (strncmp (colon + 1, "string:", 7) == 0 && colon[8]) {
      if ((act.b = strdup (colon + 8)) == NULL)
        goto nomem;
    }
    else {
      gs_error ("%s: invalid key selector \"%s\" (expected %s)", w,
                colon + 1, v->syntax);
      goto fail;
    }
    break;
  }
  }

  /* The label names the action in perform-time messages. */
  if (asprintf (&act.label, "%s %s", w,
                v->verb == CZ_CHMOD ? act.a
                : v->shape == ARG_HOST_GUEST || v->shape == ARG_LINK
                ? act.b : act.a) == -1)
    goto nomem;
  if ((p = realloc (st->actions, (st->nactions + 1) * sizeof *p)) == NULL)
    goto nomem;
  st->actions = p;
  st->actions[st->nactions++] = act;
  return 0;

 nomem:
  gs_error ("out of memory");
 fail:
  free (act.a);
  free (act.b);
  free (act.key_file);
  free (act.label);
  return -1;
}

/* Is USER's password given already?  Then say where. */
static const char *
password_given (const struct cz_state *st, const char *user)
{
  if (st->root && strcmp (user, "root") == 0)
    return st->root->label;
  for (size_t i = 0; i < st->npasswords; ++i)
    if (strcmp (st->passwords[i].user, user) == 0)
      return st->passwords[i].label;
  return NULL;
}

/* "USER:SELECTOR", given at W ("FILE:LINE: password", "--password"). */
static int
add_password (struct cz_state *st, const char *w, const char *text)
{
  struct cz_password pw = { 0 }, *p;
  const char *colon = strchr (text, ':');
  CLEANUP_FREE char *user = NULL;
  const char *prev;

  if (colon == NULL) {
    /* The text may be a password typed in the wrong place: don't echo it. */
    gs_error ("%s: expected USER:SELECTOR", w);
    return -1;
  }
  if ((user = strndup (text, colon - text)) == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  if (!valid_user (user)) {
    gs_error ("%s: \"%s\" is not a valid user name", w, user);
    return -1;
  }
  if ((prev = password_given (st, user)) != NULL) {
    gs_error ("%s: the password of user %s is set twice (also by %s)", w,
              user, prev);
    return -1;
  }
  if (cz_parse_password (w, user, colon + 1, &pw) == -1)
    return -1;
  if ((p = realloc (st->passwords, (st->npasswords + 1) * sizeof *p))
      == NULL) {
    cz_password_free (&pw);
    gs_error ("out of memory");
    return -1;
  }
  st->passwords = p;
  st->passwords[st->npasswords++] = pw;
  return 0;
}

/* SEL given at W; CLI: on the command line (twice there is an error). */
static int
set_root_password (struct cz_state *st, const char *w, const char *sel,
                   bool cli)
{
  struct cz_password pw = { 0 };

  /* A later file overrides an earlier one, as for every key; but twice
   * on the command line is a mistake, as in virt-customize.
   */
  if (cli && st->root_from_cli) {
    gs_error ("%s: the password of user root is set twice", w);
    return -1;
  }
  for (size_t i = 0; i < st->npasswords; ++i)
    if (strcmp (st->passwords[i].user, "root") == 0) {
      gs_error ("%s: the password of user root is set twice (also by %s)",
                w, st->passwords[i].label);
      return -1;
    }
  if (cz_parse_password (w, "root", sel, &pw) == -1)
    return -1;
  if (st->root == NULL && (st->root = calloc (1, sizeof *st->root)) == NULL) {
    cz_password_free (&pw);
    gs_error ("out of memory");
    return -1;
  }
  cz_password_free (st->root);
  *st->root = pw;
  st->root_from_cli = cli;
  return 0;
}

static int
set_crypto (struct cz_state *st, const char *w, const char *c)
{
  if (!cz_valid_crypto (c)) {
    gs_error ("%s: unknown password hash \"%s\" (expected md5, sha256, "
              "sha512 or yescrypt)", w, c);
    return -1;
  }
  free (st->crypto);
  if ((st->crypto = strdup (c)) == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  return 0;
}

/* virt-customize options goldsmith does not do yet: a command file
 * naming one is refused by name, not as an unknown command.
 */
static const char *const not_yet[] = {
  "install", "uninstall", "update", "firstboot-install", "sm-register",
  "sm-attach", "sm-remove", "sm-unregister", "sm-credentials", "chown",
  "tar-in", "inject-virtio-win", "inject-qemu-ga", "inject-blnsvr", NULL,
};

/* One command of a --commands-from-file FILE, at line LINE: NAME is a
 * virt-customize option without "--", ARG its argument (or "").
 */
static int
add_command (struct cz_state *st, const char *file, unsigned line,
             const char *name, const char *arg)
{
  CLEANUP_FREE char *w = where_at (file, line, name);
  CLEANUP_FREE char *text = NULL;

  if (w == NULL)
    return -1;
  if (strcmp (name, "commands-from-file") == 0) {
    gs_error ("%s: a command file cannot include another", w);
    return -1;
  }
  for (size_t i = 0; i < NVERBS; ++i)
    if (strcmp (verbs[i].name, name) == 0) {
      if (asprintf (&text, "%s:%s", name, arg) == -1) {
        gs_error ("out of memory");
        return -1;
      }
      return add_action_at (st, file, line, text);
    }
  if (strcmp (name, "password") == 0)
    return add_password (st, w, arg);
  if (strcmp (name, "root-password") == 0)
    return set_root_password (st, w, arg, true);
  if (strcmp (name, "password-crypto") == 0)
    return set_crypto (st, w, arg);
  if (strcmp (name, "selinux-relabel") == 0 ||
      strcmp (name, "no-selinux-relabel") == 0 ||
      strcmp (name, "no-logfile") == 0) {
    if (arg[0]) {
      gs_error ("%s: takes no argument", w);
      return -1;
    }
    if (strcmp (name, "no-logfile") == 0)
      st->no_logfile = true;
    else
      st->selinux_relabel = name[0] == 's';
    return 0;
  }
  for (size_t i = 0; not_yet[i]; ++i)
    if (strcmp (not_yet[i], name) == 0) {
      gs_error ("%s: this virt-customize command is not supported by "
                "goldsmith yet", w);
      return -1;
    }
  gs_error ("%s: unknown command", w);
  return -1;
}

/* --commands-from-file FILE (given at W), as virt-customize reads it:
 * one command a line, "NAME ARG" with NAME an option without "--";
 * blank lines and lines starting with '#' are skipped; a line ending
 * in '\' continues on the next (the newline is kept).
 */
static int
add_commands (struct cz_state *st, const char *w, const char *file)
{
  size_t len;
  CLEANUP_FREE char *text = NULL;
  char *p, *cmd = NULL;
  unsigned line = 0, first = 0;
  size_t cmdlen = 0;
  int r = 0;

  if (check_readable (w, file, false) == -1 ||
      (text = cz_read_host_file (w, file, &len)) == NULL)
    return -1;
  if (memchr (text, '\0', len)) {
    gs_error ("%s: %s: not a text file", w, file);
    return -1;
  }
  for (p = text; r == 0 && *p; ) {
    size_t n = strcspn (p, "\n");
    bool more = n > 0 && p[n - 1] == '\\';
    char *c;

    line++;
    if (cmd == NULL)
      first = line;
    /* Accumulate the physical lines of one command. */
    if ((c = realloc (cmd, cmdlen + n + 2)) == NULL) {
      gs_error ("out of memory");
      r = -1;
      break;
    }
    cmd = c;
    memcpy (cmd + cmdlen, p, more ? n - 1 : n);
    cmdlen += more ? n - 1 : n;
    if (more)
      cmd[cmdlen++] = '\n';
    cmd[cmdlen] = '\0';
    p += n + (p[n] == '\n');
    if (more && *p)
      continue;
    {
      char *name = cmd + strspn (cmd, " \t");
      char *arg;

      if (name[0] && name[0] != '#') {
        arg = name + strcspn (name, " \t");
        if (*arg)
          *arg++ = '\0';
        arg += strspn (arg, " \t");
        r = add_command (st, file, first, name, arg);
      }
    }
    free (cmd);
    cmd = NULL;
    cmdlen = 0;
  }
  free (cmd);
  return r;
}

static int
customize_configure (struct gs_op *op, const config_setting_t *sec)
{
  struct cz_state *st = get (op);
  const config_setting_t *s;

  if (st == NULL)
    return -1;
  /* actions and passwords add to what earlier layers gave. */
  if ((s = config_setting_get_member (sec, "actions")) != NULL)
    for (int i = 0; i < config_setting_length (s); ++i) {
      const config_setting_t *e = config_setting_get_elem (s, i);

      if (add_action_at (st, config_setting_source_file (e),
                         config_setting_source_line (e),
                         config_setting_get_string (e)) == -1)
        return -1;
    }
  if ((s = config_setting_get_member (sec, "passwords")) != NULL)
    for (int i = 0; i < config_setting_length (s); ++i) {
      CLEANUP_FREE char *w = where (config_setting_get_elem (s, i),
                                    "password");

      if (w == NULL ||
          add_password (st, w, config_setting_get_string_elem (s, i)) == -1)
        return -1;
    }
  if ((s = config_setting_get_member (sec, "root-password")) != NULL) {
    CLEANUP_FREE char *w = where (s, "root-password");

    if (w == NULL ||
        set_root_password (st, w, config_setting_get_string (s),
                           config_setting_source_file (s) == NULL) == -1)
      return -1;
  }
  if ((s = config_setting_get_member (sec, "password-crypto")) != NULL) {
    CLEANUP_FREE char *w = where (s, "password-crypto");

    if (w == NULL || set_crypto (st, w, config_setting_get_string (s)) == -1)
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

  if (st == NULL)
    return -1;
  if (st->crypto == NULL && (st->crypto = strdup ("sha512")) == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  return 0;
}

/* ---- Helpers shared by the actions ---------------------------------- */

/* Dry run: remember that an earlier action would create PATH. */
int
cz_plan (struct cz_state *st, char type, const char *path)
{
  char *e;

  if (asprintf (&e, "%c%s", type, path) == -1 ||
      string_vector_append (&st->planned, e) == -1) {
    gs_error ("out of memory");
    return -1;
  }
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
  CLEANUP_FREE char *parent = strndup (path, base - path);
  CLEANUP_FREE char *rparent = NULL;
  char *r = NULL;

  if (parent == NULL)
    return NULL;
  /* Probes: a failure only means "not resolvable". */
  guestfs_push_error_handler (g, NULL, NULL);
  if (guestfs_exists (g, path) == 1)
    r = guestfs_realpath (g, path);
  else if (parent[0] && guestfs_is_dir_opts (g, parent,
                                             GUESTFS_IS_DIR_OPTS_FOLLOWSYMLINKS,
                                             1, -1) == 1 &&
           (rparent = guestfs_realpath (g, parent)) != NULL) {
    if (asprintf (&r, "%s%s%s", rparent, strcmp (rparent, "/") ? "/" : "",
                  base) == -1)
      r = NULL;
  }
  guestfs_pop_error_handler (g);
  return r ? r : strdup (path);
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
  if ((real = resolve (g, path)) == NULL) {
    gs_error ("out of memory");
    return NULL;
  }
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
    if (len + 1 >= cap || buf == NULL) {
      char *nb = realloc (buf, cap *= 2);

      if (nb == NULL) {
        gs_error ("out of memory");
        goto fail;
      }
      buf = nb;
    }
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

/* ---- perform ------------------------------------------------------- */

static int
customize_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                   const char *root)
{
  struct cz_state *st = get (op);
  const char *type = gs_guest_get (ctx, "type");

  (void) root;
  if (st == NULL)
    return -1;
  if (st->nactions == 0 && st->npasswords == 0 && st->root == NULL &&
      !st->selinux_relabel) {
    gs_not_applicable (ctx, "no customizations were asked for");
    return 0;
  }
  if (type == NULL || strcmp (type, "linux") != 0) {
    gs_warning ("%s guests are not supported: nothing was customized",
                type ? type : "unknown");
    gs_not_applicable (ctx, "only Linux guests can be customized");
    return 0;
  }

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
  free (st->crypto);
  string_vector_free_all (&st->planned);
  free (st);
  gs_op_set_data (op, NULL);
}

static const struct gs_operation customize = {
  .name = "customize",
  .family = "sysprep",
  .heading = "Customize the guest",
  .description =
    "Run virt-customize's actions on the guest, after the cleanups (it is "
    "ordered last).  Without any action, password or relabelling it does "
    "nothing (and reports itself not applicable).  Linux guests only.\n"
    "\n"
    "Unlike virt-sysprep's customize operation, it does nothing that was "
    "not asked for: it writes no random seed and never regenerates "
    "F</etc/machine-id>, so the B<machine-id> operation's emptying "
    "sticks and every clone makes its own machine ID (virt-sysprep "
    "undid it, RHBZ 1557042).\n"
    "\n"
    "The actions run in the order they are given: the C<actions> of the "
    "configuration files first, in file order, then the command-line "
    "options, in command-line order.  Then the passwords are set, then "
    "the guest is relabelled.  Every path an action creates, changes or "
    "removes is in the report; one that B<--exclude-path> protects is "
    "never changed: the action fails (B<--delete> keeps it and removes "
    "the rest).  In a dry run nothing is changed and the report lists "
    "what each action would do, planned against the guest as it is plus "
    "what earlier actions would create.\n"
    "\n"
    "=over 4\n"
    "\n"
    "=item B<--hostname> I<NAME>  (C<hostname:NAME>)\n"
    "\n"
    "Fedora, RHEL 7 and later and their relatives: F</etc/hostname>, and "
    "C<PRETTY_HOSTNAME> in F</etc/machine-info> if that file exists.  "
    "Debian, Ubuntu: F</etc/hostname>, and the old name (long or short) "
    "becomes the new one in F</etc/hosts>.  Older Red Hat: "
    "C<HOSTNAME=> in F</etc/sysconfig/network>.  SUSE: F</etc/HOSTNAME>.  "
    "Other Linux guests: F</etc/hostname> if it exists, else a warning.  "
    "The name is checked (letters, digits, C<->, C<.>).\n"
    "\n"
    "=item B<--timezone> I<TZ>  (C<timezone:TZ>)\n"
    "\n"
    "F</etc/localtime> becomes a symlink to "
    "F</usr/share/zoneinfo/>I<TZ>; on Debian and Ubuntu "
    "F</etc/timezone> says I<TZ> too.  As in virt-customize, a zone the "
    "guest does not have is an error (a dangling F</etc/localtime> "
    "silently means UTC).\n"
    "\n"
    "=item B<--ssh-inject> I<USER>[B<:file:>I<KEYFILE>|B<:string:>I<KEY>]\n"
    "\n"
    "Append a public key to F<~USER/.ssh/authorized_keys> (home, uid and "
    "gid from the guest's F</etc/passwd>); F<.ssh> is created mode 0700 "
    "and the file 0600, owned by the user.  Without a key, the newest "
    "F<~/.ssh/id*.pub> of the user running goldsmith (not "
    "F<*-cert.pub>), as virt-customize and ssh-copy-id do.\n"
    "\n"
    "=item B<--firstboot> I<SCRIPT>, B<--firstboot-command> I<COMMAND>\n"
    "\n"
    "Run the script (read from the host) or the command once at the "
    "guest's next boot, in order, through goldsmith's first-boot runner "
    "(a systemd unit, or a SysV init script), before sshd starts.  On "
    "a guest whose SysV boot order comes from insserv (Debian's "
    "sysvinit-core, where startpar runs only what "
    "F</etc/init.d/.depend.start> lists), goldsmith runs the guest's "
    "insserv in the appliance to register the script; a link in "
    "F</etc/rcN.d> alone would never run there.  Both paths are proven "
    "by booting a real Debian 12 guest (F<tests/slow/sysprep-boots.sh>, "
    "with B<GS_BOOT_INIT=sysv> for sysvinit).\n"
    "\n"
    "=item B<--run> I<SCRIPT>, B<--run-command> I<COMMAND>\n"
    "\n"
    "Run the script (read from the host) or the command now, with "
    "F</bin/sh> chrooted into the guest inside the appliance (no network). "
    " The guest needs a F</bin/sh> of the host's architecture; otherwise "
    "this is an error (use B<--firstboot-command>).  A failure is an "
    "error.  What the command changes is not in the report, and a dry run "
    "cannot run it: it warns that the command was not run.  Output is "
    "shown with B<-v>; nothing is left in the guest (virt-customize logs "
    "to F</tmp/builder.log> there).\n"
    "\n"
    "=item B<--delete> I<PATH>\n"
    "\n"
    "Remove each match of the glob (expanded in the guest), directories "
    "with their contents; symlinks are removed, never followed; paths "
    "protected by B<--exclude-path> are kept.\n"
    "\n"
    "=item B<--touch> I<FILE>, B<--mkdir> I<DIR>\n"
    "\n"
    "Create an empty file (or update its times); create a directory and "
    "its missing parents.\n"
    "\n"
    "=item B<--write> I<FILE>B<:>I<CONTENT>, B<--append-line> "
    "I<FILE>B<:>I<LINE>\n"
    "\n"
    "Write CONTENT (as given: no escapes, no newline added) to FILE.  "
    "Append LINE to FILE (created if missing), with the file's own line "
    "ending (CRLF, LF or CR, guessed from its start; LF if unknown), "
    "after adding one if the file does not end with it.  LINE must not "
    "contain newlines.\n"
    "\n"
    "=item B<--chmod> I<PERMS>B<:>I<FILE>\n"
    "\n"
    "Change FILE's mode.  PERMS is read as virt-customize reads it: "
    "octal with a leading C<0> (C<0644>), else decimal (C<420> is "
    "C<0644>).  A decimal number that looks like a mode (C<644>) is "
    "taken all the same, with a warning saying which mode it means, so "
    "that a virt-sysprep command line does what it did there.\n"
    "\n"
    "=item B<--truncate> I<FILE>, B<--truncate-recursive> I<PATH>\n"
    "\n"
    "Truncate the file to zero length; truncate every regular file under "
    "PATH (symbolic links are not followed; files protected by "
    "B<--exclude-path> are kept).\n"
    "\n"
    "=item B<--scrub> I<FILE>\n"
    "\n"
    "Overwrite the file's data with the appliance's scrub(1), then "
    "remove it.\n"
    "\n"
    "=item B<--copy> I<SOURCE>B<:>I<DEST>, B<--move> I<SOURCE>B<:>I<DEST>\n"
    "\n"
    "Copy (C<cp -a>: modes, owners and times kept) or move a file or "
    "directory inside the guest; a DEST that is a directory receives "
    "it.\n"
    "\n"
    "=item B<--link> I<TARGET>B<:>I<LINK>[B<:>I<LINK>...]\n"
    "\n"
    "Make each LINK a symbolic link to TARGET (C<ln -sf>).\n"
    "\n"
    "=item B<--edit> I<FILE>B<:>I<EXPR>\n"
    "\n"
    "Apply the Perl expression EXPR to each line of FILE, as C<perl -pe> "
    "(and virt-edit B<-e>) do.  The expression runs B<on the host>, "
    "with goldsmith's privileges, over the file's content copied out of "
    "the appliance; never inside the guest.  The file is rewritten in "
    "place (owner, mode and labels kept) only if it changed.  A dry run "
    "runs the expression too, to say whether the file would change.  "
    "Needs B<perl> in C<PATH>, checked before any launch.\n"
    "\n"
    "=item B<--commands-from-file> I<FILE>\n"
    "\n"
    "Read customize commands from FILE (on the host), in "
    "virt-customize's syntax: one a line, the option's name without "
    "C<-->, a space, its argument (C<write /etc/motd:hello>); blank "
    "lines and lines starting with C<#> are skipped; a line ending in "
    "C<\\> continues on the next, the newline kept.  The commands run "
    "where the option stands among the others.  Errors name FILE and "
    "line; a virt-customize command goldsmith does not do yet "
    "(B<install>, B<sm-register>, ...) is refused by name.\n"
    "\n"
    "=item B<--no-logfile>\n"
    "\n"
    "Scrub F</tmp/builder.log> from the guest at the end, as "
    "virt-customize does with the log it writes.  goldsmith writes no "
    "such log; this removes one an earlier virt-customize or "
    "virt-builder left.\n"
    "\n"
    "=item B<--upload> I<FILE>B<:>I<DEST>, B<--copy-in> "
    "I<LOCALPATH>B<:>I<REMOTEDIR>\n"
    "\n"
    "Upload a host file to DEST (into it, if DEST is a directory), with "
    "the host file's mode, uid and gid, as virt-customize.  Copy a host "
    "file or directory tree into REMOTEDIR, which must exist.\n"
    "\n"
    "=item B<--root-password> I<SELECTOR>, B<--password> "
    "I<USER>B<:>I<SELECTOR>, B<--password-crypto> I<HASH>\n"
    "\n"
    "Set passwords in F</etc/shadow> (edited with augeas, its owner, mode "
    "and SELinux label kept), after all the "
    "actions.  SELECTOR: C<password:>I<PW> (PW may contain C<:>; note that "
    "command lines are visible to other users), C<file:>I<FILE> (the "
    "first line of a host file), C<random> (16 letters and digits, "
    "printed as a warning, which B<-q> does not hide), C<disabled> (no "
    "password login: C<*>), any of these after C<locked:> or C<lock:> "
    "(the account is locked: C<!> before the hash), or C<locked> alone "
    "(C<!*>).  The same user twice is an error, and so is a user the "
    "guest's F</etc/shadow> does not have (virt-customize ignores it "
    "silently).  HASH: C<md5>, C<sha256>, C<sha512> (the default, for "
    "every guest: virt-customize picks per distribution) or C<yescrypt> "
    "(guests with libxcrypt 4.3 or later), salted from the host's random "
    "source.\n"
    "\n"
    "=item B<--selinux-relabel>\n"
    "\n"
    "After everything else, relabel the guest's files with its own "
    "policy (SELINUXTYPE in F</etc/selinux/config>), or, if that cannot "
    "be done now, create F</.autorelabel> so that the guest relabels at "
    "boot.  A guest without F</etc/selinux/config> is left alone.  Off "
    "by default, as in virt-customize 1.48.\n"
    "\n"
    "=back",
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
