/* SPDX-License-Identifier: GPL-2.0-or-later */
/* disks.c: check each disk before the appliance sees it.
 *
 * The format of a disk is never left to qemu to guess (CVE-2010-3851:
 * a raw guest disk whose first sector looks like a qcow2 header could
 * make qemu open a host file as its "backing file").  We read the
 * magic ourselves, then have `qemu-img info` open the image with that
 * explicit format, which also catches corrupt or truncated images with
 * one clear message before any appliance is launched.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

extern char **environ;

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

  char *r = strdup (fmt);
  if (r == NULL)
    gs_error ("out of memory");
  return r;
}

static char *
read_all (int fd)
{
  size_t len = 0, cap = 4096;
  char *buf = malloc (cap);
  ssize_t n;

  if (buf == NULL)
    return NULL;
  while ((n = read (fd, buf + len, cap - len - 1)) > 0) {
    len += n;
    if (cap - len < 2) {
      char *p = realloc (buf, cap *= 2);
      if (p == NULL) {
        free (buf);
        return NULL;
      }
      buf = p;
    }
  }
  buf[len] = '\0';
  return buf;
}

/* Run qemu-img ARGV about PATH; return its stdout or NULL with *err set
 * to its first line of complaint.  *CODE is its exit status (-1: it did
 * not exit normally or could not run); qemu-img check's status 3
 * (leaked clusters: harmless) counts as success.
 */
static char *
run_qemu_img (const char *const *argv, const char *path, char **err,
              int *code)
{
  int out[2], errp[2], status;
  posix_spawn_file_actions_t fa;
  pid_t pid;
  char *o, *e;

  *err = NULL;
  *code = -1;
  if (pipe2 (out, O_CLOEXEC) == -1 || pipe2 (errp, O_CLOEXEC) == -1) {
    gs_error ("pipe: %m");
    return NULL;
  }
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, out[1], 1);
  posix_spawn_file_actions_adddup2 (&fa, errp[1], 2);
  status = posix_spawnp (&pid, "qemu-img", &fa, NULL, (char **) argv,
                         environ);
  posix_spawn_file_actions_destroy (&fa);
  close (out[1]);
  close (errp[1]);
  if (status != 0) {
    close (out[0]);
    close (errp[0]);
    errno = status;
    *err = strdup ("cannot run qemu-img (is qemu-utils installed?)");
    return NULL;
  }
  o = read_all (out[0]);
  e = read_all (errp[0]);
  close (out[0]);
  close (errp[0]);
  *code = waitpid (pid, &status, 0) == -1 || !WIFEXITED (status) ? -1
    : WEXITSTATUS (status);
  if (*code != 0 && !(*code == 3 && strcmp (argv[1], "check") == 0)) {
    const char *m = e ? e : "qemu-img failed";
    const char *p;

    /* "qemu-img: PATH: MESSAGE": keep MESSAGE, which names no host path. */
    if ((p = strstr (m, path)) != NULL && p[strlen (path)] == ':')
      m = p + strlen (path) + 1;
    else if (strncmp (m, "qemu-img: ", 10) == 0)
      m += 10;
    m += strspn (m, " ");
    *err = strndup (m, strcspn (m, "\n"));
    free (o);
    free (e);
    return NULL;
  }
  free (e);
  return o;
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

int
gs_int_disk_check (struct gs_disk *disk)
{
  struct stat st;
  CLEANUP_FREE char *json = NULL;
  CLEANUP_FREE char *err = NULL;
  CLEANUP_FREE char *backing = NULL;
  json_object *info, *vs, *bf;
  int code;

  if (stat (disk->path, &st) == -1) {
    gs_error ("%s: %m", disk->path);
    return -1;
  }
  if (!S_ISREG (st.st_mode) && !S_ISBLK (st.st_mode)) {
    gs_error ("%s: not a regular file or block device", disk->path);
    return -1;
  }
  if (S_ISREG (st.st_mode) && st.st_size < 512) {
    gs_error ("%s: too small to be a disk image (%lld bytes)", disk->path,
              (long long) st.st_size);
    return -1;
  }
  if (access (disk->path, disk->readonly ? R_OK : R_OK | W_OK) == -1) {
    gs_error ("%s: cannot open %s: %m", disk->path,
              disk->readonly ? "for reading" : "for writing");
    return -1;
  }
  if (disk->format == NULL &&
      (disk->format = gs_int_probe_format (disk->path)) == NULL)
    return -1;

  {
    const char *argv[] = { "qemu-img", "info", "--output=json", "-U",
                           "-f", disk->format, disk->path, NULL };

    json = run_qemu_img (argv, disk->path, &err, &code);
  }
  if (json == NULL) {
    gs_error ("%s: not a valid %s disk image: %s", disk->path, disk->format,
              err ? err : "qemu-img failed");
    return -1;
  }
  info = json_tokener_parse (json);
  if (info && json_object_object_get_ex (info, "virtual-size", &vs))
    disk->virtual_size = json_object_get_int64 (vs);
  backing = info && json_object_object_get_ex (info, "backing-filename",
                                               &bf)
    ? strdup (json_object_get_string (bf)) : NULL;
  json_object_put (info);

  /* qemu-img info does not open the backing file: a missing one would
   * only be found by the appliance.  --backing-chain opens them all.
   */
  if (backing) {
    const char *argv[] = { "qemu-img", "info", "--output=json", "-U",
                           "--backing-chain", "-f", disk->format,
                           disk->path, NULL };
    CLEANUP_FREE char *out = NULL;

    free (err);
    err = NULL;
    if ((out = run_qemu_img (argv, disk->path, &err, &code)) == NULL) {
      gs_error ("%s: its backing file '%s' cannot be opened: %s",
                disk->path, backing, backing_reason (err));
      return -1;
    }
  }

  /* A truncated or damaged qcow2 opens fine; its metadata is checked
   * here (a few reads, even on big images) instead.
   */
  if (strcmp (disk->format, "qcow2") == 0) {
    const char *argv[] = { "qemu-img", "check", "-q", "-U", "-f", "qcow2",
                           disk->path, NULL };
    CLEANUP_FREE char *out = NULL;

    free (err);
    err = NULL;
    out = run_qemu_img (argv, disk->path, &err, &code);
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
