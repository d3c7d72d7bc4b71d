/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unit-util.c: helpers shared by the C unit tests (see unit-util.h). */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "unit-util.h"

static const char *
env_or_dot (const char *name)
{
  const char *v = getenv (name);

  return v && v[0] ? v : ".";
}

const char *
unit_builddir (void)
{
  return env_or_dot ("GOLDSMITH_BUILDDIR");
}

const char *
unit_srcdir (void)
{
  return env_or_dot ("GOLDSMITH_SRCDIR");
}

static void
die (const char *what)
{
  /* "Bail out!" stops the TAP driver with an error, not a silent pass. */
  printf ("Bail out! %s: %s\n", what, strerror (errno));
  exit (EXIT_FAILURE);
}

char *
unit_printf (const char *fs, ...)
{
  va_list args;
  char *s;
  int r;

  va_start (args, fs);
  r = vasprintf (&s, fs, args);
  va_end (args);
  if (r == -1)
    die ("vasprintf");
  return s;
}

/* Paths to remove at exit: files first, then directories. */
static char *temps[256];
static size_t ntemps;

static int
remove_one (const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st; (void) flag; (void) ftw;
  remove (p);
  return 0;
}

static void
remove_temps (void)
{
  while (ntemps > 0) {
    char *p = temps[--ntemps];

    /* Depth first, so a directory goes after what it holds. */
    nftw (p, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free (p);
  }
}

static void
add_temp (char *path)
{
  if (ntemps == 0)
    atexit (remove_temps);
  if (ntemps == sizeof temps / sizeof temps[0]) {
    errno = ENOSPC;
    die ("too many temporary files");
  }
  temps[ntemps++] = path;
}

static const char *
tmpdir (void)
{
  const char *t = getenv ("TMPDIR");

  return t && t[0] ? t : "/tmp";
}

const char *
unit_temp_file (const char *suffix, const void *data, size_t len)
{
  char *path = unit_printf ("%s/goldsmith-unit-XXXXXX%s", tmpdir (), suffix);
  int fd = mkstemps (path, (int) strlen (suffix));

  if (fd == -1)
    die (path);
  add_temp (path);
  if (write (fd, data, len) != (ssize_t) len || close (fd) == -1)
    die (path);
  return path;
}

const char *
unit_temp_text (const char *suffix, const char *text)
{
  return unit_temp_file (suffix, text, strlen (text));
}

const char *
unit_temp_dir (void)
{
  char *path = unit_printf ("%s/goldsmith-unit-XXXXXX", tmpdir ());

  if (mkdtemp (path) == NULL)
    die (path);
  add_temp (path);
  return path;
}

static int saved_stderr = -1;
static int capture_fd = -1;

void
unit_capture_begin (void)
{
  char *path = unit_printf ("%s/goldsmith-unit-XXXXXX", tmpdir ());

  fflush (stderr);
  if ((capture_fd = mkstemp (path)) == -1)
    die (path);
  unlink (path);
  free (path);
  if ((saved_stderr = dup (2)) == -1 || dup2 (capture_fd, 2) == -1)
    die ("dup2");
}

char *
unit_capture_end (void)
{
  off_t size;
  char *buf;

  fflush (stderr);
  if (dup2 (saved_stderr, 2) == -1)
    die ("dup2");
  close (saved_stderr);
  saved_stderr = -1;
  if ((size = lseek (capture_fd, 0, SEEK_END)) == -1)
    die ("lseek");
  if ((buf = malloc (size + 1)) == NULL)
    die ("malloc");
  if (pread (capture_fd, buf, size, 0) != size)
    die ("pread");
  buf[size] = '\0';
  close (capture_fd);
  capture_fd = -1;
  /* Keep the messages in the test's .log, marked as captured. */
  if (size > 0)
    fprintf (stderr, "[captured] %s", buf);
  return buf;
}

bool
unit_one_line (const char *s)
{
  const char *nl;

  return s && s[0] && (nl = strchr (s, '\n')) != NULL && nl[1] == '\0';
}

bool
unit_contains (const char *s, const char *needle)
{
  return s && strstr (s, needle) != NULL;
}

/* The registry of the two plugins the tests' expectations are written
 * for, not of the whole plugin directory: a new plugin in the tree must
 * not change what these tests select and count.
 */
void
unit_registry_new (struct gs_registry *reg)
{
  char *dir = unit_printf ("%s/plugins/sysprep", unit_builddir ());
  char *mid = unit_printf ("%s/sysprep-machine-id.so", dir);
  char *rp = unit_printf ("%s/sysprep-remove-paths.so", dir);

  memset (reg, 0, sizeof *reg);
  if (gs_int_registry_load_file (reg, mid) == -1 ||
      gs_int_registry_load_file (reg, rp) == -1 ||
      gs_int_registry_find (reg, "sysprep", "machine-id") == NULL ||
      gs_int_registry_find_template (reg, "sysprep", "remove-paths") == NULL) {
    printf ("Bail out! cannot load the sysprep plugins from %s "
            "(is GOLDSMITH_BUILDDIR set?)\n", dir);
    exit (EXIT_FAILURE);
  }
  free (mid);
  free (rp);
  free (dir);
}

/* Every function of common/plugin-api.syms: the ones in run.c are only
 * linked in from libgscommon.a if something refers to them, and the
 * dynamic list can only export what is linked.  The plugins are not
 * linked with libconfig or libguestfs either (see PLUGIN_LD_FLAGS):
 * they use the host program's, which --as-needed drops from a test
 * program that calls neither, so refer to one function of each.
 */
static void *const plugin_api[] = {
  (void *) gs_error, (void *) gs_warning, (void *) gs_debug,
  (void *) gs_op_name, (void *) gs_op_get_data, (void *) gs_op_set_data,
  (void *) gs_dry_run, (void *) gs_guest_get, (void *) gs_guest_roots,
  (void *) gs_guest_mountpoints, (void *) gs_guest_filesystems,
  (void *) gs_guest_inspected_by_libguestfs, (void *) gs_report_path,
  (void *) gs_not_applicable,
  (void *) config_setting_get_member, (void *) guestfs_create,
};

size_t
unit_plugin_api (void)
{
  size_t n = 0;

  for (size_t i = 0; i < sizeof plugin_api / sizeof plugin_api[0]; ++i)
    n += plugin_api[i] != NULL;
  return n;
}
