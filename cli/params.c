/* SPDX-License-Identifier: GPL-2.0-or-later */
/* params.c: the command-line options operations declare (--hostname,
 * --delete, --remove-user-accounts, ...: struct gs_option in
 * goldsmith-plugin.h).  The table popt parses and --help shows is built
 * from the loaded plugins, so an option lives only in its operation.
 *
 * Each occurrence becomes one configuration layer after --config and
 * --set, in command-line order, built as a typed libconfig value: an
 * option and its config key are one thing, the operation sees both
 * through .configure, and ordered lists (customize's actions) keep the
 * command line's order.  An option of an operation that is not
 * selected is an error, but for the few virt-sysprep accepts as no-ops
 * (harmless_unselected).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cleanups.h"

#define PARAM_BASE 2000

struct param {
  const struct gs_op *op;
  const struct gs_option *opt;
};

static struct param *params;     /* by popt value - PARAM_BASE */
static size_t nparams;
static struct poptOption *table;

struct used {
  const struct param *p;
  char *value;
};

static struct used *used;
static size_t nused;

/* NAME among TOOL's own options (include tables followed)? */
static bool
tool_has (const struct poptOption *t, const char *name)
{
  for (; t->longName || t->shortName || t->argInfo || t->arg; ++t) {
    if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE && t->arg &&
        tool_has (t->arg, name))
      return true;
    if (t->longName && strcmp (t->longName, name) == 0)
      return true;
  }
  return false;
}

struct poptOption *
gs_cli_params_table (const struct gs_registry *reg, const char *family,
                     const struct poptOption *tool)
{
  size_t n = 0;

  for (size_t i = 0; i < reg->nops; ++i) {
    const struct gs_op *op = reg->ops[i];

    if (strcmp (op->family, family) || op->def->options == NULL)
      continue;
    for (const struct gs_option *o = op->def->options; o->name; ++o) {
      if (tool_has (tool, o->name)) {
        gs_error ("%s: option --%s of operation \"%s\" is one of goldsmith "
                  "%s's own options", op->source, o->name, op->name, family);
        return NULL;
      }
      params = gs_xreallocarray (params, n + 1, sizeof *params);
      params[n++] = (struct param) { op, o };
    }
  }
  nparams = n;
  table = gs_xcalloc (n + 1, sizeof *table);
  for (size_t i = 0; i < n; ++i) {
    const struct gs_option *o = params[i].opt;
    /* An APPEND without ARG is an ordered action taking no argument. */
    bool flag = o->kind == GS_OPTION_TRUE || o->kind == GS_OPTION_FALSE ||
      (o->kind == GS_OPTION_APPEND && o->arg == NULL);

    table[i] = (struct poptOption) {
      o->name, '\0', flag ? POPT_ARG_NONE : POPT_ARG_STRING, NULL,
      PARAM_BASE + (int) i, o->help, flag ? NULL : o->arg,
    };
  }
  table[n] = (struct poptOption) POPT_TABLEEND;
  return table;
}

/* Load the plugins of ENV and put FAMILY's options into TOOL's
 * include entry of value GS_CLI_PARAMS_SLOT (the slot a subcommand
 * leaves for them), under HEADING in --help if there are any; -1 if
 * they cannot be loaded or an option clashes.
 */
int
gs_cli_params_install (struct gs_env *env, const char *family,
                       struct poptOption *tool, const char *heading)
{
  struct poptOption *p;

  if (gs_cli_load_plugins (env) == -1 ||
      (p = gs_cli_params_table (&env->reg, family, tool)) == NULL)
    return -1;
  for (struct poptOption *o = tool; o->argInfo || o->longName; ++o)
    if ((o->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE &&
        o->val == GS_CLI_PARAMS_SLOT) {
      o->arg = p;
      o->descrip = nparams > 0 ? heading : NULL;  /* no empty heading */
    }
  return 0;
}

/* Remember one parameter option; 0 if it was one, 1 if not, -1. */
int
gs_cli_params_option (poptContext pc, int rc)
{
  if (rc < PARAM_BASE || rc >= PARAM_BASE + (int) nparams)
    return 1;
  used = gs_xreallocarray (used, nused + 1, sizeof *used);
  used[nused].p = &params[rc - PARAM_BASE];
  used[nused].value = poptGetOptArg (pc);
  nused++;
  return 0;
}

/* Add one string element VALUE (with PREFIX "VERB:" if not NULL) to
 * the array ARR.
 */
static int
add_element (config_setting_t *arr, const char *prefix, const char *value)
{
  config_setting_t *e = config_setting_add (arr, NULL, CONFIG_TYPE_STRING);
  CLEANUP_FREE char *joined = NULL;

  if (e == NULL ||
      asprintf (&joined, "%s%s%s", prefix ? prefix : "", prefix ? ":" : "",
                value) == -1)
    return -1;
  return config_setting_set_string (e, joined) == CONFIG_TRUE ? 0 : -1;
}

/* The setting one occurrence makes: FAMILY.OP.KEY, typed. */
static int
build (const char *family, const struct used *u, config_t *cfg)
{
  const struct gs_option *o = u->p->opt;
  config_setting_t *s;

  if ((s = config_setting_add (config_root_setting (cfg), family,
                               CONFIG_TYPE_GROUP)) == NULL ||
      (s = config_setting_add (s, u->p->op->name,
                               CONFIG_TYPE_GROUP)) == NULL)
    return -1;
  switch (o->kind) {
  case GS_OPTION_TRUE:
  case GS_OPTION_FALSE:
    s = config_setting_add (s, o->key, CONFIG_TYPE_BOOL);
    return s && config_setting_set_bool (s, o->kind == GS_OPTION_TRUE)
      == CONFIG_TRUE ? 0 : -1;
  case GS_OPTION_STRING:
    s = config_setting_add (s, o->key, CONFIG_TYPE_STRING);
    return s && config_setting_set_string (s, u->value) == CONFIG_TRUE
      ? 0 : -1;
  case GS_OPTION_APPEND:
    s = config_setting_add (s, o->key, CONFIG_TYPE_ARRAY);
    return s ? add_element (s, o->verb, u->value ? u->value : "") : -1;
  case GS_OPTION_LIST: {
    CLEANUP_FREE char *copy = strdup (u->value);
    char *save = NULL, *t;

    if ((s = config_setting_add (s, o->key, CONFIG_TYPE_ARRAY)) == NULL ||
        copy == NULL)
      return -1;
    for (t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
      if (add_element (s, NULL, t) == -1)
        return -1;
    return 0;
  }
  }
  return -1;
}

/* Append one configuration layer per occurrence to LAYERS (after the
 * user's config and --set layers).
 */
int
gs_cli_params_layers (const char *family, struct gs_config_layers *layers)
{
  for (size_t i = 0; i < nused; ++i) {
    const struct gs_option *o = used[i].p->opt;
    const char *v = used[i].value;
    CLEANUP_FREE char *name = NULL;
    config_t *cfg;

    /* An empty element is an error, as in virt-sysprep. */
    if (o->kind == GS_OPTION_LIST &&
        (v[0] == '\0' || v[0] == ',' || v[strlen (v) - 1] == ',' ||
         strstr (v, ",,"))) {
      gs_error ("--%s %s: empty name in the list", o->name, v);
      return -1;
    }
    /* Messages name the layer "--OPTION VALUE", on one line. */
    name = gs_xasprintf ("--%s%s%s", o->name, v ? " " : "", v ? v : "");
    cfg = gs_xmalloc (sizeof *cfg);
    for (char *c = name; *c; ++c)
      if (*c == '\n' || *c == '\r')
        *c = ' ';
    config_init (cfg);
    if (build (family, &used[i], cfg) == -1) {
      gs_error ("%s: cannot make its setting (out of memory?)", name);
      config_destroy (cfg);
      free (cfg);
      return -1;
    }
    if (gs_int_layers_add (layers, name, NULL, cfg) == -1) {
      config_destroy (cfg);
      free (cfg);
      return -1;
    }
  }
  return 0;
}

/* Options virt-sysprep 1.48 accepts whatever operations run, doing
 * nothing where their operation does not: pipelines pass them with
 * customize disabled (vagrant-libvirt: --no-logfile with
 * --operations ...,-customize).  --no-selinux-relabel is a no-op in
 * 1.48 anyway.  Every other option of an operation not selected stays
 * an error: it would silently do nothing.
 */
static bool
harmless_unselected (const struct param *p)
{
  static const char *const names[] = { "no-logfile", "no-selinux-relabel" };

  if (strcmp (p->op->family, "sysprep") != 0 ||
      strcmp (p->op->name, "customize") != 0)
    return false;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
    if (strcmp (p->opt->name, names[i]) == 0)
      return true;
  return false;
}

/* After selection: every option used belongs to a selected operation. */
int
gs_cli_params_check (void)
{
  for (size_t i = 0; i < nused; ++i) {
    const struct param *p = used[i].p;

    if (!p->op->selected && !harmless_unselected (p)) {
      gs_error ("--%s: the %s operation is not enabled (add it with "
                "--operations +%s%s)", p->opt->name, p->op->name,
                p->op->name,
                strcmp (p->op->family, "sysprep") == 0 ? ", or --enable"
                                                       : "");
      return -1;
    }
  }
  return 0;
}

/* The options as POD =item entries (virt-sysprep's --dump-pod-options),
 * in the order of the table; exit code.
 */
int
gs_cli_params_pod (void)
{
  for (size_t i = 0; i < nparams; ++i) {
    const struct gs_option *o = params[i].opt;

    printf ("=item B<--%s>%s%s%s\n\n%s (operation C<%s>).\n\n", o->name,
            table[i].argDescrip ? " I<" : "",
            table[i].argDescrip ? table[i].argDescrip : "",
            table[i].argDescrip ? ">" : "",
            o->help ? o->help : "", params[i].op->name);
  }
  return fflush (stdout) == 0 && !ferror (stdout) ? GS_EXIT_OK
                                                  : GS_EXIT_ERROR;
}

void
gs_cli_params_free (void)
{
  for (size_t i = 0; i < nused; ++i)
    free (used[i].value);
  free (used);
  used = NULL;
  nused = 0;
  free (params);
  params = NULL;
  nparams = 0;
  free (table);
  table = NULL;
}
