/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-commit-crash: the commit of a transactional run survives a kill
 * -9 or a power cut at every point.  A child process commits an overlay
 * (the core's gs_int_overlay_commit, no appliance) and dies at one
 * point; then the parent runs the recovery the next goldsmith would
 * (gs_int_overlay_recover) and the image must be either the original or
 * the finished one, byte for byte, never a mix.
 *
 * Points before qemu-img: fsync, rename and unlink are interposed here
 * (this program's definitions win over libc's for the core it links)
 * and raise SIGKILL around the call named.  A power cut that loses the
 * rename (made but not yet flushed) is simulated by undoing it.
 *
 * Inside qemu-img commit: a stand-in qemu-img writes a random subset
 * of the clusters the commit would write, in random order, then kills
 * the committing process: the state a power cut leaves when the page
 * cache loses an arbitrary set of unflushed writes.  For a qcow2 image
 * (whose metadata only qemu writes) the real qemu-img is killed at
 * several moments instead.
 */
#include <config.h>

#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "goldsmith-int.h"
#include "unit-util.h"

/* ---- the interposed calls (active only in the child) ----------------- */
static const char *crash_at;     /* "before-fsync-3", "after-rename", ... */
static int nfsync;

static void
event (const char *what, int n)
{
  char name[64];

  if (crash_at == NULL)
    return;
  if (n > 0)
    snprintf (name, sizeof name, "%s-%d", what, n);
  else
    snprintf (name, sizeof name, "%s", what);
  if (strcmp (name, crash_at) == 0)
    raise (SIGKILL);
}

int
fsync (int fd)
{
  static int (*real) (int);
  int r, n = ++nfsync;

  if (real == NULL)
    real = (int (*) (int)) dlsym (RTLD_NEXT, "fsync");
  event ("before-fsync", n);
  r = real (fd);
  event ("after-fsync", n);
  return r;
}

int
rename (const char *from, const char *to)
{
  static int (*real) (const char *, const char *);
  int r;

  if (real == NULL)
    real = (int (*) (const char *, const char *)) dlsym (RTLD_NEXT, "rename");
  r = real (from, to);
  event ("after-rename", 0);
  return r;
}

/* ---- helpers ---------------------------------------------------------- */
static const char *dir, *bindir;
static char *original, *finished;  /* the raw images to compare with */
static bool in_child;            /* exit without the parent's atexit */

static void
sh (const char *fs, ...)
{
  va_list ap;
  char *cmd;

  va_start (ap, fs);
  if (vasprintf (&cmd, fs, ap) == -1)
    abort ();
  va_end (ap);
  if (system (cmd) != 0) {
    printf ("Bail out! failed: %s\n", cmd);
    fflush (stdout);
    if (in_child)
      _exit (5);
    exit (1);
  }
  free (cmd);
}

static bool
same_content (const char *image, const char *fmt, const char *raw)
{
  char *cmd = unit_printf ("qemu-img compare -q -f %s -F raw '%s' '%s'",
                           fmt, image, raw);
  int r = system (cmd);

  free (cmd);
  return r == 0;
}

static int
count_files (const char *tmpdir, const char *prefix)
{
  char *cmd = unit_printf ("ls '%s' | grep -c '^%s'", tmpdir, prefix);
  FILE *p = popen (cmd, "r");
  int n = -1;

  if (p == NULL || fscanf (p, "%d", &n) != 1)
    n = -1;
  if (p)
    pclose (p);
  free (cmd);
  return n;
}

/* The changes the run makes: the same writes into the overlay and, for
 * the expected result, into a raw copy of the original.
 */
static const char *writes =
  "-c 'write -P 0x11 0 4096' -c 'write -P 0x22 65536 131072' "
  "-c 'write -P 0x33 1049088 70144' -c 'write -P 0x44 2097152 1048576' "
  "-c 'write -P 0x55 4190208 4096'";

/* One case: commit IMAGE's changes in a child that dies at CRASH (an
 * interposed event, or NULL) with GS_TEST_COMMIT set to MODE for the
 * stand-in qemu-img (or NULL: the real one).  Returns what the image
 * holds before the recovery: 'o' original, 'f' finished, 'm' a mix.
 */
struct result { char before, after; int commits_left, overlays_left; };

static struct result
run_case (const char *fmt, const char *crash, const char *mode,
          bool lose_rename)
{
  struct result res = { 0 };
  char *image = unit_printf ("%s/image.%s", dir, fmt);
  char *tmpdir = unit_printf ("%s/tmp", dir);
  pid_t pid;
  int status;

  sh ("rm -rf '%s' && mkdir '%s'", tmpdir, tmpdir);
  sh ("qemu-img convert -f raw -O %s '%s/original.raw' '%s'",
      fmt, dir, image);
  setenv ("TMPDIR", tmpdir, 1);
  fflush (stdout);
  pid = fork ();
  if (pid == 0) {
    struct gs_disk d = { .path = image, .format = (char *) fmt };
    char *path = unit_printf ("%s:%s", bindir, getenv ("PATH"));

    in_child = true;
    if (gs_int_overlay_create (&d) == -1)
      _exit (3);
    sh ("qemu-io -f qcow2 %s '%s' > /dev/null", writes, d.overlay);
    setenv ("PATH", path, 1);
    if (mode)
      setenv ("GS_TEST_COMMIT", mode, 1);
    crash_at = crash;
    nfsync = 0;
    _exit (gs_int_overlay_commit (&d) == 0 ? 0 : 4);
  }
  waitpid (pid, &status, 0);
  if ((crash || mode) && !(WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL))
    diag ("the child was not killed (status %d)", status);
  if (!crash && !mode && !(WIFEXITED (status) && WEXITSTATUS (status) == 0))
    diag ("the commit failed (status %d)", status);
  if (lose_rename)
    sh ("cd '%s' && for f in goldsmith-commit-*; do [ -e \"$f\" ] || continue; "
        "mv \"$f\" \"goldsmith-overlay-${f#goldsmith-commit-}\"; done",
        tmpdir);
  res.before = same_content (image, fmt, original) ? 'o'
    : same_content (image, fmt, finished) ? 'f' : 'm';
  /* The next run that locks the image for writing. */
  unit_capture_begin ();
  if (gs_int_overlay_recover (image, true) == -1)
    diag ("the recovery failed");
  free (unit_capture_end ());
  res.after = same_content (image, fmt, original) ? 'o'
    : same_content (image, fmt, finished) ? 'f' : 'm';
  if (strcmp (fmt, "qcow2") == 0) {
    /* 0: clean; 3: leaked clusters only (harmless, what a killed qemu
     * may leave).  Anything else is a corrupt image.
     */
    char *cmd = unit_printf ("qemu-img check -q '%s'", image);
    int r = system (cmd);

    if (!WIFEXITED (r) || (WEXITSTATUS (r) != 0 && WEXITSTATUS (r) != 3))
      res.after = 'c';
    free (cmd);
  }
  res.commits_left = count_files (tmpdir, "goldsmith-commit-");
  res.overlays_left = count_files (tmpdir, "goldsmith-overlay-");
  free (image);
  free (tmpdir);
  return res;
}

static void
check (const char *name, struct result r, char before, char after)
{
  char want[3] = { before, after, 0 }, got[3] = { r.before, r.after, 0 };

  if (!is_str (got, want, "%s: before/after the recovery "
               "(o original, f finished, m mix, c corrupt)", name))
    diag ("commit files left %d, overlays left %d",
          r.commits_left, r.overlays_left);
}

int
main (void)
{
  char real_qemu_img[4096];
  FILE *p;
  int seed, mixes = 0;
  struct result r;

  plan (22);
  dir = unit_temp_dir ();
  bindir = unit_printf ("%s/bin", dir);
  original = unit_printf ("%s/original.raw", dir);
  finished = unit_printf ("%s/finished.raw", dir);
  if ((p = popen ("command -v qemu-img", "r")) == NULL ||
      fgets (real_qemu_img, sizeof real_qemu_img, p) == NULL)
    {
      printf ("Bail out! no qemu-img\n");
      return 1;
    }
  pclose (p);
  real_qemu_img[strcspn (real_qemu_img, "\n")] = '\0';

  /* 4 MiB of varied bytes; the expected result is the same writes. */
  sh ("head -c 4194304 /dev/urandom > '%s/original.raw'", dir);
  sh ("cp '%s/original.raw' '%s/finished.raw' && "
      "qemu-io -f raw %s '%s/finished.raw' > /dev/null",
      dir, dir, writes, dir);

  /* The stand-in qemu-img (only "commit" is changed). */
  sh ("mkdir '%s'", bindir);
  {
    char *script = unit_printf ("%s/qemu-img", bindir);
    FILE *f = fopen (script, "w");

    fprintf (f,
      "#!/bin/sh\n"
      "real='%s'\n"
      "[ \"$1\" = commit ] || exec \"$real\" \"$@\"\n"
      "for ov; do :; done\n"
      "case \"$GS_TEST_COMMIT\" in\n"
      "partial:*)\n"
      "  img=$(\"$real\" info --output=json -f qcow2 \"$ov\" |\n"
      "        python3 -c 'import json,sys; print(json.load(sys.stdin)[\"full-backing-filename\"])')\n"
      "  \"$real\" convert -f qcow2 -O raw \"$ov\" \"$ov.view\"\n"
      "  python3 - \"${GS_TEST_COMMIT#partial:}\" \"$ov.view\" \"$img\" <<'PY'\n"
      "import os, random, sys\n"
      "seed, view, img = sys.argv[1:]\n"
      "rng = random.Random(seed)\n"
      "p = {'none': 0.0, 'all': 1.0}.get(seed, 0.5)\n"
      "v = open(view, 'rb').read()\n"
      "fd = os.open(img, os.O_RDWR)\n"
      "chunks = [o for o in range(0, len(v), 4096)\n"
      "          if os.pread(fd, 4096, o) != v[o:o + 4096]]\n"
      "rng.shuffle(chunks)\n"
      "for o in chunks:\n"
      "    if rng.random() < p:\n"
      "        os.pwrite(fd, v[o:o + 4096], o)\n"
      "PY\n"
      "  rm -f \"$ov.view\"\n"
      "  kill -9 $PPID; exit 0 ;;\n"
      "kill:*)\n"
      "  \"$real\" \"$@\" & q=$!\n"
      "  sleep \"${GS_TEST_COMMIT#kill:}\"\n"
      "  kill -9 $q $PPID; exit 0 ;;\n"
      "esac\n"
      "exec \"$real\" \"$@\"\n", real_qemu_img);
    fclose (f);
    chmod (script, 0755);
    free (script);
  }

  /* Event order in gs_int_overlay_commit: fsync 1 (the overlay),
   * rename, fsync 2 (its directory), qemu-img commit, fsync 3 (the
   * image), unlink, fsync 4 (the directory).
   */
  r = run_case ("raw", NULL, NULL, false);
  check ("no crash", r, 'f', 'f');
  is_int (r.commits_left + r.overlays_left, 0,
          "no crash: nothing is left in TMPDIR");
  check ("killed before the overlay is flushed",
         run_case ("raw", "before-fsync-1", NULL, false), 'o', 'o');
  check ("killed after the rename, a power cut loses the rename",
         run_case ("raw", "after-rename", NULL, true), 'o', 'o');
  check ("killed after the rename, before its directory is flushed",
         run_case ("raw", "after-rename", NULL, false), 'o', 'f');
  check ("killed after the directory is flushed, before qemu-img",
         run_case ("raw", "after-fsync-2", NULL, false), 'o', 'f');
  check ("power cut in qemu-img commit, no write reached the disk",
         run_case ("raw", NULL, "partial:none", false), 'o', 'f');
  check ("power cut in qemu-img commit, every write reached the disk",
         run_case ("raw", NULL, "partial:all", false), 'f', 'f');
  for (seed = 1; seed <= 6; ++seed) {
    char mode[32], name[96];

    snprintf (mode, sizeof mode, "partial:%d", seed);
    snprintf (name, sizeof name,
              "power cut in qemu-img commit, a random half of the "
              "writes lost (seed %d)", seed);
    r = run_case ("raw", NULL, mode, false);
    mixes += r.before == 'm';
    is_int (r.after, 'f', "%s: finished after the recovery", name);
  }
  ok (mixes == 6, "... each of them left a mix that the recovery finished "
      "(the test reaches the state it claims)");
  check ("killed after qemu-img commit, before the image is flushed",
         run_case ("raw", "before-fsync-3", NULL, false), 'f', 'f');
  r = run_case ("raw", "after-fsync-3", NULL, false);
  check ("killed after the image is flushed, before the overlay is "
         "removed", r, 'f', 'f');
  is_int (r.commits_left, 0, "... and the recovery removed the overlay");

  /* A qcow2 image: qemu-img itself killed after 0, 0.05, 0.2 and 0.5 s. */
  {
    const char *delays[] = { "0", "0.05", "0.2", "0.5" };
    size_t i;

    for (i = 0; i < 4; ++i) {
      char mode[32];

      snprintf (mode, sizeof mode, "kill:%s", delays[i]);
      r = run_case ("qcow2", NULL, mode, false);
      ok (r.before != 'c' && r.after == 'f',
          "qcow2, qemu-img commit killed after %s s: finished and "
          "consistent after the recovery (before: %c)", delays[i], r.before);
    }
  }
  return exit_status ();
}
