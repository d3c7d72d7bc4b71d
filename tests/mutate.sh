#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# Mutation check (not part of make check): apply one deliberate fault at
# a time to a copy of the sources, build it, run the tests that should
# notice, and say whether they did.  A fault no test catches is a hole
# in the suite.  Usage:
#
#   tests/mutate.sh            every fault (appliance tests: ~30 min)
#   tests/mutate.sh NAME...    only those faults
#
# Each fault: a name, a file, a sed expression that must change that
# file, and the tests to run (make check TESTS=...).  Ends with
# "N caught, N missed"; exits 1 if any fault was missed.
set -u
src="$(cd "$(dirname "$0")/.." && pwd)"
work="${MUTATE_DIR:-/var/tmp/goldsmith-mutate}"

faults=(
  "drop-default|conf/sysprep/logfiles.conf|s/^    enabled = true;/    enabled = false;/|tests/test-cli.sh tests/sysprep/test-sysprep-defaults.sh"
  "skip-glob|conf/sysprep/logfiles.conf|\\#\"/var/log/messages\\*\",#d|tests/sysprep/test-sysprep-defaults.sh"
  "keep-machine-id|plugins/sysprep/machine-id.c|s/guestfs_truncate (g, paths.ptr\\[i\\]) == -1/0/|tests/sysprep/test-sysprep-defaults.sh"
  "skip-commit|common/engine.c|s/else if (gs_int_overlay_commit (d) == -1)/else if (gs_int_overlay_discard (d), 0)/|tests/sysprep/test-sysprep-defaults.sh tests/sysprep/test-sysprep-transaction.sh"
  "misorder-partitions|common/resize/plan.c|s/return x->p->start < y->p->start ? -1 : x->p->start > y->p->start;/return x->p->start > y->p->start ? -1 : x->p->start < y->p->start;/|tests/unit/test-resize-plan tests/resize/test-resize-grow.sh"
  "commit-before-rename|common/overlay.c|s/      rename (disk->overlay, committing) == -1/      (commit_file (disk->path, disk->overlay), rename (disk->overlay, committing)) == -1/|tests/unit/test-commit-crash"
  "report-overwrites|cli/batch/batch.c|s/batch_check_outputs (\\&b) == -1)/0)/|tests/test-batch.sh"
)

want=("$@")
caught=0 missed=0
rm -rf "$work"
git -C "$src" worktree prune
git -C "$src" worktree add -q --detach "$work" HEAD || exit 2
trap 'git -C "$src" worktree remove --force "$work"' EXIT
cd "$work" || exit 2
autoreconf -fi >/dev/null 2>&1 && ./configure --enable-werror >/dev/null &&
  make -j"$(nproc)" >/dev/null 2>&1 || { echo "the unchanged tree does not build"; exit 2; }
# The phony guests, built once, shared by every fault's tests.
mkdir -p tests/phony
[ -d "$src/tests/phony" ] && cp --sparse=always "$src"/tests/phony/* tests/phony/ 2>/dev/null

for f in "${faults[@]}"; do
  IFS='|' read -r name file expr tests <<< "$f"
  if [ ${#want[@]} -gt 0 ] && [[ " ${want[*]} " != *" $name "* ]]; then
    continue
  fi
  git checkout -q -- .
  cp "$file" "$file.orig"
  sed -i -e "$expr" "$file"
  if cmp -s "$file" "$file.orig"; then
    echo "$name: the fault did not apply to $file (the mutation script is stale)"
    rm -f "$file.orig"; missed=$((missed + 1)); continue
  fi
  rm -f "$file.orig"
  if ! make -j"$(nproc)" >/dev/null 2>&1; then
    echo "$name: caught by the build"; caught=$((caught + 1)); continue
  fi
  if make -j"$(nproc)" check TESTS="$tests" >/dev/null 2>&1; then
    echo "$name: MISSED by $tests"; missed=$((missed + 1))
  else
    failed=$(grep -h '^FAIL:\|^ERROR:' $(for t in $tests; do echo "${t%.sh}.log"; done) 2>/dev/null | head -3 | tr '\n' ';')
    echo "$name: caught ($failed)"; caught=$((caught + 1))
  fi
done
git checkout -q -- .
echo "$caught caught, $missed missed"
[ "$missed" -eq 0 ]
