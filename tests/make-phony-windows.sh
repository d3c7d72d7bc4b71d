#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# make-phony-windows.sh DIR host | DIR guestfish DEV: the phony Windows
# guest, windows.img (raw, MBR, 32 MiB sparse), for the inspect tests.
#
# "host" builds everything with the host's tools (no appliance): the
# registry hives (tests/make-hive.py, then hivexregedit --merge of
# tests/fixtures/windows-*.reg), a cmd.exe that file(1) takes for a
# 64-bit PE, a 48x48 PNG, and the disk with its NTFS filesystem (label
# "Windows", serial fixed for the goldens).  It exits 3, building
# nothing, when hivexregedit is missing.  "guestfish DEV" prints the
# commands that fill the filesystem in make-phony-guests.sh's single
# launch (ntfs-3g on the host cannot mount without FUSE).
#
# What libguestfs 1.48 needs to call it Windows: a system root
# (/Windows) with System32/config and System32/cmd.exe (its
# architecture is cmd.exe's); the SOFTWARE and SYSTEM hives in
# System32/config give the rest.  The icon of Windows 6.2 (Server
# 2012) is /ProgramData/Microsoft/Windows Live/WLive48x48.png.
#
#   partition 1  at 1 MiB (the offset MountedDevices names for C:),
#                NTFS; the MBR disk signature is "GWIN" (the C: value)
set -e
dir="$1"
src="$dir/windows-src"
here="$(dirname "$0")"
serial=0b1e2c3d00000004

if [ "$2" = guestfish ]; then
  dev="$3"
  cat <<EOF
mount ${dev}1 /
mkdir-p /Windows/System32/config
mkdir-p "/ProgramData/Microsoft/Windows Live"
upload $src/SOFTWARE /Windows/System32/config/SOFTWARE
upload $src/SYSTEM /Windows/System32/config/SYSTEM
upload $src/cmd.exe /Windows/System32/cmd.exe
upload $src/WLive48x48.png "/ProgramData/Microsoft/Windows Live/WLive48x48.png"
umount-all
EOF
  exit 0
fi

command -v hivexregedit >/dev/null || exit 3
rm -rf "$src" "$dir/windows.img.tmp"
mkdir -p "$src"
for h in SOFTWARE SYSTEM; do
  python3 "$here/make-hive.py" "$src/$h"
  hivexregedit --merge --prefix "HKEY_LOCAL_MACHINE\\$h" "$src/$h" \
    "$here/fixtures/windows-${h,,}.reg"
done
python3 - "$src" <<'PY'
import struct, sys, zlib
d = sys.argv[1]
# A PE32+ header and nothing else: enough for file(1) to say
# "PE32+ executable (console) x86-64", from which libguestfs takes
# the architecture.
dos = bytearray(64)
dos[0:2] = b"MZ"
struct.pack_into("<I", dos, 0x3c, len(dos))        # e_lfanew
coff = struct.pack("<HHIIIHH", 0x8664, 0, 0, 0, 0, 240, 0x22)
opt = bytearray(240)
struct.pack_into("<H", opt, 0, 0x20b)              # PE32+
struct.pack_into("<H", opt, 68, 3)                 # console subsystem
open(d + "/cmd.exe", "wb").write(bytes(dos) + b"PE\0\0" + coff + bytes(opt))
# 48x48 RGB PNG: four coloured squares.
def chunk(t, data):
    return struct.pack(">I", len(data)) + t + data + \
        struct.pack(">I", zlib.crc32(t + data))
colours = [(0xf2, 0x50, 0x22), (0x7f, 0xba, 0x00),
           (0x00, 0xa4, 0xef), (0xff, 0xb9, 0x00)]
rows = b"".join(b"\0" + b"".join(bytes(colours[(y >= 24) * 2 + (x >= 24)])
                                 for x in range(48)) for y in range(48))
png = b"\x89PNG\r\n\x1a\n" + \
    chunk(b"IHDR", struct.pack(">IIBBBBB", 48, 48, 8, 2, 0, 0, 0)) + \
    chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
open(d + "/WLive48x48.png", "wb").write(png)
PY

img="$dir/windows.img.tmp"
truncate -s 32M "$img"
sfdisk -q "$img" <<EOF
label: dos
label-id: 0x4e495747
start=2048, type=7
EOF
# The geometry a Windows-made volume has, so mkntfs does not warn.
truncate -s $((32 * 1048576 - 1048576)) "$src/p1.img"
mkntfs -q -F -Q -s 512 -p 2048 -H 255 -S 63 -L Windows "$src/p1.img" \
  >/dev/null 2>&1
ntfslabel -q --new-serial="$serial" "$src/p1.img" >/dev/null
dd if="$src/p1.img" of="$img" bs=1M seek=1 conv=notrunc,sparse status=none
rm -f "$src/p1.img"
