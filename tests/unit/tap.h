/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap.h: a tiny header-only TAP producer for the C unit tests.
 *
 *   plan (3);
 *   ok (r == 0, "load succeeds");
 *   is_int (n, 2, "two operations");
 *   is_str (name, "machine-id", "first is machine-id");
 *   return exit_status ();
 *
 * ok, is_int and is_str return the result so that a test can print
 * more with diag () when an assertion fails.  Between todo_start
 * ("why") and todo_end (), assertions are marked "# TODO why": a known
 * bug, whose failure is reported (XFAIL) but does not fail the test
 * program, and whose unexpected success (XPASS) the automake driver
 * reports as an error, so that the marker is removed when the bug is
 * fixed.  Output goes to stdout (the TAP stream read by
 * build-aux/tap-driver.sh); the code under test writes its messages to
 * stderr, which the driver copies to the .log file.
 */
#ifndef GS_TESTS_TAP_H
#define GS_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_planned_ = -1;
static int tap_run_;
static int tap_failed_;
static const char *tap_todo_;

static inline void
plan (int n)
{
  tap_planned_ = n;
  printf ("1..%d\n", n);
  fflush (stdout);
}

static inline void
todo_start (const char *reason)
{
  tap_todo_ = reason;
}

static inline void
todo_end (void)
{
  tap_todo_ = NULL;
}

/* "# " before every line of a diagnostic, so it can hold newlines. */
static inline void vdiag_ (const char *fs, va_list args)
  __attribute__((format (printf, 1, 0)));
static inline void
vdiag_ (const char *fs, va_list args)
{
  char buf[4096];
  const char *p = buf;

  vsnprintf (buf, sizeof buf, fs, args);
  do {
    size_t n = strcspn (p, "\n");

    printf ("# %.*s\n", (int) n, p);
    p += n;
  } while (*p && *++p);
  fflush (stdout);
}

static inline void diag (const char *fs, ...)
  __attribute__((format (printf, 1, 2)));
static inline void
diag (const char *fs, ...)
{
  va_list args;

  va_start (args, fs);
  vdiag_ (fs, args);
  va_end (args);
}

/* The description may not hold a newline (it ends the line) or an
 * unescaped '#' (it would start a TAP directive such as "# SKIP").
 */
static inline void vok_ (bool cond, const char *fs, va_list args)
  __attribute__((format (printf, 2, 0)));
static inline void
vok_ (bool cond, const char *fs, va_list args)
{
  char desc[1024];

  vsnprintf (desc, sizeof desc, fs, args);
  ++tap_run_;
  if (!cond && tap_todo_ == NULL)
    ++tap_failed_;
  printf ("%sok %d - ", cond ? "" : "not ", tap_run_);
  for (const char *p = desc; *p; ++p) {
    if (*p == '#')
      putchar ('\\');
    putchar (*p == '\n' ? ' ' : *p);
  }
  if (tap_todo_)
    printf (" # TODO %s", tap_todo_);
  putchar ('\n');
  fflush (stdout);
}

static inline bool ok (bool cond, const char *fs, ...)
  __attribute__((format (printf, 2, 3)));
static inline bool
ok (bool cond, const char *fs, ...)
{
  va_list args;

  va_start (args, fs);
  vok_ (cond, fs, args);
  va_end (args);
  return cond;
}

static inline bool is_int (long long got, long long expected,
                           const char *fs, ...)
  __attribute__((format (printf, 3, 4)));
static inline bool
is_int (long long got, long long expected, const char *fs, ...)
{
  va_list args;
  bool cond = got == expected;

  va_start (args, fs);
  vok_ (cond, fs, args);
  va_end (args);
  if (!cond)
    diag ("     got: %lld\nexpected: %lld", got, expected);
  return cond;
}

/* NULL equals only NULL. */
static inline bool is_str (const char *got, const char *expected,
                           const char *fs, ...)
  __attribute__((format (printf, 3, 4)));
static inline bool
is_str (const char *got, const char *expected, const char *fs, ...)
{
  va_list args;
  bool cond = (got == NULL || expected == NULL)
    ? got == expected : strcmp (got, expected) == 0;

  va_start (args, fs);
  vok_ (cond, fs, args);
  va_end (args);
  if (!cond) {
    diag ("     got: %s%s%s", got ? "\"" : "", got ? got : "NULL",
          got ? "\"" : "");
    diag ("expected: %s%s%s", expected ? "\"" : "",
          expected ? expected : "NULL", expected ? "\"" : "");
  }
  return cond;
}

/* The exit code for main: 0 only if every planned test ran and passed. */
static inline int
exit_status (void)
{
  if (tap_planned_ >= 0 && tap_run_ != tap_planned_)
    diag ("planned %d tests but ran %d", tap_planned_, tap_run_);
  if (tap_failed_ > 0)
    diag ("failed %d of %d tests", tap_failed_, tap_run_);
  return tap_failed_ == 0 && (tap_planned_ < 0 || tap_run_ == tap_planned_)
    ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* GS_TESTS_TAP_H */
