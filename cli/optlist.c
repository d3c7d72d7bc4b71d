/* SPDX-License-Identifier: GPL-2.0-or-later */
/* optlist.c: the hidden --short-options and --long-options of every
 * subcommand, as the anchors have them (guestfs-tools' getopt): every
 * option name of the command, one a line, for bash completion and the
 * documentation tests.  The names come from the popt table the
 * subcommand parses with, include tables followed, so the options the
 * loaded operations declare (cli/params.c) are listed too; hidden
 * aliases (--dryrun, --colours) are listed, as the anchors list theirs.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The table of the command being parsed: set by gs_cli_context. */
static const struct poptOption *current;

poptContext
gs_cli_context (const char *name, int argc, const char **argv,
                const struct poptOption *table)
{
  current = table;
  /* --help's "Usage: virt-sysprep ..." in compatibility mode. */
  if (gs_cli_compat_prog ())
    name = gs_cli_compat_prog ();
  return poptGetContext (name, argc, argv, table, 0);
}

static void
print_names (const struct poptOption *t, bool longs)
{
  for (; t->longName || t->shortName || t->argInfo || t->arg; ++t) {
    if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
      if (t->arg)                /* sysprep's params slot may be empty */
        print_names (t->arg, longs);
      continue;
    }
    if (longs && t->longName)
      printf ("--%s\n", t->longName);
    else if (!longs && t->shortName)
      printf ("-%c\n", t->shortName);
  }
}

/* Print the names and end the command at once, as the anchors do:
 * nothing after it on the command line is looked at.
 */
void
gs_cli_print_option_names (bool longs)
{
  if (current)
    print_names (current, longs);
  fflush (stdout);
  exit (ferror (stdout) ? GS_EXIT_ERROR : GS_EXIT_OK);
}

/* "--NAME=", made once per NAME for the life of the process (popt's
 * context points into argv until it is freed, and a command runs once).
 */
static const char *
bare_form (const char *name)
{
  static char *made[4];
  static const char *names[4];
  size_t i;

  for (i = 0; i < 4 && names[i]; ++i)
    if (strcmp (names[i], name) == 0)
      return made[i];
  if (i == 4)
    abort ();                    /* more names than any command has */
  names[i] = name;
  made[i] = gs_xasprintf ("--%s=", name);
  return made[i];
}

/* ARGV with each bare "--NAME" (before any "--") made "--NAME=".  An
 * option with an optional argument (--machine-readable[=FORMAT],
 * --blocksize[=SIZE]) takes its argument only after '=', as in the
 * anchors, but popt would take the next word if it does not start with
 * '-' (`--machine-readable IN OUT' would lose IN).  The strings are
 * ARGV's; free only the array.
 */
const char **
gs_cli_optional_args (int argc, const char **argv, const char *name)
{
  const char **av = gs_xcalloc (argc + 1, sizeof *av);
  size_t len = strlen (name);
  bool options = true;

  for (int i = 0; i < argc; ++i) {
    const char *a = argv[i];

    av[i] = a;
    if (i == 0 || !options)
      continue;
    if (strcmp (a, "--") == 0)
      options = false;
    else if (strncmp (a, "--", 2) == 0 && strncmp (a + 2, name, len) == 0 &&
             a[2 + len] == '\0')
      av[i] = bare_form (name);
  }
  return av;
}
