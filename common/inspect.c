/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inspect.c: what inspect plugins report (gs_inspect_*), kept per root
 * as one json-c object, and written as virt-inspector's XML (libxml2's
 * xmlTextWriter) or as JSON.  Guest strings are sanitised once, when a
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
  char *out = malloc (len * 3 + 1), *o = out;

  if (out == NULL)
    return NULL;
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

static int
set_clean (json_object *obj, const char *key, const char *value)
{
  char *v;
  json_object *s;

  if (value == NULL || strcmp (value, "unknown") == 0) {
    json_object_object_del (obj, key);
    return 0;
  }
  if ((v = gs_int_sanitise_utf8 (value)) == NULL)
    return -1;
  s = json_object_new_string (v);
  free (v);
  if (s == NULL || json_object_object_add (obj, key, s)) {
    json_object_put (s);
    return -1;
  }
  return 0;
}

int
gs_inspect_set (struct gs_ctx *ctx, const char *key, const char *value)
{
  if (ctx->inspect == NULL || key == NULL)
    return -1;
  if (set_clean (ctx->inspect, key, value) == -1) {
    gs_error ("out of memory");
    return -1;
  }
  return 0;
}

static json_object *
get_list (struct gs_ctx *ctx, const char *section)
{
  json_object *l;

  if (ctx->inspect == NULL || section == NULL)
    return NULL;
  if (json_object_object_get_ex (ctx->inspect, section, &l) &&
      json_object_is_type (l, json_type_array))
    return l;
  l = json_object_new_array ();
  if (l == NULL || json_object_object_add (ctx->inspect, section, l)) {
    json_object_put (l);
    return NULL;
  }
  return l;
}

int
gs_inspect_list (struct gs_ctx *ctx, const char *section)
{
  if (get_list (ctx, section) == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  return 0;
}

int
gs_inspect_add_item (struct gs_ctx *ctx, const char *section)
{
  json_object *l = get_list (ctx, section), *item;

  if (l == NULL || (item = json_object_new_object ()) == NULL) {
    gs_error ("out of memory");
    return -1;
  }
  if (json_object_array_add (l, item)) {
    json_object_put (item);
    gs_error ("out of memory");
    return -1;
  }
  ctx->item = item;
  return 0;
}

int
gs_inspect_item_set (struct gs_ctx *ctx, const char *key, const char *value)
{
  if (ctx->item == NULL || key == NULL) {
    gs_error ("gs_inspect_item_set called before gs_inspect_add_item");
    return -1;
  }
  if (set_clean (ctx->item, key, value) == -1) {
    gs_error ("out of memory");
    return -1;
  }
  return 0;
}

/* ---- XML ---------------------------------------------------------- */

static const char *
jstr (json_object *o, const char *key)
{
  json_object *v;

  if (o && json_object_object_get_ex (o, key, &v) &&
      json_object_is_type (v, json_type_string))
    return json_object_get_string (v);
  return NULL;
}

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

static int
write_os (xmlTextWriterPtr w, json_object *os)
{
  json_object *l;

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
  if (json_object_object_get_ex (os, "mountpoints", &l))
    for (size_t i = 0; i < json_object_array_length (l); ++i) {
      json_object *m = json_object_array_get_idx (l, i);

      X (xmlTextWriterStartElement (w, BAD_CAST "mountpoint"));
      X (xmlTextWriterWriteAttribute (w, BAD_CAST "dev",
                                      BAD_CAST (jstr (m, "dev") ?: "")));
      X (xmlTextWriterWriteString (w, BAD_CAST (jstr (m, "path") ?: "")));
      X (xmlTextWriterEndElement (w));
    }
  X (xmlTextWriterEndElement (w));

  X (xmlTextWriterStartElement (w, BAD_CAST "filesystems"));
  if (json_object_object_get_ex (os, "filesystems", &l))
    for (size_t i = 0; i < json_object_array_length (l); ++i) {
      json_object *f = json_object_array_get_idx (l, i);

      X (xmlTextWriterStartElement (w, BAD_CAST "filesystem"));
      X (xmlTextWriterWriteAttribute (w, BAD_CAST "dev",
                                      BAD_CAST (jstr (f, "dev") ?: "")));
      X (elem (w, "type", jstr (f, "type")));
      X (elem (w, "label", jstr (f, "label")));
      X (elem (w, "uuid", jstr (f, "uuid")));
      X (xmlTextWriterEndElement (w));
    }
  X (xmlTextWriterEndElement (w));

  if (json_object_object_get_ex (os, "drive_mappings", &l) &&
      json_object_array_length (l) > 0) {
    X (xmlTextWriterStartElement (w, BAD_CAST "drive_mappings"));
    for (size_t i = 0; i < json_object_array_length (l); ++i) {
      json_object *d = json_object_array_get_idx (l, i);

      X (xmlTextWriterStartElement (w, BAD_CAST "drive_mapping"));
      X (xmlTextWriterWriteAttribute (w, BAD_CAST "name",
                                      BAD_CAST (jstr (d, "name") ?: "")));
      X (xmlTextWriterWriteString (w, BAD_CAST (jstr (d, "device") ?: "")));
      X (xmlTextWriterEndElement (w));
    }
    X (xmlTextWriterEndElement (w));
  }

  if (json_object_object_get_ex (os, "applications", &l)) {
    X (xmlTextWriterStartElement (w, BAD_CAST "applications"));
    for (size_t i = 0; i < json_object_array_length (l); ++i) {
      json_object *a = json_object_array_get_idx (l, i);

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

  X (elem (w, "icon", jstr (os, "icon")));
  X (xmlTextWriterEndElement (w));
  return 0;
 fail:
  return -1;
}

static int
write_oses (xmlTextWriterPtr w, json_object *oses)
{
  X (xmlTextWriterStartElement (w, BAD_CAST "operatingsystems"));
  for (size_t i = 0; i < json_object_array_length (oses); ++i)
    X (write_os (w, json_object_array_get_idx (oses, i)));
  X (xmlTextWriterEndElement (w));
  return 0;
 fail:
  return -1;
}

/* GUESTS: array of { "name", "operatingsystems": [ ... ] }.  One guest
 * gives virt-inspector's document; several are wrapped in
 * <guests><guest name="...">.
 */
int
gs_int_inspect_write_xml (json_object *guests, FILE *fp)
{
  xmlBufferPtr buf = xmlBufferCreate ();
  xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory (buf, 0) : NULL;
  size_t n = json_object_array_length (guests);
  int r = -1;

  if (w == NULL)
    goto out;
  X (xmlTextWriterSetIndent (w, 1));
  X (xmlTextWriterSetIndentString (w, BAD_CAST "  "));
  X (xmlTextWriterStartDocument (w, NULL, NULL, NULL));
  if (n == 1) {
    json_object *oses = NULL;

    json_object_object_get_ex (json_object_array_get_idx (guests, 0),
                               "operatingsystems", &oses);
    X (write_oses (w, oses));
  }
  else {
    X (xmlTextWriterStartElement (w, BAD_CAST "guests"));
    for (size_t i = 0; i < n; ++i) {
      json_object *g = json_object_array_get_idx (guests, i), *oses = NULL;
      char *name = gs_int_sanitise_utf8 (jstr (g, "name") ?: "");

      json_object_object_get_ex (g, "operatingsystems", &oses);
      X (xmlTextWriterStartElement (w, BAD_CAST "guest"));
      if (name == NULL)
        goto fail;
      r = xmlTextWriterWriteAttribute (w, BAD_CAST "name", BAD_CAST name);
      free (name);
      X (r);
      r = -1;
      X (write_oses (w, oses));
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
    char *p = realloc (data, size + n);

    if (p == NULL) {
      gs_error ("out of memory");
      goto out;
    }
    data = p;
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
     * saved formatted without a declaration.
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
      xmlDocPtr wr;
      xmlNodePtr node;

      if (orig->type == XML_ATTRIBUTE_NODE) {
        /* ' name="value"', as libxml2 saves an attribute. */
        xmlChar *v = xmlNodeGetContent (orig);
        xmlChar *e = xmlEncodeSpecialChars (doc, v ? v : BAD_CAST "");

        xmlSaveFlush (sc);
        xmlBufferCCat (b, " ");
        xmlBufferCat (b, orig->name);
        xmlBufferCCat (b, "=\"");
        xmlBufferCat (b, e ? e : BAD_CAST "");
        xmlBufferCCat (b, "\"");
        xmlFree (v);
        xmlFree (e);
        continue;
      }
      wr = xmlNewDoc (BAD_CAST "1.0");
      node = wr ? xmlCopyNode (orig, 1) : NULL;

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
    xmlChar *s = xmlXPathCastToString (xo);
    size_t l = s ? strlen ((char *) s) : 0;

    printf ("%s%s", s ? (char *) s : "",
            l && s[l - 1] == '\n' ? "" : "\n");
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

/* ---- Which guest a root belongs to ------------------------------- */

/* The index of the disk (in the order drives were added) holding DEV:
 * a whole device, a partition, an LV or a VG (through the VG's first
 * PV).
 */
static int
disk_index (guestfs_h *g, const char *dev)
{
  CLEANUP_FREE char *whole = NULL;

  if (strncmp (dev, "/dev/sd", 7) == 0 || strncmp (dev, "/dev/vd", 7) == 0
      || strncmp (dev, "/dev/hd", 7) == 0) {
    whole = guestfs_part_to_dev (g, dev);
    if (whole == NULL)
      whole = strdup (dev);
    return whole ? guestfs_device_index (g, whole) : -1;
  }
  if (strncmp (dev, "/dev/", 5) == 0 && dev[5] != '\0') {
    /* /dev/VG/LV, or a VG: /dev/VG */
    CLEANUP_FREE char *vg = strndup (dev + 5, strcspn (dev + 5, "/"));
    CLEANUP_FREE_STRV char **pvuuids = vg ? guestfs_vgpvuuids (g, vg) : NULL;
    CLEANUP_FREE_STRV char **pvs = guestfs_pvs (g);

    if (pvuuids == NULL || pvs == NULL || pvuuids[0] == NULL)
      return -1;
    for (size_t i = 0; pvs[i]; ++i) {
      CLEANUP_FREE char *u = guestfs_pvuuid (g, pvs[i]);

      /* vgpvuuids has the 32-character form without dashes. */
      if (u && strcmp (u, pvuuids[0]) == 0)
        return disk_index (g, pvs[i]);
    }
  }
  return -1;
}

/* Map ROOT to a guest: STARTS[i] is the index of guest i's first disk
 * (NGUESTS+1 entries, the last the total).  -1 if unknown.
 */
int
gs_int_inspect_root_guest (guestfs_h *g, const char *root,
                           const size_t *starts, size_t nguests)
{
  int d = disk_index (g, root);

  if (d < 0)
    return -1;
  for (size_t i = 0; i < nguests; ++i)
    if ((size_t) d >= starts[i] && (size_t) d < starts[i + 1])
      return (int) i;
  return -1;
}

/* The guest (index into STARTS, see above) whose disk holds DEV, or -1. */
static int
guest_of (guestfs_h *g, const char *dev, const size_t *starts,
          size_t nguests)
{
  int d = disk_index (g, dev);

  for (size_t i = 0; d >= 0 && i < nguests; ++i)
    if ((size_t) d >= starts[i] && (size_t) d < starts[i + 1])
      return (int) i;
  return -1;
}

/* One identifier seen on a guest's disks. */
struct seen {
  char *id;                      /* "pv:UUID", "fs:UUID", "label:L", "vg:N" */
  int guest;
};

static int
note (struct seen **v, size_t *n, const char *kind, const char *val,
      int guest)
{
  struct seen *p;

  if (val == NULL || val[0] == '\0' || guest < 0)
    return 0;
  if ((p = realloc (*v, (*n + 1) * sizeof *p)) == NULL)
    return -1;
  *v = p;
  if (asprintf (&p[*n].id, "%s:%s", kind, val) == -1)
    return -1;
  p[*n].guest = guest;
  (*n)++;
  return 0;
}

/* The identifiers of DEV (a partition, whole disk or LV) that the
 * appliance's kernel itself matches across disks as soon as it sees
 * them: an LVM PV's UUID, a RAID member's array UUID (mdadm assembles
 * by it), a btrfs filesystem's (the kernel groups devices by fsid).
 * Other filesystems' UUIDs and labels only matter when a guest's fstab
 * names them: gs_int_inspect_foreign_mounts checks that after the
 * inspection, so different guests with the same labels (every cloud
 * image of a distribution) still share a launch.
 */
static int
note_device (guestfs_h *g, const char *dev, int guest, struct seen **v,
             size_t *n)
{
  CLEANUP_FREE char *t = guestfs_vfs_type (g, dev);
  CLEANUP_FREE char *u = NULL;

  if (t == NULL || t[0] == '\0')
    return 0;                    /* no filesystem: nothing to resolve */
  if (strcmp (t, "LVM2_member") == 0 || strcmp (t, "linux_raid_member") == 0 ||
      strcmp (t, "btrfs") == 0) {
    u = guestfs_vfs_uuid (g, dev);
    return note (v, n, t[0] == 'L' ? "pv" : t, u, guest);
  }
  return 0;
}

int
gs_int_device_guest (guestfs_h *g, const char *dev, const size_t *starts,
                     size_t nguests)
{
  return guest_of (g, dev, starts, nguests);
}

/* Which of the launched guests cannot be inspected in this launch?
 * Guest i clashes (CLASH[i] set) when an identifier the appliance
 * matches across disks (see note_device) is seen on its disks and on
 * another guest's: an LVM PV UUID (LVM then uses one of the two PVs: a
 * clone's), a VG name, a RAID array UUID, a btrfs fsid.  A VG whose PVs
 * lie on two guests' disks clashes too.  Clones clash; the other guests
 * can share the launch.
 * PAIRS (NGUESTS*NGUESTS) says which with which.  Returns how many
 * guests clash, or -1 on error.
 */
int
gs_int_inspect_clashes (guestfs_h *g, const size_t *starts, size_t nguests,
                        bool *clash, unsigned char *pairs)
{
  CLEANUP_FREE_STRV char **parts = guestfs_list_partitions (g);
  CLEANUP_FREE_STRV char **devs = guestfs_list_devices (g);
  CLEANUP_FREE_STRV char **lvs = guestfs_lvs (g);
  CLEANUP_FREE_STRV char **vgs = guestfs_vgs (g);
  struct seen *v = NULL;
  size_t n = 0;
  int r = -1, count = 0;

  for (size_t i = 0; i < nguests; ++i)
    clash[i] = false;
  memset (pairs, 0, nguests * nguests);
  if (parts == NULL || devs == NULL || lvs == NULL || vgs == NULL)
    goto out;
  for (size_t i = 0; devs[i]; ++i)
    if (note_device (g, devs[i], guest_of (g, devs[i], starts, nguests),
                     &v, &n) == -1)
      goto nomem;
  for (size_t i = 0; parts[i]; ++i)
    if (note_device (g, parts[i], guest_of (g, parts[i], starts, nguests),
                     &v, &n) == -1)
      goto nomem;
  for (size_t i = 0; lvs[i]; ++i)
    if (note_device (g, lvs[i], guest_of (g, lvs[i], starts, nguests),
                     &v, &n) == -1)
      goto nomem;
  /* A VG name, owned by the guests holding its PVs (a VG on two guests'
   * disks is noted for both, so both clash).
   */
  for (size_t i = 0; vgs[i]; ++i) {
    CLEANUP_FREE_STRV char **u = guestfs_vgpvuuids (g, vgs[i]);
    CLEANUP_FREE_STRV char **pvs = u ? guestfs_pvs (g) : NULL;

    for (size_t j = 0; pvs && u[j]; ++j)
      for (size_t k = 0; pvs[k]; ++k) {
        CLEANUP_FREE char *pu = guestfs_pvuuid (g, pvs[k]);
        int gi = guest_of (g, pvs[k], starts, nguests);

        if (pu == NULL || strcmp (pu, u[j]) != 0)
          continue;
        if (note (&v, &n, "vg", vgs[i], gi) == -1)
          goto nomem;
      }
    /* Two VGs of one name (not clones: their PVs differ): LVM cannot
     * tell them apart by name, nor can we.  Every guest with a PV
     * clashes.
     */
    for (size_t j = i + 1; vgs[j]; ++j)
      if (strcmp (vgs[i], vgs[j]) == 0)
        for (size_t k = 0; k < n; ++k)
          for (size_t l = 0; l < n; ++l)
            if (strncmp (v[k].id, "pv:", 3) == 0 &&
                strncmp (v[l].id, "pv:", 3) == 0 &&
                v[k].guest != v[l].guest) {
              clash[v[k].guest] = true;
              pairs[v[k].guest * nguests + v[l].guest] = 1;
            }
  }
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      if (v[i].guest != v[j].guest && strcmp (v[i].id, v[j].id) == 0) {
        gs_debug ("%s is on the disks of guests %d and %d", v[i].id,
                  v[i].guest + 1, v[j].guest + 1);
        clash[v[i].guest] = clash[v[j].guest] = true;
        pairs[v[i].guest * nguests + v[j].guest] = 1;
        pairs[v[j].guest * nguests + v[i].guest] = 1;
      }
  for (size_t i = 0; i < nguests; ++i)
    count += clash[i];
  r = count;
  goto out;

 nomem:
  gs_error ("out of memory");
 out:
  for (size_t i = 0; i < n; ++i)
    free (v[i].id);
  free (v);
  return r;
}

/* ---- Guest device names in a shared appliance --------------------- */

static const char *const disk_prefixes[] = {
  "/dev/sd", "/dev/vd", "/dev/hd", "/dev/xvd", NULL,
};

char *
gs_int_guest_device (size_t start, size_t count, const char *dev)
{
  const char *p = NULL, *letters;
  size_t idx = 0, nl = 0;
  char name[16], *out;

  for (size_t i = 0; disk_prefixes[i] && p == NULL; ++i)
    if (strncmp (dev, disk_prefixes[i], strlen (disk_prefixes[i])) == 0)
      p = dev + strlen (disk_prefixes[i]);
  if (p == NULL || count == 0)
    return strdup (dev);
  letters = p;
  while (*p >= 'a' && *p <= 'z' && nl < 3) {
    idx = idx * 26 + (size_t) (*p - 'a') + (nl ? 26 : 0);
    nl++;
    p++;
  }
  /* Only DISK or DISK followed by a partition number. */
  if (nl == 0 || strspn (p, "0123456789") != strlen (p))
    return strdup (dev);
  (void) letters;
  if ((idx >= start && idx < start + count) || idx >= count)
    return strdup (dev);         /* the appliance's name already */
  idx += start;
  {                              /* index to letters: a..z, aa.. */
    char tmp[8];
    size_t n = 0, v = idx;

    do {
      tmp[n++] = (char) ('a' + v % 26);
      v = v / 26;
    } while (v-- > 0 && n < sizeof tmp);
    for (size_t i = 0; i < n; ++i)
      name[i] = tmp[n - 1 - i];
    name[n] = '\0';
  }
  if (asprintf (&out, "/dev/sd%s%s", name, p) == -1)
    return NULL;
  return out;
}

char *
gs_inspect_device (const struct gs_ctx *ctx, const char *dev)
{
  return gs_int_guest_device (ctx->disk_start, ctx->disk_count, dev);
}

int
gs_guest_has_device (const struct gs_ctx *ctx, guestfs_h *g, const char *dev)
{
  int d;

  if (ctx->disk_count == 0)
    return 1;                    /* the only guest of its launch */
  guestfs_push_error_handler (g, NULL, NULL);
  d = disk_index (g, dev);
  guestfs_pop_error_handler (g);
  if (d < 0) {
    gs_error ("%s: cannot tell which guest's disk holds it", dev);
    return -1;
  }
  return (size_t) d >= ctx->disk_start &&
    (size_t) d < ctx->disk_start + ctx->disk_count;
}
