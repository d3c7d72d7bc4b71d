/* SPDX-License-Identifier: GPL-2.0-or-later */
/* disks.c: check each disk before the appliance sees it.
 *
 * The format of a disk is never left to qemu to guess (CVE-2010-3851:
 * a raw guest disk whose first sector looks like a qcow2 header could
 * make qemu open a host file as its "backing file").  We read the
 * magic ourselves, then have `qemu-img info` open the image with that
 * explicit format, which also catches corrupt or truncated images with
 * one clear message before any appliance is launched.
 *
 * Files an image names (qcow2 backing files, an external data file,
 * vmdk extents) are host files the appliance would open and show to the
 * guest's operations, or write: an image whose backing file is
 * /etc/shadow would expose it.  So every member of a backing chain is
 * walked here, one qemu-img info each: its format probed by us (and,
 * where the image records one, required to agree), and it must lie in
 * the directory of the image the user named (or below).  External data
 * files are refused.  --allow-external-files (gs_int_disks_allow_external)
 * lifts both rules, for images the user trusts.
 */
#include <config.h>

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

/* The format named by the image's magic bytes; "raw" if none. */
char *
gs_int_probe_format (const char *path)
{
  unsigned char buf[512];
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  const char *fmt = "raw";

  if (fd == -1) {
    gs_error ("%s: cannot open: %m", path);
    return NULL;
  }
  n = pread (fd, buf, sizeof buf, 0);
  close (fd);
  if (n == -1) {
    gs_error ("%s: cannot read: %m", path);
    return NULL;
  }
  if (n >= 8 && memcmp (buf, "QFI\xfb", 4) == 0) {
    unsigned version = (unsigned) buf[4] << 24 | buf[5] << 16 |
      buf[6] << 8 | buf[7];
    fmt = version == 1 ? "qcow" : "qcow2";
  }
  else if (n >= 4 && memcmp (buf, "QED\0", 4) == 0)
    fmt = "qed";
  else if (n >= 4 && memcmp (buf, "KDMV", 4) == 0)
    fmt = "vmdk";
  else if (n >= 21 && memcmp (buf, "# Disk DescriptorFile", 21) == 0)
    fmt = "vmdk";
  else if (n >= 8 && memcmp (buf, "vhdxfile", 8) == 0)
    fmt = "vhdx";
  else if (n >= 8 && memcmp (buf, "conectix", 8) == 0)
    fmt = "vpc";
  else if (n >= 0x44 && buf[0x40] == 0x7f && buf[0x41] == 0x10 &&
           buf[0x42] == 0xda && buf[0x43] == 0xbe)
    fmt = "vdi";
  /* Formats qemu would also find by probing: with these, "raw" here
   * means raw to qemu too.
   */
  else if (n >= 6 && memcmp (buf, "LUKS\xba\xbe", 6) == 0)
    fmt = "luks";
  else if (n >= 22 && memcmp (buf, "Bochs Virtual HD Image", 22) == 0)
    fmt = "bochs";
  else if (n >= 16 && (memcmp (buf, "WithoutFreeSpace", 16) == 0 ||
                       memcmp (buf, "WithouFreSpacExt", 16) == 0))
    fmt = "parallels";
  else if (n >= 22 && memcmp (buf, "#!/bin/sh\n#V2.0 Format", 22) == 0)
    fmt = "cloop";

  return gs_xstrdup (fmt);
}

/* All of FD until EOF, NUL-terminated, or NULL. */
char *
gs_int_read_all (int fd)
{
  size_t len = 0, cap = 4096;
  char *buf = gs_xmalloc (cap);
  ssize_t n;

  while ((n = read (fd, buf + len, cap - len - 1)) > 0) {
    len += n;
    if (cap - len < 2)
      buf = gs_xrealloc (buf, cap *= 2);
  }
  buf[len] = '\0';
  return buf;
}

/* qemu says "Could not open 'F': Could not open 'F': REASON": REASON. */
static const char *
backing_reason (const char *err)
{
  const char *p;

  if (err == NULL)
    return "qemu-img failed";
  while (strncmp (err, "Could not open '", 16) == 0 &&
         (p = strstr (err + 16, "': ")) != NULL)
    err = p + 3;
  return err;
}

static bool allow_external;

void
gs_int_disks_allow_external (bool allow)
{
  allow_external = allow;
}

/* A name qemu opens as something other than a file (json:{...}, a URL). */
static bool
not_a_file (const char *name)
{
  return strncmp (name, "json:", 5) == 0 || strstr (name, "://") != NULL;
}

/* Is REAL (canonical) DIR itself or below it? */
static bool
inside (const char *real, const char *dir)
{
  size_t n = strlen (dir);

  return strncmp (real, dir, n) == 0 &&
    (real[n] == '/' || real[n] == '\0' || (n == 1 && dir[0] == '/'));
}

/* A file an image names (WHAT: "backing file", "external data file",
 * "extent"), NAMED as the image says, relative to the image's
 * directory IDIR: its canonical path, or NULL (reported).
 */
static char *
named_file (const char *image, const char *what, const char *named,
            const char *idir, const char *top_dir)
{
  CLEANUP_FREE char *joined = NULL;
  char *real;

  if (not_a_file (named)) {
    if (allow_external)
      return gs_xstrdup (named);
    gs_error ("%s: its %s is not a file ('%s'): refused (a trusted image: "
              "--allow-external-files)", image, what, named);
    return NULL;
  }
  if (named[0] != '/')
    joined = gs_xasprintf ("%s/%s", idir, named);
  if ((real = realpath (joined ? joined : named, NULL)) == NULL) {
    gs_error ("%s: its %s '%s' cannot be opened: %m", image, what, named);
    return NULL;
  }
  if (!allow_external && !inside (real, top_dir)) {
    gs_error ("%s: its %s '%s' is outside %s, the directory of the image "
              "given: refused (a trusted image: --allow-external-files)",
              image, what, named, top_dir);
    free (real);
    return NULL;
  }
  return real;
}

/* INFO (qemu-img info of PATH, format FMT): refuse an external data
 * file and extents outside TOP_DIR; the backing file, checked, into
 * *BACKING (NULL: none) with its format into *BFMT.
 */
static int
check_references (const char *image, const char *path, json_object *info,
                  const char *top_dir, char **backing, char **bfmt)
{
  CLEANUP_FREE char *copy = gs_xstrdup (path);
  const char *idir;
  json_object *fs, *data, *v, *extents;

  *backing = *bfmt = NULL;
  idir = dirname (copy);
  if (json_object_object_get_ex (info, "format-specific", &fs) &&
      json_object_object_get_ex (fs, "data", &data)) {
    if (json_object_object_get_ex (data, "data-file", &v) &&
        !allow_external) {
      gs_error ("%s: it keeps its data in another file, '%s' (a qcow2 "
                "external data file): refused (a trusted image: "
                "--allow-external-files)", image, json_object_get_string (v));
      return -1;
    }
    if (json_object_object_get_ex (data, "extents", &extents) &&
        json_object_is_type (extents, json_type_array))
      for (size_t i = 0; i < json_object_array_length (extents); ++i) {
        json_object *e = json_object_array_get_idx (extents, i);
        CLEANUP_FREE char *real = NULL;

        if (!json_object_object_get_ex (e, "filename", &v))
          continue;
        if ((real = named_file (image, "extent", json_object_get_string (v),
                                idir, top_dir)) == NULL)
          return -1;
      }
  }
  if (!json_object_object_get_ex (info, "backing-filename", &v))
    return 0;
  if ((*backing = named_file (image, "backing file",
                              json_object_get_string (v), idir,
                              top_dir)) == NULL)
    return -1;
  if (json_object_object_get_ex (info, "backing-filename-format", &v))
    *bfmt = gs_xstrdup (json_object_get_string (v));
  return 0;
}

/* Walk the backing chain below the image DISK (whose qemu-img info is
 * INFO): each member opened by qemu-img info with the format we probe,
 * which must agree with the one recorded, if any.
 */
static int
check_chain (const struct gs_disk *disk, json_object *info)
{
  CLEANUP_FREE char *real = realpath (disk->path, NULL);
  CLEANUP_FREE char *top_dir = NULL;
  char *backing = NULL, *bfmt = NULL;
  json_object *own = NULL;
  int r = -1;

  if (real == NULL || (top_dir = strdup (real)) == NULL) {
    gs_error ("%s: %m", disk->path);
    return -1;
  }
  if (S_ISBLK (disk->mode))
    strcpy (top_dir, "/dev");
  else {
    const char *d = dirname (top_dir);

    memmove (top_dir, d, strlen (d) + 1);
  }
  if (check_references (disk->path, real, info, top_dir, &backing,
                        &bfmt) == -1)
    goto out;
  for (int depth = 1; backing; ++depth) {
    CLEANUP_FREE char *fmt = NULL, *err = NULL;
    char *next = NULL, *nfmt = NULL;

    if (depth > 16) {
      gs_error ("%s: its backing chain is longer than 16 files: refused",
                disk->path);
      goto out;
    }
    if (not_a_file (backing))
      break;                     /* allowed, and not a file to walk */
    if ((fmt = gs_int_probe_format (backing)) == NULL)
      goto out;
    if (bfmt && strcmp (bfmt, fmt) != 0) {
      gs_error ("%s: its backing file '%s' is %s by its content, but the "
                "image says it is %s: refused", disk->path, backing, fmt,
                bfmt);
      goto out;
    }
    if (gs_int_qemu_img_info (backing, fmt, true, &own, &err) != 0) {
      gs_error ("%s: its backing file '%s' cannot be opened: %s",
                disk->path, backing, backing_reason (err));
      goto out;
    }
    if (check_references (disk->path, backing, own, top_dir, &next,
                          &nfmt) == -1)
      goto out;
    json_object_put (own);
    own = NULL;
    free (backing);
    free (bfmt);
    backing = next;
    bfmt = nfmt;
  }
  r = 0;
 out:
  json_object_put (own);
  free (backing);
  free (bfmt);
  return r;
}

/* A disk named by a URI: its form, its format (read from its first
 * sector by us when not given: qemu never probes), its size; a remote
 * qcow2 may not name a backing file (unless trusted).  Not locked.
 */
static int
remote_check (struct gs_disk *disk, const char *label)
{
  CLEANUP_FREE char *err = NULL;
  json_object *info, *v;
  bool backing;

  if (gs_int_uri_check (disk->path, label, !disk->readonly) == -1)
    return -1;
  if (disk->format == NULL) {
    unsigned char head[512];
    struct gs_disk raw = *disk;

    raw.format = (char *) "raw";
    if (gs_int_read_head (&raw, head, sizeof head) != (ssize_t) sizeof head) {
      gs_error ("%s: cannot read the disk (is the server there?)", label);
      return -1;
    }
    disk->format = gs_xstrdup (memcmp (head, "QFI\xfb", 4) == 0 ? "qcow2"
                                                                : "raw");
  }
  switch (gs_int_qemu_img_info (disk->path, disk->format, false, &info,
                                &err)) {
  case -1:
    gs_error ("%s: cannot open it as a %s disk: %s", label, disk->format,
              err ? err : "qemu-img failed");
    return -1;
  case -2:
    gs_error ("%s: qemu-img info printed no JSON", label);
    return -1;
  }
  if (json_object_object_get_ex (info, "virtual-size", &v))
    disk->virtual_size = json_object_get_int64 (v);
  backing = json_object_object_get_ex (info, "backing-filename", &v);
  json_object_put (info);
  if (backing && !allow_external) {
    gs_error ("%s: a remote image with a backing file: refused (a trusted "
              "image: --allow-external-files)", label);
    return -1;
  }
  return 0;
}

static int
disk_check (struct gs_disk *disk)
{
  struct stat st;
  CLEANUP_FREE char *err = NULL;
  json_object *info, *vs;
  int code;
  /* Named as the user named it: the XML's disk, else the path. */
  CLEANUP_FREE char *label = NULL;

  {
    /* A path with a newline or escape would make the message two lines
     * or a terminal's command: such bytes are shown escaped.
     */
    CLEANUP_FREE char *shown = gs_int_printable (disk->path);

    if (asprintf (&label, "%s%s%s%s", disk->origin ? disk->origin : "",
                  disk->origin ? " (" : "", shown ? shown : disk->path,
                  disk->origin ? ")" : "") == -1)
      label = NULL;
  }

  if (disk->remote)
    return remote_check (disk, label ? label : disk->path);
  if (stat (disk->path, &st) == -1) {
    gs_error ("%s: %m", label ? label : disk->path);
    return -1;
  }
  if (!S_ISREG (st.st_mode) && !S_ISBLK (st.st_mode)) {
    gs_error ("%s: not a regular file or block device",
              label ? label : disk->path);
    return -1;
  }
  if (S_ISREG (st.st_mode) && st.st_size < 512) {
    gs_error ("%s: too small to be a disk image (%lld bytes)",
              label ? label : disk->path, (long long) st.st_size);
    return -1;
  }
  if (access (disk->path, disk->readonly ? R_OK : R_OK | W_OK) == -1) {
    gs_error ("%s: cannot open %s: %m", label ? label : disk->path,
              disk->readonly ? "for reading" : "for writing");
    return -1;
  }
  if (disk->format == NULL &&
      (disk->format = gs_int_probe_format (disk->path)) == NULL)
    return -1;

  switch (gs_int_qemu_img_info (disk->path, disk->format, true, &info,
                                &err)) {
  case -1:
    gs_error ("%s: not a valid %s disk image: %s", disk->path, disk->format,
              err ? err : "qemu-img failed");
    return -1;
  case -2:
    gs_error ("%s: qemu-img info printed no JSON", disk->path);
    return -1;
  }
  if (json_object_object_get_ex (info, "virtual-size", &vs))
    disk->virtual_size = json_object_get_int64 (vs);
  disk->mode = st.st_mode;
  code = check_chain (disk, info);
  json_object_put (info);
  if (code == -1)
    return -1;

  /* A truncated or damaged qcow2 opens fine; its metadata is checked
   * here (a few reads, even on big images) instead.
   */
  if (strcmp (disk->format, "qcow2") == 0) {
    const char *argv[] = { "qemu-img", "check", "-q", "-U", "-f", "qcow2",
                           disk->path, NULL };
    CLEANUP_FREE char *out = NULL;

    free (err);
    err = NULL;
    out = gs_int_qemu_img_on (argv, disk->path, &err, &code);
    if (out == NULL) {
      gs_error ("%s: corrupt qcow2 disk image (qemu-img check: %s)",
                disk->path,
                code == 2 ? "errors in its metadata; it may be truncated"
                : err && err[0] ? err : "failed");
      return -1;
    }
  }
  gs_debug ("%s: format %s, virtual size %lld", disk->path, disk->format,
            (long long) disk->virtual_size);
  return 0;
}

int
gs_int_disk_check (struct gs_disk *disk)
{
  const char *was = gs_int_set_current_image (disk->path);
  int r = disk_check (disk);

  gs_int_set_current_image (was);
  return r;
}
