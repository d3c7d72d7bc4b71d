/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-selection: --operations and --enable values (common/selection.c)
 * against the real plugins and the shipped configuration's operations.
 * Each input line is one option value, in command-line order: a line
 * "--enable X" is --enable X, any other line an --operations value.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "fuzz-util.h"

static struct gs_registry reg;

/* Selection changes only the ops' "selected" flags, so one registry
 * (loading the shipped configuration is slow) serves every input.
 */
int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *srcdir = getenv ("GOLDSMITH_SRCDIR");
  struct gs_settings st = { 0 };
  string_vector files = empty_vector;
  char *conf;

  fuzz_init (argc, argv, NULL);
  if (asprintf (&conf, "%s/conf", srcdir && srcdir[0] ? srcdir
                : fuzz_builddir ()) == -1)
    fuzz_die ("out of memory");
  fuzz_registry_new (&reg);
  if (gs_int_config_files (conf, NULL, &files) == -1 ||
      gs_int_config_load (&reg, &st, &files, NULL, NULL) == -1 ||
      gs_int_config_complete (&reg) == -1)
    fuzz_die ("%s: cannot load the shipped configuration", conf);
  gs_int_settings_free (&st);
  string_vector_free_all (&files);
  free (conf);
  return 0;
}

/* The last element of a value that was accepted decides NAME. */
static void
check_last (const char *spec)
{
  const char *last = strrchr (spec, ',');
  const char *name;
  bool add;
  struct gs_op *op;

  last = last ? last + 1 : spec;
  add = last[0] != '-';
  name = last[0] == '-' || last[0] == '+' ? last + 1 : last;
  if (strcmp (name, "all") == 0 || strcmp (name, "defaults") == 0)
    return;
  op = gs_int_registry_find (&reg, "sysprep", name);
  if (op == NULL)
    fuzz_die ("'%s' was accepted, but is no operation", name);
  if (op->selected != add)
    fuzz_die ("'%s' is the last element, but %s is %sselected", spec, name,
              op->selected ? "" : "not ");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = fuzz_string (data, size);
  struct gs_selection sel = { 0 };
  char *line, *save = NULL;

  for (size_t i = 0; i < reg.nops; ++i)
    reg.ops[i]->selected = false;

  for (line = strtok_r (text, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save)) {
    bool enable = strncmp (line, "--enable ", 9) == 0;
    const char *spec = enable ? line + 9 : line;

    if (gs_int_select (&reg, "sysprep", &sel,
                       enable ? "--enable" : "--operations", spec) == -1)
      break;                     /* the command stops at the first error */
    check_last (spec);
  }
  gs_int_select_finish (&reg, "sysprep", &sel);

  for (size_t i = 0; i < reg.nops; ++i) {
    const struct gs_op *op = reg.ops[i];

    if (strcmp (op->family, "sysprep") != 0 && op->selected)
      fuzz_die ("%s.%s selected by a sysprep option", op->family, op->name);
    if (!sel.started && op->selected != (strcmp (op->family, "sysprep") == 0
                                         && op->enabled_by_default))
      fuzz_die ("no option given, but %s is %sselected", op->name,
                op->selected ? "" : "not ");
  }
  free (text);
  return 0;
}
