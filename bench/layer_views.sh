#!/usr/bin/env bash
# Benchmark (issue 11): what a QGIS pan or zoom costs on a layer view against the same request on the
# areas table. QGIS asks a layer for the features in the map extent:
#   SELECT id, geom FROM buurtmonitor_layers.buurt_<v> WHERE geom && ST_MakeEnvelope(...)
# The layer view adds the names of parent, wijk and gemeente. The goal: at most 3 times the cost of
#   SELECT area_id, geom FROM buurtmonitor.areas WHERE level = 'buurt' AND vintage = <v> AND geom && ...
# with five national-size editions loaded (the real Utrecht province and Deventer buurten 2022, tiled
# 15 times as in bench/make_nl_layers.sql: about 15,500 buurten, 3,500 wijken, 400 gemeenten per
# edition, with their parent chain). Both requests run alternately, many times, in one session; the
# script prints the median times, their ratio and the machine.
# Not a test: run it by hand with the cluster up (PGPORT etc. as in scripts/common.sh).
#   BM_BENCH_REUSE=1  reuse the editions of an earlier run
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_bench_layers
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

echo "== machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(psql -X -At -d postgres -c 'SHOW server_version'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${BM_BENCH_REUSE:-0}" != 1 ] || ! q -c "SELECT 1 FROM buurtmonitor_layers.buurt_2024 LIMIT 1" >/dev/null 2>&1; then
    echo "== building five national-size editions (2020-2024)"
    bm_createdb "$DB"
    q -v utrecht="$BUURTMONITOR_DATA/utrecht/buurt_2022.geojson" \
      -v deventer="$BUURTMONITOR_DATA/deventer/buurt_2022.geojson" <<'SQL'
CREATE TEMP TABLE base AS
SELECT ft->'properties'->>'statcode' AS code, ft->'properties'->>'statnaam' AS name,
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(ft->'geometry'), 28992)) AS geom
  FROM (VALUES (pg_read_file(:'utrecht')::jsonb), (pg_read_file(:'deventer')::jsonb)) AS d(doc),
       jsonb_array_elements(d.doc->'features') AS ft;
-- tile k of 15 renames BU gggg ww bb to BU kk gggg ww bb (and its wijk and gemeente alike)
CREATE TEMP TABLE tiled AS
SELECT format('BU%s%s', lpad(k::text, 2, '0'), substr(b.code, 3)) AS code, b.name,
       format('WK%s%s', lpad(k::text, 2, '0'), substr(b.code, 3, 6)) AS wijk,
       format('GM%s%s', lpad(k::text, 2, '0'), substr(b.code, 3, 4)) AS gemeente,
       ST_Translate(b.geom, (k % 3) * 110000, (k / 3) * 53000) AS geom
  FROM base b, generate_series(0, 14) AS k;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code, geom)
SELECT gemeente, v, 'Gemeente ' || gemeente, 'gemeente', NULL::text, NULL::geometry
  FROM (SELECT DISTINCT gemeente FROM tiled) g, generate_series(2020, 2024) v
UNION ALL
SELECT wijk, v, 'Wijk ' || wijk, 'wijk', min(gemeente), NULL
  FROM tiled, generate_series(2020, 2024) v GROUP BY wijk, v
UNION ALL
SELECT code, v, name, 'buurt', wijk, geom FROM tiled, generate_series(2020, 2024) v;
SQL
    q -c "SELECT count(*) FROM buurtmonitor.create_layer_views()" >/dev/null
    q -c "VACUUM ANALYZE buurtmonitor.areas"
fi
q -At -c "SELECT level || ': ' || count(*) / count(DISTINCT vintage) || ' per edition, ' || count(DISTINCT vintage) || ' editions'
            FROM buurtmonitor.areas GROUP BY level ORDER BY level"

# A 26-feature extent: a box around one buurt in the middle of the city of Utrecht (tile 7).
box=$(q -At -c "SELECT format('ST_MakeEnvelope(%s, %s, %s, %s, 28992)', ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e))
                  FROM (SELECT ST_Expand(ST_Envelope(geom), 650) AS e FROM buurtmonitor.areas
                         WHERE code = 'BU0703440112' AND vintage = 2024) s")
[ -n "$box" ] || { echo "no anchor buurt"; exit 1; }
layer="SELECT id, name, gemeente_name, geom FROM buurtmonitor_layers.buurt_2024 WHERE geom && $box"
table="SELECT area_id, name, geom FROM buurtmonitor.areas WHERE level = 'buurt' AND vintage = 2024 AND geom && $box"
nl=$(q -At -c "SELECT count(*) FROM ($layer) s"); nt=$(q -At -c "SELECT count(*) FROM ($table) s")
echo "== features in the extent: layer view $nl, areas table $nt"
[ "$nl" = "$nt" ] || { echo "the layer view and the table disagree"; exit 1; }

# Latency as QGIS sees it: one statement per request, planned each time, over TCP, by pgbench with
# one client; the two requests alternate (three rounds of 5 s each) so load drifts hit both alike.
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
echo "SELECT id, name, gemeente_name, ST_AsBinary(geom) FROM buurtmonitor_layers.buurt_2024 WHERE geom && $box;" > "$W/layer.sql"
echo "SELECT area_id, name, ST_AsBinary(geom) FROM buurtmonitor.areas WHERE level = 'buurt' AND vintage = 2024 AND geom && $box;" > "$W/table.sql"
lat() { "$PG_BIN/pgbench" -n -T 5 -f "$W/$1.sql" "$DB" 2>&1 | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p'; }
tl=0; tt=0
for round in 1 2 3; do
    l=$(lat layer); t=$(lat table)
    echo "   round $round: layer view $l ms, areas table $t ms"
    tl=$(awk -v a="$tl" -v b="$l" 'BEGIN { print a + b }'); tt=$(awk -v a="$tt" -v b="$t" 'BEGIN { print a + b }')
done
awk -v l="$tl" -v t="$tt" 'BEGIN { printf "== mean latency: layer view %.3f ms, areas table %.3f ms, ratio %.2f (goal <= 3)\n", l / 3, t / 3, l / t }'
