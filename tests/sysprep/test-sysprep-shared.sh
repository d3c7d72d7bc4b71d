#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# Two guests in one launch: what one guest's operations do stays on its
# own disks.  The phony Fedora guest (LVM: VG "VG") and the sparsify
# test disk (no OS; its own LVM VG "gsvg", ext4, xfs, btrfs, ...) are
# given together, --each-image, --jobs 1 (one appliance) and --in-place
# (no overlay to hide a stray write), with the device operations fs-uuids and lvm-uuids,
# which list every filesystem and volume of the appliance.  The disk
# without an OS fails; the Fedora guest is prepared: exit status 4.
# Also two Debian guests: the phony one, and a variant made on the host
# with its own root filesystem UUID and MBR disk ID, whose fstab still
# says UUID= of the original: in a launch with the original, that
# fstab line finds the original's root, so the variant is found out by
# its mountpoints after inspection and goes to a second launch alone.
# The phony Debian guest is served over NBD (qemu-nbd on a Unix socket,
# -a nbd+unix:///?socket=...): a remote disk in the same launch, its
# overlay committed into the export; its machine-id is read back on the
# host with debugfs.
# Two launches, no read-back: UUIDs are read on the host with blkid.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 16

tmp="$builddir/tests/tmp/shared"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
copy_guest fedora "$tmp/fedora.img"
copy_guest sparse "$tmp/other.img"
copy_guest debian "$tmp/debian.img"
copy_guest debian "$tmp/variant.img"
vstart=$(partx -g -o START -n 1 "$tmp/variant.img")
e2fsck -fy "$tmp/variant.img?offset=$((vstart * 512))" >/dev/null 2>&1
tune2fs -U random "$tmp/variant.img?offset=$((vstart * 512))" >/dev/null 2>&1 ||
  bail "tune2fs cannot change the variant's UUID"
sfdisk -q --disk-id "$tmp/variant.img" 0x676f6c64 >/dev/null ||
  bail "sfdisk cannot change the variant's disk ID"

# UUID (filesystem or LVM PV) of partition N of IMAGE, from the host.
part_uuid () {
  local start
  start=$(partx -g -o START -n "$2" "$1")
  blkid -p -O $((start * 512)) -o value -s UUID "$1"
}
# The other disk's UUIDs: its LVM PV, its filesystems, its swap.  (Not
# its bytes: with --in-place, mounting its btrfs and xfs read-only for
# inspection may replay their logs, as with any tool.)
other_uuids () {
  for n in $(seq 9); do echo "p$n $(part_uuid "$tmp/other.img" $n)"; done
}
other_before=$(other_uuids)
boot_before=$(part_uuid "$tmp/fedora.img" 1)
pv_before=$(part_uuid "$tmp/fedora.img" 2)

# The Debian guest's machine-id, read on the host (root: partition 1).
machine_id_size () {
  local start
  start=$(partx -g -o START -n 1 "$tmp/debian.img")
  debugfs -R 'stat /etc/machine-id' "$tmp/debian.img?offset=$((start * 512))" \
    2>/dev/null | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -1
}
mid_before=$(machine_id_size)
qemu-nbd -f raw -t -e 4 -k "$tmp/nbd.sock" "$tmp/debian.img" &
nbd_pid=$!
cleanup_fn "kill $nbd_pid 2>/dev/null"
for ((i = 0; i < 100; ++i)); do [ -S "$tmp/nbd.sock" ] && break; sleep 0.1; done
[ -S "$tmp/nbd.sock" ] || bail "qemu-nbd did not start"

goldsmith sysprep --json --each-image --in-place --jobs 1 \
  --enable fs-uuids,lvm-uuids,machine-id \
  -a "$tmp/fedora.img" -a "$tmp/other.img" -a "$tmp/variant.img" \
  -a "nbd+unix:///?socket=$tmp/nbd.sock" \
  > "$tmp/report.json" 2> "$tmp/stderr"
is "exit status 4: one guest prepared, one failed" "$?" 4
sed 's/^/# stderr: /' "$tmp/stderr"

q () {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($1)" \
    "$tmp/report.json"
}
is "two launches: all but the variant, then the variant" \
   "$(q 'r["appliance"]["launches"]')" 2
ok "the variant is found out after inspection, and said so" \
   grep -q "variant.img: its LVM or filesystem IDs are also on another guest's disks" "$tmp/stderr"
is "the report: every guest, in command-line order" \
   "$(q '" ".join(g["name"].split("/")[-1] for g in r["guests"])')" \
   "fedora.img other.img variant.img nbd.sock"
is "both Debian guests prepared, the local one and the one over NBD" \
   "$(q '" ".join(o["status"] for g in r["guests"][2:] for o in g["roots"][0]["operations"] if o["name"]=="machine-id")')" \
   "applied applied"
kill "$nbd_pid"; wait "$nbd_pid" 2>/dev/null
is "over NBD: the export's machine-id was truncated (committed through qemu-nbd)" \
   "$mid_before $(machine_id_size)" "33 0"
ok "the disk without an OS: its error in the report" \
   bash -c "python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"guests\"][1][\"error\"])' '$tmp/report.json' | grep -q 'no operating system was found'"
is "the Fedora guest: every operation applied" \
   "$(q '" ".join(o["name"]+":"+o["status"] for o in r["guests"][0]["roots"][0]["operations"])')" \
   "machine-id:applied fs-uuids:applied lvm-uuids:applied"
# The Fedora guest's disk is the appliance's first: /dev/sda.
is "fs-uuids changed only the Fedora guest's filesystems" \
   "$(q '" ".join(p["path"] for o in r["guests"][0]["roots"][0]["operations"] if o["name"]=="fs-uuids" for p in o["paths"])')" \
   "/dev/sda1 /dev/VG/Root"
is "lvm-uuids changed only the Fedora guest's PV and VG" \
   "$(q '" ".join(p["path"] for o in r["guests"][0]["roots"][0]["operations"] if o["name"]=="lvm-uuids" for p in o["paths"])')" \
   "/dev/sda2 /dev/VG"

is "the other disk: no UUID of its LVM PV, filesystems or swap changed" \
   "$(other_uuids)" "$other_before"
ok "... and it has some (the check can fail)" \
   test "$(echo "$other_before" | grep -c '^p[0-9] .')" -ge 6
boot_after=$(part_uuid "$tmp/fedora.img" 1)
pv_after=$(part_uuid "$tmp/fedora.img" 2)
diag "Fedora /boot UUID $boot_before -> $boot_after, PV $pv_before -> $pv_after"
ok "the Fedora guest's /boot has a new UUID" \
   test -n "$boot_after" -a "$boot_after" != "$boot_before"
ok "the Fedora guest's PV has a new UUID" \
   test -n "$pv_after" -a "$pv_after" != "$pv_before"
is "no warnings on stderr" \
   "$(grep 'warning' "$tmp/stderr" | grep -vc 'KVM does not work')" 0
ok "the failure names the disk without an OS" \
   grep -q "other.img: no operating system was found" "$tmp/stderr"
