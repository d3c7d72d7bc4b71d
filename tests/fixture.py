#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""fixture.py: phony-guest fixtures as data.

A fixture file has one entry per line ('#' comments):

    OP ACTION PATH [ARG]

OP is the operation expected to act on the path ('-' for none).  ACTION:
    file PATH TEXT      a file; kept, unless under a removed directory
    dir PATH            a directory; kept likewise
    link PATH TARGET    a symlink; kept likewise
    rm PATH TEXT        a file OP removes
    rmdir PATH          a directory OP removes, with what it holds
    rmlink PATH TARGET  a symlink OP removes (its target is kept)
    change PATH OLD|NEW a file OP rewrites (NEW empty: emptied)
    create PATH [TEXT]  a file OP creates (no TEXT: empty; '*': any)
    createdir PATH      a directory OP creates
    createlink PATH TARGET  a symlink OP creates
    device PATH         a device OP changes (a report line, no file)
    mode PATH MODE      PATH (made by an earlier line) gets MODE (octal)
    owner PATH UID:GID  ... that owner
    xattr PATH NAME=VALUE  ... that extended attribute (SELinux labels:
                        security.selinux)
The last three are what a path is, not what an operation does: their OP
is '-', and every operation must keep them on the paths it changes.
A non-empty TEXT gets a trailing newline.  TEXT may hold Python bytes
escapes ('\\n', '\\t', '\\\\', '\\xNN' for the byte NN), so a file can hold
bytes that are not UTF-8 (hostile guest strings); no NUL.  Parent
directories are made as needed.

Commands:
    fixture.py guestfish FILE...            guestfish commands making it
    fixture.py report OPS FILE...           expected "OP ACTION PATH" lines
                                            for the operations OPS (a,b,c)
    fixture.py expect-ops FAMILY SPEC       the operations a run with
                                            --operations SPEC must run
                                            (a,b,c), from
                                            fixtures/operations.txt, not
                                            from goldsmith
    fixture.py check-ops REPORT OPS         each root of each guest whose
                                            operations in a goldsmith JSON
                                            report are not exactly OPS, and
                                            how they differ (nothing: all)
    fixture.py actual REPORT                its "OP ACTION PATH" lines
    fixture.py match EXPECTED ACTUAL        ACTUAL manifest, with the
                                            details EXPECTED says are '*'
                                            replaced by '*'
    fixture.py check-meta MANIFEST FILE...  the mode, owner and xattr lines
                                            of FILE the manifest of the
                                            built guest does not show
                                            (nothing: all there)
    fixture.py manifest OPS MANIFEST FILE...
                                            the manifest expected after
                                            running OPS on the image whose
                                            manifest (tests/manifest.py)
                                            is MANIFEST
"""
import codecs
import hashlib
import sys

def parse(files):
    entries = []
    for f in files:
        for n, line in enumerate(open(f), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 3)
            if len(parts) < 3:
                sys.exit(f"{f}:{n}: expected OP ACTION PATH [ARG]")
            op, action, path = parts[:3]
            arg = parts[3] if len(parts) > 3 else None
            if action not in ("file", "dir", "link", "rm", "rmdir", "rmlink",
                              "change", "create", "createdir",
                              "createlink", "device", "mode", "owner",
                              "xattr"):
                sys.exit(f"{f}:{n}: unknown action {action}")
            if action in ("mode", "owner", "xattr") and op != "-":
                sys.exit(f"{f}:{n}: {action} belongs to no operation ('-')")
            entries.append((op, action, path, arg))
    return entries

def unescape(text):
    """TEXT's escapes decoded, as bytes (\\xNN is one byte, not a character)."""
    b = codecs.escape_decode(text.encode())[0]
    if b"\0" in b:
        sys.exit(f"a NUL cannot be written with guestfish: {text!r}")
    return b

def content(text):
    return unescape(text) + b"\n" if text else b""

def gf_quote(s):
    """S (str or bytes) as a guestfish double-quoted string: printable
    ASCII as is, every other byte as \\xNN."""
    if isinstance(s, str):
        s = s.encode()
    out = []
    for c in s:
        if c in (0x22, 0x5c):
            out.append("\\" + chr(c))
        elif 0x20 <= c < 0x7f:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    return '"' + "".join(out) + '"'

def guestfish(entries):
    dirs = set()
    def parent(p):
        d = p.rsplit("/", 1)[0] or "/"
        if d not in dirs:
            print(f"mkdir-p {gf_quote(d)}")
            dirs.add(d)
    for op, action, path, arg in entries:
        if action.startswith("create") or action == "device":
            continue
        if action == "mode":
            print(f"chmod 0{int(arg, 8):o} {gf_quote(path)}")
            continue
        if action == "owner":
            uid, gid = arg.split(":")
            print(f"lchown {int(uid)} {int(gid)} {gf_quote(path)}")
            continue
        if action == "xattr":
            name, value = arg.split("=", 1)
            print(f"lsetxattr {gf_quote(name)} {gf_quote(value)} "
                  f"{len(value.encode())} {gf_quote(path)}")
            continue
        if action in ("dir", "rmdir"):
            print(f"mkdir-p {gf_quote(path)}")
            dirs.add(path)
            continue
        parent(path)
        if action in ("link", "rmlink"):
            print(f"ln-s {gf_quote(arg)} {gf_quote(path)}")
        else:
            text = arg.split("|", 1)[0] if action == "change" else (arg or "")
            print(f"write {gf_quote(path)} {gf_quote(content(text))}")

def report(ops, entries):
    names = {"rm": "remove", "rmdir": "remove", "rmlink": "remove",
             "change": "change", "create": "create",
             "createlink": "create", "device": "change"}
    out = set()
    for op, action, path, arg in entries:
        if op in ops and action in names:
            out.add(f"{op} {names[action]} {path}")
    for l in sorted(out):
        print(l)

def sha(data):
    return hashlib.sha256(data).hexdigest()

def manifest(ops, mfile, entries):
    """A manifest line is PATH TYPE DETAIL MODE OWNER XATTRS
    (tests/manifest.py).  A changed file keeps its mode, owner and
    attributes; what an operation creates may have any ('*')."""
    lines = {}
    for l in open(mfile):
        path, rest = l.rstrip("\n").split(" ", 1)
        lines[path] = rest
    def keep(path):
        return " ".join(lines[path].split(" ")[2:]) if path in lines else "* * *"
    for op, action, path, arg in entries:
        if op not in ops:
            continue
        if action in ("rm", "rmlink", "rmdir"):
            for p in list(lines):
                if p == path or (action == "rmdir" and p.startswith(path + "/")):
                    del lines[p]
        elif action == "change":
            lines[path] = ("file " + sha(content(arg.split("|", 1)[1])) + " "
                           + keep(path))
        elif action == "create":
            lines[path] = ("file " + ("*" if arg == "*" else sha(content(arg)))
                           + " * * *")
        elif action == "createdir":
            lines[path] = "dir - * * *"
        elif action == "createlink":
            lines[path] = "link " + arg + " * * *"
    for p in sorted(lines):
        print(p, lines[p])

def check_meta(mfile, entries):
    lines = {}
    for l in open(mfile):
        f = l.rstrip("\n").split(" ")
        lines[f[0]] = f
    for op, action, path, arg in entries:
        if action not in ("mode", "owner", "xattr"):
            continue
        f = lines.get(path)
        if action == "mode":
            ok = f is not None and int(f[3], 8) == int(arg, 8)
        elif action == "owner":
            ok = f is not None and f[4] == arg
        else:
            ok = f is not None and arg in f[5].split(",")
        if not ok:
            print(action, path, arg, "but the guest has:",
                  " ".join(f[3:]) if f else "no such path")

def expect_ops(family, spec):
    """SPEC as --operations reads it (defaults, NAME, +NAME, -NAME), with
    the defaults of FAMILY from fixtures/operations.txt."""
    import os
    table = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "fixtures", "operations.txt")
    known, defaults = set(), []
    for n, line in enumerate(open(table), 1):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        if len(line) != 3 or line[2] not in ("default", "optional"):
            sys.exit(f"{table}:{n}: expected FAMILY NAME default|optional")
        if line[0] == family:
            known.add(line[1])
            if line[2] == "default":
                defaults.append(line[1])
    ops = []
    for item in spec.split(","):
        if item == "defaults":
            ops += [o for o in defaults if o not in ops]
        elif item.startswith("-"):
            ops = [o for o in ops if o != item[1:]]
        elif item.lstrip("+") not in ops:
            ops.append(item.lstrip("+"))
    print(",".join(sorted(ops)))

def check_ops(rfile, ops):
    import json
    want = set(ops.split(","))
    r = json.load(open(rfile))
    roots = 0
    for g in r["guests"]:
        for root in g.get("roots", []):
            roots += 1
            got = [o["name"] for o in root["operations"]]
            if len(got) != len(set(got)):
                print(g["name"], root["root"], "runs an operation twice:",
                      ",".join(got))
            missing, extra = want - set(got), set(got) - want
            if missing or extra:
                print(g["name"], root["root"],
                      "missing:", ",".join(sorted(missing)) or "-",
                      "unexpected:", ",".join(sorted(extra)) or "-")
    if roots == 0:
        print("no root in the report")

def actual(rfile):
    import json
    r = json.load(open(rfile))
    out = set()
    for g in r["guests"]:
        for root in g.get("roots", []):
            for o in root["operations"]:
                for p in o["paths"]:
                    out.add(f"{o['name']} {p['action']} {p['path']}")
    for l in sorted(out):
        print(l)

def match(efile, afile):
    wild = {}
    for l in open(efile):
        f = l.rstrip("\n").split(" ")
        if "*" in f:
            wild[f[0]] = [i for i, x in enumerate(f) if x == "*"]
    for l in open(afile):
        f = l.rstrip("\n").split(" ")
        for i in wild.get(f[0], []):
            if i < len(f):
                f[i] = "*"
        print(" ".join(f))

def main():
    cmd = sys.argv[1]
    if cmd == "expect-ops":
        expect_ops(sys.argv[2], sys.argv[3])
    elif cmd == "check-ops":
        check_ops(sys.argv[2], sys.argv[3])
    elif cmd == "actual":
        actual(sys.argv[2])
    elif cmd == "match":
        match(sys.argv[2], sys.argv[3])
    elif cmd == "guestfish":
        guestfish(parse(sys.argv[2:]))
    elif cmd == "report":
        report(set(sys.argv[2].split(",")), parse(sys.argv[3:]))
    elif cmd == "check-meta":
        check_meta(sys.argv[2], parse(sys.argv[3:]))
    elif cmd == "manifest":
        manifest(set(sys.argv[2].split(",")), sys.argv[3], parse(sys.argv[4:]))
    else:
        sys.exit(f"unknown command {cmd}")

if __name__ == "__main__":
    main()
