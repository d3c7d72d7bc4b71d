#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# The libFuzzer targets of fuzz/ (see fuzz/README), each run for
# FUZZ_TIME seconds (default 5: make check is a smoke run, the budget
# of CI is 20 minutes; `make fuzz` is the long one) from its seed corpus
# fuzz/corpus/TARGET, which holds every input that once crashed it:
# those are replayed first.  One TAP line per target, "not ok" on a
# crash, leak, undefined behaviour, hang (10 s) or memory blow-up
# (2 GiB).  `make fuzz` runs this with FUZZ_TIME=60.  No appliance.
source "$(dirname "$0")/functions.sh"

tmp="$builddir/tests/tmp/fuzz"
rm -rf "$tmp"; mkdir -p "$tmp"
fuzz_time="${FUZZ_TIME:-5}"
jobs="$(nproc)"

targets=()
for f in "$srcdir"/fuzz/fuzz-*.c; do
  name="$(basename "$f" .c)"
  [ "$name" = fuzz-util ] || targets+=("$name")
done

# Built here (with clang, see fuzz/fuzz.mk) unless make fuzz just did.
# The test harness's make flags (TESTS=..., its jobserver) are not ours.
if [ -z "$FUZZ_NO_BUILD" ]; then
  if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
       make -C "$builddir" -j"$jobs" fuzz-build > "$tmp/build.log" 2>&1; then
    if grep -q "found no clang" "$tmp/build.log" && [ "$CI" != true ]; then
      skip_all "no clang with libFuzzer" \
               "(apt-get install clang libclang-rt-14-dev)"
    fi
    tail -n 30 "$tmp/build.log" | sed 's/^/# /'
    bail "make fuzz-build failed"
  fi
fi

plan "${#targets[@]}"

# Leaks in libraries goldsmith does not own (each one proven there).
supp="$srcdir/tests/lsan.supp"
LSAN_OPTIONS="suppressions=$supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

# run NAME: one target; new inputs go to $tmp/NAME, never to the seeds.
run () {
  local name="$1"
  mkdir -p "$tmp/$name"
  TMPDIR="$tmp" "$builddir/fuzz/$name" \
    -max_total_time="$fuzz_time" -timeout=10 -rss_limit_mb=2048 \
    -close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$tmp/$name-" \
    "$tmp/$name" "$srcdir/fuzz/corpus/$name" \
    < /dev/null > "$tmp/$name.log" 2>&1
  echo $? > "$tmp/$name.rc"
}

# As many at once as there are CPUs.
running=0
for name in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  run "$name" &
  running=$((running + 1))
done
wait

failed=0
for name in "${targets[@]}"; do
  rc="$(cat "$tmp/$name.rc")"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$name.log")"
  if [ "$rc" = 0 ]; then
    ok "$name: ${runs:-?} inputs in $fuzz_time s, no crash" true
  else
    ok "$name: exit status $rc" false
    failed=1
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz harness|.*runtime error)' \
      "$tmp/$name.log" | head -n 20 | sed 's/^/# /'
    grep -E '^(artifact_prefix|Test unit written|Base64)' "$tmp/$name.log" |
      sed 's/^/# /'
    echo "# log: $tmp/$name.log"
  fi
done
# Keep the crashing inputs: each becomes a seed in fuzz/corpus/NAME.
[ "$failed" = 1 ] || rm -rf "$tmp"
