/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compat.c: goldsmith under the anchors' names, for scripts written
 * for guestfs-tools 1.48.  The goldsmith binary run as
 * goldsmith-virt-sysprep, goldsmith-virt-resize, goldsmith-virt-sparsify
 * or goldsmith-virt-inspector (symlinks `make install` makes), or as
 * virt-sysprep... (a user's symlink to one of those, first in PATH), is
 * the same subcommand with the edges a script sees made the anchor's:
 *
 *  - exit status 1 for every failure and usage error (goldsmith's 2, 4
 *    are 1), except the anchors' own: virt-sparsify's 2 (--check-tmpdir
 *    fail) and 3 (--in-place on a disk that cannot discard);
 *  - messages "PROG: error: ...", "PROG: warning: ..."; the OCaml tools
 *    (sysprep, resize, sparsify) print warnings and info on stdout,
 *    virt-inspector (C) on stderr;
 *  - option errors end with "Try 'PROG --help' ..."; --version prints
 *    "PROG 1.48.2 (goldsmith VERSION)": the interface it implements;
 *  - any other failure of an OCaml tool ends with their hint "If
 *    reporting bugs, run PROG with debugging enabled ...", unless both
 *    -v and -x were given;
 *  - virt-sysprep's words when a guest has no operating system
 *    (common/engine.c).
 *
 * Why argv[0] and not `goldsmith sysprep --compat': a script that runs
 * virt-sysprep cannot add an option, but its user can put a symlink
 * named virt-sysprep first in PATH.  One binary, so the compat names
 * can never run another version's code.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The guestfs-tools release whose interface the compat names follow
 * (../shared/spec/virt-tools.md): scripts that compare versions see it.
 */
#define ANCHOR_VERSION "1.48.2"

struct anchor {
  const char *name;              /* the anchor's program name */
  const char *cmd;               /* the goldsmith subcommand */
  bool ocaml;                    /* warnings and info on stdout */
  int own_code;                  /* a non-zero exit code kept as is */
};

static const struct anchor anchors[] = {
  { "virt-sysprep", "sysprep", true, 0 },
  { "virt-resize", "resize", true, 0 },
  { "virt-sparsify", "sparsify", true, GS_EXIT_UNSUPPORTED },
  { "virt-inspector", "inspect", false, 0 },
};

static const struct anchor *active;
static int kept = -1;            /* gs_cli_compat_keep's code */
static bool option_error;        /* "Try 'PROG --help'" said instead */

const char *
gs_cli_compat_prog (void)
{
  return active ? active->name : NULL;
}

void
gs_cli_compat_keep (int code)
{
  kept = code;
}

const char *
gs_cli_compat_enter (const char *argv0)
{
  const char *base = strrchr (argv0, '/');

  base = base ? base + 1 : argv0;
  if (strncmp (base, "goldsmith-", 10) == 0)
    base += 10;
  for (size_t i = 0; i < sizeof anchors / sizeof anchors[0]; ++i)
    if (strcmp (base, anchors[i].name) == 0) {
      active = &anchors[i];
      gs_int_set_program (active->name);
      gs_int_set_message_style (active->ocaml, true);
      return active->cmd;
    }
  return NULL;
}

int
gs_cli_compat_exit (int code)
{
  if (active && active->ocaml && code != GS_EXIT_OK && !option_error &&
      !(gs_common.verbose && gs_common.trace))
    fprintf (stderr, "\nIf reporting bugs, run %s with debugging enabled "
             "and include the complete output:\n\n  %s -v -x [...]\n",
             active->name, active->name);
  if (active == NULL || code == GS_EXIT_OK || code == kept ||
      (active->own_code && code == active->own_code))
    return code;
  return GS_EXIT_ERROR;
}

void
gs_cli_compat_print_version (void)
{
  printf ("%s %s (%s %s)\n", active->name, ANCHOR_VERSION, PACKAGE_NAME,
          PACKAGE_VERSION);
}

void
gs_cli_compat_popt_error (const char *bad, const char *why)
{
  option_error = true;
  fprintf (stderr, "%s: error: %s: %s\n"
           "Try '%s --help' or consult goldsmith-compat(1) for more "
           "information.\n", active->name, bad, why, active->name);
}
