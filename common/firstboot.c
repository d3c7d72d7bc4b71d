/* SPDX-License-Identifier: GPL-2.0-or-later */
/* firstboot.c: gs_firstboot_add, scripts run once at the guest's next
 * boot.  The guest gets a runner (/usr/lib/goldsmith/firstboot.sh)
 * started by a systemd unit, or by a SysV init script where the guest
 * has /etc/init.d; it runs each script once, in order, logs to
 * /root/goldsmith-firstboot.log and moves it to done/, so a script
 * never runs twice even if it fails.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "ctx.h"
#include "cleanups.h"

#define FB_DIR "/usr/lib/goldsmith/firstboot"
#define FB_RUNNER "/usr/lib/goldsmith/firstboot.sh"
#define FB_UNIT "/etc/systemd/system/goldsmith-firstboot.service"
#define FB_WANTS "/etc/systemd/system/multi-user.target.wants"
#define FB_INITD "/etc/init.d/goldsmith-firstboot"

static const char runner[] =
  "#!/bin/sh -\n"
  "# Installed by goldsmith: run each script in " FB_DIR "/scripts\n"
  "# once, in name order, then keep it in done/.\n"
  "d=" FB_DIR "\n"
  "log=/root/goldsmith-firstboot.log\n"
  "mkdir -p \"$d/done\"\n"
  "for f in \"$d\"/scripts/*; do\n"
  "  [ -f \"$f\" ] || continue\n"
  "  echo \"=== $(date) running $f\" >> \"$log\"\n"
  "  mv \"$f\" \"$d/done/\"\n"
  "  sh \"$d/done/${f##*/}\" >> \"$log\" 2>&1\n"
  "  echo \"=== exit status $?\" >> \"$log\"\n"
  "done\n";

/* Ordered before sshd so that a script regenerating host keys runs
 * before the server wants them.  Ubuntu's socket-activated sshd
 * (ssh.socket, Accept=no) starts ssh.service on the first connection,
 * and that start job waits for this one too.
 */
static const char unit[] =
  "[Unit]\n"
  "Description=goldsmith first-boot scripts\n"
  "After=network.target\n"
  "Before=ssh.service sshd.service\n"
  "ConditionPathExists=" FB_RUNNER "\n"
  "\n"
  "[Service]\n"
  "Type=oneshot\n"
  "ExecStart=" FB_RUNNER "\n"
  "RemainAfterExit=yes\n"
  "TimeoutStartSec=0\n"
  "\n"
  "[Install]\n"
  "WantedBy=multi-user.target\n";

static const char initd[] =
  "#!/bin/sh\n"
  "### BEGIN INIT INFO\n"
  "# Provides:          goldsmith-firstboot\n"
  "# Required-Start:    $local_fs $remote_fs $network\n"
  "# Required-Stop:\n"
  "# X-Start-Before:    ssh sshd\n"
  "# Default-Start:     2 3 4 5\n"
  "# Default-Stop:\n"
  "# Short-Description: goldsmith first-boot scripts\n"
  "### END INIT INFO\n"
  "case \"$1\" in\n"
  "  start) " FB_RUNNER " ;;\n"
  "esac\n"
  "exit 0\n";

static int
write_file (struct gs_ctx *ctx, guestfs_h *g, const char *path,
            const char *content, size_t len, int mode)
{
  if (gs_report_path (ctx, path, GS_ACTION_CREATED, len) == -1)
    return -1;
  if (ctx->dry_run)
    return 0;
  if (guestfs_write (g, path, content, len) == -1 ||
      guestfs_chmod (g, mode, path) == -1)
    return -1;
  return 0;
}

/* Debian's SysV boot (startpar) starts what insserv wrote in
 * /etc/init.d/.depend.start, not what /etc/rcN.d holds: a link alone
 * would never run, so insserv, run in the guest, must register the
 * script (and orders it before sshd, from the X-Start-Before header).
 * Without .depend.start, rc runs the links in name order and S99 is
 * enough.
 */
static int
register_with_insserv (guestfs_h *g)
{
  static const char *const insserv[] = { "/sbin/insserv",
                                         "/usr/sbin/insserv" };
  int r;

  if ((r = guestfs_is_file (g, "/etc/init.d/.depend.start")) != 1)
    return r;
  for (size_t i = 0; i < sizeof insserv / sizeof insserv[0]; ++i) {
    const char *argv[] = { insserv[i], "goldsmith-firstboot", NULL };
    CLEANUP_FREE char *out = NULL;

    if ((r = guestfs_is_file_opts (g, insserv[i],
                                   GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1,
                                   -1)) == -1)
      return -1;
    if (r == 0)
      continue;
    gs_quiet_begin (g);
    out = guestfs_command (g, (char **) argv);
    gs_quiet_end (g);
    if (out == NULL)
      gs_warning ("first-boot scripts: %s failed in the guest (%s); "
                  "they may never run at boot", insserv[i],
                  guestfs_last_error (g));
    return 0;
  }
  gs_warning ("first-boot scripts: the guest's boot order comes from "
              "/etc/init.d/.depend.start but it has no insserv; they "
              "may never run at boot");
  return 0;
}

/* The runner and what starts it, once per guest. */
static int
install_runner (struct gs_ctx *ctx, guestfs_h *g)
{
  int r;

  if ((r = guestfs_is_file (g, FB_RUNNER)) != 0)
    return r == -1 ? -1 : 0;
  if (!ctx->dry_run &&
      guestfs_mkdir_p (g, FB_DIR "/scripts") == -1)
    return -1;
  if (write_file (ctx, g, FB_RUNNER, runner, strlen (runner), 0755) == -1)
    return -1;

  if ((r = guestfs_is_dir (g, "/etc/systemd")) == -1)
    return -1;
  if (r == 1) {
    if (write_file (ctx, g, FB_UNIT, unit, strlen (unit), 0644) == -1 ||
        gs_report_path (ctx, FB_WANTS "/goldsmith-firstboot.service",
                        GS_ACTION_CREATED, 0) == -1)
      return -1;
    if (!ctx->dry_run &&
        (guestfs_mkdir_p (g, FB_WANTS) == -1 ||
         guestfs_ln_sf (g, FB_UNIT,
                        FB_WANTS "/goldsmith-firstboot.service") == -1))
      return -1;
  }
  if ((r = guestfs_is_dir (g, "/etc/init.d")) == -1)
    return -1;
  if (r == 1) {
    if (write_file (ctx, g, FB_INITD, initd, strlen (initd), 0755) == -1)
      return -1;
    for (int level = 2; level <= 5; ++level) {
      char dir[32], link[64];

      snprintf (dir, sizeof dir, "/etc/rc%d.d", level);
      snprintf (link, sizeof link, "%s/S99goldsmith-firstboot", dir);
      if ((r = guestfs_is_dir (g, dir)) == -1)
        return -1;
      if (r == 0)
        continue;
      if (gs_report_path (ctx, link, GS_ACTION_CREATED, 0) == -1 ||
          (!ctx->dry_run &&
           guestfs_ln_sf (g, "../init.d/goldsmith-firstboot", link) == -1))
        return -1;
    }
    if (!ctx->dry_run && register_with_insserv (g) == -1)
      return -1;
  }
  return 0;
}

int
gs_firstboot_add (struct gs_ctx *ctx, guestfs_h *g, const char *name,
                  const char *script, size_t len)
{
  CLEANUP_FREE char *path = NULL;
  CLEANUP_FREE_STRV char **existing = NULL;
  size_t n = 0;

  if (!gs_int_valid_op_name (name)) {
    gs_error ("firstboot script name \"%s\" is not [a-z0-9-]+", name);
    return -1;
  }
  if (install_runner (ctx, g) == -1)
    return -1;
  /* Number after what is already waiting, so order is kept across
   * runs too.
   */
  if (guestfs_is_dir (g, FB_DIR "/scripts") == 1) {
    if ((existing = guestfs_ls (g, FB_DIR "/scripts")) == NULL)
      return -1;
    while (existing[n])
      n++;
  }
  n += ctx->dry_run ? ctx->firstboot_seq : 0;
  ctx->firstboot_seq++;
  path = gs_xasprintf (FB_DIR "/scripts/%04zu-%s", n + 1, name);
  return write_file (ctx, g, path, script, len, 0755);
}
