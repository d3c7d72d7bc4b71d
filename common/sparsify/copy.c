/* SPDX-License-Identifier: GPL-2.0-or-later */
/* copy.c: sparsify on the host: the checks before any launch (the
 * image can discard; OUT, --tmp and -o are usable; room for the
 * overlay), then, after the appliance, the overlay measured against
 * OUT's free space and converted to OUT by qemu-img.
 */
#include <config.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cleanups.h"
#include "sparsify-int.h"

static int64_t
free_space (const char *dir)
{
  struct statvfs sv;

  if (statvfs (dir, &sv) == -1)
    return -1;
  return (int64_t) sv.f_bavail * sv.f_frsize;
}

/* The directory holding PATH (a new string). */
static char *
dir_of (const char *path)
{
  const char *slash = strrchr (path, '/');

  if (slash == NULL)
    return gs_xstrdup (".");
  if (slash == path)
    return gs_xstrdup ("/");
  return gs_xstrndup (path, slash - path);
}

/* --tmp: an existing directory we can write, with room for the
 * overlay.  The overlay holds only the metadata of discarded clusters
 * unless a filesystem has to be zero-filled, so the need is a margin
 * plus the L2/refcount tables of 4 KiB clusters (about 1/400 of the
 * virtual size), not virt-sparsify's whole virtual size.
 */
static int
check_tmp (struct gs_sparsify_job *j)
{
  struct stat st;
  int64_t need, have;
  char h1[32], h2[32];

  if (strncmp (j->tmp, "prebuilt:", 9) == 0) {
    gs_error ("--tmp %s: prebuilt overlays are not supported; give a "
              "directory", j->tmp);
    return -1;
  }
  if (stat (j->tmp, &st) == -1) {
    gs_error ("--tmp %s: no such directory", j->tmp);
    return -1;
  }
  if (!S_ISDIR (st.st_mode)) {
    gs_error ("--tmp %s: not a directory", j->tmp);
    return -1;
  }
  if (access (j->tmp, W_OK | X_OK) == -1) {
    gs_error ("--tmp %s: not writable: %m", j->tmp);
    return -1;
  }
  if (j->check_tmpdir && (strcmp (j->check_tmpdir, "ignore") == 0 ||
                          strcmp (j->check_tmpdir, "continue") == 0))
    return 0;
  need = (64 << 20) + j->disk->virtual_size / 400;
  have = free_space (j->tmp);
  if (have >= 0 && have < need) {
    gs_int_human_size (have, h1, sizeof h1);
    gs_int_human_size (need, h2, sizeof h2);
    if (j->check_tmpdir && strcmp (j->check_tmpdir, "warn") == 0)
      gs_warning ("--tmp %s: %s free, the overlay may need %s", j->tmp, h1,
                  h2);
    else {
      gs_error ("--tmp %s: %s free, the overlay may need %s (use another "
                "--tmp, or --check-tmpdir continue)", j->tmp, h1, h2);
      j->tmp_short = true;
      return -1;
    }
  }
  return 0;
}

/* OUT: not IN, not a character device, not an existing file unless
 * --overwrite, in a writable directory.
 */
static int
check_out (struct gs_sparsify_job *j)
{
  struct stat st;
  CLEANUP_FREE char *dir = NULL;

  if (gs_int_same_file (j->in, j->out)) {
    gs_error ("sparsify: IN and OUT are the same file (%s): use --in-place "
              "to sparsify an image itself", j->in);
    return -1;
  }
  if (stat (j->out, &st) == 0) {
    if (S_ISCHR (st.st_mode)) {
      gs_error ("%s: OUT is a character device", j->out);
      return -1;
    }
    if (S_ISBLK (st.st_mode)) {
      j->out_is_blockdev = true;
      return 0;
    }
    if (!j->overwrite) {
      gs_error ("%s: already exists (remove it, or give --overwrite)",
                j->out);
      return -1;
    }
  }
  dir = dir_of (j->out);
  if (access (dir, W_OK | X_OK) == -1) {
    gs_error ("%s: cannot write in %s: %m", j->out, dir);
    return -1;
  }
  return 0;
}

/* -o OPTIONS: let qemu-img judge them now, on a throw-away file, rather
 * than after minutes of work.
 */
static int
check_qemu_opts (const struct gs_sparsify_job *j)
{
  CLEANUP_FREE char *probe = NULL;
  char out[1024];
  int r;

  if (j->qemu_opts == NULL)
    return 0;
  if (asprintf (&probe, "%s/goldsmith-opts-%ld.img", j->tmp,
                (long) getpid ()) == -1)
    return -1;
  {
    char *const argv[] = {
      (char *) "qemu-img", (char *) "create", (char *) "-q",
      (char *) "-f", (char *) j->out_fmt, (char *) "-o",
      (char *) j->qemu_opts, probe, (char *) "1M", NULL,
    };
    r = gs_int_run_qemu_img (argv, out, sizeof out, false);
  }
  unlink (probe);
  if (r == -1) {
    gs_error ("-o %s: qemu-img rejects it for %s: %s", j->qemu_opts,
              j->out_fmt, gs_int_first_line (out));
    return -1;
  }
  return 0;
}

/* qemu discards on raw and qcow2 only: say so before any launch. */
int
gs_int_sparsify_check_in_place (const struct gs_sparsify_job *j)
{
  if (j->in_place && !j->dry_run && strcmp (j->disk->format, "raw") != 0 &&
      strcmp (j->disk->format, "qcow2") != 0) {
    gs_error ("%s: a %s image cannot discard: in-place sparsify is "
              "impossible (use copying mode)", j->in, j->disk->format);
    return -1;
  }
  return 0;
}

int
gs_int_sparsify_check (struct gs_sparsify_job *j)
{
  /* The temp dir, also in a dry run (the -o probe goes there). */
  if (j->tmp == NULL && (j->tmp = j->tmp_dir) == NULL &&
      ((j->tmp = getenv ("TMPDIR")) == NULL || j->tmp[0] == '\0'))
    j->tmp = "/tmp";
  if (!j->in_place && (check_out (j) == -1 ||
                       (!j->dry_run && check_tmp (j) == -1) ||
                       check_qemu_opts (j) == -1))
    return -1;
  /* The image written in place, or an existing OUT (block device,
   * --overwrite): nobody else may be using it.
   */
  if (!j->dry_run && (j->in_place || access (j->out, F_OK) == 0) &&
      gs_int_lock_image (j->in_place ? j->in : j->out) == -1)
    return -1;
  return 0;
}

/* Bytes qemu-img says OUT needs, or -1 when it cannot say. */
static int64_t
measure (const struct gs_sparsify_job *j)
{
  char out[4096];
  char *const argv[] = {
    (char *) "qemu-img", (char *) "measure", (char *) "--output=json",
    (char *) "-f", (char *) "qcow2", (char *) "-O", (char *) j->out_fmt,
    j->qemu_opts ? (char *) "-o" : j->disk->overlay, (char *) j->qemu_opts,
    j->qemu_opts ? j->disk->overlay : NULL, NULL,
  };
  json_object *o, *v;
  int64_t r = -1;

  if (gs_int_run_qemu_img (argv, out, sizeof out, false) == -1) {
    gs_debug ("qemu-img measure: %s", gs_int_first_line (out));
    return -1;
  }
  if ((o = json_tokener_parse (out)) != NULL) {
    if (json_object_object_get_ex (o, "required", &v))
      r = json_object_get_int64 (v);
    json_object_put (o);
  }
  return r;
}

int
gs_int_sparsify_convert (const struct gs_sparsify_job *j)
{
  const char *target = j->out;
  char out[1024];
  int64_t need, have;
  const char *argv[16];
  size_t n = 0;

  if (!j->out_is_blockdev) {
    CLEANUP_FREE char *dir = dir_of (j->out);
    char h1[32], h2[32];

    need = measure (j);
    have = dir ? free_space (dir) : -1;
    if (need > 0 && have >= 0 && have < need) {
      gs_error ("%s: %s free in %s, the output needs %s; nothing was "
                "written", j->out, gs_int_human_size (have, h1, sizeof h1),
                dir, gs_int_human_size (need, h2, sizeof h2));
      return -1;
    }
    if ((target = gs_int_outfile_reserve (j->out)) == NULL)
      return -1;
  }
  gs_info ("Copying to %s and making it sparse ...", j->out);
  argv[n++] = "qemu-img";
  argv[n++] = "convert";
  if (j->progress)
    argv[n++] = "-p";
  argv[n++] = "-f";
  argv[n++] = "qcow2";
  argv[n++] = "-O";
  argv[n++] = j->out_fmt;
  if (j->compress)
    argv[n++] = "-c";
  if (j->qemu_opts) {
    argv[n++] = "-o";
    argv[n++] = j->qemu_opts;
  }
  if (j->out_is_blockdev)
    argv[n++] = "-n";            /* write into the device as it is */
  argv[n++] = j->disk->overlay;
  argv[n++] = target;
  argv[n] = NULL;
  if (gs_int_run_qemu_img ((char *const *) argv, out, sizeof out,
                           j->progress) == -1) {
    gs_error ("%s: qemu-img convert failed: %s", j->out,
              gs_int_first_line (out));
    return -1;
  }
  return 0;
}

