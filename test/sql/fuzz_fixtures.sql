-- Fixtures for test/fuzz.sh (synthetic, labelled so): a small monitor in buurtmonitor's tables and
-- small tables in schema fuzz that the fuzzer passes as regclass arguments. Deterministic.
SET client_min_messages = warning;
CREATE SCHEMA fuzz;

-- a synthetic gemeente GM9901 with one wijk and four 100 m buurten, editions 2022 and 2023 (2023 splits
-- the strip differently so a crosswalk between them is not the identity)
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code, geom)
SELECT code, v, code, level, parent, ST_Multi(ST_GeomFromText(wkt, 28992))
  FROM (VALUES ('GM9901', 'gemeente', NULL, 'POLYGON((150000 450000,150400 450000,150400 450100,150000 450100,150000 450000))'),
               ('WK990101', 'wijk', 'GM9901', 'POLYGON((150000 450000,150400 450000,150400 450100,150000 450100,150000 450000))')) a(code, level, parent, wkt),
       (VALUES (2022), (2023)) y(v);
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code, geom)
SELECT 'BU990101' || lpad(i::text, 2, '0'), v, 'buurt ' || i, 'buurt', 'WK990101',
       ST_Multi(ST_MakeEnvelope(150000 + (i - 1) * w, 450000, 150000 + i * w, 450100, 28992))
  FROM generate_series(1, 4) i, (VALUES (2022, 100.0), (2023, 100.0)) y(v, w)
 WHERE v = 2022 OR i <= 4;
UPDATE buurtmonitor.areas SET geom = ST_Multi(ST_MakeEnvelope(150000, 450000, 150150, 450100, 28992))
 WHERE code = 'BU99010101' AND vintage = 2023;
UPDATE buurtmonitor.areas SET geom = ST_Multi(ST_MakeEnvelope(150150, 450000, 150200, 450100, 28992))
 WHERE code = 'BU99010102' AND vintage = 2023;
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, numerator, denominator)
SELECT a.code, 2022, p, ind, val, num, den
  FROM buurtmonitor.areas a, generate_series(2019, 2022) p,
       LATERAL (VALUES ('a_inw', 100.0 * length(a.code) + p - 2019 + right(a.code, 1)::int, NULL::float8, NULL::float8),
                       ('a_woning', 40.0 + right(a.code, 1)::int, NULL, NULL),
                       ('p_koopw', 50.0 + p - 2019, (50.0 + p - 2019) * 0.41, 41.0)) o(ind, val, num, den)
 WHERE a.vintage = 2022;
INSERT INTO buurtmonitor.sample_sizes SELECT * FROM buurtmonitor.sample_sizes WHERE false;

-- the universal source table: columns that the functions' defaults and the fuzzer's baselines name
CREATE TABLE fuzz.t (code text, name text, parent text, value float8, numerator float8, denominator float8,
                     a float8, b float8, c float8, pop float8, geom geometry(MultiPolygon, 28992),
                     income_rank float8, employment_rank float8, education_rank float8, health_rank float8,
                     crime_rank float8, housing_and_access_rank float8, environment_rank float8);
INSERT INTO fuzz.t
SELECT 'A' || i, 'area ' || i, 'P' || (i % 3), (i * 37 % 11) + 0.5, i % 5, 5 + i % 7,
       (i * 13 % 17), (i * 7 % 19) - 3, (i * 5 % 23) * 1.5, 100 + i,
       ST_Multi(ST_MakeEnvelope(150000 + (i % 5) * 100, 450000 + (i / 5) * 100,
                                150000 + (i % 5) * 100 + 100, 450000 + (i / 5) * 100 + 100, 28992)),
       i, 21 - i, (i * 3 % 20) + 1, (i * 7 % 20) + 1, (i * 11 % 20) + 1, (i * 13 % 20) + 1, (i * 17 % 20) + 1
  FROM generate_series(1, 20) i;
CREATE TABLE fuzz.t_empty (LIKE fuzz.t);
CREATE TABLE fuzz.t_one AS SELECT * FROM fuzz.t WHERE code = 'A1';
CREATE TABLE fuzz.t_equal AS
SELECT code, name, parent, 1.0::float8 AS value, 1.0::float8 AS numerator, 2.0::float8 AS denominator,
       3.0::float8 AS a, 3.0::float8 AS b, 3.0::float8 AS c, 10.0::float8 AS pop, geom,
       1.0::float8 AS income_rank, 1.0::float8 AS employment_rank, 1.0::float8 AS education_rank,
       1.0::float8 AS health_rank, 1.0::float8 AS crime_rank, 1.0::float8 AS housing_and_access_rank,
       1.0::float8 AS environment_rank
  FROM fuzz.t;
-- hostile values: NaN, infinities, huge, denormal, NULL, duplicate and NULL keys
CREATE TABLE fuzz.t_hostile AS SELECT * FROM fuzz.t;
UPDATE fuzz.t_hostile SET value = 'NaN', a = 'NaN', income_rank = 'NaN' WHERE code = 'A1';
UPDATE fuzz.t_hostile SET value = 'Infinity', b = '-Infinity', numerator = 'Infinity' WHERE code = 'A2';
UPDATE fuzz.t_hostile SET value = 1e308, a = 1e308, b = -1e308, c = 1e308, denominator = 1e308, pop = 1e308 WHERE code = 'A3';
UPDATE fuzz.t_hostile SET value = 5e-324, a = 5e-324, denominator = 5e-324, numerator = 5e-324 WHERE code = 'A4';
UPDATE fuzz.t_hostile SET value = NULL, a = NULL, b = NULL, c = NULL, denominator = 0 WHERE code = 'A5';
UPDATE fuzz.t_hostile SET code = NULL WHERE code = 'A6';
UPDATE fuzz.t_hostile SET code = 'A8' WHERE code = 'A7';
UPDATE fuzz.t_hostile SET denominator = -1, numerator = 7, pop = -5 WHERE code = 'A9';
-- hostile geometries, one per row, in an unconstrained geometry column
CREATE TABLE fuzz.t_geom (code text, name text, value float8, geom geometry);
INSERT INTO fuzz.t_geom VALUES
  ('G1', 'empty', 1, 'SRID=28992;POLYGON EMPTY'),
  ('G2', 'point', 1, 'SRID=28992;POINT(150000 450000)'),
  ('G3', 'line', 1, 'SRID=28992;LINESTRING(150000 450000,150100 450100)'),
  ('G4', 'bow tie', 1, 'SRID=28992;POLYGON((150000 450000,150100 450100,150100 450000,150000 450100,150000 450000))'),
  ('G5', 'hole outside shell', 1, 'SRID=28992;POLYGON((150000 450000,150100 450000,150100 450100,150000 450100,150000 450000),(150200 450200,150300 450200,150300 450300,150200 450200))'),
  ('G6', 'geographic', 1, 'SRID=4326;POLYGON((5 52,5.1 52,5.1 52.1,5 52,5 52))'),
  ('G7', 'Z', 1, 'SRID=28992;POLYGON Z((150000 450000 1,150100 450000 2,150100 450100 3,150000 450000 1))'),
  ('G8', 'M', 1, 'SRID=28992;POLYGONM((150000 450000 1,150100 450000 2,150100 450100 3,150000 450000 1))'),
  ('G9', 'curve', 1, 'SRID=28992;CURVEPOLYGON(CIRCULARSTRING(150000 450000,150100 450000,150000 450000))'),
  ('G10', 'huge', 1, 'SRID=28992;POLYGON((0 0,1e300 0,1e300 1e300,0 0))'),
  ('G11', 'tiny', 1, 'SRID=28992;POLYGON((0 0,1e-300 0,1e-300 1e-300,0 0))'),
  ('G12', 'null', 1, NULL),
  ('G13', 'collection', 1, 'SRID=28992;GEOMETRYCOLLECTION(POINT(150000 450000),POLYGON((150000 450000,150100 450000,150100 450100,150000 450000)))'),
  ('G14', 'no srid', 1, 'POLYGON((150000 450000,150100 450000,150100 450100,150000 450000))'),
  ('G15', 'repeated', 1, 'SRID=28992;POLYGON((150000 450000,150000 450000,150000 450000,150000 450000))'),
  ('G16', 'many vertices', 1, ST_Segmentize(ST_MakeEnvelope(150000, 450000, 150400, 450100, 28992), 0.05));
CREATE TABLE fuzz.cw (source_code text, target_code text, overlap_area float8, share float8);
INSERT INTO fuzz.cw VALUES ('A1', 'B1', 100, 0.5), ('A1', 'B2', 100, 0.5), ('A2', 'B2', 50, 1);
CREATE TABLE fuzz.cw_hostile (source_code text, target_code text, overlap_area float8, share float8);
INSERT INTO fuzz.cw_hostile VALUES ('A1', 'B1', 'NaN', 'NaN'), ('A2', NULL, 'Infinity', 1e308), ('A3', 'B3', -1, -1),
                                   ('A4', 'B4', 5e-324, 5e-324), ('A4', 'B4', 1, 1);
CREATE VIEW fuzz.v AS SELECT * FROM fuzz.t;
CREATE TABLE fuzz."odd "" name; drop" (LIKE fuzz.t);
INSERT INTO fuzz."odd "" name; drop" SELECT * FROM fuzz.t;
CREATE TABLE fuzz.no_columns ();
CREATE TABLE fuzz.stage (code text, name text, jaar int, a_inw text, p_koopw text, geom geometry);
INSERT INTO fuzz.stage VALUES ('BU99010101', 'x', 2022, '5', '1e400', NULL), ('BU99010102', 'y', 99999, 'NaN', '-', NULL),
                              ('BU99010103', 'z', NULL, '1e308', 'Infinity', NULL);
CREATE TABLE fuzz.stage_ok (code text, name text, jaar int, a_inw text, p_koopw text);
INSERT INTO fuzz.stage_ok VALUES ('BU99010101', 'x', 2022, '5', '40'), ('BU99010102', 'y', 2022, '7', '-');
SELECT buurtmonitor.build_crosswalk(2022, 2023);
-- 5000 rows for the aggregates in parallel mode (partial aggregation: combine, serial, deserial)
CREATE TABLE fuzz.big AS SELECT (i * 7919 % 1000)::float8 AS x, (i % 13 + 1)::float8 AS w, (i % 7)::float8 / 7 AS q
  FROM generate_series(1, 5000) i;
INSERT INTO fuzz.big VALUES ('NaN', 1, 0.5), (1, 'Infinity', 0.5), (1e308, 1e308, 0.5);
ANALYZE;
