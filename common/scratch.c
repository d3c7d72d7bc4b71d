/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scratch.c: files a run creates and must not leave behind when it is
 * interrupted (the overlays of transactional runs, OUT's stand-in):
 * Ctrl-C, SIGTERM or SIGHUP removes them, then the signal does what it
 * would have done.
 */
#include <config.h>

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "xalloc.h"

/* sysprep: one overlay per disk of a launch (deferred guests keep
 * theirs into the next), plus OUT: a fixed array, which the signal
 * handler can read without a lock.
 */
#define MAX_SCRATCH (2 * GS_MAX_DISKS + 2)

/* Read by the signal handler: set before the handler is installed. */
static char *volatile scratch[MAX_SCRATCH];
/* The process that added each (a forked child inherits the array). */
static pid_t owner[MAX_SCRATCH];

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

/* PATH (kept by the caller until gs_int_scratch_forget) is removed if
 * the run is interrupted.
 */
void
gs_int_scratch_add (char *path)
{
  for (size_t i = 0; i < MAX_SCRATCH; ++i)
    if (scratch[i] == NULL) {
      owner[i] = getpid ();
      scratch[i] = path;
      handle_signals (on_signal);
      return;
    }
}

void
gs_int_scratch_forget (const char *path)
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


/* Out of memory (xalloc.c): the process ends without its callers
 * cleaning up, so its scratch files go now.
 */
void
gs_int_scratch_remove_all (void)
{
  pid_t me = getpid ();

  for (size_t i = 0; i < MAX_SCRATCH; ++i)
    if (scratch[i] && owner[i] == me)
      unlink (scratch[i]);
}
