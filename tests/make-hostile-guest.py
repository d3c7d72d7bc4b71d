#!/usr/bin/env python3
"""make-hostile-guest.py: a guest built to trick goldsmith sysprep.

    make-hostile-guest.py DIR [NLOGS]

makes DIR/root.img (the root filesystem) and DIR/srv.img (a second
filesystem the guest mounts on /srv), each a bare ext4 made on the
host with mkfs.ext4 -d: no appliance launch, so 100,000 files cost a
few seconds.  DIR/expected-gone lists (one repr() per line) the paths
the default operations must remove; everything else must stay.

What it holds (tests/sysprep/test-hostile.sh checks each):
- NLOGS (default 100000) log files in /var/log, all of them targets;
- symlinks as targets, pointing at /, at /etc and at the other
  filesystem: each goes as a link, what it points at stays;
- symlinked directories in the middle of targeted paths (/var/log/audit
  -> /, /var/lib/dhcp -> /srv/data): nothing behind them is removed;
- file names with newlines, control characters and bytes that are not
  UTF-8, among the targets and among the decoys;
- a /etc/passwd and /etc/shadow of 30,000 accounts, and a login.defs
  full of junk around valid UID_MIN/UID_MAX.
"""
import os
import subprocess
import sys

out = sys.argv[1]
nlogs = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
NUSERS = 30000
root = os.path.join(out, "root")
srv = os.path.join(out, "srv")
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

# ---- 30,000 accounts; login.defs with junk around its two numbers ----
users = [b"root:x:0:0:root:/root:/bin/bash"]
shadow = [b"root:*:19000:0:99999:7:::"]
for i in range(NUSERS):
    users.append(b"u%05d:x:%d:%d::/home/u%05d:/bin/sh"
                 % (i, 70000 + i, 70000 + i, i))
    shadow.append(b"u%05d:!:19000:0:99999:7:::" % i)
mk(root, b"/etc/passwd", b"\n".join(users) + b"\n")
mk(root, b"/etc/shadow", b"\n".join(shadow) + b"\n")
mk(root, b"/etc/group", b"root:x:0:\n")
mk(root, b"/etc/login.defs",
   b"# junk: keys without values, odd spacing, long lines\n"
   b"MAIL_DIR\n\tUMASK   \t022\nFOO_" + b"X" * 20000 + b" 1\n"
   b"ENCRYPT_METHOD SHA512 extra words here\n"
   b"UID_MIN 1000\nUID_MAX 60000\n")

# ---- 100,000 log files, and some that are not ----
for i in range(nlogs):
    mk(root, b"/var/log/h%06d.log" % i, target=True)
mk(root, b"/var/log/README", b"decoy\n")
mk(root, b"/var/log/keep/h.log", b"decoy: not at the top of /var/log\n")

# ---- symlinks as targets: the link goes, its target stays ----
link(root, b"/var/log/root.log", "/", target=True)
link(root, b"/var/log/etc.log", "../../etc", target=True)
link(root, b"/var/log/srv.log", "/srv/precious", target=True)
link(root, b"/root/.bash_history", "/srv/precious", target=True)
link(root, b"/tmp/to-root", "/", target=True)
link(root, b"/tmp/to-srv", "/srv", target=True)

# ---- symlinked directories in the middle of targeted paths ----
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

for name, top, label, size in (("root.img", root, "hostile-root", "1G"),
                               ("srv.img", srv, "hostile-srv", "16M")):
    img = os.path.join(out, name)
    if os.path.exists(img):
        os.unlink(img)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", label, "-N",
                    str(nlogs + 2000), "-E", "root_owner=0:0", "-d", top,
                    img, size] if name == "root.img" else
                   ["mkfs.ext4", "-q", "-F", "-L", label, "-d", top, img,
                    size], check=True)
