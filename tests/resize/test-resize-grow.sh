#!/bin/bash -
# goldsmith resize, end to end: an MBR guest with three partitions
# (ext4 bootable, swap with a label and UUID, xfs) and a GPT guest (ext4
# named "boot", LVM PV holding VG "vg0" with LV "lv0" ext4) are each
# copied to a disk twice their size with --expand of the last partition
# (and --lv-expand on GPT, whose output is qcow2).  Four launches: building both guests (one
# guestfish -N), the two resizes, and one read-back of both outputs.
# Checked: every filesystem mounts, file checksums are unchanged, the
# partitions are where and as big as the plan (--json) said, the
# filesystems, PV and LV grew, swap kept its UUID and label, the GPT
# keeps names, types and the disk GUID, OUT is sparse, IN is unchanged.
source "$(dirname "$0")/../functions.sh"
# The guests are built here, not from the phony ones: where the
# appliance cannot launch, the build says so (skip; fail under CI).

tmp="$builddir/tests/tmp/resize-grow"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
cd "$tmp" || bail "cd $tmp"

head -c 300000 /dev/urandom > blob1
head -c 500000 /dev/urandom > blob2
head -c 200000 /dev/urandom > blob3
sum () { sha256sum "$1" | cut -d' ' -f1; }
swap_uuid=2c5a1b7e-4a0e-4a43-9d7b-3c2b6a3e9f10

# ---- 1. the guests (one launch) -----------------------------------------
# XFS needs 300 MB; the images are sparse.
guestfish -N mbr.img=disk:512M -N gpt.img=disk:200M > build.log 2>&1 <<EOF
part-init /dev/sda mbr
part-add /dev/sda p 2048 133119
part-add /dev/sda p 133120 198655
part-add /dev/sda p 198656 854015
part-set-bootable /dev/sda 1 true
mkfs ext4 /dev/sda1 label:mbrroot
mkswap /dev/sda2 label:myswap uuid:$swap_uuid
mkfs xfs /dev/sda3
mount /dev/sda1 /
upload blob1 /blob1
write /hello "hello from mbr root"
umount /
mount /dev/sda3 /
upload blob2 /blob2
umount /
part-init /dev/sdb gpt
part-add /dev/sdb p 2048 133119
part-add /dev/sdb p 133120 407551
part-set-name /dev/sdb 1 boot
part-set-gpt-type /dev/sdb 2 E6D6D379-F507-44C2-A23C-238F2A3DF928
mkfs ext4 /dev/sdb1
pvcreate /dev/sdb2
vgcreate vg0 /dev/sdb2
lvcreate lv0 vg0 64
mkfs ext4 /dev/vg0/lv0
mount /dev/vg0/lv0 /
upload blob3 /blob3
write /lvfile "on the lv"
umount /
mount /dev/sdb1 /
upload blob1 /blob1
umount /
echo GUID
part-get-disk-guid /dev/sdb
EOF
rc=$?
if [ "$rc" != 0 ]; then
  sed 's/^/# /' build.log
  [ "$CI" = true ] && bail "cannot build the guests (appliance?)"
  skip_all "cannot build the guests (no working appliance?)"
fi
plan 46
is "build: one guestfish launch" "$rc" 0
gpt_guid=$(sed -n '/^GUID$/{n;p}' build.log)
mbr_sum=$(sum mbr.img); gpt_sum=$(sum gpt.img)

# ---- 2. MBR: twice the size, --expand the xfs --------------------------
t0=$(date +%s)
goldsmith resize mbr.img mbr-out.img --output-size 200% --expand /dev/sda3 \
  --json > mbr.json 2> mbr.err
is "MBR resize: exit status 0" "$?" 0
diag "MBR resize: $(( $(date +%s) - t0 )) s"
is "MBR: IN unchanged" "$(sum mbr.img)" "$mbr_sum"
is "MBR: OUT is twice IN" "$(stat -c %s mbr-out.img)" $((2 * 512 * 1024 * 1024))
ok "MBR: OUT is sparse (allocated < 20% of its size)" \
  test $(( $(stat -c %b mbr-out.img) * 512 * 5 )) -lt $(stat -c %s mbr-out.img)
ok "MBR: no temporary file left" test -z "$(ls | grep goldsmith-)"

# ---- 3. GPT: twice the size, --expand the PV, --lv-expand the LV -------
t0=$(date +%s)
goldsmith resize gpt.img gpt-out.img --output-size 200% --expand sda2 \
  --output-format qcow2 --lv-expand /dev/vg0/lv0 --json > gpt.json 2> gpt.err
is "GPT resize: exit status 0" "$?" 0
diag "GPT resize: $(( $(date +%s) - t0 )) s"
is "GPT: IN unchanged" "$(sum gpt.img)" "$gpt_sum"
is "GPT: OUT is a qcow2 twice IN" \
  "$(qemu-img info --output=json gpt-out.img | python3 -c '
import json, sys; i = json.load(sys.stdin); print(i["format"], i["virtual-size"])')" \
  "qcow2 $((2 * 200 * 1024 * 1024))"

# The plan, from --json: "NUM START SIZE" per created partition.
plan_of () {
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for p in r["plan"]["partitions"]:
    if p["new_number"]:
        print(p["new_number"], p["new"]["start"], p["new"]["size"], p["expand_method"])
' "$1"
}
is "MBR plan" "$(plan_of mbr.json)" \
"1 1048576 67108864 None
2 68157440 33554432 None
3 101711872 970719232 xfs_growfs"
is "GPT plan" "$(plan_of gpt.json)" \
"1 1048576 67108864 None
2 68157440 350027776 pvresize"
applied () {
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(o["name"] + ":" + ",".join(p["path"] for p in o["paths"])
               for o in r["operations"] if o["status"] == "applied"))
' "$1"
}
is "MBR: operations applied" "$(applied mbr.json)" "xfs:/dev/sdb3"
is "GPT: operations applied" "$(applied gpt.json)" \
  "lvm-pv:/dev/sdb2 ext:/dev/vg0/lv0"

# ---- 4. read-back of both outputs (one launch) --------------------------
guestfish --ro --format=raw -a mbr-out.img --format=qcow2 -a gpt-out.img > rb.log 2>&1 <<'EOF'
run
echo MBR-PARTS
part-list /dev/sda
echo MBR-BOOTABLE
part-get-bootable /dev/sda 1
echo MBR-TYPES
vfs-type /dev/sda1
vfs-type /dev/sda2
vfs-type /dev/sda3
echo MBR-LABELS
vfs-label /dev/sda1
vfs-label /dev/sda2
vfs-uuid /dev/sda2
echo MBR-SUMS
mount-ro /dev/sda1 /
checksum sha256 /blob1
cat /hello
umount /
mount-ro /dev/sda3 /
checksum sha256 /blob2
echo MBR-XFS
statvfs /
umount /
echo GPT-PARTS
part-list /dev/sdb
echo GPT-META
part-get-name /dev/sdb 1
part-get-gpt-type /dev/sdb 2
part-get-disk-guid /dev/sdb
echo GPT-PV
pvs-full
echo GPT-LV
lvs-full
echo GPT-SUMS
mount-ro /dev/sdb1 /
checksum sha256 /blob1
umount /
mount-ro /dev/vg0/lv0 /
checksum sha256 /blob3
cat /lvfile
echo GPT-LVFS
statvfs /
umount /
echo END
EOF
is "read-back: one guestfish launch, every filesystem mounts" "$?" 0
section () { sed -n "/^$1\$/,/^[A-Z-]*\$/p" rb.log | sed '1d;$d'; }
field () { section "$1" | sed -n "s/^ *$2: //p"; }

is "MBR: partition starts as planned" "$(field MBR-PARTS part_start | tr '\n' ' ')" \
  "1048576 68157440 101711872 "
is "MBR: partition sizes as planned" "$(field MBR-PARTS part_size | tr '\n' ' ')" \
  "67108864 33554432 970719232 "
is "MBR: partition 1 still bootable" "$(section MBR-BOOTABLE)" true
is "MBR: contents" "$(section MBR-TYPES | tr '\n' ' ')" "ext4 swap xfs "
is "MBR: ext4 label kept" "$(section MBR-LABELS | sed -n 1p)" mbrroot
is "MBR: swap label kept" "$(section MBR-LABELS | sed -n 2p)" myswap
is "MBR: swap UUID kept" "$(section MBR-LABELS | sed -n 3p)" "$swap_uuid"
is "MBR: /blob1 on ext4 unchanged" "$(section MBR-SUMS | sed -n 1p)" "$(sum blob1)"
is "MBR: /hello on ext4 unchanged" "$(section MBR-SUMS | sed -n 2p)" \
  "hello from mbr root"
is "MBR: /blob2 on xfs unchanged" "$(section MBR-SUMS | sed -n 3p)" "$(sum blob2)"
xfs_bytes=$(( $(field MBR-XFS bsize) * $(field MBR-XFS blocks) ))
ok "MBR: xfs grew past 800 MiB (was 320 MiB): $xfs_bytes" \
  test "$xfs_bytes" -gt $((800 * 1024 * 1024))

is "GPT: partition starts as planned" "$(field GPT-PARTS part_start | tr '\n' ' ')" \
  "1048576 68157440 "
is "GPT: partition sizes as planned" "$(field GPT-PARTS part_size | tr '\n' ' ')" \
  "67108864 350027776 "
is "GPT: partition name kept" "$(section GPT-META | sed -n 1p)" boot
is "GPT: partition type kept" "$(section GPT-META | sed -n 2p)" \
  E6D6D379-F507-44C2-A23C-238F2A3DF928
is "GPT: disk GUID kept" "$(section GPT-META | sed -n 3p)" "$gpt_guid"
pv_size=$(field GPT-PV pv_size)
ok "GPT: PV grown to its partition: $pv_size" \
  test "$pv_size" -gt $((330 * 1024 * 1024))
lv_size=$(field GPT-LV lv_size)
ok "GPT: LV grown to the VG (was 64 MiB): $lv_size" \
  test "$lv_size" -gt $((320 * 1024 * 1024))
is "GPT: /blob1 on ext4 unchanged" "$(section GPT-SUMS | sed -n 1p)" "$(sum blob1)"
is "GPT: /blob3 on the LV unchanged" "$(section GPT-SUMS | sed -n 2p)" "$(sum blob3)"
is "GPT: /lvfile unchanged" "$(section GPT-SUMS | sed -n 3p)" "on the lv"
lvfs_bytes=$(( $(field GPT-LVFS bsize) * $(field GPT-LVFS blocks) ))
ok "GPT: LV's ext4 grew past 280 MiB (was 64 MiB): $lvfs_bytes" \
  test "$lvfs_bytes" -gt $((280 * 1024 * 1024))

# Failures without a launch: exit 2, one line, OUT untouched.
goldsmith resize mbr.img mbr-out.img --output-size 200% > /dev/null 2> e1
is "--output-size onto an existing OUT: exit 2" "$?" 2
is "... one line" "$(wc -l < e1)" 1
goldsmith resize mbr.img mbr.img > /dev/null 2> e2
is "IN = OUT: exit 2" "$?" 2
ok "... says so" grep -q "same disk" e2
goldsmith resize mbr.img missing.img > /dev/null 2> e3
is "OUT missing without --output-size: exit 2" "$?" 2
ok "... no OUT created" test ! -e missing.img
goldsmith resize nothere.img out.img --output-size 1G > /dev/null 2> e4
is "IN missing: exit 2" "$?" 2
ok "... no OUT created" test ! -e out.img
printf 'QFI\xfb\0\0\0\3' > corrupt.img; truncate -s 4096 corrupt.img
goldsmith resize corrupt.img out.img --output-size 1G > /dev/null 2> e5
is "corrupt IN: exit 2" "$?" 2
ok "... no OUT created" test ! -e out.img
diag "allocated KiB: mbr IN $(du -k mbr.img | cut -f1) OUT $(du -k mbr-out.img | cut -f1); gpt IN $(du -k gpt.img | cut -f1) OUT $(du -k gpt-out.img | cut -f1)"
done_testing
