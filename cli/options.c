/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options.c: the options every subcommand takes, and popt errors. */
#include <config.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cleanups.h"

struct gs_common_opts gs_common;

struct poptOption gs_common_table[] = {
  { "verbose", 'v', POPT_ARG_NONE, &gs_common.verbose, 0,
    "Verbose messages, including libguestfs's", NULL },
  { NULL, 'x', POPT_ARG_NONE, &gs_common.trace, 0,
    "Trace every libguestfs call", NULL },
  { "quiet", 'q', POPT_ARG_NONE, &gs_common.quiet, 0,
    "No progress messages or bars", NULL },
  { "json", '\0', POPT_ARG_NONE, &gs_common.json, 0,
    "Print the result as one JSON document on stdout", NULL },
  { "config", '\0', POPT_ARG_STRING, &gs_common.config_file, 0,
    "Read FILE after the system configuration", "FILE" },
  { "set", '\0', POPT_ARG_STRING, NULL, OPT_SET,
    "Override one configuration key, e.g. appliance.accel=tcg",
    "KEY=VALUE" },
  { "allow-external-files", '\0', POPT_ARG_NONE, &gs_common.allow_external,
    0, "Accept images whose backing or data files lie outside their "
    "directory (only for images you trust: see SECURITY in goldsmith(1))",
    NULL },
  { "key", '\0', POPT_ARG_STRING, NULL, OPT_KEY,
    "The key of an encrypted (LUKS) device: ID:key:KEY or ID:file:FILE "
    "(ID: a device, /dev/mapper name, LUKS UUID, or all)", "SELECTOR" },
  { "keys-from-stdin", '\0', POPT_ARG_NONE, &gs_common.keys_from_stdin, 0,
    "Read the keys of encrypted devices from stdin, one a line", NULL },
  { "echo-keys", '\0', POPT_ARG_NONE, &gs_common.echo_keys, 0,
    "Show the keys typed at the terminal", NULL },
  { "progress-fd", '\0', POPT_ARG_STRING, NULL, OPT_PROGRESS_FD,
    "Write progress events to file descriptor N, one JSON object a line",
    "N" },
  { "provenance", '\0', POPT_ARG_STRING, NULL, OPT_PROVENANCE,
    "At the end, write an in-toto/SLSA provenance record of the run to "
    "FILE", "FILE" },
  { "isolate", '\0', POPT_ARG_NONE, &gs_common.isolate, 0,
    "Give every guest an appliance launch of its own (appliance.isolate)",
    NULL },
  { "version", 'V', POPT_ARG_NONE, &gs_common.version, 0,
    "Print the version and exit", NULL },
  /* The anchors' --colors and --wrap: goldsmith's messages are plain
   * lines on stderr, never coloured or wrapped, so these change
   * nothing; accepted so the anchors' command lines run.
   */
  { "colors", '\0', POPT_ARG_NONE, &gs_common.color, 0,
    "Accepted for virt-* command lines: goldsmith prints no colour", NULL },
  { "color", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN,
    &gs_common.color, 0, NULL, NULL },
  { "colour", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN,
    &gs_common.color, 0, NULL, NULL },
  { "colours", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN,
    &gs_common.color, 0, NULL, NULL },
  { "wrap", '\0', POPT_ARG_NONE, &gs_common.wrap, 0,
    "Accepted for virt-* command lines: goldsmith never wraps messages "
    "(one line each)", NULL },
  /* The OCaml anchors' hidden --debug-gc (a GC compaction at exit,
   * for their tests): goldsmith has no GC; accepted, does nothing.
   */
  { "debug-gc", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL, 0,
    NULL, NULL },
  { "short-options", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL,
    OPT_SHORT_OPTIONS, NULL, NULL },
  { "long-options", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL,
    OPT_LONG_OPTIONS, NULL, NULL },
  POPT_TABLEEND
};

/* After a subcommand's option loop (RC: poptGetNextOpt's last): a bad
 * option or --version ends the command with *CODE (returns true);
 * otherwise the message verbosity is set from -q and -v.
 */
bool
gs_cli_options_end (poptContext pc, const char *cmd, int rc, int *code)
{
  if (rc < -1) {
    *code = gs_cli_popt_error (pc, cmd, rc);
    return true;
  }
  if (gs_common.version) {
    gs_cli_print_version ();
    *code = GS_EXIT_OK;
    return true;
  }
  gs_int_set_verbosity (gs_common.quiet, gs_common.verbose);
  gs_int_disks_allow_external (gs_common.allow_external);
  return false;
}

void
gs_cli_print_version (void)
{
  if (gs_cli_compat_prog ()) {
    gs_cli_compat_print_version ();
    return;
  }
  printf ("%s %s (plugin ABI %d)\n", PACKAGE_NAME, PACKAGE_VERSION,
          GS_PLUGIN_ABI_VERSION);
}

/* S as a libconfig string literal, with its quotes. */
char *
gs_cli_quote (const char *s)
{
  char *q = gs_xmalloc (4 * strlen (s) + 3), *t = q;

  *t++ = '"';
  for (const unsigned char *p = (const unsigned char *) s; *p; ++p) {
    if (*p == '"' || *p == '\\') {
      *t++ = '\\';
      *t++ = *p;
    }
    else if (*p == '\n') {
      *t++ = '\\';
      *t++ = 'n';
    }
    else if (*p < 0x20 || *p == 0x7f)
      t += sprintf (t, "\\x%02x", *p);
    else
      *t++ = *p;
  }
  *t++ = '"';
  *t = '\0';
  return q;
}

/* How many settings S holds, itself excluded, at every depth. */
static size_t
count_settings (const config_setting_t *s)
{
  size_t n = 0;

  if (config_setting_is_group (s))
    for (int i = 0; i < config_setting_length (s); ++i)
      n += 1 + count_settings (config_setting_get_elem (s, i));
  return n;
}

/* KEY=VALUE -> "a: { b: { c = VALUE; }; };".  VALUE is taken as a
 * libconfig value if it parses as one, else as a string.
 */
static int
add_set (const char *arg)
{
  const char *eq = strchr (arg, '=');
  CLEANUP_FREE char *key = NULL;
  CLEANUP_FREE char *quoted = NULL;
  char *open = NULL, *entry = NULL;
  size_t depth = 0;

  if (eq == NULL || eq == arg) {
    gs_error ("--set %s: expected KEY=VALUE, e.g. appliance.accel=tcg", arg);
    return -1;
  }
  key = gs_xstrndup (arg, eq - arg);
  quoted = gs_cli_quote (eq + 1);
  {
    size_t cap = strlen (arg) * 4 + strlen (quoted) + 64;
    CLEANUP_FREE char *text = gs_xmalloc (cap);
    char *t = text, *k, *save = NULL;
    config_t cfg;
    bool raw_ok;

    for (k = strtok_r (key, ".", &save); k; k = strtok_r (NULL, ".", &save)) {
      if (save && *save) {
        t += sprintf (t, "%s: { ", k);
        depth++;
      }
      else
        t += sprintf (t, "%s = ", k);
    }
    open = t;                    /* where the value goes */
    for (int pass = 0; pass < 2; ++pass) {
      t = open;
      t += sprintf (t, "%s;", pass == 0 ? eq + 1 : quoted);
      for (size_t d = 0; d < depth; ++d)
        t += sprintf (t, " };");
      config_init (&cfg);
      raw_ok = config_read_string (&cfg, text) == CONFIG_TRUE;
      /* "1; b=2" parses, as a second key: one --set sets one key. */
      if (raw_ok && count_settings (config_root_setting (&cfg)) != depth + 1) {
        config_destroy (&cfg);
        gs_error ("--set %s: the value sets more than one key (quote it "
                  "to give a string: KEY='\"...\"')", arg);
        return -1;
      }
      config_destroy (&cfg);
      if (raw_ok || pass == 1)
        break;
    }
    entry = gs_xasprintf ("--set %s", arg);
    if (gs_int_layers_add (&gs_common.sets, entry, text, NULL) == -1) {
      free (entry);
      return -1;
    }
    free (entry);
  }
  return 0;
}

/* Handle a common option value returned by poptGetNextOpt; 0 if it was
 * one, 1 if not ours, -1 on error.
 */
int
gs_cli_common_option (poptContext pc, int rc)
{
  if (rc == OPT_SET) {
    CLEANUP_FREE char *arg = poptGetOptArg (pc);
    return add_set (arg) == -1 ? -1 : 0;
  }
  if (rc == OPT_PROGRESS_FD) {
    CLEANUP_FREE char *arg = poptGetOptArg (pc);
    char *end;
    long fd = strtol (arg, &end, 10);

    if (end == arg || *end || fd < 0 || fd > INT_MAX) {
      gs_error ("--progress-fd %s: not a file descriptor number", arg);
      return -1;
    }
    return gs_int_progress_open ((int) fd) == -1 ? -1 : 0;
  }
  if (rc == OPT_PROVENANCE) {
    char *arg = poptGetOptArg (pc);

    /* Checked now: a record that cannot be written is refused before
     * any launch, not found out after the work.
     */
    if (gs_int_provenance_check (arg) == -1) {
      free (arg);
      return -1;
    }
    free (gs_common.provenance);
    gs_common.provenance = arg;
    return 0;
  }
  if (rc == OPT_SHORT_OPTIONS || rc == OPT_LONG_OPTIONS)
    gs_cli_print_option_names (rc == OPT_LONG_OPTIONS);
  if (rc == OPT_KEY) {
    char *arg = poptGetOptArg (pc);
    int r = gs_int_keys_add (&gs_common.keys, arg);

    explicit_bzero (arg, strlen (arg));
    free (arg);
    return r == -1 ? -1 : 0;
  }
  return 1;
}

int
gs_cli_popt_error (poptContext pc, const char *cmd, int rc)
{
  if (gs_cli_compat_prog ()) {
    gs_cli_compat_popt_error (poptBadOption (pc, POPT_BADOPTION_NOALIAS),
                              poptStrerror (rc));
    return GS_EXIT_USAGE;
  }
  /* One line, so a pipeline's log shows the whole complaint. */
  gs_int_usage_error (cmd, "%s: %s (try 'goldsmith %s --help')",
                      poptBadOption (pc, POPT_BADOPTION_NOALIAS),
                      poptStrerror (rc), cmd);
  return GS_EXIT_USAGE;
}
