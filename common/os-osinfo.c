/* SPDX-License-Identifier: GPL-2.0-or-later */
/* os-osinfo.c: the libosinfo short ID virt-inspector prints in
 * <osinfo>, for the Linux guests goldsmith inspects itself.
 *
 * libguestfs 1.48 computes it in the library from the type, distro and
 * version (lib/inspect-osinfo.c); the Linux part is reproduced here
 * rule for rule, checked against Debian 12's libguestfs.so.0 (its
 * format strings and the distros it compares).  Windows, the BSDs and
 * DOS never reach this file: their inspection is libguestfs's.
 * Compiled into the core (os-compare.c compares it with libguestfs's)
 * and into the inspect plugin, which prints it.
 */
#include <config.h>

#include <string.h>

#include <stdbool.h>

#include "goldsmith-plugin.h"
#include "os-osinfo.h"

static bool
is (const char *a, const char *b)
{
  return strcmp (a, b) == 0;
}

char *
gs_int_os_osinfo (const char *distro, int major, int minor)
{
  if (distro == NULL)
    return NULL;                 /* "unknown": no rule gives an ID */
  if (is (distro, "centos")) {
    if (major >= 8)
      return gs_xasprintf ("%s%d", distro, major);
    if (major == 7)
      return gs_xasprintf ("%s%d.0", distro, major);  /* "centos7.0" */
    if (major == 6)
      return gs_xasprintf ("%s%d.%d", distro, major, minor);
  }
  else if (is (distro, "rocky")) {
    if (major >= 8)
      return gs_xasprintf ("%s%d", distro, major);
  }
  else if (is (distro, "debian")) {
    if (major >= 4)
      return gs_xasprintf ("%s%d", distro, major);
  }
  else if (is (distro, "fedora") || is (distro, "mageia"))
    return gs_xasprintf ("%s%d", distro, major);
  else if (is (distro, "sles"))
    return minor == 0 ? gs_xasprintf ("%s%d", distro, major)
      : gs_xasprintf ("%s%dsp%d", distro, major, minor);
  else if (is (distro, "ubuntu"))
    return gs_xasprintf ("%s%d.%02d", distro, major, minor);
  else if (is (distro, "archlinux") || is (distro, "gentoo") ||
           is (distro, "voidlinux"))
    return gs_xstrdup (distro);  /* rolling releases: no version */
  else if (is (distro, "altlinux"))
    return major >= 8 ? gs_xasprintf ("alt%d.%d", major, minor)
      : gs_xasprintf ("%s%d.%d", distro, major, minor);
  /* Every other distro, and the cases above that fell through. */
  if (major > 0 || minor > 0)
    return gs_xasprintf ("%s%d.%d", distro, major, minor);
  return NULL;
}
