/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inspect.c: what inspect plugins report (gs_inspect_*), kept per root
 * in its result (result.h), and written as virt-inspector's XML (libxml2's
 * xmlTextWriter); report.c writes it as JSON.  Guest strings are sanitised once, when a
 * plugin hands them over, so both outputs are always well-formed.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlsave.h>
#include <libxml/xpath.h>
#include <libxml/parser.h>

#include "goldsmith-int.h"
#include "ctx.h"
#include "cleanups.h"

/* Copy S as valid UTF-8: bad sequences, overlongs and surrogates
 * become U+FFFD.  With XML_CHARS, so do the characters XML 1.0 does not
 * allow (C0 controls but tab/newline/CR, DEL and C1 controls,
 * U+FFFE/U+FFFF); without, they are kept (JSON escapes them).
 */
char *
gs_int_utf8_copy (const char *s, bool xml_chars)
{
  const unsigned char *p = (const unsigned char *) s;
  size_t len = strlen (s);
  char *out = gs_xmalloc (len * 3 + 1), *o = out;

  while (*p) {
    unsigned c = *p, cp = 0;
    size_t n = 0;

    if (c < 0x80) { cp = c; n = 1; }
    else if (c >= 0xc2 && c <= 0xdf) { cp = c & 0x1f; n = 2; }
    else if (c >= 0xe0 && c <= 0xef) { cp = c & 0x0f; n = 3; }
    else if (c >= 0xf0 && c <= 0xf4) { cp = c & 0x07; n = 4; }
    if (n == 0)
      goto bad1;
    for (size_t i = 1; i < n; ++i) {
      if ((p[i] & 0xc0) != 0x80)
        goto bad1;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))
        || (cp >= 0xd800 && cp <= 0xdfff))
      goto badn;
    if (xml_chars &&
        (cp == 0xfffe || cp == 0xffff ||
         (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
         (cp >= 0x7f && cp <= 0x9f)))
      goto badn;
    memcpy (o, p, n);
    o += n;
    p += n;
    continue;
  badn:
    p += n;
    memcpy (o, "\xef\xbf\xbd", 3);
    o += 3;
    continue;
  bad1:
    p++;
    memcpy (o, "\xef\xbf\xbd", 3);
    o += 3;
  }
  *o = '\0';
  return out;
}

char *
gs_int_sanitise_utf8 (const char *s)
{
  return gs_int_utf8_copy (s, true);
}

/* Plugins' values are a guest's bytes: kept as valid UTF-8 with only
 * the characters XML allows, and "unknown" (libguestfs's "don't know")
 * as no value at all.
 */
static int
set_clean (struct gs_fields *f, const char *key, const char *value)
{
  char *v = NULL;

  if (value && strcmp (value, "unknown") != 0)
    v = gs_int_sanitise_utf8 (value);
  gs_int_fields_set (f, key, v);
  free (v);
  return 0;
}

int
gs_inspect_set (struct gs_ctx *ctx, const char *key, const char *value)
{
  if (ctx->inspect == NULL || key == NULL)
    return -1;
  return set_clean (&ctx->inspect->fields, key, value);
}

int
gs_inspect_list (struct gs_ctx *ctx, const char *section)
{
  if (ctx->inspect == NULL || section == NULL)
    return -1;
  gs_int_inspect_list (ctx->inspect, section, false);
  return 0;
}

int
gs_inspect_add_item (struct gs_ctx *ctx, const char *section)
{
  if (ctx->inspect == NULL || section == NULL)
    return -1;
  ctx->item = gs_int_inspect_list (ctx->inspect, section, true);
  return 0;
}

int
gs_inspect_item_set (struct gs_ctx *ctx, const char *key, const char *value)
{
  if (ctx->item == NULL || key == NULL) {
    gs_error ("gs_inspect_item_set called before gs_inspect_add_item");
    return -1;
  }
  return set_clean (ctx->item, key, value);
}

/* ---- XML ---------------------------------------------------------- */

#define X(expr) do { if ((expr) < 0) goto fail; } while (0)

static int
elem (xmlTextWriterPtr w, const char *name, const char *value)
{
  if (value == NULL)
    return 0;
  return xmlTextWriterWriteElement (w, BAD_CAST name, BAD_CAST value);
}

/* Elements of <operatingsystem>, in virt-inspector's order.  '#':
 * always written (0 when missing); '-': an empty flag element.
 */
static const char *const os_fields[] = {
  "root", "name", "arch", "distro", "product_name", "product_variant",
  "#major_version", "#minor_version", "package_format",
  "package_management", "windows_systemroot",
  "windows_current_control_set", "hostname", "osinfo", "format",
  "-live", "-netinst", "-multipart", NULL,
};

static const char *const app_fields[] = {
  "name", "display_name", "epoch", "version", "release", "arch",
  "install_path", "publisher", "url", "source_package", "summary",
  "description", NULL,
};

static const struct gs_inspect_list *
list_of (const struct gs_inspect_result *os, const char *name)
{
  for (size_t i = 0; i < os->nlists; ++i)
    if (strcmp (os->list[i].name, name) == 0)
      return &os->list[i];
  return NULL;
}

#define jstr(f, key) gs_int_fields_get ((f), (key))

#define B64_LINE 72

char *
gs_int_base64_wrap (const char *b64)
{
  size_t n = strlen (b64);
  char *out = gs_xmalloc (n + 2 * (n / B64_LINE) + 1), *o = out;

  for (size_t i = 0; i < n; i += B64_LINE) {
    size_t k = n - i < B64_LINE ? n - i : B64_LINE;

    if (i > 0) {
      *o++ = '\r';
      *o++ = '\n';
    }
    memcpy (o, b64 + i, k);
    o += k;
  }
  *o = '\0';
  return out;
}

/* <icon>: wrapped as virt-inspector wraps it.  Base64 needs no
 * escaping, and the CR must reach the document as a byte (written as
 * text, libxml2 would make it "&#13;").
 */
static int
write_icon (xmlTextWriterPtr w, const char *b64)
{
  char *wrapped;
  int r;

  if (b64 == NULL)
    return 0;
  if (xmlTextWriterStartElement (w, BAD_CAST "icon") < 0)
    return -1;
  wrapped = gs_int_base64_wrap (b64);
  r = xmlTextWriterWriteRaw (w, BAD_CAST wrapped);
  free (wrapped);
  if (r < 0)
    return -1;
  return xmlTextWriterEndElement (w);
}

static int
write_os (xmlTextWriterPtr w, const struct gs_inspect_result *ir)
{
  const struct gs_fields *os = &ir->fields;
  const struct gs_inspect_list *l;

  X (xmlTextWriterStartElement (w, BAD_CAST "operatingsystem"));
  for (size_t i = 0; os_fields[i]; ++i) {
    const char *f = os_fields[i], *v;

    if (f[0] == '#') {
      v = jstr (os, f + 1);
      X (elem (w, f + 1, v ? v : "0"));
    }
    else if (f[0] == '-') {
      v = jstr (os, f + 1);
      if (v && strcmp (v, "true") == 0) {
        X (xmlTextWriterStartElement (w, BAD_CAST f + 1));
        X (xmlTextWriterEndElement (w));
      }
    }
    else
      X (elem (w, f, jstr (os, f)));
  }

  X (xmlTextWriterStartElement (w, BAD_CAST "mountpoints"));
  if ((l = list_of (ir, "mountpoints")) != NULL)
    for (size_t i = 0; i < l->n; ++i) {
      const struct gs_fields *m = &l->item[i];

      X (xmlTextWriterStartElement (w, BAD_CAST "mountpoint"));
      X (xmlTextWriterWriteAttribute (w, BAD_CAST "dev",
                                      BAD_CAST (jstr (m, "dev") ?: "")));
      X (xmlTextWriterWriteString (w, BAD_CAST (jstr (m, "path") ?: "")));
      X (xmlTextWriterEndElement (w));
    }
  X (xmlTextWriterEndElement (w));

  X (xmlTextWriterStartElement (w, BAD_CAST "filesystems"));
  if ((l = list_of (ir, "filesystems")) != NULL)
    for (size_t i = 0; i < l->n; ++i) {
      const struct gs_fields *f = &l->item[i];

      X (xmlTextWriterStartElement (w, BAD_CAST "filesystem"));
      X (xmlTextWriterWriteAttribute (w, BAD_CAST "dev",
                                      BAD_CAST (jstr (f, "dev") ?: "")));
      X (elem (w, "type", jstr (f, "type")));
      X (elem (w, "label", jstr (f, "label")));
      X (elem (w, "uuid", jstr (f, "uuid")));
      X (xmlTextWriterEndElement (w));
    }
  X (xmlTextWriterEndElement (w));

  if ((l = list_of (ir, "drive_mappings")) != NULL && l->n > 0) {
    X (xmlTextWriterStartElement (w, BAD_CAST "drive_mappings"));
    for (size_t i = 0; i < l->n; ++i) {
      const struct gs_fields *d = &l->item[i];

      X (xmlTextWriterStartElement (w, BAD_CAST "drive_mapping"));
      X (xmlTextWriterWriteAttribute (w, BAD_CAST "name",
                                      BAD_CAST (jstr (d, "name") ?: "")));
      X (xmlTextWriterWriteString (w, BAD_CAST (jstr (d, "device") ?: "")));
      X (xmlTextWriterEndElement (w));
    }
    X (xmlTextWriterEndElement (w));
  }

  if ((l = list_of (ir, "applications")) != NULL) {
    X (xmlTextWriterStartElement (w, BAD_CAST "applications"));
    for (size_t i = 0; i < l->n; ++i) {
      const struct gs_fields *a = &l->item[i];

      X (xmlTextWriterStartElement (w, BAD_CAST "application"));
      for (size_t j = 0; app_fields[j]; ++j) {
        const char *v = jstr (a, app_fields[j]);

        if (v && v[0] && !(strcmp (app_fields[j], "epoch") == 0 &&
                           strcmp (v, "0") == 0))
          X (elem (w, app_fields[j], v));
      }
      X (xmlTextWriterEndElement (w));
    }
    X (xmlTextWriterEndElement (w));
  }

  X (write_icon (w, jstr (os, "icon")));
  X (xmlTextWriterEndElement (w));
  return 0;
 fail:
  return -1;
}

static int
write_oses (xmlTextWriterPtr w, const struct gs_guest_result *g)
{
  X (xmlTextWriterStartElement (w, BAD_CAST "operatingsystems"));
  for (size_t i = 0; i < g->nroots; ++i)
    if (g->root[i].inspect)
      X (write_os (w, g->root[i].inspect));
  X (xmlTextWriterEndElement (w));
  return 0;
 fail:
  return -1;
}

/* One guest gives virt-inspector's document; several are wrapped in
 * <guests><guest name="...">.
 */
int
gs_int_inspect_write_xml (const struct gs_run_result *res, FILE *fp)
{
  xmlBufferPtr buf = xmlBufferCreate ();
  xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory (buf, 0) : NULL;
  size_t n = res->nguests;
  int r = -1;

  if (w == NULL)
    goto out;
  X (xmlTextWriterSetIndent (w, 1));
  X (xmlTextWriterSetIndentString (w, BAD_CAST "  "));
  X (xmlTextWriterStartDocument (w, NULL, NULL, NULL));
  if (n == 1)
    X (write_oses (w, &res->guest[0]));
  else {
    X (xmlTextWriterStartElement (w, BAD_CAST "guests"));
    for (size_t i = 0; i < n; ++i) {
      char *name = gs_int_sanitise_utf8 (res->guest[i].name);

      X (xmlTextWriterStartElement (w, BAD_CAST "guest"));
      if (name == NULL)
        goto fail;
      r = xmlTextWriterWriteAttribute (w, BAD_CAST "name", BAD_CAST name);
      free (name);
      X (r);
      r = -1;
      X (write_oses (w, &res->guest[i]));
      X (xmlTextWriterEndElement (w));
    }
    X (xmlTextWriterEndElement (w));
  }
  X (xmlTextWriterEndDocument (w));
  xmlFreeTextWriter (w);
  w = NULL;
  if (fwrite (buf->content, 1, buf->use, fp) != buf->use || fflush (fp))
    gs_error ("cannot write the XML: %m");
  else
    r = 0;
  goto out;
 fail:
  r = -1;
  gs_error ("cannot write the XML document");
 out:
  if (w)
    xmlFreeTextWriter (w);
  if (buf)
    xmlBufferFree (buf);
  return r;
}

/* --xpath: virt-inspector's modal query of an XML document on FP. */
static void
xpath_silent (void *ctx, const char *msg, ...)
{
  (void) ctx; (void) msg;
}

int
gs_int_inspect_xpath (const char *expr, FILE *fp)
{
  char *data = NULL;
  size_t size = 0, n;
  char chunk[65536];
  xmlDocPtr doc = NULL;
  xmlXPathContextPtr xc = NULL;
  xmlXPathObjectPtr xo = NULL;
  int r = GS_EXIT_ERROR;

  while ((n = fread (chunk, 1, sizeof chunk, fp)) > 0) {
    data = gs_xrealloc (data, size + n);
    memcpy (data + size, chunk, n);
    size += n;
  }
  doc = xmlReadMemory (data ? data : "", (int) size, "stdin", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                       XML_PARSE_NOWARNING);
  if (doc == NULL) {
    gs_error ("--xpath: unable to parse the XML on standard input");
    r = GS_EXIT_USAGE;
    goto out;
  }
  if ((xc = xmlXPathNewContext (doc)) == NULL) {
    gs_error ("out of memory");
    goto out;
  }
  /* libxml2 would print its own three lines: one of ours instead. */
  xmlResetLastError ();
  xmlSetGenericErrorFunc (NULL, xpath_silent);
  xo = xmlXPathEvalExpression (BAD_CAST expr, xc);
  xmlSetGenericErrorFunc (NULL, NULL);
  if (xo == NULL) {
    const xmlError *e = xmlGetLastError ();
    char why[128] = "cannot evaluate it";

    if (e && e->message) {
      snprintf (why, sizeof why, "%s", e->message);
      why[strcspn (why, "\n")] = '\0';
    }
    gs_error ("--xpath '%s': %s", expr, why);
    r = GS_EXIT_USAGE;
    goto out;
  }
  switch (xo->type) {
  case XPATH_NODESET: {
    /* As virt-inspector: each node copied into a document of its own,
     * saved formatted without a declaration, so each ends its line (an
     * attribute is ' name="value"', one a line).
     */
    xmlBufferPtr b = xmlBufferCreate ();
    xmlSaveCtxtPtr sc = b ? xmlSaveToBuffer (b, NULL, XML_SAVE_NO_DECL |
                                             XML_SAVE_FORMAT) : NULL;

    if (sc == NULL) {
      if (b) xmlBufferFree (b);
      gs_error ("out of memory");
      goto out;
    }
    for (int i = 0; xo->nodesetval && i < xo->nodesetval->nodeNr; ++i) {
      xmlNodePtr orig = xo->nodesetval->nodeTab[i];
      xmlDocPtr wr = xmlNewDoc (BAD_CAST "1.0");
      xmlNodePtr node = wr ? xmlDocCopyNode (orig, wr, 1) : NULL;

      if (node == NULL) {
        if (wr) xmlFreeDoc (wr);
        continue;
      }
      xmlDocSetRootElement (wr, node);
      xmlSaveDoc (sc, wr);
      xmlFreeDoc (wr);
    }
    xmlSaveClose (sc);
    fflush (stdout);
    fwrite (xmlBufferContent (b), 1, xmlBufferLength (b), stdout);
    xmlBufferFree (b);
    break;
  }
  default: {
    /* virt-inspector adds a newline to a string that lacks one, and
     * prints an empty string as nothing at all; numbers and booleans
     * are never empty.
     */
    xmlChar *s = xmlXPathCastToString (xo);
    size_t l = s ? strlen ((char *) s) : 0;

    printf ("%s%s", s ? (char *) s : "",
            l == 0 || s[l - 1] == '\n' ? "" : "\n");
    xmlFree (s);
  }
  }
  r = fflush (stdout) == 0 ? GS_EXIT_OK : GS_EXIT_ERROR;
 out:
  if (xo) xmlXPathFreeObject (xo);
  if (xc) xmlXPathFreeContext (xc);
  if (doc) xmlFreeDoc (doc);
  free (data);
  return r;
}
