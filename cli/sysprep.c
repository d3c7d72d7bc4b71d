/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sysprep.c: `goldsmith sysprep`, virt-sysprep's job. */
#include <config.h>

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cleanups.h"

enum {
  OPT_OPERATIONS = 1, OPT_ENABLE, OPT_LIST, OPT_EXCLUDE, OPT_DUMP_POD,
  OPT_DUMP_POD_OPTIONS,
};

static char *mount_options;
static int dry_run, in_place, each_image, jobs = GS_JOBS_UNSET;
static int network = -1;         /* --network 1, --no-network 0, else unset */
static string_vector exclude_paths;
static struct gs_inputs inputs;  /* -a, --format, -d, -c, --domxml */

#define PARAMS_HEADING \
  "Options of operations (an error if the operation is not enabled):"
static struct poptOption sysprep_table[] = {
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, inputs.table, 0,
    "The guest:", NULL },
  { "each-image", '\0', POPT_ARG_NONE, &each_image, 0,
    "Each -a IMAGE is a guest of its own (default: all are disks of one "
    "guest)", NULL },
  { "jobs", 'j', POPT_ARG_INT, &jobs, 0,
    "Up to N appliances at once (default: from cores and memory)", "N" },
  { "dry-run", 'n', POPT_ARG_NONE, &dry_run, 0,
    "Change nothing; report what would be done", NULL },
  { "dryrun", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &dry_run, 0,
    NULL, NULL },
  { "in-place", '\0', POPT_ARG_NONE, &in_place, 0,
    "Write the image directly (no overlay: a failure leaves it half done)",
    NULL },
  { "operations", '\0', POPT_ARG_STRING, NULL, OPT_OPERATIONS,
    "Select operations: defaults,-name,+name,all,-all", "LIST" },
  { "operation", '\0', POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, NULL,
    OPT_OPERATIONS, NULL, NULL },
  { "enable", '\0', POPT_ARG_STRING, NULL, OPT_ENABLE,
    "Run only these operations", "LIST" },
  { "list-operations", '\0', POPT_ARG_NONE, NULL, OPT_LIST,
    "List the operations and exit", NULL },
  /* virt-sysprep's hidden man-page generators: the operations' POD
   * (as `goldsmith ops sysprep --pod'), and their options'.
   */
  { "dump-pod", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL,
    OPT_DUMP_POD, NULL, NULL },
  { "dump-pod-options", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL,
    OPT_DUMP_POD_OPTIONS, NULL, NULL },
  { "mount-options", '\0', POPT_ARG_STRING, &mount_options, 0,
    "Mount options per mountpoint", "MP:OPTS[;MP:OPTS...]" },
  { "network", '\0', POPT_ARG_VAL, &network, 1,
    "Give the appliance a network (for --install, --update, --sm-*; "
    "appliance.network)", NULL },
  { "no-network", '\0', POPT_ARG_VAL, &network, 0,
    "No network for the appliance (the default)", NULL },
  { "exclude-path", '\0', POPT_ARG_STRING, NULL, OPT_EXCLUDE,
    "Never remove or change guest paths matching REGEX (repeatable)",
    "REGEX" },
  /* The loaded operations' own options (cli/params.c), set at run
   * time: the include entry with this heading.
   */
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, NULL,
    GS_CLI_PARAMS_SLOT, PARAMS_HEADING, NULL },
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, gs_common_table, 0,
    "Options of every subcommand:", NULL },
  POPT_AUTOHELP
  POPT_TABLEEND
};

/* --operations and --enable, kept in command-line order because
 * selections accumulate.
 */
struct arg {
  int code;
  char *value;
};

/* Every guest, in as few launches as is safe.  One guest: its exit
 * code.  Several: 0 when all succeeded, GS_EXIT_PARTIAL when only some.
 */
static int
run (struct gs_env *env, struct gs_guest *guests, size_t n,
     const struct gs_exclude *exclude, struct gs_provenance *prov)
{
  json_object *report = NULL;
  struct gs_run_result res;
  const struct gs_engine e = {
    .reg = &env->reg, .settings = &env->settings, .family = "sysprep",
    .dry_run = dry_run, .transactional = !in_place, .in_place = in_place,
    .verbose = gs_common.verbose, .trace = gs_common.trace,
    .progress = !gs_common.quiet && isatty (2),
    .mount_options = mount_options, .exclude = exclude, .result = &res,
  };
  int r;

  /* Entries in command-line order, whichever launch fills them. */
  gs_int_result_init (&res, "sysprep", dry_run, guests, n);
  gs_int_engine_run (&e, guests, n, jobs);
  r = gs_int_result_exit_fleet (&res);
  /* The --json report is also the provenance record's byproduct. */
  if (gs_common.json || prov) {
    report = gs_int_result_json (&res);
    json_object_object_add (report, "exit_status", json_object_new_int (r));
  }
  if (gs_common.json)
    gs_int_report_print_json (report);
  else if (!gs_common.quiet || r != GS_EXIT_OK)
    gs_int_result_print_text (&res);
  gs_int_result_free (&res);
  r = gs_cli_prov_end (prov, report, r);
  json_object_put (report);
  return r;
}

int
gs_cmd_sysprep (int argc, const char **argv)
{
  poptContext pc;
  struct arg *args = NULL;
  size_t nargs = 0, nguests = 0;
  bool list = false;
  int rc, code = GS_EXIT_USAGE, list_code = 0;
  struct gs_env env = { 0 };
  struct gs_guest *guests = NULL;
  struct gs_selection sel = { 0 };
  struct gs_exclude *exclude = NULL;

  gs_cli_inputs_init (&inputs, GS_INPUTS_IMAGES_ONE_GUEST);
  /* The plugins first: their options are part of the command line. */
  if (gs_cli_params_install (&env, "sysprep", sysprep_table,
                             PARAMS_HEADING) == -1) {
    gs_cli_params_free ();
    gs_cli_env_free (&env);
    return GS_EXIT_USAGE;
  }
  pc = gs_cli_context ("goldsmith sysprep", argc, argv, sysprep_table);
  poptSetOtherOptionHelp (pc, "[OPTION...] -a IMAGE [-a IMAGE...]");
  while ((rc = poptGetNextOpt (pc)) > 0) {
    int c = gs_cli_common_option (pc, rc);

    if (c == 1)
      c = gs_cli_inputs_option (&inputs, pc, rc);
    if (c == 1)
      c = gs_cli_params_option (pc, rc);
    if (c == -1)
      goto out;
    if (c == 0)
      continue;
    if (rc == OPT_EXCLUDE) {
      if (string_vector_append (&exclude_paths, poptGetOptArg (pc)) == -1)
        goto out;
      continue;
    }
    if (rc == OPT_LIST || rc == OPT_DUMP_POD || rc == OPT_DUMP_POD_OPTIONS) {
      list = true;
      list_code = rc;
      continue;
    }
    args = gs_xreallocarray (args, nargs + 1, sizeof *args);
    args[nargs].code = rc;
    args[nargs].value = poptGetOptArg (pc);
    nargs++;
  }
  if (rc < -1) {
    code = gs_cli_popt_error (pc, "sysprep", rc);
    goto out;
  }
  if (poptPeekArg (pc)) {
    gs_error ("sysprep: unexpected argument '%s' (images are added with "
              "-a IMAGE)", poptPeekArg (pc));
    goto fail;
  }
  if (gs_common.version) {
    gs_cli_print_version ();
    code = GS_EXIT_OK;
    goto out;
  }
  gs_int_set_verbosity (gs_common.quiet, gs_common.verbose);
  if (gs_cli_inputs_check (&inputs) == -1)
    goto fail;
  if (each_image)
    inputs.grouping = GS_INPUTS_GUEST_EACH;
  if (gs_cli_jobs_check (jobs) == -1)
    goto fail;

  if (gs_cli_params_layers ("sysprep", &gs_common.sets) == -1 ||
      gs_cli_load (&env) == -1)
    goto fail;
  if (network != -1)             /* the command line over the files */
    env.settings.network = network;
  for (size_t i = 0; i < exclude_paths.len; ++i)
    if (string_vector_append_copy (&env.settings.exclude_paths,
                                   exclude_paths.ptr[i]) == -1)
      goto fail;
  for (size_t i = 0; i < nargs; ++i)
    if (gs_int_select (&env.reg, "sysprep", &sel,
                       args[i].code == OPT_ENABLE ? "--enable"
                                                  : "--operations",
                       args[i].value) == -1)
      goto fail;
  gs_int_select_finish (&env.reg, "sysprep", &sel);
  if (gs_int_config_complete (&env.reg) == -1 ||
      gs_cli_params_check () == -1)
    goto fail;
  /* --exclude-path and paths.exclude, checked before any launch. */
  if ((exclude = gs_int_exclude_new (&env.settings.exclude_paths,
                                     "--exclude-path")) == NULL)
    goto fail;

  if (list) {
    if (list_code == OPT_DUMP_POD_OPTIONS)
      code = gs_cli_params_pod ();
    else
      code = gs_cli_list_ops (&env.reg, "sysprep",
                              list_code == OPT_LIST && !gs_common.json,
                              list_code == OPT_DUMP_POD);
    goto out;
  }
  if (!gs_int_any_selected (&env.reg, "sysprep")) {
    gs_error ("--operations: no operation is selected: nothing to do");
    goto fail;
  }

  /* A dry run writes nothing: an image it may only read will do. */
  if (gs_cli_inputs_guests (&inputs,
                            dry_run ? GS_INPUTS_READONLY
                            : GS_INPUTS_DOMAIN_WRITABLE,
                            &guests, &nguests) == -1)
    goto fail;
  /* Before the launch: our own appliance and commit will lock qemu's
   * bytes, never ours.  Every image of every guest, before any launch:
   * a refusal leaves all of them untouched.
   */
  for (size_t i = 0; !dry_run && i < nguests; ++i)
    for (size_t j = 0; j < guests[i].ndisks; ++j)
      if (!guests[i].disks[j].readonly &&
          gs_int_lock_image (guests[i].disks[j].path) == -1)
        goto fail;
  if (gs_cli_prov_check_guests (guests, nguests) == -1)
    goto fail;
  {
    /* Inputs hashed now: the run changes them.  The same images,
     * after the run, are the record's subjects.
     */
    struct gs_provenance *prov = gs_cli_prov_begin ("sysprep", argc, argv,
                                                    &env);

    gs_cli_prov_guests (prov, guests, nguests, true);
    code = run (&env, guests, nguests, exclude, prov);
  }
  goto out;

 fail:
  code = gs_cli_fail ("sysprep", GS_EXIT_USAGE);
 out:
  for (size_t i = 0; i < nargs; ++i)
    free (args[i].value);
  free (args);
  string_vector_free_all (&exclude_paths);
  gs_int_exclude_free (exclude);
  gs_cli_params_free ();
  gs_cli_guests_free (guests, nguests);
  gs_cli_inputs_free (&inputs);
  gs_cli_env_free (&env);
  gs_int_unlock_images ();
  poptFreeContext (pc);
  return code;
}
