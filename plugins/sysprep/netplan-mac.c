/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netplan-mac.c: see netplan-mac.h.
 *
 * There is no augeas lens for netplan (augeas's YAML lens cannot put a
 * file back), and a YAML library would re-emit the file in its own
 * style.  So this reads the file line by line, just enough of YAML to
 * know each key's place (indentation, comments, quoting, flow values
 * and block scalars to skip), with pcre2 to recognise keys, and edits
 * only the lines it must.
 */
#include <config.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netplan-mac.h"
#include "edit-util.h"

enum kind {
  L_BLANK,                       /* empty or comment only */
  L_KEY,                         /* key: [value] */
  L_OTHER,                       /* list item or anything else */
  L_CONT,                        /* continues the value of an earlier line */
};

struct line {
  size_t start, cend, end;       /* content [start, cend); end after EOL */
  size_t indent;
  enum kind kind;
  char *key;                     /* L_KEY: unquoted */
  size_t vstart, vend;           /* L_KEY: value, without comment */
  size_t last;                   /* last line of its value */
  size_t code_end;               /* where a comment starts (or cend) */
  /* The edit: delete the line (and its continuations), or replace
   * [rstart, rend) by repl.
   */
  bool del;
  char *repl;
  size_t rstart, rend;
};

struct member {                  /* a key of a device's match: */
  size_t line;
  bool mac;
};

struct device {
  char *id;
  bool physical;                 /* ethernets, wifis, modems */
  size_t line;
  ssize_t match, set_name, mac;  /* lines, or -1 */
  struct member *members;        /* block-style match: */
  size_t nmembers;
  struct member *kids;           /* every line right under the device */
  size_t nkids;
};

struct state {
  const char *s;
  struct line *lines;
  size_t nlines;
  struct device *devs;
  size_t ndevs;
  int recognised;                /* macaddress keys we know the place of */
  int edits;
  char note[512];
};

static void add_note (struct state *st, const char *fs, ...)
  __attribute__((format (printf, 2, 3)));

static void
add_note (struct state *st, const char *fs, ...)
{
  size_t len = strlen (st->note);
  va_list args;

  if (len + 3 >= sizeof st->note)
    return;
  if (len)
    strcpy (st->note + len, "; "), len += 2;
  va_start (args, fs);
  vsnprintf (st->note + len, sizeof st->note - len, fs, args);
  va_end (args);
}

/* Quote and bracket state of a value that may span lines. */
struct scan {
  char quote;                    /* '\'', '"' or 0 */
  bool flow;                     /* started with [ or { */
  int depth;
};

static bool
scan_open (const struct scan *sc)
{
  return sc->quote || (sc->flow && sc->depth > 0);
}

/* Scan S[I..N) in state SC; returns where a comment starts, or N. */
static size_t
scan (const char *s, size_t i, size_t n, struct scan *sc)
{
  for (; i < n; ++i) {
    char c = s[i];

    if (sc->quote == '\'') {
      if (c == '\'') {
        if (i + 1 < n && s[i + 1] == '\'')
          i++;
        else
          sc->quote = 0;
      }
      continue;
    }
    if (sc->quote == '"') {
      if (c == '\\')
        i++;
      else if (c == '"')
        sc->quote = 0;
      continue;
    }
    if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
      return i;
    if (sc->flow) {
      if (c == '"' || c == '\'')
        sc->quote = c;
      else if (c == '[' || c == '{')
        sc->depth++;
      else if ((c == ']' || c == '}') && sc->depth > 0)
        sc->depth--;
    }
  }
  return n;
}

/* Start scanning a value at S[I..N): its first character decides. */
static size_t
scan_value (const char *s, size_t i, size_t n, struct scan *sc,
            size_t *vstart)
{
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  *vstart = i;
  memset (sc, 0, sizeof *sc);
  if (i < n && (s[i] == '"' || s[i] == '\'')) {
    sc->quote = s[i];
    return scan (s, i + 1, n, sc);
  }
  if (i < n && (s[i] == '[' || s[i] == '{'))
    sc->flow = true;
  return scan (s, i, n, sc);
}

static size_t
rtrim (const char *s, size_t start, size_t end)
{
  while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
    end--;
  return end;
}

/* A key's text without its quotes (no escapes in netplan's keys). */
static char *
unquote (const char *s, size_t len)
{
  if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0])
    return strndup (s + 1, len - 2);
  return strndup (s, len);
}

static bool
is_one_of (const char *s, const char *const *list)
{
  for (size_t i = 0; list[i]; ++i)
    if (strcmp (s, list[i]) == 0)
      return true;
  return false;
}

static const char *const device_types[] = {
  "ethernets", "wifis", "modems", "bonds", "bridges", "vlans", "tunnels",
  "vrfs", "dummy-devices", "virtual-ethernets", "nm-devices", NULL,
};
static const char *const physical_types[] = {
  "ethernets", "wifis", "modems", NULL,
};

/* Split the input into lines. */
static int
split_lines (struct state *st, const char *s, size_t len)
{
  size_t cap = 16;

  if ((st->lines = calloc (cap, sizeof *st->lines)) == NULL)
    return -1;
  for (size_t i = 0; i < len; ) {
    const char *nl = memchr (s + i, '\n', len - i);
    size_t end = nl ? (size_t) (nl - s) + 1 : len;
    size_t cend = nl ? (size_t) (nl - s) : len;
    struct line *l;

    if (cend > i && s[cend - 1] == '\r')
      cend--;
    if (st->nlines == cap) {
      struct line *p = realloc (st->lines, 2 * cap * sizeof *p);

      if (p == NULL)
        return -1;
      memset (p + cap, 0, cap * sizeof *p);
      st->lines = p;
      cap *= 2;
    }
    l = &st->lines[st->nlines++];
    l->start = i;
    l->cend = cend;
    l->end = end;
    l->last = st->nlines - 1;
    l->code_end = cend;
    i = end;
  }
  return 0;
}

struct frame {
  size_t indent;
  const char *key;               /* NULL: not a key we can name */
  ssize_t dev;                   /* the device this key opens, or -1 */
};

static struct device *
new_device (struct state *st, const char *id, bool physical, size_t line)
{
  struct device *p = realloc (st->devs, (st->ndevs + 1) * sizeof *p);

  if (p == NULL)
    return NULL;
  st->devs = p;
  p = &st->devs[st->ndevs];
  memset (p, 0, sizeof *p);
  if ((p->id = strdup (id)) == NULL)
    return NULL;
  st->ndevs++;
  p->physical = physical;
  p->line = line;
  p->match = p->set_name = p->mac = -1;
  return p;
}

static int
add_member (struct member **v, size_t *n, size_t line, bool mac)
{
  struct member *p = realloc (*v, (*n + 1) * sizeof *p);

  if (p == NULL)
    return -1;
  *v = p;
  p[*n].line = line;
  p[*n].mac = mac;
  (*n)++;
  return 0;
}

/* Read the structure: each line's kind, and the devices. */
static int
parse (struct state *st, pcre2_code *key_re, pcre2_match_data *md)
{
  const char *s = st->s;
  struct frame *stack = calloc (st->nlines + 1, sizeof *stack);
  size_t depth = 0;

  if (stack == NULL)
    return -1;
  for (size_t i = 0; i < st->nlines; ++i) {
    struct line *l = &st->lines[i];
    size_t p = l->start, vs, cmt;
    struct scan sc;
    int rc;

    while (p < l->cend && s[p] == ' ')
      p++;
    l->indent = p - l->start;
    {
      size_t q = p;

      while (q < l->cend && (s[q] == ' ' || s[q] == '\t'))
        q++;
      if (q == l->cend || s[q] == '#') {
        l->kind = L_BLANK;
        continue;
      }
      if (q != p) {
        add_note (st, "%s", "a tab in the indentation: file not changed");
        free (stack);
        return 1;
      }
    }
    /* A document marker or directive starts afresh. */
    if (l->indent == 0 &&
        (s[p] == '%' || ((strncmp (s + p, "---", 3) == 0 ||
                          strncmp (s + p, "...", 3) == 0) &&
                         (p + 3 == l->cend || s[p + 3] == ' ')))) {
      l->kind = L_OTHER;
      depth = 0;
      continue;
    }
    while (depth > 0 && stack[depth - 1].indent >= l->indent)
      depth--;
    stack[depth] = (struct frame) { l->indent, NULL, -1 };

    rc = pcre2_match (key_re, (PCRE2_SPTR) s + p, l->cend - p, 0, 0, md,
                      NULL);
    if (rc > 0) {
      PCRE2_SIZE *ov = pcre2_get_ovector_pointer (md);

      l->kind = L_KEY;
      /* Group 1 is the key with its quotes. */
      if ((l->key = unquote (s + p + ov[2], ov[3] - ov[2])) == NULL) {
        free (stack);
        return -1;
      }
      cmt = scan_value (s, p + ov[1], l->cend, &sc, &vs);
      l->vstart = vs;
      l->vend = rtrim (s, vs, cmt);
      stack[depth].key = l->key;
    }
    else {
      l->kind = L_OTHER;         /* a list item, or what we can't read */
      if (s[p] == '-' && (p + 1 == l->cend || s[p + 1] == ' '))
        p++;
      cmt = scan_value (s, p, l->cend, &sc, &vs);
    }
    l->code_end = cmt;

    /* Lines that continue the value: an open quote or flow collection,
     * or the body of a block scalar (| or >).
     */
    if (scan_open (&sc)) {
      size_t j = i + 1;

      for (; j < st->nlines && scan_open (&sc); ++j) {
        struct line *c = &st->lines[j];

        c->kind = L_CONT;
        c->code_end = scan (s, c->start, c->cend, &sc);
      }
      l->last = j - 1;
    }
    else if (l->kind == L_KEY && l->vstart < l->vend &&
             (s[l->vstart] == '|' || s[l->vstart] == '>')) {
      size_t j = i + 1;

      for (; j < st->nlines; ++j) {
        struct line *c = &st->lines[j];
        size_t q = c->start;

        while (q < c->cend && s[q] == ' ')
          q++;
        if (q < c->cend && q - c->start <= l->indent)
          break;
        c->kind = L_CONT;
        c->code_end = c->start;  /* all text: no key in it */
      }
      l->last = j - 1;
    }

    /* Where is it?  network / TYPE / ID / (match|set-name|macaddress)
     * / (match's keys).
     */
    if (l->kind == L_KEY) {
      const char *k = l->key;

      if (depth == 2 && stack[0].key && strcmp (stack[0].key, "network") == 0
          && stack[1].key && is_one_of (stack[1].key, device_types)) {
        if (new_device (st, k, is_one_of (stack[1].key, physical_types),
                        i) == NULL) {
          free (stack);
          return -1;
        }
        stack[depth].dev = st->ndevs - 1;
      }
      else if (depth == 3 && stack[2].dev >= 0) {
        struct device *d = &st->devs[stack[2].dev];

        if (strcmp (k, "match") == 0 && d->physical)
          d->match = i;
        else if (strcmp (k, "set-name") == 0)
          d->set_name = i;
        else if (strcmp (k, "macaddress") == 0) {
          d->mac = i;
          st->recognised++;
        }
      }
    }
    /* A line right under a device (a key or not). */
    if (depth == 3 && stack[2].dev >= 0) {
      struct device *d = &st->devs[stack[2].dev];

      if (add_member (&d->kids, &d->nkids, i, false) == -1) {
        free (stack);
        return -1;
      }
    }
    /* A line inside a device's match: a key, or something else that
     * keeps the match: from being empty.
     */
    if (depth == 4 && stack[2].dev >= 0 && stack[3].key &&
        strcmp (stack[3].key, "match") == 0) {
      struct device *d = &st->devs[stack[2].dev];
      bool mac = l->kind == L_KEY && strcmp (l->key, "macaddress") == 0;

      if (d->physical && d->match >= 0) {
        if (add_member (&d->members, &d->nmembers, i, mac) == -1) {
          free (stack);
          return -1;
        }
        if (mac)
          st->recognised++;
      }
    }
    depth++;
    i = l->last;
  }
  free (stack);
  return 0;
}

static int
set_repl (struct line *l, size_t rstart, size_t rend, const char *text,
          size_t tlen)
{
  if ((l->repl = strndup (text, tlen)) == NULL)
    return -1;
  l->rstart = rstart;
  l->rend = rend;
  return 0;
}

/* A flow mapping's items: [start, end) of each, and of its key. */
struct item {
  size_t start, end;
  bool mac;
};

static size_t
split_flow (const char *s, size_t vs, size_t ve, struct item *items,
            size_t max)
{
  size_t n = 0, i = vs + 1, start;
  int depth = 0;
  char quote = 0;

  for (start = i; i <= ve - 1; ++i) {
    char c = i < ve - 1 ? s[i] : ',';

    if (quote) {
      if (c == '\\' && quote == '"')
        i++;
      else if (c == quote)
        quote = 0;
      continue;
    }
    if (c == '"' || c == '\'')
      quote = c;
    else if (c == '[' || c == '{')
      depth++;
    else if ((c == ']' || c == '}') && depth > 0)
      depth--;
    else if (c == ',' && depth == 0) {
      size_t a = start, b = i;

      while (a < b && (s[a] == ' ' || s[a] == '\t'))
        a++;
      b = rtrim (s, a, b);
      if (a < b && n < max) {
        size_t k = a, klen;
        char *key;

        /* The key runs to the first ':' outside quotes. */
        while (k < b && s[k] != ':') {
          if (s[k] == '"' || s[k] == '\'') {
            char q = s[k++];

            while (k < b && s[k] != q)
              k++;
          }
          if (k < b)
            k++;
        }
        klen = rtrim (s, a, k) - a;
        key = unquote (s + a, klen);
        items[n].start = a;
        items[n].end = b;
        items[n].mac = key && strcmp (key, "macaddress") == 0;
        free (key);
        n++;
      }
      start = i + 1;
    }
  }
  return n;
}

/* Decide the edits of one device. */
static int
edit_device (struct state *st, struct device *d, unsigned flags)
{
  const char *s = st->s;
  struct line *lines = st->lines;

  /* A MAC address given to the device (any kind of device). */
  if (d->mac >= 0 && (flags & GS_NETPLAN_ASSIGNED)) {
    struct line *l = &lines[d->mac];
    char *v = strndup (s + l->vstart, l->vend - l->vstart);

    if (v == NULL)
      return -1;
    if (gs_edit_is_mac (v)) {
      l->del = true;
      st->edits++;
    }
    free (v);
  }

  if (d->match < 0)
    return 0;
  {
    struct line *m = &lines[d->match];
    struct line *sn = d->set_name >= 0 ? &lines[d->set_name] : NULL;
    char *set_name = NULL;
    bool rename;                 /* set-name names another interface */
    size_t nmac = 0, nother = 0;
    struct item items[32];
    size_t nitems = 0;
    bool flow = m->vstart < m->vend && s[m->vstart] == '{';

    if (flow) {
      if ((ssize_t) m->last != d->match || s[m->vend - 1] != '}') {
        add_note (st, "%s: a match: over several lines is left as it is",
                  d->id);
        return 0;
      }
      nitems = split_flow (s, m->vstart, m->vend, items, 32);
      for (size_t i = 0; i < nitems; ++i) {
        if (items[i].mac)
          nmac++, st->recognised++;
        else
          nother++;
      }
    }
    else if (m->vstart < m->vend) {
      add_note (st, "%s: a match: that is not a mapping is left as it is",
                d->id);
      return 0;
    }
    else
      for (size_t i = 0; i < d->nmembers; ++i) {
        if (d->members[i].mac)
          nmac++;
        else
          nother++;
      }
    if (nmac == 0)
      return 0;
    st->edits += nmac;

    if (nother > 0) {            /* still matches by name or driver */
      if (!flow) {
        for (size_t i = 0; i < d->nmembers; ++i)
          if (d->members[i].mac)
            lines[d->members[i].line].del = true;
        return 0;
      }
      /* Keep the other items with the separators that followed them,
       * and what was before the first item and after the last.
       */
      {
        char *text = malloc (m->vend - m->vstart + 1);
        size_t tlen = 0;
        ssize_t prev = -1;         /* the last item kept */

        if (text == NULL)
          return -1;
        memcpy (text, s + m->vstart, items[0].start - m->vstart);
        tlen = items[0].start - m->vstart;
        for (size_t i = 0; i < nitems; ++i) {
          if (items[i].mac)
            continue;
          if (prev >= 0) {         /* the separator after PREV */
            size_t a = items[prev].end, b = items[prev + 1].start;

            memcpy (text + tlen, s + a, b - a);
            tlen += b - a;
          }
          memcpy (text + tlen, s + items[i].start,
                  items[i].end - items[i].start);
          tlen += items[i].end - items[i].start;
          prev = i;
        }
        memcpy (text + tlen, s + items[nitems - 1].end,
                m->vend - items[nitems - 1].end);
        tlen += m->vend - items[nitems - 1].end;
        if (set_repl (m, m->vstart, m->vend, text, tlen) == -1) {
          free (text);
          return -1;
        }
        free (text);
      }
      return 0;
    }

    /* The MAC address was all the match: match by name instead. */
    if (sn && (set_name = unquote (s + sn->vstart,
                                   sn->vend - sn->vstart)) == NULL)
      return -1;
    rename = set_name && set_name[0] && strcmp (set_name, d->id) != 0;
    free (set_name);
    if (sn)
      sn->del = true;
    if (!rename) {
      m->del = true;
      for (size_t i = 0; i < d->nmembers; ++i)
        if (d->members[i].mac)
          lines[d->members[i].line].del = true;
      return 0;
    }
    if (flow) {
      char *text = NULL;
      int len = asprintf (&text, "{name: %.*s}", (int) (sn->vend - sn->vstart),
                          s + sn->vstart);

      if (len == -1 || set_repl (m, m->vstart, m->vend, text, len) == -1) {
        free (len == -1 ? NULL : text);
        return -1;
      }
      free (text);
      return 0;
    }
    /* The first macaddress line becomes "name: SET-NAME". */
    for (size_t i = 0, first = 1; i < d->nmembers; ++i) {
      struct line *l = &lines[d->members[i].line];

      if (!d->members[i].mac)
        continue;
      if (first) {
        size_t kstart = l->start + l->indent;
        char *text = NULL;
        int len = asprintf (&text, "name: %.*s",
                            (int) (sn->vend - sn->vstart), s + sn->vstart);

        if (len == -1 ||
            set_repl (l, kstart, rtrim (s, kstart, l->code_end), text,
                      len) == -1) {
          free (len == -1 ? NULL : text);
          return -1;
        }
        free (text);
        first = 0;
      }
      else
        l->del = true;
    }
  }
  return 0;
}

/* A device whose every setting went would be "id:" with no value, a
 * null netplan refuses: make it an empty mapping, "id: {}".
 */
static int
keep_mapping (struct state *st, const struct device *d)
{
  struct line *l = &st->lines[d->line];
  bool was_mapping = l->vstart == l->vend;

  if (d->nkids == 0 || !was_mapping)
    return 0;
  for (size_t i = 0; i < d->nkids; ++i)
    if (!st->lines[d->kids[i].line].del)
      return 0;
  if (l->vstart == l->cend)      /* "id:" then the end of the line */
    return set_repl (l, l->cend, l->cend, " {}", 3);
  return set_repl (l, l->vstart, l->vstart, "{} ", 3);  /* a comment */
}

/* How many macaddress keys does the text hold, outside comments? */
static int
count_macaddress (struct state *st, pcre2_code *re, pcre2_match_data *md)
{
  int n = 0;

  for (size_t i = 0; i < st->nlines; ++i) {
    const struct line *l = &st->lines[i];
    size_t off = l->start;

    if (l->kind == L_BLANK)
      continue;
    while (off < l->code_end &&
           pcre2_match (re, (PCRE2_SPTR) st->s, l->code_end, off, 0, md,
                        NULL) > 0) {
      n++;
      off = pcre2_get_ovector_pointer (md)[1];
    }
  }
  return n;
}

static int
assemble (struct state *st, struct gs_netplan_result *res, size_t len)
{
  const char *s = st->s;
  char *out = malloc (len + st->nlines * 64 + 1), *o = out;

  if (out == NULL)
    return -1;
  for (size_t i = 0; i < st->nlines; ++i) {
    const struct line *l = &st->lines[i];

    if (l->del) {
      i = l->last;               /* with the lines continuing it */
      continue;
    }
    if (l->repl) {
      memcpy (o, s + l->start, l->rstart - l->start);
      o += l->rstart - l->start;
      o = stpcpy (o, l->repl);
      memcpy (o, s + l->rend, l->end - l->rend);
      o += l->end - l->rend;
    }
    else {
      memcpy (o, s + l->start, l->end - l->start);
      o += l->end - l->start;
    }
  }
  *o = '\0';
  res->text = out;
  res->len = o - out;
  return 0;
}

int
gs_netplan_unbind_mac (const char *in, size_t len, unsigned flags,
                       struct gs_netplan_result *res)
{
  /* A key: quoted, or plain (no indicator first, ':' only inside). */
  static const char key_pat[] =
    "^(\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^']|'')*'|"
    "[^\\s#'\"{}\\[\\],&*!|>%@`?:-](?:[^\\s:]|:(?=\\S))*)"
    "[ \\t]*:(?=[ \\t]|$)";
  static const char mac_pat[] =
    "(?:^|[\\s{,])[\"']?macaddress[\"']?[ \\t]*:";
  struct state st = { .s = in };
  pcre2_code *key_re = NULL, *mac_re = NULL;
  pcre2_match_data *md = NULL;
  int err, r = -1;
  PCRE2_SIZE off;

  memset (res, 0, sizeof *res);
  if (memchr (in, '\0', len)) {
    if ((res->note = strdup ("a NUL byte in the file: file not changed")))
      r = 0;
    return r;
  }
  key_re = pcre2_compile ((PCRE2_SPTR) key_pat, PCRE2_ZERO_TERMINATED, 0,
                          &err, &off, NULL);
  mac_re = pcre2_compile ((PCRE2_SPTR) mac_pat, PCRE2_ZERO_TERMINATED,
                          PCRE2_MULTILINE, &err, &off, NULL);
  if (key_re == NULL || mac_re == NULL ||
      (md = pcre2_match_data_create (4, NULL)) == NULL)
    goto out;
  if (split_lines (&st, in, len) == -1)
    goto out;
  switch (parse (&st, key_re, md)) {
  case -1:
    goto out;
  case 1:                        /* not understood: no edits */
    r = 0;
    goto done;
  }
  for (size_t i = 0; i < st.ndevs; ++i)
    if (edit_device (&st, &st.devs[i], flags) == -1 ||
        keep_mapping (&st, &st.devs[i]) == -1)
      goto out;
  if (count_macaddress (&st, mac_re, md) > st.recognised)
    add_note (&st, "%s", "macaddress keys in places or forms not handled "
              "are left as they are");
  if (st.edits > 0 && assemble (&st, res, len) == -1)
    goto out;
  res->edits = st.edits;
  r = st.edits;

 done:
  if (st.note[0] && (res->note = strdup (st.note)) == NULL) {
    r = -1;
    goto out;
  }

 out:
  if (r == -1)
    gs_netplan_result_free (res);
  for (size_t i = 0; i < st.nlines; ++i) {
    free (st.lines[i].key);
    free (st.lines[i].repl);
  }
  free (st.lines);
  for (size_t i = 0; i < st.ndevs; ++i) {
    free (st.devs[i].id);
    free (st.devs[i].members);
    free (st.devs[i].kids);
  }
  free (st.devs);
  pcre2_match_data_free (md);
  pcre2_code_free (key_re);
  pcre2_code_free (mac_re);
  return r;
}

void
gs_netplan_result_free (struct gs_netplan_result *res)
{
  free (res->text);
  free (res->note);
  memset (res, 0, sizeof *res);
}
