/* SPDX-License-Identifier: GPL-2.0-or-later */
/* applist.h: the inspect plugin's list of applications, whichever
 * reader filled it (libguestfs's inspect_list_applications2, or
 * goldsmith's own dpkg.c), so both are printed and compared alike.
 */
#ifndef GS_INSPECT_APPLIST_H
#define GS_INSPECT_APPLIST_H

#include <stddef.h>
#include <stdint.h>

/* One application, libguestfs's struct guestfs_application2 less its
 * unused fields; "" (never NULL) where a field is empty.
 */
struct gs_app {
  char *name, *display_name;
  int32_t epoch;
  char *version, *release, *arch, *install_path, *publisher, *url;
  char *source_package, *summary, *description;
};

struct gs_app_list {
  struct gs_app *v;
  size_t n;
};

/* Append an application (copies of the strings; NULL taken as ""). */
extern void gs_app_add (struct gs_app_list *l, const char *name,
                        const char *display_name, int32_t epoch,
                        const char *version, const char *release,
                        const char *arch, const char *install_path,
                        const char *publisher, const char *url,
                        const char *source_package, const char *summary,
                        const char *description);
/* By name (strcmp), equal names kept in the order read, as libguestfs
 * sorts its list (glibc's qsort is a stable merge sort there).
 */
extern void gs_app_list_sort (struct gs_app_list *l);
extern void gs_app_list_free (struct gs_app_list *l);
/* The first field in which A and B differ ("name", "epoch", ...), or
 * NULL if they are the same.
 */
extern const char *gs_app_differs (const struct gs_app *a,
                                   const struct gs_app *b);

#endif /* GS_INSPECT_APPLIST_H */
