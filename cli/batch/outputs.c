/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outputs.c: what `goldsmith batch` writes (its report, its state
 * directory and state files) may only replace what an earlier batch
 * wrote.  Checked before anything runs, and the report again before
 * each write: a report path that names a disk image, the manifest, a
 * directory or any other file would otherwise be replaced by JSON.
 */
#include <config.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch.h"
#include "cleanups.h"

/* "MANIFEST:LINE: report" or "MANIFEST: report (default name)". */
static void
refuse (const struct batch *b, const char *what, const char *path,
        const char *why)
{
  if (b->m.report_line > 0)
    gs_error ("%s:%d: %s %s: %s", b->m.file, b->m.report_line, what, path,
              why);
  else
    gs_error ("%s: %s %s (from the manifest's name; set 'report' to "
              "choose another): %s", b->m.file, what, path, why);
}

/* A is NULL where the file is not there (yet). */
static bool
same_file (const struct stat *a, const char *path)
{
  struct stat st;

  return a && stat (path, &st) == 0 && st.st_dev == a->st_dev &&
    st.st_ino == a->st_ino;
}

/* Is PATH (ST: NULL if it is not there) the manifest, or an input or a copy of
 * an image?  Then why not to replace it (allocated), else NULL.
 */
static char *
input_named (const struct batch *b, const char *path, const struct stat *st)
{
  char *why = NULL;
  int r = 0;

  if (same_file (st, b->m.file))
    return strdup ("it is the manifest itself");
  for (size_t i = 0; i < b->m.n && why == NULL; ++i) {
    const struct batch_image *img = &b->m.images[i];
    bool disk = img->domxml && same_file (st, img->domxml);

    for (size_t d = 0; d < img->disks.len; ++d)
      disk |= strcmp (img->disks.ptr[d], path) == 0 ||
        same_file (st, img->disks.ptr[d]);
    for (size_t d = 0; d < img->add.len; ++d)
      disk |= same_file (st, img->add.ptr[d]);
    if (disk)
      r = asprintf (&why, "it is an input of entry %zu (line %d)",
                    img->entry, img->line);
    for (size_t s = 0; s < img->nsteps && !disk; ++s)
      if (img->steps[s].out && (strcmp (img->steps[s].out, path) == 0 ||
                                same_file (st, img->steps[s].out))) {
        r = asprintf (&why, "it is the copy %s writes for entry %zu "
                      "(line %d)", batch_tool_names[img->steps[s].tool],
                      img->entry, img->line);
        break;
      }
    if (r == -1)
      return strdup ("it is an input of the batch");
  }
  return why;
}

/* A JSON object that KEYS all name, and whose "tool" (when TOOL) is
 * TOOL: what batch itself wrote there.
 */
static bool
written_by_batch (const char *path, const char *tool, const char *const *keys)
{
  json_object *o = json_object_from_file (path);
  bool r = o && json_object_is_type (o, json_type_object);

  for (size_t k = 0; r && keys[k]; ++k)
    r = json_object_object_get_ex (o, keys[k], NULL);
  if (r && tool) {
    const char *p = batch_jstr (o, "program"), *t = batch_jstr (o, "tool");

    r = p && t && strcmp (p, PACKAGE_NAME) == 0 && strcmp (t, tool) == 0;
  }
  json_object_put (o);
  return r;
}

/* May batch write a file at PATH (WHAT: "report", "state file")?
 * It may create one in an existing directory, or replace one that an
 * earlier batch wrote (recognised by KEYS, and TOOL when not NULL).
 */
static int
check_file (const struct batch *b, const char *what, const char *path,
            const char *tool, const char *const *keys)
{
  CLEANUP_FREE char *copy = gs_xstrdup (path);
  struct stat st;
  const char *dir;

  if (stat (path, &st) == -1) {
    int err = errno;
    CLEANUP_FREE char *why = err == ENOENT ? input_named (b, path, NULL) : NULL;

    if (why) {                   /* a copy not written yet */
      refuse (b, what, path, why);
      return -1;
    }
    if (err != ENOENT) {
      refuse (b, what, path, strerror (err));
      return -1;
    }
    if (lstat (path, &st) == 0) {
      refuse (b, what, path, "is a dangling symbolic link");
      return -1;
    }
    /* A file to create: its directory must be there now, not after
     * the whole fleet has run.
     */
    dir = dirname (copy);
    if (stat (dir, &st) == -1) {
      CLEANUP_FREE char *m = NULL;

      if (asprintf (&m, "directory %s: %s", dir, strerror (errno)) == -1)
        m = NULL;
      refuse (b, what, path, m ? m : "its directory cannot be reached");
      return -1;
    }
    if (!S_ISDIR (st.st_mode)) {
      refuse (b, what, path, "its directory is not a directory");
      return -1;
    }
    return 0;
  }
  if (S_ISDIR (st.st_mode)) {
    refuse (b, what, path, "is a directory");
    return -1;
  }
  {
    CLEANUP_FREE char *why = input_named (b, path, &st);

    if (why) {
      refuse (b, what, path, why);
      return -1;
    }
  }
  if (!S_ISREG (st.st_mode)) {
    refuse (b, what, path, "exists and is not a regular file");
    return -1;
  }
  if (!written_by_batch (path, tool, keys)) {
    CLEANUP_FREE char *m = NULL;

    if (asprintf (&m, "exists and is not a %s of goldsmith batch: "
                  "not replaced (remove it, or name another file)",
                  what) == -1)
      m = NULL;
    refuse (b, what, path, m ? m : "exists: not replaced");
    return -1;
  }
  return 0;
}

static const char *const report_keys[] = { "images", "runs", NULL };
static const char *const state_keys[] = { "disks", "steps", NULL };

int
batch_check_report (const struct batch *b)
{
  return check_file (b, "report", b->report, "batch", report_keys);
}

int
batch_check_outputs (const struct batch *b)
{
  struct stat st;

  if (batch_check_report (b) == -1)
    return -1;
  if (stat (b->state_dir, &st) == 0) {
    if (!S_ISDIR (st.st_mode)) {
      refuse (b, "state directory", b->state_dir,
              "exists and is not a directory");
      return -1;
    }
  }
  else if (errno != ENOENT) {
    refuse (b, "state directory", b->state_dir, strerror (errno));
    return -1;
  }
  else
    return 0;                    /* created at the first save */
  for (size_t i = 0; i < b->nsel; ++i) {
    CLEANUP_FREE char *f = batch_state_file (b->state_dir, b->sel[i]);

    if (check_file (b, "state file", f, NULL, state_keys) == -1)
      return -1;
  }
  return 0;
}
