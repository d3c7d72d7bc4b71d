/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outfile.c: files a run creates and must not leave behind.
 *
 * OUT (resize --output-size, sparsify) is written under a temporary
 * name beside it, "OUT.goldsmith-XXXXXX", and renamed only when the
 * whole run succeeded: a failed or interrupted run leaves no OUT, and
 * nothing half-written ever has its name (the stand-in is a scratch
 * file of common/scratch.c until then).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goldsmith-int.h"

static char *tmp_out;

/* Reserve OUT's stand-in: an empty file with the permissions OUT
 * would get (mkstemp makes it 0600).  Returns its name, or NULL.
 */
const char *
gs_int_outfile_reserve (const char *out)
{
  mode_t um;
  int fd;

  tmp_out = gs_xasprintf ("%s.goldsmith-XXXXXX", out);
  if ((fd = mkstemp (tmp_out)) == -1) {
    gs_error ("%s: cannot create: %m", out);
    free (tmp_out);
    tmp_out = NULL;
    return NULL;
  }
  um = umask (0);
  umask (um);
  if (fchmod (fd, 0666 & ~um) == -1)
    gs_debug ("%s: fchmod: %m", tmp_out);
  close (fd);
  gs_int_scratch_add (tmp_out);
  return tmp_out;
}

/* Rename the stand-in to OUT on success, else remove it.  The data is
 * flushed before the rename publishes it (a power cut must never leave
 * OUT named but empty), and the rename after.  A failure turns *CODE
 * into an error.
 */
void
gs_int_outfile_finish (const char *out, bool success, int *code)
{
  if (tmp_out == NULL)
    return;
  gs_int_scratch_forget (tmp_out);
  if (success && gs_int_sync_path (tmp_out) == -1) {
    gs_error ("%s: cannot flush it to disk: %m", tmp_out);
    *code = GS_EXIT_ERROR;
    success = false;
  }
  if (success && rename (tmp_out, out) == -1) {
    gs_error ("%s: cannot rename %s to it: %m", out, tmp_out);
    *code = GS_EXIT_ERROR;
    success = false;
  }
  if (!success)
    unlink (tmp_out);
  else if (gs_int_sync_dir_of (out) == -1)
    gs_warning ("%s: cannot flush its directory: %m", out);
  free (tmp_out);
  tmp_out = NULL;
}

bool
gs_int_same_file (const char *a, const char *b)
{
  struct stat sa, sb;

  if (strcmp (a, b) == 0)
    return true;
  return stat (a, &sa) == 0 && stat (b, &sb) == 0 &&
    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
