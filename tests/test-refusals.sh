#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# The refusals catalogue (tests/refusals.txt): bad input refused before
# any launch, one TAP line per case.  Each case must exit with the
# status its row says, print exactly one line on standard error that
# matches its row, launch nothing (the appliance's qemu is a stand-in
# that records any start), create no OUT, and leave every input
# byte-identical.
source "$(dirname "$0")/functions.sh"

T="$builddir/tests/tmp/refusals"
rm -rf "$T"; mkdir -p "$T/imgs" "$T/host"
cleanup_fn rm -rf "$T"
tmp="$T/run"; mkdir -p "$tmp"

# The stand-in appliance: any start is recorded, and fails.
cat > "$T/fake-qemu" <<SH
#!/bin/sh
echo "\$*" >> "$tmp/LAUNCHED"
exit 1
SH
chmod +x "$T/fake-qemu"
export LIBGUESTFS_HV="$T/fake-qemu"

# ---- the inputs the rows name ----------------------------------------
truncate -s 1M "$T/good.img"
printf 'precious' | dd of="$T/good.img" conv=notrunc status=none
ln "$T/good.img" "$T/hard.img"
cp "$T/good.img" "$T/good2.img"
# root reads a mode-000 file all the same: as root, the row runs as
# nobody (the check comes before any launch).
cp "$T/good.img" "$T/noread.img"; chmod 000 "$T/noread.img"
as_nobody () {
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
  else
    "$@"
  fi
}
# A qcow2 whose backing file is missing (-u: made without opening it).
qemu-img create -q -u -f qcow2 -b "$T/nonexistent.raw" -F raw "$T/orphan.qcow2" 64M
domain () {                      # domain FILE DISK...
  local f="$1"; shift
  { echo "<domain><name>d</name><devices>"
    local n=0 d
    for d in "$@"; do
      printf "<disk type='file' device='disk'><source file='%s'/><target dev='vd%s'/></disk>\n" "$d" "$n"
      n=$((n + 1))
    done
    echo "</devices></domain>"; } > "$f"
}
domain "$T/good.xml" "$T/good.img"
domain "$T/many.xml" $(for i in $(seq 300); do echo "$T/d$i.img"; done)
printf "<domain><name>d</name><devices>\n<disk type='file' device='disk'><source file='/nonexistent/x.img'/><target dev='vda'/></disk></devices></domain>\n" > "$T/nodisk.xml"
printf 'appliance: {\n  memsize = 4294967552;\n};\n' > "$T/big.conf"
printf 'appliance: {\n  memsize = -2147483649;\n};\n' > "$T/neg.conf"
printf 'appliance: { memsize = 0x100000000; };\n' > "$T/hex.conf"
printf 'appliance: { smp = 0; };\n@include "%s/big.conf"' "$T" > "$T/incl.conf"
printf 'paths: { exclude = [ "(" ]; };\n' > "$T/rx.conf"
printf 'images = ( );\n' > "$T/empty.conf"
printf 'x = 99999999999; images = ( { add = "good.img"; } );\n' > "$T/bigm.conf"
printf 'provenance = "nodir";\nimages = ( { add = "good.img"; } );\n' > "$T/prov.conf"
# --provenance into a directory nobody may write.
mkdir "$T/rodir"; chmod 555 "$T/rodir"
# Images that are not disk images.
: > "$T/empty.img"
printf 'QFI\xfb\x00\x00\x00\x03garbage' > "$T/corrupt.qcow2"
truncate -s 4096 "$T/corrupt.qcow2"
mkdir "$T/dir.img"
qemu-img create -q -f qcow2 "$T/trunc.qcow2" 64M
qemu-io -f qcow2 -c 'write -P 0x55 0 4M' "$T/trunc.qcow2" > /dev/null
truncate -s 256K "$T/trunc.qcow2"
{ echo "just some text"; head -c 4096 /dev/zero | tr '\0' x; } > "$T/text.txt"
# Configuration files and domain XML that say no.
printf 'sysprep: {\n  logfiles: {\n    colour = "blue";\n  };\n};\n' > "$T/key.conf"
printf 'sysprep: {\n  logfiles: {\n    enabled = "yes";\n  };\n};\n' > "$T/type.conf"
printf 'sysprep: {\n  nonesuch: { enabled = true; };\n};\n' > "$T/op.conf"
printf 'appliance: {\n  accel = "warp";\n' > "$T/syntax.conf"
printf '<domain><devices><disk type="file">\n<source file="x"/>\n</devic' > "$T/bad.xml"
echo "<domain><name>d</name><devices/></domain>" > "$T/nodisks.xml"
printf "<domain><name>d</name><devices>\n<disk type='volume' device='disk'><source pool='p' volume='v'/><target dev='vda'/></disk></devices></domain>\n" > "$T/vol.xml"
printf "<domain type='kvm'><name>n</name><devices>\n  <disk type='network' device='disk'>\n    <source protocol='nbd' name='x'/><target dev='vda'/>\n  </disk>\n</devices></domain>\n" > "$T/net.xml"
# Partitioned sources (10M and 5M partitions), and a small OUT; small,
# since every input is checksummed after every case.
truncate -s 20M "$T/mbr.img"
printf 'label: dos\n,10M,83\n,5M,83\n' | sfdisk -q "$T/mbr.img"
truncate -s 30M "$T/gpt.img"
printf 'label: gpt\n,10M\n,5M\n' | sfdisk -q "$T/gpt.img" 2>/dev/null
truncate -s 10M "$T/small.img"
# A plugin built for another ABI version.
mkdir "$T/abiplugins"
printf '%s\n' '#include <stdint.h>' \
  'struct entry { uint32_t abi, size; const char *v; const void *ops; };' \
  '__attribute__((visibility ("default")))' \
  'const struct entry gs_plugin_entry = { 99, 64, "future", 0 };' > "$T/abi99.c"
cc -shared -fPIC -o "$T/abiplugins/abi99.so" "$T/abi99.c"
# Images that name host files.
printf 'root:secret:19000::::::\n' > "$T/host/shadow"
printf 'host data\n' > "$T/host/data.bin"
ln -s ../host/shadow "$T/imgs/link"
truncate -s 1M "$T/imgs/base.raw"
qemu-img create -q -u -f qcow2 -b "$T/host/shadow" -F raw "$T/imgs/abs.qcow2" 1M
qemu-img create -q -u -f qcow2 -b ../host/shadow -F raw "$T/imgs/rel.qcow2" 1M
qemu-img create -q -u -f qcow2 -b link -F raw "$T/imgs/vialink.qcow2" 1M
qemu-img create -q -u -f qcow2 -b abs.qcow2 -F qcow2 "$T/imgs/chain.qcow2" 1M
qemu-img create -q -f qcow2 -o data_file="$T/host/data.bin" "$T/imgs/datafile.qcow2" 1M
printf 'host data\n' > "$T/host/data.bin"
qemu-img create -q -u -f qcow2 -b base.raw -F qcow2 "$T/imgs/lie.qcow2" 1M
mkdir "$T/imgs/sub"; truncate -s 1M "$T/imgs/sub/base.raw"
qemu-img create -q -f qcow2 -b sub/base.raw -F raw "$T/imgs/below.qcow2" 1M
# No recorded backing format: qemu-img insists on one, so its header
# extension is renamed (to a type qemu ignores) by hand.
qemu-img create -q -u -f qcow2 -b ../host/shadow -F raw "$T/imgs/nofmt.qcow2" 1M
python3 - "$T/imgs/nofmt.qcow2" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(bytes.fromhex("e2792aca"), 72, 4096)
assert i > 0
d[i:i + 4] = bytes.fromhex("12345678")
open(sys.argv[1], "wb").write(d)
PY

# Every input, as bytes (the run directory and outputs aside).
inputs () {
  find "$T" -path "$tmp" -prune -o -type f ! -name 'out.img*' -print0 |
    sort -z | xargs -0 sha256sum
}

# ---- the catalogue ----------------------------------------------------
rows=()
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  rows+=("$line")
done < "$srcdir/tests/refusals.txt"
plan $(( ${#rows[@]} + 1 ))
[ "${#rows[@]}" -ge 150 ] || bail "the catalogue has only ${#rows[@]} rows"

before=$(inputs)
for row in "${rows[@]}"; do
  IFS='|' read -r name want pattern cmd <<< "$row"
  name=$(echo $name); want=$(echo $want)
  pattern="${pattern# }"; pattern="${pattern% }"; cmd="${cmd# }"
  rm -f "$tmp/LAUNCHED" "$T/out.img"
  eval "$cmd" > "$tmp/out" 2> "$tmp/err" < /dev/null
  rc=$?
  why=""
  [ "$rc" = "$want" ] || why="exit status $rc, not $want"
  [ -z "$why" ] && [ "$(grep -c '' "$tmp/err")" != 1 ] &&
    why="$(grep -c '' "$tmp/err") lines on stderr, not 1"
  [ -z "$why" ] && ! grep -Eq -- "$pattern" "$tmp/err" &&
    why="stderr does not match: $pattern"
  [ -z "$why" ] && [ -e "$tmp/LAUNCHED" ] && why="it launched the appliance"
  [ -z "$why" ] && [ -e "$T/out.img" ] && why="it left an OUT behind"
  [ -z "$why" ] && [ "$(inputs)" != "$before" ] && why="an input changed"
  if [ -z "$why" ]; then
    ok "$name" true
  else
    ok "$name" false
    diag "$why"
    sed 's/^/# stderr: /' "$tmp/err" | head -c 2000
  fi
done
is "no input changed across the whole catalogue" "$(inputs)" "$before"
