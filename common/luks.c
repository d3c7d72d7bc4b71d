/* SPDX-License-Identifier: GPL-2.0-or-later */
/* luks.c: encrypted guests.  --key ID:key:STRING / ID:file:FILE (ID: a
 * device name, a /dev/mapper name or the LUKS UUID; "all": any device)
 * and --keys-from-stdin, as guestfs-tools read them.  After a launch,
 * every LUKS device is opened with its key, then LVM is scanned again
 * and the new devices looked at once more, so that LVM inside LUKS and
 * LUKS inside an LV both open.  Keys are never printed, logged or put
 * on a command line (libguestfs's trace shows key arguments as ***).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "goldsmith-int.h"
#include "cleanups.h"

/* The first line of FILE (guestfs-tools' ID:file:FILE). */
static char *
first_line (const char *file, const char *selector_id)
{
  CLEANUP_FREE char *text = gs_int_read_text_file (file);

  if (text == NULL) {
    gs_error ("--key %s:file:%s: %m", selector_id, file);
    return NULL;
  }
  text[strcspn (text, "\n")] = '\0';
  return gs_xstrdup (text);
}

int
gs_int_keys_add (struct gs_keys *k, const char *selector)
{
  const char *colon = strchr (selector, ':');
  CLEANUP_FREE char *id = NULL;
  char *key = NULL;

  if (colon == NULL || colon == selector) {
    gs_error ("--key: expected ID:key:KEY or ID:file:FILENAME");
    return -1;
  }
  id = gs_xstrndup (selector, colon - selector);
  /* The selector holds the key: never echo it in a message. */
  if (strncmp (colon + 1, "key:", 4) == 0)
    key = gs_xstrdup (colon + 5);
  else if (strncmp (colon + 1, "file:", 5) == 0 && colon[6]) {
    if ((key = first_line (colon + 6, id)) == NULL)
      return -1;
  }
  else {
    gs_error ("--key %s:...: expected ID:key:KEY or ID:file:FILENAME", id);
    return -1;
  }
  k->v = gs_xreallocarray (k->v, k->n + 1, sizeof *k->v);
  k->v[k->n].id = id;
  id = NULL;
  k->v[k->n++].key = key;
  return 0;
}

void
gs_int_keys_free (struct gs_keys *k)
{
  for (size_t i = 0; i < k->n; ++i) {
    free (k->v[i].id);
    /* Not left in freed memory. */
    explicit_bzero (k->v[i].key, strlen (k->v[i].key));
    free (k->v[i].key);
  }
  free (k->v);
  k->v = NULL;
  k->n = 0;
}

/* A key read from stdin (--keys-from-stdin), or typed at the terminal,
 * for DEV: NULL when there is none to read.
 */
static char *
ask_key (const struct gs_keys *k, const char *dev)
{
  bool tty = isatty (0);
  struct termios old, quiet;
  bool hidden = false;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;

  if (!k->from_stdin && !tty)
    return NULL;
  if (tty) {
    /* A prompt on the terminal, not a message (never the journal's). */
    fprintf (stderr, "Enter key or passphrase (\"%s\"): ", dev);
    fflush (stderr);
    if (!k->echo && tcgetattr (0, &old) == 0) {
      quiet = old;
      quiet.c_lflag &= ~ECHO;
      hidden = tcsetattr (0, TCSAFLUSH, &quiet) == 0;
    }
  }
  n = getline (&line, &cap, stdin);
  if (hidden) {
    tcsetattr (0, TCSAFLUSH, &old);
    fputc ('\n', stderr);
  }
  if (n <= 0) {
    free (line);
    return NULL;
  }
  line[strcspn (line, "\n")] = '\0';
  return line;
}

/* Does key K name DEV (its device name, mapper name or LUKS UUID)? */
static bool
names (const struct gs_key *key, const char *dev, const char *uuid)
{
  const char *base = strrchr (dev, '/');

  if (strcmp (key->id, dev) == 0 || (uuid && strcmp (key->id, uuid) == 0))
    return true;
  /* /dev/mapper/NAME for an LV /dev/VG/LV is "VG-LV". */
  if (strncmp (key->id, "/dev/mapper/", 12) == 0 && base &&
      strncmp (dev, "/dev/", 5) == 0) {
    const char *vg = dev + 5;
    size_t vglen = base - vg;

    return strncmp (key->id + 12, vg, vglen) == 0 &&
      key->id[12 + vglen] == '-' && strcmp (key->id + 13 + vglen, base + 1) == 0;
  }
  return false;
}

/* Open DEV: the keys that name it, else the "all" keys, else one
 * asked for.  0 opened, 1 left closed (no key), -1 a key given for it
 * does not open it (said).
 */
static int
open_one (struct gs_session *s, const struct gs_keys *k, const char *dev,
          int seq)
{
  guestfs_h *g = s->g;
  CLEANUP_FREE char *uuid = NULL, *map = NULL, *asked = NULL;
  bool tried = false, named = false;

  gs_quiet_begin (s->g);
  uuid = guestfs_luks_uuid (g, dev);
  gs_quiet_end (s->g);
  map = uuid ? gs_xasprintf ("luks-%s", uuid)
             : gs_xasprintf ("gsluks%d", seq);
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = 0; k && i < k->n; ++i) {
      bool all = strcmp (k->v[i].id, "all") == 0;

      if (pass == 0 ? !names (&k->v[i], dev, uuid) : !all)
        continue;
      named |= !all;
      tried = true;
      gs_quiet_begin (s->g);
      if (guestfs_cryptsetup_open (g, dev, k->v[i].key, map, -1) == 0) {
        gs_quiet_end (s->g);
        gs_debug ("%s: opened as /dev/mapper/%s", dev, map);
        return 0;
      }
      gs_quiet_end (s->g);
    }
  if (!tried && (asked = ask_key (k, dev)) != NULL) {
    gs_quiet_begin (s->g);
    if (guestfs_cryptsetup_open (g, dev, asked, map, -1) == 0) {
      gs_quiet_end (s->g);
      explicit_bzero (asked, strlen (asked));
      return 0;
    }
    gs_quiet_end (s->g);
    explicit_bzero (asked, strlen (asked));
    gs_error ("%s: the key typed does not open this encrypted device", dev);
    return -1;
  }
  if (tried) {
    gs_error ("%s: %s does not open this encrypted device (a wrong key?)",
              dev, named ? "the key given for it" : "none of the keys given");
    return -1;
  }
  gs_warning ("%s: an encrypted (LUKS) device and no key for it: left "
              "closed (--key %s:key:..., or --keys-from-stdin)", dev, dev);
  return 1;
}

int
gs_int_luks_open_all (struct gs_session *s, const struct gs_keys *k)
{
  string_vector seen = empty_vector;
  int seq = 0, r = 0;

  /* Without keys, asking needs a terminal: a pipeline given none does
   * not pay for the look at every device.
   */
  if ((k == NULL || (k->n == 0 && !k->from_stdin)) && !isatty (0))
    return 0;
  /* LUKS inside LVM inside LUKS...: look again after each opening. */
  for (int round = 0; round < 4 && r == 0; ++round) {
    /* Whole disks, partitions, LVs: libguestfs 1.48's
     * list_filesystems leaves LUKS devices out, so each is asked.
     */
    char **lists[3];
    bool opened = false;

    gs_quiet_begin (s->g);
    lists[0] = guestfs_list_devices (s->g);
    lists[1] = guestfs_list_partitions (s->g);
    lists[2] = guestfs_lvs (s->g);
    for (size_t l = 0; l < 3; ++l)
      for (size_t i = 0; lists[l] && lists[l][i] && r == 0; ++i) {
        const char *dev = lists[l][i];
        CLEANUP_FREE char *type = NULL;
        bool done = false;
        int o;

        for (size_t j = 0; j < seen.len; ++j)
          done |= strcmp (seen.ptr[j], dev) == 0;
        if (done)
          continue;
        string_vector_append_copy (&seen, dev);
        if ((type = guestfs_vfs_type (s->g, dev)) == NULL ||
            strcmp (type, "crypto_LUKS") != 0)
          continue;
        gs_quiet_end (s->g);
        if ((o = open_one (s, k, dev, seq++)) == -1)
          r = -1;
        opened |= o == 0;
        gs_quiet_begin (s->g);
      }
    gs_quiet_end (s->g);
    for (size_t l = 0; l < 3; ++l)
      gs_free_strv (lists[l]);
    if (!opened || r == -1)
      break;
    /* Volume groups inside what was opened. */
    if (guestfs_lvm_scan (s->g, 1) == -1)
      r = -1;
  }
  string_vector_free_all (&seen);
  return r;
}
