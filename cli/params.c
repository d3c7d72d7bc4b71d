/* SPDX-License-Identifier: GPL-2.0-or-later */
/* params.c: command-line options that set an operation's configuration
 * keys (--hostname, --delete, --remove-user-accounts, ...).
 *
 * Each occurrence becomes one configuration layer after --config and
 * --set, in command-line order, so an option and its config key are
 * one thing: the operation sees both through .configure, and ordered
 * lists (customize's actions) keep the command line's order.  An
 * option for an operation that is not selected is an error.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cleanups.h"

enum param_kind {
  P_STRING,                      /* key = "VALUE" */
  P_VERB,                        /* key = [ "VERB:VALUE" ] (appended) */
  P_LIST,                        /* key = [ "a", "b" ] from "a,b" */
  P_BOOL,                        /* key = true */
  P_BOOL_FALSE,                  /* key = false */
};

struct param {
  const char *option;            /* without the dashes */
  enum param_kind kind;
  const char *op;                /* sysprep operation */
  const char *key;
  const char *verb;              /* P_VERB */
  const char *arg;               /* for --help */
  const char *help;
};

/* virt-sysprep's operation options (customize's are virt-customize's). */
static const struct param sysprep_params[] = {
  { "hostname", P_VERB, "customize", "actions", "hostname", "NAME",
    "Set the hostname" },
  { "timezone", P_VERB, "customize", "actions", "timezone", "TZ",
    "Set the default timezone" },
  { "root-password", P_STRING, "customize", "root-password", NULL,
    "SELECTOR", "Set root's password (password:PW, file:FILE, random, "
    "disabled, locked:...)" },
  { "password", P_VERB, "customize", "passwords", "", "USER:SELECTOR",
    "Set a user's password" },
  { "password-crypto", P_STRING, "customize", "password-crypto", NULL,
    "md5|sha256|sha512|yescrypt", "Password hash (default sha512)" },
  { "ssh-inject", P_VERB, "customize", "actions", "ssh-inject",
    "USER[:file:KEYFILE|:string:KEY]", "Add an SSH public key" },
  { "firstboot", P_VERB, "customize", "actions", "firstboot", "SCRIPT",
    "Run SCRIPT once at the guest's next boot" },
  { "firstboot-command", P_VERB, "customize", "actions",
    "firstboot-command", "CMD", "Run CMD once at the guest's next boot" },
  { "run", P_VERB, "customize", "actions", "run", "SCRIPT",
    "Run SCRIPT inside the guest now" },
  { "run-command", P_VERB, "customize", "actions", "run-command", "CMD",
    "Run CMD inside the guest now" },
  { "delete", P_VERB, "customize", "actions", "delete", "PATH",
    "Delete PATH (glob, recursive)" },
  { "touch", P_VERB, "customize", "actions", "touch", "FILE",
    "Create FILE or update its time" },
  { "write", P_VERB, "customize", "actions", "write", "FILE:CONTENT",
    "Write CONTENT to FILE" },
  { "append-line", P_VERB, "customize", "actions", "append-line",
    "FILE:LINE", "Append LINE to FILE" },
  { "mkdir", P_VERB, "customize", "actions", "mkdir", "DIR",
    "Create DIR and its parents" },
  { "chmod", P_VERB, "customize", "actions", "chmod", "PERMS:FILE",
    "Change FILE's permissions (octal with a leading 0: 0644)" },
  { "upload", P_VERB, "customize", "actions", "upload", "FILE:DEST",
    "Upload a host file" },
  { "copy-in", P_VERB, "customize", "actions", "copy-in",
    "LOCALPATH:REMOTEDIR", "Copy a host file or tree into REMOTEDIR" },
  { "selinux-relabel", P_BOOL, "customize", "selinux-relabel", NULL, NULL,
    "Relabel SELinux guests" },
  { "no-selinux-relabel", P_BOOL_FALSE, "customize", "selinux-relabel",
    NULL, NULL, "Don't relabel (the default)" },
  { "remove-user-accounts", P_LIST, "user-account", "remove", NULL,
    "USERS", "Remove only these accounts (comma list)" },
  { "keep-user-accounts", P_LIST, "user-account", "keep", NULL, "USERS",
    "Never remove these accounts (comma list)" },
  { "script", P_VERB, "script", "scripts", "", "SCRIPT",
    "Run SCRIPT on the host in a FUSE mount of the guest" },
  { "scriptdir", P_STRING, "script", "scriptdir", NULL, "DIR",
    "Empty host directory to mount the guest on for --script" },
  { NULL },
};

#define PARAM_BASE 2000

struct used {
  const struct param *p;
  char *value;
};

static struct used *used;
static size_t nused;

void
gs_cli_params_table (struct poptOption *table, size_t max)
{
  size_t i;

  for (i = 0; sysprep_params[i].option && i + 1 < max; ++i) {
    const struct param *p = &sysprep_params[i];

    table[i] = (struct poptOption) {
      p->option, '\0',
      p->kind == P_BOOL || p->kind == P_BOOL_FALSE ? POPT_ARG_NONE
                                                    : POPT_ARG_STRING,
      NULL, PARAM_BASE + (int) i, p->help, p->arg,
    };
  }
  table[i] = (struct poptOption) POPT_TABLEEND;
}

/* Remember one parameter option; 0 if it was one, 1 if not, -1. */
int
gs_cli_params_option (poptContext pc, int rc)
{
  struct used *u;
  size_t n = 0;

  while (sysprep_params[n].option)
    n++;
  if (rc < PARAM_BASE || rc >= PARAM_BASE + (int) n)
    return 1;
  if ((u = realloc (used, (nused + 1) * sizeof *used)) == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  used = u;
  used[nused].p = &sysprep_params[rc - PARAM_BASE];
  used[nused].value = poptGetOptArg (pc);
  nused++;
  return 0;
}

/* The libconfig value an occurrence sets. */
static char *
value_text (const struct used *u)
{
  const struct param *p = u->p;
  CLEANUP_FREE char *joined = NULL;
  char *text = NULL;

  switch (p->kind) {
  case P_BOOL:
    return strdup ("true");
  case P_BOOL_FALSE:
    return strdup ("false");
  case P_STRING:
    return gs_cli_quote (u->value);
  case P_VERB:
    if (asprintf (&joined, "%s%s%s", p->verb, p->verb[0] ? ":" : "",
                  u->value) == -1)
      return NULL;
    {
      CLEANUP_FREE char *q = gs_cli_quote (joined);

      if (q == NULL || asprintf (&text, "[ %s ]", q) == -1)
        return NULL;
    }
    return text;
  case P_LIST: {
    CLEANUP_FREE char *copy = strdup (u->value);
    char *save = NULL, *t;
    size_t len = 0;

    if (copy == NULL || (text = malloc (4 * strlen (u->value) + 8)) == NULL)
      return NULL;
    len = sprintf (text, "[ ");
    /* An empty element is an error, as in virt-sysprep. */
    if (u->value[0] == '\0' || u->value[0] == ',' ||
        u->value[strlen (u->value) - 1] == ',' || strstr (u->value, ",,")) {
      free (text);
      errno = EINVAL;
      return NULL;
    }
    for (t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save)) {
      CLEANUP_FREE char *q = gs_cli_quote (t);

      if (q == NULL) {
        free (text);
        return NULL;
      }
      len += sprintf (text + len, "%s%s", len > 2 ? ", " : "", q);
    }
    sprintf (text + len, " ]");
    return text;
  }
  }
  return NULL;
}

/* Append one configuration layer per occurrence to FILES (after the
 * user's config and --set layers).
 */
int
gs_cli_params_layers (const char *family, string_vector *layers)
{
  for (size_t i = 0; i < nused; ++i) {
    const struct param *p = used[i].p;
    CLEANUP_FREE char *v = NULL;
    CLEANUP_FREE char *shown = strdup (used[i].value ? used[i].value : "");
    char *entry;

    /* The layer's name ends at the first newline (see config.c), so a
     * value with newlines (--write FILE:$'a\nb') is shown on one line;
     * the value itself is quoted intact in the text.
     */
    if (shown == NULL) {
      gs_error ("out of memory");
      return -1;
    }
    for (char *c = shown; *c; ++c)
      if (*c == '\n' || *c == '\r')
        *c = ' ';
    errno = 0;
    if ((v = value_text (&used[i])) == NULL) {
      if (errno == EINVAL)
        gs_error ("--%s %s: empty name in the list", p->option,
                  used[i].value);
      else
        gs_error ("out of memory");
      return -1;
    }
    if (asprintf (&entry, "--%s:%s\n%s: { %s: { %s = %s; }; };", p->option,
                  shown, family, p->op, p->key, v) == -1 ||
        string_vector_append (layers, entry) == -1) {
      gs_error ("out of memory");
      return -1;
    }
  }
  return 0;
}

/* After selection: every option used belongs to a selected operation. */
int
gs_cli_params_check (const struct gs_registry *reg, const char *family)
{
  for (size_t i = 0; i < nused; ++i) {
    const struct param *p = used[i].p;
    const struct gs_op *op = gs_int_registry_find (reg, family, p->op);

    if (op == NULL) {
      gs_error ("--%s: the %s operation is not installed", p->option, p->op);
      return -1;
    }
    if (!op->selected) {
      gs_error ("--%s: the %s operation is not enabled (add it with "
                "--operations +%s, or --enable)", p->option, p->op, p->op);
      return -1;
    }
  }
  return 0;
}

void
gs_cli_params_free (void)
{
  for (size_t i = 0; i < nused; ++i)
    free (used[i].value);
  free (used);
  used = NULL;
  nused = 0;
}
