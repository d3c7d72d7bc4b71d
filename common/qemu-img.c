/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qemu-img.c: qemu-img run (through run-command.c's runner), its
 * complaints cut to one line, `qemu-img info` parsed, a disk's head
 * read on the host.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

int
gs_int_qemu_img (const char *const argv[], enum gs_run_output how,
                 char **out, char **err)
{
  return gs_int_run_command (argv, how, NULL, out, err);
}

/* The old interface, on the runner above: OUT gets its stdout and
 * stderr, or its stderr only with PROGRESS (the bar of -p then goes
 * to our stderr).
 */
int
gs_int_run_qemu_img (char *const argv[], char *out, size_t outlen,
                     bool progress)
{
  CLEANUP_FREE char *o = NULL;
  int r = gs_int_qemu_img ((const char *const *) argv,
                           progress ? GS_RUN_PROGRESS
                           : GS_RUN_MERGED, &o, NULL);
  int e = errno;
  size_t n = o ? strlen (o) : 0;

  if (n >= outlen) {
    gs_debug ("qemu-img %s: %zu bytes of output, only %zu kept", argv[1],
              n, outlen - 1);
    n = outlen - 1;
  }
  memcpy (out, o ? o : "", n);
  out[n] = '\0';
  errno = e;
  return r == 0 ? 0 : -1;
}

/* The first line of S, cut in place (for one-line messages). */
char *
gs_int_first_line (char *s)
{
  s[strcspn (s, "\n")] = '\0';
  return s;
}

char *
gs_int_qemu_img_on (const char *const argv[], const char *path, char **err,
                    int *code)
{
  char *o, *e;
  const char *m, *p;

  *err = NULL;
  *code = gs_int_qemu_img (argv, GS_RUN_APART, &o, &e);
  if (*code == GS_RUN_NOT_RUN) {
    *code = -1;
    *err = gs_xstrdup ("cannot run qemu-img (is qemu-utils installed?)");
    return NULL;
  }
  if (*code == GS_RUN_NO_PIPE) {
    *code = -1;
    gs_error ("pipe: %m");
    return NULL;
  }
  /* qemu-img check's 3: leaked clusters only, harmless. */
  if (*code == 0 || (*code == 3 && strcmp (argv[1], "check") == 0)) {
    free (e);
    return o;
  }
  /* "qemu-img: PATH: MESSAGE": keep MESSAGE, which names no host path. */
  m = e;
  if ((p = strstr (m, path)) != NULL && p[strlen (path)] == ':')
    m = p + strlen (path) + 1;
  else if (strncmp (m, "qemu-img: ", 10) == 0)
    m += 10;
  m += strspn (m, " ");
  *err = gs_xstrndup (m, strcspn (m, "\n"));
  free (o);
  free (e);
  return NULL;
}

int
gs_int_qemu_img_info (const char *path, const char *fmt, bool share,
                      json_object **info, char **err)
{
  const char *argv[8];
  CLEANUP_FREE char *json = NULL;
  size_t n = 0;
  int code;

  *info = NULL;
  argv[n++] = "qemu-img";
  argv[n++] = "info";
  argv[n++] = "--output=json";
  if (share)
    argv[n++] = "-U";
  argv[n++] = "-f";
  argv[n++] = fmt;
  argv[n++] = path;
  argv[n] = NULL;
  if ((json = gs_int_qemu_img_on (argv, path, err, &code)) == NULL)
    return -1;
  return (*info = json_tokener_parse (json)) ? 0 : -2;
}

/* A disk's first bytes, read on the host: raw files directly, other
 * formats through qemu-img dd.
 */
ssize_t
gs_int_read_head (const struct gs_disk *d, unsigned char *buf, size_t len)
{
  ssize_t got = -1;

  if (d->format && strcmp (d->format, "raw") == 0 && !d->remote) {
    int fd = open (d->path, O_RDONLY | O_CLOEXEC);

    if (fd >= 0) {
      got = pread (fd, buf, len, 0);
      close (fd);
    }
  }
  else if (d->format) {
    char tmp[] = "/tmp/goldsmith-table-XXXXXX";
    int fd = mkstemp (tmp);

    if (fd >= 0) {
      CLEANUP_FREE char *ifarg = NULL, *ofarg = NULL, *bs = NULL;
      char out[256];

      close (fd);
      if (asprintf (&ifarg, "if=%s", d->path) != -1 &&
          asprintf (&ofarg, "of=%s", tmp) != -1 &&
          asprintf (&bs, "bs=%zu", len) != -1) {
        char *argv[] = {
          (char *) "qemu-img", (char *) "dd", (char *) "-f", d->format,
          (char *) "-O", (char *) "raw", bs, (char *) "count=1", ifarg,
          ofarg, NULL
        };

        if (gs_int_run_qemu_img (argv, out, sizeof out, false) == 0 &&
            (fd = open (tmp, O_RDONLY | O_CLOEXEC)) >= 0) {
          got = pread (fd, buf, len, 0);
          close (fd);
        }
      }
      unlink (tmp);
    }
  }
  return got;
}
