/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-netplan-mac: gs_netplan_unbind_mac (plugins/sysprep/netplan-mac.c),
 * the netplan YAML edit of net-mac-bindings, on many files: what goes,
 * and that every other byte stays.  No appliance.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "netplan-mac.h"
#include "edit-util.h"

/* IN through the edit: OUT is the expected text (NULL: unchanged),
 * EDITS the count, NOTE a substring of the note (NULL: no note).
 */
static void
check (const char *what, const char *in, unsigned flags, const char *out,
       int edits, const char *note)
{
  struct gs_netplan_result res;
  int r = gs_netplan_unbind_mac (in, strlen (in), flags, &res);

  is_int (r, edits, "%s: %d edit(s)", what, edits);
  if (out)
    is_str (res.text, out, "%s: the new text", what);
  else
    ok (res.text == NULL, "%s: no new text", what);
  if (note) {
    if (!ok (res.note && strstr (res.note, note), "%s: note says \"%s\"",
             what, note))
      diag ("note: %s", res.note ? res.note : "(none)");
  }
  else if (!ok (res.note == NULL, "%s: no note", what))
    diag ("note: %s", res.note);
  gs_netplan_result_free (&res);
}

int
main (void)
{
  plan (97);

  /* cloud-init's file: set-name is the id, so match: and set-name: go
   * and netplan matches eth0 by name.
   */
  check ("cloud-init, 4-space indent",
         "# This file is generated from information provided by the datasource.\n"
         "network:\n"
         "    ethernets:\n"
         "        eth0:\n"
         "            dhcp4: true\n"
         "            match:\n"
         "                macaddress: 52:54:00:12:34:56\n"
         "            set-name: eth0\n"
         "    version: 2\n", 0,
         "# This file is generated from information provided by the datasource.\n"
         "network:\n"
         "    ethernets:\n"
         "        eth0:\n"
         "            dhcp4: true\n"
         "    version: 2\n", 1, NULL);

  check ("2-space indent, quoted MAC, match after set-name",
         "network:\n"
         "  version: 2\n"
         "  ethernets:\n"
         "    ens3:\n"
         "      set-name: \"ens3\"\n"
         "      match:\n"
         "        macaddress: \"fa:16:3e:00:00:01\"\n"
         "      addresses: [10.0.0.5/24]\n", 0,
         "network:\n"
         "  version: 2\n"
         "  ethernets:\n"
         "    ens3:\n"
         "      addresses: [10.0.0.5/24]\n", 1, NULL);

  /* Other match keys remain: only the MAC address goes. */
  check ("driver stays",
         "network:\n"
         "  ethernets:\n"
         "    lan:\n"
         "      match:\n"
         "        driver: virtio_net\n"
         "        macaddress: 52:54:00:ab:cd:ef   # second NIC\n"
         "      set-name: lan\n", 0,
         "network:\n"
         "  ethernets:\n"
         "    lan:\n"
         "      match:\n"
         "        driver: virtio_net\n"
         "      set-name: lan\n", 1, NULL);

  /* No set-name: the id is the name to match. */
  check ("no set-name",
         "network:\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      match:\n"
         "        macaddress: 52:54:00:12:34:56\n"
         "      dhcp4: yes\n", 0,
         "network:\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      dhcp4: yes\n", 1, NULL);

  /* set-name names another interface: match it by that name. */
  check ("set-name differs from the id",
         "network:\n"
         "  ethernets:\n"
         "    uplink:\n"
         "      match:\n"
         "        macaddress: 52:54:00:12:34:56  # the NIC\n"
         "      set-name: wan0\n"
         "      dhcp4: true\n", 0,
         "network:\n"
         "  ethernets:\n"
         "    uplink:\n"
         "      match:\n"
         "        name: wan0  # the NIC\n"
         "      dhcp4: true\n", 1, NULL);

  /* Flow mappings on one line. */
  check ("flow match, only the MAC",
         "network:\n"
         "  ethernets:\n"
         "    eth0: \n"
         "      match: {macaddress: \"52:54:00:12:34:56\"}\n"
         "      set-name: eth0\n"
         "      dhcp6: false\n", 0,
         "network:\n"
         "  ethernets:\n"
         "    eth0: \n"
         "      dhcp6: false\n", 1, NULL);
  check ("flow match, MAC first of two",
         "network:\n"
         "  ethernets:\n"
         "    e1:\n"
         "      match: { macaddress: 52:54:00:12:34:56, driver: e1000 }\n", 0,
         "network:\n"
         "  ethernets:\n"
         "    e1:\n"
         "      match: { driver: e1000 }\n", 1, NULL);
  check ("flow match, MAC last of three",
         "network:\n"
         "  ethernets:\n"
         "    e1:\n"
         "      match: {name: \"en*\", driver: [e1000, igb], macaddress: 52:54:00:12:34:56}\n", 0,
         "network:\n"
         "  ethernets:\n"
         "    e1:\n"
         "      match: {name: \"en*\", driver: [e1000, igb]}\n", 1, NULL);
  check ("flow match, set-name differs",
         "network:\n"
         "  ethernets:\n"
         "    nic:\n"
         "      match: {macaddress: 52:54:00:12:34:56}  # pinned\n"
         "      set-name: 'lan0'\n", 0,
         "network:\n"
         "  ethernets:\n"
         "    nic:\n"
         "      match: {name: 'lan0'}  # pinned\n", 1, NULL);

  /* MAC addresses given to devices: only with GS_NETPLAN_ASSIGNED, only
   * real addresses.
   */
  {
    const char *bond =
      "network:\n"
      "  bonds:\n"
      "    bond0:\n"
      "      interfaces: [eth0, eth1]\n"
      "      macaddress: 52:54:00:99:99:99\n"
      "      parameters:\n"
      "        mode: active-backup\n"
      "  ethernets:\n"
      "    eth0:\n"
      "      macaddress: random\n"
      "    eth1:\n"
      "      macaddress: \"02:00:00:00:00:01\"\n";

    check ("assigned MACs kept without the flag", bond, 0, NULL, 0, NULL);
    check ("assigned MACs dropped with the flag", bond, GS_NETPLAN_ASSIGNED,
           "network:\n"
           "  bonds:\n"
           "    bond0:\n"
           "      interfaces: [eth0, eth1]\n"
           "      parameters:\n"
           "        mode: active-backup\n"
           "  ethernets:\n"
           "    eth0:\n"
           "      macaddress: random\n"
           "    eth1: {}\n", 2, NULL);
  }

  /* Several devices, each on its own. */
  check ("two devices in one file",
         "network:\n"
         "  version: 2\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      match:\n"
         "        macaddress: 52:54:00:00:00:01\n"
         "      set-name: eth0\n"
         "      dhcp4: true\n"
         "    eth1:\n"
         "      match:\n"
         "        macaddress: 52:54:00:00:00:02\n"
         "        name: eth*\n"
         "      set-name: eth1\n"
         "      addresses:\n"
         "        - 192.0.2.1/24\n", 0,
         "network:\n"
         "  version: 2\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      dhcp4: true\n"
         "    eth1:\n"
         "      match:\n"
         "        name: eth*\n"
         "      set-name: eth1\n"
         "      addresses:\n"
         "        - 192.0.2.1/24\n", 2, NULL);

  /* Nothing to do. */
  check ("no MAC address at all",
         "network:\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      dhcp4: true\n", GS_NETPLAN_ASSIGNED, NULL, 0, NULL);
  check ("empty file", "", GS_NETPLAN_ASSIGNED, NULL, 0, NULL);

  /* Decoys: comments, block scalars, other places. */
  check ("comments and a block scalar mention macaddress",
         "# match: macaddress: 52:54:00:12:34:56\n"
         "network:\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      # macaddress: 52:54:00:12:34:56\n"
         "      dhcp4: true\n"
         "      dhcp4-overrides: {hostname: x}\n"
         "  # a note\n"
         "notes: |\n"
         "  macaddress: 52:54:00:12:34:56\n"
         "  match:\n"
         "    macaddress: 52:54:00:12:34:56\n", GS_NETPLAN_ASSIGNED,
         NULL, 0, NULL);
  check ("a comment inside match: stays",
         "network:\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      match:\n"
         "        # pinned by the installer\n"
         "        macaddress: 52:54:00:12:34:56\n"
         "      set-name: eth0\n", 0,
         "network:\n"
         "  ethernets:\n"
         "    eth0: {}\n"
         "        # pinned by the installer\n", 1, NULL);
  check ("macaddress under match of a bond is not netplan's: left, noted",
         "network:\n"
         "  bonds:\n"
         "    bond0:\n"
         "      match:\n"
         "        macaddress: 52:54:00:12:34:56\n", GS_NETPLAN_ASSIGNED,
         NULL, 0, "not handled");

  /* A device with nothing left is an empty mapping, not a null. */
  check ("a device left empty, with a comment",
         "network:\n"
         "  ethernets:\n"
         "    eth1:   # spare port\n"
         "      macaddress: 02:00:00:00:00:01\n"
         "    eth2:\n"
         "      macaddress: 02:00:00:00:00:02\n"
         "      mtu: 9000\n", GS_NETPLAN_ASSIGNED,
         "network:\n"
         "  ethernets:\n"
         "    eth1:   {} # spare port\n"
         "    eth2:\n"
         "      mtu: 9000\n", 2, NULL);

  check ("document marker, match with a block list",
         "---\n"
         "network:\n"
         "  ethernets:\n"
         "    nic0:\n"
         "      match:\n"
         "        driver:\n"
         "          - ixgbe\n"
         "          - i40e\n"
         "        macaddress: 3c:fd:fe:00:00:01\n"
         "      set-name: nic0\n", 0,
         "---\n"
         "network:\n"
         "  ethernets:\n"
         "    nic0:\n"
         "      match:\n"
         "        driver:\n"
         "          - ixgbe\n"
         "          - i40e\n"
         "      set-name: nic0\n", 1, NULL);

  /* Line endings and the last line. */
  check ("CRLF line endings are kept",
         "network:\r\n"
         "  ethernets:\r\n"
         "    eth0:\r\n"
         "      match:\r\n"
         "        macaddress: 52:54:00:12:34:56\r\n"
         "        driver: virtio_net\r\n"
         "      set-name: eth0\r\n", 0,
         "network:\r\n"
         "  ethernets:\r\n"
         "    eth0:\r\n"
         "      match:\r\n"
         "        driver: virtio_net\r\n"
         "      set-name: eth0\r\n", 1, NULL);
  check ("no newline at the end",
         "network:\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      dhcp4: true\n"
         "      match:\n"
         "        macaddress: 52:54:00:12:34:56", 0,
         "network:\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      dhcp4: true\n", 1, NULL);

  /* Quoted keys and a quoted id. */
  check ("quoted keys",
         "\"network\":\n"
         "  'ethernets':\n"
         "    \"eth0\":\n"
         "      \"match\":\n"
         "        'macaddress': 52:54:00:12:34:56\n"
         "      set-name: eth0\n", 0,
         "\"network\":\n"
         "  'ethernets':\n"
         "    \"eth0\": {}\n", 1, NULL);

  /* A value over several lines before the match is skipped, not
   * misread.
   */
  check ("multi-line flow sequence before match",
         "network:\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      addresses: [\n"
         "        192.0.2.1/24,\n"
         "        \"2001:db8::1/64\" ]\n"
         "      match:\n"
         "        macaddress: 52:54:00:12:34:56\n", 0,
         "network:\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      addresses: [\n"
         "        192.0.2.1/24,\n"
         "        \"2001:db8::1/64\" ]\n", 1, NULL);

  /* What it does not understand, it leaves. */
  check ("tab in the indentation: unchanged",
         "network:\n"
         "\tethernets:\n"
         "    eth0:\n"
         "      match:\n"
         "        macaddress: 52:54:00:12:34:56\n", GS_NETPLAN_ASSIGNED,
         NULL, 0, "tab");
  check ("flow-style network: unchanged, noted",
         "network: {version: 2, ethernets: {eth0: {match: {macaddress: "
         "\"52:54:00:12:34:56\"}, set-name: eth0}}}\n", GS_NETPLAN_ASSIGNED,
         NULL, 0, "not handled");
  check ("match over several lines: unchanged, noted",
         "network:\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      match: {macaddress: 52:54:00:12:34:56,\n"
         "              driver: e1000}\n", 0, NULL, 0, "several lines");
  check ("an unreadable key inside match keeps it",
         "network:\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      match:\n"
         "        macaddress: 52:54:00:12:34:56\n"
         "        ? complex\n"
         "      set-name: eth0\n", 0,
         "network:\n"
         "  ethernets:\n"
         "    eth0:\n"
         "      match:\n"
         "        ? complex\n"
         "      set-name: eth0\n", 1, NULL);

  /* Only where netplan looks: a "network" key deeper is not it. */
  check ("not under network:",
         "other:\n"
         "  network:\n"
         "    ethernets:\n"
         "      eth0:\n"
         "        match:\n"
         "          macaddress: 52:54:00:12:34:56\n", 0, NULL, 0,
         "not handled");

  /* gs_edit_is_mac */
  ok (gs_edit_is_mac ("52:54:00:12:34:56"), "is_mac: colons");
  ok (gs_edit_is_mac ("52-54-00-AB-cd-EF"), "is_mac: dashes, mixed case");
  ok (gs_edit_is_mac ("\"52:54:00:12:34:56\""), "is_mac: double quotes");
  ok (gs_edit_is_mac ("'52:54:00:12:34:56'"), "is_mac: single quotes");
  ok (gs_edit_is_mac ("80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:"
                      "1d:9b:3d"), "is_mac: 20-octet InfiniBand");
  ok (!gs_edit_is_mac ("52:54:00:12:34"), "is_mac: 5 octets is not");
  ok (!gs_edit_is_mac ("52:54:00:12:34:56:"), "is_mac: trailing colon");
  ok (!gs_edit_is_mac ("52:54-00:12:34:56"), "is_mac: mixed separators");
  ok (!gs_edit_is_mac ("525400123456"), "is_mac: no separators");
  ok (!gs_edit_is_mac ("random"), "is_mac: netplan's random");
  ok (!gs_edit_is_mac ("stable"), "is_mac: NetworkManager's stable");
  ok (!gs_edit_is_mac (""), "is_mac: empty");
  ok (!gs_edit_is_mac ("\"52:54:00:12:34:56'"), "is_mac: unbalanced quotes");

  return exit_status ();
}
