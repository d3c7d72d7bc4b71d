/* SPDX-License-Identifier: MIT */
/* oot-probe: a third-party plugin, built outside the tree against the
 * installed goldsmith-plugin.h and goldsmith-plugin.pc only.  It
 * reports the guest's /etc/hostname without changing anything, or,
 * with OOT_PROBE_FAIL set in the environment, fails (for the tests of
 * transactional runs).  OOT_PROBE_FAIL=/PATH first says whether PATH
 * is there as the appliance sees the guest now: what the earlier
 * operations did, seen by a third party.
 */
#include <stdlib.h>
#include <string.h>
#include <goldsmith-plugin.h>

static int
oot_probe_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                   const char *root)
{
  const char *fail = getenv ("OOT_PROBE_FAIL");
  int64_t size;

  (void) op; (void) root;
  if (fail) {
    if (fail[0] == '/')
      gs_error ("failing as asked (OOT_PROBE_FAIL); %s %s", fail,
                guestfs_exists (g, fail) == 1 ? "is there" : "is gone");
    else
      gs_error ("failing as asked (OOT_PROBE_FAIL)");
    return -1;
  }
  if (guestfs_is_file (g, "/etc/hostname") != 1) {
    gs_not_applicable (ctx, "no /etc/hostname");
    return 0;
  }
  if ((size = guestfs_filesize (g, "/etc/hostname")) == -1)
    return -1;
  return gs_report_path (ctx, "/etc/hostname", GS_ACTION_CHANGED, size);
}

static const struct gs_operation oot_probe = {
  .name = "oot-probe",
  .family = "sysprep",
  .heading = "Report the hostname file (out-of-tree test plugin)",
  .phase = GS_PHASE_FILESYSTEMS,
  .order = 50,
  .perform = oot_probe_perform,
};

GS_REGISTER_PLUGIN (&oot_probe);
