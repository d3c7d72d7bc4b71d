/* SPDX-License-Identifier: GPL-2.0-or-later */
/* resize.c: `goldsmith resize IN OUT', virt-resize's job: the command
 * line.  IN, OUT and every option are checked here, before any launch
 * (with the source's table read on the host: common/resize/host-table.c);
 * the run itself is the core's (common/resize/run.c).
 *
 * With --output-size, OUT is created under a temporary name next to it
 * and renamed only when everything succeeded: a failed run leaves no
 * OUT behind, and an existing OUT is never replaced.  An existing OUT
 * is written only after the plan succeeded.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cleanups.h"
#include "common/resize/resize.h"

enum {
  OPT_REQ_RESIZE = 1, OPT_REQ_RESIZE_FORCE, OPT_REQ_DELETE, OPT_REQ_IGNORE,
  OPT_REQ_EXPAND, OPT_REQ_SHRINK, OPT_REQ_ALIGNMENT, OPT_REQ_ALIGN_FIRST,
  OPT_REQ_UNKNOWN_FS, OPT_LV_EXPAND, OPT_OPERATIONS, OPT_MACHINE_READABLE,
};

/* The planner's options by code, as gs_int_resize_request_add names
 * them.
 */
static const char *const req_option[] = {
  [OPT_REQ_RESIZE] = "--resize", [OPT_REQ_RESIZE_FORCE] = "--resize-force",
  [OPT_REQ_DELETE] = "--delete", [OPT_REQ_IGNORE] = "--ignore",
  [OPT_REQ_EXPAND] = "--expand", [OPT_REQ_SHRINK] = "--shrink",
  [OPT_REQ_ALIGNMENT] = "--alignment", [OPT_REQ_ALIGN_FIRST] = "--align-first",
  [OPT_REQ_UNKNOWN_FS] = "--unknown-filesystems",
};

static char *in_format, *out_format, *output_size;
static int dry_run, no_copy_boot_loader, no_expand_content;
static int no_extra_partition, no_sparse, renumber;
static char *machine_readable;   /* --machine-readable's FORMAT, "" bare */

#define PARAMS_HEADING "Options of operations:"

static struct poptOption resize_table[] = {
  { "format", '\0', POPT_ARG_STRING, &in_format, 0,
    "Format of IN (raw, qcow2, ...; default: probed)", "FMT" },
  { "output-format", '\0', POPT_ARG_STRING, &out_format, 0,
    "Format of OUT (default: probed; with --output-size: raw)", "FMT" },
  { "output-size", '\0', POPT_ARG_STRING, &output_size, 0,
    "Create OUT of this size (N[bKMG], +N[bKMG] or P% of IN)", "SIZE" },
  { "expand", '\0', POPT_ARG_STRING, NULL, OPT_REQ_EXPAND,
    "Grow PART by all the surplus space", "PART" },
  { "shrink", '\0', POPT_ARG_STRING, NULL, OPT_REQ_SHRINK,
    "Shrink PART by the deficit", "PART" },
  { "resize", '\0', POPT_ARG_STRING, NULL, OPT_REQ_RESIZE,
    "Resize a partition (repeatable)", "PART=SIZE" },
  { "resize-force", '\0', POPT_ARG_STRING, NULL, OPT_REQ_RESIZE_FORCE,
    "Resize a partition without checking its content (repeatable)",
    "PART=SIZE" },
  { "delete", '\0', POPT_ARG_STRING, NULL, OPT_REQ_DELETE,
    "Do not copy PART (repeatable)", "PART" },
  { "ignore", '\0', POPT_ARG_STRING, NULL, OPT_REQ_IGNORE,
    "Create PART but do not copy its content (repeatable)", "PART" },
  { "alignment", '\0', POPT_ARG_STRING, NULL, OPT_REQ_ALIGNMENT,
    "Partition alignment in sectors (default 128)", "N" },
  { "align-first", '\0', POPT_ARG_STRING, NULL, OPT_REQ_ALIGN_FIRST,
    "Move the first partition to the alignment: auto, never, always",
    "WHEN" },
  { "unknown-filesystems", '\0', POPT_ARG_STRING, NULL, OPT_REQ_UNKNOWN_FS,
    "A filesystem nothing can grow: ignore, warn (default), error", "MODE" },
  { "lv-expand", '\0', POPT_ARG_STRING, NULL, OPT_LV_EXPAND,
    "Grow LV to all the free space of its volume group (repeatable)", "LV" },
  { "LV-expand", '\0', POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, NULL,
    OPT_LV_EXPAND, NULL, NULL },
  { "lvexpand", '\0', POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, NULL,
    OPT_LV_EXPAND, NULL, NULL },
  { "LVexpand", '\0', POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, NULL,
    OPT_LV_EXPAND, NULL, NULL },
  { "operations", '\0', POPT_ARG_STRING, NULL, OPT_OPERATIONS,
    "Select the content operations: defaults,-name,+name,all,-all",
    "LIST" },
  { "no-copy-boot-loader", '\0', POPT_ARG_NONE, &no_copy_boot_loader, 0,
    "Do not copy the boot loader area before the first partition", NULL },
  { "no-expand-content", '\0', POPT_ARG_NONE, &no_expand_content, 0,
    "Resize partitions and LVs, never their content", NULL },
  { "no-extra-partition", '\0', POPT_ARG_NONE, &no_extra_partition, 0,
    "No partition for left-over surplus", NULL },
  { "no-sparse", '\0', POPT_ARG_NONE, &no_sparse, 0,
    "Write zero blocks too (OUT is not known to be zeroed)", NULL },
  { "renumber", '\0', POPT_ARG_NONE, &renumber, 0,
    "Number partitions 1, 2, 3... as virt-resize (default: kept)", NULL },
  { "dry-run", 'n', POPT_ARG_NONE, &dry_run, 0,
    "Print the plan; do not touch OUT", NULL },
  { "dryrun", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &dry_run, 0,
    NULL, NULL },
  { "debug", 'd', POPT_ARG_NONE, &gs_common.verbose, 0,
    "Same as -v (virt-resize's deprecated spelling)", NULL },
  { "machine-readable", '\0', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL,
    OPT_MACHINE_READABLE, "Alone: list the capabilities; in a run: "
    "progress as N/M lines and messages as JSON lines on stdout, "
    "stream:stderr, fd:N or file:PATH", "FORMAT" },
  /* The loaded operations' own options (--ntfsresize-force): set at
   * run time, as in sysprep.
   */
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, NULL,
    GS_CLI_PARAMS_SLOT, PARAMS_HEADING, NULL },
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, gs_common_table, 0,
    "Options of every subcommand:", NULL },
  POPT_AUTOHELP
  POPT_TABLEEND
};

/* ---- --output-size --------------------------------------------------- */

/* SIZE is a number without a unit that is zero or negative ("0",
 * "-5", "0.0"): whatever unit was meant, its value is what is wrong.
 * ("+5" is left to the parser: IN's size plus something.)
 */
static bool
bare_not_positive (const char *size)
{
  const char *p = size + (size[0] == '+' || size[0] == '-');
  size_t n = strspn (p, "0123456789.");
  const char *dot = strchr (p, '.');

  if (n == 0 || p[n] != '\0' || strspn (p, ".") == n ||
      (dot && strchr (dot + 1, '.')))
    return false;
  return size[0] == '-' || (size[0] != '+' && strspn (p, "0.") == n);
}

/* --output-size SIZE of IN (OLDSIZE bytes): OUT's size in *RET, which
 * must be greater than zero and big enough for a disk.
 */
static int
parse_output_size (const char *size, int64_t oldsize, int64_t *ret)
{
  if (bare_not_positive (size)) {
    gs_error ("--output-size %s: the size must be greater than zero", size);
    return -1;
  }
  if (gs_int_resize_parse_size ("--output-size", oldsize, size, ret) == -1)
    return -1;
  if (*ret <= 0 && (size[0] == '+' || size[0] == '-')) {
    gs_error ("--output-size %s: the size must be greater than zero "
              "(IN is %" PRId64 " bytes: this leaves %" PRId64 ")",
              size, oldsize, *ret);
    return -1;
  }
  if (*ret <= 0) {
    gs_error ("--output-size %s: the size must be greater than zero", size);
    return -1;
  }
  if (*ret < GS_RESIZE_MIN_DISK_SIZE) {
    gs_error ("--output-size %s: too small to be a disk image", size);
    return -1;
  }
  return 0;
}

/* ---- --machine-readable alone --------------------------------------- */

/* virt-resize's capability list, of what goldsmith resize does.  The
 * filesystems are those a loaded operation grows, not probed in the
 * appliance as virt-resize does: the list needs no launch.
 */
static int
print_capabilities (const struct gs_registry *reg)
{
  static const char *const fs[] = { "ntfs", "btrfs", "xfs", NULL };

  /* The first line names the tool: the anchor's in compat mode. */
  printf ("%s\n", gs_cli_compat_prog () ? gs_cli_compat_prog ()
                                        : "goldsmith-resize");
  printf ("ntfsresize-force\n"
          "32bitok\n"
          "128-sector-alignment\n"
          "alignment\n"
          "align-first\n"
          "infile-uri\n");
  for (size_t i = 0; fs[i]; ++i)
    if (gs_int_registry_find (reg, "resize", fs[i]))
      printf ("%s\n", fs[i]);
  return fflush (stdout) == 0 && !ferror (stdout) ? GS_EXIT_OK
                                                  : GS_EXIT_ERROR;
}

/* ---- the command ---------------------------------------------------- */


int
gs_cmd_resize (int argc, const char **argv)
{
  poptContext pc;
  struct gs_env env = { 0 };
  struct gs_guest guest = { 0 };
  struct gs_resize_job j = { .lv_expand = empty_vector };
  const char *tmp_out;           /* common/outfile.c's stand-in for OUT */
  string_vector selections = empty_vector;
  json_object *report = NULL;
  int rc, code = GS_EXIT_USAGE;
  struct stat st;
  struct gs_provenance *prov = NULL;
  CLEANUP_FREE const char **av = NULL;

  gs_int_resize_requests_init (&j.rq);
  /* The plugins first: their options are part of the command line. */
  if (gs_cli_params_install (&env, "resize", resize_table,
                             PARAMS_HEADING) == -1) {
    gs_cli_params_free ();
    gs_cli_env_free (&env);
    return GS_EXIT_USAGE;
  }
  av = gs_cli_optional_args (argc, argv, "machine-readable");
  pc = gs_cli_context ("goldsmith resize", argc, av, resize_table);
  poptSetOtherOptionHelp (pc, "[OPTION...] IN OUT");
  while ((rc = poptGetNextOpt (pc)) > 0) {
    int c = gs_cli_common_option (pc, rc);
    char *v;

    if (c == 1)
      c = gs_cli_params_option (pc, rc);
    if (c == -1)
      goto out;
    if (c == 0)
      continue;
    v = poptGetOptArg (pc);
    if (rc == OPT_MACHINE_READABLE) {
      free (machine_readable);
      machine_readable = v ? v : gs_xstrdup ("");
      continue;
    }
    if (rc == OPT_LV_EXPAND) {
      if (string_vector_append (&j.lv_expand, v) == -1)
        goto fail;
      continue;
    }
    if (rc == OPT_OPERATIONS) {
      if (string_vector_append (&selections, v) == -1)
        goto fail;
      continue;
    }
    c = gs_int_resize_request_add (&j.rq, req_option[rc], v);
    free (v);
    if (c == -1)
      goto fail;
  }
  if (gs_cli_options_end (pc, "resize", rc, &code))
    goto out;
  if (machine_readable) {
    if (gs_int_mr_open (machine_readable) == -1)
      goto fail;
    if (poptPeekArg (pc) == NULL) {  /* alone: the capabilities */
      code = print_capabilities (&env.reg);
      goto out;
    }
  }
  j.in = poptGetArg (pc);
  j.out = poptGetArg (pc);
  if (j.in == NULL || j.out == NULL || poptPeekArg (pc)) {
    gs_error ("resize: give exactly two disks: IN OUT");
    goto fail;
  }
  j.rq.keep_numbers = !renumber;
  j.rq.extra_partition = !no_extra_partition;
  j.rq.expand_content = !no_expand_content;

  /* IN and OUT, checked before any launch. */
  if (gs_int_uri_is_remote (j.out)) {
    gs_error ("resize: OUT %s: a remote disk; OUT must be a local file or "
              "device", j.out);
    goto fail;
  }
  if (gs_cli_prov_check_disk (j.in) == -1 ||
      gs_cli_prov_check_disk (j.out) == -1)
    goto fail;
  if (gs_int_same_file (j.in, j.out)) {
    gs_error ("resize: IN and OUT are the same disk (%s): goldsmith resize "
              "never works in place", j.in);
    goto fail;
  }
  if (gs_int_guest_add_disk (&guest, j.in, in_format, true) == -1 ||
      (guest.name = strdup (j.in)) == NULL ||
      gs_int_disk_check (&guest.disks[0]) == -1)
    goto fail;
  if (output_size) {
    if (stat (j.out, &st) == 0) {
      gs_error ("%s: already exists (--output-size creates OUT: remove it, "
                "or drop --output-size to write into it)", j.out);
      goto fail;
    }
    if (parse_output_size (output_size, guest.disks[0].virtual_size,
                           &j.out_size) == -1)
      goto fail;
    if (out_format == NULL && (out_format = strdup ("raw")) == NULL)
      goto fail;
  }
  else {
    if (stat (j.out, &st) == -1) {
      gs_error ("%s: %m (create OUT first, or give --output-size)", j.out);
      goto fail;
    }
    if (gs_int_guest_add_disk (&guest, j.out, out_format, dry_run) == -1 ||
        gs_int_disk_check (&guest.disks[1]) == -1 ||
        (!dry_run && gs_int_lock_image (j.out) == -1))
      goto fail;
  }

  if (gs_cli_params_layers ("resize", &gs_common.sets) == -1 ||
      gs_cli_load_family (&env, "resize", &selections) == -1 ||
      gs_cli_params_check () == -1)
    goto fail;
  /* What the source's table alone decides, refused before the launch
   * (an existing OUT that is a device: its sector size is the
   * appliance's to say).
   */
  if (gs_int_resize_host_preplan (&guest.disks[0],
                           output_size ? j.out_size
                           : S_ISREG (guest.disks[1].mode)
                           ? guest.disks[1].virtual_size : 0,
                           &j.rq) == -1)
    goto fail;

  if (output_size && !dry_run) {
    /* "OUT.goldsmith-XXXXXX" beside OUT, renamed on success. */
    if ((tmp_out = gs_int_outfile_reserve (j.out)) == NULL ||
        gs_int_resize_create_target (tmp_out, j.out, out_format,
                                     j.out_size) == -1)
      goto fail_tmp;
    if (gs_int_guest_add_disk (&guest, tmp_out, out_format, false) == -1)
      goto fail_tmp;
  }
  j.indisk = &guest.disks[0];
  j.outdisk = guest.ndisks > 1 ? &guest.disks[1] : NULL;
  /* IN is only read; OUT (when made) is the subject, a dry run makes
   * none: then IN is.
   */
  if ((prov = gs_cli_prov_begin ("resize", argc, argv, &env)) != NULL) {
    gs_int_provenance_input (prov, j.in, j.indisk->format,
                             j.indisk->virtual_size, j.indisk->remote);
    if (dry_run)
      prov->inputs_are_subjects = true;
    else
      gs_int_provenance_output (prov, j.out, out_format ? out_format
                                : j.outdisk ? j.outdisk->format : "raw");
  }

  report = gs_int_report_new ("resize", dry_run);
  gs_int_json_add_string (report, "input", j.in);
  gs_int_json_add_string (report, "output", j.out);
  j.dry_run = dry_run;
  j.copy_boot_loader = !no_copy_boot_loader;
  j.sparse = !no_sparse;
  j.verbose = gs_common.verbose;
  j.trace = gs_common.trace;
  j.progress = !gs_common.quiet && !gs_common.json && !machine_readable &&
    isatty (2);
  j.print_plan = !gs_common.quiet && !gs_common.json;
  code = gs_int_resize_run (&env.reg, &env.settings, &j, &guest, report);
  gs_int_outfile_finish (j.out, code == GS_EXIT_OK, &code);
  gs_int_progress_done ("resize", guest.name, code);
  if (code == GS_EXIT_OK && !dry_run)
    gs_info ("Resize operation completed with no errors.  Check the output "
             "disk boots before deleting the input disk.");
  json_object_object_add (report, "exit_status", json_object_new_int (code));
  if (code != GS_EXIT_OK)
    gs_int_report_set_error (report, gs_int_last_error ());
  if (gs_common.json)
    gs_int_report_print_json (report);
  code = gs_cli_prov_end (prov, report, code);
  goto out;

 fail_tmp:
  gs_int_outfile_finish (j.out, false, &code);
 fail:
  code = gs_cli_fail ("resize", GS_EXIT_USAGE);
 out:
  json_object_put (report);
  gs_int_resize_requests_free (&j.rq);
  string_vector_free_all (&j.lv_expand);
  string_vector_free_all (&selections);
  gs_int_guest_free (&guest);
  gs_cli_params_free ();
  gs_cli_env_free (&env);
  poptFreeContext (pc);
  free (machine_readable);
  machine_readable = NULL;
  return code;
}
