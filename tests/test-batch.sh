#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# goldsmith batch MANIFEST.  Without the appliance: manifest errors
# (one line naming the manifest and the line, exit status 2), --shard
# slices, the plan (which images share which command), a failing fleet
# and a dry run that write nothing.  Then one real run, as a job array
# under GNU parallel (two shards side by side, four launches, two at a
# time), merged with --merge-reports: copies of the phony Fedora and
# Debian guests and an empty file, tools sysprep then inspect.  The
# empty file is refused before any launch; each guest is prepared and
# inspected once, by its shard; the merged report says what sysprep
# removed from each (the fixtures' paths, and the images read back on
# the host) and what inspect found.  The same array again launches
# nothing: every step of the two guests is done (the state), only the
# empty file is tried again.  A touched image is redone, and only it.
source "$(dirname "$0")/functions.sh"
plan 72

tmp="$builddir/tests/tmp/batch"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
fixture () { python3 "$srcdir/tests/fixture.py" "$@"; }
# j FILE EXPR: a Python expression on the JSON document r in FILE.
j () {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"
}
# Whatever should not launch fails at once if it tries (exit status 1,
# not 20 s and a pass).
noapp () { LIBGUESTFS_HV=/bin/false "$@"; }

# ---- the manifest, checked before anything runs ----------------------
for i in 1 2 3 4 5; do truncate -s 1M "$tmp/t$i.img"; done
mkdir "$tmp/sub"
bad () {                         # bad NAME PATTERN MANIFEST-TEXT
  printf '%s\n' "$3" > "$tmp/bad.conf"
  expect "$1" "$2" noapp goldsmith batch "$tmp/bad.conf"
}
bad "syntax error" "^goldsmith: error: $tmp/bad.conf:3: syntax error$" \
'tools = [ "sysprep" ];
images = (
  { add = [ "t1.img" ; }
);'
# Keys: the core's checker of config keys, with its wording.
bad "unknown key" "bad.conf:3: unknown key \"colour\" in images \\(known: name, add, format, domxml, domain, connect, tools, sysprep, inspect, sparsify, resize\\)$" \
'tools = [ "sysprep" ];
images = (
  { add = [ "t1.img" ]; colour = "red"; }
);'
bad "unknown top-level key" "bad.conf:2: unknown key \"image\" \\(known: report, tools, images, connect, provenance, sysprep, inspect, sparsify, resize\\)$" \
'tools = [ "sysprep" ];
image = ( { add = [ "t1.img" ]; } );'
bad "unknown key of a tool" "bad.conf:2: unknown key \"output\" in images.sparsify \\(known: args, out\\)$" \
'images = ( { add = "t1.img"; tools = [ "sparsify" ];
  sparsify = { output = "s.img"; }; } );'
bad "a key of the wrong type" "bad.conf:1: images.name must be a string$" \
'tools = [ "inspect" ]; images = ( { add = "t1.img"; name = 1; } );'
bad "args not strings" "bad.conf:1: sysprep.args must be an array of strings$" \
'tools = [ "sysprep" ]; sysprep = { args = ( "--hostname", 1 ); };
images = ( { add = "t1.img"; } );'
bad "missing image" "bad.conf:3: $tmp/nope.img: No such file or directory" \
'tools = [ "sysprep" ];
images = ( { add = [ "t1.img" ]; },
  { add = [ "nope.img" ]; } );'
bad "unknown tool" "bad.conf:1: tools: unknown tool 'sysprp'" \
'tools = [ "sysprp" ]; images = ( { add = "t1.img"; } );'
bad "one disk in two entries" "bad.conf:2: $tmp/t1.img is also a disk of entry 1 \(line 1\)" \
'tools = [ "inspect" ]; images = ( { add = "t1.img"; },
  { add = "./t1.img"; } );'
bad "args the tool rejects" "bad.conf:2: sysprep args: --hostname: \"web 1\" is not a valid hostname" \
'tools = [ "sysprep" ]; images = ( { add = "t1.img";
  sysprep = { args = [ "--hostname", "web 1" ]; }; } );'
bad "args batch sets itself" "bad.conf:1: args: '--dry-run' is not for args" \
'tools = [ "sysprep" ]; sysprep = { args = [ "--dry-run" ]; };
images = ( { add = "t1.img"; } );'
bad "resize without out" "bad.conf:1: resize needs the copy to write" \
'images = ( { add = "t1.img"; tools = [ "resize" ]; } );'
bad "out a directory" "bad.conf:2: out: $tmp/sub is a directory" \
'images = ( { add = "t1.img"; tools = [ "resize" ];
  resize = { out = "sub"; args = [ "--output-size", "20M" ]; }; } );'
bad "out no file name" "bad.conf:2: out: $tmp/\\.\\. names no file" \
'images = ( { add = "t1.img"; tools = [ "sparsify" ];
  sparsify = { out = ".."; }; } );'
bad "an empty path" "bad.conf:2: 'add': an empty path" \
'tools = [ "inspect" ];
images = ( { add = [ "t1.img", "" ]; } );'
bad "an empty domain name" "bad.conf:1: 'domain' must be a non-empty string" \
'tools = [ "inspect" ]; images = ( { domain = ""; } );'
# The report (and the state) replace only what an earlier batch wrote:
# never an image, the manifest, a directory or somebody's file.
echo '{"mine": true}' > "$tmp/other.json"
ln -s t2.img "$tmp/link.json"
ln -s nowhere "$tmp/dangling.json"
sums () { sha256sum "$tmp"/t*.img "$tmp/other.json" | sed "s|$tmp/||"; }
before=$(sums)
two='tools = [ "inspect" ]; images = ( { add = "t1.img"; },
  { add = "t2.img"; tools = [ "resize" ];
    resize = { out = "big.img"; args = [ "--output-size", "20M" ]; }; } );'
bad "report: a disk image" "bad.conf:1: report $tmp/t1.img: it is an input of entry 1 \(line 1\)" \
"report = \"t1.img\"; $two"
bad "report: a link to a disk image" "bad.conf:1: report $tmp/link.json: it is an input of entry 2 \(line 2\)" \
"report = \"link.json\"; $two"
bad "report: a copy a step writes" "bad.conf:1: report $tmp/big.img: it is the copy resize writes for entry 2 \(line 2\)" \
"report = \"big.img\"; $two"
bad "report: the manifest" "bad.conf:1: report $tmp/bad.conf: it is the manifest itself" \
"report = \"bad.conf\"; $two"
bad "report: a directory" "bad.conf:1: report $tmp/sub: is a directory" \
"report = \"sub\"; $two"
bad "report: another file" "bad.conf:1: report $tmp/other.json: exists and is not a report of goldsmith batch: not replaced" \
"report = \"other.json\"; $two"
bad "report: a dangling link" "bad.conf:1: report $tmp/dangling.json: is a dangling symbolic link" \
"report = \"dangling.json\"; $two"
bad "report: a missing directory" "bad.conf:1: report $tmp/nodir/r.json: directory $tmp/nodir: No such file or directory" \
"report = \"nodir/r.json\"; $two"
echo '{"program": "goldsmith", "tool": "inspect", "images": [], "runs": []}' > "$tmp/bad.json"
bad "report: the default name, a report of another tool" "bad.conf: report $tmp/bad.json \\(from the manifest's name; set 'report' to choose another\\): exists and is not a report of goldsmith batch" \
"$two"
rm "$tmp/bad.json"; echo 'not a directory' > "$tmp/bad.state"
bad "state: not a directory" "bad.conf: state directory $tmp/bad.state \\(from the manifest's name; set 'report' to choose another\\): exists and is not a directory" \
"$two"
rm "$tmp/bad.state"
is "refused reports: every input byte-identical, no report written" \
   "$(sums; ls "$tmp" | grep -c -e '^bad\.json' -e '^bad\.state' -e '^big')" "$before
0"
# out is relative to the manifest's directory, as every path, not to
# the working directory.
printf '%s\n' 'images = ( { add = "t1.img"; tools = [ "resize" ];
  resize = { out = "big.img"; args = [ "--output-size", "20M" ]; }; } );' \
  > "$tmp/out.conf"
is "out is relative to the manifest's directory" \
   "$(cd / && noapp goldsmith batch --plan --json "$tmp/out.conf" |
      j /dev/stdin '" ".join(r["runs"][0]["argv"])')" \
   "resize --json --output-size 20M $tmp/t1.img $tmp/big.img"
# The manifest's directory is looked up before libconfig reads it:
# that failure once destroyed a configuration never initialised.
expect "a manifest in a missing directory" \
  "^goldsmith: error: $tmp/nodir/fleet.conf: No such file or directory$" \
  memcheck goldsmith batch "$tmp/nodir/fleet.conf"
memcheck_ok "goldsmith batch of a manifest in a missing directory"
expect "--shard out of range" "^goldsmith: error: --shard 4/3: expected I/N" \
  noapp goldsmith batch --shard 4/3 "$tmp/bad.conf"

# ---- --shard and the plan, without launching -------------------------
cat > "$tmp/five.conf" <<'EOF'
report = "five.json";
tools = [ "sysprep", "inspect" ];
sysprep = { args = [ "--operations", "defaults,-logfiles" ]; };
images = (
  { add = [ "t1.img" ]; format = "raw"; },
  { add = [ "t2.img" ]; sysprep = { args = [ "--hostname", "web2" ]; }; },
  { add = [ "t3.img" ]; format = "raw"; tools = [ "inspect" ]; },
  { add = [ "t4.img", "t5.img" ]; name = "two disks"; }
);
EOF
plan_of () {                     # the runs: "tool:entries ..."
  noapp goldsmith batch --plan --json "$@" "$tmp/five.conf" > "$tmp/plan.json" &&
  j "$tmp/plan.json" '" ".join(x["tool"]+":"+",".join(map(str,x["entries"])) for x in r["runs"])'
}
is "the plan: same args share a command, tools in pipeline order" \
   "$(plan_of)" "sysprep:1,4 sysprep:2 inspect:1,2,3,4"
is "shard 1/3: entries 1 and 4" "$(plan_of --shard 1/3)" \
   "sysprep:1,4 inspect:1,4"
is "shard 2/3: entry 2" "$(plan_of --shard 2/3)" "sysprep:2 inspect:2"
is "shard 3/3: entry 3" "$(plan_of --shard 3/3)" "inspect:3"
is "a shard's report has its own name" \
   "$(j "$tmp/plan.json" 'r["report"].split("/")[-1]')" "five.shard-3-of-3.json"
plan_of > /dev/null
is "one command for entries 1 and 4: each guest on its own, the two-disk one as domain XML" \
   "$(j "$tmp/plan.json" '" ".join(r["runs"][0]["argv"])' | sed "s|$tmp|TMP|; s|/[^ ]*/entry-4.xml|XML|")" \
   "sysprep --json --operations defaults,-logfiles --each-image --format raw -a TMP/t1.img --domxml XML"
noapp goldsmith batch --plan "$tmp/five.conf" > "$tmp/plan.txt"
ok "--plan in text: each run with its command" \
   grep -q "^  goldsmith inspect --json --each-image --format raw -a $tmp/t1.img --format auto -a $tmp/t2.img" "$tmp/plan.txt"
ok "--plan wrote nothing" test ! -e "$tmp/five.json" -a ! -e "$tmp/five.state"

# A fleet that fails: the appliance cannot start.  Every image failed
# (exit status 1), later steps skipped, the report says so.
noapp goldsmith batch --json --shard 3/3 "$tmp/five.conf" > "$tmp/fail.json" 2> "$tmp/fail.err"
is "all images failed: exit status 1" "$?" 1
is "the report: failed, and why" \
   "$(j "$tmp/five.shard-3-of-3.json" 'r["images"][0]["status"], r["images"][0]["steps"][0]["status"], r["exit_status"], r["complete"]')" \
   "failed failed 1 True"
noapp goldsmith batch --json --shard 1/3 "$tmp/five.conf" > "$tmp/fail.json" 2> "$tmp/fail.err"
is "a failed step skips the image's later ones" \
   "$(j "$tmp/fail.json" '" ".join(s["status"] for i in r["images"] for s in i["steps"])')" \
   "failed skipped failed skipped"
# A dry run prints the plan and writes no report and no state.
rm -rf "$tmp/five.state"
noapp goldsmith batch --dry-run --shard 2/3 "$tmp/five.conf" > "$tmp/dry.txt" 2> "$tmp/dry.err"
ok "--dry-run passes --dry-run to sysprep" \
   grep -q "^  goldsmith sysprep --json --operations defaults,-logfiles --hostname web2 --dry-run --each-image -a $tmp/t2.img" "$tmp/dry.txt"
ok "--dry-run wrote no report and no state" \
   test ! -e "$tmp/five.shard-2-of-3.json" -a ! -e "$tmp/five.state"

# ---- one real batch, as a job array: GNU parallel, two shards --------
# The fleet goes through `parallel goldsmith batch --shard {}/2`, one
# shard per core, side by side, and --merge-reports makes the one
# report: four launches (each shard's sysprep and inspect), two at a
# time, where one machine's run took two to four.
requires_appliance
command -v parallel > /dev/null ||
  skip_rest "GNU parallel is not installed (./quickstart installs it)"
copy_guest debian "$tmp/debian.img"
copy_guest fedora "$tmp/fedora.img"
: > "$tmp/empty.img"
# Fedora alone in its shard's launch: its disk is /dev/sda, as the
# fixture's device paths say.
cat > "$tmp/fleet.conf" <<'EOF'
report = "reports/fleet.json";
tools = [ "sysprep", "inspect" ];
images = (
  { add = [ "fedora.img" ]; format = "raw"; },
  { add = [ "debian.img" ]; format = "raw"; },
  { add = [ "empty.img" ]; }
);
EOF
mkdir "$tmp/reports"
# shards LOG: both shards of the fleet under GNU parallel, at once;
# "SHARD:EXIT " of each, from parallel's job log $tmp/LOG.
shards () {
  parallel --will-cite -j 2 --joblog "$tmp/$1" \
    goldsmith batch --shard {}/2 "$tmp/fleet.conf" ::: 1 2 \
    > "$tmp/$1.out" 2> "$tmp/$1.err"
  awk 'NR > 1 { print $1 ":" $7 }' "$tmp/$1" | sort | tr '\n' ' '
}
start=$(date +%s)
is "shard 1 (Fedora, the empty file): exit status 4; shard 2 (Debian): 0" \
   "$(shards jobs1)" "1:4 2:0 "
diag "first run: $(( $(date +%s) - start )) s"
grep -v '^goldsmith: Performing\|^goldsmith: Inspecting' "$tmp/jobs1.err" | sed 's/^/# stderr: /'
# Side by side: each started before the other ended.
ok "the two shards ran at once" \
   awk 'NR == 2 { s1 = $3; e1 = $3 + $4 } NR == 3 { s2 = $3; e2 = $3 + $4 }
        END { exit !(s2 < e1 && s1 < e2) }' "$tmp/jobs1"
goldsmith batch --json --merge-reports 2 "$tmp/fleet.conf" > "$tmp/r1.json" 2> "$tmp/r1.err"
is "merged: some images failed, exit status 4" "$?" 4
r1="$tmp/reports/fleet.json"
is "the report file is the one printed" "$(cmp "$r1" "$tmp/r1.json" && echo same)" same
# Each guest was prepared exactly once: in one command of its own shard
# (a sysprep and an inspect of one guest each: one launch each).
is "each guest in exactly one sysprep and one inspect, its shard's; four launches" \
   "$(j "$r1" 'r["appliance_launches"], [(x["tool"], x["entries"]) for x in r["runs"]]')" \
   "4 [('sysprep', [1]), ('inspect', [1]), ('sysprep', [2]), ('inspect', [2])]"
is "the empty file was refused, the two guests prepared and inspected" \
   "$(j "$r1" '" ".join(i["status"] + ":" + ",".join(s["status"] for s in i["steps"]) for i in r["images"])')" \
   "ok:ok,ok ok:ok,ok failed:failed,skipped"
ok "the refusal is in the report" \
   bash -c "python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"images\"][2][\"steps\"][0][\"error\"])' '$r1' | grep -q 'empty.img: too small to be a disk image'"
ok "the sysprep commands ran without the empty file" \
   bash -c "python3 -c 'import json,sys; print([x[\"argv\"] for x in json.load(open(sys.argv[1]))[\"runs\"]])' '$r1' | grep -vq empty.img"
# Each guest's sysprep report lists exactly its fixture's paths.
n=0
for g in fedora debian; do
  j "$r1" "json.dumps({'guests': [r['images'][$n]['steps'][0]['report']]})" > "$tmp/$g.json"
  ops=$(fixture expect-ops sysprep defaults)
  is "$g: sysprep ran exactly the documented default operations" \
     "$(fixture check-ops "$tmp/$g.json" "$ops")" ""
  fixture report "$ops" "$srcdir/tests/fixtures/$g.txt" > "$tmp/$g.expected"
  fixture actual "$tmp/$g.json" > "$tmp/$g.actual"
  is "$g: sysprep removed and changed exactly the fixture's paths" \
     "$(diff "$tmp/$g.expected" "$tmp/$g.actual")" ""
  ok "$g: ... and it removed some (machine-id, ssh-hostkeys)" \
     bash -c "grep -q '^machine-id change /etc/machine-id' '$tmp/$g.actual' && grep -q '^ssh-hostkeys remove /etc/ssh/ssh_host_' '$tmp/$g.actual'"
  is "$g: committed" "$(j "$tmp/$g.json" 'r["guests"][0]["committed"]')" True
  n=1
done
# Each image itself, read back on the host (no launch; the Fedora
# root is found in its LVM PV): exactly the fixture's targets gone or
# changed, nothing else, every mode, owner and attribute kept.
ops=$(fixture expect-ops sysprep defaults)
empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
for g in fedora debian; do
  fixture manifest "$ops" "$phony_guests/$g.manifest" \
    "$srcdir/tests/fixtures/$g.txt" > "$tmp/$g.manifest.expected"
  case $g in
    fedora) fedora_manifest "$tmp/$g.img" ;;
    debian) ext4_manifest "$tmp/$g.img" 1 ;;
  esac > "$tmp/$g.manifest.raw"
  fixture match "$tmp/$g.manifest.expected" "$tmp/$g.manifest.raw" \
    > "$tmp/$g.manifest"
  # (the read-back saw the image: its machine-id is there, emptied)
  is "$g, read back: exactly the targets are gone or changed, nothing else" \
     "$(diff "$tmp/$g.manifest.expected" "$tmp/$g.manifest"; grep -c "^/etc/machine-id file $empty 0444 " "$tmp/$g.manifest")" 1
done
is "inspect found Fedora and Debian after sysprep" \
   "$(j "$r1" '" ".join(i["steps"][1]["report"]["operatingsystems"][0]["distro"] for i in r["images"] if i["status"] == "ok")')" \
   "fedora debian"
is "the state: one file per image" "$(ls "$tmp/reports/fleet.state" | wc -l)" 3

# Again, the same array: nothing to launch (LIBGUESTFS_HV=/bin/false
# proves it), the two guests are done; the empty file fails again,
# before any launch.
start=$(date +%s%N)
is "again: shard 1 exit status 4 (the empty file), shard 2: 0" \
   "$(LIBGUESTFS_HV=/bin/false shards jobs2)" "1:4 2:0 "
diag "second run: $(( ($(date +%s%N) - start) / 1000000 )) ms"
noapp goldsmith batch --json --merge-reports 2 "$tmp/fleet.conf" > "$tmp/r2.json" 2> "$tmp/r2.err"
is "again, merged: exit status 4 (the empty file)" "$?" 4
is "again: no launch, only the empty file was tried" \
   "$(j "$tmp/r2.json" 'r["appliance_launches"], [(x["tool"], x["entries"]) for x in r["runs"]]')" \
   "0 [('sysprep', [3])]"
is "again: the guests' steps are already done" \
   "$(j "$tmp/r2.json" '" ".join(i["status"] + ":" + ",".join(s["status"] for s in i["steps"]) for i in r["images"])')" \
   "already-done:already-done,already-done already-done:already-done,already-done failed:failed,skipped"
is "again: the report keeps what the first run found" \
   "$(j "$tmp/r2.json" '" ".join(i["steps"][1]["report"]["operatingsystems"][0]["distro"] for i in r["images"] if i["status"] != "failed")')" \
   "fedora debian"

# A changed image is redone, from its first step; only it.
# (a later mtime, set outright: no sleep for the clock to move)
touch -d "@$(( $(stat -c %Y "$tmp/fedora.img") + 5 ))" "$tmp/fedora.img"
is "a touched image is redone, only it (and the failed one)" \
   "$(noapp goldsmith batch --plan --json "$tmp/fleet.conf" 2>/dev/null | python3 -c 'import json,sys; print(" ".join(x["tool"]+":"+",".join(map(str,x["entries"])) for x in json.load(sys.stdin)["runs"]))')" \
   "sysprep:1,3 inspect:1,3"
is "--force redoes every image" \
   "$(noapp goldsmith batch --plan --force --json "$tmp/fleet.conf" | python3 -c 'import json,sys; print(" ".join(x["tool"]+":"+",".join(map(str,x["entries"])) for x in json.load(sys.stdin)["runs"]))')" \
   "sysprep:1,2,3 inspect:1,2,3"
# Another tool at the end of the pipeline: only it runs.
sed -i 's/tools = \[ "sysprep", "inspect" \]/tools = [ "sysprep", "inspect", "sparsify" ]/' "$tmp/fleet.conf"
is "a step added to the pipeline: only it runs on the done images" \
   "$(noapp goldsmith batch --plan --json "$tmp/fleet.conf" 2>/dev/null | python3 -c 'import json,sys; print(" ".join(x["tool"]+":"+",".join(map(str,x["entries"])) for x in json.load(sys.stdin)["runs"]))')" \
   "sysprep:1,3 inspect:1,3 sparsify:1 sparsify:2 sparsify:3"
