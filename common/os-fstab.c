/* SPDX-License-Identifier: GPL-2.0-or-later */
/* os-fstab.c: a Linux root's mountpoints from its /etc/fstab, named as
 * libguestfs's inspection names them (UUID=, LABEL=, PARTUUID=,
 * PARTLABEL=, /dev/root, /dev/sdX, /dev/vdX, /dev/xvdX, /dev/mapper
 * names, /dev/disk/by-uuid), for os-inspect.c.  A line it cannot place
 * makes the launch unsure: libguestfs's inspection is used instead.
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "goldsmith-int.h"
#include "cleanups.h"
#include "os-inspect-int.h"

/* The first device whose WHAT is VAL; with *ALTS (if not NULL) set to
 * every such device, space-separated, when there are several (clones:
 * which one libguestfs's blkid picks is arbitrary, and mount.c mounts
 * the guest's own in a shared launch).
 */
static const struct dev *
find_dev (const struct scan *sc, const char *what, const char *val,
          char **alts)
{
  const struct dev *first = NULL;

  if (alts)
    *alts = NULL;
  for (size_t i = 0; i < sc->ndevs; ++i) {
    const struct dev *d = &sc->devs[i];
    const char *v = strcmp (what, "UUID") == 0 ? d->uuid
      : strcmp (what, "LABEL") == 0 ? d->label
      : strcmp (what, "PARTUUID") == 0 ? d->partuuid : d->partlabel;

    if (v == NULL || (strcmp (what, "PARTUUID") == 0 ? strcasecmp (v, val)
                                                     : strcmp (v, val)) != 0)
      continue;
    if (first == NULL)
      first = d;
    else if (alts) {
      char *a = gs_xasprintf ("%s %s", *alts ? *alts : first->name, d->name);
      free (*alts);
      *alts = a;
    }
  }
  return first;
}

/* "///usr//local//" -> "/usr/local", in place. */
static void
canonical_path (char *p)
{
  size_t j = 0;

  for (size_t i = 0; p[i]; ++i)
    if (!(p[i] == '/' && j > 0 && p[j - 1] == '/'))
      p[j++] = p[i];
  while (j > 1 && p[j - 1] == '/')
    j--;
  p[j] = '\0';
}

static bool
starts (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

static bool
is_lv (const struct scan *sc, const char *dev)
{
  for (size_t i = 0; i < sc->ndevs; ++i)
    if (strcmp (sc->devs[i].name, dev) == 0)
      return true;
  return false;
}

/* A guest's /dev name as the appliance has it (libguestfs's rules), a
 * new string; or NULL with SC->why set when goldsmith cannot tell.
 */
static char *
resolve_device (struct scan *sc, const char *spec, const char *root)
{
  if (strcmp (spec, "/dev/root") == 0)
    return gs_xstrdup (root);
  if (starts (spec, "/dev/mapper/")) {
    /* VG-LV, a '-' in a name doubled: back to /dev/VG/LV. */
    const char *n = spec + 12;
    char vg[256], lv[256];
    size_t a = 0, b = 0;
    bool in_lv = false;

    for (const char *p = n; *p; ++p) {
      if (*p == '-' && p[1] == '-') {
        if (in_lv ? b >= sizeof lv - 1 : a >= sizeof vg - 1)
          break;
        if (in_lv) lv[b++] = '-'; else vg[a++] = '-';
        p++;
      }
      else if (*p == '-' && !in_lv)
        in_lv = true;
      else if (in_lv ? b < sizeof lv - 1 : a < sizeof vg - 1) {
        if (in_lv) lv[b++] = *p; else vg[a++] = *p;
      }
    }
    vg[a] = lv[b] = '\0';
    if (in_lv && a && b) {
      char *d = gs_xasprintf ("/dev/%s/%s", vg, lv);
      if (is_lv (sc, d))
        return d;
      free (d);
    }
    gs_int_os_unsure (sc, "an fstab device goldsmith cannot place (%s)", spec);
    return NULL;
  }
  /* /dev/(h|s|v|xv)d[a-z]+\d*: the Nth disk of the appliance. */
  {
    const char *p = spec + 5;
    if (starts (p, "xvd")) p += 3;
    else if ((p[0] == 'h' || p[0] == 's' || p[0] == 'v') && p[1] == 'd')
      p += 2;
    else p = NULL;
    if (p && islower ((unsigned char) *p)) {
      const char *q = p;
      long idx = 0;

      while (islower ((unsigned char) *q))
        idx = idx * 26 + (*q++ - 'a' + 1);
      idx--;
      if (*q == '\0' || isdigit ((unsigned char) *q)) {
        bool digits = true;
        size_t nd = 0;

        for (const char *r = q; *r; ++r)
          digits = digits && isdigit ((unsigned char) *r);
        while (sc->devices[nd])
          nd++;
        if (digits) {
          if (idx >= 0 && (size_t) idx < nd) {
            char *d = gs_xasprintf ("%s%s", sc->devices[idx], q);
            for (size_t i = 0; sc->parts[i]; ++i)
              if (strcmp (sc->parts[i], d) == 0)
                return d;
            free (d);
          }
          return gs_xstrdup (spec);  /* libguestfs keeps it as written */
        }
      }
    }
  }
  if (starts (spec, "/dev/disk/by-uuid/")) {
    const struct dev *d = find_dev (sc, "UUID", spec + 18, NULL);
    return gs_xstrdup (d ? d->name : spec);
  }
  if (is_lv (sc, spec) && strncmp (spec, "/dev/sd", 7) != 0)
    return gs_xstrdup (spec);    /* /dev/VG/LV */
  gs_int_os_unsure (sc, "an fstab device goldsmith cannot place (%s)", spec);
  return NULL;
}

/* ROOT's fstab entries as libguestfs keeps them ("MP", "DEV" pairs).
 * NULL: unsure (said in SC).
 */
char **
gs_int_os_fstab (struct scan *sc, const char *root, string_vector *alts)
{
  CLEANUP_FREE char *tab = NULL;
  string_vector v = empty_vector;
  char *line, *save = NULL;
  size_t nroot = 0;

  if (!gs_int_os_is_file (sc->g, "/etc/fstab", false))
    goto done;
  if ((tab = gs_int_os_read_small (sc->g, "/etc/fstab")) == NULL) {
    gs_int_os_unsure (sc, "an unreadable %s", "/etc/fstab");
    goto fail;
  }
  for (line = strtok_r (tab, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save)) {
    char *f[6] = { 0 }, *s2 = NULL;
    size_t nf = 0;
    const char *qa = NULL, *what = NULL;
    char *dev = NULL;

    while (isspace ((unsigned char) *line))
      line++;
    if (*line == '\0' || *line == '#')
      continue;
    for (char *w = strtok_r (line, " \t", &s2); w && nf < 6;
         w = strtok_r (NULL, " \t", &s2))
      f[nf++] = w;
    if (nf < 3 || strchr (line, '\\') || strchr (f[nf - 1], '#')) {
      gs_int_os_unsure (sc, "an fstab line goldsmith does not read (%s)",
                        line);
      goto fail;
    }
    if ((starts (f[0], "/dev/fd") && isdigit ((unsigned char) f[0][7])) ||
        (starts (f[0], "/dev/cd") && isdigit ((unsigned char) f[0][7])) ||
        strcmp (f[0], "/dev/floppy") == 0 ||
        strcmp (f[0], "/dev/cdrom") == 0 ||
        starts (f[0], "/dev/iso9660/"))
      continue;
    canonical_path (f[1]);
    if (starts (f[1], "/dev/") || strcmp (f[1], "/dev") == 0 ||
        starts (f[1], "/media/") || starts (f[1], "/proc/") ||
        strcmp (f[1], "/proc") == 0 || starts (f[1], "/selinux/") ||
        strcmp (f[1], "/selinux") == 0 || starts (f[1], "/sys/") ||
        strcmp (f[1], "/sys") == 0)
      continue;
    if (strcmp (f[2], "btrfs") == 0) {
      gs_int_os_unsure (sc, "a btrfs filesystem in fstab (%s)", f[1]);
      goto fail;
    }
    if (starts (f[0], "UUID=")) what = "UUID", qa = f[0] + 5;
    else if (starts (f[0], "LABEL=")) what = "LABEL", qa = f[0] + 6;
    else if (starts (f[0], "PARTUUID=")) what = "PARTUUID", qa = f[0] + 9;
    else if (starts (f[0], "PARTLABEL=")) what = "PARTLABEL", qa = f[0] + 10;
    if (what) {
      CLEANUP_FREE char *val = gs_xstrdup (qa);
      char *alt = NULL;
      const struct dev *d;

      gs_int_os_shell_unquote (val);
      if ((d = find_dev (sc, what, val, &alt)) == NULL)
        continue;                /* libguestfs ignores it too */
      dev = gs_xstrdup (d->name);
      if (alt) {
        string_vector_append_copy (alts, f[1]);
        string_vector_append (alts, alt);
      }
    }
    else if (starts (f[0], "/dev/")) {
      if ((dev = resolve_device (sc, f[0], root)) == NULL)
        goto fail;
    }
    else
      continue;                  /* tmpfs, none, proc ... */
    /* An MP that is not a path (swap's "swap" or "none") is kept: it
     * is one of inspect_get_filesystems's, not a mountpoint.
     */
    if (strcmp (f[1], "/") == 0 && nroot++ > 0) {
      free (dev);
      gs_int_os_unsure (sc, "an fstab with two root entries");
      goto fail;
    }
    string_vector_append_copy (&v, f[1]);
    string_vector_append (&v, dev);
  }
 done:
  string_vector_append (&v, NULL);
  return v.ptr;
 fail:
  string_vector_free_all (&v);
  return NULL;
}

char **
gs_int_os_fstab_mountpoints (char **fstab, const char *root)
{
  string_vector v = empty_vector;

  if (fstab[0] == NULL) {
    string_vector_append_copy (&v, "/");
    string_vector_append_copy (&v, root);
  }
  for (size_t i = 0; fstab[i]; i += 2)
    if (fstab[i][0] == '/') {
      string_vector_append_copy (&v, fstab[i]);
      string_vector_append_copy (&v, fstab[i + 1]);
    }
  string_vector_append (&v, NULL);
  return v.ptr;
}

char **
gs_int_os_fstab_filesystems (char **fstab, const char *root)
{
  string_vector v = empty_vector;

  if (fstab[0] == NULL)
    string_vector_append_copy (&v, root);
  for (size_t i = 0; fstab[i]; i += 2)
    string_vector_append_copy (&v, fstab[i + 1]);
  string_vector_append (&v, NULL);
  return v.ptr;
}

