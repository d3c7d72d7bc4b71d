#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/sysprep.sh [RUNS] [OPS] [GUEST]: goldsmith sysprep against
# virt-sysprep, same operations (default: each tool's defaults,
# goldsmith's transactional commit included), same phony guest (debian,
# the default, or fedora, which has no /bin/sh for virt-sysprep's
# defaults), same run, the two tools alternating.  Prints wall-clock
# seconds of each and the ratio goldsmith/virt-sysprep.  Run from a
# built tree: ./run bash bench/sysprep.sh
set -eu
source "$(dirname "$0")/../tests/functions.sh"
trap - EXIT
runs="${1:-3}"
ops="${2:-defaults}"
guest="${3:-debian}"
tmp="$builddir/bench/tmp"
mkdir -p "$tmp"
[ -f "$tmp/$guest.img" ] || bash "$srcdir/tests/make-phony-guests.sh" "$tmp" >/dev/null
command -v virt-sysprep >/dev/null || { echo "virt-sysprep not installed (apt-get install guestfs-tools)"; exit 2; }

timeit () { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

g_total=0; v_total=0
for i in $(seq "$runs"); do
  cp --sparse=always "$tmp/$guest.img" "$tmp/g.img"
  cp --sparse=always "$tmp/$guest.img" "$tmp/v.img"
  # virt-sysprep cannot fall back from broken KVM: give it the setting
  # the test helpers detected; goldsmith detects it itself.
  v=$(timeit virt-sysprep --format raw --operations "$ops" -a "$tmp/v.img")
  g=$(env -u LIBGUESTFS_BACKEND_SETTINGS bash -c "$(declare -f timeit); timeit goldsmith sysprep -q --format raw --operations '$ops' -a '$tmp/g.img'")
  echo "run $i: virt-sysprep ${v}s  goldsmith ${g}s"
  g_total=$(echo "$g_total + $g" | bc); v_total=$(echo "$v_total + $v" | bc)
done
printf 'mean: virt-sysprep %.1fs, goldsmith %.1fs, ratio goldsmith/virt-sysprep = %.2f\n' \
  "$(echo "$v_total / $runs" | bc -l)" "$(echo "$g_total / $runs" | bc -l)" \
  "$(echo "$g_total / $v_total" | bc -l)"
rm -f "$tmp/g.img" "$tmp/v.img"
