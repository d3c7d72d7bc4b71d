/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-xalloc: the checked allocators (common/xalloc.c) return what
 * was asked for, and when memory runs out (or a size overflows) end the
 * process with exit status 1 after exactly one message, "out of
 * memory", having removed the process's scratch files.  Each failure
 * runs in a child process.
 */
#include <config.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "goldsmith-plugin.h"
#include "goldsmith-int.h"
#include "unit-util.h"

static volatile size_t huge = SIZE_MAX; /* not a constant to the compiler */

/* Run FN in a child; its exit status and what it wrote on stderr. */
static int
in_child (void (*fn) (void), char **err)
{
  int p[2], status;
  pid_t pid;

  fflush (stdout);
  if (pipe (p) == -1 || (pid = fork ()) == -1)
    abort ();
  if (pid == 0) {
    close (p[0]);
    dup2 (p[1], 2);
    fn ();
    _exit (99);                 /* it returned: wrong */
  }
  close (p[1]);
  {
    size_t len = 0;
    char buf[4096];
    ssize_t r;

    while ((r = read (p[0], buf + len, sizeof buf - 1 - len)) > 0)
      len += (size_t) r;
    buf[len] = '\0';
    *err = strdup (buf);
  }
  close (p[0]);
  waitpid (pid, &status, 0);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static void malloc_huge (void) { free (gs_xmalloc (huge)); }
static void calloc_overflow (void) { free (gs_xcalloc (huge / 2, 4)); }
static void realloc_huge (void) { free (gs_xrealloc (NULL, huge)); }
static void reallocarray_overflow (void)
{
  free (gs_xreallocarray (NULL, huge / 8 + 1, 16));
}

/* What the allocator itself refuses is the same as what malloc
 * refuses: run out of address space for real (not under a sanitizer,
 * whose allocator needs far more of it).
 */
static void
malloc_fails (void)
{
  FILE *fp = fopen ("/proc/self/statm", "r");
  unsigned long pages = 0;
  struct rlimit rl;

  if (fp == NULL || fscanf (fp, "%lu", &pages) != 1)
    _exit (98);
  fclose (fp);
  rl.rlim_cur = rl.rlim_max = pages * sysconf (_SC_PAGESIZE) + (64 << 20);
  if (setrlimit (RLIMIT_AS, &rl) == -1)
    _exit (98);
  free (gs_xmalloc ((size_t) 1 << 30));
}

static const char *scratch_file;

/* A scratch file (OUT's stand-in) goes with the process. */
static void
scratch_then_fail (void)
{
  gs_int_scratch_add ((char *) scratch_file);
  free (gs_xmalloc (huge));
}

static const char one_line[] = "goldsmith: error: out of memory\n";

static void
fails (void (*fn) (void), const char *what)
{
  char *err = NULL;
  int status = in_child (fn, &err);

  is_int (status, 1, "%s", what);
  is_str (err, one_line, "... with exactly one line: out of memory");
  free (err);
}

int
main (void)
{
  char *s;
  int *v;

  plan (19);
  /* Success: what was asked for. */
  s = gs_xstrdup ("hello");
  is_str (s, "hello", "gs_xstrdup copies");
  free (s);
  s = gs_xstrndup ("hello", 3);
  is_str (s, "hel", "gs_xstrndup copies at most N bytes");
  free (s);
  s = gs_xasprintf ("%s-%d", "a", 42);
  is_str (s, "a-42", "gs_xasprintf formats");
  free (s);
  v = gs_xcalloc (4, sizeof *v);
  ok (v[0] == 0 && v[3] == 0, "gs_xcalloc zeroes");
  v = gs_xreallocarray (v, 1000, sizeof *v);
  v[999] = 7;
  ok (v[0] == 0 && v[999] == 7, "gs_xreallocarray keeps the contents");
  free (v);
  s = gs_xmalloc (0);
  ok (s != NULL, "gs_xmalloc (0) gives a pointer to free");
  free (s);
  s = gs_xrealloc (NULL, 16);
  memcpy (s, "0123456789abcde", 16);
  s = gs_xrealloc (s, 32);
  is_str (s, "0123456789abcde", "gs_xrealloc keeps the contents");
  free (s);

  /* Failure: one message, exit status 1. */
  fails (malloc_huge, "gs_xmalloc (SIZE_MAX): exit status 1");
  fails (calloc_overflow, "gs_xcalloc overflowing N * SIZE: exit status 1");
  fails (realloc_huge, "gs_xrealloc (SIZE_MAX): exit status 1");
  fails (reallocarray_overflow,
         "gs_xreallocarray overflowing N * SIZE: exit status 1");
#if defined (__SANITIZE_ADDRESS__)
  /* Not under AddressSanitizer (it reserves far more address space). */
  ok (1, "malloc failing for real: not tested under AddressSanitizer");
  ok (1, "... (nor its message)");
#else
  fails (malloc_fails, "malloc failing for real (RLIMIT_AS): exit status 1");
#endif

  {
    char *err = NULL;

    scratch_file = unit_temp_text ("", "stand-in");
    is_int (in_child (scratch_then_fail, &err), 1,
            "out of memory with a scratch file: exit status 1");
    free (err);
    ok (access (scratch_file, F_OK) == -1,
        "... and the scratch file is removed");
  }
  return exit_status ();
}
