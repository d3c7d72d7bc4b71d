/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pkgdb.h: the text package databases libguestfs 1.48 reads itself,
 * read as it reads them: dpkg's status file (dpkg.c), a pacman
 * package's desc file (pacman.c), apk's installed file (apk.c).
 */
#ifndef GS_INSPECT_PKGDB_H
#define GS_INSPECT_PKGDB_H

#include <stdio.h>

#include "applist.h"

/* Read FP (/var/lib/dpkg/status) to its end, appending its installed
 * packages to L, unsorted.  -1 on a read error (errno set).
 */
extern int gs_dpkg_parse (FILE *fp, struct gs_app_list *l);
/* Read FP (one /var/lib/pacman/local/DIR/desc), appending its package
 * to L if it has what libguestfs needs.  -1 on a read error.
 */
extern int gs_pacman_parse_desc (FILE *fp, struct gs_app_list *l);
/* Read FP (/lib/apk/db/installed) to its end, appending its packages
 * to L, unsorted.  -1 on a read error.
 */
extern int gs_apk_parse (FILE *fp, struct gs_app_list *l);

/* libguestfs's parse of a version's epoch (xstrtol, base 10, nothing
 * after the digits): the number, or -1.
 */
extern int32_t gs_pkg_epoch (const char *s);
/* V, [EPOCH:]VERSION[-RELEASE], cut in place as every libguestfs reader
 * cuts it: at its first ':' and then at its first '-'.  *EPOCH: 0
 * without one, -1 if it is not a whole number; *RELEASE: NULL without a
 * '-'.  Returns the version.
 */
extern char *gs_pkg_split_version (char *v, int32_t *epoch, char **release);
/* *FIELD freed and set to a copy of V. */
extern void gs_pkg_set (char **field, const char *v);

#endif /* GS_INSPECT_PKGDB_H */
