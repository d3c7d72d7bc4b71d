/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gpt-renumber.c: move partition table entries in memory so that each
 * partition gets the number planned for it (see gpt-renumber.h).
 */
#include <config.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "gpt-renumber.h"

/* GPT header offsets (UEFI specification, "GPT Header"). */
#define H_SIGNATURE 0
#define H_SIZE 12
#define H_CRC 16
#define H_MY_LBA 24
#define H_ALTERNATE_LBA 32
#define H_ENTRIES_LBA 72
#define H_NENTRIES 80
#define H_ENTRY_SIZE 84
#define H_ENTRIES_CRC 88
#define GPT_TYPE_GUID_LEN 16     /* all zeros: an unused entry */

/* Continue a CRC (pre- and post-inverted by the callers) over LEN
 * bytes of P, or of zeros if P is NULL.  Bit by bit, reflected
 * polynomial: at most 16 KiB per table, so speed does not matter and
 * no lookup table is needed.
 */
static uint32_t
crc32_update (uint32_t crc, const unsigned char *p, size_t len)
{
  while (len--) {
    crc ^= p ? *p++ : 0;
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (UINT32_C (0xedb88320) & -(crc & 1));
  }
  return crc;
}

uint32_t
gs_int_crc32 (const void *buf, size_t len)
{
  return ~crc32_update (0xffffffff, buf, len);
}

static uint32_t
le32 (const unsigned char *p)
{
  return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
    (uint32_t) p[3] << 24;
}

static uint64_t
le64 (const unsigned char *p)
{
  return (uint64_t) le32 (p) | (uint64_t) le32 (p + 4) << 32;
}

static void
put_le32 (unsigned char *p, uint32_t v)
{
  for (int k = 0; k < 4; ++k)
    p[k] = (v >> (8 * k)) & 0xff;
}

/* The CRC of the header's first SIZE bytes with its CRC field zero. */
static uint32_t
header_crc (const unsigned char *hdr, uint32_t size)
{
  uint32_t crc = crc32_update (0xffffffff, hdr, H_CRC);

  crc = crc32_update (crc, NULL, 4);
  return ~crc32_update (crc, hdr + H_CRC + 4, size - H_CRC - 4);
}

int
gs_int_gpt_header_parse (const unsigned char *hdr, size_t hdr_len,
                         const char *what, struct gs_gpt_header *h)
{
  if (hdr_len < GS_GPT_HEADER_MIN || memcmp (hdr, "EFI PART", 8) != 0) {
    gs_error ("%s: no GPT signature", what);
    return -1;
  }
  h->header_size = le32 (hdr + H_SIZE);
  if (h->header_size < GS_GPT_HEADER_MIN || h->header_size > hdr_len) {
    gs_error ("%s: bad header size %" PRIu32, what, h->header_size);
    return -1;
  }
  if (header_crc (hdr, h->header_size) != le32 (hdr + H_CRC)) {
    gs_error ("%s: bad header CRC", what);
    return -1;
  }
  h->my_lba = le64 (hdr + H_MY_LBA);
  h->alternate_lba = le64 (hdr + H_ALTERNATE_LBA);
  h->entries_lba = le64 (hdr + H_ENTRIES_LBA);
  h->nentries = le32 (hdr + H_NENTRIES);
  h->entry_size = le32 (hdr + H_ENTRY_SIZE);
  if (h->entry_size < 128 || h->entry_size % 8 != 0 ||
      h->entry_size > 4096) {
    gs_error ("%s: bad entry size %" PRIu32, what, h->entry_size);
    return -1;
  }
  if (h->nentries == 0 || h->nentries > 65536) {
    gs_error ("%s: bad number of entries %" PRIu32, what, h->nentries);
    return -1;
  }
  return 0;
}

/* Check MOVES against a table of N slots where USED(i) says whether
 * slot i (0-based) holds a partition.  Reports with WHAT.
 */
static int
check_moves (const struct gs_renumber *moves, size_t nmoves, size_t n,
             const bool *used, const char *what)
{
  bool *is_from = gs_xcalloc (n, sizeof *is_from);
  bool *is_to = gs_xcalloc (n, sizeof *is_to);
  int r = -1;

  for (size_t i = 0; i < nmoves; ++i) {
    int f = moves[i].from, t = moves[i].to;

    if (f < 1 || (size_t) f > n || t < 1 || (size_t) t > n) {
      gs_error ("%s: cannot move partition %d to %d: numbers go from 1 to "
                "%zu", what, f, t, n);
      goto out;
    }
    if (!used[f - 1]) {
      gs_error ("%s: there is no partition %d to move", what, f);
      goto out;
    }
    if (is_from[f - 1] || is_to[t - 1]) {
      gs_error ("%s: partition %d or %d is moved twice", what, f, t);
      goto out;
    }
    is_from[f - 1] = is_to[t - 1] = true;
  }
  for (size_t i = 0; i < nmoves; ++i) {
    int t = moves[i].to;

    if (used[t - 1] && !is_from[t - 1]) {
      gs_error ("%s: cannot move partition %d to %d: partition %d is there",
                what, moves[i].from, t, t);
      goto out;
    }
  }
  r = 0;
 out:
  free (is_from);
  free (is_to);
  return r;
}

/* Move N slots of SIZE bytes in TABLE as MOVES say (checked): sources
 * are emptied first (zeroed), then filled from a copy.
 */
static int
apply_moves (unsigned char *table, size_t size,
             const struct gs_renumber *moves, size_t nmoves)
{
  unsigned char *copy = gs_xreallocarray (NULL, nmoves, size);

  for (size_t i = 0; i < nmoves; ++i)
    memcpy (copy + i * size, table + (moves[i].from - 1) * size, size);
  for (size_t i = 0; i < nmoves; ++i)
    memset (table + (moves[i].from - 1) * size, 0, size);
  for (size_t i = 0; i < nmoves; ++i)
    memcpy (table + (moves[i].to - 1) * size, copy + i * size, size);
  free (copy);
  return 0;
}

static bool
all_zero (const unsigned char *p, size_t n)
{
  while (n--)
    if (*p++)
      return false;
  return true;
}

int
gs_int_gpt_renumber (unsigned char *hdr, size_t hdr_len,
                     unsigned char *entries, size_t entries_len,
                     const char *what,
                     const struct gs_renumber *moves, size_t nmoves)
{
  struct gs_gpt_header h;
  size_t array;
  bool *used;
  int r;

  if (gs_int_gpt_header_parse (hdr, hdr_len, what, &h) == -1)
    return -1;
  array = (size_t) h.nentries * h.entry_size;
  if (entries_len < array) {
    gs_error ("%s: %zu bytes of entries given, the header describes %zu",
              what, entries_len, array);
    return -1;
  }
  if (gs_int_crc32 (entries, array) != le32 (hdr + H_ENTRIES_CRC)) {
    gs_error ("%s: bad CRC of the partition entries", what);
    return -1;
  }
  used = gs_xcalloc (h.nentries, sizeof *used);
  for (size_t i = 0; i < h.nentries; ++i)
    used[i] = !all_zero (entries + i * h.entry_size, GPT_TYPE_GUID_LEN);
  r = check_moves (moves, nmoves, h.nentries, used, what);
  free (used);
  if (r == -1 || apply_moves (entries, h.entry_size, moves, nmoves) == -1)
    return -1;
  put_le32 (hdr + H_ENTRIES_CRC, gs_int_crc32 (entries, array));
  put_le32 (hdr + H_CRC, header_crc (hdr, h.header_size));
  return 0;
}

int
gs_int_mbr_renumber (unsigned char *sector0, size_t len,
                     const struct gs_renumber *moves, size_t nmoves)
{
  unsigned char *table = sector0 + GS_MBR_TABLE_OFFSET;
  bool used[4];

  if (len < 512 || sector0[510] != 0x55 || sector0[511] != 0xaa) {
    gs_error ("MBR: no boot signature");
    return -1;
  }
  /* A slot is free when its type byte is 0, as parted and the kernel
   * read it.
   */
  for (int i = 0; i < 4; ++i)
    used[i] = table[i * GS_MBR_ENTRY_SIZE + 4] != 0;
  if (check_moves (moves, nmoves, 4, used, "MBR") == -1)
    return -1;
  return apply_moves (table, GS_MBR_ENTRY_SIZE, moves, nmoves);
}
