#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# Transactional by default: changes go to an overlay and reach the image
# only when every operation succeeded.  kill -9 in the middle of the
# operations, Ctrl-C, and a failing operation all leave the image
# byte-identical, although (a third-party plugin sees it in the
# appliance) the earlier operations had changed the guest; the overlays
# a killed run leaves are removed by the next run.  A kill in the
# middle of the commit leaves a half-written image that the next run
# finishes, byte for byte.  --in-place opts out: the same failure
# leaves the earlier operations' changes in the image.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 17

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
  # Empty before the start: the previous run's lines must not match
  # before this run's child has even truncated the file (the signal
  # would then hit the shell forked for it, which runs the test's
  # EXIT trap: it once removed the test's whole directory).
  : > "$tmp/kill.stderr"
  goldsmith sysprep -a "$img" --operations defaults,+oot-probe \
    > /dev/null 2> "$tmp/kill.stderr" &
  local pid=$!
  last_pid=$pid
  wait_for_line "$tmp/kill.stderr" "$1" "$pid" ||
    diag "kill_at: '$1' never came (the run ended first)"
  [ -z "$2" ] || $2
  kill "-$sig" "$pid"
  wait "$pid" 2>/dev/null
  # The appliance (qemu) dies with its parent: wait until no process
  # holds a lock on the image any more (an event, not a guess).
  wait_unlocked "$img" || bail "the image stayed locked"
}

# While that run works on the image, a second goldsmith must refuse it
# (before any launch of its own).
second_run () {
  goldsmith sysprep -a "$img" > /dev/null 2> "$tmp/second.stderr"
  echo $? > "$tmp/second.rc"
}
kill_at KILL 'Performing "logfiles"' second_run
is "kill -9 in the middle of the operations: byte-identical" \
   "$(sha256sum < "$img")" "$before"
is "a second goldsmith on the image being prepared: exit status 2, saying another goldsmith has it" \
   "$(cat "$tmp/second.rc") $(grep -c "guest.img: in use by another goldsmith run: refusing to write it" "$tmp/second.stderr")" "2 1"
ok "the killed runs left their overlays in TMPDIR" \
   test "$(ls "$TMPDIR" | grep -c '^goldsmith-overlay-')" -ge 1
# Ctrl-C once the overlay exists (it is made before the launch): the
# run removes it.  (Each run also removes the overlays killed runs left:
# count this run's only.)
kill_at INT 'Launching the appliance'
is "Ctrl-C: the image is byte-identical" "$(sha256sum < "$img")" "$before"
is "Ctrl-C: the run removed its own overlay" \
   "$(ls "$TMPDIR" | grep -c "^goldsmith-overlay-$last_pid-")" 0

# The probe fails after logfiles ran, saying whether /var/log/messages
# (in the image: the phony guest's manifest) is still there for the
# appliance.
OOT_PROBE_FAIL=/var/log/messages goldsmith sysprep --json -a "$img" \
  --operations defaults,+oot-probe > "$tmp/fail.json" 2> "$tmp/fail.stderr"
is "a failing operation: exit status 1" "$?" 1
sed 's/^/# stderr: /' "$tmp/fail.stderr"
ok "before the failure, the guest had changed: logfiles removed /var/log/messages, which the image holds" \
   bash -c "grep -q '^/var/log/messages file' '$phony_guests/fedora.manifest' &&
            grep -q 'OOT_PROBE_FAIL); /var/log/messages is gone' '$tmp/fail.stderr'"
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

# kill -9 in the middle of the commit.  A stand-in qemu-img, first in
# PATH for that run, writes what the finished image would be aside,
# commits the first half of the overlay's clusters for real, and kills
# goldsmith: the image is half old, half new.  The next goldsmith that
# locks the image (its launch fails at once) finishes the commit.
mkdir -p "$tmp/bin"
cat > "$tmp/bin/qemu-img" <<'SH'
#!/bin/bash
[ "$1" = commit ] || exec /usr/bin/qemu-img "$@"
file="${@: -1}"
base=$(/usr/bin/qemu-img info --output=json -f qcow2 "$file" |
       python3 -c 'import json,sys; print(json.load(sys.stdin)["full-backing-filename"])')
/usr/bin/qemu-img convert -f qcow2 -O raw "$file" "$GS_TEST_FINISHED" || exit 1
/usr/bin/qemu-img map --output=json -f qcow2 "$file" | python3 -c '
import json, os, sys
ext = [e for e in json.load(sys.stdin) if e["depth"] == 0 and e["data"]]
src = open(sys.argv[1], "rb")
dst = os.open(sys.argv[2], os.O_WRONLY)
for e in ext[: max(1, len(ext) // 2)]:
    src.seek(e["start"])
    os.pwrite(dst, src.read(e["length"]), e["start"])
os.fsync(dst)' "$GS_TEST_FINISHED" "$base"
kill -9 $PPID
exit 1
SH
chmod +x "$tmp/bin/qemu-img"
PATH="$tmp/bin:$PATH" GS_TEST_FINISHED="$tmp/finished.raw" \
  goldsmith sysprep -q -a "$img" 2> "$tmp/commit-kill.stderr"
mixed=$(sha256sum < "$img")
finished=$(sha256sum < "$tmp/finished.raw")
ok "killed half-way through the commit: the image is neither the old one nor the finished one" \
   test "$mixed" != "$before" -a "$mixed" != "$finished" -a "$finished" != "$before"
LIBGUESTFS_HV=/bin/false goldsmith sysprep -a "$img" > /dev/null \
  2> "$tmp/recover.stderr"
is "the next run finishes the stopped commit, before its own launch: the image is the finished one, byte for byte, the commit gone" \
   "$(grep -c "guest.img: finishing the commit a stopped run left" "$tmp/recover.stderr") $(sha256sum < "$img") $(ls "$TMPDIR" | grep -c '^goldsmith-commit-')" \
   "1 $finished 0"

# --in-place: the same failure keeps what the earlier operations did.
copy_guest fedora "$img"
OOT_PROBE_FAIL=1 goldsmith sysprep --in-place -q -a "$img" \
  --operations defaults,+oot-probe 2> "$tmp/inplace.stderr"
is "--in-place, failing operation: exit status 1" "$?" 1
isnt "--in-place: the image was changed by the operations before the failure" \
   "$(sha256sum < "$img")" "$before"
