# SPDX-License-Identifier: GPL-2.0-or-later
# functions.sh: sourced by the shell tests.  TAP output, the shared
# phony guests, and appliance helpers.

srcdir="${GOLDSMITH_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
builddir="${GOLDSMITH_BUILDDIR:-$srcdir}"
phony_guests="$builddir/tests/phony"
export LIBGUESTFS_BACKEND="${LIBGUESTFS_BACKEND:-direct}"

# ---- TAP ---------------------------------------------------------------
tap_n=0
tap_failed=0
tap_plan=
plan () { tap_plan="$1"; echo "1..$1"; }
ok () {                          # ok DESCRIPTION COMMAND...
  local desc="$1"; shift
  tap_n=$((tap_n + 1))
  if "$@" >/dev/null 2>&1; then
    echo "ok $tap_n - $desc"
  else
    echo "not ok $tap_n - $desc"
    tap_failed=$((tap_failed + 1))
  fi
}
is () {                          # is DESCRIPTION GOT EXPECTED
  tap_n=$((tap_n + 1))
  if [ "$2" = "$3" ]; then
    echo "ok $tap_n - $1"
  else
    echo "not ok $tap_n - $1"
    echo "# got:      $(printf '%s' "$2" | head -c 2000 | sed '2,$s/^/#           /')"
    echo "# expected: $(printf '%s' "$3" | head -c 2000 | sed '2,$s/^/#           /')"
    tap_failed=$((tap_failed + 1))
  fi
}
isnt () {                        # isnt DESCRIPTION GOT UNEXPECTED
  if [ "$2" != "$3" ]; then ok "$1" true; else ok "$1" false; fi
}
diag () { echo "# $*"; }

# expect NAME PATTERN COMMAND...: one TAP line: exit status 2 and
# exactly one stderr line matching PATTERN (grep $expect_grep: -E, or
# -F for a fixed string).  The command's output goes to $tmp/out and
# $tmp/err.
expect_grep=-E
expect () {
  local name="$1" pattern="$2"; shift 2
  "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ "$rc" = 2 ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
     grep "$expect_grep" -q -- "$pattern" "$tmp/err"; then
    ok "$name: exit status 2, one line: $(head -c 150 "$tmp/err")" true
  else
    ok "$name: exit status 2, one line matching $pattern" false
    echo "# exit status: $rc"
    sed 's/^/# stderr: /' "$tmp/err"
  fi
}
bail () { echo "Bail out! $*"; exit 1; }
# Skips: visible locally (quickstart test names them), failures under
# CI=true, where everything a test needs is installed.
skip_all () {
  [ "$CI" = true ] && bail "would skip under CI: $*"
  echo "1..0 # SKIP $*"; exit 0
}
# After the plan (a test whose first part needs less): the tests left
# are skipped, one line each, as the plan counts them.
skip_rest () {
  [ "$CI" = true ] && bail "would skip under CI: $*"
  while [ "$tap_n" -lt "$tap_plan" ]; do
    tap_n=$((tap_n + 1))
    echo "ok $tap_n # SKIP $*"
  done
  exit 0
}
# skip_one NAME REASON: one check skipped (not ok under CI).
skip_one () {
  tap_n=$((tap_n + 1))
  if [ "$CI" = true ]; then
    echo "not ok $tap_n - $1 (would skip under CI: $2)"
    tap_failed=$((tap_failed + 1))
  else
    echo "ok $tap_n # SKIP $1: $2"
  fi
}
done_testing () { exit 0; }

# ---- cleanup -----------------------------------------------------------
_cleanups=()
cleanup_fn () { _cleanups+=("$*"); }
_run_cleanups () { local c; for c in "${_cleanups[@]}"; do eval "$c"; done; }
trap _run_cleanups EXIT

# ---- the appliance -----------------------------------------------------
# KVM is broken on some hosts (nested: qemu aborts with "failed to set
# MSR").  guestfish does not fall back to TCG by itself, so tests that
# use it check once, cheaply, and force TCG where needed.
set_guestfish_accel () {
  local qemu
  qemu=$(command -v qemu-system-x86_64) || return 0
  [ -w /dev/kvm ] || return 0
  if ! (echo quit | timeout 10 "$qemu" -accel kvm -cpu host -nodefaults \
         -display none -S -monitor stdio) >/dev/null 2>&1; then
    export LIBGUESTFS_BACKEND_SETTINGS=force_tcg
  fi
}

# The appliance must work under CI: a test that cannot launch it there
# fails, so that the suite never passes by proving nothing.
requires_appliance () {
  if [ ! -f "$phony_guests/fedora.img" ]; then
    if [ "$CI" = true ]; then
      bail "the phony guests were not built (the appliance cannot launch?)"
    fi
    if [ -n "$tap_plan" ]; then
      skip_rest "the phony guests could not be built (no working appliance)"
    fi
    skip_all "the phony guests could not be built (no working appliance)"
  fi
}

# manifest IMAGE: every path of the guest with checksums (one launch).
manifest () {
  local img="$1" tar
  tar=$(mktemp --suffix=.tar)
  guestfish --ro --format=raw -a "$img" -i tar-out / "$tar" || return 1
  python3 "$srcdir/tests/manifest.py" "$tar"
  rm -f "$tar"
}

# copy_guest NAME DEST: a private copy of a phony guest (sparse).
copy_guest () {
  cp --sparse=always "$phony_guests/$1.img" "$2"
}

# image_manifest IMAGE MOUNT=WHERE...: the manifest (tests/manifest.py:
# paths, checksums, modes, owners, extended attributes) of the ext4
# filesystems of the raw IMAGE, read on the host with debugfs: an image
# read back without an appliance launch.  WHERE is a partition number
# or VG/LV (a linear LV, found from the PV's LVM metadata), e.g.
# image_manifest fedora.img /=VG/Root /boot=1.
image_manifest () {
  python3 "$srcdir/tests/manifest.py" image "$@"
}
# ext4_manifest IMAGE N: the same for a root on partition N.
ext4_manifest () { image_manifest "$1" "/=$2"; }
# fedora_manifest IMAGE: a copy of the phony Fedora guest (LVM root).
fedora_manifest () { image_manifest "$1" /=VG/Root /boot=1; }
# ext4_cat IMAGE WHERE PATH: a file of that filesystem, on the host.
ext4_cat () {
  local off
  off=$(python3 "$srcdir/tests/manifest.py" offset "$1" "$2") &&
    debugfs -R "cat \"$3\"" "$1?offset=$off" 2>/dev/null
}

# ---- waiting on events, not delays -----------------------------------
# wait_for_line FILE PATTERN PID: until a line of FILE matches PATTERN
# (grep -E), woken by each write (tail -f: inotify); false if PID exits
# first or after 300 s.
wait_for_line () {
  timeout 300 tail -n +1 -f --pid="$3" "$1" 2>/dev/null | grep -Eq -m1 -- "$2"
  local r=("${PIPESTATUS[@]}")
  [ "${r[1]}" = 0 ]
}
# wait_unlocked FILE: until no process holds a lock on FILE (qemu's and
# goldsmith's OFD locks): a whole-file write lock that waits
# (F_OFD_SETLKW) is granted then, and only then; false after 60 s.
wait_unlocked () {
  python3 - "$1" <<'PY'
import fcntl, os, signal, struct, sys
signal.alarm(60)
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.fcntl(fd, fcntl.F_OFD_SETLKW,
            struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))
PY
}

# ---- valgrind ----------------------------------------------------------
# memcheck [env ...] goldsmith ARGS...: that command, with goldsmith run
# by ./run under valgrind's memcheck (GS_VALGRIND: --error-exitcode=119
# --leak-check=full) where valgrind is installed.  The appliance's qemu
# is a child, which valgrind does not trace: only goldsmith is slowed.
# Returns the command's status; memcheck_ok DESC then prints one TAP
# line: no memory error, no definite leak.
memcheck_log=
memcheck () {
  local cmd=() a done=
  memcheck_log=
  if ! command -v valgrind > /dev/null; then
    "$@"
    return
  fi
  for a in "$@"; do
    if [ -z "$done" ] && [ "$a" = goldsmith ]; then
      cmd+=("$builddir/run" goldsmith); done=1
    else
      cmd+=("$a")
    fi
  done
  memcheck_log="$(mktemp "${TMPDIR:-/tmp}/goldsmith-memcheck.XXXXXX")"
  GS_VALGRIND=1 VALGRIND_OPTS="--log-file=$memcheck_log" "${cmd[@]}"
  memcheck_rc=$?
  return "$memcheck_rc"
}
memcheck_ok () {
  if [ -z "$memcheck_log" ]; then
    if [ "$CI" = true ]; then
      ok "memcheck: $1: valgrind is installed" false
    else
      tap_n=$((tap_n + 1))
      echo "ok $tap_n - memcheck: $1 # SKIP valgrind is not installed"
    fi
    return
  fi
  if [ "$memcheck_rc" != 119 ] && ! grep -q "definitely lost" "$memcheck_log"
  then
    ok "memcheck: $1: no memory error, no definite leak" true
  else
    ok "memcheck: $1: no memory error, no definite leak" false
    head -n 80 "$memcheck_log" | sed 's/^/# valgrind: /'
  fi
  rm -f "$memcheck_log"
}

set_guestfish_accel
