/* SPDX-License-Identifier: GPL-2.0-or-later */
/* domain.c: the disks of a guest, from libvirt domain XML (a file, with
 * --domxml, or a defined domain through libvirt, with -d).
 */
#include <config.h>

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "goldsmith-int.h"
#include "cleanups.h"

int
gs_int_guest_add_disk (struct gs_guest *guest, const char *path,
                       const char *format, bool readonly)
{
  struct gs_disk *d;

  guest->disks = gs_xreallocarray (guest->disks, guest->ndisks + 1,
                                   sizeof *d);
  d = &guest->disks[guest->ndisks];
  memset (d, 0, sizeof *d);
  d->path = gs_xstrdup (path);
  d->format = format ? gs_xstrdup (format) : NULL;
  d->readonly = readonly;
  d->virtual_size = -1;
  d->remote = gs_int_uri_is_remote (path);
  guest->ndisks++;
  return 0;
}

void
gs_int_guest_free (struct gs_guest *guest)
{
  for (size_t i = 0; i < guest->ndisks; ++i) {
    gs_int_overlay_discard (&guest->disks[i]);
    free (guest->disks[i].path);
    free (guest->disks[i].format);
    free (guest->disks[i].origin);
  }
  free (guest->disks);
  free (guest->name);
  memset (guest, 0, sizeof *guest);
}

static char *
xpath_string (xmlXPathContextPtr xc, xmlNodePtr node, const char *expr)
{
  CLEANUP_XPATHOBJ xmlXPathObjectPtr obj = NULL;

  xc->node = node;
  obj = xmlXPathEvalExpression (BAD_CAST expr, xc);
  if (obj == NULL || obj->type != XPATH_STRING ||
      obj->stringval == NULL || obj->stringval[0] == '\0')
    return NULL;
  return strdup ((const char *) obj->stringval);
}

static bool
xpath_exists (xmlXPathContextPtr xc, xmlNodePtr node, const char *expr)
{
  CLEANUP_XPATHOBJ xmlXPathObjectPtr obj = NULL;

  xc->node = node;
  obj = xmlXPathEvalExpression (BAD_CAST expr, xc);
  return obj && obj->nodesetval && obj->nodesetval->nodeNr > 0;
}

/* Quiet libxml2 (its own messages are multi-line; we print one line)
 * and keep its first error, which is where the document went wrong.
 */
static void
xml_silent (void *ctx, const char *msg, ...)
{
  (void) ctx; (void) msg;
}

static void
xml_first_error (void *first, xmlErrorPtr e)
{
  xmlErrorPtr f = first;

  if (f->code == 0 && e) {
    f->code = e->code;
    f->line = e->line;
    f->message = e->message ? strdup (e->message) : NULL;
  }
  /* Stop at the first fatal error: libxml2 would go on, and a document
   * that is refused anyway could still keep it busy (entity loops).
   */
  if (e && e->level == XML_ERR_FATAL && e->domain == XML_FROM_PARSER &&
      e->ctxt)
    xmlStopParser (e->ctxt);
}

/* libvirt's domain XML never declares entities, and expanding them
 * is how a few hundred bytes keep libxml2 busy for seconds or fill the
 * memory (billion laughs; found by fuzz/fuzz-domxml): refuse any.
 */
static void
xml_refuse_entity (void *ctx, const xmlChar *name, int type,
                   const xmlChar *public_id, const xmlChar *system_id,
                   xmlChar *content)
{
  xmlParserCtxtPtr ctxt = ctx;
  xmlErrorPtr f = ctxt->_private;

  /* The reason, even after a warning: the caller refuses the document. */
  free (f->message);
  f->code = XML_ERR_USER_STOP;
  f->line = ctxt->input ? ctxt->input->line : 0;
  if (asprintf (&f->message, "entity declaration \"%s\": domain XML "
                "declares no entities", (const char *) name) == -1)
    f->message = NULL;
  xmlStopParser (ctxt);
}

/* WHAT names the source in messages (file name or "domain NAME"). */
int
gs_int_domxml_parse (const char *xml, size_t len, const char *what,
                     const char *base_dir, struct gs_guest *guest)
{
  CLEANUP_XMLDOC xmlDocPtr doc = NULL;
  CLEANUP_XPATHCTX xmlXPathContextPtr xc = NULL;
  CLEANUP_XPATHOBJ xmlXPathObjectPtr disks = NULL;
  xmlNodePtr root;
  xmlParserCtxtPtr ctxt;
  int nr;

  xmlError first = { 0 };

  if ((ctxt = xmlNewParserCtxt ()) == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  ctxt->_private = &first;
  ctxt->sax->entityDecl = xml_refuse_entity;
  xmlSetGenericErrorFunc (NULL, xml_silent);
  xmlSetStructuredErrorFunc (&first, xml_first_error);
  /* NONET: never fetch a DTD or entity named by untrusted XML. */
  doc = len > 0 && len <= INT_MAX
    ? xmlCtxtReadMemory (ctxt, xml, (int) len, NULL, NULL, XML_PARSE_NONET)
    : NULL;
  xmlSetStructuredErrorFunc (NULL, NULL);
  xmlFreeParserCtxt (ctxt);
  if (first.code == XML_ERR_USER_STOP) {  /* stopped, maybe not failed */
    xmlFreeDoc (doc);
    doc = NULL;
  }
  if (doc == NULL) {
    const char *msg = first.message ? first.message
                                    : len == 0 ? "empty document" : "parse error";

    gs_error ("%s:%d: not well-formed XML: %.*s", what,
              first.code ? first.line : 1, (int) strcspn (msg, "\n"), msg);
    free (first.message);
    return -1;
  }
  free (first.message);
  root = xmlDocGetRootElement (doc);
  if (root == NULL || !xmlStrEqual (root->name, BAD_CAST "domain")) {
    gs_error ("%s: not a libvirt domain XML document (root element is "
              "not <domain>)", what);
    return -1;
  }
  if ((xc = xmlXPathNewContext (doc)) == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  free (guest->name);
  guest->name = xpath_string (xc, root, "string(/domain/name)");

  disks = xmlXPathEvalExpression (BAD_CAST "/domain/devices/disk", xc);
  if (disks == NULL) {
    gs_error ("%s: XPath evaluation failed", what);
    return -1;
  }
  nr = disks->nodesetval ? disks->nodesetval->nodeNr : 0;
  for (int i = 0; i < nr; ++i) {
    xmlNodePtr node = disks->nodesetval->nodeTab[i];
    CLEANUP_FREE char *device = xpath_string (xc, node, "string(@device)");
    CLEANUP_FREE char *type = xpath_string (xc, node, "string(@type)");
    CLEANUP_FREE char *target = xpath_string (xc, node, "string(target/@dev)");
    CLEANUP_FREE char *format = xpath_string (xc, node,
                                              "string(driver/@type)");
    CLEANUP_FREE char *src = NULL;
    CLEANUP_FREE char *path = NULL;
    bool readonly = xpath_exists (xc, node, "readonly");
    const char *tgt = target ? target : "(no target)";
    int line = xmlGetLineNo (node);

    if (device && strcmp (device, "disk") != 0)
      continue;                  /* cdrom, floppy, lun: not guest disks */
    if (type == NULL || strcmp (type, "file") == 0)
      src = xpath_string (xc, node, "string(source/@file)");
    else if (strcmp (type, "block") == 0)
      src = xpath_string (xc, node, "string(source/@dev)");
    else if (strcmp (type, "network") == 0) {
      /* As a URI qemu opens (remote.c): the first <host>. */
      CLEANUP_FREE char *proto = xpath_string (xc, node,
                                               "string(source/@protocol)");
      CLEANUP_FREE char *name = xpath_string (xc, node,
                                              "string(source/@name)");
      CLEANUP_FREE char *host = xpath_string (xc, node,
                                              "string(source/host/@name)");
      CLEANUP_FREE char *port = xpath_string (xc, node,
                                              "string(source/host/@port)");
      CLEANUP_FREE char *transport =
        xpath_string (xc, node, "string(source/host/@transport)");
      CLEANUP_FREE char *sock = xpath_string (xc, node,
                                              "string(source/host/@socket)");

      src = gs_int_uri_from_libvirt (proto, name, host, port, transport,
                                     sock);
      if (src == NULL || !gs_int_uri_is_remote (src)) {
        gs_error ("%s:%d: disk %s: a network disk of protocol \"%s\" "
                  "goldsmith cannot name as a URI", what, line, tgt,
                  proto ? proto : "");
        return -1;
      }
    }
    else if (strcmp (type, "volume") == 0) {
      gs_error ("%s:%d: disk %s: a storage pool volume: give its path "
                "instead (virsh vol-path)", what, line, tgt);
      return -1;
    }
    else {
      gs_error ("%s:%d: disk %s: disk type \"%s\" is not supported "
                "(file, block and network are)", what, line, tgt, type);
      return -1;
    }
    if (src == NULL) {
      gs_error ("%s:%d: disk %s has no <source>", what, line, tgt);
      return -1;
    }
    if (src[0] != '/' && base_dir && !gs_int_uri_is_remote (src))
      path = gs_xasprintf ("%s/%s", base_dir, src);
    if (gs_int_guest_add_disk (guest, path ? path : src, format,
                               readonly) == -1)
      return -1;
    /* Messages about the disk name the XML that named it. */
    guest->disks[guest->ndisks - 1].origin =
      gs_xasprintf ("%s:%d: disk %s", what, line, tgt);
    /* <blockio logical_block_size='4096'/>: the sector size the guest
     * sees, and so the appliance must (as libguestfs's add_domain).
     */
    {
      CLEANUP_FREE char *bs =
        xpath_string (xc, node, "string(blockio/@logical_block_size)");

      if (bs && bs[0]) {
        if (strcmp (bs, "512") != 0 && strcmp (bs, "4096") != 0) {
          gs_error ("%s:%d: disk %s: <blockio logical_block_size='%s'>: "
                    "expected 512 or 4096", what, line, tgt, bs);
          return -1;
        }
        guest->disks[guest->ndisks - 1].blocksize = atoi (bs);
      }
    }
  }
  if (guest->ndisks == 0) {
    gs_error ("%s: the domain has no disks", what);
    return -1;
  }
  return 0;
}

#define DOMXML_MAX (16 * 1024 * 1024)

int
gs_int_domxml_load_file (const char *file, struct gs_guest *guest)
{
  CLEANUP_FCLOSE FILE *fp = fopen (file, "r");
  CLEANUP_FREE char *buf = NULL;
  CLEANUP_FREE char *copy = gs_xstrdup (file);
  size_t len = 0, cap = 0, n;

  if (fp == NULL) {
    gs_error ("%s: cannot open domain XML: %m", file);
    return -1;
  }
  /* Stop past the limit: --domxml /dev/zero must not eat the memory. */
  do {
    if (len + 4096 > cap)
      buf = gs_xrealloc (buf, cap = cap * 2 + 8192);
    n = fread (buf + len, 1, cap - len, fp);
    len += n;
  } while (n > 0 && len <= DOMXML_MAX);
  if (ferror (fp)) {
    gs_error ("%s: read error: %m", file);
    return -1;
  }
  if (len > DOMXML_MAX) {
    gs_error ("%s: domain XML larger than 16 MiB", file);
    return -1;
  }
  return gs_int_domxml_parse (buf, len, file, dirname (copy), guest);
}

static void
virt_silent (void *opaque, virErrorPtr err)
{
  (void) opaque; (void) err;
}

static const char *
virt_message (void)
{
  virErrorPtr e = virGetLastError ();

  return e && e->message ? e->message : "unknown libvirt error";
}

/* -d NAME|UUID with -c URI.  A running domain may only be opened
 * read-only: writing to the disks of a live guest corrupts them.
 */
int
gs_int_libvirt_load (const char *uri, const char *name, bool writable,
                     struct gs_guest *guest)
{
  virConnectPtr conn;
  virDomainPtr dom;
  char *xml;
  int r, active;
  CLEANUP_FREE char *what = NULL;

  virSetErrorFunc (NULL, virt_silent);
  conn = virConnectOpenReadOnly (uri);
  if (conn == NULL) {
    gs_error ("cannot connect to libvirt%s%s: %s", uri ? " at " : "",
              uri ? uri : "", virt_message ());
    return -1;
  }
  dom = virDomainLookupByName (conn, name);
  if (dom == NULL)
    dom = virDomainLookupByUUIDString (conn, name);
  if (dom == NULL) {
    gs_error ("-d %s: no such libvirt domain", name);
    virConnectClose (conn);
    return -1;
  }
  active = virDomainIsActive (dom);
  if (writable && active == 1) {
    gs_error ("-d %s: the domain is running; shut it down first "
              "(writing to a live guest's disks corrupts them)", name);
    virDomainFree (dom);
    virConnectClose (conn);
    return -1;
  }
  xml = virDomainGetXMLDesc (dom, 0);
  if (xml == NULL) {
    gs_error ("-d %s: cannot get the domain XML: %s", name, virt_message ());
    virDomainFree (dom);
    virConnectClose (conn);
    return -1;
  }
  if (asprintf (&what, "libvirt domain %s", name) == -1)
    what = NULL;
  r = gs_int_domxml_parse (xml, strlen (xml), what ? what : name, NULL,
                           guest);
  free (xml);
  virDomainFree (dom);
  virConnectClose (conn);
  return r;
}
