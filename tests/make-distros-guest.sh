#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# make-distros-guest.sh IMG: a raw MBR disk with four installed-looking
# Linux roots, built on the host (sfdisk, mke2fs -d: no appliance), for
# comparing goldsmith's own inspection with libguestfs's on distributions
# the phony Fedora and Debian guests do not cover:
#   p1  Ubuntu 22.04 (deb/apt; /etc/debian_version too, as Ubuntu has;
#       two dpkg packages and Ubuntu's 24x24 logo, a PNG made here)
#   p2  Arch Linux (pacman; no VERSION_ID, as Arch has none; a pacman
#       database with packages libguestfs lists and ones it skips)
#   p3  Rocky Linux 9.2 (rpm/dnf; /etc/redhat-release too; the rpm
#       database of tests/make-rpmdb.sh)
#   p4  Alpine Linux 3.18 (apk; not usr-merged; an apk database)
# Each has the host's bash as /bin/bash (through usr-merged links but on
# Alpine) for the architecture, a hostname and an fstab naming its root
# by UUID.  The UUIDs below are fixed: tests may name them.
set -eu
img="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

root () {                        # root DIR ID HOSTNAME UUID [split]
  local d="$work/$1"
  mkdir -p "$d/etc" "$d/usr/bin" "$d/usr/lib" "$d/var/lib" "$d/home"
  if [ "${5:-}" = split ]; then
    mkdir -p "$d/bin" "$d/lib"
    cp /bin/bash "$d/bin/bash"
  else
    ln -s usr/bin "$d/bin"
    ln -s usr/lib "$d/lib"
    cp /bin/bash "$d/usr/bin/bash"
  fi
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
printf 'Package: bash\nStatus: install ok installed\nVersion: 5.1-6ubuntu1\nArchitecture: amd64\n\nPackage: base-files\nStatus: install ok installed\nVersion: 12ubuntu4.4\nArchitecture: amd64\nDescription: Debian base system miscellaneous files\n This package contains the basic filesystem hierarchy.\n\n' \
  > "$work/ubuntu/var/lib/dpkg/status"
# The logo libguestfs takes for Ubuntu (at most 2048 bytes): a 24x24 PNG.
mkdir -p "$work/ubuntu/usr/share/icons/gnome/24x24/places"
python3 - "$work/ubuntu/usr/share/icons/gnome/24x24/places/ubuntu-logo.png" <<'PY'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
rows = b"".join(b"\0" + bytes([233, 84, 32, 255]) * 24 for _ in range(24))
open(sys.argv[1], "wb").write(
    b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 24, 24, 8, 6, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY

root arch arch arch-host 6b1e2c3d-0000-4000-8000-0000000000a2
cat > "$work/arch/etc/os-release" <<'EOF'
NAME="Arch Linux"
PRETTY_NAME="Arch Linux"
ID=arch
BUILD_ID=rolling
ANSI_COLOR="38;2;23;147;209"
HOME_URL="https://archlinux.org/"
EOF
# pacman's database: one directory per package with its desc; libguestfs
# lists linux and zlib (an epoch), and skips the directory without a
# desc, the desc without %ARCH%, the file beside them and a desc over
# 8192 bytes.
pac="$work/arch/var/lib/pacman/local"
mkdir -p "$pac"/linux-6.6.1.arch1-1 "$pac"/zlib-1:1.3-1 "$pac"/nodesc-1-1 \
  "$pac"/noarch-1-1 "$pac"/huge-1-1
echo 9 > "$pac/ALPM_DB_VERSION"
printf '%%NAME%%\nlinux\n\n%%VERSION%%\n6.6.1.arch1-1\n\n%%BASE%%\nlinux\n\n%%DESC%%\nThe Linux kernel and modules\n\n%%URL%%\nhttps://github.com/archlinux/linux\n\n%%ARCH%%\nx86_64\n\n' \
  > "$pac/linux-6.6.1.arch1-1/desc"
printf '%%NAME%%\nzlib\n\n%%VERSION%%\n1:1.3-1\n\n%%DESC%%\nCompression library\n\n%%ARCH%%\nx86_64\n\n' \
  > "$pac/zlib-1:1.3-1/desc"
printf '%%NAME%%\nnoarch\n\n%%VERSION%%\n1-1\n\n' > "$pac/noarch-1-1/desc"
{ printf '%%NAME%%\nhuge\n\n%%VERSION%%\n1-1\n\n%%ARCH%%\nany\n\n%%DESC%%\n'
  head -c 9000 /dev/zero | tr '\0' x; printf '\n\n'; } > "$pac/huge-1-1/desc"

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
bash "$(dirname "$0")/make-rpmdb.sh" "$work"
mv "$work/rpmdb.sqlite" "$work/rocky/var/lib/rpm/rpmdb.sqlite"
# librpm, chrooted into the guest by libguestfs, reads the guest's rpm
# configuration first (as in tests/fixtures/fedora.txt).
mkdir -p "$work/rocky/usr/lib/rpm"
echo '# rpmrc' > "$work/rocky/usr/lib/rpm/rpmrc"
printf '%%_dbpath /var/lib/rpm\n%%_db_backend sqlite\n' > "$work/rocky/usr/lib/rpm/macros"

root alpine alpine alp-host 6b1e2c3d-0000-4000-8000-0000000000a4 split
cat > "$work/alpine/etc/os-release" <<'EOF'
NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.18.4
PRETTY_NAME="Alpine Linux v3.18"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
EOF
echo 3.18.4 > "$work/alpine/etc/alpine-release"
mkdir -p "$work/alpine/lib/apk/db"
printf 'C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nI:622592\nT:the musl c library (libc) implementation\nU:https://musl.libc.org/\nL:MIT\n\nP:busybox\nV:1.36.1-r5\nA:x86_64\nT:Size optimized toolbox of many common UNIX utilities\nU:https://busybox.net/\n\n' \
  > "$work/alpine/lib/apk/db/installed"

rm -f "$img"
truncate -s 96M "$img"
sfdisk -q "$img" <<'EOF'
label: dos
start=2048, size=40960, type=83
start=43008, size=40960, type=83
start=83968, size=40960, type=83
start=124928, size=40960, type=83
EOF
n=0
for d in ubuntu arch rocky alpine; do
  n=$((n + 1))
  uuid=$(sed -n 's/^UUID=\([^ ]*\) .*/\1/p' "$work/$d/etc/fstab")
  mke2fs -q -F -t ext4 -U "$uuid" -L "$d-root" -d "$work/$d" \
    "$work/p$n" 20M >/dev/null
  dd if="$work/p$n" of="$img" bs=512 seek=$(( 2048 + (n - 1) * 40960 )) \
    conv=notrunc status=none
done
