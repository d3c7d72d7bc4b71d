/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h: what the subcommands of the goldsmith command share. */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <limits.h>
#include <popt.h>

#include "goldsmith-int.h"
#include "provenance.h"

/* Options every subcommand takes (cli/options.c). */
struct gs_common_opts {
  int verbose, trace, quiet, json, version, allow_external, isolate;
  int keys_from_stdin, echo_keys;
  int color, wrap;               /* accepted: nothing to colour or wrap */
  struct gs_keys keys;           /* --key, in order */
  char *config_file;
  char *provenance;              /* --provenance FILE, checked */
  struct gs_config_layers sets;  /* --set, then operations' options */
};

extern struct gs_common_opts gs_common;
extern struct poptOption gs_common_table[];

/* Option values handled by gs_cli_common_option(). */
enum {
  OPT_SET = 1000,
  OPT_KEY,
  OPT_PROGRESS_FD,
  OPT_PROVENANCE,
  OPT_SHORT_OPTIONS,
  OPT_LONG_OPTIONS,
};

extern int gs_cli_common_option (poptContext pc, int rc);
extern int gs_cli_popt_error (poptContext pc, const char *cmd, int rc);
extern void gs_cli_print_version (void);
extern bool gs_cli_options_end (poptContext pc, const char *cmd, int rc,
                                int *code);
extern char *gs_cli_quote (const char *s);

/* Every subcommand makes its popt context with gs_cli_context, so
 * --short-options / --long-options can list its table (cli/optlist.c).
 */
extern poptContext gs_cli_context (const char *name, int argc,
                                   const char **argv,
                                   const struct poptOption *table);
extern void gs_cli_print_option_names (bool longs)
  __attribute__((noreturn));
extern const char **gs_cli_optional_args (int argc, const char **argv,
                                          const char *name);

/* The environment: plugins, configuration, selection (cli/setup.c). */
struct gs_env {
  struct gs_registry reg;
  struct gs_settings settings;
  config_t merged;
  string_vector files;
  bool plugins_loaded;
};
/* The plugins only (once), then gs_cli_load adds the configuration. */
extern int gs_cli_load_plugins (struct gs_env *env);
extern int gs_cli_load (struct gs_env *env);
extern void gs_cli_env_free (struct gs_env *env);
extern int gs_cli_load_family (struct gs_env *env, const char *family,
                               const string_vector *selections);
extern int gs_cli_fail (const char *tool, int code);
/* --jobs not given: as many as cores and memory allow. */
#define GS_JOBS_UNSET INT_MIN
/* --jobs JOBS as given: left out, or at least 1. */
extern int gs_cli_jobs_check (int jobs);

/* Options operations declare (cli/params.c): the popt table of
 * FAMILY's loaded operations (NULL if one clashes with an option of
 * TOOL's own table, said), each use remembered, then made a
 * configuration layer; the operations must be selected.
 */
extern struct poptOption *gs_cli_params_table (const struct gs_registry *reg,
                                               const char *family,
                                               const struct poptOption *tool);
#define GS_CLI_PARAMS_SLOT 1999   /* popt value of the include entry */
extern int gs_cli_params_install (struct gs_env *env, const char *family,
                                  struct poptOption *tool,
                                  const char *heading);
extern int gs_cli_params_option (poptContext pc, int rc);
extern int gs_cli_params_layers (const char *family,
                                 struct gs_config_layers *layers);
extern int gs_cli_params_check (void);
extern int gs_cli_params_pod (void);
extern void gs_cli_params_free (void);

/* The guests named by -a, --format, -d, -c and --domxml (cli/inputs.c).
 * A subcommand keeps one struct gs_inputs, includes its .table in its
 * popt table, passes every option value to gs_cli_inputs_option, then
 * (after its own checks) opens the guests with gs_cli_inputs_guests.
 */
enum gs_inputs_grouping {
  GS_INPUTS_IMAGES_ONE_GUEST,    /* all the -a are the disks of one guest
                                    (virt-sysprep's way); each -d and
                                    --domxml is a guest */
  GS_INPUTS_GUEST_EACH,          /* each -a, -d, --domxml is a guest */
};

enum gs_input_kind {
  GS_INPUT_ADD,                  /* -a IMAGE */
  GS_INPUT_DOMAIN,               /* -d NAME|UUID (with -c URI) */
  GS_INPUT_DOMXML,               /* --domxml FILE */
  GS_INPUT_FORMAT,               /* --format: an option, not an input */
};

struct gs_input {
  enum gs_input_kind kind;
  char *value;
  char *format;                  /* -a: the --format in force, or NULL */
  int blocksize;                 /* -a: the --blocksize in force, or 0 */
};

struct gs_inputs {
  enum gs_inputs_grouping grouping;
  struct gs_input *v;            /* in command-line order */
  size_t n;
  size_t count[GS_INPUT_FORMAT]; /* inputs of each kind */
  char *format;                  /* the --format in force; NULL: probe */
  int blocksize;                 /* the --blocksize in force (inspect) */
  bool format_pending;           /* a --format no -a has followed */
  char *connect_uri;             /* -c */
  struct poptOption table[6];    /* for POPT_ARG_INCLUDE_TABLE */
};

/* Flags of gs_cli_inputs_guests. */
enum {
  GS_INPUTS_READONLY = 1,        /* every disk read-only (inspection) */
  GS_INPUTS_DOMAIN_WRITABLE = 2, /* -d will be written: refuse if running */
};

extern void gs_cli_inputs_init (struct gs_inputs *in,
                                enum gs_inputs_grouping grouping);
extern int gs_cli_inputs_option (struct gs_inputs *in, poptContext pc,
                                 int rc);
extern int gs_cli_inputs_add (struct gs_inputs *in, enum gs_input_kind kind,
                              const char *value, const char *format);
extern int gs_cli_inputs_check (const struct gs_inputs *in);
extern size_t gs_cli_inputs_count (const struct gs_inputs *in);
extern int gs_cli_inputs_guests (const struct gs_inputs *in, unsigned flags,
                                 struct gs_guest **guests_ret, size_t *n_ret);
extern void gs_cli_guests_free (struct gs_guest *guests, size_t n);
extern void gs_cli_inputs_free (struct gs_inputs *in);

/* --provenance FILE (cli/provenance.c): NULL without it.  Begun once
 * the run is sure to happen (every refusal said), inputs hashed then;
 * ended after the report, with the run's exit CODE (returned, or
 * GS_EXIT_ERROR if the record could not be written).
 */
/* -1 (said: exit 2) if FILE would replace a disk of the run. */
extern int gs_cli_prov_check_disk (const char *disk);
extern int gs_cli_prov_check_guests (const struct gs_guest *guests, size_t n);
extern struct gs_provenance *gs_cli_prov_begin (const char *tool, int argc,
                                                const char **argv,
                                                const struct gs_env *env);
extern void gs_cli_prov_guests (struct gs_provenance *p,
                                const struct gs_guest *guests, size_t n,
                                bool outputs);
extern int gs_cli_prov_end (struct gs_provenance *p, json_object *report,
                            int code);

/* Compatibility mode (cli/compat.c): the binary run as
 * goldsmith-virt-sysprep (or virt-sysprep, ...) is that subcommand with
 * the anchor's exit codes, message prefixes and option errors.
 * gs_cli_compat_enter returns the subcommand ARGV0 names ("sysprep"),
 * compat mode then on, or NULL; gs_cli_compat_exit maps a subcommand's
 * exit code to the anchor's; gs_cli_compat_prog is the anchor's name,
 * NULL outside compat mode.
 */
extern const char *gs_cli_compat_enter (const char *argv0);
extern int gs_cli_compat_exit (int code);
extern const char *gs_cli_compat_prog (void);
/* CODE, if the subcommand ends with it, is the anchor's own too. */
extern void gs_cli_compat_keep (int code);
extern void gs_cli_compat_print_version (void);
extern void gs_cli_compat_popt_error (const char *bad, const char *why);

/* Subcommands. */
extern int gs_cmd_sysprep (int argc, const char **argv);
extern int gs_cmd_resize (int argc, const char **argv);
extern int gs_cmd_sparsify (int argc, const char **argv);
extern int gs_cmd_inspect (int argc, const char **argv);
extern int gs_cmd_ops (int argc, const char **argv);
extern int gs_cmd_config (int argc, const char **argv);
extern int gs_cmd_doctor (int argc, const char **argv);
extern int gs_cmd_batch (int argc, const char **argv);
extern int gs_cli_list_ops (struct gs_registry *reg, const char *family,
                            bool sysprep_style, bool pod);

#endif /* GS_CLI_H */
