/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.c: layered libconfig configuration.
 *
 * Files are read in precedence order (see gs_int_config_files): each
 * is parsed and checked on its own, so every error names the file and
 * line it comes from, then handed, section by section, to the
 * operation it configures.  A merged copy is kept for `goldsmith
 * config`.
 *
 * Layout of a file:
 *   appliance: { accel = "auto"; backend = "direct"; memsize = 0; smp = 0; };
 *   sysprep: {
 *     machine-id: { enabled = true; paths = [ "/etc/machine-id" ]; };
 *     logfiles: { kind = "remove-paths"; heading = "..."; globs = [ ... ]; };
 *   };
 */
#include <config.h>

#include <dirent.h>
#include <ctype.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "goldsmith-int.h"
#include "cleanups.h"

static const char *const families[] = {
  "sysprep", "inspect", "resize", "sparsify", NULL
};

/* Keys every operation section accepts, handled here. */
static const struct gs_config_key common_keys[] = {
  { "kind", GS_KEY_STRING, "template this operation is made from" },
  { "heading", GS_KEY_STRING, "one-line description" },
  { "description", GS_KEY_STRING, "longer description for the manual" },
  { "enabled", GS_KEY_BOOL, "whether the operation is in \"defaults\"" },
  { "order", GS_KEY_INT, "position within its phase (ties by name)" },
  { "after", GS_KEY_STRINGS, "operations this one runs after" },
  { "before", GS_KEY_STRINGS, "operations this one runs before" },
  { NULL, 0, NULL },
};

static const struct gs_config_key paths_keys[] = {
  { "exclude", GS_KEY_STRINGS, "regexes (PCRE2) of guest paths no operation may remove or change; every file's list adds to the earlier ones" },
  { NULL, 0, NULL },
};

static const struct gs_config_key appliance_keys[] = {
  { "accel", GS_KEY_STRING, "\"auto\" (KVM, falling back to TCG), \"kvm\" or \"tcg\"" },
  { "backend", GS_KEY_STRING, "libguestfs backend (empty: libguestfs's default)" },
  { "memsize", GS_KEY_INT, "appliance memory in MiB (0: default)" },
  { "smp", GS_KEY_INT, "appliance vCPUs (0: default)" },
  { "uncompressed-kernel", GS_KEY_BOOL, "under TCG, boot an uncompressed copy of the host kernel (faster)" },
  { "lean-init", GS_KEY_BOOL, "with the uncompressed kernel, an appliance init that wakes udev for the appliance's devices only (faster)" },
  { "isolate", GS_KEY_BOOL, "give every guest an appliance launch of its own (images of different owners)" },
  { "inspection", GS_KEY_STRING, "\"goldsmith\" (its own inspection of Linux guests, libguestfs's for the rest) or \"libguestfs\" (always inspect_os)" },
  { "network", GS_KEY_BOOL, "give the appliance a network (user-mode, outgoing only) for package installs and subscription-manager (default false, as in virt-sysprep)" },
  { NULL, 0, NULL },
};

static const struct gs_config_key cache_keys[] = {
  { "inspect", GS_KEY_BOOL, "reuse the inspection of images unchanged since (goldsmith inspect --cache)" },
  { "dir", GS_KEY_STRING, "where entries are kept (empty: $XDG_CACHE_HOME/goldsmith/inspect)" },
  { NULL, 0, NULL },
};

const char *
gs_int_key_type_name (enum gs_key_type t)
{
  switch (t) {
  case GS_KEY_STRING: return "a string";
  case GS_KEY_INT: return "a 32-bit integer";
  case GS_KEY_BOOL: return "a boolean (true or false)";
  case GS_KEY_STRINGS: return "an array of strings";
  }
  return "?";
}

char *
gs_int_read_text_file (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  char *r;

  if (fd == -1)
    return NULL;
  r = gs_int_read_all (fd);
  close (fd);
  return r;
}

/* libconfig 1.5 reads an integer literal with atoi: 4294967552 becomes
 * 256, silently.  And it ignores an @include on a last line with no
 * newline.  So the text is looked over first: numbers outside strings
 * and comments that do not fit in 32 bits (without libconfig's L
 * suffix), and that @include, are one error naming NAME and the line.
 */
int
gs_int_config_check_text (const char *text, const char *name)
{
  unsigned line = 1;
  bool line_start = true;

  for (const char *p = text; *p; ++p) {
    if (*p == '\n') {
      line++;
      line_start = true;
      continue;
    }
    if (*p == '"') {               /* a string: skip it, escapes too */
      for (++p; *p && *p != '"'; ++p) {
        if (*p == '\\' && p[1])
          ++p;
        else if (*p == '\n')
          line++;
      }
      if (*p == '\0')
        break;
      line_start = false;
      continue;
    }
    if (*p == '#' || (*p == '/' && p[1] == '/')) {
      while (p[1] && p[1] != '\n')
        ++p;
      continue;
    }
    if (*p == '/' && p[1] == '*') {
      for (p += 2; *p && !(*p == '*' && p[1] == '/'); ++p)
        if (*p == '\n')
          line++;
      if (*p == '\0')
        break;
      ++p;
      continue;
    }
    if (line_start && strncmp (p, "@include", 8) == 0 &&
        strchr (p, '\n') == NULL) {
      gs_error ("%s:%u: @include needs a newline after it (libconfig "
                "ignores it on the last line)", name, line);
      return -1;
    }
    if (*p != ' ' && *p != '\t' && *p != '\r')
      line_start = false;
    /* A digit that starts a token: not within a name ("net-1", "a2"). */
    if (isdigit ((unsigned char) *p) &&
        (p == text || !(isalnum ((unsigned char) p[-1]) || p[-1] == '_' ||
                        p[-1] == '.' || p[-1] == '*' ||
                        (p[-1] == '-' && p - 1 > text &&
                         (isalnum ((unsigned char) p[-2]) ||
                          p[-2] == '_' || p[-2] == '-'))))) {
      bool neg = p > text && p[-1] == '-';
      bool hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
      const char *start = p;
      unsigned long long v = 0;
      bool big = false;

      for (p += hex ? 2 : 0;
           hex ? isxdigit ((unsigned char) *p) : isdigit ((unsigned char) *p);
           ++p) {
        unsigned d = isdigit ((unsigned char) *p) ? *p - '0'
          : (tolower ((unsigned char) *p) - 'a' + 10);

        if (v > (ULLONG_MAX - d) / (hex ? 16 : 10))
          big = true;
        else
          v = v * (hex ? 16 : 10) + d;
      }
      /* 64-bit (L) and floating point literals are libconfig's own. */
      if (*p == 'L' || (!hex && (*p == '.' || *p == 'e' || *p == 'E'))) {
        while (isalnum ((unsigned char) p[1]) || p[1] == '.' ||
               p[1] == '+' || p[1] == '-')
          ++p;
        continue;
      }
      if (big || (hex ? v > 0xffffffffULL
                  : v > (neg ? (unsigned long long) INT_MAX + 1 : INT_MAX))) {
        if (strncmp (name, "--", 2) == 0)  /* an option: no lines */
          gs_error ("%s: %s%.*s does not fit in a 32-bit integer", name,
                    neg ? "-" : "", (int) (p - start), start);
        else
          gs_error ("%s:%u: %s%.*s does not fit in a 32-bit integer", name,
                    line, neg ? "-" : "", (int) (p - start), start);
        return -1;
      }
      --p;
    }
  }
  return 0;
}

static const char *
where_file (const config_setting_t *s, const char *fallback)
{
  const char *f = config_setting_source_file (s);

  return f ? f : fallback;
}

static bool
type_matches (const config_setting_t *s, enum gs_key_type t)
{
  if (t == GS_INT_KEY_ANY)       /* its caller checks it */
    return true;
  switch (t) {
  case GS_KEY_STRING:
    return config_setting_type (s) == CONFIG_TYPE_STRING;
  case GS_KEY_INT:               /* 64-bit values don't fit: refuse them */
    return config_setting_type (s) == CONFIG_TYPE_INT;
  case GS_KEY_BOOL:
    return config_setting_type (s) == CONFIG_TYPE_BOOL;
  case GS_KEY_STRINGS:
    if (!config_setting_is_array (s) && !config_setting_is_list (s))
      return false;
    for (int i = 0; i < config_setting_length (s); ++i)
      if (config_setting_type (config_setting_get_elem (s, i))
          != CONFIG_TYPE_STRING)
        return false;
    return true;
  }
  return false;
}

static const struct gs_config_key *
find_key (const struct gs_config_key *keys, const char *name)
{
  for (size_t i = 0; keys && keys[i].name; ++i)
    if (strcmp (keys[i].name, name) == 0)
      return &keys[i];
  return NULL;
}

/* "a, b, c": the names of both tables, for the unknown key's message. */
static char *
known_keys (const struct gs_config_key *keys1,
            const struct gs_config_key *keys2)
{
  const struct gs_config_key *tables[2] = { keys1, keys2 };
  char *r = gs_xstrdup ("");

  for (size_t t = 0; t < 2; ++t)
    for (size_t i = 0; tables[t] && tables[t][i].name; ++i) {
      char *n = gs_xasprintf ("%s%s%s", r, r[0] ? ", " : "",
                              tables[t][i].name);

      free (r);
      r = n;
    }
  return r;
}

/* The one checker of a group's keys, the core's and the batch
 * manifest's: every member named in KEYS1 or KEYS2, of its type.
 */
int
gs_int_config_check_keys (const config_setting_t *group, const char *file,
                          const char *what, const struct gs_config_key *keys1,
                          const struct gs_config_key *keys2)
{
  for (int i = 0; i < config_setting_length (group); ++i) {
    const config_setting_t *s = config_setting_get_elem (group, i);
    const char *name = config_setting_name (s);
    const struct gs_config_key *k = find_key (keys1, name);

    if (k == NULL)
      k = find_key (keys2, name);
    if (k == NULL) {
      CLEANUP_FREE char *known = known_keys (keys1, keys2);

      gs_error ("%s:%u: unknown key \"%s\"%s%s (known: %s)",
                where_file (s, file), config_setting_source_line (s),
                name, what ? " in " : "", what ? what : "", known);
      return -1;
    }
    if (!type_matches (s, k->type)) {
      gs_error ("%s:%u: %s%s%s must be %s",
                where_file (s, file), config_setting_source_line (s),
                what ? what : "", what ? "." : "", name,
                gs_int_key_type_name (k->type));
      return -1;
    }
  }
  return 0;
}

static void
set_string (char **dst, const char *src)
{
  char *c = gs_xstrdup (src);

  free (*dst);
  *dst = c;
}

static int
load_appliance (struct gs_settings *st, const config_setting_t *group,
                const char *file)
{
  const char *s;
  int i;

  if (gs_int_config_check_keys (group, file, "appliance", appliance_keys, NULL) == -1)
    return -1;
  if (config_setting_lookup_string (group, "accel", &s)) {
    if (strcmp (s, "auto") && strcmp (s, "kvm") && strcmp (s, "tcg")) {
      const config_setting_t *m = config_setting_get_member (group, "accel");
      gs_error ("%s:%u: appliance.accel must be \"auto\", \"kvm\" or "
                "\"tcg\", not \"%s\"", where_file (m, file),
                config_setting_source_line (m), s);
      return -1;
    }
    set_string (&st->accel, s);
  }
  if (config_setting_lookup_string (group, "backend", &s))
    set_string (&st->backend, s);
  if (config_setting_lookup_int (group, "memsize", &i)) {
    if (i != 0 && i < 256) {
      const config_setting_t *m = config_setting_get_member (group, "memsize");
      gs_error ("%s:%u: appliance.memsize must be 0 or at least 256 (MiB)",
                where_file (m, file), config_setting_source_line (m));
      return -1;
    }
    st->memsize = i;
  }
  if (config_setting_lookup_int (group, "smp", &i)) {
    if (i < 0 || i > 255) {
      const config_setting_t *m = config_setting_get_member (group, "smp");
      gs_error ("%s:%u: appliance.smp must be between 0 and 255",
                where_file (m, file), config_setting_source_line (m));
      return -1;
    }
    st->smp = i;
  }
  if (config_setting_lookup_bool (group, "uncompressed-kernel", &i))
    st->uncompressed_kernel = i;
  if (config_setting_lookup_bool (group, "lean-init", &i))
    st->lean_init = i;
  if (config_setting_lookup_bool (group, "isolate", &i))
    st->isolate = i;
  if (config_setting_lookup_bool (group, "network", &i))
    st->network = i;
  if (config_setting_lookup_string (group, "inspection", &s)) {
    if (strcmp (s, "goldsmith") && strcmp (s, "libguestfs")) {
      const config_setting_t *m =
        config_setting_get_member (group, "inspection");
      gs_error ("%s:%u: appliance.inspection must be \"goldsmith\" or "
                "\"libguestfs\", not \"%s\"", where_file (m, file),
                config_setting_source_line (m), s);
      return -1;
    }
    st->libguestfs_inspection = strcmp (s, "libguestfs") == 0;
  }
  return 0;
}

/* If KEY is in SEC, replace *OUT with its strings (or, APPEND, add
 * them).
 */
static void
get_strings (const config_setting_t *sec, const char *key,
             string_vector *out, bool append)
{
  const config_setting_t *list = config_setting_get_member (sec, key);

  if (list == NULL)
    return;
  if (!append)
    string_vector_free_all (out);
  for (int i = 0; i < config_setting_length (list); ++i)
    string_vector_append_copy (out, config_setting_get_string_elem (list, i));
}

static int
load_cache (struct gs_settings *st, const config_setting_t *group,
            const char *file)
{
  const char *s;
  int i;

  if (gs_int_config_check_keys (group, file, "cache", cache_keys, NULL) == -1)
    return -1;
  if (config_setting_lookup_bool (group, "inspect", &i))
    st->cache_inspect = i;
  if (config_setting_lookup_string (group, "dir", &s))
    set_string (&st->cache_dir, s);
  return 0;
}

static int
load_paths (struct gs_settings *st, const config_setting_t *group,
            const char *file)
{
  if (gs_int_config_check_keys (group, file, "paths", paths_keys, NULL) == -1)
    return -1;
  const config_setting_t *ex = config_setting_get_member (group, "exclude");

  /* Each a valid regex, said with the file and line that has it. */
  for (int i = 0; ex && i < config_setting_length (ex); ++i) {
    const char *re = config_setting_get_string_elem (ex, i);
    CLEANUP_FREE char *why = re ? gs_int_regex_error (re) : NULL;

    if (why) {
      gs_error ("%s:%u: paths.exclude '%s': %s", where_file (ex, file),
                config_setting_source_line (ex), re, why);
      return -1;
    }
  }
  /* Protections add up across files. */
  get_strings (group, "exclude", &st->exclude_paths, true);
  return 0;
}

/* One operation's section from one file. */
static int
load_op_section (struct gs_registry *reg, const char *family,
                 const config_setting_t *sec, const char *file)
{
  const char *name = config_setting_name (sec);
  const char *kind = NULL, *s;
  struct gs_op *op;
  int v;
  unsigned line = config_setting_source_line (sec);
  CLEANUP_FREE char *what = gs_xasprintf ("%s.%s", family, name);

  if (!config_setting_is_group (sec)) {
    gs_error ("%s:%u: %s must be a group: %s: { ... };",
              where_file (sec, file), line, what, name);
    return -1;
  }
  config_setting_lookup_string (sec, "kind", &kind);
  op = gs_int_registry_find (reg, family, name);

  if (op == NULL && kind == NULL) {
    gs_error ("%s:%u: unknown operation \"%s\" (not provided by any "
              "plugin; a new operation needs kind = \"TEMPLATE\")",
              where_file (sec, file), line, what);
    return -1;
  }
  if (op == NULL) {              /* a new operation made from a template */
    struct gs_op *tmpl = gs_int_registry_find_template (reg, family, kind);
    CLEANUP_FREE char *source = NULL;

    if (!gs_int_valid_op_name (name)) {
      gs_error ("%s:%u: invalid operation name \"%s\" (allowed: [a-z0-9-]+)",
                where_file (sec, file), line, name);
      return -1;
    }
    if (tmpl == NULL) {
      gs_error ("%s:%u: %s: unknown kind \"%s\"",
                where_file (sec, file), line, what, kind);
      return -1;
    }
    if (!config_setting_lookup_string (sec, "heading", &s) || !s[0]) {
      gs_error ("%s:%u: %s: a new operation needs a heading",
                where_file (sec, file), line, what);
      return -1;
    }
    source = gs_xasprintf ("%s:%u", where_file (sec, file), line);
    if (gs_int_registry_add_instance (reg, tmpl, name, source) == -1)
      return -1;
    op = gs_int_registry_find (reg, family, name);
  }
  else if (kind && (!op->def->is_template ||
                    strcmp (op->def->name, kind) != 0)) {
    gs_error ("%s:%u: %s: operation already exists (%s) and is not of "
              "kind \"%s\"", where_file (sec, file), line, what,
              op->source, kind);
    return -1;
  }

  if (gs_int_config_check_keys (sec, file, what, common_keys, op->def->keys) == -1)
    return -1;
  if (config_setting_lookup_string (sec, "heading", &s)) {
    if (!s[0] || s[strlen (s) - 1] == '.' || strchr (s, '\n')) {
      gs_error ("%s:%u: %s.heading must be one line without a trailing "
                "period", where_file (sec, file), line, what);
      return -1;
    }
    set_string (&op->heading, s);
  }
  if (config_setting_lookup_string (sec, "description", &s))
    set_string (&op->description, s);
  if (config_setting_lookup_bool (sec, "enabled", &v))
    op->enabled_by_default = v;
  if (config_setting_lookup_int (sec, "order", &v))
    op->order = v;
  get_strings (sec, "after", &op->after, false);
  get_strings (sec, "before", &op->before, false);

  if (op->def->configure) {
    int r;

    gs_int_set_current_op (op->name);
    r = op->def->configure (op, sec);
    gs_int_set_current_op (NULL);
    if (r == -1)
      return -1;
  }
  return 0;
}

/* Copy a setting (recursively) into dst_parent, replacing a member of
 * the same name: later files override earlier ones key by key.
 */
static int
merge_setting (config_setting_t *dst_parent, const config_setting_t *src)
{
  const char *name = config_setting_name (src);
  int type = config_setting_type (src);
  config_setting_t *dst = name ? config_setting_get_member (dst_parent, name)
                               : NULL;

  if (dst && (type != CONFIG_TYPE_GROUP ||
              config_setting_type (dst) != CONFIG_TYPE_GROUP)) {
    config_setting_remove (dst_parent, name);
    dst = NULL;
  }
  if (dst == NULL && (dst = config_setting_add (dst_parent, name, type)) == NULL)
    goto nomem;

  switch (type) {
  case CONFIG_TYPE_GROUP:
  case CONFIG_TYPE_ARRAY:
  case CONFIG_TYPE_LIST:
    for (int i = 0; i < config_setting_length (src); ++i)
      if (merge_setting (dst, config_setting_get_elem (src, i)) == -1)
        return -1;
    return 0;
  case CONFIG_TYPE_INT:
    return config_setting_set_int (dst, config_setting_get_int (src))
      ? 0 : -1;
  case CONFIG_TYPE_INT64:
    return config_setting_set_int64 (dst, config_setting_get_int64 (src))
      ? 0 : -1;
  case CONFIG_TYPE_FLOAT:
    return config_setting_set_float (dst, config_setting_get_float (src))
      ? 0 : -1;
  case CONFIG_TYPE_BOOL:
    return config_setting_set_bool (dst, config_setting_get_bool (src))
      ? 0 : -1;
  case CONFIG_TYPE_STRING:
    return config_setting_set_string (dst, config_setting_get_string (src))
      ? 0 : -1;
  }
  return 0;

 nomem:
  gs_error ("out of memory");
  return -1;
}

/* One parsed file (or --set string). */
static int
load_one (struct gs_registry *reg, struct gs_settings *st,
          config_t *cfg, const char *file, config_t *merged)
{
  config_setting_t *root = config_root_setting (cfg);

  for (int i = 0; i < config_setting_length (root); ++i) {
    const config_setting_t *top = config_setting_get_elem (root, i);
    const char *name = config_setting_name (top);
    bool is_family = false;

    for (size_t f = 0; families[f]; ++f)
      if (strcmp (name, families[f]) == 0)
        is_family = true;

    if (!config_setting_is_group (top)) {
      gs_error ("%s:%u: %s must be a group: %s: { ... };",
                where_file (top, file), config_setting_source_line (top),
                name, name);
      return -1;
    }
    if (strcmp (name, "appliance") == 0) {
      if (load_appliance (st, top, file) == -1)
        return -1;
    }
    else if (strcmp (name, "paths") == 0) {
      if (load_paths (st, top, file) == -1)
        return -1;
    }
    else if (strcmp (name, "cache") == 0) {
      if (load_cache (st, top, file) == -1)
        return -1;
    }
    else if (is_family) {
      for (int j = 0; j < config_setting_length (top); ++j)
        if (load_op_section (reg, name, config_setting_get_elem (top, j),
                             file) == -1)
          return -1;
    }
    else {
      gs_error ("%s:%u: unknown section \"%s\" (expected appliance, "
                "paths, cache, sysprep, inspect, resize or sparsify)",
                where_file (top, file), config_setting_source_line (top),
                name);
      return -1;
    }
    if (merged && merge_setting (config_root_setting (merged), top) == -1)
      return -1;
  }
  return 0;
}

int
gs_int_layers_add (struct gs_config_layers *l, const char *name,
                   const char *text, config_t *cfg)
{
  l->v = gs_xreallocarray (l->v, l->n + 1, sizeof *l->v);
  l->v[l->n++] = (struct gs_config_layer) {
    gs_xstrdup (name), text ? gs_xstrdup (text) : NULL, cfg
  };
  return 0;
}

void
gs_int_layers_free (struct gs_config_layers *l)
{
  for (size_t i = 0; i < l->n; ++i) {
    free (l->v[i].name);
    free (l->v[i].text);
    if (l->v[i].cfg) {
      config_destroy (l->v[i].cfg);
      free (l->v[i].cfg);
    }
  }
  free (l->v);
  l->v = NULL;
  l->n = 0;
}

/* Read FILE into CFG: -1 (said) if it cannot be read or parsed. */
static int
read_file (config_t *cfg, const char *file)
{
  CLEANUP_FREE char *text = gs_int_read_text_file (file);
  struct stat sb;

  if (text && gs_int_config_check_text (text, file) == -1)
    return -1;
  if (config_read_file (cfg, file) == CONFIG_TRUE)
    return 0;
  if (config_error_type (cfg) == CONFIG_ERR_FILE_IO &&
      stat (file, &sb) == 0 && S_ISDIR (sb.st_mode))
    gs_error ("%s: cannot read configuration file: is a directory", file);
  else if (config_error_type (cfg) == CONFIG_ERR_FILE_IO)
    gs_error ("%s: cannot read configuration file: %m", file);
  else
    gs_error ("%s:%d: %s", config_error_file (cfg)
              ? config_error_file (cfg) : file,
              config_error_line (cfg), config_error_text (cfg));
  return -1;
}

int
gs_int_config_load (struct gs_registry *reg, struct gs_settings *st,
                    const string_vector *files,
                    const struct gs_config_layers *extra, config_t *merged)
{
  if (st->accel == NULL)
    set_string (&st->accel, "auto");
  st->uncompressed_kernel = true;  /* unless a file says otherwise */
  st->lean_init = true;

  for (size_t i = 0; i < files->len; ++i) {
    config_t cfg;
    int r;

    config_init (&cfg);
    r = read_file (&cfg, files->ptr[i]);
    if (r == 0)
      r = load_one (reg, st, &cfg, files->ptr[i], merged);
    config_destroy (&cfg);
    if (r == -1)
      return -1;
  }
  for (size_t i = 0; extra && i < extra->n; ++i) {
    const struct gs_config_layer *l = &extra->v[i];
    config_t text;
    int r;

    if (l->cfg) {                /* already a value, checked by type */
      if (load_one (reg, st, l->cfg, l->name, merged) == -1)
        return -1;
      continue;
    }
    config_init (&text);
    r = gs_int_config_check_text (l->text, l->name);
    if (r == 0 && config_read_string (&text, l->text) != CONFIG_TRUE) {
      gs_error ("%s: %s", l->name, config_error_text (&text));
      r = -1;
    }
    if (r == 0)
      r = load_one (reg, st, &text, l->name, merged);
    config_destroy (&text);
    if (r == -1)
      return -1;
  }
  return gs_int_registry_sort (reg);
}

int
gs_int_config_complete (struct gs_registry *reg)
{
  for (size_t i = 0; i < reg->nops; ++i) {
    struct gs_op *op = reg->ops[i];
    int r = 0;

    if (op->def->config_complete) {
      gs_int_set_current_op (op->name);
      r = op->def->config_complete (op);
      gs_int_set_current_op (NULL);
    }
    if (r == -1)
      return -1;
  }
  return 0;
}

static int
is_conf_file (const struct dirent *d)
{
  size_t n = strlen (d->d_name);

  return d->d_name[0] != '.' && n > 5 &&
    strcmp (d->d_name + n - 5, ".conf") == 0;
}

/* Append the .conf files of DIR in name order; a missing directory is fine. */
static int
add_dir (string_vector *files, const char *dir)
{
  struct dirent **names = NULL;
  int n = scandir (dir, &names, is_conf_file, alphasort);

  if (n == -1) {
    if (errno == ENOENT || errno == ENOTDIR)
      return 0;
    gs_error ("%s: cannot read configuration directory: %m", dir);
    return -1;
  }
  for (int i = 0; i < n; ++i) {
    string_vector_append (files, gs_xasprintf ("%s/%s", dir,
                                               names[i]->d_name));
    free (names[i]);
  }
  free (names);
  return 0;
}

/* The files, in precedence order: SYSCONFDIR/goldsmith.conf, the
 * shipped operation definitions SYSCONFDIR/FAMILY/NAME.conf, the
 * administrator's SYSCONFDIR/conf.d/NAME.conf, then --config FILE.
 */
int
gs_int_config_files (const char *sysconfdir, const char *user_file,
                     string_vector *files)
{
  string_vector_append (files,
                        gs_xasprintf ("%s/goldsmith.conf", sysconfdir));
  for (size_t i = 0; families[i]; ++i) {
    CLEANUP_FREE char *dir = gs_xasprintf ("%s/%s", sysconfdir, families[i]);

    if (add_dir (files, dir) == -1)
      return -1;
  }
  {
    CLEANUP_FREE char *dir = gs_xasprintf ("%s/conf.d", sysconfdir);

    if (add_dir (files, dir) == -1)
      return -1;
  }
  if (user_file)
    string_vector_append_copy (files, user_file);
  return 0;
}

void
gs_int_settings_free (struct gs_settings *st)
{
  free (st->accel);
  free (st->backend);
  free (st->cache_dir);
  string_vector_free_all (&st->exclude_paths);
  memset (st, 0, sizeof *st);
}

/* The merged configuration as JSON: `goldsmith config --json` and
 * provenance records (provenance.c) show the same document.
 */
json_object *
gs_int_config_json (const config_setting_t *s)
{
  switch (config_setting_type (s)) {
  case CONFIG_TYPE_GROUP: {
    json_object *o = json_object_new_object ();
    for (int i = 0; i < config_setting_length (s); ++i) {
      const config_setting_t *m = config_setting_get_elem (s, i);
      json_object_object_add (o, config_setting_name (m),
                              gs_int_config_json (m));
    }
    return o;
  }
  case CONFIG_TYPE_ARRAY:
  case CONFIG_TYPE_LIST: {
    json_object *a = json_object_new_array ();
    for (int i = 0; i < config_setting_length (s); ++i)
      json_object_array_add (a, gs_int_config_json
                             (config_setting_get_elem (s, i)));
    return a;
  }
  case CONFIG_TYPE_INT:
    return json_object_new_int (config_setting_get_int (s));
  case CONFIG_TYPE_INT64:
    return json_object_new_int64 (config_setting_get_int64 (s));
  case CONFIG_TYPE_FLOAT:
    return json_object_new_double (config_setting_get_float (s));
  case CONFIG_TYPE_BOOL:
    return json_object_new_boolean (config_setting_get_bool (s));
  case CONFIG_TYPE_STRING:
    return json_object_new_string (config_setting_get_string (s));
  }
  return NULL;
}
