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

static bool
is (const char *a, const char *b)
{
  return strcmp (a, b) == 0;
}

const char *const *
gs_icon_paths (const char *distro, int major, size_t *max)
{
  *max = 0;
  if (distro == NULL)
    return none;
  if (is (distro, "fedora"))
    return fedora;               /* limit: 4 bytes a pixel */
  if (is (distro, "rhel") || is (distro, "redhat-based") ||
      is (distro, "centos") || is (distro, "rocky") ||
      is (distro, "scientificlinux") || is (distro, "oraclelinux")) {
    *max = 102400;
    return major < 7 ? rhel_old : rhel;
  }
  if (is (distro, "debian")) {
    *max = 2048;
    return debian;
  }
  if (is (distro, "ubuntu")) {
    *max = 2048;
    return ubuntu;
  }
  if (is (distro, "mageia")) {
    *max = 10240;
    return mageia;
  }
  if (is (distro, "suse-based") || is (distro, "opensuse") ||
      is (distro, "sles")) {
    *max = 10240;
    return suse;
  }
  if (is (distro, "cirros"))
    return NULL;
  if (is (distro, "voidlinux")) {
    *max = 20480;
    return voidlinux;
  }
  if (is (distro, "altlinux")) {
    *max = 20480;
    return altlinux;
  }
  if (is (distro, "gentoo")) {
    *max = 10240;
    return gentoo;
  }
  if (is (distro, "openmandriva")) {
    *max = 10240;
    return openmandriva;
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
