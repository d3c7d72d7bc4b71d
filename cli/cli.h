/* cli.h: what the subcommands of the goldsmith command share. */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <popt.h>

#include "goldsmith-int.h"

/* Options every subcommand takes (cli/options.c). */
struct gs_common_opts {
  int verbose, trace, quiet, json, version;
  char *config_file;
  string_vector sets;            /* "--set:KEY=VALUE\nTEXT" entries */
};

extern struct gs_common_opts gs_common;
extern struct poptOption gs_common_table[];

/* Option values handled by gs_cli_common_option(). */
enum {
  OPT_SET = 1000,
};

extern int gs_cli_common_option (poptContext pc, int rc);
extern int gs_cli_popt_error (poptContext pc, const char *cmd, int rc);
extern void gs_cli_print_version (void);
extern char *gs_cli_quote (const char *s);

/* The environment: plugins, configuration, selection (cli/setup.c). */
struct gs_env {
  struct gs_registry reg;
  struct gs_settings settings;
  config_t merged;
  string_vector files;
};
extern int gs_cli_load (struct gs_env *env);
extern void gs_cli_env_free (struct gs_env *env);
extern int gs_cli_fail (const char *tool, int code);

/* Options that set operation keys (cli/params.c). */
extern void gs_cli_params_table (struct poptOption *table, size_t max);
extern int gs_cli_params_option (poptContext pc, int rc);
extern int gs_cli_params_layers (const char *family, string_vector *layers);
extern int gs_cli_params_check (const struct gs_registry *reg,
                                const char *family);
extern void gs_cli_params_free (void);

/* Files a run creates and must not leave behind (cli/outfile.c). */
extern void gs_cli_scratch_add (char *path);
extern void gs_cli_scratch_forget (const char *path);
extern const char *gs_cli_outfile_reserve (const char *out);
extern void gs_cli_outfile_finish (const char *out, bool success, int *code);
extern bool gs_cli_same_file (const char *a, const char *b);

/* Subcommands. */
extern int gs_cmd_sysprep (int argc, const char **argv);
extern int gs_cmd_resize (int argc, const char **argv);
extern int gs_cmd_sparsify (int argc, const char **argv);
extern int gs_cmd_inspect (int argc, const char **argv);
extern int gs_cmd_ops (int argc, const char **argv);
extern int gs_cmd_config (int argc, const char **argv);
extern int gs_cli_list_ops (struct gs_registry *reg, const char *family,
                            bool sysprep_style, bool pod);

#endif /* GS_CLI_H */
