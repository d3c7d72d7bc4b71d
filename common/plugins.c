/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plugins.c: find, dlopen and check operation plugins, and keep the
 * registry of operations they (and configuration templates) provide.
 */
#include <config.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "cleanups.h"

bool
gs_int_valid_op_name (const char *name)
{
  if (name == NULL || name[0] == '\0' || strlen (name) > 64)
    return false;
  /* Selection keywords (selection.c) can't name an operation. */
  if (strcmp (name, "all") == 0 || strcmp (name, "defaults") == 0)
    return false;
  for (const char *p = name; *p; ++p)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
      return false;
  return true;
}

static bool
valid_heading (const char *h)
{
  size_t n;

  if (h == NULL || (n = strlen (h)) == 0)
    return false;
  return h[n - 1] != '.' && strchr (h, '\n') == NULL;
}

static void
push (void ***arr, size_t *n, void *item)
{
  *arr = gs_xreallocarray (*arr, *n + 1, sizeof (void *));
  (*arr)[(*n)++] = item;
}

static struct gs_op *
new_op (const struct gs_operation *def, const char *name,
        const char *heading, const char *description, const char *source)
{
  struct gs_op *op = gs_xcalloc (1, sizeof *op);

  op->def = def;
  op->name = gs_xstrdup (name);
  op->family = gs_xstrdup (def->family);
  op->heading = gs_xstrdup (heading ? heading : "");
  op->description = description ? gs_xstrdup (description) : NULL;
  op->source = gs_xstrdup (source);
  op->phase = def->phase;
  op->order = def->order;
  op->enabled_by_default = def->enabled_by_default;
  return op;
}

static void
free_op (struct gs_op *op)
{
  if (op == NULL)
    return;
  free (op->name);
  free (op->family);
  free (op->heading);
  free (op->description);
  free (op->source);
  free (op);
}

struct gs_op *
gs_int_registry_find (const struct gs_registry *reg,
                      const char *family, const char *name)
{
  for (size_t i = 0; i < reg->nops; ++i)
    if (strcmp (reg->ops[i]->name, name) == 0 &&
        (family == NULL || strcmp (reg->ops[i]->family, family) == 0))
      return reg->ops[i];
  return NULL;
}

struct gs_op *
gs_int_registry_find_template (const struct gs_registry *reg,
                               const char *family, const char *kind)
{
  for (size_t i = 0; i < reg->ntemplates; ++i)
    if (strcmp (reg->templates[i]->name, kind) == 0 &&
        strcmp (reg->templates[i]->family, family) == 0)
      return reg->templates[i];
  return NULL;
}

/* The key type an option kind sets. */
static int
option_key_type (enum gs_option_kind k)
{
  switch (k) {
  case GS_OPTION_STRING: return GS_KEY_STRING;
  case GS_OPTION_APPEND: case GS_OPTION_LIST: return GS_KEY_STRINGS;
  case GS_OPTION_TRUE: case GS_OPTION_FALSE: return GS_KEY_BOOL;
  }
  return -1;
}

/* DEF's command-line options: each names one of its keys, of the type
 * the option sets; a template has none (its instances share DEF).
 */
static int
check_options (const char *file, const struct gs_operation *def)
{
  const struct gs_option *o;

  if (def->options == NULL)
    return 0;
  if (def->is_template && def->options[0].name) {
    gs_error ("%s: template \"%s\" declares options (its instances "
              "cannot tell them apart)", file, def->name);
    return -1;
  }
  for (o = def->options; o->name; ++o) {
    const struct gs_config_key *k = def->keys;
    int type = option_key_type (o->kind);

    if (!gs_int_valid_op_name (o->name)) {
      gs_error ("%s: operation \"%s\": invalid option name \"%s\" "
                "(allowed: [a-z0-9-]+)", file, def->name, o->name);
      return -1;
    }
    while (k && k->name && (o->key == NULL || strcmp (k->name, o->key)))
      k++;
    if (type == -1 || k == NULL || k->name == NULL || (int) k->type != type) {
      gs_error ("%s: operation \"%s\": option --%s must set one of its "
                "keys, of the type the option gives", file, def->name,
                o->name);
      return -1;
    }
    if (o->kind == GS_OPTION_APPEND && o->arg == NULL && o->verb == NULL) {
      gs_error ("%s: operation \"%s\": option --%s takes no argument, so "
                "it must have a verb to add", file, def->name, o->name);
      return -1;
    }
  }
  return 0;
}

/* The operation of REG's FAMILY that declares option NAME, or NULL. */
const struct gs_op *
gs_int_registry_find_option (const struct gs_registry *reg,
                             const char *family, const char *name,
                             const struct gs_option **opt)
{
  for (size_t i = 0; i < reg->nops; ++i) {
    const struct gs_op *op = reg->ops[i];

    if (strcmp (op->family, family) || op->def->options == NULL)
      continue;
    for (const struct gs_option *o = op->def->options; o->name; ++o)
      if (strcmp (o->name, name) == 0) {
        if (opt)
          *opt = o;
        return op;
      }
  }
  return NULL;
}

/* Check one operation table entry before anything of it is called. */
static int
check_operation (const char *file, const struct gs_operation *def)
{
  if (!gs_int_valid_op_name (def->name)) {
    gs_error ("%s: invalid operation name \"%s\" (allowed: [a-z0-9-]+)",
              file, def->name ? def->name : "(null)");
    return -1;
  }
  if (!gs_int_valid_op_name (def->family)) {
    gs_error ("%s: operation \"%s\": invalid family", file, def->name);
    return -1;
  }
  if (!def->is_template && !valid_heading (def->heading)) {
    gs_error ("%s: operation \"%s\": the heading must be one line "
              "without a trailing period", file, def->name);
    return -1;
  }
  if (def->perform == NULL) {
    gs_error ("%s: operation \"%s\" has no perform callback",
              file, def->name);
    return -1;
  }
  if ((unsigned) def->phase > GS_PHASE_DEVICES) {
    gs_error ("%s: operation \"%s\": invalid phase %d",
              file, def->name, (int) def->phase);
    return -1;
  }
  return check_options (file, def);
}

int
gs_int_registry_add_instance (struct gs_registry *reg,
                              const struct gs_op *tmpl,
                              const char *name, const char *source)
{
  struct gs_op *op;
  const struct gs_op *other = gs_int_registry_find (reg, tmpl->family, name);

  if (other) {
    gs_error ("%s: operation \"%s\" is already defined by %s",
              source, name, other->source);
    return -1;
  }
  /* An instance's heading and description come from its section. */
  op = new_op (tmpl->def, name, NULL, NULL, source);
  push ((void ***) &reg->ops, &reg->nops, op);
  return 0;
}

int
gs_int_registry_load_file (struct gs_registry *reg, const char *file)
{
  void *dl;
  const struct gs_plugin_entry *entry;
  size_t first = reg->nops, first_tmpl = reg->ntemplates;

  dl = dlopen (file, RTLD_NOW | RTLD_LOCAL);
  if (dl == NULL) {
    gs_error ("%s: cannot load plugin: %s", file, dlerror ());
    return -1;
  }
  entry = dlsym (dl, "gs_plugin_entry");
  if (entry == NULL) {
    gs_error ("%s: not a goldsmith plugin: no gs_plugin_entry symbol", file);
    dlclose (dl);
    return -1;
  }
  if (entry->abi_version != GS_PLUGIN_ABI_VERSION) {
    gs_error ("%s: plugin ABI version %u, but this goldsmith needs ABI "
              "version %d (rebuild the plugin against this goldsmith)",
              file, entry->abi_version, GS_PLUGIN_ABI_VERSION);
    dlclose (dl);
    return -1;
  }
  if (entry->struct_size != sizeof (struct gs_operation)) {
    gs_error ("%s: plugin operation table is %u bytes, expected %zu "
              "(built against a different goldsmith-plugin.h)",
              file, entry->struct_size, sizeof (struct gs_operation));
    dlclose (dl);
    return -1;
  }
  if (entry->build_version == NULL) {
    gs_error ("%s: plugin entry has no build_version (build it with "
              "GS_REGISTER_PLUGIN from goldsmith-plugin.h)", file);
    dlclose (dl);
    return -1;
  }
  if (entry->operations == NULL || entry->operations[0] == NULL) {
    gs_error ("%s: plugin declares no operations", file);
    dlclose (dl);
    return -1;
  }
  push (&reg->handles, &reg->nhandles, dl);

  for (size_t i = 0; entry->operations[i] != NULL; ++i) {
    const struct gs_operation *def = entry->operations[i];
    struct gs_op *op, *other;

    if (check_operation (file, def) == -1)
      goto undo;
    other = def->is_template
      ? gs_int_registry_find_template (reg, def->family, def->name)
      : gs_int_registry_find (reg, def->family, def->name);
    if (other) {
      gs_error ("%s: operation \"%s\" is already provided by %s",
                file, def->name, other->source);
      goto undo;
    }
    for (const struct gs_option *o = def->options; o && o->name; ++o)
      if ((other = (struct gs_op *) gs_int_registry_find_option
           (reg, def->family, o->name, NULL)) != NULL) {
        gs_error ("%s: operation \"%s\": option --%s is already declared "
                  "by operation \"%s\" (%s)", file, def->name, o->name,
                  other->name, other->source);
        goto undo;
      }
    op = new_op (def, def->name, def->heading, def->description, file);
    if (def->is_template)
      push ((void ***) &reg->templates, &reg->ntemplates, op);
    else
      push ((void ***) &reg->ops, &reg->nops, op);
  }
  gs_debug ("loaded plugin %s (built with goldsmith-plugin.h %s)", file,
            entry->build_version);
  return 0;

 undo:                           /* the caller stops the run anyway, but
                                    leave the registry consistent */
  while (reg->nops > first)
    free_op (reg->ops[--reg->nops]);
  while (reg->ntemplates > first_tmpl)
    free_op (reg->templates[--reg->ntemplates]);
  return -1;
}

static int
is_plugin_file (const struct dirent *d)
{
  size_t n = strlen (d->d_name);

  return d->d_name[0] != '.' && n > 3 && strcmp (d->d_name + n - 3, ".so") == 0;
}

/* Load every *.so of each directory in a colon-separated list, in name
 * order so that duplicate reports are stable.  A missing directory is
 * not an error (the install dir may be empty in a build tree).
 */
int
gs_int_registry_load_path (struct gs_registry *reg, const char *path_list)
{
  CLEANUP_FREE char *copy = gs_xstrdup (path_list ? path_list : "");
  char *save = NULL;

  for (char *dir = strtok_r (copy, ":", &save); dir != NULL;
       dir = strtok_r (NULL, ":", &save)) {
    struct dirent **names = NULL;
    int n = scandir (dir, &names, is_plugin_file, alphasort);
    int r = 0;

    if (n == -1) {
      if (errno != ENOENT && errno != ENOTDIR) {
        gs_error ("%s: cannot read plugin directory: %m", dir);
        return -1;
      }
      gs_debug ("plugin directory %s: %m", dir);
      continue;
    }
    for (int i = 0; i < n; ++i) {
      CLEANUP_FREE char *file = gs_xasprintf ("%s/%s", dir,
                                              names[i]->d_name);

      if (r == 0 && gs_int_registry_load_file (reg, file) == -1)
        r = -1;
      free (names[i]);
    }
    free (names);
    if (r == -1)
      return -1;
  }
  return 0;
}

static int
compare_ops (const void *av, const void *bv)
{
  const struct gs_op *a = *(struct gs_op *const *) av;
  const struct gs_op *b = *(struct gs_op *const *) bv;
  int r;

  if ((r = strcmp (a->family, b->family)) != 0)
    return r;
  if (a->phase != b->phase)
    return a->phase < b->phase ? -1 : 1;
  if (a->order != b->order)
    return a->order < b->order ? -1 : 1;
  return strcmp (a->name, b->name);
}

/* Must A run before B (same family, B's after or A's before)? */
static bool
constrained (const struct gs_op *a, const struct gs_op *b)
{
  if (strcmp (a->family, b->family) != 0)
    return false;
  for (size_t i = 0; i < b->after.len; ++i)
    if (strcmp (b->after.ptr[i], a->name) == 0)
      return true;
  for (size_t i = 0; i < a->before.len; ++i)
    if (strcmp (a->before.ptr[i], b->name) == 0)
      return true;
  return false;
}

static int
check_names (const struct gs_registry *reg, const struct gs_op *op,
             const string_vector *names, const char *key)
{
  for (size_t i = 0; i < names->len; ++i)
    if (gs_int_registry_find (reg, op->family, names->ptr[i]) == NULL) {
      gs_error ("%s.%s: %s: unknown operation \"%s\"", op->family,
                op->name, key, names->ptr[i]);
      return -1;
    }
  return 0;
}

/* Sort by (family, phase, order, name), then move operations as their
 * before/after constraints demand: repeatedly take the first operation
 * (in that order) that nothing remaining must precede.  O(n^3) in the
 * worst case, for a few dozen operations.  A constraint across phases
 * must agree with the phases; a cycle is an error naming the
 * operations in it.
 */
int
gs_int_registry_sort (struct gs_registry *reg)
{
  struct gs_op **out;
  size_t n = reg->nops;

  if (n > 1)
    qsort (reg->ops, n, sizeof reg->ops[0], compare_ops);
  for (size_t i = 0; i < n; ++i) {
    struct gs_op *op = reg->ops[i];

    if (check_names (reg, op, &op->after, "after") == -1 ||
        check_names (reg, op, &op->before, "before") == -1)
      return -1;
    for (size_t j = 0; j < n; ++j)
      if (constrained (reg->ops[j], op) && reg->ops[j]->phase > op->phase) {
        gs_error ("%s.%s cannot run after %s: it runs in an earlier phase",
                  op->family, op->name, reg->ops[j]->name);
        return -1;
      }
  }
  if (n < 2)
    return 0;
  out = gs_xreallocarray (NULL, n, sizeof *out);
  for (size_t k = 0; k < n; ++k) {
    size_t pick = n;

    for (size_t i = 0; i < n && pick == n; ++i) {
      bool ready = reg->ops[i] != NULL;

      for (size_t j = 0; ready && j < n; ++j)
        if (j != i && reg->ops[j] && constrained (reg->ops[j], reg->ops[i]))
          ready = false;
      if (ready)
        pick = i;
    }
    if (pick == n) {             /* every remaining one waits: a cycle */
      char names[512] = "";

      for (size_t i = 0; i < n; ++i)
        if (reg->ops[i] && strlen (names) + strlen (reg->ops[i]->name) + 3 <
            sizeof names) {
          strcat (names, names[0] ? ", " : "");
          strcat (names, reg->ops[i]->name);
        }
      gs_error ("the before/after constraints of these operations form "
                "a cycle: %s", names);
      for (size_t i = 0; i < k; ++i)   /* put them back, for freeing */
        for (size_t j = 0; j < n; ++j)
          if (reg->ops[j] == NULL) {
            reg->ops[j] = out[i];
            break;
          }
      free (out);
      return -1;
    }
    out[k] = reg->ops[pick];
    reg->ops[pick] = NULL;
  }
  memcpy (reg->ops, out, n * sizeof *out);
  free (out);
  return 0;
}

void
gs_int_registry_free (struct gs_registry *reg)
{
  for (size_t i = 0; i < reg->nops; ++i) {
    struct gs_op *op = reg->ops[i];

    if (op->def->unload)
      op->def->unload (op);
    string_vector_free_all (&op->before);
    string_vector_free_all (&op->after);
    free_op (op);
  }
  for (size_t i = 0; i < reg->ntemplates; ++i)
    free_op (reg->templates[i]);
  /* Handles are deliberately not dlclose()d: plugin strings (names,
   * headings) may still be referenced by a report being printed.
   */
  free (reg->ops);
  free (reg->templates);
  free (reg->handles);
  memset (reg, 0, sizeof *reg);
}

/* Plugin-visible accessors (goldsmith-plugin.h). */
const char *
gs_op_name (const struct gs_op *op)
{
  return op->name;
}

void *
gs_op_get_data (const struct gs_op *op)
{
  return op->data;
}

void
gs_op_set_data (struct gs_op *op, void *data)
{
  op->data = data;
}
