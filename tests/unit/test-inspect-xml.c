/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-inspect-xml: the inspect record (gs_inspect_* in common/inspect.c)
 * written as XML and JSON when guest strings are hostile: invalid UTF-8,
 * control characters, markup, "]]>", U+FFFE, overlong and surrogate
 * encodings.  The bytes enter where plugins and the report hand guest
 * strings over (gs_inspect_set, gs_int_json_add_string, a guest result's
 * name) and come out of the real writers (gs_int_inspect_write_xml,
 * gs_int_result_json printed by gs_int_report_print_json);
 * the expected text is written here by hand, byte for byte, so that it
 * is not json-c's or libxml2's own output checked against itself.  No
 * appliance.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "tap.h"
#include "goldsmith-int.h"
#include "ctx.h"

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

/* What FN (ARG) prints on stdout, as a string the caller frees: the
 * report is checked as goldsmith prints it, not as the test builds it.
 */
static char *
stdout_of (int (*fn) (json_object *), json_object *arg)
{
  FILE *t = tmpfile ();
  int saved;
  long n;
  char *s;

  fflush (stdout);
  if (t == NULL || (saved = dup (1)) == -1 || dup2 (fileno (t), 1) == -1) {
    printf ("Bail out! cannot capture stdout\n");
    exit (EXIT_FAILURE);
  }
  fn (arg);
  fflush (stdout);
  dup2 (saved, 1);
  close (saved);
  n = ftell (t);
  s = n >= 0 ? calloc (1, (size_t) n + 1) : NULL;
  rewind (t);
  if (s == NULL || fread (s, 1, (size_t) n, t) != (size_t) n) {
    printf ("Bail out! cannot read captured stdout\n");
    exit (EXIT_FAILURE);
  }
  fclose (t);
  return s;
}

/* XML holds the literal NEEDLE (exact bytes, indentation included). */
static bool
has (const char *xml, const char *needle, const char *what)
{
  if (ok (xml && strstr (xml, needle) != NULL, "%s", what))
    return true;
  diag ("expected in the XML: %s", needle);
  return false;
}

int
main (void)
{
  struct gs_ctx ctx = { 0 };
  struct gs_guest one = { .name = (char *) "one" };
  struct gs_run_result res;
  struct gs_root_result *rr;
  char *buf = NULL, *w;
  size_t len = 0;
  FILE *fp;
  xmlDocPtr doc;
  char icon[151], want_icon[200];

  plan (26);

  /* One guest's record, filled as inspect plugins fill it; the
   * expected XML below is written out by hand, byte for byte.
   */
  gs_int_result_init (&res, "inspect", true, &one, 1);
  rr = gs_int_result_add_root (&res.guest[0], "/dev/sda1");
  rr->inspect = calloc (1, sizeof *rr->inspect);
  ctx.inspect = rr->inspect;
  gs_inspect_set (&ctx, "root", "/dev/sda1");
  gs_inspect_set (&ctx, "name", "linux");
  gs_inspect_set (&ctx, "hostname", hostile[2]);
  gs_inspect_set (&ctx, "product_name", hostile[1]);
  gs_inspect_set (&ctx, "distro", "unknown");        /* omitted */
  /* An icon of 150 base64 characters: lines of 72, 72 and 6. */
  for (size_t i = 0; i < 150; ++i)
    icon[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[i % 52];
  icon[150] = '\0';
  gs_inspect_set (&ctx, "icon", icon);
  gs_inspect_list (&ctx, "applications");
  for (size_t i = 0; i < NH; ++i) {
    gs_inspect_add_item (&ctx, "applications");
    gs_inspect_item_set (&ctx, "name", hostile[i]);
    gs_inspect_item_set (&ctx, "description", hostile[(i + 3) % NH]);
  }

  fp = open_memstream (&buf, &len);
  {
    int r = gs_int_inspect_write_xml (&res, fp), n = 0;

    fclose (fp);
    for (const char *p = buf; r == 0 && (p = strstr (p, "<application>"));
         ++p)
      ++n;
    is_int (r == 0 ? n : -1, 8, "XML written, with the 8 applications");
  }
  doc = xmlReadMemory (buf, (int) len, "x.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR);
  if (!ok (doc != NULL, "the XML is well-formed"))
    diag ("%s", buf);
  xmlFreeDoc (doc);
  has (buf, "\n    <hostname>ctl\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd[31m"
       "\xef\xbf\xbd" "end</hostname>\n",
       "XML: C0 controls, ESC and DEL became U+FFFD");
  has (buf, "\n    <product_name>&lt;b&gt;&amp;amp;&quot;quotes&quot;&lt;/b&gt;"
       " ]]&gt; &lt;!-- --&gt;</product_name>\n",
       "XML: markup, entities and ]]> are escaped as text");
  has (buf, "\n        <name>bad\xef\xbf\xbd\xef\xbf\xbd utf8 \xef\xbf\xbd"
       "</name>\n",
       "XML: each byte that is not UTF-8 became one U+FFFD");
  has (buf, "\n        <name>overlong \xef\xbf\xbd\xef\xbf\xbd and surrogate "
       "\xef\xbf\xbd</name>\n",
       "XML: an overlong and a surrogate became U+FFFD");
  has (buf, "\n        <name>nonchar \xef\xbf\xbd</name>\n",
       "XML: U+FFFE became U+FFFD");
  has (buf, "\n        <name>caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"
       "</name>\n",
       "XML: valid UTF-8 is kept as is");
  /* hostile[7] is "": no <name>, only the description (hostile[2]). */
  has (buf, "\n      <application>\n        <description>ctl\xef\xbf\xbd"
       "\xef\xbf\xbd\xef\xbf\xbd[31m\xef\xbf\xbd" "end</description>\n"
       "      </application>\n    </applications>\n",
       "XML: an empty name is left out, the last application closes the list");
  ok (buf && strstr (buf, "distro") == NULL, "XML: \"unknown\" is omitted");
  snprintf (want_icon, sizeof want_icon,
            "\n    <icon>%.72s\r\n%.72s\r\n%s</icon>\n  </operatingsystem>\n",
            icon, icon + 72, icon + 144);
  has (buf, want_icon,
       "XML: the icon in lines of 72, CR LF between, as virt-inspector");
  w = gs_int_base64_wrap ("");
  is_str (w, "", "base64 wrap: nothing stays nothing");
  free (w);
  icon[144] = '\0';
  w = gs_int_base64_wrap (icon);
  snprintf (want_icon, sizeof want_icon, "%.72s\r\n%.72s", icon, icon + 72);
  is_str (w, want_icon,
          "base64 wrap: two full lines, no line end after the last");
  free (w);
  free (buf);
  buf = NULL;
  gs_int_result_free (&res);

  /* Several guests: their names come from the result (kept as given,
   * control bytes and all) and become attributes.
   */
  {
    struct gs_guest gg[2] = {
      { .name = (char *) "g\x01\xff<\"&>\t" },
      { .name = (char *) "caf\xc3\xa9" },
    };

    gs_int_result_init (&res, "inspect", true, gg, 2);
    fp = open_memstream (&buf, &len);
    gs_int_inspect_write_xml (&res, fp);
    fclose (fp);
    is_str (buf,
            "<?xml version=\"1.0\"?>\n"
            "<guests>\n"
            "  <guest name=\"g&#xFFFD;&#xFFFD;&lt;&quot;&amp;&gt;&#9;\">\n"
            "    <operatingsystems/>\n"
            "  </guest>\n"
            "  <guest name=\"caf&#xE9;\">\n"
            "    <operatingsystems/>\n"
            "  </guest>\n"
            "</guests>\n",
            "XML of two guests with hostile names, byte for byte");
    free (buf);
  }

  /* JSON, as gs_int_report_print_json prints it.  A report string
   * (gs_int_json_add_string) keeps control characters, which must come
   * out as \u00XX; an inspect record field (gs_inspect_set) has them as
   * U+FFFD already, as in the XML.
   */
  {
    json_object *r = json_object_new_object ();
    struct gs_ctx c2 = { 0 };
    char *c = gs_int_utf8_copy ("a\x01\xff\xc3\xa9", false), *js;

    is_str (c, "a\x01\xef\xbf\xbd\xc3\xa9",
            "UTF-8 copy for JSON: bad byte replaced, control kept");
    free (c);
    gs_int_json_add_string (r, "hostname",
                            "host\xff\xfe<&>\x02\x1b[0m/\t\"\\\x7f");
    js = stdout_of (gs_int_report_print_json, r);
    is_str (js, "{\n  \"hostname\":\"host\xef\xbf\xbd\xef\xbf\xbd<&>"
            "\\u0002\\u001b[0m/\\t\\\"\\\\\x7f\"\n}\n",
            "JSON report string: bad bytes U+FFFD, controls \\u00XX, "
            "'/' as is");
    free (js);
    json_object_put (r);

    /* The record, as the report of two guests renders it: the second
     * guest's name too, its control bytes as \u00XX.
     */
    rr = gs_int_result_add_root (&res.guest[1], "/dev/sda1");
    rr->inspect = calloc (1, sizeof *rr->inspect);
    c2.inspect = rr->inspect;
    gs_inspect_set (&c2, "hostname", hostile[2]);
    gs_inspect_set (&c2, "product_name", hostile[4]);
    r = gs_int_result_json (&res);
    js = stdout_of (gs_int_report_print_json,
                    json_object_array_get_idx (json_object_object_get
                                               (r, "guests"), 1));
    is_str (js, "{\n"
            "  \"name\":\"caf\xc3\xa9\",\n"
            "  \"disks\":[\n  ],\n"
            "  \"roots\":[\n"
            "    {\n"
            "      \"root\":\"/dev/sda1\",\n"
            "      \"os\":{\n      },\n"
            "      \"operations\":[\n      ],\n"
            "      \"inspect\":{\n"
            "        \"hostname\":\"ctl\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd[31m"
            "\xef\xbf\xbd" "end\",\n"
            "        \"product_name\":\"overlong \xef\xbf\xbd\xef\xbf\xbd and "
            "surrogate \xef\xbf\xbd\"\n"
            "      }\n"
            "    }\n"
            "  ],\n"
            "  \"operatingsystems\":[\n"
            "    {\n"
            "      \"hostname\":\"ctl\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd[31m"
            "\xef\xbf\xbd" "end\",\n"
            "      \"product_name\":\"overlong \xef\xbf\xbd\xef\xbf\xbd and "
            "surrogate \xef\xbf\xbd\"\n"
            "    }\n"
            "  ]\n"
            "}\n",
            "JSON inspect record: the same U+FFFD as the XML");
    free (js);
    js = stdout_of (gs_int_report_print_json,
                    json_object_object_get
                    (json_object_array_get_idx (json_object_object_get
                                                (r, "guests"), 0), "name"));
    is_str (js, "\"g\\u0001\xef\xbf\xbd<\\\"&>\\t\"\n",
            "JSON guest name: control bytes \\u00XX, bad byte U+FFFD");
    free (js);
    json_object_put (r);
    gs_int_result_free (&res);
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
