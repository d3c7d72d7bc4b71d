/* SPDX-License-Identifier: GPL-2.0-or-later */
/* id-range.h: a regular expression for a range of user IDs, so that
 * user-account asks augeas for the accounts of the range in one query.
 */
#ifndef GS_ID_RANGE_H
#define GS_ID_RANGE_H

/* A regular expression matching exactly the decimal numbers LO..HI
 * (LO <= HI), with any leading zeros, in the syntax augeas's regexp()
 * and POSIX ERE share: digits, [x-y], | and ( ).  Malloc'd; NULL when
 * out of memory.
 */
extern char *gs_id_range_regex (unsigned long lo, unsigned long hi);

#endif /* GS_ID_RANGE_H */
