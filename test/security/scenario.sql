-- The main functions with valid arguments on small real data (test/security.sh). Scaffolding
-- runs under :safe (search_path = pg_catalog, pg_temp); every call of the extension runs under
-- :caller (the path under test: public first, so any unqualified name that reaches the caller's
-- path finds the hostile objects, or '' so that PostGIS is not on it). Every statement must work
-- and every check print t; the calls themselves name only qualified objects and literals.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only on
\getenv datadir BUURTMONITOR_DATA
\set dev2018 :datadir/deventer/buurt_2018.geojson
\set dev2022 :datadir/deventer/buurt_2022.geojson
\set baarn2024 :datadir/multiyear/baarn_buurt_2024_wgs84.geojson
\set kwb2016 :datadir/multiyear/baarn_gm0308_kwb2016.csv
\set kwb2017 :datadir/multiyear/baarn_gm0308_kwb2017.csv
\set kwb2018 :datadir/multiyear/baarn_gm0308_kwb2018.csv
\set kwb2019 :datadir/multiyear/baarn_gm0308_kwb2019.csv
SET client_min_messages = warning;
:safe;
CREATE SCHEMA bm_sec;
CREATE TABLE bm_sec.docs AS
SELECT pg_read_file(:'dev2018')::jsonb AS dev2018, pg_read_file(:'dev2022')::jsonb AS dev2022,
       pg_read_file(:'baarn2024')::jsonb AS baarn2024;

-- loaders: GeoJSON (RD New, and WGS84 transformed), CSV, a staging table
:caller;
SELECT buurtmonitor.load_areas_geojson((SELECT d.dev2018 FROM bm_sec.docs d), 2018);
SELECT buurtmonitor.load_areas_geojson((SELECT d.dev2022 FROM bm_sec.docs d), 2022);
SELECT buurtmonitor.load_areas_geojson((SELECT d.baarn2024 FROM bm_sec.docs d), 2024, transform => true,
       code_property => 'buurtcode', name_property => 'buurtnaam');
SELECT buurtmonitor.load_csv(:'kwb2016');
SELECT buurtmonitor.load_csv(:'kwb2017');
SELECT buurtmonitor.load_csv(:'kwb2018');
SELECT buurtmonitor.load_csv(:'kwb2019');
:safe;
CREATE TABLE bm_sec.dev_obs AS
SELECT a.code, (100 + a.area_id % 7 * 10)::text AS a_inw, (40 + a.area_id % 5)::text AS p_koopw
  FROM buurtmonitor.areas a WHERE a.vintage = 2018 AND a.level = 'buurt' AND a.code LIKE 'BU0150%';
INSERT INTO buurtmonitor.signal_rules (indicator, condition, threshold) VALUES ('a_inw', 'index_below', 90);
:caller;
SELECT buurtmonitor.load_observations('bm_sec.dev_obs', period => 2018, vintage => 2018);
SELECT buurtmonitor.load_observations('bm_sec.dev_obs', period => 2018, vintage => 2018, on_conflict => 'update');
SELECT buurtmonitor.refresh_denominators(2018, 2018);

-- crosswalks and interpolation
SELECT buurtmonitor.build_crosswalk(2018, 2022);
SELECT buurtmonitor.reexpress_observations(2018, 2022);
:safe;
CREATE TABLE bm_sec.cw AS SELECT c.source_code, c.target_code, c.overlap_area, c.share
  FROM buurtmonitor.crosswalks c WHERE c.from_vintage = 2018 AND c.to_vintage = 2022;
CREATE TABLE bm_sec.src AS SELECT o.area_code AS code, o.value, o.value * 2 AS den
  FROM buurtmonitor.observations o WHERE o.vintage = 2018 AND o.indicator = 'a_inw';
CREATE TABLE bm_sec.l2018 AS SELECT a.code, a.geom FROM buurtmonitor.areas a WHERE a.vintage = 2018 AND a.level = 'buurt';
CREATE TABLE bm_sec.l2022 AS SELECT a.code, a.geom FROM buurtmonitor.areas a WHERE a.vintage = 2022 AND a.level = 'buurt';
CREATE TABLE bm_sec.pts AS SELECT :"postgis".ST_PointOnSurface(a.geom) AS geom FROM bm_sec.l2018 a;
:caller;
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.crosswalk('bm_sec.l2018', 'bm_sec.l2022');
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.crosswalk('bm_sec.l2018', 'bm_sec.l2022', points => 'bm_sec.pts');
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.interpolate_extensive('bm_sec.cw', 'bm_sec.src');
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.interpolate_intensive('bm_sec.cw', 'bm_sec.src', denominator_column => 'den');

-- roll-up, development, signals
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.rollup('gemeente', 2019, vintage => 2019);
SELECT buurtmonitor.rollup_to_observations('wijk', 2019, ARRAY['a_inw'], 2019);
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.development('buurt', '{a_inw}', vintage => 2019, by_code => true);
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.reference_values('buurt', 2019, indicators => '{a_inw}');
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.reference_areas('buurt', 2019);
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.vintage_observations(2019, by_code => true);
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>=) 0 FROM buurtmonitor.signals(2019, 2019, by_code => true);
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>=) 0 FROM buurtmonitor.signal_map;

-- publication: views that must work for a caller whose search_path lacks PostGIS
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.wide('{a_inw,p_koopw}', 'buurt', 2018, 2018)
    AS t(id bigint, area_code pg_catalog.text, area_name pg_catalog.text, level pg_catalog.text, vintage integer, period integer,
         a_inw double precision, p_koopw double precision);
SELECT buurtmonitor.create_wide_view('bm_sec_wide', '{a_inw,p_koopw}', 'buurt', 2018, 2018,
                                     with_geometry => true, target_schema => 'bm_sec');
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.create_layer_views('bm_sec_layers');
SELECT pg_catalog.length(buurtmonitor.map_svg('buurt', 2018, 'a_inw', 2018)) OPERATOR(pg_catalog.>) 1000;
-- the hostile role made public.layer_styles with a trigger: create_map_layer must refuse to write there
DO $d$BEGIN
    PERFORM buurtmonitor.create_map_layer('buurt', 2018, 'a_inw', 2018, target_schema => 'bm_sec');
    RAISE EXCEPTION 'create_map_layer wrote to the hostile role''s public.layer_styles';
EXCEPTION WHEN insufficient_privilege THEN NULL;
END$d$;
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM bm_sec.bm_sec_wide;
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM bm_sec_layers.buurt_2022;
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.observations_long;
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.area_hierarchy;

-- deprivation and scores (tables of the pg_regress tests 510-570)
:safe;
CREATE TABLE bm_sec.synth (code text, parent text, income float8, health float8, crime float8);
INSERT INTO bm_sec.synth VALUES ('A', 'P1', 10, 5, 1), ('B', 'P1', 20, 3, 2), ('C', 'P2', 30, 4, NULL), ('D', 'P2', 40, 1, 4);
CREATE TABLE bm_sec.shr (code text, la text, num integer, den integer);
INSERT INTO bm_sec.shr VALUES ('x', 'L', 5, 100), ('y', 'L', 20, 100), ('z', 'M', 3, 10), ('q', 'M', 0, 0);
:caller;
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.composite_index('bm_sec.synth',
    '{"domains": [{"column": "income", "weight": 0.5}, {"column": "health", "weight": 0.5, "direction": "higher_is_better"}]}'::pg_catalog.jsonb);
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.index_sensitivity('bm_sec.synth',
    '{"domains": [{"column": "income", "weight": 0.5}, {"column": "crime", "weight": 0.5}]}'::pg_catalog.jsonb, 20, 1, 0.5);
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.social_score('bm_sec.synth', '{"key": "code", "columns": ["income", "health"]}');
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.social_score('buurt', 2019, ARRAY['p_arb_pp', 'p_hh_lkk']);
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.shrink_rate('bm_sec.shr', 'code', 'la', 'num', 'den');
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM buurtmonitor.pca_weights('bm_sec.synth', ARRAY['income', 'health']);
