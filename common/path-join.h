/* SPDX-License-Identifier: GPL-2.0-or-later */
/* path-join.h: DIR + "/" + NAME for guest paths, without doubling the
 * slash when DIR is "/".  Header-only: the core and plugins share it
 * (plugins cannot call core-internal functions).
 */
#ifndef GS_PATH_JOIN_H
#define GS_PATH_JOIN_H

#include <stdio.h>
#include <string.h>

#include "goldsmith-plugin.h"    /* gs_xasprintf */

/* NAME is an entry of DIR (from ls) or a path under it (from find,
 * which starts them with '/': "/notes.txt", "/sub/x").  A malloc'd
 * string (never NULL: gs_xasprintf).
 */
static inline char *
gs_path_join (const char *dir, const char *name)
{
  while (name[0] == '/')
    name++;
  return gs_xasprintf ("%s%s%s", dir, strcmp (dir, "/") ? "/" : "", name);
}

#endif /* GS_PATH_JOIN_H */
