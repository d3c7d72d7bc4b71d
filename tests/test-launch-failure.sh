#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# A launch that fails (the appliance's qemu is /bin/false) is exit
# status 1 with the reason, in every tool and with several jobs, never
# a crash; and --json output stays one JSON document even when the run
# stops early.  Refusals before a launch are tests/refusals.txt.
source "$(dirname "$0")/functions.sh"
plan 13

tmp="$builddir/tests/tmp/launch-failure"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
export LIBGUESTFS_HV=/bin/false

truncate -s 1M "$tmp/good.img" "$tmp/job2.img" "$tmp/job3.img"
printf 'precious' | dd of="$tmp/good.img" conv=notrunc status=none
good_sum=$(sha256sum < "$tmp/good.img")

# inspect aborted in json-c on a guest with no roots.
goldsmith inspect -a "$tmp/good.img" > "$tmp/out.xml" 2> "$tmp/err"
is "inspect: a failed launch is exit status 1" "$?" 1
# As virt-inspector: one guest with nothing found writes no document.
is "inspect: ... and nothing on stdout" "$(wc -c < "$tmp/out.xml")" 0
# Several -a are one guest's disks, as with virt-inspector: one guest,
# three disks, one launch.
goldsmith inspect --json -a "$tmp/good.img" -a "$tmp/job2.img" \
  -a "$tmp/job3.img" > "$tmp/one.json" 2> "$tmp/err"
is "inspect -a -a -a: one guest of three disks, one launch, exit status 1" \
   "$(python3 -c "import json,sys; d=json.load(open('$tmp/one.json')); print(d['exit_status'], d['appliance']['launches'], [(g['name'].rsplit('/',1)[-1], len(g['disks'])) for g in d['guests']])")" \
   "1 1 [('good.img', 3)]"
# The same in two jobs (three images, each a guest): a job aborted in json-c on its
# guests with no roots, then the parent on the job that had sent
# nothing.
goldsmith inspect --json --jobs 2 --each-image -a "$tmp/good.img" -a "$tmp/job2.img" \
  -a "$tmp/job3.img" > "$tmp/out.json" 2> "$tmp/err"
ok "inspect --jobs 2: exit status 1, two launches, each guest with its launch's error" \
   python3 -c "import json,sys; d=json.load(open('$tmp/out.json')); sys.exit(0 if d['exit_status']==1 and d['appliance']['launches']==2 and all('/bin/false' in g['error'] for g in d['guests']) and len(d['guests'])==3 else 1)"
# --isolate (and appliance.isolate): every guest in a launch of its
# own, where the same three would share one.
launches () {
  goldsmith inspect --json --jobs 1 --each-image "$@" -a "$tmp/good.img" -a "$tmp/job2.img" \
    -a "$tmp/job3.img" 2> /dev/null |
    python3 -c "import json,sys; print(json.load(sys.stdin)['appliance']['launches'])"
}
is "three guests: one launch; --isolate: three; appliance.isolate = true: three" \
   "$(launches) $(launches --isolate) $(launches --set appliance.isolate=true)" "1 3 3"
# The KVM probe's qemu (here /bin/false) exits before reading "quit":
# that was a SIGPIPE (exit 141, no message).
goldsmith sparsify "$tmp/good.img" "$tmp/new.img" > /dev/null 2> "$tmp/err"
is "sparsify: a failed launch is exit status 1" "$?" 1
ok "sparsify: ... and leaves no OUT" test ! -e "$tmp/new.img"
is "the image is byte-identical after all of the above" \
   "$(sha256sum < "$tmp/good.img")" "$good_sum"

# --json: even an early failure is one JSON document on stdout.
goldsmith sysprep --json -a "$tmp/missing.img" > "$tmp/out.json" 2>/dev/null
ok "--json: a refusal is one JSON document with the error and exit status 2" \
   python3 -c "import json,sys; d=json.load(open('$tmp/out.json')); sys.exit(0 if 'missing.img' in d['error'] and d['exit_status']==2 else 1)"

# --provenance: a failed run leaves its record too (exit status 1, the
# image's digest before and after it, the report as --json prints it).
goldsmith sysprep --json --provenance "$tmp/p.intoto.json" \
  -a "$tmp/good.img" > "$tmp/out.json" 2> /dev/null
is "--provenance: a failed launch is still exit status 1" "$?" 1
ok "--provenance: the record of the failed run: Statement, digests equal to sha256sum, the --json report as byproduct" \
   python3 - "$tmp/p.intoto.json" "$tmp/out.json" "${good_sum%% *}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); rep = json.load(open(sys.argv[2]))
p = d["predicate"]
assert d["_type"] == "https://in-toto.io/Statement/v1"
assert d["predicateType"] == "https://slsa.dev/provenance/v1"
assert [s["digest"]["sha256"] for s in d["subject"]] == [sys.argv[3]]
assert [r["digest"]["sha256"] for r in p["buildDefinition"]["resolvedDependencies"]] == [sys.argv[3]]
assert p["runDetails"]["byproducts"][0]["annotations"]["report"] == rep
assert rep["exit_status"] == 1
PY

# batch: provenance = "DIR" gives each step a record, named after its
# entry and step; the two guests of one command share its record.
mkdir -p "$tmp/prov"
printf 'provenance = "prov";\nreport = "fleet.json";\ntools = [ "sysprep" ];\nimages = ( { add = [ "job2.img" ]; }, { add = [ "job3.img" ]; } );\n' \
  > "$tmp/fleet.conf"
goldsmith batch "$tmp/fleet.conf" > /dev/null 2>&1
is "batch: the records of the steps, and nothing else in DIR" \
   "$(cd "$tmp/prov" && ls -A | tr '\n' ' ')" "1-1-sysprep.intoto.json 2-1-sysprep.intoto.json "
ok "batch: one command, one record under both names, listing both images" \
   python3 - "$tmp/prov" <<'PY'
import json, os, sys
a, b = (os.path.join(sys.argv[1], n) for n in ("1-1-sysprep.intoto.json", "2-1-sysprep.intoto.json"))
assert os.path.samefile(a, b)
d = json.load(open(a))
assert [os.path.basename(s["name"]) for s in d["subject"]] == ["job2.img", "job3.img"]
assert d["predicate"]["buildDefinition"]["externalParameters"]["tool"] == "sysprep"
PY
