/* SPDX-License-Identifier: GPL-2.0-or-later */
/* goldsmith.c: the goldsmith command; one subcommand per tool. */
#include <config.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void
usage (FILE *fp)
{
  fprintf (fp,
           "Usage: goldsmith COMMAND [OPTION...]\n"
           "Prepare virtual machine disk images.\n\n"
           "Commands:\n"
           "  sysprep    remove machine-specific state so a guest can be cloned\n"
           "  inspect    report what is inside disk images (virt-inspector)\n"
           "  sparsify   give free space back to the host (virt-sparsify)\n"
           "  resize     copy to a bigger or smaller disk, growing partitions\n"
           "  batch      run tools over the images of a manifest (a fleet)\n"
           "  ops        list the operations plugins provide\n"
           "  config     print the effective configuration\n"
           "  doctor     check that this host can run goldsmith, and how fast\n\n"
           "'goldsmith COMMAND --help' lists the options of a command.\n"
           "Exit status: 0 ok, 1 an operation or the appliance failed, "
           "2 usage, input or configuration error, 3 sparsify --in-place "
           "on a disk that cannot discard, 4 several guests: some failed.\n");
}

int
main (int argc, char *argv[])
{
  const char **av = (const char **) argv;
  const char *cmd;

  setlocale (LC_ALL, "");
  if (argc < 2) {
    usage (stderr);
    return GS_EXIT_USAGE;
  }
  cmd = argv[1];
  if (strcmp (cmd, "--help") == 0 || strcmp (cmd, "-h") == 0 ||
      strcmp (cmd, "help") == 0) {
    usage (stdout);
    return GS_EXIT_OK;
  }
  if (strcmp (cmd, "--version") == 0 || strcmp (cmd, "-V") == 0) {
    gs_cli_print_version ();
    return GS_EXIT_OK;
  }
  /* The subcommand sees argv from its own name on. */
  if (strcmp (cmd, "sysprep") == 0)
    return gs_cmd_sysprep (argc - 1, av + 1);
  if (strcmp (cmd, "ops") == 0)
    return gs_cmd_ops (argc - 1, av + 1);
  if (strcmp (cmd, "config") == 0)
    return gs_cmd_config (argc - 1, av + 1);
  if (strcmp (cmd, "resize") == 0)
    return gs_cmd_resize (argc - 1, av + 1);
  if (strcmp (cmd, "inspect") == 0)
    return gs_cmd_inspect (argc - 1, av + 1);
  if (strcmp (cmd, "sparsify") == 0)
    return gs_cmd_sparsify (argc - 1, av + 1);
  if (strcmp (cmd, "doctor") == 0)
    return gs_cmd_doctor (argc - 1, av + 1);
  if (strcmp (cmd, "batch") == 0)
    return gs_cmd_batch (argc - 1, av + 1);

  gs_int_usage_error (NULL, "unknown command '%s' (try 'goldsmith --help')",
                      cmd);
  return GS_EXIT_USAGE;
}
