/* SPDX-License-Identifier: GPL-2.0-or-later */
/* applist.c: the application list of the inspect plugin (applist.h). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "applist.h"
#include "pkgdb.h"

void
gs_app_add (struct gs_app_list *l, const char *name,
            const char *display_name, int32_t epoch, const char *version,
            const char *release, const char *arch, const char *install_path,
            const char *publisher, const char *url,
            const char *source_package, const char *summary,
            const char *description)
{
  struct gs_app *a;

#define DUP(s) gs_xstrdup ((s) ? (s) : "")
  l->v = gs_xreallocarray (l->v, l->n + 1, sizeof *l->v);
  a = &l->v[l->n++];
  a->name = DUP (name);
  a->display_name = DUP (display_name);
  a->epoch = epoch;
  a->version = DUP (version);
  a->release = DUP (release);
  a->arch = DUP (arch);
  a->install_path = DUP (install_path);
  a->publisher = DUP (publisher);
  a->url = DUP (url);
  a->source_package = DUP (source_package);
  a->summary = DUP (summary);
  a->description = DUP (description);
#undef DUP
}

/* Sorted through an index array: ties broken by position (stable). */
struct at {
  const struct gs_app *a;
  size_t i;
};

static int
by_name (const void *x, const void *y)
{
  const struct at *p = x, *q = y;
  int c = strcmp (p->a->name, q->a->name);

  return c ? c : p->i < q->i ? -1 : p->i > q->i;
}

void
gs_app_list_sort (struct gs_app_list *l)
{
  struct at *ix;
  struct gs_app *v;

  if (l->n < 2)
    return;
  ix = gs_xcalloc (l->n, sizeof *ix);
  for (size_t i = 0; i < l->n; ++i) {
    ix[i].a = &l->v[i];
    ix[i].i = i;
  }
  qsort (ix, l->n, sizeof *ix, by_name);
  v = gs_xcalloc (l->n, sizeof *v);
  for (size_t i = 0; i < l->n; ++i)
    v[i] = *ix[i].a;
  free (l->v);
  free (ix);
  l->v = v;
}

void
gs_app_list_free (struct gs_app_list *l)
{
  for (size_t i = 0; i < l->n; ++i) {
    struct gs_app *a = &l->v[i];

    free (a->name); free (a->display_name); free (a->version);
    free (a->release); free (a->arch); free (a->install_path);
    free (a->publisher); free (a->url); free (a->source_package);
    free (a->summary); free (a->description);
  }
  free (l->v);
  l->v = NULL;
  l->n = 0;
}

const char *
gs_app_differs (const struct gs_app *a, const struct gs_app *b)
{
  static const struct { const char *name; size_t off; } f[] = {
#define F(x) { #x, offsetof (struct gs_app, x) }
    F (name), F (display_name), F (version), F (release), F (arch),
    F (install_path), F (publisher), F (url), F (source_package),
    F (summary), F (description),
#undef F
  };

  if (a->epoch != b->epoch)
    return "epoch";
  for (size_t i = 0; i < sizeof f / sizeof f[0]; ++i)
    if (strcmp (*(char *const *) ((const char *) a + f[i].off),
                *(char *const *) ((const char *) b + f[i].off)) != 0)
      return f[i].name;
  return NULL;
}

int32_t
gs_pkg_epoch (const char *s)
{
  char *end;
  long v;

  errno = 0;
  v = strtol (s, &end, 10);
  if (end == s || errno != 0 || *end != '\0')
    return -1;
  return (int32_t) v;            /* as libguestfs's int return */
}

void
gs_pkg_set (char **field, const char *v)
{
  free (*field);
  *field = gs_xstrdup (v);
}

char *
gs_pkg_split_version (char *v, int32_t *epoch, char **release)
{
  char *colon = strchr (v, ':'), *dash;

  *epoch = 0;
  if (colon) {
    *colon = '\0';
    *epoch = gs_pkg_epoch (v);
    v = colon + 1;
  }
  *release = NULL;
  if ((dash = strchr (v, '-')) != NULL) {
    *dash = '\0';
    *release = dash + 1;
  }
  return v;
}
