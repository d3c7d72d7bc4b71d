/* SPDX-License-Identifier: GPL-2.0-or-later */
/* result.h: what a run did, as C structures.  The engine (engine.c,
 * run.c, content.c) fills them; report.c renders them as JSON or text,
 * inspect.c as virt-inspector's XML; exit codes are computed from them
 * (gs_int_result_exit), never from rendered output.  Strings are kept as
 * they came (a guest's bytes, an error message whole); each renderer
 * makes them valid for its format.
 */
#ifndef GS_RESULT_H
#define GS_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Ordered string pairs: inspection facts, an inspect record.  Setting a
 * key again replaces its value in place; a NULL value removes it.
 */
struct gs_fields {
  size_t n;
  char **key, **value;
};

struct gs_path_result {
  char *path;
  int action;                    /* enum gs_action */
  int64_t bytes;
};

/* One operation on one root or device. */
struct gs_op_result {
  char *name;
  int status;                    /* GS_OP_* */
  char *reason;                  /* why not applied, or the error, whole */
  struct gs_path_result *paths;
  size_t npaths;
  int64_t bytes;                 /* sum of the paths' positive sizes */
  int64_t duration_ms;
  const char *method;            /* sparsify: how (a plugin's constant) */
};

struct gs_op_results {
  size_t n;
  struct gs_op_result *op;
};

/* An inspect root's record: fields, then named lists of items. */
struct gs_inspect_list {
  char *name;
  size_t n;
  struct gs_fields *item;
};

struct gs_inspect_result {
  struct gs_fields fields;
  size_t nlists;
  struct gs_inspect_list *list;
};

struct gs_root_result {
  char *root;
  struct gs_fields os;           /* the inspection facts */
  struct gs_op_results ops;
  struct gs_inspect_result *inspect;  /* family "inspect" only */
  char *error;                   /* it could not be mounted */
};

struct gs_disk_result {
  char *path, *format;
  bool readonly;
};

enum gs_commit { GS_COMMIT_NONE, GS_COMMIT_DONE, GS_COMMIT_NOT_DONE };

struct gs_guest_result {
  char *name;
  size_t ndisks;
  struct gs_disk_result *disk;
  size_t nroots;
  struct gs_root_result *root;
  char *error;
  enum gs_commit committed;      /* NONE: nothing was to be committed */
  int exit;                      /* GS_EXIT_* */
};

struct gs_run_result {
  char *tool;
  bool dry_run;
  size_t nguests;
  struct gs_guest_result *guest;
  int launches;                  /* 0: none tried ("appliance" absent) */
  bool tcg_fallback;
  char *accel;
};

struct gs_guest;

/* result.c: building and freeing.  Allocation failure ends the process
 * (gs_int_oom): a result is never silently incomplete.
 */
extern void gs_int_result_init (struct gs_run_result *r, const char *tool,
                                bool dry_run, const struct gs_guest *guests,
                                size_t n);
extern void gs_int_result_free (struct gs_run_result *r);
extern void gs_int_result_set_error (char **slot, const char *msg);
extern void gs_int_result_launch (struct gs_run_result *r, int launches,
                                  bool tcg, const char *accel);
extern struct gs_root_result *gs_int_result_add_root
  (struct gs_guest_result *g, const char *root);
extern struct gs_op_result *gs_int_result_add_op (struct gs_op_results *ops,
                                                  const char *name);
extern void gs_int_result_add_path (struct gs_op_result *op,
                                    const char *path, int action,
                                    int64_t bytes);
extern void gs_int_op_results_free (struct gs_op_results *ops);
extern void gs_int_guest_result_free (struct gs_guest_result *g);
extern void gs_int_fields_set (struct gs_fields *f, const char *key,
                               const char *value);
extern const char *gs_int_fields_get (const struct gs_fields *f,
                                      const char *key);
extern struct gs_fields *gs_int_inspect_list (struct gs_inspect_result *ir,
                                              const char *name, bool add);
/* The last code of the guests that is not GS_EXIT_OK, or GS_EXIT_OK. */
extern int gs_int_result_exit (const struct gs_run_result *r);
/* Several guests: GS_EXIT_PARTIAL when only some failed, GS_EXIT_ERROR
 * when all did.  One: its code.
 */
extern int gs_int_result_exit_fleet (const struct gs_run_result *r);

/* report.c: the renderers, and the wire form of a guest's result
 * (jobs.c: a child sends its guests' results to the parent as JSON).
 */
extern json_object *gs_int_result_json (const struct gs_run_result *r);
extern json_object *gs_int_guest_result_json (const struct gs_guest_result *g,
                                              bool with_oses);
extern json_object *gs_int_op_results_json (const struct gs_op_results *ops);
extern json_object *gs_int_op_result_json (const struct gs_op_result *o);
extern int gs_int_guest_result_from_json (json_object *j,
                                          struct gs_guest_result *g);
extern void gs_int_result_print_text (const struct gs_run_result *r);
/* "applied", "not-applicable", "skipped", "failed" (GS_OP_*). */
extern const char *gs_int_op_status_name (int status);

#endif /* GS_RESULT_H */
