/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config-util.h: small helpers for plugins reading their libconfig
 * section.  The core has already checked every key's type against the
 * operation's key table, so these only copy values.
 */
#ifndef GS_PLUGIN_CONFIG_UTIL_H
#define GS_PLUGIN_CONFIG_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "string-vector.h"

/* If KEY is in SECTION, replace *OUT with its strings (a later file
 * overrides an earlier one).
 */
static inline void
gs_config_get_strings (const config_setting_t *section, const char *key,
                       string_vector *out, bool *seen)
{
  const config_setting_t *list = config_setting_get_member (section, key);

  if (list == NULL)
    return;
  string_vector_free_all (out);
  if (seen)
    *seen = true;
  for (int i = 0; i < config_setting_length (list); ++i) {
    const char *s = config_setting_get_string_elem (list, i);

    if (s)
      string_vector_append_copy (out, s);
  }
}

/* If KEY is in SECTION, replace *OUT with a copy of its string. */
static inline void
gs_config_get_string (const config_setting_t *section, const char *key,
                      char **out)
{
  const char *s;

  if (!config_setting_lookup_string (section, key, &s))
    return;
  free (*out);
  *out = gs_xstrdup (s);
}

static inline void
gs_config_get_bool (const config_setting_t *section, const char *key,
                    bool *out)
{
  int v;

  if (config_setting_lookup_bool (section, key, &v))
    *out = v;
}

#endif /* GS_PLUGIN_CONFIG_UTIL_H */
