/* SPDX-License-Identifier: GPL-2.0-or-later */
/* os-osinfo.h: libguestfs 1.48's inspect_get_osinfo for a Linux guest
 * of DISTRO (NULL: unknown), version MAJOR.MINOR; NULL where it says
 * "unknown".  os-osinfo.c is compiled into the core (os-compare.c) and
 * into the inspect plugin (which prints it), so this header needs only
 * the plugin API.
 */
#ifndef GS_OS_OSINFO_H
#define GS_OS_OSINFO_H

extern char *gs_int_os_osinfo (const char *distro, int major, int minor);

#endif /* GS_OS_OSINFO_H */
