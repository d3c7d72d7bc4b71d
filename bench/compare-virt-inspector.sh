#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/compare-virt-inspector.sh [IMAGE...]: what virt-inspector and
# goldsmith inspect each report on the same images, field by field,
# and how long each took.  Without arguments, the phony guests of the
# test suite (tests/phony, built if missing), Windows included.  Not a
# test (it needs guestfs-tools' virt-inspector); run from a built tree:
#   ./run bash bench/compare-virt-inspector.sh [IMAGE...]
# Every image is opened read-only by both tools.  Raw images only
# (--format raw: neither tool probes).
set -eu
source "$(dirname "$0")/../tests/functions.sh"
trap - EXIT
tmp="$builddir/bench/tmp/compare-inspect"
rm -rf "$tmp"; mkdir -p "$tmp"
command -v virt-inspector >/dev/null ||
  { echo "virt-inspector not installed (apt-get install guestfs-tools)"; exit 2; }

images=("$@")
if [ ${#images[@]} -eq 0 ]; then
  [ -f "$phony_guests/fedora.img" ] ||
    bash "$srcdir/tests/make-phony-guests.sh" "$phony_guests" >/dev/null
  images=("$phony_guests/fedora.img" "$phony_guests/debian.img")
  # Only where hivexregedit could build it.
  [ ! -f "$phony_guests/windows.img" ] || images+=("$phony_guests/windows.img")
fi

# One line per field: PATH-IN-THE-DOCUMENT VALUE, so a diff names the
# field.  Lists are keyed by what identifies an item (the device, the
# application's name), not by position.
fields () {
  python3 - "$1" <<'PY'
import re, sys, xml.etree.ElementTree as ET
data = open(sys.argv[1], "rb").read()
if not data.strip():
    print("(no output)")
    sys.exit(0)
try:
    root = ET.fromstring(data)
except ET.ParseError as e:
    # virt-inspector writes guest bytes as they are: compare what it
    # meant, with what XML cannot hold replaced as goldsmith does.
    print("   %s: not well-formed XML (%s): compared with bad bytes and "
          "control characters as U+FFFD" % (sys.argv[1].rsplit("/", 1)[-1], e),
          file=sys.stderr)
    text = data.decode("utf-8", "replace")
    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]",
                  "\ufffd", text)
    try:
        root = ET.fromstring(text.encode())
    except ET.ParseError as e:
        print("(still not XML: %s)" % e)
        sys.exit(0)
for i, o in enumerate(root.findall("operatingsystem"), 1):
    p = "os[%d]" % i
    for e in o:
        if e.tag == "mountpoints":
            for m in e:
                print("%s/mountpoint[%s] %s" % (p, m.text, m.get("dev")))
        elif e.tag == "filesystems":
            for f in e:
                for x in f:
                    print("%s/filesystem[%s]/%s %s" % (p, f.get("dev"), x.tag, x.text))
        elif e.tag == "drive_mappings":
            for d in e:
                print("%s/drive_mapping[%s] %s" % (p, d.get("name"), d.text))
        elif e.tag == "applications":
            print("%s/applications count %d" % (p, len(e)))
            for a in e:
                for x in a:
                    if x.tag != "name":
                        print("%s/application[%s]/%s %s" % (p, a.findtext("name"), x.tag, x.text))
        elif e.tag == "icon":
            # The PNG itself: virt-inspector wraps its base64 lines.
            import base64, hashlib
            png = base64.b64decode("".join((e.text or "").split()))
            print("%s/icon %d bytes sha256 %s" % (p, len(png),
                  hashlib.sha256(png).hexdigest()[:16]))
        else:
            print("%s/%s %s" % (p, e.tag, e.text if e.text is not None else "(empty)"))
PY
}

now () { date +%s.%N; }
status=0
for img in "${images[@]}"; do
  n=$(basename "$img" .img)
  t0=$(now)
  # virt-inspector cannot fall back from broken KVM by itself.
  # It fails as a whole when it cannot list the applications (an rpm
  # database it cannot read): then both tools go again without them.
  noapps=
  virt () {
    LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg} \
      virt-inspector --format=raw $noapps -a "$img" > "$tmp/$n-virt.xml" \
      2> "$tmp/$n-virt.log"
  }
  if ! virt; then
    echo "virt-inspector failed on $n ($(tail -1 "$tmp/$n-virt.log")):" \
         "again with --no-applications"
    noapps=--no-applications
    t0=$(now)
    virt || echo "virt-inspector failed on $n: see $tmp/$n-virt.log"
  fi
  t1=$(now)
  env -u LIBGUESTFS_BACKEND_SETTINGS goldsmith inspect -q --format raw \
    $noapps -a "$img" > "$tmp/$n-gold.xml" 2> "$tmp/$n-gold.log" ||
    echo "goldsmith inspect failed on $n: see $tmp/$n-gold.log"
  t2=$(now)
  fields "$tmp/$n-virt.xml" > "$tmp/$n-virt.fields"
  fields "$tmp/$n-gold.xml" > "$tmp/$n-gold.fields"
  printf '== %s%s: virt-inspector %.1f s, goldsmith inspect %.1f s\n' "$n" \
    "${noapps:+ ($noapps)}" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
  echo "   '<' only virt-inspector's, '>' only goldsmith's"
  if diff "$tmp/$n-virt.fields" "$tmp/$n-gold.fields"; then
    echo "   (the same $(wc -l < "$tmp/$n-gold.fields") fields)"
  else
    status=1
  fi
done
exit $status
