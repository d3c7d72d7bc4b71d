/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcg-kernel.c: under TCG, boot the appliance from an uncompressed
 * kernel.
 *
 * Distribution kernels are compressed (Debian's with xz).  With KVM the
 * decompression takes a fraction of a second; under TCG software
 * emulation it takes about 4 of the ~15 s a launch costs on a 2-core
 * host (measured: SeaBIOS to supermin's init in 6.0-7.0 s with the
 * bzImage, 2.1-2.4 s with the same kernel uncompressed).  qemu boots an
 * uncompressed x86 kernel directly (PVH entry point, CONFIG_PVH) with
 * the same -initrd and -append, so for TCG launches goldsmith keeps a
 * decompressed copy of the host kernel and has supermin build the
 * appliance with it (SUPERMIN_KERNEL), in a cache directory of its own:
 * the appliance the virt-* tools share is left alone.
 *
 * Anything unexpected (no readable kernel, unknown compression, no PVH
 * note, a cache directory someone else owns) leaves the launch as it
 * was: this is an optimisation, never a reason to fail.
 */
#include <config.h>

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

/* The host's newest kernel that has its modules: what supermin would
 * pick.  Returns the version (malloc'd), or NULL.
 */
static char *
newest_kernel (void)
{
  DIR *d = opendir ("/boot");
  struct dirent *e;
  char *best = NULL;

  if (d == NULL)
    return NULL;
  while ((e = readdir (d)) != NULL) {
    const char *v;
    char mods[PATH_MAX];
    struct stat st;

    if (strncmp (e->d_name, "vmlinuz-", 8) != 0)
      continue;
    v = e->d_name + 8;
    snprintf (mods, sizeof mods, "/lib/modules/%s", v);
    if (stat (mods, &st) == -1 || !S_ISDIR (st.st_mode))
      continue;
    if (best == NULL || strverscmp (v, best) > 0) {
      free (best);
      best = strdup (v);
    }
  }
  closedir (d);
  return best;
}

/* Whether the ELF file at P is an x86-64 kernel with a PVH entry point
 * (a Xen note of type XEN_ELFNOTE_PHYS32_ENTRY), which qemu needs to
 * boot it directly.
 */
static bool
has_pvh_note (const char *p)
{
  int fd = open (p, O_RDONLY | O_CLOEXEC);
  Elf64_Ehdr eh;
  bool found = false;

  if (fd == -1)
    return false;
  if (pread (fd, &eh, sizeof eh, 0) != sizeof eh ||
      memcmp (eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64 ||
      eh.e_phentsize != sizeof (Elf64_Phdr))
    goto out;
  for (unsigned i = 0; i < eh.e_phnum && !found; ++i) {
    Elf64_Phdr ph;
    CLEANUP_FREE char *buf = NULL;

    if (pread (fd, &ph, sizeof ph, eh.e_phoff + i * sizeof ph) != sizeof ph)
      goto out;
    if (ph.p_type != PT_NOTE || ph.p_filesz > 1 << 20)
      continue;
    if ((buf = malloc (ph.p_filesz)) == NULL ||
        pread (fd, buf, ph.p_filesz, ph.p_offset) != (ssize_t) ph.p_filesz)
      goto out;
    for (size_t off = 0; off + sizeof (Elf64_Nhdr) <= ph.p_filesz; ) {
      Elf64_Nhdr nh;
      size_t name_len, desc_len;

      memcpy (&nh, buf + off, sizeof nh);
      name_len = (nh.n_namesz + 3) & ~3u;
      desc_len = (nh.n_descsz + 3) & ~3u;
      if (nh.n_namesz == 4 && off + sizeof nh + 4 <= ph.p_filesz &&
          memcmp (buf + off + sizeof nh, "Xen", 4) == 0 &&
          nh.n_type == 18 /* XEN_ELFNOTE_PHYS32_ENTRY */) {
        found = true;
        break;
      }
      off += sizeof nh + name_len + desc_len;
    }
  }
 out:
  close (fd);
  return found;
}

/* Decompress the kernel image inside the bzImage SRC into DST (the
 * method of the kernel's scripts/extract-vmlinux: find a compressor's
 * magic, decompress from there, keep the result if it is the kernel).
 * The decompressors are the host's commands (Debian's libguestfs0
 * depends on xz-utils and zstd): no library for a once-per-kernel job.
 */
static bool
extract (const char *src, const char *dst)
{
  static const struct { const char *magic; size_t len; const char *cmd; }
  formats[] = {
    { "\xfd" "7zXZ\0", 6, "xz" },
    { "\x28\xb5\x2f\xfd", 4, "zstd" },
    { "\x1f\x8b\x08", 3, "gzip" },
  };
  CLEANUP_FREE char *img = NULL;
  struct stat st;
  int fd = open (src, O_RDONLY | O_CLOEXEC);

  if (fd == -1 || fstat (fd, &st) == -1 || st.st_size > 256 << 20 ||
      (img = malloc (st.st_size)) == NULL ||
      read (fd, img, st.st_size) != st.st_size) {
    if (fd != -1)
      close (fd);
    return false;
  }
  close (fd);
  for (size_t f = 0; f < sizeof formats / sizeof formats[0]; ++f) {
    const char *at = memmem (img, st.st_size, formats[f].magic,
                             formats[f].len);
    const char *const argv[] = { formats[f].cmd, "-dc", NULL };
    struct gs_run_io io;
    int r;

    if (at == NULL)
      continue;
    if ((io.out_fd = open (dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                           0644)) == -1)
      return false;
    /* The decompressor exits at the end of its stream, before the rest
     * of the image ("trailing garbage" on its stderr): its exit status
     * is not looked at, the ELF note is the proof.
     */
    io.input = at;
    io.input_len = img + st.st_size - at;
    r = gs_int_run_command (argv, GS_RUN_TO_FD, &io, NULL, NULL);
    close (io.out_fd);
    if (r != GS_RUN_NOT_RUN && r != GS_RUN_NO_PIPE && has_pvh_note (dst))
      return true;
  }
  unlink (dst);
  return false;
}

/* DIR made if need be; true if it is ours, not a symlink, mode 0700. */
static bool
own_dir (const char *dir)
{
  struct stat st;

  if (mkdir (dir, 0700) == -1 && errno != EEXIST)
    return false;
  return lstat (dir, &st) == 0 && S_ISDIR (st.st_mode) &&
    st.st_uid == geteuid () && (st.st_mode & 077) == 0;
}

/* The cache directory, made if need be (own_dir). */
static char *
cache_dir (guestfs_h *g)
{
  CLEANUP_FREE char *base = guestfs_get_cachedir (g);
  char *dir = NULL;

  if (base == NULL ||
      asprintf (&dir, "%s/goldsmith-tcg-%ju", base,
                (uintmax_t) geteuid ()) == -1)
    return NULL;
  if (!own_dir (dir)) {
    free (dir);
    return NULL;
  }
  return dir;
}

/* What this process found, once: the uncompressed kernel, its version
 * and modules, and the cache directory (NULL: none, launch as usual).
 */
static bool tried;
static char *dir, *kernel, *version, *mods;

static void
forget (void)
{
  free (dir); free (kernel); free (version); free (mods);
  dir = kernel = version = mods = NULL;
}

/* Its appliance failed to launch: from now on, libguestfs's own (and
 * supermin, should it build that one, must not see our kernel).
 */
void
gs_int_tcg_kernel_disable (void)
{
  tried = true;
  forget ();
  unsetenv ("SUPERMIN_KERNEL");
  unsetenv ("SUPERMIN_KERNEL_VERSION");
  unsetenv ("SUPERMIN_MODULES");
}

static bool
prepare (guestfs_h *g, bool verbose)
{
  CLEANUP_FREE char *src = NULL, *tmp = NULL;
  struct stat s_src, s_dst;

  if (tried)
    return dir != NULL;
  tried = true;
  if (getenv ("SUPERMIN_KERNEL") || getenv ("LIBGUESTFS_PATH"))
    return false;                /* the user chose an appliance */
  if ((version = newest_kernel ()) == NULL ||
      (dir = cache_dir (g)) == NULL ||
      asprintf (&src, "/boot/vmlinuz-%s", version) == -1 ||
      asprintf (&kernel, "%s/vmlinux-%s", dir, version) == -1 ||
      asprintf (&tmp, "%s.tmp%ju", kernel, (uintmax_t) getpid ()) == -1 ||
      asprintf (&mods, "/lib/modules/%s", version) == -1 ||
      stat (src, &s_src) == -1)
    goto none;
  /* Extracted once per kernel (again if the package replaced it). */
  if (stat (kernel, &s_dst) == -1 || s_dst.st_mtime < s_src.st_mtime) {
    if (!extract (src, tmp) || rename (tmp, kernel) == -1) {
      unlink (tmp);
      if (verbose)
        gs_debug ("%s: no uncompressed PVH kernel (the appliance boots "
                  "the compressed one)", src);
      goto none;
    }
  }
  return true;
 none:
  forget ();
  return false;
}

bool
gs_int_tcg_kernel (guestfs_h *g, bool lean, bool verbose)
{
  CLEANUP_FREE char *lean_path = NULL, *lean_cache = NULL;

  if (!prepare (g, verbose))
    return false;
  /* The lean appliance is built in a cache directory of its own: supermin
   * rebuilds only when its inputs are newer than its output, which
   * switching between the two would not be.
   */
  if (lean)
    lean_path = gs_int_lean_init (g, dir, verbose);
  if (lean_path && asprintf (&lean_cache, "%s/lean", dir) != -1 &&
      own_dir (lean_cache) &&
      guestfs_set_path (g, lean_path) == 0) {
    if (guestfs_set_cachedir (g, lean_cache) == -1) {
      guestfs_set_path (g, NULL);
      return false;
    }
  }
  else if (guestfs_set_cachedir (g, dir) == -1)
    return false;
  /* Read by supermin, which libguestfs runs at launch when this cache
   * directory's appliance is missing or out of date.
   */
  setenv ("SUPERMIN_KERNEL", kernel, 1);
  setenv ("SUPERMIN_KERNEL_VERSION", version, 1);
  setenv ("SUPERMIN_MODULES", mods, 1);
  return true;
}

const char *
gs_int_tcg_kernel_info (guestfs_h *g, const char **version_r,
                        const char **dir_r)
{
  if (!prepare (g, false))
    return NULL;
  *version_r = version;
  *dir_r = dir;
  return kernel;
}

/* Whether the appliance G launched booted an uncompressed kernel: 1
 * yes, 0 no (a bzImage), -1 unknown.  Read from the appliance
 * libguestfs built in its cache directory (a fixed appliance from
 * LIBGUESTFS_PATH is not looked at).
 */
int
gs_int_appliance_kernel_uncompressed (guestfs_h *g)
{
  CLEANUP_FREE char *cache = guestfs_get_cachedir (g), *path = NULL;
  unsigned char magic[4];
  int fd, r = -1;

  if (cache == NULL ||
      asprintf (&path, "%s/.guestfs-%ju/appliance.d/kernel", cache,
                (uintmax_t) geteuid ()) == -1 ||
      (fd = open (path, O_RDONLY | O_CLOEXEC)) == -1)
    return -1;
  if (read (fd, magic, sizeof magic) == sizeof magic)
    r = memcmp (magic, ELFMAG, SELFMAG) == 0;
  close (fd);
  return r;
}

/* Whether G's appliance is the lean one (lean-init.c). */
bool
gs_int_appliance_lean (guestfs_h *g)
{
  const char *path = guestfs_get_path (g);
  size_t n = path ? strlen (path) : 0;

  return n > 15 && strcmp (path + n - 15, "/lean-appliance") == 0;
}

/* What the appliance boots, as `goldsmith doctor` reports it: the
 * kernel the user gave supermin, else the host's newest with modules
 * (supermin's own pick).  A fixed appliance is not looked inside.
 */
char *
gs_int_appliance_kernel_version (void)
{
  const char *v = getenv ("SUPERMIN_KERNEL_VERSION");

  if (v && v[0])
    return gs_xstrdup (v);
  if (getenv ("LIBGUESTFS_PATH"))
    return NULL;
  return newest_kernel ();
}
