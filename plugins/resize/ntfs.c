/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ntfs: grow NTFS filesystems with ntfsresize.  Windows checks the
 * filesystem at its next boot, as after virt-resize.
 */
#include <config.h>

#include "resize-util.h"
#include "config-util.h"

static const char *const types[] = { "ntfs", NULL };

/* ntfsresize --force: resize again although Windows has not checked
 * the filesystem since the last resize (virt-resize's
 * --ntfsresize-force).
 */
static bool force;

static const struct gs_config_key keys[] = {
  { "force", GS_KEY_BOOL,
    "Pass --force to ntfsresize (resize a filesystem again before "
    "Windows has checked it; virt-resize's --ntfsresize-force)" },
  { NULL },
};

static const struct gs_option options[] = {
  { "ntfsresize-force", GS_OPTION_TRUE, "force", NULL, NULL,
    "Pass --force to ntfsresize (resize again without booting Windows)" },
  { NULL },
};

static int
ntfs_configure (struct gs_op *op, const config_setting_t *section)
{
  (void) op;
  gs_config_get_bool (section, "force", &force);
  return 0;
}

static int
ntfs_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
              const char *root)
{
  (void) op;
  if (!gs_resize_claims (ctx, types))
    return 0;
  if (gs_dry_run (ctx))
    return gs_resize_probe (ctx, g, root, "ntfsprogs", "ntfsresize");
  if (guestfs_ntfsresize_opts (g, root,
                               GUESTFS_NTFSRESIZE_OPTS_FORCE, force,
                               -1) == -1)
    return -1;
  return gs_report_path (ctx, root, GS_ACTION_CHANGED, -1);
}

static const struct gs_operation ntfs_op = {
  .name = "ntfs",
  .family = "resize",
  .heading = "Grow NTFS filesystems (ntfsresize)",
  .phase = GS_PHASE_DEVICES,
  .order = 100,
  .enabled_by_default = true,
  .keys = keys,
  .configure = ntfs_configure,
  .perform = ntfs_perform,
  .options = options,
};

GS_REGISTER_PLUGIN (&ntfs_op);
