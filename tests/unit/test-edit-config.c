/* SPDX-License-Identifier: GPL-2.0-or-later */
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
 * captured into *ERR, the merged copy (what `goldsmith config` shows)
 * into MERGED unless NULL; then config_complete.  Returns the first -1.
 */
static int
load (const char *const *files, char **err, config_t *merged)
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
  r = gs_int_config_load (&reg, &st, &v, NULL, merged);
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
  int r = load ((const char *const []) { file, NULL }, &err, NULL);

  is_int (r, -1, "%s: refused", what);
  if (!ok (unit_one_line (err) && strncmp (err, where, strlen (where)) == 0,
           "%s: one line naming %s and FILE:%d", what, op, line))
    diag ("message: %s", err);
  if (!ok (unit_contains (err, needle), "%s: it says \"%s\"", what, needle))
    diag ("message: %s", err);
  free (where);
  free (err);
}

/* The string list at PATH of MERGED joined with ',' (none of the names
 * tested holds one), "" for [ ], NULL if missing.  Caller frees.
 */
static char *
list_of (const config_t *merged, const char *path)
{
  const config_setting_t *l = config_lookup (merged, path);
  char *out = NULL;

  if (l == NULL)
    return NULL;
  out = unit_printf ("%s", "");
  for (int i = 0; i < config_setting_length (l); ++i) {
    char *o = unit_printf ("%s%s%s", out, i ? "," : "",
                           config_setting_get_string_elem (l, i));

    free (out);
    out = o;
  }
  return out;
}

int
main (void)
{
  unit_plugin_api ();
  plan (15);

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
   * two files, an empty distros list.  user-account's lists add up
   * (earlier file first); net-hwaddr's and net-hostname's are replaced
   * by a later file's, [ ] included.
   */
  {
    const char *a = unit_temp_text (".conf",
      "sysprep: {\n"
      "  user-account: { enabled = true; remove = [ \"zed\", \"alice\" ]; };\n"
      "  net-hwaddr: { variables = [ \"HWADDR\", \"UUID\" ]; };\n"
      "  net-hostname: { distros = [ \"fedora\", \"centos\" ]; };\n"
      "};\n");
    const char *b = unit_temp_text (".conf",
      "sysprep: {\n"
      "  user-account: { remove = [ \"dave\" ]; keep = [ \"bob\" ]; };\n"
      "  net-hwaddr: { variables = [ \"NM_CONTROLLED\" ]; };\n"
      "  net-hostname: { distros = [ ]; };\n"
      "  net-mac-bindings: { netplan = false; assigned-macs = false; };\n"
      "};\n");
    char *err, *rm, *kp, *s;
    config_t merged;
    int r;

    config_init (&merged);
    r = load ((const char *const []) { a, b, NULL }, &err, &merged);
    is_int (r, 0, "valid layers for the four operations load");
    is_str (err, "", "valid layers: nothing on stderr");
    free (err);

    /* Not checked: user-account adds each file's remove/keep names to
     * the earlier ones (its key doc says so), but the merged copy that
     * `goldsmith config` shows replaces the list (merge_setting knows
     * no key that adds up): a known gap, until plugins declare their
     * keys.
     */
    rm = list_of (&merged, "sysprep.net-hwaddr.variables");
    kp = list_of (&merged, "sysprep.net-hostname.distros");
    s = unit_printf ("variables=%s distros=%s", rm ? rm : "(none)",
                     kp ? kp : "(none)");
    is_str (s, "variables=NM_CONTROLLED distros=",
            "merged: the later file's variables and [ ] distros replace "
            "the earlier lists");
    free (rm);
    free (kp);
    free (s);
    config_destroy (&merged);
  }
  return exit_status ();
}
