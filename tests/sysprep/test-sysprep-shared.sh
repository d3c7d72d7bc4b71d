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
# its mountpoints after inspection and is prepared alone afterwards, in
# the same launch, its root mounted by device.  And an exact clone of
# the phony Debian guest (the same root filesystem UUID): one of the two
# is prepared alone too.  --progress-fd's events are checked against
# the report.
# The phony Debian guest is served over NBD (qemu-nbd on a Unix socket,
# -a nbd+unix:///?socket=...): a remote disk in the same launch, its
# overlay committed into the export; its machine-id is read back on the
# host with debugfs.
# One launch.  Every image is read back on the host, no launch: UUIDs
# with blkid, and the Fedora guest, the three Debian guests and the other
# disk's ext2/ext4 filesystems (one in an LV) with debugfs
# (tests/manifest.py), each compared with its fixture's manifest: on
# each guest exactly machine-id's targets changed, nothing else, every
# mode, owner and attribute kept; on the other disk, nothing.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 23

tmp="$builddir/tests/tmp/shared"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
copy_guest fedora "$tmp/fedora.img"
copy_guest sparse "$tmp/other.img"
copy_guest debian "$tmp/debian.img"
copy_guest debian "$tmp/variant.img"
copy_guest debian "$tmp/dclone.img"
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
# Its files (ext4 on p1, ext2 on p6, ext4 in the LV gsvg/data).
other_files () {
  for w in 1 6 gsvg/data; do image_manifest "$tmp/other.img" /=$w | sed "s|^|$w |"; done
}
other_files_before=$(other_files)
boot_before=$(part_uuid "$tmp/fedora.img" 1)
pv_before=$(part_uuid "$tmp/fedora.img" 2)

# --fork: qemu-nbd returns once it serves the socket (no polling).
qemu-nbd -f raw -t -e 4 -k "$tmp/nbd.sock" --fork --pid-file "$tmp/nbd.pid" \
  "$tmp/debian.img" && [ -S "$tmp/nbd.sock" ] || bail "qemu-nbd did not start"
nbd_pid=$(cat "$tmp/nbd.pid")
cleanup_fn "kill $nbd_pid 2>/dev/null"

GOLDSMITH_INSPECT_COMPARE=1 \
  goldsmith sysprep --json --each-image --in-place --jobs 1 \
  --enable fs-uuids,lvm-uuids,machine-id --progress-fd 3 \
  -a "$tmp/fedora.img" -a "$tmp/other.img" -a "$tmp/variant.img" \
  -a "nbd+unix:///?socket=$tmp/nbd.sock" -a "$tmp/dclone.img" \
  > "$tmp/report.json" 2> "$tmp/stderr" 3> "$tmp/progress.jsonl"
is "exit status 4: the guests prepared, one failed" "$?" 4
sed 's/^/# stderr: /' "$tmp/stderr"
# The other disk holds btrfs, which goldsmith's own inspection leaves
# to libguestfs: the launch uses inspect_os, saying why; the roots
# goldsmith found all the same agree with it, field by field.
is "own inspection: unsure of btrfs, libguestfs's used; what it found agrees" \
   "$(sed -n 's/^goldsmith: inspection compared: [0-9]* goldsmith roots*, \(.*\)$/\1/p' "$tmp/stderr" | sort -u)" \
   "0 differences; unsure of a filesystem of a kind goldsmith does not inspect (btrfs)"

# --progress-fd: one JSON object a line, and what they say is what the
# report says: every launch, every operation of every root, every
# guest's end (after its operations) with its error.
progress_check () {
  python3 - "$tmp/report.json" "$tmp/progress.jsonl" <<'PY'
import collections, json, sys
r = json.load(open(sys.argv[1]))
ev = [json.loads(l) for l in open(sys.argv[2])]
assert ev and all({"event", "time", "pid"} <= set(e) for e in ev), ev[:3]
kinds = collections.Counter(e["event"] for e in ev)
n = r["appliance"]["launches"]
assert kinds["launch"] == kinds["launched"] == n, (kinds, n)
assert all(e["ok"] for e in ev if e["event"] == "launched"), ev
ops = collections.Counter((g["name"], rt["root"], o["name"], o["status"])
                          for g in r["guests"] for rt in g["roots"]
                          for o in rt["operations"])
got = collections.Counter((e["image"], e["root"], e["operation"], e["status"])
                          for e in ev if e["event"] == "operation")
assert ops == got and ops, (ops, got)
done = {e["image"]: ("error" in e, e["exit_status"] != 0)
        for e in ev if e["event"] == "image-done"}
want = {g["name"]: ("error" in g, "error" in g) for g in r["guests"]}
assert done == want and kinds["image-done"] == len(r["guests"]), (done, want)
last = {}
for i, e in enumerate(ev):
    if "image" in e:
        last.setdefault(e["image"], []).append((i, e["event"]))
for img, seq in last.items():
    assert seq[-1][1] == "image-done", (img, seq)
print("ok")
PY
}
is "--progress-fd: launches, operations and ends as in the report" \
   "$(progress_check 2>&1 | tail -3)" ok

q () {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($1)" \
    "$tmp/report.json"
}
is "one launch for the five guests" \
   "$(q 'r["appliance"]["launches"]')" 1
ok "the variant is found out after inspection, and said so" \
   grep -q "variant.img: its LVM or filesystem IDs are also on another guest's disks.*: done on its own" "$tmp/stderr"
is "the variant and one of the two exact Debian clones were prepared alone" \
   "$(grep -c "its LVM or filesystem IDs are also on another guest's disks.*: done on its own" "$tmp/stderr")" 2
is "the report: every guest, in command-line order" \
   "$(q '" ".join(g["name"].split("/")[-1] for g in r["guests"])')" \
   "fedora.img other.img variant.img nbd.sock dclone.img"
is "the Debian guests prepared, the local ones and the one over NBD" \
   "$(q '" ".join(o["status"] for g in r["guests"][2:] for o in g["roots"][0]["operations"] if o["name"]=="machine-id")')" \
   "applied applied applied"
# It has flushed and closed the image when its lock on it is gone.
kill "$nbd_pid"; wait_unlocked "$tmp/debian.img" || bail "qemu-nbd kept the image"
# Each guest read back on the host: exactly machine-id's targets
# changed (fs-uuids and lvm-uuids change no file), nothing else.
fixture () { python3 "$srcdir/tests/fixture.py" "$@"; }
for g in fedora variant debian dclone; do
  f=$g; [ $g = variant -o $g = dclone ] && f=debian
  fixture manifest machine-id "$phony_guests/$f.manifest" \
    "$srcdir/tests/fixtures/$f.txt" > "$tmp/$g.expected"
  case $g in
    fedora) fedora_manifest "$tmp/$g.img" ;;
    *) ext4_manifest "$tmp/$g.img" 1 ;;
  esac > "$tmp/$g.manifest"
done
# fs-uuids gave the Debian root a new UUID and rewrote the fstab line
# that names it; the variant's fstab names the original's UUID, not its
# own, so fs-uuids leaves it alone.
deb_uuid=$(part_uuid "$tmp/debian.img" 1)
fstab_sum=$(printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$deb_uuid" |
              sha256sum | cut -d' ' -f1)
sed -i "s|^\(/etc/fstab file \)[0-9a-f]*|\1$fstab_sum|" "$tmp/debian.expected"
# The exact clone, prepared alone: its own root got its own new UUID,
# and its own fstab says so.
dclone_uuid=$(part_uuid "$tmp/dclone.img" 1)
dclone_sum=$(printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$dclone_uuid" |
               sha256sum | cut -d' ' -f1)
sed -i "s|^\(/etc/fstab file \)[0-9a-f]*|\1$dclone_sum|" "$tmp/dclone.expected"
is "read back, the Fedora guest: machine-id's targets emptied, nothing else changed" \
   "$(diff "$tmp/fedora.expected" "$tmp/fedora.manifest")" ""
is "read back, the variant: the same" \
   "$(diff "$tmp/variant.expected" "$tmp/variant.manifest")" ""
is "read back, the export over NBD: the same, and fstab names the root's new UUID (committed through qemu-nbd)" \
   "$(diff "$tmp/debian.expected" "$tmp/debian.manifest")${deb_uuid/0b1e2c3d-0000-4000-8000-000000000001/the original UUID}" "$deb_uuid"
is "read back, the exact clone: the same, with a UUID of its own in its fstab" \
   "$(diff "$tmp/dclone.expected" "$tmp/dclone.manifest")$([ "$dclone_uuid" != "$deb_uuid" ] && echo distinct)" distinct
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
is "the other disk: its ext2/ext4 files read back unchanged (11 paths)" \
   "$(other_files | tee "$tmp/other.files" | diff <(echo "$other_files_before") -; wc -l < "$tmp/other.files")" 11
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
