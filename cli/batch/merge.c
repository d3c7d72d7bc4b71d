/* SPDX-License-Identifier: GPL-2.0-or-later */
/* merge.c: `goldsmith batch --merge-reports N MANIFEST`: the
 * reports of the N shards of a job array made one, the report a run of
 * the whole manifest on one machine writes (same file, same keys,
 * rendered by report.c from the same structures), so that what
 * reads a fleet's report need not know how the fleet was sliced.
 *
 * Every shard report is checked against the manifest before anything
 * is written: all N must be there, each the report of its own shard of
 * this N, finished (complete), with exactly that shard's entries, each
 * with the manifest's disks and pipeline (tools and args).  A report
 * of another manifest, of the manifest before a change, of another
 * layout or of a shard still running is refused: merging it would make
 * a report of what did not happen.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cleanups.h"

/* "MANIFEST: shard I of N: REPORT: WHY", one line; returns -1. */
static int GS_PRINTF (5, 6)
refuse (const struct batch *b, unsigned i, unsigned n, const char *path,
        const char *fs, ...)
{
  CLEANUP_FREE char *why = NULL;
  va_list ap;

  va_start (ap, fs);
  if (vasprintf (&why, fs, ap) == -1)
    why = NULL;
  va_end (ap);
  gs_error ("%s: shard %u of %u: %s: %s", b->m.file, i, n, path,
            why ? why : "cannot be merged");
  return -1;
}

static bool
int_member (json_object *o, const char *key, int64_t *v)
{
  json_object *x;

  if (!json_object_object_get_ex (o, key, &x) ||
      !json_object_is_type (x, json_type_int))
    return false;
  *v = json_object_get_int64 (x);
  return true;
}

static json_object *
array_member (json_object *o, const char *key)
{
  json_object *x;

  return json_object_object_get_ex (o, key, &x) &&
    json_object_is_type (x, json_type_array) ? x : NULL;
}

static int
tool_of (const char *name)
{
  for (int t = 0; name && t < BT_NTOOLS; ++t)
    if (strcmp (name, batch_tool_names[t]) == 0)
      return t;
  return -1;
}

static int
status_of (const char *name)
{
  for (int s = BS_PENDING; name && s <= BS_ALREADY; ++s)
    if (strcmp (name, batch_status_names[s]) == 0)
      return s;
  return -1;
}

/* The shard report's runs appended to B's; MAP[k] is the merged
 * number of the shard's run k (its "run"), 0 where it names none.
 */
static int
take_runs (struct batch *b, unsigned i, unsigned n, const char *path,
           json_object *runs, size_t **map, size_t *nmap)
{
  size_t len = json_object_array_length (runs);

  for (size_t k = 0; k < len; ++k) {
    json_object *jr = json_object_array_get_idx (runs, k);
    json_object *entries = array_member (jr, "entries"), *argv, *app;
    int tool = tool_of (batch_jstr (jr, "tool"));
    int64_t num, code;
    struct run *r;

    if (tool < 0 || entries == NULL || !int_member (jr, "run", &num) ||
        num < 1 || num > 1000000 || !int_member (jr, "exit_status", &code))
      return refuse (b, i, n, path, "run %zu is not a run of goldsmith "
                     "batch", k + 1);
    if ((size_t) num < *nmap && (*map)[num])
      return refuse (b, i, n, path, "run %" PRId64 " is listed twice", num);
    if ((size_t) num >= *nmap) {
      *map = gs_xreallocarray (*map, num + 1, sizeof **map);
      memset (*map + *nmap, 0, (num + 1 - *nmap) * sizeof **map);
      *nmap = num + 1;
    }
    b->runs = gs_xreallocarray (b->runs, b->nruns + 1, sizeof *b->runs);
    r = &b->runs[b->nruns++];
    memset (r, 0, sizeof *r);
    (*map)[num] = b->nruns;
    r->tool = tool;
    r->ran = true;
    r->exit_status = code;
    r->n = json_object_array_length (entries);
    r->imgs = gs_xcalloc (r->n + 1, sizeof *r->imgs);
    r->steps = gs_xcalloc (r->n + 1, sizeof *r->steps);
    r->live = gs_xcalloc (r->n + 1, sizeof *r->live);
    for (size_t e = 0; e < r->n; ++e) {
      json_object *je = json_object_array_get_idx (entries, e);
      int64_t entry = json_object_get_int64 (je);

      /* Only this shard's entries (k mod N = I mod N). */
      if (!json_object_is_type (je, json_type_int) || entry < 1 ||
          (uint64_t) entry > b->m.n || (entry - 1) % n != i - 1)
        return refuse (b, i, n, path, "run %" PRId64 " names entry %s, "
                       "not one of the shard's", num,
                       json_object_get_string (je));
      r->imgs[e] = &b->m.images[entry - 1];
      r->live[e] = true;
    }
    if (json_object_object_get_ex (jr, "argv", &argv) &&
        json_object_is_type (argv, json_type_array))
      for (size_t a = 0; a < json_object_array_length (argv); ++a)
        string_vector_append_copy (&r->argv, json_object_get_string
                                   (json_object_array_get_idx (argv, a)));
    if (json_object_object_get_ex (jr, "seconds", &argv))
      r->seconds = json_object_get_double (argv);
    if (json_object_object_get_ex (jr, "appliance", &app))
      r->appliance = json_object_get (app);
  }
  return 0;
}

/* Image JI of the shard report onto its manifest entry. */
static int
take_image (struct batch *b, unsigned i, unsigned n, const char *path,
            json_object *ji, const size_t *map, size_t nmap, bool *seen)
{
  json_object *steps = array_member (ji, "steps");
  struct batch_image *img;
  int64_t entry;

  if (!int_member (ji, "entry", &entry) || entry < 1 ||
      (uint64_t) entry > b->m.n || (entry - 1) % n != i - 1)
    return refuse (b, i, n, path, "entry %s is not one of the shard's "
                   "(a report of another manifest?)",
                   json_object_get_string (json_object_object_get (ji,
                                                                   "entry")));
  img = &b->m.images[entry - 1];
  if (seen[entry - 1])
    return refuse (b, i, n, path, "entry %" PRId64 " is listed twice", entry);
  seen[entry - 1] = true;
  if (!batch_strings_equal (json_object_object_get (ji, "disks"),
                            &img->disks))
    return refuse (b, i, n, path, "entry %" PRId64 " has other disks than "
                   "the manifest's (line %d): a report of another manifest",
                   entry, img->line);
  if (steps == NULL || json_object_array_length (steps) != img->nsteps)
    return refuse (b, i, n, path, "entry %" PRId64 " has another pipeline "
                   "than the manifest's (line %d): run the shard again",
                   entry, img->line);
  for (size_t s = 0; s < img->nsteps; ++s) {
    json_object *js = json_object_array_get_idx (steps, s), *rep;
    struct batch_step *st = &img->steps[s];
    int status = status_of (batch_jstr (js, "status"));
    int64_t run = 0, code = 0;

    if ((int) st->tool != tool_of (batch_jstr (js, "tool")) ||
        !batch_strings_equal (json_object_object_get (js, "args"),
                              &st->args))
      return refuse (b, i, n, path, "entry %" PRId64 " step %zu is not the "
                     "manifest's (line %d: %s with other args): run the "
                     "shard again", entry, s + 1, img->line,
                     batch_tool_names[st->tool]);
    if (status < 0)
      return refuse (b, i, n, path, "entry %" PRId64 " step %zu: status "
                     "\"%s\" is not a step's", entry, s + 1,
                     batch_jstr (js, "status"));
    st->status = status;
    if (int_member (js, "run", &run)) {
      if (run < 1 || (size_t) run >= nmap || map[run] == 0)
        return refuse (b, i, n, path, "entry %" PRId64 " step %zu names "
                       "run %" PRId64 ", which the report does not list",
                       entry, s + 1, run);
      st->run = map[run];
      int_member (js, "exit_status", &code);
      st->exit_status = code;
    }
    if (json_object_object_get_ex (js, "report", &rep)) {
      json_object_put (st->report);
      st->report = json_object_get (rep);
    }
    if (status == BS_FAILED)
      img->failed = true;
  }
  return 0;
}

/* One shard report, checked and taken into B. */
static int
take_shard (struct batch *b, unsigned i, unsigned n, bool *seen)
{
  CLEANUP_FREE char *path = batch_shard_report (b->m.report, i, n);
  CLEANUP_FREE size_t *map = NULL;
  size_t nmap = 0, want = 0, got;
  json_object *rep, *sh, *v, *images, *runs;
  int64_t si, sn;
  int r = -1;

  errno = 0;
  if ((rep = json_object_from_file (path)) == NULL) {
    if (errno == ENOENT)
      return refuse (b, i, n, path, "no such file: has the shard run "
                     "(goldsmith batch --shard %u/%u)?", i, n);
    return refuse (b, i, n, path, "cannot read it as JSON: %s",
                   errno ? strerror (errno) : json_util_get_last_err ());
  }
  if (!json_object_is_type (rep, json_type_object) ||
      !batch_jstr (rep, "program") ||
      strcmp (batch_jstr (rep, "program"), PACKAGE_NAME) != 0 ||
      !batch_jstr (rep, "tool") || strcmp (batch_jstr (rep, "tool"), "batch")
      || (images = array_member (rep, "images")) == NULL ||
      (runs = array_member (rep, "runs")) == NULL) {
    refuse (b, i, n, path, "not a report of goldsmith batch");
    goto out;
  }
  if (!json_object_object_get_ex (rep, "shard", &sh) ||
      !int_member (sh, "index", &si) || !int_member (sh, "count", &sn)) {
    refuse (b, i, n, path, "not the report of a shard (no \"shard\")");
    goto out;
  }
  if (si != i || sn != n) {
    refuse (b, i, n, path, "the report of shard %" PRId64 "/%" PRId64 ", "
            "not %u/%u", si, sn, i, n);
    goto out;
  }
  if (!json_object_object_get_ex (rep, "complete", &v) ||
      !json_object_get_boolean (v)) {
    refuse (b, i, n, path, "not complete: the shard is still running, or "
            "was interrupted (run it again)");
    goto out;
  }
  if (take_runs (b, i, n, path, runs, &map, &nmap) == -1)
    goto out;
  got = json_object_array_length (images);
  for (size_t k = 0; k < got; ++k)
    if (take_image (b, i, n, path, json_object_array_get_idx (images, k),
                    map, nmap, seen) == -1)
      goto out;
  for (size_t e = i - 1; e < b->m.n; e += n)
    want++;
  if (got != want) {
    for (size_t e = i - 1; e < b->m.n; e += n)
      if (!seen[e]) {
        refuse (b, i, n, path, "entry %zu (line %d) is missing: a report of "
                "another manifest, or of the manifest before a change (run "
                "the shard again)", e + 1, b->m.images[e].line);
        break;
      }
    goto out;
  }
  if (json_object_object_get_ex (rep, "seconds", &v) &&
      json_object_get_double (v) > b->seconds)
    b->seconds = json_object_get_double (v);   /* side by side: the longest */
  r = 0;
 out:
  json_object_put (rep);
  return r;
}

int
batch_merge (struct batch *b, unsigned n)
{
  CLEANUP_FREE bool *seen = gs_xcalloc (b->m.n + 1, sizeof *seen);

  b->merged = n;
  for (unsigned i = 1; i <= n; ++i)
    if (take_shard (b, i, n, seen) == -1)
      return -1;
  return 0;
}
