#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# make-distros-guest.sh IMG: a raw MBR disk with three installed-looking
# Linux roots, built on the host (sfdisk, mke2fs -d: no appliance), for
# comparing goldsmith's own inspection with libguestfs's on distributions
# the phony Fedora and Debian guests do not cover:
#   p1  Ubuntu 22.04 (deb/apt; /etc/debian_version too, as Ubuntu has)
#   p2  Arch Linux (pacman; no VERSION_ID, as Arch has none)
#   p3  Rocky Linux 9.2 (rpm/dnf; /etc/redhat-release too)
# Each is usr-merged (/bin -> usr/bin, the host's bash as /usr/bin/bash
# for the architecture), with a hostname and an fstab naming its root by
# UUID.  The UUIDs below are fixed: tests may name them.
set -eu
img="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

root () {                        # root DIR ID HOSTNAME UUID
  local d="$work/$1"
  mkdir -p "$d/etc" "$d/usr/bin" "$d/usr/lib" "$d/var/lib" "$d/home"
  ln -s usr/bin "$d/bin"
  ln -s usr/lib "$d/lib"
  cp /bin/bash "$d/usr/bin/bash"
  echo "$3" > "$d/etc/hostname"
  printf 'UUID=%s / ext4 defaults 0 1\n' "$4" > "$d/etc/fstab"
}
root ubuntu ubuntu ubu-host 6b1e2c3d-0000-4000-8000-0000000000a1
cat > "$work/ubuntu/etc/os-release" <<'EOF'
PRETTY_NAME="Ubuntu 22.04.3 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.3 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
EOF
echo "bookworm/sid" > "$work/ubuntu/etc/debian_version"
mkdir -p "$work/ubuntu/var/lib/dpkg"
printf 'Package: bash\nStatus: install ok installed\nVersion: 5.1-6ubuntu1\nArchitecture: amd64\n\n' \
  > "$work/ubuntu/var/lib/dpkg/status"

root arch arch arch-host 6b1e2c3d-0000-4000-8000-0000000000a2
cat > "$work/arch/etc/os-release" <<'EOF'
NAME="Arch Linux"
PRETTY_NAME="Arch Linux"
ID=arch
BUILD_ID=rolling
ANSI_COLOR="38;2;23;147;209"
HOME_URL="https://archlinux.org/"
EOF
mkdir -p "$work/arch/var/lib/pacman/local"

root rocky rocky rocky-host 6b1e2c3d-0000-4000-8000-0000000000a3
cat > "$work/rocky/etc/os-release" <<'EOF'
NAME="Rocky Linux"
VERSION="9.2 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.2"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.2 (Blue Onyx)"
EOF
echo "Rocky Linux release 9.2 (Blue Onyx)" > "$work/rocky/etc/redhat-release"
mkdir -p "$work/rocky/var/lib/rpm"

rm -f "$img"
truncate -s 64M "$img"
sfdisk -q "$img" <<'EOF'
label: dos
start=2048, size=40960, type=83
start=43008, size=40960, type=83
start=83968, size=40960, type=83
EOF
n=0
for d in ubuntu arch rocky; do
  n=$((n + 1))
  uuid=$(sed -n 's/^UUID=\([^ ]*\) .*/\1/p' "$work/$d/etc/fstab")
  mke2fs -q -F -t ext4 -U "$uuid" -L "$d-root" -d "$work/$d" \
    "$work/p$n" 20M >/dev/null
  dd if="$work/p$n" of="$img" bs=512 seek=$(( 2048 + (n - 1) * 40960 )) \
    conv=notrunc status=none
done
