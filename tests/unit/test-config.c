/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-config: layered configuration files (common/config.c) against a
 * registry of the real sysprep plugins: valid settings, every kind of
 * error (each one line naming FILE:LINE), layering key by key, the
 * merged copy, and operations made from the remove-paths template.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "tap.h"
#include "unit-util.h"

/* One gs_int_config_load on a fresh registry, stderr captured. */
struct load {
  struct gs_registry reg;
  struct gs_settings st;
  config_t merged;
  int r;
  char *err;                     /* what was printed on stderr */
};

/* FILES: NULL-terminated list of file names (or "--set:" entries). */
static void
load_files (struct load *l, const char *const *files)
{
  string_vector v = empty_vector;

  memset (l, 0, sizeof *l);
  unit_registry_new (&l->reg);
  config_init (&l->merged);
  struct gs_config_layers sets = { 0 };

  for (size_t i = 0; files[i]; ++i) {
    /* "--set:KEY=VALUE\nTEXT": a --set layer named "--set KEY=VALUE". */
    if (strncmp (files[i], "--set:", 6) == 0) {
      char *name = unit_printf ("--set %.*s",
                                (int) strcspn (files[i] + 6, "\n"),
                                files[i] + 6);

      if (gs_int_layers_add (&sets, name, strchr (files[i], '\n') + 1,
                             NULL) == -1)
        exit (EXIT_FAILURE);
      free (name);
    }
    else if (string_vector_append_copy (&v, files[i]) == -1) {
      printf ("Bail out! out of memory\n");
      exit (EXIT_FAILURE);
    }
  }
  unit_capture_begin ();
  l->r = gs_int_config_load (&l->reg, &l->st, &v, &sets, &l->merged);
  l->err = unit_capture_end ();
  string_vector_free_all (&v);
  gs_int_layers_free (&sets);
}

static void
load_text (struct load *l, const char *text, const char **file)
{
  *file = unit_temp_text (".conf", text);
  load_files (l, (const char *const []) { *file, NULL });
}

static void
load_free (struct load *l)
{
  gs_int_registry_free (&l->reg);
  gs_int_settings_free (&l->st);
  config_destroy (&l->merged);
  free (l->err);
}

/* An error: -1 and one line "goldsmith: error: FILE:LINE: ..." holding
 * NEEDLE.  4 tests.
 */
static void
check_error (const char *what, const struct load *l, const char *file,
             int line, const char *needle)
{
  char *where = unit_printf ("goldsmith: error: %s:%d: ", file, line);

  is_int (l->r, -1, "%s: load fails", what);
  ok (unit_one_line (l->err), "%s: the message is one line", what);
  if (!ok (strncmp (l->err, where, strlen (where)) == 0,
           "%s: the message names the file and line %d", what, line))
    diag ("message: %s", l->err);
  ok (unit_contains (l->err, needle), "%s: the message says \"%s\"",
      what, needle);
  free (where);
}

/* An error in FILE at LINE from a one-file load of TEXT. */
static void
error_case (const char *what, const char *text, int line, const char *needle)
{
  struct load l;
  const char *file;

  load_text (&l, text, &file);
  check_error (what, &l, file, line, needle);
  load_free (&l);
}

static void
test_valid (void)
{
  struct load l;
  const char *file;
  const char *s = NULL;

  load_files (&l, (const char *const []) { NULL });
  is_int (l.r, 0, "no files: load succeeds");
  is_str (l.st.accel, "auto", "no files: appliance.accel defaults to auto");
  ok (l.st.backend == NULL && l.st.memsize == 0 && l.st.smp == 0,
      "no files: backend, memsize and smp keep libguestfs's defaults");
  load_free (&l);

  load_text (&l,
             "# a valid file\n"
             "appliance: {\n"
             "  accel = \"tcg\";\n"
             "  backend = \"direct\";\n"
             "  memsize = 512;\n"
             "  smp = 2;\n"
             "};\n"
             "sysprep: {\n"
             "  machine-id: { enabled = false; order = 30; };\n"
             "};\n", &file);
  is_int (l.r, 0, "valid file: load succeeds");
  is_str (l.err, "", "valid file: nothing on stderr");
  is_str (l.st.accel, "tcg", "valid file sets appliance.accel");
  is_str (l.st.backend, "direct", "valid file sets appliance.backend");
  is_int (l.st.memsize, 512, "valid file sets appliance.memsize");
  is_int (l.st.smp, 2, "valid file sets appliance.smp");
  {
    const struct gs_op *op = gs_int_registry_find (&l.reg, "sysprep",
                                                   "machine-id");
    ok (op && !op->enabled_by_default && op->order == 30,
        "valid file sets machine-id's enabled and order");
  }
  ok (config_lookup_string (&l.merged, "appliance.accel", &s) &&
      strcmp (s, "tcg") == 0, "the merged copy holds appliance.accel");
  load_free (&l);
}

static void
test_errors (void)
{
  struct load l;

  error_case ("unknown section",
              "appliance: { accel = \"kvm\"; };\n"
              "\n"
              "bogus: { x = 1; };\n",
              3, "unknown section \"bogus\"");
  error_case ("section not a group",
              "appliance = 3;\n",
              1, "appliance must be a group");
  error_case ("unknown operation",
              "sysprep: {\n"
              "  no-such-op: { enabled = true; };\n"
              "};\n",
              2, "unknown operation \"sysprep.no-such-op\"");
  error_case ("a template is not an operation",
              "sysprep: {\n"
              "  remove-paths: { globs = [ \"/x\" ]; };\n"
              "};\n",
              2, "unknown operation \"sysprep.remove-paths\"");
  error_case ("unknown key",
              "sysprep: {\n"
              "  machine-id: {\n"
              "    enabled = true;\n"
              "    colour = \"red\";\n"
              "  };\n"
              "};\n",
              4, "unknown key \"colour\" in sysprep.machine-id (known: kind, "
              "heading, description, enabled, order, after, before, paths)");
  error_case ("another operation's key",
              "sysprep: {\n"
              "  machine-id: {\n"
              "    globs = [ \"/etc/machine-id\" ];\n"
              "  };\n"
              "};\n",
              3, "unknown key \"globs\"");
  error_case ("unknown appliance key",
              "appliance: {\n"
              "  accel = \"tcg\";\n"
              "  memory = 512;\n"
              "};\n",
              3, "unknown key \"memory\" in appliance (known: accel, backend, "
              "memsize, smp, uncompressed-kernel, lean-init, isolate, inspection, "
              "network)");
  error_case ("enabled = \"yes\"",
              "sysprep: {\n"
              "  machine-id: {\n"
              "    enabled = \"yes\";\n"
              "  };\n"
              "};\n",
              3, "sysprep.machine-id.enabled must be a boolean");
  error_case ("order = 1.5",
              "sysprep: {\n"
              "  machine-id: { order = 1.5; };\n"
              "};\n",
              2, "sysprep.machine-id.order must be a 32-bit integer");
  error_case ("paths = \"/x\"",
              "sysprep: {\n"
              "\n"
              "  machine-id: { paths = \"/x\"; };\n"
              "};\n",
              3, "must be an array of strings");
  error_case ("paths = [ 1 ]",
              "sysprep: {\n"
              "  machine-id: {\n"
              "    paths = [ 1 ];\n"
              "  };\n"
              "};\n",
              3, "must be an array of strings");
  error_case ("syntax error",
              "appliance: {\n"
              "  accel = \"tcg\";\n"
              "  memsize = = 512;\n"
              "};\n",
              3, "syntax error");
  error_case ("unterminated group",
              "sysprep: {\n"
              "  machine-id: { enabled = true; };\n",
              3, "syntax error");
  error_case ("appliance.accel = \"bogus\"",
              "appliance: {\n"
              "  backend = \"direct\";\n"
              "  accel = \"bogus\";\n"
              "};\n",
              3, "not \"bogus\"");
  error_case ("appliance.memsize = 100",
              "appliance: { memsize = 100; };\n",
              1, "appliance.memsize must be 0 or at least 256");
  error_case ("appliance.smp = 300",
              "appliance: {\n  smp = 300;\n};\n",
              2, "appliance.smp must be between 0 and 255");

  /* A file that cannot be read names the file (no line). */
  {
    const char *dir = unit_temp_dir ();
    char *file = unit_printf ("%s/no-such-file.conf", dir);
    char *start = unit_printf ("goldsmith: error: %s: ", file);

    load_files (&l, (const char *const []) { file, NULL });
    is_int (l.r, -1, "missing file: load fails");
    ok (unit_one_line (l.err) &&
        strncmp (l.err, start, strlen (start)) == 0 &&
        unit_contains (l.err, "cannot read configuration file"),
        "missing file: one line naming the file");
    load_free (&l);
    free (file);
    free (start);
  }

  /* An error in the second file names the second file. */
  {
    const char *good = unit_temp_text (".conf",
                                       "appliance: { accel = \"kvm\"; };\n");
    const char *bad = unit_temp_text (".conf",
                                      "# second\n"
                                      "appliance: { accel = \"qemu\"; };\n");

    load_files (&l, (const char *const []) { good, bad, NULL });
    check_error ("error in the second file", &l, bad, 2, "not \"qemu\"");
    load_free (&l);
  }
}

/* --set entries ("--set:KEY=VALUE\nTEXT") are named "--set KEY=VALUE". */
static void
test_set (void)
{
  struct load l;

  load_files (&l, (const char *const []) {
      "--set:appliance.accel=tcg\nappliance: { accel = \"tcg\"; };", NULL });
  is_int (l.r, 0, "--set: load succeeds");
  is_str (l.st.accel, "tcg", "--set sets appliance.accel");
  load_free (&l);

  load_files (&l, (const char *const []) {
      "--set:appliance.accel=bogus\nappliance: { accel = \"bogus\"; };",
      NULL });
  check_error ("--set appliance.accel=bogus", &l,
               "--set appliance.accel=bogus", 1, "not \"bogus\"");
  load_free (&l);
}

/* Later files override earlier ones key by key. */
static void
test_layering (void)
{
  struct load l;
  const char *first =
    unit_temp_text (".conf",
                    "appliance: { accel = \"tcg\"; memsize = 512; };\n"
                    "sysprep: {\n"
                    "  machine-id: {\n"
                    "    enabled = false;\n"
                    "    order = 30;\n"
                    "    paths = [ \"/etc/machine-id\", \"/etc/b\" ];\n"
                    "  };\n"
                    "};\n");
  const char *second =
    unit_temp_text (".conf",
                    "appliance: { accel = \"kvm\"; };\n"
                    "sysprep: {\n"
                    "  machine-id: { enabled = true; paths = [ \"/c\" ]; };\n"
                    "};\n");
  const struct gs_op *op;
  const char *s = NULL;
  int i = 0;
  const config_setting_t *paths;

  load_files (&l, (const char *const []) { first, second, NULL });
  is_int (l.r, 0, "two files: load succeeds");
  op = gs_int_registry_find (&l.reg, "sysprep", "machine-id");
  ok (op && op->enabled_by_default,
      "enabled = false, then true: enabled");
  ok (op && op->order == 30, "order from the first file is kept");
  is_str (l.st.accel, "kvm", "appliance.accel from the second file wins");
  is_int (l.st.memsize, 512, "appliance.memsize from the first file is kept");
  ok (config_lookup_string (&l.merged, "appliance.accel", &s) &&
      strcmp (s, "kvm") == 0, "merged: appliance.accel = kvm");
  ok (config_lookup_int (&l.merged, "appliance.memsize", &i) && i == 512,
      "merged: appliance.memsize = 512 kept");
  ok (config_lookup_bool (&l.merged, "sysprep.machine-id.enabled", &i) &&
      i == 1, "merged: machine-id.enabled = true");
  ok (config_lookup_int (&l.merged, "sysprep.machine-id.order", &i) &&
      i == 30, "merged: machine-id.order = 30 kept");
  paths = config_lookup (&l.merged, "sysprep.machine-id.paths");
  ok (paths && config_setting_length (paths) == 1 &&
      strcmp (config_setting_get_string_elem (paths, 0), "/c") == 0,
      "merged: an array is replaced as a whole, not appended to");
  load_free (&l);

  load_files (&l, (const char *const []) { second, first, NULL });
  op = gs_int_registry_find (&l.reg, "sysprep", "machine-id");
  ok (l.r == 0 && op && !op->enabled_by_default,
      "enabled = true, then false: disabled");
  is_str (l.st.accel, "tcg", "the other order: appliance.accel = tcg");
  load_free (&l);
}

/* New operations from the remove-paths template. */
static void
test_kind (void)
{
  struct load l;
  const char *file;
  const struct gs_op *op;
  char *source;
  int r;
  char *err;

  load_text (&l,
             "sysprep: {\n"
             "  tmp-files: {\n"
             "    kind = \"remove-paths\";\n"
             "    heading = \"Remove temporary files\";\n"
             "    globs = [ \"/tmp/*\", \"/var/tmp/*\" ];\n"
             "  };\n"
             "};\n", &file);
  is_int (l.r, 0, "kind = \"remove-paths\": load succeeds");
  is_str (l.err, "", "kind = \"remove-paths\": nothing on stderr");
  op = gs_int_registry_find (&l.reg, "sysprep", "tmp-files");
  ok (op != NULL, "the new operation is in the registry");
  {
    struct gs_registry plugins_only;   /* whatever plugins are built */

    unit_registry_new (&plugins_only);
    is_int (l.reg.nops, plugins_only.nops + 1,
            "the registry has the plugins' operations and tmp-files");
    gs_int_registry_free (&plugins_only);
  }
  source = unit_printf ("%s:2", file);
  if (op) {
    is_str (op->heading, "Remove temporary files", "it has the heading");
    is_str (op->source, source, "its source is FILE:LINE");
    ok (op->def->is_template &&
        strcmp (op->def->name, "remove-paths") == 0,
        "it is run by the remove-paths template");
    ok (!op->enabled_by_default, "it is not enabled by default");
    is_int (op->phase, GS_PHASE_FILESYSTEMS, "it has the template's phase");
  }
  else
    for (int i = 0; i < 5; ++i)
      ok (false, "the new operation (not found)");
  free (source);
  unit_capture_begin ();
  r = gs_int_config_complete (&l.reg);
  err = unit_capture_end ();
  is_int (r, 0, "config_complete: it has globs");
  free (err);
  load_free (&l);

  /* A later file may change it, with or without kind. */
  {
    const char *f1 = unit_temp_text (".conf",
                                     "sysprep: {\n"
                                     "  tmp-files: {\n"
                                     "    kind = \"remove-paths\";\n"
                                     "    heading = \"Remove tmp files\";\n"
                                     "    globs = [ \"/tmp/*\" ];\n"
                                     "  };\n"
                                     "};\n");
    const char *f2 = unit_temp_text (".conf",
                                     "sysprep: {\n"
                                     "  tmp-files: { enabled = true; };\n"
                                     "};\n");
    const char *f3 = unit_temp_text (".conf",
                                     "sysprep: {\n"
                                     "  tmp-files: {\n"
                                     "    kind = \"remove-paths\";\n"
                                     "    heading = \"Remove temp files\";\n"
                                     "  };\n"
                                     "};\n");

    load_files (&l, (const char *const []) { f1, f2, f3, NULL });
    op = gs_int_registry_find (&l.reg, "sysprep", "tmp-files");
    ok (l.r == 0 && op && op->enabled_by_default,
        "a later file enables the new operation");
    ok (op && strcmp (op->heading, "Remove temp files") == 0,
        "a later file with the same kind changes its heading");
    load_free (&l);
  }

  error_case ("kind without heading",
              "sysprep: {\n"
              "  tmp-files: {\n"
              "    kind = \"remove-paths\";\n"
              "    globs = [ \"/tmp/*\" ];\n"
              "  };\n"
              "};\n",
              2, "sysprep.tmp-files: a new operation needs a heading");
  error_case ("kind with an empty heading",
              "sysprep: {\n"
              "  tmp-files: {\n"
              "    kind = \"remove-paths\"; heading = \"\";\n"
              "  };\n"
              "};\n",
              2, "needs a heading");
  error_case ("heading with a trailing period",
              "sysprep: {\n"
              "  tmp-files: {\n"
              "    kind = \"remove-paths\";\n"
              "    heading = \"Remove temporary files.\";\n"
              "    globs = [ \"/tmp/*\" ];\n"
              "  };\n"
              "};\n",
              2, "without a trailing period");
  error_case ("unknown kind",
              "sysprep: {\n"
              "  tmp-files: {\n"
              "    kind = \"remove-files\";\n"
              "    heading = \"Remove temporary files\";\n"
              "  };\n"
              "};\n",
              2, "unknown kind \"remove-files\"");
  error_case ("invalid new name",
              "sysprep: {\n"
              "  Tmp_Files: {\n"
              "    kind = \"remove-paths\";\n"
              "    heading = \"Remove temporary files\";\n"
              "  };\n"
              "};\n",
              2, "invalid operation name \"Tmp_Files\"");
  error_case ("kind on a plugin's operation",
              "sysprep: {\n"
              "  machine-id: { kind = \"remove-paths\"; };\n"
              "};\n",
              2, "operation already exists");
  error_case ("template key of the wrong type",
              "sysprep: {\n"
              "  tmp-files: {\n"
              "    kind = \"remove-paths\";\n"
              "    heading = \"Remove temporary files\";\n"
              "    recursive = 1;\n"
              "  };\n"
              "};\n",
              5, "sysprep.tmp-files.recursive must be a boolean");

  /* The template's own checks, prefixed with the operation's name. */
  {
    load_text (&l,
               "sysprep: {\n"
               "  tmp-files: {\n"
               "    kind = \"remove-paths\";\n"
               "    heading = \"Remove temporary files\";\n"
               "    globs = [ \"/tmp/*\",\n"
               "              \"tmp/relative\" ];\n"
               "  };\n"
               "};\n", &file);
    source = unit_printf ("goldsmith: tmp-files: error: %s:5: ", file);
    is_int (l.r, -1, "relative glob: load fails");
    ok (unit_one_line (l.err) &&
        strncmp (l.err, source, strlen (source)) == 0 &&
        unit_contains (l.err, "\"tmp/relative\" is not an absolute path"),
        "relative glob: one line naming the operation, FILE:5");
    free (source);
    load_free (&l);

    load_text (&l,
               "sysprep: {\n"
               "  tmp-files: {\n"
               "    kind = \"remove-paths\";\n"
               "    heading = \"Remove temporary files\";\n"
               "  };\n"
               "};\n", &file);
    is_int (l.r, 0, "no globs: load succeeds");
    unit_capture_begin ();
    r = gs_int_config_complete (&l.reg);
    err = unit_capture_end ();
    is_int (r, -1, "no globs: config_complete fails");
    ok (unit_one_line (err) &&
        strncmp (err, "goldsmith: tmp-files: error: ", 29) == 0 &&
        unit_contains (err, "no globs configured"),
        "no globs: one line naming the operation");
    free (err);
    load_free (&l);
  }
}

/* Regressions: bugs these tests found in common/ (64-bit integers
 * silently ignored, "%m" with errno 0, a template's description given
 * to its instances, operations named like selection keywords).
 */
static void
test_regressions (void)
{
  struct load l;
  const char *file;
  const struct gs_op *op;

  load_text (&l, "appliance: { memsize = 10000000000L; };\n", &file);
  is_int (l.r, -1, "appliance.memsize = 10000000000L is refused");
  if (l.r == 0)
    diag ("accepted, memsize is %d", l.st.memsize);
  load_free (&l);
  load_text (&l,
             "sysprep: {\n"
             "  machine-id: { order = 4294967306L; };\n"
             "};\n", &file);
  is_int (l.r, -1, "machine-id.order = 4294967306L is refused");
  load_free (&l);

  {
    const char *dir = unit_temp_dir ();

    load_files (&l, (const char *const []) { dir, NULL });
    ok (l.r == -1 && unit_one_line (l.err) && unit_contains (l.err, dir),
        "a directory as configuration file: one line naming it");
    if (!ok (!unit_contains (l.err, "Success"),
             "a directory as configuration file: no \"Success\""))
      diag ("message: %s", l.err);
    load_free (&l);
  }

  load_text (&l,
             "sysprep: {\n"
             "  tmp-files: {\n"
             "    kind = \"remove-paths\";\n"
             "    heading = \"Remove temporary files\";\n"
             "    globs = [ \"/tmp/*\" ];\n"
             "  };\n"
             "};\n", &file);
  op = gs_int_registry_find (&l.reg, "sysprep", "tmp-files");
  ok (op && (op->description == NULL ||
             strncmp (op->description, "Template for", 12) != 0),
      "a new operation without description has not the template's");
  load_free (&l);

  load_text (&l,
             "sysprep: {\n"
             "  all: {\n"
             "    kind = \"remove-paths\";\n"
             "    heading = \"Remove everything\";\n"
             "    globs = [ \"/x\" ];\n"
             "  };\n"
             "};\n", &file);
  is_int (l.r, -1, "an operation named \"all\" is refused");
  load_free (&l);
}

/* gs_int_config_check_keys, as the batch manifest uses it: a file's
 * top level (no WHAT) and keys of several types (GS_INT_KEY_ANY).
 */
static void
test_check_keys (void)
{
  static const struct gs_config_key keys[] = {
    { "name", GS_KEY_STRING, "a string" },
    { "add", GS_INT_KEY_ANY, "a string or an array" },
    { NULL, 0, NULL },
  };
  static const struct gs_config_key more[] = {
    { "n", GS_KEY_INT, "an int" },
    { NULL, 0, NULL },
  };
  static const struct {
    const char *text, *what, *err;
  } cases[] = {
    { "name = \"a\"; add = \"x\"; n = 1;", NULL, NULL },
    { "name = \"a\"; add = [ \"x\" ]; add2 = 1;", NULL,
      "goldsmith: error: m.conf:1: unknown key \"add2\" (known: name, "
      "add, n)\n" },
    { "add = 3;\nn = 1;\nname = 3;", NULL,
      "goldsmith: error: m.conf:3: name must be a string\n" },
    { "n = \"1\";", "images",
      "goldsmith: error: m.conf:1: images.n must be a 32-bit integer\n" },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    config_t cfg;
    int r;
    char *err;

    config_init (&cfg);
    if (config_read_string (&cfg, cases[i].text) != CONFIG_TRUE) {
      printf ("Bail out! %s: %s\n", cases[i].text, config_error_text (&cfg));
      exit (EXIT_FAILURE);
    }
    unit_capture_begin ();
    r = gs_int_config_check_keys (config_root_setting (&cfg), "m.conf",
                                  cases[i].what, keys, more);
    err = unit_capture_end ();
    is_int (r, cases[i].err ? -1 : 0, "check_keys %s: %s", cases[i].text,
            cases[i].err ? "refused" : "accepted");
    is_str (err, cases[i].err ? cases[i].err : "", "check_keys %s: the message",
            cases[i].text);
    free (err);
    config_destroy (&cfg);
  }
}

int
main (void)
{
  plan (158);
  test_valid ();
  test_check_keys ();
  test_errors ();
  test_set ();
  test_layering ();
  test_kind ();
  test_regressions ();
  return exit_status ();
}
