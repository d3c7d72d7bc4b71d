#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# sysprep-boots.sh: an opt-in slow check (never part of "make check"):
# a real, small Debian 12 guest sysprepped by "goldsmith sysprep" with
# the default operations still boots to multi-user.target, and what
# sysprep promised happens at its first boot: a new machine ID, new SSH
# host keys (sshd starts), the new hostname, and the first-boot command
# runs exactly once (a second boot does not run it again).
#
# Needs root (debootstrap, and mke2fs -d keeps the owners), debootstrap,
# network access to the Debian mirror the first time, qemu-system-x86_64
# and debugfs.  The golden image is built once and cached in
# $builddir/tests/slow/cache/ (delete it to rebuild).  Appliance and
# guest runs take /tmp/goldsmith-appliance.lock, like every developer's
# appliance runs on a shared machine.  Run it from the build tree:
#   ./run tests/slow/sysprep-boots.sh
# Environment: GS_BOOT_INIT (systemd, the default, or sysv: the guest
# boots with Debian's sysvinit-core, insserv and startpar instead, and
# the first-boot scripts are started by goldsmith's SysV init script),
# GS_BOOT_TIMEOUT (seconds per boot, default 900), GS_MIRROR (default
# http://deb.debian.org/debian).
source "$(dirname "$0")/../functions.sh"

mirror="${GS_MIRROR:-http://deb.debian.org/debian}"
boot_timeout="${GS_BOOT_TIMEOUT:-900}"
init="${GS_BOOT_INIT:-systemd}"
lock=/tmp/goldsmith-appliance.lock
cache="$builddir/tests/slow/cache/$init"
tmp="$builddir/tests/slow/tmp/$init"   # kept after the run, for the logs
# Bump when the recipe of the golden image changes: the cache is rebuilt.
recipe=3
case "$init" in
  systemd) init_pkg=systemd-sysv ;;
  sysv)    init_pkg=sysvinit-core ;;
  *)       bail "GS_BOOT_INIT=$init: systemd or sysv" ;;
esac
packages=$init_pkg,udev,openssh-server,linux-image-amd64,ifupdown,e2fsprogs
disk_mib=3072                    # one partition from 1 MiB to the end
part_offset_mib=1
marker=GS-BOOT-CHECK

[ "$(id -u)" = 0 ] || skip_all "needs root (debootstrap, mke2fs -d)"
for p in debootstrap mke2fs debugfs sfdisk qemu-system-x86_64 flock; do
  command -v "$p" >/dev/null || skip_all "$p is not installed"
done

# timed FILE COMMAND...: run COMMAND under the appliance lock; the
# seconds it took once the lock was held go to FILE.
timed () {
  local f="$1"; shift
  flock "$lock" bash -c 's=$(date +%s); "$@"; r=$?
                         echo $(( $(date +%s) - s )) > "$0"; exit $r' \
    "$f" "$@"
}

# ---- 1. the golden image (cached) --------------------------------------
# The guest gets, before sysprep, what a golden image has: a machine ID,
# SSH host keys, log files and a hostname, plus a unit that reports to
# the serial console once multi-user.target is reached and powers off.
customize_rootfs () {
  local r="$1"

  echo golden-image > "$r/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tgolden-image\n' > "$r/etc/hosts"
  printf 'auto lo\niface lo inet loopback\n' > "$r/etc/network/interfaces"
  printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$fs_uuid" > "$r/etc/fstab"
  od -An -tx1 -N16 /dev/urandom | tr -d ' \n' > "$r/etc/machine-id"
  echo >> "$r/etc/machine-id"
  rm -f "$r"/etc/ssh/ssh_host_*
  ssh-keygen -A -f "$r" >/dev/null
  mkdir -p "$r/var/log/golden"
  echo "built by sysprep-boots.sh on $(date -u)" > "$r/var/log/golden.log"
  echo "old entry" > "$r/var/log/golden/old.log"

  # What the guest reports: sshd and the first-boot runner, as the
  # init system sees them.
  if [ "$init" = systemd ]; then
    ssh_state='$(systemctl is-active ssh.service)'
    fb_state='$(systemctl is-active goldsmith-firstboot.service)'
    failed='$(systemctl --failed --plain --no-legend | awk "{print \$1}" | tr "\n" " ")'
    off='systemctl --no-block poweroff'
  else
    ssh_state='$(pidof sshd >/dev/null && echo active || echo inactive)'
    fb_state='$(test -s /root/goldsmith-firstboot.log && echo active || echo inactive)'
    failed=''
    off='poweroff'
  fi
  cat > "$r/usr/local/sbin/gs-boot-check" <<EOF
#!/bin/sh
# Added by goldsmith's tests/slow/sysprep-boots.sh: report, power off.
{
  echo                           # the getty prompt may be on this line
  echo "$marker: multi-user reached"
  echo "$marker: hostname=\$(hostname)"
  echo "$marker: machine-id=\$(cat /etc/machine-id)"
  echo "$marker: ssh=$ssh_state"
  echo "$marker: firstboot=$fb_state"
  echo "$marker: failed=$failed"
  echo "$marker: end"
} > /dev/console 2>&1
sync
$off
EOF
  chmod 0755 "$r/usr/local/sbin/gs-boot-check"
  if [ "$init" = sysv ]; then
    # rc.local (Required-Start: $all) runs it once runlevel 2 is up.
    printf '#!/bin/sh\n/usr/local/sbin/gs-boot-check &\nexit 0\n' \
      > "$r/etc/rc.local"
    chmod 0755 "$r/etc/rc.local"
    return
  fi
  # DefaultDependencies=no: with the defaults, multi-user.target would
  # be ordered after the units it wants, a cycle with our After=.
  cat > "$r/etc/systemd/system/gs-boot-check.service" <<'EOF'
[Unit]
Description=goldsmith boot check (report and power off)
DefaultDependencies=no
Requires=sysinit.target
After=multi-user.target ssh.service goldsmith-firstboot.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/gs-boot-check

[Install]
WantedBy=multi-user.target
EOF
  mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
  ln -sf ../gs-boot-check.service \
     "$r/etc/systemd/system/multi-user.target.wants/gs-boot-check.service"
}

build_golden () {
  local r="$cache/rootfs" s

  if [ ! -f "$r/.debootstrap-done" ]; then
    rm -rf "$r" "$r.tmp"
    s=$(date +%s)
    debootstrap --variant=minbase --include="$packages" \
      bookworm "$r.tmp" "$mirror" > "$cache/debootstrap.log" 2>&1 ||
      bail "debootstrap failed: see $cache/debootstrap.log"
    mv "$r.tmp" "$r"
    echo $(( $(date +%s) - s )) > "$r/.debootstrap-done"
  fi

  fs_uuid=$(cat /proc/sys/kernel/random/uuid)
  customize_rootfs "$r"
  # Direct kernel boot with the guest's own kernel and initramfs.
  cp "$(ls "$r"/boot/vmlinuz-* | sort -V | tail -1)" "$cache/vmlinuz"
  cp "$(ls "$r"/boot/initrd.img-* | sort -V | tail -1)" \
     "$cache/initrd.img"

  rm -f "$cache/golden.img" "$cache/golden.fs"
  mke2fs -q -t ext4 -U "$fs_uuid" -L root -d "$r" "$cache/golden.fs" \
    $(( (disk_mib - part_offset_mib) ))M > /dev/null ||
    bail "mke2fs -d failed"
  truncate -s "${disk_mib}M" "$cache/golden.img"
  echo "start=$((part_offset_mib * 2048)), type=L" |
    sfdisk -q -X dos "$cache/golden.img" >/dev/null ||
    bail "sfdisk failed"
  dd if="$cache/golden.fs" of="$cache/golden.img" bs=1M \
     seek="$part_offset_mib" conv=notrunc,sparse status=none ||
    bail "dd failed"
  rm -f "$cache/golden.fs"
  cp "$r/etc/machine-id" "$cache/golden.machine-id"
  cat "$r"/etc/ssh/ssh_host_*_key.pub > "$cache/golden.hostkeys"
  echo "$recipe" > "$cache/golden.recipe"
}

mkdir -p "$cache"
if [ "$(cat "$cache/golden.recipe" 2>/dev/null)" != "$recipe" ] ||
   [ ! -f "$cache/golden.img" ]; then
  build_golden
fi
diag "debootstrap took $(cat "$cache/rootfs/.debootstrap-done") s" \
     "(once; cached in $cache)"

rm -rf "$tmp"; mkdir -p "$tmp"
img="$tmp/guest.img"
cp --sparse=always "$cache/golden.img" "$img"

# read_back NAME: the guest's /etc, /root, /var/log and
# /usr/lib/goldsmith in $tmp/NAME/ (and the debugfs messages in
# $tmp/NAME.debugfs.log), read from the partition on the host.
read_back () {
  local d="$tmp/$1"
  rm -rf "$d" "$tmp/part.fs"; mkdir -p "$d"
  dd if="$img" of="$tmp/part.fs" bs=1M skip="$part_offset_mib" \
     conv=sparse status=none
  debugfs -R "rdump /etc /root /var/log /usr/lib/goldsmith $d" \
    "$tmp/part.fs" \
    > "$tmp/$1.debugfs.log" 2>&1
  rm -f "$tmp/part.fs"
}

# ---- 2. sysprep ----------------------------------------------------------
fb_cmd='echo goldsmith-firstboot-ran >> /root/firstboot.ok'
timed "$tmp/sysprep.time" \
  "$builddir/run" goldsmith sysprep --format=raw -a "$img" \
  --hostname booted-clone --firstboot-command "$fb_cmd" \
  > "$tmp/sysprep.out" 2>&1
rc=$?
is "goldsmith sysprep exits 0" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/sysprep.out"
diag "sysprep: $(cat "$tmp/sysprep.time") s"

read_back after-sysprep
a="$tmp/after-sysprep"
is "sysprep emptied /etc/machine-id" "$(cat "$a/etc/machine-id")" ""
is "sysprep removed the SSH host keys" \
   "$(ls "$a/etc/ssh" | grep -c '_host_')" 0
is "sysprep removed the golden image's /var/log/*.log" \
   "$(cd "$a/log" && ls -d *.log 2>/dev/null)" ""
ok "first-boot scripts are waiting (ssh-keygen and the command)" \
   test "$(ls "$a/goldsmith/firstboot/scripts" | wc -l)" -ge 2

# ---- 3. boot -------------------------------------------------------------
boot () {
  local n="$1"

  timed "$tmp/boot$n.time" timeout "$boot_timeout" \
    qemu-system-x86_64 -accel tcg -m 1024 -smp 2 -nodefaults \
      -display none -no-reboot \
      -kernel "$cache/vmlinuz" -initrd "$cache/initrd.img" \
      -append "root=/dev/vda1 rw console=ttyS0 panic=-1 systemd.show_status=1" \
      -drive file="$img",if=virtio,format=raw \
      -serial file:"$tmp/console$n.log"
}
# field N KEY: what the guest reported as KEY=... on boot N's console.
field () {
  sed -n "s/.*$marker: $2=//p" "$tmp/console$1.log" | tr -d '\r' | tail -1
}

boot 1
is "boot 1: qemu exits 0 (guest powered off before the timeout)" "$?" 0
diag "boot 1: $(cat "$tmp/boot1.time") s"
ok "boot 1: the guest reached multi-user.target" \
   grep -q "$marker: multi-user reached" "$tmp/console1.log"
is "boot 1: sshd is running" "$(field 1 ssh)" active
if [ "$init" = systemd ]; then
  is "boot 1: goldsmith-firstboot.service succeeded" \
     "$(field 1 firstboot)" active
else
  is "boot 1: the first-boot runner ran before multi-user" \
     "$(field 1 firstboot)" active
fi
is "boot 1: the hostname is booted-clone" "$(field 1 hostname)" booted-clone
diag "boot 1: failed units: $(field 1 failed)"

read_back after-boot1
b="$tmp/after-boot1"
[ "$init" = sysv ] &&
  ok "boot 1: startpar orders the first-boot script before sshd" \
     grep -qE '^ssh: .*goldsmith-firstboot' "$b/etc/init.d/.depend.start"
mid1=$(cat "$b/etc/machine-id")
ok "boot 1: /etc/machine-id is a new 128-bit ID" \
   grep -qxE '[0-9a-f]{32}' "$b/etc/machine-id"
isnt "boot 1: the machine ID differs from the golden image's" \
   "$mid1" "$(cat "$cache/golden.machine-id")"
is "boot 1: the guest used the ID it saved" "$(field 1 machine-id)" "$mid1"
keys1=$(cat "$b"/etc/ssh/ssh_host_*_key.pub 2>/dev/null)
ok "boot 1: SSH host keys exist again (rsa, ecdsa, ed25519)" \
   test -s "$b/etc/ssh/ssh_host_rsa_key" -a \
        -s "$b/etc/ssh/ssh_host_ecdsa_key" -a \
        -s "$b/etc/ssh/ssh_host_ed25519_key"
ok "boot 1: no host key is the golden image's" \
   test -z "$(grep -Fxf "$cache/golden.hostkeys" <<< "$keys1")"
is "boot 1: /etc/hostname is booted-clone" \
   "$(cat "$b/etc/hostname")" booted-clone
is "boot 1: the first-boot command ran once" \
   "$(cat "$b/root/firstboot.ok" 2>/dev/null)" goldsmith-firstboot-ran
is "boot 1: no first-boot script is left waiting, all are in done/" \
   "$(ls -A "$b/goldsmith/firstboot/scripts" 2>&1 | wc -l) $(ls \
      "$b/goldsmith/firstboot/done" | wc -l)" \
   "0 $(ls "$a/goldsmith/firstboot/scripts" | wc -l)"
is "boot 1: every first-boot script exited 0" \
   "$(grep '^=== exit status' "$b/root/goldsmith-firstboot.log" |
      sort -u)" "=== exit status 0"

# ---- 4. a second boot: nothing runs again, nothing changes ---------------
boot 2
is "boot 2: qemu exits 0" "$?" 0
diag "boot 2: $(cat "$tmp/boot2.time") s"
ok "boot 2: the guest reached multi-user.target" \
   grep -q "$marker: multi-user reached" "$tmp/console2.log"
is "boot 2: sshd is running" "$(field 2 ssh)" active
read_back after-boot2
c="$tmp/after-boot2"
is "boot 2: the first-boot command did not run again" \
   "$(cat "$c/root/firstboot.ok" 2>/dev/null)" goldsmith-firstboot-ran
is "boot 2: the first-boot log is unchanged" \
   "$(cat "$c/root/goldsmith-firstboot.log")" \
   "$(cat "$b/root/goldsmith-firstboot.log")"
is "boot 2: the machine ID is kept" "$(cat "$c/etc/machine-id")" "$mid1"
is "boot 2: the SSH host keys are kept" \
   "$(cat "$c"/etc/ssh/ssh_host_*_key.pub 2>/dev/null)" "$keys1"

echo "1..$tap_n"
diag "logs and read-backs in $tmp"
[ "$tap_failed" = 0 ]
