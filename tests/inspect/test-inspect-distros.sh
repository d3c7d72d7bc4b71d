#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith's own inspection against libguestfs's on distributions the
# phony guests do not cover: Ubuntu 22.04, Arch Linux, Rocky Linux 9.2
# and Alpine 3.18, four roots of one disk built on the host
# (tests/make-distros-guest.sh).  Two launches:
# 1. goldsmith inspect with GOLDSMITH_INSPECT_COMPARE=1, which runs
#    libguestfs's inspection too and compares every root field by field
#    (the nine facts, mountpoints, filesystems, osinfo: the code sysprep
#    inspects with), each root's applications (dpkg, pacman, rpm
#    through libguestfs's call, apk) and icon (Ubuntu's logo) with
#    libguestfs's list_applications2 and icon; the facts, lists and icon
#    are then checked against the fixture (os-release, hostname, the
#    host's bash, the package databases);
# 2. goldsmith inspect of two small guests whose package databases are
#    FIFOs (a pacman desc, dpkg's status): read, either would block for
#    good (libguestfs's own readers would), so goldsmith skips the one
#    and reports the other unreadable, and lists the rest.  Not
#    compared with libguestfs's, for that reason.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 16

tmp="$builddir/tests/tmp/inspect-distros"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
bash "$srcdir/tests/make-distros-guest.sh" "$tmp/distros.img" ||
  bail "the distributions' disk could not be built"
before=$(sha256sum < "$tmp/distros.img")

env -u LIBGUESTFS_BACKEND_SETTINGS GOLDSMITH_INSPECT_COMPARE=1 \
  goldsmith inspect --json -a "$tmp/distros.img" > "$tmp/inspect.json" \
  2> "$tmp/inspect.err"
is "inspect: exit status 0" "$?" 0
sed 's/^/# stderr: /' "$tmp/inspect.err"
is "inspect: own inspection used for the four roots, as libguestfs's, field by field" \
   "$(grep -c 'inspection compared: 4 goldsmith roots, 0 differences$' "$tmp/inspect.err")|$(grep -c 'inspection differs' "$tmp/inspect.err")" \
   "1|0"
is "inspect: every root's applications and icon as libguestfs lists them" \
   "$(grep -o 'compared: /dev/sda[0-9]: [0-9]* applications, 0 differences$\|compared: /dev/sda[0-9]: icon of [0-9]* bytes, 0 differences$' \
        "$tmp/inspect.err" | sed 's/, 0 differences//; s/compared: //' | tr '\n' ' ')" \
   "/dev/sda1: 2 applications /dev/sda1: icon of 94 bytes /dev/sda2: 2 applications /dev/sda2: icon of 0 bytes /dev/sda3: 1 applications /dev/sda3: icon of 0 bytes /dev/sda4: 2 applications /dev/sda4: icon of 0 bytes "
# root ROOT: the report's facts of ROOT, one line.
root () {
  python3 - "$tmp/inspect.json" "$1" <<'PY'
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
is "Alpine: as its os-release and hostname say" "$(root /dev/sda4)" \
   "linux|alpinelinux|3|18|Alpine Linux v3.18|apk|apk|alp-host|x86_64"

# apps ROOT: ROOT's applications, "name epoch:version-release arch" each.
apps () {
  python3 - "$tmp/inspect.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = [r["inspect"] for g in d["guests"] for r in g["roots"] if r["root"] == sys.argv[2]]
print(", ".join("%s %s:%s-%s %s" % (a["name"], a.get("epoch", "0"), a["version"],
                                     a.get("release", ""), a.get("arch", ""))
                for a in r[0].get("applications", [])))
PY
}
is "inspect: Ubuntu's dpkg packages" "$(apps /dev/sda1)" \
   "base-files 0:12ubuntu4.4- amd64, bash 0:5.1-6ubuntu1 amd64"
is "inspect: Arch's pacman packages (no desc, no %ARCH%, over 8 KiB: left out)" \
   "$(apps /dev/sda2)" "linux 0:6.6.1.arch1-1 x86_64, zlib 1:1.3-1 x86_64"
is "inspect: Rocky's rpm package" "$(apps /dev/sda3)" "gs-hello 2:1.2-3.fc38 x86_64"
is "inspect: Alpine's apk packages" "$(apps /dev/sda4)" \
   "busybox 0:1.36.1-5 x86_64, musl 0:1.2.4-2 x86_64"
is "inspect: Ubuntu's icon is its logo file, base64" \
   "$(python3 -c '
import base64, json, sys
d = json.load(open(sys.argv[1]))
r = [r["inspect"] for g in d["guests"] for r in g["roots"] if r["root"] == "/dev/sda1"][0]
print(base64.b64decode(r["icon"])[:8] == b"\x89PNG\r\n\x1a\n", len(base64.b64decode(r["icon"])))' "$tmp/inspect.json")" \
   "True 94"
# ---- 2. FIFOs for package databases --------------------------------------
# fifo_root DIR ID NAME: a root with an os-release, a hostname, bash and
# an fstab without entries (what makes a Linux root to libguestfs).
fifo_root () {
  mkdir -p "$1/etc" "$1/bin" "$1/var/lib"
  cp /bin/bash "$1/bin/bash"
  echo '# no entries: the root alone' > "$1/etc/fstab"
  printf 'ID=%s\nPRETTY_NAME="%s"\nVERSION_ID=12\n' "$2" "$3" > "$1/etc/os-release"
  echo "$2-fifo" > "$1/etc/hostname"
}
fifo_root "$tmp/fa" arch "Arch Linux"
pac="$tmp/fa/var/lib/pacman/local"
mkdir -p "$pac/good-1-1" "$pac/trap-1-1"
printf '%%NAME%%\ngood\n\n%%VERSION%%\n1-1\n\n%%ARCH%%\nany\n\n' > "$pac/good-1-1/desc"
mkfifo "$pac/trap-1-1/desc"
fifo_root "$tmp/fd" debian "Debian GNU/Linux 12 (bookworm)"
echo 12.5 > "$tmp/fd/etc/debian_version"
mkdir -p "$tmp/fd/var/lib/dpkg"
mkfifo "$tmp/fd/var/lib/dpkg/status"
mkfs.ext4 -q -F -d "$tmp/fa" "$tmp/fifo-arch.img" 16M
mkfs.ext4 -q -F -d "$tmp/fd" "$tmp/fifo-deb.img" 16M
env -u LIBGUESTFS_BACKEND_SETTINGS timeout 600 \
  goldsmith inspect --json --jobs 1 --each-image -a "$tmp/fifo-arch.img" \
  -a "$tmp/fifo-deb.img" > "$tmp/fifo.json" 2> "$tmp/fifo.err"
is "FIFOs: inspect ends (exit 0)" "$?" 0
sed 's/^/# stderr: /' "$tmp/fifo.err"
is "FIFOs: the pacman desc that is a FIFO skipped, the other listed" \
   "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print([a["name"] for g in d["guests"] for r in g["roots"] if r["os"].get("distro") == "archlinux"
       for a in r["inspect"].get("applications", [])])' "$tmp/fifo.json")" "['good']"
is "FIFOs: dpkg's status that is a FIFO: no list, said" \
   "$(grep -c 'cannot list the applications of /dev/sd.: /var/lib/dpkg/status: not a regular file$' "$tmp/fifo.err")" 1

is "the image is byte-identical" "$(sha256sum < "$tmp/distros.img")" "$before"
