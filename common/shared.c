/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shared.c: several guests in one appliance launch.
 *
 * A launch costs ~20 s under TCG, far more than most of the work done
 * in it, so guests share launches whenever nothing in one can be taken
 * for the other.  Clones cannot: the same LVM PV UUID or VG name, or
 * the same filesystem UUID or label, on two guests' disks make LVM and
 * fstab's UUID=/LABEL= pick one of the two (gs_int_inspect_clashes).
 *
 * Clones share a launch all the same: the guests that clash with
 * another (gs_int_inspect_clashes, or an fstab resolved to another's
 * filesystem) are left out of the first pass and then done one after
 * another (gs_int_shared_pass), each with only its own disks' volumes
 * visible to LVM and re-inspected, its mounts made by device
 * (mount.c).  A clone costs an inspection, not a launch.
 *
 * The plan: launches are filled in command-line order, up to the
 * appliance's disks; with --isolate, one guest per launch.  A guest
 * that cannot be done in a pass (LVM would not filter) is left for a
 * later launch, planned apart from those it clashed with.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

int
gs_int_plan_new (struct gs_plan *p, struct gs_guest *guests, size_t n,
                 bool isolate)
{
  memset (p, 0, sizeof *p);
  p->n = n;
  p->guests = guests;
  p->clash = gs_xcalloc (n, n);
  p->state = gs_xcalloc (n, sizeof *p->state);
  /* Isolated: a guest that took over the appliance (a hostile image)
   * could reach every other disk of its launch, so it has none.
   */
  for (size_t i = 0; isolate && i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      gs_int_plan_clash (p, i, j);
  return 0;
}

void
gs_int_plan_free (struct gs_plan *p)
{
  free (p->clash);
  free (p->state);
  p->clash = NULL;
  p->state = NULL;
}

void
gs_int_plan_clash (struct gs_plan *p, size_t i, size_t j)
{
  p->clash[i * p->n + j] = p->clash[j * p->n + i] = 1;
}

size_t
gs_int_plan_next (const struct gs_plan *p, size_t *ids)
{
  size_t k = 0, disks = 0;

  for (size_t i = 0; i < p->n; ++i) {
    bool ok = p->state[i] == GS_PLAN_PENDING;

    for (size_t j = 0; ok && j < k; ++j)
      ok = !p->clash[i * p->n + ids[j]];
    /* The appliance takes so many disks: the rest wait (a guest alone
     * never has more: gs_int_guests_check refused it).
     */
    if (ok && k > 0 && disks + p->guests[i].ndisks > GS_MAX_DISKS)
      ok = false;
    if (ok) {
      ids[k++] = i;
      disks += p->guests[i].ndisks;
    }
  }
  return k;
}

int
gs_int_guests_check (const struct gs_guest *guests, size_t n)
{
  /* A file by device and inode; a remote disk by its URI. */
  struct seen { dev_t dev; ino_t ino; const char *uri; size_t guest; }
    *seen = NULL;
  size_t nseen = 0, total = 0;
  int r = -1;

  for (size_t i = 0; i < n; ++i)
    total += guests[i].ndisks;
  seen = gs_xcalloc (total, sizeof *seen);
  for (size_t i = 0; i < n; ++i) {
    if (guests[i].ndisks > GS_MAX_DISKS) {
      const char *o = guests[i].disks[0].origin; /* "FILE:LINE: disk ..." */

      if (o)
        gs_error ("%.*s: the domain %s has %zu disks, but the appliance "
                  "takes at most %d", (int) strcspn (o, ":"), o,
                  guests[i].name, guests[i].ndisks, GS_MAX_DISKS);
      else
        gs_error ("%s: %zu disks, but the appliance takes at most %d",
                  guests[i].name, guests[i].ndisks, GS_MAX_DISKS);
      goto out;
    }
    for (size_t d = 0; d < guests[i].ndisks; ++d) {
      struct stat st;

      if (guests[i].disks[d].remote) {
        for (size_t k = 0; k < nseen; ++k)
          if (seen[k].uri &&
              strcmp (seen[k].uri, guests[i].disks[d].path) == 0) {
            gs_error ("%s: given twice", guests[i].disks[d].path);
            goto out;
          }
        seen[nseen].uri = guests[i].disks[d].path;
        seen[nseen++].guest = i;
        continue;
      }
      if (stat (guests[i].disks[d].path, &st) == -1)
        continue;                /* the disk check says why */
      for (size_t k = 0; k < nseen; ++k)
        if (!seen[k].uri &&
            seen[k].dev == st.st_dev && seen[k].ino == st.st_ino) {
          if (seen[k].guest == i)
            gs_error ("%s: given twice (two disks of %s are one file)",
                      guests[i].disks[d].path, guests[i].name);
          else
            gs_error ("%s: given twice (it is also a disk of %s)",
                      guests[i].disks[d].path, guests[seen[k].guest].name);
          goto out;
        }
      seen[nseen].dev = st.st_dev;
      seen[nseen].ino = st.st_ino;
      seen[nseen++].guest = i;
    }
  }
  r = 0;
 out:
  free (seen);
  return r;
}

void
gs_int_shared_free (struct gs_shared *sh)
{
  if (sh->roots)
    for (size_t i = 0; i < sh->n; ++i)
      free (sh->roots[i]);       /* the strings belong to ALL */
  free (sh->roots);
  free (sh->starts);
  free (sh->deferred);
  free (sh->pairs);
  free (sh->has_pvs);
  if (sh->all)
    for (size_t i = 0; sh->all[i]; ++i)
      free (sh->all[i]);
  free (sh->all);
  memset (sh, 0, sizeof *sh);
}

/* A guest whose fstab (UUID=, LABEL=) resolved to another guest's
 * filesystem (same UUID or label: a clone, or two images of one
 * distribution) would be mounted wrongly: it is deferred, with that
 * other guest recorded as its clash.  (Names like /dev/sda1 are the
 * guest's own disks: gs_int_guest_device.)
 */
static void
foreign_mounts (struct gs_session *s, const struct gs_guest *guests,
                struct gs_shared *sh)
{
  const size_t n = sh->n;

  gs_quiet_begin (s->g);
  for (size_t i = 0; i < n; ++i)
    for (size_t r = 0; !sh->deferred[i] && sh->roots[i][r]; ++r) {
      CLEANUP_FREE_STRV char **mps =
        gs_guest_mountpoints (s->g, sh->roots[i][r]);

      for (size_t k = 0; mps && mps[k] && mps[k + 1]; k += 2) {
        CLEANUP_FREE char *dev =
          gs_int_guest_device (sh->starts[i], guests[i].ndisks, mps[k + 1]);
        int owner = dev ? gs_int_device_guest (s->g, dev, sh->starts, n)
                        : -1;

        if (owner >= 0 && (size_t) owner != i) {
          gs_debug ("%s: %s on %s is another guest's disk", guests[i].name,
                    mps[k], dev);
          sh->deferred[i] = true;
          sh->ndeferred++;
          sh->pairs[i * n + (size_t) owner] = 1;
          sh->pairs[(size_t) owner * n + i] = 1;
          sh->roots[i][0] = NULL;
          break;
        }
      }
    }
  gs_quiet_end (s->g);
}

int
gs_int_shared_inspect (struct gs_session *s, const struct gs_guest *guests,
                       size_t n, struct gs_shared *sh)
{
  size_t ndisks = 0;

  memset (sh, 0, sizeof *sh);
  sh->n = n;
  sh->starts = gs_xcalloc (n + 1, sizeof *sh->starts);
  sh->deferred = gs_xcalloc (n, sizeof *sh->deferred);
  sh->pairs = gs_xcalloc (n, n);
  sh->roots = gs_xcalloc (n, sizeof *sh->roots);
  for (size_t i = 0; i < n; ++i) {
    sh->starts[i] = ndisks;
    ndisks += guests[i].ndisks;
    sh->roots[i] = gs_xcalloc (1, sizeof (char *));
  }
  sh->starts[n] = ndisks;

  if (n > 1) {
    int c;

    gs_quiet_begin (s->g);
    c = gs_int_inspect_clashes (s->g, sh->starts, n, sh->deferred,
                                sh->pairs);
    gs_quiet_end (s->g);
    if (c == -1) {
      gs_warning ("cannot compare the guests' LVM and filesystem IDs: "
                  "each guest gets a launch of its own");
      for (size_t i = 0; i < n; ++i) {
        sh->deferred[i] = true;
        for (size_t j = 0; j < n; ++j)
          sh->pairs[i * n + j] = i != j;
      }
      c = (int) n;
    }
    sh->ndeferred = (size_t) c;
    if (sh->ndeferred == n)
      return 0;
  }
  if ((sh->all = gs_int_os_inspect (s->g, s->os_method)) == NULL)
    return -1;
  for (size_t i = 0; sh->all[i]; ++i) {
    size_t m = 0;
    int gi;

    gs_quiet_begin (s->g);
    gi = n == 1 ? 0
                : gs_int_inspect_root_guest (s->g, sh->all[i], sh->starts, n);
    gs_quiet_end (s->g);
    if (gi >= 0 && sh->deferred[gi])
      continue;                  /* a clashing guest's: not trusted here */
    if (gi < 0) {
      gs_warning ("cannot tell which guest the root %s belongs to; "
                  "it is left out", sh->all[i]);
      continue;
    }
    while (sh->roots[gi][m])
      m++;
    char **p = gs_xreallocarray (sh->roots[gi], m + 2, sizeof *p);
    sh->roots[gi] = p;
    p[m] = sh->all[i];
    p[m + 1] = NULL;
  }
  if (n > 1)
    foreign_mounts (s, guests, sh);
  return 0;
}

bool
gs_int_shared_defer (struct gs_plan *plan, const struct gs_shared *sh,
                     const size_t *ids, size_t i)
{
  if (!sh->deferred[i])
    return false;
  gs_info ("%s: its LVM or filesystem IDs are also on another guest's "
           "disks (a clone?): it goes to a later launch",
           plan->guests[ids[i]].name);
  for (size_t j = 0; j < sh->n; ++j)
    if (sh->pairs[i * sh->n + j])
      gs_int_plan_clash (plan, ids[i], ids[j]);
  return true;
}

/* ---- Clones, one after another in the same launch ----------------- */

/* Which guests have LVM physical volumes: asked once, of blkid (LVM
 * itself lists one device per PV UUID, and clones share theirs).
 */
static int
find_pvs (struct gs_session *s, struct gs_shared *sh)
{
  CLEANUP_FREE_STRV char **devs = NULL, **parts = NULL;

  if (sh->has_pvs)
    return 0;
  if ((devs = guestfs_list_devices (s->g)) == NULL ||
      (parts = guestfs_list_partitions (s->g)) == NULL)
    return -1;
  sh->has_pvs = gs_xcalloc (sh->n, sizeof *sh->has_pvs);
  for (char **l = devs; l; l = l == devs ? parts : NULL)
    for (size_t k = 0; l[k]; ++k) {
      CLEANUP_FREE char *type = guestfs_vfs_type (s->g, l[k]);
      int gi;

      if (type == NULL || strcmp (type, "LVM2_member") != 0)
        continue;
      gi = gs_int_device_guest (s->g, l[k], sh->starts, sh->n);
      if (gi >= 0)
        sh->has_pvs[gi] = true;
    }
  return 0;
}

int
gs_int_shared_pass (struct gs_session *s, struct gs_shared *sh, size_t i,
                    char ***roots)
{
  guestfs_h *g = s->g;
  CLEANUP_FREE_STRV char **devs = NULL, **all = NULL;
  string_vector mine = empty_vector, found = empty_vector;
  char **from;
  int lvm, r = -1;

  *roots = NULL;
  gs_quiet_begin (s->g);
  guestfs_umount_all (g);
  lvm = find_pvs (s, sh) == -1 ? -1 : sh->has_pvs[i];
  gs_quiet_end (s->g);
  if (lvm == -1)
    goto out;
  if (lvm) {
    /* Only its own volumes: the clones' share its VG and PV names. */
    if ((devs = guestfs_list_devices (g)) == NULL)
      goto out;
    for (size_t k = sh->starts[i]; k < sh->starts[i + 1] && devs[k]; ++k)
      string_vector_append_copy (&mine, devs[k]);
    string_vector_append (&mine, NULL);
    gs_quiet_begin (s->g);
    guestfs_vg_activate_all (g, 0);
    gs_quiet_end (s->g);
    /* The filter rescans; its volumes must be activated again. */
    if (guestfs_lvm_set_filter (g, mine.ptr) == -1 ||
        guestfs_vg_activate_all (g, 1) == -1 ||
        (all = gs_int_os_inspect (g, s->os_method)) == NULL)
      goto out;
    sh->filtered = true;
  }
  /* Without LVM its roots were inspected with the others': its fstab's
   * shared names are mounted as its own (mount.c).
   */
  /* Every guest clashed: the first pass inspected nothing. */
  if (!lvm && sh->all == NULL && (sh->all = gs_int_os_inspect (g, s->os_method)) == NULL)
    goto out;
  from = lvm ? all : sh->all;
  for (size_t k = 0; from && from[k]; ++k) {
    int gi;

    gs_quiet_begin (s->g);
    gi = gs_int_inspect_root_guest (g, from[k], sh->starts, sh->n);
    gs_quiet_end (s->g);
    if (gi == (int) i)
      string_vector_append_copy (&found, from[k]);
  }
  string_vector_append (&found, NULL);
  *roots = found.ptr;
  found = (string_vector) empty_vector;
  r = 0;
 out:
  string_vector_free_all (&mine);
  string_vector_free_all (&found);
  return r;
}

/* The launch ends after its passes: the last clone's filter stays (with
 * it gone, LVM would see the clones' VGs again, and refuse them).
 */
void
gs_int_shared_pass_end (struct gs_session *s, struct gs_shared *sh)
{
  if (!sh->filtered)
    return;
  gs_quiet_begin (s->g);
  guestfs_umount_all (s->g);
  gs_quiet_end (s->g);
  sh->filtered = false;
}
