-- Bad input to the loaders: every case is refused as a whole, with an error that names the
-- offending rows, and nothing is written. Small cases are synthetic (labelled), the broken
-- geometry is the real dirty file in $BUURTMONITOR_DATA/dirty.
\getenv datadir BUURTMONITOR_DATA
SET client_min_messages = notice;
\set SHOW_CONTEXT never

-- synthetic staging table: two 100 m squares and a bow-tie
CREATE TEMP TABLE stage (code text, name text, geom geometry);
INSERT INTO stage VALUES
    ('BU99990101', 'Noord', ST_GeomFromText('POLYGON((0 0,100 0,100 100,0 100,0 0))', 28992)),
    ('BU99990102', 'Zuid',  ST_GeomFromText('POLYGON((100 0,200 0,200 100,100 100,100 0))', 28992));

-- not a FeatureCollection
SELECT buurtmonitor.load_areas_geojson('{"type": "Feature"}', 2020);
-- unknown level, non-CBS codes without a level
SELECT buurtmonitor.load_areas('stage', 2020, level => 'kwartier');
INSERT INTO stage VALUES ('Oost', 'Oost', ST_GeomFromText('POLYGON((200 0,300 0,300 100,200 100,200 0))', 28992));
SELECT buurtmonitor.load_areas('stage', 2020);
DELETE FROM stage WHERE code = 'Oost';
-- duplicate codes
INSERT INTO stage VALUES ('BU99990101', 'Noord bis', ST_GeomFromText('POLYGON((0 100,100 100,100 200,0 200,0 100))', 28992));
SELECT buurtmonitor.load_areas('stage', 2020);
DELETE FROM stage WHERE name = 'Noord bis';
-- another SRID (synthetic WGS84 square near Deventer)
INSERT INTO stage VALUES ('BU99990103', 'WGS', ST_GeomFromText('POLYGON((6.1 52.2,6.2 52.2,6.2 52.3,6.1 52.2))', 4326));
SELECT buurtmonitor.load_areas('stage', 2020);
DELETE FROM stage WHERE code = 'BU99990103';
-- a line is not an area
INSERT INTO stage VALUES ('BU99990104', 'Lijn', ST_GeomFromText('LINESTRING(0 0,1 1)', 28992));
SELECT buurtmonitor.load_areas('stage', 2020);
DELETE FROM stage WHERE code = 'BU99990104';
-- invalid geometry (a bow-tie): refused, or repaired and reported on request
INSERT INTO stage VALUES ('BU99990105', 'Strik', ST_GeomFromText('POLYGON((0 200,100 300,100 200,0 300,0 200))', 28992));
SELECT buurtmonitor.load_areas('stage', 2020);
SELECT count(*) AS nothing_written FROM buurtmonitor.areas WHERE vintage = 2020;
SELECT buurtmonitor.load_areas('stage', 2020, repair => true) AS loaded;
-- the repaired bow-tie is two triangles of 50 * 100 / 2 = 2500 m² each
SELECT code, GeometryType(geom), ST_NumGeometries(geom), ST_Area(geom) FROM buurtmonitor.areas
 WHERE code = 'BU99990105';
-- the same vintage again
SELECT buurtmonitor.load_areas('stage', 2020, repair => true);
-- a parent that is missing (synthetic stadsdeel codes)
CREATE TEMP TABLE stadsdelen (code text, name text, parent text, geom geometry);
INSERT INTO stadsdelen VALUES ('SD01', 'Binnenstad', 'GM9998', ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 0))', 28992));
SELECT buurtmonitor.load_areas('stadsdelen', 2020, level => 'stadsdeel', parent_column => 'parent', derive_parents => false);
-- an empty geometry
UPDATE stadsdelen SET parent = 'GM9999', geom = 'POLYGON EMPTY'::geometry;
SELECT ST_SetSRID(geom, 28992) IS NOT NULL FROM stadsdelen;
UPDATE stadsdelen SET geom = ST_SetSRID(geom, 28992);
SELECT buurtmonitor.load_areas('stadsdelen', 2020, level => 'stadsdeel', parent_column => 'parent');

-- The real dirty file: all 11,691 buurten of 2014 on a coarse WGS84 grid, many of them
-- invalid or empty. R sf agrees on the number of invalid ones after the transformation:
--   st_is_valid(st_transform(st_read(f), 28992)) -> 1094 FALSE (the 10 named + 1084 more).
\set f :datadir '/dirty/nl_buurt_2014_coarse_wgs84.geojson'
SELECT set_config('bm.f', :'f', false) IS NOT NULL AS path_set;
SET client_min_messages = warning;
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2014, transform => true);
SELECT count(*) AS nothing_written FROM buurtmonitor.areas WHERE vintage = 2014;

-- the same file repaired: the invalid ones are made valid, but the empty ones still cannot load
-- (how many end up empty depends on the repair method, so only the kind of error is shown)
DO $$
BEGIN
    PERFORM buurtmonitor.load_areas_geojson(pg_read_file(current_setting('bm.f'))::jsonb, 2014,
                                            transform => true, repair => true);
EXCEPTION WHEN invalid_parameter_value THEN
    RAISE WARNING 'refused: %', split_part(SQLERRM, ':', 1);
END
$$;
SELECT count(*) AS nothing_written FROM buurtmonitor.areas WHERE vintage = 2014;

-- key figures
SET client_min_messages = warning;
TRUNCATE buurtmonitor.areas CASCADE;
SET client_min_messages = notice;
CREATE TEMP TABLE kf (gwb_code_10 text, regio text, a_inw text, p_koopw text, a_woning text);
INSERT INTO kf VALUES ('BU99990101', 'Noord', '120', '40', '50'), ('BU99990102', 'Zuid', '80', '-99997', '30');
-- no period
SELECT buurtmonitor.load_observations('kf');
-- no code column
SELECT buurtmonitor.load_observations('kf', period => 2020, code_column => 'buurt');
-- unknown indicator columns
ALTER TABLE kf ADD COLUMN aantal_eenhoorns text;
SELECT buurtmonitor.load_observations('kf', period => 2020);
-- ... unless skipped
ALTER TABLE kf DROP COLUMN aantal_eenhoorns;
-- a mapping to an unknown indicator, a mapping that is not an object
SELECT buurtmonitor.load_observations('kf', period => 2020, mapping => '{"a_inw": "eenhoorns"}');
SELECT buurtmonitor.load_observations('kf', period => 2020, mapping => '["a_inw"]');
-- non-numeric values
UPDATE kf SET a_inw = 'twaalf' WHERE gwb_code_10 = 'BU99990101';
SELECT buurtmonitor.load_observations('kf', period => 2020);
UPDATE kf SET a_inw = '120' WHERE gwb_code_10 = 'BU99990101';
-- Numbers beyond double precision and bad years name their rows (issue 9; before, the first one
-- stopped the load with "\"1e400\" is out of range for type double precision" or "invalid input
-- syntax for type integer", without a row).  "line N" is the N-th row of the staging table.
-- (A load that fails after creating areas still uses up area_id values; the ids are restored at the
-- end so that later tests see the same area_id as without these cases.)
SELECT pg_get_serial_sequence('buurtmonitor.areas', 'area_id') AS area_seq \gset
SELECT last_value AS seq_last, is_called AS seq_called FROM :area_seq \gset
CREATE TEMP TABLE kf_edge (gwb_code_10 text, jaar text, a_inw text, p_koopw text, a_woning text);
INSERT INTO kf_edge VALUES ('BU99990101', '2020', '120', '-1e-400', '50'),
                           ('BU99990102', '2020', '1e400', '40', '30'),
                           ('BU99990103', '2020', '7', '40', '1e308');
SELECT buurtmonitor.load_observations('kf_edge');
UPDATE kf_edge SET a_inw = '80', p_koopw = '40';
-- years: not a whole number, too big for an integer, outside 1800 .. 2999
TRUNCATE kf_edge;
INSERT INTO kf_edge VALUES ('BU99990101', '2020', '1', '1', '1'), ('BU99990102', '20x2', '1', '1', '1'),
                           ('BU99990103', '99999999999', '1', '1', '1'), ('BU99990104', '2020.5', '1', '1', '1');
SELECT buurtmonitor.load_observations('kf_edge');
UPDATE kf_edge SET jaar = CASE gwb_code_10 WHEN 'BU99990102' THEN '3022' WHEN 'BU99990103' THEN '1700' ELSE '2020' END;
SELECT buurtmonitor.load_observations('kf_edge');
SELECT buurtmonitor.load_observations('kf_edge', period => 5000);
SELECT buurtmonitor.load_observations('kf_edge', vintage => 1066);
-- a share whose numerator (value * base / scale) would overflow: 1e300 % of 1e10 dwellings
TRUNCATE kf_edge;
INSERT INTO kf_edge VALUES ('BU99990101', '2020', '1', '1e300', '1e10'), ('BU99990102', '2020', '1', '40', '30');
SELECT buurtmonitor.load_observations('kf_edge');
SELECT count(*) AS nothing_written FROM buurtmonitor.observations;
DROP TABLE kf_edge;
-- The same through load_csv (a file in the cluster's data directory, written here): "line N" is the
-- file line, the header being line 1 (20x2 is on line 4, 1e400 on line 3).
SELECT current_setting('data_directory') || '/bm_050_edge.csv' AS edge_csv \gset
COPY (SELECT * FROM (VALUES ('BU99990101', '2020', '120'), ('BU99990102', '2020', '1e400'),
                             ('BU99990103', '20x2', '7')) AS v(gwb_code_10, jaar, a_inw))
  TO :'edge_csv' WITH (FORMAT csv, HEADER true);
SELECT buurtmonitor.load_csv(:'edge_csv');
COPY (SELECT * FROM (VALUES ('BU99990101', '2020', '120'), ('BU99990102', '2020', '1e400'),
                             ('BU99990103', '2020', '7')) AS v(gwb_code_10, jaar, a_inw))
  TO :'edge_csv' WITH (FORMAT csv, HEADER true);
SELECT buurtmonitor.load_csv(:'edge_csv');
SELECT setval(:'area_seq', :seq_last, :'seq_called'::boolean) IS NOT NULL AS area_ids_restored;
-- duplicate codes
INSERT INTO kf VALUES ('BU99990101', 'Noord', '121', '41', '51');
SELECT buurtmonitor.load_observations('kf', period => 2020);
DELETE FROM kf WHERE a_inw = '121';
-- an unknown non-CBS area
INSERT INTO kf VALUES ('Oost', 'Oost', '5', '1', '1');
SELECT buurtmonitor.load_observations('kf', period => 2020);
DELETE FROM kf WHERE gwb_code_10 = 'Oost';
SELECT buurtmonitor.load_observations('kf', period => 2020, on_conflict => 'replace');
SELECT count(*) AS nothing_written FROM buurtmonitor.observations;
-- and the good load: -99997 is suppressed, a decimal comma is read as a decimal point
UPDATE kf SET p_koopw = '40,5' WHERE gwb_code_10 = 'BU99990101';
SELECT buurtmonitor.load_observations('kf', period => 2020);
-- 40.5 % of 50 dwellings = 20.25 owner-occupied dwellings
SELECT area_code, indicator, value, numerator, denominator, status FROM buurtmonitor.observations
 ORDER BY area_code, indicator;
SELECT * FROM buurtmonitor.parse_value(' 1,5 ');
SET client_min_messages = warning;
TRUNCATE buurtmonitor.areas CASCADE;
