/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qemu-img.c: the one runner of qemu-img, and `qemu-img info` parsed.
 *
 * posix_spawnp, not fork: glibc resets every handled signal to its
 * default in the child before exec, so a Ctrl-C there never runs our
 * handlers (scratch.c's would unlink the overlays) in a copy of us;
 * ignored signals and the mask pass on as through exec.  The child
 * gets fds 0-2 only.  Both pipes are read whole, through poll, so
 * neither can fill and stall qemu-img while we wait on the other.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

extern char **environ;

/* One captured stream: its pipe and what was read from it. */
struct sink {
  int fd;                        /* -1: at EOF */
  char *buf;
  size_t len, cap;
};

/* One read from S into its buffer; false at EOF or on error. */
static bool
sink_read (struct sink *s)
{
  ssize_t n;

  if (s->cap - s->len < 2)
    s->buf = gs_xrealloc (s->buf, s->cap = s->cap ? 2 * s->cap : 4096);
  do
    n = read (s->fd, s->buf + s->len, s->cap - s->len - 1);
  while (n == -1 && errno == EINTR);
  if (n <= 0)
    return false;
  s->len += n;
  return true;
}

/* Read S[0..N) until each is at EOF (closing them). */
static void
drain (struct sink *s, size_t n)
{
  for (;;) {
    struct pollfd p[2];
    nfds_t k = 0;

    for (size_t i = 0; i < n; ++i)
      if (s[i].fd != -1)
        p[k++] = (struct pollfd) { .fd = s[i].fd, .events = POLLIN };
    if (k == 0)
      return;
    if (poll (p, k, -1) == -1) {
      if (errno == EINTR)
        continue;
      /* Cannot wait on both: read them one after the other. */
      for (nfds_t i = 0; i < k; ++i)
        p[i].revents = POLLIN;
    }
    for (size_t i = 0, j = 0; i < n; ++i) {
      if (s[i].fd == -1)
        continue;
      if (p[j++].revents && !sink_read (&s[i])) {
        close (s[i].fd);
        s[i].fd = -1;
      }
    }
  }
}

/* S's text (NUL-terminated, never NULL). */
static char *
sink_text (struct sink *s)
{
  if (s->buf == NULL)
    s->buf = gs_xmalloc (1);
  s->buf[s->len] = '\0';
  return s->buf;
}

int
gs_int_qemu_img (const char *const argv[], enum gs_qemu_img_output how,
                 char **out, char **err)
{
  int po[2], pe[2] = { -1, -1 }, status, r, e;
  struct sink s[2] = { { .fd = -1 }, { .fd = -1 } };
  posix_spawn_file_actions_t fa;
  pid_t pid;

  *out = NULL;
  if (err)
    *err = NULL;
  if (pipe2 (po, O_CLOEXEC) == -1)
    return GS_QEMU_IMG_NO_PIPE;
  if (how == GS_QEMU_IMG_APART && pipe2 (pe, O_CLOEXEC) == -1) {
    e = errno;
    close (po[0]);
    close (po[1]);
    errno = e;
    return GS_QEMU_IMG_NO_PIPE;
  }
  posix_spawn_file_actions_init (&fa);
  switch (how) {
  case GS_QEMU_IMG_APART:
    posix_spawn_file_actions_adddup2 (&fa, po[1], 1);
    posix_spawn_file_actions_adddup2 (&fa, pe[1], 2);
    break;
  case GS_QEMU_IMG_MERGED:
    posix_spawn_file_actions_adddup2 (&fa, po[1], 1);
    posix_spawn_file_actions_adddup2 (&fa, po[1], 2);
    break;
  case GS_QEMU_IMG_PROGRESS:
    posix_spawn_file_actions_adddup2 (&fa, 2, 1);
    posix_spawn_file_actions_adddup2 (&fa, po[1], 2);
    break;
  }
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
  posix_spawn_file_actions_addclosefrom_np (&fa, 3);
#endif
  r = posix_spawnp (&pid, "qemu-img", &fa, NULL, (char *const *) argv,
                    environ);
  posix_spawn_file_actions_destroy (&fa);
  close (po[1]);
  if (pe[1] != -1)
    close (pe[1]);
  s[0].fd = po[0];
  s[1].fd = pe[0];
  if (r != 0) {
    close (po[0]);
    if (pe[0] != -1)
      close (pe[0]);
    errno = r;
    return GS_QEMU_IMG_NOT_RUN;
  }
  drain (s, pe[0] != -1 ? 2 : 1);
  while ((r = waitpid (pid, &status, 0)) == -1 && errno == EINTR)
    ;
  *out = sink_text (&s[0]);
  if (err && how == GS_QEMU_IMG_APART)
    *err = sink_text (&s[1]);
  else
    free (s[1].buf);
  return r == -1 || !WIFEXITED (status) ? GS_QEMU_IMG_KILLED
    : WEXITSTATUS (status);
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
                           progress ? GS_QEMU_IMG_PROGRESS
                           : GS_QEMU_IMG_MERGED, &o, NULL);
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
  *code = gs_int_qemu_img (argv, GS_QEMU_IMG_APART, &o, &e);
  if (*code == GS_QEMU_IMG_NOT_RUN) {
    *code = -1;
    *err = gs_xstrdup ("cannot run qemu-img (is qemu-utils installed?)");
    return NULL;
  }
  if (*code == GS_QEMU_IMG_NO_PIPE) {
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
