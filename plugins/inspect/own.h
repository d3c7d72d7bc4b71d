/* SPDX-License-Identifier: GPL-2.0-or-later */
/* own.h: the inspect operations that read the guest themselves when
 * goldsmith's own inspection found the root (gs_guest_inspected_by_
 * libguestfs false), and otherwise ask libguestfs, as before.
 */
#ifndef GS_INSPECT_OWN_H
#define GS_INSPECT_OWN_H

#include "goldsmith-plugin.h"

/* GOLDSMITH_INSPECT_COMPARE=1: a root goldsmith inspected is also
 * asked of libguestfs (whose inspection then ran too), and every
 * difference is said (the test suite asserts there are none).
 */
extern bool gs_inspect_comparing (void);

/* apps.c: the "applications" operation. */
extern int gs_inspect_applications (struct gs_ctx *ctx, guestfs_h *g,
                                    const char *root);
/* icon.c: the "icon" operation. */
extern int gs_inspect_icon (struct gs_ctx *ctx, guestfs_h *g,
                            const char *root);

#endif /* GS_INSPECT_OWN_H */
