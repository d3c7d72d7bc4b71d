#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith sysprep on the phony Fedora guest (LVM), the phony Debian
# guest and a clone of the Fedora guest, in one run (--each-image): the
# default operations plus the default-off path operations, plus an
# operation an administrator dropped in conf.d.  Each operation acts on
# exactly the paths its fixture lines say (tests/fixtures/*.txt), the
# report says so, and nothing else in the image changes.  All three in
# ONE launch (--jobs 1): Debian first, then Fedora and its clone (same
# LVM and filesystem IDs) each alone, with only its own LVM volumes
# visible.  One launch; the three images are read back on the host
# (debugfs; the Fedora roots found in their LVM PVs), each with its own
# changes.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 23

tmp="$builddir/tests/tmp/defaults"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
fixture () { python3 "$srcdir/tests/fixture.py" "$@"; }
copy_guest fedora "$tmp/fedora.img"
copy_guest debian "$tmp/debian.img"
copy_guest fedora "$tmp/clone.img"

# An administrator's new cleanup operation, dropped in conf.d of a copy
# of the configuration directory.
cp -r "$srcdir/conf" "$tmp/etc"
mkdir -p "$tmp/etc/conf.d"
cat > "$tmp/etc/conf.d/50-site.conf" <<'CONF'
sysprep: {
  site-cleanup: {
    kind = "remove-paths";
    heading = "Remove our build leftovers";
    enabled = true;
    recursive = true;
    files-only = true;
    names = [ "*.tmp" ];
    globs = [ "/opt/build" ];
  };
};
CONF

# goldsmith detects broken KVM itself: don't pass on the tests' setting.
ops=defaults,ca-certificates,firewall-rules,flag-reconfiguration,kerberos-data
env -u LIBGUESTFS_BACKEND_SETTINGS GOLDSMITH_SYSCONFDIR="$tmp/etc" \
  GOLDSMITH_INSPECT_COMPARE=1 goldsmith sysprep --json --each-image --jobs 1 -a "$tmp/fedora.img" \
  -a "$tmp/debian.img" -a "$tmp/clone.img" --operations "$ops" \
  > "$tmp/all.json" 2> "$tmp/all.stderr"
is "exit status 0" "$?" 0
sed 's/^/# stderr: /' "$tmp/all.stderr"
# One report per guest, as the fixture tools read it.
for g in fedora debian clone; do
  python3 - "$tmp/all.json" "$tmp/$g.img" > "$tmp/$g.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["guests"] = [g for g in r["guests"] if g["name"] == sys.argv[2]]
json.dump(r, sys.stdout)
PY
done
is "three guests reported, in command-line order" \
   "$(python3 -c 'import json,sys; print(" ".join(g["name"].split("/")[-1] for g in json.load(open(sys.argv[1]))["guests"]))' "$tmp/all.json")" \
   "fedora.img debian.img clone.img"
is "one launch for the three guests" \
   "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["appliance"]["launches"])' "$tmp/all.json")" 1
is "Fedora and its clone are each done on their own in it, Debian with the others" \
   "$(sed -n 's|.*/\([^/]*\): its LVM or filesystem IDs .*: done on its own$|\1|p' "$tmp/all.stderr" | xargs)" \
   "fedora.img clone.img"
# goldsmith's own inspection (common/os-inspect.c) against libguestfs's
# (GOLDSMITH_INSPECT_COMPARE=1: both run, every root compared field by
# field, mountpoints included): the first pass, then each clone alone
# behind its LVM filter.  All agree, and goldsmith was sure of every one
# (nothing here needs libguestfs's: sysprep used its own).
is "own inspection agrees with libguestfs's, 3 inspections, 5 roots, sure of all" \
   "$(sed -n 's/^goldsmith: inspection compared: \([0-9]*\) goldsmith roots*, \(.*\)$/\1 \2/p' "$tmp/all.stderr" | awk '{n++; roots += $1; if ($0 !~ / 0 differences$/) bad++} END {print n, roots, bad + 0}')" \
   "3 5 0"

# The KVM fallback is said once, in one line, where KVM is broken.
kvm_lines=$(grep -c 'KVM does not work\|failed to launch with hardware' \
              "$tmp/all.stderr")
if [ "$LIBGUESTFS_BACKEND_SETTINGS" = force_tcg ]; then
  is "KVM failure reported in exactly one line" "$kvm_lines" 1
else
  is "no TCG fallback message where KVM works" "$kvm_lines" 0
fi
is "no errors on stderr" "$(cat "$tmp"/*.stderr | grep -c 'error')" 0
is "the CA store could not be updated: one warning each for ipa-client and ca-certificates, on each Fedora guest" \
   "$(grep -c 'CA store was not updated' "$tmp/all.stderr")" 4

# Read the three images back on the host (debugfs; the Fedora roots
# found in their LVM PVs): no launch.
fedora_manifest "$tmp/fedora.img" > "$tmp/fedora.manifest.raw"
ext4_manifest "$tmp/debian.img" 1 > "$tmp/debian.manifest.raw"
fedora_manifest "$tmp/clone.img" > "$tmp/clone.manifest.raw"

# The operations expected are written in the tests (the documented
# defaults, tests/fixtures/operations.txt), not read from the report.
ops=$(fixture expect-ops sysprep "$ops,site-cleanup")
for g in fedora debian clone; do
  is "$g: exactly the documented default operations (and those added) ran" \
     "$(fixture check-ops "$tmp/$g.json" "$ops")" ""
done
for g in fedora debian clone; do
  f=$g; [ $g = clone ] && f=fedora   # the clone holds what Fedora holds
  fixture report "$ops" "$srcdir/tests/fixtures/$f.txt" > "$tmp/$g.report.expected"
  # A report names devices as the launch has them: the clone's one disk
  # is the appliance's third, /dev/sdc.
  fixture actual "$tmp/$g.json" |
    if [ $g = clone ]; then sed 's|/dev/sdc|/dev/sda|'; else cat; fi > "$tmp/$g.report"
  is "$g: the report lists exactly the fixture's paths for each operation" \
     "$(diff "$tmp/$g.report.expected" "$tmp/$g.report")" ""
  fixture manifest "$ops" "$phony_guests/$f.manifest" \
    "$srcdir/tests/fixtures/$f.txt" > "$tmp/$g.manifest.expected"
  fixture match "$tmp/$g.manifest.expected" "$tmp/$g.manifest.raw" \
    > "$tmp/$g.manifest"
  is "$g, read back: exactly the targets are gone, created or changed; nothing else, no mode, owner or attribute changed" \
     "$(diff "$tmp/$g.manifest.expected" "$tmp/$g.manifest")" ""
done
is "the fixtures have targets for most operations" \
   "$(for g in fedora debian; do cut -d' ' -f1 "$tmp/$g.report.expected" | sort -u | wc -l; done | awk '$1 >= 15' | wc -l)" 2

empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
ok "fedora: the conf.d drop-in operation ran (by default: enabled = true)" \
   grep -q '^site-cleanup remove /opt/build/sub/more.tmp$' "$tmp/fedora.report"
ok "fedora and its clone: /etc/machine-id is empty (virt-sysprep's customize refills it), its mode and label kept" \
   test "$(grep -h "^/etc/machine-id file $empty 0444 0:0 security.selinux=system_u:object_r:machineid_t:s0$" "$tmp/fedora.manifest" "$tmp/clone.manifest" | wc -l)" = 2
ok "fedora: the symlinked bash_history went, /etc/passwd behind it stayed" \
   grep -q '^/etc/passwd file' "$tmp/fedora.manifest"
# debian_has PATH GREP-ARGS...: a file of the Debian image, read on the host.
debian_has () { ext4_cat "$tmp/debian.img" 1 "$1" | grep "${@:2}"; }
ok "debian: the first-boot script regenerates the SSH host keys" \
   debian_has /usr/lib/goldsmith/firstboot/scripts/0001-ssh-hostkeys -qx 'ssh-keygen -A'
ok "debian: the first-boot unit runs before sshd and is enabled" \
   debian_has /etc/systemd/system/goldsmith-firstboot.service -q '^Before=ssh.service'
