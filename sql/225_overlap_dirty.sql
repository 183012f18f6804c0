-- Robustness on messy real geometry: all 11,691 CBS buurten of 2014 quantised to a coarse WGS84 grid
-- ($BUURTMONITOR_DATA/dirty, CBS, CC BY 4.0), transformed to RD New.  About 1,100 polygons are invalid
-- and many are empty or have zero area; neighbours overlap and touch in near-degenerate ways.
--   * valid pairs: overlap_area against PostGIS ST_Area(ST_Intersection()), to 1e-6 relative plus an
--     absolute floor of 1e-6 m2 (one square millimetre: below that both results are rounding noise of
--     coordinates around 4e5 m, whose last bit is 6e-11 m);
--   * invalid geometries: every one gives the clean "invalid geometry" error, never a crash or a number.
SET extra_float_digits = 0;
SET client_min_messages = warning;  -- ST_IsValid prints a NOTICE per invalid polygon
\getenv datadir BUURTMONITOR_DATA
\set fdirty :datadir/dirty/nl_buurt_2014_coarse_wgs84.geojson

CREATE TABLE dirty AS
SELECT f->'properties'->>'statcode' AS code,
       ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326), 28992) AS geom
  FROM jsonb_array_elements(pg_read_file(:'fdirty')::jsonb->'features') AS f
 WHERE f->'geometry' <> 'null'::jsonb;
ALTER TABLE dirty ADD valid boolean;
UPDATE dirty SET valid = ST_IsValid(geom);
CREATE INDEX ON dirty USING gist (geom);
SELECT count(*) AS polygons, count(*) FILTER (WHERE valid) AS valid,
       count(*) FILTER (WHERE NOT valid) AS invalid, count(*) FILTER (WHERE ST_IsEmpty(geom)) AS empty
  FROM dirty;

-- Every intersecting or touching pair of valid polygons (including each polygon with itself).
CREATE TABLE dirty_pairs AS
SELECT a.code AS s, b.code AS t,
       buurtmonitor.overlap_area(a.geom, b.geom) AS ours,
       ST_Area(ST_Intersection(a.geom, b.geom)) AS postgis
  FROM dirty a JOIN dirty b ON ST_Intersects(a.geom, b.geom)
 WHERE a.valid AND b.valid;
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE postgis > 0) AS postgis_positive,
       count(*) FILTER (WHERE abs(ours - postgis) > 1e-6 * postgis + 1e-6) AS outside_tolerance,
       count(*) FILTER (WHERE abs(ours - postgis) > 1e-6 * postgis) AS outside_1e6_rel_only,
       count(*) FILTER (WHERE ours > 0 AND postgis = 0) AS ours_only,
       count(*) FILTER (WHERE ours = 0 AND postgis > 0) AS postgis_only
  FROM dirty_pairs;

-- Each invalid polygon against itself (and against a valid square, as the second argument):
-- count the outcomes by SQLSTATE and message.
CREATE FUNCTION pg_temp.try_overlap(a geometry, b geometry) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM buurtmonitor.overlap_area(a, b);
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || regexp_replace(SQLERRM, 'argument [ab]', 'argument _');
END $$;
SELECT pg_temp.try_overlap(geom, geom) AS outcome, count(*) AS invalid_polygons
  FROM dirty WHERE NOT valid GROUP BY 1 ORDER BY 1;
SELECT pg_temp.try_overlap('SRID=28992;POLYGON((0 0,1 0,1 1,0 1,0 0))', geom) AS outcome, count(*) AS invalid_polygons
  FROM dirty WHERE NOT valid GROUP BY 1 ORDER BY 1;

-- The crosswalk refuses the whole layer, naming the first invalid key it meets.
DO $$
BEGIN
    PERFORM * FROM buurtmonitor.crosswalk('dirty', 'dirty', source_filter => 'valid');
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING '% (%)', regexp_replace(SQLERRM, '"BU[0-9]+"', '"<key>"'), SQLSTATE;
END $$;

-- And on the valid polygons alone it agrees with the pairs above (min_width 0, no renormalisation):
-- every pair with overlap_area > 0 between different buurten, share = overlap / source area.
SELECT count(*) AS crosswalk_pairs,
       count(*) FILTER (WHERE p.s IS NULL OR c.overlap_area <> p.ours) AS differ_from_overlap_area
  FROM buurtmonitor.crosswalk('dirty', 'dirty', min_width => 0, renormalise => false,
                              source_filter => 'valid AND NOT ST_IsEmpty(geom)',
                              target_filter => 'valid AND NOT ST_IsEmpty(geom)') c
  LEFT JOIN dirty_pairs p ON (p.s, p.t) = (c.source_code, c.target_code);
