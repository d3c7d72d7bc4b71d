/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-inspect-own: the pure parts of goldsmith's own inspection for
 * the inspect family, against libguestfs 1.48's rules: the dpkg status
 * reader (plugins/inspect/dpkg.c), pacman's desc and apk's installed
 * readers (pacman.c, apk.c), the application order (applist.c),
 * osinfo (common/os-osinfo.c) and the icon rules (icon-rules.c).
 * No appliance.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "goldsmith-plugin.h"
#include "applist.h"
#include "pkgdb.h"
#include "icon-rules.h"
#include "os-osinfo.h"

/* TEXT (LEN bytes, NULs allowed) through the dpkg reader, sorted. */
static struct gs_app_list
dpkg (const char *text, size_t len)
{
  struct gs_app_list l = { 0 };
  FILE *fp = fmemopen ((void *) text, len, "r");

  if (fp == NULL || gs_dpkg_parse (fp, &l) == -1) {
    fprintf (stderr, "dpkg: cannot read\n");
    exit (EXIT_FAILURE);
  }
  fclose (fp);
  gs_app_list_sort (&l);
  return l;
}
#define DPKG(s) dpkg ((s), sizeof (s) - 1)

/* TEXT through PARSE (pacman's: one desc file each), sorted. */
static struct gs_app_list
parse_with (int (*parse) (FILE *, struct gs_app_list *),
            const char *const *texts, size_t n)
{
  struct gs_app_list l = { 0 };

  for (size_t i = 0; i < n; ++i) {
    FILE *fp = fmemopen ((void *) texts[i], strlen (texts[i]), "r");

    if (fp == NULL || parse (fp, &l) == -1) {
      fprintf (stderr, "cannot read\n");
      exit (EXIT_FAILURE);
    }
    fclose (fp);
  }
  gs_app_list_sort (&l);
  return l;
}

/* The applications' names, space-separated (static buffer). */
static const char *
names (const struct gs_app_list *l)
{
  static char buf[1024];

  buf[0] = '\0';
  for (size_t i = 0; i < l->n; ++i)
    snprintf (buf + strlen (buf), sizeof buf - strlen (buf), "%s%s",
              i ? " " : "", l->v[i].name);
  return buf;
}

static void
test_dpkg (void)
{
  struct gs_app_list l;

  l = DPKG ("Package: openssh-server\nStatus: install ok installed\n"
            "Version: 1:9.2p1-2\nArchitecture: amd64\n"
            "Homepage: https://www.openssh.com/\n"
            "Source: openssh (1:9.2p1-2)\n"
            "Description: secure shell (SSH) server\n"
            " This is the portable version.\n .\n It runs sshd.\n"
            "Installed-Size: 1000\n\n");
  is_int (l.n, 1, "dpkg: one installed package");
  is_str (l.v[0].name, "openssh-server", "dpkg: name");
  is_int (l.v[0].epoch, 1, "dpkg: epoch before the first ':'");
  is_str (l.v[0].version, "9.2p1", "dpkg: version");
  is_str (l.v[0].release, "2", "dpkg: release after the first '-'");
  is_str (l.v[0].arch, "amd64", "dpkg: arch");
  is_str (l.v[0].url, "https://www.openssh.com/", "dpkg: Homepage is the URL");
  is_str (l.v[0].source_package, "openssh",
          "dpkg: Source without its version");
  is_str (l.v[0].summary, "secure shell (SSH) server",
          "dpkg: Description's first line is the summary");
  is_str (l.v[0].description,
          "This is the portable version.\n.\nIt runs sshd.",
          "dpkg: continuation lines are the description, '.' kept");
  gs_app_list_free (&l);

  /* Statuses: "installed" anywhere counts, as libguestfs's strstr. */
  l = DPKG ("Package: a\nStatus: install ok installed\nVersion: 1\n\n"
            "Package: b\nStatus: deinstall ok config-files\nVersion: 1\n\n"
            "Package: c\nStatus: purge ok not-installed\nVersion: 1\n\n"
            "Package: d\nStatus: install ok half-installed\nVersion: 1\n\n"
            "Package: e\nVersion: 1\n\n"
            "Package: f\nStatus: install ok unpacked\nVersion: 1\n\n");
  is_str (names (&l), "a c d", "dpkg: which statuses count");
  gs_app_list_free (&l);

  /* Missing fields; the last stanza needs its blank line. */
  l = DPKG ("Status: install ok installed\nVersion: 1\n\n"
            "Package: noversion\nStatus: install ok installed\n\n"
            "Package: bare\nStatus: install ok installed\nVersion: 2.0\n\n"
            "Package: last\nStatus: install ok installed\nVersion: 1\n");
  is_str (names (&l), "bare", "dpkg: no name, no version, no blank line: "
          "left out");
  is_str (l.n ? l.v[0].release : "?", "", "dpkg: no '-': no release");
  is_str (l.n ? l.v[0].arch : "?", "", "dpkg: no Architecture: empty");
  gs_app_list_free (&l);

  /* Epochs: only a whole number; the package goes otherwise. */
  l = DPKG ("Package: e2\nStatus: install ok installed\nVersion: 2:1.0-1\n\n"
            "Package: ebad\nStatus: install ok installed\n"
            "Version: x:1.0-1\n\n"
            "Package: eneg\nStatus: install ok installed\n"
            "Version: -3:1.0\n\n"
            "Package: multi\nStatus: install ok installed\n"
            "Version: 1.2-3-4\n\n");
  is_str (names (&l), "e2 multi", "dpkg: a bad or negative epoch drops "
          "the package");
  is_str (l.n == 2 ? l.v[1].version : "?", "1.2", "dpkg: version before "
          "the first '-'");
  is_str (l.n == 2 ? l.v[1].release : "?", "3-4", "dpkg: release keeps "
          "later '-'");
  gs_app_list_free (&l);
  is_int (gs_pkg_epoch ("12"), 12, "epoch: 12");
  is_int (gs_pkg_epoch (""), -1, "epoch: empty is an error");
  is_int (gs_pkg_epoch ("3a"), -1, "epoch: trailing characters are an "
          "error");
  is_int (gs_pkg_epoch ("99999999999999999999"), -1, "epoch: overflow is "
          "an error");
  is_int (gs_pkg_epoch (" 4"), 4, "epoch: leading space allowed (strtol)");

  /* Hostile bytes stay as they are (the report escapes them); a NUL
   * ends its line.
   */
  {
    static const char hostile[] =
      "Package: zz-hostile<&>\xff\xfe\x01\nStatus: install ok installed\n"
      "Version: 1.0\x1b[31m\xc0\xaf-1\nArchitecture: amd64\n\n"
      "Package: nul\0ignored\nStatus: install ok installed\nVersion: 1\n\n";

    l = dpkg (hostile, sizeof hostile - 1);
    is_int (l.n, 2, "dpkg: hostile stanzas read");
    is_str (l.n == 2 ? l.v[1].name : "?", "zz-hostile<&>\xff\xfe\x01",
            "dpkg: hostile name kept byte for byte");
    is_str (l.n == 2 ? l.v[1].version : "?", "1.0\x1b[31m\xc0\xaf",
            "dpkg: hostile version kept byte for byte");
    is_str (l.n == 2 ? l.v[0].name : "?", "nul", "dpkg: a NUL ends the line");
    gs_app_list_free (&l);
  }

  /* A line longer than 1023 bytes goes on as a line of its own. */
  {
    char buf[3000];
    int n = snprintf (buf, sizeof buf, "Package: long\n"
                      "Status: install ok installed\nVersion: 1\n"
                      "Description: %1100s\nPackage: swapped\n\n", "x");

    l = dpkg (buf, (size_t) n);
    is_str (names (&l), "swapped", "dpkg: a later Package line wins");
    is_int (l.n ? (int) strlen (l.v[0].summary) : -1, 1023 - 13,
            "dpkg: the summary is the first 1023 bytes of its line, less "
            "the field name");
    gs_app_list_free (&l);
  }

  /* Equal names keep the file's order (multiarch). */
  l = DPKG ("Package: libc6\nStatus: install ok installed\nVersion: 2\n"
            "Architecture: i386\n\n"
            "Package: a\nStatus: install ok installed\nVersion: 1\n\n"
            "Package: libc6\nStatus: install ok installed\nVersion: 2\n"
            "Architecture: amd64\n\n");
  is_str (l.n == 3 ? l.v[1].arch : "?", "i386", "sort: equal names: first "
          "read first");
  is_str (l.n == 3 ? l.v[2].arch : "?", "amd64", "sort: ... and second "
          "second");
  ok (gs_app_differs (&l.v[1], &l.v[2]) != NULL &&
      strcmp (gs_app_differs (&l.v[1], &l.v[2]), "arch") == 0,
      "differs: names the field");
  ok (gs_app_differs (&l.v[0], &l.v[0]) == NULL, "differs: none");
  gs_app_list_free (&l);
}

static void
test_pacman (void)
{
  static const char *const descs[] = {
    /* A whole desc, as pacman writes it. */
    "%NAME%\nlinux\n\n%VERSION%\n6.6.1.arch1-1\n\n%BASE%\nlinux\n\n"
    "%DESC%\nThe Linux kernel and modules\nsecond line\n\n"
    "%URL%\nhttps://github.com/archlinux/linux\n\n%ARCH%\nx86_64\n\n"
    "%LICENSE%\nGPL2\n\n",
    /* An epoch, and a value that looks like a key. */
    "%NAME%\nzlib\n\n%VERSION%\n1:1.3-1\n\n%ARCH%\n%URL%\n\n",
    /* No ARCH; no release; a bad epoch; an empty line cancels a key. */
    "%NAME%\nnoarch\n\n%VERSION%\n1-1\n\n",
    "%NAME%\nnorel\n\n%VERSION%\n1.0\n\n%ARCH%\nany\n\n",
    "%NAME%\nbadepoch\n\n%VERSION%\nx:1-1\n\n%ARCH%\nany\n\n",
    "%NAME%\n\nlate\n%VERSION%\n1-1\n%ARCH%\nany\n",
    /* A later value for the same key wins. */
    "%NAME%\nfirst\n%NAME%\nsecond\n%VERSION%\n2-3\n%ARCH%\nany\n",
  };
  struct gs_app_list l = parse_with (gs_pacman_parse_desc, descs,
                                     sizeof descs / sizeof descs[0]);

  is_str (names (&l), "linux second zlib", "pacman: which descs count");
  if (l.n == 3) {
    is_str (l.v[0].version, "6.6.1.arch1", "pacman: version");
    is_str (l.v[0].release, "1", "pacman: release");
    is_str (l.v[0].description, "The Linux kernel and modules",
            "pacman: DESC's first line is the description");
    is_str (l.v[0].summary, "", "pacman: no summary");
    is_str (l.v[0].url, "https://github.com/archlinux/linux", "pacman: URL");
    is_str (l.v[0].arch, "x86_64", "pacman: ARCH");
    ok (l.v[2].epoch == 1 && strcmp (l.v[2].version, "1.3") == 0,
        "pacman: epoch before the first ':'");
    is_str (l.v[2].arch, "%URL%", "pacman: a value is taken as it is");
  }
  else
    for (int i = 0; i < 8; ++i)
      ok (false, "pacman: three packages");
  gs_app_list_free (&l);
}

static void
test_apk (void)
{
  static const char *const db[] = {
    "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nI:622592\n"
    "T:the musl c library (libc) implementation\nU:https://musl.libc.org/\n"
    "L:MIT\no:musl\n\n"
    "P:epoch\nV:2:1.0-r1\n\n"
    "P:norev\nV:3.0\n\n"
    "P:bad\nV:x:1.0-r1\n\n"
    "X\nP:oneletter\nV:1-r1\nPx\n\n"
    "V:1-r1\n\n"
    "P:last\nV:1-r1\n",
  };
  struct gs_app_list l = parse_with (gs_apk_parse, db, 1);

  is_str (names (&l), "epoch musl norev oneletter",
          "apk: which packages count (bad epoch, no P, no blank line: out)");
  if (l.n == 4) {
    is_str (l.v[1].version, "1.2.4", "apk: version");
    is_str (l.v[1].release, "2", "apk: release without its 'r'");
    is_str (l.v[1].description, "the musl c library (libc) implementation",
            "apk: T is the description");
    ok (strcmp (l.v[1].arch, "x86_64") == 0 &&
        strcmp (l.v[1].url, "https://musl.libc.org/") == 0,
        "apk: A and U");
    ok (l.v[0].epoch == 2 && strcmp (l.v[0].version, "1.0") == 0,
        "apk: epoch");
    ok (l.v[2].release[0] == '\0' && l.v[2].epoch == 0,
        "apk: no '-': no release; no ':': epoch 0");
  }
  else
    for (int i = 0; i < 6; ++i)
      ok (false, "apk: four packages");
  gs_app_list_free (&l);
}

static void
osinfo (const char *distro, int major, int minor, const char *want)
{
  char *got = gs_int_os_osinfo (distro, major, minor);

  if (want)
    is_str (got ? got : "(null)", want, "osinfo: %s %d.%d", distro, major,
            minor);
  else
    ok (got == NULL, "osinfo: %s %d.%d: unknown", distro ? distro : "-",
        major, minor);
  free (got);
}

static void
test_osinfo (void)
{
  osinfo ("debian", 12, 8, "debian12");
  osinfo ("debian", 3, 1, "debian3.1");
  osinfo ("fedora", 38, 0, "fedora38");
  osinfo ("mageia", 9, 0, "mageia9");
  osinfo ("ubuntu", 22, 4, "ubuntu22.04");
  osinfo ("rhel", 9, 2, "rhel9.2");
  osinfo ("centos", 7, 9, "centos7.0");
  osinfo ("centos", 6, 10, "centos6.10");
  osinfo ("centos", 8, 5, "centos8");
  osinfo ("centos", 5, 0, "centos5.0");
  osinfo ("rocky", 9, 1, "rocky9");
  osinfo ("sles", 15, 0, "sles15");
  osinfo ("sles", 15, 4, "sles15sp4");
  osinfo ("opensuse", 15, 4, "opensuse15.4");
  osinfo ("archlinux", 0, 0, "archlinux");
  osinfo ("voidlinux", 0, 0, "voidlinux");
  osinfo ("altlinux", 10, 1, "alt10.1");
  osinfo ("altlinux", 7, 0, "altlinux7.0");
  osinfo ("alpinelinux", 3, 18, "alpinelinux3.18");
  osinfo ("frugalware", 0, 0, NULL);
  osinfo (NULL, 1, 0, NULL);
}

static void
icon (const char *distro, int major, const char *first, size_t max)
{
  size_t m = 99;
  const char *const *p = gs_icon_paths (distro, major, &m);

  if (first)
    is_str (p && p[0] ? p[0] : "(none)", first, "icon: %s %d: %s", distro,
            major, first);
  else
    ok (p && p[0] == NULL, "icon: %s: none", distro);
  if (first)
    is_int ((int) m, (int) max, "icon: %s: limit %zu", distro, max);
}

static void
test_icon (void)
{
  size_t m;
  const char *const *p;
  int w, h;

  icon ("fedora", 38, "/usr/share/icons/hicolor/96x96/apps/"
        "fedora-logo-icon.png", 0);
  icon ("rhel", 6, "/usr/share/pixmaps/redhat/shadowman-transparent.png",
        102400);
  icon ("centos", 7, "/usr/share/icons/hicolor/96x96/apps/"
        "system-logo-icon.png", 102400);
  icon ("debian", 12, "/usr/share/pixmaps/debian-logo.png", 2048);
  icon ("ubuntu", 22, "/usr/share/icons/gnome/24x24/places/ubuntu-logo.png",
        2048);
  icon ("opensuse", 15, "/usr/share/icons/hicolor/48x48/apps/"
        "distributor.png", 10240);
  icon ("voidlinux", 0, "/usr/share/void-artwork/void-logo.png", 20480);
  icon ("archlinux", 0, NULL, 0);
  icon ("alpinelinux", 3, NULL, 0);
  p = gs_icon_paths ("ubuntu", 22, &m);
  is_str (p[1] ? p[1] : "(none)",
          "/usr/share/help/C/ubuntu-help/figures/ubuntu-logo.png",
          "icon: ubuntu's second file");
  ok (gs_icon_paths ("cirros", 0, &m) == NULL,
      "icon: CirrOS's rule is not followed");
  ok (gs_icon_png_ok ("PNG image data, 48 x 48, 8-bit/color RGBA, "
                      "non-interlaced", &w, &h) && w == 48 && h == 48,
      "png: 48x48 accepted");
  ok (!gs_icon_png_ok ("PNG image data, 15 x 48, 8-bit", &w, &h),
      "png: narrower than 16 refused");
  ok (!gs_icon_png_ok ("PNG image data, 1025 x 48, 8-bit", &w, &h),
      "png: wider than 1024 refused");
  ok (!gs_icon_png_ok ("JPEG image data, JFIF standard 1.01", &w, &h),
      "png: not a PNG refused");
}

int
main (void)
{
  plan (91);
  test_dpkg ();
  test_pacman ();
  test_apk ();
  test_osinfo ();
  test_icon ();
  return exit_status ();
}
