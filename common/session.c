/* SPDX-License-Identifier: GPL-2.0-or-later */
/* session.c: one libguestfs appliance launch serving one or more guests.
 *
 * Appliance launches are the expensive part of every tool (20 s or
 * more under TCG), so a session adds the disks of every guest it is
 * given and launches once.  When hardware acceleration is broken (as on
 * many nested hosts, where qemu aborts with "failed to set MSR"), an
 * "auto" session retries once with TCG and says so in one line.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

static void
error_cb (guestfs_h *g, void *opaque, const char *msg)
{
  struct gs_session *s = opaque;

  (void) g;
  free (s->last_guestfs_error);
  s->last_guestfs_error = strdup (msg);
  gs_error ("%s", msg);
}

/* A launch that may be retried: its errors are kept for the one-line
 * warning that says why, not printed.  Of a failed launch's several
 * errors, keep the one that says what qemu did, without libguestfs's
 * pointer to logs we did not print.
 */
static void
launch_error_cb (guestfs_h *g, void *opaque, const char *msg)
{
  struct gs_session *s = opaque;

  (void) g;
  if (s->last_guestfs_error && !strstr (msg, "qemu"))
    return;
  free (s->last_guestfs_error);
  s->last_guestfs_error = strndup (msg, strcspn (msg, ","));
}

/* The one way to call libguestfs quietly (core and plugins alike):
 * libguestfs's own handler stack, with no handler on top.  The failure
 * stays in guestfs_last_error/last_errno; errno is left as it was.
 */
void
gs_quiet_begin (guestfs_h *g)
{
  int e = errno;

  guestfs_push_error_handler (g, NULL, NULL);
  errno = e;
}

void
gs_quiet_end (guestfs_h *g)
{
  int e = errno;

  guestfs_pop_error_handler (g);
  errno = e;
}

/* A progress bar on stderr, only on a terminal and without -q; and
 * --progress-fd's copy events.
 */
static void
progress_cb (guestfs_h *g, void *opaque, uint64_t event, int eh, int flags,
             const char *buf, size_t buf_len, const uint64_t *array,
             size_t array_len)
{
  (void) g; (void) opaque; (void) event; (void) eh; (void) flags;
  (void) buf; (void) buf_len;
  if (array_len < 4 || array[3] == 0)
    return;

  uint64_t pos = array[2], total = array[3];
  gs_int_progress_copy (pos, total);
  if (opaque == NULL)            /* events only: no terminal bar */
    return;
  int width = 40, filled = (int) (pos * width / total);

  fprintf (stderr, "\r[%.*s%*s] %3d%%",
           filled, "########################################",
           width - filled, "", (int) (pos * 100 / total));
  if (pos >= total)
    fputc ('\n', stderr);
  fflush (stderr);
}

extern char **environ;

/* Does KVM work?  Start qemu paused with KVM and quit at once: where
 * KVM is broken (nested hosts: "failed to set MSR 0x10a") qemu aborts
 * within milliseconds, which is far cheaper than a failed appliance
 * launch.  Returns 1 (works), 0 (broken, *why set) or -1 (unknown).
 */
int
gs_int_kvm_probe (const char *hv, char *why, size_t whylen)
{
  const char *argv[] = { hv, "-accel", "kvm", "-cpu", "host",
                         "-nodefaults", "-display", "none", "-S",
                         "-monitor", "stdio", NULL };
  int in[2], err[2], status;
  posix_spawn_file_actions_t fa;
  pid_t pid;
  ssize_t n;

  if (access ("/dev/kvm", R_OK | W_OK) == -1)
    return -1;                   /* libguestfs picks TCG by itself */
  if (pipe2 (in, O_CLOEXEC) == -1)
    return -1;
  if (pipe2 (err, O_CLOEXEC) == -1) {
    close (in[0]); close (in[1]);
    return -1;
  }
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, in[0], 0);
  posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2 (&fa, err[1], 2);
  status = posix_spawn (&pid, hv, &fa, NULL, (char **) argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  close (in[0]);
  close (err[1]);
  if (status != 0) {
    close (in[1]); close (err[0]);
    return -1;
  }
  {
    /* A qemu that exits at once has closed the pipe: EPIPE, not a
     * SIGPIPE that would kill goldsmith without a word.
     */
    struct sigaction ign = { .sa_handler = SIG_IGN }, old;

    sigaction (SIGPIPE, &ign, &old);
    if (write (in[1], "quit\n", 5) != 5)
      gs_debug ("kvm probe: cannot write to qemu's monitor: %m");
    sigaction (SIGPIPE, &old, NULL);
  }
  close (in[1]);
  /* Wait at most 10 s: a probe must never hang a run. */
  for (int i = 0; i < 1000 && waitpid (pid, &status, WNOHANG) == 0; ++i)
    nanosleep (&(struct timespec) { 0, 10000000 }, NULL);
  if (waitpid (pid, &status, WNOHANG) == 0) {
    kill (pid, SIGKILL);
    waitpid (pid, &status, 0);
    close (err[0]);
    return -1;
  }
  n = read (err[0], why, whylen - 1);
  close (err[0]);
  why[n > 0 ? n : 0] = '\0';
  why[strcspn (why, "\n")] = '\0';
  {                              /* drop qemu's "PROGRAM: " prefix */
    const char *base = strrchr (hv, '/') ? strrchr (hv, '/') + 1 : hv;
    size_t bl = strlen (base);

    if (strncmp (why, base, bl) == 0 && strncmp (why + bl, ": ", 2) == 0)
      memmove (why, why + bl + 2, strlen (why + bl + 2) + 1);
    if (strncmp (why, "error: ", 7) == 0)
      memmove (why, why + 7, strlen (why + 7) + 1);
  }
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 1;
  return 0;
}

/* Whether this launch runs under TCG: forced (by goldsmith's fallback,
 * the configuration or LIBGUESTFS_BACKEND_SETTINGS), or no usable
 * /dev/kvm, where libguestfs picks TCG by itself.
 */
static bool
will_use_tcg (const char *force)
{
  const char *env = getenv ("LIBGUESTFS_BACKEND_SETTINGS");

  if (force)
    return strcmp (force, "force_tcg") == 0;
  if (env && strstr (env, "force_tcg"))
    return true;
  return access ("/dev/kvm", R_OK | W_OK) != 0;
}

static guestfs_h *
make_handle (struct gs_session *s, struct gs_guest *guests, size_t nguests,
             const struct gs_session_opts *o, const char *force)
{
  const struct gs_settings *st = o->settings;
  guestfs_h *g = guestfs_create ();

  if (g == NULL) {
    gs_error ("cannot create libguestfs handle: %m");
    return NULL;
  }
  guestfs_set_error_handler (g, error_cb, s);
  guestfs_set_verbose (g, o->verbose);
  guestfs_set_trace (g, o->trace);
  if (o->launch_log && gs_int_launch_log_attach (g, o->launch_log) == -1)
    goto fail;
  if (st->backend && st->backend[0] &&
      guestfs_set_backend (g, st->backend) == -1)
    goto fail;
  if (st->memsize > 0 && guestfs_set_memsize (g, st->memsize) == -1)
    goto fail;
  if (st->smp > 0 && guestfs_set_smp (g, st->smp) == -1)
    goto fail;
  if (force && guestfs_set_backend_setting (g, force, "1") == -1)
    goto fail;
  /* Off unless asked for: an appliance with a network can reach
   * whatever the host can, on behalf of a guest's commands.
   */
  if (guestfs_set_network (g, st->network) == -1)
    goto fail;
  s->tcg_kernel = st->uncompressed_kernel && will_use_tcg (force) &&
    gs_int_tcg_kernel (g, st->lean_init, o->verbose);
  /* OPAQUE non-NULL: the terminal's bar too. */
  if ((o->progress || gs_int_progress_on () || gs_int_mr_on ()) &&
      guestfs_set_event_callback (g, progress_cb, GUESTFS_EVENT_PROGRESS,
                                  0, o->progress ? (void *) o : NULL) == -1)
    goto fail;

  for (size_t i = 0; i < nguests; ++i)
    for (size_t j = 0; j < guests[i].ndisks; ++j) {
      const struct gs_disk *d = &guests[i].disks[j];
      /* A transactional run writes to the overlay only.  The argv
       * form: the block size is passed only when one was asked for.
       */
      struct guestfs_add_drive_opts_argv a = {
        .bitmask = GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK |
                   GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK |
                   GUESTFS_ADD_DRIVE_OPTS_DISCARD_BITMASK,
        .format = d->overlay ? "qcow2" : d->format,
        .readonly = o->readonly || d->readonly,
        .discard = o->discard ? "enable" : "besteffort",
      };

      if (d->blocksize > 0) {
        a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_BLOCKSIZE_BITMASK;
        a.blocksize = d->blocksize;
      }
      if (guestfs_add_drive_opts_argv (g, d->overlay ? d->overlay : d->path,
                                       &a) == -1)
        goto fail;
    }
  return g;

 fail:
  guestfs_close (g);
  return NULL;
}

/* A fallback holds for the process's later launches (and for the
 * children of --jobs, forked after it was decided): said once.
 */
static bool fell_back, decided;

void
gs_int_accel_decide (const struct gs_settings *settings)
{
  const char *accel = settings->accel ? settings->accel : "auto";
  const char *env = getenv ("LIBGUESTFS_BACKEND_SETTINGS");
  guestfs_h *g;
  char why[256];

  if (decided || strcmp (accel, "auto") != 0 ||
      (env && strstr (env, "force_tcg")))
    return;
  decided = true;
  if ((g = guestfs_create ()) == NULL)
    return;
  {
    CLEANUP_FREE char *hv = guestfs_get_hv (g);

    if (hv && gs_int_kvm_probe (hv, why, sizeof why) == 0) {
      gs_warning ("KVM does not work on this host (%s); using TCG "
                  "software emulation, which is slower (set "
                  "appliance.accel = \"tcg\" to skip this check)",
                  why[0] ? why : "qemu failed");
      fell_back = true;
    }
  }
  guestfs_close (g);
}

static int
launch (struct gs_session *s, struct gs_guest *guests,
        size_t nguests, const struct gs_session_opts *o)
{
  const char *accel = o->settings->accel ? o->settings->accel : "auto";
  bool is_auto = strcmp (accel, "auto") == 0;
  const char *env = getenv ("LIBGUESTFS_BACKEND_SETTINGS");
  bool env_tcg = env && strstr (env, "force_tcg");
  const char *force = strcmp (accel, "tcg") == 0 ? "force_tcg"
    : strcmp (accel, "kvm") == 0 ? "force_kvm" : NULL;

  if (is_auto && !env_tcg)
    gs_int_accel_decide (o->settings);
  if (is_auto && fell_back) {
    is_auto = false;             /* decided: no second fallback */
    force = "force_tcg";
    s->tcg_fallback = true;
  }

  for (int attempt = 0; attempt < 2; ++attempt) {
    s->g = make_handle (s, guests, nguests, o, force);
    if (s->g == NULL)
      return -1;
    /* An "auto" first try may fail for want of KVM: keep it quiet. */
    bool retry = (is_auto && attempt == 0 && !env_tcg) || s->tcg_kernel;

    free (s->last_guestfs_error);
    s->last_guestfs_error = NULL;
    if (retry)
      guestfs_push_error_handler (s->g, launch_error_cb, s);
    if (guestfs_launch (s->g) == 0) {
      if (retry)
        guestfs_pop_error_handler (s->g);
      s->launched = true;
      return 0;
    }
    guestfs_close (s->g);
    s->g = NULL;
    if (s->tcg_kernel) {
      /* Not the user's problem: say so once, and launch as libguestfs
       * would have (the accelerator question is still open).
       */
      gs_int_tcg_kernel_disable ();
      gs_warning ("the appliance with the uncompressed kernel failed to "
                  "launch (%s); retrying with the distribution's kernel "
                  "(set appliance.uncompressed-kernel = false to skip "
                  "this)", s->last_guestfs_error
                  ? gs_int_first_line (s->last_guestfs_error) : "?");
      attempt--;
      continue;
    }
    if (!retry)
      return -1;                 /* reported by error_cb */
    s->tcg_fallback = fell_back = true;
    force = "force_tcg";
    gs_warning ("the appliance failed to launch with hardware acceleration "
                "(%s); retrying with TCG software emulation, which is "
                "slower (set appliance.accel = \"tcg\" to skip the first try)",
                s->last_guestfs_error
                ? gs_int_first_line (s->last_guestfs_error) : "?");
  }
  return -1;
}

/* The launch, as progress events too (progress.c). */
int
gs_int_session_launch (struct gs_session *s, struct gs_guest *guests,
                       size_t nguests, const struct gs_session_opts *o)
{
  struct timespec t0, t1;
  size_t ndisks = 0;
  int r;

  for (size_t i = 0; i < nguests; ++i)
    ndisks += guests[i].ndisks;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  gs_int_progress_launch (nguests, ndisks, 0, NULL, -1);
  r = launch (s, guests, nguests, o);
  clock_gettime (CLOCK_MONOTONIC, &t1);
  gs_int_progress_launch (nguests, ndisks,
                          (t1.tv_sec - t0.tv_sec) +
                          (t1.tv_nsec - t0.tv_nsec) / 1e9,
                          s->tcg_fallback ? "tcg"
                          : o->settings->accel ? o->settings->accel : "auto",
                          r == 0);
  return r;
}

int
gs_int_session_close (struct gs_session *s)
{
  int r = 0;

  if (s->g) {
    if (s->launched && guestfs_shutdown (s->g) == -1)
      r = -1;                    /* a failed shutdown may lose writes */
    gs_int_os_forget (s->g);
    guestfs_close (s->g);
    s->g = NULL;
  }
  s->launched = false;
  free (s->last_guestfs_error);
  s->last_guestfs_error = NULL;
  return r;
}
