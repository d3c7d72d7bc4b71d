#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# The customize operation on the phony Fedora guest: ONE goldsmith run
# with most of virt-customize's actions at once, in an order where
# later actions depend on earlier ones, then ONE read-back (tar-out of
# the whole guest, analysed on the host: contents, modes, owners,
# links), then ONE dry run that must list what it would do and leave
# the image byte-identical (with --network: the appliance gets one);
# then ONE run of the package and
# subscription-manager actions on three small guests at once (a real
# .deb installed with apt-get, no network), read back on the host.
# Four appliance launches in all.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 74

tmp="$builddir/tests/tmp/customize"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
img="$tmp/guest.img"
copy_guest fedora "$img"

# ---- host-side inputs ----------------------------------------------------
printf 'alice-pw\nnot this line\n' > "$tmp/alice.pw"
echo 'ssh-ed25519 AAAAfilekey carol@host' > "$tmp/carol.pub"
mkdir -p "$tmp/home/.ssh"           # --ssh-inject root: the default key
echo 'ssh-ed25519 AAAAolderkey me@host' > "$tmp/home/.ssh/id_rsa.pub"
touch -d '2001-01-01' "$tmp/home/.ssh/id_rsa.pub"
echo 'ssh-ed25519 AAAAdefaultkey me@host' > "$tmp/home/.ssh/id_ed25519.pub"
echo 'ssh-ed25519 AAAAcert' > "$tmp/home/.ssh/id_ed25519-cert.pub"
printf '#!/bin/sh\necho firstboot script\n' > "$tmp/fb.sh"
printf 'uploaded\n' > "$tmp/upfile"; chmod 0640 "$tmp/upfile"
printf 'SELINUX=enforcing\nSELINUXTYPE=targeted\n' > "$tmp/selinux.config"
mkdir -p "$tmp/tree/sub"
echo a > "$tmp/tree/a.txt"; echo b > "$tmp/tree/sub/b.txt"
# virt-customize's command-file syntax: comments, blank lines, a line
# continued with '\'.
printf '# made by the test\n\nmkdir /opt/cf\nwrite /opt/cf/f:one\\\ntwo\n' \
  > "$tmp/commands"

# A stand-in for the insserv of a Debian SysV guest (static: the guest
# has no libc): records its arguments.  With /etc/init.d/.depend.start
# present, registering the first-boot init script must run it in the
# guest.
sysv_args=()
if printf '%s\n' '#include <stdio.h>' \
     'int main (int c, char **v) { FILE *f = fopen ("/etc/init.d/.insserv-args", "w");' \
     '  for (int i = 1; i < c; i++) fprintf (f, "%s\n", v[i]); return fclose (f) != 0; }' |
   cc -static -x c -o "$tmp/insserv" - 2>"$tmp/cc.err"; then
  sysv_args=(--mkdir /etc/init.d --mkdir /etc/rc3.d
             --write /etc/init.d/.depend.start:TARGETS
             --mkdir /usr/sbin --upload "$tmp/insserv:/usr/sbin/insserv")
else
  diag "no static C compiler: SysV registration is not exercised"
fi

# The phony guest has no shell: give it the host's dash and the
# libraries it needs (uploads, in order, before --run-command).
shell_args=()
if libs=$(ldd /bin/dash 2>/dev/null | grep -o '/[^ ]*'); then
  for lib in $libs; do
    shell_args+=(--mkdir "$(dirname "$lib")" --upload "$lib:$lib")
  done
  shell_args+=(--upload /bin/dash:/bin/sh
               --run-command 'echo ran-in-guest > /root/run-command.out')
else
  diag "no ldd/dash on the host: --run-command is not exercised"
fi

# ---- the run ---------------------------------------------------------------
start=$SECONDS
pre_sum=$(sha256sum < "$img" | cut -d' ' -f1)
env -u LIBGUESTFS_BACKEND_SETTINGS HOME="$tmp/home" \
goldsmith sysprep --json --provenance "$tmp/x.intoto.json" \
  --operations customize -a "$img" \
  --exclude-path '^/var/log/dnf\.log$' \
  --write /etc/machine-info:PRETTY_HOSTNAME=old-name \
  --hostname new-host.example.org \
  --mkdir /usr/share/zoneinfo/Europe \
  --write /usr/share/zoneinfo/Europe/Paris:TZif-fake \
  --timezone Europe/Paris \
  --append-line '/etc/passwd:carol:x:1002:1002:Carol:/home/carol:/bin/sh' \
  --append-line '/etc/passwd:dave:x:1003:1003:Dave:/home/dave:/bin/sh' \
  --append-line '/etc/shadow:carol:!::0:99999:7:::' \
  --append-line '/etc/shadow:dave:!::0:99999:7:::' \
  --ssh-inject 'alice:string:ssh-ed25519 AAAAstring alice@host' \
  --ssh-inject "carol:file:$tmp/carol.pub" \
  --ssh-inject root \
  --ssh-inject 'root:string:ssh-rsa AAAAsecond root@host' \
  --mkdir /etc/systemd/system \
  "${sysv_args[@]}" \
  --firstboot "$tmp/fb.sh" \
  --firstboot-command 'touch /root/firstboot-ran' \
  --delete '/var/log/*.log' \
  --delete /var/log/httpd \
  --delete /home/carol/.bash_history \
  --touch /etc/touched \
  --write /etc/motd:"Hello"$'\n'"there" \
  --append-line /etc/motd:World \
  --chmod 0600:/etc/motd \
  --mkdir /opt/a/b \
  --upload "$tmp/upfile:/opt/a/b" \
  --chmod 384:/etc/touched \
  --copy /etc/motd:/opt/a \
  --write /opt/tomove:moved --move /opt/tomove:/opt/moved \
  --link /etc/motd:/opt/l1:/opt/l2 \
  --write /opt/trunc:data --truncate /opt/trunc \
  --mkdir /opt/tr/sub --write /opt/tr/x:1 --write /opt/tr/sub/y:22 \
  --link /etc/passwd:/opt/tr/plink --truncate-recursive /opt/tr \
  --write /opt/secret:s3cret --scrub /opt/secret \
  --write /opt/ed:"alpha"$'\n'"beta"$'\n' --edit '/opt/ed:s/beta/gamma/' \
  --commands-from-file "$tmp/commands" \
  --mkdir /tmp --write /tmp/builder.log:log --no-logfile \
  --copy-in "$tmp/tree:/srv" \
  --mkdir /etc/selinux --upload "$tmp/selinux.config:/etc/selinux/config" \
  --selinux-relabel \
  "${shell_args[@]}" \
  --root-password 'password:Root:pass:with:colons' \
  --password "alice:file:$tmp/alice.pw" \
  --password bob:random \
  --password carol:locked:password:carolpw \
  --password dave:disabled \
  > "$tmp/report.json" 2> "$tmp/stderr"
rc=$?
diag "goldsmith run: $((SECONDS - start)) s"
is "exit status 0" "$rc" 0
sed 's/^/# stderr: /' "$tmp/stderr"
# --provenance: the image hashed before the run (a dependency) and
# after it (the subject), the operations those of the --json report.
ok "provenance: an in-toto Statement with a SLSA v1 predicate" \
   python3 - "$tmp/x.intoto.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["_type"] == "https://in-toto.io/Statement/v1"
assert d["predicateType"] == "https://slsa.dev/provenance/v1"
assert d["predicate"]["buildDefinition"]["externalParameters"]["tool"] == "sysprep"
PY
ok "provenance: subject = sha256sum of the image after the run, dependency = before it" \
   python3 - "$tmp/x.intoto.json" "$(sha256sum < "$img" | cut -d' ' -f1)" "$pre_sum" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [s["digest"]["sha256"] for s in d["subject"]] == [sys.argv[2]], d["subject"]
deps = d["predicate"]["buildDefinition"]["resolvedDependencies"]
assert [r["digest"]["sha256"] for r in deps] == [sys.argv[3]], deps
assert sys.argv[2] != sys.argv[3]
PY
ok "provenance: the operations of the --json report, and no password in the record" \
   python3 - "$tmp/x.intoto.json" "$tmp/report.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read(); d = json.loads(text)
rep = json.load(open(sys.argv[2]))
got = d["predicate"]["runDetails"]["byproducts"][0]["annotations"]["report"]
ops = lambda r: [[o for o in root["operations"]] for g in r["guests"] for root in g["roots"]]
assert ops(got) == ops(rep) and ops(rep) and got == rep
assert "Root:pass:with:colons" not in text and "carolpw" not in text
PY
ok "no error on stderr" bash -c "! grep -q 'error' '$tmp/stderr'"
ok "the protected --delete match is kept, with a warning" \
   grep -q 'delete /var/log/\*.log: /var/log/dnf.log is protected by --exclude-path: kept' "$tmp/stderr"
bob_pw=$(sed -n 's/.*random password for bob: \([A-Za-z0-9]*\)$/\1/p' "$tmp/stderr")
is "the random password is printed once, 16 characters" "${#bob_pw}" 16

# What the report says customize did, in action order.
python3 - "$tmp/report.json" > "$tmp/report.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for op in r["guests"][0]["roots"][0]["operations"]:
    print(op["name"], op["status"])
    for p in op["paths"]:
        print(" ", p["action"], p["path"])
PY
# (The paths below are what each action is documented to touch: the
# whole-tree comparison at the end leaves exactly these out.)
report_expected="customize applied
  create /etc/machine-info
  change /etc/hostname
  change /etc/machine-info
  create /usr/share/zoneinfo
  create /usr/share/zoneinfo/Europe
  create /usr/share/zoneinfo/Europe/Paris
  create /etc/localtime
  change /etc/passwd
  change /etc/passwd
  change /etc/shadow
  change /etc/shadow
  create /home/alice/.ssh
  create /home/alice/.ssh/authorized_keys
  create /home/carol/.ssh
  create /home/carol/.ssh/authorized_keys
  create /root/.ssh/authorized_keys
  change /root/.ssh/authorized_keys
  create /etc/systemd
  create /etc/systemd/system
${sysv_args:+  create /etc/init.d
  create /etc/rc3.d
  create /etc/init.d/.depend.start
  create /usr/sbin
  create /usr/sbin/insserv
}  create /usr/lib/goldsmith/firstboot.sh
  create /etc/systemd/system/goldsmith-firstboot.service
  create /etc/systemd/system/multi-user.target.wants/goldsmith-firstboot.service
${sysv_args:+  create /etc/init.d/goldsmith-firstboot
  create /etc/rc3.d/S99goldsmith-firstboot
}  create /usr/lib/goldsmith/firstboot/scripts/0001-fb-sh
  create /usr/lib/goldsmith/firstboot/scripts/0002-command
  remove /var/log/boot.log
  remove /var/log/httpd
  remove /home/carol/.bash_history
  create /etc/touched
  create /etc/motd
  change /etc/motd
  change /etc/motd
  create /opt/a
  create /opt/a/b
  create /opt/a/b/upfile
  change /etc/touched
  create /opt/a/motd
  create /opt/tomove
  remove /opt/tomove
  create /opt/moved
  create /opt/l1
  create /opt/l2
  create /opt/trunc
  change /opt/trunc
  create /opt/tr
  create /opt/tr/sub
  create /opt/tr/x
  create /opt/tr/sub/y
  create /opt/tr/plink
  change /opt/tr/sub/y
  change /opt/tr/x
  create /opt/secret
  remove /opt/secret
  create /opt/ed
  change /opt/ed
  create /opt/cf
  create /opt/cf/f
  create /tmp/builder.log
  create /srv/tree"
is "the report lists every path, in action order" \
   "$(sed -n '1,/^  create \/srv\/tree$/p' "$tmp/report.txt")" "$report_expected"
# (copy-in walks the host tree in readdir order: compare it as a set)
is "copy-in reports the whole tree" \
   "$(grep -E '^  create /srv/tree/' "$tmp/report.txt" | sort)" \
   "  create /srv/tree/a.txt
  create /srv/tree/sub
  create /srv/tree/sub/b.txt"
sed '1,/^  create \/srv\/tree$/d; /^  create \/srv\/tree\//d' "$tmp/report.txt" \
  > "$tmp/report.tail"
missing=""
for p in $libs ${libs:+/bin/sh}; do
  grep -qx "  create $p" "$tmp/report.tail" || missing="$missing $p"
done
is "then the shell's uploads, /etc/shadow for the passwords, the relabel flag, --no-logfile last" \
   "$missing|$(grep -vc '^  create ' "$tmp/report.tail")|$(tail -3 "$tmp/report.tail" | xargs)" \
   "|2|change /etc/shadow create /.autorelabel remove /tmp/builder.log"
ok "--selinux-relabel: no file_contexts in the guest, so it relabels at boot, and says so" \
   grep -q 'selinux-relabel: the guest has no /etc/selinux/targeted/contexts/files/file_contexts' "$tmp/stderr"

# ---- read back: one launch, the whole tree --------------------------------
start=$SECONDS
guestfish --ro --format=raw -a "$img" -i tar-out / "$tmp/after.tar" numericowner:true xattrs:true selinux:true
diag "read-back: $((SECONDS - start)) s"
python3 "$srcdir/tests/manifest.py" "$tmp/after.tar" > "$tmp/after.manifest"
ok "read back the image" test -s "$tmp/after.manifest"

# f PATH: "TYPE MODE UID:GID" of a path; c PATH: its content.
python3 - "$tmp/after.tar" "$tmp/facts" <<'PY'
import os, sys, tarfile
out = sys.argv[2]
os.makedirs(out + "/content", exist_ok=True)
with tarfile.open(sys.argv[1]) as t, open(out + "/stat", "w") as st:
    for m in t.getmembers():
        name = "/" + m.name.lstrip("./")
        kind = "dir" if m.isdir() else "link" if m.issym() else "file" if m.isfile() else "other"
        st.write(f"{name} {kind} {m.mode:04o} {m.uid}:{m.gid}" +
                 (f" -> {m.linkname}" if m.issym() else "") + "\n")
        if m.isfile():
            p = out + "/content" + name
            os.makedirs(os.path.dirname(p), exist_ok=True)
            open(p, "wb").write(t.extractfile(m).read())
PY
f () { awk -v p="$1" '$1 == p { $1 = ""; print substr($0, 2) }' "$tmp/facts/stat"; }
c () { cat "$tmp/facts/content$1"; }

ok "--selinux-relabel: /.autorelabel is in the image" \
   grep -q '^/\.autorelabel file ' "$tmp/after.manifest"
is "hostname: /etc/hostname" "$(c /etc/hostname)" "new-host.example.org"
is "hostname: PRETTY_HOSTNAME in /etc/machine-info (written just before)" \
   "$(c /etc/machine-info)" "PRETTY_HOSTNAME=new-host.example.org"
is "timezone: /etc/localtime links to the zone made just before" \
   "$(f /etc/localtime)" "link 0777 0:0 -> /usr/share/zoneinfo/Europe/Paris"

# Passwords: verify each hash with an independent implementation.
shadow_field () { c /etc/shadow | awk -F: -v u="$1" '$1 == u { print $2 }'; }
verifies () {                    # verifies HASH PASSWORD (openssl's crypt)
  local salt
  salt=$(printf '%s' "$1" | cut -d'$' -f3)
  [ "$(openssl passwd -6 -salt "$salt" "$2")" = "$1" ]
}
root_h=$(shadow_field root); alice_h=$(shadow_field alice)
bob_h=$(shadow_field bob); carol_h=$(shadow_field carol)
is "root: a sha512 hash" "${root_h:0:3}" '$6$'
ok "root: it verifies against the password with colons" \
   verifies "$root_h" 'Root:pass:with:colons'
ok "alice: the first line of the password file" verifies "$alice_h" alice-pw
ok "bob: the random password that was printed" verifies "$bob_h" "$bob_pw"
is "carol: locked: '!' before a sha512 hash" "${carol_h:0:4}" '!$6$'
ok "carol: the hash verifies against carolpw" verifies "${carol_h#!}" carolpw
is "dave: disabled is '*'" "$(shadow_field dave)" '*'
ok "two salts differ (root, alice)" \
   test "$(echo "$root_h" | cut -d'$' -f3)" != "$(echo "$alice_h" | cut -d'$' -f3)"
is "/etc/shadow keeps its other fields and order" \
   "$(c /etc/shadow | cut -d: -f1,3-)" \
   "root::0:99999:7:::
alice::0:99999:7:::
bob::0:99999:7:::
carol::0:99999:7:::
dave::0:99999:7:::"

# ssh-inject: modes, owners from the guest's /etc/passwd, contents.
is "alice: ~/.ssh 0700 and authorized_keys 0600, hers (1000)" \
   "$(f /home/alice/.ssh; f /home/alice/.ssh/authorized_keys)" \
   "dir 0700 1000:1000
file 0600 1000:1000"
is "alice: the string key" "$(c /home/alice/.ssh/authorized_keys)" \
   "ssh-ed25519 AAAAstring alice@host"
is "carol (added by --append-line before): the key file, uid 1002" \
   "$(f /home/carol/.ssh/authorized_keys; c /home/carol/.ssh/authorized_keys)" \
   "file 0600 1002:1002
ssh-ed25519 AAAAfilekey carol@host"
is "root: the newest host id*.pub (no cert), then the string key appended" \
   "$(c /root/.ssh/authorized_keys)" \
   "ssh-ed25519 AAAAdefaultkey me@host
ssh-rsa AAAAsecond root@host"

# firstboot
ok "firstboot: runner, unit, enabled, and both scripts in order" \
   bash -c "grep -q '^/usr/lib/goldsmith/firstboot.sh file 0755' '$tmp/facts/stat' &&
            grep -q 'ExecStart=/usr/lib/goldsmith/firstboot.sh' '$tmp/facts/content/etc/systemd/system/goldsmith-firstboot.service' &&
            grep -q '^/etc/systemd/system/multi-user.target.wants/goldsmith-firstboot.service link' '$tmp/facts/stat'"
is "firstboot: the script from the host, then the command" \
   "$(c /usr/lib/goldsmith/firstboot/scripts/0001-fb-sh; c /usr/lib/goldsmith/firstboot/scripts/0002-command)" \
   "#!/bin/sh
echo firstboot script
touch /root/firstboot-ran"

if [ ${#sysv_args[@]} -gt 0 ]; then
  is "firstboot, SysV: the init script, linked from rc3.d, registered with the guest's insserv" \
     "$(f /etc/rc3.d/S99goldsmith-firstboot; c /etc/init.d/.insserv-args;
        grep -c '^# X-Start-Before: *ssh sshd$' "$tmp/facts/content/etc/init.d/goldsmith-firstboot")" \
     "link 0777 0:0 -> ../init.d/goldsmith-firstboot
goldsmith-firstboot
1"
else
  skip_one "firstboot, SysV" "no static C compiler"
fi

# delete, with --exclude-path and a symlink
ok "delete: /var/log/boot.log and /var/log/httpd/ are gone" \
   bash -c "! grep -Eq '^/var/log/(boot\.log|httpd)' '$tmp/facts/stat'"
ok "delete: /var/log/dnf.log (protected by --exclude-path) is kept" \
   grep -q '^/var/log/dnf.log file' "$tmp/facts/stat"
ok "delete: the symlink went, its target /etc/passwd stayed" \
   bash -c "! grep -q '^/home/carol/.bash_history ' '$tmp/facts/stat' &&
            grep -q '^root:x:0:0' '$tmp/facts/content/etc/passwd'"

# file actions, in command-line order
is "touch: an empty file; chmod 384 (decimal, as virt-customize reads it) is 0600" \
   "$(f /etc/touched; c /etc/touched | wc -c)" \
   "file 0600 0:0
0"
is "write (two lines), append-line (a newline added first), chmod: in order" \
   "$(f /etc/motd; c /etc/motd | od -An -c)" \
   "file 0600 0:0
$(printf 'Hello\nthere\nWorld\n' | od -An -c)"
is "append-line on /etc/passwd added two whole lines" \
   "$(c /etc/passwd | tail -3)" \
   "bob:x:1001:1001:Bob:/home/bob:/bin/bash
carol:x:1002:1002:Carol:/home/carol:/bin/sh
dave:x:1003:1003:Dave:/home/dave:/bin/sh"
is "mkdir: parents too" "$(f /opt/a; f /opt/a/b)" "dir 0755 0:0
dir 0755 0:0"
is "upload: into the directory, with the host file's mode and owner" \
   "$(f /opt/a/b/upfile; c /opt/a/b/upfile)" \
   "file 0640 $(stat -c %u:%g "$tmp/upfile")
uploaded"
is "copy-in: the tree" "$(c /srv/tree/a.txt; c /srv/tree/sub/b.txt)" "a
b"
is "copy: cp -a into the directory (mode kept), the same content" \
   "$(f /opt/a/motd; c /opt/a/motd | od -An -c)" \
   "file 0600 0:0
$(printf 'Hello\nthere\nWorld\n' | od -An -c)"
is "move: the source is gone, the destination holds it" \
   "$(f /opt/tomove)|$(c /opt/moved)" "|moved"
is "link: each LINK points at TARGET" "$(f /opt/l1; f /opt/l2)" \
   "link 0777 0:0 -> /etc/motd
link 0777 0:0 -> /etc/motd"
is "truncate: zero bytes left" "$(c /opt/trunc | wc -c)" 0
is "truncate-recursive: every file under the tree, the symlink not followed" \
   "$(c /opt/tr/x | wc -c) $(c /opt/tr/sub/y | wc -c) $(f /opt/tr/plink) $(c /etc/passwd | grep -c '^root:x:0:0')" \
   "0 0 link 0777 0:0 -> /etc/passwd 1"
is "scrub: the file is gone" "$(f /opt/secret)" ""
is "edit: the Perl expression ran over the file" "$(c /opt/ed)" "alpha
gamma"
is "commands-from-file: its commands ran, the continued line joined by a newline" \
   "$(f /opt/cf; c /opt/cf/f)" "dir 0755 0:0
one
two"
is "no-logfile: /tmp/builder.log was scrubbed" "$(f /tmp/builder.log)" ""
if [ ${#shell_args[@]} -gt 0 ]; then
  is "run-command ran inside the guest" "$(c /root/run-command.out)" \
     ran-in-guest
else
  skip_one "run-command" "no shell to give the guest"
fi

# Nothing else changed, in the whole tree: the manifests (content,
# mode, owner, extended attributes) differ only by the paths the
# actions are documented to touch (the report expected above, the
# copy-in tree, the shell's uploads, the passwords' /etc/shadow, the
# relabel flag, --no-logfile's scrub, --run-command's file), what lay
# under a removed directory, and new directories above created paths.
# In particular /etc/machine-id is untouched and no random seed
# appeared.
{ printf '%s\n' "$report_expected" | sed -n 's/^  [a-z]* //p'
  printf '%s\n' /srv/tree/a.txt /srv/tree/sub /srv/tree/sub/b.txt /etc/shadow \
    /.autorelabel /tmp/builder.log /etc/selinux /etc/selinux/config
  [ ${#shell_args[@]} = 0 ] ||
    printf '%s\n' $libs /bin/sh /root/run-command.out
} | sort -u > "$tmp/touched"
python3 - "$tmp/touched" "$phony_guests/fedora.manifest" "$tmp/after.manifest" \
  > "$tmp/untouched.diff" <<'PY'
import sys
touched = set(open(sys.argv[1]).read().split())
def load(f):
    return {l.split(" ", 1)[0]: l.rstrip("\n") for l in open(f)}
before, after = load(sys.argv[2]), load(sys.argv[3])
def covered(p):
    return any(p == t or p.startswith(t + "/") for t in touched)
for p in sorted(set(before) | set(after)):
    if covered(p):
        continue
    b, a = before.get(p), after.get(p)
    # A new directory above a created path (mkdir -p)
    if b is None and a is not None and a.split(" ")[1] == "dir" and \
       any(t.startswith(p + "/") for t in touched):
        continue
    if a != b:
        print("before:", b)
        print("after: ", a)
PY
is "nothing else changed in the whole tree (content, mode, owner, attributes)" \
   "$(cat "$tmp/untouched.diff")" ""
# What customize edited in place keeps what the file was.
meta () { awk -v p="$1" '$1 == p { print $4, $5, $6 }' "$2"; }
is "/etc/passwd and /etc/shadow, edited, keep their mode, owner and SELinux label" \
   "$(meta /etc/passwd "$tmp/after.manifest"; meta /etc/shadow "$tmp/after.manifest")" \
   "$(meta /etc/passwd "$phony_guests/fedora.manifest"; meta /etc/shadow "$phony_guests/fedora.manifest")"
is "/etc/machine-id is the fixture's (no new machine ID)" \
   "$(c /etc/machine-id)" "0123456789abcdef0123456789abcdef"
ok "no random seed was written" \
   bash -c "! grep -Eq '^/(var/lib/(systemd/|urandom/|misc/)?random-seed|etc/random-seed) ' '$tmp/facts/stat'"

# ---- dry run: lists, changes nothing, refuses a protected path -----------
copy_guest fedora "$tmp/dry.img"
before=$(sha256sum < "$tmp/dry.img")
start=$SECONDS
env -u LIBGUESTFS_BACKEND_SETTINGS \
goldsmith sysprep --dry-run --json --operations customize -a "$tmp/dry.img" \
  -x --network \
  --exclude-path '^/etc/protected$' \
  --hostname dry.example.com \
  --mkdir /usr/share/zoneinfo/Asia \
  --touch /usr/share/zoneinfo/Asia/Tokyo \
  --timezone Asia/Tokyo \
  --write /etc/motd:dry \
  --append-line /etc/motd:more \
  --delete '/var/log/*.log' \
  --firstboot-command 'echo hi' \
  --run-command 'touch /etc/should-not-exist' \
  --touch /etc/protected \
  > "$tmp/dry.json" 2> "$tmp/dry.stderr"
rc=$?
diag "dry run: $((SECONDS - start)) s"
grep -v '^libguestfs: trace: ' "$tmp/dry.stderr" | sed 's/^/# stderr: /'
ok "--network: the appliance is given a network (-x traces it)" \
   grep -qx 'libguestfs: trace: set_network true' "$tmp/dry.stderr"
is "dry run refusing the protected path: exit status 1" "$rc" 1
is "the image is byte-identical" "$(sha256sum < "$tmp/dry.img")" "$before"
python3 - "$tmp/dry.json" > "$tmp/dry.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("dry_run", r["dry_run"])
for op in r["guests"][0]["roots"][0]["operations"]:
    print(op["name"], op["status"], op.get("reason", ""))
    for p in op["paths"]:
        # The runner is the core's: its size is not this test's business.
        b = "-" if p["path"].endswith("firstboot.sh") else p["bytes"]
        print(" ", p["action"], p["path"], b)
PY
is "the dry-run report lists what each action would do, up to the refusal" \
   "$(cat "$tmp/dry.txt")" \
   "dry_run True
customize failed --touch /etc/protected: /etc/protected is protected by --exclude-path: not changed
  change /etc/hostname 16
  create /usr/share/zoneinfo 0
  create /usr/share/zoneinfo/Asia 0
  create /usr/share/zoneinfo/Asia/Tokyo 0
  create /etc/localtime 0
  create /etc/motd 3
  change /etc/motd 5
  remove /var/log/boot.log 9
  remove /var/log/dnf.log 4
  create /usr/lib/goldsmith/firstboot.sh -
  create /usr/lib/goldsmith/firstboot/scripts/0001-command 7"
ok "the dry run says the command was not run" \
   grep -q 'run-command touch /etc/should-not-exist: dry run: not run' "$tmp/dry.stderr"

# ---- package actions and subscription-manager: Debian guests -------------
# One more launch, three guests (--each-image, one appliance): the phony
# Debian guest, where a real .deb the test builds is installed with
# apt-get from a file: repository placed in the guest by --copy-in in
# the same run, without any network (/dev, /proc and /sys are made for
# the appliance to bind-mount there); a Debian-like guest without
# subscription-manager; and a guest whose package manager is unknown.
# The phony guests have no userland: the run copies in the host's
# apt-get, dpkg, dpkg-deb, dpkg-split, tar, rm and dash with their
# libraries, a minimal /var/lib/dpkg and /etc/apt.  Read back on the
# host with debugfs: no launch.
if ! command -v apt-get dpkg dpkg-deb dpkg-split tar rm dash >/dev/null ||
   [ "$(command -v apt-get dpkg dpkg-deb dpkg-split tar rm dash | wc -l)" != 7 ] ||
   ! command -v debugfs mkfs.ext4 >/dev/null; then
  skip_rest "no apt-get, dpkg, debugfs or mkfs.ext4 on the host"
fi
st="$tmp/stage"
mkdir -p "$st"
put () { mkdir -p "$st$(dirname "$2")" && cp -L "$1" "$st$2"; }
bins=()
for b in apt-get dpkg dpkg-deb dpkg-split tar rm; do
  p=$(command -v "$b"); bins+=("$p")
  put "$p" "/usr/bin/$b"
done
put /usr/lib/apt/methods/file /usr/lib/apt/methods/file
put "$(command -v dash)" /usr/bin/sh
for lib in $(ldd "${bins[@]}" /usr/lib/apt/methods/file "$(command -v dash)" |
             grep -v ':$' | grep -o '/[^ ]*' | sort -u); do
  put "$lib" "$lib"
done
for t in cputable ostable tupletable; do
  put "/usr/share/dpkg/$t" "/usr/share/dpkg/$t"
done
mkdir -p "$st/etc/apt/apt.conf.d" "$st/etc/apt/preferences.d" \
  "$st/etc/apt/sources.list.d" "$st/etc/dpkg" "$st/var/lib/dpkg/info" \
  "$st/var/lib/dpkg/updates" "$st/var/lib/apt/lists/partial" \
  "$st/var/cache/apt/archives/partial" "$st/srv/repo"
echo 'deb [trusted=yes] file:/srv/repo ./' > "$st/etc/apt/sources.list"
# The guest has no ldconfig, diff or start-stop-daemon: dpkg must go on.
echo force-bad-path > "$st/etc/dpkg/dpkg.cfg"
: > "$st/var/lib/dpkg/status"   # the fixture's holds a hostile entry
# Two packages, and the repository's index made here (no dpkg-dev).
for name in gs-hello gs-bye; do
  mkdir -p "$tmp/deb-$name/DEBIAN" "$tmp/deb-$name/usr/share/$name"
  printf 'Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: goldsmith tests <tests@example.invalid>\nDescription: a package the goldsmith tests install\n' \
    "$name" > "$tmp/deb-$name/DEBIAN/control"
  echo "$name was installed by apt-get" > "$tmp/deb-$name/usr/share/$name/readme"
  dpkg-deb --root-owner-group -Zgzip --build "$tmp/deb-$name" \
    "$st/srv/repo/${name}_1.0_all.deb" > /dev/null
  deb="$st/srv/repo/${name}_1.0_all.deb"
  { dpkg-deb -f "$deb"
    echo "Filename: ./${name}_1.0_all.deb"
    echo "Size: $(stat -c %s "$deb")"
    echo "SHA256: $(sha256sum < "$deb" | cut -d' ' -f1)"
    echo; } >> "$st/srv/repo/Packages"
done

# The stand-in subscription-manager records its arguments, the
# password only as its length.  It is put in the Debian image on the
# host, so that the same actions find none in the second guest.
cat > "$tmp/subscription-manager" <<'SH'
#!/bin/sh
for a in "$@"; do
  case "$a" in
    --password=*) p=${a#--password=}; echo "--password=(${#p} bytes)" ;;
    *) echo "$a" ;;
  esac
done >> /root/sm.args
echo -- >> /root/sm.args
SH
deb_img="$tmp/debian.img"
copy_guest debian "$deb_img"
deb_off=$(( $(partx -g -o START -n 1 "$deb_img") * 512 ))
printf 'mkdir /usr/sbin\nwrite %s /usr/sbin/subscription-manager\nsif /usr/sbin/subscription-manager mode 0100755\n' \
  "$tmp/subscription-manager" > "$tmp/debugfs.cmds"
debugfs -w -f "$tmp/debugfs.cmds" "$deb_img?offset=$deb_off" > /dev/null 2>&1 ||
  bail "debugfs cannot put the stand-in subscription-manager in the image"
# The other two guests: made on the host, one ext4 filesystem each.
mkdir -p "$tmp/nosm/etc" "$tmp/nosm/usr/bin" "$tmp/nosm/root" "$tmp/nopm/etc" "$tmp/nopm/bin"
ln -s usr/bin "$tmp/nosm/bin"
printf 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$tmp/nosm/etc/os-release"
echo 12.8 > "$tmp/nosm/etc/debian_version"
printf 'PRETTY_NAME="Phony OS"\nNAME="Phony OS"\nID=gsphony\n' > "$tmp/nopm/etc/os-release"
for g in nosm nopm; do
  echo '127.0.0.1 localhost' > "$tmp/$g/etc/hosts"
  echo "LABEL=gs$g / ext4 defaults 0 1" > "$tmp/$g/etc/fstab"
  truncate -s 64M "$tmp/$g.img"
  mkfs.ext4 -q -F -L "gs$g" -d "$tmp/$g" "$tmp/$g.img" || bail "mkfs.ext4 -d $g"
done

pw="s3cr3t 'pw' \"\$HOME\" ;x"
echo 8a85f98c60c2c2b4 > "$tmp/pool.id"
start=$SECONDS
goldsmith sysprep -v -x --json --each-image --jobs 1 --operations customize \
  --format raw -a "$deb_img" -a "$tmp/nosm.img" -a "$tmp/nopm.img" \
  --mkdir /dev --mkdir /proc --mkdir /sys \
  --copy-in "$st/usr:/" --copy-in "$st/lib:/" --copy-in "$st/lib64:/" \
  --copy-in "$st/etc:/" --copy-in "$st/var:/" --copy-in "$st/srv:/" \
  --sm-credentials "tester:password:$pw" \
  --sm-register --sm-attach "file:$tmp/pool.id" --sm-attach auto \
  --sm-remove --sm-unregister \
  --install gs-hello,gs-bye --uninstall gs-bye --update \
  --firstboot-install gs-later \
  > "$tmp/pkg.json" 2> "$tmp/pkg.stderr"
rc=$?
diag "package run (3 guests): $((SECONDS - start)) s"
grep -E '^goldsmith: Launching' "$tmp/pkg.stderr" | sed 's/^/# /'
grep -E '^goldsmith: [a-z-]*: ?(error|warning)|^goldsmith: (error|warning)' "$tmp/pkg.stderr" | sed 's/^/# stderr: /'
is "package run: exit status 4 (the Debian guest done, the other two failed)" "$rc" 4
python3 - "$tmp/pkg.json" > "$tmp/pkg.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for g in r["guests"]:
    for root in g.get("roots", []):
        for op in root["operations"]:
            print(op["name"], op["status"], op.get("reason", ""))
PY
is "the report: applied; no subscription-manager; no package manager" \
   "$(cat "$tmp/pkg.txt")" \
   "customize applied 
customize failed --sm-register: the guest has no /usr/sbin/subscription-manager: it cannot be registered or subscribed
customize failed --install gs-hello,gs-bye: the guest (Phony OS, distribution \"unknown\") has no package manager goldsmith can run (package management \"unknown\"; known: apt, dnf, yum, zypper, apk, pacman)"
ok "the appliance had no network (no -netdev on qemu's command line)" \
   bash -c "grep -q -- '-m [0-9]' '$tmp/pkg.stderr' && ! grep -q -- '-netdev' '$tmp/pkg.stderr'"
ok "... and libguestfs was told so (-x traces it)" \
   grep -qx 'libguestfs: trace: set_network false' "$tmp/pkg.stderr"
ok "apt-get's output is in the debug log" \
   grep -q 'Setting up gs-hello (1.0)' "$tmp/pkg.stderr"
ok "... and not in the report" bash -c "! grep -q 'Setting up' '$tmp/pkg.json'"
ok "the password is in neither the log (-v -x) nor the report" \
   bash -c "! grep -qF -- \"\$1\" '$tmp/pkg.stderr' '$tmp/pkg.json'" _ "$pw"
ok "... nor anywhere in the image's bytes" \
   bash -c "! grep -qaF -- \"\$1\" '$deb_img'" _ "$pw"

# Read back on the host.
dcat () { debugfs -R "cat $1" "$deb_img?offset=$deb_off" 2>/dev/null; }
is "install: the package's file is in the guest" \
   "$(dcat /usr/share/gs-hello/readme)" "gs-hello was installed by apt-get"
is "install: dpkg's database lists it as installed" \
   "$(dcat /var/lib/dpkg/status | awk '/^Package: /{p=$2} /^Status: /{print p": "$2" "$3" "$4}')" \
   "gs-hello: install ok installed"
is "uninstall: the second package's file is gone again" \
   "$(dcat /usr/share/gs-bye/readme)" ""
is "sm-*: subscription-manager ran in order, with the user and the password (its length)" \
   "$(dcat /root/sm.args)" \
   "register
--username=tester
--password=(${#pw} bytes)
--
attach
--pool=8a85f98c60c2c2b4
--
attach
--auto
--
remove
--all
--
unregister
--"
is "firstboot-install: apt-get install at the next boot" \
   "$(dcat /usr/lib/goldsmith/firstboot/scripts/0001-install | tail -1)" \
   "apt-get \$apt_opts install 'gs-later'"
ok "no file of the password is left in the guest" \
   bash -c "! debugfs -R 'ls -l /' '$deb_img?offset=$deb_off' 2>/dev/null | grep -q goldsmith-sm"
