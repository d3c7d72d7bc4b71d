/* SPDX-License-Identifier: GPL-2.0-or-later */
/* resize.c: `goldsmith resize IN OUT`, virt-resize's job.
 *
 * One appliance launch: IN is added read-only, OUT writable.  The
 * source table and contents are read, every resize operation is asked
 * (in a dry run, on IN) whether it can grow each content, the planner
 * (common/resize-plan.c) lays out the target, and only then is OUT
 * written: the table (partitions keep their numbers, gaps included:
 * part_add numbers them 1, 2, 3..., then common/gpt-renumber.c moves
 * each GPT or MBR entry to its planned slot), the boot loader area, a
 * sparse copy of every partition, and the content growth by the
 * operations of family "resize" (plugins/resize/), then --lv-expand.
 *
 * With --output-size, OUT is created under a temporary name next to it
 * and renamed only when everything succeeded: a failed run leaves no
 * OUT behind, and an existing OUT is never replaced.  An existing OUT
 * is written only after the plan succeeded.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cleanups.h"
#include "gpt-renumber.h"
#include "resize-plan.h"
#include "resize-host-table.h"

enum {
  OPT_REQ_RESIZE = 1, OPT_REQ_RESIZE_FORCE, OPT_REQ_DELETE, OPT_REQ_IGNORE,
  OPT_REQ_EXPAND, OPT_REQ_SHRINK, OPT_REQ_ALIGNMENT, OPT_REQ_ALIGN_FIRST,
  OPT_REQ_UNKNOWN_FS, OPT_LV_EXPAND, OPT_OPERATIONS,
};

/* The planner's options by code, as gs_int_resize_request_add names
 * them.
 */
static const char *const req_option[] = {
  [OPT_REQ_RESIZE] = "--resize", [OPT_REQ_RESIZE_FORCE] = "--resize-force",
  [OPT_REQ_DELETE] = "--delete", [OPT_REQ_IGNORE] = "--ignore",
  [OPT_REQ_EXPAND] = "--expand", [OPT_REQ_SHRINK] = "--shrink",
  [OPT_REQ_ALIGNMENT] = "--alignment", [OPT_REQ_ALIGN_FIRST] = "--align-first",
  [OPT_REQ_UNKNOWN_FS] = "--unknown-filesystems",
};

static char *in_format, *out_format, *output_size;
static int dry_run, no_copy_boot_loader, no_expand_content;
static int no_extra_partition, no_sparse, renumber;

static struct poptOption resize_table[] = {
  { "format", '\0', POPT_ARG_STRING, &in_format, 0,
    "Format of IN (raw, qcow2, ...; default: probed)", "FMT" },
  { "output-format", '\0', POPT_ARG_STRING, &out_format, 0,
    "Format of OUT (default: probed; with --output-size: raw)", "FMT" },
  { "output-size", '\0', POPT_ARG_STRING, &output_size, 0,
    "Create OUT of this size (N[bKMG], +N[bKMG] or P% of IN)", "SIZE" },
  { "expand", '\0', POPT_ARG_STRING, NULL, OPT_REQ_EXPAND,
    "Grow PART by all the surplus space", "PART" },
  { "shrink", '\0', POPT_ARG_STRING, NULL, OPT_REQ_SHRINK,
    "Shrink PART by the deficit", "PART" },
  { "resize", '\0', POPT_ARG_STRING, NULL, OPT_REQ_RESIZE,
    "Resize a partition (repeatable)", "PART=SIZE" },
  { "resize-force", '\0', POPT_ARG_STRING, NULL, OPT_REQ_RESIZE_FORCE,
    "Resize a partition without checking its content (repeatable)",
    "PART=SIZE" },
  { "delete", '\0', POPT_ARG_STRING, NULL, OPT_REQ_DELETE,
    "Do not copy PART (repeatable)", "PART" },
  { "ignore", '\0', POPT_ARG_STRING, NULL, OPT_REQ_IGNORE,
    "Create PART but do not copy its content (repeatable)", "PART" },
  { "alignment", '\0', POPT_ARG_STRING, NULL, OPT_REQ_ALIGNMENT,
    "Partition alignment in sectors (default 128)", "N" },
  { "align-first", '\0', POPT_ARG_STRING, NULL, OPT_REQ_ALIGN_FIRST,
    "Move the first partition to the alignment: auto, never, always",
    "WHEN" },
  { "unknown-filesystems", '\0', POPT_ARG_STRING, NULL, OPT_REQ_UNKNOWN_FS,
    "A filesystem nothing can grow: ignore, warn (default), error", "MODE" },
  { "lv-expand", '\0', POPT_ARG_STRING, NULL, OPT_LV_EXPAND,
    "Grow LV to all the free space of its volume group (repeatable)", "LV" },
  { "LV-expand", '\0', POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, NULL,
    OPT_LV_EXPAND, NULL, NULL },
  { "lvexpand", '\0', POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, NULL,
    OPT_LV_EXPAND, NULL, NULL },
  { "LVexpand", '\0', POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, NULL,
    OPT_LV_EXPAND, NULL, NULL },
  { "operations", '\0', POPT_ARG_STRING, NULL, OPT_OPERATIONS,
    "Select the content operations: defaults,-name,+name,all,-all",
    "LIST" },
  { "no-copy-boot-loader", '\0', POPT_ARG_NONE, &no_copy_boot_loader, 0,
    "Do not copy the boot loader area before the first partition", NULL },
  { "no-expand-content", '\0', POPT_ARG_NONE, &no_expand_content, 0,
    "Resize partitions and LVs, never their content", NULL },
  { "no-extra-partition", '\0', POPT_ARG_NONE, &no_extra_partition, 0,
    "No partition for left-over surplus", NULL },
  { "no-sparse", '\0', POPT_ARG_NONE, &no_sparse, 0,
    "Write zero blocks too (OUT is not known to be zeroed)", NULL },
  { "renumber", '\0', POPT_ARG_NONE, &renumber, 0,
    "Number partitions 1, 2, 3... as virt-resize (default: kept)", NULL },
  { "dry-run", 'n', POPT_ARG_NONE, &dry_run, 0,
    "Print the plan; do not touch OUT", NULL },
  { "dryrun", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &dry_run, 0,
    NULL, NULL },
  { NULL, '\0', POPT_ARG_INCLUDE_TABLE, gs_common_table, 0,
    "Options of every subcommand:", NULL },
  POPT_AUTOHELP
  POPT_TABLEEND
};

/* ---- --output-size --------------------------------------------------- */

/* SIZE is a number without a unit that is zero or negative ("0",
 * "-5", "0.0"): whatever unit was meant, its value is what is wrong.
 * ("+5" is left to the parser: IN's size plus something.)
 */
static bool
bare_not_positive (const char *size)
{
  const char *p = size + (size[0] == '+' || size[0] == '-');
  size_t n = strspn (p, "0123456789.");
  const char *dot = strchr (p, '.');

  if (n == 0 || p[n] != '\0' || strspn (p, ".") == n ||
      (dot && strchr (dot + 1, '.')))
    return false;
  return size[0] == '-' || (size[0] != '+' && strspn (p, "0.") == n);
}

/* --output-size SIZE of IN (OLDSIZE bytes): OUT's size in *RET, which
 * must be greater than zero and big enough for a disk.
 */
static int
parse_output_size (const char *size, int64_t oldsize, int64_t *ret)
{
  if (bare_not_positive (size)) {
    gs_error ("--output-size %s: the size must be greater than zero", size);
    return -1;
  }
  if (gs_int_resize_parse_size ("--output-size", oldsize, size, ret) == -1)
    return -1;
  if (*ret <= 0 && (size[0] == '+' || size[0] == '-')) {
    gs_error ("--output-size %s: the size must be greater than zero "
              "(IN is %" PRId64 " bytes: this leaves %" PRId64 ")",
              size, oldsize, *ret);
    return -1;
  }
  if (*ret <= 0) {
    gs_error ("--output-size %s: the size must be greater than zero", size);
    return -1;
  }
  if (*ret < GS_RESIZE_MIN_DISK_SIZE) {
    gs_error ("--output-size %s: too small to be a disk image", size);
    return -1;
  }
  return 0;
}

/* ---- a temporary OUT, removed on failure or signal ------------------ */

static const char *tmp_out;      /* cli/outfile.c's stand-in for OUT */

/* Create OUT's stand-in (cli/outfile.c: "OUT.goldsmith-XXXXXX" beside
 * it, renamed on success) as an empty disk of SIZE bytes.
 */
static int
create_tmp_out (const char *out, const char *fmt, int64_t size)
{
  char sz[32], err[1024];

  if ((tmp_out = gs_cli_outfile_reserve (out)) == NULL)
    return -1;
  if (strcmp (fmt, "raw") == 0) {
    /* Sparse, and all zeros: what the sparse copy relies on. */
    if (truncate (tmp_out, size) == -1) {
      gs_error ("%s: cannot set the size: %m", out);
      return -1;
    }
    return 0;
  }
  snprintf (sz, sizeof sz, "%" PRIi64, size);
  {
    char *const argv[] = { (char *) "qemu-img", (char *) "create",
                           (char *) "-q", (char *) "-f", (char *) fmt,
                           (char *) tmp_out, sz, NULL };

    if (gs_int_run_qemu_img (argv, err, sizeof err, false) == -1) {
      gs_error ("%s: qemu-img create -f %s failed: %s", out, fmt,
                gs_int_first_line (err));
      return -1;
    }
  }
  return 0;
}

/* ---- reading the source ------------------------------------------- */

/* The source table, with the strings the planner borrows. */
struct source {
  struct gs_resize_disk disk;
  struct gs_resize_part *parts;
  string_vector strings;         /* owned, freed at the end */
};

static const char *
keep (struct source *src, char *s)
{
  if (s == NULL)
    return NULL;
  /* string_vector_append frees S when it fails. */
  if (string_vector_append (&src->strings, s) == -1) {
    gs_error ("out of memory");
    return NULL;
  }
  return src->strings.ptr[src->strings.len - 1];
}

static char *
part_dev (const char *dev, int num)
{
  char *r;

  if (asprintf (&r, "%s%d", dev, num) == -1)
    return NULL;
  return r;
}

/* Content of DEV as the planner and the operations name it: a vfs_type
 * filesystem type, "swap", "lvm-pv", or NULL (unknown).
 */
static char *
content_of (struct gs_session *s, const char *dev)
{
  char *t;

  s->quiet_errors = true;
  t = guestfs_vfs_type (s->g, dev);
  s->quiet_errors = false;
  if (t == NULL || t[0] == '\0' || strcmp (t, "unknown") == 0) {
    free (t);
    return NULL;
  }
  if (strcmp (t, "LVM2_member") == 0) {
    free (t);
    return strdup ("lvm-pv");
  }
  return t;
}

static int64_t
content_size_of (struct gs_session *s, const char *dev, const char *content)
{
  guestfs_h *g = s->g;
  int64_t r = -1;

  if (content == NULL || strcmp (content, "swap") == 0)
    return -1;
  if (strcmp (content, "lvm-pv") == 0) {
    struct guestfs_lvm_pv_list *pvs = guestfs_pvs_full (g);

    for (size_t i = 0; pvs && i < pvs->len; ++i)
      if (strcmp (pvs->val[i].pv_name, dev) == 0)
        r = pvs->val[i].pv_size;
    if (pvs)
      guestfs_free_lvm_pv_list (pvs);
    return r;
  }
  /* A filesystem: its size as statvfs says, mounted read-only. */
  s->quiet_errors = true;
  if (guestfs_mount_ro (g, dev, "/") == 0) {
    struct guestfs_statvfs *sv = guestfs_statvfs (g, "/");

    if (sv) {
      r = sv->bsize * sv->blocks;
      guestfs_free_statvfs (sv);
    }
    guestfs_umount_all (g);
  }
  s->quiet_errors = false;
  if (r == -1)
    gs_debug ("%s: %s: size unknown (cannot mount it)", dev, content);
  return r;
}

static int
read_source (struct gs_session *s, const char *indev, struct source *src)
{
  guestfs_h *g = s->g;
  CLEANUP_FREE char *type = NULL;
  struct guestfs_partition_list *pl;
  int ss;

  src->disk.size = guestfs_blockdev_getsize64 (g, indev);
  ss = guestfs_blockdev_getss (g, indev);
  if (src->disk.size == -1 || ss == -1)
    return -1;
  src->disk.sector_size = ss;
  s->quiet_errors = true;
  type = guestfs_part_get_parttype (g, indev);
  s->quiet_errors = false;
  if (type == NULL) {
    gs_error ("the input disk has no partition table");
    return -1;
  }
  if (strcmp (type, "msdos") == 0)
    src->disk.table = GS_RESIZE_TABLE_MBR;
  else if (strcmp (type, "gpt") == 0)
    src->disk.table = GS_RESIZE_TABLE_GPT;
  else {
    gs_error ("the input disk has a '%s' partition table: only MBR and GPT "
              "are supported", type);
    return -1;
  }
  if (src->disk.table == GS_RESIZE_TABLE_GPT &&
      (src->disk.disk_guid = keep (src, guestfs_part_get_disk_guid
                                   (g, indev))) == NULL)
    return -1;

  if ((pl = guestfs_part_list (g, indev)) == NULL)
    return -1;
  src->parts = calloc (pl->len ? pl->len : 1, sizeof *src->parts);
  if (src->parts == NULL) {
    guestfs_free_partition_list (pl);
    gs_error ("out of memory");
    return -1;
  }
  for (size_t i = 0; i < pl->len; ++i) {
    struct gs_resize_part *p = &src->parts[i];
    int n = pl->val[i].part_num;
    CLEANUP_FREE char *dev = part_dev (indev, n);

    p->num = n;
    p->start = pl->val[i].part_start;
    p->size = pl->val[i].part_size;
    p->mbr_id = -1;
    p->content_size = -1;
    if (src->disk.table == GS_RESIZE_TABLE_MBR) {
      p->mbr_id = guestfs_part_get_mbr_id (g, indev, n);
      p->kind = n >= 5 ? GS_RESIZE_LOGICAL
        : gs_int_resize_mbr_id_is_extended (p->mbr_id) ? GS_RESIZE_EXTENDED
        : GS_RESIZE_PRIMARY;
      if (p->kind != GS_RESIZE_LOGICAL)
        p->bootable = guestfs_part_get_bootable (g, indev, n) == 1;
    }
    else {
      int64_t a;

      p->kind = GS_RESIZE_PRIMARY;
      p->gpt_type = keep (src, guestfs_part_get_gpt_type (g, indev, n));
      p->gpt_guid = keep (src, guestfs_part_get_gpt_guid (g, indev, n));
      p->name = keep (src, guestfs_part_get_name (g, indev, n));
      if (p->gpt_type == NULL || p->gpt_guid == NULL || p->name == NULL)
        goto fail;
      if ((a = guestfs_part_get_gpt_attributes (g, indev, n)) != -1) {
        p->has_gpt_attributes = true;
        p->gpt_attributes = (uint64_t) a;
      }
    }
    if (p->kind != GS_RESIZE_EXTENDED && dev) {
      p->content = keep (src, content_of (s, dev));
      p->content_size = content_size_of (s, dev, p->content);
    }
    gs_debug ("source partition %d: start %" PRIi64 " size %" PRIi64
              " content %s (%" PRIi64 ")", n, p->start, p->size,
              p->content ? p->content : "unknown", p->content_size);
  }
  src->disk.parts = src->parts;
  src->disk.nparts = pl->len;
  guestfs_free_partition_list (pl);
  return 0;

 fail:
  guestfs_free_partition_list (pl);
  return -1;
}

/* ---- the resize operations ---------------------------------------- */

/* Grow DEV holding CONTENT: the resize operations that take it run
 * (the core asks each first), recorded in OPS.  -1 if one failed.
 */
static int
grow_content (struct gs_registry *reg, guestfs_h *g, const char *dev,
              const char *content, json_object *ops)
{
  const struct gs_content_opts o = { .family = "resize" };

  return gs_int_content_run (reg, g, dev, content, &o, ops, NULL)
    == GS_OP_FAILED ? -1 : 0;
}

/* Probe every content type of the source once; those no operation
 * claims go to RQ's unavailable_fs, for the planner.
 */
static int
probe_contents (struct gs_registry *reg, struct gs_session *s,
                const char *indev, const struct source *src,
                struct gs_resize_requests *rq)
{
  string_vector seen = empty_vector;
  int r = 0;

  for (size_t i = 0; i < src->disk.nparts; ++i) {
    const struct gs_resize_part *p = &src->parts[i];
    CLEANUP_FREE char *dev = part_dev (indev, p->num);
    bool dup = false;

    if (p->content == NULL || p->kind == GS_RESIZE_EXTENDED)
      continue;
    for (size_t j = 0; j < seen.len; ++j)
      dup |= strcmp (seen.ptr[j], p->content) == 0;
    if (dup)
      continue;
    string_vector_append_copy (&seen, p->content);
    if (gs_int_content_claims (reg, s->g, "resize", dev, p->content) <= 0) {
      gs_debug ("no resize operation can grow %s", p->content);
      if (string_vector_append_copy (&rq->unavailable_fs, p->content) == -1)
        r = -1;
    }
  }
  string_vector_free_all (&seen);
  return r;
}

/* --lv-expand names: "/dev/VG/LV" or "VG/LV"; each must exist on IN.
 * Fills DEVS and CONTENTS (NULL for unknown); a content nothing can
 * grow is an error with --unknown-filesystems error, else a warning.
 */
static int
check_lvs (struct gs_registry *reg, struct gs_session *s,
           const string_vector *names, enum gs_resize_unknown_fs ufs,
           string_vector *devs, string_vector *contents)
{
  CLEANUP_FREE_STRV char **lvs = guestfs_lvs (s->g);

  if (lvs == NULL)
    return -1;
  for (size_t i = 0; i < names->len; ++i) {
    const char *n = names->ptr[i];
    char *dev, *c;
    bool found = false;

    if (asprintf (&dev, "%s%s", strncmp (n, "/dev/", 5) ? "/dev/" : "",
                  n) == -1)
      return -1;
    for (size_t j = 0; lvs[j]; ++j)
      found |= strcmp (lvs[j], dev) == 0;
    if (!found) {
      gs_error ("--lv-expand %s: no such logical volume on the input disk",
                n);
      free (dev);
      return -1;
    }
    c = content_of (s, dev);
    if (c == NULL ||
        gs_int_content_claims (reg, s->g, "resize", dev, c) <= 0) {
      if (ufs == GS_RESIZE_UNKNOWN_FS_ERROR) {
        gs_error ("--lv-expand %s: unknown/unavailable method for expanding "
                  "the %s content (--unknown-filesystems error)", n,
                  c ? c : "unknown");
        free (dev);
        free (c);
        return -1;
      }
      if (ufs == GS_RESIZE_UNKNOWN_FS_WARN)
        gs_warning ("--lv-expand %s: its %s content will not be expanded", n,
                    c ? c : "unknown");
      free (c);
      c = strdup ("");           /* grow the LV only */
    }
    string_vector_append (devs, dev);
    string_vector_append (contents, c);
  }
  return 0;
}

/* ---- writing the target ------------------------------------------- */

/* parted's part_add takes the lowest free number (MBR logical: from
 * 5), so the partitions are created in disk order and then moved to
 * their planned numbers (renumber_table).  Only the primary entries
 * can move: logical partitions (in EBRs) must already come out of
 * part_add numbered as planned, which this checks before anything is
 * written.
 */
static int
check_numbering (const struct gs_resize_plan *plan)
{
  int next = 5;

  for (size_t i = 0; i < plan->nparts; ++i) {
    const struct gs_resize_plan_part *pp = &plan->parts[i];

    if (pp->new_num == 0 || pp->kind != GS_RESIZE_LOGICAL)
      continue;
    if (pp->new_num != next) {
      gs_error ("partition %d: logical partitions numbered out of disk "
                "order cannot keep their numbers", pp->old_num);
      return -1;
    }
    next++;
  }
  return 0;
}

/* pread_device of exactly LEN bytes. */
static char *
read_exact (guestfs_h *g, const char *dev, size_t len, int64_t offset)
{
  size_t got;
  char *r = guestfs_pread_device (g, dev, len, offset, &got);

  if (r && got != len) {
    gs_error ("%s: short read of %zu bytes at %" PRIi64, dev, len, offset);
    free (r);
    return NULL;
  }
  return r;
}

static int
write_exact (guestfs_h *g, const char *dev, const char *buf, size_t len,
             int64_t offset)
{
  while (len > 0) {
    int n = guestfs_pwrite_device (g, dev, buf, len, offset);

    if (n == -1)
      return -1;
    if (n == 0) {
      gs_error ("%s: cannot write at %" PRIi64, dev, offset);
      return -1;
    }
    buf += n;
    len -= n;
    offset += n;
  }
  return 0;
}

/* Move OUTDEV's GPT entries as MOVES say, in the primary and the backup
 * table (common/gpt-renumber.c fixes the CRCs).
 */
static int
renumber_gpt (guestfs_h *g, const char *outdev,
              const struct gs_renumber *moves, size_t nmoves)
{
  CLEANUP_FREE char *ph = NULL, *pa = NULL, *bh = NULL, *ba = NULL;
  struct gs_gpt_header p, b;
  int64_t ss = guestfs_blockdev_getss (g, outdev);
  size_t alen;

  if (ss == -1 || (ph = read_exact (g, outdev, ss, ss)) == NULL ||
      gs_int_gpt_header_parse ((unsigned char *) ph, ss,
                               "output disk: primary GPT header", &p) == -1)
    return -1;
  alen = (size_t) p.nentries * p.entry_size;
  if ((pa = read_exact (g, outdev, alen, p.entries_lba * ss)) == NULL ||
      (bh = read_exact (g, outdev, ss, p.alternate_lba * ss)) == NULL ||
      gs_int_gpt_header_parse ((unsigned char *) bh, ss,
                               "output disk: backup GPT header", &b) == -1)
    return -1;
  if ((size_t) b.nentries * b.entry_size != alen) {
    gs_error ("output disk: the backup GPT header describes another entry "
              "array than the primary one");
    return -1;
  }
  if ((ba = read_exact (g, outdev, alen, b.entries_lba * ss)) == NULL ||
      gs_int_gpt_renumber ((unsigned char *) ph, ss, (unsigned char *) pa,
                           alen, "output disk: primary GPT header",
                           moves, nmoves) == -1 ||
      gs_int_gpt_renumber ((unsigned char *) bh, ss, (unsigned char *) ba,
                           alen, "output disk: backup GPT header",
                           moves, nmoves) == -1)
    return -1;
  if (memcmp (pa, ba, alen) != 0) {
    gs_error ("output disk: the backup GPT entries differ from the primary "
              "ones");
    return -1;
  }
  /* Backup first: until the primary header is written, readers still
   * see the old, consistent primary table.
   */
  if (write_exact (g, outdev, ba, alen, b.entries_lba * ss) == -1 ||
      write_exact (g, outdev, bh, ss, p.alternate_lba * ss) == -1 ||
      write_exact (g, outdev, pa, alen, p.entries_lba * ss) == -1 ||
      write_exact (g, outdev, ph, ss, ss) == -1)
    return -1;
  return 0;
}

static int
renumber_mbr (guestfs_h *g, const char *outdev,
              const struct gs_renumber *moves, size_t nmoves)
{
  CLEANUP_FREE char *s0 = read_exact (g, outdev, 512, 0);

  if (s0 == NULL ||
      gs_int_mbr_renumber ((unsigned char *) s0, 512, moves, nmoves) == -1)
    return -1;
  return write_exact (g, outdev, s0 + GS_MBR_TABLE_OFFSET,
                      4 * GS_MBR_ENTRY_SIZE, GS_MBR_TABLE_OFFSET);
}

/* After part_add: give every partition its planned number by moving
 * table entries, found by their start, then have the kernel (and so
 * parted and the /dev/sdbN nodes) read the table again.
 */
static int
renumber_table (guestfs_h *g, const char *outdev,
                const struct gs_resize_plan *plan)
{
  struct guestfs_partition_list *pl;
  struct gs_renumber *moves;
  size_t nmoves = 0;
  int r = -1;

  if ((pl = guestfs_part_list (g, outdev)) == NULL)
    return -1;
  if ((moves = calloc (plan->nparts + 1, sizeof *moves)) == NULL) {
    gs_error ("out of memory");
    goto out;
  }
  for (size_t i = 0; i < plan->nparts; ++i) {
    const struct gs_resize_plan_part *pp = &plan->parts[i];
    int cur = 0;

    if (pp->new_num == 0)
      continue;
    for (size_t j = 0; j < pl->len; ++j)
      if ((int64_t) pl->val[j].part_start == pp->new_start)
        cur = pl->val[j].part_num;
    if (cur == 0) {
      gs_error ("partition %d: parted did not create it at sector %" PRIu64,
                pp->old_num, pp->new_start_sect);
      goto out;
    }
    if (cur != pp->new_num) {
      gs_debug ("partition %d: created as %d, moved to %d", pp->old_num, cur,
                pp->new_num);
      moves[nmoves].from = cur;
      moves[nmoves++].to = pp->new_num;
    }
  }
  if (nmoves == 0) {
    r = 0;
    goto out;
  }
  if ((plan->table == GS_RESIZE_TABLE_GPT
       ? renumber_gpt (g, outdev, moves, nmoves)
       : renumber_mbr (g, outdev, moves, nmoves)) == -1 ||
      guestfs_sync (g) == -1 || guestfs_blockdev_rereadpt (g, outdev) == -1)
    goto out;
  r = 0;
 out:
  free (moves);
  guestfs_free_partition_list (pl);
  return r;
}

static int
create_table (guestfs_h *g, const char *outdev,
              const struct gs_resize_plan *plan)
{
  bool gpt = plan->table == GS_RESIZE_TABLE_GPT;
  struct guestfs_partition_list *pl;
  int r = 0;

  if (guestfs_part_init (g, outdev, gpt ? "gpt" : "msdos") == -1)
    return -1;
  if (gpt && plan->disk_guid &&
      guestfs_part_set_disk_guid (g, outdev, plan->disk_guid) == -1)
    return -1;
  for (size_t i = 0; i < plan->nparts; ++i) {
    const struct gs_resize_plan_part *pp = &plan->parts[i];

    if (pp->new_num == 0)
      continue;
    if (guestfs_part_add (g, outdev,
                          pp->kind == GS_RESIZE_EXTENDED ? "extended"
                          : pp->kind == GS_RESIZE_LOGICAL ? "logical"
                          : "primary",
                          pp->new_start_sect, pp->new_end_sect) == -1)
      return -1;
  }
  if (renumber_table (g, outdev, plan) == -1)
    return -1;
  /* Every partition has its planned number and start now. */
  if ((pl = guestfs_part_list (g, outdev)) == NULL)
    return -1;
  for (size_t i = 0; i < plan->nparts && r == 0; ++i) {
    const struct gs_resize_plan_part *pp = &plan->parts[i];
    bool ok = pp->new_num == 0;

    for (size_t j = 0; j < pl->len && !ok; ++j)
      ok = pl->val[j].part_num == pp->new_num &&
        (int64_t) pl->val[j].part_start == pp->new_start;
    if (!ok) {
      gs_error ("partition %d: the output's partition %d is not where "
                "planned", pp->old_num, pp->new_num);
      r = -1;
    }
  }
  guestfs_free_partition_list (pl);
  if (r == -1)
    return -1;

  for (size_t i = 0; i < plan->nparts; ++i) {
    const struct gs_resize_plan_part *pp = &plan->parts[i];
    const struct gs_resize_part *p = pp->src;
    int n = pp->new_num;

    if (n == 0 || p == NULL)
      continue;
    if (!gpt) {
      if (p->bootable && guestfs_part_set_bootable (g, outdev, n, 1) == -1)
        return -1;
      /* Logical partitions too: part_add made them all 0x83. */
      if (p->mbr_id >= 0 &&
          guestfs_part_set_mbr_id (g, outdev, n, p->mbr_id) == -1)
        return -1;
      continue;
    }
    if ((p->gpt_type &&
         guestfs_part_set_gpt_type (g, outdev, n, p->gpt_type) == -1) ||
        (p->gpt_guid &&
         guestfs_part_set_gpt_guid (g, outdev, n, p->gpt_guid) == -1) ||
        (p->name && p->name[0] &&
         guestfs_part_set_name (g, outdev, n, p->name) == -1) ||
        (p->has_gpt_attributes &&
         guestfs_part_set_gpt_attributes (g, outdev, n,
                                          (int64_t) p->gpt_attributes) == -1))
      return -1;
  }
  return 0;
}

static int
copy_range (guestfs_h *g, const char *indev, const char *outdev,
            int64_t from, int64_t to, int64_t size)
{
  if (size <= 0)
    return 0;
  return guestfs_copy_device_to_device (g, indev, outdev,
    GUESTFS_COPY_DEVICE_TO_DEVICE_SRCOFFSET, from,
    GUESTFS_COPY_DEVICE_TO_DEVICE_DESTOFFSET, to,
    GUESTFS_COPY_DEVICE_TO_DEVICE_SIZE, size,
    GUESTFS_COPY_DEVICE_TO_DEVICE_SPARSE, !no_sparse,
    -1);
}

/* The boot code of sector 0 (not the table), then what lies between
 * the table (MBR: sector 0; GPT: header and entries, 17408 bytes) and
 * the first partition, at most 2 MiB, in either disk.
 */
static int
copy_boot_loader (guestfs_h *g, const char *indev, const char *outdev,
                  const struct source *src, const struct gs_resize_plan *plan)
{
  CLEANUP_FREE char *code = NULL;
  size_t n;
  int64_t from = plan->table == GS_RESIZE_TABLE_GPT ? 17408 : 512;
  int64_t end = GS_RESIZE_MIN_DISK_SIZE;

  for (size_t i = 0; i < src->disk.nparts; ++i)
    if (src->parts[i].start < end)
      end = src->parts[i].start;
  for (size_t i = 0; i < plan->nparts; ++i)
    if (plan->parts[i].new_num && plan->parts[i].new_start < end)
      end = plan->parts[i].new_start;
  if ((code = guestfs_pread_device (g, indev, 446, 0, &n)) == NULL ||
      guestfs_pwrite_device (g, outdev, code, n, 0) == -1)
    return -1;
  return copy_range (g, indev, outdev, from, from, end - from);
}

static int
copy_partitions (guestfs_h *g, const char *indev, const char *outdev,
                 const struct gs_resize_plan *plan)
{
  for (size_t i = 0; i < plan->nparts; ++i) {
    const struct gs_resize_plan_part *pp = &plan->parts[i];
    int64_t size;

    /* Logical partitions are created by part_add (which writes their
     * EBRs) and copied one by one, like primary ones: the extended
     * partition itself has nothing else to copy.
     */
    if (pp->src == NULL || pp->new_num == 0 ||
        pp->kind == GS_RESIZE_EXTENDED ||
        pp->action == GS_RESIZE_IGNORE || pp->action == GS_RESIZE_DELETE)
      continue;
    size = pp->old_size < pp->new_size ? pp->old_size : pp->new_size;
    gs_info ("Copying partition %d (%" PRIi64 " bytes) ...", pp->old_num,
             size);
    if (copy_range (g, indev, outdev, pp->old_start, pp->new_start,
                    size) == -1)
      return -1;
    if (pp->fix_ntfs_boot) {
      unsigned char h[4];
      uint64_t s = pp->new_start_sect;

      for (int k = 0; k < 4; ++k)
        h[k] = (s >> (8 * k)) & 0xff;
      if (guestfs_pwrite_device (g, outdev, (const char *) h, 4,
                                 pp->new_start + 0x1c) == -1)
        return -1;
    }
  }
  return 0;
}

/* ---- the command ---------------------------------------------------- */

struct job {
  const char *in, *out;
  struct gs_disk *indisk, *outdisk;   /* outdisk NULL: dry run, no OUT */
  int64_t out_size;
  string_vector lv_expand;
  struct gs_resize_requests rq;
};

static int
run (struct gs_env *env, struct job *j, struct gs_guest *guest,
     json_object *report)
{
  struct gs_session_opts so = {
    .settings = &env->settings,
    .verbose = gs_common.verbose,
    .trace = gs_common.trace,
    .progress = !gs_common.quiet && !gs_common.json && isatty (2),
  };
  struct gs_session s = { 0 };
  struct source src = { .strings = empty_vector };
  struct gs_resize_plan plan = { 0 };
  string_vector lv_devs = empty_vector, lv_contents = empty_vector;
  CLEANUP_FREE_STRV char **devs = NULL;
  const char *indev, *outdev = NULL;
  json_object *ops = json_object_new_array ();
  int code = GS_EXIT_ERROR;
  guestfs_h *g;

  json_object_object_add (report, "operations", ops);
  gs_info ("Launching the appliance ...");
  if (gs_int_session_launch (&s, guest, 1, &so) == -1)
    goto out;
  g = s.g;
  if ((devs = guestfs_list_devices (g)) == NULL || devs[0] == NULL)
    goto out;
  indev = devs[0];
  if (j->outdisk) {
    if (devs[1] == NULL) {
      gs_error ("the appliance does not show the output disk");
      goto out;
    }
    outdev = devs[1];
  }
  {                              /* LVM: the source's volumes only */
    char *f[] = { (char *) indev, NULL };
    if (guestfs_lvm_set_filter (g, f) == -1)
      goto out;
  }

  /* Everything below up to the plan is bad input if it fails. */
  code = GS_EXIT_USAGE;
  if (read_source (&s, indev, &src) == -1)
    goto out;
  if (probe_contents (&env->reg, &s, indev, &src, &j->rq) == -1 ||
      check_lvs (&env->reg, &s, &j->lv_expand, j->rq.unknown_fs,
                 &lv_devs, &lv_contents) == -1)
    goto out;
  {
    int64_t size = outdev ? guestfs_blockdev_getsize64 (g, outdev)
                          : j->out_size;
    int ss = outdev ? guestfs_blockdev_getss (g, outdev) : 512;

    if (size == -1 || ss == -1) {
      code = GS_EXIT_ERROR;
      goto out;
    }
    if (gs_int_resize_plan (&src.disk, size, ss, &j->rq, &plan) == -1 ||
        check_numbering (&plan) == -1)
      goto out;
  }
  json_object_object_add (report, "plan", gs_int_resize_plan_json (&plan));
  {
    json_object *jl = json_object_new_array ();

    for (size_t i = 0; i < lv_devs.len; ++i)
      json_object_array_add (jl, json_object_new_string (lv_devs.ptr[i]));
    json_object_object_add (report, "lv_expand", jl);
  }
  if (!gs_common.quiet && !gs_common.json) {
    gs_int_resize_plan_print (&plan, stdout);
    for (size_t i = 0; i < lv_devs.len; ++i)
      printf ("%s: this logical volume will be expanded to the maximum "
              "size%s%s%s\n", lv_devs.ptr[i],
              lv_contents.ptr[i][0] ? ".  Its " : "",
              lv_contents.ptr[i][0] ? lv_contents.ptr[i] : "",
              lv_contents.ptr[i][0] ? " content will be expanded too." : "");
    fflush (stdout);
  }
  if (dry_run) {
    code = GS_EXIT_OK;
    goto out;
  }

  /* From here on OUT is written: failures are runtime failures. */
  code = GS_EXIT_ERROR;
  gs_info ("Creating the partition table of the output disk ...");
  if (create_table (g, outdev, &plan) == -1)
    goto out;
  if (!no_copy_boot_loader &&
      copy_boot_loader (g, indev, outdev, &src, &plan) == -1)
    goto out;
  if (copy_partitions (g, indev, outdev, &plan) == -1)
    goto out;

  {
    bool any = lv_devs.len > 0;
    for (size_t i = 0; i < plan.nparts; ++i)
      any |= plan.parts[i].expand_method != NULL;
    if (any) {
      /* The output's volumes only: IN holds the same VG names. */
      char *f[] = { (char *) outdev, NULL };
      if (guestfs_lvm_set_filter (g, f) == -1)
        goto out;
    }
  }
  for (size_t i = 0; i < plan.nparts; ++i) {
    const struct gs_resize_plan_part *pp = &plan.parts[i];
    CLEANUP_FREE char *dev = NULL;

    if (pp->expand_method == NULL || pp->content_unexpandable ||
        pp->src == NULL)
      continue;
    if ((dev = part_dev (outdev, pp->new_num)) == NULL)
      goto out;
    gs_info ("Expanding the %s on partition %d ...", pp->src->content,
             pp->new_num);
    if (grow_content (&env->reg, g, dev, pp->src->content, ops) == -1)
      goto out;
  }
  for (size_t i = 0; i < lv_devs.len; ++i) {
    gs_info ("Expanding %s ...", lv_devs.ptr[i]);
    if (guestfs_lvresize_free (g, lv_devs.ptr[i], 100) == -1)
      goto out;
    if (!no_expand_content && lv_contents.ptr[i][0] &&
        grow_content (&env->reg, g, lv_devs.ptr[i], lv_contents.ptr[i],
                      ops) == -1)
      goto out;
  }
  code = GS_EXIT_OK;

 out:
  gs_int_report_appliance (report, &s, &env->settings);
  if (gs_int_session_close (&s) == -1 && code == GS_EXIT_OK) {
    gs_error ("the appliance did not shut down cleanly: the output may be "
              "incomplete");
    code = GS_EXIT_ERROR;
  }
  gs_int_resize_plan_free (&plan);
  free (src.parts);
  string_vector_free_all (&src.strings);
  string_vector_free_all (&lv_devs);
  string_vector_free_all (&lv_contents);
  return code;
}

int
gs_cmd_resize (int argc, const char **argv)
{
  poptContext pc;
  struct gs_env env = { 0 };
  struct gs_guest guest = { 0 };
  struct job j = { .lv_expand = empty_vector };
  string_vector selections = empty_vector;
  json_object *report = NULL;
  int rc, code = GS_EXIT_USAGE;
  struct stat st;

  gs_int_resize_requests_init (&j.rq);
  pc = poptGetContext ("goldsmith resize", argc, argv, resize_table, 0);
  poptSetOtherOptionHelp (pc, "[OPTION...] IN OUT");
  while ((rc = poptGetNextOpt (pc)) > 0) {
    int c = gs_cli_common_option (pc, rc);
    char *v;

    if (c == -1)
      goto out;
    if (c == 0)
      continue;
    v = poptGetOptArg (pc);
    if (rc == OPT_LV_EXPAND) {
      if (string_vector_append (&j.lv_expand, v) == -1)
        goto fail;
      continue;
    }
    if (rc == OPT_OPERATIONS) {
      if (string_vector_append (&selections, v) == -1)
        goto fail;
      continue;
    }
    c = gs_int_resize_request_add (&j.rq, req_option[rc], v);
    free (v);
    if (c == -1)
      goto fail;
  }
  if (gs_cli_options_end (pc, "resize", rc, &code))
    goto out;
  j.in = poptGetArg (pc);
  j.out = poptGetArg (pc);
  if (j.in == NULL || j.out == NULL || poptPeekArg (pc)) {
    gs_error ("resize: give exactly two disks: IN OUT");
    goto fail;
  }
  j.rq.keep_numbers = !renumber;
  j.rq.extra_partition = !no_extra_partition;
  j.rq.expand_content = !no_expand_content;

  /* IN and OUT, checked before any launch. */
  if (gs_cli_same_file (j.in, j.out)) {
    gs_error ("resize: IN and OUT are the same disk (%s): goldsmith resize "
              "never works in place", j.in);
    goto fail;
  }
  if (gs_int_guest_add_disk (&guest, j.in, in_format, true) == -1 ||
      (guest.name = strdup (j.in)) == NULL ||
      gs_int_disk_check (&guest.disks[0]) == -1)
    goto fail;
  if (output_size) {
    if (stat (j.out, &st) == 0) {
      gs_error ("%s: already exists (--output-size creates OUT: remove it, "
                "or drop --output-size to write into it)", j.out);
      goto fail;
    }
    if (parse_output_size (output_size, guest.disks[0].virtual_size,
                           &j.out_size) == -1)
      goto fail;
    if (out_format == NULL && (out_format = strdup ("raw")) == NULL)
      goto fail;
  }
  else {
    if (stat (j.out, &st) == -1) {
      gs_error ("%s: %m (create OUT first, or give --output-size)", j.out);
      goto fail;
    }
    if (gs_int_guest_add_disk (&guest, j.out, out_format, dry_run) == -1 ||
        gs_int_disk_check (&guest.disks[1]) == -1 ||
        (!dry_run && gs_int_lock_image (j.out) == -1))
      goto fail;
  }

  if (gs_cli_load_family (&env, "resize", &selections) == -1)
    goto fail;
  /* What the source's table alone decides, refused before the launch
   * (an existing OUT that is a device: its sector size is the
   * appliance's to say).
   */
  if (resize_host_preplan (&guest.disks[0],
                           output_size ? j.out_size
                           : S_ISREG (guest.disks[1].mode)
                           ? guest.disks[1].virtual_size : 0,
                           &j.rq) == -1)
    goto fail;

  if (output_size && !dry_run) {
    if (create_tmp_out (j.out, out_format, j.out_size) == -1)
      goto fail_tmp;
    if (gs_int_guest_add_disk (&guest, tmp_out, out_format, false) == -1)
      goto fail_tmp;
  }
  j.indisk = &guest.disks[0];
  j.outdisk = guest.ndisks > 1 ? &guest.disks[1] : NULL;

  report = gs_int_report_new ("resize", dry_run);
  gs_int_json_add_string (report, "input", j.in);
  gs_int_json_add_string (report, "output", j.out);
  code = run (&env, &j, &guest, report);
  gs_cli_outfile_finish (j.out, code == GS_EXIT_OK, &code);
  if (code == GS_EXIT_OK && !dry_run)
    gs_info ("Resize operation completed with no errors.  Check the output "
             "disk boots before deleting the input disk.");
  json_object_object_add (report, "exit_status", json_object_new_int (code));
  if (code != GS_EXIT_OK)
    gs_int_report_set_error (report, gs_int_last_error ());
  if (gs_common.json)
    gs_int_report_print_json (report);
  goto out;

 fail_tmp:
  gs_cli_outfile_finish (j.out, false, &code);
 fail:
  code = gs_cli_fail ("resize", GS_EXIT_USAGE);
 out:
  json_object_put (report);
  gs_int_resize_requests_free (&j.rq);
  string_vector_free_all (&j.lv_expand);
  string_vector_free_all (&selections);
  gs_int_guest_free (&guest);
  gs_cli_env_free (&env);
  poptFreeContext (pc);
  return code;
}
