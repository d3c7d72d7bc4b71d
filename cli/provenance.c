/* SPDX-License-Identifier: GPL-2.0-or-later */
/* provenance.c: --provenance FILE for every tool, on the core's
 * record (common/provenance.c): what each subcommand gives it, in one
 * place, so the four tools fill it the same way.
 */
#include <config.h>

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cleanups.h"

/* P with its directory made canonical (P itself may not exist yet). */
static char *
canonical (const char *p)
{
  CLEANUP_FREE char *d = gs_xstrdup (p), *b = gs_xstrdup (p);
  char buf[PATH_MAX];

  if (realpath (dirname (d), buf) == NULL)
    return gs_xstrdup (p);
  return gs_xasprintf ("%s/%s", buf, basename (b));
}

/* The record must never be written over a disk of the run: the same
 * file (a link included), or the same name for an OUT not made yet.
 */
int
gs_cli_prov_check_disk (const char *disk)
{
  CLEANUP_FREE char *a = NULL, *b = NULL;

  if (gs_common.provenance == NULL || disk == NULL ||
      gs_int_uri_is_remote (disk))
    return 0;
  a = canonical (gs_common.provenance);
  b = canonical (disk);
  if (strcmp (a, b) == 0 || gs_int_same_file (gs_common.provenance, disk)) {
    gs_error ("--provenance %s: it is the disk %s (the record would "
              "replace it)", gs_common.provenance, disk);
    return -1;
  }
  return 0;
}

int
gs_cli_prov_check_guests (const struct gs_guest *guests, size_t n)
{
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < guests[i].ndisks; ++j)
      if (gs_cli_prov_check_disk (guests[i].disks[j].path) == -1)
        return -1;
  return 0;
}

struct gs_provenance *
gs_cli_prov_begin (const char *tool, int argc, const char **argv,
                   const struct gs_env *env)
{
  struct gs_provenance *p;
  const char **full;

  if (gs_common.provenance == NULL)
    return NULL;
  /* The command line as typed: "goldsmith" and the subcommand's own;
   * under a compat name (cli/compat.c), argv[0] is the whole command.
   */
  full = gs_xcalloc ((size_t) argc + 1, sizeof *full);
  full[0] = PACKAGE_NAME;
  for (int i = 0; i < argc; ++i)
    full[i + 1] = argv[i];
  p = gs_xcalloc (1, sizeof *p);
  if (gs_cli_compat_prog ())
    gs_int_provenance_init (p, gs_common.provenance, tool, argc, full + 1);
  else
    gs_int_provenance_init (p, gs_common.provenance, tool, argc + 1, full);
  free (full);
  gs_int_provenance_env (p, &env->reg,
                         config_root_setting (&env->merged) ? &env->merged
                         : NULL, &env->files, &gs_common.sets);
  return p;
}

void
gs_cli_prov_guests (struct gs_provenance *p, const struct gs_guest *guests,
                    size_t n, bool outputs)
{
  if (p == NULL)
    return;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < guests[i].ndisks; ++j) {
      const struct gs_disk *d = &guests[i].disks[j];

      gs_int_provenance_input (p, d->path, d->format, d->virtual_size,
                               d->remote);
      if (outputs && !d->remote)
        gs_int_provenance_output (p, d->path, d->format);
    }
}

int
gs_cli_prov_end (struct gs_provenance *p, json_object *report, int code)
{
  if (p == NULL)
    return code;
  if (report)
    gs_int_provenance_report (p, report);
  /* The images stay as the run left them; only the status says the
   * record is missing (a failed run keeps its own status).
   */
  if (gs_int_provenance_write (p) == -1 && code == GS_EXIT_OK)
    code = GS_EXIT_ERROR;
  gs_int_provenance_free (p);
  free (p);
  return code;
}
