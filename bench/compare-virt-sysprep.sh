#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/compare-virt-sysprep.sh: what goldsmith sysprep and virt-sysprep
# each do with their default operations to the phony Fedora and Debian
# guests: the paths only one of them removed, created or changed.  Not a
# test (it needs guestfs-tools' virt-sysprep); run from a built tree:
#   ./run bash bench/compare-virt-sysprep.sh
set -eu
source "$(dirname "$0")/../tests/functions.sh"
trap - EXIT
tmp="$builddir/bench/tmp/compare"
rm -rf "$tmp"; mkdir -p "$tmp"
command -v virt-sysprep >/dev/null || { echo "virt-sysprep not installed (apt-get install guestfs-tools)"; exit 2; }
bash "$srcdir/tests/make-phony-guests.sh" "$tmp" >/dev/null

for g in fedora debian; do
  cp --sparse=always "$tmp/$g.img" "$tmp/$g-virt.img"
  cp --sparse=always "$tmp/$g.img" "$tmp/$g-gold.img"
  # virt-sysprep cannot fall back from broken KVM by itself.
  LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg} \
    virt-sysprep -q --format raw -a "$tmp/$g-virt.img" > "$tmp/$g-virt.log" 2>&1 ||
    { echo "virt-sysprep failed on $g: see $tmp/$g-virt.log"; exit 1; }
  env -u LIBGUESTFS_BACKEND_SETTINGS goldsmith sysprep -q --format raw \
    -a "$tmp/$g-gold.img" >/dev/null 2>&1
  manifest "$tmp/$g-virt.img" > "$tmp/$g-virt.manifest"
  manifest "$tmp/$g-gold.img" > "$tmp/$g-gold.manifest"
  echo "== $g: '<' only virt-sysprep's result, '>' only goldsmith's"
  diff "$tmp/$g-virt.manifest" "$tmp/$g-gold.manifest" || true
done
