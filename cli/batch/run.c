/* SPDX-License-Identifier: GPL-2.0-or-later */
/* run.c: the commands of `goldsmith batch`: each is the
 * subcommand itself, called in a forked child with --json, its stdout
 * read through a pipe (its stderr is the user's: progress and
 * messages).  No second copy of any tool's logic, and a crash in one
 * command is one failed run.  Its report is split per guest into the
 * images' steps.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cleanups.h"

typedef int cmd_fn (int argc, const char **argv);
static cmd_fn *const tool_cmd[BT_NTOOLS] = {
  [BT_SYSPREP] = gs_cmd_sysprep, [BT_INSPECT] = gs_cmd_inspect,
  [BT_SPARSIFY] = gs_cmd_sparsify, [BT_RESIZE] = gs_cmd_resize,
};

/* The child running now, for the signal handler. */
static volatile pid_t child_pid;
static volatile sig_atomic_t got_signal;

static void
on_signal (int sig)
{
  got_signal = sig;
  if (child_pid > 0)
    kill (child_pid, sig);       /* the tool rolls back and cleans up */
}

static void
handle_signals (void (*h) (int))
{
  struct sigaction sa = { .sa_handler = h };

  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);
}

/* ON: a signal is passed on to the command running (which rolls back
 * and cleans up as it does on its own), and ends the batch after it.
 */
void
batch_catch_signals (bool on)
{
  handle_signals (on ? on_signal : SIG_DFL);
}

/* The signal that interrupted the batch, or 0. */
int
batch_signal (void)
{
  return got_signal;
}

double
batch_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run `goldsmith ARGV...` in a child.  WHICH (1 or 2) of its output
 * is read into *TEXT; the other is inherited (stderr: the user sees
 * the tool's progress) or /dev/null (stdout).  Returns its exit status
 * (128+N if killed by signal N).
 */
static int
call_tool (enum batch_tool t, const string_vector *argv, int which,
           char **text)
{
  int fds[2];
  pid_t pid;
  size_t len = 0, cap = 0;
  int status;

  *text = NULL;
  if (pipe2 (fds, O_CLOEXEC) == -1) {
    gs_error ("pipe: %m");
    return GS_EXIT_ERROR;
  }
  fflush (NULL);                 /* nothing buffered is printed twice */
  if ((pid = fork ()) == -1) {
    gs_error ("fork: %m");
    close (fds[0]);
    close (fds[1]);
    return GS_EXIT_ERROR;
  }
  if (pid == 0) {
    int null = open ("/dev/null", O_RDWR);

    handle_signals (SIG_DFL);
    dup2 (null, 0);
    dup2 (fds[1], which);
    if (which == 2)
      dup2 (null, 1);
    /* The tool parses its own argv, from its name on. */
    exit (tool_cmd[t] ((int) argv->len, (const char **) argv->ptr));
  }
  child_pid = pid;
  close (fds[1]);
  for (;;) {
    ssize_t n;

    if (len + 4096 > cap)
      *text = gs_xrealloc (*text, cap = cap * 2 + 65536);
    n = read (fds[0], *text + len, cap - len - 1);
    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    len += n;
  }
  if (*text)
    (*text)[len] = '\0';
  close (fds[0]);
  while (waitpid (pid, &status, 0) == -1)
    if (errno != EINTR) {
      gs_error ("waitpid: %m");
      child_pid = 0;
      return GS_EXIT_ERROR;
    }
  child_pid = 0;
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

static void
xml_text (FILE *fp, const char *s)
{
  for (; *s; ++s)
    switch (*s) {
    case '&': fputs ("&amp;", fp); break;
    case '<': fputs ("&lt;", fp); break;
    case '>': fputs ("&gt;", fp); break;
    case '\'': fputs ("&apos;", fp); break;
    case '"': fputs ("&quot;", fp); break;
    default: fputc (*s, fp);
    }
}

/* sysprep and inspect, run with --each-image, take each -a as a guest: a guest
 * of several disks goes to them as a domain XML file of its own.
 */
static char *
domxml_for (struct batch *b, const struct batch_image *img)
{
  CLEANUP_FCLOSE FILE *fp = NULL;
  char *file;

  if (b->tmpdir == NULL) {
    const char *t = getenv ("TMPDIR");

    if (asprintf (&b->tmpdir, "%s/goldsmith-batch.XXXXXX",
                  t && t[0] ? t : "/tmp") == -1 ||
        mkdtemp (b->tmpdir) == NULL) {
      gs_error ("cannot create a temporary directory: %m");
      free (b->tmpdir);
      b->tmpdir = NULL;
      return NULL;
    }
  }
  if (asprintf (&file, "%s/entry-%zu.xml", b->tmpdir, img->entry) == -1)
    return NULL;
  if ((fp = fopen (file, "w")) == NULL) {
    gs_error ("%s: %m", file);
    free (file);
    return NULL;
  }
  fputs ("<domain>\n  <name>", fp);
  xml_text (fp, img->name);
  fputs ("</name>\n  <devices>\n", fp);
  for (size_t i = 0; i < img->add.len; ++i) {
    fputs ("    <disk type='file' device='disk'>\n", fp);
    if (img->format) {
      fputs ("      <driver name='qemu' type='", fp);
      xml_text (fp, img->format);
      fputs ("'/>\n", fp);
    }
    fputs ("      <source file='", fp);
    xml_text (fp, img->add.ptr[i]);
    fprintf (fp, "'/>\n      <target dev='sd%c'/>\n    </disk>\n",
             (char) ('a' + i % 26));
  }
  fputs ("  </devices>\n</domain>\n", fp);
  if (ferror (fp)) {
    gs_error ("%s: write error", file);
    free (file);
    return NULL;
  }
  return file;
}

static int
push (string_vector *v, const char *s)
{
  string_vector_append_copy (v, s);
  return 0;
}

/* Image IMG's inputs in a sysprep or inspect command.  *FMT: the
 * --format in force (NULL: probe), changed only when an -a needs it.
 */
static int
push_guest (struct batch *b, string_vector *argv,
            const struct batch_image *img, size_t step, const char **fmt)
{
  const char *copy = batch_step_input (img, step);

  if (copy || (img->kind == GS_INPUT_ADD && img->add.len == 1)) {
    const char *want = copy ? NULL : img->format;

    if ((want == NULL) != (*fmt == NULL) || (want && strcmp (want, *fmt))) {
      if (push (argv, "--format") || push (argv, want ? want : "auto"))
        return -1;
      *fmt = want;
    }
    return push (argv, "-a") || push (argv, copy ? copy : img->add.ptr[0]);
  }
  if (img->kind == GS_INPUT_DOMXML)
    return push (argv, "--domxml") || push (argv, img->domxml);
  if (img->kind == GS_INPUT_DOMAIN)
    return push (argv, "-d") || push (argv, img->domain);
  {
    CLEANUP_FREE char *xml = domxml_for (b, img);

    return xml == NULL || push (argv, "--domxml") || push (argv, xml);
  }
}

/* The command of run R for its images still to do (LIVE[k]). */
int
batch_build_argv (struct batch *b, struct run *r, const bool *live,
            string_vector *argv)
{
  const struct batch_step *st = &r->imgs[0]->steps[r->steps[0]];
  const char *name = batch_tool_names[r->tool];

  string_vector_free_all (argv);
  if (push (argv, name) || push (argv, "--json"))
    return -1;
  if (b->m.provenance) {
    /* Written under a name of this command's, then linked to each step
     * it did (batch_provenance_link).
     */
    free (r->prov_tmp);
    r->prov_tmp = gs_xasprintf ("%s/.goldsmith-run-%ju-%zu.intoto.json",
                                b->m.provenance, (uintmax_t) getpid (),
                                (size_t) (r - b->runs) + 1);
    unlink (r->prov_tmp);
    if (push (argv, "--provenance") || push (argv, r->prov_tmp))
      return -1;
  }
  for (size_t i = 0; i < st->args.len; ++i)
    if (push (argv, st->args.ptr[i]))
      return -1;
  if (b->dry_run && r->tool != BT_INSPECT && push (argv, "--dry-run"))
    return -1;

  if (r->tool == BT_SYSPREP || r->tool == BT_INSPECT) {
    if (push (argv, "--each-image"))
      return -1;
    if (r->connect && (push (argv, "-c") || push (argv, r->connect)))
      return -1;
    const char *fmt = NULL;

    for (size_t k = 0; k < r->n; ++k)
      if (live[k] &&
          push_guest (b, argv, r->imgs[k], r->steps[k], &fmt) == -1)
        return -1;
    return 0;
  }

  /* sparsify, resize: one image, one disk. */
  {
    const struct batch_image *img = r->imgs[0];
    const char *copy = batch_step_input (img, r->steps[0]);
    const char *in = copy ? copy : img->disks.ptr[0];
    const char *fmt = copy ? "" : img->disk_formats.ptr[0];

    if (fmt[0] && (push (argv, "--format") || push (argv, fmt)))
      return -1;
    if (r->tool == BT_SPARSIFY && st->out == NULL &&
        push (argv, "--in-place"))
      return -1;
    if (push (argv, in) || (st->out && push (argv, st->out)))
      return -1;
  }
  return 0;
}

/* Before anything runs: the args of every sysprep and inspect command
 * are checked by the tool itself (--list-operations parses them all
 * and launches nothing), so a typo is a manifest error, not a failed
 * fleet.
 */
int
batch_check_args (struct batch *b)
{
  for (size_t r = 0; r < b->nruns; ++r) {
    struct run *run = &b->runs[r];
    const struct batch_step *st = &run->imgs[0]->steps[run->steps[0]];
    string_vector argv = empty_vector;
    CLEANUP_FREE char *err = NULL;
    bool seen = false;
    int code;

    if (run->tool != BT_SYSPREP && run->tool != BT_INSPECT)
      continue;
    for (size_t q = 0; q < r && !seen; ++q)
      seen = b->runs[q].tool == run->tool &&
        batch_same_args (&b->runs[q].imgs[0]->steps[b->runs[q].steps[0]], st);
    if (seen)
      continue;
    /* First: an option at the end of args must not take it as its value. */
    if (push (&argv, batch_tool_names[run->tool]) == -1 ||
        push (&argv, "--list-operations") == -1)
      return -1;
    for (size_t i = 0; i < st->args.len; ++i)
      if (push (&argv, st->args.ptr[i]) == -1)
        return -1;
    code = call_tool (run->tool, &argv, 2, &err);
    string_vector_free_all (&argv);
    if (code != GS_EXIT_OK) {
      /* Its first line, without the speaker ("goldsmith: [op: ]error: ",
       * popt's "goldsmith sysprep: "), after the manifest's place.
       */
      const char *msg = err && err[0] ? err : "rejected";
      const char *e = strstr (msg, "error: ");

      if (e && e < msg + strcspn (msg, "\n"))
        msg = e + strlen ("error: ");
      else if (strncmp (msg, "goldsmith", 9) == 0 && strstr (msg, ": "))
        msg = strstr (msg, ": ") + 2;
      gs_error ("%s:%d: %s args: %.*s", b->m.file, st->line,
                batch_tool_names[run->tool], (int) strcspn (msg, "\n"), msg);
      return -1;
    }
  }
  return 0;
}

const char *
batch_jstr (json_object *o, const char *key)
{
  json_object *v;

  return json_object_object_get_ex (o, key, &v) ? json_object_get_string (v)
                                                 : NULL;
}

/* Why a guest of a sysprep or inspect report failed, or NULL if it
 * did not.  A rolled-back guest failed even without a message.
 */
static const char *
guest_error (json_object *g)
{
  json_object *roots, *v;

  if (batch_jstr (g, "error"))
    return batch_jstr (g, "error");
  if (json_object_object_get_ex (g, "committed", &v) &&
      !json_object_get_boolean (v))
    return "not committed";
  if (!json_object_object_get_ex (g, "roots", &roots))
    return NULL;
  for (size_t i = 0; i < json_object_array_length (roots); ++i) {
    json_object *r = json_object_array_get_idx (roots, i), *ops;

    if (batch_jstr (r, "error"))
      return batch_jstr (r, "error");
    if (!json_object_object_get_ex (r, "operations", &ops))
      continue;
    for (size_t k = 0; k < json_object_array_length (ops); ++k) {
      json_object *o = json_object_array_get_idx (ops, k);
      const char *st = batch_jstr (o, "status");

      if (st && strcmp (st, "failed") == 0)
        return batch_jstr (o, "reason") ? batch_jstr (o, "reason") : "an operation failed";
    }
  }
  return NULL;
}

static void
set_step (struct batch_step *st, enum batch_status status, int code,
          size_t run, json_object *report, const char *error)
{
  st->status = status;
  st->exit_status = code;
  st->run = run;
  json_object_put (st->report);
  st->report = report;
  if (error && st->report == NULL)
    st->report = json_object_new_object ();
  if (error && batch_jstr (st->report, "error") == NULL)
    gs_int_report_set_error (st->report, error);
}

/* Does MSG name PATH ("PATH: ...", "'PATH'"), not a longer one? */
static bool
names_path (const char *msg, const char *path)
{
  size_t n = strlen (path);

  for (const char *m = strstr (msg, path); m; m = strstr (m + 1, path))
    if (m[n] == '\0' || strchr (":'\" ,)", m[n]))
      return true;
  return false;
}

/* Run R is over: each live image's step from its report.  Returns the
 * index of an image its refusal (exit 2) names, or -1.
 */
static ssize_t
record_run (struct batch *b, struct run *r, bool *live, int code,
            json_object *rep)
{
  json_object *guests = NULL;
  size_t nlive = 0, g = 0;
  const char *error = rep ? batch_jstr (rep, "error") : NULL;
  bool per_guest = false;
  char fallback[64];

  for (size_t k = 0; k < r->n; ++k)
    nlive += live[k];
  if (rep && (r->tool == BT_SYSPREP || r->tool == BT_INSPECT))
    json_object_object_get_ex (rep, "guests", &guests);
  if (guests && json_object_array_length (guests) != nlive)
    guests = NULL;               /* refused before it listed them */

  /* Refused up front (an image in use, missing, corrupt): find the
   * image it names, so that the others can run without it.
   */
  if (code == GS_EXIT_USAGE && nlive > 1 && guests == NULL && error) {
    for (size_t k = 0; k < r->n; ++k) {
      const struct batch_image *img = r->imgs[k];
      const char *copy = batch_step_input (img, r->steps[k]);

      CLEANUP_FREE char *dash_d = NULL;

      /* Its disks, the copy it works on, its -a, --domxml or -d. */
      if (img->kind == GS_INPUT_DOMAIN &&
          asprintf (&dash_d, "-d %s", img->domain) == -1)
        dash_d = NULL;
      for (size_t d = 0; live[k] && d < img->disks.len + 2; ++d) {
        const char *p = d < img->disks.len ? img->disks.ptr[d]
          : d == img->disks.len ? copy
          : img->kind == GS_INPUT_ADD ? img->add.ptr[0]
          : img->kind == GS_INPUT_DOMXML ? img->domxml : dash_d;

        if (p && names_path (error, p))
          return (ssize_t) k;
      }
    }
  }

  /* Several guests, some failed (sysprep 4, inspect 1): each guest's
   * entry says which.  Otherwise the whole command failed.
   */
  if (guests && nlive > 1 &&
      (code == GS_EXIT_PARTIAL || code == GS_EXIT_ERROR))
    for (size_t k = 0; k < nlive && !per_guest; ++k)
      per_guest = guest_error (json_object_array_get_idx (guests, k)) != NULL;
  if (code > 128)
    snprintf (fallback, sizeof fallback, "killed by signal %d", code - 128);
  else
    snprintf (fallback, sizeof fallback, "exit status %d", code);
  for (size_t k = 0; k < r->n; ++k) {
    struct batch_step *st = &r->imgs[k]->steps[r->steps[k]];
    json_object *mine = NULL;
    const char *why = NULL;

    if (!live[k])
      continue;
    if (guests)
      mine = json_object_get (json_object_array_get_idx (guests, g++));
    else if (rep)
      mine = json_object_get (rep);
    if (per_guest)
      why = guest_error (mine);
    else if (code != GS_EXIT_OK) {
      why = guests ? guest_error (mine) : NULL;
      why = why ? why : error ? error : fallback;
    }
    if (why)
      set_step (st, BS_FAILED, code == GS_EXIT_PARTIAL ? GS_EXIT_ERROR : code,
                r - b->runs + 1, mine, why);
    else
      set_step (st, BS_OK, GS_EXIT_OK, r - b->runs + 1, mine, NULL);
  }
  return -1;
}

/* A run fell back to TCG: so do the later ones (as one process's
 * launches would), without probing KVM or failing a launch again.
 * libguestfs and the session read this from the environment.
 */
static void
tcg_from_now_on (json_object *appliance)
{
  const char *env = getenv ("LIBGUESTFS_BACKEND_SETTINGS");
  json_object *v;
  char *set;

  if (!json_object_object_get_ex (appliance, "tcg_fallback", &v) ||
      !json_object_get_boolean (v) || (env && strstr (env, "force_tcg")))
    return;
  if (asprintf (&set, "%s%sforce_tcg", env ? env : "",
                env && env[0] ? ":" : "") == -1)
    return;
  setenv ("LIBGUESTFS_BACKEND_SETTINGS", set, 1);
  free (set);
}

/* One command of the plan, for its images that have not failed. */
void
batch_execute (struct batch *b, struct run *r)
{
  bool *live = r->live = gs_xcalloc (r->n, sizeof *live);
  size_t nlive = 0;
  double t0 = batch_now ();

  for (size_t k = 0; k < r->n; ++k) {
    live[k] = !r->imgs[k]->failed;
    nlive += live[k];
  }
  if (nlive == 0)
    return;                      /* its images failed earlier steps */
  for (;;) {
    CLEANUP_FREE char *out = NULL;
    json_object *rep = NULL;
    ssize_t blamed;
    int code;

    gs_info ("run %zu of %zu: %s of %zu image%s ...",
             (size_t) (r - b->runs) + 1, b->nruns,
             batch_tool_names[r->tool], nlive, nlive == 1 ? "" : "s");
    if (batch_build_argv (b, r, live, &r->argv) == -1)
      code = GS_EXIT_ERROR;
    else
      code = call_tool (r->tool, &r->argv, 1, &out);
    if (out && out[0] && (rep = json_tokener_parse (out)) == NULL)
      gs_error ("%s: its report is not JSON (exit status %d)",
                batch_tool_names[r->tool], code);
    r->ran = true;
    r->exit_status = code;
    if (rep && json_object_object_get (rep, "appliance")) {
      json_object_put (r->appliance);
      r->appliance = json_object_get (json_object_object_get (rep,
                                                              "appliance"));
      tcg_from_now_on (r->appliance);
    }
    batch_provenance_link (b, r, live);
    blamed = record_run (b, r, live, code, rep);
    if (blamed >= 0) {
      /* That one fails; the rest go again without it (the refusal came
       * before any launch).
       */
      struct batch_step *st = &r->imgs[blamed]->steps[r->steps[blamed]];

      set_step (st, BS_FAILED, code, r - b->runs + 1,
                json_object_get (rep), NULL);
      live[blamed] = false;
      json_object_put (rep);
      if (--nlive == 0 || got_signal)
        break;
      continue;
    }
    json_object_put (rep);
    break;
  }
  r->seconds = batch_now () - t0;
  {
    size_t ok = 0, failed = 0;

    for (size_t k = 0; k < r->n; ++k) {
      enum batch_status st = r->imgs[k]->steps[r->steps[k]].status;

      ok += st == BS_OK;
      failed += st == BS_FAILED;
    }
    gs_info ("run %zu of %zu: %s: %zu ok, %zu failed (%.1f s)",
             (size_t) (r - b->runs) + 1, b->nruns,
             batch_tool_names[r->tool], ok, failed, r->seconds);
  }
}

/* One record per step, DIR/ENTRY-STEP-TOOL.intoto.json: a build system
 * finds an image's record by its manifest entry, whichever shard or
 * run did it.  Images that shared a command share its record (hard
 * links: the same document, listing them all), as they shared its
 * launch.  Each name is replaced atomically; a command refused before
 * its run (exit 2) wrote none, and links none.
 */
void
batch_provenance_link (const struct batch *b, const struct run *r,
                       const bool *live)
{
  struct stat st;

  if (r->prov_tmp == NULL || stat (r->prov_tmp, &st) == -1)
    return;
  for (size_t k = 0; k < r->n; ++k) {
    CLEANUP_FREE char *name = NULL, *tmp = NULL;

    if (!live[k])
      continue;
    name = gs_xasprintf ("%s/%zu-%zu-%s.intoto.json", b->m.provenance,
                         r->imgs[k]->entry, r->steps[k] + 1,
                         batch_tool_names[r->tool]);
    tmp = gs_xasprintf ("%s.tmp%ju", name, (uintmax_t) getpid ());
    unlink (tmp);
    if (link (r->prov_tmp, tmp) == -1 || rename (tmp, name) == -1) {
      gs_warning ("%s: cannot write the provenance record: %m", name);
      unlink (tmp);
    }
  }
  unlink (r->prov_tmp);
  gs_int_sync_dir_of (r->prov_tmp);
}
