/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-id-range: gs_id_range_regex (plugins/sysprep/id-range.c), the
 * UID_MIN..UID_MAX of user-account as a regexp for augeas, checked with
 * pcre2 (anchored) number by number: every number of the range matches,
 * no other does.  No appliance.
 */
#include <config.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "id-range.h"

static pcre2_code *
compile (const char *re)
{
  int err;
  PCRE2_SIZE off;

  return pcre2_compile ((PCRE2_SPTR) re, PCRE2_ZERO_TERMINATED,
                        PCRE2_ANCHORED | PCRE2_ENDANCHORED, &err, &off, NULL);
}

static bool
matches (pcre2_code *re, pcre2_match_data *md, const char *s)
{
  return pcre2_match (re, (PCRE2_SPTR) s, strlen (s), 0, 0, md, NULL) >= 0;
}

/* Every number from 0 to TOP (and a few with leading zeros). */
static void
check (unsigned long lo, unsigned long hi, unsigned long top)
{
  char *re = gs_id_range_regex (lo, hi);
  pcre2_code *c = re ? compile (re) : NULL;
  pcre2_match_data *md = pcre2_match_data_create (1, NULL);
  unsigned long bad = 0, first_bad = 0;

  if (!ok (c != NULL, "%lu..%lu: a valid regexp", lo, hi)) {
    diag ("regexp: %s", re ? re : "(null)");
    free (re);
    return;
  }
  for (unsigned long n = 0; n <= top; ++n) {
    char s[32];

    snprintf (s, sizeof s, n % 7 == 0 ? "00%lu" : "%lu", n);
    if (matches (c, md, s) != (n >= lo && n <= hi) && bad++ == 0)
      first_bad = n;
  }
  if (!ok (bad == 0, "%lu..%lu: exactly the range, 0..%lu checked", lo, hi,
           top))
    diag ("%lu wrong, first %lu; regexp: %s", bad, first_bad, re);
  pcre2_match_data_free (md);
  pcre2_code_free (c);
  free (re);
}

int
main (void)
{
  plan (25);
  check (1000, 60000, 200000);        /* the usual login.defs */
  check (500, 60000, 100000);         /* older Red Hat */
  check (1, 4294967294UL, 100000);    /* the widest user-account uses */
  check (0, 0, 1000);
  check (7, 7, 1000);
  check (9, 10, 1000);
  check (99, 1001, 20000);
  check (1234, 5678, 20000);
  check (1000, 1999, 20000);
  check (1001, 1998, 20000);
  check (60000, 60000, 100000);
  check (123456, 654321, 1000000);
  {
    char *re = gs_id_range_regex (1000, 60000);
    pcre2_code *c = compile (re);
    pcre2_match_data *md = pcre2_match_data_create (1, NULL);

    ok (matches (c, md, "4294967294") == false && !matches (c, md, "") &&
        !matches (c, md, "1000x") && !matches (c, md, "-1000") &&
        !matches (c, md, " 1000"), "1000..60000: no match beyond numbers");
    pcre2_match_data_free (md);
    pcre2_code_free (c);
    free (re);
  }
  return exit_status ();
}
