/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jobs.c: --jobs N, up to N appliances at once.
 *
 * The guests are split along the launch plan (common/shared.c): each
 * job gets whole launches (so clones stay apart and different guests
 * stay together), and when there are fewer launches than jobs the
 * biggest launches are halved, since under TCG the work per guest
 * (inspection, operations) costs as much as a launch.  Each job is a
 * child process with its share of the guests; it sends its part of the
 * report back as JSON through a pipe and the parent puts every guest's
 * entry back at its command-line position.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

/* --jobs left out: one job per core, fewer if memory is short. */
static size_t
jobs_default (const struct gs_settings *st)
{
  long cores = sysconf (_SC_NPROCESSORS_ONLN);
  long long avail_kib = 0, per_kib;
  FILE *fp = fopen ("/proc/meminfo", "re");
  char line[256];
  size_t jobs;

  while (fp && fgets (line, sizeof line, fp))
    if (sscanf (line, "MemAvailable: %lld kB", &avail_kib) == 1)
      break;
  if (fp)
    fclose (fp);
  /* An appliance: its memory (libguestfs's default is 1280 MiB) plus
   * qemu's own overhead.
   */
  per_kib = ((long long) (st->memsize > 0 ? st->memsize : 1280) + 512) * 1024;
  jobs = cores > 0 ? (size_t) cores : 1;
  if (avail_kib > 0 && (size_t) (avail_kib / per_kib) < jobs)
    jobs = (size_t) (avail_kib / per_kib);
  return jobs > 0 ? jobs : 1;
}

struct group {
  size_t *ids, n;
};

static int
by_size (const void *a, const void *b)
{
  const struct group *x = a, *y = b;

  return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

/* SHARE[i] := the job of guest i (whole launches per job); returns how
 * many jobs are worth running (1: run in this process).
 */
static size_t
jobs_split (struct gs_guest *guests, size_t n, size_t jobs, bool isolate,
            size_t *share)
{
  struct gs_plan plan;
  struct group *g = gs_xcalloc (n, sizeof *g);
  size_t *pool = gs_xcalloc (n, sizeof *pool), ng = 0, used = 0;
  size_t *load = gs_xcalloc (jobs, sizeof *load), k, njobs = 0;

  for (size_t i = 0; i < n; ++i)
    share[i] = 0;
  if (jobs <= 1 || n <= 1 ||
      gs_int_plan_new (&plan, guests, n, isolate) == -1)
    goto out;
  /* The launches the plan would make, in order. */
  while ((k = gs_int_plan_next (&plan, pool + used)) > 0) {
    g[ng].ids = pool + used;
    g[ng++].n = k;
    for (size_t i = 0; i < k; ++i)
      plan.state[pool[used + i]] = GS_PLAN_DONE;
    used += k;
  }
  gs_int_plan_free (&plan);
  /* Fewer launches than jobs: halve the biggest. */
  while (ng < jobs) {
    qsort (g, ng, sizeof *g, by_size);
    if (g[0].n < 2)
      break;
    g[ng].ids = g[0].ids + g[0].n / 2;
    g[ng].n = g[0].n - g[0].n / 2;
    g[0].n /= 2;
    ng++;
  }
  /* Biggest launches first, each to the job with the fewest guests. */
  qsort (g, ng, sizeof *g, by_size);
  for (size_t i = 0; i < ng; ++i) {
    size_t best = 0;

    for (size_t j = 1; j < jobs; ++j)
      if (load[j] < load[best])
        best = j;
    load[best] += g[i].n;
    for (size_t m = 0; m < g[i].n; ++m)
      share[g[i].ids[m]] = best;
  }
  for (size_t j = 0; j < jobs; ++j)
    njobs += load[j] > 0;
 out:
  free (g);
  free (pool);
  free (load);
  return njobs > 0 ? njobs : 1;
}

/* The child: its guests (those of share J), their results sent as
 * JSON on FD (report.c's form, read back by the parent).  Never
 * returns.
 */
static void __attribute__((noreturn))
child (const struct gs_engine *e, struct gs_guest *guests, size_t n,
       const size_t *share, size_t j, int fd)
{
  struct gs_engine mine_e = *e;
  static char name[32];
  struct gs_guest *mine = calloc (n, sizeof *mine);
  struct gs_run_result res;
  json_object *out = json_object_new_object ();
  json_object *jg = json_object_new_array (), *exits = json_object_new_array ();
  const char *s;
  size_t k = 0;

  /* The parent gone (killed): stop, and remove our overlays. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  /* An anchor's name (compatibility mode) stays as it is: scripts
   * look for "virt-sysprep: error: ".
   */
  if (strcmp (gs_int_program (), "goldsmith") == 0) {
    snprintf (name, sizeof name, "goldsmith[%zu]", j + 1);
    gs_int_set_program (name);
  }
  if (mine == NULL || out == NULL || jg == NULL || exits == NULL)
    _exit (GS_EXIT_ERROR);
  for (size_t i = 0; i < n; ++i)
    if (share[i] == j)
      mine[k++] = guests[i];     /* shallow: the child's own copy */
  gs_int_result_init (&res, e->result->tool, e->dry_run, mine, k);
  mine_e.result = &res;
  gs_int_engine_each_launch (&mine_e, mine, k);
  for (size_t i = 0; i < k; ++i) {
    json_object_array_add (jg, gs_int_guest_result_json (&res.guest[i],
                                                         false));
    json_object_array_add (exits, json_object_new_int (res.guest[i].exit));
  }
  json_object_object_add (out, "guests", jg);
  json_object_object_add (out, "exits", exits);
  if (res.launches > 0)
    gs_int_report_appliance (out, res.launches, res.tcg_fallback, res.accel);
  s = json_object_to_json_string_ext (out, JSON_C_TO_STRING_PLAIN);
  _exit (gs_int_write_all (fd, s, strlen (s)) == -1 ? GS_EXIT_ERROR
                                                   : GS_EXIT_OK);
}

static char *
read_all (int fd)
{
  size_t len = 0, cap = 65536;
  char *buf = malloc (cap);

  while (buf) {
    ssize_t r;

    if (len + 1 >= cap) {
      char *p = realloc (buf, cap *= 2);

      if (p == NULL)
        break;
      buf = p;
    }
    r = read (fd, buf + len, cap - len - 1);
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0) {
      buf[len] = '\0';
      return buf;
    }
    len += (size_t) r;
  }
  free (buf);
  return NULL;
}

/* One child per job, each running the engine on its share; E->result
 * gets each guest's result.
 */
static void
jobs_run (const struct gs_engine *e, struct gs_guest *guests, size_t n,
          const size_t *share, size_t njobs)
{
  struct gs_guest_result *res = e->result->guest;
  int *fds = gs_xcalloc (njobs, sizeof *fds);
  pid_t *pids = gs_xcalloc (njobs, sizeof *pids);

  /* Decided once, here: the children launch at once, quietly. */
  gs_int_accel_decide (e->settings);
  gs_info ("%zu guests in %zu parallel jobs", n, njobs);
  for (size_t j = 0; j < njobs; ++j) {
    int p[2];

    fds[j] = -1;
    if (pipe (p) == -1) {
      gs_error ("pipe: %s", strerror (errno));
      continue;
    }
    fflush (stdout);
    fflush (stderr);
    if ((pids[j] = fork ()) == 0) {
      close (p[0]);
      for (size_t i = 0; i < j; ++i)
        if (fds[i] >= 0)
          close (fds[i]);
      child (e, guests, n, share, j, p[1]);
    }
    close (p[1]);
    if (pids[j] == -1) {
      gs_error ("fork: %s", strerror (errno));
      close (p[0]);
      continue;
    }
    fds[j] = p[0];
  }
  for (size_t j = 0; j < njobs; ++j) {
    CLEANUP_FREE char *buf = fds[j] >= 0 ? read_all (fds[j]) : NULL;
    json_object *out = buf ? json_tokener_parse (buf) : NULL;
    json_object *gs = json_object_object_get (out, "guests");
    json_object *rs = json_object_object_get (out, "exits");
    json_object *app;
    size_t k = 0;
    /* A job that died sent nothing (json-c asserts on an index into
     * nothing): its guests are failed below.
     */
    size_t ngs = json_object_is_type (gs, json_type_array) &&
      json_object_is_type (rs, json_type_array)
      ? json_object_array_length (gs) : 0;
    int status = 0;

    if (fds[j] >= 0)
      close (fds[j]);
    if (pids[j] > 0)
      while (waitpid (pids[j], &status, 0) == -1 && errno == EINTR)
        ;
    for (size_t i = 0; i < n; ++i) {
      json_object *g;

      if (share[i] != j)
        continue;
      g = k < ngs ? json_object_array_get_idx (gs, k) : NULL;
      if (g == NULL || gs_int_guest_result_from_json (g, &res[i]) == -1) {
        /* the job died before it reported */
        gs_int_result_set_error (&res[i].error, "the job preparing this "
                                 "guest died (see the messages above)");
        res[i].exit = GS_EXIT_ERROR;
      }
      else
        res[i].exit = json_object_get_int (json_object_array_get_idx (rs, k));
      k++;
    }
    if ((app = json_object_object_get (out, "appliance")) != NULL)
      gs_int_result_launch
        (e->result,
         json_object_get_int (json_object_object_get (app, "launches")),
         json_object_get_boolean (json_object_object_get (app,
                                                          "tcg_fallback")),
         json_object_get_string (json_object_object_get (app, "accel")));
    json_object_put (out);
  }
  free (fds);
  free (pids);
}

int
gs_int_engine_run (const struct gs_engine *e, struct gs_guest *guests,
                   size_t n, int jobs)
{
  CLEANUP_FREE size_t *share = gs_xcalloc (n, sizeof *share);
  size_t njobs = 1;

  /* One guest: no need to weigh cores and memory. */
  if (n > 1)
    njobs = jobs_split (guests, n, jobs > 0 ? (size_t) jobs
                        : jobs_default (e->settings),
                        e->settings->isolate, share);
  if (njobs <= 1)
    return gs_int_engine_each_launch (e, guests, n);
  jobs_run (e, guests, n, share, njobs);
  return gs_int_result_exit (e->result);
}
