/* SPDX-License-Identifier: GPL-2.0-or-later */
/* script: run programs on the host with their current directory in a
 * FUSE mount of the guest (virt-sysprep's --script and --scriptdir).
 *
 * guestfs_mount_local_run serves the FUSE requests and only returns
 * once the mountpoint is unmounted, and the handle must not be used
 * from another thread meanwhile (libguestfs would deadlock on its
 * handle lock).  So, as virt-sysprep does, a child process (the
 * runner) runs the scripts one after the other while goldsmith serves
 * the mount, then unmounts it, which ends mount_local_run, and tells
 * goldsmith through a pipe how the scripts ended.
 *
 * The runner is a fork of goldsmith that never returns into it: it
 * only forks, execs, waits and writes, and leaves with _exit so that
 * no atexit handler (libguestfs closes its handles in one) runs twice.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "goldsmith-plugin.h"
#include "string-vector.h"
#include "cleanups.h"
#include "config-util.h"

static string_vector scripts = empty_vector; /* in order, owned */
static char *scriptdir;                      /* or NULL: a temporary one */

static const struct gs_config_key keys[] = {
  { "scripts", GS_KEY_STRINGS, "shell command lines run on the host, in order, in the guest's root directory (every file's list and every --script adds to the earlier ones)" },
  { "scriptdir", GS_KEY_STRING, "empty host directory, absolute path, to mount the guest on (default: a new temporary directory, removed afterwards)" },
  { NULL, 0, NULL },
};

/* virt-sysprep's command-line options of this operation. */
static const struct gs_option options[] = {
  { "script", GS_OPTION_APPEND, "scripts", NULL, "SCRIPT",
    "Run SCRIPT on the host in a FUSE mount of the guest" },
  { "scriptdir", GS_OPTION_STRING, "scriptdir", NULL, "DIR",
    "Empty host directory to mount the guest on for --script" },
  { NULL },
};

static int
script_configure (struct gs_op *op, const config_setting_t *section)
{
  const config_setting_t *list = config_setting_get_member (section,
                                                            "scripts");

  (void) op;
  /* Accumulate: each --script is a layer of its own. */
  for (int i = 0; list && i < config_setting_length (list); ++i) {
    const char *s = config_setting_get_string_elem (list, i);

    if (s == NULL || s[strspn (s, " \t\n")] == '\0') {
      gs_error ("%s:%u: scripts[%d]: empty script",
                config_setting_source_file (list),
                config_setting_source_line (list), i);
      return -1;
    }
    string_vector_append_copy (&scripts, s);
  }
  gs_config_get_string (section, "scriptdir", &scriptdir);
  return 0;
}

/* The mountpoint must be an existing, empty directory: mounting over
 * files would hide them, and virt-sysprep requires the same.
 */
static int
check_scriptdir (const char *dir)
{
  struct stat st;
  DIR *d;
  struct dirent *e;
  bool empty = true;

  if (dir[0] != '/') {
    gs_error ("scriptdir \"%s\": must be an absolute path", dir);
    return -1;
  }
  if (stat (dir, &st) == -1) {
    gs_error ("scriptdir \"%s\": %m", dir);
    return -1;
  }
  if (!S_ISDIR (st.st_mode)) {
    gs_error ("scriptdir \"%s\": not a directory", dir);
    return -1;
  }
  if ((d = opendir (dir)) == NULL) {
    gs_error ("scriptdir \"%s\": %m", dir);
    return -1;
  }
  while ((e = readdir (d)) != NULL)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0) {
      empty = false;
      break;
    }
  closedir (d);
  if (!empty) {
    gs_error ("scriptdir \"%s\": not empty (the guest is mounted on it)",
              dir);
    return -1;
  }
  return 0;
}

/* Checked before the appliance is launched, so a bad --scriptdir costs
 * nothing; only when there are scripts (a scriptdir alone is unused).
 */
static int
script_config_complete (struct gs_op *op)
{
  (void) op;
  if (scripts.len > 0 && scriptdir)
    return check_scriptdir (scriptdir);
  return 0;
}

/* ---- The runner (child process) ----------------------------------- */

/* What the runner tells goldsmith. */
struct result {
  int failed;                    /* index of the failed script, or -1 */
  int status;                    /* its wait status */
  int unmounted;                 /* 1: cleanly, 2: lazily, 0: not at all */
};

static void
close_other_fds (int keep)
{
  /* Keep KEEP as fd 3 and close everything above, so that the scripts
   * inherit neither the /dev/fuse channel (goldsmith's death must
   * abort the mount) nor the appliance's sockets.
   */
  if (keep != 3) {
    dup2 (keep, 3);
    close (keep);
  }
  fcntl (3, F_SETFD, FD_CLOEXEC);
#ifdef SYS_close_range
  if (syscall (SYS_close_range, 4U, ~0U, 0U) == 0)
    return;
#endif
  for (int fd = 4; fd < 65536; ++fd)
    close (fd);
}

/* Fork, exec ARGV (in DIR if not NULL, stdout to stderr), wait. */
static int
run_wait (char *const argv[], const char *dir)
{
  pid_t pid = fork ();
  int status;

  if (pid == -1)
    return -1;
  if (pid == 0) {
    if (dir && chdir (dir) == -1) {
      static const char msg[] = "goldsmith: script: cannot enter the "
        "guest's mountpoint\n";
      if (write (2, msg, sizeof msg - 1)) { }
      _exit (126);
    }
    dup2 (2, 1);                 /* stdout is goldsmith's report */
    signal (SIGPIPE, SIG_DFL);
    execvp (argv[0], argv);
    _exit (127);
  }
  while (waitpid (pid, &status, 0) == -1)
    if (errno != EINTR)
      return -1;
  return status;
}

static void __attribute__((noreturn))
runner (const char *dir, int out)
{
  struct result res = { .failed = -1 };
  struct stat st;
  bool have_dev;

  close_other_fds (out);
  /* The FUSE connection's number, for the last resort below.  The stat
   * is served by goldsmith, which is in mount_local_run by now (or
   * soon: the request waits for it).
   */
  have_dev = stat (dir, &st) == 0;

  for (size_t i = 0; i < scripts.len; ++i) {
    char *argv[] = { (char *) "/bin/sh", (char *) "-c", scripts.ptr[i],
                     NULL };
    int status = run_wait (argv, dir);

    if (status != 0) {
      res.failed = i;
      res.status = status;
      break;
    }
  }

  /* Unmounting ends mount_local_run in goldsmith.  Retry for a few
   * seconds while the mount is busy (a process a script started still
   * sits in it); then detach it lazily and abort the FUSE connection,
   * so that goldsmith cannot wait for ever.
   */
  for (int try = 0; try < 5 && !res.unmounted; ++try) {
    char *argv[] = { (char *) "fusermount", (char *) "-u", (char *) "-q",
                     (char *) dir, NULL };

    if (try > 0)
      sleep (1);
    if (run_wait (argv, NULL) == 0)
      res.unmounted = 1;
  }
  if (!res.unmounted) {
    char *argv[] = { (char *) "fusermount", (char *) "-u", (char *) "-z",
                     (char *) "-q", (char *) dir, NULL };
    char abort_path[64];
    int fd;

    if (run_wait (argv, NULL) == 0)
      res.unmounted = 2;
    if (have_dev) {
      snprintf (abort_path, sizeof abort_path,
                "/sys/fs/fuse/connections/%u/abort", minor (st.st_dev));
      if ((fd = open (abort_path, O_WRONLY)) >= 0) {
        if (write (fd, "1", 1)) { }
        close (fd);
      }
    }
  }

  if (write (3, &res, sizeof res) != (ssize_t) sizeof res)
    _exit (1);
  _exit (0);
}

/* ---- The operation -------------------------------------------------- */

static void
report_failure (const struct result *res)
{
  const char *s = scripts.ptr[res->failed];

  if (WIFEXITED (res->status))
    gs_error ("\"%s\": script failed (exit %d)", s,
              WEXITSTATUS (res->status));
  else if (WIFSIGNALED (res->status))
    gs_error ("\"%s\": script killed by signal %d", s,
              WTERMSIG (res->status));
  else
    gs_error ("\"%s\": script failed (could not run it)", s);
}

static int
run_scripts (guestfs_h *g, const char *dir)
{
  int pfd[2];
  pid_t pid;
  struct result res;
  ssize_t n;
  int r, status;

  /* mount_local_run fails before serving anything if / is not mounted;
   * then the runner would wait for ever.  Find out first.
   */
  if (guestfs_is_dir (g, "/") != 1) {
    gs_error ("the guest's root filesystem is not mounted");
    return -1;
  }
  if (guestfs_mount_local (g, dir, -1) == -1)
    return -1;
  if (pipe2 (pfd, O_CLOEXEC) == -1) {
    gs_error ("pipe: %m");
    guestfs_umount_local (g, -1);
    return -1;
  }
  fflush (NULL);                 /* nothing buffered twice */
  if ((pid = fork ()) == -1) {
    gs_error ("fork: %m");
    close (pfd[0]);
    close (pfd[1]);
    guestfs_umount_local (g, -1);
    return -1;
  }
  if (pid == 0)
    runner (dir, pfd[1]);
  close (pfd[1]);

  /* Never touch DIR from here until mount_local_run returns: nobody
   * would serve the request.  Lookups of missing files are errors of
   * the handle, which would print them: keep them quiet.
   */
  gs_quiet_begin (g);
  r = guestfs_mount_local_run (g);
  if (r == -1)
    gs_error ("serving the FUSE mount: %s", guestfs_last_error (g));
  gs_quiet_end (g);
  if (r == -1) {
    /* The mount is no longer served: stop the runner (its script may
     * be stuck in a request) and detach the mount.
     */
    char *argv[] = { (char *) "fusermount", (char *) "-u", (char *) "-z",
                     (char *) dir, NULL };

    kill (pid, SIGKILL);
    run_wait (argv, NULL);
  }
  n = read (pfd[0], &res, sizeof res);
  close (pfd[0]);
  while (waitpid (pid, &status, 0) == -1 && errno == EINTR)
    ;
  if (r == -1)
    return -1;
  if (n != (ssize_t) sizeof res) {
    gs_error ("the process running the scripts died (status %d)", status);
    return -1;
  }
  if (res.unmounted != 1)
    gs_warning ("%s: still in use (by a process the scripts started?): "
                "%s", dir, res.unmounted == 2
                ? "detached it and ended the FUSE connection"
                : "could not unmount it");
  if (res.failed >= 0 && (size_t) res.failed < scripts.len) {
    report_failure (&res);
    return -1;
  }
  return 0;
}

static int
script_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                const char *root)
{
  CLEANUP_FREE char *tmp = NULL;
  const char *dir;
  int r;

  (void) op; (void) root;
  if (scripts.len == 0) {
    gs_not_applicable (ctx, "no scripts given (--script)");
    return 0;
  }
  /* What the scripts change is theirs to know: the report says the
   * guest's tree may have changed.
   */
  if (gs_report_path (ctx, "/", GS_ACTION_CHANGED, -1) == -1)
    return -1;
  if (gs_dry_run (ctx)) {
    for (size_t i = 0; i < scripts.len; ++i)
      gs_debug ("dry run: not running \"%s\"", scripts.ptr[i]);
    return 0;
  }

  if (scriptdir) {
    if (check_scriptdir (scriptdir) == -1)
      return -1;
    dir = scriptdir;
  }
  else {
    const char *t = getenv ("TMPDIR");

    tmp = gs_xasprintf ("%s/goldsmith-script.XXXXXX", t && t[0] ? t : "/tmp");
    if (mkdtemp (tmp) == NULL) {
      gs_error ("%s: cannot create the mountpoint: %m", tmp);
      return -1;
    }
    dir = tmp;
  }
  for (size_t i = 0; i < scripts.len; ++i)
    gs_debug ("running \"%s\" in %s", scripts.ptr[i], dir);

  r = run_scripts (g, dir);
  if (tmp && rmdir (tmp) == -1)
    gs_warning ("%s: cannot remove the temporary mountpoint: %m", tmp);
  return r;
}

static void
script_unload (struct gs_op *op)
{
  (void) op;
  string_vector_free_all (&scripts);
  free (scriptdir);
  scriptdir = NULL;
}

static const struct gs_operation script = {
  .name = "script",
  .family = "sysprep",
  .heading = "Run arbitrary scripts against the guest",
  .description =
    "Run the programs given with B<--script> I<SCRIPT> (repeatable; or "
    "the configuration key C<scripts>) on the B<host>, one after the "
    "other in command-line order, each with its current directory in a "
    "FUSE mount of the guest's filesystems.  Use relative paths: "
    "C<rm etc/resolv.conf> removes the guest's file, C<rm "
    "/etc/resolv.conf> the host's.  Each I<SCRIPT> is a shell command "
    "line run by C</bin/sh -c>: a program on the host's C<$PATH>, an "
    "absolute path, or commands.  Its standard output goes to standard "
    "error, so that goldsmith's report (B<--json>) stays clean.  The "
    "first script that fails stops the rest and fails the operation "
    "with C<\"SCRIPT\": script failed (exit N)>; the operations after it "
    "are skipped.  Without scripts the operation does nothing (it is "
    "reported as not applicable).\n"
    "\n"
    "The guest is mounted on B<--scriptdir> I<DIR> (or the key "
    "C<scriptdir>): an existing, empty directory given as an absolute "
    "path, checked before the appliance starts.  Without it a new "
    "directory F<$TMPDIR/goldsmith-script.XXXXXX> is used and removed "
    "afterwards.  This needs FUSE on the host: F</dev/fuse> and "
    "L<fusermount(1)> (Debian package C<fuse3>).  The operation runs "
    "after the other "
    "filesystem operations (order 800), so scripts see the guest as "
    "they leave it.\n"
    "\n"
    "Differences from virt-sysprep: virt-sysprep joins all scripts into "
    "one C<bash -c> with C<set -e>, so shell state (C<cd>, variables) "
    "carries from one script to the next and any failing command stops "
    "everything; here each script is its own C</bin/sh -c> starting "
    "in the guest's root, and only its exit status counts.  In a dry "
    "run (B<-n>) virt-sysprep runs the scripts against a throw-away "
    "overlay; goldsmith's dry run changes nothing and runs nothing on "
    "the host either, so the scripts are B<not> run: the report lists "
    "C</> as what would change.  If a script leaves a process running "
    "in the mount, goldsmith retries the unmount for a few seconds, then "
    "detaches the mount lazily and aborts the FUSE connection (with a "
    "warning) rather than wait for ever.",
  .phase = GS_PHASE_FILESYSTEMS,
  .order = 800,
  .enabled_by_default = true,
  .keys = keys,
  .options = options,
  .configure = script_configure,
  .config_complete = script_config_complete,
  .perform = script_perform,
  .unload = script_unload,
};

GS_REGISTER_PLUGIN (&script);
