#!/bin/bash -
# The goldsmith command without an appliance: version, help, operation
# listing, effective configuration, a conf.d drop-in operation, and the
# manual pages generated from the plugins' metadata.
source "$(dirname "$0")/functions.sh"
plan 17

tmp="$builddir/tests/tmp/cli"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"

ok "--version prints the version and ABI" \
   bash -c "goldsmith --version | grep -Eq '^goldsmith [0-9.]+ \(plugin ABI 1\)$'"
ok "sysprep --help lists -a, --operations, --dry-run" \
   bash -c "goldsmith sysprep --help | grep -q -- '--add=IMAGE' &&
            goldsmith sysprep --help | grep -q -- '--operations=LIST' &&
            goldsmith sysprep --help | grep -q -- '--dry-run'"
ok "ops --help works" bash -c "goldsmith ops --help | grep -q Usage"

is "sysprep --list-operations in virt-sysprep's format" \
   "$(goldsmith sysprep --list-operations)" \
"bash-history * Remove the bash history in the guest
fs-uuids   Change filesystem UUIDs
logfiles * Remove many log files from the guest
lvm-uuids * Change LVM2 PV and VG UUIDs
machine-id * Remove the local machine ID
script * Run arbitrary scripts against the guest
ssh-hostkeys * Remove the SSH host keys in the guest"

is "ops sysprep shows name, default, phase, order, heading" \
   "$(goldsmith ops sysprep | head -2)" \
"NAME                     DEFAULT PHASE       ORDER  HEADING
bash-history             yes     filesystems     0  Remove the bash history in the guest"

ok "ops --json is valid JSON with config keys" \
   bash -c "goldsmith ops --json | python3 -c 'import json,sys; d=json.load(sys.stdin); ops={o[\"name\"]:o for o in d[\"operations\"]}; assert \"globs\" in [k[\"name\"] for k in ops[\"logfiles\"][\"keys\"]]; assert ops[\"logfiles\"][\"kind\"]==\"remove-paths\"'"

# --set and --operations reach the selection; config prints the merge.
is "--set overrides a key in the effective configuration" \
   "$(goldsmith config --set appliance.accel=tcg --set appliance.memsize=768 | grep -E '^  (accel|memsize) =')" \
"  accel = \"tcg\";
  memsize = 768;"
ok "config --json names every file read" \
   bash -c "goldsmith config --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert any(f.endswith(\"goldsmith.conf\") for f in d[\"files\"]); assert d[\"config\"][\"appliance\"][\"accel\"]==\"auto\"'"
is "--set sysprep.logfiles.enabled=false drops it from defaults" \
   "$(goldsmith sysprep --set sysprep.logfiles.enabled=false --list-operations | grep logfiles)" \
   "logfiles   Remove many log files from the guest"

# An administrator adds an operation by dropping a file in conf.d.
cp -r "$srcdir/conf" "$tmp/etc"
mkdir -p "$tmp/etc/conf.d"
cat > "$tmp/etc/conf.d/50-build-leftovers.conf" <<'CONF'
sysprep: {
  build-leftovers: {
    kind = "remove-paths";
    heading = "Remove our build leftovers";
    enabled = false;
    globs = [ "/opt/build/*.tmp" ];
  };
};
CONF
is "a conf.d drop-in defines a new operation" \
   "$(GOLDSMITH_SYSCONFDIR="$tmp/etc" goldsmith ops sysprep | grep build-leftovers)" \
   "build-leftovers          no      filesystems     0  Remove our build leftovers"
ok "conf.d overrides the shipped definition key by key" \
   bash -c "printf 'sysprep: { logfiles: { order = -10; }; };\n' > '$tmp/etc/conf.d/60-order.conf' &&
            GOLDSMITH_SYSCONFDIR='$tmp/etc' goldsmith ops sysprep | grep -q '^logfiles .* -10 '"
printf 'sysprep: {\n  dup: {\n    kind = "remove-paths";\n  };\n};\n' > "$tmp/etc/conf.d/70-bad.conf"
ok "a drop-in without a heading is refused with file and line" \
   bash -c "GOLDSMITH_SYSCONFDIR='$tmp/etc' goldsmith ops 2>&1 >/dev/null | grep -q '70-bad.conf:2: sysprep.dup: a new operation needs a heading'"

# Manual pages: generated, and the operation list is the plugins'.
for page in goldsmith goldsmith-sysprep; do
  ok "$page.1 was built" test -s "$builddir/docs/$page.1"
done
missing=""
for op in $(goldsmith ops sysprep --json | python3 -c 'import json,sys; print(" ".join(o["name"] for o in json.load(sys.stdin)["operations"]))'); do
  grep -q "^\.IP \"\\\\fB$op\\\\fR" "$builddir/docs/goldsmith-sysprep.1" || missing="$missing $op"
done
is "every operation is documented in goldsmith-sysprep(1)" "$missing" ""
ok "the man pages document the exit status" \
   bash -c "grep -q 'EXIT STATUS' '$builddir/docs/goldsmith.1' && grep -q 'EXIT STATUS' '$builddir/docs/goldsmith-sysprep.1'"

# make install puts every piece where goldsmith(1) says.
make -s -C "$builddir" install DESTDIR="$tmp/inst" >/dev/null 2>&1
missing=""
for f in bin/goldsmith lib/goldsmith/plugins/sysprep-machine-id.so \
         lib/goldsmith/plugins/sysprep-remove-paths.so \
         etc/goldsmith/goldsmith.conf etc/goldsmith/sysprep/logfiles.conf \
         include/goldsmith-plugin.h lib/pkgconfig/goldsmith-plugin.pc \
         share/man/man1/goldsmith.1 share/man/man1/goldsmith-sysprep.1; do
  [ -e "$tmp/inst/usr/local/$f" ] || [ -e "$tmp/inst/$f" ] || missing="$missing $f"
done
[ -d "$tmp/inst/usr/local/etc/goldsmith/conf.d" ] || missing="$missing conf.d"
is "make install installs binary, plugins, config, header, .pc, man pages" "$missing" ""
