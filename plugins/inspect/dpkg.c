/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dpkg.c: a Debian guest's applications from /var/lib/dpkg/status,
 * exactly as libguestfs 1.48 lists them (lib/inspect-apps.c,
 * list_applications_deb), so that goldsmith inspect prints what
 * virt-inspector prints.  Its reading is kept, odd corners included:
 *
 * - lines are read 1023 bytes at a time (a longer line goes on as a
 *   line of its own) and end at a NUL byte;
 * - a stanza counts if its Status contains "installed" anywhere (so
 *   "not-installed" and "half-installed" too, not "config-files") and
 *   it has Package and Version, and only when a blank line ends it (a
 *   last stanza without one is dropped);
 * - Version is split at its FIRST ':' (epoch, a whole decimal number or
 *   the package is dropped) and then at its FIRST '-' (release);
 * - Source keeps the name before a space, Homepage is the URL,
 *   Description's first line the summary and its continuation lines
 *   (a leading space removed, '\n' between) the description;
 * - the bytes are kept as they are (the report escapes them).
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "pkgdb.h"

static bool
prefix (const char *s, const char *p)
{
  return strncmp (s, p, strlen (p)) == 0;
}

int
gs_dpkg_parse (FILE *fp, struct gs_app_list *l)
{
  char line[1024];
  char *name = NULL, *version = NULL, *release = NULL, *arch = NULL;
  char *url = NULL, *source = NULL, *summary = NULL, *description = NULL;
  char **cont = NULL;            /* the field continuation lines extend */
  size_t cont_len = 0;
  int32_t epoch = 0;
  bool installed = false;

  while (fgets (line, sizeof line, fp) != NULL) {
    size_t len = strlen (line);

    if (len > 0 && line[len - 1] == '\n')
      line[--len] = '\0';
    if (line[0] == ' ' && cont) {
      if (*cont == NULL) {
        *cont = gs_xstrdup (&line[1]);
        cont_len = len - 1;
      }
      else {
        *cont = gs_xrealloc (*cont, cont_len + len + 1);
        (*cont)[cont_len] = '\n';
        memcpy (*cont + cont_len + 1, &line[1], len);  /* with the NUL */
        cont_len += len;
      }
    }
    else
      cont = NULL;

    if (prefix (line, "Package: "))
      gs_pkg_set (&name, &line[9]);
    else if (prefix (line, "Status: "))
      installed = strstr (&line[8], "installed") != NULL;
    else if (prefix (line, "Version: ")) {
      char *rel, *v = gs_pkg_split_version (&line[9], &epoch, &rel);

      free (release);
      release = rel ? gs_xstrdup (rel) : NULL;
      gs_pkg_set (&version, v);
    }
    else if (prefix (line, "Architecture: "))
      gs_pkg_set (&arch, &line[14]);
    else if (prefix (line, "Homepage: "))
      gs_pkg_set (&url, &line[10]);
    else if (prefix (line, "Source: ")) {
      char *sp = strchr (&line[8], ' ');

      if (sp)
        *sp = '\0';              /* "foo (1.0)": foo */
      gs_pkg_set (&source, &line[8]);
    }
    else if (prefix (line, "Description: ")) {
      gs_pkg_set (&summary, &line[13]);
      cont = &description;
    }
    else if (line[0] == '\0') {
      if (installed && name && version && epoch >= 0)
        gs_app_add (l, name, "", epoch, version, release, arch, "", "",
                    url, source, summary, description);
      free (name); free (version); free (release); free (arch);
      free (url); free (source); free (summary); free (description);
      name = version = release = arch = url = source = summary =
        description = NULL;
      installed = false;
    }
  }
  free (name); free (version); free (release); free (arch);
  free (url); free (source); free (summary); free (description);
  return ferror (fp) ? -1 : 0;
}
