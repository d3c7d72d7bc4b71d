/* SPDX-License-Identifier: GPL-2.0-or-later */
/* icon-rules.c: libguestfs 1.48's icon rules for Linux guests
 * (lib/inspect-icon.c: the file per distribution and its size limit;
 * get_png's checks), checked against Debian 12's libguestfs.so.0: its
 * paths, the distributions it compares and the limits it passes.
 * virt-inspector asks without the favicon (favicon=false) and not for
 * high quality, so /etc/favicon.png is never looked at.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "icon-rules.h"

#define ICONS "/usr/share/icons/"

static const char *const none[] = { NULL };
static const char *const fedora[] = {
  ICONS "hicolor/96x96/apps/fedora-logo-icon.png", NULL };
static const char *const rhel_old[] = {   /* RHEL 3 to 6 and clones */
  "/usr/share/pixmaps/redhat/shadowman-transparent.png", NULL };
static const char *const rhel[] = {
  ICONS "hicolor/96x96/apps/system-logo-icon.png", NULL };
static const char *const debian[] = {
  "/usr/share/pixmaps/debian-logo.png", NULL };
static const char *const ubuntu[] = {
  ICONS "gnome/24x24/places/ubuntu-logo.png",
  "/usr/share/help/C/ubuntu-help/figures/ubuntu-logo.png", NULL };
static const char *const mageia[] = { ICONS "mageia.png", NULL };
static const char *const suse[] = {
  ICONS "hicolor/48x48/apps/distributor.png",
  ICONS "hicolor/24x24/apps/distributor.png", NULL };
static const char *const voidlinux[] = {
  "/usr/share/void-artwork/void-logo.png", NULL };
static const char *const altlinux[] = {
  ICONS "hicolor/48x48/apps/altlinux.png", NULL };
static const char *const gentoo[] = {
  ICONS "gentoo/48x48/gentoo.png", NULL };
static const char *const openmandriva[] = {
  ICONS "large/mandriva.png", ICONS "mandriva.png", NULL };

/* One distribution's rule (a distro named twice: the first whose
 * MAJOR_BELOW is 0 or above the guest's major version).
 */
static const struct rule {
  const char *distro;
  int major_below;               /* 0: any version */
  const char *const *paths;      /* NULL: CirrOS's text logo */
  size_t max;                    /* 0: four bytes a pixel */
} rules[] = {
  { "fedora", 0, fedora, 0 },
#define RHEL_LIKE(d) { d, 7, rhel_old, 102400 }, { d, 0, rhel, 102400 }
  RHEL_LIKE ("rhel"), RHEL_LIKE ("redhat-based"), RHEL_LIKE ("centos"),
  RHEL_LIKE ("rocky"), RHEL_LIKE ("scientificlinux"),
  RHEL_LIKE ("oraclelinux"),
#undef RHEL_LIKE
  { "debian", 0, debian, 2048 },
  { "ubuntu", 0, ubuntu, 2048 },
  { "mageia", 0, mageia, 10240 },
  { "suse-based", 0, suse, 10240 },
  { "opensuse", 0, suse, 10240 },
  { "sles", 0, suse, 10240 },
  { "cirros", 0, NULL, 0 },
  { "voidlinux", 0, voidlinux, 20480 },
  { "altlinux", 0, altlinux, 20480 },
  { "gentoo", 0, gentoo, 10240 },
  { "openmandriva", 0, openmandriva, 10240 },
};

const char *const *
gs_icon_paths (const char *distro, int major, size_t *max)
{
  *max = 0;
  for (size_t i = 0; distro && i < sizeof rules / sizeof rules[0]; ++i)
    if (strcmp (rules[i].distro, distro) == 0 &&
        (rules[i].major_below == 0 || major < rules[i].major_below)) {
      *max = rules[i].max;
      return rules[i].paths;
    }
  return none;                   /* archlinux, alpinelinux, ... */
}

bool
gs_icon_png_ok (const char *file_type, int *w, int *h)
{
  static const char png[] = "PNG image data, ";

  if (strncmp (file_type, png, sizeof png - 1) != 0 ||
      sscanf (file_type + sizeof png - 1, "%d x %d", w, h) != 2)
    return false;
  return *w >= 16 && *h >= 16 && *w <= 1024 && *h <= 1024;
}
