/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lock.c: one run of a manifest at a time on this host, so that
 * a timer or cron job firing while the last run still goes exits at
 * once (GS_EXIT_BUSY) instead of working on the same images and state.
 *
 * flock(2) on files beside the report: a whole run holds fleet.lock
 * exclusively; a --shard I/N run holds it shared and its own
 * fleet.shard-I-of-N.lock exclusively, so the shards of a job array
 * run side by side, but never beside a whole run or a second copy of
 * themselves.  The files are never written (the holder's pid comes
 * from /proc/locks), so a lock path that names somebody's file costs
 * nothing.  They are opened read-write all the same: on NFS, Linux
 * turns a flock into a byte-range lock the server sees, and an
 * exclusive one then needs a descriptor open for writing (flock(2),
 * "NFS details"); read-only, a run on NFS failed with EBADF.  The tools batch forks inherit the
 * descriptors (the lock lasts while they run), what they execute does
 * not (O_CLOEXEC: a stray qemu never holds it).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "batch.h"
#include "cleanups.h"

/* The pid of a process holding a flock on FD's file, or 0. */
static long
holder (int fd)
{
  struct stat st;
  char line[256];
  long pid = 0, other_dev = 0;
  FILE *fp;

  if (fstat (fd, &st) == -1 || (fp = fopen ("/proc/locks", "re")) == NULL)
    return 0;
  while (pid == 0 && fgets (line, sizeof line, fp)) {
    unsigned maj, min;
    unsigned long long ino;
    long p;

    /* "1: FLOCK  ADVISORY  WRITE 1234 fe:01:5678 0 EOF"; a waiter's
     * line ("1: -> FLOCK ...") does not match.
     */
    if (sscanf (line, "%*d: FLOCK %*s %*s %ld %x:%x:%llu", &p, &maj, &min,
                &ino) != 4 || ino != st.st_ino || p <= 0)
      continue;
    if (maj == major (st.st_dev) && min == minor (st.st_dev))
      pid = p;
    else if (other_dev == 0)
      other_dev = p;             /* btrfs: stat's device is not the lock's */
  }
  fclose (fp);
  return pid ? pid : other_dev;
}

/* A flock (OP) on PATH: its descriptor, or -1 (an error) or -2
 * (another run holds it), both said.
 */
static int
take (const struct batch *b, const char *path, int op)
{
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
  char who[32] = "unknown";
  long pid;

  /* Another user's lock file, a read-only directory: a lock still
   * holds on a local file system.
   */
  if (fd == -1 && (errno == EACCES || errno == EPERM || errno == EROFS))
    fd = open (path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd == -1) {
    gs_error ("%s: lock file %s: %m", b->m.file, path);
    return -1;
  }
  if (flock (fd, op | LOCK_NB) == 0)
    return fd;
  if (errno != EWOULDBLOCK) {
    gs_error ("%s: lock file %s: %m", b->m.file, path);
    close (fd);
    return -1;
  }
  if ((pid = holder (fd)) > 0)
    snprintf (who, sizeof who, "%ld", pid);
  close (fd);
  gs_error ("%s: another goldsmith batch is running it (pid %s)",
            b->m.file, who);
  return -2;
}

int
batch_lock (struct batch *b)
{
  CLEANUP_FREE char *whole = batch_beside (b->m.report, ".lock");
  CLEANUP_FREE char *shard = b->shard_n ? batch_beside (b->report, ".lock")
    : NULL;
  int fd;

  if ((fd = take (b, whole, shard ? LOCK_SH : LOCK_EX)) < 0)
    return fd;
  b->lock_fd[0] = fd;
  if (shard) {
    if ((fd = take (b, shard, LOCK_EX)) < 0)
      return fd;
    b->lock_fd[1] = fd;
  }
  return 0;
}
