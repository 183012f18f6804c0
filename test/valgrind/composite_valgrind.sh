#!/usr/bin/env bash
# Memory check of extension/composite.c: runs test/valgrind/composite.sql (every C entry point
# of the social score, priority score and PCA code, error paths, and the 969 Utrecht buurten) in a
# single-user backend under valgrind memcheck, in a throwaway data directory, and fails if any
# valgrind report has a frame in buurtmonitor.so. Reports inside the server itself (WAL pwrite of
# padding bytes, a memcpy in the regex cache) are known false positives without PostgreSQL's
# suppression file and are only counted. Not run by scripts/test.sh (it takes about a minute).
# Note: palloc'd chunks live inside larger malloc blocks, so overruns within a memory context
# are only caught by a server built with USE_VALGRIND.
source "$(dirname "$0")/../../scripts/common.sh"
set -euo pipefail
dir=$(mktemp -d /tmp/bm_valgrind.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chown postgres "$dir"
su postgres -c "$PG_BIN/initdb -D $dir/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
sed "s#@DATA@#$BUURTMONITOR_DATA#" "$BM_ROOT/test/valgrind/composite.sql" > "$dir/in.sql"
chown postgres "$dir/in.sql"
su postgres -c "valgrind --tool=memcheck --track-origins=yes --num-callers=30 --log-file=$dir/vg.log \
    $PG_BIN/postgres --single -j -D $dir/data postgres < $dir/in.sql > $dir/out.txt 2>&1" || true
grep -E "ERROR SUMMARY" "$dir/vg.log"
if ! grep -q 'count = "969"' "$dir/out.txt"; then
    echo "composite_valgrind: the Utrecht statement did not run" >&2; cat "$dir/out.txt" >&2; exit 1
fi
if grep -q "buurtmonitor" "$dir/vg.log"; then
    echo "composite_valgrind: valgrind reports in buurtmonitor.so:" >&2
    grep -B5 -A30 "buurtmonitor" "$dir/vg.log" >&2
    exit 1
fi
echo "composite_valgrind: no valgrind report in buurtmonitor.so"
