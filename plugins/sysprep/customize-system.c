/* SPDX-License-Identifier: GPL-2.0-or-later */
/* customize-system.c: the customize actions that configure the guest
 * system: --hostname (per distribution), --timezone, --ssh-inject,
 * --firstboot[-command], --run[-command], and --selinux-relabel.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "goldsmith-plugin.h"
#include "cleanups.h"
#include "customize.h"

bool
cz_valid_hostname (const char *name)
{
  size_t len = strlen (name);

  if (len == 0 || len > 253 || name[0] == '-' || name[0] == '.')
    return false;
  for (const char *p = name; *p; ++p)
    if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
        !(*p >= '0' && *p <= '9') && *p != '-' && *p != '.')
      return false;
  return true;
}

/* A relative name inside /usr/share/zoneinfo (Europe/London, UTC,
 * Etc/GMT+1): no "..", no empty component.
 */
bool
cz_valid_timezone (const char *tz)
{
  if (tz[0] == '\0' || tz[0] == '/' || tz[strlen (tz) - 1] == '/' ||
      strstr (tz, "//") || strstr (tz, "..") || strlen (tz) > 255)
    return false;
  for (const char *p = tz; *p; ++p)
    if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
        !(*p >= '0' && *p <= '9') && !strchr ("/_+-.", *p))
      return false;
  return true;
}

static bool
one_of (const char *s, const char *const *list)
{
  for (size_t i = 0; s && list[i]; ++i)
    if (strcmp (s, list[i]) == 0)
      return true;
  return false;
}

static const char *const rh_family[] = {
  "rhel", "centos", "scientificlinux", "oraclelinux", "redhat-based",
  "rocky", "almalinux", "circle", NULL
};
static const char *const debian_family[] = {
  "debian", "ubuntu", "kalilinux", "linuxmint", NULL
};
static const char *const suse_family[] = {
  "opensuse", "sles", "suse-based", NULL
};

/* ---- augeas ---------------------------------------------------------- */

/* Set one augeas node of FILE (loaded with LENS) and save. */
static int
aug_set_save (guestfs_h *g, const char *lens, const char *file,
              const char *node, const char *value)
{
  CLEANUP_FREE char *path = NULL;
  struct gs_aug a = { 0 };
  struct gs_aug_file *f;
  int r;

  path = gs_xasprintf ("/files%s/%s", file, node);
  r = (f = cz_aug_open (&a, g, lens, file)) == NULL ||
    gs_aug_set (&a, f, path, value) == -1 || gs_aug_save (&a) == -1 ? -1 : 0;
  gs_aug_end (&a);
  return r;
}

/* ---- --hostname -------------------------------------------------------- */

/* KEY=VALUE in a shell-variable file, through augeas. */
static int
set_shellvar (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
              const struct cz_action *act, const char *file,
              const char *key, const char *value)
{
  CLEANUP_FREE char *real = cz_target (ctx, g, act, file);
  int existed;

  if (real == NULL || (existed = cz_exists (st, g, file)) == -1)
    return -1;
  if (!existed && cz_check_parent (st, g, act, file) == -1)
    return -1;
  if (cz_report (ctx, real, existed, -1) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return cz_plan (st, 'f', file);
  return aug_set_save (g, "Shellvars", file, key, value);
}

static int
write_hostname (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
                const struct cz_action *act, const char *file)
{
  CLEANUP_FREE char *content = NULL;

  content = gs_xasprintf ("%s\n", act->a);
  return cz_write_file (st, ctx, g, act, file, content, strlen (content));
}

/* The first line of /etc/hostname, or NULL. */
static char *
read_hostname (guestfs_h *g)
{
  CLEANUP_FREE_STRV char **lines = NULL;

  if (guestfs_is_file (g, "/etc/hostname") != 1)
    return NULL;
  if ((lines = guestfs_read_lines (g, "/etc/hostname")) == NULL ||
      lines[0] == NULL)
    return NULL;
  return strdup (lines[0]);
}

/* Debian: the old name, long or short, becomes the new one in
 * /etc/hosts (as virt-customize, which also replaces the installer's
 * "unassigned-hostname").
 */
static int
rename_in_hosts (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
                 const struct cz_action *act, const char *old)
{
  const char *new = act->a;
  size_t oldshort = old ? strcspn (old, ".") : 0;
  size_t newshort = strcspn (new, ".");
  CLEANUP_FREE char *real = NULL;
  CLEANUP_FREE_STRV char **m = NULL;
  CLEANUP_FREE char *shortname = gs_xstrndup (new, newshort);
  struct gs_aug a = { 0 };
  struct gs_aug_file *f;
  int r, changes = 0;

  if ((r = guestfs_is_file (g, "/etc/hosts")) != 1)
    return r;
  if ((real = cz_target (ctx, g, act, "/etc/hosts")) == NULL)
    return -1;
  if ((f = cz_aug_open (&a, g, "Hosts", "/etc/hosts")) == NULL)
    goto fail;
  if ((m = gs_aug_match (&a, f, "/*[label() != '#comment']"
                         "/*[label() != 'ipaddr']")) == NULL)
    goto fail;
  for (size_t i = 0; m[i]; ++i) {
    CLEANUP_FREE char *v = guestfs_aug_get (g, m[i]);
    const char *to = NULL;

    if (v == NULL)
      goto fail;
    if (old && strcmp (v, old) == 0)
      to = new;
    else if (old && strlen (v) == oldshort && strncmp (v, old, oldshort) == 0)
      to = shortname;
    else if (strcmp (v, "unassigned-hostname") == 0)
      to = shortname;
    else if (strcmp (v, "unassigned-hostname.unassigned-domain") == 0 &&
             new[newshort])
      to = new;
    if (to == NULL || strcmp (to, v) == 0)
      continue;
    changes++;
    if (!gs_dry_run (ctx) && gs_aug_set (&a, f, m[i], to) == -1)
      goto fail;
  }
  if (changes && !gs_dry_run (ctx) && gs_aug_save (&a) == -1)
    goto fail;
  gs_aug_end (&a);
  return changes ? cz_report (ctx, real, true, -1) : 0;

 fail:
  gs_aug_end (&a);
  return -1;
}

static int
do_hostname (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
             const struct cz_action *act)
{
  const char *distro = gs_guest_get (ctx, "distro");
  const char *mv = gs_guest_get (ctx, "major-version");
  int major = mv ? atoi (mv) : 0, r;

  if ((distro && strcmp (distro, "fedora") == 0 && major >= 18) ||
      (one_of (distro, rh_family) && major >= 7)) {
    if (write_hostname (st, ctx, g, act, "/etc/hostname") == -1 ||
        (r = cz_exists (st, g, "/etc/machine-info")) == -1)
      return -1;
    if (r == 1 && set_shellvar (st, ctx, g, act, "/etc/machine-info",
                                "PRETTY_HOSTNAME", act->a) == -1)
      return -1;
    return 0;
  }
  if (one_of (distro, debian_family)) {
    CLEANUP_FREE char *old = read_hostname (g);

    if (write_hostname (st, ctx, g, act, "/etc/hostname") == -1)
      return -1;
    return rename_in_hosts (st, ctx, g, act, old);
  }
  if ((distro && strcmp (distro, "fedora") == 0) ||
      one_of (distro, rh_family))
    return set_shellvar (st, ctx, g, act, "/etc/sysconfig/network",
                         "HOSTNAME", act->a);
  if (one_of (distro, suse_family))
    return write_hostname (st, ctx, g, act, "/etc/HOSTNAME");
  /* Elsewhere, systemd's /etc/hostname if the guest has one. */
  if ((r = cz_exists (st, g, "/etc/hostname")) == -1)
    return -1;
  if (r == 1)
    return write_hostname (st, ctx, g, act, "/etc/hostname");
  gs_warning ("%s: don't know how to set the hostname of a \"%s\" guest: "
              "not set", act->label, distro ? distro : "unknown");
  return 0;
}

/* ---- --timezone ------------------------------------------------------ */

static int
do_timezone (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
             const struct cz_action *act)
{
  const char *distro = gs_guest_get (ctx, "distro");
  CLEANUP_FREE char *zone = NULL, *real = NULL, *content = NULL;
  int r, existed;

  zone = gs_xasprintf ("/usr/share/zoneinfo/%s", act->a);
  if ((r = cz_exists (st, g, zone)) == -1)
    return -1;
  if (r == 0) {
    gs_error ("%s: the guest has no %s (use a name like Europe/London)",
              act->label, zone);
    return -1;
  }
  /* ln -sf replaces /etc/localtime itself, never what it points to. */
  if (gs_path_protected (ctx, "/etc/localtime")) {
    gs_error ("%s: /etc/localtime is protected by --exclude-path: not "
              "changed", act->label);
    return -1;
  }
  gs_quiet_begin (g);
  existed = guestfs_exists (g, "/etc/localtime") == 1 ||
    guestfs_is_symlink (g, "/etc/localtime") == 1;
  gs_quiet_end (g);
  if (cz_report (ctx, "/etc/localtime", existed, 0) == -1)
    return -1;
  if (!gs_dry_run (ctx) && guestfs_ln_sf (g, zone, "/etc/localtime") == -1)
    return -1;

  if (!one_of (distro, debian_family))
    return 0;
  content = gs_xasprintf ("%s\n", act->a);
  return cz_write_file (st, ctx, g, act, "/etc/timezone", content,
                        strlen (content));
}

/* ---- --ssh-inject ---------------------------------------------------- */

/* The newest ~/.ssh/id*.pub of the user running goldsmith, leaving out
 * certificates (*-cert.pub), as virt-customize and ssh-copy-id.
 */
int
cz_find_host_ssh_key (const char *label, char **file_r)
{
  const char *home = getenv ("HOME");
  CLEANUP_FREE char *dir = NULL;
  DIR *d;
  struct dirent *e;
  time_t newest = 0;
  char *best = NULL;

  if (home == NULL || home[0] == '\0') {
    gs_error ("%s: no key given and $HOME is not set", label);
    return -1;
  }
  dir = gs_xasprintf ("%s/.ssh", home);
  if ((d = opendir (dir)) == NULL) {
    gs_error ("%s: no key given and no public key in %s: %m", label, dir);
    return -1;
  }
  while ((e = readdir (d)) != NULL) {
    size_t n = strlen (e->d_name);
    char *f;
    struct stat sb;

    if (strncmp (e->d_name, "id", 2) || n < 6 ||
        strcmp (e->d_name + n - 4, ".pub") ||
        (n >= 9 && strcmp (e->d_name + n - 9, "-cert.pub") == 0))
      continue;
    f = gs_xasprintf ("%s/%s", dir, e->d_name);
    if (stat (f, &sb) == 0 && S_ISREG (sb.st_mode) &&
        (best == NULL || sb.st_mtime > newest)) {
      free (best);
      best = f;
      newest = sb.st_mtime;
    }
    else
      free (f);
  }
  closedir (d);
  if (best == NULL) {
    gs_error ("%s: no key given and no public key (id*.pub) in %s", label,
              dir);
    return -1;
  }
  *file_r = best;
  return 0;
}

/* FIELD of USER in the loaded /etc/passwd. */
static char *
passwd_field (guestfs_h *g, const char *user, const char *field)
{
  CLEANUP_FREE char *p = NULL;

  p = gs_xasprintf ("/files/etc/passwd/%s/%s", user, field);
  return guestfs_aug_get (g, p);
}

/* The user's home, uid and gid from the guest's /etc/passwd. */
static int
passwd_entry (guestfs_h *g, const struct cz_action *act, char **home,
              int *uid, int *gid)
{
  CLEANUP_FREE_STRV char **m = NULL;
  CLEANUP_FREE char *p = NULL, *u = NULL, *gr = NULL;
  struct gs_aug a = { 0 };

  p = gs_xasprintf ("/files/etc/passwd/%s", act->a);
  if (cz_aug_open (&a, g, "Passwd", "/etc/passwd") == NULL ||
      (m = guestfs_aug_match (g, p)) == NULL)
    goto fail;
  if (m[0] == NULL) {
    gs_error ("%s: the guest has no user %s in /etc/passwd", act->label,
              act->a);
    goto fail;
  }
  if ((*home = passwd_field (g, act->a, "home")) == NULL ||
      (u = passwd_field (g, act->a, "uid")) == NULL ||
      (gr = passwd_field (g, act->a, "gid")) == NULL)
    goto fail;
  *uid = atoi (u);
  *gid = atoi (gr);
  gs_aug_end (&a);
  return 0;

 fail:
  gs_aug_end (&a);
  return -1;
}

static int
do_ssh_inject (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
               const struct cz_action *act)
{
  CLEANUP_FREE char *home = NULL, *key = NULL, *dir = NULL, *file = NULL;
  CLEANUP_FREE char *real = NULL, *tail = NULL, *data = NULL;
  size_t keylen, taillen = 0;
  int uid = -1, gid = -1, r, existed;
  int64_t size = 0;

  if (act->key_file) {
    if ((key = cz_read_host_file (act->label, act->key_file, &keylen))
        == NULL)
      return -1;
  }
  else
    key = gs_xstrdup (act->b);
  keylen = strlen (key);
  while (keylen > 0 && (key[keylen - 1] == '\n' || key[keylen - 1] == '\r'))
    key[--keylen] = '\0';
  if (keylen == 0) {
    gs_error ("%s: the key is empty", act->label);
    return -1;
  }

  if (passwd_entry (g, act, &home, &uid, &gid) == -1)
    return -1;
  dir = gs_xasprintf ("%s/.ssh", strcmp (home, "/") ? home : "");
  file = gs_xasprintf ("%s/authorized_keys", dir);
  if ((r = cz_is_dir (st, g, home)) == -1)
    return -1;
  if (r == 0) {
    gs_error ("%s: the home directory %s does not exist in the guest",
              act->label, home);
    return -1;
  }

  /* ~/.ssh, 0700, the user's */
  if ((r = cz_is_dir (st, g, dir)) == -1)
    return -1;
  if (r == 0) {
    CLEANUP_FREE char *rdir = cz_target (ctx, g, act, dir);

    if (rdir == NULL ||
        gs_report_path (ctx, rdir, GS_ACTION_CREATED, 0) == -1)
      return -1;
    if (gs_dry_run (ctx)) {
      if (cz_plan (st, 'd', dir) == -1)
        return -1;
    }
    else if (guestfs_mkdir_mode (g, dir, 0700) == -1 ||
             guestfs_chmod (g, 0700, dir) == -1 ||
             guestfs_chown (g, uid, gid, dir) == -1)
      return -1;
  }

  /* ~/.ssh/authorized_keys, 0600, the user's; the key on a line of its
   * own.
   */
  if ((real = cz_target (ctx, g, act, file)) == NULL)
    return -1;
  gs_quiet_begin (g);
  existed = guestfs_is_file_opts (g, file, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS,
                                  1, -1) == 1;
  if (existed)
    size = guestfs_filesize (g, file);
  gs_quiet_end (g);
  if (existed && size > 0 &&
      (tail = guestfs_pread (g, file, 1, size - 1, &taillen)) == NULL)
    return -1;
  data = gs_xasprintf ("%s%s\n", taillen == 1 && tail[0] != '\n' ? "\n" : "",
                       key);
  if (cz_report (ctx, real, existed, strlen (data)) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return existed ? 0 : cz_plan (st, 'f', file);
  if (!existed &&
      (guestfs_touch (g, file) == -1 ||
       guestfs_chmod (g, 0600, file) == -1 ||
       guestfs_chown (g, uid, gid, file) == -1))
    return -1;
  return guestfs_write_append (g, file, data, strlen (data));
}

/* ---- --firstboot, --run ---------------------------------------------- */

/* A [a-z0-9-] name for the script's file in the guest. */
static void
script_name (const char *file, char *out, size_t n)
{
  size_t j = 0;

  for (const char *p = cz_basename (file); *p && j + 1 < n; ++p) {
    char c = *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p;

    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      out[j++] = c;
    else if (j > 0 && out[j - 1] != '-')
      out[j++] = '-';
  }
  while (j > 0 && out[j - 1] == '-')
    j--;
  if (j == 0)
    j = snprintf (out, n, "script");
  out[j] = '\0';
}

static int
do_firstboot (struct gs_ctx *ctx, guestfs_h *g, const struct cz_action *act)
{
  CLEANUP_FREE char *script = NULL;
  char name[64];
  size_t len;

  if (act->verb == CZ_FIRSTBOOT_COMMAND)
    return gs_firstboot_add (ctx, g, "command", act->a, strlen (act->a));
  if ((script = cz_read_host_file (act->label, act->a, &len)) == NULL)
    return -1;
  script_name (act->a, name, sizeof name);
  return gs_firstboot_add (ctx, g, name, script, len);
}

/* Can the appliance's CPU run the guest's binaries? */
static bool
arch_compatible (const char *guest)
{
  struct utsname u;

  if (guest == NULL || uname (&u) == -1)
    return true;                 /* unknown: let the guest's sh say */
  if (strcmp (u.machine, guest) == 0)
    return true;
  if (strcmp (u.machine, "x86_64") == 0 &&
      (strcmp (guest, "i386") == 0 || strcmp (guest, "i486") == 0 ||
       strcmp (guest, "i586") == 0 || strcmp (guest, "i686") == 0))
    return true;
  return false;
}

/* The last non-empty line of TEXT (a copy), for a one-line message. */
static char *
last_line (const char *text)
{
  const char *end = text + strlen (text), *start;

  while (end > text && (end[-1] == '\n' || end[-1] == '\r' ||
                        end[-1] == ' '))
    end--;
  for (start = end; start > text && start[-1] != '\n'; start--)
    ;
  return strndup (start, end - start);
}

int
cz_guest_sh (struct gs_ctx *ctx, guestfs_h *g, const struct cz_action *act,
             const char *script, bool net_hint)
{
  CLEANUP_FREE char *out = NULL, *err = NULL, *last = NULL;
  const char *arch = gs_guest_get (ctx, "arch");
  int r;

  if (!arch_compatible (arch)) {
    gs_error ("%s: the guest is %s and cannot run on this %s host: use "
              "--firstboot-command instead", act->label, arch,
              "different architecture");
    return -1;
  }
  if ((r = guestfs_is_file_opts (g, "/bin/sh",
                                 GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1))
      == -1)
    return -1;
  if (r == 0) {
    gs_error ("%s: the guest has no /bin/sh, so no command can run in it "
              "(use --firstboot-command instead)", act->label);
    return -1;
  }
  /* Report the failure once, with the action and the command's own
   * message, instead of libguestfs's bare one.  The whole of what the
   * command said goes to the debug log: a package manager says a lot.
   */
  gs_quiet_begin (g);
  out = guestfs_sh (g, script);
  gs_quiet_end (g);
  if (out == NULL) {
    const char *e = guestfs_last_error (g) ? guestfs_last_error (g) : "?";

    if ((err = strdup (e)) == NULL || (last = last_line (err)) == NULL) {
      gs_error ("out of memory");
      return -1;
    }
    gs_debug ("%s: the command failed:\n%s", act->label, err);
    gs_error ("%s: the command failed: %s%s", act->label, last,
              net_hint && guestfs_get_network (g) == 0
              ? " (the appliance has no network: add --network if the "
                "guest needs one)" : "");
    return -1;
  }
  if (out[0])
    gs_debug ("%s: output:\n%s", act->label, out);
  return 0;
}

static int
do_run (struct gs_ctx *ctx, guestfs_h *g, const struct cz_action *act)
{
  CLEANUP_FREE char *script = NULL;
  size_t len;

  if (act->verb == CZ_RUN &&
      (script = cz_read_host_file (act->label, act->a, &len)) == NULL)
    return -1;
  if (gs_dry_run (ctx)) {
    /* It cannot be simulated: the list of paths cannot say what it
     * would change, so say so where it is seen, not only with -v.
     */
    gs_warning ("%s: dry run: not run; what it would change is not in "
                "the report", act->label);
    return 0;
  }
  return cz_guest_sh (ctx, g, act, script ? script : act->a, false);
}

int
cz_system_action (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
                  const struct cz_action *act)
{
  switch (act->verb) {
  case CZ_HOSTNAME: return do_hostname (st, ctx, g, act);
  case CZ_TIMEZONE: return do_timezone (st, ctx, g, act);
  case CZ_SSH_INJECT: return do_ssh_inject (st, ctx, g, act);
  case CZ_FIRSTBOOT:
  case CZ_FIRSTBOOT_COMMAND: return do_firstboot (ctx, g, act);
  case CZ_RUN:
  case CZ_RUN_COMMAND: return do_run (ctx, g, act);
  default:
    gs_error ("%s: not a system action", act->label);
    return -1;
  }
}

/* ---- --selinux-relabel ----------------------------------------------- */

/* Relabel now with the guest's own policy; where that fails, have the
 * guest relabel itself at boot.
 */
int
cz_selinux_relabel (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g)
{
  CLEANUP_FREE char *type = NULL, *specfile = NULL;
  CLEANUP_FREE_STRV char **m = NULL;
  struct gs_aug a = { 0 };
  struct gs_aug_file *f;
  int r;

  if ((r = guestfs_is_file (g, "/etc/selinux/config")) == -1)
    return -1;
  if (r == 0) {
    gs_debug ("--selinux-relabel: the guest has no /etc/selinux/config: "
              "nothing to relabel");
    return 0;
  }
  if ((f = cz_aug_open (&a, g, "Shellvars", "/etc/selinux/config")) == NULL ||
      (m = gs_aug_match (&a, f, "/SELINUXTYPE")) == NULL ||
      (m[0] && (type = guestfs_aug_get (g, m[0])) == NULL)) {
    gs_aug_end (&a);
    return -1;
  }
  gs_aug_end (&a);
  specfile = gs_xasprintf ("/etc/selinux/%s/contexts/files/file_contexts",
                           type && type[0] && strspn (type, "abcdefghijklmnopqrstuvwxyz"
                                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                      "0123456789_-") == strlen (type)
                           ? type : "targeted");
  if ((r = guestfs_is_file (g, specfile)) == -1)
    return -1;
  if (r == 1) {
    char *groups[] = { (char *) "selinuxrelabel", NULL };

    if (gs_report_path (ctx, "/", GS_ACTION_CHANGED, -1) == -1)
      return -1;
    if (gs_dry_run (ctx))
      return 0;
    gs_quiet_begin (g);
    r = guestfs_feature_available (g, groups) == 1 &&
      guestfs_selinux_relabel (g, specfile, "/",
                               GUESTFS_SELINUX_RELABEL_FORCE, 1, -1) == 0;
    gs_quiet_end (g);
    if (r) {
      gs_quiet_begin (g);
      guestfs_rm_f (g, "/.autorelabel");
      gs_quiet_end (g);
      return 0;
    }
    gs_warning ("--selinux-relabel: relabelling failed (%s); the guest "
                "will relabel at boot", guestfs_last_error (g)
                ? guestfs_last_error (g) : "?");
  }
  else
    gs_warning ("--selinux-relabel: the guest has no %s; it will relabel "
                "at boot", specfile);
  if (gs_path_protected (ctx, "/.autorelabel")) {
    gs_error ("--selinux-relabel: /.autorelabel is protected by "
              "--exclude-path: not created");
    return -1;
  }
  if (gs_report_path (ctx, "/.autorelabel", GS_ACTION_CREATED, 0) == -1)
    return -1;
  if (gs_dry_run (ctx))
    return cz_plan (st, 'f', "/.autorelabel");
  return guestfs_touch (g, "/.autorelabel");
}
