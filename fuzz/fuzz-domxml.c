/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-domxml: libvirt domain XML (--domxml FILE, and what libvirt
 * returns for -d) as common/domain.c reads it.  Any input must give
 * either a guest with at least one disk, every path absolute when a
 * base directory is given, or -1 with the guest left freeable.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "fuzz-util.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init (argc, argv, NULL);
  return 0;
}

static void
check (const uint8_t *data, size_t size, const char *base_dir)
{
  struct gs_guest guest = { 0 };
  int r = gs_int_domxml_parse ((const char *) data, size, "fuzz.xml",
                               base_dir, &guest);

  if (r == 0 && guest.ndisks == 0)
    fuzz_die ("parsed, but no disks");
  for (size_t i = 0; i < guest.ndisks; ++i) {
    const struct gs_disk *d = &guest.disks[i];

    if (d->path == NULL || d->path[0] == '\0')
      fuzz_die ("disk %zu has no path", i);
    /* A file's path is made absolute; a network disk is a URI. */
    if (base_dir && r == 0 && d->path[0] != '/' && !d->remote)
      fuzz_die ("disk %zu: relative path %s", i, d->path);
    if (d->remote != gs_int_uri_is_remote (d->path))
      fuzz_die ("disk %zu: remote flag wrong for %s", i, d->path);
    if (d->format && d->format[0] == '\0')
      fuzz_die ("disk %zu: empty format", i);
  }
  gs_int_guest_free (&guest);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* The two callers: --domxml FILE (paths relative to the file's
   * directory) and libvirt (no base directory).
   */
  check (data, size, "/var/lib/goldsmith");
  check (data, size, NULL);
  return 0;
}
