/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plugin-bad-name: a test plugin whose second operation has an invalid
 * name ("Bad_Name"); the loader must refuse the whole plugin, the
 * valid first operation included.  Never installed.
 */
#include <config.h>

#include "goldsmith-plugin.h"

static int
bad_name_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                  const char *root)
{
  (void) op; (void) ctx; (void) g; (void) root;
  return 0;
}

static const struct gs_operation fine = {
  .name = "fine-name",
  .family = "sysprep",
  .heading = "A valid operation in a plugin that is refused",
  .perform = bad_name_perform,
};

static const struct gs_operation bad = {
  .name = "Bad_Name",
  .family = "sysprep",
  .heading = "An operation with an invalid name",
  .perform = bad_name_perform,
};

GS_REGISTER_PLUGIN (&fine, &bad);
