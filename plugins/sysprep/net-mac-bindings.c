/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net-mac-bindings: make network configuration stop depending on the
 * MAC address of the original machine, so that a clone (new MAC
 * address) still gets its network: netplan, systemd-networkd and
 * NetworkManager keyfiles.  virt-sysprep has no such operation (its
 * net-hwaddr only knows the Red Hat family's ifcfg files).
 *
 * networkd and NetworkManager files are edited through augeas (Systemd
 * and NetworkManager lenses); netplan's YAML has no lens that can save,
 * so netplan-mac.c edits it as text.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "string-vector.h"
#include "cleanups.h"
#include "config-util.h"
#include "edit-util.h"
#include "netplan-mac.h"

static bool do_netplan = true, do_networkd = true, do_nm = true;
static bool assigned = true;

static const struct gs_config_key keys[] = {
  { "netplan", GS_KEY_BOOL, "edit /etc/netplan/*.yaml (default true)" },
  { "networkd", GS_KEY_BOOL, "edit systemd-networkd's /etc/systemd/network/*.network, *.link and *.netdev (default true)" },
  { "networkmanager", GS_KEY_BOOL, "edit NetworkManager's /etc/NetworkManager/system-connections/* (default true)" },
  { "assigned-macs", GS_KEY_BOOL, "also drop MAC addresses the configuration gives to interfaces, so that clones do not share them (default true)" },
  { NULL, 0, NULL },
};

static int
net_mac_bindings_configure (struct gs_op *op, const config_setting_t *sec)
{
  (void) op;
  gs_config_get_bool (sec, "netplan", &do_netplan);
  gs_config_get_bool (sec, "networkd", &do_networkd);
  gs_config_get_bool (sec, "networkmanager", &do_nm);
  gs_config_get_bool (sec, "assigned-macs", &assigned);
  return 0;
}

static int
netplan (struct gs_ctx *ctx, guestfs_h *g)
{
  string_vector files = empty_vector;
  int r = -1;

  if (gs_edit_list (ctx, g, "/etc/netplan", "*.yaml", &files) == -1)
    goto out;
  for (size_t i = 0; i < files.len; ++i) {
    const char *path = files.ptr[i];
    struct gs_netplan_result res;
    CLEANUP_FREE char *text = NULL;
    size_t len;
    int n;

    if ((text = guestfs_read_file (g, path, &len)) == NULL)
      goto out;
    if ((n = gs_netplan_unbind_mac (text, len,
                                    assigned ? GS_NETPLAN_ASSIGNED : 0,
                                    &res)) == -1) {
      gs_error ("out of memory");
      goto out;
    }
    if (res.note)
      gs_warning ("%s: %s", path, res.note);
    if (n > 0 &&
        (gs_report_path (ctx, path, GS_ACTION_CHANGED, res.len) == -1 ||
         /* In place: the file keeps its inode, mode and labels. */
         (!gs_dry_run (ctx) &&
          guestfs_write (g, path, res.text, res.len) == -1))) {
      gs_netplan_result_free (&res);
      goto out;
    }
    gs_netplan_result_free (&res);
  }
  r = 0;

 out:
  string_vector_free_all (&files);
  return r;
}

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t a = strlen (s), b = strlen (suffix);

  return a >= b && strcmp (s + a - b, suffix) == 0;
}

/* Remove the nodes at F + SUB whose value (at node + VALUE_SUB) is a
 * MAC address: addresses given to interfaces, whose keys also take
 * words ("random", "stable", ...).
 */
static int
rm_if_mac (struct gs_aug *a, struct gs_aug_file *f, const char *sub,
           const char *value_sub)
{
  CLEANUP_FREE_STRV char **m = gs_aug_match (a, f, sub);

  if (m == NULL)
    return -1;
  for (size_t i = 0; m[i]; ++i) {
    CLEANUP_FREE char *vp = gs_xasprintf ("%s%s", m[i], value_sub);
    CLEANUP_FREE char *v = NULL;

    if ((v = gs_aug_get (a, vp)) != NULL && gs_edit_is_mac (v) &&
        gs_aug_rm_node (a, f, m[i]) == -1)
      return -1;
  }
  return 0;
}

static int
count (struct gs_aug *a, struct gs_aug_file *f, const char *sub)
{
  CLEANUP_FREE_STRV char **m = gs_aug_match (a, f, sub);
  int n = 0;

  if (m == NULL)
    return -1;
  while (m[n])
    n++;
  return n;
}

/* systemd-networkd: [Match] MACAddress= and PermanentMACAddress= in
 * .network and .link files; with assigned-macs, [Link] MACAddress= of
 * both and [NetDev] MACAddress= of .netdev files.
 */
static int
networkd_file (struct gs_aug *a, struct gs_aug_file *f)
{
  /* Keys that say where and when, not which interface. */
  static const char selectors[] =
    "/Match/*[label() != '#comment' and label() != 'MACAddress' and "
    "label() != 'PermanentMACAddress' and label() != 'Host' and "
    "label() != 'Virtualization' and label() != 'KernelCommandLine' and "
    "label() != 'KernelVersion' and label() != 'Architecture' and "
    "label() != 'Firmware' and label() != 'Credential']";
  bool netdev = has_suffix (f->path, ".netdev");
  int macs, others;

  if (!netdev) {
    if ((macs = count (a, f, "/Match/MACAddress")) == -1 ||
        (others = count (a, f, "/Match/PermanentMACAddress")) == -1)
      return -1;
    macs += others;
    if (macs > 0) {
      if ((others = count (a, f, selectors)) == -1)
        return -1;
      /* Without the MAC address, an empty [Match] would match every
       * interface (a .network) or be ignored (a .link): keep it.
       */
      if (others == 0)
        gs_warning ("%s: left as it is: the MAC address is all its [Match] "
                    "section has to pick the interface, and without it the "
                    "file would apply to every interface (add Name= or "
                    "Path= to [Match])", f->path);
      else if (gs_aug_rm (a, f, "/Match/MACAddress") == -1 ||
               gs_aug_rm (a, f, "/Match/PermanentMACAddress") == -1)
        return -1;
    }
  }
  if (assigned &&
      rm_if_mac (a, f, netdev ? "/NetDev/MACAddress" : "/Link/MACAddress",
                 "/value") == -1)
    return -1;
  return 0;
}

/* NetworkManager keyfiles: mac-address= (the binding) and, with
 * assigned-macs, cloned-mac-address= when it is an address.
 */
static int
nm_file (struct gs_aug *a, struct gs_aug_file *f)
{
  static const char *const sections[] = {
    "ethernet", "802-3-ethernet", "wifi", "802-11-wireless", NULL,
  };

  for (size_t i = 0; sections[i]; ++i) {
    CLEANUP_FREE char *bind = gs_xasprintf ("/%s/mac-address", sections[i]);
    CLEANUP_FREE char *cloned = gs_xasprintf ("/%s/cloned-mac-address",
                                              sections[i]);

    if (gs_aug_rm (a, f, bind) == -1 ||
        (assigned && rm_if_mac (a, f, cloned, "") == -1))
      return -1;
  }
  return 0;
}

static int
augeas_part (struct gs_ctx *ctx, guestfs_h *g)
{
  static const char *const nd_patterns[] = {
    "*.network", "*.link", "*.netdev", NULL,
  };
  string_vector nd = empty_vector, nm = empty_vector;
  struct gs_aug a = { 0 };
  int r = -1;

  if (do_networkd)
    for (size_t i = 0; nd_patterns[i]; ++i)
      if (gs_edit_list (ctx, g, "/etc/systemd/network", nd_patterns[i],
                        &nd) == -1)
        goto out;
  /* NetworkManager reads every file there but hidden and backup ones. */
  if (do_nm &&
      gs_edit_list (ctx, g, "/etc/NetworkManager/system-connections", "*",
                    &nm) == -1)
    goto out;
  if (nd.len == 0 && nm.len == 0) {
    r = 0;
    goto out;
  }
  if (gs_aug_begin (&a, g) == -1)
    goto out;
  for (size_t i = 0; i < nd.len; ++i)
    if (gs_aug_add (&a, "Systemd", nd.ptr[i]) == NULL)
      goto out;
  for (size_t i = 0; i < nm.len; ++i)
    if (!has_suffix (nm.ptr[i], "~") &&
        gs_aug_add (&a, "NetworkManager", nm.ptr[i]) == NULL)
      goto out;
  if (gs_aug_load (&a) == -1)
    goto out;
  for (size_t i = 0; i < a.nfiles; ++i) {
    struct gs_aug_file *f = &a.files[i];

    if (f->error) {
      gs_warning ("%s: left unchanged: augeas cannot parse it (%s)",
                  f->path, f->error);
      continue;
    }
    if ((i < nd.len ? networkd_file (&a, f) : nm_file (&a, f)) == -1)
      goto out;
  }
  r = gs_aug_commit (ctx, &a);

 out:
  gs_aug_end (&a);
  string_vector_free_all (&nd);
  string_vector_free_all (&nm);
  return r;
}

static int
net_mac_bindings_perform (struct gs_op *op, struct gs_ctx *ctx,
                          guestfs_h *g, const char *root)
{
  const char *type = gs_guest_get (ctx, "type");

  (void) op; (void) root;
  if (type == NULL || strcmp (type, "linux") != 0) {
    gs_not_applicable (ctx, "netplan, systemd-networkd and NetworkManager "
                       "are Linux's (this guest is \"%s\")",
                       type ? type : "unknown");
    return 0;
  }
  if (do_netplan && netplan (ctx, g) == -1)
    return -1;
  return augeas_part (ctx, g);
}

static const struct gs_operation net_mac_bindings = {
  .name = "net-mac-bindings",
  .family = "sysprep",
  .heading = "Remove MAC address bindings from netplan, networkd and "
             "NetworkManager",
  .description =
    "Make the network configuration stop depending on the MAC address of "
    "the original machine, so that a clone, which has a new one, still "
    "gets its network.  Not in virt-sysprep, whose B<net-hwaddr> only "
    "knows the Red Hat family's F<ifcfg-*> files.\n\n"
    "=over 4\n\n"
    "=item netplan (F</etc/netplan/*.yaml>)\n\n"
    "A device whose C<match:> holds a C<macaddress:> loses it.  If that "
    "was all the match, C<match:> goes too, with C<set-name:> when it "
    "names the device's own id (cloud-init's files), so that netplan "
    "matches the interface by that name; when C<set-name:> names "
    "another interface, the match becomes C<name:> that interface.  An "
    "empty C<match:> is never left behind: it would match every "
    "interface.\n\n"
    "=item systemd-networkd (F</etc/systemd/network/*.network>, "
    "F<*.link>, F<*.netdev>)\n\n"
    "C<MACAddress=> and C<PermanentMACAddress=> go from C<[Match]>, but "
    "only when something else there still picks the interface (C<Name=>, "
    "C<Path=>, C<Driver=>, ...): a C<[Match]> with nothing left (or only "
    "conditions such as C<Host=>) would match every interface, so such a "
    "file is left as it is, with a warning.\n\n"
    "=item NetworkManager (F</etc/NetworkManager/system-connections/*>)\n\n"
    "C<mac-address=> goes from the C<[ethernet]> and C<[wifi]> sections "
    "(and their long names C<[802-3-ethernet]>, C<[802-11-wireless]>); "
    "the profile then applies to any device of its type, or to its "
    "C<interface-name=>.\n\n"
    "=back\n\n"
    "With C<assigned-macs> (the default), MAC addresses the configuration "
    "gives to interfaces go as well, so that clones do not share them: "
    "netplan's C<macaddress:> under a device, networkd's C<[Link]> (and "
    ".netdev C<[NetDev]>) C<MACAddress=>, NetworkManager's "
    "C<cloned-mac-address=>; values that are not addresses (C<random>, "
    "C<stable>, C<permanent>, ...) stay.\n\n"
    "Every other byte of each file is kept (augeas for networkd and "
    "NetworkManager, a line edit for netplan, which has no lens that can "
    "save), as are owner, mode and SELinux label; a file that does not "
    "change is not rewritten.  Symlinks are not followed and "
    "B<--exclude-path> is honoured; a file that cannot be parsed is left "
    "unchanged with a warning.  It runs on every Linux guest, not only "
    "Debian and Ubuntu: these three are found on many distributions, and "
    "where their files are missing there is nothing to do.  "
    "F</etc/udev/rules.d/70-persistent-net.rules> is "
    "B<udev-persistent-net>'s.",
  .phase = GS_PHASE_FILESYSTEMS,
  .order = 0,
  .enabled_by_default = true,
  .keys = keys,
  .configure = net_mac_bindings_configure,
  .perform = net_mac_bindings_perform,
};

GS_REGISTER_PLUGIN (&net_mac_bindings);
