/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacman.c: an Arch Linux package from its desc file
 * (/var/lib/pacman/local/NAME-VERSION/desc), as libguestfs 1.48 lists
 * it (lib/inspect-apps.c, list_applications_pacman):
 *
 * - a line %NAME%, %VERSION%, %DESC%, %URL% or %ARCH% makes the next
 *   line its value, unless that line is empty (which cancels it): only
 *   a value's first line, and the last one given for a key wins; any
 *   other line is skipped;
 * - NAME, VERSION and ARCH are needed; VERSION is [EPOCH:]VER-REL, cut
 *   at its first ':' and then at its first '-'; the package is left out
 *   unless EPOCH is a whole number and VER and REL are not empty;
 * - DESC is the description (the summary stays empty);
 * - a line ends at a NUL byte; the bytes are kept as they are.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "pkgdb.h"

int
gs_pacman_parse_desc (FILE *fp, struct gs_app_list *l)
{
  static const char *const keys[] = {
    "%NAME%", "%VERSION%", "%DESC%", "%URL%", "%ARCH%",
  };
  enum { K_NAME, K_VERSION, K_DESC, K_URL, K_ARCH, K_N };
  char *v[K_N] = { NULL }, *line = NULL, *ver, *rel;
  char **key = NULL;
  size_t cap = 0;
  ssize_t len;
  int32_t epoch;
  int r;

  while ((len = getline (&line, &cap, fp)) != -1) {
    if (len > 0 && line[len - 1] == '\n')
      line[--len] = '\0';
    if (len == 0)
      key = NULL;
    else if (key) {
      gs_pkg_set (key, line);
      key = NULL;
    }
    else
      for (size_t k = 0; k < K_N; ++k)
        if (strcmp (line, keys[k]) == 0)
          key = &v[k];
  }
  r = ferror (fp) ? -1 : 0;
  free (line);
  if (v[K_NAME] && v[K_VERSION] && v[K_ARCH]) {
    ver = gs_pkg_split_version (v[K_VERSION], &epoch, &rel);
    if (rel && epoch >= 0 && ver[0] && rel[0])
      gs_app_add (l, v[K_NAME], "", epoch, ver, rel, v[K_ARCH], "", "",
                  v[K_URL], "", "", v[K_DESC]);
  }
  for (size_t k = 0; k < K_N; ++k)
    free (v[k]);
  return r;
}
