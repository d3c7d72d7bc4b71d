#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# The device operations fs-uuids and lvm-uuids, and script, on the
# phony Fedora guest (/dev/sda1 ext4 /boot; LVM PV /dev/sda2, VG "VG",
# LV "Root" ext4 /).  Four launches: one real run, one read-back, a dry
# run, and a run whose script fails.
#
# The real run's first script rewrites /etc/fstab and grub.cfg to name
# /boot by its UUID (read on the host, without a launch, with blkid), so
# that the read-back can check that fs-uuids updated the references.
# The read-back adds the pristine image as a second disk for the
# original UUIDs; both hold a VG named "VG", so LVM is shown one disk at
# a time (lvm-set-filter).
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 34

tmp="$builddir/tests/tmp/device-ops"
rm -rf "$tmp"; mkdir -p "$tmp/tmpdir" "$tmp/mnt"
cleanup_fn rm -rf "$tmp"
img="$tmp/guest.img"
pristine="$phony_guests/fedora.img"
copy_guest fedora "$img"

# /boot's UUID, from the host: the ext4 superblock of partition 1.
start=$(partx -g -o START -n 1 "$pristine")
boot_uuid=$(blkid -p -O $((start * 512)) -o value -s UUID "$pristine")
boot_upper=$(echo "$boot_uuid" | tr a-f A-F)
diag "/boot UUID before: $boot_uuid"

# ---- 1. the real run ---------------------------------------------------
cat > "$tmp/s1.sh" <<EOF
#!/bin/sh
set -e
echo "s1: marker on stdout"
printf '%s\n' 'UUID=$boot_upper /boot ext4 defaults 0 2' \
  '/dev/VG/Root / ext4 defaults 0 1' \
  'UUID=1234-ABCD /boot/efi vfat umask=077 0 2' \
  '/dev/disk/by-uuid/$boot_uuid /srv/boot-ro ext4 ro,noauto 0 0' > etc/fstab
printf 'search --fs-uuid --set=root $boot_uuid\n' > boot/grub2/grub.cfg
echo s1 > root/s1-was-here
rm etc/hostname
EOF
# s2 sees what s1 did, through the same mount.
cat > "$tmp/s2.sh" <<'EOF'
#!/bin/sh
test "$(cat root/s1-was-here)" = s1 && test ! -e etc/hostname &&
  test -d home/alice && pwd > root/s2-saw-s1
EOF
chmod +x "$tmp/s1.sh" "$tmp/s2.sh"

# TMPDIR is where the script's temporary mountpoint goes; libguestfs
# keeps its appliance cache where it was (else it would rebuild it).
export LIBGUESTFS_CACHEDIR="${LIBGUESTFS_CACHEDIR:-${TMPDIR:-/var/tmp}}"
start_time=$(date +%s)
env -u LIBGUESTFS_BACKEND_SETTINGS TMPDIR="$tmp/tmpdir" \
  goldsmith sysprep --json --enable fs-uuids,lvm-uuids,script \
  --script "$tmp/s1.sh" --script "$tmp/s2.sh" -a "$img" \
  > "$tmp/report.json" 2> "$tmp/stderr"
is "real run: exit status 0" "$?" 0
diag "real run: $(( $(date +%s) - start_time )) s"
sed 's/^/# stderr: /' "$tmp/stderr"
is "real run: no errors on stderr" "$(grep -c 'error' "$tmp/stderr")" 0
ok "a script's stdout goes to stderr, not into the JSON report" \
   grep -q '^s1: marker on stdout' "$tmp/stderr"

summary () {
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for g in r["guests"]:
    for root in g["roots"]:
        for op in root["operations"]:
            print(op["name"], op["status"])
            for p in op["paths"]:
                print(" ", p["action"], p["path"])
PY
}
is "real run: the report lists each filesystem, PV, VG and file changed" \
   "$(summary "$tmp/report.json")" \
"script applied
  change /
fs-uuids applied
  change /dev/sda1
  change /dev/VG/Root
  change /etc/fstab
  change /boot/grub2/grub.cfg
lvm-uuids applied
  change /dev/sda2
  change /dev/VG"
is "the temporary mountpoint was removed" \
   "$(ls -A "$tmp/tmpdir" | grep goldsmith)" ""

# ---- 2. read-back: the pristine image's UUIDs, then the result's -------
start_time=$(date +%s)
guestfish --ro --format=raw -a "$img" -a "$pristine" > "$tmp/readback" <<EOF
run
lvm-set-filter /dev/sdb
echo orig-pv
pvuuid /dev/sdb2
echo orig-vg
vguuid VG
echo orig-root
vfs-uuid /dev/VG/Root
echo orig-boot
vfs-uuid /dev/sdb1
lvm-set-filter /dev/sda
echo new-pv
pvuuid /dev/sda2
echo new-vg
vguuid VG
echo new-root
vfs-uuid /dev/VG/Root
echo new-boot
vfs-uuid /dev/sda1
echo fsck-root
fsck ext4 /dev/VG/Root
echo fsck-boot
fsck ext4 /dev/sda1
mount /dev/VG/Root /
mount /dev/sda1 /boot
echo passwd
checksum sha256 /etc/passwd
echo notes
checksum sha256 /home/alice/notes.txt
echo s1
cat /root/s1-was-here
echo s2
cat /root/s2-saw-s1
echo hostname
exists /etc/hostname
download /etc/fstab $tmp/fstab
download /boot/grub2/grub.cfg $tmp/grub.cfg
EOF
is "read-back: guestfish succeeded" "$?" 0
diag "read-back: $(( $(date +%s) - start_time )) s"
val () { sed -n "/^$1\$/{n;p;q}" "$tmp/readback"; }
uuid_re='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
lvm_re='^[0-9A-Za-z]{6}(-[0-9A-Za-z]{4}){5}-[0-9A-Za-z]{6}$'

formed () {                      # formed orig|new: all four look right
  [[ $(val $1-pv) =~ $lvm_re && $(val $1-vg) =~ $lvm_re &&
     $(val $1-root) =~ $uuid_re && $(val $1-boot) =~ $uuid_re ]]
}
ok "the original UUIDs were read (PV, VG, both filesystems)" formed orig
is "blkid on the host and libguestfs agree on /boot's UUID" \
   "$(val orig-boot)" "$boot_uuid"
ok "the new UUIDs are well-formed" formed new
for k in pv vg root boot; do
  ok "the $k UUID changed ($(val orig-$k) -> $(val new-$k))" \
     test "$(val orig-$k)" != "$(val new-$k)"
done
ok "the two filesystems did not get the same new UUID" \
   test "$(val new-root)" != "$(val new-boot)"
is "the root LV's filesystem is clean after the change" "$(val fsck-root)" 0
is "/boot's filesystem is clean after the change" "$(val fsck-boot)" 0
sum_of () { sed -n "s#^$1 file \([0-9a-f]*\) .*#\1#p" "$phony_guests/fedora.manifest"; }
is "the LV mounts and /etc/passwd is intact" "$(val passwd)" \
   "$(sum_of /etc/passwd)"
is "/home/alice/notes.txt is intact" "$(val notes)" \
   "$(sum_of /home/alice/notes.txt)"
is "script 1 wrote a file relative to its cwd" "$(val s1)" s1
s2=$(val s2)
ok "script 2 saw script 1's work, in a goldsmith-script.* mount ($s2)" \
   bash -c "[[ '$s2' == '$tmp/tmpdir/goldsmith-script.'* ]]"
is "script 1 removed /etc/hostname" "$(val hostname)" false

new_boot=$(val new-boot)
is "fstab: UUID= and /dev/disk/by-uuid/ entries follow /boot; others kept" \
   "$(cat "$tmp/fstab")" \
"UUID=$new_boot /boot ext4 defaults 0 2
/dev/VG/Root / ext4 defaults 0 1
UUID=1234-ABCD /boot/efi vfat umask=077 0 2
/dev/disk/by-uuid/$new_boot /srv/boot-ro ext4 ro,noauto 0 0"
is "grub.cfg: the boot loader looks for /boot's new UUID" \
   "$(cat "$tmp/grub.cfg")" "search --fs-uuid --set=root $new_boot"

# ---- 3. dry run: nothing changes, nothing runs -------------------------
before=$(sha256sum < "$img")
start_time=$(date +%s)
env -u LIBGUESTFS_BACKEND_SETTINGS \
  goldsmith sysprep --dry-run --json --enable fs-uuids,lvm-uuids,script \
  --script "touch '$tmp/dry-run-ran'; exit 1" -a "$img" \
  > "$tmp/dry.json" 2> "$tmp/dry.stderr"
is "dry run: exit status 0" "$?" 0
diag "dry run: $(( $(date +%s) - start_time )) s"
sed 's/^/# stderr: /' "$tmp/dry.stderr"
is "dry run: the image is byte-identical" "$(sha256sum < "$img")" "$before"
ok "dry run: the script was not run" test ! -e "$tmp/dry-run-ran"
is "dry run: the report lists what would change" \
   "$(summary "$tmp/dry.json")" \
"script applied
  change /
fs-uuids applied
  change /dev/sda1
  change /dev/VG/Root
  change /etc/fstab
  change /boot/grub2/grub.cfg
lvm-uuids applied
  change /dev/sda2
  change /dev/VG"

# ---- 4. a failing script -----------------------------------------------
start_time=$(date +%s)
env -u LIBGUESTFS_BACKEND_SETTINGS \
  goldsmith sysprep --json --enable script,fs-uuids --scriptdir "$tmp/mnt" \
  --script 'test -d etc' --script 'exit 3' --script "touch '$tmp/third-ran'" \
  -a "$img" > "$tmp/fail.json" 2> "$tmp/fail.stderr"
is "failing script: exit status 1" "$?" 1
diag "failing script: $(( $(date +%s) - start_time )) s"
sed 's/^/# stderr: /' "$tmp/fail.stderr"
ok "the error names the script and its exit status" \
   grep -q 'script: error: "exit 3": script failed (exit 3)' "$tmp/fail.stderr"
ok "the scripts after it did not run" test ! -e "$tmp/third-ran"
is "the report: script failed, fs-uuids skipped" \
   "$(summary "$tmp/fail.json" | grep -v '^ ')" "script failed
fs-uuids skipped"
ok "--scriptdir is kept, empty and unmounted" \
   bash -c "[ -d '$tmp/mnt' ] && [ -z \"\$(ls -A '$tmp/mnt')\" ] &&
            ! mountpoint -q '$tmp/mnt'"

# ---- no launch: bad --scriptdir is refused before the appliance ---------
touch "$tmp/mnt/file"
goldsmith sysprep --enable script --scriptdir "$tmp/mnt" --script true \
  -a "$img" > /dev/null 2> "$tmp/bad.stderr"
is "non-empty --scriptdir: exit status 2" "$?" 2
ok "non-empty --scriptdir: says why, before launching" \
   bash -c "grep -q 'not empty' '$tmp/bad.stderr' &&
            ! grep -q 'Launching' '$tmp/bad.stderr'"
