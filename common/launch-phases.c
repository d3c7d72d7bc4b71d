/* SPDX-License-Identifier: GPL-2.0-or-later */
/* launch-phases.c: where an appliance launch's time goes, for
 * `goldsmith doctor --phases`.
 *
 * The launch is made verbose (the kernel, supermin's init and the
 * appliance's /init, under `set -x`, then print what they do) with
 * guestfs_boot_analysis=1 (/init skips its diagnostic dumps), and every
 * message libguestfs passes on is kept with the time it arrived.  The
 * phases begin at known milestones of those messages; a milestone not
 * seen (another libguestfs, a fixed appliance) merges its phase into
 * the one before.  Printing costs time under TCG, so the phases show
 * where the time goes, and the total is a little above a quiet
 * launch's.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "goldsmith-int.h"
#include "cleanups.h"

struct line { double t; char *text; };

struct gs_launch_log {
  bool echo;                     /* also to stderr (-v) */
  struct timespec t0;
  struct line *v;
  size_t n, cap;
  char *partial;                 /* console output up to its newline */
};

/* Milestones, in boot order: the phase NAME begins at the first message
 * containing MARK after the previous phase began (AFTER: at the init's
 * next command after it).
 */
static const struct {
  const char *name, *mark, *what;
  bool after;
} phases[] = {
  { "host", NULL, "supermin's appliance check, qemu's start", false },
  { "firmware", "SeaBIOS", "SeaBIOS", false },
  { "kernel", "Linux version", "the kernel's own start", false },
  { "supermin", "supermin: ext2 mini initrd", "supermin's initrd: modules, "
    "the appliance's root", false },
  { "init", "Starting /init script", "/init: mounts, tmpfiles", false },
  { "udev", "udevd --daemon", "udevd, udevadm trigger and settle", false },
  { "setup", "udevadm settle", "disk settings, loopback", true },
  { "storage-scans", "mdadm -As", "MD, LVM and Windows dynamic disk scans",
    false },
  { "daemon", "guestfsd", "guestfsd's start and first message", false },
};
#define NPHASES (sizeof phases / sizeof phases[0])

static double
since (const struct timespec *t0)
{
  struct timespec t;

  clock_gettime (CLOCK_MONOTONIC, &t);
  return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
add_line (struct gs_launch_log *l, const char *s, size_t len)
{
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 256;
    l->v = gs_xrealloc (l->v, l->cap * sizeof *l->v);
  }
  l->v[l->n].t = since (&l->t0);
  l->v[l->n].text = gs_xstrndup (s, len);
  l->n++;
  if (l->echo)
    fprintf (stderr, "%.*s\n", (int) len, s);
}

static void
log_cb (guestfs_h *g, void *opaque, uint64_t event, int eh, int flags,
        const char *buf, size_t len, const uint64_t *array, size_t alen)
{
  struct gs_launch_log *l = opaque;

  (void) g; (void) eh; (void) flags; (void) array; (void) alen;
  if (event != GUESTFS_EVENT_APPLIANCE) {
    /* libguestfs's own messages are whole: one line each. */
    while (len > 0 && buf[len - 1] == '\n')
      len--;
    add_line (l, buf, len);
    return;
  }
  /* The console comes in chunks: cut at newlines. */
  {
    size_t old = l->partial ? strlen (l->partial) : 0;
    char *s = gs_xrealloc (l->partial, old + len + 1), *p = s, *nl;

    memcpy (s + old, buf, len);
    s[old + len] = '\0';
    while ((nl = strchr (p, '\n')) != NULL) {
      size_t k = nl - p;
      if (k > 0 && p[k - 1] == '\r')
        k--;
      add_line (l, p, k);
      p = nl + 1;
    }
    memmove (s, p, strlen (p) + 1);
    l->partial = s;
  }
}

struct gs_launch_log *
gs_int_launch_log_new (bool echo)
{
  struct gs_launch_log *l = gs_xcalloc (1, sizeof *l);

  l->echo = echo;
  return l;
}

static void
forget_lines (struct gs_launch_log *l)
{
  for (size_t i = 0; i < l->n; ++i)
    free (l->v[i].text);
  l->n = 0;
  free (l->partial);
  l->partial = NULL;
}

void
gs_int_launch_log_free (struct gs_launch_log *l)
{
  if (l == NULL)
    return;
  forget_lines (l);
  free (l->v);
  free (l);
}

int
gs_int_launch_log_attach (guestfs_h *g, struct gs_launch_log *l)
{
  forget_lines (l);              /* a retried launch starts again */
  clock_gettime (CLOCK_MONOTONIC, &l->t0);
  guestfs_set_verbose (g, 1);
  if (guestfs_set_append (g, "guestfs_boot_analysis=1") == -1 ||
      guestfs_set_event_callback (g, log_cb,
                                  GUESTFS_EVENT_APPLIANCE |
                                  GUESTFS_EVENT_LIBRARY |
                                  GUESTFS_EVENT_WARNING, 0, l) == -1)
    return -1;
  return 0;
}

json_object *
gs_int_launch_phases (const struct gs_launch_log *l, double total,
                      char *text, size_t len)
{
  json_object *a = json_object_new_array ();
  double start[NPHASES];
  size_t at = 0, w = 0;

  start[0] = 0;
  for (size_t i = 1; i < NPHASES; ++i) {
    size_t k = at;

    start[i] = -1;
    while (k < l->n && strstr (l->v[k].text, phases[i].mark) == NULL)
      k++;
    if (k == l->n)
      continue;                  /* not seen: merged into the one before */
    /* The init's next command (`set -x' prints "+ CMD"), not a kernel
     * message printed meanwhile.
     */
    if (phases[i].after) {
      size_t m = k + 1;
      while (m < l->n && strncmp (l->v[m].text, "+ ", 2) != 0)
        m++;
      if (m == l->n)
        continue;
      k = m;
    }
    start[i] = l->v[k].t;
    at = k;
  }
  text[0] = '\0';
  for (size_t i = 0; i < NPHASES; ++i) {
    size_t j = i + 1;
    double secs;
    json_object *o;

    if (start[i] < 0)
      continue;
    while (j < NPHASES && start[j] < 0)
      j++;
    secs = (j < NPHASES ? start[j] : total) - start[i];
    if (secs < 0)
      secs = 0;
    o = json_object_new_object ();
    json_object_object_add (o, "name", json_object_new_string (phases[i].name));
    json_object_object_add (o, "what", json_object_new_string (phases[i].what));
    json_object_object_add (o, "seconds", json_object_new_double (secs));
    json_object_array_add (a, o);
    if (w < len) {
      int k = snprintf (text + w, len - w, "%s%s %.1f s", w ? ", " : "",
                        phases[i].name, secs);
      if (k > 0)
        w += (size_t) k;
    }
  }
  return a;
}
