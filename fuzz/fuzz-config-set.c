/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-config-set: --set KEY=VALUE (cli/options.c), the configuration
 * layer it makes (VALUE as a libconfig value, else quoted as a string)
 * and that layer loaded like a file (common/config.c) against the real
 * plugins.  The input is the option's argument.
 *
 * LLVMFuzzerInitialize is fuzz-util.c's for libconfig input.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static struct poptOption table[] = {
    { NULL, '\0', POPT_ARG_INCLUDE_TABLE, gs_common_table, 0, NULL, NULL },
    POPT_TABLEEND
  };
  char *arg = fuzz_string (data, size);
  const char *argv[] = { "goldsmith", "--set", arg, NULL };
  poptContext pc;
  int rc;

  /* A value is only parsed, never opened, but keep the harness off
   * devices all the same (fuzz_host_safe).
   */
  if (!fuzz_host_safe (arg, strlen (arg))) {
    free (arg);
    return 0;
  }
  pc = poptGetContext ("goldsmith", 3, argv, table, 0);
  while ((rc = poptGetNextOpt (pc)) > 0)
    if (gs_cli_common_option (pc, rc) == -1)
      break;
  poptFreeContext (pc);

  if (gs_common.sets.n > 0) {
    string_vector files = empty_vector;
    struct gs_registry reg;
    struct gs_settings st = { 0 };
    config_t merged;

    fuzz_registry_new (&reg);
    config_init (&merged);
    if (gs_int_config_load (&reg, &st, &files, &gs_common.sets,
                            &merged) == 0)
      gs_int_config_complete (&reg);
    config_destroy (&merged);
    gs_int_settings_free (&st);
    gs_int_registry_free (&reg);
  }
  gs_int_layers_free (&gs_common.sets);
  free (arg);
  return 0;
}
