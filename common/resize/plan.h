/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan.h: the layout planner of `goldsmith resize' (virt-resize's
 * layout engine) as pure functions: from the source partition table, the
 * target's size and sector size, and the user's requests, compute where
 * every partition goes, or fail (before the target is touched) saying
 * why.  No appliance, no libguestfs.  docs/resize-plan.md describes the
 * algorithm and where it deliberately differs from virt-resize.
 *
 * Units: byte offsets and sizes are int64_t, sector numbers uint64_t.
 * Source positions are in bytes (as libguestfs's part_list gives them);
 * target positions are in target sectors plus the same in bytes.
 */
#ifndef GS_RESIZE_PLAN_H
#define GS_RESIZE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "string-vector.h"

/* virt-resize's constants (docs/resize-plan.md explains each). */
#define GS_RESIZE_DEFAULT_ALIGNMENT 128        /* sectors */
#define GS_RESIZE_MIN_EXTRA_PARTITION (10 * 1024 * 1024) /* bytes */
#define GS_RESIZE_MIN_DISK_SIZE (4096 * 512)   /* bytes: boot loader area */
#define GS_RESIZE_END_RESERVED 64              /* sectors free at the end */
#define GS_RESIZE_GPT_MAX_PARTITIONS 128       /* entries parted creates */
#define GS_RESIZE_BTRFS_MIN_SIZE (256 * 1024 * 1024) /* the kernel's */

enum gs_resize_table {
  GS_RESIZE_TABLE_MBR,
  GS_RESIZE_TABLE_GPT,
};

enum gs_resize_kind {
  GS_RESIZE_PRIMARY,             /* every GPT partition */
  GS_RESIZE_EXTENDED,            /* MBR 1-4, holds the logical ones */
  GS_RESIZE_LOGICAL,             /* MBR 5+, inside the extended one */
};

/* One partition of the source disk.  Strings are borrowed: the caller
 * keeps them (and the array) alive as long as any plan made from them.
 */
struct gs_resize_part {
  int num;                       /* partition number, 1.. */
  enum gs_resize_kind kind;
  int64_t start;                 /* bytes from the start of the disk */
  int64_t size;                  /* bytes */
  int mbr_id;                    /* MBR type byte, -1 if unknown */
  const char *gpt_type;          /* GPT type GUID, or NULL */
  const char *gpt_guid;          /* GPT partition GUID, or NULL */
  const char *name;              /* GPT partition name, or NULL */
  bool has_gpt_attributes;
  uint64_t gpt_attributes;
  bool bootable;
  /* What the partition holds: a filesystem type as vfs_type names it
   * ("ext4", "xfs", "ntfs", "vfat", ...), "swap", "lvm-pv", or NULL or
   * "unknown".  Ignored for extended partitions.
   */
  const char *content;
  /* Bytes the content occupies (filesystem size from statvfs, or PV
   * size), -1 if unknown.  Content is never shrunk, so without
   * --resize-force a partition cannot become smaller than this.
   */
  int64_t content_size;
};

struct gs_resize_disk {
  enum gs_resize_table table;
  uint32_t sector_size;          /* logical sector size of the source */
  int64_t size;                  /* bytes */
  const char *disk_guid;         /* GPT disk GUID, or NULL */
  const struct gs_resize_part *parts; /* in any order */
  size_t nparts;
};

/* True for the MBR type bytes that parted treats as extended. */
extern bool gs_int_resize_mbr_id_is_extended (int mbr_id);

enum gs_resize_align_first {
  GS_RESIZE_ALIGN_FIRST_AUTO,    /* only a lone bootable NTFS partition */
  GS_RESIZE_ALIGN_FIRST_NEVER,
  GS_RESIZE_ALIGN_FIRST_ALWAYS,
};

enum gs_resize_unknown_fs {
  GS_RESIZE_UNKNOWN_FS_WARN,     /* default */
  GS_RESIZE_UNKNOWN_FS_IGNORE,
  GS_RESIZE_UNKNOWN_FS_ERROR,
};

/* What the user asked for.  Initialise with gs_int_resize_requests_init
 * (the defaults), fill with gs_int_resize_request_add or directly, free
 * with gs_int_resize_requests_free.  Partitions are named as
 * virt-resize names them ("/dev/sda2", "sda2"); see
 * gs_int_resize_parse_partition.
 */
struct gs_resize_requests {
  string_vector resizes;         /* --resize PART=SIZE, in order */
  string_vector resizes_force;   /* --resize-force PART=SIZE, in order */
  string_vector deletes;         /* --delete PART */
  string_vector ignores;         /* --ignore PART */
  char *expand;                  /* --expand PART, or NULL */
  char *shrink;                  /* --shrink PART, or NULL */
  int64_t alignment;             /* --alignment, in target sectors */
  enum gs_resize_align_first align_first;
  bool extra_partition;          /* false: --no-extra-partition */
  bool keep_numbers;             /* false: number like virt-resize */
  bool expand_content;           /* false: --no-expand-content */
  enum gs_resize_unknown_fs unknown_fs;
  /* Content types whose expansion tool the appliance lacks ("xfs",
   * "ntfs", ...: what feature_available said no to).
   */
  string_vector unavailable_fs;
};

extern void gs_int_resize_requests_init (struct gs_resize_requests *rq);
extern void gs_int_resize_requests_free (struct gs_resize_requests *rq);
/* Record one option as given on the command line: --resize,
 * --resize-force, --delete, --ignore, --expand, --shrink, --alignment,
 * --align-first, --unknown-filesystems.  Reports and returns -1 for an
 * empty or repeated --expand/--shrink, a bad keyword or number.
 */
extern int gs_int_resize_request_add (struct gs_resize_requests *rq,
                                      const char *option, const char *arg);

/* The pure parsers, each reporting with gs_error (prefixed by WHAT, the
 * option and argument, if not NULL) and returning -1 on failure.
 *
 * A size as virt-resize's --resize takes it: N[bKMG] (absolute),
 * +N[bKMG], -N[bKMG], P% (of OLDSIZE), +P%, -P%; N and P may have a
 * decimal point; K, M, G are powers of 1024; a percentage counts to
 * 0.1 %.  The result may be zero or negative (the caller refuses it).
 */
extern int gs_int_resize_parse_size (const char *what, int64_t oldsize,
                                     const char *field, int64_t *ret);
/* "/dev/sda2", "sda2", "/dev/vda2", "xvda2", "nvme0n1p2", "mmcblk0p2"
 * or "2": the partition number (2).  Which disk is named does not
 * matter: the source is the only disk.
 */
extern int gs_int_resize_parse_partition (const char *what, const char *name,
                                          int *num);

enum gs_resize_action {
  GS_RESIZE_COPY,                /* same size, content copied */
  GS_RESIZE_RESIZE,              /* --resize or --resize-force */
  GS_RESIZE_EXPAND,              /* --expand: grown by the surplus */
  GS_RESIZE_SHRINK,              /* --shrink: shrunk by the deficit */
  GS_RESIZE_IGNORE,              /* created, content not copied (zeros) */
  GS_RESIZE_DELETE,              /* not created */
  GS_RESIZE_CREATE,              /* the extra partition for the surplus */
};

extern const char *gs_int_resize_action_name (enum gs_resize_action a);
/* "primary", "extended" or "logical". */
extern const char *gs_int_resize_kind_name (enum gs_resize_kind k);
/* No content known ("unknown" included). */
extern bool gs_int_resize_content_unknown (const struct gs_resize_part *p);
/* What P holds in words ("swap", "unknown data", ...), NULL for a
 * filesystem ("the TYPE filesystem").
 */
extern const char *gs_int_resize_content_description
  (const struct gs_resize_part *p);

enum gs_resize_extra {
  GS_RESIZE_EXTRA_NONE,          /* no surplus */
  GS_RESIZE_EXTRA_CREATED,
  GS_RESIZE_EXTRA_TOO_SMALL,     /* surplus under 10 MiB */
  GS_RESIZE_EXTRA_DISABLED,      /* --no-extra-partition */
  GS_RESIZE_EXTRA_NO_NUMBER,     /* no free partition number */
  GS_RESIZE_EXTRA_MBR_LIMIT,     /* starts beyond what MBR can address */
};

/* One partition of the plan.  Target positions are meaningless for a
 * deleted partition (new_num 0).
 */
struct gs_resize_plan_part {
  const struct gs_resize_part *src; /* NULL for the extra partition */
  enum gs_resize_kind kind;
  enum gs_resize_action action;
  int old_num;                   /* 0 for the extra partition */
  int new_num;                   /* 0 if not created */
  int64_t old_start, old_end, old_size; /* bytes, end inclusive */
  uint64_t new_start_sect, new_end_sect; /* target sectors, inclusive */
  int64_t new_start, new_end, new_size;  /* the same in bytes */
  int64_t requested_size;        /* what the options asked for */
  /* Bytes to copy from the old start to the new start, 0 for none.
   * For an extended partition this copies the logical partitions (and
   * their EBRs) inside it; logical partitions have 0.
   */
  int64_t copy_size;
  /* After copying, grow the content to the new size with this method
   * ("resize2fs", "ntfsresize", "xfs_growfs", "btrfs-filesystem-resize",
   * "resize.f2fs", "mkswap", "pvresize"), or NULL.
   */
  const char *expand_method;
  bool content_unexpandable;     /* resized filesystem nothing can grow */
  bool via_logical;              /* extended resized for its last logical */
  /* Bootable NTFS that moved: rewrite the boot record's "hidden
   * sectors" field (offset 0x1c) with new_start_sect.
   */
  bool fix_ntfs_boot;
};

struct gs_resize_plan {
  enum gs_resize_table table;
  const char *disk_guid;         /* the source's, kept (GPT) */
  uint32_t sector_size;          /* of the target */
  int64_t target_size;           /* bytes */
  uint64_t target_sectors;
  int64_t alignment;             /* sectors */
  bool align_first;              /* first partition moved to `alignment' */
  bool keep_numbers;
  enum gs_resize_unknown_fs unknown_fs;
  /* virt-resize's arithmetic: surplus = target_size - (required +
   * overhead).  Also set when gs_int_resize_plan fails for a deficit.
   */
  int64_t required;              /* sum of the new partition sizes */
  int64_t overhead;              /* partitioning overhead */
  int64_t surplus;               /* < 0: a deficit (failed plan) */
  /* The smallest target these requests work on: required + overhead;
   * with --expand, before the partition grows; with --shrink, where
   * the partition would reach its content's size.
   */
  int64_t min_target_size;
  enum gs_resize_extra extra;
  /* Disk order of the source, logical partitions after their extended
   * one, deleted ones included, the extra partition last.
   */
  struct gs_resize_plan_part *parts;
  size_t nparts;
};

/* Make the plan.  On failure reports one line (gs_error) naming the
 * option and partition, returns -1 and leaves PLAN without partitions;
 * for a deficit PLAN's required, overhead, surplus and min_target_size
 * are still set.  Free with gs_int_resize_plan_free either way.
 */
extern int gs_int_resize_plan (const struct gs_resize_disk *src,
                               int64_t target_size,
                               uint32_t target_sector_size,
                               const struct gs_resize_requests *rq,
                               struct gs_resize_plan *plan);
extern void gs_int_resize_plan_free (struct gs_resize_plan *plan);
/* The entry for source partition OLD_NUM (0: the extra partition). */
extern const struct gs_resize_plan_part *
gs_int_resize_plan_find (const struct gs_resize_plan *plan, int old_num);

/* --dry-run: the plan for a person.  Returns -1 on a write error. */
extern int gs_int_resize_plan_print (const struct gs_resize_plan *plan,
                                     FILE *fp);
/* --json: the plan as a new JSON object (NULL on ENOMEM). */
extern json_object *gs_int_resize_plan_json (const struct gs_resize_plan *plan);

#endif /* GS_RESIZE_PLAN_H */
