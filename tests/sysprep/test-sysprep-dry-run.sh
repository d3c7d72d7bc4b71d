#!/bin/bash -
# A dry run, on a guest given as libvirt domain XML (relative path, a
# CD-ROM to skip), with a third-party plugin built out of tree against
# the installed header and .pc file: it lists what the default
# operations would do, runs the plugin, and leaves the image
# byte-identical.  One launch.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 7

tmp="$builddir/tests/tmp/dry-run"
rm -rf "$tmp"; mkdir -p "$tmp/disks" "$tmp/plugins"
cleanup_fn rm -rf "$tmp"
copy_guest fedora "$tmp/disks/guest.img"
before=$(sha256sum < "$tmp/disks/guest.img")

# Install the public header and .pc, then build the plugin against them.
make -s -C "$builddir" install-includeHEADERS install-pkgconfigDATA \
  DESTDIR="$tmp/root" >/dev/null
pcdir=$(find "$tmp/root" -name goldsmith-plugin.pc -printf '%h\n')
cflags=$(PKG_CONFIG_SYSROOT_DIR="$tmp/root" PKG_CONFIG_PATH="$pcdir" \
         pkg-config --cflags goldsmith-plugin)
libs=$(PKG_CONFIG_PATH="$pcdir" pkg-config --libs goldsmith-plugin)
ok "out-of-tree plugin builds against the installed header and .pc" \
   cc $cflags -Wall -Wextra -Werror -o "$tmp/plugins/oot-probe.so" \
      "$srcdir/tests/oot/oot-probe.c" $libs

cat > "$tmp/guest.xml" <<XML
<domain type='kvm'>
  <name>phony-fedora</name>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='disks/guest.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <source file='/nonexistent/install.iso'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
  </devices>
</domain>
XML

GOLDSMITH_PLUGIN_PATH="$tmp/plugins" \
  goldsmith sysprep --dry-run --json --operations defaults,+oot-probe \
  --domxml "$tmp/guest.xml" > "$tmp/report.json" 2> "$tmp/stderr"
is "exit status 0" "$?" 0
sed 's/^/# stderr: /' "$tmp/stderr"
is "the image is byte-identical" "$(sha256sum < "$tmp/disks/guest.img")" "$before"

python3 - "$tmp/report.json" > "$tmp/summary" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("dry_run", r["dry_run"])
g = r["guests"][0]
print("name", g["name"], "disks", len(g["disks"]), g["disks"][0]["format"])
for root in g["roots"]:
    for op in root["operations"]:
        print(op["name"], op["status"], len(op["paths"]),
              " ".join(p["path"] for p in op["paths"] if op["name"] in ("machine-id", "oot-probe")))
PY
is "the report: dry run, domain name, one raw disk (CD-ROM skipped)" \
   "$(head -2 "$tmp/summary")" "dry_run True
name phony-fedora disks 1 raw"
is "every operation lists what it would do; the plugin ran in its place" \
   "$(tail -n +3 "$tmp/summary")" "bash-history applied 4 
logfiles applied 15 
machine-id applied 2 /etc/machine-id /var/lib/dbus/machine-id
ssh-hostkeys applied 4 
oot-probe applied 1 /etc/hostname
script not-applicable 0 
lvm-uuids applied 2 "
ok "the text says it was planning" grep -q 'Planning "logfiles"' "$tmp/stderr"
is "no byte of the image changed (cmp)" \
   "$(cmp "$tmp/disks/guest.img" "$phony_guests/fedora.img" && echo same)" same
