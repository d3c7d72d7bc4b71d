/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch.h: what the parts of `goldsmith batch` (cli/batch/) share: the
 * manifest (manifest.c), the plan and the command (batch.c), running
 * each step as a goldsmith subcommand (run.c), the combined report
 * (report.c), the per-image state kept between runs (state.c), what it
 * may overwrite (outputs.c), one run at a time (lock.c), and their leaf
 * helpers (util.c).
 */
#ifndef GS_BATCH_H
#define GS_BATCH_H

#include "cli/cli.h"

/* The tools a pipeline may hold, in the order of batch_tool_names. */
enum batch_tool { BT_SYSPREP, BT_INSPECT, BT_SPARSIFY, BT_RESIZE, BT_NTOOLS };
extern const char *const batch_tool_names[BT_NTOOLS];

/* What a pipeline step became (report: batch_status_names). */
enum batch_status {
  BS_PENDING,                    /* not run (yet, or --plan) */
  BS_OK,
  BS_FAILED,
  BS_SKIPPED,                    /* an earlier step of the image failed */
  BS_ALREADY,                    /* done by an earlier batch (the state) */
};
extern const char *const batch_status_names[];

/* One step of an image's pipeline: the tool with its final arguments
 * (the manifest's defaults, then the image's own).
 */
struct batch_step {
  enum batch_tool tool;
  string_vector args;
  char *out;                     /* sparsify, resize: the copy written */
  int line;                      /* of the image's args, else the defaults' */
  /* Filled while running. */
  enum batch_status status;
  int exit_status;
  size_t run;                    /* 1-based run that did it, 0: none */
  json_object *report;           /* the tool's report of this guest */
};

/* One manifest entry: one guest. */
struct batch_image {
  size_t entry;                  /* 1-based place in the manifest */
  int line;
  char *name;                    /* for people and the report */
  enum gs_input_kind kind;       /* ADD, DOMXML or DOMAIN */
  string_vector add;             /* ADD: the disks, absolute */
  char *format;                  /* ADD: format of every disk, or NULL */
  char *domxml;                  /* DOMXML: absolute */
  char *domain, *connect;        /* DOMAIN (CONNECT may be NULL) */
  string_vector disks;           /* the guest's disks, canonical: its key */
  string_vector disk_formats;    /* "" where unknown (probed) */
  struct batch_step steps[BT_NTOOLS];
  size_t nsteps;
  size_t resume;                 /* first step not done (from the state) */
  bool failed;
};

struct batch_manifest {
  char *file;                    /* as given */
  char *dir;                     /* absolute: relative paths start here */
  char *report;                  /* absolute, before --shard renames it */
  int report_line;               /* of 'report', 0: the default name */
  char *provenance;              /* absolute directory, or NULL */
  struct batch_image *images;
  size_t n;
};

/* One command of the plan: one tool over some images. */
struct run {
  enum batch_tool tool;
  struct batch_image **imgs;
  size_t *steps;                 /* each image's step index */
  size_t n;
  bool has_domain;               /* it takes a libvirt domain (-d) */
  const char *connect;           /* their -c, or NULL: the default URI */
  /* Filled when it ran. */
  bool ran;
  bool *live;                    /* the images its last command took */
  int exit_status;
  double seconds;
  string_vector argv;
  json_object *appliance;
  char *prov_tmp;                /* the record its command writes */
};

/* The whole batch. */
struct batch {
  struct batch_manifest m;
  bool dry_run;
  struct batch_image **sel;      /* this shard's images */
  size_t nsel;
  unsigned shard_i, shard_n;
  char *report;                  /* this shard's */
  char *state_dir;
  struct run *runs;
  size_t nruns;
  char *tmpdir;                  /* domain XML for guests of several -a */
  double seconds;
  int lock_fd[2];                /* lock.c; -1: none */
  unsigned merged;               /* --merge-reports N: N; 0: a run */
};

/* batch.c */
extern bool batch_same_args (const struct batch_step *a,
                             const struct batch_step *b);
extern int batch_finish (struct batch *b);

/* merge.c: the reports of the N shards of the manifest made one,
 * as a run of the whole manifest on one machine writes it.  0: B holds
 * the merged images and runs; -1: a shard's report is missing or not
 * of this manifest and layout (said).
 */
extern int batch_merge (struct batch *b, unsigned n);

/* run.c */
extern double batch_now (void);
extern void batch_catch_signals (bool on);
extern int batch_signal (void);
extern int batch_check_args (struct batch *b);
extern int batch_build_argv (struct batch *b, struct run *r, const bool *live,
                             string_vector *argv);
extern void batch_execute (struct batch *b, struct run *r);
extern const char *batch_jstr (json_object *o, const char *key);

/* report.c */
extern const char *batch_image_status (const struct batch_image *img);
extern json_object *batch_report (struct batch *b, bool complete, int code);
extern int batch_write_report (struct batch *b, bool complete, int code);
extern void batch_print_text (struct batch *b, int code);
extern void batch_carry_over (struct batch *b);

/* run.c: the record of run R's command, put under the name of
 * each step it did (goldsmith-batch(1), PROVENANCE).
 */
extern void batch_provenance_link (const struct batch *b, const struct run *r,
                                   const bool *live);

/* outputs.c: the report and state replace only what batch wrote. */
extern int batch_check_outputs (const struct batch *b);
extern int batch_check_report (const struct batch *b);

/* lock.c: one run of a manifest (or of a shard) at a time on
 * this host.  0: held until exit; -1: an error (said); -2: another run
 * holds it (said, with its pid: exit GS_EXIT_BUSY).
 */
extern int batch_lock (struct batch *b);

/* util.c: leaf helpers (they call nothing else of batch).
 * batch_beside: fleet.json -> fleet.EXT (state dir, lock files);
 * batch_shard_report: fleet.json -> fleet.shard-I-of-N.json;
 * batch_write_atomic: TEXT to PATH, flushed, renamed into place;
 * batch_strings_json / batch_strings_equal: a string list as JSON, and
 * whether a JSON array holds the same; batch_print_word: S as one
 * shell word.
 */
extern char *batch_beside (const char *report, const char *ext);
extern char *batch_shard_report (const char *report, unsigned i, unsigned n);
extern int batch_write_atomic (const char *path, const char *text);
extern json_object *batch_strings_json (const string_vector *v);
extern bool batch_strings_equal (json_object *a, const string_vector *v);
extern void batch_print_word (FILE *fp, const char *s);

/* manifest.c */
extern int batch_manifest_load (const char *file, struct batch_manifest *m);
extern void batch_manifest_free (struct batch_manifest *m);

/* state.c: one small JSON file per image in a directory beside
 * the report, so shards never write the same file and any --shard
 * layout resumes what another one did.
 */
extern char *batch_state_file (const char *dir, const struct batch_image *img);
extern void batch_state_resume (const char *dir, struct batch_image *img);
extern int batch_state_save (const char *dir, const struct batch_image *img,
                             size_t done);
extern const char *batch_step_input (const struct batch_image *img, size_t step);

#endif /* GS_BATCH_H */
