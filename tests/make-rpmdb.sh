#!/bin/bash -
# SPDX-License-Identifier: GPL-2.0-or-later
# make-rpmdb.sh DIR: build on the host (no launch) the phony Fedora
# guest's RPM database, DIR/rpmdb.sqlite (the sqlite backend, as
# Fedora's since 33): the package of tests/fixtures/gs-hello.spec, built
# with rpmbuild and recorded with rpm -i --justdb.  Needs rpm (Debian
# package "rpm": rpmbuild and rpm).
set -e
dir="$1"
for p in rpm rpmbuild; do
  command -v $p > /dev/null || {
    echo "$0: $p is not installed (Debian package rpm)" >&2; exit 1; }
done
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
rpmbuild --quiet --define "_topdir $top" --target x86_64 \
  -bb "$(dirname "$0")/fixtures/gs-hello.spec" > "$top/build.log" 2>&1 ||
  { cat "$top/build.log" >&2; exit 1; }
rpm --dbpath "$top/db" --define '_db_backend sqlite' --initdb
rpm --dbpath "$top/db" --define '_db_backend sqlite' -i --justdb --nodeps \
  --ignorearch --ignoreos --noscripts "$top"/RPMS/x86_64/gs-hello-*.rpm \
  2> >(grep -v 'should not be used directly\|assuming you know' >&2)
q=$(rpm --dbpath "$top/db" -qa --qf '%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH}\n')
[ "$q" = "gs-hello 2 1.2 3.fc38 x86_64" ] ||
  { echo "$0: the database lists '$q'" >&2; exit 1; }
# rpm leaves the database in WAL mode, which SQLite cannot open on a
# read-only filesystem without its -shm file, and inspection mounts the
# guest read-only: a rollback journal, as a database copied without
# its -wal and -shm files must be.
python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
assert c.execute("pragma journal_mode=delete").fetchone()[0] == "delete"
c.close()' "$top/db/rpmdb.sqlite"
cp "$top/db/rpmdb.sqlite" "$dir/rpmdb.sqlite"
