#!/bin/bash -
# goldsmith sysprep with the default operations removes exactly the
# files they target on the phony Fedora guest (LVM root, /boot) and
# changes nothing else.  One goldsmith run, one read-back.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 9

tmp="$builddir/tests/tmp/defaults"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
img="$tmp/guest.img"
copy_guest fedora "$img"

# goldsmith detects broken KVM itself: don't pass on the tests' setting.
env -u LIBGUESTFS_BACKEND_SETTINGS \
  goldsmith sysprep --json -a "$img" > "$tmp/report.json" 2> "$tmp/stderr"
rc=$?
is "exit status 0" "$rc" 0
sed 's/^/# stderr: /' "$tmp/stderr"

# The KVM fallback is said once, in one line, where KVM is broken.
if [ "$LIBGUESTFS_BACKEND_SETTINGS" = force_tcg ]; then
  is "KVM failure reported in exactly one line" \
     "$(grep -c 'KVM does not work\|failed to launch with hardware' "$tmp/stderr")" 1
else
  is "no TCG fallback message where KVM works" \
     "$(grep -c 'KVM does not work\|failed to launch with hardware' "$tmp/stderr")" 0
fi
is "no errors on stderr" "$(grep -c 'error' "$tmp/stderr")" 0

# What the report says each operation did.
python3 - "$tmp/report.json" > "$tmp/report.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for g in r["guests"]:
    for root in g["roots"]:
        for op in root["operations"]:
            print(op["name"], op["status"])
            for p in op["paths"]:
                print(" ", p["action"], p["path"])
PY
expected_report="bash-history applied
  remove /home/alice/.bash_history
  remove /home/bob/.bash_history
  remove /home/carol/.bash_history
  remove /root/.bash_history
logfiles applied
  remove /var/log/boot.log
  remove /var/log/dnf.log
  remove /var/log/audit/audit.log
  remove /var/log/btmp
  remove /var/log/lastlog
  remove /var/log/messages
  remove /var/log/messages-20260101
  remove /var/log/secure
  remove /var/log/wtmp
  remove /var/log/httpd/access_log
  remove /var/lib/logrotate.status
  remove /root/anaconda-ks.cfg
  remove /var/log/anaconda/anaconda.log
  remove /var/cache/man/index.db
  remove /var/log/journal/0123456789abcdef0123456789abcdef
machine-id applied
  change /etc/machine-id
  change /var/lib/dbus/machine-id
ssh-hostkeys applied
  remove /etc/ssh/ssh_host_ed25519_key
  remove /etc/ssh/ssh_host_ed25519_key.pub
  remove /etc/ssh/ssh_host_rsa_key
  remove /etc/ssh/ssh_host_rsa_key.pub
script not-applicable
lvm-uuids applied
  change /dev/sda2
  change /dev/VG"
is "the report lists every path each operation touched" \
   "$(cat "$tmp/report.txt")" "$expected_report"

# The image itself: the manifest after the run must be the manifest
# before, minus exactly the targets, with the machine-id files empty.
manifest "$img" > "$tmp/after.manifest"
ok "read back the image" test -s "$tmp/after.manifest"
empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
removed='^/home/(alice|bob|carol)/\.bash_history |^/root/\.bash_history |^/etc/ssh/ssh_host_|^/var/log/(boot\.log|dnf\.log|audit/audit\.log|btmp|lastlog|messages|messages-20260101|secure|wtmp|httpd/access_log|anaconda/anaconda\.log) |^/var/lib/logrotate\.status |^/root/anaconda-ks\.cfg |^/var/cache/man/index\.db |^/var/log/journal/0123456789abcdef0123456789abcdef'
grep -Ev "$removed" "$phony_guests/fedora.manifest" |
  sed -E "s#^(/etc/machine-id|/var/lib/dbus/machine-id) file .*#\1 file $empty#" \
  > "$tmp/expected.manifest"
is "exactly the targets are gone and nothing else changed" \
   "$(diff "$tmp/expected.manifest" "$tmp/after.manifest")" ""
is "the removal list matched 24 paths of the fixture" \
   "$(grep -Ec "$removed" "$phony_guests/fedora.manifest")" 24
ok "decoys are kept: /etc/passwd behind the bash_history symlink" \
   grep -q '^/etc/passwd file' "$tmp/after.manifest"
ok "decoys are kept: /srv/data/messages, /var/log/README, .zsh_history" \
   bash -c "grep -q '^/srv/data/messages file' '$tmp/after.manifest' &&
            grep -q '^/var/log/README file' '$tmp/after.manifest' &&
            grep -q '^/home/alice/.zsh_history file' '$tmp/after.manifest'"
