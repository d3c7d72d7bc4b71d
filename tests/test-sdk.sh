#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin SDK as a contract (goldsmith-plugin(3)), without an
# appliance: the header compiles on its own as C99 and as C++; the
# functions it declares are exactly the plugin API list and exactly
# what the goldsmith program exports; its version is goldsmith's; the
# installed .pc adds no build-mode flags; the man page is installed; a
# plugin that breaks the ABI rule is refused before any of its code runs;
# a third-party operation declares command-line options of its own,
# which --help shows and which reach it as typed configuration.
source "$(dirname "$0")/functions.sh"
plan 14

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

# A third-party operation with options of its own (ABI 2): --help
# lists them; each use reaches .configure as a value of the key's type,
# in command-line order; an option of an operation not selected is an
# error; an option that clashes with goldsmith's own, or sets a key of
# another type, is refused when the plugin loads.
cat > "$tmp/opts.c" <<'C'
#include <stdio.h>
#include <goldsmith-plugin.h>
static const struct gs_config_key keys[] = {
  { "note", GS_KEY_STRING, "a note" },
  { "tags", GS_KEY_STRINGS, "tags" },
  { "loud", GS_KEY_BOOL, "louder" },
  { NULL, 0, NULL },
};
static const struct gs_option options[] = {
  { "probe-note", GS_OPTION_STRING, "note", NULL, "TEXT", "Leave a note" },
  { "probe-tag", GS_OPTION_APPEND, "tags", "tag", "NAME", "Add a tag" },
  { "probe-tags", GS_OPTION_LIST, "tags", NULL, "A,B", "Add tags" },
  { "probe-loud", GS_OPTION_TRUE, "loud", NULL, NULL, "Be loud" },
  { NULL, 0, NULL, NULL, NULL, NULL },
};
/* Says what it was given, one line per value, in order. */
static int configure (struct gs_op *o, const config_setting_t *s) {
  const char *v; int b; const config_setting_t *a;
  (void) o;
  if (config_setting_lookup_string (s, "note", &v))
    gs_warning ("note=%s", v);
  if ((a = config_setting_get_member (s, "tags")) != NULL)
    for (int i = 0; i < config_setting_length (a); ++i)
      gs_warning ("tag=%s", config_setting_get_string_elem (a, i));
  if (config_setting_lookup_bool (s, "loud", &b))
    gs_warning ("loud=%d (a bool: %d)", b,
                config_setting_type (config_setting_get_member (s, "loud"))
                == CONFIG_TYPE_BOOL);
  return 0;
}
static int perform (struct gs_op *o, struct gs_ctx *c, guestfs_h *g,
                    const char *r) { (void) o; (void) c; (void) g; (void) r; return 0; }
static const struct gs_operation op = {
  .name = "probe-opts", .family = "sysprep", .heading = "Probe options",
  .phase = GS_PHASE_FILESYSTEMS, .keys = keys, .options = options,
  .configure = configure, .perform = perform,
};
GS_REGISTER_PLUGIN (&op);
C
mkdir "$tmp/optplugins"
cc -fPIC -shared -I"$srcdir/include" $deps -o "$tmp/optplugins/opts.so" \
   "$tmp/opts.c"
export GOLDSMITH_PLUGIN_PATH="$tmp/optplugins"
is "--help lists a third-party operation's own options" \
   "$(goldsmith sysprep --help | grep -oE -- '--probe-(note|tags|tag|loud)\b' | tr '\n' ' ')" \
   "--probe-note --probe-tag --probe-tags --probe-loud "
goldsmith sysprep --operations +probe-opts --probe-tag a --probe-note hi \
  --probe-tags b,c --probe-loud --list-operations > /dev/null 2> "$tmp/err"
is "each use reaches .configure typed, in command-line order" \
   "$(sed -n 's/^goldsmith: probe-opts: warning: //p' "$tmp/err" | tr '\n' ' ')" \
   "tag=tag:a note=hi tag=b tag=c loud=1 (a bool: 1) "
goldsmith sysprep --probe-note hi -a /nonexistent.img > /dev/null 2> "$tmp/err"
is "an option of an operation not selected: exit status 2, one line" \
   "$?|$(grep -v 'probe-opts: warning' "$tmp/err")" \
   "2|goldsmith: error: --probe-note: the probe-opts operation is not enabled (add it with --operations +probe-opts, or --enable)"
goldsmith sysprep --probe-tags 'a,,b' --operations +probe-opts \
  -a /nonexistent.img > /dev/null 2> "$tmp/err"
is "an empty element in a list option: exit status 2, one line" \
   "$?|$(cat "$tmp/err")" "2|goldsmith: error: --probe-tags a,,b: empty name in the list"
sed -e 's/"probe-note"/"dry-run"/' "$tmp/opts.c" > "$tmp/clash.c"
sed -e 's/{ "probe-loud", GS_OPTION_TRUE, "loud"/{ "probe-loud", GS_OPTION_TRUE, "note"/' \
  "$tmp/opts.c" > "$tmp/type.c"
for bad in clash type; do
  mkdir "$tmp/bad-$bad"
  cc -fPIC -shared -I"$srcdir/include" $deps -o "$tmp/bad-$bad/$bad.so" \
     "$tmp/$bad.c"
  GOLDSMITH_PLUGIN_PATH="$tmp/bad-$bad" goldsmith sysprep --help \
    > /dev/null 2> "$tmp/err-$bad"
  echo "$?" >> "$tmp/err-$bad"
done
is "an option named like one of goldsmith sysprep's own is refused, naming both" \
   "$(cat "$tmp/err-clash")" \
   "goldsmith: error: $tmp/bad-clash/clash.so: option --dry-run of operation \"probe-opts\" is one of goldsmith sysprep's own options
2"
is "an option that would set a key of another type is refused when the plugin loads" \
   "$(cat "$tmp/err-type")" \
   "goldsmith: error: $tmp/bad-type/type.so: operation \"probe-opts\": option --probe-loud must set one of its keys, of the type the option gives
2"
