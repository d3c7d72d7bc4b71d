/* SPDX-License-Identifier: GPL-2.0-or-later */
/* customize-paths.c: the customize actions that work on guest paths
 * already there: --truncate, --truncate-recursive, --scrub, --copy,
 * --move, --link, --edit (a Perl expression run on the host over the
 * file's content, never inside the guest), and --no-logfile.
 *
 * As in customize-files.c, each checks first (--exclude-path, what
 * exists), reports every path it changes, and only then, unless this
 * is a dry run, changes the guest.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "goldsmith-plugin.h"
#include "cleanups.h"
#include "path-join.h"
#include "customize.h"

/* PATH must exist and be a regular file (symlinks followed). */
static int
need_file (struct cz_state *st, guestfs_h *g, const struct cz_action *act,
           const char *path)
{
  int r = cz_exists (st, g, path);

  if (r == 0) {
    gs_error ("%s: no such file in the guest", act->label);
    return -1;
  }
  /* (In a dry run it may only be planned by an earlier action.) */
  if (r == 1 && guestfs_exists (g, path) == 1 &&
      guestfs_is_file (g, path) != 1) {
    gs_error ("%s: %s is not a regular file", act->label, path);
    return -1;
  }
  return r == -1 ? -1 : 0;
}

static int
do_truncate (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
             const struct cz_action *act)
{
  CLEANUP_FREE char *real = cz_target (ctx, g, act, act->a);

  if (real == NULL || need_file (st, g, act, act->a) == -1 ||
      cz_report (ctx, real, true, 0) == -1)
    return -1;
  return gs_dry_run (ctx) ? 0 : guestfs_truncate (g, act->a);
}

/* Every regular file under the directory (or the file) PATH, not
 * following symlinks; protected files are kept, as --delete keeps them.
 */
static int
do_truncate_recursive (struct cz_state *st, struct gs_ctx *ctx,
                       guestfs_h *g, const struct cz_action *act)
{
  CLEANUP_FREE_STRV char **names = NULL;
  int r;

  if ((r = cz_is_dir (st, g, act->a)) == -1)
    return -1;
  if (r == 0)
    return do_truncate (st, ctx, g, act);
  if ((names = guestfs_find (g, act->a)) == NULL)
    return -1;
  for (size_t i = 0; names[i]; ++i) {
    CLEANUP_FREE char *path = gs_path_join (act->a, names[i]);

    if (guestfs_is_file_opts (g, path, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 0,
                              -1) != 1)
      continue;
    if (gs_path_protected (ctx, path)) {
      gs_debug ("%s: %s is protected by --exclude-path: kept", act->label,
                path);
      continue;
    }
    if (cz_report (ctx, path, true, 0) == -1)
      return -1;
    if (!gs_dry_run (ctx) && guestfs_truncate (g, path) == -1)
      return -1;
  }
  return 0;
}

/* Has the appliance scrub(1)? */
static bool
can_scrub (guestfs_h *g)
{
  const char *scrub[] = { "scrub", NULL };

  return guestfs_feature_available (g, (char **) scrub) == 1;
}

/* virt-customize's scrub: overwrite the file's data, then remove it
 * (the appliance's scrub(1)).
 */
static int
do_scrub (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
          const struct cz_action *act)
{
  CLEANUP_FREE char *real = cz_target (ctx, g, act, act->a);

  if (real == NULL || need_file (st, g, act, act->a) == -1)
    return -1;
  if (!can_scrub (g)) {
    gs_error ("%s: this libguestfs appliance has no scrub(1)", act->label);
    return -1;
  }
  if (gs_report_path (ctx, real, GS_ACTION_REMOVED, -1) == -1)
    return -1;
  return gs_dry_run (ctx) ? 0 : guestfs_scrub_file (g, act->a);
}

/* Where SOURCE lands given DEST: inside DEST if it is a directory;
 * NULL on error (reported).
 */
static char *
landing (struct cz_state *st, guestfs_h *g, const char *source,
         const char *dest)
{
  int r = cz_is_dir (st, g, dest);

  if (r == -1)
    return NULL;
  return r ? gs_path_join (dest, cz_basename (source)) : gs_xstrdup (dest);
}

/* --copy (cp -a) and --move (mv) inside the guest. */
static int
do_copy_move (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
              const struct cz_action *act, bool move)
{
  CLEANUP_FREE char *dest = NULL, *real = NULL, *src_real = NULL;
  int r, existed;

  if ((r = cz_exists (st, g, act->a)) == -1)
    return -1;
  if (r == 0) {
    gs_error ("%s: no such file or directory in the guest", act->label);
    return -1;
  }
  if ((dest = landing (st, g, act->a, act->b)) == NULL)
    return -1;
  if ((move && (src_real = cz_target (ctx, g, act, act->a)) == NULL) ||
      (real = cz_target (ctx, g, act, dest)) == NULL ||
      (existed = cz_exists (st, g, dest)) == -1 ||
      (!existed && cz_check_parent (st, g, act, dest) == -1))
    return -1;
  if ((move && gs_report_path (ctx, src_real, GS_ACTION_REMOVED, -1) == -1) ||
      cz_report (ctx, real, existed, -1) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return cz_plan (st, 'f', dest);
  return move ? guestfs_mv (g, act->a, act->b)
              : guestfs_cp_a (g, act->a, act->b);
}

/* ln -sf TARGET LINK for each LINK ("LINK[:LINK...]" in b). */
static int
do_link (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
         const struct cz_action *act)
{
  for (const char *l = act->b; *l; ) {
    size_t n = strcspn (l, ":");
    CLEANUP_FREE char *link = gs_xstrndup (l, n), *at = NULL;
    int existed;

    if ((at = landing (st, g, act->a, link)) == NULL)
      return -1;
    if (gs_path_protected (ctx, at)) {
      gs_error ("%s: %s is protected by --exclude-path: not changed",
                act->label, at);
      return -1;
    }
    if ((existed = cz_exists (st, g, at)) == -1 ||
        (!existed && cz_check_parent (st, g, act, at) == -1) ||
        cz_report (ctx, at, existed, 0) == -1)
      return -1;
    if (gs_dry_run (ctx) ? cz_plan (st, 'f', at) == -1
        : guestfs_ln_sf (g, act->a, link) == -1)
      return -1;
    l += n + (l[n] == ':');
  }
  return 0;
}

char *
cz_find_perl (void)
{
  const char *path = getenv ("PATH");

  for (const char *p = path ? path : "/usr/bin:/bin"; *p; ) {
    size_t n = strcspn (p, ":");
    char *f;

    if (asprintf (&f, "%.*s/perl", (int) n, n ? p : ".") == -1)
      return NULL;
    if (access (f, X_OK) == 0)
      return f;
    free (f);
    p += n + (p[n] == ':');
  }
  return NULL;
}

/* perl -pe EXPR over IN (LEN bytes), on the host: the output in *OUT.
 * Its standard error goes to a file, whose first line is the message.
 */
static int
run_perl (const struct cz_action *act, const char *in, size_t len,
          char **out, size_t *outlen)
{
  CLEANUP_FREE char *perl = cz_find_perl ();
  const char *t = getenv ("TMPDIR");
  CLEANUP_FREE char *tin = NULL, *terr = NULL;
  int fin = -1, ferr = -1, fds[2] = { -1, -1 }, status, r = -1;
  pid_t pid;
  size_t cap = len + 4096;

  *out = NULL;
  if (perl == NULL) {
    gs_error ("%s: there is no perl in PATH", act->label);
    return -1;
  }
  tin = gs_xasprintf ("%s/goldsmith-edit-XXXXXX", t && t[0] ? t : "/tmp");
  terr = gs_xasprintf ("%s/goldsmith-edit-XXXXXX", t && t[0] ? t : "/tmp");
  if ((fin = mkstemp (tin)) == -1 || (ferr = mkstemp (terr)) == -1 ||
      write (fin, in, len) != (ssize_t) len ||
      lseek (fin, 0, SEEK_SET) == -1 || pipe (fds) == -1) {
    gs_error ("%s: a temporary file for perl: %m", act->label);
    goto out;
  }
  /* Open, the files need their names no longer: none (with the guest
   * file's contents) is left behind however the process ends, also
   * when memory runs out below (gs_xrealloc ends it).
   */
  unlink (tin);
  unlink (terr);
  tin[0] = terr[0] = '\0';
  if ((pid = fork ()) == -1) {
    gs_error ("%s: fork: %m", act->label);
    goto out;
  }
  if (pid == 0) {
    dup2 (fin, 0);
    dup2 (fds[1], 1);
    dup2 (ferr, 2);
    execl (perl, "perl", "-pe", act->b, (char *) NULL);
    _exit (127);
  }
  close (fds[1]);
  fds[1] = -1;
  *outlen = 0;
  for (;;) {
    ssize_t n;

    if (*out == NULL || *outlen + 1 >= cap)
      *out = gs_xrealloc (*out, cap *= 2);
    if ((n = read (fds[0], *out + *outlen, cap - *outlen - 1)) <= 0) {
      if (n == -1 && errno == EINTR)
        continue;
      break;
    }
    *outlen += n;
  }
  if (waitpid (pid, &status, 0) == -1)
    goto out;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    char msg[512] = "";
    ssize_t n = pread (ferr, msg, sizeof msg - 1, 0);

    msg[n > 0 ? n : 0] = '\0';
    msg[strcspn (msg, "\n")] = '\0';
    gs_error ("%s: the Perl expression failed%s%s", act->label,
              msg[0] ? ": " : "", msg);
    goto out;
  }
  r = 0;
 out:
  if (r == -1) {
    free (*out);
    *out = NULL;
  }
  if (fin != -1) {
    close (fin);
    if (tin[0])
      unlink (tin);
  }
  if (ferr != -1) {
    close (ferr);
    if (terr[0])
      unlink (terr);
  }
  if (fds[0] != -1)
    close (fds[0]);
  if (fds[1] != -1)
    close (fds[1]);
  return r;
}

/* virt-customize's --edit FILE:EXPR: perl -pe EXPR over the file, on
 * the host; the file is rewritten in place (owner, mode and labels
 * kept) only if the expression changed it.  A dry run runs the
 * expression too, to say whether the file would change.
 */
static int
do_edit (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
         const struct cz_action *act)
{
  CLEANUP_FREE char *real = cz_target (ctx, g, act, act->a);
  CLEANUP_FREE char *in = NULL, *out = NULL;
  size_t len, outlen;

  if (real == NULL || need_file (st, g, act, act->a) == -1)
    return -1;
  if ((in = guestfs_read_file (g, act->a, &len)) == NULL ||
      run_perl (act, in, len, &out, &outlen) == -1)
    return -1;
  if (outlen == len && memcmp (in, out, len) == 0) {
    gs_debug ("%s: unchanged", act->label);
    return 0;
  }
  if (cz_report (ctx, real, true, (int64_t) outlen) == -1)
    return -1;
  return gs_dry_run (ctx) ? 0 : guestfs_write (g, act->a, out, outlen);
}

int
cz_path_action (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
                const struct cz_action *act)
{
  switch (act->verb) {
  case CZ_TRUNCATE: return do_truncate (st, ctx, g, act);
  case CZ_TRUNCATE_RECURSIVE: return do_truncate_recursive (st, ctx, g, act);
  case CZ_SCRUB: return do_scrub (st, ctx, g, act);
  case CZ_COPY: return do_copy_move (st, ctx, g, act, false);
  case CZ_MOVE: return do_copy_move (st, ctx, g, act, true);
  case CZ_LINK: return do_link (st, ctx, g, act);
  case CZ_EDIT: return do_edit (st, ctx, g, act);
  default:
    gs_error ("%s: not a path action", act->label);
    return -1;
  }
}

/* --no-logfile: virt-customize's log of an earlier build,
 * /tmp/builder.log, scrubbed if the guest has one (goldsmith writes
 * none).
 */
int
cz_scrub_logfile (struct gs_ctx *ctx, guestfs_h *g)
{
  const char *log = "/tmp/builder.log";

  if (guestfs_is_file_opts (g, log, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 0,
                            -1) != 1)
    return 0;
  if (gs_report_path (ctx, log, GS_ACTION_REMOVED, -1) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return 0;
  if (can_scrub (g))
    return guestfs_scrub_file (g, log);
  return guestfs_rm (g, log);
}
