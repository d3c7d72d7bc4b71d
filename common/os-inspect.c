/* SPDX-License-Identifier: GPL-2.0-or-later */
/* os-inspect.c: goldsmith's own inspection of Linux guests.
 *
 * libguestfs's inspect_os costs about 7 s of an 18 s sysprep under TCG
 * (it loads augeas with every lens, probes every filesystem with a
 * process or two), then each inspect_get_* call is another round trip.
 * For the guests sysprep sees most (Linux on ext2/3/4, xfs or LVM, an
 * os-release file) the same facts come from one blkid per device, one
 * mount per filesystem and a few file reads that fork nothing in the
 * appliance.  The rules are libguestfs's (which filesystem is a root,
 * os-release and debian_version, the fstab's UUID=/LABEL=/device names,
 * the architecture of /bin/bash and friends), so both agree; a test
 * compares them field by field on every guest the suite builds
 * (os-compare.c).  Whatever this file does not handle (Windows,
 * btrfs, LUKS, MD, BSDs, a split /usr, an unknown distribution, an
 * fstab line it cannot read) makes the whole launch fall back to
 * inspect_os, said with -v: nothing is guessed.  For the inspect family
 * (GS_OS_OWN_FULL) an rpm root does too where libguestfs has no call
 * that lists rpm databases (full_unsure).
 *
 * The answer is kept on the handle (guestfs_set_private), so the core
 * and plugins read roots, mountpoints and facts the same way whichever
 * inspection ran (gs_guest_roots, gs_guest_mountpoints).
 */
#include <config.h>

#include <ctype.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "cleanups.h"
#include "os-inspect-int.h"

#define PRIV "goldsmith_os"




const char *const gs_int_os_fact_keys[GS_OS_NFACTS + 1] = {
  "type", "distro", "product-name", "package-format", "package-management",
  "arch", "hostname", "major-version", "minor-version", NULL,
};

static void
table_free (struct os_table *t)
{
  if (t == NULL)
    return;
  for (size_t i = 0; i < t->n; ++i) {
    free (t->roots[i].dev);
    for (size_t k = 0; k < GS_OS_NFACTS; ++k)
      free (t->roots[i].facts[k]);
    gs_free_strv (t->roots[i].fstab);
    gs_free_strv (t->roots[i].mps);
    string_vector_free_all (&t->roots[i].alts);
  }
  free (t->roots);
  free (t);
}

void
gs_int_os_forget (guestfs_h *g)
{
  table_free (guestfs_get_private (g, PRIV));
  guestfs_set_private (g, PRIV, NULL);
}

static void
devs_free (struct dev *d, size_t n)
{
  for (size_t i = 0; i < n; ++i) {
    free (d[i].name); free (d[i].type); free (d[i].uuid);
    free (d[i].label); free (d[i].partuuid); free (d[i].partlabel);
  }
  free (d);
}

/* Filesystems goldsmith reads itself; swap, LVM PVs and blank devices
 * hold none; anything else makes the launch unsure.
 */
static bool
readable_type (const char *t)
{
  return strcmp (t, "ext2") == 0 || strcmp (t, "ext3") == 0 ||
    strcmp (t, "ext4") == 0 || strcmp (t, "xfs") == 0 ||
    strcmp (t, "vfat") == 0;
}

void
gs_int_os_unsure (struct scan *sc, const char *fs, ...)
{
  va_list args;

  if (sc->why != NULL)
    return;                      /* the first reason is the one said */
  va_start (args, fs);
  vsnprintf (sc->whybuf, sizeof sc->whybuf, fs, args);
  va_end (args);
  sc->why = sc->whybuf;
}

static char *
hash_get (char **h, const char *key)
{
  for (size_t i = 0; h && h[i] && h[i + 1]; i += 2)
    if (strcmp (h[i], key) == 0)
      return h[i + 1][0] ? gs_xstrdup (h[i + 1]) : NULL;
  return NULL;
}

static void
add_dev (struct scan *sc, const char *name)
{
  CLEANUP_FREE_STRV char **h = guestfs_blkid (sc->g, name);
  struct dev *d;

  sc->devs = gs_xreallocarray (sc->devs, sc->ndevs + 1, sizeof *sc->devs);
  d = &sc->devs[sc->ndevs++];
  d->name = gs_xstrdup (name);
  d->type = hash_get (h, "TYPE");   /* no TYPE (or no answer): nothing */
  d->uuid = hash_get (h, "UUID");
  d->label = hash_get (h, "LABEL");
  d->partuuid = hash_get (h, "PART_ENTRY_UUID");
  d->partlabel = hash_get (h, "PART_ENTRY_NAME");
}

static bool
has_partitions (char **parts, const char *dev)
{
  size_t l = strlen (dev);

  for (size_t i = 0; parts[i]; ++i)
    if (strncmp (parts[i], dev, l) == 0 &&
        isdigit ((unsigned char) parts[i][l]))
      return true;
  return false;
}

/* Every device, partition and LV with what blkid says of it. */
static int
scan_devices (struct scan *sc)
{
  guestfs_h *g = sc->g;
  CLEANUP_FREE_STRV char **mds = NULL;
  bool lvm = false;

  if ((sc->devices = guestfs_list_devices (g)) == NULL ||
      (sc->parts = guestfs_list_partitions (g)) == NULL ||
      (mds = guestfs_list_md_devices (g)) == NULL)
    return -1;
  if (mds[0]) {
    gs_int_os_unsure (sc, "an MD device (%s)", mds[0]);
    return 0;
  }
  for (size_t i = 0; sc->devices[i]; ++i)
    if (!has_partitions (sc->parts, sc->devices[i]))
      add_dev (sc, sc->devices[i]);
  for (size_t i = 0; sc->parts[i]; ++i)
    add_dev (sc, sc->parts[i]);
  for (size_t i = 0; i < sc->ndevs; ++i)
    if (sc->devs[i].type && strcmp (sc->devs[i].type, "LVM2_member") == 0)
      lvm = true;
  if (lvm) {
    CLEANUP_FREE_STRV char **lvs = guestfs_lvs (g);

    if (lvs == NULL)
      return -1;
    for (size_t i = 0; lvs[i]; ++i)
      add_dev (sc, lvs[i]);
  }
  for (size_t i = 0; i < sc->ndevs; ++i) {
    const char *t = sc->devs[i].type;

    if (t == NULL || strcmp (t, "swap") == 0 ||
        strcmp (t, "LVM2_member") == 0 || readable_type (t))
      continue;
    gs_int_os_unsure (sc, "a filesystem of a kind goldsmith does not "
                      "inspect (%s)", t);
  }
  return 0;
}

/* ---- files of the mounted filesystem ------------------------------ */

bool
gs_int_os_is_file (guestfs_h *g, const char *path, bool follow)
{
  return guestfs_is_file_opts (g, path, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS,
                               follow, -1) > 0;
}

static bool
is_dir (guestfs_h *g, const char *path)
{
  return guestfs_is_dir (g, path) > 0;
}

/* PATH's content (resolved inside the guest, small files only), NUL
 * terminated, or NULL.
 */
char *
gs_int_os_read_small (guestfs_h *g, const char *path)
{
  CLEANUP_FREE char *real = NULL;
  char *data, *buf;
  size_t len;
  int64_t size;

  if (!gs_int_os_is_file (g, path, true) ||
      (real = guestfs_realpath (g, path)) == NULL)
    return NULL;
  if ((size = guestfs_filesize (g, real)) < 0 || size > 1024 * 1024)
    return NULL;
  /* pread is one daemon call; read_file downloads through a file. */
  if ((data = guestfs_pread (g, real, (int) size, 0, &len)) == NULL)
    return NULL;
  if (memchr (data, '\0', len)) {
    free (data);
    return NULL;
  }
  buf = gs_xrealloc (data, len + 1);
  buf[len] = '\0';
  return buf;
}

/* Unquote a shell word in place: 'x', "x" (backslash escapes) or x. */
void
gs_int_os_shell_unquote (char *s)
{
  size_t l = strlen (s), j = 0;

  if (l >= 2 && s[0] == '\'' && s[l - 1] == '\'') {
    memmove (s, s + 1, l - 2);
    s[l - 2] = '\0';
    return;
  }
  if (l >= 2 && s[0] == '"' && s[l - 1] == '"') {
    for (size_t i = 1; i < l - 1; ++i) {
      if (s[i] == '\\' && i + 1 < l - 1 && strchr ("$`\"\\\n", s[i + 1]))
        i++;
      s[j++] = s[i];
    }
    s[j] = '\0';
  }
}

/* The first "(\d+)\.(\d+)" of S, else its first "(\d+)" (minor 0), as
 * libguestfs reads version numbers.  False if S has no digits.
 */
static bool
major_minor (const char *s, int *major, int *minor)
{
  const char *first = NULL;

  for (const char *p = s; *p; ++p) {
    char *e;
    long a;

    if (!isdigit ((unsigned char) *p))
      continue;
    a = strtol (p, &e, 10);
    if (first == NULL)
      first = p;
    if (*e == '.' && isdigit ((unsigned char) e[1])) {
      *major = (int) a;
      *minor = (int) strtol (e + 1, NULL, 10);
      return true;
    }
    p = e - 1;
  }
  if (first == NULL)
    return false;
  *major = (int) strtol (first, NULL, 10);
  *minor = 0;
  return true;
}

struct facts {
  const char *distro;            /* libguestfs's name */
  char *product;
  int major, minor;
  bool version;
};

/* os-release's ID to libguestfs's distro name (NULL: unknown). */
static const char *
distro_of_id (const char *id)
{
  static const char *const map[][2] = {
    { "alpine", "alpinelinux" }, { "altlinux", "altlinux" },
    { "arch", "archlinux" }, { "centos", "centos" }, { "coreos", "coreos" },
    { "debian", "debian" }, { "fedora", "fedora" },
    { "frugalware", "frugalware" }, { "kali", "kalilinux" },
    { "mageia", "mageia" }, { "neokylin", "neokylin" },
    { "opensuse", "opensuse" }, { "pld", "pldlinux" }, { "rhel", "rhel" },
    { "rocky", "rocky" }, { "sles", "sles" }, { "sled", "sles" }, { "ubuntu", "ubuntu" },
    { "void", "voidlinux" },
  };

  for (size_t i = 0; i < sizeof map / sizeof map[0]; ++i)
    if (strcmp (map[i][0], id) == 0)
      return map[i][1];
  if (strncmp (id, "opensuse-", 9) == 0)
    return "opensuse";
  return NULL;
}

/* libguestfs's release-file tests, as far as goldsmith follows them:
 * os-release, then for Debian (whose VERSION_ID has no minor part)
 * debian_version.  Anything else: unsure.
 */
static bool
release (struct scan *sc, struct facts *f)
{
  guestfs_h *g = sc->g;
  CLEANUP_FREE char *osr = gs_int_os_read_small (g, "/etc/os-release");
  char *line, *save = NULL;
  bool has_version = false;

  if (osr == NULL) {
    gs_int_os_unsure (sc, "a Linux root without a readable %s",
                      "/etc/os-release");
    return false;
  }
  for (line = strtok_r (osr, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save)) {
    char *eq = strchr (line, '=');

    if (eq == NULL || line[0] == '#')
      continue;
    *eq++ = '\0';
    gs_int_os_shell_unquote (eq);
    if (strcmp (line, "ID") == 0) {
      const char *d = distro_of_id (eq);
      if (d)
        f->distro = d;
    }
    else if (strcmp (line, "PRETTY_NAME") == 0) {
      free (f->product);
      f->product = gs_xstrdup (eq);
    }
    else if (strcmp (line, "VERSION_ID") == 0) {
      has_version = true;
      f->version = major_minor (eq, &f->major, &f->minor);
    }
  }
  /* No VERSION_ID (Arch, Debian testing): version 0.0, as libguestfs's;
   * one it may read otherwise than goldsmith: unsure.
   */
  if (!has_version)
    f->version = true;
  if (f->distro == NULL || f->product == NULL || !f->version) {
    gs_int_os_unsure (sc, "an os-release goldsmith cannot place (%s)",
            f->distro ? f->distro : "unknown ID");
    return false;
  }
  if (has_version && strcmp (f->distro, "debian") == 0 && f->minor == 0) {
    static const char *const before[] = {
      "/etc/lsb-release", "/etc/oracle-release", "/etc/centos-release",
      "/etc/altlinux-release", "/etc/redhat-release",
    };
    CLEANUP_FREE char *dv = NULL;
    char *nl;

    for (size_t i = 0; i < sizeof before / sizeof before[0]; ++i)
      if (gs_int_os_is_file (g, before[i], true)) {
        gs_int_os_unsure (sc, "a Debian root with %s", before[i]);
        return false;
      }
    if (!gs_int_os_is_file (g, "/etc/debian_version", true))
      return true;
    if ((dv = gs_int_os_read_small (g, "/etc/debian_version")) == NULL) {
      gs_int_os_unsure (sc, "an unreadable %s", "/etc/debian_version");
      return false;
    }
    if ((nl = strchr (dv, '\n')))
      *nl = '\0';
    if (dv[0] == '\0') {
      gs_int_os_unsure (sc, "an empty %s", "/etc/debian_version");
      return false;
    }
    free (f->product);
    f->product = gs_xstrdup (dv);
    major_minor (dv, &f->major, &f->minor);
  }
  if (has_version && strcmp (f->distro, "centos") == 0 && f->minor == 0) {
    gs_int_os_unsure (sc, "a CentOS root (release files)");
    return false;
  }
  return true;
}

/* The architecture of the first of libguestfs's binaries found. */
static char *
architecture (guestfs_h *g)
{
  static const char *const bins[] = {
    "/bin/bash", "/bin/ls", "/bin/echo", "/bin/rm", "/bin/sh",
  };

  for (size_t i = 0; i < sizeof bins / sizeof bins[0]; ++i) {
    CLEANUP_FREE char *real = NULL;
    char *arch;

    if (!gs_int_os_is_file (g, bins[i], true) ||
        (real = guestfs_realpath (g, bins[i])) == NULL)
      continue;
    gs_quiet_begin (g);
    arch = guestfs_file_architecture (g, real);
    gs_quiet_end (g);
    if (arch)
      return arch;
  }
  return NULL;
}

static char *
first_line (guestfs_h *g, const char *path)
{
  CLEANUP_FREE char *s = gs_int_os_read_small (g, path);
  char *nl;

  if (s == NULL)
    return NULL;
  if ((nl = strchr (s, '\n')))
    *nl = '\0';
  return s[0] ? gs_xstrdup (s) : NULL;
}

static char *
hostname (struct scan *sc)
{
  guestfs_h *g = sc->g;
  char *h;

  if ((h = first_line (g, "/etc/HOSTNAME")) ||
      (h = first_line (g, "/etc/hostname")))
    return h;
  if (gs_int_os_is_file (g, "/etc/sysconfig/network", false))
    gs_int_os_unsure (sc, "a hostname in %s", "/etc/sysconfig/network");
  return NULL;
}

/* ---- each filesystem ------------------------------------------------ */

static const char *
package_format (const char *d)
{
  static const char *const rpm[] = {
    "altlinux", "centos", "fedora", "mageia", "mandriva", "meego",
    "neokylin", "opensuse", "oraclelinux", "redhat-based", "rhel",
    "rocky", "scientificlinux", "sles", "suse-based", NULL,
  };
  for (size_t i = 0; rpm[i]; ++i)
    if (strcmp (d, rpm[i]) == 0)
      return "rpm";
  if (strcmp (d, "debian") == 0 || strcmp (d, "kalilinux") == 0 ||
      strcmp (d, "linuxmint") == 0 || strcmp (d, "ubuntu") == 0)
    return "deb";
  if (strcmp (d, "archlinux") == 0) return "pacman";
  if (strcmp (d, "alpinelinux") == 0) return "apk";
  if (strcmp (d, "voidlinux") == 0) return "xbps";
  return NULL;                   /* pldlinux, coreos, frugalware, ... */
}

static const char *
package_management (guestfs_h *g, const char *d, int major)
{
  if (strcmp (d, "fedora") == 0)
    return major >= 22 && gs_int_os_is_file (g, "/usr/bin/dnf", true) ? "dnf"
      : major >= 1 ? "yum" : NULL;
  if (strcmp (d, "neokylin") == 0) return "dnf";
  if (strcmp (d, "centos") == 0 || strcmp (d, "rhel") == 0 ||
      strcmp (d, "rocky") == 0)
    return major >= 8 ? "dnf" : major >= 5 ? "yum" : major >= 2 ? "up2date"
      : NULL;
  if (strcmp (d, "altlinux") == 0 || strcmp (d, "debian") == 0 ||
      strcmp (d, "kalilinux") == 0 || strcmp (d, "ubuntu") == 0)
    return "apt";
  if (strcmp (d, "archlinux") == 0) return "pacman";
  if (strcmp (d, "mageia") == 0) return "urpmi";
  if (strcmp (d, "opensuse") == 0 || strcmp (d, "sles") == 0)
    return "zypper";
  if (strcmp (d, "alpinelinux") == 0) return "apk";
  if (strcmp (d, "voidlinux") == 0) return "xbps";
  return NULL;
}

/* The inspect family (GS_OS_OWN_FULL) reports what virt-inspector
 * reports, the applications and the icon too: a root whose package
 * database goldsmith does not read makes the launch libguestfs's.  The
 * plugin reads dpkg, pacman and apk databases itself, and rpm's through
 * libguestfs's own (private) call, when this libguestfs has it.  Every
 * distribution goldsmith recognises has an icon rule that the plugin
 * follows (icon.c), or none in libguestfs either.
 */
static void
full_unsure (struct scan *sc, const struct root *r)
{
  const char *fmt = r->facts[F_PKGFMT];

  if (fmt && strcmp (fmt, "rpm") == 0 &&
      dlsym (RTLD_DEFAULT, "guestfs_internal_list_rpm_applications") == NULL)
    gs_int_os_unsure (sc, "a root whose applications goldsmith cannot "
                      "list (%s, rpm: this libguestfs has no call for it)",
                      r->dev);
}

static bool
has_nocase (char **names, const char *want)
{
  for (size_t i = 0; names && names[i]; ++i)
    if (strcasecmp (names[i], want) == 0)
      return true;
  return false;
}

/* The filesystem DEV, mounted at /: a Linux root (added to T), another
 * filesystem, or something goldsmith does not inspect (SC->why).
 */
static int
check_mounted (struct scan *sc, const char *dev, struct os_table *t)
{
  guestfs_h *g = sc->g;
  CLEANUP_FREE_STRV char **names = guestfs_ls (g, "/");
  CLEANUP_FREE char *binlink = NULL;
  struct facts f = { 0 };
  struct root *r;
  const char *fmt, *mgt;
  bool bin;

  if (names == NULL)
    return -1;
  /* libguestfs's tests before Linux's: a grub /boot is just that;
   * the BSDs, Hurd and Minix are not goldsmith's.
   */
  if (gs_int_os_is_file (g, "/grub/menu.lst", false) ||
      gs_int_os_is_file (g, "/grub/grub.conf", false) ||
      gs_int_os_is_file (g, "/grub2/grub.cfg", false))
    return 0;
  if (gs_int_os_is_file (g, "/etc/freebsd-update.conf", false) ||
      gs_int_os_is_file (g, "/netbsd", false) ||
      gs_int_os_is_file (g, "/bsd", false) ||
      is_dir (g, "/hurd") || gs_int_os_is_file (g, "/service/vm", false)) {
    gs_int_os_unsure (sc, "a BSD, Hurd or Minix filesystem (%s)", dev);
    return 0;
  }
  if (guestfs_is_symlink (g, "/bin") > 0)
    binlink = guestfs_readlink (g, "/bin");
  bin = is_dir (g, "/bin") || (binlink && strcmp (binlink, "usr/bin") == 0);
  if (!(is_dir (g, "/etc") && bin &&
        (gs_int_os_is_file (g, "/etc/fstab", false) ||
         gs_int_os_is_file (g, "/etc/hosts", false)))) {
    /* Not a Linux root.  What libguestfs would read more of: */
    if (is_dir (g, "/share") ||
        gs_int_os_is_file (g, "/etc/coreos/update.conf", false) ||
        has_nocase (names, "windows") || has_nocase (names, "winnt") ||
        has_nocase (names, "system volume information") ||
        has_nocase (names, "fdos") || has_nocase (names, "dos"))
      gs_int_os_unsure (sc, "a filesystem of another OS or a split /usr "
                        "(%s)", dev);
    return 0;
  }
  if (!release (sc, &f)) {
    free (f.product);
    return 0;
  }
  t->roots = gs_xreallocarray (t->roots, t->n + 1, sizeof *t->roots);
  r = &t->roots[t->n++];
  memset (r, 0, sizeof *r);
  r->dev = gs_xstrdup (dev);
  r->facts[F_TYPE] = gs_xstrdup ("linux");
  r->facts[F_DISTRO] = gs_xstrdup (f.distro);
  r->facts[F_PRODUCT] = f.product;
  r->facts[F_MAJOR] = gs_xasprintf ("%d", f.major);
  r->facts[F_MINOR] = gs_xasprintf ("%d", f.minor);
  /* Each asked once: Fedora's asks the guest whether dnf is there. */
  if ((fmt = package_format (f.distro)) != NULL)
    r->facts[F_PKGFMT] = gs_xstrdup (fmt);
  if ((mgt = package_management (g, f.distro, f.major)) != NULL)
    r->facts[F_PKGMGT] = gs_xstrdup (mgt);
  r->facts[F_ARCH] = architecture (g);
  r->facts[F_HOST] = hostname (sc);
  if ((r->fstab = gs_int_os_fstab (sc, dev, &r->alts)) == NULL)
    return sc->why == NULL ? -1 : 0;
  r->mps = gs_int_os_fstab_mountpoints (r->fstab, dev);
  if (sc->full)
    full_unsure (sc, r);
  return 0;
}

static int
by_dev (const void *a, const void *b)
{
  const struct root *x = a, *y = b;
  return strcmp (x->dev, y->dev);
}

/* Own inspection: the roots found, and in *WHY (static) what makes
 * it unsure, if anything: then libguestfs must do it.
 */
static struct os_table *
own_inspect (guestfs_h *g, bool full, const char **why)
{
  struct scan sc = { .g = g, .full = full };
  struct os_table *t = gs_xcalloc (1, sizeof *t);
  static char saved[256];

  t->own = true;
  gs_quiet_begin (g);
  guestfs_umount_all (g);
  if (scan_devices (&sc) == -1)
    gs_int_os_unsure (&sc, "a device scan that failed");
  for (size_t i = 0; i < sc.ndevs; ++i) {
    const char *ty = sc.devs[i].type;

    if (ty == NULL || !readable_type (ty))
      continue;                  /* swap, LVM PVs; the rest made it unsure */
    if (guestfs_mount_ro (g, sc.devs[i].name, "/") == -1)
      continue;                  /* libguestfs skips it too */
    if (check_mounted (&sc, sc.devs[i].name, t) == -1)
      gs_int_os_unsure (&sc, "a filesystem that could not be read (%s)",
              sc.devs[i].name);
    guestfs_umount_all (g);
  }
  gs_quiet_end (g);
  *why = NULL;
  if (sc.why) {
    snprintf (saved, sizeof saved, "%s", sc.why);
    *why = saved;
  }
  qsort (t->roots, t->n, sizeof *t->roots, by_dev);
  devs_free (sc.devs, sc.ndevs);
  gs_free_strv (sc.devices);
  gs_free_strv (sc.parts);
  return t;
}

/* libguestfs's inspection, read into the same table. */
static struct os_table *
guestfs_table (guestfs_h *g)
{
  CLEANUP_FREE_STRV char **roots = guestfs_inspect_os (g);
  struct os_table *t;

  if (roots == NULL)
    return NULL;
  t = gs_xcalloc (1, sizeof *t);
  for (size_t i = 0; roots[i]; ++i)
    t->n++;
  t->roots = gs_xcalloc (t->n ? t->n : 1, sizeof *t->roots);
  for (size_t i = 0; i < t->n; ++i)
    t->roots[i].dev = gs_xstrdup (roots[i]);
  return t;
}

char **
gs_int_os_inspect (guestfs_h *g, enum gs_os_method method)
{
  bool cmp = gs_int_inspect_compare ();
  struct os_table *own = NULL, *t = NULL;
  const char *why = NULL;
  bool own_method = method != GS_OS_LIBGUESTFS;

  gs_int_os_forget (g);
  if (own_method || cmp) {
    own = own_inspect (g, method == GS_OS_OWN_FULL, &why);
    if (why)
      gs_debug ("inspection: libguestfs's, for %s", why);
  }
  if (own_method && why == NULL && !cmp)
    t = own;
  else {
    if ((t = guestfs_table (g)) == NULL) {
      table_free (own);
      return NULL;
    }
    if (cmp)
      gs_int_os_compare (g, own, why);
    if (own_method && why == NULL) {
      table_free (t);            /* compared: goldsmith's is used */
      t = own;
      own = NULL;
    }
    table_free (own);
  }
  guestfs_set_private (g, PRIV, t);
  return gs_guest_roots (g);
}

char **
gs_guest_roots (guestfs_h *g)
{
  struct os_table *t = guestfs_get_private (g, PRIV);
  char **r;

  if (t == NULL)
    return guestfs_inspect_get_roots (g);
  r = gs_xcalloc (t->n + 1, sizeof *r);
  for (size_t i = 0; i < t->n; ++i)
    r[i] = gs_xstrdup (t->roots[i].dev);
  return r;
}

static struct root *
find_root (guestfs_h *g, const char *root)
{
  struct os_table *t = guestfs_get_private (g, PRIV);

  for (size_t i = 0; t && t->own && i < t->n; ++i)
    if (strcmp (t->roots[i].dev, root) == 0)
      return &t->roots[i];
  return NULL;
}

char **
gs_guest_mountpoints (guestfs_h *g, const char *root)
{
  struct root *r = find_root (g, root);
  char **m;
  size_t n = 0;

  if (r == NULL)
    return guestfs_inspect_get_mountpoints (g, root);
  while (r->mps[n])
    n++;
  m = gs_xcalloc (n + 1, sizeof *m);
  for (size_t i = 0; i < n; ++i)
    m[i] = gs_xstrdup (r->mps[i]);
  return m;
}

char **
gs_guest_filesystems (guestfs_h *g, const char *root)
{
  struct root *r = find_root (g, root);

  if (r == NULL)
    return guestfs_inspect_get_filesystems (g, root);
  return gs_int_os_fstab_filesystems (r->fstab, root);
}

bool
gs_guest_inspected_by_libguestfs (guestfs_h *g, const char *root)
{
  return find_root (g, root) == NULL;
}

char *
gs_int_os_fact (guestfs_h *g, const char *root, size_t k)
{
  struct root *r = find_root (g, root);
  char *v = NULL;

  if (r)
    return r->facts[k] ? gs_xstrdup (r->facts[k]) : NULL;
  switch (k) {
  case F_TYPE: v = guestfs_inspect_get_type (g, root); break;
  case F_DISTRO: v = guestfs_inspect_get_distro (g, root); break;
  case F_PRODUCT: v = guestfs_inspect_get_product_name (g, root); break;
  case F_PKGFMT: v = guestfs_inspect_get_package_format (g, root); break;
  case F_PKGMGT: v = guestfs_inspect_get_package_management (g, root); break;
  case F_ARCH: v = guestfs_inspect_get_arch (g, root); break;
  case F_HOST: v = guestfs_inspect_get_hostname (g, root); break;
  case F_MAJOR: case F_MINOR: {
    int n = k == F_MAJOR ? guestfs_inspect_get_major_version (g, root)
                         : guestfs_inspect_get_minor_version (g, root);
    if (n >= 0)
      v = gs_xasprintf ("%d", n);
    break;
  }
  }
  if (v && strcmp (v, "unknown") == 0) {
    free (v);
    v = NULL;
  }
  return v;
}
