/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-password: --password USER:SELECTOR and --root-password SELECTOR
 * as the command line carries them (cli/params.c quotes each into a
 * configuration layer) to the customize operation, which splits USER
 * from SELECTOR and parses password:PW, file:FILE, random, disabled
 * and locked[:SELECTOR] (plugins/sysprep/customize*.c).
 *
 * Each input line is one option: "--root-password SELECTOR", or else
 * the value of a --password.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz-util.h"

#define MAX_OPTIONS 8

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* file:NAME selectors read these, in the scratch directory. */
  static const struct { const char *name, *text; } files[] = {
    { "pw", "s3cret\n" }, { "empty", "" }, { "blank", "\n\n" },
    { "crlf", "pass word\r\nsecond line\r\n" },
  };

  fuzz_init (argc, argv, NULL);
  for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i)
    fuzz_write_file (files[i].name, (const uint8_t *) files[i].text,
                     strlen (files[i].text));
  return 0;
}

/* file:NAME reads a host file: only names in the scratch directory. */
static bool
files_local (const char *line)
{
  for (const char *f = strstr (line, "file:"); f; f = strstr (f + 1, "file:"))
    if (strchr (f, '/'))
      return false;
  return true;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct poptOption *table;
  struct gs_registry reg;
  static const struct poptOption none[] = { POPT_TABLEEND };
  char *text = fuzz_string (data, size);
  const char *argv[1 + 2 * MAX_OPTIONS + 1] = { "goldsmith" };
  int argc = 1, rc;
  char *line, *save = NULL;
  poptContext pc;
  struct gs_config_layers layers = { 0 };

  if (!fuzz_host_safe (text, strlen (text)))
    goto out;
  for (line = strtok_r (text, "\n", &save); line && argc < 2 * MAX_OPTIONS;
       line = strtok_r (NULL, "\n", &save)) {
    bool root = strncmp (line, "--root-password ", 16) == 0;

    if (!files_local (line))
      goto out;
    argv[argc++] = root ? "--root-password" : "--password";
    argv[argc++] = root ? line + 16 : line;
  }
  argv[argc] = NULL;

  fuzz_registry_new (&reg);
  if ((table = gs_cli_params_table (&reg, "sysprep", none)) == NULL)
    goto done;
  pc = poptGetContext ("goldsmith", argc, argv, table, 0);
  while ((rc = poptGetNextOpt (pc)) > 0)
    if (gs_cli_params_option (pc, rc) != 0)
      break;
  poptFreeContext (pc);

  if (gs_cli_params_layers ("sysprep", &layers) == 0 && layers.n > 0) {
    struct gs_settings st = { 0 };
    string_vector files = empty_vector;

    if (gs_int_config_load (&reg, &st, &files, &layers, NULL) == 0)
      gs_int_config_complete (&reg);
    gs_int_settings_free (&st);
  }
 done:
  gs_int_layers_free (&layers);
  gs_cli_params_free ();
  gs_int_registry_free (&reg);
 out:
  free (text);
  return 0;
}
