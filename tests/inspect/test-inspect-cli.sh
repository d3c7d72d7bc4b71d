#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith inspect: options, --xpath and its schema (no appliance).
source "$(dirname "$0")/../functions.sh"
plan 13

tmp="$builddir/tests/tmp/inspect-cli"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
golden="$srcdir/tests/inspect"

goldsmith inspect --help > "$tmp/help" 2>&1
rc=$?
is "--help: exit 0, lists --no-applications" \
   "$rc $(grep -q -- --no-applications "$tmp/help" && echo listed)" "0 listed"
# Refusals (no disks, a missing image, --format after the last -a, an
# unknown operation, --xpath with -a) are rows of tests/refusals.txt,
# which checks their exit status, message and untouched inputs.
echo '<a>' | goldsmith inspect --xpath //a > /dev/null 2>&1
is "--xpath on malformed XML: exit 2" "$?" 2
is "list-operations: the six inspect operations" \
   "$(goldsmith inspect --list-operations | awk '{print $1}' | sort | tr '\n' ' ')" \
   "applications drive-mappings filesystems icon mountpoints os "
off () {
  goldsmith inspect "$@" --list-operations --json | python3 -c '
import json, sys
print(" ".join(o["name"] for o in json.load(sys.stdin)["operations"]
               if not o["selected"]))'
}
is "--no-applications --no-icon deselect their operations" \
   "$(off --no-applications --no-icon)" "applications icon"
is "the configuration switches an operation off" \
   "$(off --set inspect.icon.enabled=false)" "icon"

# --xpath as virt-inspector: node-sets as formatted fragments, one
# node a line, attributes as ' name="value"', strings and numbers with a
# newline, an empty string as nothing at all.
x () { goldsmith inspect --xpath "$1" < "$golden/debian.xml"; }
is "--xpath string" "$(x 'string(//hostname)')" "phony-debian"
is "--xpath number" "$(x 'count(//filesystem)')" "1"
is "--xpath attribute" "$(x '//mountpoint/@dev')" ' dev="/dev/sda1"'
is "--xpath attributes: one a line" "$(x '//@dev' | sed -n l)" \
' dev="/dev/sda1"$
 dev="/dev/sda1"$'
is "--xpath empty string: no output, not even a newline" \
   "$(x 'string(//no-such-element)' | wc -c)" 0
is "--xpath node-set" "$(x '//filesystem')" '<filesystem dev="/dev/sda1">
  <type>ext4</type>
  <label>debroot</label>
  <uuid>0b1e2c3d-0000-4000-8000-000000000001</uuid>
</filesystem>'

# The schema accepts virt-inspector's documents and rejects one out of
# virt-inspector's element order.
ok "RNG: the golden files validate" \
   xmllint --noout --relaxng "$srcdir/docs/goldsmith-inspect.rng" \
   "$golden/debian.xml" "$golden/fedora.xml" "$golden/windows.xml"
sed -e '/<distro>/{h;d}' -e '/<\/operatingsystem>/{x;/distro/p;x}' \
  "$golden/debian.xml" > "$tmp/misordered.xml"
ok "RNG: an element out of order is refused" \
   bash -c "! xmllint --noout --relaxng '$srcdir/docs/goldsmith-inspect.rng' '$tmp/misordered.xml'"
