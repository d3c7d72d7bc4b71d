/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apk.c: an Alpine Linux guest's applications from
 * /lib/apk/db/installed, as libguestfs 1.48 lists them
 * (lib/inspect-apps.c, list_applications_apk):
 *
 * - each line is a letter, ':' and a value: P the name, V the version,
 *   A the architecture, U the url, T the description (the summary
 *   stays empty); other letters, and lines whose second byte is not
 *   ':', are skipped;
 * - V is [EPOCH:]VERSION-rRELEASE, cut at its first ':' and then at its
 *   first '-' (one leading 'r' of the release dropped); an EPOCH that
 *   is not a whole number leaves the package out; the epoch of a V
 *   without one is 0;
 * - a package counts when an empty line ends it (a last one without is
 *   dropped) and it has P and V;
 * - a line of one letter (no ':') makes libguestfs read past the line,
 *   whatever the buffer held: undefined, so goldsmith skips it;
 * - a line ends at a NUL byte; the bytes are kept as they are.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "pkgdb.h"

int
gs_apk_parse (FILE *fp, struct gs_app_list *l)
{
  char *name = NULL, *version = NULL, *release = NULL, *arch = NULL;
  char *url = NULL, *description = NULL, *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int32_t epoch = 0;
  int r;

  while ((len = getline (&line, &cap, fp)) != -1) {
    if (len > 0 && line[len - 1] == '\n')
      line[--len] = '\0';
    if (len > 1 && line[1] != ':')
      continue;
    if (len == 1 && line[0] != '\0')
      continue;                  /* undefined in libguestfs: see above */
    switch (line[0]) {
    case '\0':
      if (name && version && epoch >= 0)
        gs_app_add (l, name, "", epoch, version, release, arch, "", "",
                    url, "", "", description);
      free (name); free (version); free (release); free (arch);
      free (url); free (description);
      name = version = release = arch = url = description = NULL;
      break;
    case 'A': gs_pkg_set (&arch, &line[2]); break;
    case 'P': gs_pkg_set (&name, &line[2]); break;
    case 'T': gs_pkg_set (&description, &line[2]); break;
    case 'U': gs_pkg_set (&url, &line[2]); break;
    case 'V': {
      char *rel, *v = gs_pkg_split_version (&line[2], &epoch, &rel);

      free (release);
      release = rel ? gs_xstrdup (rel[0] == 'r' ? rel + 1 : rel) : NULL;
      gs_pkg_set (&version, v);
      break;
    }
    }
  }
  r = ferror (fp) ? -1 : 0;
  free (line);
  free (name); free (version); free (release); free (arch);
  free (url); free (description);
  return r;
}
