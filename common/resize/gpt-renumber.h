/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gpt-renumber.h: give partitions the numbers chosen for them by moving
 * their entries within a partition table held in memory (a GPT header
 * and its entry array, or an MBR's sector 0).
 *
 * parted, and so libguestfs's part_add, always gives a new partition
 * the lowest free number.  `goldsmith resize' keeps the source's
 * numbers, which may have gaps (an Ubuntu cloud image has 14, 15, 1 in
 * disk order), so it creates the partitions with part_add and then
 * moves each entry to the slot of its planned number: a partition's
 * number is its entry's index + 1, in GPT (128-byte entries, CRC32 of
 * the array and of the header) as in MBR (four 16-byte entries at byte
 * 446; logical partitions, 5 and up, live in EBRs and are not moved).
 *
 * Pure functions, no libguestfs: cli/resize.c reads and writes the
 * sectors.
 */
#ifndef GS_GPT_RENUMBER_H
#define GS_GPT_RENUMBER_H

#include <stddef.h>
#include <stdint.h>

/* One move: the entry of partition FROM becomes partition TO.  All the
 * moves of a call happen at once, so 1->2 with 2->1 swaps two entries.
 */
struct gs_renumber {
  int from, to;
};

/* The fields of a GPT header that locate its entry array. */
struct gs_gpt_header {
  uint32_t header_size;          /* bytes covered by the header CRC */
  uint64_t my_lba, alternate_lba;
  uint64_t entries_lba;          /* where the entry array starts */
  uint32_t nentries, entry_size;
};

#define GS_GPT_HEADER_MIN 92     /* the header's size in revision 1.0 */
#define GS_MBR_TABLE_OFFSET 446
#define GS_MBR_ENTRY_SIZE 16

/* IEEE 802.3 CRC32, as GPT uses it. */
extern uint32_t gs_int_crc32 (const void *buf, size_t len);

/* Check the header in HDR (HDR_LEN bytes, normally one sector):
 * signature, a size from 92 bytes to HDR_LEN, its CRC, an entry size
 * that is a multiple of 8 from 128, and fill H.  WHAT names the header
 * in messages ("primary GPT header").  Reports and returns -1 if bad.
 */
extern int gs_int_gpt_header_parse (const unsigned char *hdr, size_t hdr_len,
                                    const char *what,
                                    struct gs_gpt_header *h);

/* Move the entries of the array ENTRIES (ENTRIES_LEN bytes, at least
 * what the header HDR describes) as MOVES say, then store the array's
 * new CRC in the header and the header's new CRC.  Every FROM must be
 * a used entry, every FROM and every TO in 1..nentries and given once,
 * and a TO that is no FROM must be free.  Checks everything (the
 * header, the array's CRC) before changing anything: on failure
 * reports, returns -1 and leaves both buffers as they were.  Works for
 * the primary and the backup header alike.
 */
extern int gs_int_gpt_renumber (unsigned char *hdr, size_t hdr_len,
                                unsigned char *entries, size_t entries_len,
                                const char *what,
                                const struct gs_renumber *moves,
                                size_t nmoves);

/* The same for the four primary entries of an MBR in SECTOR0 (at least
 * 512 bytes, ending in 0x55 0xAA): numbers 1-4 only.  Boot code, disk
 * signature and the EBRs of logical partitions are untouched.
 */
extern int gs_int_mbr_renumber (unsigned char *sector0, size_t len,
                                const struct gs_renumber *moves,
                                size_t nmoves);

#endif /* GS_GPT_RENUMBER_H */
