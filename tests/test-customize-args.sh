#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# customize's options and configuration are checked before anything is
# launched: one clear line naming the option (or file and line), exit
# status 2, and the image left byte-identical.  No appliance.
source "$(dirname "$0")/functions.sh"
plan 42

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
# virt-customize's reading: decimal without a leading 0, taken with a
# warning saying what it means.
gs --chmod 755:/etc/motd --list-operations > /dev/null 2> "$tmp/err"
is "chmod in decimal: accepted as virt-customize reads it, with a warning" \
   "$?|$(cat "$tmp/err")" \
   '0|goldsmith: customize: warning: --chmod: "755" is decimal (mode 01363), as virt-customize reads it; for mode 0755 write 0755'
expect "chmod not a number" \
  '--chmod: bad permissions "rwx": give them in octal with a leading 0 (0644), or in decimal (420)' \
  gs --chmod rwx:/etc/motd
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

expect "--truncate of a relative path" \
  '--truncate: "etc/motd": expected an absolute guest path' \
  gs --truncate etc/motd
expect "--copy to a relative path" \
  '--copy: "tmp/x": expected an absolute guest path' gs --copy /etc/motd:tmp/x
expect "--move without DEST" '--move: expected SOURCE:DEST, not "/etc/motd"' \
  gs --move /etc/motd
expect "--link to a relative link" \
  '--link: "etc/x": expected an absolute guest path' \
  gs --link /etc/motd:/etc/a:etc/x
expect "--link with an empty link" \
  '--link: expected TARGET:LINK[:LINK...], not "/etc/motd:/etc/a:"' \
  gs --link /etc/motd:/etc/a:
expect "--edit without an expression" '--edit: expected FILE:EXPR, not "/etc/motd:"' \
  gs --edit /etc/motd:

# --commands-from-file: virt-customize's syntax, errors by file and line.
printf '# comment\n\nhostname ok\nfrobnicate x\n' > "$tmp/cmds1"
expect "--commands-from-file: an unknown command, with its line" \
  "$tmp/cmds1:4: frobnicate: unknown command" \
  gs --commands-from-file "$tmp/cmds1"
printf 'chown 0:0:/etc/motd\n' > "$tmp/cmds2"
expect "--commands-from-file: a command goldsmith does not do yet, by name" \
  "$tmp/cmds2:1: chown: this virt-customize command is not supported by goldsmith yet" \
  gs --commands-from-file "$tmp/cmds2"
printf 'touch /a\nwrite /etc/x:a\\\nb\nhostname bad_name\n' > "$tmp/cmds3"
expect "--commands-from-file: a bad argument after a continued line, by its line" \
  "$tmp/cmds3:4: hostname: \"bad_name\" is not a valid hostname" \
  gs --commands-from-file "$tmp/cmds3"
expect "--commands-from-file: a missing file" \
  "--commands-from-file: $tmp/nope: No such file" \
  gs --commands-from-file "$tmp/nope"

# Package and subscription-manager actions: names checked, credentials
# required and never echoed, the new commands accepted in a command file.
expect "--install: a name that would run a command" \
  '--install: "vim;touch /pwned" is not a valid package name' \
  gs --install 'curl,vim;touch /pwned'
expect "--uninstall: an empty name in the list" \
  '--uninstall: expected PKG,PKG..., not "vim,,curl" (an empty package name)' \
  gs --uninstall vim,,curl
expect "--firstboot-install: a name that is an option" \
  '--firstboot-install: "--force" is not a valid package name' \
  gs --firstboot-install=--force
expect "--sm-register without credentials" \
  "--sm-register: subscription-manager's credentials are needed" \
  gs --sm-register
expect "--sm-credentials with a bad selector (not echoed)" \
  "--sm-credentials: expected USER:password:PASSWORD or USER:file:FILENAME" \
  gs --sm-credentials 'bob:pass:s3cret' --sm-register
ok "the mistyped credentials are not in the message" \
   bash -c "! grep -q s3cret '$tmp/err'"
expect "--sm-credentials from a missing file" \
  "--sm-credentials: $tmp/nope: No such file" \
  gs --sm-credentials "bob:file:$tmp/nope"
expect "--sm-attach with a bad selector" \
  '--sm-attach: expected auto|pool:ID|file:FILENAME, not "pool:a b"' \
  gs --sm-attach 'pool:a b'
printf 'install curl,vim\nupdate\nuninstall nano\nfirstboot-install htop\nsm-credentials bob:password:pw\nsm-register\nsm-attach auto\nsm-remove\nsm-unregister\n' \
  > "$tmp/cmds4"
gs --commands-from-file "$tmp/cmds4" --update --network --list-operations \
  > /dev/null 2> "$tmp/err"
is "--commands-from-file: the package and sm-* commands are accepted, and --update, --network" \
   "$?|$(cat "$tmp/err")" "0|"
printf 'update now\n' > "$tmp/cmds5"
expect "--commands-from-file: update takes no argument" \
  "$tmp/cmds5:1: update: takes no argument, not \"now\"" \
  gs --commands-from-file "$tmp/cmds5"

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
