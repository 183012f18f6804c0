#!/usr/bin/env bash
# Memory check of extension/overlap.c and extension/crosswalk.c: runs test/valgrind/overlap.sql (the
# statements of sql/200_overlap.sql and sql/210_crosswalk.sql with all their error paths, the Deventer
# crosswalk on generalised and densified layers, and 1,500 messy polygons of the dirty data set,
# valid and invalid) in a single-user backend under valgrind memcheck, in a throwaway data directory,
# and fails if any valgrind report has a frame in buurtmonitor.so. Reports inside the server itself
# are known false positives without PostgreSQL's suppression file and are only counted.
# Not run by scripts/test.sh (it takes a few minutes).
# Note: palloc'd chunks live inside larger malloc blocks, so overruns within a memory context are
# only caught by a server built with USE_VALGRIND; GEOS and our malloc-free code paths are checked.
source "$(dirname "$0")/../../scripts/common.sh"
set -euo pipefail
dir=$(mktemp -d /tmp/bm_valgrind.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chown postgres "$dir"
su postgres -c "$PG_BIN/initdb -D $dir/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
sed "s#@DATA@#$BUURTMONITOR_DATA#g" "$BM_ROOT/test/valgrind/overlap.sql" > "$dir/in.sql"
chown postgres "$dir/in.sql"
su postgres -c "valgrind --tool=memcheck --track-origins=yes --num-callers=30 --log-file=$dir/vg.log \
    $PG_BIN/postgres --single -j -D $dir/data postgres < $dir/in.sql > $dir/out.txt 2>&1" || true
grep -E "ERROR SUMMARY" "$dir/vg.log"
cp "$dir/vg.log" /tmp/overlap_valgrind.log  # kept for inspection
if ! grep -q 'dv_pairs = "96"' "$dir/out.txt" || ! grep -q 'invalid caught' "$dir/out.txt"; then
    echo "overlap_valgrind: the Deventer or dirty-data statement did not run" >&2; cat "$dir/out.txt" >&2; exit 1
fi
if grep -q "buurtmonitor" "$dir/vg.log"; then
    echo "overlap_valgrind: valgrind reports in buurtmonitor.so:" >&2
    grep -B5 -A30 "buurtmonitor" "$dir/vg.log" >&2
    exit 1
fi
echo "overlap_valgrind: no valgrind report in buurtmonitor.so"
