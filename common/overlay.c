/* SPDX-License-Identifier: GPL-2.0-or-later */
/* overlay.c: transactional runs.  Every writable disk gets a qcow2
 * overlay (backing file: the user's image, opened read-only by qemu);
 * the appliance writes only to the overlay, and the overlay is
 * committed into the image only after every operation succeeded and the
 * appliance shut down cleanly.  A failure, Ctrl-C or kill -9 before the
 * commit leaves the image untouched.
 *
 * The commit itself is made durable by rolling forward: the overlay is
 * flushed and renamed goldsmith-commit-PID-*.qcow2 (the rename, also
 * flushed, is the point of no return), qemu-img commit -d copies its
 * clusters into the image, the image is flushed, and only then is the
 * overlay removed.  A run killed (or a host that lost power) after the
 * rename leaves the overlay whole; the next goldsmith that locks the
 * image for writing commits it again before anything else: the same
 * clusters to the same places, so the image ends up finished, never a
 * mix.  Before the rename, the image was never written.
 *
 * Overlays are named goldsmith-overlay-PID-*.qcow2 in $TMPDIR, so a
 * later run can remove those a killed run left behind.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <libgen.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

static const char *
tmpdir (void)
{
  const char *t = getenv ("TMPDIR");

  return t && t[0] ? t : "/tmp";
}

/* Remove overlays whose run is gone (killed before cleaning up). */
static void
remove_stale (void)
{
  DIR *d = opendir (tmpdir ());
  struct dirent *e;

  if (d == NULL)
    return;
  while ((e = readdir (d)) != NULL) {
    long pid;
    char rest[NAME_MAX + 1];

    if (sscanf (e->d_name, "goldsmith-overlay-%ld-%255s", &pid, rest) == 2 &&
        pid > 0 && kill ((pid_t) pid, 0) == -1 && errno == ESRCH) {
      CLEANUP_FREE char *p = NULL;

      if (asprintf (&p, "%s/%s", tmpdir (), e->d_name) != -1) {
        gs_debug ("removing the stale overlay %s", p);
        unlink (p);
      }
    }
  }
  closedir (d);
}

int
gs_int_overlay_create (struct gs_disk *disk)
{
  return gs_int_overlay_create_in (disk, tmpdir (), NULL);
}

/* The overlay in DIR, with qemu-img create -o OPTIONS (or NULL). */
int
gs_int_overlay_create_in (struct gs_disk *disk, const char *dir,
                          const char *options)
{
  static bool cleaned;
  /* A remote disk's overlay is backed by its URI, for qemu to open. */
  CLEANUP_FREE char *abs = disk->remote ? gs_xstrdup (disk->path)
                                        : realpath (disk->path, NULL);
  char err[1024];
  int fd;

  if (!cleaned) {
    remove_stale ();
    cleaned = true;
  }
  if (abs == NULL) {
    gs_error ("%s: %m", disk->path);
    return -1;
  }
  disk->overlay = gs_xasprintf ("%s/goldsmith-overlay-%ld-XXXXXX.qcow2",
                                dir, (long) getpid ());
  if ((fd = mkstemps (disk->overlay, 6)) == -1) {
    gs_error ("cannot create an overlay in %s (set TMPDIR, or use "
              "--in-place): %m", dir);
    free (disk->overlay);
    disk->overlay = NULL;
    return -1;
  }
  close (fd);
  {
    char *const argv[] = {
      (char *) "qemu-img", (char *) "create", (char *) "-q",
      (char *) "-f", (char *) "qcow2", (char *) "-F", disk->format,
      (char *) "-b", abs, disk->overlay,
      options ? (char *) "-o" : NULL, (char *) options, NULL,
    };

    if (gs_int_run_qemu_img (argv, err, sizeof err, false) == -1) {
      gs_error ("%s: cannot create an overlay: %s", disk->path,
                gs_int_first_line (err));
      gs_int_overlay_discard (disk);
      return -1;
    }
  }
  gs_debug ("%s: changes go to %s until the run succeeds", disk->path,
            disk->overlay);
  return 0;
}

int
gs_int_sync_path (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY), r;

  if (fd == -1)
    return -1;
  r = fsync (fd);
  close (fd);
  return r;
}

int
gs_int_write_all (int fd, const void *buf, size_t len)
{
  const char *s = buf;

  while (len > 0) {
    ssize_t n = write (fd, s, len);

    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    s += n;
    len -= (size_t) n;
  }
  return 0;
}

int
gs_int_sync_dir_of (const char *path)
{
  CLEANUP_FREE char *copy = gs_xstrdup (path);

  return gs_int_sync_path (dirname (copy));
}

/* qemu-img commit -d FILE into its backing IMAGE, then flush IMAGE and
 * remove FILE.  Idempotent: run again after a kill, it writes the same.
 */
static int
commit_file (const char *image, const char *file)
{
  char err[1024];
  char *const argv[] = {
    (char *) "qemu-img", (char *) "commit", (char *) "-q", (char *) "-d",
    (char *) "-f", (char *) "qcow2", (char *) file, NULL,
  };

  if (gs_int_run_qemu_img (argv, err, sizeof err, false) == -1) {
    gs_error ("%s: committing the changes failed (they are kept in %s; "
              "the next goldsmith run that writes the image commits them "
              "again): %s", image, file, gs_int_first_line (err));
    return -1;
  }
  /* A remote image (nbd://...) was flushed by qemu-img commit through
   * its protocol; the host has no file of it to flush.
   */
  if (!gs_int_uri_is_remote (image) && gs_int_sync_path (image) == -1) {
    gs_error ("%s: cannot flush the committed image (the changes are kept "
              "in %s): %m", image, file);
    return -1;
  }
  unlink (file);
  gs_int_sync_dir_of (file);
  return 0;
}

int
gs_int_overlay_commit (struct gs_disk *disk)
{
  CLEANUP_FREE char *committing = NULL;
  const char *base;

  if (disk->overlay == NULL)
    return 0;
  base = strrchr (disk->overlay, '/');
  base = base ? base + 1 : disk->overlay;
  /* goldsmith-overlay-PID-X.qcow2 -> goldsmith-commit-PID-X.qcow2 */
  if (strncmp (base, "goldsmith-overlay-", 18) != 0) {
    gs_error ("%s: cannot name the overlay being committed", disk->path);
    return -1;
  }
  committing = gs_xasprintf ("%.*sgoldsmith-commit-%s",
                             (int) (base - disk->overlay), disk->overlay,
                             base + 18);
  /* The overlay whole on disk, then its new name: from here on, a
   * later run finishes the commit.
   */
  if (gs_int_sync_path (disk->overlay) == -1 ||
      rename (disk->overlay, committing) == -1 ||
      gs_int_sync_dir_of (committing) == -1) {
    gs_error ("%s: cannot prepare the commit (nothing was written to the "
              "image; the changes are in %s): %m", disk->path, disk->overlay);
    return -1;
  }
  free (disk->overlay);
  disk->overlay = NULL;
  gs_debug ("%s: committing %s", disk->path, committing);
  return commit_file (disk->path, committing);
}

/* The backing file a qcow2 overlay names (qemu-img info), or NULL. */
static char *
backing_of (const char *file)
{
  CLEANUP_FREE char *err = NULL;
  json_object *info, *b;
  char *r = NULL;

  if (gs_int_qemu_img_info (file, "qcow2", false, &info, &err) != 0)
    return NULL;
  if (json_object_object_get_ex (info, "full-backing-filename", &b) ||
      json_object_object_get_ex (info, "backing-filename", &b))
    r = strdup (json_object_get_string (b));
  json_object_put (info);
  return r;
}

/* The commit of IMAGE a killed run left in $TMPDIR: commit it again if
 * FINISH (the caller holds IMAGE's write lock), else warn.  -1: the
 * commit failed again (said).
 */
int
gs_int_overlay_recover (const char *image, bool finish)
{
  CLEANUP_FREE char *real = realpath (image, NULL);
  DIR *d;
  struct dirent *e;
  int r = 0;

  if (real == NULL || (d = opendir (tmpdir ())) == NULL)
    return 0;
  while (r == 0 && (e = readdir (d)) != NULL) {
    CLEANUP_FREE char *file = NULL, *backing = NULL, *breal = NULL;
    long pid;
    char rest[NAME_MAX + 1];

    if (sscanf (e->d_name, "goldsmith-commit-%ld-%255s", &pid, rest) != 2 ||
        pid <= 0 || (pid != getpid () && kill ((pid_t) pid, 0) == 0) ||
        asprintf (&file, "%s/%s", tmpdir (), e->d_name) == -1 ||
        (backing = backing_of (file)) == NULL ||
        (breal = realpath (backing, NULL)) == NULL ||
        strcmp (breal, real) != 0)
      continue;
    if (!finish) {
      gs_warning ("%s: a goldsmith run was stopped while committing to it "
                  "(%s): what is read may be half-written; the next run "
                  "that writes the image finishes the commit", image, file);
      continue;
    }
    gs_info ("%s: finishing the commit a stopped run left (%s) ...",
             image, file);
    r = commit_file (image, file);
  }
  closedir (d);
  return r;
}

void
gs_int_overlay_discard (struct gs_disk *disk)
{
  if (disk->overlay == NULL)
    return;
  unlink (disk->overlay);
  free (disk->overlay);
  disk->overlay = NULL;
}
