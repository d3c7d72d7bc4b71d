/* test-inspect-xml: the inspect record (gs_inspect_* in common/inspect.c)
 * written as XML and JSON when guest strings are hostile: invalid UTF-8,
 * control characters, markup, "]]>", U+FFFE, overlong and surrogate
 * encodings.  Both outputs must parse, and hold U+FFFD where the bytes
 * were not characters XML 1.0 allows.  No appliance.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "tap.h"
#include "goldsmith-int.h"

static const char *const hostile[] = {
  "plain",
  "<b>&amp;\"quotes\"</b> ]]> <!-- -->",
  "ctl\x01\x02\x1b[31m\x7f" "end",
  "bad\xff\xfe utf8 \xc3",
  "overlong \xc0\xaf and surrogate \xed\xa0\x80",
  "nonchar \xef\xbf\xbe",
  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
  "",
};
#define NH (sizeof hostile / sizeof hostile[0])

static char *
xpath_str (xmlDocPtr doc, const char *expr)
{
  xmlXPathContextPtr xc = xmlXPathNewContext (doc);
  xmlXPathObjectPtr xo = xmlXPathEvalExpression (BAD_CAST expr, xc);
  char *s = (char *) xmlXPathCastToString (xo);

  xmlXPathFreeObject (xo);
  xmlXPathFreeContext (xc);
  return s;
}

int
main (void)
{
  struct gs_ctx ctx = { 0 };
  json_object *os = json_object_new_object ();
  json_object *guests = json_object_new_array ();
  json_object *g = json_object_new_object (), *oses = json_object_new_array ();
  char *buf = NULL;
  size_t len = 0;
  FILE *fp;
  xmlDocPtr doc;

  plan (22);
  ctx.inspect = os;
  gs_inspect_set (&ctx, "root", "/dev/sda1");
  gs_inspect_set (&ctx, "name", "linux");
  gs_inspect_set (&ctx, "hostname", hostile[2]);
  gs_inspect_set (&ctx, "product_name", hostile[1]);
  gs_inspect_set (&ctx, "distro", "unknown");        /* omitted */
  gs_inspect_list (&ctx, "applications");
  for (size_t i = 0; i < NH; ++i) {
    gs_inspect_add_item (&ctx, "applications");
    gs_inspect_item_set (&ctx, "name", hostile[i]);
    gs_inspect_item_set (&ctx, "description", hostile[(i + 3) % NH]);
  }
  json_object_array_add (oses, os);
  json_object_object_add (g, "name", json_object_new_string ("g\x01"));
  json_object_object_add (g, "operatingsystems", oses);
  json_object_array_add (guests, g);

  fp = open_memstream (&buf, &len);
  ok (gs_int_inspect_write_xml (guests, fp) == 0, "XML written");
  fclose (fp);
  doc = xmlReadMemory (buf, (int) len, "x.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR);
  if (!ok (doc != NULL, "the XML is well-formed"))
    diag ("%s", buf);
  if (doc) {
    char *s = xpath_str (doc, "count(//application)");
    is_str (s, "8", "every application is there");
    free (s);
    s = xpath_str (doc, "//hostname");
    is_str (s, "ctl\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd[31m\xef\xbf\xbd" "end",
            "control characters became U+FFFD");
    free (s);
    s = xpath_str (doc, "//product_name");
    is_str (s, hostile[1], "markup survives as text");
    free (s);
    s = xpath_str (doc, "//application[7]/name");
    is_str (s, hostile[6], "valid UTF-8 is kept");
    free (s);
    s = xpath_str (doc, "//application[4]/name");
    is_str (s, "bad\xef\xbf\xbd\xef\xbf\xbd utf8 \xef\xbf\xbd",
            "invalid UTF-8 became U+FFFD");
    free (s);
    s = xpath_str (doc, "count(//distro)");
    is_str (s, "0", "\"unknown\" is omitted");
    free (s);
    xmlFreeDoc (doc);
  }
  else
    for (int i = 0; i < 6; ++i)
      ok (0, "(no document)");
  free (buf);
  {
    const char *js = json_object_to_json_string (guests);
    json_tokener *tok = json_tokener_new ();
    json_object *back;

    json_tokener_set_flags (tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    back = json_tokener_parse_ex (tok, js, (int) strlen (js));
    ok (back != NULL, "the JSON parses strictly, as valid UTF-8");
    ok (strstr (js, "\\u0001") != NULL || strstr (js, "\xef\xbf\xbd") != NULL,
        "no raw control characters in the JSON");
    json_object_put (back);
    json_tokener_free (tok);
  }
  json_object_put (guests);

  /* The report's own strings (gs_int_json_add_string): guest bytes that
   * are not UTF-8 become U+FFFD, control characters are kept for json-c
   * to escape, so the report is JSON whatever the guest holds.
   */
  {
    json_object *r = json_object_new_object ();
    const char *js;
    json_tokener *tok = json_tokener_new ();
    json_object *back, *v;
    char *c = gs_int_utf8_copy ("a\x01\xff\xc3\xa9", false);

    is_str (c, "a\x01\xef\xbf\xbd\xc3\xa9",
            "UTF-8 copy for JSON: bad byte replaced, control kept");
    free (c);
    gs_int_json_add_string (r, "hostname", "host\xff\xfe<&>\x02");
    js = json_object_to_json_string (r);
    json_tokener_set_flags (tok, JSON_TOKENER_STRICT |
                            JSON_TOKENER_VALIDATE_UTF8);
    back = json_tokener_parse_ex (tok, js, (int) strlen (js));
    ok (back != NULL, "a report string with bytes that are not UTF-8 "
        "parses strictly");
    ok (strstr (js, "\\u0002") != NULL, "its control character is escaped");
    is_str (back && json_object_object_get_ex (back, "hostname", &v)
            ? json_object_get_string (v) : NULL,
            "host\xef\xbf\xbd\xef\xbf\xbd<&>\x02",
            "and reads back with U+FFFD for the bad bytes");
    json_object_put (back);
    json_tokener_free (tok);
    json_object_put (r);
  }

  /* Guest device names in a shared appliance (gs_int_guest_device). */
  {
    static const struct { size_t start, count; const char *in, *out; } t[] = {
      { 0, 1, "/dev/sda1", "/dev/sda1" },      /* the first guest */
      { 1, 1, "/dev/sda1", "/dev/sdb1" },      /* its own first disk */
      { 1, 1, "/dev/sdb1", "/dev/sdb1" },      /* already the appliance's */
      { 1, 1, "/dev/VG/Root", "/dev/VG/Root" },
      { 2, 2, "/dev/vdb", "/dev/sdd" },
      { 26, 1, "/dev/sda2", "/dev/sdaa2" },
      { 1, 1, "/dev/sdc1", "/dev/sdc1" },      /* beyond its disks */
      { 1, 1, "/dev/sda1x", "/dev/sda1x" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; ++i) {
      char *d = gs_int_guest_device (t[i].start, t[i].count, t[i].in);
      is_str (d, t[i].out, "guest device %s (disks %zu+%zu)", t[i].in,
              t[i].start, t[i].count);
      free (d);
    }
  }
  return exit_status ();
}
