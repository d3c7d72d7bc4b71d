/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch.c: `goldsmith batch MANIFEST`: run a pipeline of tools over a
 * fleet of guests, sharing appliance launches where the tools can.
 *
 * The plan is made before anything runs.  It goes in rounds: each
 * round takes one tool (one that no pending image still needs later in
 * its pipeline, if there is one, so that tools are not split across
 * rounds) and the images whose next step it is; sysprep and inspect
 * take, in one command, all the images whose arguments for that tool
 * are the same (the tool itself then shares launches among them as far
 * as is safe), sparsify and resize one image per command.  The
 * commands run one after the other (run.c); after each, the
 * report (report.c) and the state of its images (state.c)
 * are written, so that a killed batch resumes where it stopped.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "cleanups.h"

static char *shard_arg, *merge_arg;
static int dry_run, plan_only, force;

static struct poptOption batch_table[] = {
  { "shard", '\0', POPT_ARG_STRING, &shard_arg, 0,
    "Only the I-th of N slices of the images (entry k when k mod N = I "
    "mod N): one job of a job array", "I/N" },
  { "merge-reports", '\0', POPT_ARG_STRING, &merge_arg, 0,
    "Run nothing: merge the reports of shards 1/N to N/N into the "
    "manifest's report", "N" },
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

/* ---- the plan ------------------------------------------------------ */

bool
batch_same_args (const struct batch_step *a, const struct batch_step *b)
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
      !batch_same_args (&r->imgs[0]->steps[r->steps[0]], &img->steps[s]))
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
  struct run *p;

  b->runs = gs_xreallocarray (b->runs, b->nruns + 1, sizeof *p);
  p = &b->runs[b->nruns];
  memset (p, 0, sizeof *p);
  p->tool = t;
  p->imgs = gs_xcalloc (b->nsel, sizeof *p->imgs);
  p->steps = gs_xcalloc (b->nsel, sizeof *p->steps);
  b->nruns++;
  p->has_domain = is_domain (img, s);
  p->connect = p->has_domain ? img->connect : NULL;
  p->imgs[0] = img;
  p->steps[0] = s;
  p->n = 1;
  return 0;
}

static int
make_plan (struct batch *b)
{
  CLEANUP_FREE size_t *pos = gs_xcalloc (b->nsel + 1, sizeof *pos);
  int rank[BT_NTOOLS], nrank = 0;

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
    batch_print_word (stdout, img->name);
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
    if (live && batch_build_argv (b, run, live, &run->argv) == 0)
      for (size_t i = 0; i < run->argv.len; ++i) {
        printf (" ");
        batch_print_word (stdout, run->argv.ptr[i]);
      }
    printf ("\n");
  }
  if (pending == 0)
    printf ("Nothing to do: every step of every image is done (--force "
            "does them again)\n");
}

/* ---- the command --------------------------------------------------- */

/* --merge-reports N: N, or 0 after saying why not. */
static unsigned
parse_merge (void)
{
  char *end;
  unsigned long n;

  errno = 0;
  n = strtoul (merge_arg, &end, 10);
  if (errno || end == merge_arg || *end || merge_arg[0] == '-' || n < 1 ||
      n > 1000000) {
    gs_error ("--merge-reports %s: expected N, the number of shards, "
              "e.g. --merge-reports 8", merge_arg);
    return 0;
  }
  if (shard_arg || plan_only || dry_run || force) {
    gs_error ("--merge-reports runs nothing: it takes no %s",
              shard_arg ? "--shard" : plan_only ? "--plan"
              : dry_run ? "--dry-run" : "--force");
    return 0;
  }
  return n;
}

/* --merge-reports N: the shard reports made the manifest's report.
 * The manifest's lock, held alone, keeps out its shards and runs on
 * this host while it reads and writes.
 */
static int
merge (struct batch *b, unsigned n)
{
  int code, rc;

  b->sel = gs_xcalloc (b->m.n + 1, sizeof *b->sel);
  for (size_t i = 0; i < b->m.n; ++i)
    b->sel[b->nsel++] = &b->m.images[i];
  b->report = gs_xstrdup (b->m.report);
  b->state_dir = batch_beside (b->m.report, ".state");
  if (batch_check_report (b) == -1)
    return gs_cli_fail ("batch", GS_EXIT_USAGE);
  if ((rc = batch_lock (b)) < 0)
    return gs_cli_fail ("batch", rc == -1 ? GS_EXIT_USAGE : GS_EXIT_BUSY);
  if (batch_merge (b, n) == -1)
    return gs_cli_fail ("batch", GS_EXIT_USAGE);
  code = batch_finish (b);
  if (batch_write_report (b, true, code) == -1)
    return gs_cli_fail ("batch", GS_EXIT_ERROR);
  if (gs_common.json) {
    json_object *rep = batch_report (b, true, code);

    gs_int_report_print_json (rep);
    json_object_put (rep);
  }
  else {
    printf ("Merged the reports of %u shard%s of %s\n", n, n == 1 ? "" : "s",
            b->m.file);
    batch_print_text (b, code);
  }
  return code;
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

static void
batch_free (struct batch *b)
{
  for (size_t r = 0; r < b->nruns; ++r) {
    free (b->runs[r].imgs);
    free (b->runs[r].steps);
    free (b->runs[r].live);
    string_vector_free_all (&b->runs[r].argv);
    json_object_put (b->runs[r].appliance);
    free (b->runs[r].prov_tmp);
  }
  free (b->runs);
  free (b->sel);
  free (b->report);
  free (b->state_dir);
  for (size_t i = 0; i < 2; ++i)
    if (b->lock_fd[i] >= 0)
      close (b->lock_fd[i]);
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
int
batch_finish (struct batch *b)
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
  struct batch b = { .lock_fd = { -1, -1 } };
  const char *manifest;
  int rc, code = GS_EXIT_USAGE;
  unsigned merge_n = 0;
  double t0 = batch_now ();

  pc = gs_cli_context ("goldsmith batch", argc, argv, batch_table);
  poptSetOtherOptionHelp (pc, "[OPTION...] MANIFEST");
  while ((rc = poptGetNextOpt (pc)) > 0)
    if (gs_cli_common_option (pc, rc) == -1)
      goto out;
  if (gs_cli_options_end (pc, "batch", rc, &code))
    goto out;
  if (gs_common.provenance) {
    gs_error ("batch: --provenance writes one tool's record; give the "
              "manifest provenance = \"DIR\" (a record per step)");
    goto fail;
  }
  b.dry_run = dry_run;
  manifest = poptGetArg (pc);
  if (manifest == NULL || poptPeekArg (pc)) {
    gs_error ("batch: give exactly one manifest (try 'goldsmith batch "
              "--help')");
    goto fail;
  }
  if (merge_arg && (merge_n = parse_merge ()) == 0)
    goto fail;
  if (parse_shard (&b) == -1 || batch_manifest_load (manifest, &b.m) == -1)
    goto fail;
  if (merge_n) {
    code = merge (&b, merge_n);
    goto out;
  }

  b.sel = gs_xcalloc (b.m.n + 1, sizeof *b.sel);
  b.report = batch_shard_report (b.m.report, b.shard_i, b.shard_n);
  b.state_dir = batch_beside (b.m.report, ".state");
  for (size_t i = 0; i < b.m.n; ++i)
    if (!b.shard_n || i % b.shard_n == b.shard_i - 1)
      b.sel[b.nsel++] = &b.m.images[i];
  if (batch_check_outputs (&b) == -1)
    goto fail;
  /* Before the state is read: a run that waited for none must not plan
   * from a state that the run it would wait for is still writing.
   */
  if (!plan_only && !b.dry_run && (rc = batch_lock (&b)) < 0) {
    if (rc == -1)
      goto fail;
    code = gs_cli_fail ("batch", GS_EXIT_BUSY);
    goto out;
  }
  for (size_t i = 0; i < b.nsel; ++i) {
    struct batch_image *img = b.sel[i];

    if (!force)
      batch_state_resume (b.state_dir, img);
    for (size_t s = 0; s < img->resume; ++s)
      img->steps[s].status = BS_ALREADY;
  }
  if (make_plan (&b) == -1 || batch_check_args (&b) == -1)
    goto fail;
  if (!plan_only && !b.dry_run)
    batch_carry_over (&b);

  if (plan_only && gs_common.json) {
    json_object *rep = batch_report (&b, false, 0);
    json_object *runs = json_object_new_array ();
    CLEANUP_FREE bool *live = calloc (b.m.n + 1, sizeof *live);

    /* The plan: every command, as it would be run. */
    for (size_t r = 0; live && r < b.nruns; ++r) {
      json_object *jr = json_object_new_object (), *entries;

      for (size_t k = 0; k < b.runs[r].n; ++k)
        live[k] = true;
      batch_build_argv (&b, &b.runs[r], live, &b.runs[r].argv);
      json_object_array_add (runs, jr);
      gs_int_json_add_string (jr, "tool", batch_tool_names[b.runs[r].tool]);
      entries = json_object_new_array ();
      for (size_t k = 0; k < b.runs[r].n; ++k)
        json_object_array_add (entries,
                               json_object_new_int64 (b.runs[r].imgs[k]->entry));
      json_object_object_add (jr, "entries", entries);
      json_object_object_add (jr, "argv", batch_strings_json (&b.runs[r].argv));
    }
    json_object_object_add (rep, "runs", runs);
    code = gs_int_report_print_json (rep) == -1 ? GS_EXIT_ERROR : GS_EXIT_OK;
    json_object_put (rep);
    goto out;
  }
  if (plan_only || (b.dry_run && !gs_common.json))
    print_plan (&b);
  if (plan_only) {
    code = GS_EXIT_OK;
    goto out;
  }

  batch_catch_signals (true);
  for (size_t r = 0; r < b.nruns && !batch_signal (); ++r) {
    struct run *run = &b.runs[r];

    batch_execute (&b, run);
    if (!run->ran)
      continue;
    for (size_t k = 0; k < run->n; ++k) {
      struct batch_image *img = run->imgs[k];
      size_t s = run->steps[k];

      if (img->steps[s].status == BS_FAILED)
        img->failed = true;
      /* After a failure too: the image resumes at the failed step. */
      if (!b.dry_run && img->steps[s].run == r + 1 &&
          batch_state_save (b.state_dir, img,
                            img->failed ? s : s + 1) == -1)
        img->failed = true;
    }
    b.seconds = batch_now () - t0;
    batch_write_report (&b, false, 0);
  }
  batch_catch_signals (false);
  code = batch_finish (&b);
  b.seconds = batch_now () - t0;
  if (batch_write_report (&b, !batch_signal (), code) == -1 && code == GS_EXIT_OK)
    code = GS_EXIT_ERROR;
  if (batch_signal ()) {
    gs_error ("interrupted: the report and state say what was done");
    batch_free (&b);
    poptFreeContext (pc);
    raise (batch_signal ());
    return GS_EXIT_ERROR;
  }
  if (gs_common.json) {
    json_object *rep = batch_report (&b, true, code);

    gs_int_report_print_json (rep);
    json_object_put (rep);
  }
  else
    batch_print_text (&b, code);
  goto out;

 fail:
  code = gs_cli_fail ("batch", GS_EXIT_USAGE);
 out:
  batch_free (&b);
  poptFreeContext (pc);
  return code;
}
