/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-size: the sizes and percentages of goldsmith resize (--resize
 * PART=SIZE, --resize-force, --output-size: gs_int_resize_parse_size)
 * and its partition names (gs_int_resize_parse_partition).
 *
 * Every accepted size is checked against the same arithmetic done
 * independently in 128 bits: N[bKMG] with up to 18 decimals is exactly
 * floor (N * unit), P% is floor (OLDSIZE * tenths of P / 1000), and a
 * sign adds to or subtracts from OLDSIZE.  A size refused as too large
 * must really be out of range (a number of up to 17 digits whose size
 * fits in 0..INT64_MAX must be accepted).
 */
#include <config.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "common/resize/plan.h"
#include "fuzz-util.h"

typedef __int128 i128;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init (argc, argv, NULL);
  return 0;
}

/* The expected value of FIELD as a size (of OLDSIZE): 1 and *R if it
 * is one the model can compute, 0 if the model does not apply (the
 * grammar is wrong, or too many digits for 128 bits).  *NINT: the
 * number of integer digits.
 */
static int
model (const char *field, int64_t oldsize, i128 *r, size_t *nint_r)
{
  const char *p = field;
  int sign = 0;
  i128 ipart = 0, frac = 0, scale = 1, mult, v;
  size_t nint = 0, nfrac = 0;
  bool point = false;

  if (*p == '+' || *p == '-')
    sign = *p++ == '+' ? 1 : -1;
  for (; isdigit ((unsigned char) *p) || *p == '.'; ++p) {
    if (*p == '.') {
      if (point)
        return 0;
      point = true;
    }
    else if (point) {
      if (++nfrac > 18)
        return 0;
      frac = frac * 10 + (*p - '0');
      scale *= 10;
    }
    else {
      if (++nint > 28)           /* 10^28 * 2^30 < 2^127 */
        return 0;
      ipart = ipart * 10 + (*p - '0');
    }
  }
  if (nint + nfrac == 0 || p[0] == '\0' || p[1] != '\0')
    return 0;
  switch (p[0]) {
  case 'b': mult = 1; break;
  case 'K': mult = 1024; break;
  case 'M': mult = 1024 * 1024; break;
  case 'G': mult = 1024 * 1024 * 1024; break;
  case '%':
    if (oldsize < 0 || nint > 17) /* 10^18 * 2^63 < 2^127 */
      return 0;
    /* Tenths of a percent; later digits are ignored. */
    v = ipart * 10 + (nfrac > 0 ? frac / (scale / 10) : 0);
    v = (i128) oldsize * v / 1000;
    goto apply;
  default:
    return 0;
  }
  v = ipart * mult + frac * mult / scale;
 apply:
  *r = sign > 0 ? oldsize + v : sign < 0 ? oldsize - v : v;
  *nint_r = nint;
  return 1;
}

static void
check_size (const char *field, int64_t oldsize)
{
  int64_t got = -1;
  i128 want;
  size_t nint;
  int r = gs_int_resize_parse_size ("--resize x", oldsize, field, &got);
  int known = model (field, oldsize, &want, &nint);

  if (r == 0 && known && got != want)
    fuzz_die ("'%s' of %" PRIi64 ": got %" PRIi64 ", expected %" PRIi64
              "%s", field, oldsize, got, (int64_t) want,
              want > INT64_MAX || want < INT64_MIN ? " (overflow)" : "");
  if (r == -1 && known && nint <= 17 && want >= 0 && want <= INT64_MAX)
    fuzz_die ("'%s' of %" PRIi64 " refused, but is %" PRIi64,
              field, oldsize, (int64_t) want);
  if (r == 0) {
    char human[32];

    gs_int_human_size (got, human, sizeof human);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* Disk and partition sizes that matter: none, tiny, typical, the
   * largest a qcow2 can be, and the largest int64_t.
   */
  static const int64_t oldsizes[] = {
    0, 1, 512, 10LL << 30, 4000000000000000LL, INT64_MAX,
  };
  char *field = fuzz_string (data, size);
  int num;

  for (size_t i = 0; i < sizeof oldsizes / sizeof oldsizes[0]; ++i)
    check_size (field, oldsizes[i]);
  if (gs_int_resize_parse_partition ("--resize", field, &num) == 0 &&
      (num < 1 || num > 999999))
    fuzz_die ("'%s': partition number %d", field, num);
  free (field);
  return 0;
}
