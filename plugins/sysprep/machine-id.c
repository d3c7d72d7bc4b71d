/* SPDX-License-Identifier: GPL-2.0-or-later */
/* machine-id: empty the machine ID so that each clone makes a fresh one
 * at first boot.  The file is truncated, not removed: systemd treats an
 * empty /etc/machine-id as "generate one now", a missing one differently
 * on older versions.
 */
#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "cleanups.h"
#include "string-vector.h"
#include "config-util.h"

static string_vector paths = empty_vector;   /* owned copies */

static const struct gs_config_key keys[] = {
  { "paths", GS_KEY_STRINGS, "files to empty (default /etc/machine-id and /var/lib/dbus/machine-id)" },
  { NULL, 0, NULL },
};

static int
machine_id_configure (struct gs_op *op, const config_setting_t *section)
{
  (void) op;
  gs_config_get_strings (section, "paths", &paths, NULL);
  for (size_t i = 0; i < paths.len; ++i)
    if (paths.ptr[i][0] != '/') {
      const config_setting_t *s = config_setting_get_member (section, "paths");
      gs_error ("%s:%u: paths[%zu]: expected an absolute path, not \"%s\"",
                config_setting_source_file (s),
                config_setting_source_line (s), i, paths.ptr[i]);
      return -1;
    }
  return 0;
}

static int
machine_id_config_complete (struct gs_op *op)
{
  (void) op;
  if (paths.len > 0)             /* configured: keep the user's list */
    return 0;
  string_vector_append_copy (&paths, "/etc/machine-id");
  string_vector_append_copy (&paths, "/var/lib/dbus/machine-id");
  return 0;
}

/* Only systemd fills an empty /etc/machine-id at boot.  A guest booted
 * by another init (Debian's sysvinit-core, say: its /sbin/init is not
 * systemd) gets a first-boot script that writes a new random ID, so
 * its clones do not all keep an empty one.
 */
static const char make_id[] =
  "# goldsmith machine-id: this guest's init does not create one\n"
  "if [ ! -s /etc/machine-id ]; then\n"
  "  id=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \\n')\n"
  "  echo \"$id\" > /etc/machine-id\n"
  "fi\n";

static int
init_is_systemd (guestfs_h *g)
{
  CLEANUP_FREE char *init = NULL;
  const char *base;
  int r;

  if ((r = guestfs_exists (g, "/sbin/init")) != 1)
    return r == 0 ? 1 : -1;      /* no /sbin/init: assume the modern one */
  if ((init = guestfs_realpath (g, "/sbin/init")) == NULL)
    return -1;
  base = strrchr (init, '/');
  return strcmp (base ? base + 1 : init, "systemd") == 0;
}

static int
machine_id_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                    const char *root)
{
  const char *type = gs_guest_get (ctx, "type");

  (void) op; (void) root;
  if (type && strcmp (type, "windows") == 0) {
    gs_not_applicable (ctx, "Windows guests have no machine-id file");
    return 0;
  }
  for (size_t i = 0; i < paths.len; ++i) {
    int64_t size;
    int r = guestfs_is_file_opts (g, paths.ptr[i],
                                  GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 0, -1);

    if (r == -1)
      return -1;                 /* libguestfs has reported it */
    if (r == 0)
      continue;                  /* missing, or not a regular file */
    if ((size = guestfs_filesize (g, paths.ptr[i])) == -1)
      return -1;
    if (size == 0)
      continue;                  /* already empty: nothing to do */
    if (gs_path_protected (ctx, paths.ptr[i])) {
      gs_warning ("%s is protected (--exclude-path): left as it is",
                  paths.ptr[i]);
      continue;
    }
    if (gs_report_path (ctx, paths.ptr[i], GS_ACTION_CHANGED, size) == -1)
      return -1;
    if (!gs_dry_run (ctx) && guestfs_truncate (g, paths.ptr[i]) == -1)
      return -1;
  }
  /* /etc/machine-id, where it is a regular file: */
  if (guestfs_is_file_opts (g, "/etc/machine-id",
                            GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 0, -1) == 1) {
    int r;

    /* Post-condition (virt-sysprep fails it: its customize step writes
     * a new ID after the truncation, RHBZ 1557042): it is empty now.
     */
    if (!gs_dry_run (ctx) && !gs_path_protected (ctx, "/etc/machine-id")) {
      int64_t size = guestfs_filesize (g, "/etc/machine-id");

      if (size != 0) {
        gs_error ("/etc/machine-id is not empty after the run (%" PRIi64
                  " bytes): clones would share it", size);
        return -1;
      }
    }
    if ((r = init_is_systemd (g)) == -1)
      return -1;
    if (r == 0 &&
        gs_firstboot_add (ctx, g, "machine-id", make_id,
                          strlen (make_id)) == -1)
      return -1;
  }
  return 0;
}

static void
machine_id_unload (struct gs_op *op)
{
  (void) op;
  string_vector_free_all (&paths);
}

static const struct gs_operation machine_id = {
  .name = "machine-id",
  .family = "sysprep",
  .heading = "Remove the local machine ID",
  .description =
    "Empty F</etc/machine-id> and F</var/lib/dbus/machine-id> (the files "
    "are truncated, not deleted) so that every clone generates its own "
    "machine ID at first boot.  Where the guest boots with an init other "
    "than systemd, which would leave it empty, a first-boot script writes "
    "a new random one.",
  .phase = GS_PHASE_FILESYSTEMS,
  .order = 990,                  /* last: see machine-id.conf */
  .enabled_by_default = true,
  .keys = keys,
  .configure = machine_id_configure,
  .config_complete = machine_id_config_complete,
  .perform = machine_id_perform,
  .unload = machine_id_unload,
};

GS_REGISTER_PLUGIN (&machine_id);
