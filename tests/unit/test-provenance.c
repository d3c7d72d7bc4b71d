/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-provenance: the provenance record (common/provenance.c) built
 * from values written here: a run's results made in the test, files
 * made in the test, a registry and a configuration given by hand.
 * Every field of the in-toto Statement and its SLSA predicate is
 * checked, each sha256 against what sha256sum(1) prints, secrets
 * redacted, and the file written atomically (mode 0644, no temporary
 * left, nothing at all when it cannot be).  No appliance.
 */
#include <config.h>

#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "unit-util.h"
#include "provenance.h"

/* O at the dotted PATH ("a.b.0.c": numbers index arrays), or NULL. */
static json_object *
at (json_object *o, const char *path)
{
  char *copy = unit_printf ("%s", path), *save = NULL;

  for (char *k = strtok_r (copy, ".", &save); k && o;
       k = strtok_r (NULL, ".", &save)) {
    if (json_object_is_type (o, json_type_array))
      o = json_object_array_get_idx (o, (size_t) atoi (k));
    else if (!json_object_object_get_ex (o, k, &o))
      o = NULL;
  }
  free (copy);
  return o;
}

static const char *
str (json_object *o, const char *path)
{
  json_object *v = at (o, path);

  return v && json_object_is_type (v, json_type_string)
    ? json_object_get_string (v) : NULL;
}

static void
is_jstr (json_object *o, const char *path, const char *want)
{
  const char *got = str (o, path);

  if (!ok (got && strcmp (got, want) == 0, "%s is \"%s\"", path, want))
    diag ("got %s", got ? got : "(none)");
}

static void
is_num (json_object *o, const char *path, int64_t want)
{
  json_object *v = at (o, path);

  if (!ok (v && json_object_is_type (v, json_type_int) &&
           json_object_get_int64 (v) == want, "%s is %lld", path,
           (long long) want))
    diag ("got %s", v ? json_object_to_json_string (v) : "(none)");
}

/* What sha256sum prints for PATH: computed by the tool, not by us. */
static char *
sha256sum (const char *path)
{
  char *cmd = unit_printf ("sha256sum '%s'", path), buf[128] = "";
  FILE *fp = popen (cmd, "r");

  if (fp == NULL || fgets (buf, sizeof buf, fp) == NULL)
    buf[0] = '\0';
  if (fp)
    pclose (fp);
  free (cmd);
  buf[strcspn (buf, " ")] = '\0';
  return unit_printf ("%s", buf);
}

static int64_t
allocated (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 ? (int64_t) st.st_blocks * 512 : -2;
}

static size_t
entries (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *e;
  size_t n = 0;

  while (d && (e = readdir (d)) != NULL)
    n += e->d_name[0] != '.';
  if (d)
    closedir (d);
  return n;
}

int
main (void)
{
  const char *dir = unit_temp_dir ();
  char *in = unit_printf ("%s/in.img", dir);
  char *out = unit_printf ("%s/out.img", dir);
  char *gone = unit_printf ("%s/never-made.img", dir);
  char *rec = unit_printf ("%s/rec.intoto.json", dir);
  char *in_sum, *out_sum;
  struct gs_provenance p;
  struct gs_run_result res;
  struct gs_disk disk = { .path = in, .format = (char *) "raw" };
  struct gs_guest guest = { .name = in, .disks = &disk, .ndisks = 1 };
  struct gs_op op1 = { .name = (char *) "machine-id",
                       .family = (char *) "sysprep",
                       .source = (char *) "/p/sysprep-machine-id.so",
                       .selected = true };
  struct gs_op op2 = { .name = (char *) "resize-ext",
                       .family = (char *) "resize",
                       .source = (char *) "/p/resize-ext.so" };
  struct gs_op op3 = { .name = (char *) "logfiles",
                       .family = (char *) "sysprep",
                       .source = (char *) "/c/logfiles.conf:3" };
  struct gs_op *ops[] = { &op1, &op2, &op3 };
  struct gs_registry reg = { .ops = ops, .nops = 3 };
  struct gs_config_layer layer = {
    .name = (char *) "--set customize.root-password=password:hunter2",
  };
  struct gs_config_layers sets = { .v = &layer, .n = 1 };
  string_vector files = empty_vector;
  config_t cfg;
  const char *argv[] = {
    "goldsmith", "sysprep", "--key", "luks:key:sesame", "--root-password",
    "password:hunter2", "-a", in,
  };
  json_object *report, *st, *back;
  struct stat sb;
  regex_t uuid;

  plan (62);

  /* The files: IN (a "guest image"), OUT made "by the run". */
  {
    FILE *fp = fopen (in, "w");

    for (int i = 0; i < 300000; ++i)
      fputs ("goldsmith provenance test ", fp);
    fclose (fp);
    fp = fopen (out, "w");
    fputs ("the output image", fp);
    fclose (fp);
    truncate (out, 2 * 1024 * 1024);   /* sparse: allocated < size */
  }
  in_sum = sha256sum (in);
  out_sum = sha256sum (out);
  ok (strlen (in_sum) == 64 && strlen (out_sum) == 64,
      "sha256sum ran on both files");

  /* The hash alone, against sha256sum. */
  {
    char hex[GS_SHA256_HEX];

    ok (gs_int_sha256_file (in, hex) == 0 && strcmp (hex, in_sum) == 0,
        "gs_int_sha256_file equals sha256sum (several MiB reads)");
    ok (gs_int_sha256_file (gone, hex) == -1, "a missing file: -1");
  }

  /* The checks before any run. */
  ok (gs_int_provenance_check (rec) == 0, "a file in a directory: accepted");
  {
    char *no = unit_printf ("%s/no/x.json", dir);

    ok (gs_int_provenance_check (no) == -1,
        "a directory that does not exist: refused");
    free (no);
  }
  ok (gs_int_provenance_check (dir) == -1, "a directory: refused");

  /* A run's results, as the engine would have made them. */
  gs_int_result_init (&res, "sysprep", false, &guest, 1);
  {
    struct gs_root_result *rr = gs_int_result_add_root (&res.guest[0],
                                                        "/dev/sda2");
    struct gs_op_result *o = gs_int_result_add_op (&rr->ops, "machine-id");

    o->status = 0;
    gs_int_result_add_path (o, "/etc/machine-id", 0, 33);
    o = gs_int_result_add_op (&rr->ops, "logfiles");
    o->status = 3;
    o->reason = gs_xstrdup ("boom");
    res.guest[0].exit = 1;
  }
  report = gs_int_result_json (&res);
  json_object_object_add (report, "exit_status", json_object_new_int (1));

  config_init (&cfg);
  config_read_string (&cfg, "appliance: { accel = \"tcg\"; memsize = 768; };"
                      " customize: { root-password = \"password:hunter2\";"
                      " hostname = \"web1\"; };");
  string_vector_append_copy (&files, "/etc/goldsmith/goldsmith.conf");

  gs_int_provenance_init (&p, rec, "sysprep", 8, argv);
  gs_int_provenance_env (&p, &reg, &cfg, &files, &sets);
  gs_int_provenance_input (&p, in, "raw", 7800000, false);
  gs_int_provenance_input (&p, "nbd://host/x", "raw", 1024, true);
  gs_int_provenance_output (&p, out, "raw");
  gs_int_provenance_output (&p, gone, "qcow2");
  gs_int_provenance_report (&p, report);
  /* Fixed times and host versions: the statement is then all known. */
  p.started.tv_sec = 1700000000;
  p.finished.tv_sec = 1700000061;
  p.builder_id = gs_xstrdup ("file://buildhost/usr/bin/goldsmith");
  p.libguestfs = gs_xstrdup ("1.48.6");
  p.qemu = gs_xstrdup ("QEMU emulator version 7.2.0");
  p.qemu_img = gs_xstrdup ("qemu-img version 7.2.0");
  p.kernel = gs_xstrdup ("6.1.0-test-amd64");
  p.host_probed = true;
  gs_int_provenance_finish (&p);
  st = gs_int_provenance_statement (&p);

  /* The Statement. */
  is_jstr (st, "_type", "https://in-toto.io/Statement/v1");
  is_jstr (st, "predicateType", "https://slsa.dev/provenance/v1");
  is_int ((long long) json_object_array_length (at (st, "subject")), 1,
          "one subject: the output made (the one never made is absent)");
  is_jstr (st, "subject.0.name", out);
  {
    char *uri = unit_printf ("file://%s", out);

    is_jstr (st, "subject.0.uri", uri);
    free (uri);
  }
  is_jstr (st, "subject.0.digest.sha256", out_sum);
  is_jstr (st, "subject.0.annotations.format", "raw");
  is_num (st, "subject.0.annotations.virtualSize", 2 * 1024 * 1024);
  is_num (st, "subject.0.annotations.allocatedSize", allocated (out));

  /* buildDefinition. */
  is_jstr (st, "predicate.buildDefinition.buildType",
          "urn:goldsmith:provenance:v1");
  is_jstr (st, "predicate.buildDefinition.externalParameters.tool", "sysprep");
  {
    static const char *const want[] = {
      "goldsmith", "sysprep", "--key", "<redacted>", "--root-password",
      "<redacted>", "-a",
    };
    json_object *a = at (st, "predicate.buildDefinition.externalParameters."
                         "argv");
    bool same = a && json_object_array_length (a) == 8;

    for (size_t i = 0; same && i < 7; ++i)
      same = strcmp (json_object_get_string (json_object_array_get_idx (a, i)),
                     want[i]) == 0;
    same = same && strcmp (json_object_get_string
                           (json_object_array_get_idx (a, 7)), in) == 0;
    ok (same, "argv: the command line, the key and the password redacted");
  }
  is_jstr (st, "predicate.buildDefinition.internalParameters.configuration."
          "config.appliance.accel", "tcg");
  is_num (st, "predicate.buildDefinition.internalParameters.configuration."
          "config.appliance.memsize", 768);
  is_jstr (st, "predicate.buildDefinition.internalParameters.configuration."
          "config.customize.hostname", "web1");
  is_jstr (st, "predicate.buildDefinition.internalParameters.configuration."
          "config.customize.root-password", "<redacted>");
  is_jstr (st, "predicate.buildDefinition.internalParameters.configuration."
          "files.0", "/etc/goldsmith/goldsmith.conf");
  is_jstr (st, "predicate.buildDefinition.internalParameters.configuration."
          "files.1", "<redacted>");
  is_int ((long long) json_object_array_length
          (at (st, "predicate.buildDefinition.internalParameters.plugins")), 2,
          "plugins: the tool's family only");
  is_jstr (st, "predicate.buildDefinition.internalParameters.plugins.0.name",
          "machine-id");
  is_jstr (st, "predicate.buildDefinition.internalParameters.plugins.0.source",
          "/p/sysprep-machine-id.so");
  ok (json_object_get_boolean
      (at (st, "predicate.buildDefinition.internalParameters.plugins.0."
           "selected")), "plugins.0 is selected");
  is_jstr (st, "predicate.buildDefinition.internalParameters.plugins.1.source",
          "/c/logfiles.conf:3");
  ok (!json_object_get_boolean
      (at (st, "predicate.buildDefinition.internalParameters.plugins.1."
           "selected")), "plugins.1 is not selected");
  is_int ((long long) json_object_array_length
          (at (st, "predicate.buildDefinition.resolvedDependencies")), 2,
          "two inputs");
  is_jstr (st, "predicate.buildDefinition.resolvedDependencies.0.name", in);
  is_jstr (st, "predicate.buildDefinition.resolvedDependencies.0.digest.sha256",
          in_sum);
  is_jstr (st, "predicate.buildDefinition.resolvedDependencies.0.annotations."
          "format", "raw");
  is_num (st, "predicate.buildDefinition.resolvedDependencies.0.annotations."
          "virtualSize", 7800000);
  is_num (st, "predicate.buildDefinition.resolvedDependencies.0.annotations."
          "allocatedSize", allocated (in));
  is_jstr (st, "predicate.buildDefinition.resolvedDependencies.1.uri",
          "nbd://host/x");
  ok (at (st, "predicate.buildDefinition.resolvedDependencies.1.digest")
      == NULL, "a remote input has no digest (its bytes are not here)");

  /* runDetails. */
  is_jstr (st, "predicate.runDetails.builder.id",
          "file://buildhost/usr/bin/goldsmith");
  is_jstr (st, "predicate.runDetails.builder.version.goldsmith",
          PACKAGE_VERSION);
  is_jstr (st, "predicate.runDetails.builder.version.libguestfs", "1.48.6");
  is_jstr (st, "predicate.runDetails.builder.version.qemu",
          "QEMU emulator version 7.2.0");
  is_jstr (st, "predicate.runDetails.builder.version.qemuImg",
          "qemu-img version 7.2.0");
  is_jstr (st, "predicate.runDetails.builder.version.applianceKernel",
          "6.1.0-test-amd64");
  is_jstr (st, "predicate.runDetails.metadata.startedOn",
          "2023-11-14T22:13:20Z");
  is_jstr (st, "predicate.runDetails.metadata.finishedOn",
          "2023-11-14T22:14:21Z");
  regcomp (&uuid, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
           "[0-9a-f]{12}$", REG_EXTENDED | REG_NOSUB);
  ok (str (st, "predicate.runDetails.metadata.invocationId") &&
      regexec (&uuid, str (st, "predicate.runDetails.metadata.invocationId"),
               0, NULL, 0) == 0, "invocationId is a random (v4) UUID");
  regfree (&uuid);
  is_jstr (st, "predicate.runDetails.byproducts.0.name", "report");
  is_jstr (st, "predicate.runDetails.byproducts.0.mediaType",
          "application/json");
  ok (json_object_equal (at (st, "predicate.runDetails.byproducts.0."
                             "annotations.report"), report),
      "the byproduct is the --json report itself");
  is_jstr (st, "predicate.runDetails.byproducts.0.annotations.report.guests.0."
          "roots.0.operations.0.name", "machine-id");
  is_jstr (st, "predicate.runDetails.byproducts.0.annotations.report.guests.0."
          "roots.0.operations.1.name", "logfiles");
  ok (strstr (json_object_to_json_string (st), "hunter2") == NULL &&
      strstr (json_object_to_json_string (st), "sesame") == NULL,
      "no secret anywhere in the record");

  /* The file: atomic, 0644, the same document. */
  umask (077);                   /* the mode is set, not left to umask */
  ok (gs_int_provenance_write (&p) == 0, "the record is written");
  ok (stat (rec, &sb) == 0 && (sb.st_mode & 07777) == 0644, "mode 0644");
  back = json_object_from_file (rec);
  ok (back && json_object_equal (back, st), "the file holds the statement");
  json_object_put (back);
  is_int ((long long) entries (dir), 3,
          "no temporary file left (in.img, out.img, the record)");
  ok (gs_int_provenance_write (&p) == 0 && entries (dir) == 3,
      "written again: replaced, still no temporary file");

  /* Inputs as subjects (inspect, a dry run). */
  p.inputs_are_subjects = true;
  json_object_put (st);
  st = gs_int_provenance_statement (&p);
  is_int ((long long) json_object_array_length (at (st, "subject")), 1,
          "inputs as subjects: the local one (a subject needs a digest)");
  is_jstr (st, "subject.0.digest.sha256", in_sum);

  /* A record that cannot be written: -1, and no file at all. */
  free (p.file);
  p.file = unit_printf ("%s/gone/rec.json", dir);
  ok (gs_int_provenance_write (&p) == -1, "a vanished directory: -1");
  ok (access (p.file, F_OK) == -1, "... and no file");

  json_object_put (st);
  json_object_put (report);
  gs_int_provenance_free (&p);
  gs_int_result_free (&res);
  config_destroy (&cfg);
  string_vector_free_all (&files);
  free (in); free (out); free (gone); free (rec);
  free (in_sum); free (out_sum);
  return exit_status ();
}
