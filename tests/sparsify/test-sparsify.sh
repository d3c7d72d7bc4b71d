#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith sparsify, end to end, on the phony sparse.img (built by
# tests/make-sparse-guest.sh: ext4, swap, LVM, vfat, a bare partition,
# ext2, btrfs, xfs and ntfs, each holding deleted data or random bytes
# in its free space).  Four launches:
#   A  copying, raw -> compressed qcow2, --zero /dev/sda5 --ignore /dev/sda6
#   B  --in-place on a raw copy
#   C  copying, qcow2 -> raw, --operations defaults,-swap
#   D  --dry-run (listing the filesystems both ways, compared)
# Everything is checked on the host: per partition, how many bytes are
# not zero (deleted data gone, kept data kept), file checksums with
# debugfs and mtools (the LV's ext4 found from the PV's LVM metadata),
# swap UUID/label with blkid, allocation before and after, IN
# byte-identical, the JSON report against what really happened.
source "$(dirname "$0")/../functions.sh"
requires_appliance

tmp="$builddir/tests/tmp/sparsify"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
cd "$tmp" || bail "cd $tmp"

in="$phony_guests/sparse.img"
layout="$phony_guests/sparse.layout"
[ -f "$in" ] || bail "$in was not built"
in_sum=$(sha256sum < "$in")
sum () { sha256sum | cut -d' ' -f1; }
expected () { awk -v f="$1" '$1 == "sha256" && $2 == f { print $3 }' "$layout"; }
part () { awk -v p="p$1" '$1 == p { print $2, $3 }' "$layout"; }
# part_bytes RAW N: partition N of a raw image, on stdout.
part_bytes () {
  local start size
  read -r start size < <(part "$2")
  dd if="$1" bs=1M skip=$((start / 1048576)) count=$((size / 1048576)) \
     status=none
}
# nonzero RAW N: bytes of partition N in 4 KiB blocks that are not all
# zeros (what a sparse copy must store).
nonzero () {
  part_bytes "$1" "$2" | python3 -c '
import sys
d = sys.stdin.buffer.read(); z = bytes(4096)
print(sum(4096 for i in range(0, len(d), 4096) if d[i:i+4096] != z[:len(d[i:i+4096])]))'
}
alloc () { echo $(( $(stat -c %b "$1") * 512 )); }
# ext_sum PARTITION PATH: sha256 of PATH in an ext filesystem image,
# "missing" if debugfs cannot dump it (never an earlier run's copy).
ext_sum () {
  rm -f dumped
  debugfs -R "dump $2 dumped" "$1" >/dev/null 2>&1
  if [ -f dumped ]; then sum < dumped; else echo missing; fi
  rm -f dumped
}
json () { python3 -c "import json,sys; r=json.load(open('$1')); print($2)"; }
# dev REPORT DEVICE FIELD: a field of one device's record.
dev () { json "$1" "[d['$3'] for d in r['devices'] if d['device'] == '$2'][0]"; }
MiB=1048576

plan 64

# ---- IN, as built ------------------------------------------------------
for n in 1 2 3 4 5 6 7 8 9; do in_nz[$n]=$(nonzero "$in" $n); done
ok "IN: the ext4 holds its deleted 40 MiB" test "${in_nz[1]}" -gt $((40 * MiB))
ok "IN: the VG's free extents hold data" test "${in_nz[3]}" -gt $((12 * MiB))
ok "IN: the xfs's free space holds random bytes" test "${in_nz[8]}" -gt $((200 * MiB))

# ---- A: raw -> qcow2 ---------------------------------------------------
memcheck goldsmith sparsify --json --convert qcow2 --compress \
  --zero /dev/sda5 --ignore /dev/sda6 "$in" a.qcow2 > a.json 2> a.err
is "A: exit status" "$?" 0
memcheck_ok "goldsmith sparsify --convert qcow2"
[ -s a.err ] && sed 's/^/# A: /' a.err
is "A: IN is byte-identical" "$(sha256sum < "$in")" "$in_sum"
ok "A: OUT is a valid qcow2" qemu-img check -q a.qcow2
is "A: OUT's format" "$(qemu-img info --output=json a.qcow2 |
                       json /dev/stdin "r['format']")" qcow2
qemu-img convert -O raw a.qcow2 a.raw
for n in 1 2 3 4 5 6 7 8 9; do a_nz[$n]=$(nonzero a.raw $n); done
ok "A: ext4 free space made sparse (${in_nz[1]} -> ${a_nz[1]} bytes)" \
  test "${a_nz[1]}" -lt $((6 * MiB))
ok "A: swap discarded (${in_nz[2]} -> ${a_nz[2]})" test "${a_nz[2]}" -le 4096
ok "A: LVM free extents and LV free space (${in_nz[3]} -> ${a_nz[3]})" \
  test "${a_nz[3]}" -lt $((4 * MiB))
ok "A: vfat free space (${in_nz[4]} -> ${a_nz[4]})" test "${a_nz[4]}" -lt $MiB
is "A: --zero partition is all zeros" "${a_nz[5]}" 0
ok "A: btrfs free space (${in_nz[7]} -> ${a_nz[7]})" test "${a_nz[7]}" -lt $((8 * MiB))
ok "A: xfs free space (${in_nz[8]} -> ${a_nz[8]})" test "${a_nz[8]}" -lt $((8 * MiB))
part_bytes a.raw 7 > p7
ok "A: btrfs is clean" btrfs check --readonly p7
part_bytes a.raw 8 > p8
ok "A: xfs is clean" xfs_repair -n -f p8
rm -f p7 p8
# ntfs: trimmed, or zero-filled where ntfs-3g cannot trim.  An
# appliance that cannot mount ntfs (no ntfs-3g) is a skip, shown as
# one, and a failure under CI, where quickstart installs ntfs-3g.
if [ "$(dev a.json /dev/sda9 status)" = applied ]; then
  ok "A: ntfs free space, $(dev a.json /dev/sda9 method) (${in_nz[9]} -> ${a_nz[9]})" \
    test "${a_nz[9]}" -lt $((4 * MiB))
else
  skip_one "A: ntfs free space" "not sparsified here ($(dev a.json /dev/sda9 status)): install ntfs-3g"
fi
is "A: --ignore partition kept as it was" \
  "$(part_bytes a.raw 6 | sum)" "$(part_bytes "$in" 6 | sum)"
part_bytes a.raw 1 > p1
is "A: ext4 keep/a.bin intact" "$(ext_sum p1 /keep/a.bin)" "$(expected p1/keep/a.bin)"
is "A: ext4 keep/b.txt intact" "$(ext_sum p1 /keep/b.txt)" "$(expected p1/keep/b.txt)"
ok "A: ext4 is clean" e2fsck -fn p1
part_bytes a.raw 4 > p4
is "A: vfat keep.txt intact" "$(mtype -i p4 ::keep.txt | sum)" \
  "$(expected keep.txt)"
ok "A: vfat is clean" fsck.vfat -n p4
part_bytes a.raw 2 > p2
is "A: swap UUID kept" "$(blkid -p -s UUID -o value p2)" \
  "$(awk '$1 == "swap_uuid" { print $2 }' "$layout")"
is "A: swap label kept" "$(blkid -p -s LABEL -o value p2)" gsswap
ok "A: OUT allocates far less than IN ($(alloc "$in") -> $(alloc a.qcow2))" \
  test "$(alloc a.qcow2)" -lt $(( $(alloc "$in") - 400 * MiB ))
is "A: report: input allocated" "$(json a.json "r['input']['allocated']")" \
  "$(alloc "$in")"
is "A: report: output allocated" "$(json a.json "r['output']['allocated']")" \
  "$(alloc a.qcow2)"
is "A: report: /dev/sda1 trimmed" "$(dev a.json /dev/sda1 method)" trim
ok "A: report: /dev/sda1 free bytes" test "$(dev a.json /dev/sda1 bytes)" \
  -gt $((40 * MiB))
is "A: report: swap recreated by the swap operation" \
  "$(dev a.json /dev/sda2 operation)" swap
# The PV's 48 MiB hold 11 extents of 4 MiB; LV data has 6.
is "A: report: VG free space" "$(dev a.json gsvg bytes)" $((20 * MiB))
is "A: report: --zero" "$(dev a.json /dev/sda5 operation)" zero
is "A: report: --ignore" "$(dev a.json /dev/sda6 status)" ignored

# ---- B: in place, raw --------------------------------------------------
cp --sparse=always "$in" b.img
before=$(alloc b.img)
b_pre=$(sha256sum < b.img | cut -d' ' -f1)
goldsmith sparsify --json --provenance "$tmp/b.intoto.json" --in-place b.img \
  > b.json 2> b.err
is "B: exit status" "$?" 0
[ -s b.err ] && sed 's/^/# B: /' b.err
# --provenance: IN hashed before the run changed it, the image after it
# as the subject, the --json report as the byproduct.
ok "B: provenance: an in-toto Statement with a SLSA v1 predicate, the report as byproduct" \
   python3 - "$tmp/b.intoto.json" b.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); rep = json.load(open(sys.argv[2]))
assert d["_type"] == "https://in-toto.io/Statement/v1"
assert d["predicateType"] == "https://slsa.dev/provenance/v1"
assert d["predicate"]["buildDefinition"]["externalParameters"]["tool"] == "sparsify"
assert d["predicate"]["runDetails"]["byproducts"][0]["annotations"]["report"] == rep
# The host's versions, each the first line the program printed.
v = d["predicate"]["runDetails"]["builder"]["version"]
assert v["qemu"].startswith("QEMU emulator version "), v
assert v["qemuImg"].startswith("qemu-img version "), v
assert "\n" not in v["qemu"] + v["qemuImg"], v
PY
ok "B: provenance: subject = sha256sum of the image after, dependency = before" \
   python3 - "$tmp/b.intoto.json" "$(sha256sum < b.img | cut -d' ' -f1)" "$b_pre" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [s["digest"]["sha256"] for s in d["subject"]] == [sys.argv[2]], d["subject"]
deps = d["predicate"]["buildDefinition"]["resolvedDependencies"]
assert [r["digest"]["sha256"] for r in deps] == [sys.argv[3]], deps
assert sys.argv[2] != sys.argv[3]
PY
ok "B: in place frees at least 400 MiB ($before -> $(alloc b.img))" \
  test "$(alloc b.img)" -lt $((before - 400 * MiB))
is "B: report: after" "$(json b.json "r['after']['allocated']")" \
  "$(alloc b.img)"
ok "B: the ext2 (not ignored here) lost its deleted data" \
  test "$(nonzero b.img 6)" -lt $MiB
ok "B: the xfs trimmed in place" test "$(nonzero b.img 8)" -lt $((8 * MiB))
part_bytes b.img 1 > p1
is "B: ext4 keep/a.bin intact" "$(ext_sum p1 /keep/a.bin)" "$(expected p1/keep/a.bin)"

# ---- C: qcow2 -> raw, swap left alone, zeros written -------------------
qemu-img convert -O qcow2 "$in" c-in.qcow2
c_in_sum=$(sha256sum < c-in.qcow2)
goldsmith sparsify -q --convert raw --operations defaults,-swap \
  --set sparsify.filesystem.method=zero \
  --set sparsify.filesystem.zero-file-size=4 c-in.qcow2 c.raw > c.out 2> c.err
is "C: exit status" "$?" 0
[ -s c.err ] && sed 's/^/# C: /' c.err
is "C: IN is byte-identical" "$(sha256sum < c-in.qcow2)" "$c_in_sum"
is "C: OUT is raw" "$(qemu-img info --output=json c.raw |
                     json /dev/stdin "r['format']")" raw
is "C: swap not selected: kept as it was" "$(part_bytes c.raw 2 | sum)" \
  "$(part_bytes "$in" 2 | sum)"
diag "C: bytes not zero per partition: $(for n in 1 2 3 4 5 6 7 8 9; do printf '%s ' "$(nonzero c.raw $n)"; done)"
# Zeros cannot reach what a filesystem keeps back from files (xfs's
# reserve, btrfs space outside its data chunks): trimming (A) does.
ok "C: raw OUT is sparse on the host ($(alloc "$in") -> $(alloc c.raw))" \
  test "$(alloc c.raw)" -lt $(( $(alloc "$in") - 300 * MiB ))
ok "C: the text report: vfat zero-filled" grep -q "/dev/sda4 *vfat *zero" c.out
ok "C: zero files of 4 MiB fill the vfat, then go (${in_nz[4]} -> $(nonzero c.raw 4))" \
  test "$(nonzero c.raw 4)" -lt $MiB
part_bytes c.raw 4 > p4
is "C: vfat keep.txt intact, no zero file left" "$(mdir -b -i p4 ::)" "::/keep.txt"
ok "C: the ext4 free space zero-filled" test "$(nonzero c.raw 1)" -lt $((6 * MiB))

# ---- D: dry run ----------------------------------------------------------
# With both listings of the filesystems compared (common/list-fs.c
# against libguestfs's list_filesystems): ext4, swap, LVM, vfat, a bare
# partition, ext2, btrfs, xfs, ntfs.
GOLDSMITH_INSPECT_COMPARE=1 \
  goldsmith sparsify --dry-run --json "$in" d.qcow2 > d.json 2> d.err
is "D: exit status" "$?" 0
is "D: goldsmith lists the filesystems as libguestfs does" \
   "$(grep -c 'filesystems compared: [1-9][0-9]* listed, 0 differences$' d.err)|$(grep -c 'filesystems differ' d.err)" "1|0"
ok "D: no OUT" test ! -e d.qcow2
is "D: IN is byte-identical" "$(sha256sum < "$in")" "$in_sum"
ok "D: the dry run reports the free space of /dev/sda1" \
  test "$(dev d.json /dev/sda1 bytes)" -gt $((40 * MiB))

# ---- E: A, B and C read back on the host -------------------------------
# The LV gsvg/data is linear: tests/manifest.py finds its first extent
# from the PV's LVM text metadata, and debugfs reads it there.
lv_off () { python3 "$srcdir/tests/manifest.py" offset "$1" gsvg/data 2>/dev/null; }
# root_has FS NAME: true or false, whether the root of the ext
# filesystem FS lists NAME ("unreadable" if debugfs cannot open FS).
root_has () {
  local ls
  ls=$(debugfs -R "ls -p /" "$1" 2>/dev/null) && [ -n "$ls" ] ||
    { echo unreadable; return; }
  if awk -F/ -v n="$2" '$6 == n { f = 1 } END { exit !f }' <<<"$ls"; then
    echo true; else echo false; fi
}
a_lv=$(lv_off a.raw); b_lv=$(lv_off b.img); c_lv=$(lv_off c.raw)
ok "E: the LV found in A, B and C from the PV's LVM metadata" \
  test -n "$a_lv" -a -n "$b_lv" -a -n "$c_lv"
is "E: A's LV file intact" "$(ext_sum "a.raw?offset=$a_lv" /keep.bin)" \
  "$(expected lv-keep.bin)"
is "E: A's LV deleted file still deleted" "$(root_has "a.raw?offset=$a_lv" gone.bin)" false
is "E: B's LV file intact" "$(ext_sum "b.img?offset=$b_lv" /keep.bin)" \
  "$(expected lv-keep.bin)"
is "E: C's LV file intact" "$(ext_sum "c.raw?offset=$c_lv" /keep.bin)" \
  "$(expected lv-keep.bin)"
part_bytes b.img 2 > p2
is "E: B's swap UUID kept" "$(blkid -p -s UUID -o value p2)" \
  "$(awk '$1 == "swap_uuid" { print $2 }' "$layout")"
is "E: B's swap label kept" "$(blkid -p -s LABEL -o value p2)" gsswap
