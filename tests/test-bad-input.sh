#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input: one clear line naming the file, line or option, exit
# status 2, and the user's image left byte-identical.  No appliance is
# launched: every check happens before.
source "$(dirname "$0")/functions.sh"
plan 161

tmp="$builddir/tests/tmp/bad-input"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"

# Nothing here may launch the appliance: should a check come too late,
# the launch fails at once (exit status 1, another message) instead of
# costing 20 s and passing unnoticed.
export LIBGUESTFS_HV=/bin/false

# A small valid raw image whose bytes must never change.
truncate -s 1M "$tmp/good.img"
printf 'precious' | dd of="$tmp/good.img" conv=notrunc status=none
good_sum=$(sha256sum < "$tmp/good.img")


expect "missing image" "^goldsmith: error: $tmp/missing.img: No such file" \
  goldsmith sysprep -a "$tmp/missing.img"

printf 'QFI\xfb\x00\x00\x00\x03garbage' > "$tmp/corrupt.qcow2"
truncate -s 4096 "$tmp/corrupt.qcow2"
corrupt_sum=$(sha256sum < "$tmp/corrupt.qcow2")
expect "corrupt qcow2" "corrupt.qcow2: not a valid qcow2 disk image" \
  goldsmith sysprep -a "$tmp/corrupt.qcow2"
is "corrupt image untouched" "$(sha256sum < "$tmp/corrupt.qcow2")" "$corrupt_sum"

: > "$tmp/empty.img"
expect "empty image" "empty.img: too small to be a disk image" \
  goldsmith sysprep -a "$tmp/empty.img"

expect "--format after the last -a" "--format must come before" \
  goldsmith sysprep -a "$tmp/good.img" --format raw

expect "unknown operation" "--operations: 'no-such-op' is not a known operation" \
  goldsmith sysprep --operations defaults,no-such-op -a "$tmp/good.img"

expect "unknown option" "--frobnicate: unknown option" \
  goldsmith sysprep --frobnicate -a "$tmp/good.img"

printf '<domain><devices><disk type="file">\n<source file="x"/>\n</devic' \
  > "$tmp/bad.xml"
expect "malformed domain XML" "bad.xml:[0-9]+: not well-formed XML" \
  goldsmith sysprep --domxml "$tmp/bad.xml"

cat > "$tmp/net.xml" <<XML
<domain type='kvm'><name>n</name><devices>
  <disk type='network' device='disk'>
    <source protocol='nbd' name='x'/><target dev='vda'/>
  </disk>
</devices></domain>
XML
expect "network disk" 'net.xml:2: disk vda: disk type "network" is not supported' \
  goldsmith sysprep --domxml "$tmp/net.xml"

echo "<domain><name>d</name><devices/></domain>" > "$tmp/nodisk.xml"
expect "domain with no disks" "nodisk.xml: the domain has no disks" \
  goldsmith sysprep --domxml "$tmp/nodisk.xml"

expect "missing domain XML" "nope.xml: cannot open domain XML" \
  goldsmith sysprep --domxml "$tmp/nope.xml"

printf 'sysprep: {\n  logfiles: {\n    enabled = "yes";\n  };\n};\n' > "$tmp/type.conf"
expect "config: wrong type" "type.conf:3: sysprep.logfiles.enabled must be a boolean" \
  goldsmith sysprep --config "$tmp/type.conf" -a "$tmp/good.img"

printf 'sysprep: {\n  logfiles: {\n    colour = "blue";\n  };\n};\n' > "$tmp/key.conf"
expect "config: unknown key" 'key.conf:3: unknown key "colour" in sysprep.logfiles' \
  goldsmith sysprep --config "$tmp/key.conf" -a "$tmp/good.img"

printf 'sysprep: {\n  nonesuch: { enabled = true; };\n};\n' > "$tmp/op.conf"
expect "config: unknown operation" 'op.conf:2: unknown operation "sysprep.nonesuch"' \
  goldsmith sysprep --config "$tmp/op.conf" -a "$tmp/good.img"

printf 'appliance: {\n  accel = "warp";\n' > "$tmp/syntax.conf"
expect "config: syntax error" "syntax.conf:[0-9]+: " \
  goldsmith sysprep --config "$tmp/syntax.conf" -a "$tmp/good.img"

expect "--set with a bad value" 'appliance.accel must be "auto", "kvm" or "tcg"' \
  goldsmith sysprep --set appliance.accel=warp -a "$tmp/good.img"

# A plugin built for another ABI version is refused before any of its
# code runs, naming the file and both versions.
mkdir -p "$tmp/plugins"
cat > "$tmp/abi99.c" <<'C'
#include <stdint.h>
struct entry { uint32_t abi, size; const char *v; const void *ops; };
__attribute__((visibility ("default")))
const struct entry gs_plugin_entry = { 99, 64, "future", 0 };
C
cc -shared -fPIC -o "$tmp/plugins/abi99.so" "$tmp/abi99.c"
GOLDSMITH_PLUGIN_PATH="$tmp/plugins" expect "wrong-ABI plugin" \
  "abi99.so: plugin ABI version 99, but this goldsmith needs ABI version 1" \
  goldsmith sysprep -a "$tmp/good.img"

# libvirt's test driver: its default domain "test" is running.
expect "running libvirt domain" "-d test: the domain is running" \
  goldsmith sysprep -c test:///default -d test
expect "unknown libvirt domain" "-d nosuch: no such libvirt domain" \
  goldsmith sysprep -c test:///default -d nosuch

expect "no disks at all" "no disks: add a guest with -a IMAGE" \
  goldsmith sysprep

# The disk options are one piece of code (cli/inputs.c) behind sysprep
# and inspect: the same checks and messages from both.
for cmd in sysprep inspect; do
  expect "$cmd: --format after the last -a" \
    "^goldsmith: error: --format must come before the -a option it applies to$" \
    goldsmith $cmd -a "$tmp/good.img" --format raw
  expect "$cmd: --format applies to the -a after it" \
    "good.img: not a valid qcow2 disk image" \
    goldsmith $cmd --format raw -a "$tmp/good.img" --format qcow2 \
    -a "$tmp/good.img"
  expect "$cmd: --format auto probes again" \
    "corrupt.qcow2: not a valid qcow2 disk image" \
    goldsmith $cmd --format raw -a "$tmp/good.img" --format auto \
    -a "$tmp/corrupt.qcow2"
  expect "$cmd: missing domain XML" "nope.xml: cannot open domain XML" \
    goldsmith $cmd --domxml "$tmp/nope.xml"
  expect "$cmd: domain with no disks" "nodisk.xml: the domain has no disks" \
    goldsmith $cmd --domxml "$tmp/nodisk.xml"
  expect "$cmd: unknown libvirt domain" "-d nosuch: no such libvirt domain" \
    goldsmith $cmd -c test:///default -d nosuch
done
expect "inspect: no disks at all" "no disks: add guests with -a IMAGE" \
  goldsmith inspect
# sysprep: the -a's are one guest, each --domxml another; a bad one is
# found before any launch, whatever comes first.
expect "sysprep: -a and a bad --domxml" "nodisk.xml: the domain has no disks" \
  goldsmith sysprep -a "$tmp/good.img" --domxml "$tmp/nodisk.xml"
expect "sysprep --each-image: a missing second image" \
  "^goldsmith: error: $tmp/missing.img: No such file" \
  goldsmith sysprep --each-image -a "$tmp/good.img" -a "$tmp/missing.img"

# resize: every refusal that needs no appliance.
expect "resize: IN missing" "^goldsmith: error: $tmp/missing.img: No such file" \
  goldsmith resize "$tmp/missing.img" "$tmp/new.img" --output-size 2G
expect "resize: IN = OUT" "IN and OUT are the same disk" \
  goldsmith resize "$tmp/good.img" "$tmp/../bad-input/good.img"
expect "resize: OUT missing" "new.img: No such file.*--output-size" \
  goldsmith resize "$tmp/good.img" "$tmp/new.img"
expect "resize: --output-size onto OUT" "good.img: already exists" \
  goldsmith resize "$tmp/corrupt.qcow2" "$tmp/good.img" --format raw \
  --output-size 2G
expect "resize: bad --unknown-filesystems" \
  "--unknown-filesystems 'maybe': use ignore, warn or error" \
  goldsmith resize "$tmp/good.img" "$tmp/new.img" --unknown-filesystems maybe
ok "resize: no OUT created by any of them" test ! -e "$tmp/new.img"

# ---- images that are not what they claim to be -----------------------
mkdir "$tmp/dir.img"
expect "a directory as an image" "dir.img: not a regular file or block device" \
  goldsmith sysprep -a "$tmp/dir.img"
# root reads a mode-000 file all the same: as root, goldsmith runs as
# nobody for this one (the check comes before any launch).
cp "$tmp/good.img" "$tmp/noread.img"; chmod 000 "$tmp/noread.img"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
expect "unreadable image" "noread.img: cannot open for writing: Permission denied" \
  "${as_user[@]}" goldsmith sysprep -a "$tmp/noread.img"

# Text, not a disk image, given as qcow2; and an unknown format.
{ echo "just some text"; head -c 4096 /dev/zero | tr '\0' x; } > "$tmp/text.txt"
text_sum=$(sha256sum < "$tmp/text.txt")
for cmd in sysprep inspect; do
  expect "$cmd: text file as qcow2" \
    "text.txt: not a valid qcow2 disk image: .*not in qcow2 format" \
    goldsmith $cmd --format qcow2 -a "$tmp/text.txt"
  expect "$cmd: unknown format" \
    "good.img: not a valid nosuch disk image: .*Unknown driver 'nosuch'" \
    goldsmith $cmd --format nosuch -a "$tmp/good.img"
done
is "the text file is byte-identical" "$(sha256sum < "$tmp/text.txt")" "$text_sum"

# A real qcow2 with data, truncated: its header still reads fine, so
# only a metadata check finds it (before: an appliance launch, then
# "no operating system").
qemu-img create -q -f qcow2 "$tmp/trunc.qcow2" 64M
qemu-io -f qcow2 -c 'write -P 0x55 0 4M' "$tmp/trunc.qcow2" > /dev/null
truncate -s 256K "$tmp/trunc.qcow2"
trunc_sum=$(sha256sum < "$tmp/trunc.qcow2")
# A qcow2 whose backing file is missing (-u: created without opening it).
qemu-img create -q -u -f qcow2 -b "$tmp/nonexistent.raw" -F raw \
  "$tmp/orphan.qcow2" 64M
orphan_sum=$(sha256sum < "$tmp/orphan.qcow2")
trunc="trunc.qcow2: corrupt qcow2 disk image \(qemu-img check: errors in its metadata; it may be truncated\)"
orphan="orphan.qcow2: its backing file '$tmp/nonexistent.raw' cannot be opened: No such file or directory"
for img in trunc orphan; do
  eval "pattern=\$$img"
  expect "sysprep: $img" "$pattern" goldsmith sysprep -a "$tmp/$img.qcow2"
  expect "inspect: $img" "$pattern" goldsmith inspect -a "$tmp/$img.qcow2"
  expect "sparsify: $img" "$pattern" \
    goldsmith sparsify "$tmp/$img.qcow2" "$tmp/new.img"
  expect "sparsify --in-place: $img" "$pattern" \
    goldsmith sparsify --in-place "$tmp/$img.qcow2"
  expect "resize: $img" "$pattern" \
    goldsmith resize "$tmp/$img.qcow2" "$tmp/new.img" --output-size 2G
done
is "the truncated qcow2 is byte-identical" \
   "$(sha256sum < "$tmp/trunc.qcow2")" "$trunc_sum"
is "the qcow2 with no backing file is byte-identical" \
   "$(sha256sum < "$tmp/orphan.qcow2")" "$orphan_sum"
# Its backing file present, the same qcow2 is accepted (the check is
# not refusing every backed qcow2): resize stops later, at OUT.
truncate -s 64M "$tmp/nonexistent.raw"
expect "a backed qcow2 with its backing file passes the disk check" \
  "new.img: No such file or directory \(create OUT first" \
  goldsmith resize "$tmp/orphan.qcow2" "$tmp/new.img"
rm -f "$tmp/nonexistent.raw"

# Images that name host files (the appliance would open them and show
# them to the guest's operations, or write them): a backing file
# outside the image's directory, absolute or relative, with or without
# a recorded format, or two links down a chain; an external data file
# (sysprep --in-place and sparsify --in-place would write it); a
# backing file whose content is not the format the image records.
# Each refused before any launch, the host file and the image
# untouched.
mkdir -p "$tmp/host" "$tmp/imgs/sub"
printf 'root:secret:19000::::::\n' > "$tmp/host/shadow"
truncate -s 1M "$tmp/imgs/base.raw" "$tmp/imgs/sub/base.raw"
qemu-img create -q -u -f qcow2 -b "$tmp/host/shadow" -F raw "$tmp/imgs/abs.qcow2" 1M
qemu-img create -q -u -f qcow2 -b ../host/shadow -F raw "$tmp/imgs/rel.qcow2" 1M
# No recorded backing format: qemu-img insists on one, so its header
# extension is renamed (to a type qemu ignores) by hand.
qemu-img create -q -u -f qcow2 -b ../host/shadow -F raw "$tmp/imgs/nofmt.qcow2" 1M
python3 - "$tmp/imgs/nofmt.qcow2" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(bytes.fromhex("e2792aca"), 72, 4096)
assert i > 0
d[i:i + 4] = bytes.fromhex("12345678")
open(sys.argv[1], "wb").write(d)
PY
qemu-img create -q -u -f qcow2 -b abs.qcow2 -F qcow2 "$tmp/imgs/chain.qcow2" 1M
qemu-img create -q -f qcow2 -o data_file="$tmp/host/data.bin" "$tmp/imgs/datafile.qcow2" 1M
printf 'host data\n' > "$tmp/host/data.bin"
qemu-img create -q -u -f qcow2 -b base.raw -F qcow2 "$tmp/imgs/lie.qcow2" 1M
qemu-img create -q -f qcow2 -b sub/base.raw -F raw "$tmp/imgs/below.qcow2" 1M
host_sums () { sha256sum "$tmp"/host/* "$tmp"/imgs/*.qcow2 "$tmp"/imgs/*.raw; }
sums_before=$(host_sums)
outside="its backing file '[^']*shadow' is outside $tmp/imgs, the directory of the image given: refused \(a trusted image: --allow-external-files\)"
expect "backing file outside, absolute" "abs.qcow2: $outside" \
  goldsmith inspect -a "$tmp/imgs/abs.qcow2"
expect "backing file outside, relative" "rel.qcow2: $outside" \
  goldsmith sysprep -a "$tmp/imgs/rel.qcow2"
expect "backing file outside, no format recorded" "nofmt.qcow2: $outside" \
  goldsmith sparsify "$tmp/imgs/nofmt.qcow2" "$tmp/new.img"
expect "backing file outside, second in the chain" "chain.qcow2: $outside" \
  goldsmith resize "$tmp/imgs/chain.qcow2" "$tmp/new.img" --output-size 2G
datafile="datafile.qcow2: it keeps its data in another file, '$tmp/host/data.bin' \(a qcow2 external data file\): refused"
expect "external data file: sysprep --in-place" "$datafile" \
  goldsmith sysprep --in-place -a "$tmp/imgs/datafile.qcow2"
expect "external data file: sparsify --in-place" "$datafile" \
  goldsmith sparsify --in-place "$tmp/imgs/datafile.qcow2"
expect "external data file: inspect" "$datafile" \
  goldsmith inspect -a "$tmp/imgs/datafile.qcow2"
expect "backing file not of the format recorded" \
  "lie.qcow2: its backing file '$tmp/imgs/base.raw' is raw by its content, but the image says it is qcow2: refused" \
  goldsmith inspect -a "$tmp/imgs/lie.qcow2"
# Accepted: a backing file below the image's directory, and, with
# --allow-external-files, one outside (both stop later, at OUT).
expect "a backing file below the image's directory passes the disk check" \
  "new.img: No such file or directory \(create OUT first" \
  goldsmith resize "$tmp/imgs/below.qcow2" "$tmp/new.img"
expect "--allow-external-files accepts a backing file outside" \
  "new.img: No such file or directory \(create OUT first" \
  goldsmith resize --allow-external-files "$tmp/imgs/abs.qcow2" "$tmp/new.img"
is "host files and images named by refused images are byte-identical" \
   "$(host_sums)" "$sums_before"

# resize --output-size out of range.
expect "resize: --output-size too small" "--output-size 1K: too small to be a disk image" \
  goldsmith resize "$tmp/good.img" "$tmp/new.img" --output-size 1K
expect "resize: --output-size zero" \
  "^goldsmith: error: --output-size 0: the size must be greater than zero$" \
  goldsmith resize "$tmp/good.img" "$tmp/new.img" --output-size 0
expect "resize: --output-size zero with a unit" \
  "^goldsmith: error: --output-size 0G: the size must be greater than zero$" \
  goldsmith resize "$tmp/good.img" "$tmp/new.img" --output-size 0G
expect "resize: --output-size negative" \
  "^goldsmith: error: --output-size -5: the size must be greater than zero$" \
  goldsmith resize "$tmp/good.img" "$tmp/new.img" --output-size=-5
expect "resize: --output-size shrinks below nothing" \
  "--output-size -200%: the size must be greater than zero \(IN is 1048576 bytes: this leaves -1048576\)$" \
  goldsmith resize "$tmp/good.img" "$tmp/new.img" --output-size=-200%
expect "resize: --output-size overflows" \
  "--output-size: the size '9999999999999G' is too large" \
  goldsmith resize "$tmp/good.img" "$tmp/new.img" --output-size 9999999999999G
expect "resize: --output-size not a size" "--output-size: cannot parse the size 'big'" \
  goldsmith resize "$tmp/good.img" "$tmp/new.img" --output-size big
ok "resize: still no OUT" test ! -e "$tmp/new.img"

# Not bad input, but cheap here: a launch that fails (LIBGUESTFS_HV
# above) is exit status 1 with the reason, not a crash (inspect
# aborted in json-c on a guest with no roots).
goldsmith inspect -a "$tmp/good.img" > /dev/null 2> "$tmp/err"
is "inspect: a failed launch is exit status 1" "$?" 1
# The same in two jobs (--jobs 2, three images): a job aborted in
# json-c on its guests with no roots, then the parent on the job that
# had sent nothing.
truncate -s 1M "$tmp/job2.img" "$tmp/job3.img"
goldsmith inspect --json --jobs 2 -a "$tmp/good.img" -a "$tmp/job2.img" \
  -a "$tmp/job3.img" > "$tmp/out.json" 2> "$tmp/err"
is "inspect --jobs 2: failed launches are exit status 1" "$?" 1
ok "inspect --jobs 2: ... in two jobs, each guest with its launch's error" \
   python3 -c "import json,sys; d=json.load(open('$tmp/out.json')); sys.exit(0 if d['exit_status']==1 and d['appliance']['launches']==2 and all('/bin/false' in g['error'] for g in d['guests']) and len(d['guests'])==3 else 1)"
# --isolate (and appliance.isolate): every guest in a launch of its
# own, where the same three would share one.
launches () {
  goldsmith inspect --json --jobs 1 "$@" -a "$tmp/good.img" -a "$tmp/job2.img" \
    -a "$tmp/job3.img" 2> /dev/null |
    python3 -c "import json,sys; print(json.load(sys.stdin)['appliance']['launches'])"
}
is "three guests: one launch; --isolate: three; appliance.isolate = true: three" \
   "$(launches) $(launches --isolate) $(launches --set appliance.isolate=true)" "1 3 3"
# The KVM probe's qemu (here /bin/false) exits before reading "quit":
# that was a SIGPIPE (exit 141, no message).
goldsmith sparsify "$tmp/good.img" "$tmp/new.img" > /dev/null 2> "$tmp/err"
is "sparsify: a failed launch is exit status 1" "$?" 1
ok "sparsify: ... and leaves no OUT" test ! -e "$tmp/new.img"

is "the good image is byte-identical after all of the above" \
   "$(sha256sum < "$tmp/good.img")" "$good_sum"

# --json: even an early failure is one JSON document on stdout.
goldsmith sysprep --json -a "$tmp/missing.img" > "$tmp/out.json" 2>/dev/null
ok "--json failure is one JSON document with the error" \
   python3 -c "import json,sys; d=json.load(open('$tmp/out.json')); sys.exit(0 if 'missing.img' in d['error'] and d['exit_status']==2 else 1)"
