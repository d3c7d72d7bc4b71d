#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make-hostile-guest.py: a guest built to trick goldsmith sysprep.

    make-hostile-guest.py DIR [NLOGS [NUSERS [notraps]]]

makes DIR/root.img (the root filesystem) and DIR/srv.img (a second
filesystem the guest mounts on /srv), each a bare ext4, from the trees
DIR/root and DIR/srv it leaves behind (the "before" of the test).
mkfs.ext4 -d builds them on the host without an appliance, but takes
time quadratic in the entries of one directory (6.5 min for 100,000):
above 20,000 logs the root is made empty and filled by one guestfish
tar-in instead (about a minute).

"notraps" leaves out the symlinks (for bench/hostile.sh: virt-sysprep
follows /var/log/etc.log -> ../../etc and empties the guest's /etc, then
fails on /var/log/root.log -> /).

DIR/expected-gone lists (one repr() per line) the paths the operations
of test-hostile.sh must remove (a directory with all it holds);
DIR/expected-etc/ holds passwd, shadow and group as user-account must
leave them.  Everything else must stay as it was.

What it holds (tests/sysprep/test-hostile.sh checks each):
- NLOGS (default 100000) log files in /var/log, all of them targets;
- symlinks as targets, pointing at /, at /etc and at the other
  filesystem: each goes as a link, what it points at stays;
- symlinked directories in the middle of targeted paths (/var/log/audit
  -> /, /var/lib/dhcp -> /srv/data): resolved in the guest's root, so the
  lease in /srv/data goes, but nothing behind /var/log/audit (a link
  back up its own path);
- file names with newlines, control characters and bytes that are not
  UTF-8, among the targets and among the decoys;
- a /etc/passwd and /etc/shadow of NUSERS (default 30,000) accounts,
  and a login.defs
  full of junk around valid UID_MIN/UID_MAX; three accounts are in the
  range (so removed), one of them with its home behind a symlink to the
  other filesystem (removed there: test-hostile.sh expects it).
"""
import os
import shutil
import subprocess
import tarfile
import sys

out = sys.argv[1]
nlogs = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
NUSERS = int(sys.argv[3]) if len(sys.argv) > 3 else 30000
traps = not (len(sys.argv) > 4 and sys.argv[4] == "notraps")
root = os.path.join(out, "root")
srv = os.path.join(out, "srv")
for d in (root, srv):
    shutil.rmtree(d, ignore_errors=True)
gone = []


def path(top, p):
    return os.path.join(top, os.fsdecode(p.lstrip(b"/")))


def mk(top, p, data=b"", target=False):
    """File P (bytes) under TOP with DATA; a target if TARGET."""
    full = path(top, p)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)
    if target:
        gone.append(p)


def link(top, p, to, target=False):
    full = path(top, p)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    os.symlink(to, full)
    if target:
        gone.append(p)


def mkdir(top, p):
    os.makedirs(path(top, p), exist_ok=True)


# ---- the base system: enough for inspection to see a Debian guest ----
mk(root, b"/etc/os-release",
   b'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n'
   b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
mk(root, b"/etc/debian_version", b"12.8\n")
mk(root, b"/etc/fstab", b"LABEL=hostile-root / ext4 defaults 0 1\n"
   b"LABEL=hostile-srv /srv ext4 defaults 0 2\n")
mk(root, b"/etc/hostname", b"hostile\n")
mkdir(root, b"/usr/bin")
link(root, b"/bin", "usr/bin")
mkdir(root, b"/srv")
mkdir(root, b"/tmp")
mkdir(root, b"/var/tmp")
mk(root, b"/var/lib/dpkg/status",
   b"Package: bash\nStatus: install ok installed\nVersion: 5.2\n\n")
mk(srv, b"/precious", b"on the other filesystem\n")
mk(srv, b"/data/lease", b"not a lease: behind a symlinked directory\n")

# ---- NUSERS accounts; login.defs with junk around its two numbers ----
# UIDs from 70000 are above UID_MAX: those accounts stay.  a1..a3 and
# x.y are in the range and go, with their homes; a3's home is reached
# through a symlink to the other filesystem (removed there).  xzy stays:
# a pattern for x.y that took '.' as a regexp would take it too.  host$
# goes too.
users = [b"root:x:0:0:root:/root:/bin/bash"]
shadow = [b"root:*:19000:0:99999:7:::"]
groups = [b"root:x:0:"]
for i in range(NUSERS):
    users.append(b"u%05d:x:%d:%d::/home/u%05d:/bin/sh"
                 % (i, 70000 + i, 70000 + i, i))
    shadow.append(b"u%05d:!:19000:0:99999:7:::" % i)
users.append(b"xzy:x:99999:99999::/home/xzy:/bin/sh")
shadow.append(b"xzy:!:19000:0:99999:7:::")
kept = (list(users), list(shadow), list(groups))
for i, (name, home) in enumerate(((b"a1", b"/home/a1"), (b"a2", b"/home/a2"),
                                  (b"a3", b"/home/link/a3"),
                                  (b"x.y", b"/home/xy")), 1):
    users.insert(1 + 100 * i, b"%s:x:%d:%d::%s:/bin/sh"
                 % (name, 999 + i, 999 + i, home))
    shadow.insert(1 + 100 * i, b"%s:!:19000:0:99999:7:::" % name)
    groups.append(b"%s:x:%d:" % (name, 999 + i))
# A Samba machine account: a '$' in the name, no group of its own (the
# Group lens would refuse its name).
users.insert(700, b"host$:x:1100:1000::/nonexistent:/usr/sbin/nologin")
shadow.insert(700, b"host$:!:19000:0:99999:7:::")
mk(root, b"/home/a1/notes", b"a1's\n")
mk(root, b"/home/a1/sub/deep", b"a1's\n")
mk(root, b"/home/a2/.profile", b"a2's\n")
mk(root, b"/home/xy/.profile", b"x.y's\n")
mk(root, b"/home/xzy/.profile", b"xzy's: stays\n")
gone += [b"/home/a1", b"/home/a2", b"/home/xy"]
link(root, b"/home/link", "/srv")
mk(srv, b"/a3/notes", b"a3's, behind /home/link\n")
mk(root, b"/etc/passwd", b"\n".join(users) + b"\n")
mk(root, b"/etc/shadow", b"\n".join(shadow) + b"\n")
mk(root, b"/etc/group", b"\n".join(groups) + b"\n")
expected_etc = os.path.join(out, "expected-etc")
os.makedirs(expected_etc, exist_ok=True)
for name, lines in zip(("passwd", "shadow", "group"), kept):
    with open(os.path.join(expected_etc, name), "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
# Junk augeas's Login_defs lens still reads: indented comments, odd
# spacing, a 20,000-byte line, values of several words, trailing blanks.
# (A line it cannot read, such as a key without a value, makes
# user-account fail and change nothing, as the nonsense UID_MAX of
# test-edit-ops.sh does.)
mk(root, b"/etc/login.defs",
   b"# junk around the two numbers user-account reads\n"
   b"   \t# an indented comment\n\n\n"
   b"UMASK   \t022\t \nFOO_" + b"X" * 20000 + b" 1\n"
   b"ENCRYPT_METHOD SHA512 extra words here\n"
   b"MAIL_DIR /var/spool/mail\n"
   b"UID_MIN 1000\nUID_MAX 60000\n")

# ---- 100,000 log files, and some that are not ----
for i in range(nlogs):
    mk(root, b"/var/log/h%06d.log" % i, target=True)
mk(root, b"/var/log/README", b"decoy\n")
mk(root, b"/var/log/keep/h.log", b"decoy: not at the top of /var/log\n")

# ---- symlinks as targets: the link goes, its target stays ----
if traps:
    link(root, b"/var/log/root.log", "/", target=True)
    link(root, b"/var/log/etc.log", "../../etc", target=True)
    link(root, b"/var/log/srv.log", "/srv/precious", target=True)
    link(root, b"/root/.bash_history", "/srv/precious", target=True)
    link(root, b"/tmp/to-root", "/", target=True)
    link(root, b"/tmp/to-srv", "/srv", target=True)

# ---- symlinked directories in the middle of targeted paths ----
if traps:
    link(root, b"/var/log/audit", "/")            # glob /var/log/audit/*
    link(root, b"/var/lib/dhcp", "/srv/data")     # glob /var/lib/dhcp/*
    link(root, b"/var/cache/apt/archives", "/etc")  # package-manager-cache

# ---- names that are not text ----
mk(root, b"/var/log/new\nline.log", b"x\n", target=True)
mk(root, b"/var/log/bad-\xff\xfe\x1b[31m.log", b"x\n", target=True)
mk(root, b"/tmp/\xff\n\x01", b"x\n", target=True)
mk(root, b"/etc/keep\nme.log", b"decoy\n")
mk(root, b"/home/u00001/.bash_history\nnot", b"decoy\n")
mk(root, b"/home/u00001/.bash_history", b"ls\n", target=True)

with open(os.path.join(out, "expected-gone"), "w") as f:
    for p in sorted(gone):
        f.write(repr(p) + "\n")

# The root: mkfs.ext4 -d for small trees; an empty filesystem filled
# by tar-in in the appliance for large ones (see the top).
subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "hostile-srv", "-d", srv,
                os.path.join(out, "srv.img"), "16M"], check=True)
img = os.path.join(out, "root.img")
if os.path.exists(img):
    os.unlink(img)
inodes = ["-N", str(nlogs + NUSERS + 2000)]
if nlogs <= 20000:
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "hostile-root"] + inodes +
                   ["-E", "root_owner=0:0", "-d", root, img, "1G"],
                   check=True)
else:
    tar = os.path.join(out, "root.tar")
    with tarfile.open(tar, "w", format=tarfile.GNU_FORMAT,
                      encoding="utf-8", errors="surrogateescape") as t:
        for entry in sorted(os.listdir(root)):
            t.add(os.path.join(root, entry), arcname=entry)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "hostile-root"] + inodes +
                   ["-E", "root_owner=0:0", img, "1G"], check=True)
    subprocess.run(["guestfish", "--format=raw", "-a", img, "run", ":",
                    "mount", "/dev/sda", "/", ":", "tar-in", tar, "/", ":",
                    "umount-all"], check=True)
    os.unlink(tar)
