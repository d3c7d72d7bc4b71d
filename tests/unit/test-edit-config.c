/* test-edit-config: the configuration keys of the operations that edit
 * guest files (net-hwaddr, net-hostname, net-mac-bindings,
 * user-account), through the real loader and plugins: what is refused,
 * in one line naming FILE:LINE, and that valid layers load.  No
 * appliance.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "tap.h"
#include "unit-util.h"

/* Load the files (NULL-terminated) on the real plugins, stderr
 * captured into *ERR; then config_complete.  Returns the first -1.
 */
static int
load (const char *const *files, char **err)
{
  struct gs_registry reg;
  struct gs_settings st = { 0 };
  string_vector v = empty_vector;
  int r;

  unit_registry_new (&reg);
  /* The operations under test, beside the core pair. */
  for (size_t i = 0; i < 3; ++i) {
    static const char *const so[] = {
      "net-ifcfg", "net-mac-bindings", "user-account",
    };
    char *f = unit_printf ("%s/plugins/sysprep/sysprep-%s.so",
                           unit_builddir (), so[i]);

    if (gs_int_registry_load_file (&reg, f) == -1) {
      printf ("Bail out! cannot load %s\n", f);
      exit (EXIT_FAILURE);
    }
    free (f);
  }
  for (size_t i = 0; files[i]; ++i)
    if (string_vector_append_copy (&v, files[i]) == -1) {
      printf ("Bail out! out of memory\n");
      exit (EXIT_FAILURE);
    }
  unit_capture_begin ();
  r = gs_int_config_load (&reg, &st, &v, NULL);
  if (r == 0)
    r = gs_int_config_complete (&reg);
  *err = unit_capture_end ();
  string_vector_free_all (&v);
  gs_int_settings_free (&st);
  gs_int_registry_free (&reg);
  return r;
}

/* TEXT (one file) is refused by OP in one line naming FILE:LINE and
 * holding NEEDLE.  3 tests.
 */
static void
refused (const char *what, const char *op, const char *text, int line,
         const char *needle)
{
  const char *file = unit_temp_text (".conf", text);
  char *err;
  char *where = unit_printf ("goldsmith: %s: error: %s:%d: ", op, file, line);
  int r = load ((const char *const []) { file, NULL }, &err);

  is_int (r, -1, "%s: refused", what);
  if (!ok (unit_one_line (err) && strncmp (err, where, strlen (where)) == 0,
           "%s: one line naming %s and FILE:%d", what, op, line))
    diag ("message: %s", err);
  if (!ok (unit_contains (err, needle), "%s: it says \"%s\"", what, needle))
    diag ("message: %s", err);
  free (where);
  free (err);
}

int
main (void)
{
  unit_plugin_api ();
  plan (14);

  refused ("user-account keep with an empty name", "user-account",
           "sysprep: {\n"
           "  user-account: { keep = [ \"bob\", \"\" ]; };\n"
           "};\n", 2, "keep[1]: \"\": an empty name");
  refused ("user-account remove with a '/'", "user-account",
           "sysprep: {\n"
           "  user-account: {\n"
           "    remove = [ \"../etc\" ];\n"
           "  };\n"
           "};\n", 3, "remove[0]: \"../etc\": a character user names");
  refused ("user-account remove with '..'", "user-account",
           "sysprep: { user-account: { remove = [ \"..\" ]; }; };\n", 1,
           "not a user name");
  refused ("net-hwaddr variables that are not shell names", "net-hwaddr",
           "sysprep: {\n"
           "  net-hwaddr: { variables = [ \"HWADDR\", \"MAC ADDR\" ]; };\n"
           "};\n", 2, "\"MAC ADDR\" is not a shell variable name");

  /* Layers that all load: keys of every operation, remove and keep in
   * two files (they add up), an empty distros list.
   */
  {
    const char *a = unit_temp_text (".conf",
      "sysprep: {\n"
      "  user-account: { enabled = true; remove = [ \"alice\" ]; };\n"
      "  net-hwaddr: { variables = [ \"HWADDR\", \"UUID\" ]; };\n"
      "  net-hostname: { distros = [ ]; };\n"
      "};\n");
    const char *b = unit_temp_text (".conf",
      "sysprep: {\n"
      "  user-account: { remove = [ \"dave\" ]; keep = [ \"bob\" ]; };\n"
      "  net-mac-bindings: { netplan = false; assigned-macs = false; };\n"
      "};\n");
    char *err;
    int r = load ((const char *const []) { a, b, NULL }, &err);

    is_int (r, 0, "valid layers for the four operations load");
    is_str (err, "", "valid layers: nothing on stderr");
    free (err);
  }
  return exit_status ();
}
