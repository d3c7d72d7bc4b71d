/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fs-uuids: give every filesystem of the guest a new random UUID, then
 * update the guest's references to the old UUIDs that goldsmith knows
 * how to edit: /etc/fstab (through Augeas' Fstab lens) and, textually,
 * the boot loader's configuration.
 *
 * A device operation: the guest is unmounted while the UUIDs change;
 * afterwards each root's filesystems are mounted again, briefly, to
 * edit the references.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "goldsmith-plugin.h"
#include "string-vector.h"
#include "cleanups.h"
#include "config-util.h"
#include "edit-util.h"

static bool swap_too;            /* also swap (resume=UUID=... breaks) */
static bool fix_fstab = true;
static string_vector files = empty_vector;    /* globs, textual update */
static bool files_seen;

static const struct gs_config_key keys[] = {
  { "swap", GS_KEY_BOOL, "also change the UUIDs of swap partitions (default false: resume=UUID= on the kernel command line and in the initramfs would no longer match)" },
  { "fstab", GS_KEY_BOOL, "update UUID= references in /etc/fstab (default true)" },
  { "update-files", GS_KEY_STRINGS, "guest files (globs) in which each old UUID is replaced by the new one (default: the boot loader's configuration)" },
  { NULL, 0, NULL },
};

/* Replacing a UUID by another is a same-length, textual edit: safe in
 * grub.cfg and also in grubenv, a fixed-size block.
 */
static const char *const default_files[] = {
  "/etc/default/grub",
  "/etc/kernel/cmdline",
  "/boot/grub2/grub.cfg",
  "/boot/grub2/grubenv",
  "/boot/grub/grub.cfg",
  "/boot/grub/grubenv",
  "/boot/efi/EFI/*/grub.cfg",
  "/boot/loader/entries/*.conf",
  NULL,
};

/* Filesystem types whose UUID libguestfs can set (guestfs_set_uuid). */
static const char *const settable[] = {
  "ext2", "ext3", "ext4", "xfs", "btrfs", "swap", NULL,
};

struct change {
  const char *dev;
  char *old;                     /* as blkid reports it; "" if none */
  char new[37];                  /* "" in a dry run */
};

static int
fs_uuids_configure (struct gs_op *op, const config_setting_t *section)
{
  (void) op;
  gs_config_get_bool (section, "swap", &swap_too);
  gs_config_get_bool (section, "fstab", &fix_fstab);
  gs_config_get_strings (section, "update-files", &files, &files_seen);
  for (size_t i = 0; i < files.len; ++i)
    if (files.ptr[i][0] != '/') {
      const config_setting_t *s = config_setting_get_member (section,
                                                             "update-files");
      gs_error ("%s:%u: update-files[%zu]: expected an absolute path, not "
                "\"%s\"", config_setting_source_file (s),
                config_setting_source_line (s), i, files.ptr[i]);
      return -1;
    }
  return 0;
}

static int
fs_uuids_config_complete (struct gs_op *op)
{
  (void) op;
  if (files_seen)
    return 0;
  for (size_t i = 0; default_files[i]; ++i)
    string_vector_append_copy (&files, default_files[i]);
  return 0;
}

static bool
in_list (const char *const *list, const char *s)
{
  for (size_t i = 0; list[i]; ++i)
    if (strcmp (list[i], s) == 0)
      return true;
  return false;
}

/* A random (version 4) UUID, lower case as blkid prints them. */
static int
random_uuid (char out[37])
{
  unsigned char b[16];

  if (getrandom (b, sizeof b, 0) != (ssize_t) sizeof b) {
    gs_error ("getrandom: %m");
    return -1;
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  snprintf (out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
            "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
            b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return 0;
}

/* Set a new UUID on one filesystem.  -1 (with a warning given) if it
 * could not be changed; the operation goes on with the others.
 */
static int
set_new_uuid (guestfs_h *g, struct change *c, const char *type)
{
  int r;

  if (random_uuid (c->new) == -1)
    return -1;
  gs_quiet_begin (g);
  r = guestfs_set_uuid (g, c->dev, c->new);
  /* tune2fs refuses to rewrite the checksums of a metadata_csum
   * filesystem mounted since it was last checked (every guest that has
   * booted): check it (e2fsck -f -p, as virt-resize does), then retry.
   */
  if (r == -1 && strncmp (type, "ext", 3) == 0) {
    gs_debug ("%s: set_uuid: %s; checking the filesystem first", c->dev,
              guestfs_last_error (g));
    if (guestfs_e2fsck (g, c->dev, GUESTFS_E2FSCK_CORRECT, 1, -1) == 0)
      r = guestfs_set_uuid (g, c->dev, c->new);
  }
  if (r == -1) {
    const char *msg = guestfs_last_error (g);

    gs_warning ("%s: cannot set a new UUID on this %s filesystem (kept): %s",
                c->dev, type, msg && msg[0] ? msg : "unknown error");
  }
  gs_quiet_end (g);
  if (r == 0)
    gs_debug ("%s: UUID %s -> %s", c->dev, c->old, c->new);
  return r;
}

/* The new spelling of SPEC if it refers to a changed filesystem by
 * UUID (UUID=x, UUID="x", /dev/disk/by-uuid/x), else NULL.  In a dry
 * run the new UUID is not known: SPEC itself is returned.
 */
static char *
new_spec (const char *spec, const struct change *ch, size_t n)
{
  static const char *const prefixes[] = {
    "UUID=\"", "UUID=", "/dev/disk/by-uuid/", NULL,
  };

  for (size_t p = 0; prefixes[p]; ++p) {
    size_t plen = strlen (prefixes[p]);
    const char *u = spec + plen;
    size_t ulen;

    if (strncasecmp (spec, prefixes[p], plen) != 0)
      continue;
    ulen = strcspn (u, "\"");
    for (size_t i = 0; i < n; ++i) {
      char *s;

      if (ch[i].old[0] == '\0' || strlen (ch[i].old) != ulen ||
          strncasecmp (u, ch[i].old, ulen) != 0)
        continue;
      if (ch[i].new[0] == '\0')
        return strdup (spec);
      if (asprintf (&s, "%.*s%s%s", (int) plen, spec, ch[i].new,
                    u + ulen) == -1)
        return NULL;
      return s;
    }
    return NULL;
  }
  return NULL;
}

/* Is PATH a regular file (not a symlink: one with an absolute target
 * would be followed outside the guest) that operations may change?
 */
static int
editable (struct gs_ctx *ctx, guestfs_h *g, const char *path)
{
  int r = guestfs_is_file_opts (g, path,
                                GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 0, -1);

  if (r != 1)
    return r;
  if (gs_path_protected (ctx, path)) {
    gs_warning ("%s: protected by --exclude-path: its UUID references are "
                "not updated", path);
    return 0;
  }
  return 1;
}

/* Name for the report: the path, prefixed by the root's device when it
 * is not the root being prepared (multi-boot guests).
 */
static int
report (struct gs_ctx *ctx, const char *this_root, const char *root,
        const char *path, int64_t bytes)
{
  CLEANUP_FREE char *name = NULL;

  if (strcmp (this_root, root) == 0)
    return gs_report_path (ctx, path, GS_ACTION_CHANGED, bytes);
  name = gs_xasprintf ("%s:%s", root, path);
  return gs_report_path (ctx, name, GS_ACTION_CHANGED, bytes);
}

static int
update_fstab (struct gs_ctx *ctx, guestfs_h *g, const char *this_root,
              const char *root, const struct change *ch, size_t n)
{
  CLEANUP_FREE_STRV char **specs = NULL;
  struct gs_aug a = { 0 };
  struct gs_aug_file *f;
  size_t changed = 0;
  int r = editable (ctx, g, "/etc/fstab");

  if (r != 1)
    return r;                    /* 0: nothing to edit */
  if ((f = gs_aug_open (&a, g, "Fstab", "/etc/fstab")) == NULL)
    goto fail;
  if (f->error) {
    gs_warning ("%s: /etc/fstab cannot be parsed: not updated", root);
    gs_aug_end (&a);
    return 0;
  }
  if ((specs = gs_aug_match (&a, f, "/*/spec")) == NULL)
    goto fail;
  for (size_t i = 0; specs[i]; ++i) {
    CLEANUP_FREE char *v = guestfs_aug_get (g, specs[i]);
    CLEANUP_FREE char *nv = NULL;

    if (v == NULL)
      goto fail;
    if ((nv = new_spec (v, ch, n)) == NULL)
      continue;
    changed++;
    if (!gs_dry_run (ctx)) {
      gs_debug ("%s: /etc/fstab: %s -> %s", root, v, nv);
      if (gs_aug_set (&a, f, specs[i], nv) == -1)
        goto fail;
    }
  }
  if (changed > 0 && !gs_dry_run (ctx) && gs_aug_save (&a) == -1)
    goto fail;
  gs_aug_end (&a);
  if (changed > 0)
    return report (ctx, this_root, root, "/etc/fstab",
                   guestfs_filesize (g, "/etc/fstab"));
  return 0;

 fail:
  gs_aug_end (&a);
  return -1;
}

/* Replace every old UUID by its new one in PATH, in place (the file
 * keeps its inode, owner, mode and SELinux label).
 */
static int
update_file (struct gs_ctx *ctx, guestfs_h *g, const char *this_root,
             const char *root, const char *path, const struct change *ch,
             size_t n)
{
  CLEANUP_FREE char *buf = NULL;
  size_t size, hits = 0;
  int64_t fsize;
  int r = editable (ctx, g, path);

  if (r != 1)
    return r;
  if ((fsize = guestfs_filesize (g, path)) == -1)
    return -1;
  if (fsize > 1024 * 1024) {
    gs_warning ("%s: larger than 1 MiB, its UUID references are not "
                "updated", path);
    return 0;
  }
  if ((buf = guestfs_read_file (g, path, &size)) == NULL)
    return -1;
  for (size_t i = 0; i < n; ++i) {
    size_t len = strlen (ch[i].old);
    char *p = buf;

    if (len == 0)
      continue;
    while ((p = memmem (p, size - (p - buf), ch[i].old, len)) != NULL) {
      hits++;
      /* Same length: the file's size never changes. */
      if (ch[i].new[0] && strlen (ch[i].new) == len)
        memcpy (p, ch[i].new, len);
      p += len;
    }
  }
  if (hits == 0)
    return 0;
  if (!gs_dry_run (ctx)) {
    gs_debug ("%s: %s: %zu UUID references updated", root, path, hits);
    if (guestfs_write (g, path, buf, size) == -1)
      return -1;
  }
  return report (ctx, this_root, root, path, size);
}

static int
by_length (const void *a, const void *b)
{
  const char *const *x = a, *const *y = b;
  size_t lx = strlen (*x), ly = strlen (*y);

  return lx != ly ? (lx < ly ? -1 : 1) : strcmp (*x, *y);
}

/* Mount ROOT's filesystems (read-only in a dry run), shortest
 * mountpoint first.  A root that cannot be mounted is a warning.
 */
static int
mount_root (struct gs_ctx *ctx, guestfs_h *g, const char *root)
{
  CLEANUP_FREE_STRV char **mps = gs_guest_mountpoints (g, root);
  CLEANUP_FREE char **mp = NULL;   /* the key strings, borrowed */
  size_t n = 0;

  if (mps == NULL)
    return -1;
  while (mps[2 * n])
    n++;
  mp = gs_xcalloc (n + 1, sizeof *mp);
  for (size_t i = 0; i < n; ++i)
    mp[i] = mps[2 * i];
  qsort (mp, n, sizeof *mp, by_length);
  for (size_t i = 0; i < n; ++i) {
    CLEANUP_FREE char *dev = NULL;
    int r;

    for (size_t j = 0; j < n && dev == NULL; ++j)
      if (mps[2 * j] == mp[i] &&
          (dev = gs_inspect_device (ctx, mps[2 * j + 1])) == NULL) {
        gs_error ("out of memory");
        return -1;
      }
    /* A clone's fstab (UUID=, LABEL=) may have found another guest's
     * filesystem in a shared launch: "/" is ROOT itself, and nothing of
     * another guest is mounted (or written).
     */
    if (strcmp (mp[i], "/") == 0) {
      free (dev);
      dev = gs_xstrdup (root);
    }
    else if (gs_guest_has_device (ctx, g, dev) != 1) {
      gs_warning ("%s: %s on %s is not this guest's: its UUID references "
                  "there are not updated", root, dev, mp[i]);
      continue;
    }
    gs_quiet_begin (g);
    r = gs_dry_run (ctx) ? guestfs_mount_ro (g, dev, mp[i])
                         : guestfs_mount (g, dev, mp[i]);
    if (r == -1)
      gs_warning ("%s: cannot mount %s on %s to update UUID references: %s",
                  root, dev, mp[i], guestfs_last_error (g));
    gs_quiet_end (g);
    if (r == -1 && strcmp (mp[i], "/") == 0)
      return 0;
  }
  return 1;
}

/* Update the references in every root of the guest: a multi-boot
 * guest's other roots may mount these filesystems too.
 */
static int
update_references (struct gs_ctx *ctx, guestfs_h *g, const char *this_root,
                   const struct change *ch, size_t n)
{
  CLEANUP_FREE_STRV char **roots = gs_guest_roots (g);
  int ret = 0;

  if (roots == NULL)
    return -1;
  for (size_t i = 0; roots[i] && ret == 0; ++i) {
    int r = gs_guest_has_device (ctx, g, roots[i]);

    if (r == 0)
      continue;                  /* another guest's, in a shared launch */
    if (r == 1)
      r = mount_root (ctx, g, roots[i]);

    if (r == 1 && fix_fstab)
      r = update_fstab (ctx, g, this_root, roots[i], ch, n) == -1 ? -1 : 1;
    for (size_t f = 0; r == 1 && f < files.len; ++f) {
      CLEANUP_FREE_STRV char **paths = guestfs_glob_expand (g, files.ptr[f]);

      if (paths == NULL) {
        r = -1;
        break;
      }
      for (size_t k = 0; paths[k] && r == 1; ++k)
        if (update_file (ctx, g, this_root, roots[i], paths[k], ch, n) == -1)
          r = -1;
    }
    if (r == -1)
      ret = -1;
    /* Device operations expect the guest unmounted. */
    if (guestfs_umount_all (g) == -1)
      ret = -1;
  }
  return ret;
}

static int
fs_uuids_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                  const char *root)
{
  CLEANUP_FREE_STRV char **fses = guestfs_list_filesystems (g);
  struct change *ch = NULL;
  size_t n = 0, nfs = 0;
  int ret = -1;

  (void) op;
  if (fses == NULL)
    return -1;
  while (fses[2 * nfs])
    nfs++;
  ch = gs_xcalloc (nfs + 1, sizeof *ch);

  for (size_t i = 0; i < nfs; ++i) {
    const char *dev = fses[2 * i], *type = fses[2 * i + 1];
    struct change *c = &ch[n];

    int own;

    if (strcmp (type, "unknown") == 0 ||
        strncmp (dev, "btrfsvol:", 9) == 0)
      continue;                  /* nothing there; or part of a btrfs */
    if ((own = gs_guest_has_device (ctx, g, dev)) == -1)
      goto out;
    if (own == 0)
      continue;                  /* another guest's, in a shared launch */
    if (strcmp (type, "swap") == 0 && !swap_too) {
      gs_debug ("%s: swap: UUID kept (set swap = true to change it)", dev);
      continue;
    }
    if (!in_list (settable, type)) {
      gs_warning ("%s: cannot set a new UUID on %s filesystems (kept)",
                  dev, type);
      continue;
    }
    c->dev = dev;
    gs_quiet_begin (g);
    c->old = guestfs_vfs_uuid (g, dev);
    gs_quiet_end (g);
    if (c->old == NULL)
      c->old = gs_xstrdup ("");
    if (!gs_dry_run (ctx) && set_new_uuid (g, c, type) == -1) {
      free (c->old);
      c->old = NULL;
      continue;
    }
    n++;
    if (gs_report_path (ctx, dev, GS_ACTION_CHANGED, -1) == -1)
      goto out;
  }

  if (n == 0) {
    gs_not_applicable (ctx, "no filesystem whose UUID can be changed");
    ret = 0;
  }
  else
    ret = update_references (ctx, g, root, ch, n);

 out:
  for (size_t i = 0; i < nfs; ++i)
    free (ch[i].old);
  free (ch);
  return ret;
}

static void
fs_uuids_unload (struct gs_op *op)
{
  (void) op;
  string_vector_free_all (&files);
}

static const struct gs_operation fs_uuids = {
  .name = "fs-uuids",
  .family = "sysprep",
  .heading = "Change filesystem UUIDs",
  .description =
    "Give every filesystem of the guest (as listed by libguestfs: "
    "partitions, logical volumes, RAID devices) a new random UUID, so "
    "that clones attached to one host do not collide.  Types whose UUID "
    "libguestfs can set: ext2/3/4, XFS, btrfs and, with C<swap = true>, "
    "swap.  Other types (vfat, NTFS, LUKS containers, ...) keep theirs "
    "with a warning, as does a filesystem where setting it fails.  An "
    "ext filesystem that L<tune2fs(8)> refuses to change (metadata "
    "checksums on a filesystem mounted since its last check: any guest "
    "that has booted) is checked with C<e2fsck -f -p> first.  Each "
    "changed filesystem is reported by its device name.\n"
    "\n"
    "Then, unlike virt-sysprep (which leaves every reference stale and "
    "warns that the guest may not boot), each root of the guest is "
    "mounted again briefly and its references to the old UUIDs are "
    "updated: C<UUID=>, C<UUID=\"...\"> and C</dev/disk/by-uuid/> "
    "entries of F</etc/fstab> (through Augeas, its owner, mode and SELinux "
    "label kept; key C<fstab>), and every "
    "occurrence of an old UUID in the boot loader's configuration "
    "(key C<update-files>, default F</etc/default/grub>, "
    "F</etc/kernel/cmdline>, F</boot/grub2/grub.cfg>, "
    "F</boot/grub2/grubenv>, F</boot/grub/grub.cfg>, "
    "F</boot/grub/grubenv>, F</boot/efi/EFI/*/grub.cfg>, "
    "F</boot/loader/entries/*.conf>): a UUID is random and replacing it "
    "by another keeps the file's length, so this textual edit is safe.  "
    "Symbolic links and paths protected by B<--exclude-path> are not "
    "edited.\n"
    "\n"
    "Not updated: the initramfs (a copy of F</etc/fstab>, or "
    "C<root=UUID=> baked in by a host-only dracut or initramfs-tools "
    "image: regenerate it, e.g. with a firstboot C<dracut -f>), "
    "F</etc/crypttab> (it names LUKS containers, whose UUIDs do not "
    "change), systemd F<.mount> units, and configuration of other "
    "programs.  Swap is left alone by default (virt-sysprep changes it) "
    "because C<resume=UUID=> on the kernel command line and in the "
    "initramfs would then point nowhere and make some guests wait for "
    "the device at boot; with C<swap = true> the references above are "
    "updated for swap too.  Off by default, as in virt-sysprep.",
  .phase = GS_PHASE_DEVICES,
  .order = 0,
  .enabled_by_default = false,
  .keys = keys,
  .configure = fs_uuids_configure,
  .config_complete = fs_uuids_config_complete,
  .perform = fs_uuids_perform,
  .unload = fs_uuids_unload,
};

GS_REGISTER_PLUGIN (&fs_uuids);
