/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-util.c: helpers shared by the libFuzzer targets (fuzz-util.h). */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

#include "goldsmith-int.h"
#include "fuzz-util.h"

static char *builddir;
static char *scratch;            /* the working directory */
static string_vector plugin_files = empty_vector;

void
fuzz_die (const char *fs, ...)
{
  va_list args;
  char msg[1024] = "fuzz harness: ";

  va_start (args, fs);
  vsnprintf (msg + strlen (msg), sizeof msg - strlen (msg), fs, args);
  va_end (args);
  /* Where the sanitizers report: stderr may be closed (-close_fd_mask). */
  __sanitizer_report_error_summary (msg);
  abort ();
}

const char *
fuzz_builddir (void)
{
  return builddir;
}

/* The .so files of DIR in name order, skipping names already listed:
 * fuzz/plugins holds instrumented copies of some of plugins/FAMILY/.
 */
static void
add_plugin_dir (const char *dir)
{
  struct dirent **names = NULL;
  int n = scandir (dir, &names, NULL, alphasort);

  if (n == -1)
    fuzz_die ("%s: %s", dir, strerror (errno));
  for (int i = 0; i < n; ++i) {
    const char *name = names[i]->d_name;
    size_t len = strlen (name);
    bool seen = false;
    char *path;

    for (size_t j = 0; j < plugin_files.len; ++j) {
      const char *base = strrchr (plugin_files.ptr[j], '/') + 1;

      if (strcmp (base, name) == 0)
        seen = true;
    }
    if (!seen && len > 3 && strcmp (name + len - 3, ".so") == 0) {
      if (asprintf (&path, "%s/%s", dir, name) == -1 ||
          string_vector_append (&plugin_files, path) == -1)
        fuzz_die ("out of memory");
    }
    free (names[i]);
  }
  free (names);
}

static int
remove_one (const char *path, const struct stat *st, int flag,
            struct FTW *ftw)
{
  remove (path);
  return 0;
}

static void
remove_scratch (void)
{
  if (chdir ("/") == 0)
    nftw (scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ARG with a relative path made absolute (after PREFIX, a flag's
 * "-name=" part): the harness changes directory, libFuzzer opens the
 * paths afterwards.
 */
static char *
absolute_arg (const char *cwd, const char *arg, size_t prefix)
{
  char *r;

  if (arg[prefix] == '/' || arg[prefix] == '\0')
    r = strdup (arg);
  else if (asprintf (&r, "%.*s%s/%s", (int) prefix, arg, cwd,
                     arg + prefix) == -1)
    r = NULL;
  if (r == NULL)
    fuzz_die ("out of memory");
  return r;
}

void
fuzz_init (int *argc, char ***argv, const char *default_flag)
{
  static const char *const dirs[] = {
    "fuzz/plugins", "plugins/sysprep", "plugins/inspect", "plugins/resize",
    "plugins/sparsify", NULL,
  };
  static const char *const path_flags[] = {
    "-artifact_prefix=", "-exact_artifact_path=", "-dict=",
    "-merge_control_file=", NULL,
  };
  const char *argv0 = (*argv)[0];
  char cwd[PATH_MAX], **nargv;
  bool artifact_prefix = false, flag_given = false;
  size_t flag_name = default_flag ? strcspn (default_flag, "=") + 1 : 0;
  int n = 0;
  const char *env = getenv ("GOLDSMITH_BUILDDIR");
  const char *tmp = getenv ("TMPDIR");
  char prog[PATH_MAX];

  if (env && env[0])
    builddir = strdup (env);
  else if (realpath (argv0, prog) != NULL)
    builddir = strdup (dirname (dirname (prog)));
  else
    fuzz_die ("%s: %s", argv0, strerror (errno));
  if (builddir == NULL)
    fuzz_die ("out of memory");
  for (size_t i = 0; dirs[i]; ++i) {
    char *dir;

    if (asprintf (&dir, "%s/%s", builddir, dirs[i]) == -1)
      fuzz_die ("out of memory");
    add_plugin_dir (dir);
    free (dir);
  }

  /* The plugins' coverage counters must be mapped before fuzzing
   * starts, so load them once now (the handles are never closed).
   */
  {
    struct gs_registry reg;

    fuzz_registry_new (&reg);
    gs_int_registry_free (&reg);
  }

  /* Never in the source or build tree: inputs name relative paths. */
  if (asprintf (&scratch, "%s/goldsmith-fuzz-XXXXXX",
                tmp && tmp[0] ? tmp : "/tmp") == -1)
    fuzz_die ("out of memory");
  /* Inputs, corpus directories and crash files stay where the user
   * said; crash files go to the starting directory by default.
   */
  if (getcwd (cwd, sizeof cwd) == NULL ||
      (nargv = calloc (*argc + 3, sizeof *nargv)) == NULL)
    fuzz_die ("getcwd: %s", strerror (errno));
  nargv[n++] = (*argv)[0];
  for (int i = 1; i < *argc; ++i) {
    const char *a = (*argv)[i];
    size_t prefix = 0;

    for (size_t f = 0; path_flags[f]; ++f)
      if (strncmp (a, path_flags[f], strlen (path_flags[f])) == 0)
        prefix = strlen (path_flags[f]);
    artifact_prefix |= strncmp (a, "-artifact_prefix=", 17) == 0;
    flag_given |= default_flag && strncmp (a, default_flag, flag_name) == 0;
    nargv[n++] = a[0] != '-' || prefix ? absolute_arg (cwd, a, prefix)
                                       : (*argv)[i];
  }
  if (!artifact_prefix && asprintf (&nargv[n++], "-artifact_prefix=%s/",
                                    cwd) == -1)
    fuzz_die ("out of memory");
  if (default_flag && !flag_given)
    nargv[n++] = (char *) default_flag;
  *argc = n;
  *argv = nargv;                 /* for the whole run */

  if (mkdtemp (scratch) == NULL || chdir (scratch) == -1)
    fuzz_die ("%s: %s", scratch, strerror (errno));
  atexit (remove_scratch);       /* not after a crash: that is _exit */
}

#ifdef FUZZ_LIBCONFIG_INPUT
/* The libconfig targets' (fuzz.mk, fuzz-util.h: FUZZ_LIBCONFIG_FLAG). */
int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init (argc, argv, FUZZ_LIBCONFIG_FLAG);
  return 0;
}
#endif

char *
fuzz_string (const uint8_t *data, size_t size)
{
  char *s = strndup ((const char *) data, size);

  if (s == NULL)
    fuzz_die ("out of memory");
  return s;
}

const char *
fuzz_write_file (const char *name, const uint8_t *data, size_t size)
{
  static char path[PATH_MAX];
  int fd;

  if (getcwd (path, sizeof path - strlen (name) - 2) == NULL)
    fuzz_die ("getcwd: %s", strerror (errno));
  strcat (path, "/");
  strcat (path, name);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd == -1 || (size > 0 && write (fd, data, size) != (ssize_t) size) ||
      close (fd) == -1)
    fuzz_die ("%s: %s", path, strerror (errno));
  return path;
}

static bool
contains (const char *s, size_t len, const char *needle)
{
  return memmem (s, len, needle, strlen (needle)) != NULL;
}

bool
fuzz_has_include (const char *s, size_t len)
{
  /* @include is matched in any case: libconfig's own rule may change. */
  for (size_t i = 0; i + 8 <= len; ++i)
    if (strncasecmp (s + i, "@include", 8) == 0)
      return true;
  return false;
}

bool
fuzz_host_safe (const char *s, size_t len)
{
  /* libconfig's \x escapes could spell any path. */
  return !fuzz_has_include (s, len) && !contains (s, len, "/dev") &&
    !contains (s, len, "/proc") && !contains (s, len, "/sys") &&
    !contains (s, len, "\\x");
}

void
fuzz_registry_new (struct gs_registry *reg)
{
  memset (reg, 0, sizeof *reg);
  /* Loaded once already: dlopen only counts a reference. */
  for (size_t i = 0; i < plugin_files.len; ++i)
    if (gs_int_registry_load_file (reg, plugin_files.ptr[i]) == -1)
      fuzz_die ("%s: cannot load the plugin", plugin_files.ptr[i]);
}

/* The dynamic list can only export what is linked, and the plugins use
 * the program's libconfig and libguestfs (see tests/unit/unit-util.c):
 * refer to the whole plugin API and one function of each.
 */
void *const fuzz_plugin_api[] = {
  (void *) gs_error, (void *) gs_warning, (void *) gs_debug,
  (void *) gs_op_name, (void *) gs_op_get_data, (void *) gs_op_set_data,
  (void *) gs_dry_run, (void *) gs_guest_get, (void *) gs_guest_roots,
  (void *) gs_guest_mountpoints, (void *) gs_guest_filesystems,
  (void *) gs_guest_inspected_by_libguestfs, (void *) gs_report_path,
  (void *) gs_not_applicable,
  (void *) config_setting_get_member, (void *) guestfs_create,
};
