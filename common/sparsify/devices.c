/* SPDX-License-Identifier: GPL-2.0-or-later */
/* devices.c: sparsify in the appliance, device by device.  Every
 * filesystem, partition and LV is handed to the first selected sparsify
 * operation that takes it (the core runs it), zeroed (--zero) or left
 * alone (--ignore); then the free space of each volume group.
 */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanups.h"
#include "sparsify-int.h"

/* Does the user's NAME (--ignore, --zero) mean DEV? */
static bool
names_device (guestfs_h *g, const char *name, const char *dev)
{
  CLEANUP_FREE char *canon = NULL;

  if (strcmp (name, dev) == 0)
    return true;
  gs_quiet_begin (g);
  canon = guestfs_canonical_device_name (g, name);
  gs_quiet_end (g);
  return canon && strcmp (canon, dev) == 0;
}

static bool
listed (guestfs_h *g, const string_vector *names, const char *dev)
{
  for (size_t i = 0; i < names->len; ++i)
    if (names_device (g, names->ptr[i], dev))
      return true;
  return false;
}

/* Every --ignore and --zero must name something on the disk: a typo
 * must not leave free space (or data!) untouched silently.
 */
static int
check_names (guestfs_h *g, const string_vector *names, const char *option,
             char **devs, char **vgs)
{
  for (size_t i = 0; i < names->len; ++i) {
    bool found = false;

    for (size_t k = 0; devs[k] && !found; ++k)
      found = names_device (g, names->ptr[i], devs[k]);
    for (size_t k = 0; vgs && vgs[k] && !found; ++k)
      found = strcmp (names->ptr[i], vgs[k]) == 0;
    if (!found) {
      gs_error ("%s %s: no such %s on the disk", option, names->ptr[i],
                vgs ? "filesystem or volume group" : "partition or LV");
      return -1;
    }
  }
  return 0;
}

/* A record of what happened to one device. */
static json_object *
device_record (json_object *records, const char *dev, const char *content)
{
  json_object *r = json_object_new_object ();

  json_object_array_add (records, r);
  gs_int_json_add_string (r, "device", dev);
  gs_int_json_add_string (r, "content", content);
  return r;
}

/* Hand DEV to the first selected sparsify operation that takes it
 * (the core runs it) and record what it did.
 */
static int
sparsify_device (struct gs_registry *reg, guestfs_h *g,
                 const struct gs_sparsify_job *j, const char *dev,
                 const char *content, json_object *records)
{
  const struct gs_content_opts o = {
    .family = "sparsify", .dry_run = j->dry_run, .in_place = j->in_place,
    .first_only = true,
  };
  struct gs_op_results tries = { 0 };
  int st = gs_int_content_run (reg, g, dev, content, &o, &tries);

  if (st == GS_OP_NA) {
    json_object *r = device_record (records, dev, content);

    gs_int_json_add_string (r, "status", "not-handled");
    gs_int_json_add_string (r, "reason", "no selected operation handles it");
    json_object_object_add (r, "bytes", json_object_new_int64 (0));
  }
  else if (tries.n == 0) {      /* asking them failed */
    json_object *r = device_record (records, dev, content);

    gs_int_json_add_string (r, "status", "failed");
    gs_int_report_set_error (r, gs_int_last_error ());
  }
  else {
    /* The operation that handled it (FIRST_ONLY: the last one run). */
    const struct gs_op_result *op = &tries.op[tries.n - 1];
    json_object *r = device_record (records, dev, content);
    json_object *jop = gs_int_op_result_json (op);

    json_object_object_foreach (jop, key, val) {
      if (strcmp (key, "name") == 0)
        key = "operation";
      else if (strcmp (key, "paths") == 0)
        continue;
      json_object_object_add (r, key, json_object_get (val));
    }
    json_object_put (jop);
    if (op->method)
      gs_int_json_add_string (r, "method", op->method);
  }
  gs_int_op_results_free (&tries);
  return st == GS_OP_FAILED ? -1 : 0;
}

/* --zero DEV, done by the core: it is a request about a device, not
 * about its content.
 */
static int
zero_device (guestfs_h *g, const struct gs_sparsify_job *j, const char *dev,
             json_object *records)
{
  json_object *r = device_record (records, dev, "");
  const char *method = "discard";
  int64_t size = guestfs_blockdev_getsize64 (g, dev);

  if (size == -1)
    return -1;
  gs_info ("%s %s ...", j->dry_run ? "Would zero" : "Zeroing", dev);
  gs_int_json_add_string (r, "operation", "zero");
  if (!j->dry_run &&
      gs_int_clear_device (g, dev, j->in_place, true, &method) == -1)
    return -1;
  gs_int_json_add_string (r, "status", "applied");
  gs_int_json_add_string (r, "method", method);
  json_object_object_add (r, "bytes", json_object_new_int64 (size));
  return 0;
}

static void
ignored (json_object *records, const char *dev, const char *content)
{
  json_object *r = device_record (records, dev, content);

  gs_info ("Ignoring %s (--ignore)", dev);
  gs_int_json_add_string (r, "status", "ignored");
  json_object_object_add (r, "bytes", json_object_new_int64 (0));
}

int
gs_int_sparsify_devices (struct gs_registry *reg, guestfs_h *g,
                         const struct gs_sparsify_job *j,
                         json_object *records)
{
  CLEANUP_FREE_STRV char **fs = NULL, **vgs = NULL, **parts = NULL;
  CLEANUP_FREE_STRV char **lvs = NULL;
  string_vector devs = empty_vector;
  int r = -1;

  if ((fs = gs_int_list_filesystems (g)) == NULL ||
      (vgs = guestfs_vgs (g)) == NULL ||
      (parts = guestfs_list_partitions (g)) == NULL ||
      (lvs = guestfs_lvs (g)) == NULL)
    goto out;
  for (size_t i = 0; fs[i]; i += 2)
    if (strncmp (fs[i], "btrfsvol:", 9) != 0)
      string_vector_append_copy (&devs, fs[i]);
  for (size_t i = 0; parts[i]; ++i)
    string_vector_append_copy (&devs, parts[i]);
  for (size_t i = 0; lvs[i]; ++i)
    string_vector_append_copy (&devs, lvs[i]);
  if (string_vector_append (&devs, NULL) == -1)
    goto out;
  /* Bad names are bad input: found before anything is written. */
  if (check_names (g, &j->ignore, "--ignore", devs.ptr, vgs) == -1 ||
      check_names (g, &j->zero, "--zero", devs.ptr, NULL) == -1) {
    r = -2;
    goto out;
  }

  for (size_t i = 0; fs[i]; i += 2) {
    const char *dev = fs[i], *type = fs[i + 1];

    if (strncmp (dev, "btrfsvol:", 9) == 0)
      continue;                  /* the whole btrfs is trimmed once */
    if (listed (g, &j->ignore, dev))
      ignored (records, dev, type);
    else if (listed (g, &j->zero, dev)) {
      if (zero_device (g, j, dev, records) == -1)
        goto out;
    }
    else {
      if (!gs_int_quiet ())
        gs_info ("%s %s (%s) ...", j->dry_run ? "Examining" : "Sparsifying",
                 dev, type);
      if (sparsify_device (reg, g, j, dev, type, records) == -1)
        goto out;
    }
  }
  /* --zero may name a device with no filesystem on it. */
  for (size_t i = 0; i < j->zero.len; ++i) {
    bool done = false;

    for (size_t k = 0; fs[k] && !done; k += 2)
      done = names_device (g, j->zero.ptr[i], fs[k]);
    if (!done) {
      CLEANUP_FREE char *dev = NULL;

      gs_quiet_begin (g);
      dev = guestfs_canonical_device_name (g, j->zero.ptr[i]);
      gs_quiet_end (g);
      if (zero_device (g, j, dev ? dev : j->zero.ptr[i], records) == -1)
        goto out;
    }
  }
  for (size_t i = 0; vgs[i]; ++i) {
    if (listed (g, &j->ignore, vgs[i])) {
      ignored (records, vgs[i], "lvm-vg");
      continue;
    }
    gs_info ("%s the free space of volume group %s ...",
             j->dry_run ? "Examining" : "Sparsifying", vgs[i]);
    if (sparsify_device (reg, g, j, vgs[i], "lvm-vg", records) == -1)
      goto out;
  }
  if (!j->dry_run && guestfs_sync (g) == -1)
    goto out;
  r = 0;

 out:
  string_vector_free_all (&devs);
  return r;
}
