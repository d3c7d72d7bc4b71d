/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-domxml: the disks of a guest from libvirt domain XML
 * (common/domain.c), as strings and as files, and the format probe of
 * common/disks.c on small temporary files.  No libvirt connection and
 * no appliance.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goldsmith-int.h"
#include "tap.h"
#include "unit-util.h"

static const char two_disks[] =
  "<domain type='kvm'>\n"
  "  <name>test-guest</name>\n"
  "  <devices>\n"
  "    <disk type='file' device='disk'>\n"
  "      <driver name='qemu' type='qcow2'/>\n"
  "      <source file='/var/lib/images/root.qcow2'/>\n"
  "      <target dev='vda' bus='virtio'/>\n"
  "    </disk>\n"
  "    <disk type='file' device='cdrom'>\n"
  "      <driver name='qemu' type='raw'/>\n"
  "      <source file='/var/lib/images/install.iso'/>\n"
  "      <target dev='sda' bus='sata'/>\n"
  "      <readonly/>\n"
  "    </disk>\n"
  "    <disk type='file' device='disk'>\n"
  "      <driver name='qemu' type='raw'/>\n"
  "      <source file='/var/lib/images/data.img'/>\n"
  "      <target dev='vdb' bus='virtio'/>\n"
  "      <blockio logical_block_size='4096' physical_block_size='4096'/>\n"
  "      <readonly/>\n"
  "    </disk>\n"
  "  </devices>\n"
  "</domain>\n";

/* gs_int_domxml_parse with stderr captured. */
static int
parse (const char *xml, const char *what, const char *base_dir,
       struct gs_guest *guest, char **err)
{
  int r;

  memset (guest, 0, sizeof *guest);
  unit_capture_begin ();
  r = gs_int_domxml_parse (xml, strlen (xml), what, base_dir, guest);
  *err = unit_capture_end ();
  return r;
}

static int
load_file (const char *file, struct gs_guest *guest, char **err)
{
  int r;

  memset (guest, 0, sizeof *guest);
  unit_capture_begin ();
  r = gs_int_domxml_load_file (file, guest);
  *err = unit_capture_end ();
  return r;
}

/* ERR is "goldsmith: error: FILE:LINE: ..." with a LINE > 0. */
static bool
names_line (const char *err, const char *file)
{
  char *prefix = unit_printf ("goldsmith: error: %s:", file);
  bool r = false;

  if (strncmp (err, prefix, strlen (prefix)) == 0) {
    const char *p = err + strlen (prefix);
    char *end;
    long line = strtol (p, &end, 10);

    r = end > p && line > 0 && *end == ':';
  }
  free (prefix);
  return r;
}

/* -1 and one line starting "goldsmith: error: START" holding NEEDLE.
 * 3 tests.
 */
static void
check_error (const char *what, int r, const char *err, const char *start,
             const char *needle)
{
  char *prefix = unit_printf ("goldsmith: error: %s", start);

  is_int (r, -1, "%s: refused", what);
  ok (unit_one_line (err), "%s: the message is one line", what);
  if (!ok (strncmp (err, prefix, strlen (prefix)) == 0 &&
           unit_contains (err, needle),
           "%s: the message names the source and says \"%s\"",
           what, needle))
    diag ("message: %s", err);
  free (prefix);
}

static void
test_valid (void)
{
  struct gs_guest g;
  char *err;

  is_int (parse (two_disks, "two-disks", NULL, &g, &err), 0,
          "two file disks and a cdrom: parsed");
  is_str (err, "", "nothing on stderr");
  is_str (g.name, "test-guest", "the guest is named after <name>");
  is_int (g.ndisks, 2, "the cdrom is skipped");
  if (g.ndisks == 2) {
    is_str (g.disks[0].path, "/var/lib/images/root.qcow2",
            "first disk: path from <source file>");
    is_str (g.disks[0].format, "qcow2", "first disk: format from <driver>");
    ok (!g.disks[0].readonly, "first disk: writable");
    is_int (g.disks[0].virtual_size, -1, "first disk: size not known yet");
    is_str (g.disks[1].path, "/var/lib/images/data.img",
            "second disk: path");
    is_str (g.disks[1].format, "raw", "second disk: format raw");
    ok (g.disks[1].readonly, "second disk: <readonly/> honoured");
    is_int (g.disks[1].blocksize, 4096,
            "second disk: <blockio logical_block_size> is its sector size");
    is_int (g.disks[0].blocksize, 0, "first disk: no <blockio>, qemu's");
  }
  else
    for (int i = 0; i < 9; ++i)
      ok (false, "disk (missing)");
  gs_int_guest_free (&g);
  ok (g.disks == NULL && g.ndisks == 0 && g.name == NULL,
      "guest_free empties the guest");
  free (err);

  is_int (parse ("<domain>\n"
                 "  <name>blk</name>\n"
                 "  <devices>\n"
                 "    <disk type='block' device='disk'>\n"
                 "      <source dev='/dev/vg0/guest'/>\n"
                 "      <target dev='vda'/>\n"
                 "    </disk>\n"
                 "    <disk>\n"
                 "      <source file='/images/plain.img'/>\n"
                 "    </disk>\n"
                 "  </devices>\n"
                 "</domain>\n", "blk", NULL, &g, &err), 0,
          "block disk: parsed");
  ok (g.ndisks == 2 && strcmp (g.disks[0].path, "/dev/vg0/guest") == 0,
      "block disk: path from <source dev>");
  ok (g.ndisks == 2 && g.disks[0].format == NULL,
      "block disk: no <driver type>, format left to the probe");
  ok (g.ndisks == 2 && strcmp (g.disks[1].path, "/images/plain.img") == 0,
      "a disk without type and device attributes is a file disk");
  gs_int_guest_free (&g);
  free (err);

  /* Relative paths: resolved against base_dir, kept without one. */
  {
    static const char rel[] =
      "<domain><name>rel</name><devices>\n"
      "  <disk type='file' device='disk'><source file='images/a.img'/></disk>\n"
      "  <disk type='file' device='disk'><source file='/abs/b.img'/></disk>\n"
      "</devices></domain>\n";

    parse (rel, "rel", "/srv/guests", &g, &err);
    ok (g.ndisks == 2 && strcmp (g.disks[0].path,
                                 "/srv/guests/images/a.img") == 0,
        "a relative source is resolved against base_dir");
    ok (g.ndisks == 2 && strcmp (g.disks[1].path, "/abs/b.img") == 0,
        "an absolute source is kept");
    gs_int_guest_free (&g);
    free (err);
    parse (rel, "rel", NULL, &g, &err);
    ok (g.ndisks == 2 && strcmp (g.disks[0].path, "images/a.img") == 0,
        "without base_dir a relative source is kept as it is");
    gs_int_guest_free (&g);
    free (err);
  }
}

static void
test_files (void)
{
  struct gs_guest g;
  char *err, *dir, *expect;
  int r;
  const char *file = unit_temp_text (".xml",
                                     "<domain>\n"
                                     "  <name>from-file</name>\n"
                                     "  <devices>\n"
                                     "    <disk type='file' device='disk'>\n"
                                     "      <source file='guest.img'/>\n"
                                     "    </disk>\n"
                                     "  </devices>\n"
                                     "</domain>\n");
  const char *bad = unit_temp_text (".xml",
                                    "<domain>\n"
                                    "  <name>bad</name>\n"
                                    "  <devices>\n"
                                    "    <disk type='file' device='disk'>\n"
                                    "  </devices>\n"
                                    "</domain>\n");

  is_int (load_file (file, &g, &err), 0, "a domain XML file is loaded");
  is_str (g.name, "from-file", "file: the guest name");
  dir = unit_printf ("%s", file);
  *strrchr (dir, '/') = '\0';
  expect = unit_printf ("%s/guest.img", dir);
  ok (g.ndisks == 1 && strcmp (g.disks[0].path, expect) == 0,
      "file: a relative source is resolved against the file's directory");
  gs_int_guest_free (&g);
  free (err);
  free (expect);
  free (dir);

  /* <disk> opened on line 4 is not closed: libxml2 complains first on
   * line 5, then on 6 and 7 (the end).
   */
  expect = unit_printf ("%s:", bad);
  r = load_file (bad, &g, &err);
  check_error ("malformed file", r, err, expect, "not well-formed XML");
  ok (names_line (err, bad), "malformed file: the message names a line");
  free (expect);
  expect = unit_printf ("%s:5: ", bad);
  if (!ok (unit_contains (err, expect),
           "malformed file: the line is that of the first error (5)"))
    diag ("message: %s", err);
  gs_int_guest_free (&g);
  free (err);
  free (expect);

  /* An endless file is refused once past the limit, not read to the
   * end of memory.
   */
  r = load_file ("/dev/zero", &g, &err);
  check_error ("endless file", r, err, "/dev/zero: ",
               "domain XML larger than 16 MiB");
  gs_int_guest_free (&g);
  free (err);

  dir = unit_printf ("%s/no-such-domain.xml", unit_temp_dir ());
  expect = unit_printf ("%s: ", dir);
  r = load_file (dir, &g, &err);
  check_error ("missing file", r, err, expect, "cannot open domain XML");
  gs_int_guest_free (&g);
  free (err);
  free (expect);
  free (dir);
}

static void
test_invalid (void)
{
  struct gs_guest g;
  char *err;
  int r;

  r = parse ("<domain>\n  <name>x</nam>\n</domain>\n", "inline", NULL,
             &g, &err);
  check_error ("malformed string", r, err, "inline:2: ",
               "not well-formed XML");
  gs_int_guest_free (&g);
  free (err);

  /* Right after the error above: nothing of it may be repeated. */
  r = parse ("", "empty", NULL, &g, &err);
  check_error ("empty document", r, err, "empty:", "not well-formed XML");
  if (!ok (!unit_contains (err, "nam"),
           "empty document: the previous document's error is not repeated"))
    diag ("message: %s", err);
  gs_int_guest_free (&g);
  free (err);

  /* A sector size qemu cannot give: one line naming the disk. */
  r = parse ("<domain>\n  <devices>\n"
             "    <disk type='file' device='disk'>\n"
             "      <source file='/i.img'/>\n"
             "      <target dev='vda'/>\n"
             "      <blockio logical_block_size='1024'/>\n"
             "    </disk>\n  </devices>\n</domain>\n", "bs", NULL, &g, &err);
  check_error ("blockio 1024", r, err, "bs:3: disk vda: ",
               "expected 512 or 4096");
  gs_int_guest_free (&g);
  free (err);

  /* Network disks become the URIs qemu opens (libvirt's formatdomain:
   * <source protocol name><host name port transport socket/>).
   */
  r = parse ("<domain>\n"
             "  <devices>\n"
             "    <disk type='network' device='disk'>\n"
             "      <source protocol='nbd' name='exp 1'>\n"
             "        <host name='example.org' port='10809'/>\n"
             "      </source>\n"
             "      <target dev='vda'/>\n"
             "    </disk>\n"
             "    <disk type='network' device='disk'>\n"
             "      <source protocol='nbd'>\n"
             "        <host transport='unix' socket='/run/n.sock'/>\n"
             "      </source>\n"
             "      <target dev='vdb'/>\n"
             "    </disk>\n"
             "    <disk type='network' device='disk'>\n"
             "      <source protocol='https' name='/img/d.qcow2'>\n"
             "        <host name='h'/>\n"
             "      </source>\n"
             "      <driver type='qcow2'/>\n"
             "      <target dev='vdc'/>\n"
             "    </disk>\n"
             "  </devices>\n"
             "</domain>\n", "net", "/base", &g, &err);
  is_int (r, 0, "network disks: parsed");
  if (r == 0 && g.ndisks == 3) {
    is_str (g.disks[0].path, "nbd://example.org:10809/exp%201",
            "nbd over TCP: host, port, export (escaped)");
    is_str (g.disks[1].path, "nbd+unix:///?socket=/run/n.sock",
            "nbd over a Unix socket: ?socket=");
    is_str (g.disks[2].path, "https://h//img/d.qcow2",
            "https: the name as the path, not made relative to the XML");
    ok (g.disks[0].remote && g.disks[1].remote && g.disks[2].remote &&
        strcmp (g.disks[2].format, "qcow2") == 0,
        "all three are remote; the driver's format applies");
  }
  else
    for (int k = 0; k < 4; ++k)
      ok (false, "network disks (%s)", err ? err : "?");
  gs_int_guest_free (&g);
  free (err);

  r = parse ("<domain>\n"
             "  <devices>\n"
             "    <disk type='volume' device='disk'>\n"
             "      <source pool='default' volume='v'/>\n"
             "      <target dev='vdb'/>\n"
             "    </disk>\n"
             "  </devices>\n"
             "</domain>\n", "vol", NULL, &g, &err);
  check_error ("a pool volume", r, err, "vol:3: ",
               "disk vdb: a storage pool volume: give its path instead");
  gs_int_guest_free (&g);
  free (err);

  r = parse ("<domain>\n"
             "  <devices>\n"
             "    <disk type='file' device='disk'>\n"
             "      <target dev='vda'/>\n"
             "    </disk>\n"
             "  </devices>\n"
             "</domain>\n", "nosrc", NULL, &g, &err);
  check_error ("disk without source", r, err, "nosrc:3: ",
               "disk vda has no <source>");
  gs_int_guest_free (&g);
  free (err);

  r = parse ("<domain><name>nodisks</name><devices>\n"
             "  <interface type='network'/>\n"
             "</devices></domain>\n", "nodisks", NULL, &g, &err);
  check_error ("zero disks", r, err, "nodisks: ", "the domain has no disks");
  gs_int_guest_free (&g);
  free (err);

  r = parse ("<domain><devices>\n"
             "  <disk type='file' device='cdrom'>\n"
             "    <source file='/a.iso'/>\n"
             "  </disk>\n"
             "  <disk type='file' device='floppy'>\n"
             "    <source file='/f.img'/>\n"
             "  </disk>\n"
             "</devices></domain>\n", "cdonly", NULL, &g, &err);
  check_error ("only a cdrom and a floppy", r, err, "cdonly: ",
               "the domain has no disks");
  gs_int_guest_free (&g);
  free (err);

  r = parse ("<network><name>default</name></network>\n", "net.xml", NULL,
             &g, &err);
  check_error ("root element <network>", r, err, "net.xml: ",
               "root element is not <domain>");
  gs_int_guest_free (&g);
  free (err);

  /* Entities: libvirt never declares any, and expanding them is how a
   * few hundred bytes keep libxml2 busy or fill the memory.  The loop
   * is fuzz/fuzz-domxml's (fuzz/corpus/fuzz-domxml/timeout-entity-loop):
   * seconds of work before, refused at the first declaration now.
   */
  r = parse ("<?xml version='1.0'?>\n"
             "<!DOCTYPE domain [\n"
             "  <!ENTITY a \"&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
             "  <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
             "]>\n"
             "<domain><devices><disk type='file'>\n"
             "  <source file='/&a;'/><target dev='&a;'/>\n"
             "</disk></devices></domain>\n", "loop.xml", NULL, &g, &err);
  check_error ("an entity loop", r, err, "loop.xml:3: ",
               "entity declaration \"a\": domain XML declares no entities");
  gs_int_guest_free (&g);
  free (err);

  r = parse ("<!DOCTYPE domain [ <!ENTITY x SYSTEM \"/etc/passwd\"> ]>\n"
             "<domain><name>&x;</name><devices><disk type='file'>"
             "<source file='/d.img'/></disk></devices></domain>\n",
             "xxe.xml", NULL, &g, &err);
  check_error ("an external entity", r, err, "xxe.xml:1: ",
               "domain XML declares no entities");
  gs_int_guest_free (&g);
  free (err);
}

/* gs_int_probe_format: magic bytes, never a guess by qemu. */
static void
probe (const char *what, const void *data, size_t len, const char *expected)
{
  const char *file = unit_temp_file (".img", data, len);
  char *fmt = gs_int_probe_format (file);

  is_str (fmt, expected, "probe: %s is %s", what, expected);
  free (fmt);
}

static void
test_probe (void)
{
  static unsigned char buf[4096];
  char *fmt, *err, *missing;

  memcpy (buf, "QFI\xfb\0\0\0\3", 8);
  probe ("QFI\\xfb version 3", buf, sizeof buf, "qcow2");
  memcpy (buf, "QFI\xfb\0\0\0\2", 8);
  probe ("QFI\\xfb version 2", buf, sizeof buf, "qcow2");
  memcpy (buf, "QFI\xfb\0\0\0\1", 8);
  probe ("QFI\\xfb version 1", buf, sizeof buf, "qcow");
  probe ("a short file starting QFI\\xfb", "QFI\xfb", 4, "raw");
  memset (buf, 0, sizeof buf);
  probe ("4 KiB of zeros", buf, sizeof buf, "raw");
  probe ("an empty file", "", 0, "raw");
  memcpy (buf, "QED\0", 4);
  probe ("QED\\0", buf, sizeof buf, "qed");
  memset (buf, 0, sizeof buf);
  memcpy (buf, "KDMV", 4);
  probe ("KDMV", buf, sizeof buf, "vmdk");
  memset (buf, 0, sizeof buf);
  memcpy (buf, "conectix", 8);
  probe ("conectix", buf, sizeof buf, "vpc");
  memset (buf, 0, sizeof buf);
  memcpy (buf + 0x40, "\x7f\x10\xda\xbe", 4);
  probe ("the VDI signature at 0x40", buf, sizeof buf, "vdi");

  missing = unit_printf ("%s/no-such.img", unit_temp_dir ());
  unit_capture_begin ();
  fmt = gs_int_probe_format (missing);
  err = unit_capture_end ();
  ok (fmt == NULL && unit_one_line (err) && unit_contains (err, missing),
      "probe: a missing file is NULL and one line naming it");
  free (fmt);
  free (err);
  free (missing);
}

int
main (void)
{
  plan (82);
  test_valid ();
  test_files ();
  test_invalid ();
  test_probe ();
  return exit_status ();
}
