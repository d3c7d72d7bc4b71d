/* SPDX-License-Identifier: GPL-2.0-or-later */
/* customize-args.c: every action, password and command file the user
 * gives the customize operation is checked here, at configure time,
 * before the appliance is launched (a typo costs nothing), and turned
 * into the cz_state that customize.c's perform dispatches.  It calls
 * the actions' own validators (hostname, package names, passwords)
 * and no action.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goldsmith-plugin.h"
#include "string-vector.h"
#include "cleanups.h"
#include "customize.h"

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
  ARG_NONE,                      /* no argument (update, sm-register) */
  ARG_PACKAGES,                  /* PKG,PKG... */
  ARG_SM_POOL,                   /* auto | pool:ID | file:FILENAME */
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
  { "install", CZ_INSTALL, ARG_PACKAGES, "PKG,PKG..." },
  { "uninstall", CZ_UNINSTALL, ARG_PACKAGES, "PKG,PKG..." },
  { "update", CZ_UPDATE, ARG_NONE, "" },
  { "firstboot-install", CZ_FIRSTBOOT_INSTALL, ARG_PACKAGES, "PKG,PKG..." },
  { "sm-register", CZ_SM_REGISTER, ARG_NONE, "" },
  { "sm-attach", CZ_SM_ATTACH, ARG_SM_POOL, "auto|pool:ID|file:FILENAME" },
  { "sm-remove", CZ_SM_REMOVE, ARG_NONE, "" },
  { "sm-unregister", CZ_SM_UNREGISTER, ARG_NONE, "" },
  /* Expanded at configure time into the actions it lists. */
  { "commands-from-file", (enum cz_verb) -1, ARG_COMMANDS, "FILE" },
};
#define NVERBS (sizeof verbs / sizeof verbs[0])

/* Where a setting came from, for messages: "FILE:LINE: WHAT" from a
 * file; from a command-line layer (no file), the option "--WHAT".
 */
static char *
where_at (const char *file, unsigned line, const char *what)
{
  if (file)
    return gs_xasprintf ("%s:%u: %s", file, line, what);
  /* "actions" itself only comes from --set: no option to name. */
  return gs_xasprintf ("%s%s", strcmp (what, "actions") ? "--" : "", what);
}

char *
cz_where (const config_setting_t *s, const char *what)
{
  return where_at (config_setting_source_file (s),
                   config_setting_source_line (s), what);
}

/* Split "A:B" at the first colon into owned copies: 1, or 0 when there
 * is no colon.
 */
static int
split2 (const char *arg, char **a, char **b)
{
  const char *colon = strchr (arg, ':');

  if (colon == NULL)
    return 0;
  *a = gs_xstrndup (arg, colon - arg);
  *b = gs_xstrdup (colon + 1);
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
int
cz_add_action (struct cz_state *st, const char *file, unsigned line,
               const char *text)
{
  const struct verb *v = NULL;
  struct cz_action act = { 0 };
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

    if (v == NULL)
      gs_error ("%s: unknown action \"%.*s\" (expected hostname, timezone, "
                "ssh-inject, firstboot, firstboot-command, run, run-command, "
                "delete, touch, write, append-line, mkdir, chmod, upload, "
                "copy-in, truncate, truncate-recursive, scrub, copy, move, "
                "link, edit, install, uninstall, update, firstboot-install, "
                "sm-register, sm-attach, sm-remove, sm-unregister or "
                "commands-from-file)", wa, (int) vlen, text);
    else
      gs_error ("%s: \"%s\": expected %s:%s", wa, text, v->name, v->syntax);
    return -1;
  }
  arg = text + vlen + 1;
  w = where_at (file, line, v->name);
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
    act.a = gs_xstrdup (arg);
    break;

  case ARG_GUEST_PATH_TEXT:
  case ARG_PERMS_PATH:
  case ARG_HOST_GUEST:
  case ARG_GUEST_GUEST:
  case ARG_LINK:
  case ARG_EDIT:
    r = split2 (arg, &act.a, &act.b);
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

  case ARG_NONE:
    if (arg[0]) {
      gs_error ("%s: takes no argument, not \"%s\"", w, arg);
      return -1;
    }
    act.a = gs_xstrdup ("");
    break;

  case ARG_PACKAGES:
    /* Each name is checked here and quoted for the guest's shell
     * there: a name is never a way to run a command.
     */
    if (arg[0] == '\0' || arg[0] == ',' || arg[strlen (arg) - 1] == ',' ||
        strstr (arg, ",,")) {
      gs_error ("%s: expected %s, not \"%s\" (an empty package name)", w,
                v->syntax, arg);
      return -1;
    }
    for (const char *n = arg; *n; n += strcspn (n, ","), n += *n == ',') {
      CLEANUP_FREE char *name = gs_xstrndup (n, strcspn (n, ","));

      if (!cz_valid_package (name)) {
        gs_error ("%s: \"%s\" is not a valid package name (letters, "
                  "digits and + - . _ : @ ~ = /, starting with a letter or "
                  "digit)", w, name);
        return -1;
      }
    }
    act.a = gs_xstrdup (arg);
    break;

  case ARG_SM_POOL:
    /* file:FILENAME: the pool ID is the file's first line, read now. */
    if (strncmp (arg, "file:", 5) == 0 && arg[5]) {
      CLEANUP_FREE char *data = NULL;
      size_t len;

      if (check_readable (w, arg + 5, false) == -1 ||
          (data = cz_read_host_file (w, arg + 5, &len)) == NULL)
        return -1;
      data[strcspn (data, "\r\n")] = '\0';
      if (!cz_valid_pool (data)) {
        gs_error ("%s: %s: the first line is not a pool ID", w, arg + 5);
        return -1;
      }
      act.a = gs_xasprintf ("pool:%s", data);
      break;
    }
    if (strcmp (arg, "auto") != 0 &&
        (strncmp (arg, "pool:", 5) != 0 || !cz_valid_pool (arg + 5))) {
      gs_error ("%s: expected %s, not \"%s\"", w, v->syntax, arg);
      return -1;
    }
    act.a = gs_xstrdup (arg);
    break;

  case ARG_SSH: {
    const char *colon = strchr (arg, ':');
    size_t ulen = colon ? (size_t) (colon - arg) : strlen (arg);

    act.a = gs_xstrndup (arg, ulen);
    if (!valid_user (act.a)) {
      gs_error ("%s: \"%s\" is not a valid user name", w, act.a);
      goto fail;
    }
    if (colon == NULL || colon[1] == '\0') {
      if (cz_find_host_ssh_key (w, &act.key_file) == -1)
        goto fail;
    }
    else if (strncmp (colon + 1, "file:", 5) == 0 && colon[6]) {
      if (check_readable (w, colon + 6, false) == -1)
        goto fail;
      act.key_file = gs_xstrdup (colon + 6);
    }
    else if (strncmp (colon + 1, "string:", 7) == 0 && colon[8]) {
      act.b = gs_xstrdup (colon + 8);
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
  act.label = gs_xasprintf ("%s%s%s", w, v->shape == ARG_NONE ? "" : " ",
                            v->verb == CZ_CHMOD ? act.a
                            : v->shape == ARG_HOST_GUEST || v->shape == ARG_LINK
                            ? act.b : act.a);
  st->actions = gs_xreallocarray (st->actions, st->nactions + 1,
                                  sizeof *st->actions);
  st->actions[st->nactions++] = act;
  return 0;

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
int
cz_add_password (struct cz_state *st, const char *w, const char *text)
{
  struct cz_password pw = { 0 };
  const char *colon = strchr (text, ':');
  CLEANUP_FREE char *user = NULL;
  const char *prev;

  if (colon == NULL) {
    /* The text may be a password typed in the wrong place: don't echo it. */
    gs_error ("%s: expected USER:SELECTOR", w);
    return -1;
  }
  user = gs_xstrndup (text, colon - text);
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
  st->passwords = gs_xreallocarray (st->passwords, st->npasswords + 1,
                                    sizeof *st->passwords);
  st->passwords[st->npasswords++] = pw;
  return 0;
}

/* SEL given at W; CLI: on the command line (twice there is an error). */
int
cz_set_root_password (struct cz_state *st, const char *w, const char *sel,
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
  if (st->root == NULL)
    st->root = gs_xcalloc (1, sizeof *st->root);
  cz_password_free (st->root);
  *st->root = pw;
  st->root_from_cli = cli;
  return 0;
}

int
cz_set_crypto (struct cz_state *st, const char *w, const char *c)
{
  if (!cz_valid_crypto (c)) {
    gs_error ("%s: unknown password hash \"%s\" (expected md5, sha256, "
              "sha512 or yescrypt)", w, c);
    return -1;
  }
  free (st->crypto);
  st->crypto = gs_xstrdup (c);
  return 0;
}

/* --sm-credentials USER:password:PW or USER:file:FILE, given at W.
 * Messages never quote it: it holds the password.
 */
int
cz_set_sm_credentials (struct cz_state *st, const char *w,
                       const char *text)
{
  struct cz_password pw = { 0 };
  const char *colon = strchr (text, ':');
  CLEANUP_FREE char *user = NULL;

  if (colon == NULL ||
      (strncmp (colon + 1, "password:", 9) && strncmp (colon + 1, "file:", 5))) {
    gs_error ("%s: expected USER:password:PASSWORD or USER:file:FILENAME",
              w);
    return -1;
  }
  if ((user = strndup (text, colon - text)) == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  if (user[0] == '\0') {
    gs_error ("%s: the user name is empty", w);
    return -1;
  }
  if (cz_parse_password (w, user, colon + 1, &pw) == -1)
    return -1;
  if (st->sm == NULL && (st->sm = calloc (1, sizeof *st->sm)) == NULL) {
    cz_password_free (&pw);
    gs_error ("out of memory");
    return -1;
  }
  cz_password_free (st->sm);     /* a later layer overrides */
  *st->sm = pw;
  return 0;
}

/* virt-customize options goldsmith does not do yet: a command file
 * naming one is refused by name, not as an unknown command.
 */
static const char *const not_yet[] = {
  "chown", "tar-in", "inject-virtio-win", "inject-qemu-ga", "inject-blnsvr",
  NULL,
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

  if (strcmp (name, "commands-from-file") == 0) {
    gs_error ("%s: a command file cannot include another", w);
    return -1;
  }
  for (size_t i = 0; i < NVERBS; ++i)
    if (strcmp (verbs[i].name, name) == 0) {
      text = gs_xasprintf ("%s:%s", name, arg);
      return cz_add_action (st, file, line, text);
    }
  if (strcmp (name, "password") == 0)
    return cz_add_password (st, w, arg);
  if (strcmp (name, "root-password") == 0)
    return cz_set_root_password (st, w, arg, true);
  if (strcmp (name, "password-crypto") == 0)
    return cz_set_crypto (st, w, arg);
  if (strcmp (name, "sm-credentials") == 0)
    return cz_set_sm_credentials (st, w, arg);
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

    line++;
    if (cmd == NULL)
      first = line;
    /* Accumulate the physical lines of one command. */
    cmd = gs_xrealloc (cmd, cmdlen + n + 2);
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
