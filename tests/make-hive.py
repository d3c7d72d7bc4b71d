#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make-hive.py OUT: write an empty Windows registry hive (regf).

hivex edits hives but cannot create one, and no hive may be
downloaded: this writes the smallest one hivex accepts, which
`hivexregedit --merge` then fills (tests/make-phony-windows.sh).

Layout (little-endian throughout):
  0x0000  base block, 4096 bytes: "regf", sequence numbers (equal: the
          hive is clean), version 1.3, root cell offset, size of the
          hive bins, checksum (XOR of the first 127 dwords) at 0x1fc
  0x1000  one hive bin, 4096 bytes: "hbin" header (32 bytes), then
          cells that tile it exactly: the root key (nk), its security
          descriptor (sk; hivex copies the parent's when it adds a
          key, so the root must have one), and one free cell for the
          rest.
Cell offsets are relative to the first hive bin.  A cell starts with
its size as a signed 32-bit number, negative when in use, a multiple
of 8.
"""
import struct
import sys

PAGE = 4096
HBIN_HEADER = 32
NONE = 0xFFFFFFFF
# A fixed FILETIME (2023-01-01 00:00 UTC), so the same input gives the
# same hive.
FILETIME = 133170048000000000


def cell(payload):
    """An allocated cell holding PAYLOAD, padded to 8 bytes."""
    size = (4 + len(payload) + 7) // 8 * 8
    return struct.pack("<i", -size) + payload.ljust(size - 4, b"\0")


def sid(authority, *subs):
    return struct.pack("<BB", 1, len(subs)) + authority.to_bytes(6, "big") + \
        b"".join(struct.pack("<I", s) for s in subs)


def security_descriptor():
    """Self-relative, owner Administrators (S-1-5-32-544), group SYSTEM
    (S-1-5-18), no DACL: what a key without an ACL has."""
    owner, group = sid(5, 32, 544), sid(5, 18)
    control = 0x8000                   # SE_SELF_RELATIVE
    head = struct.pack("<BBHIIII", 1, 0, control, 20, 20 + len(owner), 0, 0)
    return head + owner + group


def key_node(name, sk_offset):
    flags = 0x0004 | 0x0008 | 0x0020   # hive entry, no delete, ASCII name
    return struct.pack(
        "<2sHQ15I2H", b"nk", flags, FILETIME,
        0,                             # access bits
        NONE,                          # parent: none for the root
        0, 0, NONE, NONE,              # subkeys (stable, volatile)
        0, NONE,                       # values
        sk_offset, NONE,               # security, class name
        0, 0, 0, 0, 0,                 # largest name/class/value sizes, spare
        len(name), 0) + name


def hive(root_name=b"ROOT"):
    root_at = HBIN_HEADER
    nk_len = len(cell(key_node(root_name, 0)))
    sk_at = root_at + nk_len
    sd = security_descriptor()
    # The only sk record: its list of security records links to itself.
    sk = struct.pack("<2sHIIII", b"sk", 0, sk_at, sk_at, 1, len(sd)) + sd
    cells = cell(key_node(root_name, sk_at)) + cell(sk)
    free = PAGE - HBIN_HEADER - len(cells)
    cells += struct.pack("<i", free) + bytes(free - 4)
    hbin = struct.pack("<4sIIQQI", b"hbin", 0, PAGE, 0, FILETIME, 0) + cells
    assert len(hbin) == PAGE

    name = "\\SystemRoot\\System32\\Config\\EMPTY".encode("utf-16-le")
    base = struct.pack("<4sIIQIIIIIII64s", b"regf", 1, 1, FILETIME,
                       1, 3, 0, 1, root_at, PAGE, 1, name[:64])
    base = base.ljust(508, b"\0")
    csum = 0
    for (d,) in struct.iter_unpack("<I", base):
        csum ^= d
    # 0 and 0xffffffff are reserved values: Windows writes these instead.
    csum = {0: 1, NONE: 0xFFFFFFFE}.get(csum, csum)
    base = (base + struct.pack("<I", csum)).ljust(PAGE, b"\0")
    return base + hbin


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make-hive.py OUT")
    with open(sys.argv[1], "wb") as f:
        f.write(hive())
