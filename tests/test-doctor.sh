#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith doctor: each check's verdict follows what is really on the
# host, every problem says what it means and how to fix it, and the exit
# status is 1 exactly when a check failed.  Broken set-ups are made
# with --no-launch (no appliance); one real run launches the appliance
# once and must find it working.
source "$(dirname "$0")/functions.sh"

tmp="$builddir/tests/tmp/doctor"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"

plan 28

# field FILE PYTHON-EXPR: evaluate EXPR with d = the JSON document and
# c = its checks by name; print the result.
field () {
  python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = {x["name"]: x for x in d["checks"]}
print(eval(sys.argv[2]))
PY
}

# Consistent whatever the host: statuses known, problems explained,
# "ok" and the exit status agree with the checks.
consistent () {                  # consistent FILE RC
  python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
failed = False
for x in d["checks"]:
    assert x["status"] in ("ok", "warn", "fail"), x
    assert x["detail"], x
    if x["status"] != "ok":
        assert x["means"] and x["fix"], x
    failed = failed or x["status"] == "fail"
assert d["ok"] == (not failed)
assert d["exit_status"] == rc == (1 if failed else 0), (rc, d)
PY
}

# What the host really offers, asked of qemu here, not of doctor: can
# qemu start with KVM?  (As tests/functions.sh asks for guestfish.)
host_accel () {
  local qemu
  qemu=$(command -v qemu-system-x86_64) || { echo tcg; return; }
  [ -w /dev/kvm ] || { echo tcg; return; }
  if (echo quit | timeout 10 "$qemu" -accel kvm -cpu host -nodefaults \
       -display none -S -monitor stdio) >/dev/null 2>&1; then
    echo kvm
  else
    echo tcg
  fi
}
accel=$(host_accel)
diag "this host: $accel"

# ---- no launch: broken set-ups ---------------------------------------
goldsmith doctor --json --no-launch > "$tmp/base.json" 2> "$tmp/err"
rc=$?
ok "--no-launch: consistent" consistent "$tmp/base.json" $rc
if [ -e /dev/kvm ]; then want=yes; else want=no; fi
is "kvm: a missing /dev/kvm is named" \
   "$(field "$tmp/base.json" \
     "'yes' if c['kvm']['status'] == 'ok' or 'does not exist' not in c['kvm']['detail'] else 'no'")" \
   "$want"
is "qemu-img found where the shell finds it" \
   "$(field "$tmp/base.json" "c['qemu-img']['detail'].split()[0]")" \
   "$(command -v qemu-img)"
is "kvm: ok exactly where qemu can use KVM here" \
   "$(field "$tmp/base.json" "c['kvm']['status'] == 'ok'")" \
   "$([ "$accel" = kvm ] && echo True || echo False)"
# Under TCG the uncompressed kernel is made and named; it is an x86-64
# ELF image.  With KVM it is not needed.
if [ "$accel" = tcg ]; then
  k=$(field "$tmp/base.json" "c['tcg-kernel'].get('kernel', '')")
  is "tcg-kernel: an uncompressed copy of the host's kernel, an ELF image" \
     "$(field "$tmp/base.json" "c['tcg-kernel']['status']")|$(head -c 4 "$k" 2>/dev/null | od -An -c | tr -d ' ')" \
     'ok|177ELF'
else
  is "tcg-kernel: not needed with KVM" \
     "$(field "$tmp/base.json" "c['tcg-kernel']['detail']")" \
     "not needed: launches use KVM"
fi

TMPDIR="$tmp/nowhere" goldsmith doctor --json --no-launch \
  > "$tmp/notmp.json" 2> "$tmp/err"
rc=$?
is "missing TMPDIR: exit status 1" "$rc" 1
ok "missing TMPDIR: consistent" consistent "$tmp/notmp.json" $rc
is "missing TMPDIR: the tmpdir check fails naming it" \
   "$(field "$tmp/notmp.json" \
     "c['tmpdir']['status'] + ' ' + c['tmpdir']['detail'].split(':')[0]")" \
   "fail $tmp/nowhere"

printf 'appliance: {\n  accel = "warp";\n};\n' > "$tmp/bad.conf"
goldsmith doctor --json --no-launch --config "$tmp/bad.conf" \
  > "$tmp/conf.json" 2> "$tmp/err"
rc=$?
is "bad config: exit status 1" "$rc" 1
ok "bad config: consistent" consistent "$tmp/conf.json" $rc
is "bad config: the config check fails naming the file" \
   "$(field "$tmp/conf.json" \
     "c['config']['status'] + ' ' + str('bad.conf' in c['config']['detail'])")" \
   "fail True"

# qemu-img missing from $PATH (a directory holding only python3).
mkdir "$tmp/bin"
ln -s "$(command -v python3)" "$tmp/bin/python3"
# (The outer ./run has set the plugin and config directories.)
PATH="$tmp/bin" "$builddir/goldsmith" doctor --json --no-launch \
  > "$tmp/noqi.json" 2> "$tmp/err"
rc=$?
is "no qemu-img: exit status 1" "$rc" 1
is "no qemu-img: the check fails and says how to install it" \
   "$(field "$tmp/noqi.json" \
     "c['qemu-img']['status'] + ' ' + str('qemu-utils' in c['qemu-img']['fix'])")" \
   "fail True"

# ---- one launch ------------------------------------------------------
# --phases: the launch's messages, timed, cut into phases.
goldsmith doctor --json --phases > "$tmp/full.json" 2> "$tmp/err"
rc=$?
ok "full run: consistent" consistent "$tmp/full.json" $rc
appliance=$(field "$tmp/full.json" "c['appliance']['status']")
if [ "$appliance" != ok ] && [ "$CI" != true ]; then
  sed 's/^/# /' "$tmp/err"
  skip_rest "the appliance cannot launch here"
fi
is "the appliance launched" "$appliance" ok
is "full run: exit status 0" "$rc" 0
ok "its launch time is reported" \
   test "$(field "$tmp/full.json" "c['appliance']['seconds'] > 0")" = True
is "the launch used TCG exactly where qemu cannot use KVM here" \
   "$(field "$tmp/full.json" "'(TCG,' in c['appliance']['detail']")" \
   "$([ "$accel" = tcg ] && echo True || echo False)"
# Under TCG the appliance boots an uncompressed copy of the host kernel
# (common/tcg-kernel.c): the kernel file of the appliance it launched
# is an ELF image, not a bzImage.  With KVM, libguestfs's own.
is "the appliance's kernel: uncompressed under TCG, compressed with KVM" \
   "$(field "$tmp/full.json" "c['appliance']['kernel']")" \
   "$([ "$accel" = tcg ] && echo uncompressed || echo compressed)"

# The phases: each milestone of this host's libguestfs was seen (the
# kernel's, supermin's, /init's, udev's, the daemon's), in boot order,
# and they add up to the launch's time.
is "--phases: every phase, in boot order" \
   "$(field "$tmp/full.json" "' '.join(p['name'] for p in c['appliance']['phases'])")" \
   "host firmware kernel supermin init udev setup storage-scans daemon"
is "--phases: the phases add up to the launch's time" \
   "$(field "$tmp/full.json" "abs(sum(p['seconds'] for p in c['appliance']['phases']) - c['appliance']['seconds']) < 0.01")" \
   True
# Under TCG the appliance's init wakes udev for the appliance's devices
# only (common/lean-init.c); with KVM, libguestfs's appliance as it is.
is "lean init exactly under TCG" \
   "$(field "$tmp/full.json" "c['appliance']['lean_init']")" \
   "$([ "$accel" = tcg ] && echo True || echo False)"

# The uncompressed kernel's own appliance, in a cache of this test's,
# forced TCG (so on any host): built and booted; then broken (its
# kernel emptied, which qemu cannot load): goldsmith says so once and
# launches with the distribution's kernel instead.
cache="$tmp/cache"; mkdir -p "$cache"
LIBGUESTFS_CACHEDIR="$cache" goldsmith doctor --json \
  --set appliance.accel=tcg > "$tmp/k1.json" 2> "$tmp/k1.err"
is "own cache, TCG: built, launched, booted the uncompressed kernel" \
   "$(field "$tmp/k1.json" "c['appliance']['status'] + ' ' + c['appliance']['kernel']")" \
   "ok uncompressed"
u=$(id -u)
# Its init: libguestfs's, with the one trigger line replaced.
diff <(tar -xzOf "$(guestfish get-path)/supermin.d/init.tar.gz") \
  <(tar -xzOf "$cache/goldsmith-tcg-$u/lean-appliance/supermin.d/init.tar.gz") \
  > "$tmp/init.diff"
is "the lean init: only udevadm trigger changed" \
   "$(grep '^[<>]' "$tmp/init.diff" | grep -v '^> *#' | tr -s ' ' | xargs -d '\n' echo)" \
   "< udevadm trigger > if test \"\$guestfs_network\" = 1; then > udevadm trigger > else > udevadm trigger --subsystem-match=block --subsystem-match=virtio-ports --subsystem-match=misc > fi"
: > "$cache/goldsmith-tcg-$u/lean/.guestfs-$u/appliance.d/kernel"
LIBGUESTFS_CACHEDIR="$cache" goldsmith doctor --json \
  --set appliance.accel=tcg > "$tmp/k2.json" 2> "$tmp/k2.err"
is "its appliance broken: launched anyway, with the distribution's kernel" \
   "$(field "$tmp/k2.json" "c['appliance']['status'] + ' ' + c['appliance']['kernel']")" \
   "ok compressed"
is "... and said so in one line" \
   "$(grep -c . "$tmp/k2.err")|$(grep -c 'uncompressed kernel failed to launch' "$tmp/k2.err")" \
   "1|1"
checks="config qemu-img libguestfs kvm tcg-kernel tmpdir cachedir fuse appliance"
is "JSON: every check, by name, in order" \
   "$(field "$tmp/base.json" "' '.join(x['name'] for x in d['checks'])")" "$checks"
is "the text output lists every check, by name, in order" \
   "$(goldsmith doctor --no-launch | sed -nE 's/^(ok|warn|fail) +([^ ]+) .*/\2/p' | xargs)" \
   "$checks"
