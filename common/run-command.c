/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run-command.c: the one runner of host commands (qemu-img, tar, the
 * kernel's decompressors, qemu's --version).  No shell: an argv.
 *
 * posix_spawnp, not fork: glibc resets every handled signal to its
 * default in the child before exec, so a Ctrl-C there never runs our
 * handlers (scratch.c's would unlink the overlays) in a copy of us;
 * ignored signals and the mask pass on as through exec.  The child
 * gets fds 0-2 only.  Its input is written and its outputs read
 * through one poll, so no pipe can fill and stall it while we wait on
 * another.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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

/* What is left to write to the child's stdin. */
struct feed {
  int fd;                        /* -1: all written, or it stopped reading */
  const char *p, *end;
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

/* One write to F; false when it is all written or the child stopped
 * reading (EPIPE: a decompressor exits at the end of its stream).
 */
static bool
feed_write (struct feed *f)
{
  ssize_t n;

  do
    n = write (f->fd, f->p, f->end - f->p);
  while (n == -1 && errno == EINTR);
  if (n <= 0)
    return false;
  f->p += n;
  return f->p < f->end;
}

/* Write F and read S[0..N) until each is done (closing them). */
static void
pump (struct feed *f, struct sink *s, size_t n)
{
  for (;;) {
    struct pollfd p[3];
    nfds_t k = 0;

    if (f->fd != -1)
      p[k++] = (struct pollfd) { .fd = f->fd, .events = POLLOUT };
    for (size_t i = 0; i < n; ++i)
      if (s[i].fd != -1)
        p[k++] = (struct pollfd) { .fd = s[i].fd, .events = POLLIN };
    if (k == 0)
      return;
    if (poll (p, k, -1) == -1) {
      if (errno == EINTR)
        continue;
      /* Cannot wait on all: serve them one after the other. */
      for (nfds_t i = 0; i < k; ++i)
        p[i].revents = p[i].events;
    }
    k = 0;
    if (f->fd != -1 && p[k++].revents && !feed_write (f)) {
      close (f->fd);
      f->fd = -1;
    }
    for (size_t i = 0; i < n; ++i) {
      if (s[i].fd == -1)
        continue;
      if (p[k++].revents && !sink_read (&s[i])) {
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

static void
close_pair (int fd[2])
{
  for (int i = 0; i < 2; ++i)
    if (fd[i] != -1) {
      close (fd[i]);
      fd[i] = -1;
    }
}

int
gs_int_run_command (const char *const argv[], enum gs_run_output how,
                    const struct gs_run_io *io, char **out, char **err)
{
  int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, pi[2] = { -1, -1 };
  int status, r, e;
  struct sink s[2] = { { .fd = -1 }, { .fd = -1 } };
  struct feed f = { .fd = -1 };
  bool capture = how != GS_RUN_QUIET && how != GS_RUN_TO_FD;
  posix_spawn_file_actions_t fa;
  struct sigaction ign = { .sa_handler = SIG_IGN }, old;
  pid_t pid;

  if (out)
    *out = NULL;
  if (err)
    *err = NULL;
  if ((capture && pipe2 (po, O_CLOEXEC) == -1) ||
      (how == GS_RUN_APART && pipe2 (pe, O_CLOEXEC) == -1) ||
      (io && io->input && pipe2 (pi, O_CLOEXEC) == -1)) {
    e = errno;
    close_pair (po);
    close_pair (pe);
    errno = e;
    return GS_RUN_NO_PIPE;
  }
  posix_spawn_file_actions_init (&fa);
  if (pi[0] != -1)
    posix_spawn_file_actions_adddup2 (&fa, pi[0], 0);
  switch (how) {
  case GS_RUN_APART:
    posix_spawn_file_actions_adddup2 (&fa, po[1], 1);
    posix_spawn_file_actions_adddup2 (&fa, pe[1], 2);
    break;
  case GS_RUN_MERGED:
    posix_spawn_file_actions_adddup2 (&fa, po[1], 1);
    posix_spawn_file_actions_adddup2 (&fa, po[1], 2);
    break;
  case GS_RUN_PROGRESS:
    posix_spawn_file_actions_adddup2 (&fa, 2, 1);
    posix_spawn_file_actions_adddup2 (&fa, po[1], 2);
    break;
  case GS_RUN_STDOUT:
    posix_spawn_file_actions_adddup2 (&fa, po[1], 1);
    posix_spawn_file_actions_addopen (&fa, 2, "/dev/null", O_WRONLY, 0);
    break;
  case GS_RUN_QUIET:
    posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen (&fa, 2, "/dev/null", O_WRONLY, 0);
    break;
  case GS_RUN_TO_FD:
    posix_spawn_file_actions_adddup2 (&fa, io->out_fd, 1);
    posix_spawn_file_actions_addopen (&fa, 2, "/dev/null", O_WRONLY, 0);
    break;
  }
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
  posix_spawn_file_actions_addclosefrom_np (&fa, 3);
#endif
  r = posix_spawnp (&pid, argv[0], &fa, NULL, (char *const *) argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  /* Our copies of the child's ends. */
  if (po[1] != -1)
    close (po[1]);
  if (pe[1] != -1)
    close (pe[1]);
  if (pi[0] != -1)
    close (pi[0]);
  s[0].fd = po[0];
  s[1].fd = pe[0];
  if (r != 0) {
    if (po[0] != -1)
      close (po[0]);
    if (pe[0] != -1)
      close (pe[0]);
    if (pi[1] != -1)
      close (pi[1]);
    errno = r;
    return GS_RUN_NOT_RUN;
  }
  if (pi[1] != -1) {
    f = (struct feed) { .fd = pi[1], .p = io->input,
                        .end = (const char *) io->input + io->input_len };
    if (io->input_len == 0) {
      close (f.fd);
      f.fd = -1;
    }
  }
  /* A child that stops reading gets EPIPE written back, not our death. */
  sigaction (SIGPIPE, &ign, &old);
  pump (&f, s, pe[0] != -1 ? 2 : po[0] != -1 ? 1 : 0);
  sigaction (SIGPIPE, &old, NULL);
  while ((r = waitpid (pid, &status, 0)) == -1 && errno == EINTR)
    ;
  if (out && capture)
    *out = sink_text (&s[0]);
  else
    free (s[0].buf);
  if (err && how == GS_RUN_APART)
    *err = sink_text (&s[1]);
  else
    free (s[1].buf);
  return r == -1 || !WIFEXITED (status) ? GS_RUN_KILLED
    : WEXITSTATUS (status);
}
