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

/* Subcommand CMD with ARGV from its own name on; -1 if unknown. */
static int
run (const char *cmd, int argc, const char **av)
{
  static const struct {
    const char *name;
    int (*fn) (int argc, const char **argv);
  } cmds[] = {
    { "sysprep", gs_cmd_sysprep }, { "ops", gs_cmd_ops },
    { "config", gs_cmd_config }, { "resize", gs_cmd_resize },
    { "inspect", gs_cmd_inspect }, { "sparsify", gs_cmd_sparsify },
    { "doctor", gs_cmd_doctor }, { "batch", gs_cmd_batch },
  };

  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; ++i)
    if (strcmp (cmd, cmds[i].name) == 0)
      return cmds[i].fn (argc, av);
  return -1;
}

int
main (int argc, char *argv[])
{
  const char **av = (const char **) argv;
  const char *cmd;
  int code;

  setlocale (LC_ALL, "");
  /* goldsmith-virt-sysprep, virt-sysprep...: an anchor's interface
   * (cli/compat.c); the subcommand sees argv[0] as its name.
   */
  if ((cmd = gs_cli_compat_enter (argv[0])) != NULL)
    return gs_cli_compat_exit (run (cmd, argc, av));
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
  if ((code = run (cmd, argc - 1, av + 1)) != -1)
    return code;

  gs_int_usage_error (NULL, "unknown command '%s' (try 'goldsmith --help')",
                      cmd);
  return GS_EXIT_USAGE;
}
