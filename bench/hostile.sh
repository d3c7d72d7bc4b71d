#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/hostile.sh [NLOGS [BIG]]: goldsmith sysprep against virt-sysprep
# on the hostile guest of tests/sysprep/test-hostile.sh, without its
# symlinks (virt-sysprep follows /var/log/etc.log -> ../../etc, empties
# the guest's /etc, then fails on /var/log/root.log -> /), with NLOGS
# (default 300) log files in /var/log, the logfiles operation only:
# wall-clock seconds of each and the ratio goldsmith/virt-sysprep
# (below 1: goldsmith is faster).  Then goldsmith alone on BIG (default
# 100,000) logs: in 20 minutes virt-sysprep had removed under a
# thousand of those.  Run from a built tree: ./run bash bench/hostile.sh
set -eu
source "$(dirname "$0")/../tests/functions.sh"
trap - EXIT
nlogs="${1:-300}"
big="${2:-100000}"
tmp="$builddir/bench/tmp/hostile"
mkdir -p "$tmp"
command -v virt-sysprep >/dev/null || { echo "virt-sysprep not installed (apt-get install guestfs-tools)"; exit 2; }
set_guestfish_accel

timeit () { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
left () { debugfs -R "ls /var/log" "$1" 2>/dev/null | grep -o 'h[0-9]*\.log' | wc -l; }
# goldsmith N: goldsmith's time on a fresh copy (the fixture is made
# once per size), and what it left.
fixture () { python3 "$srcdir/tests/make-hostile-guest.py" "$tmp" "$1" 2000 notraps > /dev/null; }
goldsmith_on () {
  cp --sparse=always "$tmp/root.img" "$tmp/g-root.img"
  cp --sparse=always "$tmp/srv.img" "$tmp/g-srv.img"
  env -u LIBGUESTFS_BACKEND_SETTINGS bash -c "$(declare -f timeit); timeit goldsmith sysprep -q --format raw --operations logfiles -a '$tmp/g-root.img' -a '$tmp/g-srv.img'"
}

fixture "$nlogs"
cp --sparse=always "$tmp/root.img" "$tmp/v-root.img"
cp --sparse=always "$tmp/srv.img" "$tmp/v-srv.img"
v=$(timeit virt-sysprep --format raw --operations logfiles \
      -a "$tmp/v-root.img" -a "$tmp/v-srv.img")
g=$(goldsmith_on)
echo "$nlogs logs: virt-sysprep ${v}s ($(left "$tmp/v-root.img") left)," \
     "goldsmith ${g}s ($(left "$tmp/g-root.img") left)"
printf 'ratio goldsmith/virt-sysprep = %.2f\n' "$(echo "$g / $v" | bc -l)"

if [ "$big" -gt 0 ]; then
  fixture "$big"
  g=$(goldsmith_on)
  echo "$big logs: goldsmith ${g}s ($(left "$tmp/g-root.img") left)"
fi
rm -rf "$tmp"
