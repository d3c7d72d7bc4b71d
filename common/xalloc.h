/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xalloc.h: the core's side of the checked allocators (xalloc.c).
 * gs_xmalloc and the others are part of the plugin API and declared in
 * goldsmith-plugin.h, which the core includes too.
 */
#ifndef GS_XALLOC_H
#define GS_XALLOC_H

/* Say "out of memory", remove this process's scratch files, and end
 * the process with GS_EXIT_ERROR.  For the odd allocation that does
 * not go through a gs_x* function (a library's that returns NULL).
 */
extern void gs_int_out_of_memory (void) __attribute__((noreturn));

/* scratch.c: remove now the scratch files this process registered
 * (not those a forked child inherited from its parent).
 */
extern void gs_int_scratch_remove_all (void);

#endif /* GS_XALLOC_H */
