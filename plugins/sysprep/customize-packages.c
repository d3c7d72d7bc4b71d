/* SPDX-License-Identifier: GPL-2.0-or-later */
/* customize-packages.c: the customize actions that run the guest's own
 * tools inside the appliance: its package manager (--install,
 * --uninstall, --update, and --firstboot-install at the next boot) and
 * subscription-manager (--sm-register, --sm-attach, --sm-remove,
 * --sm-unregister), with the commands virt-customize 1.48 runs.
 *
 * Package names are checked at configure time (cz_valid_package) and
 * single-quoted here besides, so a name can never run a command.  The
 * subscription-manager password never appears in a command line, the
 * report or the debug log: it reaches the guest's shell in a file of
 * its own, which is overwritten and removed afterwards.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "goldsmith-plugin.h"
#include "cleanups.h"
#include "customize.h"

#define SM "/usr/sbin/subscription-manager"

/* Characters package names and version or release specifiers use
 * (apt's pkg=1.0 and pkg/release, rpm's epochs, SUSE's patterns).  No
 * name starts with '-' (it would be read as an option).
 */
bool
cz_valid_package (const char *name)
{
  const char *ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "0123456789+-._:@~=/";

  if (name[0] == '\0' || strlen (name) > 255 || strchr ("+-._:@~=/", name[0]))
    return false;
  return strspn (name, ok) == strlen (name);
}

/* A subscription pool ID: hexadecimal in practice. */
bool
cz_valid_pool (const char *id)
{
  return id[0] && strlen (id) <= 128 &&
    strspn (id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
            "0123456789_-") == strlen (id);
}

/* What virt-customize 1.48 runs for each package manager: the command
 * prefix of each action (the quoted names follow install and remove).
 */
struct pm {
  const char *name;              /* as inspection says it */
  const char *install, *remove, *update;
};

#define APT_ENV "export DEBIAN_FRONTEND=noninteractive\n" \
  "apt_opts='-q -y -o Dpkg::Options::=--force-confnew'\n"

static const struct pm pms[] = {
  { "apt",
    APT_ENV "apt-get $apt_opts update\napt-get $apt_opts install",
    APT_ENV "apt-get $apt_opts remove",
    APT_ENV "apt-get $apt_opts update\napt-get $apt_opts upgrade" },
  { "dnf", "dnf -y install", "dnf -y remove", "dnf -y --best upgrade" },
  { "yum", "yum -y install", "yum -y remove", "yum -y update" },
  { "zypper", "zypper -n in -l", "zypper -n rm", "zypper -n update -l" },
  { "apk", "apk update\napk add", "apk del", "apk update\napk upgrade" },
  { "pacman", "pacman -S --noconfirm", "pacman -R", "pacman -Syu --noconfirm" },
};

static const struct pm *
guest_pm (struct gs_ctx *ctx)
{
  const char *name = gs_guest_get (ctx, "package-management");

  for (size_t i = 0; name && i < sizeof pms / sizeof pms[0]; ++i)
    if (strcmp (pms[i].name, name) == 0)
      return &pms[i];
  return NULL;
}

static bool
is_package_verb (enum cz_verb v)
{
  return v == CZ_INSTALL || v == CZ_UNINSTALL || v == CZ_UPDATE ||
    v == CZ_FIRSTBOOT_INSTALL;
}

/* Before any action: a guest whose package manager goldsmith does not
 * know cannot have packages installed, so fail before changing it.
 */
int
cz_package_check (struct cz_state *st, struct gs_ctx *ctx)
{
  const char *pm = gs_guest_get (ctx, "package-management");
  const char *product = gs_guest_get (ctx, "product-name");
  const char *distro = gs_guest_get (ctx, "distro");

  if (guest_pm (ctx))
    return 0;
  for (size_t i = 0; i < st->nactions; ++i)
    if (is_package_verb (st->actions[i].verb)) {
      gs_error ("%s: the guest (%s, distribution \"%s\") has no package "
                "manager goldsmith can run (package management \"%s\"; "
                "known: apt, dnf, yum, zypper, apk, pacman)",
                st->actions[i].label, product ? product : "unknown",
                distro ? distro : "unknown", pm ? pm : "unknown");
      return -1;
    }
  return 0;
}

/* Write S to FP in single quotes, for the guest's shell. */
static void
quote_to (FILE *fp, const char *s, size_t n)
{
  fputc ('\'', fp);
  for (size_t i = 0; i < n; ++i) {
    if (s[i] == '\'')
      fputs ("'\\''", fp);
    else
      fputc (s[i], fp);
  }
  fputc ('\'', fp);
}

/* PREFIX, then each name of the comma list PKGS single-quoted for the
 * shell (the names are checked already: this is a second wall), then a
 * newline.
 */
static char *
package_command (const char *prefix, const char *pkgs)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream (&buf, &len);

  if (fp == NULL) {
    gs_error ("out of memory");
    return NULL;
  }
  fputs (prefix, fp);
  for (const char *p = pkgs; p && *p; p += *p == ',') {
    size_t n = strcspn (p, ",");

    fputc (' ', fp);
    quote_to (fp, p, n);
    p += n;
  }
  fputc ('\n', fp);
  if (fclose (fp) != 0) {
    free (buf);
    gs_error ("out of memory");
    return NULL;
  }
  return buf;
}

static int
do_packages (struct gs_ctx *ctx, guestfs_h *g, const struct cz_action *act)
{
  const struct pm *pm = guest_pm (ctx);
  CLEANUP_FREE char *cmd = NULL;

  if (pm == NULL) {              /* cz_package_check said so */
    gs_error ("%s: no package manager", act->label);
    return -1;
  }
  switch (act->verb) {
  case CZ_INSTALL:
  case CZ_FIRSTBOOT_INSTALL:
    cmd = package_command (pm->install, act->a);
    break;
  case CZ_UNINSTALL:
    cmd = package_command (pm->remove, act->a);
    break;
  default:
    cmd = package_command (pm->update, NULL);
  }
  if (cmd == NULL)
    return -1;
  if (act->verb == CZ_FIRSTBOOT_INSTALL)
    return gs_firstboot_add (ctx, g, "install", cmd, strlen (cmd));
  if (gs_dry_run (ctx)) {
    gs_warning ("%s: dry run: not run; what it would change is not in "
                "the report", act->label);
    return 0;
  }
  gs_debug ("%s: running %s", act->label, pm->name);
  return cz_guest_sh (ctx, g, act, cmd, true);
}

/* ---- subscription-manager ------------------------------------------- */

/* Put PW in a new file in a new 0700 directory of the guest; *DIR_R
 * and *FILE_R are its names.  The bytes go through an anonymous host
 * file uploaded by name, so that no libguestfs trace (-x) shows them.
 */
static int
put_secret (guestfs_h *g, const char *pw, char **dir_r, char **file_r)
{
  CLEANUP_FREE char *fdpath = NULL;
  size_t len = strlen (pw);
  int fd, r;

  if ((*dir_r = guestfs_mkdtemp (g, "/.goldsmith-sm-XXXXXX")) == NULL)
    return -1;
  if (asprintf (file_r, "%s/p", *dir_r) == -1) {
    *file_r = NULL;
    gs_error ("out of memory");
    return -1;
  }
  if ((fd = memfd_create ("goldsmith-sm", MFD_CLOEXEC)) == -1) {
    gs_error ("memfd_create: %m");
    return -1;
  }
  if (write (fd, pw, len) != (ssize_t) len || write (fd, "\n", 1) != 1) {
    gs_error ("writing to a memory file: %m");
    close (fd);
    return -1;
  }
  if (asprintf (&fdpath, "/dev/fd/%d", fd) == -1) {
    close (fd);
    gs_error ("out of memory");
    return -1;
  }
  r = guestfs_upload (g, fdpath, *file_r);
  close (fd);
  return r;
}

/* Overwrite the secret file, flush, and remove its directory. */
static int
remove_secret (guestfs_h *g, const char *dir, const char *file, size_t len)
{
  CLEANUP_FREE char *zeros = calloc (1, len + 1);
  int r = 0;

  if (zeros == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  /* Zeros over the same blocks before the unlink, synced: otherwise the
   * dirty zeros die with the file and the password stays on the disk.
   */
  if (file && guestfs_is_file (g, file) == 1 &&
      (guestfs_pwrite (g, file, zeros, len + 1, 0) == -1 ||
       guestfs_sync (g) == -1))
    r = -1;
  if (guestfs_rm_rf (g, dir) == -1)
    r = -1;
  return r;
}

static int
do_sm (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
       const struct cz_action *act)
{
  CLEANUP_FREE char *cmd = NULL, *dir = NULL, *file = NULL;
  int r;

  if ((r = cz_exists (st, g, SM)) == -1)
    return -1;
  if (r == 0) {
    gs_error ("%s: the guest has no %s: it cannot be registered or "
              "subscribed", act->label, SM);
    return -1;
  }
  if (gs_dry_run (ctx)) {
    gs_warning ("%s: dry run: not run", act->label);
    return 0;
  }
  switch (act->verb) {
  case CZ_SM_REGISTER: {
    CLEANUP_FREE char *user = NULL;
    size_t ulen = 0;
    FILE *fp = open_memstream (&user, &ulen);

    if (fp == NULL || (quote_to (fp, st->sm->user, strlen (st->sm->user)),
                       fclose (fp)) != 0) {
      gs_error ("out of memory");
      return -1;
    }
    if (put_secret (g, st->sm->password, &dir, &file) == -1) {
      if (dir)
        remove_secret (g, dir, file, strlen (st->sm->password));
      return -1;
    }
    /* The password is read by the guest's shell, not given to it. */
    r = asprintf (&cmd, "IFS= read -r gs_pw < '%s'\n"
                  SM " register --username=%s --password=\"$gs_pw\"\n",
                  file, user);
    break;
  }
  case CZ_SM_ATTACH:
    if (strcmp (act->a, "auto") == 0)
      r = asprintf (&cmd, SM " attach --auto\n");
    else
      r = asprintf (&cmd, SM " attach --pool='%s'\n", act->a + 5);
    break;
  case CZ_SM_REMOVE:
    r = asprintf (&cmd, SM " remove --all\n");
    break;
  default:
    r = asprintf (&cmd, SM " unregister\n");
  }
  if (r == -1) {
    cmd = NULL;
    gs_error ("out of memory");
    r = -1;
  }
  else
    r = cz_guest_sh (ctx, g, act, cmd, true);
  if (dir && remove_secret (g, dir, file, strlen (st->sm->password)) == -1)
    r = -1;
  return r;
}

int
cz_package_action (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
                   const struct cz_action *act)
{
  if (is_package_verb (act->verb))
    return do_packages (ctx, g, act);
  return do_sm (st, ctx, g, act);
}
