/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-config: configuration files (common/config.c) as goldsmith
 * loads them: parsed by libconfig, checked key by key against the
 * operations the real plugins register (each plugin's .configure and
 * .config_complete included), layered and merged.
 *
 * The input is one file, or several layers separated by lines "#--"
 * (a comment to libconfig), loaded in order like goldsmith.conf,
 * conf.d/ and --config: later layers override earlier ones.
 *
 * LLVMFuzzerInitialize is fuzz-util.c's for libconfig input.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "fuzz-util.h"

#define MAX_LAYERS 4

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  string_vector files = empty_vector;
  struct gs_registry reg;
  struct gs_settings st = { 0 };
  config_t merged;
  size_t start = 0;

  /* Configuration names host files (scripts, keys, uploads): keep to
   * ones that can't block the harness.
   */
  if (!fuzz_host_safe (text, size))
    return 0;

  while (start <= size && files.len < MAX_LAYERS) {
    const char *sep = memmem (text + start, size - start, "\n#--\n", 5);
    size_t end = sep ? (size_t) (sep - text) + 1 : size;
    char name[32];

    snprintf (name, sizeof name, "layer%zu.conf", files.len);
    if (string_vector_append_copy (&files,
                                   fuzz_write_file (name, data + start,
                                                    end - start)) == -1)
      fuzz_die ("out of memory");
    if (sep == NULL)
      break;
    start = end + 4;
  }

  fuzz_registry_new (&reg);
  config_init (&merged);
  /* What gs_cli_load and `goldsmith config` do with the files. */
  if (gs_int_config_load (&reg, &st, &files, NULL, &merged) == 0 &&
      gs_int_config_complete (&reg) == 0) {
    struct gs_exclude *ex = gs_int_exclude_new (&st.exclude_paths,
                                                "paths.exclude");

    if (ex) {
      gs_int_exclude_match (ex, "/etc/machine-id");
      gs_int_exclude_free (ex);
    }
  }
  config_destroy (&merged);
  gs_int_settings_free (&st);
  gs_int_registry_free (&reg);
  string_vector_free_all (&files);
  return 0;
}
