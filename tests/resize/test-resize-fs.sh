#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith resize grows btrfs and NTFS.  The guest (MBR: 1 btrfs,
# 2 NTFS, each holding a file) is made entirely on the host (sfdisk,
# mkfs.btrfs --rootdir, mkntfs and ntfscp: no launch) and checked on
# the host the same way (btrfs inspect-internal and restore, ntfsinfo
# and ntfscat on the partitions cut out of OUT), so the only launch is
# the resize itself, which grows both: --resize sda1=+200M (the kernel
# refuses to resize a btrfs to less than 256 MiB) and --expand sda2.
# Both filesystems' tools are dependencies of libguestfs; where the
# appliance lacks one anyway (the plan says so) its checks are skipped,
# except under CI.
source "$(dirname "$0")/../functions.sh"

tmp="$builddir/tests/tmp/resize-fs"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
cd "$tmp" || bail "cd $tmp"
sum () { sha256sum "$1" | cut -d' ' -f1; }
mib=$((1024 * 1024))

mkdir root
head -c 400000 /dev/urandom > root/blob
echo "on btrfs" > root/note
truncate -s 128M b.fs
truncate -s 64M n.fs
{ mkfs.btrfs -q --rootdir root b.fs &&
  mkntfs -q -F -Q -p 264192 -H 255 -S 63 n.fs &&
  ntfscp n.fs root/blob /blob; } > mkfs.log 2>&1 ||
  skip_all "cannot make btrfs (--rootdir) or NTFS (mkntfs, ntfscp) here"
truncate -s 256M in.img
printf '%s\n' 'label: dos' \
  '1: start=2048, size=262144, type=83' \
  '2: start=264192, size=131072, type=7' | sfdisk -q in.img ||
  bail "sfdisk cannot partition a file"
dd if=b.fs of=in.img bs=512 seek=2048 conv=notrunc,sparse status=none
dd if=n.fs of=in.img bs=512 seek=264192 conv=notrunc,sparse status=none
rm b.fs n.fs
in_sum=$(sum in.img)

goldsmith resize in.img out.img --output-size 640M --resize sda1=+200M \
  --expand sda2 --json > out.json 2> err
rc=$?
if [ "$rc" = 1 ] && grep -q "error:.*\(launch\|qemu\|appliance\)" err && [ "$CI" != true ]; then
  skip_all "the appliance cannot launch here"
fi
# What the appliance can grow, from the plan: "btrfs ntfs" normally.
growable=$(python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["plan"]["partitions"]
print(" ".join(x["content"] for x in p
               if x["expand_method"] and not x["content_unexpandable"]))
' out.json 2>/dev/null)
plan 13
is "resize: exit status 0" "$rc" 0
is "IN unchanged" "$(sum in.img)" "$in_sum"
if [ "$growable" != "btrfs ntfs" ] && [ "$CI" != true ]; then
  diag "the appliance can grow only '$growable': btrfs/NTFS checks skipped"
  for i in $(seq 11); do skip_one "btrfs/ntfs check $i" "the appliance lacks btrfs or ntfs"; done
  done_testing
fi
is "the plan grows both (the appliance has both tools)" "$growable" \
  "btrfs ntfs"
is "operations applied" "$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(o["name"] + ":" + ",".join(p["path"] for p in o["paths"])
               for o in r["operations"] if o["status"] == "applied"))
' out.json)" "btrfs:/dev/sdb1 ntfs:/dev/sdb2"

# The partitions of OUT, "NUM START SIZE" in sectors, as sfdisk reads
# them.  By hand (docs/resize-plan.md): 1 asks 128 + 200 MiB = 671744
# sectors from 2048, the next aligned start is 673792; overhead
# 512 * (4096 + 128 * 3 + 64) = 2326528, surplus 671088640 - 411041792
# - 2326528 = 257720320, so 2 asks 324829184 bytes (634432 sectors) and
# ends before the next aligned start, 1308288: 634496 sectors.
parts=$(sfdisk --json out.img | python3 -c '
import json, sys
for p in json.load(sys.stdin)["partitiontable"]["partitions"]:
    print(p["node"][-1], p["start"], p["size"])
')
is "OUT has partitions 1 and 2" "$(echo "$parts" | cut -d' ' -f1 | tr '\n' ' ')" "1 2 "
read -r _ s1 n1 <<< "$(echo "$parts" | sed -n 1p)"
read -r _ s2 n2 <<< "$(echo "$parts" | sed -n 2p)"
is "partition 1 grew by 200 MiB" "$s1 $n1" "2048 671744"
is "partition 2 takes the rest, as planned" "$s2 $n2" "673792 634496"
dd if=out.img of=p1 bs=512 skip="$s1" count="$n1" status=none
dd if=out.img of=p2 bs=512 skip="$s2" count="$n2" status=none

btrfs_bytes=$(btrfs inspect-internal dump-super p1 2>/dev/null |
  sed -n 's/^total_bytes[[:space:]]*//p')
is "btrfs fills its partition" "$btrfs_bytes" $((n1 * 512))
mkdir restored
btrfs restore p1 restored > restore.log 2>&1
is "btrfs: /blob unchanged" "$(sum restored/blob 2>/dev/null)" "$(sum root/blob)"
is "btrfs: /note unchanged" "$(cat restored/note 2>/dev/null)" "on btrfs"

clusters=$(ntfsinfo -f -m p2 2>/dev/null | sed -n 's/.*Volume Size in Clusters: //p')
csize=$(ntfsinfo -f -m p2 2>/dev/null | sed -n 's/.*Cluster Size: //p')
ok "NTFS grew to its partition (was 64 MiB): $clusters x $csize bytes" \
  test -n "$clusters" -a $(( ${clusters:-0} * ${csize:-0} )) -gt $((250 * mib)) \
  -a $(( ${clusters:-0} * ${csize:-0} )) -le $((n2 * 512))
is "NTFS: /blob unchanged" "$(ntfscat -f p2 /blob 2>/dev/null | sha256sum | cut -d' ' -f1)" \
  "$(sum root/blob)"
ok "OUT is sparse (allocated < 20% of its size)" \
  test $(( $(stat -c %b out.img) * 512 * 5 )) -lt $(stat -c %s out.img)
done_testing
