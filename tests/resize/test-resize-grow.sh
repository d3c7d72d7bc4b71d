#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith resize, end to end, on two guests whose partition numbers
# have gaps, which are kept:
#  * MBR (raw OUT): 1 ext4 bootable, no 2, 3 extended holding logical
#    5 swap (label, UUID) and 6 xfs; --expand /dev/sda6, the last
#    logical partition, so the extended partition grows with it;
#  * GPT like an Ubuntu cloud image (qcow2 OUT): in disk order 14 BIOS
#    boot, 15 ext4 named "boot", 1 LVM PV (VG vg0, LV lv0 ext4);
#    --expand sda1 and --lv-expand /dev/vg0/lv0.
# Both are copied to a disk twice their size.  The tables, GUIDs
# included, are made on the host (sfdisk, sgdisk: no launch).  Four
# launches: the contents (one guestfish), the two resizes, one read-back
# of both outputs.  Checked: every filesystem mounts, file checksums are
# unchanged, the partitions have their old numbers and are where and as
# big as the plan (--json) said, on the host
# (sfdisk --json; sgdisk -v checks both GPT headers and CRCs), the
# filesystems, PV and LV grew, swap kept its UUID and label, the GPT
# keeps names, types, partition and disk GUIDs, the MBR its disk
# signature and bootable flag, OUT is sparse, IN is unchanged.
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
disk_guid=6E1D4C2B-3A59-4F68-9B7C-0D1E2F3A4B5C
guid14=1B2C3D4E-5F60-4718-8293-A4B5C6D7E8F9
guid15=2C3D4E5F-6071-4829-93A4-B5C6D7E8F9A0
guid1=3D4E5F60-7182-493A-A4B5-C6D7E8F9A0B1
lvm_type=E6D6D379-F507-44C2-A23C-238F2A3DF928
bios_type=21686148-6449-6E6F-744E-656564454649
linux_type=0FC63DAF-8483-4772-8E79-3D69D8477DE4

# ---- 1. the guests: tables on the host, contents in one launch ----------
# MBR, 512 MiB (XFS needs 300 MB; the images are sparse).
truncate -s 512M mbr.img
printf '%s\n' 'label: dos' 'label-id: 0x5eed1e55' \
  '1: start=2048, size=131072, type=83, bootable' \
  '3: start=133120, size=724992, type=5' \
  '5: start=135168, size=65536, type=82' \
  '6: start=202752, size=655360, type=83' | sfdisk -q mbr.img ||
  bail "sfdisk cannot partition a file"
# GPT, 200 MiB: Ubuntu's numbers, 14 and 15 before 1 on the disk.
truncate -s 200M gpt.img
sgdisk -U "$disk_guid" \
  -n 14:2048:10239 -t 14:"$bios_type" -c 14:bios -u 14:"$guid14" \
  -n 15:10240:141311 -t 15:"$linux_type" -c 15:boot -u 15:"$guid15" \
  -n 1:141312:407551 -t 1:"$lvm_type" -c 1:lvm -u 1:"$guid1" \
  gpt.img > sgdisk.log 2>&1 || { cat sgdisk.log; bail "sgdisk failed"; }

guestfish --format=raw -a mbr.img -a gpt.img > build.log 2>&1 <<EOF
run
echo PARTS
part-list /dev/sda
part-list /dev/sdb
mkfs ext4 /dev/sda1 label:mbrroot
mkswap /dev/sda5 label:myswap uuid:$swap_uuid
mkfs xfs /dev/sda6
mount /dev/sda1 /
upload blob1 /blob1
write /hello "hello from mbr root"
umount /
mount /dev/sda6 /
upload blob2 /blob2
umount /
mkfs ext4 /dev/sdb15
pvcreate /dev/sdb1
vgcreate vg0 /dev/sdb1
lvcreate lv0 vg0 64
mkfs ext4 /dev/vg0/lv0
mount /dev/vg0/lv0 /
upload blob3 /blob3
write /lvfile "on the lv"
umount /
mount /dev/sdb15 /
upload blob1 /blob1
umount /
EOF
rc=$?
if [ "$rc" != 0 ]; then
  sed 's/^/# /' build.log
  [ "$CI" = true ] && bail "cannot build the guests (appliance?)"
  skip_all "cannot build the guests (no working appliance?)"
fi
plan 27
is "build: one guestfish launch" "$rc" 0
is "build: libguestfs sees the numbers 1 3 5 6 and 14 15 1 (disk order)" \
  "$(sed -n 's/^ *part_num: //p' build.log | tr '\n' ' ')" "1 3 5 6 14 15 1 "
mbr_sum=$(sum mbr.img); gpt_sum=$(sum gpt.img)

# ---- 2. MBR: twice the size, --expand the last logical partition -------
t0=$(date +%s)
memcheck goldsmith resize mbr.img mbr-out.img --output-size 200% \
  --expand /dev/sda6 --json > mbr.json 2> mbr.err
is "MBR resize: exit status 0" "$?" 0
memcheck_ok "goldsmith resize"
diag "MBR resize: $(( $(date +%s) - t0 )) s"
is "MBR: IN unchanged" "$(sum mbr.img)" "$mbr_sum"
is "MBR: OUT is twice IN" "$(stat -c %s mbr-out.img)" $((2 * 512 * 1024 * 1024))
ok "MBR: OUT is sparse (allocated < 20% of its size)" \
  test $(( $(stat -c %b mbr-out.img) * 512 * 5 )) -lt $(stat -c %s mbr-out.img)
ok "MBR: no temporary file left" test -z "$(ls | grep goldsmith-)"

# ---- 3. GPT: twice the size, --expand the PV, --lv-expand the LV -------
t0=$(date +%s)
goldsmith resize gpt.img gpt-out.img --output-size 200% --expand sda1 \
  --output-format qcow2 --lv-expand /dev/vg0/lv0 --json --progress-fd 3 \
  > gpt.json 2> gpt.err 3> gpt.progress
is "GPT resize: exit status 0" "$?" 0
# --progress-fd: the run's start and end, its launch, and each content
# operation as the report lists it; copies (if long enough to report)
# never past their total.
is "GPT resize: progress events as the report says" \
   "$(python3 - gpt.json gpt.progress <<'PY' 2>&1 | tail -2
import json, sys
r = json.load(open(sys.argv[1]))
ev = [json.loads(l) for l in open(sys.argv[2])]
k = [e["event"] for e in ev]
assert k[0] == "image-start" and k[-1] == "image-done", k
assert ev[-1]["exit_status"] == 0 and ev[0]["tool"] == "resize", ev[-1]
assert k.count("launch") == k.count("launched") == 1, k
ops = [(o["name"], o["status"]) for o in r["operations"]]
got = [(e["operation"], e["status"]) for e in ev if e["event"] == "operation"]
assert ops == got and ops, (ops, got)
assert all(0 <= e["bytes"] <= e["total"] for e in ev if e["event"] == "copy")
print("ok")
PY
)" ok
diag "GPT resize: $(( $(date +%s) - t0 )) s"
is "GPT: IN unchanged" "$(sum gpt.img)" "$gpt_sum"
is "GPT: OUT is a qcow2 twice IN" \
  "$(qemu-img info --output=json gpt-out.img | python3 -c '
import json, sys; i = json.load(sys.stdin); print(i["format"], i["virtual-size"])')" \
  "qcow2 $((2 * 200 * 1024 * 1024))"

# The plan, from --json: "NUM START SIZE METHOD" per created partition,
# in disk order.  Worked out by hand (docs/resize-plan.md):
#  MBR: overhead 512 * (4096 + 128 * 3 + 64) = 2326528; surplus
#   1073741824 - (67108864 + 371195904) - 2326528 = 633110528; the
#   extended partition asks 1004306432 bytes from sector 133120, so it
#   ends before the next aligned start, 2094720; 6 ends with it, as it
#   did; 5 and 6 keep their offsets in it.
#  GPT: overhead 512 * (4096 + 128 * 4 + 64) = 2392064; surplus
#   419430400 - 207618048 - 2392064 = 209420288; 1 asks 345735168 bytes
#   from sector 141312: it ends before the aligned 816640.
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
3 68157440 1004339200 None
5 69206016 33554432 None
6 103809024 968687616 xfs_growfs"
is "GPT plan" "$(plan_of gpt.json)" \
"14 1048576 4194304 None
15 5242880 67108864 None
1 72351744 345767936 pvresize"
applied () {
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(o["name"] + ":" + ",".join(p["path"] for p in o["paths"])
               for o in r["operations"] if o["status"] == "applied"))
' "$1"
}
is "MBR: operations applied" "$(applied mbr.json)" "xfs:/dev/sdb6"
is "GPT: operations applied" "$(applied gpt.json)" \
  "lvm-pv:/dev/sdb1 ext:/dev/vg0/lv0"

# ---- 4. the tables on the host (no launch) ------------------------------
# The label and its id, then "NUM START SIZE TYPE UUID NAME BOOTABLE"
# per partition (sectors), as sfdisk reads a raw image.
table () {
  sfdisk --json "$1" | python3 -c '
import json, re, sys
t = json.load(sys.stdin)["partitiontable"]
print(t["label"], t["id"])
for p in t["partitions"]:
    n = re.search(r"(\d+)$", p["node"]).group(1)
    print(n, p["start"], p["size"], p["type"], p.get("uuid", "-"),
          p.get("name", "-"), p.get("bootable", False))
'
}
is "MBR on the host: numbers, starts, sizes, types, disk id as planned" \
  "$(table mbr-out.img)" \
"dos 0x5eed1e55
1 2048 131072 83 - - True
3 133120 1961600 5 - - False
5 135168 65536 82 - - False
6 202752 1891968 83 - - False"
qemu-img convert -O raw gpt-out.img gpt-out.raw
is "GPT on the host: numbers, starts, sizes, types, GUIDs, names as planned" \
  "$(table gpt-out.raw)" \
"gpt $disk_guid
1 141312 675328 $lvm_type $guid1 lvm False
14 2048 8192 $bios_type $guid14 bios False
15 10240 131072 $linux_type $guid15 boot False"
sgdisk -v gpt-out.raw > sgdisk-v.log 2>&1
ok "GPT on the host: sgdisk -v finds no problem (both headers, CRCs)" \
  grep -q "No problems found" sgdisk-v.log
is "GPT on the host: the backup table ends OUT (last usable LBA)" \
  "$(sfdisk --json gpt-out.raw | python3 -c '
import json, sys; print(json.load(sys.stdin)["partitiontable"]["lastlba"])')" \
  $(( 2 * 200 * 2048 - 34 ))
rm -f gpt-out.raw

# ---- 5. read-back of both outputs (one launch) --------------------------
guestfish --ro --format=raw -a mbr-out.img --format=qcow2 -a gpt-out.img > rb.log 2>&1 <<'EOF'
run
echo MBR-TYPES
vfs-type /dev/sda1
vfs-type /dev/sda5
vfs-type /dev/sda6
echo MBR-LABELS
vfs-label /dev/sda1
vfs-label /dev/sda5
vfs-uuid /dev/sda5
echo MBR-SUMS
mount-ro /dev/sda1 /
checksum sha256 /blob1
cat /hello
umount /
mount-ro /dev/sda6 /
checksum sha256 /blob2
echo MBR-XFS
statvfs /
umount /
echo GPT-BLKID
vfs-type /dev/sdb15
vfs-type /dev/sdb1
echo GPT-PV
pvs-full
echo GPT-LV
lvs-full
echo GPT-SUMS
mount-ro /dev/sdb15 /
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

# (Numbers, starts, sizes, types, GUIDs, names, the bootable flag:
# the host's tables above.)
is "MBR read back: ext4, swap, xfs; labels and the swap UUID kept; the files on ext4 and the logical xfs unchanged" \
  "$(section MBR-TYPES | xargs) | $(section MBR-LABELS | xargs) | $(section MBR-SUMS | xargs)" \
  "ext4 swap xfs | mbrroot myswap $swap_uuid | $(sum blob1) hello from mbr root $(sum blob2)"
xfs_bytes=$(( $(field MBR-XFS bsize) * $(field MBR-XFS blocks) ))
ok "MBR: the logical xfs grew past 800 MiB (was 320 MiB): $xfs_bytes" \
  test "$xfs_bytes" -gt $((800 * 1024 * 1024))

is "GPT read back: /dev/sdb15 is ext4, /dev/sdb1 the PV; the files on ext4 and on the LV unchanged" \
  "$(section GPT-BLKID | xargs) | $(section GPT-SUMS | xargs)" \
  "ext4 LVM2_member | $(sum blob1) $(sum blob3) on the lv"
pv_size=$(field GPT-PV pv_size)
ok "GPT: PV grown to its partition (was 130 MiB): $pv_size" \
  test "$pv_size" -gt $((320 * 1024 * 1024))
lv_size=$(field GPT-LV lv_size)
ok "GPT: LV grown to the VG (was 64 MiB): $lv_size" \
  test "$lv_size" -gt $((320 * 1024 * 1024))
lvfs_bytes=$(( $(field GPT-LVFS bsize) * $(field GPT-LVFS blocks) ))
ok "GPT: LV's ext4 grew past 280 MiB (was 64 MiB): $lvfs_bytes" \
  test "$lvfs_bytes" -gt $((280 * 1024 * 1024))

# Refusals (OUT exists, IN = OUT, OUT missing without --output-size,
# IN missing, a corrupt IN) are rows of tests/refusals.txt: one line,
# exit status 2, no OUT created, inputs byte-identical.
diag "allocated KiB: mbr IN $(du -k mbr.img | cut -f1) OUT $(du -k mbr-out.img | cut -f1); gpt IN $(du -k gpt.img | cut -f1) OUT $(du -k gpt-out.img | cut -f1)"
done_testing
