#!/usr/bin/env bash
# The GeoPackage path: CBS publishes the wijk- en buurtkaart as a GeoPackage with fields
# buurtcode, buurtnaam, wijkcode, gemeentecode. We build such a GeoPackage from the real
# Deventer 2022 GeoJSON with ogr2ogr (renaming the fields the CBS way), load it into a staging
# table with ogr2ogr -f PostgreSQL, and load that with buurtmonitor.load_areas. The result must
# equal a direct load of the GeoJSON: 69 buurten, 15 wijken, 1 gemeente (python3 over the file),
# and the same geometries.
set -euo pipefail
: "${BUURTMONITOR_DATA:?}" "${PGPORT:?}"
db=bm_test_gpkg
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
psql -qX -d $db -c "SET client_min_messages = warning" -c "CREATE EXTENSION buurtmonitor CASCADE" >/dev/null

ogr2ogr -f GPKG "$tmp/wijkbuurtkaart.gpkg" "$BUURTMONITOR_DATA/deventer/buurt_2022.geojson" -nln buurten \
        -sql "SELECT statcode AS buurtcode, statnaam AS buurtnaam, wkCode AS wijkcode, gmCode AS gemeentecode FROM deventer_buurt_2022"
ogr2ogr -f PostgreSQL "PG:host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db" "$tmp/wijkbuurtkaart.gpkg" buurten \
        -nln staging_buurten -nlt MULTIPOLYGON -lco GEOMETRY_NAME=geom -t_srs EPSG:28992

psql -qX -d $db -v ON_ERROR_STOP=1 -v f="$BUURTMONITOR_DATA/deventer/buurt_2022.geojson" <<'SQL' > "$tmp/out.txt"
SET client_min_messages = warning;
SELECT buurtmonitor.load_areas('staging_buurten', 2022, code_column => 'buurtcode', name_column => 'buurtnaam',
                               parent_column => 'wijkcode');
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2023);
SELECT level, count(*) FROM buurtmonitor.areas WHERE vintage = 2022 GROUP BY 1 ORDER BY 1;
-- same codes, names and geometries as the direct GeoJSON load (loaded as "2023" for comparison)
SELECT count(*) AS differences FROM buurtmonitor.areas g FULL JOIN buurtmonitor.areas j
    ON j.code = g.code AND g.vintage = 2022 AND j.vintage = 2023
 WHERE (g.vintage = 2022 OR g.vintage IS NULL) AND (j.vintage = 2023 OR j.vintage IS NULL)
   AND (g.code IS NULL OR j.code IS NULL OR g.name IS DISTINCT FROM j.name OR NOT ST_Equals(g.geom, j.geom));
SQL
psql -qX -d postgres -c "DROP DATABASE $db" >/dev/null
cat "$tmp/out.txt"
expected=" load_areas 
------------
         69
(1 row)

 load_areas_geojson 
--------------------
                 69
(1 row)

  level   | count 
----------+-------
 buurt    |    69
 gemeente |     1
 wijk     |    15
(3 rows)

 differences 
-------------
           0
(1 row)
"
if [ "$(cat "$tmp/out.txt")" != "$(printf '%s' "$expected")" ]; then
    echo "ogr2ogr_gpkg: unexpected result"; diff <(printf '%s\n' "$expected") "$tmp/out.txt" || true; exit 1
fi
echo "ogr2ogr_gpkg: the GeoPackage loads the same 69 buurten as the GeoJSON"
