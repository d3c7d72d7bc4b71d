/* SPDX-License-Identifier: GPL-2.0-or-later */
/* filesystem: the free space of each filesystem goes back to the host.
 *
 * It is trimmed (FITRIM, as fstrim does) where the filesystem and the
 * disk support it.  In copying mode the disk is a qcow2 overlay on
 * which a discarded block becomes a zero cluster without a byte being
 * written, where writing the free space full of zeros, as virt-sparsify
 * does, costs about 45 s per GiB under TCG (bench/sparsify.sh).  Where
 * trimming is not supported, copying mode falls back to zeros: files
 * of zeros of at most zero-file-size bytes each (FAT cannot hold a
 * file of 4 GiB) until the filesystem is full, synced and removed.
 * In place only trimming is possible (zeros would allocate the space).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sparsify-util.h"
#include "config-util.h"
#include "string-vector.h"

struct fs_conf {
  string_vector types;           /* empty: any filesystem */
  char *method;                  /* "auto", "trim", "zero" */
  int64_t zero_file_size;
};

static const struct gs_config_key fs_keys[] = {
  { "types", GS_KEY_STRINGS,
    "filesystem types handled (as vfs_type names them); empty: all" },
  { "method", GS_KEY_STRING,
    "\"auto\" (trim, else zeros in copying mode), \"trim\" or \"zero\"" },
  { "zero-file-size", GS_KEY_INT,
    "largest file of zeros, in MiB (FAT: under 4096)" },
  { NULL, 0, NULL },
};

static int
fs_configure (struct gs_op *op, const config_setting_t *section)
{
  struct fs_conf *c = gs_op_get_data (op);
  int mib;

  if (c == NULL) {
    c = gs_xcalloc (1, sizeof *c);
    c->types = (string_vector) empty_vector;
    gs_op_set_data (op, c);
  }
  if (section == NULL)
    return 0;
  gs_config_get_strings (section, "types", &c->types, NULL);
  gs_config_get_string (section, "method", &c->method);
  if (c->method && strcmp (c->method, "auto") && strcmp (c->method, "trim") &&
      strcmp (c->method, "zero")) {
    gs_error ("method = \"%s\": expected \"auto\", \"trim\" or \"zero\"",
              c->method);
    return -1;
  }
  if (config_setting_lookup_int (section, "zero-file-size", &mib)) {
    if (mib < 1 || mib > 4095) {
      gs_error ("zero-file-size = %d: expected 1 to 4095 (MiB)", mib);
      return -1;
    }
    c->zero_file_size = (int64_t) mib << 20;
  }
  return 0;
}

static int
fs_config_complete (struct gs_op *op)
{
  struct fs_conf *c = gs_op_get_data (op);

  if (c == NULL && fs_configure (op, NULL) == -1)
    return -1;
  c = gs_op_get_data (op);
  if (c->method == NULL)
    c->method = gs_xstrdup ("auto");
  if (c->zero_file_size == 0)
    c->zero_file_size = (int64_t) 1024 << 20;
  return 0;
}

static void
fs_unload (struct gs_op *op)
{
  struct fs_conf *c = gs_op_get_data (op);

  if (c) {
    string_vector_free_all (&c->types);
    free (c->method);
    free (c);
  }
}

/* Free bytes of the filesystem mounted at /, or -1. */
static int64_t
free_bytes (guestfs_h *g)
{
  struct guestfs_statvfs *sv = guestfs_statvfs (g, "/");
  int64_t r;

  if (sv == NULL)
    return -1;
  r = sv->bfree * sv->frsize;
  guestfs_free_statvfs (sv);
  return r;
}

/* Fill the filesystem at / with files of zeros until it is full, then
 * remove them.  ENOSPC is the expected end.
 */
static int
zero_fill (guestfs_h *g, int64_t file_size)
{
  char path[64];
  int n, r = 0;

  for (n = 0; ; ++n) {
    snprintf (path, sizeof path, "/goldsmith-sparsify.%d", n);
    if (GS_QUIETLY (g, guestfs_fill (g, 0, file_size, path)) == -1) {
      if (guestfs_last_errno (g) != ENOSPC && guestfs_last_errno (g) != EFBIG) {
        gs_error ("%s: %s", path, guestfs_last_error (g));
        r = -1;
      }
      break;
    }
  }
  if (guestfs_sync (g) == -1)
    r = -1;
  for (; n >= 0; --n) {
    snprintf (path, sizeof path, "/goldsmith-sparsify.%d", n);
    if (GS_QUIETLY (g, guestfs_rm_f (g, path)) == -1)
      r = -1;
  }
  return r;
}

static int
fs_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
            const char *root)
{
  const struct fs_conf *c = gs_op_get_data (op);
  const char *content = gs_sparsify_content (ctx);
  bool in_place = gs_sparsify_in_place (ctx);
  bool want_trim = in_place || strcmp (c->method, "zero") != 0;
  const char *method = want_trim ? "trim" : "zero";
  int64_t bytes;
  int r = 0;

  if (c->types.len
      ? !gs_sparsify_claims (ctx, (const char *const *) c->types.ptr)
      : !gs_sparsify_claims (ctx, NULL))
    return 0;
  if (content && (strcmp (content, "swap") == 0 ||
                  strcmp (content, "lvm-vg") == 0)) {
    gs_not_applicable (ctx, "not a filesystem");
    return 0;
  }
  if (GS_QUIETLY (g, gs_dry_run (ctx) ? guestfs_mount_ro (g, root, "/")
                  : guestfs_mount (g, root, "/")) == -1) {
    gs_warning ("%s: cannot mount this %s filesystem (%s): its free space is "
                "left as it is", root, content ? content : "unknown",
                guestfs_last_error (g));
    gs_not_applicable (ctx, "cannot be mounted");
    return 0;
  }
  if ((bytes = free_bytes (g)) == -1)
    r = -1;
  else if (!gs_dry_run (ctx)) {
    if (want_trim &&
        GS_QUIETLY (g, guestfs_fstrim (g, "/", -1)) == -1) {
      if (in_place || strcmp (c->method, "trim") == 0) {
        gs_warning ("%s: this %s filesystem cannot be trimmed (%s): its free "
                    "space stays allocated (use copying mode, or --ignore %s)",
                    root, content, guestfs_last_error (g), root);
        method = "none";
        bytes = 0;
      }
      else {
        gs_debug ("%s: fstrim failed (%s): writing zeros instead", root,
                  guestfs_last_error (g));
        method = "zero";
      }
    }
    if (r == 0 && strcmp (method, "zero") == 0)
      r = zero_fill (g, c->zero_file_size);
  }
  if (guestfs_umount_opts (g, "/", -1) == -1)
    r = -1;
  if (r == -1)
    return -1;
  gs_sparsify_method (ctx, method);
  return gs_report_path (ctx, root, GS_ACTION_CHANGED, bytes);
}

static const struct gs_operation fs_op = {
  .name = "filesystem",
  .family = "sparsify",
  .heading = "Trim (or fill with zeros) the free space of each filesystem",
  .phase = GS_PHASE_DEVICES,
  .order = 10,
  .enabled_by_default = true,
  .keys = fs_keys,
  .configure = fs_configure,
  .config_complete = fs_config_complete,
  .perform = fs_perform,
  .unload = fs_unload,
};

GS_REGISTER_PLUGIN (&fs_op);
