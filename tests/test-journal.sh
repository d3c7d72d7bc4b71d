#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# Messages to the journal: when JOURNAL_STREAM names stderr (as systemd
# sets it for a service), each message is one datagram of the journal's
# native protocol, with PRIORITY, SYSLOG_IDENTIFIER and the image and
# operation it is about; otherwise, or when the send fails, the usual
# line on stderr.  No systemd and no appliance: a Python listener on a
# socket of its own (GOLDSMITH_JOURNAL_SOCKET, for tests only) runs the
# command with stderr a file and JOURNAL_STREAM set to that file.
source "$(dirname "$0")/functions.sh"
plan 8

tmp="$builddir/tests/tmp/journal"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
truncate -s 1M "$tmp/blank.img"
# The socket where a deep build tree's path cannot be too long for it.
sock="$(mktemp -d)"
cleanup_fn rm -rf "$sock"
sock="$sock/journal.sock"

# journal [--socket PATH] [--stream-of FILE] COMMAND...: run COMMAND
# with stderr $tmp/err, JOURNAL_STREAM naming it (or FILE) and
# GOLDSMITH_JOURNAL_SOCKET $sock (or PATH); print {"rc": N, "entries":
# [{FIELD: VALUE}...]}, what reached $sock.
cat > "$tmp/listen.py" <<'PY'
import json, os, socket, subprocess, sys

def fields(d):
    f, i = {}, 0
    while i < len(d):
        j = d.index(b"\n", i)
        line = d[i:j]
        if b"=" in line:                      # KEY=VALUE
            k, v = line.split(b"=", 1)
            i = j + 1
        else:                                 # KEY, le64 length, VALUE
            n = int.from_bytes(d[j + 1:j + 9], "little")
            k, v = line, d[j + 9:j + 9 + n]
            assert d[j + 9 + n:j + 10 + n] == b"\n", "no newline after a binary field"
            i = j + 10 + n
        f[k.decode()] = v.decode("utf-8", "surrogateescape")
    return f

args, stream = sys.argv[1:], None
tmp, listen = args.pop(0), args.pop(0)
sock = listen
while args[0].startswith("--"):
    opt, val = args.pop(0), args.pop(0)
    if opt == "--socket":
        sock = val
    else:
        stream = val
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(listen)
with open(tmp + "/err", "wb") as err:
    st = os.stat(stream) if stream else os.fstat(err.fileno())
    env = dict(os.environ, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino),
               GOLDSMITH_JOURNAL_SOCKET=sock)
    rc = subprocess.call(args, stdout=subprocess.DEVNULL, stderr=err, env=env)
s.setblocking(False)
entries = []
while True:
    try:
        entries.append(fields(s.recv(1 << 20)))
    except BlockingIOError:
        break
os.unlink(listen)
print(json.dumps({"rc": rc, "entries": entries}))
PY
journal () { python3 "$tmp/listen.py" "$tmp" "$sock" "$@" > "$tmp/out.json"; }
# j EXPR: a Python expression on the listener's result r, its entries e.
j () {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); e=r['entries']; print($1)" "$tmp/out.json"
}

# ---- a refusal: one entry, every field --------------------------------
journal goldsmith sysprep -a /nonexistent.img
is "a refusal: exit status 2, nothing on stderr, one journal entry: MESSAGE the line without the program's name, PRIORITY 3 (err), SYSLOG_IDENTIFIER goldsmith, GOLDSMITH_IMAGE the image, no GOLDSMITH_OPERATION outside an operation" \
   "$(j 'r["rc"], len(e)') [$(cat "$tmp/err")]
$(j 'e[0]["MESSAGE"]')
$(j 'e[0]["PRIORITY"], e[0]["SYSLOG_IDENTIFIER"], e[0].get("GOLDSMITH_IMAGE"), "GOLDSMITH_OPERATION" in e[0]')" \
   "2 1 []
error: /nonexistent.img: No such file or directory
3 goldsmith /nonexistent.img False"

# A newline in the image's name: escaped in MESSAGE (one line), whole in
# GOLDSMITH_IMAGE, sent in the protocol's binary form.
nl="$tmp/new
line.img"
journal goldsmith sysprep -a "$nl"
is "a name with a newline: MESSAGE escapes it, GOLDSMITH_IMAGE holds it (binary field)" \
   "$(j 'e[0]["MESSAGE"]')|$(j 'e[0]["GOLDSMITH_IMAGE"]')" \
   "error: $tmp/new\\x0aline.img: No such file or directory|$nl"

# An operation's own refusal names the operation.
journal goldsmith sysprep --hostname 'web 1' -a "$tmp/blank.img"
is "an operation's message: GOLDSMITH_OPERATION, and MESSAGE as stderr has it" \
   "$(j 'e[0].get("GOLDSMITH_OPERATION")') $(j 'e[0]["MESSAGE"].split(" is not")[0]')" \
   "customize customize: error: --hostname: \"web 1\""

# ---- a failed launch: info, warnings, an error of several lines --------
LIBGUESTFS_HV=/bin/false journal goldsmith inspect -a "$tmp/blank.img"
is "a failed launch: exit status 1, nothing on stderr; priorities info 6, warning 4, error 3; a message of several lines is one entry (binary MESSAGE)" \
   "$(j 'r["rc"]') $(wc -c < "$tmp/err") | $(j '" ".join(sorted(set(x["PRIORITY"] for x in e)))') | $(j 'sum(1 for x in e if x["PRIORITY"] == "3" and "\n" in x["MESSAGE"] and x["MESSAGE"].startswith("error: /bin/false exited"))')" \
   "1 0 | 3 4 6 | 1"

# ---- batch: its tools' stderr read through a pipe stays a pipe ---------
printf '%s\n' 'tools = [ "sysprep" ];' \
  'images = ( { add = "blank.img"; sysprep = { args = [ "--hostname", "web 1" ]; }; } );' \
  > "$tmp/fleet.conf"
journal goldsmith batch "$tmp/fleet.conf"
is "batch: the tool's refusal, read through a pipe, is in batch's message" \
   "$(j 'r["rc"], len(e), e[0]["MESSAGE"].split(" (letters")[0]')" \
   "2 1 error: $tmp/fleet.conf:2: sysprep args: --hostname: \"web 1\" is not a valid hostname"

# ---- not the journal: plain stderr -----------------------------------
line="goldsmith: error: /nonexistent.img: No such file or directory"
journal --socket "$tmp/nobody.sock" goldsmith sysprep -a /nonexistent.img
is "no journal at the socket: the line on stderr, nothing sent" \
   "$(cat "$tmp/err") $(j 'len(e)')" "$line 0"
journal --stream-of "$tmp/blank.img" goldsmith sysprep -a /nonexistent.img
is "JOURNAL_STREAM names another file: the line on stderr, nothing sent" \
   "$(cat "$tmp/err") $(j 'len(e)')" "$line 0"
JOURNAL_STREAM=garbage GOLDSMITH_JOURNAL_SOCKET="$sock" \
  goldsmith sysprep -a /nonexistent.img 2> "$tmp/err"
is "JOURNAL_STREAM not DEV:INO: the line on stderr" "$(cat "$tmp/err")" "$line"
