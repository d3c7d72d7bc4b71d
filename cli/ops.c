/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ops.c: `goldsmith ops` (what operations exist), `goldsmith config`
 * (the effective configuration), and the placeholder for tools that
 * are not written yet.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cleanups.h"

static const char *const phase_names[] = {
  "inspect", "filesystems", "devices"
};

static int
by_name (const void *av, const void *bv)
{
  const struct gs_op *a = *(struct gs_op *const *) av;
  const struct gs_op *b = *(struct gs_op *const *) bv;
  int r = strcmp (a->family, b->family);

  return r ? r : strcmp (a->name, b->name);
}

static json_object *
op_json (const struct gs_op *op)
{
  json_object *o = json_object_new_object (), *keys = json_object_new_array ();

  gs_int_json_add_string (o, "name", op->name);
  gs_int_json_add_string (o, "family", op->family);
  gs_int_json_add_string (o, "heading", op->heading);
  json_object_object_add (o, "default",
                          json_object_new_boolean (op->enabled_by_default));
  json_object_object_add (o, "selected",
                          json_object_new_boolean (op->selected));
  gs_int_json_add_string (o, "phase", phase_names[op->phase]);
  json_object_object_add (o, "order", json_object_new_int (op->order));
  gs_int_json_add_string (o, "source", op->source);
  if (op->def->is_template)
    gs_int_json_add_string (o, "kind", op->def->name);
  for (size_t i = 0; op->def->keys && op->def->keys[i].name; ++i) {
    json_object *k = json_object_new_object ();

    gs_int_json_add_string (k, "name", op->def->keys[i].name);
    gs_int_json_add_string (k, "type",
                            gs_int_key_type_name (op->def->keys[i].type));
    gs_int_json_add_string (k, "doc", op->def->keys[i].doc);
    json_object_array_add (keys, k);
  }
  json_object_object_add (o, "keys", keys);
  return o;
}

/* List the operations of FAMILY (NULL: all), sorted by name.
 * sysprep_style: virt-sysprep's `NAME * HEADING` lines.
 * pod: =item entries for the man page.
 */
int
gs_cli_list_ops (struct gs_registry *reg, const char *family,
                 bool sysprep_style, bool pod)
{
  struct gs_op **ops = gs_xcalloc (reg->nops + 1, sizeof *ops);
  size_t n = 0;
  json_object *arr = NULL;

  for (size_t i = 0; i < reg->nops; ++i)
    if (family == NULL || strcmp (reg->ops[i]->family, family) == 0)
      ops[n++] = reg->ops[i];
  qsort (ops, n, sizeof *ops, by_name);

  if (gs_common.json)
    arr = json_object_new_array ();
  else if (!sysprep_style && !pod)
    printf ("%-24s %-7s %-11s %5s  %s\n", "NAME", "DEFAULT", "PHASE",
            "ORDER", "HEADING");
  for (size_t i = 0; i < n; ++i) {
    const struct gs_op *op = ops[i];

    if (arr)
      json_object_array_add (arr, op_json (op));
    else if (pod) {
      printf ("=item B<%s>%s\n\n%s.\n\n", op->name,
              op->enabled_by_default ? " *" : "", op->heading);
      if (op->description)
        printf ("%s\n\n", op->description);
      if (op->def->keys && op->def->keys[0].name) {
        printf ("Configuration keys (section C<%s.%s>):\n\n=over 4\n\n",
                op->family, op->name);
        for (size_t k = 0; op->def->keys[k].name; ++k)
          printf ("=item C<%s> (%s)\n\n%s.\n\n", op->def->keys[k].name,
                  gs_int_key_type_name (op->def->keys[k].type),
                  op->def->keys[k].doc);
        printf ("=back\n\n");
      }
    }
    else if (sysprep_style)
      printf ("%s %s %s\n", op->name, op->enabled_by_default ? "*" : " ",
              op->heading);
    else
      printf ("%-24s %-7s %-11s %5d  %s\n", op->name,
              op->enabled_by_default ? "yes" : "no",
              phase_names[op->phase], op->order, op->heading);
  }
  if (arr) {
    json_object *doc = json_object_new_object ();

    json_object_object_add (doc, "operations", arr);
    gs_int_report_print_json (doc);
    json_object_put (doc);
  }
  free (ops);
  return GS_EXIT_OK;
}

static int pod_flag;

static struct poptOption ops_table[] = {
  { "pod", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &pod_flag, 0,
    "Print POD for the manual", NULL },
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, gs_common_table, 0,
    "Options of every subcommand:", NULL },
  POPT_AUTOHELP
  POPT_TABLEEND
};

/* Parse the options of a subcommand that takes only the common ones.
 * Returns an exit code when the command is done (error, --version), or
 * -1 to go on.
 */
static int
parse_simple (const char *cmd, struct poptOption *table, const char *other,
              int argc, const char **argv, poptContext *pcp)
{
  poptContext pc = gs_cli_context (cmd, argc, argv, table);
  int rc;

  *pcp = pc;
  poptSetOtherOptionHelp (pc, other);
  while ((rc = poptGetNextOpt (pc)) > 0)
    if (gs_cli_common_option (pc, rc) == -1)
      return GS_EXIT_USAGE;
  if (rc < -1)
    return gs_cli_popt_error (pc, cmd + strlen ("goldsmith "), rc);
  gs_int_set_verbosity (gs_common.quiet, gs_common.verbose);
  if (gs_common.version) {
    gs_cli_print_version ();
    return GS_EXIT_OK;
  }
  return -1;                     /* go on */
}

int
gs_cmd_ops (int argc, const char **argv)
{
  poptContext pc;
  struct gs_env env = { 0 };
  const char *family;
  int code = parse_simple ("goldsmith ops", ops_table, "[OPTION...] [TOOL]",
                           argc, argv, &pc);

  if (code != -1)
    goto out;
  family = poptGetArg (pc);
  if (family && strcmp (family, "sysprep") && strcmp (family, "inspect") &&
      strcmp (family, "resize") && strcmp (family, "sparsify")) {
    gs_error ("ops: unknown tool '%s' (sysprep, inspect, resize, sparsify)",
              family);
    code = gs_cli_fail ("ops", GS_EXIT_USAGE);
    goto out;
  }
  if (gs_cli_load (&env) == -1) {
    code = gs_cli_fail ("ops", GS_EXIT_USAGE);
    goto out;
  }
  for (size_t i = 0; i < env.reg.nops; ++i)
    env.reg.ops[i]->selected = env.reg.ops[i]->enabled_by_default;
  code = gs_cli_list_ops (&env.reg, family, false, pod_flag);
 out:
  gs_cli_env_free (&env);
  poptFreeContext (pc);
  return code;
}

static struct poptOption config_table[] = {
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, gs_common_table, 0,
    "Options of every subcommand:", NULL },
  POPT_AUTOHELP
  POPT_TABLEEND
};

int
gs_cmd_config (int argc, const char **argv)
{
  poptContext pc;
  struct gs_env env = { 0 };
  int code = parse_simple ("goldsmith config", config_table, "[OPTION...]",
                           argc, argv, &pc);

  if (code != -1)
    goto out;
  if (poptPeekArg (pc)) {
    gs_error ("config: unexpected argument '%s'", poptPeekArg (pc));
    code = gs_cli_fail ("config", GS_EXIT_USAGE);
    goto out;
  }
  if (gs_cli_load (&env) == -1 || gs_int_config_complete (&env.reg) == -1) {
    code = gs_cli_fail ("config", GS_EXIT_USAGE);
    goto out;
  }
  if (gs_common.json) {
    json_object *doc = json_object_new_object (), *files;

    files = json_object_new_array ();
    for (size_t i = 0; i < env.files.len; ++i)
      json_object_array_add (files, json_object_new_string (env.files.ptr[i]));
    for (size_t i = 0; i < gs_common.sets.n; ++i)
      json_object_array_add (files,
                             json_object_new_string (gs_common.sets.v[i].name));
    json_object_object_add (doc, "files", files);
    json_object_object_add (doc, "config",
                            gs_int_config_json
                            (config_root_setting (&env.merged)));
    gs_int_report_print_json (doc);
    json_object_put (doc);
  }
  else {
    printf ("# Effective goldsmith configuration, merged from:\n");
    for (size_t i = 0; i < env.files.len; ++i)
      printf ("#   %s\n", env.files.ptr[i]);
    for (size_t i = 0; i < gs_common.sets.n; ++i)
      printf ("#   %s\n", gs_common.sets.v[i].name);
    config_write (&env.merged, stdout);
  }
  code = GS_EXIT_OK;
 out:
  gs_cli_env_free (&env);
  poptFreeContext (pc);
  return code;
}
