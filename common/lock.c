/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lock.c: refuse to write an image that something else is using, and
 * mark the images we write so that the next goldsmith refuses them.
 *
 * Two kinds of open file description (OFD) locks are looked at:
 *
 *  - qemu's: since 2.10 qemu's file driver holds shared locks on a
 *    few bytes at offsets 100.. (the permissions it uses) and 200..
 *    (those it does not share) of every image it has open.  Seen
 *    through /proc/locks a running VM, libvirt domain or libguestfs
 *    appliance (another goldsmith's or a virt-* tool's) holds e.g.
 *    bytes 100-101 and 201.  virtlockd locks byte 0.  Any lock in
 *    bytes [0, 300) therefore means the image is in use.
 *
 *  - ours: one exclusive lock on a single byte far from qemu's range
 *    (GS_LOCK_BYTE, "gold" in ASCII), held until the process exits.
 *    Our own appliance and qemu-img (the overlay commit) lock only
 *    qemu's bytes, so they never conflict with it.
 *
 * Locks past the end of the file are allowed, and taking them changes
 * no byte (or timestamp) of the image.  The descriptors are close-on-
 * exec so that no child (qemu) keeps our lock after we are gone.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goldsmith-int.h"

#define QEMU_LOCK_END 300        /* qemu uses bytes below this */

struct held {
  dev_t dev;
  ino_t ino;
  int fd;
};

static struct held *held;
static size_t nheld;

static int
set_lock (int fd, short type, off_t start, off_t len, int cmd,
          struct flock *fl)
{
  memset (fl, 0, sizeof *fl);
  fl->l_type = type;
  fl->l_whence = SEEK_SET;
  fl->l_start = start;
  fl->l_len = len;
  return fcntl (fd, cmd, fl);
}

static void
in_use (const char *path, const char *by)
{
  gs_error ("%s: in use by %s: refusing to write it", path, by);
}

int
gs_int_lock_image (const char *path)
{
  struct stat st;
  struct flock fl;
  bool writable = true;
  int fd;

  /* A remote disk: nothing here to lock (said in goldsmith(1)). */
  if (gs_int_uri_is_remote (path))
    return 0;
  if (stat (path, &st) == -1) {
    gs_error ("%s: %m", path);
    return -1;
  }
  for (size_t i = 0; i < nheld; ++i)
    if (held[i].dev == st.st_dev && held[i].ino == st.st_ino)
      return 0;                  /* the same image given twice */

  /* A write lock needs a writable descriptor; a read lock still
   * conflicts with another goldsmith's write lock.
   */
  fd = open (path, O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd == -1 && (errno == EACCES || errno == EROFS)) {
    writable = false;
    fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  }
  if (fd == -1) {
    gs_error ("%s: cannot open: %m", path);
    return -1;
  }

  if (set_lock (fd, writable ? F_WRLCK : F_RDLCK, GS_LOCK_BYTE, 1,
                F_OFD_SETLK, &fl) == -1) {
    int e = errno;

    close (fd);
    if (e == EAGAIN || e == EACCES) {
      in_use (path, "another goldsmith run");
      return -1;
    }
    if (e == EINVAL || e == ENOLCK || e == EOPNOTSUPP) {
      /* A file system without (OFD) locks: nothing to learn. */
      gs_debug ("%s: cannot lock (%s): not checking who uses it", path,
                strerror (e));
      return 0;
    }
    errno = e;
    gs_error ("%s: cannot lock: %m", path);
    return -1;
  }

  /* Does anyone (a qemu) hold anything in qemu's range? */
  if (set_lock (fd, F_WRLCK, 0, QEMU_LOCK_END, F_OFD_GETLK, &fl) == -1) {
    gs_debug ("%s: cannot probe locks: %m", path);
  }
  else if (fl.l_type != F_UNLCK) {
    close (fd);
    in_use (path, "another process (a running VM, or another "
                  "goldsmith/virt-* run)");
    return -1;
  }

  held = gs_xreallocarray (held, nheld + 1, sizeof *held);
  held[nheld].dev = st.st_dev;
  held[nheld].ino = st.st_ino;
  held[nheld].fd = fd;
  nheld++;
  gs_debug ("%s: locked (byte %lld)", path, (long long) GS_LOCK_BYTE);
  /* Ours now: finish what a run stopped while committing left. */
  return gs_int_overlay_recover (path, writable);
}

void
gs_int_unlock_images (void)
{
  for (size_t i = 0; i < nheld; ++i)
    close (held[i].fd);
  free (held);
  held = NULL;
  nheld = 0;
}

/* qemu's lock on byte 100 + its "write" permission bit: held by every
 * qemu that may write the image (a running VM).
 */
#define QEMU_WRITE_BYTE 101

void
gs_int_warn_if_written (const char *path)
{
  struct flock fl;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd == -1)
    return;                      /* the disk check says why */
  if (set_lock (fd, F_WRLCK, QEMU_WRITE_BYTE, 1, F_OFD_GETLK, &fl) == 0 &&
      fl.l_type != F_UNLCK)
    gs_warning ("%s: a running VM (or another program) has it open for "
                "writing: what is read from it may be inconsistent", path);
  close (fd);
  gs_int_overlay_recover (path, false);
}
