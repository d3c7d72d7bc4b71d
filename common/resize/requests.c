/* SPDX-License-Identifier: GPL-2.0-or-later */
/* requests.c: the resize options as the planner takes them
 * (--resize, --delete, --expand, ... one at a time, checked as given),
 * and the parsers of sizes and partition names they share with
 * --output-size.  No appliance: every refusal here comes before a
 * launch.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "cleanups.h"
#include "plan.h"

#define KiB 1024
#define HUMAN_LEN 32
/* ---- Requests ------------------------------------------------------ */

void
gs_int_resize_requests_init (struct gs_resize_requests *rq)
{
  memset (rq, 0, sizeof *rq);
  rq->alignment = GS_RESIZE_DEFAULT_ALIGNMENT;
  rq->align_first = GS_RESIZE_ALIGN_FIRST_AUTO;
  rq->extra_partition = true;
  rq->keep_numbers = true;
  rq->expand_content = true;
  rq->unknown_fs = GS_RESIZE_UNKNOWN_FS_WARN;
}

void
gs_int_resize_requests_free (struct gs_resize_requests *rq)
{
  string_vector_free_all (&rq->resizes);
  string_vector_free_all (&rq->resizes_force);
  string_vector_free_all (&rq->deletes);
  string_vector_free_all (&rq->ignores);
  string_vector_free_all (&rq->unavailable_fs);
  free (rq->expand);
  free (rq->shrink);
  rq->expand = rq->shrink = NULL;
}

static int
append (string_vector *v, const char *arg)
{
  string_vector_append_copy (v, arg);
  return 0;
}

static int
set_once (char **field, const char *option, const char *arg)
{
  if (arg[0] == '\0') {
    gs_error ("empty %s option", option);
    return -1;
  }
  if (*field != NULL) {
    gs_error ("%s option given more than once", option);
    return -1;
  }
  *field = gs_xstrdup (arg);
  return 0;
}

/* What can be refused of a partition option before the source is
 * read (so before any launch): the syntax of PART and of SIZE, and an
 * absolute SIZE that is not positive.  The planner checks the rest
 * against the source's table, with the same messages.
 */
static int
check_part_arg (const char *option, const char *arg, bool with_size)
{
  CLEANUP_FREE char *what = gs_xasprintf ("%s '%s'", option, arg);
  CLEANUP_FREE char *name = NULL;
  const char *eq = with_size ? strchr (arg, '=') : NULL;
  int num;
  int64_t size;

  if (with_size && (eq == NULL || eq[1] == '\0' || eq == arg)) {
    gs_error ("%s: expected PART=SIZE", what);
    return -1;
  }
  name = with_size ? gs_xstrndup (arg, eq - arg) : gs_xstrdup (arg);
  if (gs_int_resize_parse_partition (what, name, &num) == -1)
    return -1;
  if (!with_size)
    return 0;
  if (gs_int_resize_parse_size (what, 0, eq + 1, &size) == -1)
    return -1;
  if (eq[1] != '+' && eq[1] != '-' && strchr (eq + 1, '%') == NULL &&
      size <= 0) {
    gs_error ("%s: the new size of partition %d is zero or negative",
              what, num);
    return -1;
  }
  return 0;
}

int
gs_int_resize_request_add (struct gs_resize_requests *rq,
                           const char *option, const char *arg)
{
  bool sized = strcmp (option, "--resize") == 0 ||
    strcmp (option, "--resize-force") == 0;

  if ((sized || strcmp (option, "--delete") == 0 ||
       strcmp (option, "--ignore") == 0 || strcmp (option, "--expand") == 0 ||
       strcmp (option, "--shrink") == 0) && arg[0] != '\0' &&
      check_part_arg (option, arg, sized) == -1)
    return -1;
  if (strcmp (option, "--resize") == 0)
    return append (&rq->resizes, arg);
  if (strcmp (option, "--resize-force") == 0)
    return append (&rq->resizes_force, arg);
  if (strcmp (option, "--delete") == 0)
    return append (&rq->deletes, arg);
  if (strcmp (option, "--ignore") == 0)
    return append (&rq->ignores, arg);
  if (strcmp (option, "--expand") == 0)
    return set_once (&rq->expand, option, arg);
  if (strcmp (option, "--shrink") == 0)
    return set_once (&rq->shrink, option, arg);
  if (strcmp (option, "--alignment") == 0) {
    char *end;
    long long n;

    errno = 0;
    n = strtoll (arg, &end, 10);
    if (arg[0] == '\0' || *end != '\0' || errno != 0 ||
        isspace ((unsigned char) arg[0])) {
      gs_error ("--alignment '%s': not a number of sectors", arg);
      return -1;
    }
    if (n < 1) {
      gs_error ("--alignment '%s': alignment cannot be < 1", arg);
      return -1;
    }
    rq->alignment = n;
    return 0;
  }
  if (strcmp (option, "--align-first") == 0) {
    if (strcmp (arg, "auto") == 0)
      rq->align_first = GS_RESIZE_ALIGN_FIRST_AUTO;
    else if (strcmp (arg, "never") == 0)
      rq->align_first = GS_RESIZE_ALIGN_FIRST_NEVER;
    else if (strcmp (arg, "always") == 0)
      rq->align_first = GS_RESIZE_ALIGN_FIRST_ALWAYS;
    else {
      gs_error ("--align-first '%s': use never, always or auto", arg);
      return -1;
    }
    return 0;
  }
  if (strcmp (option, "--unknown-filesystems") == 0) {
    if (strcmp (arg, "warn") == 0)
      rq->unknown_fs = GS_RESIZE_UNKNOWN_FS_WARN;
    else if (strcmp (arg, "ignore") == 0)
      rq->unknown_fs = GS_RESIZE_UNKNOWN_FS_IGNORE;
    else if (strcmp (arg, "error") == 0)
      rq->unknown_fs = GS_RESIZE_UNKNOWN_FS_ERROR;
    else {
      gs_error ("--unknown-filesystems '%s': use ignore, warn or error", arg);
      return -1;
    }
    return 0;
  }
  gs_error ("%s: not a resize option", option);
  return -1;
}

/* ---- Parsers ------------------------------------------------------- */

static void parse_error (const char *what, const char *fs, ...)
  __attribute__((format (printf, 2, 3)));

/* "WHAT: " (if WHAT) then the message. */
static void
parse_error (const char *what, const char *fs, ...)
{
  va_list args;
  char *msg = NULL;

  va_start (args, fs);
  if (vasprintf (&msg, fs, args) == -1)
    msg = NULL;
  va_end (args);
  if (what)
    gs_error ("%s: %s", what, msg ? msg : "out of memory");
  else
    gs_error ("%s", msg ? msg : "out of memory");
  free (msg);
}

/* floor (MULT * 0.DIGITS) for the N decimal digits at DIGITS, exactly:
 * from the last digit, a = floor ((MULT * d + a) / 10).  (For an
 * integer n and 0 <= f < 1, floor ((n + f) / 10) = floor (n / 10), so
 * dropping the fraction at each step loses nothing.)  < MULT.
 */
static int64_t
fraction_times (const char *digits, size_t n, int64_t mult)
{
  int64_t a = 0;

  while (n-- > 0)
    a = (mult * (digits[n] - '0') + a) / 10;
  return a;
}

int
gs_int_resize_parse_size (const char *what, int64_t oldsize,
                          const char *field, int64_t *ret)
{
  const char *p = field, *frac = NULL;
  int sign = 0;
  size_t ndigits = 0, nfrac = 0;
  int64_t ipart = 0, mult, value;

  if (*p == '+' || *p == '-')
    sign = *p++ == '+' ? 1 : -1;
  for (; isdigit ((unsigned char) *p) || *p == '.'; ++p) {
    if (*p == '.') {
      if (frac)
        goto bad;                /* two decimal points */
      frac = p + 1;
      continue;
    }
    ++ndigits;
    if (frac)
      ++nfrac;
    else if (__builtin_mul_overflow (ipart, 10, &ipart) ||
             __builtin_add_overflow (ipart, *p - '0', &ipart))
      goto too_big;
  }
  if (ndigits == 0 || p[0] == '\0' || p[1] != '\0')
    goto bad;

  switch (p[0]) {
  case 'b': mult = 1; break;
  case 'K': mult = KiB; break;
  case 'M': mult = KiB * KiB; break;
  case 'G': mult = KiB * KiB * KiB; break;
  case '%': {
    /* Tenths of a percent (further digits are ignored, as virt-resize's
     * Int64.of_float (10. *. p) truncates), then oldsize * t / 1000
     * computed as q t + r a + r b / 1000 (oldsize = 1000 q + r,
     * t = 1000 a + b; r, b < 1000) so that it cannot overflow before
     * the result does: r t alone can (found by fuzz/fuzz-size).
     */
    int64_t t, q, r, a, b, ra;

    if (oldsize < 0)
      goto bad;
    if (__builtin_mul_overflow (ipart, 10, &t) ||
        __builtin_add_overflow (t, nfrac > 0 ? frac[0] - '0' : 0, &t))
      goto too_big;
    q = oldsize / 1000;
    r = oldsize % 1000;
    a = t / 1000;
    b = t % 1000;
    ra = r * a;                  /* < 1000 * (INT64_MAX / 1000) */
    if (__builtin_mul_overflow (q, t, &value) ||
        __builtin_add_overflow (value, ra, &value) ||
        __builtin_add_overflow (value, r * b / 1000, &value))
      goto too_big;
    goto apply;
  }
  default:
    goto bad;
  }
  if (__builtin_mul_overflow (ipart, mult, &value) ||
      __builtin_add_overflow (value, fraction_times (frac, nfrac, mult),
                              &value))
    goto too_big;

 apply:
  if (sign > 0 && __builtin_add_overflow (oldsize, value, &value))
    goto too_big;
  if (sign < 0)
    value = oldsize - value;     /* both >= 0: cannot overflow */
  *ret = value;
  return 0;

 bad:
  parse_error (what, "cannot parse the size '%s' (expected N[bKMG], "
               "+N[bKMG], -N[bKMG], P%%, +P%% or -P%%)", field);
  return -1;
 too_big:
  parse_error (what, "the size '%s' is too large", field);
  return -1;
}

static bool
all_lower (const char *s, size_t n)
{
  for (size_t i = 0; i < n; ++i)
    if (!islower ((unsigned char) s[i]))
      return false;
  return true;
}

static bool
lower_or_digits (const char *s, size_t n)
{
  for (size_t i = 0; i < n; ++i)
    if (!islower ((unsigned char) s[i]) && !isdigit ((unsigned char) s[i]))
      return false;
  return true;
}

int
gs_int_resize_parse_partition (const char *what, const char *name, int *num)
{
  const char *s = name, *d;
  size_t stem;

  if (strncmp (s, "/dev/", 5) == 0)
    s += 5;
  d = s + strlen (s);
  while (d > s && isdigit ((unsigned char) d[-1]))
    --d;
  stem = d - s;
  /* A number, without leading zero, of at most 6 digits ... */
  if (d[0] == '\0' || d[0] == '0' || strlen (d) > 6)
    goto bad;
  /* ... after nothing, a disk name (sda, vda, xvda) or one that ends
   * with a digit and 'p' (nvme0n1p, mmcblk0p, loop0p).
   */
  if (stem > 0 && !all_lower (s, stem) &&
      !(stem >= 3 && islower ((unsigned char) s[0]) && s[stem - 1] == 'p' &&
        isdigit ((unsigned char) s[stem - 2]) && lower_or_digits (s, stem)))
    goto bad;
  *num = atoi (d);
  return 0;

 bad:
  parse_error (what, "'%s' is not a partition name (such as /dev/sda1)",
               name);
  return -1;
}

