/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plugin-bad-abi: a test plugin built for a future ABI (99); the loader
 * must refuse it before touching its operation table.  Never installed.
 */
#include <config.h>

#include <stddef.h>

#include "goldsmith-plugin.h"

static int
bad_abi_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                 const char *root)
{
  (void) op; (void) ctx; (void) g; (void) root;
  return 0;
}

static const struct gs_operation bad_abi = {
  .name = "bad-abi",
  .family = "sysprep",
  .heading = "An operation of a plugin built for another ABI",
  .perform = bad_abi_perform,
};

static const struct gs_operation *const ops[] = { &bad_abi, NULL };

/* Written out by hand: GS_REGISTER_PLUGIN would say ABI 2. */
__attribute__((visibility ("default")))
const struct gs_plugin_entry gs_plugin_entry = {
  .abi_version = 99,
  .struct_size = sizeof (struct gs_operation),
  .build_version = "99.0.0",
  .operations = ops,
};
