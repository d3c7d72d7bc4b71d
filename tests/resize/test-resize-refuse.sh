#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith resize refuses, before OUT is touched, a target that is too
# small (exit 2, the planner's exact minimum in the one-line message)
# and, with --unknown-filesystems error, a partition to grow whose
# filesystem (vfat) no resize operation can grow; --dry-run --json
# prints the plan and creates nothing.  The guest (MBR: ext4, vfat) is
# made on the host with sfdisk and mkfs (no launch).  Two launches: the
# too-small OUT is refused from the table read on the host.
# (A GPT numbered 1, 3 was refused here until kept numbers with gaps
# worked: test-resize-grow.sh resizes one numbered 14, 15, 1 now.)
source "$(dirname "$0")/../functions.sh"

tmp="$builddir/tests/tmp/resize-refuse"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
cd "$tmp" || bail "cd $tmp"
sum () { sha256sum "$1" | cut -d' ' -f1; }

truncate -s 64M in.img
printf 'label: dos\nstart=2048, size=40960, type=83\nstart=43008, size=86016, type=c\n' |
  sfdisk -q in.img || skip_all "sfdisk cannot partition a file"
mkfs.ext4 -q -F -E offset=1048576 in.img 20M >/dev/null 2>&1 &&
  mkfs.fat --offset=43008 in.img 43008 >/dev/null 2>&1 ||
  skip_all "mkfs.ext4 -E offset / mkfs.fat --offset unavailable"
in_sum=$(sum in.img)
plan 4

# 1. An existing OUT that is too small: partitions need 62 MiB + 2.2 MiB.
truncate -s 40M small.img
printf 'not a disk' | dd of=small.img conv=notrunc status=none
small_sum=$(sum small.img)
goldsmith resize in.img small.img > out1 2> err1
rc=$?
if [ "$rc" = 1 ] && grep -q "error:.*\(launch\|qemu\|appliance\)" err1 && [ "$CI" != true ]; then
  skip_all "the appliance cannot launch here"
fi
is "OUT too small: exit 2, one error line giving the exact minimum (67338240 bytes), OUT untouched" \
   "$rc $(grep -c 'error\|deficit\|minimum' err1) $(grep -c 'at least 67338240 bytes' err1) $(sum small.img)" \
   "2 1 1 $small_sum"

# 2. --expand a vfat partition with --unknown-filesystems error.
goldsmith resize in.img new.img --output-size 128M --expand /dev/sda2 \
  --unknown-filesystems error > out2 2> err2
is "unknown filesystem, error: exit 2, names the vfat partition, no OUT created, no temporary left" \
   "$? $(grep -c 'partition 2.*vfat' err2) $(ls | grep -c new.img)" "2 1 0"

# 3. --dry-run --json: the plan, nothing written.
goldsmith resize in.img new.img --output-size 128M --expand /dev/sda2 \
  --dry-run --json > plan.json 2> err3
is "dry run: exit 0, the plan leaves vfat unexpanded (warned), no extra partition, no OUT created" \
  "$? $(python3 -c '
import json, sys
p = json.load(open("plan.json"))["plan"]
print([(x["new_number"], x["action"], x["content"], x["content_unexpandable"])
       for x in p["partitions"]], p["extra_partition"])') $(ls | grep -c new.img)" \
  "0 [(1, 'copy', 'ext4', False), (2, 'expand', 'vfat', True)] none 0"
is "IN unchanged by all three" "$(sum in.img)" "$in_sum"

done_testing
