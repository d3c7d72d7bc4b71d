/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-plugins: the plugin loader (common/plugins.c) on test plugins
 * built from tests/unit/plugin-*.c: a good one with two operations,
 * one built for another ABI, one without gs_plugin_entry, one that
 * duplicates machine-id, one with an invalid operation name, and a
 * file that is not ELF at all.  Every refusal is one line naming the
 * file.
 */
#include <config.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "tap.h"
#include "unit-util.h"

static char *
test_plugin (const char *name)
{
  return unit_printf ("%s/tests/unit/plugin-%s.so", unit_builddir (), name);
}

static char *
real_plugin (const char *name)
{
  return unit_printf ("%s/plugins/sysprep/sysprep-%s.so",
                      unit_builddir (), name);
}

/* Load FILE into REG with stderr captured; *ERR gets what was printed. */
static int
load (struct gs_registry *reg, const char *file, char **err)
{
  int r;

  unit_capture_begin ();
  r = gs_int_registry_load_file (reg, file);
  *err = unit_capture_end ();
  return r;
}

/* Every function named in common/plugin-api.syms is exported by this
 * program (linked with $(EXPORT_API)), as by goldsmith.
 */
static void
test_exports (void)
{
  char *syms = unit_printf ("%s/common/plugin-api.syms", unit_srcdir ());
  FILE *fp = fopen (syms, "r");
  char line[256], name[256];
  size_t n = 0, missing = 0;

  while (fp && fgets (line, sizeof line, fp))
    if (sscanf (line, " %255[a-z_] ;", name) == 1) {
      ++n;
      if (dlsym (RTLD_DEFAULT, name) == NULL) {
        diag ("%s is not exported", name);
        ++missing;
      }
    }
  if (fp)
    fclose (fp);
  ok (unit_plugin_api () > 0 && n >= 10 && missing == 0,
      "the %zu functions of plugin-api.syms are exported", n);
  free (syms);
}

static void
test_good (void)
{
  struct gs_registry reg = { 0 };
  char *file = test_plugin ("good");
  char *err;
  const struct gs_op *a, *b;

  is_int (load (&reg, file, &err), 0, "good plugin loads");
  is_str (err, "", "good plugin: nothing on stderr");
  free (err);
  is_int (reg.nops, 2, "good plugin: two operations from one .so");
  is_int (reg.nhandles, 1, "good plugin: one handle kept");
  a = gs_int_registry_find (&reg, "sysprep", "good-alpha");
  b = gs_int_registry_find (&reg, "inspect", "good-beta");
  ok (a != NULL, "good-alpha found in family sysprep");
  ok (b != NULL, "good-beta found in family inspect");
  if (a) {
    is_str (a->heading, "First operation of the good test plugin",
            "good-alpha: heading copied");
    is_int (a->phase, GS_PHASE_DEVICES, "good-alpha: phase copied");
    is_int (a->order, 20, "good-alpha: order copied");
    ok (a->enabled_by_default, "good-alpha: enabled by default");
    is_str (a->source, file, "good-alpha: source is the plugin file");
  }
  else
    for (int i = 0; i < 5; ++i)
      ok (false, "good-alpha: (not found)");
  if (b) {
    is_int (b->order, -10, "good-beta: negative order copied");
    ok (!b->enabled_by_default, "good-beta: not enabled by default");
  }
  else
    for (int i = 0; i < 2; ++i)
      ok (false, "good-beta: (not found)");
  ok (gs_int_registry_find (&reg, NULL, "good-beta") == b,
      "find with family NULL matches any family");
  ok (gs_int_registry_find (&reg, "sysprep", "good-beta") == NULL,
      "find does not match another family");
  ok (gs_int_registry_find (&reg, "sysprep", "no-such-op") == NULL,
      "find of an unknown name is NULL");

  /* The same file again: every operation is already provided. */
  is_int (load (&reg, file, &err), -1, "good plugin loaded twice is refused");
  ok (unit_one_line (err) && unit_contains (err, "already provided"),
      "second load: one line, \"already provided\"");
  is_int (reg.nops, 2, "second load: registry unchanged");
  free (err);

  gs_int_registry_free (&reg);
  is_int (reg.nops, 0, "registry_free empties the registry");
  free (file);
}

/* A refused plugin: -1, one line naming the file and holding each of
 * the NEEDLES, and the registry as it was.
 */
static void
test_refused (const char *what, struct gs_registry *reg, const char *file,
              const char *const *needles)
{
  size_t nops = reg->nops, ntemplates = reg->ntemplates;
  char *err;
  char *prefix = unit_printf ("goldsmith: error: %s: ", file);

  is_int (load (reg, file, &err), -1, "%s: refused", what);
  ok (unit_one_line (err), "%s: the message is one line", what);
  ok (strncmp (err, prefix, strlen (prefix)) == 0,
      "%s: the message starts with the file name", what);
  for (size_t i = 0; needles[i]; ++i)
    ok (unit_contains (err, needles[i]), "%s: the message says \"%s\"",
        what, needles[i]);
  ok (reg->nops == nops && reg->ntemplates == ntemplates,
      "%s: the registry is unchanged", what);
  free (err);
  free (prefix);
}

static void
test_bad (void)
{
  struct gs_registry reg = { 0 };
  char *machine_id = real_plugin ("machine-id");
  char *file, *err;
  static char garbage[4096];
  const char *not_elf;
  char *missing = unit_printf ("%s/tests/unit/plugin-no-such-file.so",
                               unit_builddir ());

  for (size_t i = 0; i < sizeof garbage; ++i)
    garbage[i] = "this is not an ELF shared object\n"[i % 33];
  not_elf = unit_temp_file (".so", garbage, sizeof garbage);

  file = test_plugin ("bad-abi");
  test_refused ("wrong ABI", &reg, file,
                (const char *const []) {
                  "ABI version 99,", "ABI version 2 ", NULL });
  free (file);

  file = test_plugin ("no-entry");
  test_refused ("no gs_plugin_entry", &reg, file,
                (const char *const []) { "gs_plugin_entry", NULL });
  free (file);

  /* The invalid second name undoes the valid first operation. */
  file = test_plugin ("bad-name");
  test_refused ("invalid name", &reg, file,
                (const char *const []) {
                  "invalid operation name \"Bad_Name\"", NULL });
  ok (gs_int_registry_find (&reg, NULL, "fine-name") == NULL,
      "invalid name: the plugin's valid operation was taken back");
  free (file);

  test_refused ("not ELF", &reg, not_elf,
                (const char *const []) { "cannot load plugin", NULL });
  test_refused ("missing file", &reg, missing,
                (const char *const []) { "cannot load plugin", NULL });
  free (missing);

  /* The duplicate of machine-id: refused after the real one. */
  is_int (load (&reg, machine_id, &err), 0, "real machine-id plugin loads");
  free (err);
  file = test_plugin ("dup");
  test_refused ("duplicate machine-id", &reg, file,
                (const char *const []) {
                  "\"machine-id\" is already provided by", machine_id, NULL });
  free (file);
  ok (reg.nops == 1 && strcmp (reg.ops[0]->source, machine_id) == 0,
      "duplicate: the real machine-id is still the only operation");

  gs_int_registry_free (&reg);
  free (machine_id);
}

/* load_path: only *.so files not starting with '.', in name order;
 * missing directories and empty list elements are fine.
 */
static void
test_load_path (void)
{
  struct gs_registry reg = { 0 };
  const char *dir = unit_temp_dir ();
  char *good = test_plugin ("good");
  char *link = unit_printf ("%s/sysprep-good.so", dir);
  char *hidden = unit_printf ("%s/.hidden.so", dir);
  char *other = unit_printf ("%s/plugin.so.txt", dir);
  char *path = unit_printf ("/nonexistent-goldsmith-dir::%s:", dir);
  char *real_good = realpath (good, NULL);
  char *dupe = test_plugin ("dup");
  char *dupe_link = unit_printf ("%s/zz-dup.so", dir);
  char *machine_id = real_plugin ("machine-id");
  char *mid_link = unit_printf ("%s/aa-machine-id.so", dir);
  char *err;
  int r;

  if (real_good == NULL || symlink (real_good, link) == -1 ||
      symlink (real_good, hidden) == -1 || symlink (real_good, other) == -1)
    diag ("cannot make the plugin directory %s", dir);
  unit_capture_begin ();
  r = gs_int_registry_load_path (&reg, path);
  err = unit_capture_end ();
  is_int (r, 0, "load_path with a missing directory and empty elements");
  is_int (reg.nops, 2, "load_path loads only NAME.so, not .hidden.so");
  is_str (err, "", "load_path: nothing on stderr");
  free (err);
  gs_int_registry_free (&reg);

  /* Name order: aa-machine-id.so before zz-dup.so, so zz-dup.so is the
   * duplicate, and the error stops the whole path.
   */
  unlink (hidden);
  unlink (other);
  if (symlink (dupe, dupe_link) == -1 || symlink (machine_id, mid_link) == -1)
    diag ("cannot make the plugin directory %s", dir);
  unit_capture_begin ();
  r = gs_int_registry_load_path (&reg, dir);
  err = unit_capture_end ();
  is_int (r, -1, "load_path stops at a duplicate");
  ok (unit_one_line (err) && unit_contains (err, dupe_link) &&
      unit_contains (err, "already provided by") &&
      unit_contains (err, mid_link),
      "load_path: the duplicate is the later file in name order");
  free (err);
  gs_int_registry_free (&reg);

  free (good); free (link); free (hidden); free (other); free (path);
  free (real_good); free (dupe); free (dupe_link); free (machine_id);
  free (mid_link);
}

int
main (void)
{
  plan (61);
  test_exports ();
  test_good ();
  test_bad ();
  test_load_path ();
  return exit_status ();
}
