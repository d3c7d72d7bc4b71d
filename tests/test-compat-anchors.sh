#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# Real-world virt-* command lines (Packer and vagrant-libvirt box
# scripts, the anchors' man pages: ../shared/spec/users.md) through the
# compatibility names, on the phony guests, each checked inside the
# image.  FOUR launches, one per tool, with as many of the anchors'
# options as one command line can carry; everything is read back on the
# host (debugfs, sfdisk, the PV's LVM metadata, qemu-img), with no
# further launch:
#   A  goldsmith-virt-sysprep, Debian as qcow2 (--format qcow2): the
#      defaults minus ssh-userdir, --truncate, --hostname, --write,
#      --firstboot-command, --run-command, --no-logfile,
#      --no-selinux-relabel
#   B  goldsmith-virt-resize --expand /dev/sda2 of Fedora (its LVM PV)
#   C  goldsmith-virt-sparsify --convert qcow2 --compress of Debian with
#      16 MiB of deleted data in its free space
#   D  goldsmith-virt-inspector --no-icon of A's result, then --xpath
#      (no launch) on its output
#   E  goldsmith-virt-sysprep on a blank disk (a fifth launch, short):
#      virt-sysprep's "no operating systems" error, then its hint
# The parts that need no launch are tests/test-compat.sh.
source "$(dirname "$0")/functions.sh"
requires_appliance
plan 34

tmp="$builddir/tests/tmp/compat-anchors"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
MiB=$((1024 * 1024))

# msgs PROG FILE...: lines of FILE that are messages not in PROG's
# style ("goldsmith...: "), one per line (none expected).
msgs () { local p="$1"; shift; grep -h '^goldsmith[^ ]*: ' "$@"; }
# nonzero RAW N: bytes of partition N in 4 KiB blocks not all zeros.
nonzero () {
  python3 - "$1" "$2" <<'PY'
import json, subprocess, sys
t = json.loads(subprocess.run(["sfdisk", "--json", sys.argv[1]], check=True,
                              capture_output=True, text=True).stdout)
p = t["partitiontable"]["partitions"][int(sys.argv[2]) - 1]
z = bytes(4096); n = 0
with open(sys.argv[1], "rb") as f:
    f.seek(p["start"] * 512)
    left = p["size"] * 512
    while left > 0:
        b = f.read(min(4096, left)); left -= len(b)
        n += 4096 if b != z[:len(b)] else 0
print(n)
PY
}
# part_size RAW N: size of partition N in bytes (sfdisk, on the host).
part_size () {
  sfdisk --json "$1" | python3 -c 'import json,sys
p = json.load(sys.stdin)["partitiontable"]["partitions"][int(sys.argv[1]) - 1]
print(p["size"] * 512)' "$2"
}

# ---- A: virt-sysprep ------------------------------------------------------
copy_guest debian "$tmp/debian.img"
qemu-img convert -f raw -O qcow2 "$tmp/debian.img" "$tmp/a.qcow2"
# The phony guest has no shell: the host's dash and its libraries are
# uploaded first (as tests/sysprep/test-customize.sh does).
shell_args=()
if libs=$(ldd /bin/dash 2>/dev/null | grep -o '/[^ ]*'); then
  for lib in $libs; do
    shell_args+=(--mkdir "$(dirname "$lib")" --upload "$lib:$lib")
  done
  shell_args+=(--upload /bin/dash:/bin/sh
               --run-command 'echo ran > /etc/compat-run')
fi
env -u LIBGUESTFS_BACKEND_SETTINGS \
goldsmith-virt-sysprep --no-logfile --no-selinux-relabel \
  --operations defaults,-ssh-userdir \
  --truncate /etc/machine-id --hostname compat-box \
  --write /etc/compat-marker:written "${shell_args[@]}" \
  --firstboot-command 'dpkg-reconfigure openssh-server' \
  --format qcow2 -a "$tmp/a.qcow2" > "$tmp/a.out" 2> "$tmp/a.err"
is "A: virt-sysprep: exit 0" "$?" 0
sed 's/^/# A stdout: /' "$tmp/a.out" | head -40
sed 's/^/# A stderr: /' "$tmp/a.err" | head -40
is "A: every message in virt-sysprep's style, none in goldsmith's" \
   "$(msgs virt-sysprep "$tmp/a.out" "$tmp/a.err")" ""
is "A: no error on stderr" "$(grep -c 'error' "$tmp/a.err")" 0
qemu-img convert -f qcow2 -O raw "$tmp/a.qcow2" "$tmp/a.raw"
a () { ext4_cat "$tmp/a.raw" 1 "$1"; }
ext4_manifest "$tmp/a.raw" 1 > "$tmp/a.manifest"
is "A: --truncate /etc/machine-id (and the machine-id operation): empty" \
   "$(a /etc/machine-id | wc -c)" 0
ok "A: ... and still there" grep -q '^/etc/machine-id file ' "$tmp/a.manifest"
is "A: --hostname: /etc/hostname" "$(a /etc/hostname)" compat-box
is "A: --hostname: the name in /etc/hosts too, the old one gone" \
   "$(a /etc/hosts | grep -c compat-box) $(a /etc/hosts | grep -c phony-debian)" \
   "1 0"
is "A: --write" "$(a /etc/compat-marker)" written
ok "A: defaults: bash-history ran (/root/.bash_history gone)" \
   bash -c "! grep -q '^/root/.bash_history ' '$tmp/a.manifest'"
ok "A: -ssh-userdir: /home/debian/.ssh/authorized_keys kept" \
   grep -q '^/home/debian/.ssh/authorized_keys file ' "$tmp/a.manifest"
fb=$(grep -o '^/usr/lib/goldsmith/firstboot/scripts/[^ ]*' "$tmp/a.manifest" |
     while read -r f; do a "$f" | grep -q 'dpkg-reconfigure openssh-server' &&
       echo "$f"; done)
isnt "A: --firstboot-command: a first-boot script runs it" "$fb" ""
if [ ${#shell_args[@]} -gt 0 ]; then
  is "A: --run-command ran inside the guest" "$(a /etc/compat-run)" ran
else
  skip_one "A: --run-command" "no ldd/dash on the host"
fi

# ---- B: virt-resize --expand /dev/sda2 ------------------------------------
copy_guest fedora "$tmp/fedora.img"
truncate -s $(( $(stat -c %s "$tmp/fedora.img") + 256 * MiB )) "$tmp/b.img"
in_p2=$(part_size "$tmp/fedora.img" 2)
env -u LIBGUESTFS_BACKEND_SETTINGS \
goldsmith-virt-resize --expand /dev/sda2 --format raw --output-format raw \
  "$tmp/fedora.img" "$tmp/b.img" > "$tmp/b.out" 2> "$tmp/b.err"
is "B: virt-resize: exit 0" "$?" 0
sed 's/^/# B stdout: /' "$tmp/b.out" | head -40
sed 's/^/# B stderr: /' "$tmp/b.err" | head -40
is "B: every message in virt-resize's style" \
   "$(msgs virt-resize "$tmp/b.out" "$tmp/b.err")" ""
b_p2=$(part_size "$tmp/b.img" 2)
ok "B: /dev/sda2 grew by the surplus (256 MiB, less alignment)" \
   test $((b_p2 - in_p2)) -gt $((250 * MiB))
is "B: /dev/sda1 (/boot) kept its size" \
   "$(part_size "$tmp/b.img" 1)" "$(part_size "$tmp/fedora.img" 1)"
# The PV filling the partition: pe_count of its VG's metadata, on the host.
pe_count () {
  python3 - "$srcdir/tests" "$1" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import manifest
img = sys.argv[2]
with open(img, "rb") as f:
    for n, start in sorted(manifest.partitions(img).items()):
        md = manifest.lvm_metadata(f, start)
        if md:
            vg = md[1]["VG"]
            print(sum(p["pe_count"] for p in vg["physical_volumes"].values()),
                  vg["extent_size"] * 512)
PY
}
read -r in_pe ext < <(pe_count "$tmp/fedora.img")
read -r b_pe _ < <(pe_count "$tmp/b.img")
ok "B: the PV grew with its partition (pvresize)" \
   test $(( (b_pe - in_pe) * ext )) -gt $((240 * MiB))
fedora_manifest "$tmp/fedora.img" > "$tmp/in.manifest"
fedora_manifest "$tmp/b.img" > "$tmp/b.manifest"
is "B: every file of / and /boot is as it was" \
   "$(diff "$tmp/in.manifest" "$tmp/b.manifest")" ""
ok "B: IN untouched (read-only)" cmp -s "$tmp/fedora.img" "$phony_guests/fedora.img"

# ---- C: virt-sparsify --convert qcow2 --compress --------------------------
copy_guest debian "$tmp/c.img"
# 16 MiB of random bytes written into the root, then deleted: its
# blocks keep them (debugfs frees blocks without clearing them).
off=$(python3 "$srcdir/tests/manifest.py" offset "$tmp/c.img" 1)
head -c $((16 * MiB)) /dev/urandom > "$tmp/junk"
debugfs -w -R "write $tmp/junk /junk" "$tmp/c.img?offset=$off" >/dev/null 2>&1
debugfs -w -R "rm /junk" "$tmp/c.img?offset=$off" >/dev/null 2>&1
c_nz=$(nonzero "$tmp/c.img" 1)
ok "C: IN holds the deleted 16 MiB" test "$c_nz" -gt $((16 * MiB))
ext4_manifest "$tmp/c.img" 1 > "$tmp/c-in.manifest"
cp "$tmp/c.img" "$tmp/c-orig.img"
env -u LIBGUESTFS_BACKEND_SETTINGS \
goldsmith-virt-sparsify --format raw --convert qcow2 --compress \
  --tmp "$tmp" --check-tmpdir=continue "$tmp/c.img" "$tmp/c.qcow2" \
  > "$tmp/c.out" 2> "$tmp/c.err"
is "C: virt-sparsify: exit 0" "$?" 0
sed 's/^/# C stdout: /' "$tmp/c.out" | head -40
sed 's/^/# C stderr: /' "$tmp/c.err" | head -40
is "C: every message in virt-sparsify's style" \
   "$(msgs virt-sparsify "$tmp/c.out" "$tmp/c.err")" ""
is "C: --convert qcow2: OUT is qcow2" \
   "$(qemu-img info --output=json "$tmp/c.qcow2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["format"])')" \
   qcow2
ok "C: IN untouched (copying mode)" cmp -s "$tmp/c.img" "$tmp/c-orig.img"
qemu-img convert -f qcow2 -O raw "$tmp/c.qcow2" "$tmp/c-out.raw"
# (15: a small filesystem has 1 KiB blocks, so a 4 KiB block at an
# edge of the deleted extents may still hold other data)
ok "C: the deleted 16 MiB are zeros in OUT" \
   test $(( c_nz - $(nonzero "$tmp/c-out.raw" 1) )) -ge $((15 * MiB))
ext4_manifest "$tmp/c-out.raw" 1 > "$tmp/c-out.manifest"
is "C: every file as it was" \
   "$(diff "$tmp/c-in.manifest" "$tmp/c-out.manifest")" ""
# --compress: qemu-img map gives compressed data no host offset.
is "C: --compress: OUT's data clusters are compressed" \
   "$(qemu-img map --output=json "$tmp/c.qcow2" | python3 -c 'import json,sys
m = [e for e in json.load(sys.stdin) if e["data"]]
print(len(m) > 0 and all("offset" not in e for e in m if not e["zero"]))')" \
   True

# ---- D: virt-inspector --no-icon, then --xpath ----------------------------
env -u LIBGUESTFS_BACKEND_SETTINGS \
goldsmith-virt-inspector --no-icon --format=qcow2 -a "$tmp/a.qcow2" \
  > "$tmp/d.xml" 2> "$tmp/d.err"
is "D: virt-inspector: exit 0" "$?" 0
sed 's/^/# D stderr: /' "$tmp/d.err" | head -40
ok "D: stdout is one XML document" xmllint --noout "$tmp/d.xml"
x () { goldsmith-virt-inspector --xpath "$1" < "$tmp/d.xml"; }
is "D: --xpath: one operating system, Debian" \
   "$(x 'count(//operatingsystem)') $(x 'string(//operatingsystem/distro)')" \
   "1 debian"
is "D: --xpath: the hostname A's --hostname set" \
   "$(x 'string(//operatingsystem/hostname)')" compat-box
is "D: --no-icon: no <icon>; the applications are there" \
   "$(x 'count(//icon)') $(x 'count(//application[name="openssh-server"])')" \
   "0 1"

# ---- E: virt-sysprep, no operating system -----------------------------
truncate -s 64M "$tmp/blank.img"
env -u LIBGUESTFS_BACKEND_SETTINGS \
goldsmith-virt-sysprep --format raw -a "$tmp/blank.img" \
  > "$tmp/e.out" 2> "$tmp/e.err"
is "E: virt-sysprep on a blank disk: exit 1" "$?" 1
is "E: virt-sysprep's words, then its hint" \
   "$(grep -v '^libguestfs: \|^\[' "$tmp/e.err" | sed -n '1,3p')" \
   "virt-sysprep: error: no operating systems were found in the guest image

If reporting bugs, run virt-sysprep with debugging enabled and include the complete output:"
