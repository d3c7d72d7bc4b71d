/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-gpt-renumber: common/resize/gpt-renumber.c on partition tables made
 * here, in memory: an Ubuntu-like GPT whose partitions parted numbered
 * 1, 2, 3 in disk order become 14, 15, 1; refusals leave the buffers
 * as they were; an MBR's primary entries move between slots 1-4.  The
 * CRC is checked against the standard check value, and the renumbered
 * disk is shown to sgdisk, an independent GPT implementation (gdisk
 * is a dependency of libguestfs, so it is there wherever goldsmith
 * builds).
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/resize/gpt-renumber.h"
#include "tap.h"
#include "unit-util.h"

#define SS 512
#define SECTORS 4096                /* a 2 MiB disk */
#define NENTRIES 128
#define ESIZE 128
#define ARRAY (NENTRIES * ESIZE)    /* 32 sectors */
#define BACKUP_HDR (SECTORS - 1)
#define BACKUP_ARRAY (BACKUP_HDR - ARRAY / SS)

static unsigned char disk[SECTORS * SS];

static void
w32 (unsigned char *p, uint32_t v)
{
  for (int k = 0; k < 4; ++k)
    p[k] = v >> (8 * k);
}

static void
w64 (unsigned char *p, uint64_t v)
{
  w32 (p, v);
  w32 (p + 4, v >> 32);
}

static uint64_t
r64 (const unsigned char *p)
{
  uint64_t v = 0;

  for (int k = 7; k >= 0; --k)
    v = v << 8 | p[k];
  return v;
}

static unsigned char *
entry (unsigned char *array, int num)
{
  return array + (num - 1) * ESIZE;
}

/* Entry NUM: type and unique GUIDs from SEED, sectors FIRST-LAST,
 * an ASCII NAME in UTF-16LE.
 */
static void
set_entry (unsigned char *array, int num, int seed, uint64_t first,
           uint64_t last, const char *name)
{
  unsigned char *e = entry (array, num);

  for (int k = 0; k < 16; ++k) {
    e[k] = seed + k;             /* type GUID */
    e[16 + k] = 0x80 + seed + k; /* unique GUID */
  }
  w64 (e + 32, first);
  w64 (e + 40, last);
  for (size_t k = 0; name[k] && k < 36; ++k)
    e[56 + 2 * k] = name[k];
}

static void
header (unsigned char *h, uint64_t my, uint64_t alt, uint64_t entries_lba,
        const unsigned char *array)
{
  memcpy (h, "EFI PART", 8);
  w32 (h + 8, 0x00010000);
  w32 (h + 12, 92);
  w64 (h + 24, my);
  w64 (h + 32, alt);
  w64 (h + 40, 34);
  w64 (h + 48, BACKUP_ARRAY - 1);
  for (int k = 0; k < 16; ++k)
    h[56 + k] = 0x40 + k;
  w64 (h + 72, entries_lba);
  w32 (h + 80, NENTRIES);
  w32 (h + 84, ESIZE);
  w32 (h + 88, gs_int_crc32 (array, ARRAY));
  w32 (h + 16, 0);
  w32 (h + 16, gs_int_crc32 (h, 92));
}

#define PHDR (disk + SS)
#define PARRAY (disk + 2 * SS)
#define BHDR (disk + BACKUP_HDR * SS)
#define BARRAY (disk + BACKUP_ARRAY * SS)

/* Partitions 1, 2, 3 in disk order, as part_add makes them. */
static void
make_gpt (void)
{
  memset (disk, 0, sizeof disk);
  disk[446 + 4] = 0xee;          /* protective MBR */
  w32 (disk + 446 + 8, 1);
  w32 (disk + 446 + 12, SECTORS - 1);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  set_entry (PARRAY, 1, 1, 2048, 2559, "bios");
  set_entry (PARRAY, 2, 2, 2560, 3071, "boot");
  set_entry (PARRAY, 3, 3, 3072, BACKUP_ARRAY - 1, "root");
  memcpy (BARRAY, PARRAY, ARRAY);
  header (PHDR, 1, BACKUP_HDR, 2, PARRAY);
  header (BHDR, BACKUP_HDR, 1, BACKUP_ARRAY, BARRAY);
}

static int
renumber (unsigned char *h, unsigned char *a, const char *what,
          const struct gs_renumber *m, size_t n, char **err)
{
  int r;

  unit_capture_begin ();
  r = gs_int_gpt_renumber (h, SS, a, ARRAY, what, m, n);
  *err = unit_capture_end ();
  return r;
}

/* A refused move: -1, one line saying NEEDLE, nothing changed. */
static void
refused (const struct gs_renumber *m, size_t n, const char *needle,
         const char *what)
{
  static unsigned char before[SECTORS * SS];
  char *err;
  int r;

  memcpy (before, disk, sizeof disk);
  r = renumber (PHDR, PARRAY, "primary GPT header", m, n, &err);
  ok (r == -1 && unit_one_line (err), "%s: refused, one line", what);
  if (!ok (unit_contains (err, needle), "%s: says \"%s\"", what, needle))
    diag ("stderr: %s", err);
  ok (memcmp (before, disk, sizeof disk) == 0, "%s: nothing changed", what);
  free (err);
}

/* Run sgdisk ARGS on the disk written to a file; its output in OUT
 * (freed by the caller).  -1 if sgdisk cannot run.
 */
static int
sgdisk (const char *args, char **out)
{
  const char *f = unit_temp_file (".img", disk, sizeof disk);
  char *cmd = unit_printf ("sgdisk %s %s 2>&1", args, f);
  FILE *fp = popen (cmd, "r");
  size_t len = 0;
  int st;

  free (cmd);
  *out = NULL;
  if (fp == NULL)
    return -1;
  {
    FILE *mem = open_memstream (out, &len);
    int c;

    while ((c = getc (fp)) != EOF)
      putc (c, mem);
    fclose (mem);
  }
  st = pclose (fp);
  return WIFEXITED (st) && WEXITSTATUS (st) != 127 ? WEXITSTATUS (st) : -1;
}

int
main (void)
{
  static const struct gs_renumber ubuntu[] = {
    { 1, 14 }, { 2, 15 }, { 3, 1 },
  };
  static unsigned char before[ARRAY];
  struct gs_gpt_header h;
  char *err, *out;
  int r;

  plan (53);

  /* The CRC-32 check value of "123456789" (IEEE 802.3). */
  is_int (gs_int_crc32 ("123456789", 9), 0xcbf43926, "CRC-32 check value");

  make_gpt ();
  unit_capture_begin ();
  r = gs_int_gpt_header_parse (PHDR, SS, "primary", &h);
  free (unit_capture_end ());
  ok (r == 0 && h.my_lba == 1 && h.alternate_lba == BACKUP_HDR &&
      h.entries_lba == 2 && h.nentries == NENTRIES && h.entry_size == ESIZE &&
      h.header_size == 92, "the synthetic primary header parses");

  /* ---- Ubuntu: 1, 2, 3 become 14, 15, 1 ---------------------------- */
  memcpy (before, PARRAY, ARRAY);
  r = renumber (PHDR, PARRAY, "primary", ubuntu, 3, &err);
  ok (r == 0 && err[0] == '\0', "primary: renumbered without a message");
  free (err);
  ok (memcmp (entry (PARRAY, 14), entry (before, 1), ESIZE) == 0,
      "entry 14 is the old entry 1 (bios), byte for byte");
  ok (memcmp (entry (PARRAY, 15), entry (before, 2), ESIZE) == 0,
      "entry 15 is the old entry 2 (boot)");
  ok (memcmp (entry (PARRAY, 1), entry (before, 3), ESIZE) == 0,
      "entry 1 is the old entry 3 (root)");
  {
    static const unsigned char zero[ESIZE];
    bool others = true;

    for (int n = 2; n <= NENTRIES; ++n)
      if (n != 14 && n != 15)
        others &= memcmp (entry (PARRAY, n), zero, ESIZE) == 0;
    ok (others, "every other entry is zero (2 and 3 emptied)");
  }
  is_int (r64 (entry (PARRAY, 14) + 32), 2048, "14 starts at 2048");
  is_int (r64 (entry (PARRAY, 1) + 32), 3072, "1 starts at 3072");
  unit_capture_begin ();
  r = gs_int_gpt_header_parse (PHDR, SS, "primary", &h);
  free (unit_capture_end ());
  is_int (r, 0, "primary: the header CRC is right again");
  is_int (gs_int_crc32 (PARRAY, ARRAY),
          PHDR[88] | PHDR[89] << 8 | PHDR[90] << 16 | (uint32_t) PHDR[91] << 24,
          "primary: the array CRC in the header is the new array's");
  ok (h.my_lba == 1 && h.alternate_lba == BACKUP_HDR && h.entries_lba == 2,
      "primary: the other header fields are kept");

  r = renumber (BHDR, BARRAY, "backup", ubuntu, 3, &err);
  ok (r == 0 && err[0] == '\0', "backup: renumbered");
  free (err);
  ok (memcmp (PARRAY, BARRAY, ARRAY) == 0,
      "backup array equals the primary one");
  unit_capture_begin ();
  r = gs_int_gpt_header_parse (BHDR, SS, "backup", &h);
  free (unit_capture_end ());
  ok (r == 0 && h.my_lba == BACKUP_HDR && h.entries_lba == BACKUP_ARRAY,
      "backup: header CRC right, its own LBAs kept");

  /* sgdisk reads what the appliance's parted and kernel will read. */
  r = sgdisk ("-v", &out);
  ok (r == 0 && unit_contains (out, "No problems found"),
      "sgdisk -v: no problems (both CRCs, both headers)");
  if (!unit_contains (out, "No problems found"))
    diag ("sgdisk -v: %s", out ? out : "cannot run");
  free (out);
  sgdisk ("-i 14", &out);
  ok (unit_contains (out, "First sector: 2048 ") &&
      unit_contains (out, "Partition name: 'bios'"),
      "sgdisk -i 14: bios at 2048");
  free (out);
  sgdisk ("-i 15", &out);
  ok (unit_contains (out, "First sector: 2560 ") &&
      unit_contains (out, "Partition name: 'boot'"),
      "sgdisk -i 15: boot at 2560");
  free (out);
  sgdisk ("-i 1", &out);
  ok (unit_contains (out, "First sector: 3072 ") &&
      unit_contains (out, "Partition name: 'root'"),
      "sgdisk -i 1: root at 3072");
  free (out);

  /* Swapping back, at once: 14 <-> 1 (both used). */
  {
    static const struct gs_renumber swap[] = { { 14, 1 }, { 1, 14 } };
    unsigned char e1[ESIZE], e14[ESIZE];

    memcpy (e1, entry (PARRAY, 1), ESIZE);
    memcpy (e14, entry (PARRAY, 14), ESIZE);
    r = renumber (PHDR, PARRAY, "primary", swap, 2, &err);
    free (err);
    ok (r == 0 && memcmp (entry (PARRAY, 1), e14, ESIZE) == 0 &&
        memcmp (entry (PARRAY, 14), e1, ESIZE) == 0,
        "a swap of two used entries works");
  }
  r = renumber (PHDR, PARRAY, "primary", NULL, 0, &err);
  free (err);
  ok (r == 0, "no moves: nothing to do");

  /* ---- Refusals, on a fresh table ---------------------------------- */
  make_gpt ();
  refused ((const struct gs_renumber[]) { { 5, 14 } }, 1,
           "no partition 5", "an empty entry");
  refused ((const struct gs_renumber[]) { { 1, 2 } }, 1,
           "partition 2 is there", "onto a used entry");
  refused ((const struct gs_renumber[]) { { 1, 129 } }, 1,
           "from 1 to 128", "beyond the array");
  refused ((const struct gs_renumber[]) { { 1, 0 } }, 1,
           "from 1 to 128", "to 0");
  refused ((const struct gs_renumber[]) { { 1, 14 }, { 2, 14 } }, 2,
           "moved twice", "two onto one");
  PARRAY[100]++;
  refused (ubuntu, 3, "bad CRC of the partition entries",
           "a damaged array");
  PARRAY[100]--;
  PHDR[40]++;
  refused (ubuntu, 3, "bad header CRC", "a damaged header");
  PHDR[40]--;
  PHDR[0] = 'X';
  refused (ubuntu, 3, "no GPT signature", "no signature");
  PHDR[0] = 'E';
  unit_capture_begin ();
  r = gs_int_gpt_renumber (PHDR, SS, PARRAY, ARRAY - 1, "primary", ubuntu, 3);
  err = unit_capture_end ();
  ok (r == -1 && unit_contains (err, "the header describes 16384"),
      "an array shorter than the header says is refused");
  free (err);

  /* ---- MBR: 1, 2 (extended) become 1, 3 ---------------------------- */
  {
    static const unsigned char code[4] = { 0xeb, 0x63, 0x90, 0x10 };
    unsigned char mbr[SS], old[SS];

    memset (mbr, 0, sizeof mbr);
    memcpy (mbr, code, sizeof code);
    w32 (mbr + 440, 0xdeadbeef); /* disk signature */
    mbr[446 + 0] = 0x80;
    mbr[446 + 4] = 0x83;
    w32 (mbr + 446 + 8, 2048);
    w32 (mbr + 446 + 12, 2048);
    mbr[462 + 4] = 0x05;
    w32 (mbr + 462 + 8, 4096);
    w32 (mbr + 462 + 12, 8192);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    memcpy (old, mbr, SS);

    unit_capture_begin ();
    r = gs_int_mbr_renumber (mbr, SS,
                             (const struct gs_renumber[]) { { 2, 3 } }, 1);
    free (unit_capture_end ());
    is_int (r, 0, "MBR: 2 -> 3");
    ok (memcmp (mbr + 478, old + 462, 16) == 0, "MBR: slot 3 is the old 2");
    {
      static const unsigned char zero[16];
      ok (memcmp (mbr + 462, zero, 16) == 0, "MBR: slot 2 is empty");
    }
    ok (memcmp (mbr, old, 446) == 0 && memcmp (mbr + 446, old + 446, 16) == 0
        && mbr[510] == 0x55 && mbr[511] == 0xaa,
        "MBR: boot code, disk signature, slot 1, boot signature kept");

    memcpy (old, mbr, SS);
    unit_capture_begin ();
    r = gs_int_mbr_renumber (mbr, SS,
                             (const struct gs_renumber[]) { { 3, 1 } }, 1);
    err = unit_capture_end ();
    ok (r == -1 && unit_contains (err, "partition 1 is there") &&
        memcmp (mbr, old, SS) == 0, "MBR: onto a used slot, refused");
    free (err);
    unit_capture_begin ();
    r = gs_int_mbr_renumber (mbr, SS,
                             (const struct gs_renumber[]) { { 3, 5 } }, 1);
    err = unit_capture_end ();
    ok (r == -1 && unit_contains (err, "from 1 to 4"),
        "MBR: logical numbers are not slots, refused");
    free (err);
    mbr[511] = 0;
    unit_capture_begin ();
    r = gs_int_mbr_renumber (mbr, SS,
                             (const struct gs_renumber[]) { { 3, 2 } }, 1);
    err = unit_capture_end ();
    ok (r == -1 && unit_contains (err, "no boot signature"),
        "MBR: no 0x55 0xAA, refused");
    free (err);
  }

  return exit_status ();
}
