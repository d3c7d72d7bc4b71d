/* SPDX-License-Identifier: GPL-2.0-or-later */
/* provenance.h: --provenance FILE, a record of one run a build system
 * can archive: an in-toto Statement v1 with a SLSA provenance v1
 * predicate (goldsmith(1), PROVENANCE lists every field).  The command
 * fills a struct gs_provenance as the run goes (inputs hashed before
 * it, the report after it) and writes it once, at the end.
 */
#ifndef GS_PROVENANCE_H
#define GS_PROVENANCE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>
#include <libconfig.h>

#include "string-vector.h"

#define GS_SHA256_HEX 65         /* 64 hex digits and a NUL */

/* An input or output image. */
struct gs_prov_file {
  char *path;                    /* as given (a URI for a remote disk) */
  char *format;                  /* NULL: unknown */
  int64_t virtual_size;          /* -1: unknown */
  int64_t allocated;             /* -1: unknown (a device, remote) */
  char sha256[GS_SHA256_HEX];    /* "": not hashed (remote, unreadable) */
  bool remote;
};

struct gs_provenance {
  char *file;                    /* where the record goes */
  char *tool;
  string_vector argv;            /* the command line, secrets redacted */
  struct timespec started, finished;   /* finished 0: not yet */
  char invocation_id[37];        /* a random UUID */
  struct gs_prov_file *in, *out;
  size_t nin, nout;
  bool inputs_are_subjects;      /* inspect, dry runs: nothing made */
  json_object *config;           /* { files, config }, owned */
  json_object *plugins;          /* array of the tool's operations, owned */
  json_object *report;           /* the tool's report (a reference) */
  /* Host versions; NULL: probed when the record is written. */
  char *builder_id, *libguestfs, *qemu, *qemu_img, *kernel;
  bool host_probed;
};

struct gs_registry;
struct gs_config_layers;
struct gs_disk;

extern int gs_int_sha256_file (const char *path, char hex[GS_SHA256_HEX]);

/* Before anything runs: FILE's directory exists and is writable, and
 * FILE is not a directory (said, -1: the caller exits 2).
 */
extern int gs_int_provenance_check (const char *file);
extern void gs_int_provenance_init (struct gs_provenance *p,
                                    const char *file, const char *tool,
                                    int argc, const char *const *argv);
/* The plugin set (TOOL's family) and the effective configuration. */
extern void gs_int_provenance_env (struct gs_provenance *p,
                                   const struct gs_registry *reg,
                                   const config_t *merged,
                                   const string_vector *files,
                                   const struct gs_config_layers *sets);
/* An input, hashed now (before the run may change it). */
extern void gs_int_provenance_input (struct gs_provenance *p,
                                     const char *path, const char *format,
                                     int64_t virtual_size, bool remote);
/* An output, hashed when the record is written. */
extern void gs_int_provenance_output (struct gs_provenance *p,
                                      const char *path, const char *format);
/* The tool's report, as its --json prints it (a reference is taken). */
extern void gs_int_provenance_report (struct gs_provenance *p,
                                      json_object *report);
/* The end: outputs hashed, host versions probed (unless set). */
extern void gs_int_provenance_finish (struct gs_provenance *p);
extern json_object *gs_int_provenance_statement (const struct gs_provenance *p);
/* finish, then the statement to p->file: a temporary file beside it,
 * mode 0644, renamed over it.  -1 (said): no file, nor half of one.
 */
extern int gs_int_provenance_write (struct gs_provenance *p);
extern void gs_int_provenance_free (struct gs_provenance *p);

#endif /* GS_PROVENANCE_H */
