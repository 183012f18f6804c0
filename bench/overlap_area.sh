#!/usr/bin/env bash
# Benchmark of the overlap engine (issue 3): buurtmonitor.overlap_area(s.geom, t.geom) against the
# PostGIS peer ST_Area(ST_Intersection(s.geom, t.geom)), both evaluated for every pair of the same
# ST_Intersects join (GiST indexes), and buurtmonitor.crosswalk(min_width => 0) on the same layers.
# Layers (real CBS shapes from $BUURTMONITOR_DATA):
#   deventer  : Deventer buurten 2018 x 2022, generalised (a handful of vertices per buurt)
#   deventer5 : the same densified to a vertex every 5 m (ST_Segmentize)
#   utrecht5  : the 969 buurten of the province of Utrecht densified to 5 m (~940 vertices each) against
#               the same shapes moved 3 m east and 2 m north and densified (every boundary gives slivers)
# Each query runs in its own psql session; the script checks that the summed areas agree to 1e-6
# relative and prints times, ratios (peer / ours) and the machine. Not a test: run it by hand with the
# cluster up (PGPORT etc. as in scripts/common.sh). The full crosswalk benchmark is bench/crosswalk.sh.
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_bench_overlap
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
timed() {
    local t0 t1 out
    t0=$(date +%s.%N); out=$(q -c "$1"); t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v o="$out" 'BEGIN { printf "%.3f %s", b - a, o }'
}

echo "== machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), PostgreSQL $(psql -X -At -d postgres -c 'SHOW server_version'), load $(cut -d' ' -f1-3 /proc/loadavg)"
bm_createdb "$DB"
q -v datadir="$BUURTMONITOR_DATA" <<'SQL'
\set f18 :datadir/deventer/buurt_2018.geojson
\set f22 :datadir/deventer/buurt_2022.geojson
\set fu :datadir/utrecht/buurt_2022.geojson
CREATE TABLE deventer_s AS SELECT f->'properties'->>'statcode' AS code, ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 28992) AS geom
  FROM jsonb_array_elements(pg_read_file(:'f18')::jsonb->'features') f;
CREATE TABLE deventer_t AS SELECT f->'properties'->>'statcode' AS code, ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 28992) AS geom
  FROM jsonb_array_elements(pg_read_file(:'f22')::jsonb->'features') f;
CREATE TABLE deventer5_s AS SELECT code, ST_Segmentize(geom, 5) AS geom FROM deventer_s;
CREATE TABLE deventer5_t AS SELECT code, ST_Segmentize(geom, 5) AS geom FROM deventer_t;
CREATE TABLE utrecht5_s AS SELECT f->'properties'->>'statcode' AS code,
       ST_Segmentize(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 28992), 5) AS geom
  FROM jsonb_array_elements(pg_read_file(:'fu')::jsonb->'features') f;
CREATE TABLE utrecht5_t AS SELECT code, ST_Segmentize(ST_Translate(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 28992), 3, 2), 5) AS geom
  FROM (SELECT f, f->'properties'->>'statcode' AS code FROM jsonb_array_elements(pg_read_file(:'fu')::jsonb->'features') f) s;
SQL
for l in deventer deventer5 utrecht5; do
    q -c "CREATE INDEX ON ${l}_s USING gist (geom); CREATE INDEX ON ${l}_t USING gist (geom); ANALYZE ${l}_s; ANALYZE ${l}_t;"
done

printf "%-10s %8s %8s %10s %10s %10s %9s %9s %s\n" layer pairs vertices ours_s peer_s xwalk_s peer/ours peer/xwalk check
for l in deventer deventer5 utrecht5; do
    join="FROM ${l}_s s JOIN ${l}_t t ON ST_Intersects(s.geom, t.geom)"
    pairs=$(q -c "SELECT count(*) $join")
    verts=$(q -c "SELECT round(avg(ST_NPoints(geom))) FROM ${l}_s")
    read -r t_ours a_ours <<<"$(timed "SELECT sum(buurtmonitor.overlap_area(s.geom, t.geom)) $join")"
    read -r t_peer a_peer <<<"$(timed "SELECT sum(ST_Area(ST_Intersection(s.geom, t.geom))) $join")"
    read -r t_xw a_xw <<<"$(timed "SELECT sum(overlap_area) FROM buurtmonitor.crosswalk('${l}_s', '${l}_t', min_width => 0)")"
    check=$(awk -v a="$a_ours" -v b="$a_peer" -v c="$a_xw" 'BEGIN { d = (a > b ? a - b : b - a); e = (c > b ? c - b : b - c);
        print (d <= 1e-6 * b && e <= 1e-6 * b) ? "areas agree" : "AREAS DIFFER " a " " b " " c }')
    printf "%-10s %8s %8s %10s %10s %10s %9.1f %9.1f %s\n" "$l" "$pairs" "$verts" "$t_ours" "$t_peer" "$t_xw" \
        "$(awk -v a="$t_peer" -v b="$t_ours" 'BEGIN { print a / b }')" "$(awk -v a="$t_peer" -v b="$t_xw" 'BEGIN { print a / b }')" "$check"
done
psql -X -q -d postgres -c "DROP DATABASE $DB"
