-- A crosswalk of any edition onto an identical copy is the identity: every source maps to itself
-- with share exactly 1, nothing is dropped, totals are preserved exactly.  REAL data (CBS, CC BY 4.0):
-- all 969 buurten 2022 of the province of Utrecht and both Deventer editions.
--
-- Before the fix the sliver rule (mean width 2A/P < 20 m) dropped two long narrow buurten of Houten,
-- Dorp Schalkwijk West and Oost (mean width 7.4 and 8.5 m), although each piece is the whole of its
-- source and of its target; reexpress_observations then lost their 1,215 + 480 = 1,695 of Houten's
-- 50,315 inhabitants.  Now a piece holding more than half of its source or of its target is never a
-- sliver (docs/overlap.md).  Expected numbers, with Python over the CSV:
--   r = [x for x in csv.DictReader(open('utrecht/kwb2022_leefbaarometer2020_ses.csv'))
--        if x['buurt_code'].startswith('BU0321')]
--   len(r) = 61, sum(int(x['aantal_inwoners'])) = 50315, BU03215090 1215, BU03215091 480, none empty.
SET client_min_messages = warning;
SET extra_float_digits = 0;
\getenv datadir BUURTMONITOR_DATA
\set fut :datadir/utrecht/buurt_2022.geojson
\set f18 :datadir/deventer/buurt_2018.geojson
\set f22 :datadir/deventer/buurt_2022.geojson
\set csv :datadir/utrecht/kwb2022_leefbaarometer2020_ses.csv

CREATE TABLE id_layers AS
SELECT e.edition, f->'properties'->>'statcode' AS code, f->'properties'->>'statnaam' AS name,
       ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 28992) AS geom
  FROM (VALUES ('utrecht 2022', pg_read_file(:'fut')::jsonb),
               ('deventer 2018', pg_read_file(:'f18')::jsonb),
               ('deventer 2022', pg_read_file(:'f22')::jsonb)) AS e(edition, doc),
       jsonb_array_elements(e.doc->'features') AS f;
CREATE TABLE id_copy AS SELECT * FROM id_layers;

-- The two narrow Houten buurten really are under the default 20 m mean width (the old rule's victims).
SELECT l.code, l.name, round(m.width::numeric, 1) AS mean_width_m, round(m.area::numeric / ST_Area(l.geom)::numeric, 9) AS share_of_itself
  FROM id_layers l, buurtmonitor.overlap_measures(l.geom, l.geom) m
 WHERE l.edition = 'utrecht 2022' AND l.code IN ('BU03215090', 'BU03215091') ORDER BY l.code;

-- Identity per edition, serial: as many rows as buurten, each source to itself, share exactly 1,
-- overlap area = the buurt's own area (PostGIS ST_Area, 1e-9 relative).
CREATE FUNCTION pg_temp.identity_check(ed text)
RETURNS TABLE (edition text, buurten bigint, rows bigint, to_itself bigint, share_exactly_1 bigint,
               area_is_own_area bigint)
LANGUAGE sql AS $$
    WITH c AS (SELECT * FROM buurtmonitor.crosswalk('id_layers', 'id_copy',
                                                    source_filter => format('edition = %L', ed),
                                                    target_filter => format('edition = %L', ed)))
    SELECT ed, (SELECT count(*) FROM id_layers l WHERE l.edition = ed), count(*),
           count(*) FILTER (WHERE c.source_code = c.target_code),
           count(*) FILTER (WHERE c.share = 1),
           count(*) FILTER (WHERE abs(c.overlap_area - ST_Area(l.geom)) <= 1e-9 * ST_Area(l.geom))
      FROM c JOIN id_layers l ON l.edition = ed AND l.code = c.source_code
$$;
SELECT * FROM pg_temp.identity_check('utrecht 2022');
SELECT * FROM pg_temp.identity_check('deventer 2018');
SELECT * FROM pg_temp.identity_check('deventer 2022');

-- The parallel path (strips measured by workers, as in 216_crosswalk_parallel) gives the same rows
-- bit for bit on all 969 Utrecht buurten.
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE id_serial AS
SELECT * FROM buurtmonitor.crosswalk('id_layers', 'id_copy', source_filter => 'edition = ''utrecht 2022''',
                                     target_filter => 'edition = ''utrecht 2022''');
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE id_parallel AS
SELECT * FROM buurtmonitor.crosswalk('id_layers', 'id_copy', source_filter => 'edition = ''utrecht 2022''',
                                     target_filter => 'edition = ''utrecht 2022''');
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
SELECT (SELECT count(*) FROM id_parallel) AS parallel_rows,
       (SELECT count(*) FROM (SELECT * FROM id_serial EXCEPT SELECT * FROM id_parallel) d) AS serial_only,
       (SELECT count(*) FROM (SELECT * FROM id_parallel EXCEPT SELECT * FROM id_serial) d) AS parallel_only,
       (SELECT count(*) FROM id_parallel WHERE source_code = target_code AND share = 1) AS identity_rows;

-- The same on a moved copy: the narrow buurten stay themselves even when the copy is shifted 3 m
-- (each keeps more than half of itself; the 3 m strips it gains from and loses to neighbours are slivers).
CREATE TEMP TABLE id_shift AS
SELECT code, ST_Translate(geom, 3, 0) AS geom FROM id_layers WHERE edition = 'utrecht 2022' AND code LIKE 'BU0321%';
SELECT source_code, target_code, round(share::numeric, 9) AS share
  FROM buurtmonitor.crosswalk('id_layers', 'id_shift', source_filter => 'edition = ''utrecht 2022'' AND code LIKE ''BU0321509%''')
 WHERE source_code IN ('BU03215090', 'BU03215091') ORDER BY 1, 2;

-- Houten end to end through the stored tables: 2022 edition onto an unchanged copy as vintage 2023,
-- inhabitants re-expressed: all 61 buurten, 50,315 inhabitants, Schalkwijk West 1,215 and Oost 480.
BEGIN;
DELETE FROM buurtmonitor.areas WHERE vintage IN (2022, 2023) AND code ~ '^(BU|WK|GM)0321';
SELECT buurtmonitor.load_areas_geojson(jsonb_build_object(
           'type', 'FeatureCollection', 'crs', d->'crs',
           'features', (SELECT jsonb_agg(f) FROM jsonb_array_elements(d->'features') f
                         WHERE f->'properties'->>'gmCode' = 'GM0321')), v) AS houten_buurten
  FROM (SELECT pg_read_file(:'fut')::jsonb AS d) s, (VALUES (2022), (2023)) AS v(v);
SELECT buurtmonitor.stage_csv(:'csv', table_name => 'id_kwb') IS NOT NULL AS staged;
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value)
SELECT buurt_code, 2022, 2022, 'a_inw', aantal_inwoners::double precision
  FROM pg_temp.id_kwb WHERE buurt_code LIKE 'BU0321%';
SELECT buurtmonitor.build_crosswalk(2022, 2023) AS crosswalk_pairs;
SELECT count(*) FILTER (WHERE source_code = target_code AND share = 1) AS identity_pairs
  FROM buurtmonitor.crosswalks WHERE from_vintage = 2022 AND to_vintage = 2023;
SELECT buurtmonitor.reexpress_observations(2022, 2023) AS reexpressed;
SELECT vintage, count(*) AS buurten, sum(value) AS inhabitants
  FROM buurtmonitor.observations
 WHERE indicator = 'a_inw' AND period = 2022 AND area_code LIKE 'BU0321%' GROUP BY vintage ORDER BY vintage;
SELECT o.area_code, a.name, o.value, o.status
  FROM buurtmonitor.observations o JOIN buurtmonitor.areas a ON (a.code, a.vintage) = (o.area_code, o.vintage)
 WHERE o.vintage = 2023 AND o.indicator = 'a_inw' AND o.area_code IN ('BU03215090', 'BU03215091')
 ORDER BY 1;
ROLLBACK;

DROP TABLE id_layers, id_copy;
