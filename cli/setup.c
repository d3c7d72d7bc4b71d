/* SPDX-License-Identifier: GPL-2.0-or-later */
/* setup.c: load plugins and configuration the same way for every
 * subcommand.  Build-tree runs (./run) point GOLDSMITH_PLUGINDIR and
 * GOLDSMITH_SYSCONFDIR at the source tree; GOLDSMITH_PLUGIN_PATH adds
 * directories of third-party plugins before the installed ones.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cleanups.h"

int
gs_cli_load_plugins (struct gs_env *env)
{
  const char *plugindir = getenv ("GOLDSMITH_PLUGINDIR");
  const char *extra = getenv ("GOLDSMITH_PLUGIN_PATH");

  if (env->plugins_loaded)
    return 0;
  env->plugins_loaded = true;
  if (plugindir == NULL || !plugindir[0])
    plugindir = PLUGINDIR;
  if (extra && extra[0] &&
      gs_int_registry_load_path (&env->reg, extra) == -1)
    return -1;
  return gs_int_registry_load_path (&env->reg, plugindir);
}

int
gs_cli_load (struct gs_env *env)
{
  const char *sysconfdir = getenv ("GOLDSMITH_SYSCONFDIR");

  config_init (&env->merged);
  if (sysconfdir == NULL || !sysconfdir[0])
    sysconfdir = GS_SYSCONFDIR;
  if (gs_cli_load_plugins (env) == -1)
    return -1;
  if (gs_int_config_files (sysconfdir, gs_common.config_file,
                           &env->files) == -1)
    return -1;
  if (gs_int_config_load (&env->reg, &env->settings, &env->files,
                          &gs_common.sets, &env->merged) == -1)
    return -1;
  env->settings.isolate |= gs_common.isolate;
  gs_common.keys.from_stdin = gs_common.keys_from_stdin;
  gs_common.keys.echo = gs_common.echo_keys;
  env->settings.keys = &gs_common.keys;
  return 0;
}

void
gs_cli_env_free (struct gs_env *env)
{
  gs_int_registry_free (&env->reg);
  gs_int_settings_free (&env->settings);
  if (config_root_setting (&env->merged))   /* gs_cli_load ran */
    config_destroy (&env->merged);
  string_vector_free_all (&env->files);
}

/* With --json, an early failure is still one JSON document. */
/* gs_cli_load, then the operations of FAMILY chosen by the
 * --operations values SELECTIONS (in order), defaults filled in.
 */
int
gs_cli_load_family (struct gs_env *env, const char *family,
                    const string_vector *selections)
{
  struct gs_selection sel = { 0 };

  if (gs_cli_load (env) == -1)
    return -1;
  for (size_t i = 0; i < selections->len; ++i)
    if (gs_int_select (&env->reg, family, &sel, "--operations",
                       selections->ptr[i]) == -1)
      return -1;
  gs_int_select_finish (&env->reg, family, &sel);
  return gs_int_config_complete (&env->reg);
}

int
gs_cli_jobs_check (int jobs)
{
  if (jobs != GS_JOBS_UNSET && jobs < 1) {
    gs_error ("--jobs %d: give at least 1 (or leave it out)", jobs);
    return -1;
  }
  return 0;
}

int
gs_cli_fail (const char *tool, int code)
{
  if (gs_common.json) {
    json_object *r = gs_int_report_new (tool, false);

    gs_int_report_set_error (r, gs_int_last_error ());
    json_object_object_add (r, "exit_status", json_object_new_int (code));
    gs_int_report_print_json (r);
    json_object_put (r);
  }
  return code;
}
