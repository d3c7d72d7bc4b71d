#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith batch --merge-reports N MANIFEST (cli/batch/merge.c), without
# the appliance: the shard reports come from real shard runs whose
# appliance cannot start (every image fails), one of them edited into
# a shard that did its images.  The merged report has the keys of a
# one-machine report, every entry in order, the runs renumbered and the
# steps pointing at them, the exit status of the whole fleet; a missing
# shard, a report of another N, of another manifest, of the manifest
# before a change, of a shard still running, and a shard running on
# this host are each refused with one line, and the merged report is
# left as it was.
source "$(dirname "$0")/functions.sh"
plan 32

tmp="$builddir/tests/tmp/batch-merge"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
command -v flock > /dev/null || bail "flock (util-linux) is not installed"
# j FILE EXPR: a Python expression on the JSON document r in FILE.
j () {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"
}
noapp () { LIBGUESTFS_HV=/bin/false "$@"; }
sha () { sha256sum "$1" | cut -d' ' -f1; }

for i in 1 2 3 4 5; do truncate -s 1M "$tmp/t$i.img"; done
m="$tmp/fleet.conf"
cat > "$m" <<'EOF'
tools = [ "sysprep", "inspect" ];
images = (
  { add = "t1.img"; format = "raw"; },
  { add = "t2.img"; format = "raw"; },
  { add = "t3.img"; format = "raw"; },
  { add = "t4.img"; format = "raw"; sysprep = { args = [ "--hostname", "four" ]; }; },
  { add = "t5.img"; format = "raw"; }
);
EOF

# ---- one machine, for the keys a report has --------------------------
noapp goldsmith batch --json "$m" > "$tmp/whole.json" 2>/dev/null
is "one machine: every image failed, exit status 1" "$?" 1
keys () {                        # top-level, image and step keys
  j "$1" '" ".join(sorted(set(r) - {"merged_from"})), " ".join(sorted(r["images"][0])), " ".join(sorted(r["images"][0]["steps"][0])), " ".join(sorted(r["runs"][0]))'
}
rm -rf "$tmp/fleet.json" "$tmp/fleet.state"

# ---- two shards, merged ----------------------------------------------
for i in 1 2; do
  noapp goldsmith batch --shard $i/2 "$m" > /dev/null 2>&1
done
ok "two shard reports" test -f "$tmp/fleet.shard-1-of-2.json" -a -f "$tmp/fleet.shard-2-of-2.json"
noapp goldsmith batch --json --merge-reports 2 "$m" > "$tmp/merged.json" 2> "$tmp/merge.err"
is "merged: exit status 1 (every image failed), nothing on stderr" \
   "$? $(cat "$tmp/merge.err")" "1 "
r="$tmp/fleet.json"
is "the merged report is the manifest's report, the one printed" \
   "$(cmp "$r" "$tmp/merged.json" && echo same)" same
is "the keys of a one-machine report (and merged_from)" \
   "$(keys "$r")" "$(keys "$tmp/whole.json")"
is "no shard, complete, exit status, the shards it came from" \
   "$(j "$r" '"shard" in r, r["complete"], r["exit_status"], [p.split("/")[-1] for p in r["merged_from"]]')" \
   "False True 1 ['fleet.shard-1-of-2.json', 'fleet.shard-2-of-2.json']"
is "every entry, in the manifest's order" \
   "$(j "$r" '[(i["entry"], i["name"], i["status"]) for i in r["images"]]')" \
   "[(1, 't1.img', 'failed'), (2, 't2.img', 'failed'), (3, 't3.img', 'failed'), (4, 't4.img', 'failed'), (5, 't5.img', 'failed')]"
# Shard 1 ran sysprep of 1,5 and of 3 (--hostname), shard 2 of 2 and 4.
is "the runs: shard 1's, then shard 2's, numbered from 1" \
   "$(j "$r" '[(x["run"], x["tool"], x["entries"]) for x in r["runs"]]')" \
   "[(1, 'sysprep', [1, 3, 5]), (2, 'sysprep', [2]), (3, 'sysprep', [4])]"
is "each step names the run that did it" \
   "$(j "$r" '[i["steps"][0]["run"] for i in r["images"]]')" "[1, 2, 1, 3, 1]"
is "each step keeps its shard's report and error" \
   "$(j "$r" '" ".join(str(i["steps"][0]["error"] == s["error"]) for i in r["images"] for s in [x for f in (1, 2) for x in json.load(open(r["merged_from"][f - 1]))["images"] if x["entry"] == i["entry"]][0]["steps"][:1])')" \
   "True True True True True"
is "launches: the shards' together" \
   "$(j "$r" 'r["appliance_launches"]')" \
   "$(( $(j "$tmp/fleet.shard-1-of-2.json" 'r["appliance_launches"]') + $(j "$tmp/fleet.shard-2-of-2.json" 'r["appliance_launches"]') ))"
noapp goldsmith batch --merge-reports 2 "$m" > "$tmp/merge.txt"
is "text: one line per entry, a summary with the exit status" \
   "$(sed -n '1p;7p' "$tmp/merge.txt" | sed "s|$tmp/||g; s/[0-9.]* s;/S;/")" \
   "Merged the reports of 2 shards of fleet.conf
5 images: 0 ok, 5 failed, 0 already done; $(j "$r" 'r["appliance_launches"]') appliance launches, S; report fleet.json; exit status 1"
ok "nothing left behind but the report (written under another name, renamed)" \
   test "$(ls "$tmp" | grep -c '^fleet\.json')" = 1

# A shard that did its images (its report edited as if the appliance
# had run): the fleet is partly done, exit status 4.
python3 - "$tmp/fleet.shard-2-of-2.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
for i in r["images"]:
    for s in i["steps"]:
        s["status"] = "ok"; s.pop("error", None); s["report"] = {"stand-in": i["entry"]}
    i["status"] = "ok"
json.dump(r, open(sys.argv[1], "w"))
EOF
noapp goldsmith batch --merge-reports 2 --json "$m" > /dev/null 2>&1
is "some shards' images done, some failed: exit status 4" "$?" 4
is "... and the report says which" \
   "$(j "$r" '[i["status"] for i in r["images"]], r["exit_status"], r["images"][1]["steps"][0]["report"]')" \
   "['failed', 'ok', 'failed', 'ok', 'failed'] 4 {'stand-in': 2}"

# ---- refused: one line, exit status 2, the merged report unchanged -----
before=$(sha "$r")
refused () {                     # refused NAME PATTERN ARGS...
  local name="$1" pattern="$2"; shift 2
  expect "$name" "$pattern" noapp goldsmith batch "$@"
  is "$name: the merged report is unchanged" "$(sha "$r")" "$before"
}
cp "$tmp/fleet.shard-2-of-2.json" "$tmp/keep.json"
rm "$tmp/fleet.shard-2-of-2.json"
refused "a missing shard" \
  "^goldsmith: error: $m: shard 2 of 2: $tmp/fleet.shard-2-of-2.json: no such file: has the shard run \(goldsmith batch --shard 2/2\)\?$" \
  --merge-reports 2 "$m"
cp "$tmp/keep.json" "$tmp/fleet.shard-2-of-2.json"
cp "$tmp/fleet.shard-1-of-2.json" "$tmp/fleet.shard-1-of-3.json"
refused "a report of another N" \
  "shard 1 of 3: $tmp/fleet.shard-1-of-3.json: the report of shard 1/2, not 1/3$" \
  --merge-reports 3 "$m"
# Another manifest with the same report name: its entries are other disks.
sed 's/"t1.img"/"t9.img"/; s/"t5.img"/"t1.img"/; s/"t9.img"/"t5.img"/' "$m" > "$tmp/other.conf"
echo 'report = "fleet.json";' >> "$tmp/other.conf"
refused "the reports of another manifest" \
  "shard 1 of 2: $tmp/fleet.shard-1-of-2.json: entry 1 has other disks than the manifest's \(line 3\): a report of another manifest$" \
  --merge-reports 2 "$tmp/other.conf"
sed 's/tools = \[ "sysprep", "inspect" \]/tools = [ "sysprep", "inspect", "sparsify" ]/' "$m" > "$tmp/changed.conf"
echo 'report = "fleet.json";' >> "$tmp/changed.conf"
refused "the manifest changed since (a step added)" \
  "shard 1 of 2: .*: entry 1 has another pipeline than the manifest's \(line 3\): run the shard again$" \
  --merge-reports 2 "$tmp/changed.conf"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["complete"]=False; json.dump(r,open(sys.argv[1],"w"))' \
  "$tmp/fleet.shard-2-of-2.json"
refused "a shard still running (its report not complete)" \
  "shard 2 of 2: .*: not complete: the shard is still running, or was interrupted \(run it again\)$" \
  --merge-reports 2 "$m"
echo '{"program": "goldsmith", "tool": "inspect", "guests": []}' > "$tmp/fleet.shard-2-of-2.json"
refused "another tool's report" "shard 2 of 2: .*: not a report of goldsmith batch$" \
  --merge-reports 2 "$m"
cp "$tmp/keep.json" "$tmp/fleet.shard-2-of-2.json"
expect "--merge-reports 0" "^goldsmith: error: --merge-reports 0: expected N, the number of shards" \
  noapp goldsmith batch --merge-reports 0 "$m"
expect "--merge-reports with --shard" "^goldsmith: error: --merge-reports runs nothing: it takes no --shard$" \
  noapp goldsmith batch --merge-reports 2 --shard 1/2 "$m"

# A shard running on this host holds the manifest's lock (shared): the
# merge waits for no one, exit status 5 and the holder's pid (flock(1)'s,
# which took the lock for this shell's descriptor and is gone).
exec 7< "$tmp/fleet.lock"
flock -s 7
noapp goldsmith batch --merge-reports 2 "$m" > /dev/null 2> "$tmp/err"
rc=$?
ok "a shard running here: exit status 5, one line with a pid" \
   grep -qx "$rc goldsmith: error: $m: another goldsmith batch is running it (pid [0-9]*)" \
   <(echo "$rc $(cat "$tmp/err")")
exec 7<&-
is "... and the merged report is unchanged" "$(sha "$r")" "$before"
noapp goldsmith batch --merge-reports 2 "$m" > /dev/null 2>&1
is "once it is done, the merge goes" "$?" 4
