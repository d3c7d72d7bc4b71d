#!/bin/bash -
# Transactional by default: changes go to an overlay and reach the image
# only when every operation succeeded.  kill -9 during the launch and in
# the middle of the operations, and a failing operation, all leave the
# image byte-identical; the overlays a killed run leaves are removed by
# the next run.  --in-place opts out: the same failure leaves the
# earlier operations' changes in the image.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 16

tmp="$builddir/tests/tmp/transaction"
rm -rf "$tmp"; mkdir -p "$tmp/plugins" "$tmp/tmpdir"
cleanup_fn rm -rf "$tmp"
export TMPDIR="$tmp/tmpdir"
img="$tmp/guest.img"
copy_guest fedora "$img"
before=$(sha256sum < "$img")

# A plugin that fails on demand (order 50: after the order-0 cleanups
# have changed the guest, before machine-id).
ok "the failing test plugin builds" \
   cc -shared -fPIC -Wall -Werror -I"$srcdir/include" \
      $(pkg-config --cflags libguestfs libconfig) \
      -o "$tmp/plugins/oot-probe.so" "$srcdir/tests/oot/oot-probe.c"
export GOLDSMITH_PLUGIN_PATH="$tmp/plugins"

# kill_at SIGNAL PATTERN [CMD]: start a run, send SIGNAL when its
# stderr matches PATTERN (after running CMD, if given).
kill_at () {
  local sig="$1"; shift
  goldsmith sysprep -a "$img" --operations defaults,+oot-probe \
    > /dev/null 2> "$tmp/kill.stderr" &
  local pid=$! i
  last_pid=$pid
  for ((i = 0; i < 1200; ++i)); do
    grep -q -- "$1" "$tmp/kill.stderr" && break
    sleep 0.1
  done
  [ -z "$2" ] || $2
  kill "-$sig" "$pid"
  wait "$pid" 2>/dev/null
  # The appliance (qemu) dies with its parent: wait for it.
  sleep 2
}

kill_at KILL 'Launching the appliance'
is "kill -9 during the launch: the image is byte-identical" \
   "$(sha256sum < "$img")" "$before"
# While that run works on the image, a second goldsmith must refuse it
# (before any launch of its own).
second_run () {
  goldsmith sysprep -a "$img" > /dev/null 2> "$tmp/second.stderr"
  echo $? > "$tmp/second.rc"
}
kill_at KILL 'Performing "logfiles"' second_run
is "kill -9 in the middle of the operations: byte-identical" \
   "$(sha256sum < "$img")" "$before"
is "a second goldsmith on the image being prepared: exit status 2" \
   "$(cat "$tmp/second.rc")" 2
ok "... saying another goldsmith has it" \
   grep -q "guest.img: in use by another goldsmith run: refusing to write it" \
   "$tmp/second.stderr"
ok "the killed runs left their overlays in TMPDIR" \
   test "$(ls "$TMPDIR" | grep -c '^goldsmith-overlay-')" -ge 1
# Ctrl-C once the overlay exists (it is made before the launch): the
# run removes it.  (Each run also removes the overlays killed runs left:
# count this run's only.)
kill_at INT 'Launching the appliance'
is "Ctrl-C: the image is byte-identical" "$(sha256sum < "$img")" "$before"
is "Ctrl-C: the run removed its own overlay" \
   "$(ls "$TMPDIR" | grep -c "^goldsmith-overlay-$last_pid-")" 0

OOT_PROBE_FAIL=1 goldsmith sysprep --json -a "$img" \
  --operations defaults,+oot-probe > "$tmp/fail.json" 2> "$tmp/fail.stderr"
is "a failing operation: exit status 1" "$?" 1
sed 's/^/# stderr: /' "$tmp/fail.stderr"
is "a failing operation: the image is byte-identical" \
   "$(sha256sum < "$img")" "$before"
ok "the report says nothing was committed" \
   python3 -c "import json,sys; g=json.load(open('$tmp/fail.json'))['guests'][0]; sys.exit(g['committed'] is not False)"
ok "the report: the earlier operations were applied (to the overlay), the later ones skipped" \
   python3 -c "
import json,sys
ops = {o['name']: o['status'] for o in json.load(open('$tmp/fail.json'))['guests'][0]['roots'][0]['operations']}
sys.exit(not (ops['logfiles'] == 'applied' and ops['oot-probe'] == 'failed' and ops['machine-id'] == 'skipped'))"
ok "the message says the image was not written" \
   grep -q 'nothing was written to the image' "$tmp/fail.stderr"
is "no overlay is left behind, stale ones included" \
   "$(ls "$TMPDIR" | grep '^goldsmith-overlay-')" ""

# --in-place: the same failure keeps what the earlier operations did.
OOT_PROBE_FAIL=1 goldsmith sysprep --in-place -q -a "$img" \
  --operations defaults,+oot-probe 2> "$tmp/inplace.stderr"
is "--in-place, failing operation: exit status 1" "$?" 1
isnt "--in-place: the image was changed by the operations before the failure" \
   "$(sha256sum < "$img")" "$before"
