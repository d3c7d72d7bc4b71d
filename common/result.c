/* SPDX-License-Identifier: GPL-2.0-or-later */
/* result.c: building and freeing the results of a run (result.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"

/* Allocation failure ends the process (xalloc.c): a result is never
 * silently incomplete.
 */
static char *
dup (const char *s)
{
  return s ? gs_xstrdup (s) : NULL;
}

void
gs_int_result_init (struct gs_run_result *r, const char *tool, bool dry_run,
                    const struct gs_guest *guests, size_t n)
{
  memset (r, 0, sizeof *r);
  r->tool = dup (tool);
  r->dry_run = dry_run;
  r->nguests = n;
  r->guest = gs_xreallocarray (NULL, n, sizeof *r->guest);
  memset (r->guest, 0, n * sizeof *r->guest);
  for (size_t i = 0; i < n; ++i) {
    struct gs_guest_result *g = &r->guest[i];

    g->name = dup (guests[i].name);
    g->ndisks = guests[i].ndisks;
    g->disk = gs_xreallocarray (NULL, g->ndisks, sizeof *g->disk);
    for (size_t k = 0; k < g->ndisks; ++k) {
      g->disk[k].path = dup (guests[i].disks[k].path);
      g->disk[k].format = dup (guests[i].disks[k].format);
      g->disk[k].readonly = guests[i].disks[k].readonly;
    }
  }
}

/* The first error stays: it is the cause, later ones its echoes. */
void
gs_int_result_set_error (char **slot, const char *msg)
{
  if (*slot == NULL)
    *slot = dup (msg && msg[0] ? msg : "failed");
}

/* Several launches (several guests, or jobs): counted together; a TCG
 * fallback in any of them is reported.
 */
void
gs_int_result_launch (struct gs_run_result *r, int launches, bool tcg,
                      const char *accel)
{
  r->launches += launches;
  r->tcg_fallback = r->tcg_fallback || tcg;
  if (r->accel == NULL || tcg) {
    free (r->accel);
    r->accel = dup (tcg ? "tcg" : accel);
  }
}

struct gs_root_result *
gs_int_result_add_root (struct gs_guest_result *g, const char *root)
{
  struct gs_root_result *rr;

  g->root = gs_xreallocarray (g->root, g->nroots + 1, sizeof *g->root);
  rr = &g->root[g->nroots++];
  memset (rr, 0, sizeof *rr);
  rr->root = dup (root);
  return rr;
}

struct gs_op_result *
gs_int_result_add_op (struct gs_op_results *ops, const char *name)
{
  struct gs_op_result *o;

  ops->op = gs_xreallocarray (ops->op, ops->n + 1, sizeof *ops->op);
  o = &ops->op[ops->n++];
  memset (o, 0, sizeof *o);
  o->name = dup (name);
  return o;
}

void
gs_int_result_add_path (struct gs_op_result *op, const char *path,
                        int action, int64_t bytes)
{
  struct gs_path_result *p;

  op->paths = gs_xreallocarray (op->paths, op->npaths + 1, sizeof *op->paths);
  p = &op->paths[op->npaths++];
  p->path = dup (path);
  p->action = action;
  p->bytes = bytes;
  if (bytes > 0)
    op->bytes += bytes;
}

void
gs_int_fields_set (struct gs_fields *f, const char *key, const char *value)
{
  size_t i;

  for (i = 0; i < f->n && strcmp (f->key[i], key) != 0; ++i)
    ;
  if (i < f->n) {
    free (f->value[i]);
    if (value) {
      f->value[i] = dup (value);
      return;
    }
    free (f->key[i]);
    memmove (&f->key[i], &f->key[i + 1], (f->n - i - 1) * sizeof *f->key);
    memmove (&f->value[i], &f->value[i + 1],
             (f->n - i - 1) * sizeof *f->value);
    f->n--;
    return;
  }
  if (value == NULL)
    return;
  f->key = gs_xreallocarray (f->key, f->n + 1, sizeof *f->key);
  f->value = gs_xreallocarray (f->value, f->n + 1, sizeof *f->value);
  f->key[f->n] = dup (key);
  f->value[f->n++] = dup (value);
}

const char *
gs_int_fields_get (const struct gs_fields *f, const char *key)
{
  for (size_t i = 0; f && i < f->n; ++i)
    if (strcmp (f->key[i], key) == 0)
      return f->value[i];
  return NULL;
}

/* The list NAME of IR (made if missing); with ADD, a new empty item of
 * it, which is returned; else the list's last item (NULL if empty).
 */
struct gs_fields *
gs_int_inspect_list (struct gs_inspect_result *ir, const char *name, bool add)
{
  struct gs_inspect_list *l = NULL;

  for (size_t i = 0; i < ir->nlists && l == NULL; ++i)
    if (strcmp (ir->list[i].name, name) == 0)
      l = &ir->list[i];
  if (l == NULL) {
    ir->list = gs_xreallocarray (ir->list, ir->nlists + 1, sizeof *ir->list);
    l = &ir->list[ir->nlists++];
    memset (l, 0, sizeof *l);
    l->name = dup (name);
  }
  if (add) {
    l->item = gs_xreallocarray (l->item, l->n + 1, sizeof *l->item);
    memset (&l->item[l->n], 0, sizeof *l->item);
    l->n++;
  }
  return l->n ? &l->item[l->n - 1] : NULL;
}

static void
fields_free (struct gs_fields *f)
{
  for (size_t i = 0; i < f->n; ++i) {
    free (f->key[i]);
    free (f->value[i]);
  }
  free (f->key);
  free (f->value);
  memset (f, 0, sizeof *f);
}

void
gs_int_op_results_free (struct gs_op_results *ops)
{
  for (size_t i = 0; i < ops->n; ++i) {
    struct gs_op_result *o = &ops->op[i];

    free (o->name);
    free (o->reason);
    for (size_t k = 0; k < o->npaths; ++k)
      free (o->paths[k].path);
    free (o->paths);
  }
  free (ops->op);
  memset (ops, 0, sizeof *ops);
}

static void
inspect_free (struct gs_inspect_result *ir)
{
  if (ir == NULL)
    return;
  fields_free (&ir->fields);
  for (size_t i = 0; i < ir->nlists; ++i) {
    for (size_t k = 0; k < ir->list[i].n; ++k)
      fields_free (&ir->list[i].item[k]);
    free (ir->list[i].item);
    free (ir->list[i].name);
  }
  free (ir->list);
  free (ir);
}

void
gs_int_guest_result_free (struct gs_guest_result *g)
{
  free (g->name);
  for (size_t k = 0; k < g->ndisks; ++k) {
    free (g->disk[k].path);
    free (g->disk[k].format);
  }
  free (g->disk);
  for (size_t k = 0; k < g->nroots; ++k) {
    struct gs_root_result *rr = &g->root[k];

    free (rr->root);
    fields_free (&rr->os);
    gs_int_op_results_free (&rr->ops);
    inspect_free (rr->inspect);
    free (rr->error);
  }
  free (g->root);
  free (g->error);
  memset (g, 0, sizeof *g);
}

void
gs_int_result_free (struct gs_run_result *r)
{
  for (size_t i = 0; i < r->nguests; ++i)
    gs_int_guest_result_free (&r->guest[i]);
  free (r->guest);
  free (r->tool);
  free (r->accel);
  memset (r, 0, sizeof *r);
}

int
gs_int_result_exit (const struct gs_run_result *r)
{
  int code = GS_EXIT_OK;

  for (size_t i = 0; i < r->nguests; ++i)
    if (r->guest[i].exit != GS_EXIT_OK)
      code = r->guest[i].exit;
  return code;
}

/* A fleet: GS_EXIT_PARTIAL when only some guests failed, GS_EXIT_ERROR
 * when all did; one guest: its own code.
 */
int
gs_int_result_exit_fleet (const struct gs_run_result *r)
{
  size_t failed = 0;

  for (size_t i = 0; i < r->nguests; ++i)
    failed += r->guest[i].exit != GS_EXIT_OK;
  if (r->nguests > 1 && failed > 0)
    return failed < r->nguests ? GS_EXIT_PARTIAL : GS_EXIT_ERROR;
  return gs_int_result_exit (r);
}
