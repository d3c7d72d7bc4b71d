/* SPDX-License-Identifier: GPL-2.0-or-later */
/* icon-rules.h: where libguestfs 1.48 looks for a Linux guest's icon,
 * and what it accepts (icon-rules.c).
 */
#ifndef GS_INSPECT_ICON_RULES_H
#define GS_INSPECT_ICON_RULES_H

#include <stdbool.h>
#include <stddef.h>

/* The PNG files tried for DISTRO (major version MAJOR), in order, and
 * the largest file size accepted in *MAX (0: four bytes per pixel of
 * the image).  An empty list: libguestfs has no icon for DISTRO.
 * NULL: a rule goldsmith does not follow (CirrOS's text logo, drawn
 * with pbmtext on the host).
 */
extern const char *const *gs_icon_paths (const char *distro, int major,
                                         size_t *max);
/* What guestfs_file said of a file: a PNG of acceptable size (16 to
 * 1024 pixels each way), with its size in *W and *H?
 */
extern bool gs_icon_png_ok (const char *file_type, int *w, int *h);

#endif /* GS_INSPECT_ICON_RULES_H */
