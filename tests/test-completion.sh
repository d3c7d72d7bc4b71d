#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion (bash/goldsmith), without an appliance: sourced and
# driven as bash does, through COMP_WORDS/COMP_CWORD and compgen; and
# the hidden --short-options / --long-options it asks every command.
source "$(dirname "$0")/functions.sh"
plan 14

# The completion calls the command bash would: the build tree's, by a
# function of that name (./run sets the environment).
source "$srcdir/bash/goldsmith"

complete_words () {              # complete_words WORD... (last: current)
  COMP_WORDS=("$@")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMPREPLY=()
  _goldsmith
  printf '%s\n' "${COMPREPLY[@]}"
}

is "goldsmith sysprep --ho<TAB> completes to --hostname" \
   "$(complete_words goldsmith sysprep --ho)" "--hostname"
is "goldsmith sp<TAB> completes to sparsify" \
   "$(complete_words goldsmith sp)" "sparsify"
is "goldsmith resize --ntfs<TAB>: an operation's option (the ntfs plugin)" \
   "$(complete_words goldsmith resize --ntfs)" "--ntfsresize-force"
is "goldsmith sysprep --operations defaults,-mach<TAB>" \
   "$(complete_words goldsmith sysprep --operations defaults,-mach)" \
   "defaults,-machine-id"
compat_words () {                # compat_words WORD... (last: current)
  COMP_WORDS=("$@")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMPREPLY=()
  _goldsmith_compat
  printf '%s\n' "${COMPREPLY[@]}"
}
is "goldsmith-virt-sysprep --ho<TAB> completes to --hostname" \
   "$(compat_words goldsmith-virt-sysprep --ho)" "--hostname"
is "goldsmith-virt-sysprep --operations defaults,-mach<TAB>" \
   "$(compat_words goldsmith-virt-sysprep --operations defaults,-mach)" \
   "defaults,-machine-id"
is "goldsmith ops re<TAB> completes the tool" \
   "$(complete_words goldsmith ops re)" "resize"

# Every subcommand: the names, one a line, common and hidden included.
bad=""
for c in sysprep inspect sparsify resize batch ops config doctor; do
  l="$(goldsmith $c --long-options)" || bad="$bad $c(exit)"
  for o in --help --verbose --colors --colours --color --colour --wrap \
           --short-options --long-options; do
    grep -qx -- "$o" <<< "$l" || bad="$bad $c:$o"
  done
  grep -qvE '^--[A-Za-z0-9-]+$' <<< "$l" && bad="$bad $c(format)"
  s="$(goldsmith $c --short-options)" || bad="$bad $c(exit)"
  grep -qx -- -v <<< "$s" || bad="$bad $c:-v"
  grep -qvE '^-.$' <<< "$s" && bad="$bad $c(short format)"
done
is "--long-options and --short-options on every subcommand" "$bad" ""
ok "sysprep --long-options lists the operations' options (customize, user-account)" \
   bash -c "goldsmith sysprep --long-options | grep -qx -- --root-password &&
            goldsmith sysprep --long-options | grep -qx -- --keep-user-accounts"
ok "resize --short-options has -d, resize --long-options --debug and --machine-readable" \
   bash -c "goldsmith resize --short-options | grep -qx -- -d &&
            goldsmith resize --long-options | grep -qx -- --debug &&
            goldsmith resize --long-options | grep -qx -- --machine-readable"
ok "inspect --long-options has --blocksize" \
   bash -c "goldsmith inspect --long-options | grep -qx -- --blocksize"
ok "the lists stop the command at once (exit 0, nothing else checked)" \
   bash -c "goldsmith resize --long-options no-such-disk --bogus >/dev/null"
bad=""
for c in sysprep inspect sparsify resize; do
  l="$(goldsmith $c --long-options)"
  for o in $(goldsmith $c --help | grep -oE -- '^ +(-., )?--[A-Za-z0-9-]+' | grep -oE -- '--[A-Za-z0-9-]+'); do
    grep -qx -- "$o" <<< "$l" || bad="$bad $c:$o"
  done
done
is "every option --help shows is in --long-options" "$bad" ""
ok "--colors and --wrap are accepted and change nothing" \
   bash -c "[ \"\$(goldsmith ops --colors --wrap sysprep)\" = \"\$(goldsmith ops sysprep)\" ]"
