/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net-ifcfg: net-hwaddr and net-hostname, the two operations that drop
 * variables from the Red Hat family's network scripts
 * (/etc/sysconfig/network-scripts/ifcfg-*), through augeas's Shellvars
 * lens.  One plugin, two operations: they differ only in the variables
 * they drop.
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

#define IFCFG_DIR "/etc/sysconfig/network-scripts"

/* virt-sysprep's list, plus the rebuilds libguestfs names since. */
static const char *const rh_family[] = {
  "fedora", "rhel", "centos", "scientificlinux", "oraclelinux",
  "redhat-based", "rocky", "almalinux", NULL,
};

struct ifcfg {
  string_vector variables;
  string_vector distros;
  bool distros_seen;
};

static const struct gs_config_key keys[] = {
  { "variables", GS_KEY_STRINGS, "shell variables dropped from every ifcfg-* file" },
  { "distros", GS_KEY_STRINGS, "distributions it applies to (default: the Red Hat family; [] for every Linux guest)" },
  { NULL, 0, NULL },
};

static struct ifcfg *
get (struct gs_op *op)
{
  struct ifcfg *c = gs_op_get_data (op);

  if (c == NULL) {
    c = gs_xcalloc (1, sizeof *c);
    gs_op_set_data (op, c);
  }
  return c;
}

static bool
valid_variable (const char *v)
{
  if (!(v[0] == '_' || (v[0] >= 'A' && v[0] <= 'Z') ||
        (v[0] >= 'a' && v[0] <= 'z')))
    return false;
  return strspn (v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                 "0123456789_") == strlen (v);
}

static int
ifcfg_configure (struct gs_op *op, const config_setting_t *sec)
{
  struct ifcfg *c = get (op);

  gs_config_get_strings (sec, "variables", &c->variables, NULL);
  gs_config_get_strings (sec, "distros", &c->distros, &c->distros_seen);
  for (size_t i = 0; i < c->variables.len; ++i)
    if (!valid_variable (c->variables.ptr[i])) {
      const config_setting_t *s = config_setting_get_member (sec, "variables");

      gs_error ("%s:%u: variables: \"%s\" is not a shell variable name",
                config_setting_source_file (s),
                config_setting_source_line (s), c->variables.ptr[i]);
      return -1;
    }
  return 0;
}

static int
defaults (struct gs_op *op, const char *const *variables)
{
  struct ifcfg *c = get (op);

  if (c->variables.len == 0)
    for (size_t i = 0; variables[i]; ++i)
      string_vector_append_copy (&c->variables, variables[i]);
  if (!c->distros_seen)
    for (size_t i = 0; rh_family[i]; ++i)
      string_vector_append_copy (&c->distros, rh_family[i]);
  return 0;
}

static int
net_hwaddr_config_complete (struct gs_op *op)
{
  static const char *const v[] = { "HWADDR", NULL };

  return defaults (op, v);
}

static int
net_hostname_config_complete (struct gs_op *op)
{
  static const char *const v[] = { "HOSTNAME", "DHCP_HOSTNAME", NULL };

  return defaults (op, v);
}

static bool
applies (struct gs_ctx *ctx, const struct ifcfg *c)
{
  const char *type = gs_guest_get (ctx, "type");
  const char *distro = gs_guest_get (ctx, "distro");

  if (type == NULL || strcmp (type, "linux") != 0) {
    gs_not_applicable (ctx, "only Linux guests have %s (this guest is "
                       "\"%s\")", IFCFG_DIR, type ? type : "unknown");
    return false;
  }
  if (c->distros.len == 0)
    return true;
  for (size_t i = 0; i < c->distros.len; ++i)
    if (distro && strcmp (c->distros.ptr[i], distro) == 0)
      return true;
  gs_not_applicable (ctx, "only for the Red Hat family of distributions "
                     "(this guest is \"%s\"; see the distros key)",
                     distro ? distro : "unknown");
  return false;
}

static int
ifcfg_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
               const char *root)
{
  const struct ifcfg *c = get (op);
  string_vector files = empty_vector;
  struct gs_aug a = { 0 };
  int r = -1;

  (void) root;
  if (!applies (ctx, c))
    return 0;
  if (gs_edit_list (ctx, g, IFCFG_DIR, "ifcfg-*", &files) == -1)
    goto out;
  if (files.len == 0) {
    r = 0;
    goto out;
  }
  if (gs_aug_begin (&a, g) == -1)
    goto out;
  for (size_t i = 0; i < files.len; ++i)
    if (gs_aug_add (&a, "Shellvars", files.ptr[i]) == NULL)
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
    for (size_t k = 0; k < c->variables.len; ++k) {
      CLEANUP_FREE char *sub = gs_xasprintf ("/%s", c->variables.ptr[k]);

      if (gs_aug_rm (&a, f, sub) == -1)
        goto out;
    }
  }
  r = gs_aug_commit (ctx, &a);

 out:
  gs_aug_end (&a);
  string_vector_free_all (&files);
  return r;
}

static void
ifcfg_unload (struct gs_op *op)
{
  struct ifcfg *c = gs_op_get_data (op);

  if (c == NULL)
    return;
  string_vector_free_all (&c->variables);
  string_vector_free_all (&c->distros);
  free (c);
}

static const struct gs_operation net_hwaddr = {
  .name = "net-hwaddr",
  .family = "sysprep",
  .heading = "Remove HWADDR (hard-coded MAC address) configuration",
  .description =
    "In every F</etc/sysconfig/network-scripts/ifcfg-*> file, remove the "
    "C<HWADDR=> variable, which ties the interface to the MAC address of "
    "the original machine, so that a clone with a new MAC address still "
    "brings its network up.  C<UUID=> is kept (add it to the "
    "C<variables> key to drop it too).  Only for Linux guests of the Red "
    "Hat family (see the C<distros> key).\n\n"
    "The files are edited with augeas's Shellvars lens, not line by line "
    "as virt-sysprep does: an indented or C<export>ed C<HWADDR> goes too, "
    "every other byte of the file stays as it was, a file that does not "
    "change is not rewritten (virt-sysprep rewrites them all and reports "
    "each), and owner, mode and SELinux label are kept.  Symlinks are "
    "never followed, files protected by B<--exclude-path> are left alone "
    "and a file augeas cannot parse is left unchanged with a warning.",
  .phase = GS_PHASE_FILESYSTEMS,
  .order = 0,
  .enabled_by_default = true,
  .keys = keys,
  .configure = ifcfg_configure,
  .config_complete = net_hwaddr_config_complete,
  .perform = ifcfg_perform,
  .unload = ifcfg_unload,
};

static const struct gs_operation net_hostname = {
  .name = "net-hostname",
  .family = "sysprep",
  .heading = "Remove HOSTNAME and DHCP_HOSTNAME in network interface "
             "configuration",
  .description =
    "In every F</etc/sysconfig/network-scripts/ifcfg-*> file, remove the "
    "C<HOSTNAME=> and C<DHCP_HOSTNAME=> variables, so that a clone does "
    "not announce the original machine's host name to the DHCP server.  "
    "Only for Linux guests of the Red Hat family (see the C<distros> "
    "key).\n\n"
    "Edited like B<net-hwaddr> (augeas's Shellvars lens; other bytes, "
    "owner, mode and SELinux label kept; unchanged files not rewritten; "
    "symlinks and B<--exclude-path> respected).",
  .phase = GS_PHASE_FILESYSTEMS,
  .order = 0,
  .enabled_by_default = true,
  .keys = keys,
  .configure = ifcfg_configure,
  .config_complete = net_hostname_config_complete,
  .perform = ifcfg_perform,
  .unload = ifcfg_unload,
};

GS_REGISTER_PLUGIN (&net_hwaddr, &net_hostname);
