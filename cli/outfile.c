/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outfile.c: files a run creates and must not leave behind.
 *
 * OUT (resize --output-size, sparsify) is written under a temporary
 * name beside it, "OUT.goldsmith-XXXXXX", and renamed only when the
 * whole run succeeded: a failed or interrupted run leaves no OUT, and
 * nothing half-written ever has its name.  Other scratch files (the
 * overlays of sysprep and sparsify) are registered so that Ctrl-C or
 * kill removes them too.
 */
#include <config.h>

#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cleanups.h"

/* sysprep: one overlay per disk of a launch (deferred guests keep
 * theirs into the next), plus OUT: a fixed array, which the signal
 * handler can read without a lock.
 */
#define MAX_SCRATCH (2 * GS_MAX_DISKS + 2)

/* Read by the signal handler: set before the handler is installed. */
static char *volatile scratch[MAX_SCRATCH];
static char *tmp_out;

static void
on_signal (int sig)
{
  for (size_t i = 0; i < MAX_SCRATCH; ++i)
    if (scratch[i])
      unlink (scratch[i]);
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
handle_signals (void (*h) (int))
{
  signal (SIGINT, h);
  signal (SIGTERM, h);
  signal (SIGHUP, h);
}

/* PATH (kept by the caller until gs_cli_scratch_forget) is removed if
 * the run is interrupted.
 */
void
gs_cli_scratch_add (char *path)
{
  for (size_t i = 0; i < MAX_SCRATCH; ++i)
    if (scratch[i] == NULL) {
      scratch[i] = path;
      handle_signals (on_signal);
      return;
    }
}

void
gs_cli_scratch_forget (const char *path)
{
  bool any = false;

  for (size_t i = 0; i < MAX_SCRATCH; ++i) {
    if (scratch[i] == path)
      scratch[i] = NULL;
    any |= scratch[i] != NULL;
  }
  if (!any)
    handle_signals (SIG_DFL);
}

/* Reserve OUT's stand-in: an empty file with the permissions OUT
 * would get (mkstemp makes it 0600).  Returns its name, or NULL.
 */
const char *
gs_cli_outfile_reserve (const char *out)
{
  mode_t um;
  int fd;

  if (asprintf (&tmp_out, "%s.goldsmith-XXXXXX", out) == -1) {
    tmp_out = NULL;
    gs_error ("out of memory");
    return NULL;
  }
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
  gs_cli_scratch_add (tmp_out);
  return tmp_out;
}

/* Rename the stand-in to OUT on success, else remove it.  The data is
 * flushed before the rename publishes it (a power cut must never leave
 * OUT named but empty), and the rename after.  A failure turns *CODE
 * into an error.
 */
void
gs_cli_outfile_finish (const char *out, bool success, int *code)
{
  if (tmp_out == NULL)
    return;
  gs_cli_scratch_forget (tmp_out);
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
  else {
    CLEANUP_FREE char *dir = strdup (out);

    if (dir == NULL || gs_int_sync_path (dirname (dir)) == -1)
      gs_warning ("%s: cannot flush its directory: %m", out);
  }
  free (tmp_out);
  tmp_out = NULL;
}

bool
gs_cli_same_file (const char *a, const char *b)
{
  struct stat sa, sb;

  if (strcmp (a, b) == 0)
    return true;
  return stat (a, &sa) == 0 && stat (b, &sb) == 0 &&
    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
