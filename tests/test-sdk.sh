#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin SDK as a contract (goldsmith-plugin(3)), without an
# appliance: the header compiles on its own as C99 and as C++; the
# functions it declares are exactly the plugin API list and exactly
# what the goldsmith program exports; its version is goldsmith's; the
# installed .pc adds no build-mode flags; the man page is installed; a
# plugin that breaks the ABI rule is refused before any of its code runs.
source "$(dirname "$0")/functions.sh"
plan 8

tmp="$builddir/tests/tmp/sdk"
rm -rf "$tmp"; mkdir -p "$tmp"
cleanup_fn rm -rf "$tmp"
h="$srcdir/include/goldsmith-plugin.h"
deps=$(pkg-config --cflags libguestfs libconfig)

ok "the header compiles on its own as C99" \
   cc -std=c99 -Wall -Wextra -Werror -fsyntax-only $deps -x c "$h"
ok "the header compiles on its own as C++" \
   c++ -std=c++11 -Wall -Wextra -Werror -fsyntax-only $deps -x c++ "$h"

# The API: declared in the header, listed for the linker, exported.
python3 - "$h" > "$tmp/declared" <<'PY'
import re, sys
text = re.sub(r"/\*.*?\*/", "", open(sys.argv[1]).read(), flags=re.S)
print("\n".join(sorted(set(re.findall(r"\bextern\b[^;(]*?\b(gs_\w+)\s*\(", text)))))
PY
sed -n 's/^ *\(gs_[a-z_]*\);$/\1/p' "$srcdir/common/plugin-api.syms" | sort > "$tmp/listed"
nm -D --defined-only "$builddir/goldsmith" | awk '$3 ~ /^gs_/ { print $3 }' |
  sort > "$tmp/exported"
is "the header declares exactly the functions plugin-api.syms lists" \
   "$(diff "$tmp/declared" "$tmp/listed")" ""
is "the goldsmith program exports exactly those, and nothing else of its own" \
   "$(diff "$tmp/listed" "$tmp/exported")" ""

is "GS_PLUGIN_HEADER_VERSION is goldsmith's version" \
   "$(sed -n 's/^#define GS_PLUGIN_HEADER_VERSION "\([^"]*\)".*/\1/p' "$h")" \
   "$(goldsmith --version | sed -n 's/^goldsmith \([0-9.]*\) .*/\1/p')"

make -s -C "$builddir" install-includeHEADERS install-pkgconfigDATA \
  install-man DESTDIR="$tmp/root" >/dev/null 2>&1
pcdir=$(find "$tmp/root" -name goldsmith-plugin.pc -printf '%h\n')
is "the installed .pc adds no build-mode flags (-fPIC, -shared are the plugin's own)" \
   "$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs goldsmith-plugin |
      grep -oE -- '-fPIC|-shared|-O[0-9s]?|-g\b')" ""
ok "goldsmith-plugin(3) is installed and states the ABI rule" \
   bash -c "f=\$(find '$tmp/root' -name goldsmith-plugin.3); test -n \"\$f\" && grep -q 'The ABI rule' \"\$f\""

# A plugin without build_version (its entry written by hand) is refused
# with one line naming it.
cat > "$tmp/nover.c" <<'EOF'
#include <goldsmith-plugin.h>
static int perform (struct gs_op *o, struct gs_ctx *c, guestfs_h *g,
                    const char *r) { (void) o; (void) c; (void) g; (void) r; return 0; }
static const struct gs_operation op = {
  .name = "nover", .family = "sysprep", .heading = "No build version",
  .phase = GS_PHASE_FILESYSTEMS, .perform = perform,
};
static const struct gs_operation *const ops[] = { &op, NULL };
__attribute__((visibility ("default")))
const struct gs_plugin_entry gs_plugin_entry = {
  GS_PLUGIN_ABI_VERSION, sizeof (struct gs_operation), NULL, ops,
};
EOF
mkdir "$tmp/plugins"
cc -fPIC -shared -I"$srcdir/include" $deps -o "$tmp/plugins/nover.so" \
   "$tmp/nover.c"
GOLDSMITH_PLUGIN_PATH="$tmp/plugins" goldsmith sysprep --list-operations \
  > /dev/null 2> "$tmp/err"
is "a plugin without build_version: exit status 2, one line naming it" \
   "$?|$(grep -c . "$tmp/err")|$(grep -c 'nover.so: plugin entry has no build_version' "$tmp/err")" \
   "2|1|1"
