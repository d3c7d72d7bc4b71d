/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sparsify.c: `goldsmith sparsify`, virt-sparsify's job.
 *
 * Copying mode (IN OUT): IN is only ever read.  Changes go to a qcow2
 * overlay in --tmp (4 KiB clusters, so a discarded filesystem block is
 * a zero cluster of its own); the appliance, in one launch, hands every
 * device to the operations of family "sparsify" (plugins/sparsify/:
 * filesystems trimmed or zero-filled, swap discarded and recreated,
 * free LVM extents discarded), then `qemu-img convert` writes OUT,
 * skipping the zeros, under a temporary name renamed into place only
 * on success.
 *
 * In-place mode (--in-place IMG): the image is opened with discard
 * enabled and the same operations may only discard (trim).  A disk
 * that cannot discard is exit 3, as in virt-sparsify.
 *
 * Nothing waits on stdin: a temp dir without room is an error up front
 * (--check-tmpdir), and OUT's filesystem is checked against
 * `qemu-img measure` before OUT is written.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cli.h"
#include "cleanups.h"
#include "resize/plan.h"         /* gs_int_human_size */

enum { OPT_IGNORE = 1, OPT_ZERO, OPT_OPERATIONS };

static char *in_format, *convert_fmt, *qemu_opts, *tmp_dir, *check_tmpdir;
static int compress, in_place, dry_run, overwrite;

static struct poptOption sparsify_table[] = {
  { "format", '\0', POPT_ARG_STRING, &in_format, 0,
    "Format of the input disk (default: probed)", "FMT" },
  { "convert", '\0', POPT_ARG_STRING, &convert_fmt, 0,
    "Format of OUT (default: the input's)", "FMT" },
  { "compress", '\0', POPT_ARG_NONE, &compress, 0,
    "Compress OUT (qcow2 only)", NULL },
  { NULL, 'o', POPT_ARG_STRING, &qemu_opts, 0,
    "Options for qemu-img convert -o (e.g. compat=0.10)", "OPTIONS" },
  { "tmp", '\0', POPT_ARG_STRING, &tmp_dir, 0,
    "Directory for the overlay (default: $TMPDIR or /tmp)", "DIR" },
  { "check-tmpdir", '\0', POPT_ARG_STRING, &check_tmpdir, 0,
    "Too little room in DIR: fail (default), warn, continue, ignore",
    "MODE" },
  { "ignore", '\0', POPT_ARG_STRING, NULL, OPT_IGNORE,
    "Leave this filesystem or volume group alone (repeatable)", "FS|VG" },
  { "zero", '\0', POPT_ARG_STRING, NULL, OPT_ZERO,
    "Zero this whole partition or LV: its data is lost (repeatable)",
    "DEVICE" },
  { "in-place", '\0', POPT_ARG_NONE, &in_place, 0,
    "Sparsify IMG itself by discarding (no copy, no temp space)", NULL },
  { "inplace", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &in_place, 0,
    NULL, NULL },
  { "overwrite", '\0', POPT_ARG_NONE, &overwrite, 0,
    "Replace an existing OUT (default: refuse)", NULL },
  { "operations", '\0', POPT_ARG_STRING, NULL, OPT_OPERATIONS,
    "Select the operations: defaults,-name,+name,all,-all", "LIST" },
  { "dry-run", 'n', POPT_ARG_NONE, &dry_run, 0,
    "Say what would be trimmed or zeroed, with its free space; "
    "write nothing", NULL },
  { "dryrun", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &dry_run, 0,
    NULL, NULL },
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, gs_common_table, 0,
    "Options of every subcommand:", NULL },
  POPT_AUTOHELP
  POPT_TABLEEND
};

/* Formats qemu-img can write that a user might ask for. */
static const char *const out_formats[] = {
  "raw", "qcow2", "qed", "vdi", "vmdk", "vhdx", "vpc", "qcow", NULL,
};

struct job {
  const char *in, *out;
  struct gs_disk *disk;
  string_vector ignore, zero;
  const char *tmp;
  const char *out_fmt;
  bool out_is_blockdev;
  int64_t in_allocated;
};

static int64_t
allocated (const char *path)
{
  struct stat st;

  if (stat (path, &st) == -1)
    return -1;
  if (S_ISBLK (st.st_mode))
    return -1;                   /* unknown: a device is all "allocated" */
  return (int64_t) st.st_blocks * 512;
}

static int64_t
free_space (const char *dir)
{
  struct statvfs sv;

  if (statvfs (dir, &sv) == -1)
    return -1;
  return (int64_t) sv.f_bavail * sv.f_frsize;
}

/* The directory holding PATH (a new string). */
static char *
dir_of (const char *path)
{
  const char *slash = strrchr (path, '/');

  if (slash == NULL)
    return strdup (".");
  if (slash == path)
    return strdup ("/");
  return strndup (path, slash - path);
}

/* ---- checks before the launch ------------------------------------- */

static int
check_options (struct job *j)
{
  bool ok_fmt = false;

  if (in_place) {
    const char *bad = convert_fmt ? "--convert" : compress ? "--compress"
      : qemu_opts ? "-o" : tmp_dir ? "--tmp"
      : check_tmpdir ? "--check-tmpdir" : overwrite ? "--overwrite" : NULL;

    if (bad) {
      gs_error ("sparsify: %s is for copying mode: it cannot be used with "
                "--in-place", bad);
      return -1;
    }
    return 0;
  }
  if (check_tmpdir) {
    /* virt-sparsify's spellings. */
    static const char *const modes[][2] = {
      { "ignore", "ignore" }, { "i", "ignore" },
      { "continue", "continue" }, { "cont", "continue" }, { "c", "continue" },
      { "warn", "warn" }, { "warning", "warn" }, { "w", "warn" },
      { "fail", "fail" }, { "f", "fail" }, { "error", "fail" },
    };
    const char *m = NULL;

    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; ++i)
      if (strcmp (check_tmpdir, modes[i][0]) == 0)
        m = modes[i][1];
    if (m == NULL) {
      gs_error ("--check-tmpdir %s: expected ignore, continue, warn or fail",
                check_tmpdir);
      return -1;
    }
    check_tmpdir = (char *) m;
  }
  j->out_fmt = convert_fmt ? convert_fmt : j->disk->format;
  for (size_t i = 0; out_formats[i]; ++i)
    ok_fmt |= strcmp (out_formats[i], j->out_fmt) == 0;
  if (!ok_fmt) {
    gs_error ("--convert %s: not an output format goldsmith knows (raw, "
              "qcow2, qed, vdi, vmdk, vhdx, vpc, qcow)", j->out_fmt);
    return -1;
  }
  if (compress && strcmp (j->out_fmt, "qcow2") != 0) {
    gs_error ("--compress: only a qcow2 output can be compressed (OUT is "
              "%s: add --convert qcow2)", j->out_fmt);
    return -1;
  }
  return 0;
}

/* --tmp: an existing directory we can write, with room for the
 * overlay.  The overlay holds only the metadata of discarded clusters
 * unless a filesystem has to be zero-filled, so the need is a margin
 * plus the L2/refcount tables of 4 KiB clusters (about 1/400 of the
 * virtual size), not virt-sparsify's whole virtual size.
 */
static int
check_tmp (struct job *j)
{
  struct stat st;
  int64_t need, have;
  char h1[32], h2[32];

  j->tmp = tmp_dir ? tmp_dir : getenv ("TMPDIR");
  if (j->tmp == NULL || j->tmp[0] == '\0')
    j->tmp = "/tmp";
  if (strncmp (j->tmp, "prebuilt:", 9) == 0) {
    gs_error ("--tmp %s: prebuilt overlays are not supported; give a "
              "directory", j->tmp);
    return -1;
  }
  if (stat (j->tmp, &st) == -1) {
    gs_error ("--tmp %s: no such directory", j->tmp);
    return -1;
  }
  if (!S_ISDIR (st.st_mode)) {
    gs_error ("--tmp %s: not a directory", j->tmp);
    return -1;
  }
  if (access (j->tmp, W_OK | X_OK) == -1) {
    gs_error ("--tmp %s: not writable: %m", j->tmp);
    return -1;
  }
  if (check_tmpdir && (strcmp (check_tmpdir, "ignore") == 0 ||
                       strcmp (check_tmpdir, "continue") == 0))
    return 0;
  need = (64 << 20) + j->disk->virtual_size / 400;
  have = free_space (j->tmp);
  if (have >= 0 && have < need) {
    gs_int_human_size (have, h1, sizeof h1);
    gs_int_human_size (need, h2, sizeof h2);
    if (check_tmpdir && strcmp (check_tmpdir, "warn") == 0)
      gs_warning ("--tmp %s: %s free, the overlay may need %s", j->tmp, h1,
                  h2);
    else {
      gs_error ("--tmp %s: %s free, the overlay may need %s (use another "
                "--tmp, or --check-tmpdir continue)", j->tmp, h1, h2);
      return -1;
    }
  }
  return 0;
}

/* OUT: not IN, not a character device, not an existing file unless
 * --overwrite, in a writable directory.
 */
static int
check_out (struct job *j)
{
  struct stat st;
  CLEANUP_FREE char *dir = NULL;

  if (gs_cli_same_file (j->in, j->out)) {
    gs_error ("sparsify: IN and OUT are the same file (%s): use --in-place "
              "to sparsify an image itself", j->in);
    return -1;
  }
  if (stat (j->out, &st) == 0) {
    if (S_ISCHR (st.st_mode)) {
      gs_error ("%s: OUT is a character device", j->out);
      return -1;
    }
    if (S_ISBLK (st.st_mode)) {
      j->out_is_blockdev = true;
      return 0;
    }
    if (!overwrite) {
      gs_error ("%s: already exists (remove it, or give --overwrite)",
                j->out);
      return -1;
    }
  }
  if ((dir = dir_of (j->out)) == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  if (access (dir, W_OK | X_OK) == -1) {
    gs_error ("%s: cannot write in %s: %m", j->out, dir);
    return -1;
  }
  return 0;
}

/* -o OPTIONS: let qemu-img judge them now, on a throw-away file, rather
 * than after minutes of work.
 */
static int
check_qemu_opts (struct job *j)
{
  CLEANUP_FREE char *probe = NULL;
  char out[1024];
  int r;

  if (qemu_opts == NULL)
    return 0;
  if (asprintf (&probe, "%s/goldsmith-opts-%ld.img", j->tmp,
                (long) getpid ()) == -1)
    return -1;
  {
    char *const argv[] = {
      (char *) "qemu-img", (char *) "create", (char *) "-q",
      (char *) "-f", (char *) j->out_fmt, (char *) "-o", qemu_opts, probe,
      (char *) "1M", NULL,
    };
    r = gs_int_run_qemu_img (argv, out, sizeof out, false);
  }
  unlink (probe);
  if (r == -1) {
    gs_error ("-o %s: qemu-img rejects it for %s: %s", qemu_opts, j->out_fmt,
              gs_int_first_line (out));
    return -1;
  }
  return 0;
}

/* ---- in the appliance ----------------------------------------------- */

/* Does the user's NAME (--ignore, --zero) mean DEV? */
static bool
names_device (guestfs_h *g, const char *name, const char *dev)
{
  CLEANUP_FREE char *canon = NULL;

  if (strcmp (name, dev) == 0)
    return true;
  guestfs_push_error_handler (g, NULL, NULL);
  canon = guestfs_canonical_device_name (g, name);
  guestfs_pop_error_handler (g);
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
sparsify_device (struct gs_registry *reg, guestfs_h *g, const char *dev,
                 const char *content, json_object *records)
{
  const struct gs_content_opts o = {
    .family = "sparsify", .dry_run = dry_run, .in_place = in_place,
    .first_only = true,
  };
  json_object *tries = json_object_new_array ();
  const char *method;
  int st = gs_int_content_run (reg, g, dev, content, &o, tries, &method);

  if (st == GS_OP_NA) {
    json_object *r = device_record (records, dev, content);

    gs_int_json_add_string (r, "status", "not-handled");
    gs_int_json_add_string (r, "reason", "no selected operation handles it");
    json_object_object_add (r, "bytes", json_object_new_int64 (0));
  }
  else {
    json_object *op = json_object_array_get_idx
      (tries, json_object_array_length (tries) - 1);
    json_object *r = device_record (records, dev, content);

    json_object_object_foreach (op, key, val) {
      if (strcmp (key, "name") == 0)
        key = "operation";
      else if (strcmp (key, "paths") == 0)
        continue;
      json_object_object_add (r, key, json_object_get (val));
    }
    if (method)
      gs_int_json_add_string (r, "method", method);
  }
  json_object_put (tries);
  return st == GS_OP_FAILED ? -1 : 0;
}

/* --zero DEV, done by the core: it is a request about a device, not
 * about its content.
 */
static int
zero_device (guestfs_h *g, const char *dev, json_object *records)
{
  json_object *r = device_record (records, dev, "");
  const char *method = "discard";
  int64_t size = guestfs_blockdev_getsize64 (g, dev);

  if (size == -1)
    return -1;
  gs_info ("%s %s ...", dry_run ? "Would zero" : "Zeroing", dev);
  gs_int_json_add_string (r, "operation", "zero");
  if (!dry_run && gs_int_clear_device (g, dev, in_place, true, &method) == -1)
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

static int
sparsify_all (struct gs_registry *reg, struct gs_session *s, struct job *j,
              json_object *records)
{
  guestfs_h *g = s->g;
  CLEANUP_FREE_STRV char **fs = NULL, **vgs = NULL, **parts = NULL;
  CLEANUP_FREE_STRV char **lvs = NULL;
  string_vector devs = empty_vector;
  int r = -1;

  if ((fs = guestfs_list_filesystems (g)) == NULL ||
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
      if (zero_device (g, dev, records) == -1)
        goto out;
    }
    else {
      if (!gs_int_quiet ())
        gs_info ("%s %s (%s) ...", dry_run ? "Examining" : "Sparsifying",
                 dev, type);
      if (sparsify_device (reg, g, dev, type, records) == -1)
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

      guestfs_push_error_handler (g, NULL, NULL);
      dev = guestfs_canonical_device_name (g, j->zero.ptr[i]);
      guestfs_pop_error_handler (g);
      if (zero_device (g, dev ? dev : j->zero.ptr[i], records) == -1)
        goto out;
    }
  }
  for (size_t i = 0; vgs[i]; ++i) {
    if (listed (g, &j->ignore, vgs[i])) {
      ignored (records, vgs[i], "lvm-vg");
      continue;
    }
    gs_info ("%s the free space of volume group %s ...",
             dry_run ? "Examining" : "Sparsifying", vgs[i]);
    if (sparsify_device (reg, g, vgs[i], "lvm-vg", records) == -1)
      goto out;
  }
  if (!dry_run && guestfs_sync (g) == -1)
    goto out;
  r = 0;

 out:
  string_vector_free_all (&devs);
  return r;
}

/* ---- after the appliance: the copy ---------------------------------- */

/* Bytes qemu-img says OUT needs, or -1 when it cannot say. */
static int64_t
measure (struct job *j)
{
  char out[4096];
  char *const argv[] = {
    (char *) "qemu-img", (char *) "measure", (char *) "--output=json",
    (char *) "-f", (char *) "qcow2", (char *) "-O", (char *) j->out_fmt,
    qemu_opts ? (char *) "-o" : j->disk->overlay, qemu_opts,
    qemu_opts ? j->disk->overlay : NULL, NULL,
  };
  json_object *o, *v;
  int64_t r = -1;

  if (gs_int_run_qemu_img (argv, out, sizeof out, false) == -1) {
    gs_debug ("qemu-img measure: %s", gs_int_first_line (out));
    return -1;
  }
  if ((o = json_tokener_parse (out)) != NULL) {
    if (json_object_object_get_ex (o, "required", &v))
      r = json_object_get_int64 (v);
    json_object_put (o);
  }
  return r;
}

static int
convert (struct job *j)
{
  bool progress = !gs_common.quiet && !gs_common.json && isatty (2);
  const char *target = j->out;
  char out[1024];
  int64_t need, have;
  const char *argv[16];
  size_t n = 0;

  if (!j->out_is_blockdev) {
    CLEANUP_FREE char *dir = dir_of (j->out);
    char h1[32], h2[32];

    need = measure (j);
    have = dir ? free_space (dir) : -1;
    if (need > 0 && have >= 0 && have < need) {
      gs_error ("%s: %s free in %s, the output needs %s; nothing was "
                "written", j->out, gs_int_human_size (have, h1, sizeof h1),
                dir, gs_int_human_size (need, h2, sizeof h2));
      return -1;
    }
    if ((target = gs_cli_outfile_reserve (j->out)) == NULL)
      return -1;
  }
  gs_info ("Copying to %s and making it sparse ...", j->out);
  argv[n++] = "qemu-img";
  argv[n++] = "convert";
  if (progress)
    argv[n++] = "-p";
  argv[n++] = "-f";
  argv[n++] = "qcow2";
  argv[n++] = "-O";
  argv[n++] = j->out_fmt;
  if (compress)
    argv[n++] = "-c";
  if (qemu_opts) {
    argv[n++] = "-o";
    argv[n++] = qemu_opts;
  }
  if (j->out_is_blockdev)
    argv[n++] = "-n";            /* write into the device as it is */
  argv[n++] = j->disk->overlay;
  argv[n++] = target;
  argv[n] = NULL;
  if (gs_int_run_qemu_img ((char *const *) argv, out, sizeof out,
                           progress) == -1) {
    gs_error ("%s: qemu-img convert failed: %s", j->out,
              gs_int_first_line (out));
    return -1;
  }
  return 0;
}

/* ---- the command ---------------------------------------------------- */

static void
add_size (json_object *o, const char *key, int64_t v)
{
  if (v >= 0)
    json_object_object_add (o, key, json_object_new_int64 (v));
}

static void
print_text (json_object *report, struct job *j, int64_t after)
{
  json_object *records;
  char h1[32], h2[32];

  if (!json_object_object_get_ex (report, "devices", &records))
    return;
  for (size_t i = 0; i < json_object_array_length (records); ++i) {
    json_object *r = json_object_array_get_idx (records, i), *v;
    const char *dev = "", *content = "", *status = "", *method = NULL;
    int64_t bytes = 0;

    if (json_object_object_get_ex (r, "device", &v))
      dev = json_object_get_string (v);
    if (json_object_object_get_ex (r, "content", &v))
      content = json_object_get_string (v);
    if (json_object_object_get_ex (r, "status", &v))
      status = json_object_get_string (v);
    if (json_object_object_get_ex (r, "method", &v))
      method = json_object_get_string (v);
    if (json_object_object_get_ex (r, "bytes", &v))
      bytes = json_object_get_int64 (v);
    /* Types and VG names come from the guest's disk: sanitised. */
    {
      CLEANUP_FREE char *d = gs_int_sanitise_utf8 (dev);
      CLEANUP_FREE char *c = gs_int_sanitise_utf8 (content);

      if (strcmp (status, "applied") == 0)
        printf ("%-24s %-8s %-9s %10s%s\n", d, c, method ? method : "",
                gs_int_human_size (bytes, h1, sizeof h1),
                dry_run ? " would be made sparse" : " made sparse");
      else
        printf ("%-24s %-8s %s\n", d, c, status);
    }
  }
  if (j->in_allocated >= 0)
    printf ("%s: %s allocated (virtual size %s)\n", j->in,
            gs_int_human_size (j->in_allocated, h1, sizeof h1),
            gs_int_human_size (j->disk->virtual_size, h2, sizeof h2));
  if (after >= 0 && !dry_run) {
    printf ("%s: %s allocated", in_place ? j->in : j->out,
            gs_int_human_size (after, h1, sizeof h1));
    if (j->in_allocated > 0)
      printf (" (%s less)", gs_int_human_size (j->in_allocated - after, h2,
                                               sizeof h2));
    printf ("\n");
  }
}

static int
run (struct gs_env *env, struct job *j, struct gs_guest *guest,
     json_object *report)
{
  struct gs_session_opts so = {
    .settings = &env->settings,
    .readonly = dry_run,
    .discard = !dry_run,
    .verbose = gs_common.verbose,
    .trace = gs_common.trace,
    .progress = !gs_common.quiet && !gs_common.json && isatty (2),
  };
  struct gs_session s = { 0 };
  json_object *records = json_object_new_array ();
  int code = GS_EXIT_ERROR, r;

  json_object_object_add (report, "devices", records);
  if (!dry_run && !in_place) {
    gs_info ("Creating an overlay in %s to protect the input disk ...",
             j->tmp);
    if (gs_int_overlay_create_in (j->disk, j->tmp,
                                  "cluster_size=4096") == -1)
      return GS_EXIT_ERROR;
    gs_int_scratch_add (j->disk->overlay);
    j->disk->readonly = false;   /* the overlay is written, IN never */
  }
  gs_info ("Launching the appliance ...");
  if (gs_int_session_launch (&s, guest, 1, &so) == -1) {
    const char *e = s.last_guestfs_error ? s.last_guestfs_error
      : gs_int_last_error ();

    if (in_place && strstr (e, "discard")) {
      gs_error ("%s: this disk cannot discard (%s format or backend): "
                "in-place sparsify is impossible; use copying mode", j->in,
                j->disk->format);
      code = GS_EXIT_UNSUPPORTED;
    }
    goto out;
  }
  if (in_place && !dry_run) {
    const char *f[] = { "fstrim", NULL };

    if (guestfs_feature_available (s.g, (char **) f) != 1) {
      gs_error ("the appliance cannot trim (no fstrim): in-place sparsify "
                "is impossible; use copying mode");
      code = GS_EXIT_UNSUPPORTED;
      goto out;
    }
  }
  r = sparsify_all (&env->reg, &s, j, records);
  if (r == -2)
    code = GS_EXIT_USAGE;
  if (r < 0)
    goto out;
  if (gs_int_session_close (&s) == -1) {
    gs_error ("the appliance did not shut down cleanly: nothing was "
              "written to OUT");
    goto out;
  }
  if (!dry_run && !in_place && convert (j) == -1)
    goto out;
  code = GS_EXIT_OK;

 out:
  gs_int_report_appliance (report, &s, &env->settings);
  gs_int_session_close (&s);
  if (j->disk->overlay) {
    gs_int_scratch_forget (j->disk->overlay);
    gs_int_overlay_discard (j->disk);
  }
  return code;
}

int
gs_cmd_sparsify (int argc, const char **argv)
{
  poptContext pc;
  struct gs_env env = { 0 };
  struct gs_guest guest = { 0 };
  struct job j = { .ignore = empty_vector, .zero = empty_vector };
  string_vector selections = empty_vector;
  json_object *report = NULL;
  int rc, code = GS_EXIT_USAGE;
  int64_t after = -1;

  pc = poptGetContext ("goldsmith sparsify", argc, argv, sparsify_table, 0);
  poptSetOtherOptionHelp (pc, "[OPTION...] IN OUT | --in-place IMG");
  while ((rc = poptGetNextOpt (pc)) > 0) {
    int c = gs_cli_common_option (pc, rc);
    string_vector *v;

    if (c == -1)
      goto out;
    if (c == 0)
      continue;
    v = rc == OPT_IGNORE ? &j.ignore : rc == OPT_ZERO ? &j.zero
      : &selections;
    if (string_vector_append (v, poptGetOptArg (pc)) == -1)
      goto fail;
  }
  if (gs_cli_options_end (pc, "sparsify", rc, &code))
    goto out;
  /* A device both zeroed and ignored: contradictory, said now. */
  for (size_t z = 0; z < j.zero.len; ++z)
    for (size_t i = 0; i < j.ignore.len; ++i) {
      const char *a = j.zero.ptr[z], *b = j.ignore.ptr[i];

      if (strcmp (a + (strncmp (a, "/dev/", 5) ? 0 : 5),
                  b + (strncmp (b, "/dev/", 5) ? 0 : 5)) == 0) {
        gs_error ("--zero %s and --ignore %s name the same device: give "
                  "one of them", a, b);
        goto fail;
      }
    }
  j.in = poptGetArg (pc);
  j.out = in_place ? NULL : poptGetArg (pc);
  if (j.in == NULL || (!in_place && j.out == NULL) || poptPeekArg (pc)) {
    gs_error (in_place ? "sparsify: --in-place takes exactly one disk: IMG"
              : "sparsify: give exactly two disks: IN OUT (or --in-place "
              "IMG)");
    goto fail;
  }

  /* Everything is checked before the launch, IN first. */
  if (gs_int_guest_add_disk (&guest, j.in, in_format,
                             !in_place || dry_run) == -1 ||
      (guest.name = strdup (j.in)) == NULL ||
      gs_int_disk_check (&guest.disks[0]) == -1)
    goto fail;
  j.disk = &guest.disks[0];
  /* qemu discards on raw and qcow2 only: say so before any launch. */
  if (in_place && !dry_run && strcmp (j.disk->format, "raw") != 0 &&
      strcmp (j.disk->format, "qcow2") != 0) {
    gs_error ("%s: a %s image cannot discard: in-place sparsify is "
              "impossible (use copying mode)", j.in, j.disk->format);
    code = gs_cli_fail ("sparsify", GS_EXIT_UNSUPPORTED);
    goto out;
  }
  if (check_options (&j) == -1 ||
      (!in_place && (check_out (&j) == -1 ||
                     (!dry_run && check_tmp (&j) == -1) ||
                     check_qemu_opts (&j) == -1)))
    goto fail;
  /* The image written in place, or an existing OUT (block device,
   * --overwrite): nobody else may be using it.
   */
  if (!dry_run && (in_place || access (j.out, F_OK) == 0) &&
      gs_int_lock_image (in_place ? j.in : j.out) == -1)
    goto fail;

  if (gs_cli_load_family (&env, "sparsify", &selections) == -1)
    goto fail;

  report = gs_int_report_new ("sparsify", dry_run);
  gs_int_json_add_string (report, "mode", in_place ? "in-place" : "copy");
  j.in_allocated = allocated (j.in);
  {
    json_object *in = json_object_new_object ();

    gs_int_json_add_string (in, "path", j.in);
    gs_int_json_add_string (in, "format", j.disk->format);
    add_size (in, "virtual_size", j.disk->virtual_size);
    add_size (in, "allocated", j.in_allocated);
    json_object_object_add (report, "input", in);
  }
  code = run (&env, &j, &guest, report);
  if (!in_place && !j.out_is_blockdev)
    gs_cli_outfile_finish (j.out, code == GS_EXIT_OK && !dry_run, &code);
  if (code == GS_EXIT_OK && !dry_run) {
    json_object *out = json_object_new_object ();
    const char *path = in_place ? j.in : j.out;

    after = allocated (path);
    gs_int_json_add_string (out, "path", path);
    gs_int_json_add_string (out, "format", in_place ? j.disk->format
                            : j.out_fmt);
    add_size (out, "allocated", after);
    json_object_object_add (report, in_place ? "after" : "output", out);
    if (j.in_allocated >= 0 && after >= 0)
      json_object_object_add (report, "bytes_reclaimed",
                              json_object_new_int64 (j.in_allocated - after));
    gs_info ("Sparsify operation completed with no errors.%s",
             in_place ? "" : "  Check the output boots before deleting "
             "the input.");
  }
  json_object_object_add (report, "exit_status", json_object_new_int (code));
  if (code != GS_EXIT_OK)
    gs_int_report_set_error (report, gs_int_last_error ());
  if (gs_common.json)
    gs_int_report_print_json (report);
  else if (code == GS_EXIT_OK)
    print_text (report, &j, after);
  goto out;

 fail:
  code = gs_cli_fail ("sparsify", GS_EXIT_USAGE);
 out:
  json_object_put (report);
  string_vector_free_all (&j.ignore);
  string_vector_free_all (&j.zero);
  string_vector_free_all (&selections);
  gs_int_guest_free (&guest);
  gs_cli_env_free (&env);
  poptFreeContext (pc);
  return code;
}
