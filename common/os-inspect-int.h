/* SPDX-License-Identifier: GPL-2.0-or-later */
/* os-inspect-int.h: goldsmith's own inspection (os-inspect.c), shared
 * with its fstab reader (os-fstab.c) and its comparison with
 * libguestfs's (os-compare.c).  Private to common/.
 */
#ifndef GS_OS_INSPECT_INT_H
#define GS_OS_INSPECT_INT_H

#include "goldsmith-int.h"

/* One block device of the launch, as blkid sees it. */
struct dev {
  char *name, *type, *uuid, *label, *partuuid, *partlabel;
};

struct root {
  char *dev;
  char *facts[GS_OS_NFACTS];
  char **fstab;                  /* "MP", "DEV" of every fstab entry kept
                                    (swap too), in fstab order */
  char **mps;                    /* "MP", "DEV" pairs, NULL-terminated */
  string_vector alts;            /* "MP", "DEV DEV..." of ambiguous IDs */
};

struct os_table {
  bool own;                      /* false: libguestfs's inspection ran */
  size_t n;
  struct root *roots;
};

enum { F_TYPE, F_DISTRO, F_PRODUCT, F_PKGFMT, F_PKGMGT, F_ARCH, F_HOST,
       F_MAJOR, F_MINOR };

/* Why the launch falls back to libguestfs (for -v), or NULL. */
struct scan {
  guestfs_h *g;
  char **devices;                /* list_devices */
  char **parts;                  /* list_partitions */
  struct dev *devs;
  size_t ndevs;
  bool full;                     /* GS_OS_OWN_FULL: the inspect family */
  const char *why;
  char whybuf[256];
};

/* os-inspect.c */
/* The first reason the launch cannot be inspected here is kept. */
extern void gs_int_os_unsure (struct scan *sc, const char *fs, ...)
  GS_PRINTF (2, 3);
extern bool gs_int_os_is_file (guestfs_h *g, const char *path, bool follow);
/* PATH's content (resolved inside the guest, at most 1 MiB, no NUL),
 * NUL-terminated, or NULL.
 */
extern char *gs_int_os_read_small (guestfs_h *g, const char *path);
extern void gs_int_os_shell_unquote (char *s);

/* os-fstab.c: the entries of ROOT's /etc/fstab (mounted at /) that
 * libguestfs keeps, "MP", "DEV" pairs in fstab order (swap's MP is
 * what the file says, "swap" or "none"); ALTS gets "MP", "DEV DEV..."
 * where an ID is on several devices.  NULL: unsure (said in SC) or an
 * error.
 */
extern char **gs_int_os_fstab (struct scan *sc, const char *root,
                               string_vector *alts);
/* From those entries, as libguestfs derives them: the mountpoints
 * (the entries whose MP is a path; "/", ROOT for an empty fstab) and
 * the filesystems (every entry's device; ROOT for an empty fstab).
 */
extern char **gs_int_os_fstab_mountpoints (char **fstab, const char *root);
extern char **gs_int_os_fstab_filesystems (char **fstab, const char *root);

/* os-compare.c: GOLDSMITH_INSPECT_COMPARE=1, OWN against libguestfs's
 * inspection (which has run), one line per difference and a summary.
 */
extern void gs_int_os_compare (guestfs_h *g, const struct os_table *own,
                               const char *why);

#endif /* GS_OS_INSPECT_INT_H */
