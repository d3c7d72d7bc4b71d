#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# The systemd units (systemd/): `systemd-analyze verify` of the built
# goldsmith-batch@.service and .timer, instantiated as
# goldsmith-batch@test (a template cannot be verified), with ExecStart
# pointed at this build's goldsmith (verify checks it is executable), and
# with the drop-in goldsmith-batch(1) tells the administrator to write.
# verify only warns about an unknown key or a bad value, so any line it
# prints about the units fails the test too; broken copies prove that.
# No appliance, no running systemd.
source "$(dirname "$0")/functions.sh"

command -v systemd-analyze > /dev/null ||
  skip_all "systemd-analyze is not installed (Debian package systemd)"
plan 13

tmp="$builddir/tests/tmp/systemd"
rm -rf "$tmp"; mkdir -p "$tmp/units" "$tmp/images"
cleanup_fn rm -rf "$tmp"
service="$builddir/systemd/goldsmith-batch@.service"
timer="$srcdir/systemd/goldsmith-batch@.timer"
[ -f "$service" ] || bail "$service is not built"

is "ExecStart: BINDIR/goldsmith batch SYSCONFDIR/goldsmith/batch/INSTANCE.conf" \
   "$(grep -c '^ExecStart=/[^ @]*/goldsmith batch /[^ @]*/goldsmith/batch/%i\.conf$' "$service")" 1
is "no @VARIABLE@ left unsubstituted" "$(grep -c '@[a-z]*@' "$service")" 0

# units DIR [SED...]: the units as goldsmith-batch@test.* in DIR, with
# ExecStart on this build's goldsmith, then each SED on the service.
units () {
  local dir="$1"; shift
  mkdir -p "$dir"
  sed "s|^ExecStart=[^ ]*/goldsmith |ExecStart=$builddir/goldsmith |" \
    "$service" > "$dir/goldsmith-batch@test.service"
  cp "$timer" "$dir/goldsmith-batch@test.timer"
  for e in "$@"; do sed -i "$e" "$dir/goldsmith-batch@test.service"; done
}
# verify DIR: systemd-analyze verify's status, then what it said about
# the units ($tmp/said), in DIR (the units' directory is on its search
# path, drop-ins included).
verify () {
  (cd "$1" && systemd-analyze verify --man=no goldsmith-batch@test.service \
                goldsmith-batch@test.timer) > "$tmp/out" 2>&1
  echo "$?"
  grep 'goldsmith-batch@' "$tmp/out" > "$tmp/said"
  grep -v 'goldsmith-batch@' "$tmp/out" | sed 's/^/# systemd-analyze (not about our units): /' >&2
}

units "$tmp/units"
is "verify: the service and the timer" "$(verify "$tmp/units")" 0
is "... without a word about them" "$(cat "$tmp/said")" ""

mkdir "$tmp/units/goldsmith-batch@test.service.d"
cat > "$tmp/units/goldsmith-batch@test.service.d/images.conf" <<EOF2
[Service]
ReadWritePaths=$tmp/images
DeviceAllow=block-device-mapper rw
EOF2
is "verify: with the documented drop-in (ReadWritePaths, DeviceAllow)" \
   "$(verify "$tmp/units") $(cat "$tmp/said")" "0 "

# The check catches broken units.
units "$tmp/bad1" 's|^ExecStart=[^ ]*|ExecStart=/nonexistent/goldsmith|'
isnt "a broken unit fails: ExecStart not executable" "$(verify "$tmp/bad1")" 0
units "$tmp/bad2" 's|^ProtectSystem=|ProtectSytem=|'
verify "$tmp/bad2" > /dev/null
ok "a broken unit fails: an unknown key is a line about it" grep -q "Unknown key" "$tmp/said"
units "$tmp/bad3" 's|^DevicePolicy=closed|DevicePolicy=shut|'
verify "$tmp/bad3" > /dev/null
ok "a broken unit fails: a bad value is a line about it" test -s "$tmp/said"
units "$tmp/bad4"
sed -i 's|^OnCalendar=daily|OnCalendar=dialy|' "$tmp/bad4/goldsmith-batch@test.timer"
verify "$tmp/bad4" > /dev/null
ok "a broken timer fails: a bad calendar is a line about it" test -s "$tmp/said"

# The timer: daily, catching up after downtime, spread out.
is "timer: OnCalendar=daily, Persistent=true, RandomizedDelaySec" \
   "$(grep -E -c '^(OnCalendar=daily|Persistent=true|RandomizedDelaySec=.+)$' "$timer")" 3
is "the service exits 5 (another run has the manifest) as a success" \
   "$(grep -c '^SuccessExitStatus=5$' "$service")" 1

# How exposed the service is (0 best, 10 worst): a guard against losing
# the hardening (7.2 when written; root with full capabilities, which
# the FUSE mount and images of any owner need, is most of it).
if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
  (cd "$tmp/units" && systemd-analyze security --offline=yes --threshold=75 \
     goldsmith-batch@test.service) > "$tmp/security" 2>&1
  is "systemd-analyze security: exposure at most 7.5" "$?" 0
  grep 'Overall exposure' "$tmp/security" | sed 's/^/# /'
  ok "... ProtectSystem=strict, PrivateTmp, NoNewPrivileges in effect" \
     test "$(grep -c -E '^✓ (ProtectSystem=|PrivateTmp=|NoNewPrivileges=)' "$tmp/security")" = 3
else
  skip_one "systemd-analyze security --offline" "systemd older than 250"
  skip_one "... ProtectSystem=strict, PrivateTmp, NoNewPrivileges in effect" "systemd older than 250"
fi
