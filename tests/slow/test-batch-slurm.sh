#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# test-batch-slurm.sh: an opt-in slow check (never part of "make
# check"): goldsmith batch as a job array of a real Slurm.  The test
# installs Debian's slurm-wlm and munge if they are missing, sets up a
# single-node cluster of its own in $builddir/tests/tmp/slurm (a munge
# key and munged on a private socket, slurmctld and slurmd on private
# ports, as root, with every file in that directory), and stops it
# all when it ends, however it ends.  Then:
#   1. a trivial array (--array=1-2, --wrap) runs on the node: the
#      cluster works before goldsmith is asked anything;
#   2. the shipped job script, examples/slurm/goldsmith-batch.sbatch,
#      as `sbatch --array=1-3` over three phony guests (Fedora, Debian,
#      a second Fedora): every task exits 0, each image is prepared by
#      exactly one shard (the shard reports, merged with
#      --merge-reports) and read back on the host (the fixtures'
#      paths gone, nothing else changed);
#   3. the same array submitted again, where the appliance cannot
#      start: every task exits 0, no launch, every step already done,
#      the images byte for byte as the first array left them.
# Three launches under TCG, two at a time (one core per task).
#
# Needs root, apt-get (or slurm-wlm and munge installed), and the
# phony guests (built by any "make check", or "make
# tests/phony/fedora.img": one launch).  Run it from the build tree:
#   ./run tests/slow/test-batch-slurm.sh
# Environment: GS_SLURM_PORT (slurmctld's port, slurmd's is the next;
# default 26817), GS_SLURM_TIMEOUT (seconds for each array, default
# 1800), GS_SLURM_SETUP_ONLY=1 (stop after step 1: the cluster alone,
# no appliance).
source "$(dirname "$0")/../functions.sh"
plan 18

port="${GS_SLURM_PORT:-26817}"
timeout_s="${GS_SLURM_TIMEOUT:-1800}"
d="$builddir/tests/tmp/slurm"    # the cluster: config, keys, logs, state
tmp="$d/fleet"                   # the fleet: images, manifest, reports
sbatch_script="$srcdir/examples/slurm/goldsmith-batch.sbatch"

[ "$(id -u)" = 0 ] || skip_all "needs root (apt-get; munged, slurmd as root)"
if [ "${GS_SLURM_SETUP_ONLY:-}" != 1 ]; then
  requires_appliance
fi

# ---- 0. Debian's packages ---------------------------------------------
missing=()
for p in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  diag "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q "${missing[@]}"; } \
    > "$builddir/tests/tmp/slurm-apt.log" 2>&1 ||
    bail "apt-get install ${missing[*]} failed (tests/tmp/slurm-apt.log)"
fi
for c in munged munge slurmctld slurmd sbatch scancel squeue; do
  command -v "$c" > /dev/null || bail "$c is not installed"
done

# ---- the cluster, private ---------------------------------------------
rm -rf "$d"; mkdir -p "$d/munge" "$d/ctld" "$d/spool" "$tmp"
chmod 0700 "$d/munge"
host=$(hostname -s)
cpus=$(nproc)
mem_mib=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
sock="$d/munge/munge.socket"
export SLURM_CONF="$d/slurm.conf"
cat > "$SLURM_CONF" <<EOF
# Written by goldsmith's tests/slow/test-batch-slurm.sh.
ClusterName=gstest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$d/ctld
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
PlugStackConfig=$d/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mib State=UNKNOWN
PartitionName=gstest Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
: > "$d/plugstack.conf"

# Stop what this test started, in reverse: the jobs first (slurmd
# would leave their slurmstepd running), then the daemons, by pid.
ctld_pid= slurmd_pid=
stop_cluster () {
  if [ -n "$ctld_pid" ]; then
    scancel --quiet --partition=gstest 2>/dev/null
    for _ in $(seq 60); do
      [ -z "$(squeue -h -p gstest 2>/dev/null)" ] && break
      sleep 1                    # cleanup only: jobs being cancelled
    done
  fi
  for p in $slurmd_pid $ctld_pid; do
    kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  [ -S "$sock" ] && munged --stop --socket="$sock" > /dev/null 2>&1
}
cleanup_fn stop_cluster

dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none
chmod 0600 "$d/munge/munge.key"
# munged forks once its socket is ready.
munged --force --socket="$sock" --key-file="$d/munge/munge.key" \
  --pid-file="$d/munge/munged.pid" --log-file="$d/munge/munged.log" \
  --seed-file="$d/munge/munged.seed" ||
  bail "munged did not start ($d/munge/munged.log)"
munge -n -S "$sock" | unmunge -S "$sock" > /dev/null ||
  bail "munge: a credential made is not accepted ($d/munge/munged.log)"
# The logs exist before the daemons do: wait_for_line follows them.
: > "$d/slurmctld.log"; : > "$d/slurmd.log"
slurmctld -D -f "$SLURM_CONF" > "$d/slurmctld.out" 2>&1 &
ctld_pid=$!
wait_for_line "$d/slurmctld.log" "Running as primary controller" "$ctld_pid" ||
  bail "slurmctld did not start ($d/slurmctld.log)"
slurmd -D -f "$SLURM_CONF" -N "$host" > "$d/slurmd.out" 2>&1 &
slurmd_pid=$!
wait_for_line "$d/slurmd.log" "slurmd started on" "$slurmd_pid" ||
  bail "slurmd did not start ($d/slurmd.log)"

# array LOG ARGS...: sbatch --wait --array ARGS; its exit status (the
# highest of the tasks') and the tasks' output in $d/LOG-*.out.
array () {
  local log="$1"; shift
  timeout "$timeout_s" sbatch --wait --quiet --output="$d/$log-%a.out" \
    --chdir="$tmp" "$@" > "$d/$log.sbatch" 2>&1
}

# ---- 1. a trivial array -----------------------------------------------
array hello --array=1-2 \
  --wrap 'echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT on $(hostname -s)"'
is "a trivial array of 2 runs on the node: exit status 0" "$?" 0
is "... each task once, with its id and the array's size" \
   "$(cat "$d/hello-1.out" "$d/hello-2.out" 2>&1)" \
   "task 1 of 2 on $host
task 2 of 2 on $host"
[ "${GS_SLURM_SETUP_ONLY:-}" = 1 ] && skip_rest "GS_SLURM_SETUP_ONLY=1"

# ---- 2. the job script over three phony guests --------------------------
j () {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"
}
fixture () { python3 "$srcdir/tests/fixture.py" "$@"; }
copy_guest fedora "$tmp/fedora.img"
copy_guest debian "$tmp/debian.img"
copy_guest fedora "$tmp/fedora-2.img"
cat > "$tmp/fleet.conf" <<'EOF'
report = "fleet.json";
tools = [ "sysprep" ];
images = (
  { add = [ "fedora.img" ]; format = "raw"; },
  { add = [ "debian.img" ]; format = "raw"; },
  { add = [ "fedora-2.img" ]; format = "raw"; }
);
EOF
start=$(date +%s)
array shard --array=1-3 "$sbatch_script" "$tmp/fleet.conf"
is "sbatch --array=1-3 of the job script: every task exit status 0" "$?" 0
diag "first array: $(( $(date +%s) - start )) s"
for i in 1 2 3; do grep -v '^goldsmith: Performing' "$d/shard-$i.out" | sed "s/^/# task $i: /"; done
is "each task's summary: its one image, ok, exit status 0" \
   "$(for i in 1 2 3; do grep -o '^1 image: 1 ok, 0 failed, 0 already done.*exit status 0$' "$d/shard-$i.out" | sed 's/;.*;/;/'; done)" \
   "1 image: 1 ok, 0 failed, 0 already done; exit status 0
1 image: 1 ok, 0 failed, 0 already done; exit status 0
1 image: 1 ok, 0 failed, 0 already done; exit status 0"
is "each shard's report names its own entry" \
   "$(for i in 1 2 3; do j "$tmp/fleet.shard-$i-of-3.json" '[i["entry"] for i in r["images"]], r["shard"]["index"], r["shard"]["count"]'; done)" \
   "[1] 1 3
[2] 2 3
[3] 3 3"
goldsmith batch --json --merge-reports 3 "$tmp/fleet.conf" > "$tmp/merged.json" 2> "$tmp/merge.err"
is "merged: exit status 0" "$?" 0
is "each image in exactly one sysprep command, one launch each" \
   "$(j "$tmp/fleet.json" 'r["appliance_launches"], [(x["tool"], x["entries"]) for x in r["runs"]], [i["status"] for i in r["images"]]')" \
   "3 [('sysprep', [1]), ('sysprep', [2]), ('sysprep', [3])] ['ok', 'ok', 'ok']"
is "each guest's sysprep committed" \
   "$(j "$tmp/fleet.json" '[i["steps"][0]["report"]["committed"] for i in r["images"]]')" \
   "[True, True, True]"
# Read back on the host: exactly the fixture's targets gone or changed.
ops=$(fixture expect-ops sysprep defaults)
empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
for img in fedora debian fedora-2; do
  g=${img%-2}
  fixture manifest "$ops" "$phony_guests/$g.manifest" \
    "$srcdir/tests/fixtures/$g.txt" > "$tmp/$img.manifest.expected"
  case $g in
    fedora) fedora_manifest "$tmp/$img.img" ;;
    debian) ext4_manifest "$tmp/$img.img" 1 ;;
  esac > "$tmp/$img.manifest.raw"
  fixture match "$tmp/$img.manifest.expected" "$tmp/$img.manifest.raw" \
    > "$tmp/$img.manifest"
  is "$img, read back: exactly the targets are gone or changed, nothing else" \
     "$(diff "$tmp/$img.manifest.expected" "$tmp/$img.manifest"; grep -c "^/etc/machine-id file $empty 0444 " "$tmp/$img.manifest")" 1
done
is "the state, on the shared directory: one file per image" \
   "$(ls "$tmp/fleet.state" | wc -l)" 3

# ---- 3. the same array again: nothing to redo ---------------------------
sums () { sha256sum "$tmp"/*.img; }
before=$(sums)
# sbatch passes its environment on to the tasks (--export=ALL): an
# appliance that cannot start proves that nothing launches.
LIBGUESTFS_HV=/bin/false array again --array=1-3 "$sbatch_script" "$tmp/fleet.conf"
is "again: every task exit status 0" "$?" 0
goldsmith batch --json --merge-reports 3 "$tmp/fleet.conf" > "$tmp/merged2.json" 2> "$tmp/merge2.err"
is "again, merged: exit status 0" "$?" 0
is "again: no command run, no launch" \
   "$(j "$tmp/merged2.json" 'r["appliance_launches"], r["runs"]')" "0 []"
is "again: every step already done" \
   "$(j "$tmp/merged2.json" '[s["status"] for i in r["images"] for s in i["steps"]]')" \
   "['already-done', 'already-done', 'already-done']"
is "again: the merged report keeps what the first array did" \
   "$(j "$tmp/merged2.json" '[i["steps"][0]["report"]["committed"] for i in r["images"]]')" \
   "[True, True, True]"
is "again: the images are byte for byte as the first array left them" \
   "$(sums)" "$before"
