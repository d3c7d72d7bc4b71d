/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dpkg.h: the applications of a dpkg status file, as libguestfs 1.48
 * lists them (dpkg.c).
 */
#ifndef GS_INSPECT_DPKG_H
#define GS_INSPECT_DPKG_H

#include <stdio.h>

#include "applist.h"

/* Read FP (/var/lib/dpkg/status) to its end, appending its installed
 * packages to L, unsorted.  -1 on a read error (errno set).
 */
extern int gs_dpkg_parse (FILE *fp, struct gs_app_list *l);

/* libguestfs's parse of a version's epoch (xstrtol, base 10, nothing
 * after the digits): the number, or -1.  Exposed for the unit test.
 */
extern int32_t gs_dpkg_epoch (const char *s);

#endif /* GS_INSPECT_DPKG_H */
