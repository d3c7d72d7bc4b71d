/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-selection: which operations run (common/selection.c, virt-sysprep's
 * --operations and --enable syntax) and in which order
 * (gs_int_registry_sort), on the real sysprep plugins with the shipped
 * configuration ($GOLDSMITH_SRCDIR/conf), plus one operation that is not
 * enabled by default, so that "all" and "defaults" differ.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "goldsmith-int.h"
#include "tap.h"
#include "unit-util.h"

/* machine-id has order 990: it checks the result of the others. */
#define DEFAULTS "bash-history,logfiles,ssh-hostkeys,machine-id"
#define ALL "bash-history,logfiles,ssh-hostkeys,tmp-files,machine-id"

/* A configuration directory holding the shipped goldsmith.conf and
 * four of the shipped operation files (the tests name operations; the
 * shipped set grows), made once.
 */
static const char *
conf_dir (void)
{
  static char *dir;
  static const char *const files[] = {
    "goldsmith.conf", "sysprep/bash-history.conf", "sysprep/logfiles.conf",
    "sysprep/machine-id.conf", "sysprep/ssh-hostkeys.conf", NULL,
  };

  if (dir)
    return dir;
  dir = unit_printf ("%s", unit_temp_dir ());
  for (size_t i = 0; files[i]; ++i) {
    char *src = unit_printf ("%s/conf/%s", unit_srcdir (), files[i]);
    char *dst = unit_printf ("%s/%s", dir, files[i]);
    char *sub = unit_printf ("%s/sysprep", dir);
    char buf[65536];
    FILE *in = fopen (src, "r"), *out;
    size_t n;

    mkdir (sub, 0755);
    out = fopen (dst, "w");
    if (in == NULL || out == NULL) {
      printf ("Bail out! cannot copy %s to %s\n", src, dst);
      exit (EXIT_FAILURE);
    }
    n = fread (buf, 1, sizeof buf, in);
    fwrite (buf, 1, n, out);
    fclose (in);
    fclose (out);
    free (src);
    free (dst);
    free (sub);
  }
  return dir;
}

static const char extra_conf[] =
  "sysprep: {\n"
  "  tmp-files: {\n"
  "    kind = \"remove-paths\";\n"
  "    heading = \"Remove temporary files\";\n"
  "    globs = [ \"/tmp/*\" ];\n"
  "  };\n"
  "};\n";

/* The shipped configuration, then USER_FILE (if not NULL). */
static void
load_registry (struct gs_registry *reg, const char *user_file)
{
  const char *conf = conf_dir ();
  string_vector files = empty_vector;
  struct gs_settings st = { 0 };

  unit_registry_new (reg);
  if (gs_int_config_files (conf, user_file, &files) == -1 ||
      gs_int_config_load (reg, &st, &files, NULL, NULL) == -1 ||
      gs_int_config_complete (reg) == -1) {
    printf ("Bail out! cannot load the configuration in %s "
            "(is GOLDSMITH_SRCDIR set?)\n", conf);
    exit (EXIT_FAILURE);
  }
  string_vector_free_all (&files);
  gs_int_settings_free (&st);
}

/* The names of the operations of REG (only the selected ones if
 * SELECTED_ONLY), in registry order, comma-separated.
 */
static char *
names (const struct gs_registry *reg, bool selected_only)
{
  size_t len = 1;
  char *s;

  for (size_t i = 0; i < reg->nops; ++i)
    len += strlen (reg->ops[i]->name) + 1;
  if ((s = calloc (1, len)) == NULL) {
    printf ("Bail out! out of memory\n");
    exit (EXIT_FAILURE);
  }
  for (size_t i = 0; i < reg->nops; ++i)
    if (!selected_only || reg->ops[i]->selected) {
      if (s[0])
        strcat (s, ",");
      strcat (s, reg->ops[i]->name);
    }
  return s;
}

/* Options as given on the command line, in order. */
struct opt {
  const char *option, *spec;
};

/* Apply OPTS (until one fails) then gs_int_select_finish, starting with
 * every operation selected, so that what is cleared is seen.  Returns
 * 0, or -1 if an option failed; *ERR gets stderr.
 */
static int
select_ops (struct gs_registry *reg, const struct opt *opts, char **err)
{
  struct gs_selection sel = { 0 };
  int r = 0;

  for (size_t i = 0; i < reg->nops; ++i)
    reg->ops[i]->selected = true;
  unit_capture_begin ();
  for (size_t i = 0; r == 0 && opts[i].option; ++i)
    r = gs_int_select (reg, "sysprep", &sel, opts[i].option, opts[i].spec);
  if (r == 0)
    gs_int_select_finish (reg, "sysprep", &sel);
  *err = unit_capture_end ();
  return r;
}

/* OPTS select exactly EXPECTED.  2 tests. */
static void
selects (struct gs_registry *reg, const char *what, const struct opt *opts,
         const char *expected)
{
  char *err, *got;
  int r = select_ops (reg, opts, &err);

  ok (r == 0 && err[0] == '\0', "%s: accepted", what);
  got = names (reg, true);
  is_str (got, expected, "%s: selects %s", what,
          expected[0] ? expected : "nothing");
  free (got);
  free (err);
}

/* OPTS are refused with one line holding NEEDLE.  2 tests. */
static void
refused (struct gs_registry *reg, const char *what, const struct opt *opts,
         const char *needle)
{
  char *err;
  int r = select_ops (reg, opts, &err);

  is_int (r, -1, "%s: refused", what);
  if (!ok (unit_one_line (err) &&
           strncmp (err, "goldsmith: error: ", 18) == 0 &&
           unit_contains (err, needle),
           "%s: one line saying \"%s\"", what, needle))
    diag ("message: %s", err);
  free (err);
}

#define OPTS(...) ((const struct opt []) { __VA_ARGS__, { NULL, NULL } })

static void
test_select (void)
{
  struct gs_registry reg;
  char *extra = (char *) unit_temp_text (".conf", extra_conf);
  char *s;

  load_registry (&reg, extra);
  s = names (&reg, false);
  is_str (s, ALL, "the shipped configuration and tmp-files are loaded");
  free (s);

  selects (&reg, "no option", OPTS ({ NULL, NULL }), DEFAULTS);
  selects (&reg, "--operations defaults,-ssh-hostkeys",
           OPTS ({ "--operations", "defaults,-ssh-hostkeys" }),
           "bash-history,logfiles,machine-id");
  selects (&reg, "--operations -all,+machine-id",
           OPTS ({ "--operations", "-all,+machine-id" }), "machine-id");
  selects (&reg, "--operations all", OPTS ({ "--operations", "all" }), ALL);
  selects (&reg, "--operations defaults",
           OPTS ({ "--operations", "defaults" }), DEFAULTS);
  selects (&reg, "--operations tmp-files (starts from nothing)",
           OPTS ({ "--operations", "tmp-files" }), "tmp-files");
  selects (&reg, "--operations all,-defaults",
           OPTS ({ "--operations", "all,-defaults" }), "tmp-files");
  selects (&reg, "--operations -machine-id alone",
           OPTS ({ "--operations", "-machine-id" }), "");
  selects (&reg, "a second --operations modifies the first",
           OPTS ({ "--operations", "machine-id" },
                 { "--operations", "+logfiles,-machine-id,tmp-files" }),
           "logfiles,tmp-files");
  selects (&reg, "--enable machine-id",
           OPTS ({ "--enable", "machine-id" }), "machine-id");
  selects (&reg, "--enable tmp-files,logfiles",
           OPTS ({ "--enable", "tmp-files,logfiles" }), "logfiles,tmp-files");
  selects (&reg, "--operations after --enable modifies it",
           OPTS ({ "--enable", "machine-id" },
                 { "--operations", "+logfiles" }),
           "logfiles,machine-id");
  selects (&reg, "--operations defaults after --enable adds the defaults",
           OPTS ({ "--enable", "tmp-files" },
                 { "--operations", "defaults" }), ALL);

  refused (&reg, "unknown name", OPTS ({ "--operations", "no-such-op" }),
           "--operations: 'no-such-op' is not a known operation");
  refused (&reg, "unknown name after known ones",
           OPTS ({ "--operations", "machine-id,+bogus" }), "'bogus'");
  refused (&reg, "an empty element",
           OPTS ({ "--operations", "machine-id,,logfiles" }),
           "empty operation name");
  refused (&reg, "a trailing comma",
           OPTS ({ "--operations", "machine-id," }), "empty operation name");
  refused (&reg, "a lone '-'", OPTS ({ "--operations", "-" }),
           "empty operation name");
  refused (&reg, "an empty list", OPTS ({ "--operations", "" }),
           "empty list of operations");
  refused (&reg, "--enable twice",
           OPTS ({ "--enable", "machine-id" }, { "--enable", "logfiles" }),
           "--enable may only be given once");
  refused (&reg, "--enable after --operations",
           OPTS ({ "--operations", "machine-id" },
                 { "--enable", "logfiles" }),
           "--enable cannot follow --operations");
  refused (&reg, "--enable -name", OPTS ({ "--enable", "-machine-id" }),
           "--enable takes operation names only");
  refused (&reg, "--enable all", OPTS ({ "--enable", "all" }),
           "--enable takes operation names only");
  refused (&reg, "--enable unknown", OPTS ({ "--enable", "nope" }),
           "--enable: 'nope' is not a known operation");

  gs_int_registry_free (&reg);
}

/* Hand-made operations: sorting and family isolation without plugins. */
static struct gs_op *
mkop (const char *family, enum gs_phase phase, int order, const char *name)
{
  struct gs_op *op = calloc (1, sizeof *op);

  if (op == NULL) {
    printf ("Bail out! out of memory\n");
    exit (EXIT_FAILURE);
  }
  op->family = (char *) family;
  op->phase = phase;
  op->order = order;
  op->name = (char *) name;
  op->enabled_by_default = true;
  return op;
}

static void
test_sort_made (void)
{
  struct gs_op *ops[] = {        /* not in order */
    mkop ("sysprep", GS_PHASE_DEVICES, -100, "zero-free"),
    mkop ("sysprep", GS_PHASE_FILESYSTEMS, 10, "b"),
    mkop ("inspect", GS_PHASE_DEVICES, 0, "z"),
    mkop ("sysprep", GS_PHASE_FILESYSTEMS, 10, "a"),
    mkop ("sysprep", GS_PHASE_INSPECT, 50, "look"),
    mkop ("sysprep", GS_PHASE_FILESYSTEMS, -10, "c"),
    mkop ("inspect", GS_PHASE_INSPECT, 0, "y"),
    mkop ("sysprep", GS_PHASE_FILESYSTEMS, 0, "a-first"),
  };
  struct gs_registry reg = { .ops = ops, .nops = sizeof ops / sizeof ops[0] };
  struct gs_selection sel = { 0 };
  char *s, *err;
  int r;

  gs_int_registry_sort (&reg);
  s = names (&reg, false);
  is_str (s, "y,z,look,c,a-first,a,b,zero-free",
          "sorted by family, phase, order (negative first), then name");
  free (s);

  /* Selecting in one family leaves the other alone. */
  for (size_t i = 0; i < reg.nops; ++i)
    reg.ops[i]->selected = true;
  unit_capture_begin ();
  r = gs_int_select (&reg, "sysprep", &sel, "--operations", "-all,+b");
  err = unit_capture_end ();
  s = names (&reg, true);
  ok (r == 0 && strcmp (s, "y,z,b") == 0,
      "-all only clears the family it is given");
  free (s);
  free (err);
  ok (gs_int_select (&reg, "inspect", &(struct gs_selection) { 0 },
                     "--operations", "-all") == 0 &&
      !reg.ops[0]->selected && !reg.ops[1]->selected && reg.ops[6]->selected,
      "selecting in inspect leaves sysprep's selection alone");
  ok (gs_int_registry_find (&reg, "inspect", "b") == NULL,
      "find does not cross families");

  for (size_t i = 0; i < reg.nops; ++i)
    free (reg.ops[i]);
}

/* Sorted registries are in (family, phase, order, name) order. */
static bool
is_sorted (const struct gs_registry *reg)
{
  for (size_t i = 1; i < reg->nops; ++i) {
    const struct gs_op *a = reg->ops[i - 1], *b = reg->ops[i];
    int c = strcmp (a->family, b->family);

    if (c == 0)
      c = a->phase - b->phase;
    if (c == 0)
      c = a->order < b->order ? -1 : a->order > b->order;
    if (c == 0)
      c = strcmp (a->name, b->name);
    if (c >= 0) {
      diag ("%s before %s", a->name, b->name);
      return false;
    }
  }
  return true;
}

static void
test_order (void)
{
  struct gs_registry reg;
  const char *conf;
  char *s;

  load_registry (&reg, NULL);
  ok (is_sorted (&reg), "shipped configuration: sorted");
  s = names (&reg, false);
  is_str (s, DEFAULTS, "shipped configuration: by order, then by name");
  free (s);
  gs_int_registry_free (&reg);

  conf = unit_temp_text (".conf",
                         "sysprep: {\n"
                         "  logfiles: { order = -10; };\n"
                         "  bash-history: { order = 10; };\n"
                         "  machine-id: { enabled = false; };\n"
                         "};\n");
  load_registry (&reg, conf);
  ok (is_sorted (&reg), "with orders changed: sorted");
  s = names (&reg, false);
  is_str (s, "logfiles,ssh-hostkeys,bash-history,machine-id",
          "order = -10 moves logfiles first, order = 10 bash-history last");
  free (s);
  selects (&reg, "no option, machine-id disabled by the configuration",
           OPTS ({ NULL, NULL }), "logfiles,ssh-hostkeys,bash-history");
  gs_int_registry_free (&reg);
}

/* before/after constraints (gs_int_registry_sort). */
static void
constrain (struct gs_op *op, const char *key, const char *name)
{
  string_vector *v = strcmp (key, "after") == 0 ? &op->after : &op->before;

  if (string_vector_append_copy (v, name) == -1) {
    printf ("Bail out! out of memory\n");
    exit (EXIT_FAILURE);
  }
}

static int
sort_capture (struct gs_registry *reg, char **err)
{
  int r;

  unit_capture_begin ();
  r = gs_int_registry_sort (reg);
  *err = unit_capture_end ();
  return r;
}

static void
free_made (struct gs_registry *reg)
{
  for (size_t i = 0; i < reg->nops; ++i)
    if (reg->ops[i]) {
      string_vector_free_all (&reg->ops[i]->before);
      string_vector_free_all (&reg->ops[i]->after);
      free (reg->ops[i]);
    }
}

static void
test_constraints (void)
{
  char *s, *err;

  {
    struct gs_op *ops[] = {
      mkop ("sysprep", GS_PHASE_FILESYSTEMS, 0, "a"),
      mkop ("sysprep", GS_PHASE_FILESYSTEMS, 0, "b"),
      mkop ("sysprep", GS_PHASE_FILESYSTEMS, 0, "c"),
      mkop ("sysprep", GS_PHASE_FILESYSTEMS, 10, "d"),
      mkop ("sysprep", GS_PHASE_DEVICES, 0, "dev"),
    };
    struct gs_registry reg = { .ops = ops, .nops = 5 };

    constrain (ops[0], "after", "c");   /* a after c */
    constrain (ops[3], "before", "b");  /* d before b, despite order 10 */
    constrain (ops[4], "after", "a");   /* across phases, agreeing */
    ok (sort_capture (&reg, &err) == 0 && !err[0],
        "constraints that can hold: sorted, no message");
    s = names (&reg, false);
    is_str (s, "c,a,d,b,dev",
            "after moves a behind c; before moves d (order 10) ahead of b");
    free (s);
    free (err);
    free_made (&reg);
  }
  {
    struct gs_op *ops[] = {
      mkop ("sysprep", GS_PHASE_FILESYSTEMS, 0, "x"),
      mkop ("sysprep", GS_PHASE_FILESYSTEMS, 0, "y"),
      mkop ("sysprep", GS_PHASE_FILESYSTEMS, 0, "z"),
      mkop ("sysprep", GS_PHASE_FILESYSTEMS, 0, "free"),
    };
    struct gs_registry reg = { .ops = ops, .nops = 4 };

    constrain (ops[0], "after", "z");
    constrain (ops[1], "after", "x");
    constrain (ops[2], "after", "y");
    ok (sort_capture (&reg, &err) == -1, "a cycle x<z<y<x: refused");
    ok (unit_one_line (err) && unit_contains (err, "form a cycle: x, y, z") &&
        !unit_contains (err, "free"),
        "the message names the operations in the cycle, only them");
    diag ("message: %s", err);
    ok (reg.ops[0] && reg.ops[1] && reg.ops[2] && reg.ops[3],
        "a refused sort keeps every operation in the registry");
    free (err);
    free_made (&reg);
  }
  {
    struct gs_op *ops[] = {
      mkop ("sysprep", GS_PHASE_FILESYSTEMS, 0, "fs"),
      mkop ("sysprep", GS_PHASE_DEVICES, 0, "dev"),
    };
    struct gs_registry reg = { .ops = ops, .nops = 2 };

    constrain (ops[0], "after", "dev");
    ok (sort_capture (&reg, &err) == -1 &&
        unit_contains (err, "sysprep.fs cannot run after dev"),
        "after an operation of a later phase: refused, named");
    free (err);
    free_made (&reg);
  }
  {
    struct gs_op *ops[] = {
      mkop ("sysprep", GS_PHASE_FILESYSTEMS, 0, "fs"),
      mkop ("inspect", GS_PHASE_INSPECT, 0, "other"),
    };
    struct gs_registry reg = { .ops = ops, .nops = 2 };

    constrain (ops[0], "before", "other");
    ok (sort_capture (&reg, &err) == -1 &&
        unit_contains (err, "before: unknown operation \"other\""),
        "before an operation of another family (or none): unknown, named");
    free (err);
    free_made (&reg);
  }
}

/* gs_int_config_files: precedence order of the files read. */
static void
test_files (void)
{
  const char *conf = conf_dir ();
  string_vector files = empty_vector;
  char *want = unit_printf ("%s/goldsmith.conf %s/sysprep/bash-history.conf "
                            "%s/sysprep/logfiles.conf "
                            "%s/sysprep/machine-id.conf "
                            "%s/sysprep/ssh-hostkeys.conf user.conf",
                            conf, conf, conf, conf, conf);
  char got[4096] = "";
  int r = gs_int_config_files (conf, "user.conf", &files);

  for (size_t i = 0; i < files.len; ++i) {
    if (i > 0)
      strncat (got, " ", sizeof got - strlen (got) - 1);
    strncat (got, files.ptr[i], sizeof got - strlen (got) - 1);
  }
  ok (r == 0, "config_files succeeds");
  is_str (got, want, "config_files: goldsmith.conf, sysprep/*.conf "
          "by name, then --config");
  string_vector_free_all (&files);
  free (want);
}

int
main (void)
{
  plan (68);
  test_files ();
  test_select ();
  test_sort_made ();
  test_order ();
  test_constraints ();
  return exit_status ();
}
