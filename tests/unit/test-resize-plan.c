/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-resize-plan: the layout planner of `goldsmith resize'
 * (common/resize/plan.c) on hand-made partition tables.  Every expected
 * number is worked out by hand in the comment above it from the
 * algorithm in docs/resize-plan.md (virt-resize's), never by running
 * the code:
 *
 *   overhead = ss * (max (64, 4096, first_start / ss)
 *                    + alignment * (partitions + 1) + 64)
 *   surplus  = target - (sum of new sizes + overhead)
 *   a partition starts where the previous one's aligned end is; a kept
 *   one is its size rounded up to sectors, a resized one ends just
 *   before the next aligned start; the extra partition ends 64 sectors
 *   before the end of the disk.
 *
 * Sizes: 1 MiB = 1048576, 1 GiB = 1073741824; sectors are 512 bytes
 * unless a test says 4096.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "common/resize/plan.h"
#include "tap.h"
#include "unit-util.h"

#define MiB INT64_C (1048576)
#define GiB INT64_C (1073741824)
#define TiB (GiB * 1024)

#define PLANNED 797

/* ---- The source disks ---------------------------------------------- */

/* A: MBR, 256 MiB, like tests/make-phony-guests.sh's fedora.img.
 *   1  sectors   2048-133119  64 MiB   ext4 (60 MiB), bootable
 *   2  sectors 133120-522239  190 MiB  LVM PV (186 MiB)
 */
static const struct gs_resize_part a_parts[] = {
  { .num = 1, .kind = GS_RESIZE_PRIMARY, .start = 2048 * 512,
    .size = 64 * MiB, .mbr_id = 0x83, .bootable = true,
    .content = "ext4", .content_size = 60 * MiB },
  { .num = 2, .kind = GS_RESIZE_PRIMARY, .start = 133120 * 512,
    .size = 190 * MiB, .mbr_id = 0x8e,
    .content = "lvm-pv", .content_size = 186 * MiB },
};
static const struct gs_resize_disk disk_a = {
  .table = GS_RESIZE_TABLE_MBR, .sector_size = 512, .size = 256 * MiB,
  .parts = a_parts, .nparts = 2,
};

/* A with a full PV, which cannot shrink. */
static const struct gs_resize_part a_full_parts[] = {
  { .num = 1, .kind = GS_RESIZE_PRIMARY, .start = 2048 * 512,
    .size = 64 * MiB, .mbr_id = 0x83, .content = "ext4",
    .content_size = 60 * MiB },
  { .num = 2, .kind = GS_RESIZE_PRIMARY, .start = 133120 * 512,
    .size = 190 * MiB, .mbr_id = 0x8e, .content = "lvm-pv",
    .content_size = 190 * MiB },
};
static const struct gs_resize_disk disk_a_full = {
  .table = GS_RESIZE_TABLE_MBR, .sector_size = 512, .size = 256 * MiB,
  .parts = a_full_parts, .nparts = 2,
};

/* B: an Ubuntu cloud image (GPT, 4612096 sectors = 2361393152 bytes),
 * listed in number order, which is not disk order:
 *   1   sectors 227328-4612062  2244984320 bytes  ext4 (2 GiB)
 *   14  sectors   2048-10239    4 MiB             BIOS boot
 *   15  sectors  10240-227327   106 MiB           EFI system (vfat)
 */
#define UBUNTU_DISK_GUID "B4E5D2A1-7D0C-4F3E-9A1B-2C3D4E5F6A7B"
static const struct gs_resize_part b_parts[] = {
  { .num = 1, .kind = GS_RESIZE_PRIMARY, .start = INT64_C (227328) * 512,
    .size = INT64_C (4384735) * 512,
    .gpt_type = "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
    .gpt_guid = "11111111-2222-3333-4444-555555555555",
    .name = "cloudimg-rootfs", .content = "ext4", .content_size = 2 * GiB },
  { .num = 14, .kind = GS_RESIZE_PRIMARY, .start = 2048 * 512,
    .size = 4 * MiB, .gpt_type = "21686148-6449-6E6F-744E-656564454649",
    .gpt_guid = "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE",
    .has_gpt_attributes = true, .gpt_attributes = 0x4,
    .content = "unknown", .content_size = -1 },
  { .num = 15, .kind = GS_RESIZE_PRIMARY, .start = 10240 * 512,
    .size = INT64_C (217088) * 512,
    .gpt_type = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
    .gpt_guid = "99999999-8888-7777-6666-555555555555",
    .name = "UEFI\x1b[31m", .has_gpt_attributes = true,
    .gpt_attributes = UINT64_C (0x8000000000000001),
    .content = "vfat", .content_size = 100 * MiB },
};
static const struct gs_resize_disk disk_b = {
  .table = GS_RESIZE_TABLE_GPT, .sector_size = 512,
  .size = INT64_C (4612096) * 512, .disk_guid = UBUNTU_DISK_GUID,
  .parts = b_parts, .nparts = 3,
};

/* D: Windows XP (MBR, 64 MiB): one bootable NTFS partition at sector 63
 * (32256 bytes, not 4 KiB-aligned), 130977 sectors.
 */
static const struct gs_resize_part d_parts[] = {
  { .num = 1, .kind = GS_RESIZE_PRIMARY, .start = 63 * 512,
    .size = INT64_C (130977) * 512, .mbr_id = 0x07, .bootable = true,
    .content = "ntfs", .content_size = INT64_C (130977) * 512 },
};
static const struct gs_resize_disk disk_d = {
  .table = GS_RESIZE_TABLE_MBR, .sector_size = 512, .size = 64 * MiB,
  .parts = d_parts, .nparts = 1,
};
/* D, not bootable: --align-first auto leaves it where it is. */
static const struct gs_resize_part d_nb_parts[] = {
  { .num = 1, .kind = GS_RESIZE_PRIMARY, .start = 63 * 512,
    .size = INT64_C (130977) * 512, .mbr_id = 0x07,
    .content = "ntfs", .content_size = INT64_C (130977) * 512 },
};
static const struct gs_resize_disk disk_d_nb = {
  .table = GS_RESIZE_TABLE_MBR, .sector_size = 512, .size = 64 * MiB,
  .parts = d_nb_parts, .nparts = 1,
};

/* E: GPT, 64 MiB, one partition at sector 34 (the first usable one with
 * 512-byte sectors), 100000 sectors of unknown content.
 */
static const struct gs_resize_part e_parts[] = {
  { .num = 1, .kind = GS_RESIZE_PRIMARY, .start = 34 * 512,
    .size = INT64_C (100000) * 512, .content_size = -1 },
};
static const struct gs_resize_disk disk_e = {
  .table = GS_RESIZE_TABLE_GPT, .sector_size = 512, .size = 64 * MiB,
  .parts = e_parts, .nparts = 1,
};

/* F: MBR, 512 MiB, with logical partitions:
 *   1  sectors   2048-206847   100 MiB  ext4 (full)
 *   2  sectors 206848-1048575  extended (841728 sectors, 430964736 bytes)
 *   5  sectors 208896-413695   100 MiB  swap
 *   6  sectors 415744-1048575  632832 sectors (324009984 bytes), ext4
 *                              (200 MiB); ends where 2 ends
 */
static const struct gs_resize_part f_parts[] = {
  { .num = 1, .kind = GS_RESIZE_PRIMARY, .start = 2048 * 512,
    .size = 100 * MiB, .mbr_id = 0x83, .content = "ext4",
    .content_size = 100 * MiB },
  { .num = 2, .kind = GS_RESIZE_EXTENDED, .start = INT64_C (206848) * 512,
    .size = INT64_C (841728) * 512, .mbr_id = 0x05, .content_size = -1 },
  { .num = 5, .kind = GS_RESIZE_LOGICAL, .start = INT64_C (208896) * 512,
    .size = 100 * MiB, .mbr_id = 0x82, .content = "swap",
    .content_size = -1 },
  { .num = 6, .kind = GS_RESIZE_LOGICAL, .start = INT64_C (415744) * 512,
    .size = INT64_C (632832) * 512, .mbr_id = 0x83, .content = "ext4",
    .content_size = 200 * MiB },
};
static const struct gs_resize_disk disk_f = {
  .table = GS_RESIZE_TABLE_MBR, .sector_size = 512, .size = 512 * MiB,
  .parts = f_parts, .nparts = 4,
};

/* F2: F with 1 MiB (2048 sectors) free after 6, inside 2: 6 is 630784
 * sectors (322961408 bytes), 415744-1046527.
 */
static const struct gs_resize_part f2_parts[] = {
  { .num = 1, .kind = GS_RESIZE_PRIMARY, .start = 2048 * 512,
    .size = 100 * MiB, .mbr_id = 0x83, .content = "ext4",
    .content_size = 100 * MiB },
  { .num = 2, .kind = GS_RESIZE_EXTENDED, .start = INT64_C (206848) * 512,
    .size = INT64_C (841728) * 512, .mbr_id = 0x0f, .content_size = -1 },
  { .num = 5, .kind = GS_RESIZE_LOGICAL, .start = INT64_C (208896) * 512,
    .size = 100 * MiB, .mbr_id = 0x82, .content = "swap",
    .content_size = -1 },
  { .num = 6, .kind = GS_RESIZE_LOGICAL, .start = INT64_C (415744) * 512,
    .size = INT64_C (630784) * 512, .mbr_id = 0x83, .content = "ext4",
    .content_size = 200 * MiB },
};
static const struct gs_resize_disk disk_f2 = {
  .table = GS_RESIZE_TABLE_MBR, .sector_size = 512, .size = 512 * MiB,
  .parts = f2_parts, .nparts = 4,
};

/* G: MBR, 64 MiB, four primary partitions of 8 MiB (16384 sectors) at
 * sectors 2048, 18432, 34816, 51200: no MBR slot is free.
 */
static const struct gs_resize_part g_parts[] = {
  { .num = 1, .kind = GS_RESIZE_PRIMARY, .start = 2048 * 512,
    .size = 8 * MiB, .content_size = -1 },
  { .num = 2, .kind = GS_RESIZE_PRIMARY, .start = 18432 * 512,
    .size = 8 * MiB, .content_size = -1 },
  { .num = 3, .kind = GS_RESIZE_PRIMARY, .start = 34816 * 512,
    .size = 8 * MiB, .content_size = -1 },
  { .num = 4, .kind = GS_RESIZE_PRIMARY, .start = 51200 * 512,
    .size = 8 * MiB, .content_size = -1 },
};
static const struct gs_resize_disk disk_g = {
  .table = GS_RESIZE_TABLE_MBR, .sector_size = 512, .size = 64 * MiB,
  .parts = g_parts, .nparts = 4,
};

/* ---- Helpers ------------------------------------------------------- */

static struct gs_resize_requests rq;
static struct gs_resize_plan pl;
static char *err;

static void
req (const char *option, const char *arg)
{
  if (gs_int_resize_request_add (&rq, option, arg) == -1) {
    printf ("Bail out! %s %s refused\n", option, arg);
    exit (EXIT_FAILURE);
  }
}

/* A request refused as given (before any launch), in one line holding
 * NEEDLE; then put into the requests anyway, so that the planner's own
 * check of it runs too.  1 test.
 */
static void
early (const char *option, const char *arg, const char *needle)
{
  char *e;
  int r;

  unit_capture_begin ();
  r = gs_int_resize_request_add (&rq, option, arg);
  e = unit_capture_end ();
  if (!ok (r == -1 && unit_one_line (e) && unit_contains (e, needle),
           "%s '%s' is refused as given", option, arg))
    diag ("r = %d, stderr: %s", r, e);
  free (e);
  string_vector_append_copy (strcmp (option, "--resize") == 0
                             ? &rq.resizes : &rq.resizes_force, arg);
}

/* Plan DISK onto TARGET bytes of SS-byte sectors with the requests in
 * rq, then start afresh with the defaults.  stderr goes to err.
 */
static int
run (const struct gs_resize_disk *disk, int64_t target, uint32_t ss)
{
  int r;

  gs_int_resize_plan_free (&pl);
  free (err);
  unit_capture_begin ();
  r = gs_int_resize_plan (disk, target, ss, &rq, &pl);
  err = unit_capture_end ();
  gs_int_resize_requests_free (&rq);
  gs_int_resize_requests_init (&rq);
  return r;
}

/* It plans, silently.  1 test. */
static void
plans (const struct gs_resize_disk *disk, int64_t target, uint32_t ss,
       const char *desc)
{
  int r = run (disk, target, ss);

  if (!ok (r == 0 && err[0] == '\0', "%s: planned", desc))
    diag ("r = %d, stderr: %s", r, err);
}

/* It refuses, with one line containing NEEDLE.  2 tests. */
static void
refuses (const struct gs_resize_disk *disk, int64_t target, uint32_t ss,
         const char *needle, const char *desc)
{
  int r = run (disk, target, ss);

  ok (r == -1 && pl.nparts == 0 && unit_one_line (err),
      "%s: refused, in one line", desc);
  if (!ok (unit_contains (err, needle), "%s: says \"%s\"", desc, needle))
    diag ("stderr: %s", err);
}

static const struct gs_resize_plan_part *
part (int old_num)
{
  static const struct gs_resize_plan_part none;
  const struct gs_resize_plan_part *pp = gs_int_resize_plan_find (&pl,
                                                                  old_num);

  return pp ? pp : &none;
}

/* Source partition OLD (0: the extra one) becomes partition NEW, by
 * ACTION, at target sectors START-END (0-0 if not created).  5 tests.
 */
static void
part_is (int old, int new_num, enum gs_resize_action action,
         uint64_t start, uint64_t end, const char *desc)
{
  const struct gs_resize_plan_part *pp = part (old);

  ok (gs_int_resize_plan_find (&pl, old) != NULL, "%s: %d is in the plan",
      desc, old);
  is_int (pp->new_num, new_num, "%s: %d is now partition %d", desc, old,
          new_num);
  is_str (gs_int_resize_action_name (pp->action),
          gs_int_resize_action_name (action), "%s: %d: %s", desc, old,
          gs_int_resize_action_name (action));
  is_int (pp->new_start_sect, start, "%s: %d starts at sector %llu", desc,
          old, (unsigned long long) start);
  is_int (pp->new_end_sect, end, "%s: %d ends at sector %llu", desc, old,
          (unsigned long long) end);
}

static bool
parses (int64_t oldsize, const char *field, int64_t expected)
{
  int64_t got = -12345;
  int r;

  unit_capture_begin ();
  r = gs_int_resize_parse_size (NULL, oldsize, field, &got);
  free (unit_capture_end ());
  return is_int (r == 0 ? got : -12345, expected, "size '%s' of %lld is "
                 "%lld", field, (long long) oldsize, (long long) expected);
}

/* 2 tests */
static void
bad_size (const char *field, const char *needle)
{
  int64_t got;
  char *e;
  int r;

  unit_capture_begin ();
  r = gs_int_resize_parse_size ("--resize 'sda1=x'", GiB, field, &got);
  e = unit_capture_end ();
  ok (r == -1 && unit_one_line (e), "size '%s' is refused", field);
  if (!ok (unit_contains (e, needle), "size '%s': says \"%s\"", field,
           needle))
    diag ("stderr: %s", e);
  free (e);
}

static void
partition_name (const char *name, int expected)
{
  int num = -1, r;

  unit_capture_begin ();
  r = gs_int_resize_parse_partition (NULL, name, &num);
  free (unit_capture_end ());
  if (expected > 0)
    is_int (r == 0 ? num : -1, expected, "'%s' is partition %d", name,
            expected);
  else
    ok (r == -1, "'%s' is not a partition name", name);
}

static void
human (int64_t n, const char *expected)
{
  char buf[32];

  is_str (gs_int_human_size (n, buf, sizeof buf), expected,
          "%lld bytes are %s", (long long) n, expected);
}

/* The text of the plan. */
static char *
text (void)
{
  char *s = NULL;
  size_t len = 0;
  FILE *fp = open_memstream (&s, &len);

  if (fp == NULL || gs_int_resize_plan_print (&pl, fp) == -1) {
    printf ("Bail out! cannot print the plan\n");
    exit (EXIT_FAILURE);
  }
  fclose (fp);
  return s;
}

static bool
has (const char *s, const char *needle)
{
  if (!ok (unit_contains (s, needle), "the text says \"%s\"", needle)) {
    diag ("text:\n%s", s);
    return false;
  }
  return true;
}

static json_object *
get (json_object *o, const char *path)
{
  char *copy = strdup (path), *key, *save = NULL;

  for (key = strtok_r (copy, ".", &save); o && key;
       key = strtok_r (NULL, ".", &save)) {
    if (key[0] >= '0' && key[0] <= '9')
      o = json_object_is_type (o, json_type_array)
        ? json_object_array_get_idx (o, atoi (key)) : NULL;
    else if (!json_object_object_get_ex (o, key, &o))
      o = NULL;
  }
  free (copy);
  return o;
}

static void
json_int (json_object *j, const char *path, int64_t expected)
{
  json_object *o = get (j, path);

  is_int (o && json_object_is_type (o, json_type_int)
          ? json_object_get_int64 (o) : -12345, expected,
          "json %s is %lld", path, (long long) expected);
}

static void
json_str (json_object *j, const char *path, const char *expected)
{
  json_object *o = get (j, path);

  is_str (o && json_object_is_type (o, json_type_string)
          ? json_object_get_string (o) : NULL, expected,
          "json %s is \"%s\"", path, expected);
}

/* The object at PATH has KEY (perhaps with a null value). */
static bool
has_key (json_object *j, const char *path, const char *key)
{
  json_object *o = get (j, path), *v;

  return o && json_object_object_get_ex (o, key, &v);
}

/* ---- The tests ----------------------------------------------------- */

static void
test_parse_size (void)
{
  /* Absolute: N[bKMG], binary multiples, decimals truncated. */
  parses (GiB, "10G", 10 * GiB);
  parses (GiB, "512b", 512);
  parses (GiB, "4K", 4096);
  parses (GiB, "1.5K", 1536);
  parses (GiB, "0.1K", 102);         /* 102.4 */
  parses (GiB, "2.5G", INT64_C (2684354560));
  parses (GiB, ".5M", 524288);
  parses (GiB, "5.M", 5 * MiB);
  parses (GiB, "0.3b", 0);
  /* floor (0.999999999999 * 2^30) = 1073741823 (1073741823.9989...). */
  parses (GiB, "0.999999999999G", INT64_C (1073741823));
  /* Relative. */
  parses (GiB, "+10G", 11 * GiB);
  parses (GiB, "-500M", GiB - 500 * MiB);      /* 549453824 */
  parses (GiB, "+128K", GiB + 131072);
  parses (GiB, "-2G", -GiB);                   /* the planner refuses it */
  /* Percentages, to 0.1 %: 1073741824 * 100 / 1000 = 107374182.4. */
  parses (GiB, "+10%", GiB + 107374182);
  parses (GiB, "-10%", GiB - 107374182);
  parses (GiB, "50%", GiB / 2);
  parses (GiB, "90%", INT64_C (966367641));    /* 966367641.6 */
  /* 12.34 % counts as 12.3 %: 1073741824 * 123 / 1000 = 132070244.352 */
  parses (GiB, "12.34%", INT64_C (132070244));
  parses (GiB, "0.05%", 0);                    /* 0.0 % */
  parses (1000, "+0.1%", 1001);
  parses (GiB, "200%", 2 * GiB);
  /* The largest: 8589934591 GiB = 2^63 - 2^30. */
  parses (0, "8589934591G", INT64_C (9223372035781033984));
  /* 9223372036854775807 * 999 / 1000 without overflowing on the way:
   * 9223372036854775 * 999 + 807 * 999 / 1000 = 9214148664817920225
   * + 806 = 9214148664817921031.
   */
  parses (INT64_MAX, "99.9%", INT64_C (9214148664817921031));
  /* A small disk and a huge percentage: 512 * 70102620350307010 / 1000
   * fits, though the remainder part 512 * 70102620350307010 does not
   * (found by fuzz/fuzz-size, fuzz/corpus/fuzz-size/crash-percent-overflow).
   */
  parses (512, "07010262035030701%", INT64_C (35892541619357189));

  bad_size ("512", "cannot parse the size '512'");  /* no unit */
  bad_size ("10T", "--resize 'sda1=x': cannot parse the size '10T' "
            "(expected N[bKMG], +N[bKMG], -N[bKMG], P%, +P% or -P%)");
  bad_size ("10g", "cannot parse");
  bad_size ("", "cannot parse");
  bad_size ("+", "cannot parse");
  bad_size (".K", "cannot parse");
  bad_size ("1.2.3K", "cannot parse");
  bad_size ("1e3K", "cannot parse");
  bad_size (" 1K", "cannot parse");
  bad_size ("1K ", "cannot parse");
  bad_size ("--1K", "cannot parse");
  bad_size ("+-1K", "cannot parse");
  bad_size ("10%%", "cannot parse");
  bad_size ("8589934592G", "too large");       /* 2^63 */
  bad_size ("99999999999999999999b", "too large");
  bad_size ("+8589934591G", "too large");      /* + 1 GiB */
}

static void
test_parse_partition (void)
{
  partition_name ("/dev/sda1", 1);
  partition_name ("sda2", 2);
  partition_name ("/dev/vda15", 15);
  partition_name ("xvda3", 3);
  partition_name ("/dev/hda4", 4);
  partition_name ("/dev/nvme0n1p14", 14);
  partition_name ("mmcblk0p2", 2);
  partition_name ("7", 7);
  partition_name ("/dev/sdb1", 1);       /* the source is the only disk */
  partition_name ("", 0);
  partition_name ("/dev/", 0);
  partition_name ("sda", 0);
  partition_name ("sda0", 0);
  partition_name ("sda01", 0);
  partition_name ("/dev/sda1x", 0);
  partition_name ("/dev/VG/root1", 0);
  partition_name ("nvme0n1", 0);         /* a whole disk */
  partition_name ("sda-1", 0);
  partition_name ("SDA1", 0);
  partition_name ("sda1234567", 0);
}

static void
test_human (void)
{
  human (0, "0");
  human (1023, "1023");
  human (1024, "1.0K");
  human (1536, "1.5K");
  human (229376, "224.0K");
  human (1048575, "1024.0K");            /* virt-resize's rounding */
  human (268664832, "256.2M");           /* 262368 KiB / 1024 = 256.22 */
  human (10 * GiB, "10.0G");
  human (TiB, "1.0T");
  human (-229376, "-224.0K");
  human (INT64_MIN, "-8388608.0T");
}

static void
test_requests (void)
{
  char *e;

  gs_int_resize_requests_init (&rq);
  is_int (rq.alignment, 128, "the default alignment is 128 sectors");
  ok (rq.keep_numbers && rq.extra_partition && rq.expand_content &&
      rq.align_first == GS_RESIZE_ALIGN_FIRST_AUTO &&
      rq.unknown_fs == GS_RESIZE_UNKNOWN_FS_WARN, "the other defaults");

  unit_capture_begin ();
  ok (gs_int_resize_request_add (&rq, "--expand", "sda1") == 0 &&
      gs_int_resize_request_add (&rq, "--expand", "sda2") == -1,
      "--expand twice is refused");
  ok (gs_int_resize_request_add (&rq, "--shrink", "") == -1,
      "an empty --shrink is refused");
  ok (gs_int_resize_request_add (&rq, "--alignment", "0") == -1 &&
      gs_int_resize_request_add (&rq, "--alignment", "-8") == -1 &&
      gs_int_resize_request_add (&rq, "--alignment", "8x") == -1 &&
      gs_int_resize_request_add (&rq, "--alignment", "") == -1,
      "--alignment below 1 or not a number is refused");
  ok (gs_int_resize_request_add (&rq, "--alignment", "2048") == 0 &&
      rq.alignment == 2048, "--alignment 2048");
  ok (gs_int_resize_request_add (&rq, "--align-first", "always") == 0 &&
      rq.align_first == GS_RESIZE_ALIGN_FIRST_ALWAYS &&
      gs_int_resize_request_add (&rq, "--align-first", "sometimes") == -1,
      "--align-first");
  ok (gs_int_resize_request_add (&rq, "--unknown-filesystems", "error") == 0
      && rq.unknown_fs == GS_RESIZE_UNKNOWN_FS_ERROR &&
      gs_int_resize_request_add (&rq, "--unknown-filesystems", "x") == -1,
      "--unknown-filesystems");
  ok (gs_int_resize_request_add (&rq, "--lv-expand", "/dev/VG/LV") == -1,
      "--lv-expand is not the planner's");
  e = unit_capture_end ();
  ok (unit_contains (e, "--expand option given more than once") &&
      unit_contains (e, "empty --shrink option") &&
      unit_contains (e, "alignment cannot be < 1") &&
      unit_contains (e, "use never, always or auto"),
      "the messages say why");
  free (e);
  gs_int_resize_requests_free (&rq);
  gs_int_resize_requests_init (&rq);
  ok (rq.expand == NULL && rq.alignment == 128, "freed and reset");
}

/* Disk A, MBR, no options, onto 1 GiB.
 *   required = 64 MiB + 190 MiB = 266338304
 *   overhead = 512 * (4096 + 128 * 3 + 64) = 512 * 4544 = 2326528
 *   minimum  = 268664832; surplus = 1073741824 - 268664832 = 805076992
 *   1: 2048 + 131072 sectors -> 2048-133119, next 133120 (= 1040 * 128)
 *   2: 133120 + 389120 -> 133120-522239, next 522240 (= 4080 * 128)
 *   extra 3: 522240 to 2097152 - 65 = 2097087
 */
static void
test_copy (void)
{
  const struct gs_resize_plan_part *x;

  plans (&disk_a, GiB, 512, "A copied");
  is_int (pl.required, 266338304, "A: required");
  is_int (pl.overhead, 2326528, "A: overhead");
  is_int (pl.min_target_size, 268664832, "A: minimum target size");
  is_int (pl.surplus, 805076992, "A: surplus");
  is_int (pl.target_sectors, 2097152, "A: target sectors");
  is_int (pl.nparts, 3, "A: two partitions and the extra one");
  part_is (1, 1, GS_RESIZE_COPY, 2048, 133119, "A");
  part_is (2, 2, GS_RESIZE_COPY, 133120, 522239, "A");
  part_is (0, 3, GS_RESIZE_CREATE, 522240, 2097087, "A extra");
  x = part (0);
  is_int (pl.extra, GS_RESIZE_EXTRA_CREATED, "A: extra partition created");
  is_int (x->new_size, INT64_C (1574848) * 512, "A: extra is 1574848 "
          "sectors");
  ok (x->src == NULL && x->old_num == 0 && x->copy_size == 0,
      "A: the extra partition has no source and copies nothing");
  is_int (part (1)->copy_size, 64 * MiB, "A: 1 copies 64 MiB");
  is_int (part (1)->new_size, 64 * MiB, "A: 1 keeps its size");
  ok (part (1)->expand_method == NULL && part (2)->expand_method == NULL,
      "A: nothing grows");
  ok (part (1)->src == &a_parts[0] && part (2)->src == &a_parts[1],
      "A: entries point at their source partitions");
  is_int (part (1)->new_start, 2048 * 512, "A: 1 starts at 1 MiB");
  is_int (part (2)->new_end, INT64_C (522240) * 512 - 1,
          "A: 2 ends at byte 267386879");
}

/* --expand /dev/sda2 onto 1 GiB: 2 grows by the surplus 805076992 to
 * 199229440 + 805076992 = 1004306432 = 1961536 sectors; 133120 +
 * 1961536 = 2094656 -> aligned 2094720 (16365 * 128): 133120-2094719.
 * Nothing left over, so no extra partition.
 */
static void
test_expand (void)
{
  req ("--expand", "/dev/sda2");
  plans (&disk_a, GiB, 512, "A --expand");
  part_is (1, 1, GS_RESIZE_COPY, 2048, 133119, "A --expand");
  part_is (2, 2, GS_RESIZE_EXPAND, 133120, 2094719, "A --expand");
  is_int (part (2)->requested_size, INT64_C (1004306432),
          "--expand: 2 asked for 1004306432 bytes");
  is_int (part (2)->new_size, INT64_C (1961600) * 512,
          "--expand: 2 has 1961600 sectors");
  is_int (part (2)->copy_size, 190 * MiB, "--expand: copies the old size");
  is_str (part (2)->expand_method, "pvresize", "--expand: the PV grows");
  is_int (pl.surplus, 0, "--expand: no surplus left");
  is_int (pl.extra, GS_RESIZE_EXTRA_NONE, "--expand: no extra partition");
  is_int (pl.nparts, 2, "--expand: two partitions");
  is_int (pl.min_target_size, 268664832,
          "--expand: works from 268664832 bytes");
  /* 67108864 + 1004306432 */
  is_int (pl.required, INT64_C (1071415296), "--expand: required after");

  /* Same size as the source: 268435456 - 268664832 = -229376. */
  req ("--expand", "/dev/sda2");
  refuses (&disk_a, 256 * MiB, 512,
           "--expand '/dev/sda2': there is no surplus space to expand "
           "into: the target disk must be at least 268664832 bytes "
           "(256.2M), 229376 bytes (224.0K) larger", "--expand, no room");

  /* --no-expand-content: the partition grows, its content does not. */
  req ("--expand", "sda2");
  rq.expand_content = false;
  plans (&disk_a, GiB, 512, "--no-expand-content");
  ok (part (2)->action == GS_RESIZE_EXPAND &&
      part (2)->expand_method == NULL &&
      !part (2)->content_unexpandable,
      "--no-expand-content: no method, no complaint");

  /* Exactly the minimum: surplus 0, --expand changes nothing. */
  req ("--expand", "sda2");
  plans (&disk_a, 268664832, 512, "--expand with a zero surplus");
  ok (part (2)->action == GS_RESIZE_COPY && pl.surplus == 0,
      "--expand with a zero surplus leaves 2 alone");
}

/* No options, target too small: the deficit and the exact minimum. */
static void
test_deficit (void)
{
  refuses (&disk_a, 256 * MiB, 512,
           "there is a deficit of 229376 bytes (224.0K): the target disk "
           "must be at least 268664832 bytes (256.2M)", "A onto 256 MiB");
  is_int (pl.min_target_size, 268664832,
          "deficit: the minimum target size is kept");
  is_int (pl.surplus, -229376, "deficit: the surplus is negative");
  ok (pl.parts == NULL && pl.nparts == 0, "deficit: no partitions");
  /* Exactly the minimum fits; one sector less does not. */
  plans (&disk_a, 268664832, 512, "A onto exactly the minimum");
  is_int (pl.surplus, 0, "the minimum: zero surplus");
  is_int (pl.extra, GS_RESIZE_EXTRA_NONE, "the minimum: no extra");
  refuses (&disk_a, 268664832 - 512, 512, "deficit of 512 bytes (512)",
           "A onto the minimum - 512");
  /* 4096-byte sectors: overhead = 4096 * (4096 + 384 + 64) = 18612224;
   * 268435456 - 266338304 - 18612224 = -16515072 (15.75 MiB); minimum
   * 284950528 (271.75 MiB).
   */
  refuses (&disk_a, 256 * MiB, 4096,
           "deficit of 16515072 bytes (15.8M): the target disk must be at "
           "least 284950528 bytes (271.8M)", "A onto 256 MiB of 4K sectors");
}

/* --shrink /dev/sda2 onto 256 MiB: the deficit is 229376, 2 becomes
 * 199229440 - 229376 = 199000064 = 388672 sectors; 133120 + 388672 =
 * 521792 -> aligned 521856: 133120-521855.  The PV (186 MiB) fits.
 */
static void
test_shrink (void)
{
  req ("--shrink", "/dev/sda2");
  plans (&disk_a, 256 * MiB, 512, "A --shrink");
  part_is (2, 2, GS_RESIZE_SHRINK, 133120, 521855, "A --shrink");
  is_int (part (2)->requested_size, INT64_C (199000064),
          "--shrink: 2 asked for 199000064 bytes");
  is_int (part (2)->copy_size, INT64_C (199000064),
          "--shrink: copies only what fits");
  is_str (part (2)->expand_method, "pvresize",
          "--shrink: the PV is fitted to the partition");
  is_int (pl.surplus, 0, "--shrink: no surplus");
  /* 2 may shrink to its PV, 195035136: by 199229440 - 195035136 =
   * 4194304 more, so the options work from 268664832 - 4194304 =
   * 264470528 bytes, and not 512 bytes below.
   */
  is_int (pl.min_target_size, 264470528, "--shrink: works from 264470528");
  req ("--shrink", "/dev/sda2");
  plans (&disk_a, 264470528, 512, "--shrink onto the minimum");
  is_int (part (2)->requested_size, 195035136,
          "--shrink onto the minimum: 2 is its PV's size");
  req ("--shrink", "/dev/sda2");
  refuses (&disk_a, 264470528 - 512, 512, "its LVM physical volume is "
           "195035136 bytes", "--shrink below the minimum");

  req ("--shrink", "/dev/sda2");
  refuses (&disk_a_full, 256 * MiB, 512,
           "--shrink '/dev/sda2': cannot shrink partition 2 to 199000064 "
           "bytes (189.8M): its LVM physical volume is 199229440 bytes",
           "--shrink of a full PV");
  req ("--shrink", "sda2");
  refuses (&disk_a, GiB, 512, "there is no deficit",
           "--shrink with a surplus");
  req ("--shrink", "sda2");
  req ("--expand", "sda1");
  refuses (&disk_a, GiB, 512, "--expand and --shrink cannot be used "
           "together", "--expand with --shrink");
  req ("--shrink", "sda1");
  refuses (&disk_a, 128 * MiB, 512, "is smaller than the deficit",
           "--shrink by more than the partition");
}

/* --resize /dev/sda1=+100M --expand /dev/sda2 onto 1 GiB:
 *   1: 64 MiB + 100 MiB = 171966464 = 335872 sectors: 2048 + 335872 =
 *      337920 (2640 * 128), so 2048-337919
 *   surplus = 1073741824 - (171966464 + 199229440) - 2326528 = 700219392
 *   2: 199229440 + 700219392 = 899448832 = 1756736 sectors: 337920 +
 *      1756736 = 2094656 -> 2094720: 337920-2094719
 */
static void
test_resize (void)
{
  req ("--resize", "/dev/sda1=+100M");
  req ("--expand", "/dev/sda2");
  plans (&disk_a, GiB, 512, "A --resize --expand");
  part_is (1, 1, GS_RESIZE_RESIZE, 2048, 337919, "A --resize");
  part_is (2, 2, GS_RESIZE_EXPAND, 337920, 2094719, "A --resize --expand");
  is_int (part (2)->requested_size, INT64_C (899448832),
          "--expand after --resize: 2 asked for 899448832 bytes");
  is_str (part (1)->expand_method, "resize2fs", "--resize: ext4 grows");
  is_str (part (2)->expand_method, "pvresize", "--expand: the PV grows");

  /* Absolute and percent: 50 % of 64 MiB = 32 MiB < the 60 MiB ext4. */
  req ("--resize", "sda1=50%");
  refuses (&disk_a, GiB, 512,
           "--resize 'sda1=50%': cannot shrink partition 1 to 33554432 "
           "bytes (32.0M): its ext4 filesystem is 62914560 bytes (60.0M)",
           "--resize below the filesystem");
  /* --resize-force does it: 65536 sectors: 2048-67583; 2 follows at
   * 67584 (528 * 128): 67584-456703; surplus 1073741824 - (33554432 +
   * 199229440) - 2326528 = 838631424; extra at 456704 (3568 * 128).
   */
  req ("--resize-force", "sda1=50%");
  plans (&disk_a, GiB, 512, "--resize-force below the filesystem");
  part_is (1, 1, GS_RESIZE_RESIZE, 2048, 67583, "--resize-force");
  part_is (2, 2, GS_RESIZE_COPY, 67584, 456703, "--resize-force");
  part_is (0, 3, GS_RESIZE_CREATE, 456704, 2097087, "--resize-force");
  is_int (pl.surplus, 838631424, "--resize-force: surplus");
  ok (part (1)->expand_method == NULL,
      "--resize-force below the filesystem: nothing to grow");
  is_int (part (1)->copy_size, 32 * MiB, "--resize-force: copies 32 MiB");

  /* Absolute, 80 MiB = 163840 sectors: 2048-165887 (165888 = 1296 *
   * 128).
   */
  req ("--resize", "/dev/sda1=80M");
  plans (&disk_a, GiB, 512, "--resize absolute");
  part_is (1, 1, GS_RESIZE_RESIZE, 2048, 165887, "--resize 80M");
  /* -4M: 60 MiB, exactly the filesystem: allowed.  122880 sectors:
   * 2048-124927 (124928 = 976 * 128).
   */
  req ("--resize", "/dev/sda1=-4M");
  plans (&disk_a, GiB, 512, "--resize -4M");
  part_is (1, 1, GS_RESIZE_RESIZE, 2048, 124927, "--resize -4M");
  /* Same size: nothing to do, and may be named again. */
  req ("--resize", "sda1=64M");
  req ("--resize", "sda1=+1M");
  plans (&disk_a, GiB, 512, "--resize to the same size");
  ok (part (1)->action == GS_RESIZE_RESIZE &&
      part (1)->requested_size == 65 * MiB,
      "--resize to the same size is a no-op, a second one applies");

  early ("--resize", "sda1=0b", "--resize 'sda1=0b': the new size of "
         "partition 1 is zero or negative");
  refuses (&disk_a, GiB, 512, "--resize 'sda1=0b': the new size of "
           "partition 1 is zero or negative", "--resize to 0");
  req ("--resize", "sda1=-2G");
  refuses (&disk_a, GiB, 512, "zero or negative", "--resize below 0");
  early ("--resize", "sda1", "--resize 'sda1': expected PART=SIZE");
  refuses (&disk_a, GiB, 512, "--resize 'sda1': expected PART=SIZE",
           "--resize without a size");
  early ("--resize", "sda1=", "expected PART=SIZE");
  refuses (&disk_a, GiB, 512, "expected PART=SIZE", "--resize empty size");
  early ("--resize", "=1G", "expected PART=SIZE");
  refuses (&disk_a, GiB, 512, "expected PART=SIZE", "--resize no name");
  req ("--resize", "/dev/sda9=1G");
  refuses (&disk_a, GiB, 512, "--resize '/dev/sda9=1G': the source disk "
           "has no partition 9", "--resize of a missing partition");
  early ("--resize", "sda1=10X", "cannot parse the size '10X'");
  refuses (&disk_a, GiB, 512, "--resize 'sda1=10X': cannot parse the size "
           "'10X'", "--resize with a bad size");
  req ("--resize", "sda1=+1M");
  req ("--resize", "sda1=+2M");
  refuses (&disk_a, GiB, 512, "--resize 'sda1=+2M': partition 1 is already "
           "marked for resizing", "--resize twice");
  req ("--resize", "sda1=+1M");
  req ("--expand", "sda1");
  refuses (&disk_a, GiB, 512, "already marked for resizing",
           "--resize then --expand");
  early ("--resize", "/dev/sdz=1G", "is not a partition name");
  refuses (&disk_a, GiB, 512, "is not a partition name",
           "--resize of a disk");
  /* Unknown content cannot shrink without force. */
  req ("--resize", "sda1=-1M");
  refuses (&disk_g, GiB, 512, "it holds unknown content",
           "--resize shrinking unknown content");
  req ("--resize-force", "sda1=-1M");
  plans (&disk_g, GiB, 512, "--resize-force shrinking unknown content");
}

/* --ignore and --delete on A onto 1 GiB. */
static void
test_ignore_delete (void)
{
  req ("--ignore", "/dev/sda1");
  plans (&disk_a, GiB, 512, "A --ignore");
  part_is (1, 1, GS_RESIZE_IGNORE, 2048, 133119, "--ignore");
  is_int (part (1)->copy_size, 0, "--ignore: nothing copied");
  is_int (pl.surplus, 805076992, "--ignore: same surplus as a copy");

  /* --delete 1: required 199229440; surplus 1073741824 - 199229440 -
   * 2326528 = 872185856.  The layout still starts at 1's start: 2 at
   * 2048-391167 (2048 + 389120 - 1), next 391168 (3056 * 128).  Kept
   * numbers: 2 stays 2, the extra one is 3.
   */
  req ("--delete", "/dev/sda1");
  plans (&disk_a, GiB, 512, "A --delete");
  part_is (1, 0, GS_RESIZE_DELETE, 0, 0, "--delete");
  part_is (2, 2, GS_RESIZE_COPY, 2048, 391167, "--delete");
  part_is (0, 3, GS_RESIZE_CREATE, 391168, 2097087, "--delete");
  is_int (pl.surplus, 872185856, "--delete: surplus");
  /* virt-resize's numbering: 2 becomes 1, the extra one 2. */
  req ("--delete", "/dev/sda1");
  rq.keep_numbers = false;
  plans (&disk_a, GiB, 512, "A --delete, renumbered");
  part_is (2, 1, GS_RESIZE_COPY, 2048, 391167, "--delete renumbered");
  part_is (0, 2, GS_RESIZE_CREATE, 391168, 2097087, "--delete renumbered");

  req ("--ignore", "sda1");
  req ("--ignore", "sda1");
  refuses (&disk_a, GiB, 512, "--ignore 'sda1': partition 1 is already "
           "ignored", "--ignore twice");
  req ("--ignore", "sda1");
  req ("--delete", "sda1");
  refuses (&disk_a, GiB, 512, "--delete 'sda1': partition 1 is already "
           "ignored", "--ignore then --delete");
  req ("--delete", "sda2");
  req ("--resize", "sda2=+1M");
  refuses (&disk_a, GiB, 512, "--resize 'sda2=+1M': partition 2 is already "
           "deleted", "--delete then --resize");
  req ("--delete", "sda2");
  req ("--expand", "sda2");
  refuses (&disk_a, GiB, 512, "already deleted", "--delete then --expand");
  req ("--delete", "sda3");
  refuses (&disk_a, GiB, 512, "no partition 3", "--delete of a missing one");
}

/* B, Ubuntu (GPT 1/14/15), --expand /dev/sda1 onto 10 GiB:
 *   required = 4194304 + 111149056 + 2244984320 = 2360327680
 *   overhead = 512 * (4096 + 128 * 4 + 64) = 2392064
 *   surplus = 10737418240 - 2360327680 - 2392064 = 8374698496
 *   disk order 14, 15, 1: 14 at 2048-10239 (next 10240 = 80 * 128), 15
 *   at 10240-227327 (next 227328 = 1776 * 128), 1 grows to 2244984320 +
 *   8374698496 = 10619682816 = 20741568 sectors: 227328 + 20741568 =
 *   20968896 -> 20968960: 227328-20968959
 */
static void
test_gpt (void)
{
  json_object *j;
  char *t;

  req ("--expand", "/dev/sda1");
  plans (&disk_b, 10 * GiB, 512, "B --expand");
  part_is (14, 14, GS_RESIZE_COPY, 2048, 10239, "B");
  part_is (15, 15, GS_RESIZE_COPY, 10240, 227327, "B");
  part_is (1, 1, GS_RESIZE_EXPAND, 227328, 20968959, "B");
  is_int (pl.overhead, 2392064, "B: overhead");
  is_int (part (1)->requested_size, INT64_C (10619682816),
          "B: 1 asked for 10619682816 bytes");
  /* Before --expand: 2360327680 + 2392064. */
  is_int (pl.min_target_size, INT64_C (2362719744),
          "B: --expand would work from 2362719744 bytes");
  ok (pl.nparts == 3 && pl.parts[0].old_num == 14 &&
      pl.parts[1].old_num == 15 && pl.parts[2].old_num == 1,
      "B: the plan is in disk order 14, 15, 1");
  is_str (pl.disk_guid, UBUNTU_DISK_GUID, "B: the disk GUID is kept");
  ok (part (14)->src == &b_parts[1] && part (15)->src == &b_parts[2],
      "B: type, GUID, name, attributes come from the source entries");

  t = text ();
  has (t, "GPT partition table (disk GUID " UBUNTU_DISK_GUID ", kept)");
  has (t, "target 10737418240 bytes (10.0G) in 512-byte sectors, "
       "alignment 128 sectors\n");
  has (t, "Partition numbers are kept.");
  has (t, "/dev/sda14: left alone\n"
       "    old: bytes 1048576-5242879, size 4194304 (4.0M)\n"
       "    new: bytes 1048576-5242879, size 4194304 (4.0M), sectors "
       "2048-10239\n");
  /* The guest's name is escaped, not sent to the terminal. */
  has (t, "/dev/sda15 'UEFI\\x1b[31m': left alone\n");
  /* 2244984320 = 2192367.5 KiB -> 2192367 / 1024 = 2141.0; new size
   * (20968959 - 227328 + 1) * 512 = 10619715584 -> 10370816 KiB / 1024
   * = 10127.75.
   */
  has (t, "/dev/sda1 'cloudimg-rootfs': expanded from 2.1G to 9.9G "
       "(--expand); the ext4 filesystem will be expanded using the "
       "'resize2fs' method\n");
  has (t, "    new: bytes 116391936-10736107519, size 10619715584 (9.9G), "
       "sectors 227328-20968959\n");
  /* 2362719744 / 1024 = 2307343, / 1024 = 2253, / 1024 = 2.2 */
  has (t, "Minimum target size for these options: 2362719744 bytes (2.2G); "
       "partitioning overhead 2392064 bytes (2.3M).\n");
  ok (!unit_contains (t, "surplus"), "B: no surplus to speak of");
  free (t);

  j = gs_int_resize_plan_json (&pl);
  ok (j != NULL, "B: JSON");
  json_str (j, "table", "gpt");
  json_str (j, "disk_guid", UBUNTU_DISK_GUID);
  json_int (j, "sector_size", 512);
  json_int (j, "target_size", 10 * GiB);
  json_int (j, "target_sectors", 20971520);
  json_int (j, "alignment", 128);
  json_int (j, "surplus", 0);
  json_int (j, "minimum_target_size", INT64_C (2362719744));
  json_str (j, "extra_partition", "none");
  json_int (j, "partitions.0.old_number", 14);
  json_int (j, "partitions.0.new_number", 14);
  json_str (j, "partitions.0.action", "copy");
  json_str (j, "partitions.0.gpt_type",
            "21686148-6449-6E6F-744E-656564454649");
  json_str (j, "partitions.0.gpt_guid",
            "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE");
  json_str (j, "partitions.0.gpt_attributes", "0x0000000000000004");
  json_str (j, "partitions.0.content", "unknown");
  ok (get (j, "partitions.1.name") &&
      strcmp (json_object_get_string (get (j, "partitions.1.name")),
              "UEFI\x1b[31m") == 0, "json partitions.1.name is the raw name");
  json_str (j, "partitions.1.gpt_attributes", "0x8000000000000001");
  json_int (j, "partitions.2.old.start", 116391936);
  json_int (j, "partitions.2.old.size", INT64_C (2244984320));
  json_int (j, "partitions.2.new.start_sector", 227328);
  json_int (j, "partitions.2.new.end_sector", 20968959);
  json_int (j, "partitions.2.new.size", INT64_C (10619715584));
  json_int (j, "partitions.2.requested_size", INT64_C (10619682816));
  json_int (j, "partitions.2.copy_size", INT64_C (2244984320));
  json_str (j, "partitions.2.action", "expand");
  json_str (j, "partitions.2.expand_method", "resize2fs");
  json_int (j, "partitions.2.content_size", 2 * GiB);
  ok (!has_key (j, "partitions.2", "mbr_id") &&
      has_key (j, "partitions.0", "name") &&
      get (j, "partitions.0.name") == NULL,
      "B: no mbr_id in GPT; a missing name is null");
  json_object_put (j);

  /* virt-resize's numbering: 14 -> 1, 15 -> 2, 1 -> 3 (what made
   * Ubuntu unbootable).
   */
  req ("--expand", "/dev/sda1");
  rq.keep_numbers = false;
  plans (&disk_b, 10 * GiB, 512, "B renumbered");
  part_is (14, 1, GS_RESIZE_COPY, 2048, 10239, "B renumbered");
  part_is (15, 2, GS_RESIZE_COPY, 10240, 227327, "B renumbered");
  part_is (1, 3, GS_RESIZE_EXPAND, 227328, 20968959, "B renumbered");
  t = text ();
  has (t, "/dev/sda14: left alone, now partition 1\n");
  has (t, "Partition numbers are renumbered from 1, as virt-resize.");
  free (t);

  /* No --expand: 1 ends at 227328 + 4384735 - 1 = 4612062, next
   * 4612096 (36032 * 128); the extra partition takes the number above
   * all (16), from 4612096 to 20971520 - 65 = 20971455.
   */
  plans (&disk_b, 10 * GiB, 512, "B copied");
  part_is (1, 1, GS_RESIZE_COPY, 227328, 4612062, "B copied");
  part_is (0, 16, GS_RESIZE_CREATE, 4612096, 20971455, "B extra");
  rq.keep_numbers = false;
  plans (&disk_b, 10 * GiB, 512, "B copied, renumbered");
  part_is (0, 4, GS_RESIZE_CREATE, 4612096, 20971455, "B extra renumbered");

  /* --delete /dev/sda15: the gap stays: 14 at 2048-10239, 1 at 10240 to
   * 10240 + 4384735 - 1 = 4394974, next 4395008 (34336 * 128); the
   * extra partition is 16, not 15 (no deleted number is reused).
   */
  req ("--delete", "/dev/sda15");
  plans (&disk_b, 10 * GiB, 512, "B --delete 15");
  part_is (15, 0, GS_RESIZE_DELETE, 0, 0, "B --delete 15");
  part_is (1, 1, GS_RESIZE_COPY, 10240, 4394974, "B --delete 15");
  part_is (0, 16, GS_RESIZE_CREATE, 4395008, 20971455, "B --delete 15");
  j = gs_int_resize_plan_json (&pl);
  ok (has_key (j, "partitions.1", "new") &&
      get (j, "partitions.1.new") == NULL &&
      has_key (j, "partitions.1", "new_number") &&
      get (j, "partitions.1.new_number") == NULL,
      "JSON: a deleted partition has no new position or number");
  ok (has_key (j, "partitions.3", "old") &&
      get (j, "partitions.3.old") == NULL &&
      has_key (j, "partitions.3", "old_number") &&
      get (j, "partitions.3.old_number") == NULL,
      "JSON: the extra partition has no old position or number");
  json_str (j, "partitions.3.action", "create");
  json_int (j, "partitions.3.new_number", 16);
  json_object_put (j);

  /* vfat has no expansion method: warn (default) plans, error refuses. */
  req ("--resize", "/dev/sda15=+10M");
  plans (&disk_b, 10 * GiB, 512, "B grows vfat");
  ok (part (15)->expand_method == NULL && part (15)->content_unexpandable,
      "vfat: nothing can grow it");
  t = text ();
  has (t, "the vfat filesystem will not be expanded (unknown/unavailable "
       "method)");
  free (t);
  req ("--resize", "/dev/sda15=+10M");
  req ("--unknown-filesystems", "error");
  refuses (&disk_b, 10 * GiB, 512, "partition 15: unknown/unavailable "
           "method for expanding the vfat filesystem",
           "--unknown-filesystems error");
  /* A filesystem whose tool the appliance lacks. */
  req ("--expand", "/dev/sda1");
  string_vector_append_copy (&rq.unavailable_fs, "ext4");
  req ("--unknown-filesystems", "error");
  refuses (&disk_b, 10 * GiB, 512, "the ext4 filesystem",
           "ext4 without resize2fs in the appliance");
  /* Unknown content is not a filesystem: no complaint. */
  req ("--resize", "/dev/sda14=+1M");
  req ("--unknown-filesystems", "error");
  plans (&disk_b, 10 * GiB, 512, "B grows unknown content");
  ok (!part (14)->content_unexpandable && part (14)->expand_method == NULL,
      "unknown content grows silently");
}

/* 4096-byte sectors.
 *
 * B --expand sda1 onto 10 GiB of 4K sectors: the 4096 of the overhead
 * stays "sectors" (16 MiB now): 4096 * (4096 + 512 + 64) = 19136512;
 * surplus 10737418240 - 2360327680 - 19136512 = 8357953536; 1 asks for
 * 2244984320 + 8357953536 = 10602937856 = 2588607.875 -> 2588608 sectors.
 *   14: 1048576 / 4096 = 256, 1024 sectors: 256-1279 (next 1280)
 *   15: 27136 sectors: 1280-28415 (next 28416 = 222 * 128)
 *   1: 28416 + 2588608 = 2617024 -> 2617088: 28416-2617087
 */
static void
test_4k (void)
{
  req ("--expand", "/dev/sda1");
  plans (&disk_b, 10 * GiB, 4096, "B onto 4K sectors");
  is_int (pl.overhead, 19136512, "4K: overhead");
  is_int (pl.target_sectors, 2621440, "4K: 2621440 sectors");
  part_is (14, 14, GS_RESIZE_COPY, 256, 1279, "4K");
  part_is (15, 15, GS_RESIZE_COPY, 1280, 28415, "4K");
  part_is (1, 1, GS_RESIZE_EXPAND, 28416, 2617087, "4K");
  is_int (part (1)->new_size, INT64_C (2588672) * 4096,
          "4K: 1 has 2588672 sectors");
  is_int (part (14)->new_start, 1048576, "4K: 14 still starts at 1 MiB");

  /* E: GPT at sector 34 = byte 17408 = 4.25 4K sectors.  Round up to 5,
   * but the first usable 4K sector after the GPT is 2 + 16384 / 4096 =
   * 6.  overhead = 4096 * (4096 + 128 * 2 + 64) = 18087936; surplus
   * 134217728 - 51200000 - 18087936 = 64929792; 1 is 12500 sectors:
   * 6-12505, next 12544 (98 * 128); extra 2 to 32768 - 65 = 32703.
   */
  plans (&disk_e, 128 * MiB, 4096, "E onto 4K sectors");
  part_is (1, 1, GS_RESIZE_COPY, 6, 12505, "E 4K");
  part_is (0, 2, GS_RESIZE_CREATE, 12544, 32703, "E 4K");
  is_int (pl.surplus, 64929792, "E 4K: surplus");
  /* The same onto 512-byte sectors keeps sector 34: 34-100033, next
   * 100096 (782 * 128); surplus 134217728 - 51200000 - 2260992.
   */
  plans (&disk_e, 128 * MiB, 512, "E onto 512-byte sectors");
  part_is (1, 1, GS_RESIZE_COPY, 34, 100033, "E 512");
  part_is (0, 2, GS_RESIZE_CREATE, 100096, 262079, "E 512");
  is_int (pl.surplus, 80756736, "E 512: surplus");

  /* A onto 1 GiB of 4K sectors: overhead 18612224, surplus 1073741824
   * - 266338304 - 18612224 = 788791296; 1: 256 + 16384: 256-16639 (next
   * 16640 = 130 * 128); 2: 48640 sectors: 16640-65279 (next 65280);
   * extra 3: 65280 to 262144 - 65 = 262079.
   */
  plans (&disk_a, GiB, 4096, "A onto 4K sectors");
  part_is (1, 1, GS_RESIZE_COPY, 256, 16639, "A 4K");
  part_is (2, 2, GS_RESIZE_COPY, 16640, 65279, "A 4K");
  part_is (0, 3, GS_RESIZE_CREATE, 65280, 262079, "A 4K");
  is_int (pl.surplus, 788791296, "A 4K: surplus");

  refuses (&disk_a, GiB, 1000, "unsupported sector size 1000",
           "a 1000-byte sector");
}

/* --alignment and --align-first, on D (NTFS at sector 63) onto 128 MiB
 * (262144 sectors).  One partition: overhead = 512 * (4096 + 128 * 2 +
 * 64) = 2260992; surplus = 134217728 - 67060224 - 2260992 = 64896512;
 * --expand asks for 67060224 + 64896512 = 131956736 = 257728 sectors.
 */
static void
test_alignment (void)
{
  char *t;

  /* auto: a lone bootable NTFS partition not 4K-aligned moves to
   * sector 128: 128 + 257728 = 257856 -> 257920: 128-257919.
   */
  req ("--expand", "/dev/sda1");
  plans (&disk_d, 128 * MiB, 512, "D --align-first auto");
  ok (pl.align_first, "auto: the first partition is aligned");
  part_is (1, 1, GS_RESIZE_EXPAND, 128, 257919, "D auto");
  ok (part (1)->fix_ntfs_boot, "auto: the NTFS boot record is fixed");
  is_str (part (1)->expand_method, "ntfsresize", "auto: ntfsresize");
  t = text ();
  has (t, "    the NTFS boot record's hidden sectors field will be set to "
       "128\n");
  has (t, "alignment 128 sectors, first partition aligned\n");
  free (t);

  /* never: stays at 63: 63 + 257728 = 257791 -> 257792: 63-257791. */
  req ("--expand", "/dev/sda1");
  req ("--align-first", "never");
  plans (&disk_d, 128 * MiB, 512, "D --align-first never");
  ok (!pl.align_first, "never: not aligned");
  part_is (1, 1, GS_RESIZE_EXPAND, 63, 257791, "D never");
  ok (!part (1)->fix_ntfs_boot, "never: the boot record stays");

  /* auto, not bootable: nothing we know how to fix, so it stays. */
  req ("--expand", "/dev/sda1");
  plans (&disk_d_nb, 128 * MiB, 512, "D not bootable");
  ok (!pl.align_first, "auto, not bootable: not aligned");
  part_is (1, 1, GS_RESIZE_EXPAND, 63, 257791, "D not bootable");

  /* auto, two partitions: not aligned; always: A's 1 moves from 2048 to
   * 128: 128-131199 (next 131200 = 1025 * 128), 2: 131200-520319 (next
   * 520320), extra 520320-2097087.
   */
  plans (&disk_a, GiB, 512, "A --align-first auto");
  ok (!pl.align_first, "auto, two partitions: not aligned");
  req ("--align-first", "always");
  plans (&disk_a, GiB, 512, "A --align-first always");
  part_is (1, 1, GS_RESIZE_COPY, 128, 131199, "A always");
  part_is (2, 2, GS_RESIZE_COPY, 131200, 520319, "A always");
  part_is (0, 3, GS_RESIZE_CREATE, 520320, 2097087, "A always");
  ok (!part (1)->fix_ntfs_boot, "always: ext4 needs no boot record fix");

  /* --alignment 2048 (1 MiB), never: overhead 512 * (4096 + 2048 * 2 +
   * 64) = 4227072; surplus 134217728 - 67060224 - 4227072 = 62930432;
   * 1: 63-131039, next 131072 (64 * 2048); extra 131072-262079.
   */
  req ("--alignment", "2048");
  req ("--align-first", "never");
  plans (&disk_d, 128 * MiB, 512, "D --alignment 2048");
  is_int (pl.overhead, 4227072, "--alignment 2048: overhead");
  is_int (pl.surplus, 62930432, "--alignment 2048: surplus");
  part_is (1, 1, GS_RESIZE_COPY, 63, 131039, "--alignment 2048");
  part_is (0, 2, GS_RESIZE_CREATE, 131072, 262079, "--alignment 2048");
  /* --alignment 1: overhead 512 * (4096 + 2 + 64) = 2130944; packed:
   * the extra partition starts right after 1, at 131040.
   */
  req ("--alignment", "1");
  req ("--align-first", "never");
  plans (&disk_d, 128 * MiB, 512, "D --alignment 1");
  is_int (pl.overhead, 2130944, "--alignment 1: overhead");
  part_is (0, 2, GS_RESIZE_CREATE, 131040, 262079, "--alignment 1");
  /* --alignment 2048, always: 1 moves to 2048. */
  req ("--alignment", "2048");
  req ("--align-first", "always");
  plans (&disk_d, 128 * MiB, 512, "D --alignment 2048 always");
  part_is (1, 1, GS_RESIZE_COPY, 2048, 133024, "--alignment 2048 always");
  ok (part (1)->fix_ntfs_boot, "moved bootable NTFS: boot record fixed");
  /* GPT, always, --alignment 1: sector 1 is the GPT header; the first
   * usable one is 34.
   */
  req ("--alignment", "1");
  req ("--align-first", "always");
  plans (&disk_e, 128 * MiB, 512, "E --alignment 1 always");
  part_is (1, 1, GS_RESIZE_COPY, 34, 100033, "GPT header protected");
  /* Set directly below 1 (the CLI refuses it first). */
  rq.alignment = 0;
  refuses (&disk_a, GiB, 512, "alignment cannot be < 1", "alignment 0");
  /* Absurd: 2^62 sectors overflows the arithmetic. */
  rq.alignment = INT64_C (1) << 62;
  refuses (&disk_a, GiB, 512, "too large", "alignment 2^62");
}

/* The extra partition: at least 10 MiB of surplus, a free number. */
static void
test_extra (void)
{
  char *t;

  /* A onto minimum + 10 MiB = 279150592 (545216 sectors): exactly 10
   * MiB of surplus: created, 522240 to 545216 - 65 = 545151.
   */
  plans (&disk_a, 279150592, 512, "surplus of exactly 10 MiB");
  is_int (pl.surplus, 10 * MiB, "10 MiB surplus");
  part_is (0, 3, GS_RESIZE_CREATE, 522240, 545151, "10 MiB surplus");
  /* One sector less: too small. */
  plans (&disk_a, 279150592 - 512, 512, "surplus of 10 MiB - 512");
  is_int (pl.extra, GS_RESIZE_EXTRA_TOO_SMALL, "10 MiB - 512: too small");
  ok (gs_int_resize_plan_find (&pl, 0) == NULL && pl.nparts == 2,
      "10 MiB - 512: no extra partition");
  /* 10485248 / 1024 = 10239 KiB, / 1024 = 9.999 MiB. */
  t = text ();
  has (t, "There is a surplus of 10485248 bytes (10.0M): too small for an "
       "extra partition, it will be left unpartitioned.\n");
  free (t);
  rq.extra_partition = false;
  plans (&disk_a, GiB, 512, "--no-extra-partition");
  is_int (pl.extra, GS_RESIZE_EXTRA_DISABLED, "--no-extra-partition");
  ok (gs_int_resize_plan_find (&pl, 0) == NULL,
      "--no-extra-partition: none");
  t = text ();
  has (t, "it will be left unpartitioned (--no-extra-partition).\n");
  free (t);

  /* G: four primaries, MBR: no number for an extra partition.
   * required 4 * 8 MiB = 33554432; overhead 512 * (4096 + 128 * 5 + 64)
   * = 2457600; surplus 134217728 - 33554432 - 2457600 = 98205696.
   */
  plans (&disk_g, 128 * MiB, 512, "G four primaries");
  is_int (pl.surplus, 98205696, "G: surplus");
  is_int (pl.extra, GS_RESIZE_EXTRA_NO_NUMBER, "G: no free MBR slot");
  /* --delete 3, kept numbers: 3 stays unused, so still none ... */
  req ("--delete", "sda3");
  plans (&disk_g, 128 * MiB, 512, "G --delete 3");
  is_int (pl.extra, GS_RESIZE_EXTRA_NO_NUMBER,
          "G --delete 3: a deleted number is not reused");
  part_is (4, 4, GS_RESIZE_COPY, 34816, 51199, "G --delete 3");
  /* ... renumbered: 4 becomes 3, the extra one 4 at 51200-262079. */
  req ("--delete", "sda3");
  rq.keep_numbers = false;
  plans (&disk_g, 128 * MiB, 512, "G --delete 3 renumbered");
  part_is (4, 3, GS_RESIZE_COPY, 34816, 51199, "G renumbered");
  part_is (0, 4, GS_RESIZE_CREATE, 51200, 262079, "G renumbered");
}

/* MBR addresses 2^32 sectors: what would not fit fails before anything
 * is written.
 */
static void
test_mbr_limits (void)
{
  /* --expand 2 onto 3 TiB: 199229440 + 3298534883328 - 268664832 =
   * 3298465447936 bytes = 6442315328 sectors, too long for MBR.
   */
  req ("--expand", "sda2");
  refuses (&disk_a, 3 * TiB, 512, "partition 2: an MBR partition table "
           "cannot hold it", "MBR --expand onto 3 TiB");
  /* A copied onto 3 TiB: the extra partition is cut to 2^32 - 1
   * sectors: 522240 to 522240 + 4294967295 - 1 = 4295489534.
   */
  plans (&disk_a, 3 * TiB, 512, "MBR copied onto 3 TiB");
  part_is (0, 3, GS_RESIZE_CREATE, 522240, INT64_C (4295489534),
           "MBR extra partition");
  /* 1 and 2 of 2047 GiB (4292870144 sectors) each onto 5 TiB: 1 at
   * 2048-4292872191, 2 at 4292872192-8585742335: 2 starts below 2^32,
   * but the extra partition would start at 8585742336, beyond.
   * surplus 5497558138880 - 2 * 2197949513728 - 2326528 = 1101656784896.
   */
  req ("--resize", "sda1=2047G");
  req ("--resize", "sda2=2047G");
  plans (&disk_a, 5 * TiB, 512, "MBR 2 x 2047 GiB onto 5 TiB");
  part_is (2, 2, GS_RESIZE_RESIZE, INT64_C (4292872192),
           INT64_C (8585742335), "MBR 2047 GiB");
  is_int (pl.surplus, INT64_C (1101656784896), "MBR 5 TiB: surplus");
  is_int (pl.extra, GS_RESIZE_EXTRA_MBR_LIMIT,
          "no extra partition beyond the MBR limit");
  /* GPT has no such limit: B --expand onto 3 TiB. */
  req ("--expand", "sda1");
  plans (&disk_b, 3 * TiB, 512, "GPT --expand onto 3 TiB");
}

/* F, logical partitions, --expand /dev/sda6 onto 1 GiB:
 *   required = 104857600 + 430964736 (1 and the extended 2) = 535822336
 *   overhead = 512 * (4096 + 128 * 3 + 64) = 2326528
 *   surplus  = 1073741824 - 535822336 - 2326528 = 535592960
 *   6 asks for 324009984 + 535592960 = 859602944, so 2 for 430964736 +
 *   535592960 = 966557696 = 1887808 sectors: 206848 + 1887808 = 2094656
 *   -> 2094720: 2 is 206848-2094719.  2 did not move, so 5 stays at
 *   208896-413695; 6 starts at 415744 and ends as far from 2's end as
 *   before (0 sectors): 2094719.
 */
static void
test_logical (void)
{
  char *t;

  req ("--expand", "/dev/sda6");
  plans (&disk_f, GiB, 512, "F --expand 6");
  part_is (1, 1, GS_RESIZE_COPY, 2048, 206847, "F");
  part_is (2, 2, GS_RESIZE_EXPAND, 206848, 2094719, "F");
  part_is (5, 5, GS_RESIZE_COPY, 208896, 413695, "F");
  part_is (6, 6, GS_RESIZE_EXPAND, 415744, 2094719, "F");
  ok (pl.nparts == 4 && pl.parts[1].old_num == 2 && pl.parts[2].old_num == 5
      && pl.parts[3].old_num == 6, "F: logical partitions follow 2");
  ok (part (2)->via_logical && part (2)->kind == GS_RESIZE_EXTENDED &&
      part (6)->kind == GS_RESIZE_LOGICAL, "F: 2 grows for 6");
  is_int (part (2)->requested_size, INT64_C (966557696),
          "F: 2 asked for 966557696");
  is_int (part (6)->requested_size, INT64_C (859602944),
          "F: 6 asked for 859602944");
  is_int (part (2)->copy_size, INT64_C (430964736),
          "F: 2 copies the old extended partition, logical ones inside");
  ok (part (5)->copy_size == 0 && part (6)->copy_size == 0,
      "F: logical partitions are copied with their extended one");
  is_str (part (6)->expand_method, "resize2fs", "F: 6's ext4 grows");
  ok (part (2)->expand_method == NULL, "F: 2 has no content to grow");
  t = text ();
  /* 324009984 = 316416 KiB = 309.0 MiB; 6 ends up (2094719 - 415744 +
   * 1) * 512 = 859635712 = 819.8125 MiB; 2: 1887872 sectors =
   * 966590464 = 921.8125 MiB.
   */
  has (t, "/dev/sda2 (extended): expanded from 411.0M to 921.8M with its "
       "last logical partition\n");
  has (t, "/dev/sda6 (logical): expanded from 309.0M to 819.8M (--expand); "
       "the ext4 filesystem will be expanded using the 'resize2fs' "
       "method\n"
       "    old: bytes 212860928-536870911, size 324009984 (309.0M)\n"
       "    new: bytes 212860928-1072496639, size 859635712 (819.8M), "
       "sectors 415744-2094719\n");
  has (t, "/dev/sda5 (logical): left alone\n");
  free (t);

  /* F2: the same surplus (only 1 and 2 count), 535592960; 2 ends at
   * 2094719 again, 6 keeps its 2048 free sectors: 415744-2092671, and
   * asked for 322961408 + 535592960 = 858554368.
   */
  req ("--expand", "/dev/sda6");
  plans (&disk_f2, GiB, 512, "F2 --expand 6");
  part_is (2, 2, GS_RESIZE_EXPAND, 206848, 2094719, "F2");
  part_is (6, 6, GS_RESIZE_EXPAND, 415744, 2092671, "F2");
  is_int (part (6)->requested_size, INT64_C (858554368),
          "F2: 6 asked for 858554368");
  /* --resize 2 directly: 6 keeps its place and size. */
  req ("--resize", "/dev/sda2=+100M");
  plans (&disk_f2, GiB, 512, "F2 --resize 2");
  part_is (6, 6, GS_RESIZE_COPY, 415744, 1046527, "F2 --resize 2");

  req ("--expand", "/dev/sda5");
  refuses (&disk_f, GiB, 512, "--expand '/dev/sda5': partition 5 is not "
           "the last logical partition", "--expand a middle logical one");
  req ("--delete", "/dev/sda5");
  refuses (&disk_f, GiB, 512, "--delete '/dev/sda5': partition 5 is a "
           "logical partition: only its extended partition 2 can be "
           "deleted", "--delete a logical one");
  req ("--ignore", "sda6");
  refuses (&disk_f, GiB, 512, "only its extended partition 2 can be "
           "ignored", "--ignore a logical one");
  req ("--delete", "sda2");
  req ("--resize", "sda6=+1G");
  refuses (&disk_f, GiB, 512, "--resize 'sda6=+1G': partition 6 is inside "
           "extended partition 2, which is already deleted",
           "--resize inside a deleted extended partition");
  req ("--resize", "sda6=+10M");
  req ("--resize", "sda2=+10M");
  refuses (&disk_f, GiB, 512, "--resize 'sda2=+10M': partition 2 is "
           "already marked for resizing (its last logical partition is "
           "being resized)", "--resize 6 then 2");
  req ("--resize", "sda2=+10M");
  req ("--resize", "sda6=+10M");
  refuses (&disk_f, GiB, 512, "its extended partition 2 is already marked "
           "for resizing", "--resize 2 then 6");

  /* --resize the extended one itself, +100M = 535822336 = 1046528
   * sectors: 206848-1253375 (1253376 = 9792 * 128); the logical ones
   * do not move or grow; surplus 1073741824 - 640679936 - 2326528 =
   * 430735360: extra 3 at 1253376-2097087.
   */
  req ("--resize", "/dev/sda2=+100M");
  plans (&disk_f, GiB, 512, "F --resize 2");
  part_is (2, 2, GS_RESIZE_RESIZE, 206848, 1253375, "F --resize 2");
  part_is (6, 6, GS_RESIZE_COPY, 415744, 1048575, "F --resize 2");
  part_is (0, 3, GS_RESIZE_CREATE, 1253376, 2097087, "F --resize 2");
  ok (!part (2)->via_logical, "F --resize 2: not for a logical one");

  req ("--resize", "/dev/sda2=-100M");
  refuses (&disk_f, GiB, 512, "cannot shrink partition 2: it holds "
           "logical partitions", "shrinking the extended partition");
  /* Forced: 636928 sectors end at 843775, before 6 does. */
  req ("--resize-force", "/dev/sda2=-100M");
  refuses (&disk_f, GiB, 512, "extended partition 2 would no longer hold "
           "logical partition 6", "forced below its logical partitions");

  /* --shrink 6 onto 512 MiB: surplus 536870912 - 535822336 - 2326528 =
   * -1277952; 6 asks for 324009984 - 1277952 = 322732032, 2 for
   * 429686784 = 839232 sectors: 206848 + 839232 = 1046080 -> 1046144;
   * 2 and 6 end at 1046143.  6's ext4 (200 MiB) fits.
   */
  req ("--shrink", "/dev/sda6");
  plans (&disk_f, 512 * MiB, 512, "F --shrink 6");
  part_is (2, 2, GS_RESIZE_SHRINK, 206848, 1046143, "F --shrink 6");
  part_is (6, 6, GS_RESIZE_SHRINK, 415744, 1046143, "F --shrink 6");
  is_int (part (6)->requested_size, INT64_C (322732032),
          "F --shrink: 6 asked for 322732032");
  is_int (part (2)->copy_size, INT64_C (429686784),
          "F --shrink: copies what still fits of 2");
  /* 538148864 - (324009984 - 209715200) = 423854080 */
  is_int (pl.min_target_size, 423854080, "F --shrink: works from "
          "423854080 bytes");

  /* 4K sectors: the EBRs count 512-byte sectors. */
  req ("--expand", "/dev/sda6");
  refuses (&disk_f, GiB, 4096, "extended partition 2: its logical "
           "partitions cannot move from 512-byte to 4096-byte sectors",
           "logical partitions onto 4K sectors");
  /* Ignored, the extended partition is created empty: fine.
   * 4096 * (4096 + 384 + 64) = 18612224; 1: 256-25855 (next 25856 = 202
   * * 128); 2: 105216 sectors: 25856-131071; extra 131072-262079.
   */
  req ("--ignore", "/dev/sda2");
  plans (&disk_f, GiB, 4096, "F 4K, extended ignored");
  part_is (2, 2, GS_RESIZE_IGNORE, 25856, 131071, "F 4K ignored");
  part_is (5, 0, GS_RESIZE_DELETE, 0, 0, "F 4K ignored");
  part_is (6, 0, GS_RESIZE_DELETE, 0, 0, "F 4K ignored");
  part_is (0, 3, GS_RESIZE_CREATE, 131072, 262079, "F 4K ignored");
  t = text ();
  has (t, "/dev/sda6 (logical): deleted with its extended partition\n");
  free (t);
}

/* What the planner refuses in the source table itself. */
/* btrfs cannot be resized below 256 MiB (the kernel says EINVAL): the
 * plan grows it only to 256 MiB or more.  An MBR disk of 1 GiB with
 * one 128 MiB btrfs (100 MiB used) at sector 2048.
 */
static void
test_btrfs_min (void)
{
  static const struct gs_resize_part bp[] = {
    { .num = 1, .kind = GS_RESIZE_PRIMARY, .start = 2048 * 512,
      .size = 128 * MiB, .mbr_id = 0x83, .content = "btrfs",
      .content_size = 100 * MiB },
  };
  static const struct gs_resize_disk bd = {
    .table = GS_RESIZE_TABLE_MBR, .sector_size = 512, .size = GiB,
    .parts = bp, .nparts = 1,
  };

  /* 128 + 100 MiB = 228 MiB: ends at sector 2048 + 466944 - 1. */
  req ("--resize", "sda1=+100M");
  plans (&bd, GiB, 512, "btrfs to 228 MiB");
  ok (part (1)->new_size == 228 * MiB && part (1)->expand_method == NULL &&
      part (1)->content_unexpandable,
      "btrfs to 228 MiB: the partition grows, the filesystem cannot");
  req ("--resize", "sda1=+100M");
  req ("--unknown-filesystems", "error");
  refuses (&bd, GiB, 512, "partition 1: a btrfs filesystem cannot be "
           "resized to less than 256 MiB, and its partition will be "
           "239075328 bytes", "btrfs to 228 MiB, --unknown-filesystems error");
  req ("--resize", "sda1=256M");
  req ("--unknown-filesystems", "error");
  plans (&bd, GiB, 512, "btrfs to exactly 256 MiB");
  is_str (part (1)->expand_method, "btrfs-filesystem-resize",
          "btrfs to 256 MiB: grown");
}

static void
test_bad_source (void)
{
  struct gs_resize_part p[4];
  struct gs_resize_disk d;

#define RESET() do {                                                    \
    memset (p, 0, sizeof p);                                            \
    d = (struct gs_resize_disk) { .table = GS_RESIZE_TABLE_MBR,         \
      .sector_size = 512, .size = 64 * MiB, .parts = p, .nparts = 2 };  \
    p[0] = (struct gs_resize_part) { .num = 1, .start = MiB,            \
      .size = 8 * MiB, .content_size = -1 };                            \
    p[1] = (struct gs_resize_part) { .num = 2, .start = 9 * MiB,        \
      .size = 8 * MiB, .content_size = -1 };                            \
  } while (0)

  RESET ();
  plans (&d, 64 * MiB, 512, "the good source");
  RESET ();
  d.nparts = 0;
  refuses (&d, 64 * MiB, 512, "the source disk has no partitions",
           "no partitions");
  RESET ();
  p[1].start = 8 * MiB;
  refuses (&d, 64 * MiB, 512, "partition 2 overlaps partition 1",
           "overlap");
  RESET ();
  p[1].num = 1;
  refuses (&d, 64 * MiB, 512, "two partitions numbered 1", "duplicate");
  RESET ();
  p[1].num = 5;
  refuses (&d, 64 * MiB, 512, "number out of range for an MBR primary",
           "MBR primary 5");
  RESET ();
  p[0].content = "ext4";
  p[0].content_size = 9 * MiB;
  refuses (&d, 64 * MiB, 512, "partition 1: partition size 8388608 < "
           "content size 9437184", "content bigger than its partition");
  RESET ();
  p[1].start = 60 * MiB;
  refuses (&d, 64 * MiB, 512, "partition 2: bad position", "past the end");
  RESET ();
  p[1].start = 9 * MiB + 1;
  refuses (&d, 64 * MiB, 512, "bad position", "not on a sector");
  RESET ();
  p[0].kind = p[1].kind = GS_RESIZE_EXTENDED;
  refuses (&d, 64 * MiB, 512, "more than one extended partition",
           "two extended");
  RESET ();
  p[1].kind = GS_RESIZE_LOGICAL;
  p[1].num = 5;
  refuses (&d, 64 * MiB, 512, "logical partitions without an extended",
           "logical without extended");
  RESET ();
  p[0].kind = GS_RESIZE_EXTENDED;
  p[1].kind = GS_RESIZE_LOGICAL;
  p[1].num = 5;
  refuses (&d, 64 * MiB, 512, "logical partition 5 is not inside extended "
           "partition 1", "logical outside");
  RESET ();
  d.table = GS_RESIZE_TABLE_GPT;
  p[0].kind = GS_RESIZE_EXTENDED;
  refuses (&d, 64 * MiB, 512, "GPT has no extended partitions",
           "GPT extended");
  RESET ();
  d.table = GS_RESIZE_TABLE_GPT;
  p[1].num = 129;
  refuses (&d, 64 * MiB, 512, "number out of range for a GPT", "GPT 129");
  RESET ();
  d.size = MiB;
  refuses (&d, 64 * MiB, 512, "source disk: too small to be a disk image",
           "tiny source");
  RESET ();
  refuses (&d, MiB, 512, "target disk: too small to be a disk image "
           "(1048576 bytes)", "tiny target");
  RESET ();
  d.sector_size = 520;
  refuses (&d, 64 * MiB, 512, "source disk: unsupported sector size 520",
           "odd source sectors");
  ok (gs_int_resize_mbr_id_is_extended (0x05) &&
      gs_int_resize_mbr_id_is_extended (0x0f) &&
      gs_int_resize_mbr_id_is_extended (0x85) &&
      !gs_int_resize_mbr_id_is_extended (0x83) &&
      !gs_int_resize_mbr_id_is_extended (-1),
      "extended MBR ids: 05, 0f, 85");
#undef RESET
}

int
main (void)
{
  plan (PLANNED);
  gs_int_resize_requests_init (&rq);
  test_parse_size ();
  test_parse_partition ();
  test_human ();
  test_requests ();
  test_copy ();
  test_expand ();
  test_deficit ();
  test_shrink ();
  test_resize ();
  test_ignore_delete ();
  test_gpt ();
  test_4k ();
  test_alignment ();
  test_extra ();
  test_mbr_limits ();
  test_logical ();
  test_bad_source ();
  test_btrfs_min ();
  gs_int_resize_plan_free (&pl);
  gs_int_resize_requests_free (&rq);
  free (err);
  return exit_status ();
}
