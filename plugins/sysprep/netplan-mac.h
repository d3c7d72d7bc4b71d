/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netplan-mac.h: take the MAC-address bindings out of a netplan YAML
 * file, as text, leaving every other byte as it was.  A pure function
 * (no guest, no appliance) so that tests/unit/test-netplan-mac.c can
 * try many cases cheaply; net-mac-bindings reads and writes the file.
 *
 * For each physical device (under network: ethernets, wifis or modems)
 * whose match: holds a macaddress:
 *
 * - other match keys (name, driver) remain: only the macaddress goes;
 * - it was the only one: the match: goes, with set-name: when set-name
 *   is the device's own id or missing, so that netplan matches the
 *   interface by that name; when set-name names another interface,
 *   match: becomes { name: SET-NAME } (the name the interface had) and
 *   set-name: goes.  An empty match: is never left: it would match
 *   every interface.
 *
 * With GS_NETPLAN_ASSIGNED, a MAC address given to a device of any
 * kind (macaddress: directly under the device, e.g. a bond's) goes too,
 * so that clones do not share it; values that are not MAC addresses
 * (netplan's "random", "permanent", ...) stay.
 *
 * The parser knows the block-style YAML netplan and cloud-init write
 * (any indentation, comments, CRLF, flow mappings on one line, block
 * scalars and multi-line flow values it skips).  What it does not
 * understand it leaves alone and explains in ->note.
 */
#ifndef GS_NETPLAN_MAC_H
#define GS_NETPLAN_MAC_H

#include <stddef.h>

enum { GS_NETPLAN_ASSIGNED = 1 };

struct gs_netplan_result {
  char *text;                    /* the new text (edits > 0), NUL-terminated */
  size_t len;
  int edits;                     /* MAC addresses taken out */
  char *note;                    /* what was left and why, or NULL */
};

/* Returns edits (0: unchanged), or -1 if out of memory. */
extern int gs_netplan_unbind_mac (const char *in, size_t len, unsigned flags,
                                  struct gs_netplan_result *res);
extern void gs_netplan_result_free (struct gs_netplan_result *res);

#endif /* GS_NETPLAN_MAC_H */
