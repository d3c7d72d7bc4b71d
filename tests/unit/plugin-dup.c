/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plugin-dup: a test plugin whose operation has the name of the real
 * sysprep machine-id operation; loading both must fail.  Never
 * installed.
 */
#include <config.h>

#include "goldsmith-plugin.h"

static int
dup_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
             const char *root)
{
  (void) op; (void) ctx; (void) g; (void) root;
  return 0;
}

static const struct gs_operation dup = {
  .name = "machine-id",
  .family = "sysprep",
  .heading = "A second machine-id operation",
  .phase = GS_PHASE_FILESYSTEMS,
  .perform = dup_perform,
};

GS_REGISTER_PLUGIN (&dup);
