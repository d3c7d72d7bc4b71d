#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# A dry run, on a guest given as libvirt domain XML (relative path, a
# CD-ROM to skip), with a third-party plugin built out of tree against
# the installed header and .pc file: it lists what the default
# operations would do, runs the plugin, and leaves the image
# byte-identical.  One launch.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 9

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
   cc -fPIC -shared $cflags -Wall -Wextra -Werror -o "$tmp/plugins/oot-probe.so" \
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
  memcheck goldsmith sysprep --dry-run --json --operations defaults,+oot-probe \
  --domxml "$tmp/guest.xml" > "$tmp/report.json" 2> "$tmp/stderr"
is "exit status 0" "$?" 0
memcheck_ok "goldsmith sysprep --dry-run"
sed 's/^/# stderr: /' "$tmp/stderr"
is "the image is byte-identical" "$(sha256sum < "$tmp/disks/guest.img")" "$before"

python3 - "$tmp/report.json" > "$tmp/summary" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("dry_run", r["dry_run"])
g = r["guests"][0]
print("name", g["name"], "disks", len(g["disks"]), g["disks"][0]["format"])
PY
is "the report: dry run, domain name, one raw disk (CD-ROM skipped)" \
   "$(cat "$tmp/summary")" "dry_run True
name phony-fedora disks 1 raw"
# What a dry run lists is what the real run does (test-sysprep-defaults
# checks the real run against the same fixture), no more: a path an
# earlier operation would remove is not listed again by a later one.
fixture () { python3 "$srcdir/tests/fixture.py" "$@"; }
ops=$(fixture expect-ops sysprep defaults,oot-probe)
is "the dry run planned exactly the documented default operations and the plugin" \
   "$(fixture check-ops "$tmp/report.json" "$ops")" ""
{ fixture report "$ops" "$srcdir/tests/fixtures/fedora.txt"
  echo "oot-probe change /etc/hostname"; } | sort > "$tmp/expected"
fixture actual "$tmp/report.json" | sort > "$tmp/actual"
is "the dry run lists exactly what the real run does, and the plugin's path" \
   "$(diff "$tmp/expected" "$tmp/actual")" ""
ok "the text says it was planning" grep -q 'Planning "logfiles"' "$tmp/stderr"
is "no byte of the image changed (cmp)" \
   "$(cmp "$tmp/disks/guest.img" "$phony_guests/fedora.img" && echo same)" same
