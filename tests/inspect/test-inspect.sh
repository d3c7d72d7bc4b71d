#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith inspect end to end, in four appliance launches (and three
# runs answered from the inspect cache with none).
# Sections 1 and 2 give each -a as a guest (--each-image); section 3
# gives two -a as the disks of one guest, as virt-inspector takes them.
# 1. XML, the three phony guests (fedora, debian, windows) in ONE
#    launch, with --cache: the XML validates against docs/goldsmith-inspect.rng and
#    matches, guest by guest, tests/inspect/*.xml: virt-inspector
#    1.48's output on each image alone, but for the hostile strings the
#    fixtures plant (bytes that are not UTF-8, control characters and
#    U+FFFF, which goldsmith writes as U+FFFD; see the fixtures'
#    comments); windows' icon is in lines of 72 with CR LF between, as
#    virt-inspector writes it (LF in the golden file, which XML parsing
#    makes of CR LF anyway).
#    The cache (goldsmith-inspect(1)), no launch: the same guests again
#    with a stand-in qemu that records any start and fails: the same
#    XML from the cache; a touched image is launched again (and the
#    others still answered from the cache); --no-cache launches.
# 2. JSON without the icon, debian, fedora and windows, --jobs 2:
#    strict, valid JSON with the same data, command-line order, two
#    launches at once (debian; fedora and windows).  Debian's launch is
#    goldsmith's own inspection (no rpm database, no NTFS), the other
#    libguestfs's; GOLDSMITH_INSPECT_COMPARE=1 runs libguestfs's too in
#    each and compares: facts, mountpoints, filesystems and osinfo of
#    every root goldsmith found (os-compare.c), and debian's applications
#    as libguestfs lists them (plugins/inspect/apps.c): no difference.
# 3. XML with the 'os' operation off, debian plus fedora plus a copy of
#    fedora (a clone: same VG name, PV and filesystem UUIDs, but its own
#    MBR disk signature), as --domxml guests, plus a blank disk (no OS)
#    and a guest of two disks given as two -a (its /home on the second,
#    made on the host with mkfs.ext4 -d): still valid against the schema;
#    ONE launch: debian is inspected with the others, then each clone
#    alone in the same launch (only its own LVM volumes visible), and all
#    are reported as their images hold; the two disks are ONE
#    <operatingsystem>; the blank disk gets virt-inspector's "no
#    operating system" error (exit status 1).
# The images stay byte-identical.
# The Windows guest (tests/make-phony-windows.sh) exists only where
# hivexregedit does: without it, its checks skip (but not under CI).
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 51

tmp="$builddir/tests/tmp/inspect"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
golden="$srcdir/tests/inspect"
copy_guest fedora "$tmp/fedora.img"
copy_guest debian "$tmp/debian.img"
copy_guest fedora "$tmp/fedora-copy.img"
win=() nwin=0 windows_img=
if [ -f "$phony_guests/windows.img" ]; then
  copy_guest windows "$tmp/windows.img"
  win=(-a "$tmp/windows.img") nwin=1 windows_img=windows.img
elif [ "$CI" = true ]; then
  bail "no phony Windows guest (is hivexregedit installed?)"
fi
# has_windows N: false, after N skipped checks, without the Windows guest.
has_windows () {
  [ $nwin = 1 ] && return 0
  for _ in $(seq "$1"); do skip_one "Windows check" "no phony Windows guest (hivexregedit)"; done
  return 1
}
# A clone with its own MBR disk signature: only its LVM and filesystem
# IDs give it away, which takes a launch to see.
printf '\x67\x73\x63\x6c' |
  dd of="$tmp/fedora-copy.img" bs=1 seek=440 conv=notrunc status=none
sums () {
  (cd "$tmp" && sha256sum fedora.img debian.img fedora-copy.img $windows_img)
}
before=$(sums)

# ---- 1. XML, fedora, debian, windows ------------------------------------
# An image changed in the second before a run is not cached: wait for
# the clock to pass the copies' last change (an event, not a guess).
newest=$(stat -c %Z "$tmp"/*.img | sort -n | tail -1)
while [ $(( $(date +%s) - newest )) -lt 3 ]; do sleep 0.2; done
export XDG_CACHE_HOME="$tmp/cache"
memcheck env -u LIBGUESTFS_BACKEND_SETTINGS \
  goldsmith inspect --jobs 1 --cache --each-image -a "$tmp/fedora.img" -a "$tmp/debian.img" \
  "${win[@]}" > "$tmp/both.xml" 2> "$tmp/both.stderr"
is "XML run: exit status 0" "$?" 0
memcheck_ok "goldsmith inspect of two guests"
sed 's/^/# stderr: /' "$tmp/both.stderr"
is "XML run: one appliance launch for all the guests" \
   "$(grep -c 'Launching the appliance' "$tmp/both.stderr")" 1
is "XML run: no errors" "$(grep -c 'error:' "$tmp/both.stderr")" 0
ok "XML is well-formed" xmllint --noout "$tmp/both.xml"
ok "XML validates against the RELAX NG schema" \
   xmllint --noout --relaxng "$srcdir/docs/goldsmith-inspect.rng" \
   "$tmp/both.xml"
x () { goldsmith inspect --xpath "$1" < "$tmp/both.xml"; }
is "guests in command-line order" \
   "$(x '/guests/guest/@name' | tr ' ' '\n' | sed -n 's|.*/||p' | tr -d '"' | xargs)" \
   "$(echo fedora.img debian.img $windows_img)"
# Guest N's operating systems as a document of its own; the second
# guest's disk is /dev/sdb in the shared appliance, /dev/sda alone.
guest_doc () {
  echo '<?xml version="1.0"?>'
  x "/guests/guest[$1]/operatingsystems"
}
# --xpath writes characters beyond ASCII as references (&#xFFFD;):
# both sides in UTF-8 for the comparison, the icon on one line.
utf8 () {
  xmllint --encode UTF-8 --format - |
    sed -e ':a' -e '/<icon>[^<]*$/{N;s/\n//;ba' -e '}'
}
guest_doc 1 | utf8 > "$tmp/fedora.xml"
guest_doc 2 | sed 's|/dev/sdb|/dev/sda|g' | utf8 > "$tmp/debian.xml"
guests="fedora debian"
if has_windows 1; then
  guest_doc 3 | sed 's|/dev/sdc|/dev/sda|g' | utf8 > "$tmp/windows.xml"
  guests+=" windows"
fi
for g in $guests; do
  utf8 < "$golden/$g.xml" > "$tmp/$g.golden.xml"
  ok "$g: as virt-inspector" diff -u "$tmp/$g.golden.xml" "$tmp/$g.xml"
  diff -u "$tmp/$g.golden.xml" "$tmp/$g.xml" | sed 's/^/# /'
done
# The icon as virt-inspector wraps it: lines of 72, CR LF between.
if has_windows 1; then
  is "windows: the icon in lines of 72 with CR LF between" \
     "$(python3 -c '
import re, sys
icon = re.search(rb"<icon>([^<]*)</icon>", open(sys.argv[1], "rb").read()).group(1)
lines = icon.split(b"\r\n")
print(len(lines) > 1, all(len(l) == 72 for l in lines[:-1]),
      0 < len(lines[-1]) <= 72, b"\n" not in b"".join(lines))' "$tmp/both.xml")" \
     "True True True True"
fi
# The RPM database made on the host (tests/make-rpmdb.sh) from
# tests/fixtures/gs-hello.spec, read by libguestfs in the appliance.
is "fedora: the RPM database's package: name, epoch, version, release, arch, URL, summary" \
   "$(for f in name epoch version release arch url summary; do
        x "string(/guests/guest[1]//application/$f)"; done)" \
   "gs-hello
2
1.2
3.fc38
x86_64
https://example.com/gs-hello
A tiny package for goldsmith's inspection tests"
is "--xpath on the output: the Debian root" \
   "$(x 'string(/guests/guest[2]//operatingsystem/root)')" "/dev/sdb1"
is "--xpath on the output: the Fedora root is the LV" \
   "$(x 'string(/guests/guest[1]//operatingsystem/root)')" "/dev/VG/Root"
# The hostile strings (tests/fixtures/*.txt): markup kept as text, bytes
# that are not UTF-8 and control characters as U+FFFD.
r=$'\xef\xbf\xbd'
is "hostile hostname (/etc/hostname)" \
   "$(x 'string(/guests/guest[1]//hostname)')" "phony-fedora$r$r<&>$r.example.com"
is "hostile product name (os-release PRETTY_NAME)" \
   "$(x 'string(/guests/guest[1]//product_name)')" \
   "Fedora Linux 38 <Server & Edition> ]]>$r[1m$r$r$r$r"
is "hostile package name (dpkg status)" \
   "$(x 'string(/guests/guest[2]//application[name!="openssh-server"]/name)')" \
   "zz-hostile<&>$r$r$r"
# tests/fixtures/windows-software.reg: a key name with markup, and a
# REG_SZ with markup, control characters, U+FFFF and a surrogate pair.
if has_windows 2; then
  is "hostile Windows application name (its Uninstall key)" \
     "$(x 'string(/guests/guest[3]//application[starts-with(name,"Zz")]/name)')" \
     "Zz<Hostile&App>"
  is "hostile Windows display name (UTF-16 in the hive)" \
     "$(x 'string(/guests/guest[3]//application[starts-with(name,"Zz")]/display_name)')" \
     "Zz <Hostile> & \"App\" ]]>$r[1m$r$r café 😀"
fi

# ---- 1b. The inspect cache: no launch for unchanged images --------------
cat > "$tmp/fake-qemu" <<SH
#!/bin/sh
echo "\$*" >> "$tmp/LAUNCHED"
exit 1
SH
chmod +x "$tmp/fake-qemu"
is "cache: one entry per guest, private" \
   "$(find "$tmp/cache/goldsmith/inspect" -name '*.json' | wc -l) $(stat -c %a "$tmp/cache/goldsmith/inspect")" \
   "$((2 + nwin)) 700"
cached () {                      # cached OUT OPTION...: a run, no appliance
  LIBGUESTFS_HV="$tmp/fake-qemu" goldsmith inspect --jobs 1 --each-image "${@:2}" \
    -a "$tmp/fedora.img" -a "$tmp/debian.img" "${win[@]}" > "$tmp/$1" \
    2> "$tmp/$1.stderr"
}
cached cached.xml --set cache.inspect=true
is "cache (cache.inspect = true): exit 0, nothing launched" \
   "$? $([ -e "$tmp/LAUNCHED" ] && echo launched)" "0 "
ok "cache: the same XML, byte for byte" cmp "$tmp/both.xml" "$tmp/cached.xml"
touch "$tmp/debian.img"
cached touched.json --cache --json
is "cache: a touched image is launched again (and fails, here)" \
   "$? $([ -e "$tmp/LAUNCHED" ] && echo launched)" "1 launched"
is "cache: ... the others are still answered from it" \
   "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join("%s:%s:%d" % (g["name"].rsplit("/",1)[1], "error" in g, len(g["operatingsystems"])) for g in d["guests"]))' "$tmp/touched.json")" \
   "fedora.img:False:1 debian.img:True:0${win[*]:+ windows.img:False:1}"
rm -f "$tmp/LAUNCHED"
cached nocache.xml --set cache.inspect=true --no-cache
is "cache: --no-cache launches" \
   "$? $([ -e "$tmp/LAUNCHED" ] && echo launched)" "1 launched"
unset XDG_CACHE_HOME

# ---- 2. JSON, debian, fedora, windows, without the icon ------------------
# --jobs 2 halves the one launch the three would share: debian alone,
# fedora and windows together.
env -u LIBGUESTFS_BACKEND_SETTINGS GOLDSMITH_INSPECT_COMPARE=1 \
  goldsmith inspect --json --no-icon --jobs 2 --each-image \
  -a "$tmp/debian.img" -a "$tmp/fedora.img" "${win[@]}" \
  > "$tmp/both.json" 2> "$tmp/json.stderr"
is "JSON run: exit status 0" "$?" 0
sed 's/^/# stderr: /' "$tmp/json.stderr"
check_json () {
  python3 - "$tmp/both.json" "$golden" "$1" $nwin <<'PY'
import json, re, sys, xml.etree.ElementTree as ET
d = json.load(open(sys.argv[1]))
what = sys.argv[3]
g = d["guests"]
def same(name, dev_from, dev_to):
    """The guest's JSON record equals the golden XML (devices renamed:
    DEV_FROM is a regular expression)."""
    os_ = [o for x in g if x["name"].endswith(name + ".img")
           for o in x["operatingsystems"]]
    want = ET.parse("%s/%s.xml" % (sys.argv[2], name)).getroot()
    assert len(os_) == len(want) == 1, (len(os_), len(want))
    o, w = os_[0], want[0]
    ren = lambda s: re.sub(dev_from, dev_to, s)
    for e in w:
        if e.tag == "mountpoints":
            assert [(ren(m["dev"]), m["path"]) for m in o["mountpoints"]] == \
                   [(m.get("dev"), m.text) for m in e], e.tag
        elif e.tag == "filesystems":
            assert [(ren(f["dev"]), f.get("type"), f.get("label"), f.get("uuid"))
                    for f in o["filesystems"]] == \
                   [(f.get("dev"), f.findtext("type"), f.findtext("label"),
                     f.findtext("uuid")) for f in e], e.tag
        elif e.tag == "drive_mappings":
            assert [(m["name"], ren(m["device"]))
                    for m in o["drive_mappings"]] == \
                   [(m.get("name"), m.text) for m in e], e.tag
        elif e.tag == "applications":
            # Every field of every application (epoch 0 is left out of
            # both).
            assert o["applications"] == \
                   [{f.tag: f.text for f in a} for a in e], e.tag
        elif e.tag == "icon":
            continue                   # --no-icon
        else:
            assert ren(o.get(e.tag, "")) == e.text, (e.tag, o.get(e.tag), e.text)
    assert "icon" not in o
    return True
if what == "launches":
    assert d["appliance"]["launches"] == 2, d["appliance"]
elif what == "order":
    assert [x["name"].rsplit("/", 1)[-1] for x in g] == \
           ["debian.img", "fedora.img"] + ["windows.img"] * int(sys.argv[4]), \
           [x["name"] for x in g]
elif what == "debian":
    same("debian", "/dev/sda", "/dev/sda")
elif what == "fedora":
    same("fedora", "/dev/sdb", "/dev/sda")
elif what == "windows":
    same("windows", "/dev/sd[a-z]", "/dev/sda")
elif what == "ops":
    for x in g:
        for r in x["roots"]:
            st = {o["name"]: o["status"] for o in r["operations"]}
            assert "icon" not in st, st
            assert st["os"] == st["applications"] == "applied", st
PY
}
json_ok () {                     # json_ok DESCRIPTION WHAT
  local out
  out=$(check_json "$2" 2>&1)
  is "$1" "$?" 0
  [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
}
json_ok "JSON, --jobs 2: two launches at once" launches
# What the comparison said (one summary per launch, on stderr).
compared () { grep -c "inspection compared: $1" "$tmp/json.stderr"; }
is "compare: both launches compared, each root goldsmith found as libguestfs" \
   "$(compared '1 goldsmith root, 0 differences')" 2
is "compare: debian's launch used goldsmith's inspection (not unsure)" \
   "$(compared '1 goldsmith root, 0 differences$')" 1
is "compare: debian's applications as libguestfs lists them" \
   "$(compared '/dev/sda1: 2 applications, 0 differences$')" 1
is "compare: no difference said" \
   "$(grep -c 'inspection differs' "$tmp/json.stderr")" 0
json_ok "JSON: guests in command-line order" order
json_ok "JSON: debian (now /dev/sda) as virt-inspector" debian
json_ok "JSON: fedora (now /dev/sdb) as virt-inspector" fedora
if has_windows 1; then
  json_ok "JSON: windows as virt-inspector, hostile strings as in the XML" \
          windows
fi
json_ok "JSON: applications ran, icon did not" ops
ok "JSON: parses with python3 as strict JSON" \
   python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))' "$tmp/both.json"
ok "JSON: python3 -m json.tool accepts it" \
   python3 -m json.tool "$tmp/both.json"
is "JSON: the hostile hostname, as in the XML" \
   "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([o["hostname"] for g in d["guests"] for o in g["operatingsystems"] if "hostname" in o and "fedora" in o["hostname"]][0])' "$tmp/both.json")" \
   "$(x 'string(/guests/guest[1]//hostname)')"

# ---- 3. XML without 'os': debian, fedora, its clone, no OS, two disks ---
# Each one-disk guest as a domain XML file named after its image (so the
# messages name it as before); the blank disk likewise.
domxml () {                      # domxml NAME: $tmp/NAME.xml for NAME.img
  printf '<domain><name>%s</name><devices><disk type="file" device="disk">%s%s</disk></devices></domain>\n' \
    "$tmp/$1.img" '<driver name="qemu" type="raw"/>' \
    "<source file=\"$tmp/$1.img\"/><target dev=\"sda\"/>" > "$tmp/$1.xml"
}
truncate -s 8M "$tmp/blank.img"
printf '\x67\x73\x62\x6c' |
  dd of="$tmp/blank.img" bs=1 seek=440 conv=notrunc status=none
for g in debian fedora fedora-copy blank; do domxml $g; done
# The two-disk guest: / on the first (its fstab mounts /home by label),
# /home on the second; bare ext4 filesystems made on the host.
mkdir -p "$tmp/two-root/etc" "$tmp/two-root/usr/bin" "$tmp/two-root/home" \
  "$tmp/two-root/var/lib/dpkg" "$tmp/two-home/alice"
printf 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' \
  > "$tmp/two-root/etc/os-release"
echo 12.8 > "$tmp/two-root/etc/debian_version"
echo two-disks > "$tmp/two-root/etc/hostname"
printf 'LABEL=tworoot / ext4 defaults 0 1\nLABEL=twohome /home ext4 defaults 0 2\n' \
  > "$tmp/two-root/etc/fstab"
printf 'Package: bash\nStatus: install ok installed\nVersion: 5.2\n\n' \
  > "$tmp/two-root/var/lib/dpkg/status"
ln -s usr/bin "$tmp/two-root/bin"
echo "alice's" > "$tmp/two-home/alice/.profile"
mkfs.ext4 -q -F -L tworoot -d "$tmp/two-root" "$tmp/two-root.img" 16M
mkfs.ext4 -q -F -L twohome -d "$tmp/two-home" "$tmp/two-home.img" 16M
# Distinct bytes where an MBR's disk signature would be (ext4 leaves
# its first KiB alone): no two of these disks look alike.
printf '\x67\x73\x72\x31' |
  dd of="$tmp/two-root.img" bs=1 seek=440 conv=notrunc status=none
printf '\x67\x73\x68\x32' |
  dd of="$tmp/two-home.img" bs=1 seek=440 conv=notrunc status=none
env -u LIBGUESTFS_BACKEND_SETTINGS \
  goldsmith inspect --jobs 1 --operations defaults,-os,-icon \
  --domxml "$tmp/debian.xml" \
  --domxml "$tmp/fedora.xml" --domxml "$tmp/fedora-copy.xml" \
  --domxml "$tmp/blank.xml" -a "$tmp/two-root.img" -a "$tmp/two-home.img" \
  > "$tmp/clones.xml" 2> "$tmp/clones.stderr"
is "clones: exit status 1 (the blank disk has no OS)" "$?" 1
sed 's/^/# stderr: /' "$tmp/clones.stderr"
is "no OS: virt-inspector's words, naming the disk, and the reasons" \
   "$(grep -c "^goldsmith: error: $tmp/blank.img: no operating system could be detected inside this disk image\.$" "$tmp/clones.stderr") $(grep -c 'may be encrypted (see --key)' "$tmp/clones.stderr")" \
   "1 1"
is "no OS: the blank disk's <operatingsystems> is empty, the others are reported" \
   "$(goldsmith inspect --xpath 'count(/guests/guest[4]/operatingsystems/*)' < "$tmp/clones.xml") $(goldsmith inspect --xpath 'count(/guests/guest)' < "$tmp/clones.xml")" \
   "0 5"
# Several -a are one guest: one <operatingsystem>, / on its first disk
# (the appliance's fifth) and /home on its second, both filesystems.
is "two -a, one guest: named after its first disk, ONE operatingsystem" \
   "$(goldsmith inspect --xpath 'string(/guests/guest[5]/@name)' < "$tmp/clones.xml") $(goldsmith inspect --xpath 'count(/guests/guest[5]/operatingsystems/operatingsystem)' < "$tmp/clones.xml")" \
   "$tmp/two-root.img 1"
is "two -a, one guest: root, mountpoints and filesystems from both disks" \
   "$(python3 -c '
import sys, xml.etree.ElementTree as ET
o = ET.parse(sys.argv[1]).getroot()[4].find("operatingsystems/operatingsystem")
print(o.findtext("root"), o.findtext("name"))
print([(m.get("dev"), m.text) for m in o.find("mountpoints")])
print([(f.get("dev"), f.findtext("label")) for f in o.find("filesystems")])' "$tmp/clones.xml")" \
   "/dev/sde linux
[('/dev/sde', '/'), ('/dev/sdf', '/home')]
[('/dev/sde', 'tworoot'), ('/dev/sdf', 'twohome')]"
is "clones: one launch for all of them" \
   "$(grep -c 'Launching the appliance' "$tmp/clones.stderr")" 1
is "clones: each clone, not debian, is done on its own in it" \
   "$(sed -n 's|.*/\([^/]*\): its LVM or filesystem IDs .*: done on its own$|\1|p' "$tmp/clones.stderr" | xargs)" \
   "fedora.img fedora-copy.img"
ok "clones, no 'os': XML validates against the RELAX NG schema" \
   xmllint --noout --relaxng "$srcdir/docs/goldsmith-inspect.rng" \
   "$tmp/clones.xml"
# Each guest as its golden file, less what the 'os' operation reports
# (root and name stay: every <operatingsystem> has them).
check_clone () {
  python3 - "$tmp/clones.xml" "$golden" "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
doc = ET.parse(sys.argv[1]).getroot()
idx, name = int(sys.argv[3]), sys.argv[4]
keep = {"root", "name", "major_version", "minor_version", "mountpoints",
        "filesystems", "drive_mappings", "applications"}
want = ET.parse("%s/%s.xml" % (sys.argv[2], name.split("-")[0])).getroot()
for o in want:
    for e in list(o):
        if e.tag not in keep:
            o.remove(e)
        elif e.tag.endswith("_version"):
            e.text = "0"
g = doc[idx - 1]
assert g.get("name").endswith("/" + name + ".img"), g.get("name")
# One launch: guest IDX's one disk is the appliance's IDX-th, and its
# devices are named so (as in section 1).
got = ET.canonicalize(ET.tostring(g[0]), strip_text=True).replace(
    "/dev/sd%c" % (ord("a") + idx - 1), "/dev/sda")
exp = ET.canonicalize(ET.tostring(want), strip_text=True)
assert got == exp, "\n" + got + "\n" + exp
PY
}
for c in "1 debian" "2 fedora" "3 fedora-copy"; do
  out=$(check_clone $c 2>&1)
  is "clones: guest $c as its image holds, without 'os'" "$?" 0
  [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
done

# ---- read-only ------------------------------------------------------------
is "the images are byte-identical" "$(sums)" "$before"
