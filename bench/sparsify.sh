#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/sparsify.sh [RUNS]: goldsmith sparsify against virt-sparsify,
# copying mode, on the same input: a raw 640 MiB disk (GPT) with an
# ext4 of 512 MiB holding 20 MiB of files and 300 MiB of deleted data,
# a 32 MiB swap full of old pages and a 64 MiB vfat with 32 MiB
# deleted, built on the host (mke2fs -d, debugfs, mtools).  Prints the
# wall-clock seconds of each, the time ratio, the allocated sizes of
# the two outputs and their ratio, and how many 4 KiB blocks of the two
# outputs differ.  Run from a built tree, holding the
# appliance lock: flock /tmp/goldsmith-appliance.lock ./run bash bench/sparsify.sh
set -eu
source "$(dirname "$0")/../tests/functions.sh"
trap - EXIT
runs="${1:-1}"
tmp="$builddir/bench/tmp-sparsify"
mkdir -p "$tmp"
command -v virt-sparsify >/dev/null || { echo "virt-sparsify not installed (apt-get install guestfs-tools)"; exit 2; }

if [ ! -f "$tmp/in.img" ]; then
  rm -rf "$tmp/src"; mkdir -p "$tmp/src/root/keep"
  head -c 20M /dev/urandom > "$tmp/src/root/keep/data"
  head -c 300M /dev/urandom > "$tmp/src/root/deleted"
  truncate -s 640M "$tmp/in.img.tmp"
  sfdisk -q "$tmp/in.img.tmp" <<EOF
label: gpt
size=512MiB, type=linux
size=32MiB, type=swap
size=64MiB, type=linux
EOF
  mke2fs -q -F -t ext4 -d "$tmp/src/root" "$tmp/src/p1" 512M >/dev/null
  debugfs -w -R "rm /deleted" "$tmp/src/p1" >/dev/null 2>&1
  head -c 32M /dev/urandom > "$tmp/src/p2"
  mkswap -q -L benchswap "$tmp/src/p2" >/dev/null
  mkfs.vfat -C "$tmp/src/p3" 65536 >/dev/null
  head -c 32M /dev/urandom > "$tmp/src/fat-deleted"
  mcopy -i "$tmp/src/p3" "$tmp/src/fat-deleted" ::
  mdel -i "$tmp/src/p3" ::fat-deleted
  n=0
  sfdisk -J "$tmp/in.img.tmp" | python3 -c '
import json, sys
for p in json.load(sys.stdin)["partitiontable"]["partitions"]:
    print(p["start"] * 512)' | while read -r start; do
    n=$((n + 1))
    dd if="$tmp/src/p$n" of="$tmp/in.img.tmp" bs=1M seek=$((start / 1048576)) \
       conv=notrunc,sparse status=none
  done
  rm -rf "$tmp/src"
  mv "$tmp/in.img.tmp" "$tmp/in.img"
fi

timeit () { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

g_total=0; v_total=0
for i in $(seq "$runs"); do
  rm -f "$tmp/g.img" "$tmp/v.img"
  v=$(timeit virt-sparsify --format raw --check-tmpdir continue "$tmp/in.img" "$tmp/v.img")
  g=$(env -u LIBGUESTFS_BACKEND_SETTINGS bash -c "$(declare -f timeit); timeit goldsmith sparsify -q --format raw '$tmp/in.img' '$tmp/g.img'")
  echo "run $i: virt-sparsify ${v}s  goldsmith ${g}s"
  g_total=$(echo "$g_total + $g" | bc); v_total=$(echo "$v_total + $v" | bc)
done
ga=$(du -k "$tmp/g.img" | cut -f1); va=$(du -k "$tmp/v.img" | cut -f1)
printf 'mean: virt-sparsify %.1fs, goldsmith %.1fs, time ratio virt-sparsify/goldsmith = %.2f\n' \
  "$(echo "$v_total / $runs" | bc -l)" "$(echo "$g_total / $runs" | bc -l)" \
  "$(echo "$v_total / $g_total" | bc -l)"
printf 'allocated: input %d KiB, virt-sparsify %d KiB, goldsmith %d KiB, ratio goldsmith/virt-sparsify = %.2f\n' \
  "$(du -k "$tmp/in.img" | cut -f1)" "$va" "$ga" "$(echo "$ga / $va" | bc -l)"
# The same content: both only zeroed free space, so the outputs may
# differ only in metadata that mounting changes (superblock times,
# mount counts) and the swap header.
python3 - "$tmp/v.img" "$tmp/g.img" <<'PY'
import sys
a, b = (open(f, "rb") for f in sys.argv[1:3])
diff = 0
while True:
    x, y = a.read(1 << 20), b.read(1 << 20)
    if not x and not y:
        break
    diff += sum(1 for i in range(0, max(len(x), len(y)), 4096)
                if x[i:i+4096] != y[i:i+4096])
print(f"content: {diff} blocks of 4 KiB differ between the outputs"
      " (mount-time metadata)" if diff else "content: the outputs are identical")
PY
rm -f "$tmp/g.img" "$tmp/v.img"
