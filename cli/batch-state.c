/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch-state.c: what an earlier `goldsmith batch` already did, so that
 * a re-run (after a kill, a failure, or with more images) does only
 * the rest.
 *
 * One JSON file per image, in a directory beside the report
 * (fleet.json -> fleet.state/), named by a hash of the image's disks:
 * shards write disjoint files, and a fleet run with one --shard layout
 * resumes with another.  A file records the steps done, in pipeline
 * order (tool, args, out), and the size and mtime of the image's disks
 * and copies after the last of them.  On a re-run the image resumes
 * after the longest prefix of its pipeline that matches the record,
 * unless one of those files has changed since: then it starts again.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cleanups.h"

/* fleet.json -> fleet.EXT: the state directory (".state") and the
 * lock (".lock", batch-lock.c) are named after the report.
 */
char *
batch_beside (const char *report, const char *ext)
{
  size_t n = strlen (report);

  if (n > 5 && strcmp (report + n - 5, ".json") == 0)
    n -= 5;
  return gs_xasprintf ("%.*s%s", (int) n, report, ext);
}

/* fleet.json -> fleet.shard-2-of-8.json */
char *
batch_shard_report (const char *report, unsigned i, unsigned n)
{
  size_t len = strlen (report);
  bool json = len > 5 && strcmp (report + len - 5, ".json") == 0;

  if (n == 0)
    return gs_xstrdup (report);
  return gs_xasprintf ("%.*s.shard-%u-of-%u%s", (int) (json ? len - 5 : len),
                       report, i, n, json ? ".json" : "");
}

/* FNV-1a: a stable file name for the image; the file holds the disks
 * too, so a collision is only a miss.
 */
char *
batch_state_file (const char *dir, const struct batch_image *img)
{
  uint64_t h = 0xcbf29ce484222325ULL;

  for (size_t i = 0; i < img->disks.len; ++i)
    for (const unsigned char *p = (const unsigned char *) img->disks.ptr[i];
         ; ++p) {
      h = (h ^ *p) * 0x100000001b3ULL;
      if (*p == '\0')
        break;
    }
  return gs_xasprintf ("%s/%016" PRIx64 ".json", dir, h);
}

/* The step's input when an earlier step wrote a copy (sparsify or
 * resize with out): the last such copy.  NULL: the guest's own disks.
 */
const char *
batch_step_input (const struct batch_image *img, size_t step)
{
  const char *in = NULL;

  for (size_t s = 0; s < step; ++s)
    if (img->steps[s].out)
      in = img->steps[s].out;
  return in;
}

bool
batch_strings_equal (json_object *a, const string_vector *v)
{
  if (!json_object_is_type (a, json_type_array) ||
      json_object_array_length (a) != v->len)
    return false;
  for (size_t i = 0; i < v->len; ++i) {
    const char *s = json_object_get_string (json_object_array_get_idx (a, i));

    if (s == NULL || strcmp (s, v->ptr[i]) != 0)
      return false;
  }
  return true;
}

static json_object *
file_stamp (const char *path)
{
  struct stat st;
  json_object *f;

  if (stat (path, &st) == -1)
    return NULL;
  f = json_object_new_object ();
  json_object_object_add (f, "path", json_object_new_string (path));
  json_object_object_add (f, "size", json_object_new_int64 (st.st_size));
  json_object_object_add (f, "mtime_ns",
                          json_object_new_int64 ((int64_t) st.st_mtim.tv_sec
                                                 * 1000000000
                                                 + st.st_mtim.tv_nsec));
  return f;
}

/* Has a file recorded in the state changed (or gone) since? */
static bool
stamps_match (json_object *files)
{
  if (!json_object_is_type (files, json_type_array))
    return false;
  for (size_t i = 0; i < json_object_array_length (files); ++i) {
    json_object *old = json_object_array_get_idx (files, i);
    const char *path = json_object_get_string (json_object_object_get (old,
                                                                       "path"));
    json_object *now = path ? file_stamp (path) : NULL;
    bool same = now &&
      json_object_get_int64 (json_object_object_get (old, "size")) ==
      json_object_get_int64 (json_object_object_get (now, "size")) &&
      json_object_get_int64 (json_object_object_get (old, "mtime_ns")) ==
      json_object_get_int64 (json_object_object_get (now, "mtime_ns"));

    json_object_put (now);
    if (!same)
      return false;
  }
  return true;
}

void
batch_state_resume (const char *dir, struct batch_image *img)
{
  CLEANUP_FREE char *file = batch_state_file (dir, img);
  json_object *st, *steps;
  size_t k = 0;

  img->resume = 0;
  if (access (file, F_OK) == -1)
    return;
  /* An unreadable state only costs a re-run: never an error. */
  if ((st = json_object_from_file (file)) == NULL) {
    gs_info ("%s: unreadable batch state, starting again: %s", file,
             json_util_get_last_err ());
    return;
  }
  steps = json_object_object_get (st, "steps");
  if (!batch_strings_equal (json_object_object_get (st, "disks"), &img->disks) ||
      !json_object_is_type (steps, json_type_array))
    goto out;
  if (!stamps_match (json_object_object_get (st, "files"))) {
    gs_info ("%s: changed since the last batch: all its steps again",
             img->name);
    goto out;
  }
  for (; k < img->nsteps && k < json_object_array_length (steps); ++k) {
    const struct batch_step *s = &img->steps[k];
    json_object *rec = json_object_array_get_idx (steps, k);
    const char *tool = json_object_get_string (json_object_object_get (rec,
                                                                       "tool"));
    const char *out = json_object_get_string (json_object_object_get (rec,
                                                                      "out"));

    if (tool == NULL || strcmp (tool, batch_tool_names[s->tool]) != 0 ||
        !batch_strings_equal (json_object_object_get (rec, "args"), &s->args) ||
        (out == NULL) != (s->out == NULL) || (out && strcmp (out, s->out)))
      break;
  }
  img->resume = k;
 out:
  json_object_put (st);
}

int
batch_write_atomic (const char *path, const char *text)
{
  CLEANUP_FREE char *tmp = NULL;
  size_t len = strlen (text), off = 0;
  mode_t um = umask (0);
  int fd;

  umask (um);
  tmp = gs_xasprintf ("%s.XXXXXX", path);
  if ((fd = mkstemp (tmp)) == -1) {
    gs_error ("%s: %m", tmp);
    return -1;
  }
  while (off < len) {
    ssize_t n = write (fd, text + off, len - off);

    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0)
      goto fail;
    off += n;
  }
  /* The rename must never publish a file whose data is not on disk. */
  if (fchmod (fd, 0666 & ~um) == -1 || fsync (fd) == -1)
    goto fail;
  if (close (fd) == -1) {
    fd = -1;
    goto fail;
  }
  if (rename (tmp, path) == -1) {
    gs_error ("%s: %m", path);
    unlink (tmp);
    return -1;
  }
  return 0;

 fail:
  gs_error ("%s: %m", tmp);
  if (fd >= 0)
    close (fd);
  unlink (tmp);
  return -1;
}

int
batch_state_save (const char *dir, const struct batch_image *img,
                  size_t done)
{
  CLEANUP_FREE char *file = batch_state_file (dir, img);
  json_object *st = json_object_new_object ();
  json_object *steps = json_object_new_array ();
  json_object *files = json_object_new_array ();
  char when[32];
  time_t now = time (NULL);
  int r = -1;

  if (mkdir (dir, 0777) == -1 && errno != EEXIST) {
    gs_error ("%s: cannot create the batch state directory: %m", dir);
    goto out;
  }
  strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime (&now));
  json_object_object_add (st, "image", json_object_new_string (img->name));
  json_object_object_add (st, "disks", batch_strings_json (&img->disks));
  json_object_object_add (st, "updated", json_object_new_string (when));
  json_object_object_add (st, "steps", steps);
  json_object_object_add (st, "files", files);
  for (size_t k = 0; k < done; ++k) {
    json_object *rec = json_object_new_object ();

    json_object_object_add (rec, "tool", json_object_new_string
                            (batch_tool_names[img->steps[k].tool]));
    json_object_object_add (rec, "args", batch_strings_json (&img->steps[k].args));
    if (img->steps[k].out)
      json_object_object_add (rec, "out",
                              json_object_new_string (img->steps[k].out));
    json_object_array_add (steps, rec);
  }
  /* The files as the steps left them: the disks, and the copies. */
  for (size_t k = 0; k < img->disks.len + done; ++k) {
    const char *path = k < img->disks.len ? img->disks.ptr[k]
      : img->steps[k - img->disks.len].out;
    json_object *f;

    if (path == NULL)
      continue;
    if ((f = file_stamp (path)) == NULL) {
      gs_error ("%s: %m", path);
      goto out;
    }
    json_object_array_add (files, f);
  }
  r = batch_write_atomic (file, json_object_to_json_string_ext
                          (st, JSON_C_TO_STRING_PRETTY |
                           JSON_C_TO_STRING_NOSLASHESCAPE));
 out:
  json_object_put (st);
  return r;
}
