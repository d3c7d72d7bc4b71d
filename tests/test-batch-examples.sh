#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# The job-array examples of goldsmith-batch(1), without a scheduler or
# the appliance: examples/slurm/goldsmith-batch.sbatch and the
# Kubernetes Indexed Job (examples/kubernetes/) run their commands with
# a stand-in goldsmith that prints its arguments.  Every task or index
# of an array of N runs one shard, all N of them once; the merge Job
# merges that N of the same manifest on the same volume; tasks outside
# 1..N are refused with one line.  The Slurm script as Slurm runs it:
# tests/slow/test-batch-slurm.sh.
source "$(dirname "$0")/functions.sh"
plan 12

tmp="$builddir/tests/tmp/batch-examples"
rm -rf "$tmp"; mkdir -p "$tmp/bin"
cleanup_fn rm -rf "$tmp"
sb="$srcdir/examples/slurm/goldsmith-batch.sbatch"
job="$srcdir/examples/kubernetes/goldsmith-batch-job.yaml"
merge="$srcdir/examples/kubernetes/goldsmith-batch-merge.yaml"
printf '#!/bin/sh\necho "goldsmith $*"\n' > "$tmp/bin/goldsmith"
chmod +x "$tmp/bin/goldsmith"
stub () { env -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_COUNT -u GS_SHARDS \
            PATH="$tmp/bin:$PATH" "$@"; }

# ---- Slurm -----------------------------------------------------------
ok "the Slurm job script is valid bash" bash -n "$sb"
is "its #SBATCH lines: one core, memory, no --array (given at submission)" \
   "$(grep '^#SBATCH' "$sb" | grep -c -e '--cpus-per-task=1$' -e '--mem=' -e '--array')" 2
is "tasks 1 to 3 of an array of 3: shards 1/3, 2/3, 3/3, each once" \
   "$(for i in 1 2 3; do stub SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=3 bash "$sb" /f/fleet.conf; done)" \
   "goldsmith batch --shard 1/3 /f/fleet.conf
goldsmith batch --shard 2/3 /f/fleet.conf
goldsmith batch --shard 3/3 /f/fleet.conf"
is "some shards again (--array=3,5, GS_SHARDS=8): shard 5/8" \
   "$(stub SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_COUNT=2 GS_SHARDS=8 bash "$sb" /f/fleet.conf)" \
   "goldsmith batch --shard 5/8 /f/fleet.conf"
refused () {                     # refused NAME PATTERN ENV... -- ARGS...
  local name="$1" pattern="$2"; shift 2
  expect "$name" "$pattern" stub "$@"
}
refused "a 0-based array (--array=0-2)" \
  "^goldsmith-batch.sbatch: array task 0 is not a shard of 1 to 3 \(use --array=1-3, or GS_SHARDS\)$" \
  SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=3 bash "$sb" /f/fleet.conf
refused "not a job array" "^goldsmith-batch.sbatch: not a task of a job array" \
  bash "$sb" /f/fleet.conf
refused "no manifest" "^usage: sbatch --array=1-N goldsmith-batch.sbatch MANIFEST$" \
  SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3 bash "$sb"

# ---- Kubernetes ------------------------------------------------------
# key FILE NAME: the value of the first "NAME: value" line.
key () { sed -n "s/^ *$2: *//p" "$1" | head -1 | tr -d '"'; }
n=$(key "$job" completions)
is "an Indexed Job: completions = parallelism = SHARDS, pods never restarted in place" \
   "$(key "$job" completionMode) $(key "$job" parallelism) $(grep -A1 'name: SHARDS' "$job" | key /dev/stdin value) $(key "$job" restartPolicy)" \
   "Indexed $n $n Never"
cmd=$(sed -n 's/^ *- \(exec goldsmith batch .*\)$/\1/p' "$job")
is "indexes 0 to $((n - 1)): shards 1/$n to $n/$n, each once" \
   "$(for i in $(seq 0 $((n - 1))); do stub JOB_COMPLETION_INDEX=$i SHARDS="$n" sh -c "$cmd"; done)" \
   "$(for i in $(seq 1 "$n"); do echo "goldsmith batch --shard $i/$n /fleet/fleet.conf"; done)"
is "the merge: --merge-reports $n of the same manifest" \
   "$(sed -n 's/^ *command: *\[\(.*\)\]$/\1/p' "$merge" | tr -d '",')" \
   "goldsmith batch --merge-reports $n /fleet/fleet.conf"
is "... on the same volume, at the same path" \
   "$(grep -e 'claimName:' -e 'mountPath:' "$merge" | sort)" \
   "$(grep -e 'claimName:' -e 'mountPath:' "$job" | sort)"
ok "the manifests hold no tab (YAML forbids them in indentation)" \
   bash -c "! grep -q \$'\\t' '$job' '$merge'"
