#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""manifest.py TAR: one line per path of a guest tree saved with
guestfish tar-out: "PATH TYPE DETAIL", DETAIL being a regular file's
sha256, a symlink's target, or '-'.  Sorted, so that two manifests
diff cleanly."""
import hashlib
import sys
import tarfile

def main(path):
    lines = []
    with tarfile.open(path) as tar:
        for m in tar.getmembers():
            name = m.name[2:] if m.name.startswith("./") else m.name
            name = "/" + name.strip("/") if name not in (".", "") else "/"
            if m.isfile():
                h = hashlib.sha256(tar.extractfile(m).read()).hexdigest()
                lines.append(f"{name} file {h}")
            elif m.issym():
                lines.append(f"{name} link {m.linkname}")
            elif m.isdir():
                lines.append(f"{name} dir -")
            else:
                lines.append(f"{name} other -")
    sys.stdout.write("".join(l + "\n" for l in sorted(lines)))

if __name__ == "__main__":
    main(sys.argv[1])
