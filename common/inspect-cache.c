/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inspect-cache.c: inspect results of unchanged images, kept so that
 * inspecting the same golden image again needs no launch (opt-in:
 * --cache, cache.inspect).
 *
 * An entry is used only when everything that could make its answer
 * wrong is as it was: goldsmith's version, the selected operations, and
 * per disk (and per file of a qcow2 backing chain) the device and
 * inode, size, mtime and ctime (nanoseconds; any write moves ctime,
 * which no tool can set back) and a checksum of the first and last MiB
 * (the qcow2 header included).  An entry is written only when the
 * image's last change is more than a second older than the run's start,
 * and only if nothing changed while the guest was inspected: a write
 * in the same timestamp tick as the inspection cannot hide.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

#define MIB (1024 * 1024)

static uint64_t
fnv1a (uint64_t h, const void *p, size_t n)
{
  const unsigned char *b = p;

  for (size_t i = 0; i < n; ++i) {
    h ^= b[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* The checksum of LEN bytes at OFF of FD. */
static int
digest (int fd, off_t off, size_t len, uint64_t *h)
{
  CLEANUP_FREE char *buf = gs_xmalloc (MIB);
  size_t done = 0;

  while (done < len) {
    ssize_t r = pread (fd, buf, len - done < MIB ? len - done : MIB,
                       off + (off_t) done);

    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    *h = fnv1a (*h, buf, (size_t) r);
    done += (size_t) r;
  }
  return 0;
}

static uint64_t
be (const unsigned char *p, size_t n)
{
  uint64_t v = 0;

  for (size_t i = 0; i < n; ++i)
    v = (v << 8) | p[i];
  return v;
}

/* Add the identity of PATH (and of its qcow2 backing chain) to A.
 * -1: not cacheable (not a regular file, an external data file, a
 * chain too deep, unreadable).
 */
static int
file_identity (const char *path, json_object *a, int depth)
{
  CLEANUP_FREE char *real = realpath (path, NULL);
  unsigned char h[104];
  struct stat st;
  uint64_t sum = 0xcbf29ce484222325ULL;
  json_object *o;
  char num[32];
  int fd, r = -1;

  if (real == NULL || depth > 16 ||
      (fd = open (real, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
    return -1;
  if (fstat (fd, &st) == -1 || !S_ISREG (st.st_mode))
    goto out;
  if (digest (fd, 0, st.st_size < MIB ? (size_t) st.st_size : MIB,
              &sum) == -1 ||
      (st.st_size > MIB &&
       digest (fd, st.st_size - MIB, MIB, &sum) == -1))
    goto out;
  o = json_object_new_object ();
  json_object_array_add (a, o);
  gs_int_json_add_string (o, "path", real);
  /* As strings: json-c keeps 64-bit integers, but a string compares
   * the same on any host.
   */
#define PUT(k, ...) \
  (snprintf (num, sizeof num, __VA_ARGS__), gs_int_json_add_string (o, k, num))
  PUT ("dev", "%ju", (uintmax_t) st.st_dev);
  PUT ("ino", "%ju", (uintmax_t) st.st_ino);
  PUT ("size", "%jd", (intmax_t) st.st_size);
  PUT ("mtime", "%jd.%09ld", (intmax_t) st.st_mtim.tv_sec,
       st.st_mtim.tv_nsec);
  PUT ("ctime", "%jd.%09ld", (intmax_t) st.st_ctim.tv_sec,
       st.st_ctim.tv_nsec);
  PUT ("sum", "%016jx", (uintmax_t) sum);
#undef PUT

  /* A qcow2 file's content is also its backing file's; an external
   * data file changes without its qcow2 header changing: not cached.
   */
  if (pread (fd, h, sizeof h, 0) == (ssize_t) sizeof h &&
      memcmp (h, "QFI\xfb", 4) == 0) {
    uint64_t boff = be (h + 8, 8), version = be (h + 4, 4);
    uint32_t blen = (uint32_t) be (h + 16, 4);

    if (version >= 3 && (be (h + 72, 8) & 4))
      goto out;
    if (boff != 0) {
      char name[PATH_MAX];
      CLEANUP_FREE char *dir = gs_xstrdup (real);
      CLEANUP_FREE char *full = NULL;

      if (blen == 0 || blen >= sizeof name ||
          pread (fd, name, blen, (off_t) boff) != (ssize_t) blen)
        goto out;
      name[blen] = '\0';
      if (strstr (name, "://"))
        goto out;
      full = gs_xasprintf ("%s/%s", name[0] == '/' ? "" : dirname (dir),
                           name);
      if (file_identity (full, a, depth + 1) == -1)
        goto out;
    }
  }
  r = 0;
 out:
  close (fd);
  return r;
}

/* Newest of the image files' mtime and ctime, in seconds. */
static double
newest_change (json_object *files)
{
  double t = 0;

  for (size_t i = 0; i < json_object_array_length (files); ++i) {
    json_object *f = json_object_array_get_idx (files, i);

    for (const char *const *k = (const char *const[]) { "mtime", "ctime",
                                                        NULL }; *k; ++k) {
      double v = atof (json_object_get_string (json_object_object_get
                                               (f, *k)));
      if (v > t)
        t = v;
    }
  }
  return t;
}

char *
gs_int_cache_identity (const struct gs_guest *guest, const char *ops,
                       double *newest)
{
  json_object *id = json_object_new_object ();
  json_object *files = json_object_new_array ();
  char *s = NULL;

  gs_int_json_add_string (id, "version", PACKAGE_VERSION);
  gs_int_json_add_string (id, "operations", ops);
  json_object_object_add (id, "files", files);
  for (size_t i = 0; i < guest->ndisks; ++i) {
    const struct gs_disk *d = &guest->disks[i];

    if (d->remote || file_identity (d->path, files, 0) == -1)
      goto out;
    /* The format the disk is opened as is part of the answer. */
    gs_int_json_add_string (json_object_array_get_idx
                            (files, json_object_array_length (files) - 1),
                            "format", d->format);
    /* So is the sector size (inspect --blocksize): another layout. */
    if (d->blocksize > 0)
      json_object_object_add (json_object_array_get_idx
                              (files, json_object_array_length (files) - 1),
                              "blocksize",
                              json_object_new_int (d->blocksize));
  }
  if (newest)
    *newest = newest_change (files);
  s = gs_xstrdup (json_object_to_json_string_ext (id,
                                                 JSON_C_TO_STRING_PLAIN));
 out:
  json_object_put (id);
  return s;
}

char *
gs_int_cache_dir (const struct gs_settings *st)
{
  const char *x = getenv ("XDG_CACHE_HOME"), *home = getenv ("HOME");

  if (st->cache_dir && st->cache_dir[0])
    return gs_xstrdup (st->cache_dir);
  if (x && x[0] == '/')
    return gs_xasprintf ("%s/goldsmith/inspect", x);
  if (home && home[0] == '/')
    return gs_xasprintf ("%s/.cache/goldsmith/inspect", home);
  gs_warning ("--cache: no cache directory (set cache.dir, XDG_CACHE_HOME "
              "or HOME): inspecting every image");
  return NULL;
}

/* The entry's file: one per guest (its disks' paths) and selection, so
 * that a changed image replaces its old entry.
 */
static char *
entry_path (const char *dir, const struct gs_guest *guest, const char *ops)
{
  uint64_t h = 0xcbf29ce484222325ULL;

  h = fnv1a (h, PACKAGE_VERSION, sizeof PACKAGE_VERSION);
  h = fnv1a (h, ops, strlen (ops) + 1);
  for (size_t i = 0; i < guest->ndisks; ++i) {
    CLEANUP_FREE char *real = realpath (guest->disks[i].path, NULL);
    const char *s = real ? real : guest->disks[i].path;

    h = fnv1a (h, s, strlen (s) + 1);
  }
  return gs_xasprintf ("%s/%016jx.json", dir, (uintmax_t) h);
}

/* A directory only we can write: an entry is trusted input. */
static bool
private_dir (const char *dir)
{
  struct stat st;

  return stat (dir, &st) == 0 && S_ISDIR (st.st_mode) &&
    st.st_uid == geteuid () && (st.st_mode & 022) == 0;
}

int
gs_int_cache_lookup (const char *dir, const struct gs_guest *guest,
                     const char *ops, const char *identity,
                     struct gs_guest_result *g)
{
  CLEANUP_FREE char *path = entry_path (dir, guest, ops);
  struct gs_guest_result t = { 0 };
  json_object *e, *v;
  int r = 0;

  if (path == NULL || !private_dir (dir) ||
      (e = json_object_from_file (path)) == NULL)
    return 0;
  if (json_object_object_get_ex (e, "identity", &v) &&
      strcmp (json_object_get_string (v), identity) == 0 &&
      json_object_object_get_ex (e, "result", &v) &&
      gs_int_guest_result_from_json (v, &t) == 0) {
    /* The entry's roots; the name and disks stay the command line's. */
    g->root = t.root;
    g->nroots = t.nroots;
    g->error = t.error;
    g->exit = GS_EXIT_OK;
    t.root = NULL;
    t.nroots = 0;
    t.error = NULL;
    r = 1;
  }
  gs_int_guest_result_free (&t);   /* what a bad entry half gave */
  json_object_put (e);
  return r;
}

void
gs_int_cache_store (const char *dir, const struct gs_guest *guest,
                    const char *ops, const char *identity,
                    const struct gs_guest_result *g)
{
  CLEANUP_FREE char *path = entry_path (dir, guest, ops);
  CLEANUP_FREE char *tmp = NULL;
  json_object *e;
  bool ok;
  int fd;

  tmp = gs_xasprintf ("%s.%d.tmp", path, (int) getpid ());
  /* Made as needed, private; a directory we do not own is not used. */
  {
    CLEANUP_FREE char *p = gs_xstrdup (dir);

    for (char *s = p + 1; *s; ++s)
      if (*s == '/') {
        *s = '\0';
        mkdir (p, 0700);
        *s = '/';
      }
    mkdir (p, 0700);
  }
  if (!private_dir (dir)) {
    gs_warning ("--cache: %s is not a directory only you can write: "
                "nothing cached", dir);
    return;
  }
  e = json_object_new_object ();
  json_object_object_add (e, "identity", json_object_new_string (identity));
  json_object_object_add (e, "result", gs_int_guest_result_json (g, false));
  fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  ok = fd != -1 && json_object_to_fd (fd, e, JSON_C_TO_STRING_PLAIN) != -1 &&
    fsync (fd) == 0;
  if (fd != -1 && close (fd) == -1)
    ok = false;
  if (!ok || rename (tmp, path) == -1) {
    gs_warning ("--cache: cannot write %s: %m", path);
    unlink (tmp);
  }
  else
    gs_debug ("cached the inspection of %s in %s", guest->name, path);
  json_object_put (e);
}

/* The selected operations of FAMILY, in the order they run. */
static char *
selection (const struct gs_registry *reg, const char *family)
{
  char *s = gs_xstrdup (""), *t;

  for (size_t i = 0; i < reg->nops; ++i)
    if (reg->ops[i]->selected && strcmp (reg->ops[i]->family, family) == 0) {
      t = s;
      s = gs_xasprintf ("%s%s%s", t, t[0] ? "," : "", reg->ops[i]->name);
      free (t);
    }
  return s;
}

int
gs_int_engine_run_cached (const struct gs_engine *e, struct gs_guest *guests,
                          size_t n, int jobs)
{
  CLEANUP_FREE char *dir = NULL, *ops = NULL;
  CLEANUP_FREE size_t *miss = NULL;
  CLEANUP_FREE struct gs_guest *todo = NULL;
  char **ids = NULL;
  struct gs_run_result sub;
  struct gs_engine sub_e = *e;
  double start = (double) time (NULL);
  size_t nmiss = 0;

  if (!e->settings->cache_inspect)
    return gs_int_engine_run (e, guests, n, jobs);
  if ((dir = gs_int_cache_dir (e->settings)) == NULL)
    return gs_int_engine_run (e, guests, n, jobs);
  ops = selection (e->reg, e->family);
  miss = gs_xcalloc (n, sizeof *miss);
  todo = gs_xcalloc (n, sizeof *todo);
  ids = gs_xcalloc (n, sizeof *ids);
  for (size_t i = 0; i < n; ++i) {
    double newest = 0;

    ids[i] = gs_int_cache_identity (&guests[i], ops, &newest);
    if (ids[i] && gs_int_cache_lookup (dir, &guests[i], ops, ids[i],
                                       &e->result->guest[i]) == 1) {
      gs_info ("%s: unchanged since it was inspected (cache)",
               guests[i].name);
      continue;
    }
    /* Changed within the last second: a later write could share its
     * timestamps.  Inspected, not cached.
     */
    if (ids[i] && newest + 1 >= start) {
      free (ids[i]);
      ids[i] = NULL;
    }
    miss[nmiss] = i;
    todo[nmiss++] = guests[i];   /* shallow */
  }
  if (nmiss > 0) {
    gs_int_result_init (&sub, e->result->tool, e->dry_run, todo, nmiss);
    sub_e.result = &sub;
    gs_int_engine_run (&sub_e, todo, nmiss, jobs);
    gs_int_result_launch (e->result, sub.launches, sub.tcg_fallback,
                          sub.accel);
    for (size_t k = 0; k < nmiss; ++k) {
      size_t i = miss[k];
      CLEANUP_FREE char *after = NULL;

      /* The result moves over; the command line's name and disks stay. */
      gs_int_guest_result_free (&e->result->guest[i]);
      e->result->guest[i] = sub.guest[k];
      memset (&sub.guest[k], 0, sizeof sub.guest[k]);
      if (ids[i] == NULL || e->result->guest[i].exit != GS_EXIT_OK)
        continue;
      /* Only what was inspected as it still is. */
      after = gs_int_cache_identity (&guests[i], ops, NULL);
      if (after && strcmp (after, ids[i]) == 0)
        gs_int_cache_store (dir, &guests[i], ops, ids[i],
                            &e->result->guest[i]);
    }
    gs_int_result_free (&sub);
  }
  for (size_t i = 0; i < n; ++i)
    free (ids[i]);
  free (ids);
  return gs_int_result_exit (e->result);
}
