/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plugin-good: a well-formed test plugin carrying two operations in one
 * shared object, for test-plugins.c.  Never installed.
 */
#include <config.h>

#include "goldsmith-plugin.h"

static int
good_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
              const char *root)
{
  (void) op; (void) ctx; (void) g; (void) root;
  return 0;
}

static const struct gs_config_key good_keys[] = {
  { "colour", GS_KEY_STRING, "a key only this operation accepts" },
  { NULL, 0, NULL },
};

static const struct gs_operation good_alpha = {
  .name = "good-alpha",
  .family = "sysprep",
  .heading = "First operation of the good test plugin",
  .phase = GS_PHASE_DEVICES,
  .order = 20,
  .enabled_by_default = true,
  .keys = good_keys,
  .perform = good_perform,
};

static const struct gs_operation good_beta = {
  .name = "good-beta",
  .family = "inspect",
  .heading = "Second operation of the good test plugin",
  .phase = GS_PHASE_INSPECT,
  .order = -10,
  .enabled_by_default = false,
  .perform = good_perform,
};

GS_REGISTER_PLUGIN (&good_alpha, &good_beta);
