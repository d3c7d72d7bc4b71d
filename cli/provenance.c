/* SPDX-License-Identifier: GPL-2.0-or-later */
/* provenance.c: --provenance FILE for every tool, on the core's
 * record (common/provenance.c): what each subcommand gives it, in one
 * place, so the four tools fill it the same way.
 */
#include <config.h>

#include <stdlib.h>

#include "cli.h"

struct gs_provenance *
gs_cli_prov_begin (const char *tool, int argc, const char **argv,
                   const struct gs_env *env)
{
  struct gs_provenance *p;
  const char **full;

  if (gs_common.provenance == NULL)
    return NULL;
  /* The command line as typed: "goldsmith" and the subcommand's own. */
  full = gs_xcalloc ((size_t) argc + 1, sizeof *full);
  full[0] = PACKAGE_NAME;
  for (int i = 0; i < argc; ++i)
    full[i + 1] = argv[i];
  p = gs_xcalloc (1, sizeof *p);
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
