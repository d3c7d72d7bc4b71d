#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""manifest.py: one line per path of a guest tree,

    PATH TYPE DETAIL MODE UID:GID XATTRS

TYPE is file, link, dir or other; DETAIL a regular file's sha256, a
symlink's target, or '-'; MODE the permission bits (4 octal digits);
XATTRS the extended attributes (SELinux labels included) as
NAME=VALUE,... sorted, or '-' (VALUE as is when it is plain printable
text, else 0x and its bytes in hex).  Sorted, so two manifests diff
cleanly.

    manifest.py TAR
        a tree saved with guestfish tar-out (numericowner:true
        xattrs:true selinux:true for owners and attributes)
    manifest.py image IMAGE MOUNT=WHERE...
        the ext4 filesystems of the raw disk IMAGE read on the host with
        debugfs, no appliance launch: WHERE is a partition number, or
        VG/LV for a linear LV on one of IMAGE's partitions (the LVM
        metadata is read from the PV).  E.g. image fedora.img /=VG/Root
        /boot=1.  The tar and image readers print the same lines for
        the same tree.
    manifest.py offset IMAGE WHERE
        the byte offset of WHERE (as above) in IMAGE, for debugfs
"""
import hashlib
import os
import re
import struct
import subprocess
import sys
import tarfile
import tempfile

# Attributes that are how ext4 stores a file, not what it holds.
IGNORED_XATTRS = ("system.data",)

def xattr_value(b):
    if b and re.fullmatch(rb"[A-Za-z0-9_:./@+-]+", b):
        return b.decode()
    return "0x" + b.hex()

def line(name, kind, detail, mode, uid, gid, xattrs):
    xs = ",".join(f"{k}={xattr_value(v)}" for k, v in sorted(xattrs.items())
                  if k not in IGNORED_XATTRS) or "-"
    return f"{name} {kind} {detail} {mode & 0o7777:04o} {uid}:{gid} {xs}"

def from_tar(path):
    lines = []
    with tarfile.open(path) as tar:
        for m in tar.getmembers():
            name = m.name[2:] if m.name.startswith("./") else m.name
            name = "/" + name.strip("/") if name not in (".", "") else "/"
            xattrs = {}
            for k, v in m.pax_headers.items():
                if k.startswith("SCHILY.xattr."):
                    k = k[len("SCHILY.xattr."):]
                elif k == "RHT.security.selinux":
                    k = "security.selinux"
                else:
                    continue
                xattrs[k] = v.encode("utf-8", "surrogateescape")
            if m.isfile():
                h = hashlib.sha256(tar.extractfile(m).read()).hexdigest()
                kind, detail = "file", h
            elif m.issym():
                kind, detail = "link", m.linkname
            elif m.isdir():
                kind, detail = "dir", "-"
            else:
                kind, detail = "other", "-"
            lines.append(line(name, kind, detail, m.mode, m.uid, m.gid, xattrs))
    return lines

# ---- LVM: where a linear LV starts, from the PV's text metadata --------
def lvm_parse(text):
    """The LVM2 text metadata as nested dicts."""
    toks = re.findall(r'"(?:[^"\\]|\\.)*"|[A-Za-z0-9_.+-]+|[{}\[\]=,]',
                      re.sub(r"#[^\n]*", "", text))
    pos = 0
    def value():
        nonlocal pos
        t = toks[pos]; pos += 1
        if t == "[":
            out = []
            while toks[pos] != "]":
                if toks[pos] == ",":
                    pos += 1
                    continue
                out.append(value())
            pos += 1
            return out
        if t.startswith('"'):
            return t[1:-1]
        return int(t) if re.fullmatch(r"-?[0-9]+", t) else t
    def section():
        nonlocal pos
        d = {}
        while pos < len(toks) and toks[pos] != "}":
            key = toks[pos]; pos += 1
            if toks[pos] == "{":
                pos += 1
                d[key] = section()
                pos += 1
            elif toks[pos] == "=":
                pos += 1
                d[key] = value()
            else:
                sys.exit(f"LVM metadata: unexpected {toks[pos]!r}")
        return d
    return section()

def lvm_metadata(f, pv_off):
    """(PV UUID, metadata) of the PV at byte pv_off, or None."""
    f.seek(pv_off)
    head = f.read(4 * 512)
    for s in range(4):
        lab = head[s * 512:(s + 1) * 512]
        if lab[:8] == b"LABELONE" and lab[24:32] == b"LVM2 001":
            break
    else:
        return None
    off = struct.unpack_from("<I", lab, 20)[0]
    pvh = lab[off:]
    uuid = pvh[:32].decode()
    p = 40
    while struct.unpack_from("<QQ", pvh, p) != (0, 0):      # data areas
        p += 16
    p += 16
    mda_off, mda_size = struct.unpack_from("<QQ", pvh, p)   # first mda
    f.seek(pv_off + mda_off)
    mda = f.read(512)
    if mda[4:20] != b" LVM2 x[5A%r0N*>":
        sys.exit("LVM: bad metadata area header")
    loc_off, loc_size = struct.unpack_from("<QQ", mda, 40)
    if loc_off + loc_size > mda_size:
        sys.exit("LVM: wrapped metadata not supported")
    f.seek(pv_off + mda_off + loc_off)
    text = f.read(loc_size).rstrip(b"\0").decode()
    return uuid, lvm_parse(text)

def partitions(image):
    out = subprocess.run(["partx", "-g", "-b", "-o", "NR,START", image],
                         check=True, capture_output=True, text=True).stdout
    return {int(n): int(s) * 512 for n, s in (l.split() for l in out.splitlines())}

def offset(image, where):
    parts = partitions(image)
    if where.isdigit():
        return parts[int(where)]
    vgname, lvname = where.split("/")
    with open(image, "rb") as f:
        for n, start in sorted(parts.items()):
            md = lvm_metadata(f, start)
            if md is None or vgname not in md[1]:
                continue
            uuid, meta = md
            vg = meta[vgname]
            lv = vg["logical_volumes"][lvname]
            if lv["segment_count"] != 1:
                sys.exit(f"{where}: more than one segment")
            seg = lv["segment1"]
            if seg["type"] != "striped" or seg["stripe_count"] != 1:
                sys.exit(f"{where}: not a linear LV")
            pvname, first = seg["stripes"]
            pv = vg["physical_volumes"][pvname]
            if pv["id"].replace("-", "") != uuid:
                sys.exit(f"{where}: on another PV than partition {n}")
            return start + (pv["pe_start"] + first * vg["extent_size"]) * 512
    sys.exit(f"{image}: no LVM VG {vgname}")

# ---- ext4 on the host with debugfs -------------------------------------
def unescape_debugfs(s):
    """A value as debugfs stat prints it: "text" (octal escapes) or hex."""
    if s.startswith('"'):
        return re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m[1], 8)]),
                      s[1:-1].encode("utf-8", "surrogateescape"))
    return bytes.fromhex(s)

def stats(dev, paths):
    """{path: (mode, uid, gid, xattrs)} from one debugfs run."""
    with tempfile.NamedTemporaryFile("w") as cmds:
        for p in paths:
            if '"' in p or "\n" in p:
                sys.exit(f"{p!r}: a name debugfs cannot be given")
            cmds.write(f'stat "{p}"\n')
        cmds.flush()
        out = subprocess.run(["debugfs", "-f", cmds.name, dev],
                             check=True, capture_output=True).stdout
    res, cur, in_x = {}, None, False
    for l in out.decode("utf-8", "surrogateescape").split("\n"):
        m = re.match(r'debugfs: stat "(.*)"$', l)
        if m:
            cur, in_x = m[1], False
            res[cur] = [None, None, None, {}]
            continue
        if cur is None:
            continue
        m = re.match(r"Inode: \d+\s+Type: \S+\s+Mode:\s+([0-7]+)", l)
        if m:
            res[cur][0] = int(m[1], 8)
        m = re.match(r"User:\s+(\d+)\s+Group:\s+(\d+)", l)
        if m:
            res[cur][1:3] = int(m[1]), int(m[2])
        if l == "Extended attributes:":
            in_x = True
            continue
        if in_x:
            m = re.match(r"  (\S+) \(\d+\)(?: = (.*?))?\s*$", l)
            if m:
                res[cur][3][m[1]] = unescape_debugfs(m[2] or '""')
                continue
            in_x = False
    for p in paths:
        if p not in res or res[p][0] is None or res[p][1] is None:
            sys.exit(f"{dev}: debugfs could not stat {p}")
    return res

def from_image(image, specs):
    mounts = sorted((m.rstrip("/") or "/", offset(image, w))
                    for m, w in (s.split("=", 1) for s in specs))
    if mounts[0][0] != "/":
        sys.exit("no filesystem for /")
    lines = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mnt, off in mounts:
            dev = f"{image}?offset={off}"
            dest = os.path.join(tmp, "root" + (mnt if mnt != "/" else ""))
            os.makedirs(dest, exist_ok=True)
            r = subprocess.run(["debugfs", "-R", f"rdump / {dest}", dev],
                               capture_output=True)
            if r.returncode != 0 or b"rdump:" in r.stderr:
                sys.exit(f"{dev}: debugfs rdump failed: {r.stderr.decode()}")
            # Every path of this filesystem (not those of one mounted
            # below it, read in their turn).
            below = [m for m, _ in mounts if m != mnt and
                     (mnt == "/" or m.startswith(mnt + "/"))]
            rel = {"/": dest}
            for d, dirs, files in os.walk(dest):
                for n in dirs + files:
                    full = os.path.join(d, n)
                    p = "/" + os.path.relpath(full, dest)
                    g = (mnt if mnt != "/" else "") + p
                    if any(g == b or g.startswith(b + "/") for b in below):
                        if g in below:
                            dirs.remove(n)
                        continue
                    rel[p] = full
            st = stats(dev, sorted(rel))
            for p, full in rel.items():
                g = (mnt if mnt != "/" else "") + (p if p != "/" else "") or "/"
                mode, uid, gid, xattrs = st[p]
                if os.path.islink(full):
                    kind, detail = "link", os.readlink(full)
                elif os.path.isfile(full):
                    with open(full, "rb") as f:
                        kind = "file"
                        detail = hashlib.sha256(f.read()).hexdigest()
                elif os.path.isdir(full):
                    kind, detail = "dir", "-"
                else:
                    kind, detail = "other", "-"
                lines[g] = line(g, kind, detail, mode, uid, gid, xattrs)
    return list(lines.values())

def main():
    if len(sys.argv) == 4 and sys.argv[1] == "offset":
        print(offset(sys.argv[2], sys.argv[3]))
        return
    if len(sys.argv) >= 4 and sys.argv[1] == "image":
        lines = from_image(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 2:
        lines = from_tar(sys.argv[1])
    else:
        sys.exit(__doc__)
    sys.stdout.write("".join(l + "\n" for l in sorted(lines)))

if __name__ == "__main__":
    main()
