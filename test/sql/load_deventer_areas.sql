-- Load the two CBS editions of Deventer's buurten (2018: 68, 2022: 69) into buurtmonitor.areas,
-- straight from the GeoJSON in $BUURTMONITOR_DATA (no parents: only the buurt level is needed).
-- Areas already loaded (by another test's loader) are left as they are.
-- Used by test/r_sf_oracle.sh and bench/crosswalk.sh.
\getenv datadir BUURTMONITOR_DATA
\set f2018 :datadir/deventer/buurt_2018.geojson
\set f2022 :datadir/deventer/buurt_2022.geojson
INSERT INTO buurtmonitor.areas (code, vintage, name, level, geom)
SELECT ft->'properties'->>'statcode', v.vintage, ft->'properties'->>'statnaam', 'buurt',
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(ft->'geometry'), 28992))
  FROM (VALUES (2018, pg_read_file(:'f2018')::jsonb), (2022, pg_read_file(:'f2022')::jsonb)) AS v(vintage, doc),
       jsonb_array_elements(v.doc->'features') AS ft
ON CONFLICT (code, vintage) DO NOTHING;
