/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-quiet: gs_quiet_begin/gs_quiet_end (common/session.c), the one
 * way the core and the plugins call libguestfs quietly.  Between them
 * a failing call reaches no error handler (the session's prints and
 * records); guestfs_last_error and last_errno still hold the failure,
 * after the end too; errno is left as it was; pairs nest.  A handle
 * that is never launched fails every call that needs the appliance,
 * so no appliance is needed.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "goldsmith-plugin.h"

static int calls;                /* failures the handler saw */

static void
count (guestfs_h *g, void *opaque, const char *msg)
{
  (void) g; (void) opaque; (void) msg;
  calls++;
}

/* One call that fails on a handle never launched. */
static int
fail (guestfs_h *g)
{
  return guestfs_mount (g, "/dev/sda1", "/");
}

int
main (void)
{
  guestfs_h *g = guestfs_create_flags (GUESTFS_CREATE_NO_ENVIRONMENT);
  const char *e;
  int r, before;

  plan (7);
  if (g == NULL) {
    printf ("Bail out! cannot create a libguestfs handle\n");
    return EXIT_FAILURE;
  }
  guestfs_set_error_handler (g, count, NULL);

  ok (fail (g) == -1 && calls == 1,
      "outside a quiet section, the handler sees the failure");

  errno = EXDEV;
  gs_quiet_begin (g);
  ok (errno == EXDEV, "gs_quiet_begin leaves errno as it was");
  before = calls;
  r = fail (g);
  errno = ENOTTY;
  gs_quiet_end (g);
  ok (r == -1 && calls == before, "inside, the handler sees nothing");
  ok (errno == ENOTTY, "gs_quiet_end leaves errno as it was");
  e = guestfs_last_error (g);
  ok (e != NULL && strstr (e, "launch") != NULL,
      "the failure's text is still guestfs_last_error after the end: %s",
      e ? e : "(null)");

  gs_quiet_begin (g);
  gs_quiet_begin (g);
  gs_quiet_end (g);
  before = calls;
  fail (g);
  ok (calls == before, "nested: still quiet after the inner end");
  gs_quiet_end (g);
  fail (g);
  ok (calls == before + 1, "after the outer end the handler is back");

  guestfs_close (g);
  return exit_status ();
}
