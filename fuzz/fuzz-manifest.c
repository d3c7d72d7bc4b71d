/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-manifest: the manifest of goldsmith batch, read and checked by
 * batch_manifest_load (cli/batch/manifest.c) as `goldsmith batch
 * MANIFEST` does before anything runs.  The input is the manifest
 * file.
 *
 * It lies in the scratch directory beside the images t1.img to t5.img
 * (empty files), guest.xml (domain XML of two disks, t4.img and t5.img),
 * missing.xml (of a disk that does not exist) and the directory sub/,
 * so that relative paths can name real files; the working directory is
 * a/ (or b/) below it.  A libvirt domain (domain = "NAME") is never
 * looked up: the link wraps gs_int_libvirt_load (fuzz.mk), and any
 * connect URI finds one domain, "vm1", whose disk is t1.img.
 *
 * A manifest it refuses must have said why (an error message); one it
 * accepts is checked: every image has a name, absolute disks, one to
 * four distinct steps, resize an out, out only for sparsify and
 * resize, which take one disk, every out a file name (absolute, not
 * ".", "..", nor a directory), and no file is two entries' disk or
 * copy.  It is loaded again from b/, and nothing may change.
 */
#include <config.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/batch/batch.h"
#include "cleanups.h"
#include "fuzz-util.h"

static char *vm1_xml;            /* the domain "vm1" */

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  static const char guest_xml[] =
    "<domain type='kvm'><name>guest</name><devices>\n"
    "  <disk type='file' device='disk'><driver name='qemu' type='raw'/>"
    "<source file='t4.img'/><target dev='vda'/></disk>\n"
    "  <disk type='file' device='disk'>"
    "<source file='t5.img'/><target dev='vdb'/></disk>\n"
    "</devices></domain>\n";
  static const char missing_xml[] =
    "<domain><name>missing</name><devices><disk type='file' device='disk'>"
    "<source file='nope.img'/><target dev='vda'/></disk></devices></domain>";
  char cwd[PATH_MAX];

  /* Not fuzz-util.c's for libconfig input: the files come next. */
  fuzz_init (argc, argv, FUZZ_LIBCONFIG_FLAG);
  for (int i = 1; i <= 5; ++i) {
    char name[16];

    snprintf (name, sizeof name, "t%d.img", i);
    fuzz_write_file (name, NULL, 0);
  }
  fuzz_write_file ("guest.xml", (const uint8_t *) guest_xml,
                   strlen (guest_xml));
  fuzz_write_file ("missing.xml", (const uint8_t *) missing_xml,
                   strlen (missing_xml));
  if (mkdir ("sub", 0700) == -1 || mkdir ("a", 0700) == -1 ||
      mkdir ("b", 0700) == -1 || getcwd (cwd, sizeof cwd) == NULL ||
      chdir ("a") == -1)
    fuzz_die ("scratch directory: %m");
  if (asprintf (&vm1_xml, "<domain type='kvm'><name>vm1</name><devices>"
                "<disk type='file' device='disk'><source file='%s/t1.img'/>"
                "<target dev='vda'/></disk></devices></domain>", cwd) == -1)
    fuzz_die ("out of memory");
  return 0;
}

/* The link's --wrap=gs_int_libvirt_load: no libvirt connection (a URI
 * in the input could name any host), one domain whatever the URI.
 */
extern int __wrap_gs_int_libvirt_load (const char *uri, const char *name,
                                       bool writable, struct gs_guest *guest);

int
__wrap_gs_int_libvirt_load (const char *uri, const char *name, bool writable,
                            struct gs_guest *guest)
{
  (void) uri;
  (void) writable;
  if (strcmp (name, "vm1") != 0) {
    gs_error ("-d %s: no such libvirt domain", name);
    return -1;
  }
  return gs_int_domxml_parse (vm1_xml, strlen (vm1_xml), "libvirt domain vm1",
                              NULL, guest);
}

/* False if a string value of S (at any depth) could lead the loader
 * into a device, /proc or /sys file: it only resolves paths, but reads
 * a domxml file, and /dev/stdin or /proc/kmsg would block the harness.
 * The values, not the input, are checked: libconfig joins adjacent
 * strings ("/de" "v/zero") and has escapes, and a check of the input
 * as fuzz_host_safe does it would refuse every "qemu:///system".
 */
static bool
values_safe (const config_setting_t *s)
{
  if (config_setting_type (s) == CONFIG_TYPE_STRING) {
    const char *v = config_setting_get_string (s);

    return strstr (v, "dev/") == NULL && strstr (v, "proc/") == NULL &&
      strstr (v, "sys/") == NULL;
  }
  for (int i = 0; i < config_setting_length (s); ++i)
    if (!values_safe (config_setting_get_elem (s, i)))
      return false;
  return true;
}

static bool
input_safe (const char *text, size_t size)
{
  CLEANUP_FREE char *s = NULL;
  config_t cfg;
  bool safe = true;

  /* An included file is not in the values below, and the string
   * parsed here would end at a NUL where the file goes on.
   */
  if (fuzz_has_include (text, size) || memchr (text, '\0', size))
    return false;
  s = fuzz_string ((const uint8_t *) text, size);
  config_init (&cfg);
  if (config_read_string (&cfg, s) == CONFIG_TRUE)
    safe = values_safe (config_root_setting (&cfg));
  config_destroy (&cfg);
  return safe;
}

static void
check_path (const char *what, size_t entry, const char *p)
{
  if (p == NULL || p[0] != '/')
    fuzz_die ("entry %zu: %s is not absolute: %s", entry, what,
              p ? p : "(null)");
}

/* A manifest batch_manifest_load accepted. */
static void
check_manifest (const struct batch_manifest *m)
{
  string_vector files = empty_vector;

  check_path ("the report", 0, m->report);
  check_path ("the directory", 0, m->dir);
  if (m->n > 0 && m->images == NULL)
    fuzz_die ("%zu images, no array", m->n);
  for (size_t i = 0; i < m->n; ++i) {
    const struct batch_image *img = &m->images[i];
    bool in[BT_NTOOLS] = { false };

    if (img->entry != i + 1)
      fuzz_die ("entry %zu numbered %zu", i + 1, img->entry);
    if (img->name == NULL)
      fuzz_die ("entry %zu has no name", i + 1);
    if (img->disks.len == 0 || img->disks.len != img->disk_formats.len)
      fuzz_die ("entry %zu: %zu disks, %zu formats", i + 1, img->disks.len,
                img->disk_formats.len);
    if (img->nsteps == 0 || img->nsteps > BT_NTOOLS || img->resume != 0)
      fuzz_die ("entry %zu: %zu steps, resume at %zu", i + 1, img->nsteps,
                img->resume);
    switch (img->kind) {
    case GS_INPUT_ADD:
      if (img->add.len == 0 || img->domxml || img->domain || img->connect)
        fuzz_die ("entry %zu: add, and more", i + 1);
      for (size_t k = 0; k < img->add.len; ++k)
        check_path ("an add", i + 1, img->add.ptr[k]);
      break;
    case GS_INPUT_DOMXML:
      check_path ("the domxml", i + 1, img->domxml);
      if (img->add.len || img->format || img->domain || img->connect)
        fuzz_die ("entry %zu: domxml, and more", i + 1);
      break;
    case GS_INPUT_DOMAIN:
      if (img->domain == NULL || img->add.len || img->format || img->domxml)
        fuzz_die ("entry %zu: domain, and more", i + 1);
      break;
    default:
      fuzz_die ("entry %zu: kind %d", i + 1, (int) img->kind);
    }
    for (size_t k = 0; k < img->disks.len; ++k) {
      check_path ("a disk", i + 1, img->disks.ptr[k]);
      if (string_vector_append_copy (&files, img->disks.ptr[k]) == -1)
        fuzz_die ("out of memory");
    }
    for (size_t s = 0; s < img->nsteps; ++s) {
      const struct batch_step *st = &img->steps[s];

      if ((unsigned) st->tool >= BT_NTOOLS || in[st->tool])
        fuzz_die ("entry %zu: step %zu: tool %d", i + 1, s, (int) st->tool);
      in[st->tool] = true;
      if (st->tool == BT_RESIZE && st->out == NULL)
        fuzz_die ("entry %zu: resize without out", i + 1);
      if (st->out && st->tool != BT_RESIZE && st->tool != BT_SPARSIFY)
        fuzz_die ("entry %zu: out for %s", i + 1,
                  batch_tool_names[st->tool]);
      if ((st->tool == BT_RESIZE || st->tool == BT_SPARSIFY) &&
          img->disks.len != 1)
        fuzz_die ("entry %zu: %s of %zu disks", i + 1,
                  batch_tool_names[st->tool], img->disks.len);
      if (st->out) {
        const char *base = strrchr (st->out, '/') + 1;
        struct stat sb;

        check_path ("an out", i + 1, st->out);
        if (base[0] == '\0' || strcmp (base, ".") == 0 ||
            strcmp (base, "..") == 0 ||
            (stat (st->out, &sb) == 0 && S_ISDIR (sb.st_mode)))
          fuzz_die ("entry %zu: out is no file: %s", i + 1, st->out);
        if (string_vector_append_copy (&files, st->out) == -1)
          fuzz_die ("out of memory");
      }
      for (size_t a = 0; a < st->args.len; ++a)
        if (st->args.ptr[a] == NULL)
          fuzz_die ("entry %zu: NULL arg", i + 1);
    }
  }
  for (size_t a = 0; a < files.len; ++a)
    for (size_t b = 0; b < a; ++b)
      if (strcmp (files.ptr[a], files.ptr[b]) == 0)
        fuzz_die ("%s is two entries' disk or copy", files.ptr[a]);
  string_vector_free_all (&files);
}

static bool
same_string (const char *a, const char *b)
{
  return a == b || (a && b && strcmp (a, b) == 0);
}

static bool
same_strings (const string_vector *a, const string_vector *b)
{
  if (a->len != b->len)
    return false;
  for (size_t i = 0; i < a->len; ++i)
    if (!same_string (a->ptr[i], b->ptr[i]))
      return false;
  return true;
}

/* The same manifest loaded from another working directory. */
static void
check_same (const struct batch_manifest *m, const struct batch_manifest *o)
{
  if (!same_string (m->report, o->report) || !same_string (m->dir, o->dir) ||
      m->n != o->n)
    fuzz_die ("the report, directory or images depend on the working "
              "directory: %s, %s", m->report, o->report);
  for (size_t i = 0; i < m->n; ++i) {
    const struct batch_image *a = &m->images[i], *b = &o->images[i];

    if (!same_string (a->name, b->name) || a->kind != b->kind ||
        !same_strings (&a->add, &b->add) ||
        !same_string (a->domxml, b->domxml) ||
        !same_strings (&a->disks, &b->disks) || a->nsteps != b->nsteps)
      fuzz_die ("entry %zu depends on the working directory", i + 1);
    for (size_t s = 0; s < a->nsteps; ++s)
      if (a->steps[s].tool != b->steps[s].tool ||
          !same_string (a->steps[s].out, b->steps[s].out) ||
          !same_strings (&a->steps[s].args, &b->steps[s].args))
        fuzz_die ("entry %zu: step %zu depends on the working directory: "
                  "out %s, %s", i + 1, s + 1,
                  a->steps[s].out ? a->steps[s].out : "(none)",
                  b->steps[s].out ? b->steps[s].out : "(none)");
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct batch_manifest m = { 0 }, o = { 0 };
  const char *file;

  /* Manifests name host files: keep to ones that can't block. */
  if (!input_safe ((const char *) data, size))
    return 0;
  /* Beside the images, in the parent of the working directory. */
  file = fuzz_write_file ("../manifest.conf", data, size);
  gs_int_clear_last_error ();
  if (batch_manifest_load (file, &m) == 0) {
    check_manifest (&m);
    /* Relative paths are the manifest directory's, never the working
     * directory's: the same from b as from a.
     */
    if (chdir ("../b") == -1)
      fuzz_die ("../b: %m");
    if (batch_manifest_load (file, &o) == -1)
      fuzz_die ("refused from another working directory");
    check_same (&m, &o);
    batch_manifest_free (&o);
    if (chdir ("../a") == -1)
      fuzz_die ("../a: %m");
  }
  else if (gs_int_last_error ()[0] == '\0')
    fuzz_die ("refused without an error message");
  batch_manifest_free (&m);
  return 0;
}
