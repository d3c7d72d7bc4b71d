/* overlay.c: transactional runs.  Every writable disk gets a qcow2
 * overlay (backing file: the user's image, opened read-only by qemu);
 * the appliance writes only to the overlay, and the overlay is
 * committed into the image only after every operation succeeded and the
 * appliance shut down cleanly.  A failure, Ctrl-C or kill -9 before the
 * commit leaves the image untouched; the commit (qemu-img commit) is
 * the one short window that writes it.
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
#include <sys/wait.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

static const char *
tmpdir (void)
{
  const char *t = getenv ("TMPDIR");

  return t && t[0] ? t : "/tmp";
}

/* Run ARGV (qemu-img) with its output captured into OUT (NUL
 * terminated, truncated to OUTLEN).  With PROGRESS its stdout (the
 * progress bar of -p) goes to our stderr instead and only its stderr
 * is captured.
 */
int
gs_int_run_qemu_img (char *const argv[], char *out, size_t outlen,
                     bool progress)
{
  int fds[2], status;
  pid_t pid;
  ssize_t n;
  size_t len = 0;

  out[0] = '\0';
  if (pipe (fds) == -1)
    return -1;
  if ((pid = fork ()) == -1) {
    close (fds[0]);
    close (fds[1]);
    return -1;
  }
  if (pid == 0) {
    dup2 (progress ? 2 : fds[1], 1);
    dup2 (fds[1], 2);
    close (fds[0]);
    close (fds[1]);
    execvp (argv[0], argv);
    _exit (127);
  }
  close (fds[1]);
  while ((n = read (fds[0], out + len, outlen - len - 1)) > 0)
    if ((len += n) + 1 >= outlen)
      break;
  out[len] = '\0';
  close (fds[0]);
  if (waitpid (pid, &status, 0) == -1)
    return -1;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
}

/* The first line of S, cut in place (for one-line messages). */
char *
gs_int_first_line (char *s)
{
  s[strcspn (s, "\n")] = '\0';
  return s;
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
  CLEANUP_FREE char *abs = realpath (disk->path, NULL);
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
  if (asprintf (&disk->overlay, "%s/goldsmith-overlay-%ld-XXXXXX.qcow2",
                dir, (long) getpid ()) == -1) {
    disk->overlay = NULL;
    gs_error ("out of memory");
    return -1;
  }
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
gs_int_overlay_commit (struct gs_disk *disk)
{
  char err[1024];
  char *const argv[] = {
    (char *) "qemu-img", (char *) "commit", (char *) "-q",
    (char *) "-f", (char *) "qcow2", disk->overlay, NULL,
  };

  if (disk->overlay == NULL)
    return 0;
  if (gs_int_run_qemu_img (argv, err, sizeof err, false) == -1) {
    gs_error ("%s: committing the changes failed (they are kept in %s): %s",
              disk->path, disk->overlay, gs_int_first_line (err));
    free (disk->overlay);        /* kept for the user, not removed */
    disk->overlay = NULL;
    return -1;
  }
  gs_int_overlay_discard (disk);
  return 0;
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
