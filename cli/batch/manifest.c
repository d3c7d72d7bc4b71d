/* SPDX-License-Identifier: GPL-2.0-or-later */
/* manifest.c: read and check the manifest of `goldsmith batch`.
 *
 *   report = "fleet.json";                     # default: MANIFEST.json
 *   tools = [ "sysprep", "sparsify", "inspect" ];
 *   sysprep = { args = [ "--operations", "defaults,-logfiles" ]; };
 *   images = (
 *     { add = [ "web1.qcow2" ]; sysprep = { args = [ "--hostname", "web1" ]; }; },
 *     { domxml = "db.xml"; tools = [ "sysprep", "inspect" ]; },
 *     { domain = "vm3"; connect = "qemu:///system"; },
 *     { add = [ "a.img", "b.img" ]; format = "raw"; }
 *   );
 *
 * Everything is checked here, before anything runs: every error names
 * the manifest and the line, and the whole batch stops with exit
 * status 2.  Relative paths are relative to the manifest's directory,
 * so a manifest and its images can move together.
 */
#include <config.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "cleanups.h"

const char *const batch_tool_names[BT_NTOOLS] = {
  [BT_SYSPREP] = "sysprep", [BT_INSPECT] = "inspect",
  [BT_SPARSIFY] = "sparsify", [BT_RESIZE] = "resize",
};

/* The manifest's keys, checked by the core's checker of config keys.
 * GS_INT_KEY_ANY: a key that takes several types or a group, whose
 * own check below says what it should look like.
 */
static const struct gs_config_key root_keys[] = {
  { "report", GS_KEY_STRING, "the combined report (default: MANIFEST.json)" },
  { "tools", GS_KEY_STRINGS, "every image's pipeline, unless it gives its own" },
  { "images", GS_INT_KEY_ANY, "a list of groups, one a guest" },
  { "connect", GS_KEY_STRING, "libvirt URI of the domain images without their own" },
  { "provenance", GS_KEY_STRING, "directory where each step leaves its provenance record" },
  { "sysprep", GS_INT_KEY_ANY, "group: args every sysprep run gets" },
  { "inspect", GS_INT_KEY_ANY, "group: args every inspect run gets" },
  { "sparsify", GS_INT_KEY_ANY, "group: args every sparsify run gets" },
  { "resize", GS_INT_KEY_ANY, "group: args every resize run gets" },
  { NULL, 0, NULL },
};
static const struct gs_config_key image_keys[] = {
  { "name", GS_KEY_STRING, "what the report calls the guest" },
  { "add", GS_INT_KEY_ANY, "a disk image, or an array of the guest's disks" },
  { "format", GS_KEY_STRING, "format of the add images (default: from their headers)" },
  { "domxml", GS_KEY_STRING, "libvirt domain XML of the guest" },
  { "domain", GS_KEY_STRING, "libvirt domain (name or UUID) of the guest" },
  { "connect", GS_KEY_STRING, "libvirt URI to find domain" },
  { "tools", GS_KEY_STRINGS, "this image's pipeline instead of the default one" },
  { "sysprep", GS_INT_KEY_ANY, "group: this image's sysprep args" },
  { "inspect", GS_INT_KEY_ANY, "group: this image's inspect args" },
  { "sparsify", GS_INT_KEY_ANY, "group: this image's sparsify args and out" },
  { "resize", GS_INT_KEY_ANY, "group: this image's resize args and out" },
  { NULL, 0, NULL },
};
static const struct gs_config_key tool_keys[] = {
  { "args", GS_KEY_STRINGS, "options given to the tool's command" },
  { "out", GS_KEY_STRING, "the copy sparsify or resize writes (an image's only)" },
  { NULL, 0, NULL },
};

/* Options batch itself sets from the manifest or its own options: in
 * args they would fight with those (or make the report unreadable).
 */
static const char *const reserved_args[] = {
  "-a", "--add", "-d", "--domain", "-c", "--connect", "--domxml",
  "--format", "--json", "-n", "--dry-run", "--dryrun", "--each-image",
  "--in-place", "--inplace", "--list-operations", "--xpath", "--help",
  "-?", "--usage", "-V", "--version", "--provenance", NULL,
};

/* The manifest's defaults while its images are read. */
struct defaults {
  const config_setting_t *tools;
  const config_setting_t *tool[BT_NTOOLS];
  const char *connect;
};

static const char *manifest_file;   /* for messages */

static void at (const config_setting_t *s, const char *fs, ...)
  GS_PRINTF (2, 3);

/* An error at setting S: "MANIFEST:LINE: ...". */
static void
at (const config_setting_t *s, const char *fs, ...)
{
  char *msg = NULL;
  va_list args;

  va_start (args, fs);
  if (vasprintf (&msg, fs, args) == -1)
    msg = NULL;
  va_end (args);
  gs_error ("%s:%u: %s", manifest_file,
            s ? config_setting_source_line (s) : 0,
            msg ? msg : "out of memory");
  free (msg);
}

static int
tool_index (const char *name)
{
  for (int t = 0; t < BT_NTOOLS; ++t)
    if (strcmp (name, batch_tool_names[t]) == 0)
      return t;
  return -1;
}

static int
check_keys (const config_setting_t *group, const struct gs_config_key *keys,
            const char *what)
{
  return gs_int_config_check_keys (group, manifest_file, what, keys, NULL);
}

static int
get_string (const config_setting_t *group, const char *key, const char **ret)
{
  const config_setting_t *s = config_setting_get_member (group, key);

  *ret = NULL;
  if (s == NULL)
    return 0;
  if (config_setting_type (s) != CONFIG_TYPE_STRING ||
      config_setting_get_string (s)[0] == '\0') {
    at (s, "'%s' must be a non-empty string", key);
    return -1;
  }
  *ret = config_setting_get_string (s);
  return 0;
}

/* S: an array of strings (or, if ONE_OK, one string) appended to V. */
static int
get_strings (const config_setting_t *s, const char *key, bool one_ok,
             string_vector *v)
{
  if (one_ok && config_setting_type (s) == CONFIG_TYPE_STRING)
    return string_vector_append_copy (v, config_setting_get_string (s));
  if (!config_setting_is_array (s) && !config_setting_is_list (s)) {
    at (s, "'%s' must be %san array of strings", key,
        one_ok ? "a string or " : "");
    return -1;
  }
  for (int i = 0; i < config_setting_length (s); ++i)
    if (config_setting_type (config_setting_get_elem (s, i))
        != CONFIG_TYPE_STRING) {
      at (s, "'%s' must be %san array of strings", key,
          one_ok ? "a string or " : "");
      return -1;
    }
  for (int i = 0; i < config_setting_length (s); ++i)
    string_vector_append_copy (v, config_setting_get_string_elem (s, i));
  return 0;
}

/* P relative to the manifest's directory DIR. */
static char *
resolve (const char *dir, const char *p)
{
  if (p[0] == '/')
    return gs_xstrdup (p);
  return gs_xasprintf ("%s/%s", dir, p);
}

/* A file that must exist now: its canonical name, or NULL (reported). */
static char *
existing (const config_setting_t *s, const char *path)
{
  char *real = realpath (path, NULL);

  if (real == NULL)
    at (s, "%s: %m", path);
  return real;
}

/* A file the run creates (an out, S): canonical directory, then its
 * own name, which must be a file's: not ".", "..", nor a directory.
 */
static char *
to_create (const config_setting_t *s, const char *path)
{
  CLEANUP_FREE char *d = gs_xstrdup (path), *b = gs_xstrdup (path);
  CLEANUP_FREE char *real = NULL;
  const char *base;
  struct stat st;
  char *r;

  base = basename (b);
  if (path[0] == '\0' || path[strlen (path) - 1] == '/' ||
      strcmp (base, ".") == 0 || strcmp (base, "..") == 0) {
    at (s, "out: %s names no file: give the file of the copy", path);
    return NULL;
  }
  if ((real = realpath (dirname (d), NULL)) == NULL) {
    at (s, "%s: %m", path);
    return NULL;
  }
  r = gs_xasprintf ("%s/%s", strcmp (real, "/") ? real : "", base);
  if (stat (r, &st) == 0 && S_ISDIR (st.st_mode)) {
    at (s, "out: %s is a directory: give the file of the copy", r);
    free (r);
    return NULL;
  }
  return r;
}

static int
check_args (const config_setting_t *s, const string_vector *args)
{
  for (size_t i = 0; i < args->len; ++i) {
    const char *a = args->ptr[i];

    for (size_t k = 0; reserved_args[k]; ++k) {
      size_t n = strlen (reserved_args[k]);

      if (strncmp (a, reserved_args[k], n) == 0 &&
          (a[n] == '\0' || (a[n] == '=' && a[1] == '-'))) {
        at (s, "args: '%s' is not for args: batch sets it from the "
            "manifest (add, domxml, domain, format, out) or its own "
            "options", reserved_args[k]);
        return -1;
      }
    }
  }
  return 0;
}

/* A tool's group (defaults when IMAGE is false): args, and out. */
static int
check_tool_group (const config_setting_t *g, const char *name, bool image)
{
  const config_setting_t *out;
  CLEANUP_FREE char *what = image ? gs_xasprintf ("images.%s", name)
                                  : gs_xstrdup (name);

  if (!config_setting_is_group (g)) {
    at (g, "'%s' must be a group: %s = { args = [ ... ]; }", name, name);
    return -1;
  }
  if (check_keys (g, tool_keys, what) == -1)
    return -1;
  out = config_setting_get_member (g, "out");
  if (out && !image) {
    at (out, "%s: 'out' names one image's copy: give it in the image", name);
    return -1;
  }
  return 0;
}

/* Step T of IMG: the defaults' args, then the image's own.  DIR: the
 * manifest's, where a relative out is.
 */
static int
make_step (const struct defaults *d, const config_setting_t *ig,
           const char *dir, struct batch_step *st, enum batch_tool t)
{
  const char *name = batch_tool_names[t];
  const config_setting_t *own = config_setting_get_member (ig, name);
  const config_setting_t *lists[2] = { d->tool[t], own };
  const char *out = NULL;
  CLEANUP_FREE char *path = NULL;

  st->tool = t;
  st->line = config_setting_source_line (ig);
  for (int k = 0; k < 2; ++k) {
    const config_setting_t *args;

    if (lists[k] == NULL)
      continue;
    if ((args = config_setting_get_member (lists[k], "args")) != NULL) {
      if (get_strings (args, "args", false, &st->args) == -1 ||
          check_args (args, &st->args) == -1)
        return -1;
      st->line = config_setting_source_line (args);
    }
  }
  if (own && get_string (own, "out", &out) == -1)
    return -1;
  if (out && t != BT_SPARSIFY && t != BT_RESIZE) {
    at (config_setting_get_member (own, "out"),
        "%s: 'out' is for sparsify and resize (the tools that copy)", name);
    return -1;
  }
  if (t == BT_RESIZE && out == NULL) {
    at (own ? own : ig, "resize needs the copy to write: resize = { out = "
        "\"BIGGER.img\"; args = [ \"--output-size\", \"20G\" ]; }");
    return -1;
  }
  if (out == NULL)
    return 0;
  path = resolve (dir, out);
  if ((st->out = to_create (config_setting_get_member (own, "out"),
                            path)) == NULL)
    return -1;
  return 0;
}

/* The image's pipeline: its own tools, else the manifest's. */
static int
make_steps (const struct defaults *d, const config_setting_t *ig,
            const char *dir, struct batch_image *img)
{
  const config_setting_t *tools = config_setting_get_member (ig, "tools");
  bool in[BT_NTOOLS] = { false };

  if (tools == NULL)
    tools = d->tools;
  if (tools == NULL) {
    at (ig, "no tools for this image: give tools = [ \"sysprep\", ... ]; "
        "in the image or at the top of the manifest");
    return -1;
  }
  /* Its type is checked with the keys: an array of strings. */
  if (config_setting_length (tools) == 0) {
    at (tools, "'tools' must be a non-empty array of strings");
    return -1;
  }
  for (int i = 0; i < config_setting_length (tools); ++i) {
    const char *name = config_setting_get_string_elem (tools, i);
    int t = tool_index (name);

    if (t < 0) {
      at (tools, "tools: unknown tool '%s' (sysprep, inspect, sparsify, "
          "resize)", name);
      return -1;
    }
    if (in[t]) {
      at (tools, "tools: '%s' is given twice", name);
      return -1;
    }
    in[t] = true;
    if (make_step (d, ig, dir, &img->steps[img->nsteps++], t) == -1)
      return -1;
  }
  /* Settings for a tool the image never runs: surely a mistake. */
  for (int t = 0; t < BT_NTOOLS; ++t) {
    const config_setting_t *own =
      config_setting_get_member (ig, batch_tool_names[t]);

    if (own && !in[t]) {
      at (own, "settings for %s, which is not in this image's tools",
          batch_tool_names[t]);
      return -1;
    }
  }
  return 0;
}

/* The guest's disks, canonical, and their formats where known. */
static int
find_disks (const config_setting_t *ig, struct batch_image *img)
{
  struct gs_guest g = { 0 };
  int r = -1;

  if (img->kind == GS_INPUT_ADD) {
    for (size_t i = 0; i < img->add.len; ++i) {
      char *real = existing (config_setting_get_member (ig, "add"),
                             img->add.ptr[i]);

      if (real == NULL || string_vector_append (&img->disks, real) == -1 ||
          string_vector_append_copy (&img->disk_formats,
                                     img->format ? img->format : "") == -1)
        return -1;
    }
    return 0;
  }
  if (img->kind == GS_INPUT_DOMXML) {
    if (access (img->domxml, R_OK) == -1) {
      at (config_setting_get_member (ig, "domxml"), "%s: %m", img->domxml);
      return -1;
    }
    if (gs_int_domxml_load_file (img->domxml, &g) == -1)
      goto out;
  }
  else if (gs_int_libvirt_load (img->connect, img->domain, false, &g) == -1)
    goto out;
  for (size_t i = 0; i < g.ndisks; ++i) {
    char *real = existing (ig, g.disks[i].path);

    if (real == NULL || string_vector_append (&img->disks, real) == -1 ||
        string_vector_append_copy (&img->disk_formats, g.disks[i].format
                                   ? g.disks[i].format : "") == -1)
      goto out;
  }
  if (img->name == NULL && g.name &&
      (img->name = strdup (g.name)) == NULL)
    goto out;
  r = 0;
 out:
  gs_int_guest_free (&g);
  return r;
}

static int
load_image (const struct defaults *d, const config_setting_t *ig,
            const char *dir, struct batch_image *img)
{
  const char *name, *format, *domxml, *domain, *connect;
  const config_setting_t *add = config_setting_get_member (ig, "add");
  int kinds;

  img->line = config_setting_source_line (ig);
  if (!config_setting_is_group (ig)) {
    at (ig, "images: each entry must be a group: { add = [ \"IMAGE\" ]; }");
    return -1;
  }
  if (check_keys (ig, image_keys, "images") == -1 ||
      get_string (ig, "name", &name) == -1 ||
      get_string (ig, "format", &format) == -1 ||
      get_string (ig, "domxml", &domxml) == -1 ||
      get_string (ig, "domain", &domain) == -1 ||
      get_string (ig, "connect", &connect) == -1)
    return -1;
  kinds = (add != NULL) + (domxml != NULL) + (domain != NULL);
  if (kinds != 1) {
    at (ig, "an image needs exactly one of add, domxml and domain");
    return -1;
  }
  if (format && !add) {
    at (config_setting_get_member (ig, "format"),
        "'format' is for add (domain XML says its disks' formats)");
    return -1;
  }
  if (connect && !domain) {
    at (config_setting_get_member (ig, "connect"),
        "'connect' is for domain (the libvirt URI to look it up)");
    return -1;
  }
  if (name)
    img->name = gs_xstrdup (name);
  if (format)
    img->format = gs_xstrdup (format);
  if (add) {
    string_vector given = empty_vector;

    img->kind = GS_INPUT_ADD;
    if (get_strings (add, "add", true, &given) == -1) {
      string_vector_free_all (&given);
      return -1;
    }
    if (given.len == 0) {
      at (add, "'add' must list the guest's disks");
      return -1;
    }
    for (size_t i = 0; i < given.len; ++i) {
      char *p;

      if (given.ptr[i][0] == '\0') {
        at (add, "'add': an empty path");
        string_vector_free_all (&given);
        return -1;
      }
      p = resolve (dir, given.ptr[i]);
      string_vector_append (&img->add, p);
    }
    if (img->name == NULL)
      img->name = gs_xstrdup (given.ptr[0]);
    string_vector_free_all (&given);
  }
  else if (domxml) {
    img->kind = GS_INPUT_DOMXML;
    img->domxml = resolve (dir, domxml);
  }
  else {
    img->kind = GS_INPUT_DOMAIN;
    img->domain = gs_xstrdup (domain);
    if (connect == NULL)
      connect = d->connect;
    if (connect)
      img->connect = gs_xstrdup (connect);
  }
  if (make_steps (d, ig, dir, img) == -1 || find_disks (ig, img) == -1)
    return -1;
  if (img->name == NULL)
    img->name = gs_xstrdup (domxml ? domxml : domain);
  /* sparsify and resize copy or trim one disk image. */
  for (size_t s = 0; s < img->nsteps; ++s) {
    enum batch_tool t = img->steps[s].tool;

    if ((t == BT_SPARSIFY || t == BT_RESIZE) && img->disks.len != 1) {
      at (ig, "%s takes a guest of one disk; this one has %zu",
          batch_tool_names[t], img->disks.len);
      return -1;
    }
  }
  return 0;
}

/* No disk in two entries, no copy written over a disk or another copy:
 * two runs would write one file.
 */
static int
check_overlaps (const struct batch_manifest *m)
{
  for (size_t i = 0; i < m->n; ++i) {
    const struct batch_image *a = &m->images[i];

    for (size_t j = 0; j <= i; ++j) {
      const struct batch_image *b = &m->images[j];

      for (size_t x = 0; x < a->disks.len + a->nsteps; ++x) {
        const char *pa = x < a->disks.len ? a->disks.ptr[x]
          : a->steps[x - a->disks.len].out;

        for (size_t y = 0; pa && y < b->disks.len + b->nsteps; ++y) {
          const char *pb = y < b->disks.len ? b->disks.ptr[y]
            : b->steps[y - b->disks.len].out;

          if ((i != j || x > y) && pb && strcmp (pa, pb) == 0) {
            gs_error ("%s:%d: %s is also %s of entry %zu (line %d)",
                      manifest_file, a->line, pa,
                      y < b->disks.len ? "a disk" : "the copy written",
                      b->entry, b->line);
            return -1;
          }
        }
      }
    }
  }
  return 0;
}

/* MANIFEST.conf -> MANIFEST.json (relative to the manifest's dir). */
static char *
default_report (const char *file)
{
  const char *slash = strrchr (file, '/');
  const char *base = slash ? slash + 1 : file;
  const char *dot = strrchr (base, '.');

  if (dot == NULL || dot == base || strcmp (dot, ".json") == 0)
    dot = base + strlen (base);
  return gs_xasprintf ("%.*s.json", (int) (dot - base), base);
}

int
batch_manifest_load (const char *file, struct batch_manifest *m)
{
  CLEANUP_CONFIG config_t *cfg = gs_xmalloc (sizeof *cfg);
  const config_setting_t *root, *images;
  const char *report, *prov;
  struct defaults d = { 0 };
  CLEANUP_FREE char *copy = NULL;
  CLEANUP_FREE char *rel = NULL;

  manifest_file = file;
  /* Before any return: the cleanup destroys it. */
  config_init (cfg);
  m->file = gs_xstrdup (file);
  copy = gs_xstrdup (file);
  if ((m->dir = realpath (dirname (copy), NULL)) == NULL) {
    gs_error ("%s: %m", file);
    return -1;
  }
  {
    CLEANUP_FREE char *text = gs_int_read_text_file (file);

    if (text && gs_int_config_check_text (text, file) == -1)
      return -1;
  }
  if (config_read_file (cfg, file) != CONFIG_TRUE) {
    struct stat st;

    if (config_error_type (cfg) != CONFIG_ERR_FILE_IO)
      gs_error ("%s:%d: %s", file, config_error_line (cfg),
                config_error_text (cfg));
    else if (stat (file, &st) == 0 && S_ISDIR (st.st_mode))
      gs_error ("%s: cannot read the manifest: is a directory", file);
    else
      gs_error ("%s: cannot read the manifest: %m", file);
    return -1;
  }
  root = config_root_setting (cfg);
  if (check_keys (root, root_keys, NULL) == -1 ||
      get_string (root, "report", &report) == -1 ||
      get_string (root, "connect", &d.connect) == -1 ||
      get_string (root, "provenance", &prov) == -1)
    return -1;
  if (prov) {
    /* Checked before anything runs, as the tools check --provenance. */
    const config_setting_t *ps = config_setting_get_member (root,
                                                            "provenance");
    struct stat st;

    m->provenance = resolve (m->dir, prov);
    if (stat (m->provenance, &st) == -1 || !S_ISDIR (st.st_mode)) {
      at (ps, "provenance \"%s\": not a directory", prov);
      return -1;
    }
    if (access (m->provenance, W_OK | X_OK) == -1) {
      at (ps, "provenance \"%s\": directory is not writable", prov);
      return -1;
    }
  }
  d.tools = config_setting_get_member (root, "tools");
  for (int t = 0; t < BT_NTOOLS; ++t) {
    d.tool[t] = config_setting_get_member (root, batch_tool_names[t]);
    if (d.tool[t] &&
        check_tool_group (d.tool[t], batch_tool_names[t], false) == -1)
      return -1;
  }

  if (report == NULL)
    report = rel = default_report (file);
  else
    m->report_line = config_setting_source_line
      (config_setting_get_member (root, "report"));
  m->report = resolve (m->dir, report);

  images = config_setting_get_member (root, "images");
  if (images == NULL) {
    gs_error ("%s: no images: give images = ( { add = [ \"IMAGE\" ]; } );",
              file);
    return -1;
  }
  if (!config_setting_is_list (images)) {
    at (images, "'images' must be a list of groups: images = ( { add = "
        "[ \"IMAGE\" ]; }, ... );");
    return -1;
  }
  m->n = config_setting_length (images);
  if (m->n == 0) {
    at (images, "'images' is empty: give images = ( { add = [ \"IMAGE\" ]; "
        "} );");
    return -1;
  }
  m->images = gs_xcalloc (m->n, sizeof *m->images);
  for (size_t i = 0; i < m->n; ++i) {
    const config_setting_t *ig = config_setting_get_elem (images, i);

    m->images[i].entry = i + 1;
    /* Groups of a tool need checking once, wherever they are. */
    for (int t = 0; t < BT_NTOOLS; ++t) {
      const config_setting_t *own =
        config_setting_is_group (ig)
        ? config_setting_get_member (ig, batch_tool_names[t]) : NULL;

      if (own && check_tool_group (own, batch_tool_names[t], true) == -1)
        return -1;
    }
    if (load_image (&d, ig, m->dir, &m->images[i]) == -1)
      return -1;
  }
  return check_overlaps (m);
}

void
batch_manifest_free (struct batch_manifest *m)
{
  for (size_t i = 0; m->images && i < m->n; ++i) {
    struct batch_image *img = &m->images[i];

    free (img->name);
    string_vector_free_all (&img->add);
    free (img->format);
    free (img->domxml);
    free (img->domain);
    free (img->connect);
    string_vector_free_all (&img->disks);
    string_vector_free_all (&img->disk_formats);
    for (size_t s = 0; s < BT_NTOOLS; ++s) {
      string_vector_free_all (&img->steps[s].args);
      free (img->steps[s].out);
      json_object_put (img->steps[s].report);
    }
  }
  free (m->images);
  free (m->file);
  free (m->dir);
  free (m->report);
  free (m->provenance);
  memset (m, 0, sizeof *m);
}
