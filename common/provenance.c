/* SPDX-License-Identifier: GPL-2.0-or-later */
/* provenance.c: --provenance FILE (goldsmith(1), PROVENANCE): one run
 * as an in-toto Statement v1 whose predicate is SLSA provenance v1, so
 * that tools which read those (slsa-verifier, in-toto, policy engines,
 * jq) read goldsmith's records.  The report the tool already built is
 * the byproduct, whole: what happened is rendered once (report.c,
 * resize and sparsify's run.c), never walked again here.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"
#include "provenance.h"

#define STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define PREDICATE_TYPE "https://slsa.dev/provenance/v1"
/* One build type for every tool: externalParameters.tool says which. */
#define BUILD_TYPE "urn:goldsmith:provenance:v1"
#define REDACTED "<redacted>"

/* ---- checks before the run ------------------------------------------ */

int
gs_int_provenance_check (const char *file)
{
  CLEANUP_FREE char *copy = gs_xstrdup (file);
  const char *dir = dirname (copy);
  struct stat st;

  if (file[0] == '\0') {
    gs_error ("--provenance: give a file name");
    return -1;
  }
  if (stat (dir, &st) == -1 || !S_ISDIR (st.st_mode)) {
    gs_error ("--provenance %s: directory %s does not exist", file, dir);
    return -1;
  }
  /* The record is a temporary file in DIR renamed over FILE. */
  if (access (dir, W_OK | X_OK) == -1) {
    gs_error ("--provenance %s: directory %s is not writable", file, dir);
    return -1;
  }
  if (stat (file, &st) == 0 && S_ISDIR (st.st_mode)) {
    gs_error ("--provenance %s: a directory (give a file name)", file);
    return -1;
  }
  return 0;
}

/* ---- secrets never reach a record --------------------------------- */

/* Password selectors (password:PASS, USER:password:PASS) in options
 * and configuration values; the next word after --key.
 */
static bool
secret (const char *s)
{
  return strstr (s, "password:") != NULL;
}

static void
redact_json (json_object *o)
{
  if (json_object_is_type (o, json_type_object)) {
    json_object_object_foreach (o, k, v) {
      if (json_object_is_type (v, json_type_string) &&
          secret (json_object_get_string (v)))
        json_object_object_add (o, k, json_object_new_string (REDACTED));
      else
        redact_json (v);
    }
  }
  else if (json_object_is_type (o, json_type_array))
    for (size_t i = 0; i < json_object_array_length (o); ++i) {
      json_object *v = json_object_array_get_idx (o, i);

      if (json_object_is_type (v, json_type_string) &&
          secret (json_object_get_string (v)))
        json_object_array_put_idx (o, i, json_object_new_string (REDACTED));
      else
        redact_json (v);
    }
}

/* ---- building up --------------------------------------------------- */

/* A string into array A, made valid UTF-8 as gs_int_json_add_string
 * does (paths and arguments may be any bytes).
 */
static void
add_elem (json_object *a, const char *s)
{
  CLEANUP_FREE char *v = gs_int_utf8_copy (s, false);

  json_object_array_add (a, json_object_new_string (v));
}

static void
new_uuid (char out[37])
{
  unsigned char b[16];

  /* getrandom cannot fail for 16 bytes once the pool is ready; the
   * clock is only a fallback so the id is never all zeros.
   */
  if (getrandom (b, sizeof b, 0) != sizeof b) {
    struct timespec ts;

    clock_gettime (CLOCK_REALTIME, &ts);
    for (size_t i = 0; i < sizeof b; ++i)
      b[i] = (unsigned char) ((ts.tv_nsec >> (i % 4 * 8)) ^ getpid () ^ i);
  }
  b[6] = (b[6] & 0x0f) | 0x40;   /* version 4 */
  b[8] = (b[8] & 0x3f) | 0x80;   /* RFC 4122 variant */
  snprintf (out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
            "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
            b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void
gs_int_provenance_init (struct gs_provenance *p, const char *file,
                        const char *tool, int argc, const char *const *argv)
{
  bool next_secret = false;

  memset (p, 0, sizeof *p);
  p->file = gs_xstrdup (file);
  p->tool = gs_xstrdup (tool);
  clock_gettime (CLOCK_REALTIME, &p->started);
  new_uuid (p->invocation_id);
  for (int i = 0; i < argc; ++i) {
    const char *a = argv[i];

    if (next_secret || secret (a))
      a = REDACTED;
    else if (strncmp (a, "--key=", 6) == 0)
      a = "--key=" REDACTED;
    next_secret = strcmp (argv[i], "--key") == 0;
    string_vector_append_copy (&p->argv, a);
  }
}

void
gs_int_provenance_env (struct gs_provenance *p, const struct gs_registry *reg,
                       const config_t *merged, const string_vector *files,
                       const struct gs_config_layers *sets)
{
  json_object *f = json_object_new_array ();

  json_object_put (p->config);
  json_object_put (p->plugins);
  p->config = json_object_new_object ();
  for (size_t i = 0; files && i < files->len; ++i)
    add_elem (f, files->ptr[i]);
  for (size_t i = 0; sets && i < sets->n; ++i)
    add_elem (f, sets->v[i].name);
  json_object_object_add (p->config, "files", f);
  if (merged && config_root_setting (merged))
    json_object_object_add (p->config, "config",
                            gs_int_config_json (config_root_setting (merged)));
  redact_json (p->config);

  p->plugins = json_object_new_array ();
  for (size_t i = 0; reg && i < reg->nops; ++i) {
    const struct gs_op *op = reg->ops[i];
    json_object *o;

    if (strcmp (op->family, p->tool) != 0)
      continue;
    o = json_object_new_object ();
    gs_int_json_add_string (o, "name", op->name);
    gs_int_json_add_string (o, "family", op->family);
    gs_int_json_add_string (o, "source", op->source);
    json_object_object_add (o, "selected",
                            json_object_new_boolean (op->selected));
    json_object_array_add (p->plugins, o);
  }
}

/* Allocated bytes of a regular file; -1 for a device or no file. */
static int64_t
allocated (const char *path)
{
  struct stat st;

  if (stat (path, &st) == -1 || !S_ISREG (st.st_mode))
    return -1;
  return (int64_t) st.st_blocks * 512;
}

static struct gs_prov_file *
add_file (struct gs_prov_file **v, size_t *n, const char *path,
          const char *format, int64_t virtual_size, bool remote)
{
  struct gs_prov_file *f;

  *v = gs_xreallocarray (*v, *n + 1, sizeof **v);
  f = &(*v)[(*n)++];
  memset (f, 0, sizeof *f);
  f->path = gs_xstrdup (path);
  f->format = format ? gs_xstrdup (format) : NULL;
  f->virtual_size = virtual_size;
  f->allocated = -1;
  f->remote = remote;
  return f;
}

void
gs_int_provenance_input (struct gs_provenance *p, const char *path,
                         const char *format, int64_t virtual_size,
                         bool remote)
{
  struct gs_prov_file *f = add_file (&p->in, &p->nin, path, format,
                                     virtual_size, remote);

  if (remote)
    return;                      /* not on this host: no bytes to hash */
  f->allocated = allocated (path);
  if (gs_int_sha256_file (path, f->sha256) == -1) {
    /* Said; the run goes on, the record shows the missing digest. */
    f->sha256[0] = '\0';
  }
}

void
gs_int_provenance_output (struct gs_provenance *p, const char *path,
                          const char *format)
{
  add_file (&p->out, &p->nout, path, format, -1, false);
}

void
gs_int_provenance_report (struct gs_provenance *p, json_object *report)
{
  json_object_put (p->report);
  p->report = json_object_get (report);
}

/* ---- host versions ------------------------------------------------- */

/* The first line PROG ARG prints on stdout if it exits 0, or NULL.
 * No shell: PROG is the path of the qemu libguestfs chose, or qemu-img.
 */
static char *
first_line_of (const char *prog, const char *arg)
{
  const char *const argv[] = { prog, arg, NULL };
  char *out = NULL;

  if (gs_int_run_command (argv, GS_RUN_STDOUT, NULL, &out, NULL) != 0 ||
      gs_int_first_line (out)[0] == '\0') {
    free (out);
    return NULL;
  }
  return out;
}

static void
probe_host (struct gs_provenance *p)
{
  guestfs_h *g;

  if (p->host_probed)
    return;
  p->host_probed = true;
  if (p->builder_id == NULL) {
    char host[256] = "localhost", exe[PATH_MAX];
    ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);

    gethostname (host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    exe[n > 0 ? n : 0] = '\0';
    p->builder_id = gs_xasprintf ("file://%s%s", host,
                                  n > 0 ? exe : "/goldsmith");
  }
  /* A handle is only asked questions here: no appliance is launched. */
  if ((g = guestfs_create_flags (GUESTFS_CREATE_NO_ENVIRONMENT)) != NULL) {
    gs_quiet_begin (g);
    guestfs_parse_environment (g);
    if (p->libguestfs == NULL) {
      struct guestfs_version *v = guestfs_version (g);

      if (v)
        p->libguestfs = gs_xasprintf ("%lld.%lld.%lld%s",
                                      (long long) v->major,
                                      (long long) v->minor,
                                      (long long) v->release, v->extra);
      guestfs_free_version (v);
    }
    if (p->qemu == NULL) {
      CLEANUP_FREE char *hv = guestfs_get_hv (g);

      if (hv)
        p->qemu = first_line_of (hv, "--version");
    }
    gs_quiet_end (g);
    guestfs_close (g);
  }
  if (p->qemu_img == NULL)
    p->qemu_img = first_line_of ("qemu-img", "--version");
  if (p->kernel == NULL)
    p->kernel = gs_int_appliance_kernel_version ();
}

/* ---- the end ------------------------------------------------------- */

void
gs_int_provenance_finish (struct gs_provenance *p)
{
  if (p->finished.tv_sec == 0)
    clock_gettime (CLOCK_REALTIME, &p->finished);
  for (size_t i = 0; i < p->nout; ++i) {
    struct gs_prov_file *f = &p->out[i];
    struct stat st;
    json_object *info = NULL, *v;
    CLEANUP_FREE char *err = NULL;

    if (f->sha256[0] || stat (f->path, &st) == -1)
      continue;                  /* done, or not made (a failed run) */
    f->allocated = allocated (f->path);
    if (f->format && f->virtual_size < 0 &&
        gs_int_qemu_img_info (f->path, f->format, true, &info, &err) == 0 &&
        json_object_object_get_ex (info, "virtual-size", &v))
      f->virtual_size = json_object_get_int64 (v);
    json_object_put (info);
    if (gs_int_sha256_file (f->path, f->sha256) == -1)
      f->sha256[0] = '\0';
  }
  probe_host (p);
}

static void
add_time (json_object *o, const char *key, const struct timespec *ts)
{
  struct tm tm;
  char buf[32];

  gmtime_r (&ts->tv_sec, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_object_object_add (o, key, json_object_new_string (buf));
}

/* A SLSA ResourceDescriptor for an image: name (as given), uri,
 * digest, annotations.  NULL when it has no digest and must have one
 * (a subject).
 */
static json_object *
descriptor (const struct gs_prov_file *f, bool need_digest)
{
  json_object *d, *a;

  if (need_digest && f->sha256[0] == '\0')
    return NULL;
  d = json_object_new_object ();
  gs_int_json_add_string (d, "name", f->path);
  if (f->remote)
    gs_int_json_add_string (d, "uri", f->path);
  else {
    char abs[PATH_MAX];
    CLEANUP_FREE char *uri = NULL;

    uri = gs_xasprintf ("file://%s", realpath (f->path, abs) ? abs : f->path);
    gs_int_json_add_string (d, "uri", uri);
  }
  if (f->sha256[0]) {
    json_object *dg = json_object_new_object ();

    json_object_object_add (dg, "sha256", json_object_new_string (f->sha256));
    json_object_object_add (d, "digest", dg);
  }
  a = json_object_new_object ();
  if (f->format)
    gs_int_json_add_string (a, "format", f->format);
  if (f->virtual_size >= 0)
    json_object_object_add (a, "virtualSize",
                            json_object_new_int64 (f->virtual_size));
  if (f->allocated >= 0)
    json_object_object_add (a, "allocatedSize",
                            json_object_new_int64 (f->allocated));
  json_object_object_add (d, "annotations", a);
  return d;
}

static void
add_version (json_object *v, const char *key, const char *value)
{
  if (value)
    gs_int_json_add_string (v, key, value);
}

json_object *
gs_int_provenance_statement (const struct gs_provenance *p)
{
  json_object *st = json_object_new_object ();
  json_object *subject = json_object_new_array ();
  json_object *pred = json_object_new_object ();
  json_object *bd = json_object_new_object (), *rd = json_object_new_object ();
  json_object *ext = json_object_new_object ();
  json_object *intl = json_object_new_object ();
  json_object *deps = json_object_new_array ();
  json_object *args = json_object_new_array ();
  json_object *builder = json_object_new_object (), *ver;
  json_object *meta = json_object_new_object (), *by = json_object_new_array ();
  const struct gs_prov_file *subj = p->inputs_are_subjects ? p->in : p->out;
  size_t nsubj = p->inputs_are_subjects ? p->nin : p->nout;

  json_object_object_add (st, "_type", json_object_new_string (STATEMENT_TYPE));
  for (size_t i = 0; i < nsubj; ++i) {
    json_object *d = descriptor (&subj[i], true);

    if (d)
      json_object_array_add (subject, d);
  }
  json_object_object_add (st, "subject", subject);
  json_object_object_add (st, "predicateType",
                          json_object_new_string (PREDICATE_TYPE));

  /* buildDefinition: what was asked (external), how goldsmith was set
   * up (internal), what was read (resolved dependencies).
   */
  json_object_object_add (bd, "buildType", json_object_new_string (BUILD_TYPE));
  gs_int_json_add_string (ext, "tool", p->tool);
  for (size_t i = 0; i < p->argv.len; ++i)
    add_elem (args, p->argv.ptr[i]);
  json_object_object_add (ext, "argv", args);
  json_object_object_add (bd, "externalParameters", ext);
  json_object_object_add (intl, "configuration",
                          p->config ? json_object_get (p->config)
                          : json_object_new_object ());
  json_object_object_add (intl, "plugins",
                          p->plugins ? json_object_get (p->plugins)
                          : json_object_new_array ());
  json_object_object_add (bd, "internalParameters", intl);
  for (size_t i = 0; i < p->nin; ++i)
    json_object_array_add (deps, descriptor (&p->in[i], false));
  json_object_object_add (bd, "resolvedDependencies", deps);
  json_object_object_add (pred, "buildDefinition", bd);

  /* runDetails: who ran it, when, and what it said. */
  gs_int_json_add_string (builder, "id", p->builder_id ? p->builder_id
                          : "file://localhost/goldsmith");
  ver = json_object_new_object ();
  add_version (ver, "goldsmith", PACKAGE_VERSION);
  {
    char abi[16];

    snprintf (abi, sizeof abi, "%d", GS_PLUGIN_ABI_VERSION);
    add_version (ver, "pluginAbi", abi);
  }
  add_version (ver, "libguestfs", p->libguestfs);
  add_version (ver, "qemu", p->qemu);
  add_version (ver, "qemuImg", p->qemu_img);
  add_version (ver, "applianceKernel", p->kernel);
  json_object_object_add (builder, "version", ver);
  json_object_object_add (rd, "builder", builder);
  gs_int_json_add_string (meta, "invocationId", p->invocation_id);
  add_time (meta, "startedOn", &p->started);
  add_time (meta, "finishedOn", &p->finished);
  json_object_object_add (rd, "metadata", meta);
  if (p->report) {
    json_object *r = json_object_new_object (), *a = json_object_new_object ();

    gs_int_json_add_string (r, "name", "report");
    gs_int_json_add_string (r, "mediaType", "application/json");
    json_object_object_add (a, "report", json_object_get (p->report));
    json_object_object_add (r, "annotations", a);
    json_object_array_add (by, r);
  }
  json_object_object_add (rd, "byproducts", by);
  json_object_object_add (pred, "runDetails", rd);
  json_object_object_add (st, "predicate", pred);
  return st;
}

int
gs_int_provenance_write (struct gs_provenance *p)
{
  json_object *st;
  const char *text;
  char *tmp;
  int fd, r = -1;

  gs_int_provenance_finish (p);
  st = gs_int_provenance_statement (p);
  text = json_object_to_json_string_ext (st, JSON_C_TO_STRING_PRETTY |
                                         JSON_C_TO_STRING_NOSLASHESCAPE);
  /* Beside FILE, so the rename is atomic: a reader sees the old record
   * or the whole new one, never half.
   */
  tmp = gs_xasprintf ("%s.goldsmith-XXXXXX", p->file);
  if ((fd = mkstemp (tmp)) == -1) {
    gs_error ("--provenance %s: cannot create a temporary file: %m", p->file);
    goto out;
  }
  gs_int_scratch_add (tmp);      /* removed if a signal ends us now */
  if (text == NULL || fchmod (fd, 0644) == -1 ||
      gs_int_write_all (fd, text, strlen (text)) == -1 ||
      gs_int_write_all (fd, "\n", 1) == -1 || fsync (fd) == -1) {
    gs_error ("--provenance %s: cannot write: %m", p->file);
    close (fd);
    goto unlink;
  }
  if (close (fd) == -1 || rename (tmp, p->file) == -1) {
    gs_error ("--provenance %s: cannot write: %m", p->file);
    goto unlink;
  }
  gs_int_scratch_forget (tmp);
  gs_int_sync_dir_of (p->file);  /* the rename survives a crash */
  r = 0;
  goto out;
 unlink:
  unlink (tmp);
  gs_int_scratch_forget (tmp);
 out:
  free (tmp);
  json_object_put (st);
  return r;
}

static void
files_free (struct gs_prov_file *v, size_t n)
{
  for (size_t i = 0; i < n; ++i) {
    free (v[i].path);
    free (v[i].format);
  }
  free (v);
}

void
gs_int_provenance_free (struct gs_provenance *p)
{
  free (p->file);
  free (p->tool);
  string_vector_free_all (&p->argv);
  files_free (p->in, p->nin);
  files_free (p->out, p->nout);
  json_object_put (p->config);
  json_object_put (p->plugins);
  json_object_put (p->report);
  free (p->builder_id);
  free (p->libguestfs);
  free (p->qemu);
  free (p->qemu_img);
  free (p->kernel);
  memset (p, 0, sizeof *p);
}
