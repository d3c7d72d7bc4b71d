#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith's own inspection against libguestfs's on distributions the
# phony guests do not cover: Ubuntu 22.04, Arch Linux and Rocky Linux
# 9.2, three roots of one disk built on the host
# (tests/make-distros-guest.sh).  One launch: a sysprep dry run (which
# uses goldsmith's own inspection) with GOLDSMITH_INSPECT_COMPARE=1 runs
# libguestfs's too and compares every root field by field (the nine
# facts, mountpoints, filesystems, osinfo); the report's facts are then
# checked against what the fixture holds (os-release, hostname, the
# host's bash behind usr-merged links).
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 6

tmp="$builddir/tests/tmp/inspect-distros"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
bash "$srcdir/tests/make-distros-guest.sh" "$tmp/distros.img" ||
  bail "the distributions' disk could not be built"
before=$(sha256sum < "$tmp/distros.img")

env -u LIBGUESTFS_BACKEND_SETTINGS GOLDSMITH_INSPECT_COMPARE=1 \
  goldsmith sysprep --dry-run --json --operations machine-id \
  -a "$tmp/distros.img" > "$tmp/out.json" 2> "$tmp/err"
is "exit status 0" "$?" 0
sed 's/^/# stderr: /' "$tmp/err"
is "own inspection found the three roots, as libguestfs's did, field by field, and was used" \
   "$(grep -c 'inspection compared: 3 goldsmith roots, 0 differences$' "$tmp/err")|$(grep -c 'inspection differs' "$tmp/err")" \
   "1|0"

# root ROOT: the report's facts of ROOT, one line.
root () {
  python3 - "$tmp/out.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = [r for g in d["guests"] for r in g["roots"] if r["root"] == sys.argv[2]]
assert len(r) == 1, r
print("|".join(str(r[0]["os"].get(k, "-")) for k in (
    "type", "distro", "major-version", "minor-version", "product-name",
    "package-format", "package-management", "hostname", "arch")))
PY
}
is "Ubuntu: as its os-release and hostname say" "$(root /dev/sda1)" \
   "linux|ubuntu|22|4|Ubuntu 22.04.3 LTS|deb|apt|ubu-host|x86_64"
is "Arch: version 0.0, as Arch has no VERSION_ID" "$(root /dev/sda2)" \
   "linux|archlinux|0|0|Arch Linux|pacman|pacman|arch-host|x86_64"
is "Rocky: as its os-release and hostname say" "$(root /dev/sda3)" \
   "linux|rocky|9|2|Rocky Linux 9.2 (Blue Onyx)|rpm|dnf|rocky-host|x86_64"
is "the image is byte-identical" "$(sha256sum < "$tmp/distros.img")" "$before"
