/* SPDX-License-Identifier: GPL-2.0-or-later */
/* customize-passwords.c: --root-password, --password USER:SELECTOR and
 * --password-crypto.  Selectors are parsed (and password files read)
 * at configure time; at perform time each password is hashed on the
 * host with libcrypt and a fresh random salt, and /etc/shadow is edited
 * through augeas, never by hand.
 */
#include <config.h>

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "goldsmith-plugin.h"
#include "cleanups.h"
#include "customize.h"

static const struct {
  const char *name, *prefix;
} hashes[] = {
  { "md5", "$1$" },
  { "sha256", "$5$" },
  { "sha512", "$6$" },
  { "yescrypt", "$y$" },
};
#define NHASHES (sizeof hashes / sizeof hashes[0])

bool
cz_valid_crypto (const char *crypto)
{
  for (size_t i = 0; i < NHASHES; ++i)
    if (strcmp (crypto, hashes[i].name) == 0)
      return true;
  return false;
}

void
cz_password_free (struct cz_password *pw)
{
  if (pw->password) {
    explicit_bzero (pw->password, strlen (pw->password));
    free (pw->password);
  }
  free (pw->user);
  free (pw->label);
  memset (pw, 0, sizeof *pw);
}

/* The first line of a host file, without its line ending. */
static char *
first_line (const char *label, const char *file)
{
  FILE *fp = fopen (file, "re");
  char *line = NULL;
  size_t n = 0;
  ssize_t len;

  if (fp == NULL) {
    gs_error ("%s: %s: %m", label, file);
    return NULL;
  }
  errno = 0;
  len = getline (&line, &n, fp);
  if (len == -1) {
    if (errno)
      gs_error ("%s: %s: %m", label, file);
    else
      gs_error ("%s: %s is empty", label, file);
    fclose (fp);
    free (line);
    return NULL;
  }
  fclose (fp);
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    line[--len] = '\0';
  return line;
}

/* SELECTOR: password:PW | file:FILE | random | disabled | disable,
 * optionally after locked: or lock:, or locked alone.  Messages never
 * quote the selector: it may hold the password.
 */
int
cz_parse_password (const char *label, const char *user, const char *sel,
                   struct cz_password *pw)
{
  memset (pw, 0, sizeof *pw);
  if (strcmp (sel, "locked") == 0 || strcmp (sel, "lock") == 0) {
    pw->locked = true;
    pw->kind = CZ_PW_DISABLED;
  }
  else {
    if (strncmp (sel, "locked:", 7) == 0) {
      pw->locked = true;
      sel += 7;
    }
    else if (strncmp (sel, "lock:", 5) == 0) {
      pw->locked = true;
      sel += 5;
    }
    if (strncmp (sel, "password:", 9) == 0) {
      pw->kind = CZ_PW_SET;
      if (sel[9] == '\0') {
        gs_error ("%s: password:PASSWORD with an empty password (use "
                  "\"disabled\" for no password login)", label);
        return -1;
      }
      pw->password = gs_xstrdup (sel + 9);
    }
    else if (strncmp (sel, "file:", 5) == 0 && sel[5]) {
      pw->kind = CZ_PW_SET;
      if ((pw->password = first_line (label, sel + 5)) == NULL)
        return -1;
      if (pw->password[0] == '\0') {
        gs_error ("%s: the first line of %s is empty", label, sel + 5);
        free (pw->password);
        pw->password = NULL;
        return -1;
      }
    }
    else if (strcmp (sel, "random") == 0)
      pw->kind = CZ_PW_RANDOM;
    else if (strcmp (sel, "disabled") == 0 || strcmp (sel, "disable") == 0)
      pw->kind = CZ_PW_DISABLED;
    else {
      gs_error ("%s: invalid password selector for user %s (expected "
                "password:PASSWORD, file:FILENAME, random, disabled, or "
                "one of them after locked:)", label, user);
      return -1;
    }
  }
  pw->user = gs_xstrdup (user);
  pw->label = gs_xstrdup (label);
  return 0;
}

/* 16 characters from [A-Za-z0-9] without look-alikes (virt-customize's
 * set), uniformly.
 */
static int
random_password (char *out, size_t len)
{
  static const char chars[] =
    "ABCDEFGHIJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789";
  const size_t nchars = sizeof chars - 1;
  size_t i = 0;

  while (i < len) {
    unsigned char b;

    if (getrandom (&b, 1, 0) != 1) {
      if (errno == EINTR)
        continue;
      gs_error ("getrandom: %m");
      return -1;
    }
    if (b >= 256 - 256 % nchars)  /* rejection: no modulo bias */
      continue;
    out[i++] = chars[b % nchars];
  }
  out[len] = '\0';
  return 0;
}

/* crypt(3) with a fresh salt from the host's random source. */
static char *
hash_password (const char *crypto, const char *password)
{
  const char *prefix = "$6$";
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  struct crypt_data *cd = gs_xcalloc (1, sizeof *cd);
  char *h, *r = NULL;

  for (size_t i = 0; i < NHASHES; ++i)
    if (strcmp (crypto, hashes[i].name) == 0)
      prefix = hashes[i].prefix;
  if (crypt_gensalt_rn (prefix, 0, NULL, 0, salt, sizeof salt) == NULL) {
    gs_error ("--password-crypto %s: cannot make a salt: %m", crypto);
    goto out;
  }
  h = crypt_r (password, salt, cd);
  if (h == NULL || h[0] == '*') {
    gs_error ("--password-crypto %s: crypt failed: %m", crypto);
    goto out;
  }
  r = gs_xstrdup (h);
 out:
  explicit_bzero (cd, sizeof *cd);
  free (cd);
  return r;
}

/* The shadow password field for PW (random passwords are made and
 * printed here).
 */
static char *
shadow_field (struct cz_state *st, const struct cz_password *pw)
{
  char rnd[17];
  CLEANUP_FREE char *h = NULL;

  switch (pw->kind) {
  case CZ_PW_DISABLED:
    return gs_xstrdup (pw->locked ? "!*" : "*");
  case CZ_PW_RANDOM:
    if (random_password (rnd, 16) == -1)
      return NULL;
    /* A warning, so that -q cannot hide the only copy of it. */
    gs_warning ("random password for %s: %s", pw->user, rnd);
    h = hash_password (st->crypto, rnd);
    explicit_bzero (rnd, sizeof rnd);
    break;
  case CZ_PW_SET:
    h = hash_password (st->crypto, pw->password);
    break;
  }
  if (h == NULL)
    return NULL;
  return gs_xasprintf ("%s%s", pw->locked ? "!" : "", h);
}

static int
set_one (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g,
         struct gs_aug *a, struct gs_aug_file *f, const struct cz_password *pw)
{
  CLEANUP_FREE char *node = NULL, *field = NULL;
  CLEANUP_FREE_STRV char **m = NULL;

  node = gs_xasprintf ("/files/etc/shadow/%s", pw->user);
  if ((m = guestfs_aug_match (g, node)) == NULL)
    return -1;
  if (m[0] == NULL) {
    /* virt-customize skips it silently: a password asked for and not
     * set is worth stopping for.
     */
    gs_error ("%s: the guest has no user %s in /etc/shadow", pw->label,
              pw->user);
    return -1;
  }
  if (gs_dry_run (ctx)) {
    if (pw->kind == CZ_PW_RANDOM)
      gs_debug ("%s: dry run: no random password made", pw->label);
    return 0;
  }
  free (node);
  node = gs_xasprintf ("/files/etc/shadow/%s/password", pw->user);
  if ((field = shadow_field (st, pw)) == NULL)
    return -1;
  return gs_aug_set (a, f, node, field);
}

int
cz_set_passwords (struct cz_state *st, struct gs_ctx *ctx, guestfs_h *g)
{
  CLEANUP_FREE char *real = NULL;
  struct cz_action shadow = { .label = (char *) "--password" };
  struct gs_aug a = { 0 };
  struct gs_aug_file *f;
  int r;

  if ((r = guestfs_is_file (g, "/etc/shadow")) == -1)
    return -1;
  if (r == 0) {
    gs_error ("%s: the guest has no /etc/shadow",
              st->root ? st->root->label : st->passwords[0].label);
    return -1;
  }
  if ((real = cz_target (ctx, g, &shadow, "/etc/shadow")) == NULL)
    return -1;
  if ((f = cz_aug_open (&a, g, "Shadow", "/etc/shadow")) == NULL)
    goto fail;
  if ((st->root && set_one (st, ctx, g, &a, f, st->root) == -1))
    goto fail;
  for (size_t i = 0; i < st->npasswords; ++i)
    if (set_one (st, ctx, g, &a, f, &st->passwords[i]) == -1)
      goto fail;
  if (!gs_dry_run (ctx) && gs_aug_save (&a) == -1)
    goto fail;
  gs_aug_end (&a);
  return cz_report (ctx, real, true, -1);

 fail:
  gs_aug_end (&a);
  return -1;
}
