/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xalloc.c: allocation failure handled in one place.  The checked
 * allocators (gs_xmalloc, gs_xcalloc, gs_xrealloc, gs_xreallocarray,
 * gs_xstrdup, gs_xstrndup, gs_xasprintf; declared in
 * goldsmith-plugin.h, as plugins call them too) never return NULL: when
 * memory runs out they say "out of memory" once, through gs_error,
 * remove this process's scratch files (OUT's stand-in, overlays) and
 * end the process with exit status 1 (GS_EXIT_ERROR, goldsmith(1)).
 *
 * Ending the process is safe for the user's images:
 * - sysprep (transactional, the default) writes only to qcow2 overlays
 *   (overlay.c) committed after every operation succeeded and the
 *   appliance shut down; a process that ends before the commit leaves
 *   the image as it was (the next run removes the stale overlay).  Once
 *   the commit has begun (the rename to goldsmith-commit-*, overlay.c)
 *   the next run that writes the image finishes it, as after a kill -9;
 *   job children (jobs.c) die with their parent (PR_SET_PDEATHSIG),
 *   removing their own overlays;
 * - copying sparsify reads IN through an overlay, resize opens IN
 *   read-only: IN is never written;
 * - a new OUT (sparsify to a file, resize --output-size) is written
 *   under a stand-in name renamed to OUT only on success (outfile.c):
 *   OUT never exists half-written, and the stand-in is removed here.
 * Not covered, exactly as for any other failure or a kill there: what
 * is written in place by request, with no overlay: sysprep --in-place,
 * sparsify --in-place, sparsify onto a block device, and resize into an
 * existing OUT (without --output-size, the target the user made):
 * whatever was written before the end stays.
 *
 * _exit, not exit: no atexit handler runs (libguestfs's would talk to
 * the appliance, needing memory; the appliance's qemu is stopped by
 * libguestfs's recovery process when we are gone), and a job child
 * (jobs.c) ends as if it had failed, which its parent reports.
 */
#include <config.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "xalloc.h"

void
gs_int_out_of_memory (void)
{
  gs_error ("out of memory");
  gs_int_scratch_remove_all ();
  _exit (GS_EXIT_ERROR);
}

/* malloc fails above PTRDIFF_MAX anyway; saying so here spares a
 * sanitizer's allocator (which aborts on such a request by default) and
 * gives one behaviour everywhere.
 */
#define TOO_BIG(n) ((n) > (size_t) PTRDIFF_MAX)

void *
gs_xmalloc (size_t n)
{
  void *p;

  if (TOO_BIG (n) || (p = malloc (n ? n : 1)) == NULL)
    gs_int_out_of_memory ();
  return p;
}

void *
gs_xcalloc (size_t n, size_t size)
{
  void *p;

  if ((size && n > (size_t) PTRDIFF_MAX / size) ||
      (p = calloc (n && size ? n : 1, n && size ? size : 1)) == NULL)
    gs_int_out_of_memory ();
  return p;
}

void *
gs_xrealloc (void *ptr, size_t n)
{
  void *p;

  if (TOO_BIG (n) || (p = realloc (ptr, n ? n : 1)) == NULL)
    gs_int_out_of_memory ();
  return p;
}

void *
gs_xreallocarray (void *ptr, size_t n, size_t size)
{
  if (size && n > (size_t) PTRDIFF_MAX / size)
    gs_int_out_of_memory ();
  return gs_xrealloc (ptr, n * size);
}

char *
gs_xstrdup (const char *s)
{
  char *p = strdup (s);

  if (p == NULL)
    gs_int_out_of_memory ();
  return p;
}

char *
gs_xstrndup (const char *s, size_t n)
{
  char *p = strndup (s, n);

  if (p == NULL)
    gs_int_out_of_memory ();
  return p;
}

char *
gs_xasprintf (const char *fs, ...)
{
  va_list args;
  char *p;
  int r;

  va_start (args, fs);
  r = vasprintf (&p, fs, args);
  va_end (args);
  if (r == -1)
    gs_int_out_of_memory ();
  return p;
}
