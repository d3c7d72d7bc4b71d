/* batch.c: `goldsmith batch MANIFEST`: run a pipeline of tools over a
 * fleet of guests, sharing appliance launches where the tools can.
 *
 * The plan is made before anything runs.  It goes in rounds: each
 * round takes one tool (one that no pending image still needs later in
 * its pipeline, if there is one, so that tools are not split across
 * rounds) and the images whose next step it is; sysprep and inspect
 * take, in one command, all the images whose arguments for that tool
 * are the same (the tool itself then shares launches among them as far
 * as is safe), sparsify and resize one image per command.
 *
 * Each command is the subcommand itself, called in a forked child with
 * --json and its stdout read through a pipe: no second copy of any
 * tool's logic, and a crash in one command is one failed run.  The
 * tools' reports are split per guest into one combined report,
 * rewritten (with the state, batch-state.c) after every command so
 * that a killed batch resumes where it stopped.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cleanups.h"

const char *const batch_status_names[] = {
  [BS_PENDING] = "pending", [BS_OK] = "ok", [BS_FAILED] = "failed",
  [BS_SKIPPED] = "skipped", [BS_ALREADY] = "already-done",
};

typedef int cmd_fn (int argc, const char **argv);
static cmd_fn *const tool_cmd[BT_NTOOLS] = {
  [BT_SYSPREP] = gs_cmd_sysprep, [BT_INSPECT] = gs_cmd_inspect,
  [BT_SPARSIFY] = gs_cmd_sparsify, [BT_RESIZE] = gs_cmd_resize,
};

static char *shard_arg;
static int dry_run, plan_only, force;

static struct poptOption batch_table[] = {
  { "shard", '\0', POPT_ARG_STRING, &shard_arg, 0,
    "Only the I-th of N slices of the images (entry k when k mod N = I "
    "mod N): one job of a job array", "I/N" },
  { "dry-run", 'n', POPT_ARG_NONE, &dry_run, 0,
    "Print the plan, run sysprep, sparsify and resize with --dry-run; "
    "write no report and no state", NULL },
  { "dryrun", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &dry_run, 0,
    NULL, NULL },
  { "plan", '\0', POPT_ARG_NONE, &plan_only, 0,
    "Print the plan and stop (no appliance, nothing written)", NULL },
  { "force", '\0', POPT_ARG_NONE, &force, 0,
    "Run every step, even those an earlier batch did", NULL },
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, gs_common_table, 0,
    "Options of every subcommand (passed on to each tool):", NULL },
  POPT_AUTOHELP
  POPT_TABLEEND
};

/* One command of the plan: one tool over some images. */
struct run {
  enum batch_tool tool;
  struct batch_image **imgs;
  size_t *steps;                 /* each image's step index */
  size_t n;
  bool has_domain;               /* it takes a libvirt domain (-d) */
  const char *connect;           /* their -c, or NULL: the default URI */
  /* Filled when it ran. */
  bool ran;
  bool *live;                    /* the images its last command took */
  int exit_status;
  double seconds;
  string_vector argv;
  json_object *appliance;
};

struct batch {
  struct batch_manifest m;
  struct batch_image **sel;      /* this shard's images */
  size_t nsel;
  unsigned shard_i, shard_n;
  char *report;                  /* this shard's */
  char *state_dir;
  struct run *runs;
  size_t nruns;
  char *tmpdir;                  /* domain XML for guests of several -a */
  double seconds;
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

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- running a tool ------------------------------------------------ */

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

    if (len + 4096 > cap) {
      char *p = realloc (*text, cap = cap * 2 + 65536);

      if (p == NULL) {
        gs_error ("out of memory");
        kill (pid, SIGTERM);
        break;
      }
      *text = p;
    }
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

/* ---- the commands -------------------------------------------------- */

/* S as one shell word, for the plan a person reads (and may paste). */
static void
print_word (FILE *fp, const char *s)
{
  if (s[0] && strspn (s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                      "WXYZ0123456789-_=+,./:@%") == strlen (s)) {
    fputs (s, fp);
    return;
  }
  fputc ('\'', fp);
  for (const char *p = s; *p; ++p)
    if (*p == '\'')
      fputs ("'\\''", fp);
    else
      fputc (*p, fp);
  fputc ('\'', fp);
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

/* sysprep --each-image and inspect take each -a as a guest: a guest
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
  if (string_vector_append_copy (v, s) == -1) {
    gs_error ("out of memory");
    return -1;
  }
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
static int
build_argv (struct batch *b, struct run *r, const bool *live,
            string_vector *argv)
{
  const struct batch_step *st = &r->imgs[0]->steps[r->steps[0]];
  const char *name = batch_tool_names[r->tool];

  string_vector_free_all (argv);
  if (push (argv, name) || push (argv, "--json"))
    return -1;
  for (size_t i = 0; i < st->args.len; ++i)
    if (push (argv, st->args.ptr[i]))
      return -1;
  if (dry_run && r->tool != BT_INSPECT && push (argv, "--dry-run"))
    return -1;

  if (r->tool == BT_SYSPREP || r->tool == BT_INSPECT) {
    if (r->tool == BT_SYSPREP && push (argv, "--each-image"))
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

/* ---- the plan ------------------------------------------------------ */

static bool
same_args (const struct batch_step *a, const struct batch_step *b)
{
  if (a->args.len != b->args.len)
    return false;
  for (size_t i = 0; i < a->args.len; ++i)
    if (strcmp (a->args.ptr[i], b->args.ptr[i]) != 0)
      return false;
  return true;
}

/* A domain of this step goes to the tool as -d, under the run's -c. */
static bool
is_domain (const struct batch_image *img, size_t s)
{
  return img->kind == GS_INPUT_DOMAIN && batch_step_input (img, s) == NULL;
}

static bool
same_uri (const char *a, const char *b)
{
  return a == b || (a && b && strcmp (a, b) == 0);
}

/* Image IMG's step S in run R, unless R cannot take it: other args,
 * or a domain of another libvirt URI (one -c per command).
 */
static bool
joins (struct run *r, struct batch_image *img, size_t s)
{
  if (r->tool == BT_SPARSIFY || r->tool == BT_RESIZE ||
      !same_args (&r->imgs[0]->steps[r->steps[0]], &img->steps[s]))
    return false;
  if (is_domain (img, s)) {
    if (r->has_domain && !same_uri (r->connect, img->connect))
      return false;
    r->has_domain = true;
    r->connect = img->connect;
  }
  r->imgs[r->n] = img;
  r->steps[r->n++] = s;
  return true;
}

static int
add_run (struct batch *b, enum batch_tool t, struct batch_image *img,
         size_t s)
{
  struct run *p = realloc (b->runs, (b->nruns + 1) * sizeof *p);

  if (p == NULL)
    goto nomem;
  b->runs = p;
  p = &b->runs[b->nruns];
  memset (p, 0, sizeof *p);
  p->tool = t;
  p->imgs = calloc (b->nsel, sizeof *p->imgs);
  p->steps = calloc (b->nsel, sizeof *p->steps);
  if (p->imgs == NULL || p->steps == NULL) {
    free (p->imgs);
    free (p->steps);
    goto nomem;
  }
  b->nruns++;
  p->has_domain = is_domain (img, s);
  p->connect = p->has_domain ? img->connect : NULL;
  p->imgs[0] = img;
  p->steps[0] = s;
  p->n = 1;
  return 0;

 nomem:
  gs_error ("out of memory");
  return -1;
}

static int
make_plan (struct batch *b)
{
  CLEANUP_FREE size_t *pos = calloc (b->nsel + 1, sizeof *pos);
  int rank[BT_NTOOLS], nrank = 0;

  if (pos == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  /* Ties go to the tool met first in the manifest. */
  for (int t = 0; t < BT_NTOOLS; ++t)
    rank[t] = BT_NTOOLS;
  for (size_t i = 0; i < b->nsel; ++i) {
    pos[i] = b->sel[i]->resume;
    for (size_t s = 0; s < b->sel[i]->nsteps; ++s)
      if (rank[b->sel[i]->steps[s].tool] == BT_NTOOLS)
        rank[b->sel[i]->steps[s].tool] = nrank++;
  }

  for (;;) {
    size_t count[BT_NTOOLS] = { 0 };
    bool later[BT_NTOOLS] = { false };
    int best = -1;
    size_t first_run = b->nruns;

    for (size_t i = 0; i < b->nsel; ++i) {
      const struct batch_image *img = b->sel[i];

      if (pos[i] >= img->nsteps)
        continue;
      count[img->steps[pos[i]].tool]++;
      for (size_t s = pos[i] + 1; s < img->nsteps; ++s)
        later[img->steps[s].tool] = true;
    }
    /* A tool no image needs later first; then the most images. */
    for (int t = 0; t < BT_NTOOLS; ++t) {
      if (count[t] == 0)
        continue;
      if (best < 0 || (later[best] && !later[t]) ||
          (later[best] == later[t] &&
           (count[t] > count[best] ||
            (count[t] == count[best] && rank[t] < rank[best]))))
        best = t;
    }
    if (best < 0)
      return 0;
    for (size_t i = 0; i < b->nsel; ++i) {
      struct batch_image *img = b->sel[i];
      size_t k;

      if (pos[i] >= img->nsteps || (int) img->steps[pos[i]].tool != best)
        continue;
      for (k = first_run; k < b->nruns; ++k)
        if (joins (&b->runs[k], img, pos[i]))
          break;
      if (k == b->nruns && add_run (b, best, img, pos[i]) == -1)
        return -1;
      pos[i]++;
    }
  }
}

/* Before anything runs: the args of every sysprep and inspect command
 * are checked by the tool itself (--list-operations parses them all
 * and launches nothing), so a typo is a manifest error, not a failed
 * fleet.
 */
static int
check_args (struct batch *b)
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
        same_args (&b->runs[q].imgs[0]->steps[b->runs[q].steps[0]], st);
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

static void
print_plan (struct batch *b)
{
  size_t pending = 0;

  printf ("Manifest %s: %zu image%s", b->m.file, b->m.n,
          b->m.n == 1 ? "" : "s");
  if (b->shard_n)
    printf ("; shard %u/%u: %zu image%s", b->shard_i, b->shard_n, b->nsel,
            b->nsel == 1 ? "" : "s");
  printf ("\n");
  for (size_t i = 0; i < b->nsel; ++i) {
    const struct batch_image *img = b->sel[i];

    printf ("  entry %zu ", img->entry);
    print_word (stdout, img->name);
    for (size_t s = 0; s < img->nsteps; ++s) {
      printf ("%s%s", s ? ", " : ": ", batch_tool_names[img->steps[s].tool]);
      if (s < img->resume)
        printf (" (already done)");
    }
    printf ("\n");
    pending += img->resume < img->nsteps;
  }
  for (size_t r = 0; r < b->nruns; ++r) {
    struct run *run = &b->runs[r];
    CLEANUP_FREE bool *live = calloc (run->n, sizeof *live);

    printf ("Run %zu: %s of entr%s", r + 1, batch_tool_names[run->tool],
            run->n == 1 ? "y" : "ies");
    for (size_t k = 0; k < run->n; ++k)
      printf ("%s%zu", k ? ", " : " ", run->imgs[k]->entry);
    printf ("\n ");
    for (size_t k = 0; live && k < run->n; ++k)
      live[k] = true;
    printf (" goldsmith");
    if (live && build_argv (b, run, live, &run->argv) == 0)
      for (size_t i = 0; i < run->argv.len; ++i) {
        printf (" ");
        print_word (stdout, run->argv.ptr[i]);
      }
    printf ("\n");
  }
  if (pending == 0)
    printf ("Nothing to do: every step of every image is done (--force "
            "does them again)\n");
}

/* ---- results ------------------------------------------------------- */

static const char *
jstr (json_object *o, const char *key)
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

  if (jstr (g, "error"))
    return jstr (g, "error");
  if (json_object_object_get_ex (g, "committed", &v) &&
      !json_object_get_boolean (v))
    return "not committed";
  if (!json_object_object_get_ex (g, "roots", &roots))
    return NULL;
  for (size_t i = 0; i < json_object_array_length (roots); ++i) {
    json_object *r = json_object_array_get_idx (roots, i), *ops;

    if (jstr (r, "error"))
      return jstr (r, "error");
    if (!json_object_object_get_ex (r, "operations", &ops))
      continue;
    for (size_t k = 0; k < json_object_array_length (ops); ++k) {
      json_object *o = json_object_array_get_idx (ops, k);
      const char *st = jstr (o, "status");

      if (st && strcmp (st, "failed") == 0)
        return jstr (o, "reason") ? jstr (o, "reason") : "an operation failed";
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
  if (error && jstr (st->report, "error") == NULL)
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
  const char *error = rep ? jstr (rep, "error") : NULL;
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

static json_object *
strings_json (const string_vector *v)
{
  json_object *a = json_object_new_array ();

  /* Valid UTF-8 only, or the report is not JSON. */
  for (size_t i = 0; i < v->len; ++i) {
    CLEANUP_FREE char *u = gs_int_utf8_copy (v->ptr[i], false);

    json_object_array_add (a, json_object_new_string (u ? u : ""));
  }
  return a;
}

/* "ok", "failed", "already-done" or "pending". */
static const char *
image_status (const struct batch_image *img)
{
  bool pending = false, all_already = true;

  for (size_t s = 0; s < img->nsteps; ++s) {
    if (img->steps[s].status == BS_FAILED)
      return "failed";
    pending |= img->steps[s].status == BS_PENDING;
    all_already &= img->steps[s].status == BS_ALREADY;
  }
  return pending ? "pending" : all_already ? "already-done" : "ok";
}

static json_object *
make_report (struct batch *b, bool complete, int code)
{
  json_object *rep = gs_int_report_new ("batch", dry_run);
  json_object *images = json_object_new_array ();
  json_object *runs = json_object_new_array ();
  int launches = 0;

  json_object_object_del (rep, "guests");
  gs_int_json_add_string (rep, "manifest", b->m.file);
  gs_int_json_add_string (rep, "report", b->report);
  gs_int_json_add_string (rep, "state", b->state_dir);
  if (b->shard_n) {
    json_object *sh = json_object_new_object ();

    json_object_object_add (sh, "index", json_object_new_int (b->shard_i));
    json_object_object_add (sh, "count", json_object_new_int (b->shard_n));
    json_object_object_add (rep, "shard", sh);
  }
  json_object_object_add (rep, "complete", json_object_new_boolean (complete));
  json_object_object_add (rep, "images", images);
  json_object_object_add (rep, "runs", runs);
  for (size_t i = 0; i < b->nsel; ++i) {
    const struct batch_image *img = b->sel[i];
    json_object *ji = json_object_new_object ();
    json_object *steps = json_object_new_array ();

    json_object_array_add (images, ji);
    json_object_object_add (ji, "entry", json_object_new_int64 (img->entry));
    json_object_object_add (ji, "line", json_object_new_int (img->line));
    gs_int_json_add_string (ji, "name", img->name);
    json_object_object_add (ji, "disks", strings_json (&img->disks));
    gs_int_json_add_string (ji, "status", image_status (img));
    json_object_object_add (ji, "steps", steps);
    for (size_t s = 0; s < img->nsteps; ++s) {
      const struct batch_step *st = &img->steps[s];
      json_object *js = json_object_new_object ();

      json_object_array_add (steps, js);
      gs_int_json_add_string (js, "tool", batch_tool_names[st->tool]);
      gs_int_json_add_string (js, "status", batch_status_names[st->status]);
      json_object_object_add (js, "args", strings_json (&st->args));
      if (st->out)
        gs_int_json_add_string (js, "out", st->out);
      if (st->run > 0) {
        json_object_object_add (js, "run", json_object_new_int64 (st->run));
        json_object_object_add (js, "exit_status",
                                json_object_new_int (st->exit_status));
      }
      if (jstr (st->report, "error"))
        gs_int_json_add_string (js, "error", jstr (st->report, "error"));
      if (st->report)
        json_object_object_add (js, "report", json_object_get (st->report));
    }
  }
  for (size_t r = 0; r < b->nruns; ++r) {
    const struct run *run = &b->runs[r];
    json_object *jr, *entries, *v;

    if (!run->ran)
      continue;
    jr = json_object_new_object ();
    json_object_array_add (runs, jr);
    json_object_object_add (jr, "run", json_object_new_int64 (r + 1));
    gs_int_json_add_string (jr, "tool", batch_tool_names[run->tool]);
    entries = json_object_new_array ();
    for (size_t k = 0; k < run->n; ++k)
      if (run->live && run->live[k])
        json_object_array_add (entries,
                               json_object_new_int64 (run->imgs[k]->entry));
    json_object_object_add (jr, "entries", entries);
    json_object_object_add (jr, "argv", strings_json (&run->argv));
    json_object_object_add (jr, "exit_status",
                            json_object_new_int (run->exit_status));
    json_object_object_add (jr, "seconds",
                            json_object_new_double (run->seconds));
    if (run->appliance) {
      json_object_object_add (jr, "appliance",
                              json_object_get (run->appliance));
      if (json_object_object_get_ex (run->appliance, "launches", &v))
        launches += json_object_get_int (v);
    }
  }
  json_object_object_add (rep, "appliance_launches",
                          json_object_new_int (launches));
  json_object_object_add (rep, "seconds", json_object_new_double (b->seconds));
  if (complete)
    json_object_object_add (rep, "exit_status", json_object_new_int (code));
  return rep;
}

static int
write_report (struct batch *b, bool complete, int code)
{
  CLEANUP_FREE char *text = NULL;
  json_object *rep;
  int r;

  if (dry_run)
    return 0;
  rep = make_report (b, complete, code);
  /* As --json prints it: the same bytes, newline included. */
  if (asprintf (&text, "%s\n", json_object_to_json_string_ext
                (rep, JSON_C_TO_STRING_PRETTY |
                 JSON_C_TO_STRING_NOSLASHESCAPE)) == -1) {
    json_object_put (rep);
    gs_error ("out of memory");
    return -1;
  }
  r = batch_write_atomic (b->report, text);
  json_object_put (rep);
  return r;
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
static void
execute (struct batch *b, struct run *r)
{
  bool *live = r->live = calloc (r->n, sizeof *live);
  size_t nlive = 0;
  double t0 = now ();

  if (live == NULL) {
    gs_error ("out of memory");
    return;
  }
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
    if (build_argv (b, r, live, &r->argv) == -1)
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
  r->seconds = now () - t0;
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

/* ---- the command --------------------------------------------------- */

static bool
same_disks (json_object *a, const string_vector *v)
{
  if (!json_object_is_type (a, json_type_array) ||
      json_object_array_length (a) != v->len)
    return false;
  for (size_t i = 0; i < v->len; ++i) {
    const char *p = json_object_get_string (json_object_array_get_idx (a, i));

    if (p == NULL || strcmp (p, v->ptr[i]) != 0)
      return false;
  }
  return true;
}

/* Steps an earlier batch did keep that batch's reports of them, from
 * its report file: the report stays whole across a resumed fleet.
 */
static void
carry_over (struct batch *b)
{
  json_object *old, *images;

  if (access (b->report, R_OK) == -1 ||
      (old = json_object_from_file (b->report)) == NULL)
    return;
  if (json_object_object_get_ex (old, "images", &images) &&
      json_object_is_type (images, json_type_array))
    for (size_t i = 0; i < b->nsel; ++i) {
      struct batch_image *img = b->sel[i];

      for (size_t k = 0; img->resume && k < json_object_array_length (images);
           ++k) {
        json_object *oi = json_object_array_get_idx (images, k), *steps;

        if (!same_disks (json_object_object_get (oi, "disks"), &img->disks) ||
            !json_object_object_get_ex (oi, "steps", &steps))
          continue;
        for (size_t s = 0; s < img->resume &&
               s < json_object_array_length (steps); ++s) {
          json_object *os = json_object_array_get_idx (steps, s), *rep;
          const char *tool = jstr (os, "tool");

          if (tool && strcmp (tool, batch_tool_names[img->steps[s].tool]) == 0
              && json_object_object_get_ex (os, "report", &rep)) {
            json_object_put (img->steps[s].report);
            img->steps[s].report = json_object_get (rep);
          }
        }
        break;
      }
    }
  json_object_put (old);
}

static int
parse_shard (struct batch *b)
{
  char *end;
  unsigned long i, n;

  if (shard_arg == NULL)
    return 0;
  errno = 0;
  i = strtoul (shard_arg, &end, 10);
  if (errno == 0 && end != shard_arg && *end == '/' && end[1] != '-') {
    const char *ns = end + 1;

    n = strtoul (ns, &end, 10);
    if (errno == 0 && end != ns && *end == '\0' && i >= 1 && n >= i &&
        n <= 1000000) {
      b->shard_i = i;
      b->shard_n = n;
      return 0;
    }
  }
  gs_error ("--shard %s: expected I/N with 1 <= I <= N, e.g. --shard 2/8",
            shard_arg);
  return -1;
}

/* fleet.json -> fleet.shard-2-of-8.json */
static char *
shard_report (const char *report, unsigned i, unsigned n)
{
  size_t len = strlen (report);
  bool json = len > 5 && strcmp (report + len - 5, ".json") == 0;
  char *r;

  if (n == 0)
    return strdup (report);
  if (asprintf (&r, "%.*s.shard-%u-of-%u%s", (int) (json ? len - 5 : len),
                report, i, n, json ? ".json" : "") == -1)
    return NULL;
  return r;
}

static void
print_text (struct batch *b, int code)
{
  size_t ok = 0, failed = 0, already = 0, launches = 0;

  for (size_t i = 0; i < b->nsel; ++i) {
    const struct batch_image *img = b->sel[i];
    const char *st = image_status (img);

    ok += strcmp (st, "ok") == 0;
    failed += strcmp (st, "failed") == 0;
    already += strcmp (st, "already-done") == 0;
    printf ("entry %zu ", img->entry);
    print_word (stdout, img->name);
    for (size_t s = 0; s < img->nsteps; ++s) {
      const struct batch_step *step = &img->steps[s];

      printf ("%s%s %s", s ? ", " : ": ", batch_tool_names[step->tool],
              step->status == BS_ALREADY ? "already done"
              : batch_status_names[step->status]);
      if (step->status == BS_FAILED && jstr (step->report, "error")) {
        /* Its first line (libguestfs adds advice), guest bytes escaped. */
        const char *e = jstr (step->report, "error");

        printf (" (");
        for (size_t c = 0; e[c] && e[c] != '\n'; ++c)
          if ((unsigned char) e[c] < 0x20 || e[c] == 0x7f)
            printf ("\\x%02x", (unsigned char) e[c]);
          else
            putchar (e[c]);
        printf (")");
      }
    }
    printf ("\n");
  }
  for (size_t r = 0; r < b->nruns; ++r) {
    json_object *v;

    if (b->runs[r].appliance &&
        json_object_object_get_ex (b->runs[r].appliance, "launches", &v))
      launches += json_object_get_int (v);
  }
  printf ("%s%zu image%s: %zu ok, %zu failed, %zu already done; "
          "%zu appliance launch%s, %.1f s%s%s; exit status %d\n",
          dry_run ? "Dry run: " : "", b->nsel, b->nsel == 1 ? "" : "s",
          ok, failed, already, launches, launches == 1 ? "" : "es",
          b->seconds, dry_run ? "" : "; report ", dry_run ? "" : b->report,
          code);
}

static void
batch_free (struct batch *b)
{
  for (size_t r = 0; r < b->nruns; ++r) {
    free (b->runs[r].imgs);
    free (b->runs[r].steps);
    free (b->runs[r].live);
    string_vector_free_all (&b->runs[r].argv);
    json_object_put (b->runs[r].appliance);
  }
  free (b->runs);
  free (b->sel);
  free (b->report);
  free (b->state_dir);
  if (b->tmpdir) {
    for (size_t i = 0; i < b->m.n; ++i) {
      CLEANUP_FREE char *f = NULL;

      if (asprintf (&f, "%s/entry-%zu.xml", b->tmpdir,
                    b->m.images[i].entry) != -1)
        unlink (f);
    }
    rmdir (b->tmpdir);
    free (b->tmpdir);
  }
  batch_manifest_free (&b->m);
}

/* Images failed: their later steps are skipped.  0 all ok, 1 all
 * failed, 4 some.
 */
static int
finish (struct batch *b)
{
  size_t failed = 0;

  for (size_t i = 0; i < b->nsel; ++i) {
    struct batch_image *img = b->sel[i];
    bool f = false;

    for (size_t s = 0; s < img->nsteps; ++s) {
      if (f && img->steps[s].status == BS_PENDING)
        img->steps[s].status = BS_SKIPPED;
      f |= img->steps[s].status == BS_FAILED;
    }
    failed += f;
  }
  if (failed == 0)
    return GS_EXIT_OK;
  return failed == b->nsel ? GS_EXIT_ERROR : GS_EXIT_PARTIAL;
}

int
gs_cmd_batch (int argc, const char **argv)
{
  poptContext pc;
  struct batch b = { 0 };
  const char *manifest;
  int rc, code = GS_EXIT_USAGE;
  double t0 = now ();

  pc = poptGetContext ("goldsmith batch", argc, argv, batch_table, 0);
  poptSetOtherOptionHelp (pc, "[OPTION...] MANIFEST");
  while ((rc = poptGetNextOpt (pc)) > 0)
    if (gs_cli_common_option (pc, rc) == -1)
      goto out;
  if (gs_cli_options_end (pc, "batch", rc, &code))
    goto out;
  manifest = poptGetArg (pc);
  if (manifest == NULL || poptPeekArg (pc)) {
    gs_error ("batch: give exactly one manifest (try 'goldsmith batch "
              "--help')");
    goto fail;
  }
  if (parse_shard (&b) == -1 || batch_manifest_load (manifest, &b.m) == -1)
    goto fail;

  if ((b.sel = calloc (b.m.n + 1, sizeof *b.sel)) == NULL ||
      (b.report = shard_report (b.m.report, b.shard_i, b.shard_n)) == NULL ||
      (b.state_dir = batch_state_dir (b.m.report)) == NULL) {
    gs_error ("out of memory");
    goto fail;
  }
  for (size_t i = 0; i < b.m.n; ++i) {
    struct batch_image *img = &b.m.images[i];

    if (b.shard_n && i % b.shard_n != b.shard_i - 1)
      continue;
    b.sel[b.nsel++] = img;
    if (!force)
      batch_state_resume (b.state_dir, img);
    for (size_t s = 0; s < img->resume; ++s)
      img->steps[s].status = BS_ALREADY;
  }
  if (make_plan (&b) == -1 || check_args (&b) == -1)
    goto fail;
  if (!plan_only && !dry_run)
    carry_over (&b);

  if (plan_only && gs_common.json) {
    json_object *rep = make_report (&b, false, 0);
    json_object *runs = json_object_new_array ();
    CLEANUP_FREE bool *live = calloc (b.m.n + 1, sizeof *live);

    /* The plan: every command, as it would be run. */
    for (size_t r = 0; live && r < b.nruns; ++r) {
      json_object *jr = json_object_new_object (), *entries;

      for (size_t k = 0; k < b.runs[r].n; ++k)
        live[k] = true;
      build_argv (&b, &b.runs[r], live, &b.runs[r].argv);
      json_object_array_add (runs, jr);
      gs_int_json_add_string (jr, "tool", batch_tool_names[b.runs[r].tool]);
      entries = json_object_new_array ();
      for (size_t k = 0; k < b.runs[r].n; ++k)
        json_object_array_add (entries,
                               json_object_new_int64 (b.runs[r].imgs[k]->entry));
      json_object_object_add (jr, "entries", entries);
      json_object_object_add (jr, "argv", strings_json (&b.runs[r].argv));
    }
    json_object_object_add (rep, "runs", runs);
    code = gs_int_report_print_json (rep) == -1 ? GS_EXIT_ERROR : GS_EXIT_OK;
    json_object_put (rep);
    goto out;
  }
  if (plan_only || (dry_run && !gs_common.json))
    print_plan (&b);
  if (plan_only) {
    code = GS_EXIT_OK;
    goto out;
  }

  handle_signals (on_signal);
  for (size_t r = 0; r < b.nruns && !got_signal; ++r) {
    struct run *run = &b.runs[r];

    execute (&b, run);
    if (!run->ran)
      continue;
    for (size_t k = 0; k < run->n; ++k) {
      struct batch_image *img = run->imgs[k];
      size_t s = run->steps[k];

      if (img->steps[s].status == BS_FAILED)
        img->failed = true;
      /* After a failure too: the image resumes at the failed step. */
      if (!dry_run && img->steps[s].run == r + 1 &&
          batch_state_save (b.state_dir, img,
                            img->failed ? s : s + 1) == -1)
        img->failed = true;
    }
    b.seconds = now () - t0;
    write_report (&b, false, 0);
  }
  handle_signals (SIG_DFL);
  code = finish (&b);
  b.seconds = now () - t0;
  if (write_report (&b, !got_signal, code) == -1 && code == GS_EXIT_OK)
    code = GS_EXIT_ERROR;
  if (got_signal) {
    gs_error ("interrupted: the report and state say what was done");
    batch_free (&b);
    poptFreeContext (pc);
    raise (got_signal);
    return GS_EXIT_ERROR;
  }
  if (gs_common.json) {
    json_object *rep = make_report (&b, true, code);

    gs_int_report_print_json (rep);
    json_object_put (rep);
  }
  else
    print_text (&b, code);
  goto out;

 fail:
  code = gs_cli_fail ("batch", GS_EXIT_USAGE);
 out:
  batch_free (&b);
  poptFreeContext (pc);
  return code;
}
