#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# make-phony-guests.sh DIR: build the phony guest images the end-to-end
# tests share, in ONE appliance launch, and save a manifest of each
# (every path, with sha256 of regular files, mode, owner and extended
# attributes: tests/manifest.py) for later comparison.
#
# fedora.img: raw, MBR, /dev/sda1 = /boot (ext4), /dev/sda2 = LVM PV of
# VG "VG" with LV "Root" (ext4, /); an RPM database listing one package
# (tests/make-rpmdb.sh, tests/fixtures/gs-hello.spec).
# debian.img: raw, MBR, /dev/sda1 = / (ext4), no LVM.
# sparse.img: the sparsify tests' disk (tests/make-sparse-guest.sh).
# windows.img: the inspect tests' Windows guest, registry hives and all
# (tests/make-phony-windows.sh); only where hivexregedit is installed.
# What each holds (the targets of the sysprep operations and decoys that
# must survive them) is data: tests/fixtures/NAME.txt (tests/fixture.py).
set -e
dir="${1:-tests/phony}"
mkdir -p "$dir"
source "$(dirname "$0")/functions.sh"

fixtures="$(dirname "$0")/fixtures"
fixture () { python3 "$(dirname "$0")/fixture.py" guestfish "$fixtures/$1.txt"; }

rm -f "$dir/fedora.img.tmp" "$dir/debian.img.tmp" "$dir/windows.img"
# The Fedora guest's RPM database (one package), made on the host.
bash "$(dirname "$0")/make-rpmdb.sh" "$dir"
bash "$(dirname "$0")/make-sparse-guest.sh" "$dir" host
# The Windows guest is /dev/sdd of the same launch, when it can be made.
windows=(); windows_cmds=
if bash "$(dirname "$0")/make-phony-windows.sh" "$dir" host; then
  windows=(--format=raw -a "$dir/windows.img.tmp")
  windows_cmds=$(bash "$(dirname "$0")/make-phony-windows.sh" "$dir" guestfish /dev/sdd)
elif [ $? = 3 ]; then
  echo "$0: hivexregedit not installed: no phony Windows guest" >&2
else
  exit 1
fi
guestfish -N "$dir/fedora.img.tmp"=disk:256M \
          -N "$dir/debian.img.tmp"=disk:128M \
          --format=raw -a "$dir/sparse.img.tmp" "${windows[@]}" <<EOF2
part-init /dev/sda mbr
part-add /dev/sda p 2048 133119
part-add /dev/sda p 133120 -64
pvcreate /dev/sda2
vgcreate VG /dev/sda2
lvcreate Root VG 160
mkfs ext4 /dev/sda1 label:BOOT
mkfs ext4 /dev/VG/Root label:ROOT
# Fixed UUIDs: the inspect goldens name them.
set-uuid /dev/sda1 0b1e2c3d-0000-4000-8000-000000000003
set-uuid /dev/VG/Root 0b1e2c3d-0000-4000-8000-000000000002
mount /dev/VG/Root /
mkdir /boot
mount /dev/sda1 /boot
mkdir-p /bin
upload /bin/ls /bin/ls
chmod 0755 /bin/ls
$(fixture fedora)
upload "$dir/rpmdb.sqlite" /var/lib/rpm/rpmdb.sqlite
tar-out / "$dir/fedora.tar" numericowner:true xattrs:true selinux:true
umount-all

part-disk /dev/sdb mbr
mkfs ext4 /dev/sdb1 label:debroot
set-uuid /dev/sdb1 0b1e2c3d-0000-4000-8000-000000000001
mount /dev/sdb1 /
$(fixture debian)
tar-out / "$dir/debian.tar" numericowner:true xattrs:true selinux:true
umount-all

$(bash "$(dirname "$0")/make-sparse-guest.sh" "$dir" guestfish /dev/sdc)

$windows_cmds
EOF2
mv "$dir/sparse.img.tmp" "$dir/sparse.img"
rm -rf "$dir/sparse-src" "$dir/windows-src" "$dir/rpmdb.sqlite"
[ ${#windows[@]} = 0 ] || mv "$dir/windows.img.tmp" "$dir/windows.img"
for g in fedora debian; do
  mv "$dir/$g.img.tmp" "$dir/$g.img"
  python3 "$(dirname "$0")/manifest.py" "$dir/$g.tar" > "$dir/$g.manifest"
  rm -f "$dir/$g.tar"
  # The modes, owners and attributes the fixture sets are in the guest
  # (so the tests that compare them compare something).
  bad=$(python3 "$(dirname "$0")/fixture.py" check-meta "$dir/$g.manifest" \
          "$fixtures/$g.txt")
  if [ -n "$bad" ]; then
    echo "$0: $g: the guest lacks what its fixture sets:" >&2
    echo "$bad" >&2
    exit 1
  fi
done
