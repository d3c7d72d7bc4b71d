#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith batch, one run of a manifest at a time (cli/batch/lock.c): a run
# started while another holds the manifest exits at once with status 5
# and one line naming the other run's pid; shards of a job array run
# side by side, but not beside a whole run or a second copy of
# themselves; --plan and --dry-run take no lock.  No appliance: the
# first run is held in a stand-in for the appliance's qemu that says it
# started (a FIFO) and waits for the test to open a gate (flock), then
# fails the launch.
source "$(dirname "$0")/functions.sh"
plan 17

tmp="$builddir/tests/tmp/batch-lock"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
command -v flock > /dev/null || bail "flock (util-linux) is not installed"

truncate -s 1M "$tmp/a.img" "$tmp/b.img"
m="$tmp/fleet.conf"
printf '%s\n' 'tools = [ "inspect" ];' \
  'images = ( { add = "a.img"; }, { add = "b.img"; } );' > "$m"

# hold N ARGS...: `goldsmith batch ARGS... MANIFEST` in the background
# (its pid in $held), stopped in stand-in N until `release N`; once
# released, the stand-in fails at once.
held=
hold () {
  local n="$1"; shift
  mkfifo "$tmp/started-$n"
  exec 3<> "$tmp/started-$n"     # read-write: the stand-in never blocks
  exec 5> "$tmp/gate-$n"
  flock -x 5
  cat > "$tmp/qemu-$n" <<SH
#!/bin/bash
if ! flock -s -n "$tmp/gate-$n" true; then
  echo started > "$tmp/started-$n"
  flock -s -w 120 "$tmp/gate-$n" true
fi
exit 1
SH
  chmod +x "$tmp/qemu-$n"
  LIBGUESTFS_HV="$tmp/qemu-$n" goldsmith batch "$@" "$m" \
    > "$tmp/held-$n.out" 2> "$tmp/held-$n.err" 3>&- 5>&- &
  held=$!
  read -r -t 60 -u 3 _ || bail "run $n never reached the appliance"
}
release () {
  flock -u 5; exec 5>&- 3>&-
  wait "$held"
}
cleanup_fn '[ -z "$held" ] || kill "$held" 2>/dev/null'

# busy NAME PID ARGS...: exit status 5, and one line naming PID.
busy () {
  local name="$1" pid="$2"; shift 2
  LIBGUESTFS_HV=/bin/false goldsmith batch "$@" "$m" \
    > "$tmp/out" 2> "$tmp/err"
  is "$name: exit status 5, one line, with the pid of the run it waits for" \
     "$? $(cat "$tmp/err")" \
     "5 goldsmith: error: $m: another goldsmith batch is running it (pid $pid)"
}
# runs NAME ARGS...: not refused (the launch fails: exit status 1).
runs () {
  local name="$1"; shift
  LIBGUESTFS_HV=/bin/false goldsmith batch "$@" "$m" \
    > "$tmp/out" 2> "$tmp/err"
  is "$name: runs (exit status 1: the launch fails), says nothing of another batch" \
     "$? $(grep -c 'another goldsmith batch' "$tmp/err")" "1 0"
}

# ---- a whole run holds the manifest ----------------------------------
hold 1
first=$held
busy "a second whole run" "$first"
busy "a shard" "$first" --shard 1/2
start=$(date +%s%N)
LIBGUESTFS_HV=/bin/false goldsmith batch --json "$m" > "$tmp/out.json" 2> /dev/null
is "--json: the report says exit status 5 and the error" \
   "$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['exit_status'], 'another goldsmith batch' in d['error'])" "$tmp/out.json")" \
   "5 True"
ok "a refused run exits at once (under 5 s)" \
   test $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000
goldsmith batch --plan "$m" > /dev/null 2> "$tmp/err"
is "--plan takes no lock" "$?" 0
runs "--dry-run (takes no lock)" --dry-run
ok "the lock file is beside the report, and empty (nothing is written into it)" \
   test -f "$tmp/fleet.lock" -a ! -s "$tmp/fleet.lock"
release 1
is "the held run ends as its launch failed (exit status 1)" "$?" 1
is "... with no word of another batch" \
   "$(grep -c 'another goldsmith batch' "$tmp/held-1.err")" 0
runs "a whole run afterwards"

# ---- shards ---------------------------------------------------------
hold 2 --shard 1/2
shard=$held
busy "the same shard again" "$shard" --shard 1/2
busy "a whole run beside a shard" "$shard"
runs "another shard beside it" --shard 2/2
release 2
is "the held shard ends as its launch failed (exit status 1)" "$?" 1
ok "each shard has its own lock file" test -f "$tmp/fleet.shard-1-of-2.lock"

# ---- the lock file is opened read-only, never followed ----------------
rm "$tmp/fleet.lock"; ln -s a.img "$tmp/fleet.lock"
LIBGUESTFS_HV=/bin/false goldsmith batch "$m" > /dev/null 2> "$tmp/err"
is "a symbolic link for the lock file: exit status 2" "$?" 2
is "... one line naming it" "$(wc -l < "$tmp/err") $(grep -c "lock file $tmp/fleet.lock" "$tmp/err")" "1 1"
held=
