#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# Encrypted guests: a LUKS partition holding LVM (VG CVG, LV root: a
# minimal Debian root; LV data: LUKS again, ext4 inside).  goldsmith
# sysprep opens both with --key (the LUKS UUID, the /dev/mapper name as
# IDs), finds the root inside, empties its machine-id, and changes the
# UUID of the filesystem inside the LV's LUKS (fs-uuids),
# read back through libguestfs's Perl binding (not through goldsmith);
# the key appears in no output.  A wrong key for the device: exit
# status 2, one error naming the device, the image byte-identical.
# Three launches: the build, the run, the read-back; the wrong key's
# launch stops right after the appliance starts.
source "$(dirname "$0")/../functions.sh"
requires_appliance
plan 8

tmp="$builddir/tests/tmp/luks"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
key=goldsmith-test-key
img="$tmp/luks.img"

# The LUKS header on the host (a fast PBKDF: opening it in a TCG
# appliance costs nothing), then the inside through the appliance.
truncate -s 100M "$img"
printf 'label: dos\n,,83\n' | sfdisk -q "$img"
start=$(partx -g -o START -n 1 "$img")
sectors=$(partx -g -o SECTORS -n 1 "$img")
truncate -s $((sectors * 512)) "$tmp/part.bin"
printf %s "$key" | cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 \
  --pbkdf-force-iterations 1000 --key-file=- "$tmp/part.bin" ||
  bail "cryptsetup luksFormat failed"
uuid=$(cryptsetup luksUUID "$tmp/part.bin")
dd if="$tmp/part.bin" of="$img" bs=512 seek="$start" conv=notrunc,sparse status=none
rm -f "$tmp/part.bin"
truncate -s 24M "$tmp/data.luks"
printf %s "$key-data" | cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 \
  --pbkdf-force-iterations 1000 --key-file=- "$tmp/data.luks" ||
  bail "cryptsetup luksFormat failed"
perl "$srcdir/tests/luks/luks-guest.pl" build "$img" "$key" \
  "$tmp/data.luks" "$key-data" ||
  bail "the encrypted phony guest could not be built"
is "the guest's machine-id, before" \
   "$(perl "$srcdir/tests/luks/luks-guest.pl" machine-id "$img" "$key")" 33

goldsmith sysprep --json --key "$uuid:key:$key" \
  --key "/dev/mapper/CVG-data:key:$key-data" --operations machine-id,fs-uuids \
  -a "$img" > "$tmp/report.json" 2> "$tmp/stderr"
is "sysprep with the keys (a LUKS UUID, a /dev/mapper name as IDs): exit status 0" "$?" 0
sed 's/^/# stderr: /' "$tmp/stderr"
is "the root inside LVM inside LUKS was found and prepared" \
   "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["guests"][0]["roots"][0]; print(r["root"], " ".join(o["name"]+":"+o["status"] for o in r["operations"]))' "$tmp/report.json")" \
   "/dev/CVG/root machine-id:applied fs-uuids:applied"
is "LUKS inside the LV was opened too: fs-uuids changed the filesystem in it" \
   "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["guests"][0]["roots"][0]; print(" ".join(sorted(p["path"] for o in r["operations"] if o["name"]=="fs-uuids" for p in o["paths"])))' "$tmp/report.json")" \
   "/dev/CVG/root /dev/mapper/luks-$(cryptsetup luksUUID "$tmp/data.luks")"
is "read back (Perl, not goldsmith): the machine-id is empty" \
   "$(perl "$srcdir/tests/luks/luks-guest.pl" machine-id "$img" "$key")" 0
is "the keys are in no output" "$(cat "$tmp/report.json" "$tmp/stderr" | grep -c -- "$key")" 0

sum=$(sha256sum < "$img")
goldsmith inspect --key "/dev/sda1:key:wrong-key" -a "$img" \
  > /dev/null 2> "$tmp/wrong.stderr"
is "a wrong key: exit status 2, one error naming the device" \
   "$?|$(grep -c 'error' "$tmp/wrong.stderr")|$(grep -c '/dev/sda1: the key given for it does not open this encrypted device' "$tmp/wrong.stderr")" \
   "2|1|1"
is "... and the image is byte-identical" "$(sha256sum < "$img")" "$sum"
