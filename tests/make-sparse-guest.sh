#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# make-sparse-guest.sh DIR host | DIR guestfish DEV: the sparsify
# tests' disk, sparse.img (raw, GPT, 200 MiB), full of deleted data.
#
# "host" builds everything the host's own tools can (in seconds, no
# appliance) and "guestfish DEV" prints the commands that add the LVM
# part, for make-phony-guests.sh's single launch, where the disk is
# DEV (/dev/sdc).  Offsets and checksums go to DIR/sparse.layout.
#
#   1  72 MiB ext4 "sp-root": keep/a.bin (2 MiB), keep/b.txt; a 40 MiB
#      file deleted (its blocks still hold the data)
#   2  16 MiB swap "gsswap", UUID fixed, full of old pages
#   3  48 MiB LVM PV, VG gsvg: LV data (ext4: keep.bin, gone.bin
#      deleted) and 12 MiB of free extents that held a removed LV
#   4  16 MiB vfat "GSFAT": keep.txt; an 8 MiB file deleted
#   5   8 MiB no filesystem, random bytes (for --zero)
#   6  16 MiB ext2: keep6.txt; an 8 MiB file deleted (for --ignore)
#   7 128 MiB btrfs: keep7.txt; free space full of random bytes (the
#      partition was, before mkfs)
#   8 300 MiB xfs, empty; free space random as for 7
#   9  32 MiB ntfs, empty; free space random as for 7
set -e
dir="$1"
src="$dir/sparse-src"
swap_uuid=5a5a5a5a-0000-4000-8000-000000000005

if [ "$2" = guestfish ]; then
  dev="$3"
  cat <<EOF
pvcreate ${dev}3
vgcreate gsvg ${dev}3
lvcreate data gsvg 24
lvcreate junk gsvg 12
upload $src/lv-junk.bin /dev/gsvg/junk
lvremove /dev/gsvg/junk
mkfs ext4 /dev/gsvg/data
mount /dev/gsvg/data /
upload $src/lv-keep.bin /keep.bin
upload $src/lv-gone.bin /gone.bin
sync
rm /gone.bin
umount-all
EOF
  exit 0
fi

rm -rf "$src" "$dir/sparse.img.tmp"
mkdir -p "$src/p1/keep" "$src/p6"
rnd () { head -c "$2" /dev/urandom > "$1"; }
rnd "$src/p1/keep/a.bin" 2M
echo "kept on the root filesystem" > "$src/p1/keep/b.txt"
rnd "$src/p1/big.bin" 40M
rnd "$src/p6/junk6.bin" 8M
echo "kept on the ignored filesystem" > "$src/p6/keep6.txt"
echo "kept on FAT" > "$src/keep.txt"
rnd "$src/fat-junk.bin" 8M
rnd "$src/lv-junk.bin" 12M
rnd "$src/lv-keep.bin" 1M
rnd "$src/lv-gone.bin" 4M

img="$dir/sparse.img.tmp"
truncate -s 680M "$img"
sfdisk -q "$img" <<EOF
label: gpt
size=72MiB, type=linux
size=16MiB, type=swap
size=48MiB, type=lvm
size=16MiB, type=linux
size=8MiB, type=linux
size=16MiB, type=linux
size=128MiB, type=linux
size=300MiB, type=linux
size=32MiB, type=linux
EOF

# Each part is made in a file of its own and written at its offset,
# sparsely (as an image that was never zero-filled would be).
mke2fs -q -F -t ext4 -L sp-root -d "$src/p1" "$src/p1.img" 72M >/dev/null
debugfs -w -R "rm /big.bin" "$src/p1.img" >/dev/null 2>&1
rnd "$src/p2.img" 16M
mkswap -q -L gsswap -U "$swap_uuid" "$src/p2.img" >/dev/null
mkfs.vfat -n GSFAT -C "$src/p4.img" 16384 >/dev/null
mcopy -i "$src/p4.img" "$src/keep.txt" "$src/fat-junk.bin" ::
mdel -i "$src/p4.img" ::fat-junk.bin
rnd "$src/p5.img" 8M
mke2fs -q -F -t ext2 -d "$src/p6" "$src/p6.img" 16M >/dev/null
debugfs -w -R "rm /junk6.bin" "$src/p6.img" >/dev/null 2>&1
# mkfs writes its metadata only (-K: no discard, which on a file would
# punch the random bytes out): the rest keeps them.
mkdir -p "$src/p7"
echo "kept on btrfs" > "$src/p7/keep7.txt"
rnd "$src/p7.img" 128M
mkfs.btrfs -q -f -K -L gsbtrfs --rootdir "$src/p7" "$src/p7.img" >/dev/null
rnd "$src/p8.img" 300M
mkfs.xfs -q -f -K -L gsxfs "$src/p8.img"
rnd "$src/p9.img" 32M
mkntfs -q -F -Q -L gsntfs "$src/p9.img" >/dev/null 2>&1

: > "$dir/sparse.layout"
n=0
sfdisk -J "$img" | python3 -c '
import json, sys
for p in json.load(sys.stdin)["partitiontable"]["partitions"]:
    print(p["start"] * 512, p["size"] * 512)' |
while read -r start size; do
  n=$((n + 1))
  if [ -f "$src/p$n.img" ]; then
    dd if="$src/p$n.img" of="$img" bs=1M seek=$((start / 1048576)) \
       conv=notrunc,sparse status=none
  fi
  echo "p$n $start $size" >> "$dir/sparse.layout"
done
{
  echo "swap_uuid $swap_uuid"
  for f in p1/keep/a.bin p1/keep/b.txt keep.txt lv-keep.bin p6/keep6.txt; do
    echo "sha256 $f $(sha256sum < "$src/$f" | cut -d' ' -f1)"
  done
} >> "$dir/sparse.layout"
