#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# Locking: an image a qemu has open (here a paused qemu, as a running
# VM, libvirt domain or libguestfs appliance would) or that another
# goldsmith has locked is refused by every writing subcommand: one
# line, exit status 2, the image byte-identical.  Our own lock must
# not stop qemu or qemu-img (the overlay commit) from using the image.
# No appliance is launched.
source "$(dirname "$0")/functions.sh"

tmp="$builddir/tests/tmp/lock"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"

command -v qemu-system-x86_64 >/dev/null ||
  skip_all "qemu-system-x86_64 is not installed"

# The byte goldsmith locks, read from the header rather than repeated.
gs_byte=$(sed -n 's/^#define GS_LOCK_BYTE ((off_t) \(0x[0-9a-f]*\)).*/\1/p' \
            "$srcdir/common/goldsmith-int.h")
[ -n "$gs_byte" ] || bail "GS_LOCK_BYTE not found in goldsmith-int.h"

plan 8

img="$tmp/guest.img"
truncate -s 4M "$img"
printf 'precious' | dd of="$img" conv=notrunc status=none
sum=$(sha256sum < "$img")
truncate -s 4M "$tmp/in.img"

# hold KIND FILE: hold an OFD lock on FILE until killed, like qemu
# ("qemu": shared locks on bytes 100-101 and 201) or like another
# goldsmith ("gs": an exclusive lock on GS_LOCK_BYTE).  Returns once the
# helper says, through a FIFO, that the lock is taken (an event, not a
# delay).
hold () {
  rm -f "$tmp/held"; mkfifo "$tmp/held"
  python3 - "$1" "$2" "$gs_byte" > "$tmp/held" <<'PY' &
import fcntl, os, signal, struct, sys
kind, path, gs_byte = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
fd = os.open(path, os.O_RDWR)
def lock(t, start, length):
    # struct flock: l_type, l_whence (short), l_start, l_len (off_t), l_pid
    fcntl.fcntl(fd, fcntl.F_OFD_SETLK,
                struct.pack("hhqqi4x", t, 0, start, length, 0))
if kind == "qemu":
    lock(fcntl.F_RDLCK, 100, 2)
    lock(fcntl.F_RDLCK, 201, 1)
else:
    lock(fcntl.F_WRLCK, gs_byte, 1)
print("held", flush=True)
sys.stdout.close()
signal.alarm(120)                # never outlive the test
signal.pause()
PY
  holder=$!
  local line=
  read -r -t 30 line < "$tmp/held"
  [ "$line" = held ] || bail "the lock helper did not take its lock"
}
release () { kill "$holder"; wait "$holder" 2>/dev/null; holder=; }
cleanup_fn '[ -z "$holder" ] || kill "$holder"'

in_use="guest.img: in use by another process \(a running VM, or another goldsmith/virt-\* run\): refusing to write it"
refused () {                     # refused WHO: every writer refuses
  local bad=
  refuses () {
    "$@" > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    if [ "$rc" != 2 ] || [ "$(wc -l < "$tmp/err")" != 1 ] ||
       ! grep -Eq -- "$in_use" "$tmp/err"; then
      bad=1
      echo "# $*: exit status $rc"; sed 's/^/# stderr: /' "$tmp/err"
    fi
  }
  refuses goldsmith sysprep -a "$img"
  refuses goldsmith sysprep --in-place -a "$img"
  refuses goldsmith sparsify --in-place "$img"
  refuses goldsmith sparsify --overwrite "$tmp/in.img" "$img"
  refuses goldsmith resize "$tmp/in.img" "$img"
  ok "$1: sysprep, sysprep --in-place, sparsify --in-place, sparsify --overwrite OUT and resize into OUT each refuse it (exit status 2, one line)" \
     test -z "$bad"
}

# A real qemu with the image open (paused: -S; no guest runs).  With
# -daemonize it returns once its devices are set up, the image locked.
qemu-system-x86_64 -S -display none -nodefaults -monitor none \
  -daemonize -pidfile "$tmp/qemu.pid" \
  -drive file="$img",format=raw,if=virtio 2>/dev/null ||
  bail "qemu-system-x86_64 did not start"
qemu=$(cat "$tmp/qemu.pid")
cleanup_fn '[ -z "$qemu" ] || kill "$qemu"'
ok "qemu holds its locks on the image" \
   grep -q ":$(stat -c %i "$img") 100 " /proc/locks
refused "running qemu"
kill "$qemu"; qemu=
wait_unlocked "$img" || bail "qemu kept its locks"

# qemu's locks held by a stand-in (the writers' refusal of them is
# the real qemu's case above): reading is not refused.
hold qemu "$img"
# Reading is not refused, but a VM writing the image is worth a word.
LIBGUESTFS_HV=/bin/false goldsmith inspect -a "$img" >/dev/null 2>"$tmp/ro.err"
ok "inspect of an image a VM writes: a warning" \
  grep -q "guest.img: a running VM (or another program) has it open for writing" "$tmp/ro.err"
release
LIBGUESTFS_HV=/bin/false goldsmith inspect -a "$img" >/dev/null 2>"$tmp/ro.err"
is "... and none once it is gone" "$(grep -c 'has it open for writing' "$tmp/ro.err")" 0
in_use="guest.img: in use by another goldsmith run: refusing to write it"
hold gs "$img"
refused "another goldsmith"

# Our lock leaves qemu-img alone: commit an overlay into an image that
# a goldsmith has locked (what sysprep's commit does).
cp "$tmp/in.img" "$tmp/base.img"
release
hold gs "$tmp/base.img"
qemu-img create -q -f qcow2 -F raw -b "$tmp/base.img" "$tmp/top.qcow2"
qemu-io -f qcow2 -c 'write -P 0x61 0 4096' "$tmp/top.qcow2" >/dev/null
ok "qemu-img commit into an image goldsmith has locked" \
  qemu-img commit -q -f qcow2 "$tmp/top.qcow2"
is "the commit wrote the base" "$(head -c 4 "$tmp/base.img")" "aaaa"
release

is "the image is byte-identical" "$(sha256sum < "$img")" "$sum"
