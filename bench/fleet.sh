#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/fleet.sh [N [PART...]]: many images at once, goldsmith against the virt-*
# tool run once per image (as a fleet is done with virt-sysprep and
# virt-inspector today), on the same images in the same run.  Prints
# each wall time and the ratio goldsmith/virt-*.
#
# Three fleets of N images (default 8), built once in bench/tmp/fleet:
#   distinct  N different guests: copies of the phony Debian guest, each
#             with its own root filesystem UUID and MBR disk ID (set on
#             the host; their fstab still names the old UUID, which only
#             drops that fstab line from inspection)
#   clones    N exact copies of the phony Debian guest (for sysprep: the
#             phony Fedora guest has no /bin/sh, which virt-sysprep's
#             defaults need)
#   fedora    N exact copies of the phony Fedora guest (LVM, an rpm
#             database), for inspect
# Timed (PARTs; all but scale by default): sysprep-distinct and
# sysprep-clones (default operations), inspect (the distinct fleet) and
# inspect-fedora.  goldsmith runs with its defaults (--jobs from cores).
# PART scale times goldsmith alone: sysprep of 1, 4, 8 and 16 distinct
# guests (SCALE_SIZES), N alternating rounds, and prints the mean time
# per guest and the marginal cost of each guest added (issue 19 item 5:
# it must not grow with the fleet beyond the launch groups).
# Run from a built tree: ./run bash bench/fleet.sh
set -eu
source "$(dirname "$0")/../tests/functions.sh"
trap - EXIT
n="${1:-8}"
shift || true
parts="${*:-sysprep-distinct sysprep-clones inspect inspect-fedora}"
tmp="$builddir/bench/tmp/fleet"
mkdir -p "$tmp"
command -v virt-sysprep >/dev/null && command -v virt-inspector >/dev/null ||
  { echo "virt-sysprep/virt-inspector not installed (apt-get install guestfs-tools)"; exit 2; }
[ -f "$tmp/fedora.img" ] ||
  bash "$srcdir/tests/make-phony-guests.sh" "$tmp" >/dev/null

# FLEET WHO [COUNT]: fresh copies into $tmp/WHO-FLEET/ (raw; COUNT
# defaults to N).
make_fleet () {
  local fleet=$1 who=$2 dir="$tmp/$2-$1" i start
  rm -rf "$dir"; mkdir -p "$dir"
  for i in $(seq "${3:-$n}"); do
    case "$fleet" in
      distinct)
        cp --sparse=always "$tmp/debian.img" "$dir/$i.img"
        start=$(partx -g -o START -n 1 "$dir/$i.img")
        # tune2fs -U wants a freshly checked filesystem.
        e2fsck -fy "$dir/$i.img?offset=$((start * 512))" >/dev/null 2>&1 || true
        tune2fs -U random "$dir/$i.img?offset=$((start * 512))" >/dev/null
        sfdisk -q --disk-id "$dir/$i.img" "$(printf '0x%08x' $((RANDOM * 65536 + RANDOM)))" >/dev/null
        ;;
      clones)
        cp --sparse=always "$tmp/debian.img" "$dir/$i.img"
        ;;
      fedora)
        cp --sparse=always "$tmp/fedora.img" "$dir/$i.img"
        ;;
    esac
  done
}

now () { date +%s.%N; }
secs () { echo "$2 - $1" | bc; }
adds () { local f; for f in "$1"/*.img; do printf -- '-a %s ' "$f"; done; }

report () {
  printf '%-22s virt-*: %6.1fs   goldsmith: %6.1fs   ratio goldsmith/virt-* = %.2f\n' \
    "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)"
}

sysprep_fleet () {
  local fleet=$1 t0 v g f
  make_fleet "$fleet" v; make_fleet "$fleet" g
  # virt-sysprep cannot fall back from broken KVM: give it the setting
  # the test helpers detected; goldsmith detects it itself.
  t0=$(now)
  for f in "$tmp/v-$fleet"/*.img; do
    virt-sysprep -q --format raw -a "$f" >"$tmp/v.log" 2>&1 ||
      { echo "virt-sysprep failed on $f:" >&2; cat "$tmp/v.log" >&2; exit 1; }
  done
  v=$(secs "$t0" "$(now)")
  g=$(time_goldsmith_sysprep "$fleet" g)
  report "sysprep $n $fleet" "$v" "$g"
}

inspect_fleet () {
  local fleet=$1 t0 v g f
  make_fleet "$fleet" i
  t0=$(now)
  for f in "$tmp/i-$fleet"/*.img; do
    virt-inspector --format=raw -a "$f" >/dev/null 2>"$tmp/v.log" ||
      { echo "virt-inspector failed on $f:" >&2; cat "$tmp/v.log" >&2; exit 1; }
  done
  v=$(secs "$t0" "$(now)")
  t0=$(now)
  # shellcheck disable=SC2046
  # --each-image: each image a guest of its own, as virt-inspector
  # runs once per image (several -a alone are one guest's disks).
  env -u LIBGUESTFS_BACKEND_SETTINGS goldsmith inspect --format raw \
    --each-image $(adds "$tmp/i-$fleet") >/dev/null 2>"$tmp/i.stderr" ||
    { echo "goldsmith inspect failed:" >&2; cat "$tmp/i.stderr" >&2; exit 1; }
  g=$(secs "$t0" "$(now)")
  report "inspect $n $fleet" "$v" "$g"
}

# goldsmith's sysprep of FLEET's WHO copies; prints the seconds.
time_goldsmith_sysprep () {
  local t0
  t0=$(now)
  # shellcheck disable=SC2046
  env -u LIBGUESTFS_BACKEND_SETTINGS goldsmith sysprep -q --format raw \
    --each-image $(adds "$tmp/$2-$1") >/dev/null 2>"$tmp/$2-$1.stderr" ||
    { echo "goldsmith failed:" >&2; cat "$tmp/$2-$1.stderr" >&2; exit 1; }
  secs "$t0" "$(now)"
}

scale_fleet () {
  local sizes="${SCALE_SIZES:-1 4 8 16}" round k prev=0 prevt=0 mean
  declare -A total
  for round in $(seq "$n"); do
    for k in $sizes; do
      make_fleet distinct s "$k"
      total[$k]=$(echo "${total[$k]:-0} + $(time_goldsmith_sysprep distinct s)" | bc)
      echo "round $round: $k guests" >&2
    done
  done
  printf '%-8s %10s %14s %22s\n' guests "mean time" "per guest" "marginal per guest"
  for k in $sizes; do
    mean=$(echo "${total[$k]} / $n" | bc -l)
    if [ "$prev" -eq 0 ]; then
      printf '%-8s %9.1fs %13.1fs %22s\n' "$k" "$mean" "$(echo "$mean / $k" | bc -l)" -
    else
      printf '%-8s %9.1fs %13.1fs %21.1fs\n' "$k" "$mean" "$(echo "$mean / $k" | bc -l)" \
        "$(echo "($mean - $prevt) / ($k - $prev)" | bc -l)"
    fi
    prev=$k; prevt=$mean
  done
}

echo "$(nproc) cores; goldsmith with its default --jobs"
for p in $parts; do
  case "$p" in
    sysprep-distinct) sysprep_fleet distinct ;;
    sysprep-clones) sysprep_fleet clones ;;
    inspect) inspect_fleet distinct ;;
    inspect-fedora) inspect_fleet fedora ;;
    scale) scale_fleet ;;
    *) echo "unknown part $p" >&2; exit 2 ;;
  esac
done
rm -rf "$tmp"/v-* "$tmp"/g-* "$tmp"/i-* "$tmp"/s-*
