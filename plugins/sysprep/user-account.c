/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user-account: remove the guest's (non-system) user accounts, with
 * their home directories and mail spools.
 *
 * Everything is read and edited through augeas: the range of user IDs
 * from login.defs (Login_defs lens), the accounts from passwd (Passwd);
 * passwd and shadow are edited line by line (Simplelines: see
 * line_predicate), group and gshadow with their lenses.  Every file is
 * parsed and checked before anything changes, so a failure (no
 * login.defs, a nonsense UID_MIN, a file augeas cannot parse) leaves
 * the guest as it was.  The account files are saved before homes and
 * spools are removed: a removal that fails then leaves files behind,
 * never an account without its home.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-plugin.h"
#include "string-vector.h"
#include "cleanups.h"
#include "edit-util.h"
#include "id-range.h"

/* Accumulated over every configuration layer (each --remove-user-accounts
 * and --keep-user-accounts is one), never replaced.
 */
static string_vector remove_list = empty_vector;
static string_vector keep_list = empty_vector;

static const struct gs_config_key keys[] = {
  { "remove", GS_KEY_STRINGS, "remove only these accounts (default: every account in the UID_MIN..UID_MAX range); each file's list adds to the earlier ones, like --remove-user-accounts" },
  { "keep", GS_KEY_STRINGS, "never remove these accounts (wins over remove); adds up like --keep-user-accounts" },
  { NULL, 0, NULL },
};

/* virt-sysprep's command-line options of this operation. */
static const struct gs_option options[] = {
  { "remove-user-accounts", GS_OPTION_LIST, "remove", NULL, "USERS",
    "Remove only these accounts (comma list)" },
  { "keep-user-accounts", GS_OPTION_LIST, "keep", NULL, "USERS",
    "Never remove these accounts (comma list)" },
  { NULL },
};

/* Names as passwd(5) can hold them and augeas can address. */
static const char *
bad_name (const char *name)
{
  if (name[0] == '\0')
    return "an empty name";
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return "not a user name";
  for (const char *p = name; *p; ++p)
    if (*p == ':' || *p == '/' || *p == ',' || (unsigned char) *p <= ' ' ||
        *p == 0x7f)
      return "a character user names cannot hold (':', '/', ',', "
             "blank or control)";
  return NULL;
}

static int
add_names (const config_setting_t *sec, const char *key, string_vector *out)
{
  const config_setting_t *list = config_setting_get_member (sec, key);

  if (list == NULL)
    return 0;
  for (int i = 0; i < config_setting_length (list); ++i) {
    const char *s = config_setting_get_string_elem (list, i);
    const char *why = s ? bad_name (s) : "not a string";

    if (why) {
      gs_error ("%s:%u: %s[%d]: \"%s\": %s",
                config_setting_source_file (list),
                config_setting_source_line (list), key, i, s ? s : "", why);
      return -1;
    }
    string_vector_append_copy (out, s);
  }
  return 0;
}

static int
user_account_configure (struct gs_op *op, const config_setting_t *sec)
{
  (void) op;
  if (add_names (sec, "remove", &remove_list) == -1 ||
      add_names (sec, "keep", &keep_list) == -1)
    return -1;
  return 0;
}

static bool
in_list (const string_vector *v, const char *name)
{
  for (size_t i = 0; i < v->len; ++i)
    if (strcmp (v->ptr[i], name) == 0)
      return true;
  return false;
}

/* A number as shadow-utils reads login.defs (strtol, base 0). */
static int
parse_id (const char *file, const char *key, const char *s, long *out)
{
  char *end;

  errno = 0;
  *out = s ? strtol (s, &end, 0) : 0;
  if (s == NULL || s[0] == '\0' || *end != '\0' || errno != 0 || *out < 0 ||
      *out > 4294967294L) {
    gs_error ("%s: %s \"%s\" is not a user ID (a number from 0 to "
              "4294967294)", file, key, s ? s : "");
    return -1;
  }
  return 0;
}

struct user {
  char *name;                    /* passwd label */
  char *node;                    /* its passwd node */
  char *home;
  bool remove;
  bool group_stays;              /* its group is another's primary one */
  const char *home_kept;         /* why its home stays, or NULL */
};

static void
free_users (struct user *u, size_t n)
{
  for (size_t i = 0; i < n; ++i) {
    free (u[i].name);
    free (u[i].node);
    free (u[i].home);
  }
  free (u);
}

/* Why HOME is not removed with its user, or NULL to remove it (the
 * path alone; home_shared asks whether an account that stays uses it).
 */
static const char *
home_guard (const char *home)
{
  static const char *const system[] = {
    "bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc",
    "run", "sbin", "sys", "usr", NULL,
  };
  size_t len = strlen (home), first;

  if (home[0] != '/')
    return "not an absolute path";
  while (len > 1 && home[len - 1] == '/')
    len--;
  if (strstr (home, "/../") || strstr (home, "/./") ||
      (len >= 3 && strncmp (home + len - 3, "/..", 3) == 0))
    return "not a canonical path";
  first = strcspn (home + 1, "/") + 1;
  if (first >= len)
    return "a top-level directory";
  for (size_t i = 0; system[i]; ++i)
    if (strlen (system[i]) == first - 1 &&
        strncmp (home + 1, system[i], first - 1) == 0)
      return "in a system directory";
  return NULL;
}

/* Is NODE the passwd node of an account that goes? */
static bool
removed_node (const struct user *users, size_t n, const char *node)
{
  for (size_t i = 0; i < n; ++i)
    if (users[i].remove && strcmp (users[i].node, node) == 0)
      return true;
  return false;
}

/* Do the accounts of passwd (F) matching PRED (an augeas predicate)
 * include one that stays?  One query, whatever the size of passwd.
 * 1 yes, 0 no, -1 on error.
 */
static int
any_stays (struct gs_aug *a, struct gs_aug_file *f, const char *pred,
           const struct user *users, size_t n)
{
  CLEANUP_FREE char *q = gs_xasprintf ("/*[%s]", pred);
  CLEANUP_FREE_STRV char **m = NULL;

  if ((m = gs_aug_match (a, f, q)) == NULL)
    return -1;
  for (size_t i = 0; m[i]; ++i)
    if (!removed_node (users, n, m[i]))
      return 1;
  return 0;
}

/* Is HOME the home of an account that stays, or above one?  Characters
 * other than letters, digits, '/', '_' and '-' match any character in
 * the query: a weird name can only find more accounts, keeping more.
 */
static int
home_shared (struct gs_aug *a, struct gs_aug_file *f, const char *home,
             const struct user *users, size_t n)
{
  size_t len = strlen (home);
  CLEANUP_FREE char *pred = NULL;
  char *re;

  while (len > 1 && home[len - 1] == '/')
    len--;
  re = gs_xstrndup (home, len);
  for (char *p = re; *p; ++p)
    if (!(isalnum ((unsigned char) *p) || *p == '/' || *p == '_' ||
          *p == '-'))
      *p = '.';
  pred = gs_xasprintf ("home =~ regexp('%s(/.*)?')", re);
  free (re);
  return any_stays (a, f, pred, users, n);
}

/* The account files are saved through the Simplelines lens, one node
 * per line: augeas saves a file in time quadratic in its entries, and
 * the Passwd lens's per-field nodes make that 40 times slower (a passwd
 * of 30,000 accounts: 3 s instead of 2 minutes on a fast host).  The
 * line of NAME is "NAME:..."; each character of NAME but letters and
 * digits goes in brackets, which augeas reads literally.  NULL for a
 * name that cannot be written so (']', '^', '\\' or a quote): such an
 * account is left, with a warning.
 */
static char *
line_predicate (const char *name)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *out;

  if (strpbrk (name, "]^\\'\"") != NULL)
    return NULL;
  if ((out = open_memstream (&buf, &size)) == NULL)
    return NULL;
  fputs ("/*[. =~ regexp('", out);
  for (const char *p = name; *p; ++p)
    fprintf (out, isalnum ((unsigned char) *p) ? "%c" : "[%c]", *p);
  fputs (":.*')]", out);
  if (fclose (out) != 0) {
    free (buf);
    return NULL;
  }
  return buf;
}

/* A path predicate for VALUE: [.='v'] or [.="v"]; NULL when VALUE holds
 * both kinds of quotes.
 */
static char *
value_predicate (const char *elem, const char *value)
{
  char q = strchr (value, '\'') ? '"' : '\'';

  if (strchr (value, q))
    return NULL;
  return gs_xasprintf ("/%s[.=%c%s%c]", elem, q, value, q);
}

static int
rm_sub (struct gs_aug *a, struct gs_aug_file *f, const char *esc_name,
        const char *sub)
{
  CLEANUP_FREE char *p = NULL;

  if (f == NULL)
    return 0;
  p = gs_xasprintf ("/%s%s", esc_name, sub);
  return gs_aug_rm (a, f, p);
}

/* Remove NAME from every member list of F (ELEMS: "user" for group,
 * "member" and "admin" for gshadow).
 */
static int
rm_member (struct gs_aug *a, struct gs_aug_file *f, const char *name,
           const char *const *elems)
{
  if (f == NULL)
    return 0;
  for (size_t i = 0; elems[i]; ++i) {
    CLEANUP_FREE char *pred = value_predicate (elems[i], name);
    CLEANUP_FREE char *sub = NULL;

    if (pred == NULL) {
      gs_warning ("%s: user %s is left in its member lists (its name holds "
                  "both kinds of quotes)", f->path, name);
      return 0;
    }
    sub = gs_xasprintf ("/*%s", pred);
    if (gs_aug_rm (a, f, sub) == -1)
      return -1;
  }
  return 0;
}

/* The group named NAME goes with the user, unless it is the primary
 * group of an account that stays (PASSWD: the passwd file).
 */
static int
group_stays (struct gs_aug *a, struct gs_aug_file *group,
             struct gs_aug_file *passwd, const char *esc,
             const struct user *users, size_t n, bool *stays)
{
  CLEANUP_FREE char *p = NULL, *v = NULL, *pred = NULL;
  int r;

  *stays = false;
  if (group == NULL)
    return 0;
  p = gs_xasprintf ("%s/%s/gid", group->node, esc);
  if ((v = gs_aug_get (a, p)) == NULL || v[0] == '\0' ||
      strspn (v, "0123456789") != strlen (v))
    return 0;
  if (v[strspn (v, "0")] == '\0')
    return 0;                    /* gid 0: root's, never removed anyway */
  pred = gs_xasprintf ("gid =~ regexp('0*%s')", v + strspn (v, "0"));
  if ((r = any_stays (a, passwd, pred, users, n)) == -1)
    return -1;
  *stays = r == 1;
  return 0;
}

/* The account files, their augeas lenses for reading. */
static const char *const account_files[][2] = {
  { "Passwd", "/etc/passwd" }, { "Shadow", "/etc/shadow" },
  { "Group", "/etc/group" }, { "Gshadow", "/etc/gshadow" },
};

/* Edit the account files: passwd and shadow line by line (see
 * line_predicate), group and gshadow with their lenses, in the augeas
 * session A (a new one: one file cannot have two lenses).  PRESENT: the
 * files that are there and not protected.
 */
static int
edit_account_files (struct gs_ctx *ctx, guestfs_h *g, struct gs_aug *ap,
                    const bool present[4], const struct user *users,
                    size_t nusers)
{
  static const char *const group_elems[] = { "user", NULL };
  static const char *const gshadow_elems[] = { "member", "admin", NULL };
  struct gs_aug_file *af[4] = { NULL };
  int r = -1;

  {
    static const char *const edit_lens[4] = {
      "Simplelines", "Simplelines", "Group", "Gshadow",
    };

    if (gs_aug_begin (ap, g) == -1)
      goto out;
    for (size_t i = 0; i < 4; ++i)
      if (present[i] &&
          gs_aug_add (ap, edit_lens[i], account_files[i][1]) == NULL)
        goto out;
    if (gs_aug_load (ap) == -1)
      goto out;
    for (size_t i = 0, k = 0; i < 4; ++i)
      af[i] = present[i] ? &ap->files[k++] : NULL;
    for (size_t i = 0; i < ap->nfiles; ++i)
      if (ap->files[i].error) {
        gs_error ("%s: augeas cannot parse it (%s): no account was removed",
                  ap->files[i].path, ap->files[i].error);
        goto out;
      }
  }
  for (size_t i = 0; i < nusers; ++i) {
    const struct user *u = &users[i];
    CLEANUP_FREE char *esc = NULL, *line = NULL;

    if (!u->remove)
      continue;
    esc = gs_aug_escape (u->name);
    if ((line = line_predicate (u->name)) == NULL) {
      gs_error ("out of memory");
      goto out;
    }
    if (gs_aug_rm (ap, af[0], line) == -1 ||
        (af[1] && gs_aug_rm (ap, af[1], line) == -1))
      goto out;
    if (u->group_stays)
      gs_warning ("group %s is kept: it is the primary group of an account "
                  "that stays", u->name);
    else if (rm_sub (ap, af[2], esc, "") == -1 ||
             rm_sub (ap, af[3], esc, "") == -1)
      goto out;
    if (rm_member (ap, af[2], u->name, group_elems) == -1 ||
        rm_member (ap, af[3], u->name, gshadow_elems) == -1)
      goto out;
  }
  if (gs_aug_commit (ctx, ap) == -1)
    goto out;

  r = 0;
 out:
  return r;
}

/* After the account files: the homes and mail spools of the accounts
 * that went.
 */
static int
remove_homes_and_spools (struct gs_ctx *ctx, guestfs_h *g,
                         const struct user *users, size_t nusers,
                         const char *mail_dir)
{
  string_vector spools = empty_vector;
  int r = -1;

  /* Then homes and mail spools.  The spool directories are often one
   * (/var/mail -> spool/mail): resolve them once, so that nothing is
   * removed, or reported in a dry run, twice.
   */
  {
    const char *dirs[] = { "/var/spool/mail", "/var/mail", mail_dir };

    for (size_t k = 0; k < 3; ++k) {
      char *real;
      int is;

      if (dirs[k] == NULL || dirs[k][0] != '/')
        continue;
      if ((is = guestfs_is_dir_opts (g, dirs[k],
                                     GUESTFS_IS_DIR_OPTS_FOLLOWSYMLINKS, 1,
                                     -1)) == -1)
        goto out;
      if (!is)
        continue;
      if ((real = guestfs_realpath (g, dirs[k])) == NULL)
        goto out;
      if (in_list (&spools, real)) {
        free (real);
        continue;
      }
      string_vector_append (&spools, real);
    }
  }
  for (size_t i = 0; i < nusers; ++i) {
    const struct user *u = &users[i];
    bool done = false;

    if (!u->remove)
      continue;
    /* A home shared by accounts that all go is removed once. */
    for (size_t k = 0; k < i && !done; ++k)
      done = users[k].remove && users[k].home && u->home &&
        strcmp (users[k].home, u->home) == 0;
    if (u->home && u->home[0] && !done) {
      const char *why = u->home_kept;

      if (why == NULL) {
        if (gs_remove (ctx, g, u->home, GS_REMOVE_RECURSIVE) == -1)
          goto out;
      }
      else {
        int e;

        gs_quiet_begin (g);
        e = guestfs_exists (g, u->home);
        gs_quiet_end (g);
        if (e == 1)
          gs_warning ("user %s: home directory %s is not removed: %s",
                      u->name, u->home, why);
      }
    }
    for (size_t k = 0; k < spools.len; ++k) {
      CLEANUP_FREE char *p = gs_xasprintf ("%s/%s", spools.ptr[k], u->name);

      if (gs_remove (ctx, g, p, GS_REMOVE_RECURSIVE) == -1)
        goto out;
    }
  }
  r = 0;
 out:
  string_vector_free_all (&spools);
  return r;
}

/* What perform reads before it changes anything.  gs_aug_add may move
 * a.files: af[] is taken after loading.
 */
struct accounts {
  struct gs_aug a;
  struct gs_aug_file *defs;      /* login.defs */
  struct gs_aug_file *af[4];     /* account_files' order; NULL: absent */
  bool present[4];               /* a regular file, not protected */
  const char *defs_path;
  char *mail_dir;                /* login.defs' MAIL_DIR, or NULL */
  long uid_min, uid_max;
  struct user *users;            /* the accounts of the range */
  size_t nusers;
};

/* Every file is parsed before anything changes: here what is read
 * (login.defs, passwd and group field by field), then, before the
 * edits, what is edited (edit_account_files).
 */
static int
load_files (struct gs_ctx *ctx, guestfs_h *g, struct accounts *ac)
{
  struct gs_aug *a = &ac->a;
  size_t idx[4] = { 0 };           /* in a->files; 0 = not loaded */

  /* login.defs: /etc, or where openSUSE's shadow-utils keeps it now. */
  for (size_t i = 0; i < 2 && ac->defs_path == NULL; ++i) {
    const char *p = i == 0 ? "/etc/login.defs" : "/usr/etc/login.defs";
    int is = guestfs_is_file (g, p);

    if (is == -1)
      return -1;
    if (is)
      ac->defs_path = p;
  }
  if (ac->defs_path == NULL) {
    gs_error ("/etc/login.defs: no such file: cannot tell user accounts "
              "(UID_MIN..UID_MAX) from system accounts");
    return -1;
  }
  if (gs_aug_begin (a, g) == -1 ||
      gs_aug_add (a, "Login_defs", ac->defs_path) == NULL)
    return -1;
  for (size_t i = 0; i < 4; ++i) {
    const char *p = account_files[i][1];
    int is;

    /* Regular files only (is_file follows no symlink), and not where
     * --exclude-path says so.
     */
    if ((is = guestfs_is_file (g, p)) == -1)
      return -1;
    if (!is || (i > 0 && gs_path_protected (ctx, p)))
      continue;
    ac->present[i] = true;
    if (i == 1 || i == 3)
      continue;                  /* shadow, gshadow: edited, never read */
    if (gs_aug_add (a, account_files[i][0], p) == NULL)
      return -1;
    idx[i] = a->nfiles - 1;
  }
  if (gs_aug_load (a) == -1)
    return -1;
  ac->defs = &a->files[0];
  for (size_t i = 0; i < 4; ++i)
    ac->af[i] = idx[i] > 0 ? &a->files[idx[i]] : NULL;
  if (ac->af[0] == NULL) {
    gs_error ("/etc/passwd: missing, or not a regular file");
    return -1;
  }
  for (size_t i = 0; i < a->nfiles; ++i)
    if (a->files[i].error) {
      gs_error ("%s: augeas cannot parse it (%s): no account was removed",
                a->files[i].path, a->files[i].error);
      return -1;
    }
  return 0;
}

/* The range of user IDs, and MAIL_DIR, from login.defs. */
static int
read_uid_range (struct accounts *ac)
{
  CLEANUP_FREE char *pmin = gs_xasprintf ("%s/UID_MIN", ac->defs->node);
  CLEANUP_FREE char *pmax = gs_xasprintf ("%s/UID_MAX", ac->defs->node);
  CLEANUP_FREE char *pmail = gs_xasprintf ("%s/MAIL_DIR", ac->defs->node);
  CLEANUP_FREE char *min_s = gs_aug_get (&ac->a, pmin);
  CLEANUP_FREE char *max_s = gs_aug_get (&ac->a, pmax);

  ac->mail_dir = gs_aug_get (&ac->a, pmail);
  if (min_s == NULL || max_s == NULL) {
    gs_error ("%s: no %s: cannot tell user accounts from system accounts",
              ac->defs_path, min_s == NULL ? "UID_MIN" : "UID_MAX");
    return -1;
  }
  if (parse_id (ac->defs_path, "UID_MIN", min_s, &ac->uid_min) == -1 ||
      parse_id (ac->defs_path, "UID_MAX", max_s, &ac->uid_max) == -1)
    return -1;
  if (ac->uid_min > ac->uid_max) {
    gs_error ("%s: UID_MIN (%ld) is greater than UID_MAX (%ld)",
              ac->defs_path, ac->uid_min, ac->uid_max);
    return -1;
  }
  return 0;
}

/* The accounts of the range, and which go: one augeas query.  Asking
 * for each account's uid instead costs augeas a scan of every account
 * per question, which a passwd of 30,000 turns into a quarter of an
 * hour.  (root, UID 0, never goes.)
 */
static int
find_users (guestfs_h *g, struct accounts *ac)
{
  struct gs_aug *a = &ac->a;
  CLEANUP_FREE_STRV char **nodes = NULL;

  {
    CLEANUP_FREE char *re = gs_id_range_regex (ac->uid_min > 0
                                               ? ac->uid_min : 1,
                                               ac->uid_max);
    CLEANUP_FREE char *q = NULL;
    size_t n = 0;

    /* id-range.c is linked without the core too (its unit test), so
     * it reports running out of memory with NULL.
     */
    if (re == NULL) {
      gs_error ("out of memory");
      return -1;
    }
    q = gs_xasprintf ("/*[uid =~ regexp('%s')]", re);
    if (ac->uid_max >= 1 && (nodes = gs_aug_match (a, ac->af[0], q)) == NULL)
      return -1;
    while (nodes && nodes[n])
      n++;
    ac->users = gs_xcalloc (n + 1, sizeof *ac->users);
  }
  for (size_t i = 0; nodes && nodes[i]; ++i) {
    struct user *u = &ac->users[ac->nusers];
    CLEANUP_FREE char *phome = NULL;

    if ((u->name = guestfs_aug_label (g, nodes[i])) == NULL)
      return -1;
    if (u->name[0] == '#' || u->name[0] == '@' || u->name[0] == '+' ||
        u->name[0] == '-') {       /* comments, NIS entries */
      free (u->name);
      u->name = NULL;
      continue;
    }
    u->node = gs_xstrdup (nodes[i]);
    phome = gs_xasprintf ("%s/home", nodes[i]);
    ac->nusers++;
    u->home = gs_aug_get (a, phome);
    u->remove = !in_list (&keep_list, u->name) &&
      (remove_list.len == 0 || in_list (&remove_list, u->name));
  }
  /* Listed accounts the query did not find: outside the range, or none. */
  for (size_t i = 0; i < remove_list.len; ++i) {
    const char *name = remove_list.ptr[i];
    CLEANUP_FREE char *esc = gs_aug_escape (name), *puid = NULL;
    CLEANUP_FREE char *uid_s = NULL;
    bool found = false;

    for (size_t k = 0; k < ac->nusers && !found; ++k)
      found = strcmp (ac->users[k].name, name) == 0;
    if (found)
      continue;
    puid = gs_xasprintf ("%s/%s/uid", ac->af[0]->node, esc);
    if ((uid_s = gs_aug_get (a, puid)) != NULL)
      gs_warning ("user %s is not removed: UID %s is outside "
                  "UID_MIN..UID_MAX (%ld..%ld) of %s", name, uid_s,
                  ac->uid_min, ac->uid_max, ac->defs_path);
    else
      gs_warning ("user %s: no such account in /etc/passwd", name);
  }
  return 0;
}

/* Everything the edits depend on is decided now, while passwd is
 * parsed field by field: which names can be matched line by line,
 * which groups stay, which homes stay.
 */
static int
decide (struct accounts *ac)
{
  struct user *users = ac->users;
  size_t nusers = ac->nusers;

  for (size_t i = 0; i < nusers; ++i) {
    struct user *u = &users[i];
    CLEANUP_FREE char *pred = NULL;

    if (u->remove && (pred = line_predicate (u->name)) == NULL) {
      gs_warning ("user %s is not removed: its name holds ']', '^', '\\' "
                  "or a quote", u->name);
      u->remove = false;
    }
  }
  for (size_t i = 0; i < nusers; ++i) {
    struct user *u = &users[i];
    CLEANUP_FREE char *esc = NULL;
    int shared;

    if (!u->remove)
      continue;
    esc = gs_aug_escape (u->name);
    if (group_stays (&ac->a, ac->af[2], ac->af[0], esc, users, nusers,
                     &u->group_stays) == -1)
      return -1;
    if (u->home == NULL || u->home[0] == '\0')
      continue;
    if ((u->home_kept = home_guard (u->home)) != NULL)
      continue;
    if ((shared = home_shared (&ac->a, ac->af[0], u->home, users,
                               nusers)) == -1)
      return -1;
    if (shared)
      u->home_kept = "the home directory of another account too";
  }
  return 0;
}

static int
user_account_perform (struct gs_op *op, struct gs_ctx *ctx, guestfs_h *g,
                      const char *root)
{
  const char *type = gs_guest_get (ctx, "type");
  struct accounts ac = { .a = { 0 } };
  int r = -1;

  (void) op; (void) root;
  if (type && strcmp (type, "windows") == 0) {
    gs_not_applicable (ctx, "Windows accounts are not in /etc/passwd");
    return 0;
  }
  if (gs_path_protected (ctx, "/etc/passwd")) {
    gs_not_applicable (ctx, "/etc/passwd is protected by --exclude-path");
    return 0;
  }
  if (load_files (ctx, g, &ac) == -1 || read_uid_range (&ac) == -1 ||
      find_users (g, &ac) == -1 || decide (&ac) == -1)
    goto out;
  gs_aug_end (&ac.a);
  if (edit_account_files (ctx, g, &ac.a, ac.present, ac.users,
                          ac.nusers) == -1)
    goto out;
  if (remove_homes_and_spools (ctx, g, ac.users, ac.nusers,
                               ac.mail_dir) == -1)
    goto out;
  r = 0;

 out:
  gs_aug_end (&ac.a);
  free_users (ac.users, ac.nusers);
  free (ac.mail_dir);
  return r;
}

static void
user_account_unload (struct gs_op *op)
{
  (void) op;
  string_vector_free_all (&remove_list);
  string_vector_free_all (&keep_list);
}

static const struct gs_operation user_account = {
  .name = "user-account",
  .family = "sysprep",
  .heading = "Remove the user accounts in the guest",
  .description =
    "Remove the user accounts: every account of F</etc/passwd> whose UID "
    "is in the C<UID_MIN>..C<UID_MAX> range of F</etc/login.defs> (root, "
    "UID 0, never), or only those named by B<--remove-user-accounts>, "
    "minus those named by B<--keep-user-accounts> (keep wins).  For each: "
    "its entries in F</etc/passwd> and F</etc/shadow>, the group of the "
    "same name in F</etc/group> and F</etc/gshadow>, its home directory "
    "(recursively) and its mail spool (F</var/spool/mail/USER>).  Not "
    "enabled by default.  Both options repeat and add up, like the "
    "C<remove> and C<keep> keys of every configuration file.\n\n"
    "Without F</etc/login.defs>, or with a C<UID_MIN> or C<UID_MAX> that "
    "is missing or not a number, the operation fails and changes nothing; "
    "so it does if augeas cannot parse one of the account files.\n\n"
    "Differences from virt-sysprep, all for safety: the user is also "
    "taken out of other groups' member lists (a user created later with "
    "the same name would otherwise inherit, say, C<wheel>); the group of "
    "the same name stays if it is the primary group of an account that "
    "stays; F</etc/gshadow> is edited too; a home directory is not "
    "removed when it is the home (or holds the home) of an account that "
    "stays, is a top-level directory, or lies under F</usr>, F</etc>, "
    "F</boot> and the like (with a warning); F</var/mail/USER> and the "
    "C<MAIL_DIR> of login.defs are cleared as well as "
    "F</var/spool/mail/USER>; F</usr/etc/login.defs> (openSUSE) is read "
    "when F</etc/login.defs> is missing; a listed user that does not "
    "exist or is outside the range gets a warning.  The edited files "
    "keep their owner, mode and SELinux label; removals go through "
    "B<--exclude-path>, and if F</etc/passwd> is protected the operation "
    "does not apply.  F</etc/subuid> and F</etc/subgid> are not edited.",
  .phase = GS_PHASE_FILESYSTEMS,
  .order = 0,
  .enabled_by_default = false,
  .keys = keys,
  .options = options,
  .configure = user_account_configure,
  .perform = user_account_perform,
  .unload = user_account_unload,
};

GS_REGISTER_PLUGIN (&user_account);
