#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# The C unit tests (UNIT_TESTS in tests/unit/unit.mk) built by gcc with
# AddressSanitizer and UndefinedBehaviorSanitizer in a build tree of
# their own (tests/tmp/asan/build), one TAP line each: a memory error,
# a leak or undefined behaviour fails its test.  Only what the unit
# tests need is built.  No appliance.
source "$(dirname "$0")/functions.sh"

tmp="$builddir/tests/tmp/asan"
mkdir -p "$tmp"
jobs="$(nproc)"

mapfile -t unit < <(sed -n '/^UNIT_TESTS = /,/^[^\t]/p' \
                      "$srcdir/tests/unit/unit.mk" |
                    grep -o 'tests/unit/test-[a-z0-9-]*')
[ "${#unit[@]}" -gt 0 ] || bail "no UNIT_TESTS in tests/unit/unit.mk"

# configure refuses to build out of a source tree that is configured
# in place (as ./quickstart does it): then build from a copy of the
# sources (git's list, plus what autoreconf made), times kept so that
# make regenerates nothing.
src="$srcdir"
if [ -f "$srcdir/config.status" ]; then
  src="$tmp/src"
  mkdir -p "$src"
  if ! files="$(cd "$srcdir" && git ls-files --cached --others \
                  --exclude-standard 2>/dev/null)"; then
    why="$srcdir is configured in place and is no git checkout"
    [ "$CI" = true ] || skip_all "$why"
    bail "$why"
  fi
  (cd "$srcdir" &&
   { echo "$files"
     ls -d configure Makefile.in aclocal.m4 config.h.in build-aux/*; } |
   sort -u | while read -r f; do [ -e "$f" ] && echo "$f"; done |
   tar -cf - -T -) | tar -xf - -C "$src" || bail "cannot copy the sources"
fi

# Not --enable-werror: gcc warns wrongly under -fsanitize (its manual
# says so; e.g. -Wstringop-overread in session.c).  The normal build
# keeps the warnings honest.
mkdir -p "$tmp/build"
cd "$tmp/build" || bail "$tmp/build"
if [ ! -f Makefile ]; then
  "$src/configure" CC=gcc --enable-sanitizers \
    CFLAGS='-g -O1 -fno-sanitize-recover=all' > configure.log 2>&1 ||
    { tail -n 20 configure.log | sed 's/^/# /'; bail "configure failed"; }
fi

# Reports go to files too: a test that captures stderr would hide them.
rm -rf reports; mkdir reports
reports="$PWD/reports" supp="$srcdir/tests/lsan.supp"
ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1"\
"${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1"\
"${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
LSAN_OPTIONS="suppressions=$supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

# check-TESTS builds each test (with the plugins it loads) and runs it.
# The make running this test passes flags (TESTS=...) that are not ours.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
  make -j"$jobs" check-TESTS TESTS="${unit[*]}" > make.log 2>&1
if [ ! -f "${unit[0]}" ]; then
  grep -E 'error|Error' make.log | head -n 20 | sed 's/^/# /'
  bail "the unit tests did not build (see $tmp/build/make.log)"
fi

plan $((${#unit[@]} + 1))

# The sanitizers really are in: else every test passes proving nothing.
libs="$(ldd "${unit[0]}")"
linked=false
grep -q libasan <<< "$libs" && grep -q libubsan <<< "$libs" && linked=true
ok "the unit tests are linked with libasan and libubsan" "$linked"

for t in "${unit[@]}"; do
  n="$(grep -c '^:test-result:' "$t.trs" 2>/dev/null)"
  if grep -q '^:global-test-result: PASS' "$t.trs" 2>/dev/null; then
    ok "$(basename "$t"): ${n:-0} checks under ASan and UBSan" true
  else
    ok "$(basename "$t") under ASan and UBSan" false
    grep -E '^(not ok|ERROR|Bail)|runtime error|Sanitizer' "$t.log" \
      2>/dev/null | head -n 10 | sed 's/^/# /'
    echo "# log: $tmp/build/$t.log"
  fi
done
for r in reports/*; do
  [ -f "$r" ] || continue
  echo "# sanitizer report $tmp/build/$r:"
  grep -E 'ERROR|SUMMARY|runtime error|^    #[0-4] ' "$r" | head -n 15 |
    sed 's/^/#   /'
done
