#!/usr/bin/env bash
# Instruction counts of buurtmonitor.crosswalk (valgrind --tool=callgrind, deterministic, so it shows
# the effect of an engine change despite a noisy shared machine): the current build against the build
# of an earlier commit, on one densified tile of the bench/crosswalk.sh layers (575 x 575 buurten,
# about 549k vertices per layer), in a single-user backend. Both builds run the same query on the same
# data in this one run; the script prints both totals, their ratio and the machine.
#   usage: bash bench/overlap_callgrind.sh [before-commit]     (default 8134a30)
# Needs the database bm_bench_crosswalk of bench/crosswalk.sh (run that once) and a built tree.
# Not a test, and no peer: the PostGIS idiom is timed against crosswalk in bench/crosswalk.sh.
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
BEFORE=${1:-8134a30}
WORK=$(mktemp -d /tmp/bm_callgrind.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"
echo "== machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"

# the two builds: this tree, and $BEFORE built apart
flock /tmp/bm_build.lock make -C "$BM_ROOT" -s -j2 >/dev/null   # the lock: builds of others in the same tree
cp "$BM_ROOT/buurtmonitor.so" "$WORK/now.so"
mkdir "$WORK/src"
git -C "$BM_ROOT" archive "$BEFORE" Makefile buurtmonitor.control extension | tar x -C "$WORK/src"
make -C "$WORK/src" -s -j2 >/dev/null 2>&1
cp "$WORK/src/buurtmonitor.so" "$WORK/before.so"

# the data: one tile of the densified layers, as INSERT statements for a single-user backend
sel="WHERE code LIKE 'T00%' AND code > 'T00_BU0344'"
{
    printf 'CREATE EXTENSION buurtmonitor CASCADE;\n\n'
    printf 'CREATE TABLE s (code text, geom geometry);\n\nCREATE TABLE t (code text, geom geometry);\n\n'
    psql -X -At -d bm_bench_crosswalk -c "SELECT format(E'INSERT INTO s VALUES (%L, %L);\n', code, geom::text) FROM src_dense $sel"
    psql -X -At -d bm_bench_crosswalk -c "SELECT format(E'INSERT INTO t VALUES (%L, %L);\n', code, geom::text) FROM tgt_dense $sel"
} > "$WORK/load.sql"
chown -R postgres "$WORK"
su postgres -c "$PG_BIN/initdb -D $WORK/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
su postgres -c "$PG_BIN/postgres --single -j -D $WORK/data postgres < $WORK/load.sql > $WORK/load.out 2>&1"

# one crosswalk per build, counted from the call of the C function on
for v in before now; do
    cat > "$WORK/q_$v.sql" <<SQL
CREATE FUNCTION cw_$v(source regclass, target regclass, source_key text DEFAULT 'code', target_key text DEFAULT 'code', source_geom text DEFAULT 'geom', target_geom text DEFAULT 'geom', min_width double precision DEFAULT 20, points regclass DEFAULT NULL, points_geom text DEFAULT 'geom', source_filter text DEFAULT NULL, target_filter text DEFAULT NULL, renormalise boolean DEFAULT true) RETURNS TABLE(source_code text, target_code text, overlap_area double precision, share double precision) LANGUAGE C AS '$WORK/$v.so', 'bm_crosswalk';

SELECT count(*), sum(overlap_area) FROM cw_$v('s', 't', min_width => 0, renormalise => false);

SQL
    chown postgres "$WORK/q_$v.sql"
    su postgres -c "valgrind --tool=callgrind --toggle-collect=bm_crosswalk --callgrind-out-file=$WORK/cg_$v.out \
        $PG_BIN/postgres --single -j -D $WORK/data postgres < $WORK/q_$v.sql > $WORK/out_$v.txt 2>&1"
    result=$(grep -E '(count|sum) = ' "$WORK/out_$v.txt" | sed 's/.*= "\([^"]*\)".*/\1/' | tr '\n' ' ')
    total=$(callgrind_annotate "$WORK/cg_$v.out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    echo "$v: pairs and area sum: $result instructions: $total"
    eval "ir_$v=$total"
done
awk -v a="$ir_before" -v b="$ir_now" 'BEGIN { printf "instructions now / before = %.3f (%.1f%% fewer)\n", b / a, 100 * (1 - b / a) }'
