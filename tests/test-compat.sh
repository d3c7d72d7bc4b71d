#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# The compatibility names (goldsmith-virt-sysprep, -resize, -sparsify,
# -inspector; goldsmith-compat(1)) without an appliance: the edges a
# script sees are the anchors' (guestfs-tools 1.48): exit status 1 for
# usage errors (virt-sparsify's own 2 kept), "PROG: error: " on stderr,
# warnings on stdout (OCaml tools), --version, --help, every option of
# the anchors' option tables accepted, and the same binary under the
# anchor's own name through a symlink.  The end-to-end part (what real
# command lines do to an image) is tests/test-compat-anchors.sh.
source "$(dirname "$0")/functions.sh"
plan 50

tmp="$builddir/tests/tmp/compat"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"

# usage NAME PROG PATTERN COMMAND...: exit status 1 (the anchors'), the
# first stderr line "PROG: error: ..." matching PATTERN, stdout empty.
usage () {
  local name="$1" prog="$2" pattern="$3"; shift 3
  "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ "$rc" = 1 ] && [ ! -s "$tmp/out" ] &&
     head -1 "$tmp/err" | grep -Eq -- "^$prog: error: .*$pattern"; then
    ok "$name: exit 1, $(head -1 "$tmp/err" | head -c 150)" true
  else
    ok "$name: exit 1, '$prog: error: ...$pattern'" false
    echo "# exit status: $rc"
    sed 's/^/# stdout: /' "$tmp/out"
    sed 's/^/# stderr: /' "$tmp/err"
  fi
}

tools="sysprep resize sparsify inspector"

# ---- version, help, option errors --------------------------------------
for t in $tools; do
  is "goldsmith-virt-$t --version: the anchor's format, the interface's version" \
     "$(goldsmith-virt-$t --version | sed -E 's/goldsmith [0-9.]+/goldsmith V/')" \
     "virt-$t 1.48.2 (goldsmith V)"
done
for t in $tools; do
  ok "goldsmith-virt-$t --help: exit 0, usage on stdout" \
     bash -c "goldsmith-virt-$t --help | grep -q '^Usage: '"
done
for t in $tools; do
  usage "goldsmith-virt-$t --no-such-option" "virt-$t" "--no-such-option" \
        goldsmith-virt-$t --no-such-option
done
is "the option error's second line: the anchors' hint" \
   "$(sed -n 2p "$tmp/err")" \
   "Try 'virt-inspector --help' or consult goldsmith-compat(1) for more information."
usage "virt-sysprep: no -a, no -d" virt-sysprep "" goldsmith-virt-sysprep
usage "virt-sysprep: a missing image" virt-sysprep "/nonexistent" \
      goldsmith-virt-sysprep -a /nonexistent
# The OCaml tools' error ends with their hint (not after option errors,
# not with both -v and -x); virt-inspector (C) has none.
is "virt-sysprep: after the error, a blank line and the anchors' hint" \
   "$(sed -n '2,$p' "$tmp/err")" \
   "
If reporting bugs, run virt-sysprep with debugging enabled and include the complete output:

  virt-sysprep -v -x [...]"
goldsmith-virt-sysprep -v -x -a /nonexistent > /dev/null 2> "$tmp/err"
is "virt-sysprep -v -x: no hint" "$(grep -c 'If reporting bugs' "$tmp/err")" 0
goldsmith-virt-resize --no-such-option > /dev/null 2> "$tmp/err"
is "virt-resize: an option error ends with 'Try', no hint" \
   "$(grep -c 'If reporting bugs' "$tmp/err") $(tail -1 "$tmp/err" | cut -c1-4)" "0 Try "
goldsmith-virt-inspector -a /nonexistent > /dev/null 2> "$tmp/err"
is "virt-inspector: no hint" "$(grep -c 'If reporting bugs' "$tmp/err")" 0
usage "virt-resize: one disk" virt-resize "two disks" \
      goldsmith-virt-resize "$tmp/in.img"
truncate -s 64M "$tmp/in.img"
usage "virt-sparsify: --in-place with --compress" virt-sparsify "--compress" \
      goldsmith-virt-sparsify --in-place --compress "$tmp/in.img"
usage "virt-inspector: --xpath with -a" virt-inspector "--xpath" \
      goldsmith-virt-inspector --xpath //x -a "$tmp/in.img"

# ---- every option of the anchors' tables -------------------------------
# Written from virt-sysprep(1), virt-resize(1), virt-sparsify(1) and
# virt-inspector(1) of guestfs-tools 1.48 (--short-options and
# --long-options list what the command accepts, as the anchors' do).
common="-V --version -v --verbose -x -q --quiet --help --color --colors
  --colour --colours --wrap --debug-gc --short-options --long-options
  --key --keys-from-stdin --echo-keys"
anchor_sysprep="$common -a --add -c --connect -d --domain -n --dry-run
  --dryrun --enable --operation --operations --format --list-operations
  --mount-options --network --no-network --no-selinux-relabel
  --selinux-relabel --hostname --root-password --script --scriptdir
  --remove-user-accounts --keep-user-accounts --dump-pod
  --dump-pod-options --append-line --chmod --commands-from-file --copy
  --copy-in --move --delete --edit --firstboot --firstboot-command
  --firstboot-install --install --uninstall --update --link --mkdir
  --touch --truncate --truncate-recursive --write --upload --password
  --password-crypto --run --run-command --scrub --ssh-inject --timezone
  --no-logfile --sm-register --sm-attach --sm-remove --sm-unregister
  --sm-credentials"
anchor_resize="$common --align-first --alignment -d --debug --delete
  --expand --format --ignore --lv-expand --LV-expand --lvexpand
  --LVexpand --machine-readable -n --dry-run --dryrun
  --no-copy-boot-loader --no-expand-content --no-extra-partition
  --no-sparse --ntfsresize-force --output-format --resize --resize-force
  --shrink --unknown-filesystems"
anchor_sparsify="$common --check-tmpdir --compress --convert --format
  --ignore --in-place --inplace --machine-readable -o --tmp --zero"
anchor_inspector="-a --add --blocksize -c --connect -d --domain --echo-keys
  --key --keys-from-stdin --format --help --no-applications --no-icon -v
  -V -x --xpath"
for t in $tools; do
  v=anchor_$t
  # (not xargs: its echo would take -n as its own option)
  have=" $(goldsmith-virt-$t --short-options | tr '\n' ' ') $(goldsmith-virt-$t --long-options | tr '\n' ' ') "
  missing=""
  for o in ${!v}; do
    case "$have" in *" $o "*) ;; *) missing="$missing $o" ;; esac
  done
  is "virt-$t: every option of the anchor's table is accepted" "$missing" ""
done

# ---- real command lines parse and are checked, up to the launch --------
# --list-operations comes after the options' checks and selection: exit
# 0 says every option was taken with its operation selected.
printf '#!/bin/sh\ntrue\n' > "$tmp/setup.sh"
printf 'delete /var/cache/dnf\n# a comment\ntouch /etc/x\n' > "$tmp/cmds"
ok "virt-sysprep: a Packer/vagrant command line is accepted" \
   goldsmith-virt-sysprep --no-logfile --truncate /etc/machine-id \
     --hostname box --run-command 'systemctl enable sshd' \
     --run "$tmp/setup.sh" --commands-from-file "$tmp/cmds" \
     --firstboot-command 'ssh-keygen -A' --root-password password:x \
     --format qcow2 -a "$tmp/disk.qcow2" --list-operations
ok "virt-sysprep: --operations defaults,-ssh-userdir,-customize with --no-logfile --no-selinux-relabel (no-ops: accepted)" \
   goldsmith-virt-sysprep --operations defaults,-ssh-userdir,-customize \
     --no-logfile --no-selinux-relabel -a "$tmp/disk.qcow2" --list-operations
ok "... and so in goldsmith's own mode" \
   goldsmith sysprep --operations defaults,-customize --no-logfile \
     --no-selinux-relabel -a "$tmp/disk.qcow2" --list-operations
usage "virt-sysprep: an option of an operation not selected is still an error" \
      virt-sysprep "--hostname: the customize operation is not enabled" \
      goldsmith-virt-sysprep --enable machine-id --hostname x \
        -a "$tmp/disk.qcow2"
expect "goldsmith sysprep: --selinux-relabel (not a no-op) without customize" \
       "--selinux-relabel: the customize operation is not enabled" \
       goldsmith sysprep --operations machine-id --selinux-relabel \
         -a "$tmp/disk.qcow2" --list-operations
is "virt-sysprep --list-operations: goldsmith's list, in virt-sysprep's format" \
   "$(goldsmith-virt-sysprep --list-operations)" \
   "$(goldsmith sysprep --list-operations)"
ok "virt-sysprep --dump-pod: the operations as POD items" \
   bash -c "goldsmith-virt-sysprep --dump-pod | grep -q '^=item B<machine-id> \*$'"
ok "virt-sysprep --dump-pod-options: the operations' options as POD items" \
   bash -c "goldsmith-virt-sysprep --dump-pod-options |
            grep -q '^=item B<--hostname> I<NAME>$'"

# ---- machine-readable (no disks: the capabilities, named as the anchor) -
is "virt-resize --machine-readable: the first line names virt-resize" \
   "$(goldsmith-virt-resize --machine-readable | head -1)" virt-resize
is "virt-sparsify --machine-readable: the first line names virt-sparsify" \
   "$(goldsmith-virt-sparsify --machine-readable | head -1)" virt-sparsify

# ---- virt-sparsify's exit 2, and warnings on stdout ---------------------
# A 1 PiB virtual disk: no --tmp has room for its worst-case overlay.
qemu-img create -q -f qcow2 "$tmp/big.qcow2" 1P
goldsmith-virt-sparsify --check-tmpdir fail --tmp "$tmp" "$tmp/big.qcow2" \
  "$tmp/out.qcow2" > "$tmp/out" 2> "$tmp/err"
is "virt-sparsify --check-tmpdir fail, no room: exit 2 (the anchor's own)" \
   "$?" 2
ok "... said as virt-sparsify: error: --tmp ..." \
   grep -q "^virt-sparsify: error: --tmp $tmp: .* free" "$tmp/err"
# The default (warn) goes on; an unknown operation then stops the run
# before any launch.
goldsmith-virt-sparsify --tmp "$tmp" --operations no-such-op \
  "$tmp/big.qcow2" "$tmp/out.qcow2" > "$tmp/out" 2> "$tmp/err"
is "virt-sparsify without --check-tmpdir warns and goes on (then a usage error: exit 1)" \
   "$?" 1
ok "... the warning on stdout, as the OCaml anchors print warnings" \
   grep -q "^virt-sparsify: warning: --tmp $tmp: .* free" "$tmp/out"
ok "... the error on stderr, with the anchor's prefix" \
   grep -q "^virt-sparsify: error: --operations: 'no-such-op'" "$tmp/err"
is "goldsmith sparsify: the same, its own default (fail): exit 2" \
   "$(goldsmith sparsify --tmp "$tmp" "$tmp/big.qcow2" "$tmp/out.qcow2" \
        >/dev/null 2>&1; echo $?)" 2

# ---- virt-inspector's own syntax ----------------------------------------
usage "virt-inspector --format raw (its --format needs '=')" virt-inspector \
      "extra parameter on the command line: 'raw'" \
      goldsmith-virt-inspector --format raw -a "$tmp/big.qcow2"
usage "virt-inspector: a bare --format is accepted (back to probing)" \
      virt-inspector "/nonexistent: No such file" \
      goldsmith-virt-inspector --format -a /nonexistent
printf '%s\n' '<?xml version="1.0"?>' '<operatingsystems>' \
  '<operatingsystem><name>linux</name><distro>fedora</distro>' \
  '<hostname>h1</hostname></operatingsystem></operatingsystems>' > "$tmp/in.xml"
is "virt-inspector --xpath: reads stdin, prints the result" \
   "$(goldsmith-virt-inspector --xpath 'string(//distro)' < "$tmp/in.xml")" \
   fedora

# ---- under the anchor's own name ----------------------------------------
mkdir -p "$tmp/bin"
for t in $tools; do
  ln -s "$(command -v goldsmith-virt-$t)" "$tmp/bin/virt-$t"
done
is "a symlink named virt-sysprep first in PATH: it is goldsmith's" \
   "$(PATH="$tmp/bin:$PATH" virt-sysprep --version | sed 's/(goldsmith .*)/(goldsmith)/')" \
   "virt-sysprep 1.48.2 (goldsmith)"
usage "... with the anchor's prefix and exit status" virt-inspector \
      "--nope" env PATH="$tmp/bin:$PATH" virt-inspector --nope
ok "goldsmith itself keeps its own conventions (exit 2, 'goldsmith sysprep:')" \
   bash -c "goldsmith sysprep --nope 2>&1 >/dev/null | grep -q '^goldsmith sysprep: --nope'
            goldsmith sysprep --nope 2>/dev/null; test \$? = 2"

# ---- make install ---------------------------------------------------------
make -s -C "$builddir" install DESTDIR="$tmp/inst" >/dev/null 2>&1
ok "make install: the four names, links to goldsmith, and goldsmith-compat.1" \
   bash -c "cd '$tmp'/inst/*/bin 2>/dev/null || cd '$tmp'/inst/*/*/bin
            for t in $tools; do
              test \"\$(readlink goldsmith-virt-\$t)\" = goldsmith || exit 1
            done
            ls '$tmp'/inst/*/share/man/man1/goldsmith-compat.1 ||
            ls '$tmp'/inst/*/*/share/man/man1/goldsmith-compat.1"
# Where bash completion is installed, each name has it (a link).
comp=$(find "$tmp/inst" -path '*/bash-completion/completions/goldsmith' | head -1)
if [ -n "$comp" ]; then
  ok "make install: bash completion for the four names too" \
     bash -c "cd '$(dirname "$comp")' && for t in $tools; do
                test \"\$(readlink goldsmith-virt-\$t)\" = goldsmith || exit 1
              done"
else
  skip_one "bash completion for the four names" "not installed by this configuration"
fi
