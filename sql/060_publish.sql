-- Publication for BI tools and QGIS, on the real Utrecht province buurten 2022 and the
-- city of Utrecht's 2023 KWB file. Expected values are read off the source files:
--   grep BU03440111 utrecht/kwb2022_leefbaarometer2020_ses.csv ->
--     "Welgelegen, Den Hommel", 1855 inhabitants, 910 dwellings, 44 % owner-occupied
--   the 2023 KWB file names WK034401 "Wijk 01 West" and GM0344 "Utrecht" and has a_inw 1810,
--   p_koopw 44 for BU03440111; the 2022 wijken have no names (the GeoJSON has none, and the
--   province file only names the gemeente in gm_naam).
\getenv datadir BUURTMONITOR_DATA
SET client_min_messages = warning;
\set SHOW_CONTEXT never
\set f :datadir '/utrecht/buurt_2022.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022) AS areas;
\set f :datadir '/utrecht/kwb2022_leefbaarometer2020_ses.csv'
SELECT buurtmonitor.load_csv(:'f', period => 2022) > 0 AS loaded;
\set f :datadir '/multiyear/utrecht_gm0344_kwb2023.csv'
SELECT buurtmonitor.load_csv(:'f') > 0 AS loaded;

-- the tidy view: plain SQL types only
SELECT column_name, data_type FROM information_schema.columns
 WHERE table_schema = 'buurtmonitor' AND table_name = 'observations_long' ORDER BY ordinal_position;
SELECT area_code, area_name, level, wijk_code, wijk_name, gemeente_code, gemeente_name, period,
       indicator_code, indicator_label, theme, unit, value, status
  FROM buurtmonitor.observations_long
 WHERE area_code = 'BU03440111' AND indicator_code IN ('a_inw', 'p_koopw') ORDER BY period, indicator_code;

-- the wide table: one column per indicator
SELECT * FROM buurtmonitor.wide('{a_inw,a_woning,p_koopw}', 'buurt', 2022)
    AS t(id bigint, area_code text, area_name text, level text, vintage integer, period integer,
         a_inw double precision, a_woning double precision, p_koopw double precision)
 WHERE area_code = 'BU03440111';
SELECT buurtmonitor.create_wide_view('utrecht_buurten_2022', '{a_inw,p_koopw}', 'buurt', 2022,
                                     with_geometry => true);
SELECT count(*) AS rows, count(DISTINCT id) AS ids FROM buurtmonitor_views.utrecht_buurten_2022;
SELECT type, srid FROM geometry_columns WHERE f_table_name = 'utrecht_buurten_2022';
-- generated views run with the caller's rights (row-level security applies through them)
SELECT c.relname, c.reloptions FROM pg_class c
 WHERE c.oid IN ('buurtmonitor_views.utrecht_buurten_2022'::regclass, 'buurtmonitor.observations_long'::regclass)
 ORDER BY 1;

-- QGIS layers: one view per level and vintage with an integer key and a typed geometry
SELECT buurtmonitor.create_layer_views();
SELECT f_table_schema, f_table_name, f_geometry_column, type, srid FROM geometry_columns
 WHERE f_table_schema = 'buurtmonitor_layers' ORDER BY f_table_name;
SELECT count(*) AS buurten, count(DISTINCT id) AS ids FROM buurtmonitor_layers.buurt_2022;
SELECT id IS NOT NULL AS has_id, code, name, wijk_code, gemeente_code
  FROM buurtmonitor_layers.buurt_2022 WHERE code = 'BU03440111';
-- the 2023 areas came without geometry, so they get no layer
SELECT count(*) FROM pg_views WHERE schemaname = 'buurtmonitor_layers' AND viewname LIKE '%2023';
-- an edition with boundaries for only some of its buurten: the layer lists those with a shape
-- (synthetic: two buurten of one wijk, one without geometry), and the names come through the
-- parent chain, also across a user level (a gebiedsteam between wijk and gemeente)
INSERT INTO buurtmonitor.levels (level, rank, description) VALUES ('gebiedsteam', 25, 'synthetic level');
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code, geom) VALUES
  ('GM9999', 2031, 'Proefgem', 'gemeente', NULL, NULL),
  ('GT9999', 2031, 'Team Oost', 'gebiedsteam', 'GM9999', NULL),
  ('WK999901', 2031, 'Proefwijk', 'wijk', 'GT9999', NULL),
  ('BU99990101', 2031, 'Met vorm', 'buurt', 'WK999901',
   ST_Multi(ST_GeomFromText('POLYGON((0 0,100 0,100 100,0 100,0 0))', 28992))),
  ('BU99990102', 2031, 'Zonder vorm', 'buurt', 'WK999901', NULL);
SELECT count(*) FROM buurtmonitor.create_layer_views() v WHERE v::text LIKE '%2031';
SELECT id IS NOT NULL AS has_id, code, name, parent_name, wijk_code, wijk_name, gemeente_code, gemeente_name
  FROM buurtmonitor_layers.buurt_2031 ORDER BY code;
SELECT code, stadsdeel_code, gemeente_name FROM buurtmonitor.area_hierarchy WHERE vintage = 2031 ORDER BY code;
-- layer views run with the rights of the caller (row-level security applies to them)
SELECT c.relname, c.reloptions FROM pg_class c
 WHERE c.relnamespace = 'buurtmonitor_layers'::regnamespace AND c.relname LIKE '%2031' ORDER BY 1;
DELETE FROM buurtmonitor.areas WHERE vintage = 2031;
DELETE FROM buurtmonitor.levels WHERE level = 'gebiedsteam';

-- errors
SELECT * FROM buurtmonitor.wide('{a_inw,eenhoorns}') AS t(id bigint);
SELECT * FROM buurtmonitor.wide('{}') AS t(id bigint);
SELECT * FROM buurtmonitor.wide('{a_inw,a_inw}') AS t(id bigint);
SELECT buurtmonitor.create_wide_view('x', '{a_inw}', level => 'kwartier');

DROP SCHEMA buurtmonitor_views CASCADE;
DROP SCHEMA buurtmonitor_layers CASCADE;
TRUNCATE buurtmonitor.areas CASCADE;
