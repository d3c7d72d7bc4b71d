/* SPDX-License-Identifier: GPL-2.0-or-later */
/* swap-util.h: make a swap area again over its whole device, keeping
 * its UUID and label (fstab and resume= name swap by either).  Shared
 * by resize (the device grew) and sparsify (its old pages were
 * discarded, header included: read the identity first); header only:
 * plugins export nothing but their entry point.
 */
#ifndef GS_SWAP_UTIL_H
#define GS_SWAP_UTIL_H

#include <stdlib.h>

#include "goldsmith-plugin.h"

struct gs_swap_id {
  char *label, *uuid;            /* "" when unset */
};

static inline int
gs_swap_id_read (guestfs_h *g, const char *dev, struct gs_swap_id *id)
{
  id->label = guestfs_vfs_label (g, dev);
  id->uuid = id->label ? guestfs_vfs_uuid (g, dev) : NULL;
  if (id->uuid == NULL) {
    free (id->label);
    id->label = NULL;
    return -1;
  }
  return 0;
}

/* mkswap DEV with ID; frees ID's strings. */
static inline int
gs_swap_recreate (guestfs_h *g, const char *dev, struct gs_swap_id *id)
{
  struct guestfs_mkswap_opts_argv a = { .bitmask = 0 };
  int r;

  /* An unset label or UUID is "": mkswap would refuse it as an option. */
  if (id->label && id->label[0]) {
    a.bitmask |= GUESTFS_MKSWAP_OPTS_LABEL_BITMASK;
    a.label = id->label;
  }
  if (id->uuid && id->uuid[0]) {
    a.bitmask |= GUESTFS_MKSWAP_OPTS_UUID_BITMASK;
    a.uuid = id->uuid;
  }
  r = guestfs_mkswap_opts_argv (g, dev, &a);
  free (id->label);
  free (id->uuid);
  id->label = id->uuid = NULL;
  return r;
}

#endif /* GS_SWAP_UTIL_H */
