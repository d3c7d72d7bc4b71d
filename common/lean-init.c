/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lean-init.c: goldsmith's TCG appliance wakes udev for the devices it
 * uses, not for every device of the machine.
 *
 * libguestfs's appliance /init runs `udevadm trigger` for every device
 * and waits for udev to settle.  Under TCG that is the longest step of
 * a launch (`goldsmith doctor --phases`: udev 3.5 s of a 14 s verbose
 * launch on a 2-core host), most of it udev loading modules and running
 * rules for PCI, ACPI, input, serial and network devices the appliance
 * never uses.  goldsmith's TCG appliance (tcg-kernel.c) is built from a
 * copy of libguestfs's supermin.d whose init triggers only
 *   block         disks, partitions, device-mapper (LVM, LUKS), MD;
 *   virtio-ports  the daemon's channel (/dev/virtio-ports/...);
 *   misc          device-mapper's and fuse's control nodes;
 * and the whole machine when the appliance has a network (dhclient
 * needs its interface's events).  udevd itself runs as before, so
 * devices made later (partitions, LVs, LUKS) get their events.  Every
 * other file of supermin.d is the distribution's, linked.
 *
 * The edit is that one line; an init without it exactly once is not
 * touched (no lean appliance, said with -v).  A launch that fails with
 * it is retried with the distribution's appliance (session.c).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

#define TRIGGER "\nudevadm trigger\n"
#define LEAN_TRIGGER \
  "\nif test \"$guestfs_network\" = 1; then\n" \
  "    udevadm trigger\n" \
  "else\n" \
  "    # goldsmith: only the devices the appliance uses (lean-init.c)\n" \
  "    udevadm trigger --subsystem-match=block " \
  "--subsystem-match=virtio-ports --subsystem-match=misc\n" \
  "fi\n"

/* The init script at DIR/init with the trigger line replaced.  false
 * (WHY set) if it is not there exactly once.
 */
static bool
edit_init (const char *dir, const char **why)
{
  CLEANUP_FREE char *path = NULL, *s = NULL, *out = NULL;
  const char *at;
  FILE *f;
  bool ok;

  if (asprintf (&path, "%s/init", dir) == -1 ||
      (s = gs_int_read_text_file (path)) == NULL) {
    *why = "no init in init.tar.gz";
    return false;
  }
  if (s[0] == '\0') {
    *why = "an empty init";
    return false;
  }
  if ((at = strstr (s, TRIGGER)) == NULL || strstr (at + 1, TRIGGER)) {
    *why = "its init does not run `udevadm trigger' exactly once";
    return false;
  }
  if (asprintf (&out, "%.*s%s%s", (int) (at - s), s, LEAN_TRIGGER,
                at + strlen (TRIGGER)) == -1)
    return false;
  f = fopen (path, "we");
  ok = f && fputs (out, f) != EOF;
  if (f && fclose (f) != 0)
    ok = false;
  if (!ok)
    *why = "cannot write the edited init";
  return ok;
}

/* Remove DIR, made by build (files, links and the directories x and
 * supermin.d: nothing deeper, as init.tar.gz holds only init).
 */
static void
remove_tree (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *e;

  if (d == NULL)
    return;
  while ((e = readdir (d)) != NULL) {
    CLEANUP_FREE char *p = NULL;

    if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0 ||
        asprintf (&p, "%s/%s", dir, e->d_name) == -1)
      continue;
    if (unlink (p) == -1 && (errno == EISDIR || errno == EPERM))
      remove_tree (p);
  }
  closedir (d);
  rmdir (dir);
}

/* Make DST/supermin.d from SRC (libguestfs's): links, and the edited
 * init.tar.gz.  false (WHY set) if it cannot be made.
 */
static bool
build (const char *src, const char *dst, const char **why)
{
  CLEANUP_FREE char *sd = NULL, *dd = NULL, *x = NULL, *tgz_in = NULL,
    *tgz_out = NULL;
  DIR *d;
  struct dirent *e;
  bool ok = true;

  if (asprintf (&sd, "%s/supermin.d", src) == -1 ||
      asprintf (&dd, "%s/supermin.d", dst) == -1 ||
      asprintf (&x, "%s/x", dst) == -1 ||
      asprintf (&tgz_in, "%s/init.tar.gz", sd) == -1 ||
      asprintf (&tgz_out, "%s/init.tar.gz", dd) == -1)
    return false;
  if (mkdir (dst, 0700) == -1 || mkdir (dd, 0700) == -1 ||
      mkdir (x, 0700) == -1 || (d = opendir (sd)) == NULL) {
    *why = "cannot make its directory";
    return false;
  }
  while (ok && (e = readdir (d)) != NULL) {
    CLEANUP_FREE char *from = NULL, *to = NULL;

    if (e->d_name[0] == '.' || strcmp (e->d_name, "init.tar.gz") == 0)
      continue;
    ok = asprintf (&from, "%s/%s", sd, e->d_name) != -1 &&
      asprintf (&to, "%s/%s", dd, e->d_name) != -1 &&
      symlink (from, to) == 0;
  }
  closedir (d);
  if (!ok) {
    *why = "cannot link libguestfs's supermin.d";
    return false;
  }
  {
    const char *const xa[] = { "tar", "-xzf", tgz_in, "-C", x, NULL };
    const char *const ca[] = { "tar", "-czf", tgz_out, "--owner=0",
                               "--group=0", "-C", x, ".", NULL };

    if (gs_int_run_command (xa, GS_RUN_QUIET, NULL, NULL, NULL) != 0) {
      *why = "tar cannot unpack its init.tar.gz";
      return false;
    }
    if (!edit_init (x, why))
      return false;
    if (gs_int_run_command (ca, GS_RUN_QUIET, NULL, NULL, NULL) != 0) {
      *why = "tar cannot pack the edited init";
      return false;
    }
  }
  remove_tree (x);
  return true;
}

/* libguestfs's appliance directory: the first element of its path
 * holding a supermin.d.
 */
static char *
libguestfs_appliance (guestfs_h *g)
{
  const char *gp = guestfs_get_path (g);
  CLEANUP_FREE char *path = gp ? gs_xstrdup (gp) : NULL;
  char *save = NULL;

  if (path == NULL)
    return NULL;
  for (char *p = strtok_r (path, ":", &save); p;
       p = strtok_r (NULL, ":", &save)) {
    CLEANUP_FREE char *sd = NULL;
    struct stat st;

    if (asprintf (&sd, "%s/supermin.d", p) != -1 &&
        stat (sd, &st) == 0 && S_ISDIR (st.st_mode))
      return gs_xstrdup (p);
  }
  return NULL;
}

char *
gs_int_lean_init (guestfs_h *g, const char *cachedir, bool verbose)
{
  CLEANUP_FREE char *src = libguestfs_appliance (g), *tgz = NULL,
    *mine = NULL, *tmp = NULL;
  char *dst = NULL;
  const char *why = "no libguestfs appliance with a supermin.d in its path";
  struct stat s_src, s_dst;

  if (src == NULL || asprintf (&dst, "%s/lean-appliance", cachedir) == -1 ||
      asprintf (&tgz, "%s/supermin.d/init.tar.gz", src) == -1 ||
      asprintf (&mine, "%s/supermin.d/init.tar.gz", dst) == -1 ||
      stat (tgz, &s_src) == -1)
    goto none;
  /* Made once, again when libguestfs's init is newer (an upgrade). */
  if (stat (mine, &s_dst) == 0 && s_dst.st_mtime >= s_src.st_mtime)
    return dst;
  if (asprintf (&tmp, "%s.tmp%ju", dst, (uintmax_t) getpid ()) == -1)
    goto none;
  if (!build (src, tmp, &why)) {
    remove_tree (tmp);
    goto none;
  }
  /* Another process may have made it meanwhile: either one will do. */
  remove_tree (dst);
  if (rename (tmp, dst) == -1 && stat (mine, &s_dst) == -1) {
    why = "cannot move it into place";
    remove_tree (tmp);
    goto none;
  }
  remove_tree (tmp);
  return dst;
 none:
  if (verbose)
    gs_debug ("no lean appliance init: %s (the appliance starts udev for "
              "every device)", why);
  free (dst);
  return NULL;
}
