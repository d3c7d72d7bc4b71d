/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inspect.c: `goldsmith inspect`, virt-inspector's job.
 *
 * All the -a IMAGEs are the disks of one guest, as with virt-inspector
 * (a guest whose /home is on its second disk is one <operatingsystem>);
 * with --each-image each -a is a guest.  Every -d DOMAIN and --domxml
 * FILE is a guest.  All the guests are inspected in one appliance
 * launch, their disks added
 * read-only in command-line order; a root belongs to the guest whose
 * disk holds it (libguestfs's device index of the root's partition, or
 * of the first PV of its volume group).  Guests that clash (an LVM PV
 * UUID or VG name, a filesystem UUID or label on two guests' disks:
 * clones) cannot share an appliance: each of them is inspected again
 * in a launch of its own; the others are done in the first launch.
 * A guest's own device names (its fstab's /dev/sda1) are moved onto its
 * disks (gs_inspect_device).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cleanups.h"

enum {
  OPT_OPERATIONS = 1, OPT_LIST, OPT_BLOCKSIZE,
};

static char *xpath;
static int no_applications, no_icon, cache, no_cache, each_image;
static int jobs = GS_JOBS_UNSET;
static struct gs_inputs inputs;  /* -a, --format, -d, -c, --domxml */

#define PARAMS_HEADING "Options of operations:"

static struct poptOption inspect_table[] = {
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, inputs.table, 0,
    "The guests:", NULL },
  { "each-image", '\0', POPT_ARG_NONE, &each_image, 0,
    "Each -a is a guest of its own (default: all the -a are the disks "
    "of one guest)", NULL },
  { "blocksize", '\0', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL,
    OPT_BLOCKSIZE, "Sector size of the following -a images: 512 or 4096 "
    "(bare: back to the default)", "SIZE" },
  { "no-applications", '\0', POPT_ARG_NONE, &no_applications, 0,
    "Do not list applications (the 'applications' operation)", NULL },
  { "no-icon", '\0', POPT_ARG_NONE, &no_icon, 0,
    "Do not extract the icon (the 'icon' operation)", NULL },
  { "jobs", 'j', POPT_ARG_INT, &jobs, 0,
    "Up to N appliances at once (default: from cores and memory)", "N" },
  { "cache", '\0', POPT_ARG_NONE, &cache, 0,
    "Reuse the inspection of images unchanged since (cache.inspect)", NULL },
  { "no-cache", '\0', POPT_ARG_NONE, &no_cache, 0,
    "Inspect every image, even with cache.inspect = true", NULL },
  { "xpath", '\0', POPT_ARG_STRING, &xpath, 0,
    "Query the XML read on standard input, print the result", "QUERY" },
  { "operations", '\0', POPT_ARG_STRING, NULL, OPT_OPERATIONS,
    "Select inspect operations: defaults,-name,+name,all,-all", "LIST" },
  { "list-operations", '\0', POPT_ARG_NONE, NULL, OPT_LIST,
    "List the inspect operations and exit", NULL },
  /* Options the loaded operations declare (cli/params.c). */
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, NULL,
    GS_CLI_PARAMS_SLOT, PARAMS_HEADING, NULL },
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, gs_common_table, 0,
    "Options of every subcommand:", NULL },
  POPT_AUTOHELP
  POPT_TABLEEND
};

/* virt-inspector's old style: a bare argument naming a file (or with a
 * '/') is -a, anything else -d.
 */
/* --blocksize[=SIZE]: virt-inspector's; "" (bare) resets. */
static int
set_blocksize (const char *v)
{
  if (v == NULL || v[0] == '\0')
    inputs.blocksize = 0;
  else if (strcmp (v, "512") == 0 || strcmp (v, "4096") == 0)
    inputs.blocksize = atoi (v);
  else {
    gs_error ("--blocksize=%s: expected 512 or 4096", v);
    return -1;
  }
  return 0;
}

static enum gs_input_kind
old_style (const char *a)
{
  struct stat st;

  return strchr (a, '/') || stat (a, &st) == 0 ? GS_INPUT_ADD
                                               : GS_INPUT_DOMAIN;
}

int
gs_cmd_inspect (int argc, const char **argv)
{
  poptContext pc;
  string_vector ops = empty_vector;
  size_t nguests = 0;
  bool list = false;
  int rc, code = GS_EXIT_USAGE;
  struct gs_env env = { 0 };
  struct gs_guest *guests = NULL;
  struct gs_selection sel = { 0 };
  struct gs_run_result res;
  bool have_result = false;
  struct gs_provenance *prov = NULL;
  json_object *report = NULL;
  CLEANUP_FREE const char **av = NULL;

  gs_cli_inputs_init (&inputs, GS_INPUTS_IMAGES_ONE_GUEST);
  /* The plugins first: their options are part of the command line. */
  if (gs_cli_params_install (&env, "inspect", inspect_table,
                             PARAMS_HEADING) == -1) {
    gs_cli_params_free ();
    gs_cli_env_free (&env);
    return GS_EXIT_USAGE;
  }
  av = gs_cli_optional_args (argc, argv, "blocksize");
  /* virt-inspector's --format[=FMT]: bare, it is back to probing, and
   * its value comes only after '='.
   */
  if (gs_cli_compat_prog ()) {
    const char **av2 = gs_cli_optional_args (argc, av, "format");

    free (av);
    av = av2;
  }
  pc = gs_cli_context ("goldsmith inspect", argc, av, inspect_table);
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
    if (rc == OPT_BLOCKSIZE) {
      CLEANUP_FREE char *v = poptGetOptArg (pc);

      if (set_blocksize (v) == -1)
        goto fail;
    }
    else if (rc == OPT_LIST)
      list = true;
    else if (rc == OPT_OPERATIONS)
      string_vector_append (&ops, poptGetOptArg (pc));
  }
  if (rc < -1) {
    code = gs_cli_popt_error (pc, "inspect", rc);
    goto out;
  }
  /* A word after -a or -d: virt-inspector's error (its --format takes
   * its value after '=', so `--format raw' leaves "raw" here).
   */
  if (gs_cli_compat_prog () && poptPeekArg (pc) &&
      gs_cli_inputs_count (&inputs) > 0) {
    gs_error ("extra parameter on the command line: '%s' (give the format "
              "as --format=FMT, and disks with -a)", poptPeekArg (pc));
    goto fail;
  }
  /* Old style: no --format applies to these. */
  while (poptPeekArg (pc)) {
    const char *a = poptGetArg (pc);

    if (gs_cli_inputs_add (&inputs, old_style (a), a, NULL) == -1)
      goto out;
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

  if (xpath) {
    if (gs_cli_inputs_count (&inputs) > 0) {
      gs_error ("cannot use --xpath together with other options (it "
                "queries the XML on standard input)");
      goto fail;
    }
    code = gs_int_inspect_xpath (xpath, stdin);
    goto out;
  }

  if (gs_cli_params_layers ("inspect", &gs_common.sets) == -1 ||
      gs_cli_load (&env) == -1)
    goto fail;
  for (size_t i = 0; i < ops.len; ++i)
    if (gs_int_select (&env.reg, "inspect", &sel, "--operations",
                       ops.ptr[i]) == -1)
      goto fail;
  gs_int_select_finish (&env.reg, "inspect", &sel);
  {
    struct gs_op *op;

    if (no_applications &&
        (op = gs_int_registry_find (&env.reg, "inspect", "applications")))
      op->selected = false;
    if (no_icon && (op = gs_int_registry_find (&env.reg, "inspect", "icon")))
      op->selected = false;
  }
  if (gs_int_config_complete (&env.reg) == -1 ||
      gs_cli_params_check () == -1)
    goto fail;
  if (cache && no_cache) {
    gs_error ("--cache and --no-cache cannot be used together");
    goto fail;
  }
  if (cache || no_cache)
    env.settings.cache_inspect = cache;
  if (list) {
    code = gs_cli_list_ops (&env.reg, "inspect", !gs_common.json, false);
    goto out;
  }
  if (gs_int_registry_find (&env.reg, "inspect", "os") == NULL) {
    gs_error ("the inspect plugins are not installed (no operation "
              "'os' of family inspect)");
    code = gs_cli_fail ("inspect", GS_EXIT_ERROR);
    goto out;
  }

  /* Inspection never writes: every disk read-only. */
  if (gs_cli_inputs_guests (&inputs, GS_INPUTS_READONLY,
                            &guests, &nguests) == -1 ||
      gs_cli_prov_check_guests (guests, nguests) == -1)
    goto fail;

  /* Nothing is made: the images read are the record's subjects. */
  if ((prov = gs_cli_prov_begin ("inspect", argc, argv, &env)) != NULL) {
    prov->inputs_are_subjects = true;
    gs_cli_prov_guests (prov, guests, nguests, false);
  }
  /* Entries in command-line order, whichever launch fills them. */
  gs_int_result_init (&res, "inspect", true, guests, nguests);
  have_result = true;
  {
    const struct gs_engine e = {
      .reg = &env.reg, .settings = &env.settings, .family = "inspect",
      .dry_run = true, .verbose = gs_common.verbose,
      .trace = gs_common.trace, .progress = !gs_common.quiet && isatty (2),
      .result = &res,
    };

    gs_int_engine_run_cached (&e, guests, nguests, jobs);
  }
  /* A guest failed: its launch, its inspection or an operation. */
  code = gs_int_result_exit (&res);
  if (gs_common.json || prov) {
    report = gs_int_result_json (&res);
    json_object_object_add (report, "exit_status", json_object_new_int (code));
  }
  if (gs_common.json) {
    if (gs_int_report_print_json (report) == -1 && code == GS_EXIT_OK)
      code = GS_EXIT_ERROR;
  }
  /* One guest and nothing found (no OS, or no launch): virt-inspector
   * writes no document at all, only its error.
   */
  else if (nguests > 0 &&
           !(nguests == 1 && res.guest[0].exit != GS_EXIT_OK &&
             res.guest[0].nroots == 0) &&
           gs_int_inspect_write_xml (&res, stdout) == -1 &&
           code == GS_EXIT_OK)
    code = GS_EXIT_ERROR;
  code = gs_cli_prov_end (prov, report, code);
  prov = NULL;
  goto out;

 fail:
  code = gs_cli_fail ("inspect", GS_EXIT_USAGE);
 out:
  json_object_put (report);
  if (have_result)
    gs_int_result_free (&res);
  string_vector_free_all (&ops);
  gs_cli_guests_free (guests, nguests);
  gs_cli_inputs_free (&inputs);
  gs_cli_params_free ();
  gs_cli_env_free (&env);
  poptFreeContext (pc);
  return code;
}
