/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sparsify.c: `goldsmith sparsify`, virt-sparsify's job: its options,
 * their syntax, IN and OUT, exit codes.  The work (checks of OUT and
 * --tmp, the launch, every device, the copy, the report) is the core's:
 * common/sparsify/.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>              /* isatty */

#include "cli.h"
#include "common/sparsify/sparsify.h"

enum { OPT_IGNORE = 1, OPT_ZERO, OPT_OPERATIONS, OPT_MACHINE_READABLE };

static char *in_format, *convert_fmt, *qemu_opts, *tmp_dir, *check_tmpdir;
static int compress, in_place, dry_run, overwrite;
static char *machine_readable;   /* --machine-readable's FORMAT, "" bare */

#define PARAMS_HEADING "Options of operations:"

static struct poptOption sparsify_table[] = {
  { "format", '\0', POPT_ARG_STRING, &in_format, 0,
    "Format of the input disk (default: probed)", "FMT" },
  { "convert", '\0', POPT_ARG_STRING, &convert_fmt, 0,
    "Format of OUT (default: the input's)", "FMT" },
  { "compress", '\0', POPT_ARG_NONE, &compress, 0,
    "Compress OUT (qcow2 only)", NULL },
  { NULL, 'o', POPT_ARG_STRING, &qemu_opts, 0,
    "Options for qemu-img convert -o (e.g. compat=0.10)", "OPTIONS" },
  { "tmp", '\0', POPT_ARG_STRING, &tmp_dir, 0,
    "Directory for the overlay (default: $TMPDIR or /tmp)", "DIR" },
  { "check-tmpdir", '\0', POPT_ARG_STRING, &check_tmpdir, 0,
    "Too little room in DIR: fail (default), warn, continue, ignore",
    "MODE" },
  { "ignore", '\0', POPT_ARG_STRING, NULL, OPT_IGNORE,
    "Leave this filesystem or volume group alone (repeatable)", "FS|VG" },
  { "zero", '\0', POPT_ARG_STRING, NULL, OPT_ZERO,
    "Zero this whole partition or LV: its data is lost (repeatable)",
    "DEVICE" },
  { "in-place", '\0', POPT_ARG_NONE, &in_place, 0,
    "Sparsify IMG itself by discarding (no copy, no temp space)", NULL },
  { "inplace", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &in_place, 0,
    NULL, NULL },
  { "overwrite", '\0', POPT_ARG_NONE, &overwrite, 0,
    "Replace an existing OUT (default: refuse)", NULL },
  { "operations", '\0', POPT_ARG_STRING, NULL, OPT_OPERATIONS,
    "Select the operations: defaults,-name,+name,all,-all", "LIST" },
  { "dry-run", 'n', POPT_ARG_NONE, &dry_run, 0,
    "Say what would be trimmed or zeroed, with its free space; "
    "write nothing", NULL },
  { "dryrun", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &dry_run, 0,
    NULL, NULL },
  { "machine-readable", '\0', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL,
    OPT_MACHINE_READABLE, "Alone: list the capabilities; in a run: "
    "progress as N/M lines and messages as JSON lines on stdout, "
    "stream:stderr, fd:N or file:PATH", "FORMAT" },
  /* Options the loaded operations declare (cli/params.c). */
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, NULL,
    GS_CLI_PARAMS_SLOT, PARAMS_HEADING, NULL },
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, gs_common_table, 0,
    "Options of every subcommand:", NULL },
  POPT_AUTOHELP
  POPT_TABLEEND
};

/* Formats qemu-img can write that a user might ask for. */
static const char *const out_formats[] = {
  "raw", "qcow2", "qed", "vdi", "vmdk", "vhdx", "vpc", "qcow", NULL,
};

/* The options' syntax and how they combine; IN (J->disk) is open, as
 * OUT's format defaults to its format.
 */
static int
check_options (struct gs_sparsify_job *j)
{
  bool ok_fmt = false;

  if (in_place) {
    const char *bad = convert_fmt ? "--convert" : compress ? "--compress"
      : qemu_opts ? "-o" : tmp_dir ? "--tmp"
      : check_tmpdir ? "--check-tmpdir" : overwrite ? "--overwrite" : NULL;

    if (bad) {
      gs_error ("sparsify: %s is for copying mode: it cannot be used with "
                "--in-place", bad);
      return -1;
    }
    return 0;
  }
  if (check_tmpdir) {
    /* virt-sparsify's spellings. */
    static const char *const modes[][2] = {
      { "ignore", "ignore" }, { "i", "ignore" },
      { "continue", "continue" }, { "cont", "continue" }, { "c", "continue" },
      { "warn", "warn" }, { "warning", "warn" }, { "w", "warn" },
      { "fail", "fail" }, { "f", "fail" }, { "error", "fail" },
    };
    const char *m = NULL;

    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; ++i)
      if (strcmp (check_tmpdir, modes[i][0]) == 0)
        m = modes[i][1];
    if (m == NULL) {
      gs_error ("--check-tmpdir %s: expected ignore, continue, warn or fail",
                check_tmpdir);
      return -1;
    }
    j->check_tmpdir = m;
  }
  j->out_fmt = convert_fmt ? convert_fmt : j->disk->format;
  for (size_t i = 0; out_formats[i]; ++i)
    ok_fmt |= strcmp (out_formats[i], j->out_fmt) == 0;
  if (!ok_fmt) {
    gs_error ("--convert %s: not an output format goldsmith knows (raw, "
              "qcow2, qed, vdi, vmdk, vhdx, vpc, qcow)", j->out_fmt);
    return -1;
  }
  if (compress && strcmp (j->out_fmt, "qcow2") != 0) {
    gs_error ("--compress: only a qcow2 output can be compressed (OUT is "
              "%s: add --convert qcow2)", j->out_fmt);
    return -1;
  }
  return 0;
}

/* virt-sparsify's capability list, of what goldsmith sparsify does
 * (no launch: the filesystems are those the loaded "filesystem"
 * operation trims or zeroes whenever the appliance can mount them,
 * not probed as virt-sparsify does).
 */
static int
print_capabilities (void)
{
  struct gs_env env = { 0 };
  bool swap, fs;

  if (gs_cli_load_plugins (&env) == -1) {
    gs_cli_env_free (&env);
    return GS_EXIT_USAGE;
  }
  swap = gs_int_registry_find (&env.reg, "sparsify", "swap") != NULL;
  fs = gs_int_registry_find (&env.reg, "sparsify", "filesystem") != NULL;
  gs_cli_env_free (&env);
  /* The first line names the tool: the anchor's in compat mode. */
  printf ("%s\n", gs_cli_compat_prog () ? gs_cli_compat_prog ()
                                        : "goldsmith-sparsify");
  if (swap)
    printf ("linux-swap\n");
  printf ("zero\n"
          "check-tmpdir\n"
          "in-place\n"
          "tmp-option\n");
  if (fs)
    printf ("ntfs\n"
            "btrfs\n");
  return fflush (stdout) == 0 && !ferror (stdout) ? GS_EXIT_OK
                                                  : GS_EXIT_ERROR;
}

int
gs_cmd_sparsify (int argc, const char **argv)
{
  poptContext pc;
  struct gs_env env = { 0 };
  struct gs_guest guest = { 0 };
  struct gs_sparsify_job j = { .ignore = empty_vector, .zero = empty_vector };
  string_vector selections = empty_vector;
  json_object *report = NULL;
  int rc, code = GS_EXIT_USAGE;
  struct gs_provenance *prov = NULL;
  const char **av;

  /* The plugins first: their options are part of the command line. */
  if (gs_cli_params_install (&env, "sparsify", sparsify_table,
                             PARAMS_HEADING) == -1) {
    gs_cli_params_free ();
    gs_cli_env_free (&env);
    return GS_EXIT_USAGE;
  }
  av = gs_cli_optional_args (argc, argv, "machine-readable");
  pc = gs_cli_context ("goldsmith sparsify", argc, av, sparsify_table);
  poptSetOtherOptionHelp (pc, "[OPTION...] IN OUT | --in-place IMG");
  while ((rc = poptGetNextOpt (pc)) > 0) {
    int c = gs_cli_common_option (pc, rc);
    string_vector *v;

    if (c == 1)
      c = gs_cli_params_option (pc, rc);
    if (c == -1)
      goto out;
    if (c == 0)
      continue;
    if (rc == OPT_MACHINE_READABLE) {
      char *f = poptGetOptArg (pc);

      free (machine_readable);
      machine_readable = f ? f : gs_xstrdup ("");
      continue;
    }
    v = rc == OPT_IGNORE ? &j.ignore : rc == OPT_ZERO ? &j.zero
      : &selections;
    if (string_vector_append (v, poptGetOptArg (pc)) == -1)
      goto fail;
  }
  if (gs_cli_options_end (pc, "sparsify", rc, &code))
    goto out;
  if (machine_readable) {
    if (gs_int_mr_open (machine_readable) == -1)
      goto fail;
    if (poptPeekArg (pc) == NULL) {  /* alone: the capabilities */
      code = print_capabilities ();
      goto out;
    }
  }
  j.in_place = in_place;
  j.dry_run = dry_run;
  j.compress = compress;
  j.overwrite = overwrite;
  j.qemu_opts = qemu_opts;
  j.tmp_dir = tmp_dir;
  j.check_tmpdir = check_tmpdir;
  /* virt-sparsify's default is warn (and wait for Return: never here,
   * a script must not hang); goldsmith's own is fail.
   */
  if (check_tmpdir == NULL && !in_place && gs_cli_compat_prog ())
    j.check_tmpdir = "warn";
  j.verbose = gs_common.verbose;
  j.trace = gs_common.trace;
  j.json = gs_common.json;
  j.progress = !gs_common.quiet && !gs_common.json && !machine_readable &&
    isatty (2);
  /* A device both zeroed and ignored: contradictory, said now. */
  for (size_t z = 0; z < j.zero.len; ++z)
    for (size_t i = 0; i < j.ignore.len; ++i) {
      const char *a = j.zero.ptr[z], *b = j.ignore.ptr[i];

      if (strcmp (a + (strncmp (a, "/dev/", 5) ? 0 : 5),
                  b + (strncmp (b, "/dev/", 5) ? 0 : 5)) == 0) {
        gs_error ("--zero %s and --ignore %s name the same device: give "
                  "one of them", a, b);
        goto fail;
      }
    }
  j.in = poptGetArg (pc);
  j.out = in_place ? NULL : poptGetArg (pc);
  if (j.in == NULL || (!in_place && j.out == NULL) || poptPeekArg (pc)) {
    gs_error (in_place ? "sparsify: --in-place takes exactly one disk: IMG"
              : "sparsify: give exactly two disks: IN OUT (or --in-place "
              "IMG)");
    goto fail;
  }

  /* Everything is checked before the launch, IN first. */
  if (gs_cli_prov_check_disk (j.in) == -1 ||
      gs_cli_prov_check_disk (j.out) == -1)
    goto fail;
  if (j.out && gs_int_uri_is_remote (j.out)) {
    gs_error ("sparsify: OUT %s: a remote disk; OUT must be a local file "
              "or device", j.out);
    goto fail;
  }
  if (in_place && gs_int_uri_is_remote (j.in)) {
    gs_error ("sparsify: %s: --in-place needs a local image (a remote disk "
              "is reached through an overlay, which cannot pass discards "
              "on)", j.in);
    goto fail;
  }
  if (gs_int_guest_add_disk (&guest, j.in, in_format,
                             !in_place || dry_run) == -1 ||
      (guest.name = strdup (j.in)) == NULL ||
      gs_int_disk_check (&guest.disks[0]) == -1)
    goto fail;
  j.disk = &guest.disks[0];
  if (gs_int_sparsify_check_in_place (&j) == -1) {
    code = gs_cli_fail ("sparsify", GS_EXIT_UNSUPPORTED);
    goto out;
  }
  if (check_options (&j) == -1 || gs_int_sparsify_check (&j) == -1) {
    if (j.tmp_short)             /* virt-sparsify's own exit 2 */
      gs_cli_compat_keep (GS_EXIT_USAGE);
    goto fail;
  }

  if (gs_cli_params_layers ("sparsify", &gs_common.sets) == -1 ||
      gs_cli_load_family (&env, "sparsify", &selections) == -1 ||
      gs_cli_params_check () == -1)
    goto fail;

  /* --in-place: IN hashed before the run changes it, and after it as
   * the subject.  A dry run makes nothing: IN is the subject.
   */
  if ((prov = gs_cli_prov_begin ("sparsify", argc, argv, &env)) != NULL) {
    gs_int_provenance_input (prov, j.in, j.disk->format,
                             j.disk->virtual_size, j.disk->remote);
    if (dry_run)
      prov->inputs_are_subjects = true;
    else
      gs_int_provenance_output (prov, in_place ? j.in : j.out,
                                in_place ? j.disk->format : j.out_fmt);
  }
  report = gs_int_report_new ("sparsify", dry_run);
  code = gs_int_sparsify_run (&env.reg, &env.settings, &j, &guest, report);
  code = gs_cli_prov_end (prov, report, code);
  goto out;

 fail:
  code = gs_cli_fail ("sparsify", GS_EXIT_USAGE);
 out:
  json_object_put (report);
  string_vector_free_all (&j.ignore);
  string_vector_free_all (&j.zero);
  string_vector_free_all (&selections);
  gs_int_guest_free (&guest);
  gs_cli_params_free ();
  gs_cli_env_free (&env);
  poptFreeContext (pc);
  free (av);
  free (machine_readable);
  machine_readable = NULL;
  return code;
}