#!/bin/bash -
# goldsmith inspect on both phony guests in ONE appliance launch: the
# XML validates against docs/goldsmith-inspect.rng and matches, guest by
# guest, virt-inspector's output (tests/inspect/*.xml, made with
# virt-inspector 1.48 on each image alone; fedora.xml adds the empty
# <applications/> that virt-inspector cannot write, as it fails on the
# phony guest's missing rpm database).  Then --json --no-applications
# --no-icon with the guests the other way round: the same data, one
# launch, in command-line order, without applications.  The images stay
# byte-identical.  Two launches.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 18

tmp="$builddir/tests/tmp/inspect"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
golden="$srcdir/tests/inspect"
copy_guest fedora "$tmp/fedora.img"
copy_guest debian "$tmp/debian.img"
sums () { (cd "$tmp" && sha256sum fedora.img debian.img); }
before=$(sums)

# ---- 1. XML, fedora then debian ----------------------------------------
env -u LIBGUESTFS_BACKEND_SETTINGS \
  goldsmith inspect -a "$tmp/fedora.img" -a "$tmp/debian.img" \
  > "$tmp/both.xml" 2> "$tmp/both.stderr"
is "XML run: exit status 0" "$?" 0
sed 's/^/# stderr: /' "$tmp/both.stderr"
is "XML run: one appliance launch for both guests" \
   "$(grep -c 'Launching the appliance' "$tmp/both.stderr")" 1
is "XML run: no errors" "$(grep -c 'error:' "$tmp/both.stderr")" 0
ok "XML is well-formed" xmllint --noout "$tmp/both.xml"
ok "XML validates against the RELAX NG schema" \
   xmllint --noout --relaxng "$srcdir/docs/goldsmith-inspect.rng" \
   "$tmp/both.xml"
x () { goldsmith inspect --xpath "$1" < "$tmp/both.xml"; }
is "guests in command-line order" \
   "$(x '/guests/guest/@name' | tr ' ' '\n' | sed -n 's|.*/||p' | tr -d '"' | xargs)" \
   "fedora.img debian.img"
# Guest N's operating systems as a document of its own; the second
# guest's disk is /dev/sdb in the shared appliance, /dev/sda alone.
guest_doc () {
  echo '<?xml version="1.0"?>'
  x "/guests/guest[$1]/operatingsystems"
}
guest_doc 1 > "$tmp/fedora.xml"
guest_doc 2 | sed 's|/dev/sdb|/dev/sda|g' > "$tmp/debian.xml"
ok "fedora: as virt-inspector" diff -u "$golden/fedora.xml" "$tmp/fedora.xml"
ok "debian: as virt-inspector" diff -u "$golden/debian.xml" "$tmp/debian.xml"
diff -u "$golden/fedora.xml" "$tmp/fedora.xml" | sed 's/^/# /'
diff -u "$golden/debian.xml" "$tmp/debian.xml" | sed 's/^/# /'
is "--xpath on the output: the Debian root" \
   "$(x 'string(/guests/guest[2]//operatingsystem/root)')" "/dev/sdb1"
is "--xpath on the output: the Fedora root is the LV" \
   "$(x 'string(/guests/guest[1]//operatingsystem/root)')" "/dev/VG/Root"

# ---- 2. JSON, debian then fedora, without applications and icon -------
env -u LIBGUESTFS_BACKEND_SETTINGS \
  goldsmith inspect --json --no-applications --no-icon \
  -a "$tmp/debian.img" -a "$tmp/fedora.img" \
  > "$tmp/both.json" 2> "$tmp/json.stderr"
is "JSON run: exit status 0" "$?" 0
sed 's/^/# stderr: /' "$tmp/json.stderr"
check_json () {
  python3 - "$tmp/both.json" "$golden" "$1" <<'PY'
import json, sys, xml.etree.ElementTree as ET
d = json.load(open(sys.argv[1]))
what = sys.argv[3]
g = d["guests"]
def same(name, dev_from, dev_to):
    """The guest's JSON record equals the golden XML (devices renamed)."""
    os_ = [o for x in g if x["name"].endswith(name + ".img")
           for o in x["operatingsystems"]]
    want = ET.parse("%s/%s.xml" % (sys.argv[2], name)).getroot()
    assert len(os_) == len(want) == 1, (len(os_), len(want))
    o, w = os_[0], want[0]
    ren = lambda s: s.replace(dev_from, dev_to)
    for e in w:
        if e.tag == "mountpoints":
            assert [(ren(m["dev"]), m["path"]) for m in o["mountpoints"]] == \
                   [(m.get("dev"), m.text) for m in e], e.tag
        elif e.tag == "filesystems":
            assert [(ren(f["dev"]), f.get("type"), f.get("label"), f.get("uuid"))
                    for f in o["filesystems"]] == \
                   [(f.get("dev"), f.findtext("type"), f.findtext("label"),
                     f.findtext("uuid")) for f in e], e.tag
        elif e.tag == "applications":
            assert "applications" not in o, "--no-applications"
        else:
            assert ren(o.get(e.tag, "")) == e.text, (e.tag, o.get(e.tag), e.text)
    assert "icon" not in o
    return True
if what == "launches":
    assert d["appliance"]["launches"] == 1, d["appliance"]
elif what == "order":
    assert [x["name"].rsplit("/", 1)[-1] for x in g] == \
           ["debian.img", "fedora.img"], [x["name"] for x in g]
elif what == "debian":
    same("debian", "/dev/sda", "/dev/sda")
elif what == "fedora":
    same("fedora", "/dev/sdb", "/dev/sda")
elif what == "ops":
    for x in g:
        for r in x["roots"]:
            st = {o["name"]: o["status"] for o in r["operations"]}
            assert "applications" not in st and "icon" not in st, st
            assert st["os"] == "applied", st
PY
}
json_ok () {                     # json_ok DESCRIPTION WHAT
  local out
  out=$(check_json "$2" 2>&1)
  is "$1" "$?" 0
  [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
}
json_ok "JSON: one appliance launch" launches
json_ok "JSON: guests in command-line order" order
json_ok "JSON: debian (now /dev/sda) as virt-inspector, no applications" \
   debian
json_ok "JSON: fedora (now /dev/sdb) as virt-inspector, no applications" \
   fedora
json_ok "JSON: applications and icon did not run" ops
ok "JSON: parses with python3 as strict JSON" \
   python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))' "$tmp/both.json"

# ---- read-only ------------------------------------------------------------
is "the images are byte-identical" "$(sums)" "$before"
