#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# A guest built to trick sysprep (tests/make-hostile-guest.py): many
# log files in one directory, symlinks as targets pointing at / and at
# another filesystem, symlinked directories in the middle of targeted
# paths, names with newlines and bytes that are not UTF-8, a passwd of
# thousands of accounts and a junk-filled login.defs.
#
# One launch: the sysprep run.  The guest is built on the host
# (mkfs.ext4 -d) and read back on the host (debugfs rdump), so the
# check is every path of both filesystems, before and after: exactly
# the expected paths gone (behind the symlinked directories too, where
# the guest's root resolves them), the account files exactly as expected,
# everything else byte-identical.  HOSTILE_NLOGS and HOSTILE_NUSERS set
# the number of logs and accounts (bench/hostile.sh: 100,000 logs).
# Augeas saves a file in time quadratic in its entries (a passwd of
# 30,000 accounts: 2 minutes natively, far more under TCG), so the
# suite's passwd is smaller.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 9

tmp="$builddir/tests/tmp/hostile"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
nlogs=${HOSTILE_NLOGS:-3000}
nusers=${HOSTILE_NUSERS:-2000}

t0=$SECONDS
python3 "$srcdir/tests/make-hostile-guest.py" "$tmp" "$nlogs" "$nusers" \
  > "$tmp/fixture.log" 2>&1 ||
  { sed 's/^/# /' "$tmp/fixture.log"; bail "cannot build the hostile guest"; }
diag "fixture ($nlogs logs, $nusers accounts): $((SECONDS - t0)) s"

ops=logfiles,tmp-files,bash-history,dhcp-client-state
ops+=,package-manager-cache,user-account
t1=$SECONDS
goldsmith sysprep --json --format=raw -a "$tmp/root.img" -a "$tmp/srv.img" \
  --operations "$ops" > "$tmp/run.json" 2> "$tmp/run.err"
is "run: exit status 0" "$?" 0
diag "run: $((SECONDS - t1)) s"
grep -v '^goldsmith: .*: warning: ' "$tmp/run.err" | sed 's/^/# stderr: /'

# A symlinked directory between a glob and its matches is resolved in
# the guest's root, as virt-sysprep's glob sees it: /var/lib/dhcp ->
# /srv/data and /home/link -> /srv are cleaned there (on the other
# filesystem); /var/log/audit -> / leads back up its own path and is
# refused, named once with where it leads.
is "run: the one symlink back up its own path is left, with one warning" \
   "$(grep -E '^goldsmith: [a-z-]+: warning' "$tmp/run.err" |
      sed -E 's/^goldsmith: //; s/[0-9]+ paths in/N paths in/' | sort)" \
"logfiles: warning: N paths in /var/log/audit not removed: the directory is a symlink back up its own path (to /)"

# The report: valid JSON whatever the names (bad bytes replaced, a
# newline escaped), one removal per expected path.
report=$(python3 - "$tmp/run.json" "$tmp/expected-gone" <<'PY'
import ast, json, sys
r = json.load(open(sys.argv[1]))
gone = [ast.literal_eval(l) for l in open(sys.argv[2])]
removed = [p["path"] for root in r["guests"][0]["roots"]
           for op in root["operations"] for p in op["paths"]
           if p["action"] == "remove"]
print(len(removed), len(gone))
print("/var/log/new\nline.log" in removed)
PY
)
# ... plus the two behind symlinks, on the other filesystem.
is "report: as many removals as expected paths" "${report%%$'\n'*}" \
   "$(( $(wc -l < "$tmp/expected-gone") + 2 )) $(wc -l < "$tmp/expected-gone")"

# Read back on the host: debugfs copies both filesystems out as they
# are (symlinks as symlinks).
mkdir -p "$tmp/after/root" "$tmp/after/srv"
debugfs -R "rdump / $tmp/after/root" "$tmp/root.img" > /dev/null 2>&1
debugfs -R "rdump / $tmp/after/srv" "$tmp/srv.img" > /dev/null 2>&1
ok "read-back: debugfs copied the root out" test -f "$tmp/after/root/etc/passwd"

python3 - "$tmp" > "$tmp/compare.out" <<'PY'
import ast, hashlib, os, sys
tmp = os.fsencode(sys.argv[1])

def tree(top):
    """{path: what} for every entry under TOP but lost+found."""
    out = {}
    for d, dirs, files in os.walk(top):
        dirs[:] = [x for x in dirs if x != b"lost+found" or d != top]
        for n in dirs + files:
            full = os.path.join(d, n)
            rel = full[len(top):]
            if os.path.islink(full):
                out[rel] = b"link " + os.readlink(full)
            elif os.path.isdir(full):
                out[rel] = b"dir"
            else:
                out[rel] = hashlib.sha256(open(full, "rb").read()).digest()
    return out

gone = {ast.literal_eval(l) for l in open(os.path.join(tmp, b"expected-gone"))}
for fs in (b"root", b"srv"):
    before = tree(os.path.join(tmp, fs))
    after = tree(os.path.join(tmp, b"after", fs))
    if fs == b"srv":
        # Behind /var/lib/dhcp -> /srv/data and /home/link -> /srv.
        want_gone = {b"/data/lease", b"/a3", b"/a3/notes"}
    else:
        want_gone = {p for p in before
                     if any(p == g or p.startswith(g + b"/") for g in gone)}
    print(fs.decode(), "gone as expected:",
          set(before) - set(after) == want_gone,
          len(set(before) - set(after)), len(want_gone))
    print(fs.decode(), "nothing new:", set(after) <= set(before))
    changed = sorted(p for p in after if p in before and after[p] != before[p])
    print(fs.decode(), "changed:", b" ".join(changed).decode())
    for p in sorted(set(before) - set(after) ^ want_gone)[:10]:
        print("# differs:", repr(p))
for name in (b"passwd", b"shadow", b"group"):
    got = open(os.path.join(tmp, b"after/root/etc", name), "rb").read()
    want = open(os.path.join(tmp, b"expected-etc", name), "rb").read()
    print(name.decode(), "as expected:", got == want)
PY
sed -n '/^# /p' "$tmp/compare.out"
is "root: exactly the expected paths are gone" \
   "$(grep -c '^root gone as expected: True' "$tmp/compare.out")" 1
is "srv (behind the symlinks): the lease and a3's home gone, nothing else" \
   "$(grep -E '^srv (gone|nothing|changed)' "$tmp/compare.out" | sed 's/ [0-9]* [0-9]*$//')" \
"srv gone as expected: True
srv nothing new: True
srv changed: "
is "root: nothing new, only the account files changed" \
   "$(grep -E '^root (nothing|changed)' "$tmp/compare.out")" \
"root nothing new: True
root changed: /etc/group /etc/passwd /etc/shadow"
is "user-account: passwd, shadow, group lose a1..a3, x.y and host$ and nothing else" \
   "$(grep -c 'as expected: True' "$tmp/compare.out")" 5
is "report: a name with a newline is reported whole" \
   "${report#*$'\n'}" True
