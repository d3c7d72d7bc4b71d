/* SPDX-License-Identifier: GPL-2.0-or-later */
/* selection.c: which operations run, in virt-sysprep's syntax.
 *
 *   (nothing)                     the operations enabled by default
 *   --enable a,b                  exactly a and b (once, before any
 *                                 --operations)
 *   --operations defaults,-x,+y   the first --operations starts from
 *                                 the empty set; later ones (and a
 *                                 preceding --enable) modify it.
 *   Elements: defaults, -defaults, all, -all, NAME, +NAME, -NAME.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "cleanups.h"

static int
apply_element (struct gs_registry *reg, const char *family,
               const char *option, const char *elem)
{
  bool add = true;
  const char *name = elem;

  if (elem[0] == '-' || elem[0] == '+') {
    add = elem[0] == '+';
    name = elem + 1;
  }
  if (name[0] == '\0') {
    gs_error ("%s: empty operation name", option);
    return -1;
  }
  if (strcmp (name, "defaults") == 0 || strcmp (name, "all") == 0) {
    bool all = name[0] == 'a';

    for (size_t i = 0; i < reg->nops; ++i)
      if (strcmp (reg->ops[i]->family, family) == 0 &&
          (all || reg->ops[i]->enabled_by_default))
        reg->ops[i]->selected = add;
    return 0;
  }

  struct gs_op *op = gs_int_registry_find (reg, family, name);
  if (op == NULL) {
    gs_error ("%s: '%s' is not a known operation (see 'goldsmith ops %s')",
              option, name, family);
    return -1;
  }
  op->selected = add;
  return 0;
}

int
gs_int_select (struct gs_registry *reg, const char *family,
               struct gs_selection *sel, const char *option,
               const char *spec)
{
  bool is_enable = strcmp (option, "--enable") == 0;
  CLEANUP_FREE char *copy = gs_xstrdup (spec);
  char *p, *comma;

  if (is_enable && sel->enable_seen) {
    gs_error ("--enable may only be given once");
    return -1;
  }
  if (is_enable && sel->started) {
    gs_error ("--enable cannot follow --operations");
    return -1;
  }
  if (spec[0] == '\0') {
    gs_error ("%s: empty list of operations", option);
    return -1;
  }
  if (!sel->started)             /* the first choice replaces the defaults */
    for (size_t i = 0; i < reg->nops; ++i)
      if (strcmp (reg->ops[i]->family, family) == 0)
        reg->ops[i]->selected = false;
  sel->started = true;
  sel->enable_seen |= is_enable;

  for (p = copy; p != NULL; p = comma ? comma + 1 : NULL) {
    if ((comma = strchr (p, ',')) != NULL)
      *comma = '\0';
    if (is_enable && (p[0] == '-' || p[0] == '+' ||
                      strcmp (p, "all") == 0 || strcmp (p, "defaults") == 0)) {
      gs_error ("--enable takes operation names only, not '%s' "
                "(use --operations)", p);
      return -1;
    }
    if (apply_element (reg, family, option, p) == -1)
      return -1;
  }
  return 0;
}

bool
gs_int_any_selected (const struct gs_registry *reg, const char *family)
{
  for (size_t i = 0; i < reg->nops; ++i)
    if (reg->ops[i]->selected && strcmp (reg->ops[i]->family, family) == 0)
      return true;
  return false;
}

void
gs_int_select_finish (struct gs_registry *reg, const char *family,
                      const struct gs_selection *sel)
{
  if (sel->started)
    return;
  for (size_t i = 0; i < reg->nops; ++i)
    if (strcmp (reg->ops[i]->family, family) == 0)
      reg->ops[i]->selected = reg->ops[i]->enabled_by_default;
}
