#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith sparsify: every refusal that needs no appliance.  Each is
# one line naming the option or file, exit status 2, and leaves IN
# byte-identical and no OUT behind.
source "$(dirname "$0")/../functions.sh"

tmp="$builddir/tests/tmp/sparsify-args"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"

in="$tmp/in.img"
truncate -s 64M "$in"
printf 'some bytes' | dd of="$in" conv=notrunc status=none
in_sum=$(sha256sum < "$in")
: > "$tmp/exists.img"
printf 'QFI\xfb\x00\x00\x00\x03garbage' > "$tmp/corrupt.qcow2"
truncate -s 4096 "$tmp/corrupt.qcow2"
mkdir "$tmp/ro"; chmod 0555 "$tmp/ro"

plan 22

expect "no OUT" "give exactly two disks: IN OUT" \
  goldsmith sparsify "$in"
expect "three disks" "give exactly two disks: IN OUT" \
  goldsmith sparsify "$in" "$tmp/a" "$tmp/b"
expect "missing IN" "missing.img: No such file" \
  goldsmith sparsify "$tmp/missing.img" "$tmp/out.img"
expect "corrupt IN" "corrupt.qcow2: not a valid qcow2 disk image" \
  goldsmith sparsify "$tmp/corrupt.qcow2" "$tmp/out.img"
expect "IN = OUT" "IN and OUT are the same file" \
  goldsmith sparsify "$in" "$tmp/../sparsify-args/in.img"
expect "existing OUT" "exists.img: already exists \\(remove it, or give --overwrite\\)" \
  goldsmith sparsify "$in" "$tmp/exists.img"
expect "OUT a character device" "/dev/null: OUT is a character device" \
  goldsmith sparsify "$in" /dev/null
expect "--compress to raw" "--compress: only a qcow2 output can be compressed" \
  goldsmith sparsify --compress "$in" "$tmp/out.img"
expect "unknown --convert" "--convert qcow9: not an output format" \
  goldsmith sparsify --convert qcow9 "$in" "$tmp/out.img"
expect "bad -o" "-o nosuch=1: qemu-img rejects it for raw" \
  goldsmith sparsify -o nosuch=1 "$in" "$tmp/out.img"
expect "missing --tmp" "--tmp $tmp/nodir: no such directory" \
  goldsmith sparsify --tmp "$tmp/nodir" "$in" "$tmp/out.img"
if [ "$(id -u)" = 0 ]; then
  # root writes anywhere: a file stands in for an unusable --tmp.
  expect "--tmp not a directory" "--tmp $tmp/exists.img: not a directory" \
    goldsmith sparsify --tmp "$tmp/exists.img" "$in" "$tmp/out.img"
else
  expect "unwritable --tmp" "--tmp $tmp/ro: not writable" \
    goldsmith sparsify --tmp "$tmp/ro" "$in" "$tmp/out.img"
fi
expect "--check-tmpdir nonsense" "--check-tmpdir maybe: expected ignore, continue, warn or fail" \
  goldsmith sparsify --check-tmpdir maybe "$in" "$tmp/out.img"
expect "--in-place with --convert" "--convert is for copying mode" \
  goldsmith sparsify --in-place --convert qcow2 "$in"
expect "--in-place with two disks" "--in-place takes exactly one disk" \
  goldsmith sparsify --in-place "$in" "$tmp/out.img"
expect "unknown operation" "no-such-op" \
  goldsmith sparsify --operations -no-such-op "$in" "$tmp/out.img"

# A format qemu cannot discard on: exit 3, before any launch.
qemu-img create -q -f vmdk "$tmp/disk.vmdk" 64M
vmdk_sum=$(sha256sum < "$tmp/disk.vmdk")
goldsmith sparsify --in-place "$tmp/disk.vmdk" > /dev/null 2> "$tmp/vmdk.err"
is "--in-place on vmdk: exit status 3" "$?" 3
is "--in-place on vmdk: one line" "$(cat "$tmp/vmdk.err")" \
  "goldsmith: error: $tmp/disk.vmdk: a vmdk image cannot discard: in-place sparsify is impossible (use copying mode)"
is "--in-place on vmdk: image byte-identical" \
  "$(sha256sum < "$tmp/disk.vmdk")" "$vmdk_sum"

# A dry run checks -o in the temp dir too (it once probed
# "(null)/goldsmith-opts-PID.img" and refused every -o): a valid -o
# passes, and the run goes on to its launch (here a stand-in that
# fails: exit status 1, not a refusal).
env -u TMPDIR LIBGUESTFS_HV=/bin/false goldsmith sparsify -n \
  --convert qcow2 -o compat=1.1 "$in" "$tmp/out.img" > /dev/null 2> "$tmp/o.err"
is "dry run with a valid -o: not refused (exit status 1: the stand-in launch)" \
   "$?|$(grep -c 'rejects it' "$tmp/o.err")" "1|0"

is "IN is byte-identical" "$(sha256sum < "$in")" "$in_sum"
ok "no OUT was left behind" test -z "$(ls "$tmp" | grep -e '^out\.img' -e goldsmith-)"
