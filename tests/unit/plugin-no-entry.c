/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plugin-no-entry: a shared object that is not a goldsmith plugin: it
 * exports a symbol, but not gs_plugin_entry (it is linked without
 * plugins/plugins.syms).  Never installed.
 */
#include <config.h>

#include "goldsmith-plugin.h"

__attribute__((visibility ("default"))) const int gs_plugin_entry_typo = 1;
