/* SPDX-License-Identifier: GPL-2.0-or-later */
/* summary.c: sparsify's text report, a view of the JSON one: a line
 * per device, then the allocated sizes before and after.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cleanups.h"
#include "sparsify-int.h"

void
gs_int_sparsify_print_text (json_object *report,
                            const struct gs_sparsify_job *j, int64_t after)
{
  json_object *records;
  char h1[32], h2[32];

  if (!json_object_object_get_ex (report, "devices", &records))
    return;
  for (size_t i = 0; i < json_object_array_length (records); ++i) {
    json_object *r = json_object_array_get_idx (records, i), *v;
    const char *dev = "", *content = "", *status = "", *method = NULL;
    int64_t bytes = 0;

    if (json_object_object_get_ex (r, "device", &v))
      dev = json_object_get_string (v);
    if (json_object_object_get_ex (r, "content", &v))
      content = json_object_get_string (v);
    if (json_object_object_get_ex (r, "status", &v))
      status = json_object_get_string (v);
    if (json_object_object_get_ex (r, "method", &v))
      method = json_object_get_string (v);
    if (json_object_object_get_ex (r, "bytes", &v))
      bytes = json_object_get_int64 (v);
    /* Types and VG names come from the guest's disk: sanitised. */
    {
      CLEANUP_FREE char *d = gs_int_sanitise_utf8 (dev);
      CLEANUP_FREE char *c = gs_int_sanitise_utf8 (content);

      if (strcmp (status, "applied") == 0)
        printf ("%-24s %-8s %-9s %10s%s\n", d, c, method ? method : "",
                gs_int_human_size (bytes, h1, sizeof h1),
                j->dry_run ? " would be made sparse" : " made sparse");
      else
        printf ("%-24s %-8s %s\n", d, c, status);
    }
  }
  if (j->in_allocated >= 0)
    printf ("%s: %s allocated (virtual size %s)\n", j->in,
            gs_int_human_size (j->in_allocated, h1, sizeof h1),
            gs_int_human_size (j->disk->virtual_size, h2, sizeof h2));
  if (after >= 0 && !j->dry_run) {
    printf ("%s: %s allocated", j->in_place ? j->in : j->out,
            gs_int_human_size (after, h1, sizeof h1));
    if (j->in_allocated > 0)
      printf (" (%s less)", gs_int_human_size (j->in_allocated - after, h2,
                                               sizeof h2));
    printf ("\n");
  }
}
