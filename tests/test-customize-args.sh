#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# customize's options and configuration are checked before anything is
# launched: one clear line naming the option (or file and line), exit
# status 2, and the image left byte-identical.  No appliance.
source "$(dirname "$0")/functions.sh"
plan 40

tmp="$builddir/tests/tmp/customize-args"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"

truncate -s 1M "$tmp/good.img"
printf 'precious' | dd of="$tmp/good.img" conv=notrunc status=none
good_sum=$(sha256sum < "$tmp/good.img")

# The patterns below are fixed strings (expect: tests/functions.sh).
expect_grep=-F
gs () { goldsmith sysprep -a "$tmp/good.img" "$@"; }

expect "bad root-password selector" \
  "customize: error: --root-password: invalid password selector for user root" \
  gs --root-password bogus
expect "bad password selector (the password is not echoed)" \
  "error: --password: invalid password selector for user alice" \
  gs --password 'alice:passwd:s3cret'
ok "the mistyped password is not in the message" \
   bash -c "! grep -q s3cret '$tmp/err'"
expect "chmod in decimal (virt-customize's trap)" \
  '--chmod: bad permissions "755": give them in octal with a leading 0' \
  gs --chmod 755:/etc/motd
expect "chmod out of range" '--chmod: bad permissions "017777"' \
  gs --chmod 017777:/etc/motd
expect "--write without ':'" '--write: expected FILE:CONTENT, not "/etc/motd"' \
  gs --write /etc/motd
expect "--write to a relative path" \
  '--write: "etc/motd": expected an absolute guest path' \
  gs --write etc/motd:x
expect "--append-line with a newline" \
  "--append-line: the line must not contain newline characters" \
  gs --append-line "/etc/motd:a"$'\n'"b"
expect "the same user twice" \
  "--password: the password of user alice is set twice (also by --password)" \
  gs --password alice:random --password alice:disabled
expect "root by --root-password and --password" \
  "--password: the password of user root is set twice (also by --root-password)" \
  gs --root-password disabled --password root:random
expect "--root-password twice" "--root-password: the password of user root is set twice" \
  gs --root-password disabled --root-password random
expect "--hostname with customize deselected" \
  "--hostname: the customize operation is not enabled" \
  gs --hostname new --operations -customize
expect "a bad hostname" '--hostname: "bad_name" is not a valid hostname' \
  gs --hostname bad_name
expect "a timezone escaping zoneinfo" \
  '--timezone: "../../etc/passwd" is not a timezone name' \
  gs --timezone ../../etc/passwd
expect "an unknown hash" '--password-crypto: unknown password hash "des"' \
  gs --password-crypto des
expect "a missing host file to upload" "--upload: $tmp/nope: No such file" \
  gs --upload "$tmp/nope:/etc/x"
expect "a missing password file" "--password: $tmp/nope: No such file" \
  gs --password "alice:file:$tmp/nope"
mkdir -p "$tmp/home"
HOME="$tmp/home" expect "ssh-inject without a key anywhere" \
  "--ssh-inject: no key given and no public key in $tmp/home/.ssh" \
  gs --ssh-inject root

# The configuration file: actions add up, and errors name file and line.
printf 'sysprep: {\n  customize: {\n    actions = [ "hostname:ok",\n                "frob:x" ];\n  };\n};\n' \
  > "$tmp/verb.conf"
expect "config: unknown verb, with its line" \
  "$tmp/verb.conf:4: actions: unknown action \"frob\"" \
  gs --config "$tmp/verb.conf"
printf 'sysprep: {\n  customize: {\n    passwords = [ "alice:random" ];\n  };\n};\n' \
  > "$tmp/pw.conf"
expect "config and command line give one user twice" \
  "--password: the password of user alice is set twice (also by $tmp/pw.conf:3: password)" \
  gs --config "$tmp/pw.conf" --password alice:disabled

is "the image is byte-identical after all of the above" \
   "$(sha256sum < "$tmp/good.img")" "$good_sum"
