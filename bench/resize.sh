#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/resize.sh [RUNS]: goldsmith resize against virt-resize on the
# same input: an MBR guest (ext4 64M bootable, swap 32M, xfs 320M with
# a few MB of data) grown to twice its size with --expand /dev/sda3.
# Prints wall-clock seconds of each, the time ratio and the ratio of
# the outputs' allocated sizes.  Run from a built tree, holding the
# appliance lock: flock /tmp/goldsmith-appliance.lock ./run bash bench/resize.sh
#
# 2026-11-25, 2 cores, TCG (KVM broken), one run: virt-resize 46.9 s
# (two launches: copy, then content), goldsmith 33.6 s (one launch):
# ratio 1.40; allocated: input 78156 KiB, virt-resize 12352 KiB,
# goldsmith 10592 KiB, ratio goldsmith/virt-resize 0.86.
set -eu
source "$(dirname "$0")/../tests/functions.sh"
trap - EXIT
runs="${1:-1}"
tmp="$builddir/bench/tmp-resize"
mkdir -p "$tmp"
command -v virt-resize >/dev/null || { echo "virt-resize not installed (apt-get install guestfs-tools)"; exit 2; }

if [ ! -f "$tmp/in.img" ]; then
  head -c 4000000 /dev/urandom > "$tmp/blob"
  guestfish -N "$tmp/in.img"=disk:512M >/dev/null <<FISH
part-init /dev/sda mbr
part-add /dev/sda p 2048 133119
part-add /dev/sda p 133120 198655
part-add /dev/sda p 198656 854015
part-set-bootable /dev/sda 1 true
mkfs ext4 /dev/sda1
mkswap /dev/sda2 label:swap
mkfs xfs /dev/sda3
mount /dev/sda1 /
upload $tmp/blob /blob
umount /
mount /dev/sda3 /
upload $tmp/blob /blob
umount /
FISH
fi

timeit () { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

g_total=0; v_total=0
for i in $(seq "$runs"); do
  rm -f "$tmp/g.img" "$tmp/v.img"
  truncate -s 1G "$tmp/v.img"
  v=$(timeit virt-resize --format raw --output-format raw --expand /dev/sda3 "$tmp/in.img" "$tmp/v.img")
  g=$(env -u LIBGUESTFS_BACKEND_SETTINGS bash -c "$(declare -f timeit); timeit goldsmith resize -q --format raw --output-size 1G --expand /dev/sda3 '$tmp/in.img' '$tmp/g.img'")
  echo "run $i: virt-resize ${v}s  goldsmith ${g}s"
  g_total=$(echo "$g_total + $g" | bc); v_total=$(echo "$v_total + $v" | bc)
done
ga=$(du -k "$tmp/g.img" | cut -f1); va=$(du -k "$tmp/v.img" | cut -f1)
printf 'mean: virt-resize %.1fs, goldsmith %.1fs, time ratio virt-resize/goldsmith = %.2f\n' \
  "$(echo "$v_total / $runs" | bc -l)" "$(echo "$g_total / $runs" | bc -l)" \
  "$(echo "$v_total / $g_total" | bc -l)"
printf 'allocated: input %d KiB, virt-resize %d KiB, goldsmith %d KiB, ratio goldsmith/virt-resize = %.2f\n' \
  "$(du -k "$tmp/in.img" | cut -f1)" "$va" "$ga" "$(echo "$ga / $va" | bc -l)"
rm -f "$tmp/g.img" "$tmp/v.img"
