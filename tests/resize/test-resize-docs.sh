#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith-resize(1), without an appliance: the page is built from
# docs/goldsmith-resize.pod, documents every option that
# `goldsmith resize --help` lists and the exit status, and make install
# installs it.
source "$(dirname "$0")/../functions.sh"

tmp="$builddir/tests/tmp/resize-docs"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
pod="$srcdir/docs/goldsmith-resize.pod"
man="$builddir/docs/goldsmith-resize.1"
plan 6

ok "goldsmith-resize.1 was built" test -s "$man"
# The options of resize itself: --help lists them before the options
# of every subcommand.
options=$(goldsmith resize --help | sed '/^Options of every subcommand/q' |
  grep -o -- '--[a-z][a-z-]*' | sort -u)
ok "goldsmith resize --help lists options ($(echo $options | wc -w))" \
  test "$(echo $options | wc -w)" -ge 20
missing=""
for o in $options; do
  grep -q "B<$o>" "$pod" || missing="$missing $o"
done
is "every option of goldsmith resize is documented" "$missing" ""
missing=""
for o in -n --dryrun --LV-expand --lvexpand --LVexpand; do
  grep -q "B<$o>" "$pod" || missing="$missing $o"
done
is "... and the aliases" "$missing" ""
ok "the page documents the exit status 0, 1 and 2" \
  bash -c "grep -q '^.SH \"EXIT STATUS\"' '$man' &&
           grep -q 'fB0' '$man' && grep -q 'fB1' '$man' && grep -q 'fB2' '$man'"
make -s -C "$builddir" install DESTDIR="$tmp/inst" >/dev/null 2>&1
ok "make install installs goldsmith-resize.1" \
  bash -c "ls '$tmp'/inst/*/share/man/man1/goldsmith-resize.1 ||
           ls '$tmp'/inst/*/*/share/man/man1/goldsmith-resize.1"
done_testing
