-- Input of test/valgrind/overlap_valgrind.sh: the statements of sql/200_overlap.sql and
-- sql/210_crosswalk.sql (regenerate from those) plus the Deventer and dirty-data runs.
-- One statement per paragraph (postgres --single -j).

CREATE EXTENSION buurtmonitor CASCADE;

CREATE TEMP TABLE cases (id int, label text, a geometry, b geometry, hand float8);

INSERT INTO cases VALUES (1, 'offset squares', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 'POLYGON((1 1,3 1,3 3,1 3,1 1))', 1), (2, 'identical', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 4), (3, 'edge-adjacent', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 'POLYGON((2 0,4 0,4 2,2 2,2 0))', 0), (4, 'corner touch', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 'POLYGON((2 2,4 2,4 4,2 4,2 2))', 0), (5, 'disjoint', 'POLYGON((0 0,1 0,1 1,0 1,0 0))', 'POLYGON((5 5,6 5,6 6,5 6,5 5))', 0), (6, 'contained', 'POLYGON((0 0,4 0,4 4,0 4,0 0))', 'POLYGON((1 1,2 1,2 2,1 2,1 1))', 1), (7, 'shared 3 edges', 'POLYGON((0 0,4 0,4 4,0 4,0 0))', 'POLYGON((0 0,2 0,2 4,0 4,0 0))', 8), (8, 'L-shape', 'POLYGON((0 0,2 0,2 1,1 1,1 2,0 2,0 0))', 'POLYGON((0.5 0.5,1.5 0.5,1.5 1.5,0.5 1.5,0.5 0.5))', 0.75), (9, 'hole, half', 'POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 3,1 1))', 'POLYGON((0 0,2 0,2 4,0 4,0 0))', 6), (10, 'in the hole', 'POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 3,1 1))', 'POLYGON((1.5 1.5,2.5 1.5,2.5 2.5,1.5 2.5,1.5 1.5))', 0), (11, 'fills the hole', 'POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 3,1 1))', 'POLYGON((1 1,3 1,3 3,1 3,1 1))', 0), (12, 'multipolygon', 'MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((2 0,3 0,3 1,2 1,2 0)))', 'POLYGON((0.5 0,2.5 0,2.5 1,0.5 1,0.5 0))', 1), (13, 'vertex on edge', 'POLYGON((0 0,4 0,0 4,0 0))', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 4), (14, 'crossing bars', 'POLYGON((0 1,3 1,3 2,0 2,0 1))', 'POLYGON((1 0,2 0,2 3,1 3,1 0))', 1), (15, 'clockwise input', 'POLYGON((0 0,0 2,2 2,2 0,0 0))', 'POLYGON((1 1,1 3,3 3,3 1,1 1))', 1), (16, 'partial edge touch', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 'POLYGON((2 1,4 1,4 3,2 3,2 1))', 0), (17, 'collinear, extra vertices', 'POLYGON((0 0,4 0,4 2,0 2,0 0))', 'POLYGON((1 0,2 0,3 0,3 1,1 1,1 0))', 2), (18, '3D input', 'POLYGON Z((0 0 5,2 0 5,2 2 5,0 2 5,0 0 5))', 'POLYGON Z((1 1 0,3 1 0,3 3 0,1 3 0,1 1 0))', 1), (19, 'empty', 'POLYGON EMPTY', 'POLYGON((0 0,1 0,1 1,0 1,0 0))', 0), (20, 'diamond', 'POLYGON((1 0,0 1,-1 0,0 -1,1 0))', 'POLYGON((0 0,1 0,1 1,0 1,0 0))', 0.5), (21, 'RD coordinates', 'SRID=28992;POLYGON((200000 450000,201000 450000,201000 451000,200000 451000,200000 450000))', 'SRID=28992;POLYGON((200000.5 450000.25,201000.5 450000.25,201000.5 451000.25,200000.5 451000.25,200000.5 450000.25))', 999250.125);

SELECT id, buurtmonitor.overlap_area(a, b), buurtmonitor.overlap_area(b, a), (buurtmonitor.overlap_measures(a, b)).* FROM cases ORDER BY id;

SELECT buurtmonitor.overlap_area('SRID=28992;POLYGON((0 0,1 0,1 1,0 1,0 0))', 'POLYGON((0 0,1 0,1 1,0 1,0 0))');

SELECT buurtmonitor.overlap_area('SRID=4326;POLYGON((5 52,6 52,6 53,5 53,5 52))', 'SRID=4326;POLYGON((5 52,6 52,6 53,5 53,5 52))');

SELECT buurtmonitor.overlap_area('SRID=4230;POLYGON((5 52,6 52,6 53,5 53,5 52))', 'SRID=4230;POLYGON((5 52,6 52,6 53,5 53,5 52))');

SELECT buurtmonitor.overlap_area('POLYGON((0 0,1 1,1 0,0 1,0 0))', 'POLYGON((0 0,1 0,1 1,0 1,0 0))');

SELECT buurtmonitor.overlap_area('POLYGON((0 0,1 0,1 1,0 1,0 0))', 'POLYGON((0 0,1 0,1 1,0 1,0 0),(5 5,6 5,6 6,5 6,5 5))');

SELECT buurtmonitor.overlap_area('POINT(0 0)', 'POLYGON((0 0,1 0,1 1,0 1,0 0))');

SELECT buurtmonitor.overlap_area('POLYGON((0 0,1 0,1 1,0 1,0 0))', 'LINESTRING(0 0,1 1)');

SELECT buurtmonitor.overlap_area('GEOMETRYCOLLECTION(POLYGON((0 0,1 0,1 1,0 1,0 0)))', 'POLYGON((0 0,1 0,1 1,0 1,0 0))');

SELECT buurtmonitor.overlap_measures('MULTIPOINT((0 0),(1 1))', 'POLYGON((0 0,1 0,1 1,0 1,0 0))');

CREATE TABLE cw_src (code text, geom geometry(Polygon, 28992));

CREATE TABLE cw_tgt (code text, geom geometry(Polygon, 28992));

INSERT INTO cw_src VALUES ('S1', ST_MakeEnvelope(0, 0, 100, 100, 28992)), ('S2', ST_MakeEnvelope(100, 0, 200, 100, 28992)), ('S3', ST_MakeEnvelope(200, 0, 300, 100, 28992));

INSERT INTO cw_tgt VALUES ('T1', ST_MakeEnvelope(0, 0, 102, 100, 28992)), ('T2', ST_MakeEnvelope(102, 0, 160, 100, 28992)), ('T4', ST_MakeEnvelope(160, 0, 200, 100, 28992)), ('T3', ST_MakeEnvelope(200, 0, 250, 100, 28992));

SELECT source_code, target_code, round(overlap_area::numeric, 6) AS overlap_area, round(share::numeric, 6) AS share FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', min_width => 0, renormalise => false) ORDER BY 1, 2;

SELECT source_code, target_code, round(overlap_area::numeric, 6) AS overlap_area, round(share::numeric, 6) AS share FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt') ORDER BY 1, 2;

SELECT source_code, target_code, round(share::numeric, 6) AS share FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', min_width => 30) ORDER BY 1, 2;

SELECT source_code, round(sum(share)::numeric, 12) AS total FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt') GROUP BY 1 ORDER BY 1;

CREATE TABLE cw_addr (id int, geom geometry(Point, 28992));

INSERT INTO cw_addr VALUES (1, 'SRID=28992;POINT(50 50)'), (2, 'SRID=28992;POINT(101 50)'), (3, 'SRID=28992;POINT(120 50)'), (4, 'SRID=28992;POINT(130 50)'), (5, 'SRID=28992;POINT(170 50)');

SELECT source_code, target_code, round(share::numeric, 6) AS share FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', min_width => 0, points => 'cw_addr', renormalise => false) ORDER BY 1, 2;

SELECT source_code, target_code, round(share::numeric, 6) AS share FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', points => 'cw_addr') ORDER BY 1, 2;

CREATE VIEW cw_addr_view AS SELECT geom FROM cw_addr WHERE id <> 2;

SELECT source_code, target_code, round(share::numeric, 6) AS share FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', min_width => 0, points => 'cw_addr_view', renormalise => false) ORDER BY 1, 2;

CREATE TABLE cw_areas (buurt text, jaar int, shape geometry(Polygon, 28992));

INSERT INTO cw_areas SELECT code, 2018, geom FROM cw_src;

INSERT INTO cw_areas SELECT code, 2022, geom FROM cw_tgt;

INSERT INTO cw_areas SELECT 'S1', 2022, ST_MakeEnvelope(300, 0, 400, 100, 28992);

SELECT source_code, target_code, round(share::numeric, 6) AS share FROM buurtmonitor.crosswalk('cw_areas', 'cw_areas', source_key => 'buurt', target_key => 'buurt', source_geom => 'shape', target_geom => 'shape', source_filter => 'jaar = 2018', target_filter => 'jaar = 2022') ORDER BY 1, 2;

CREATE TABLE cw_multi (code text, geom geometry);

INSERT INTO cw_multi VALUES ('M', ST_Multi(ST_Union(ST_MakeEnvelope(0, 0, 100, 100, 28992), ST_MakeEnvelope(200, 0, 300, 100, 28992)))), ('N', NULL);

SELECT source_code, target_code, round(overlap_area::numeric, 6) AS overlap_area, round(share::numeric, 6) AS share FROM buurtmonitor.crosswalk('cw_multi', 'cw_tgt') ORDER BY 1, 2;

SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', source_key => 'buurtcode');

SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', target_geom => 'shape');

SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', source_geom => 'code');

CREATE TABLE cw_dup AS SELECT * FROM cw_src UNION ALL SELECT 'S2', ST_MakeEnvelope(500, 0, 600, 100, 28992);

SELECT * FROM buurtmonitor.crosswalk('cw_dup', 'cw_tgt');

SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_areas', target_key => 'buurt', target_geom => 'shape');

CREATE TABLE cw_other (code text, geom geometry);

INSERT INTO cw_other VALUES ('X', ST_MakeEnvelope(0, 0, 100, 100, 3035));

SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_other');

INSERT INTO cw_other VALUES ('Y', ST_MakeEnvelope(0, 0, 100, 100, 28992));

SELECT * FROM buurtmonitor.crosswalk('cw_other', 'cw_tgt');

CREATE TABLE cw_wgs (code text, geom geometry);

INSERT INTO cw_wgs VALUES ('W', ST_MakeEnvelope(5, 52, 6, 53, 4326));

SELECT * FROM buurtmonitor.crosswalk('cw_wgs', 'cw_wgs');

CREATE TABLE cw_bad (code text, geom geometry);

INSERT INTO cw_bad VALUES ('OK', ST_MakeEnvelope(0, 0, 100, 100, 28992)), ('BOWTIE', 'SRID=28992;POLYGON((0 0,100 100,100 0,0 100,0 0))');

SELECT * FROM buurtmonitor.crosswalk('cw_bad', 'cw_tgt');

INSERT INTO cw_multi VALUES (NULL, ST_MakeEnvelope(0, 0, 1, 1, 28992));

SELECT * FROM buurtmonitor.crosswalk('cw_multi', 'cw_tgt');

SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', min_width => -1);

CREATE TABLE cw_addr_wgs (geom geometry);

INSERT INTO cw_addr_wgs VALUES ('SRID=4326;POINT(5 52)');

SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', points => 'cw_addr_wgs');

CREATE TABLE cw_lines (code text, geom geometry);

INSERT INTO cw_lines VALUES ('L', 'SRID=28992;LINESTRING(0 0,10 10)');

SELECT * FROM buurtmonitor.crosswalk('cw_lines', 'cw_tgt');

CREATE TABLE dv18 AS SELECT f->'properties'->>'statcode' AS code, ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 28992) AS geom FROM jsonb_array_elements(pg_read_file('@DATA@/deventer/buurt_2018.geojson')::jsonb->'features') AS f;

CREATE TABLE dv22 AS SELECT f->'properties'->>'statcode' AS code, ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 28992) AS geom FROM jsonb_array_elements(pg_read_file('@DATA@/deventer/buurt_2022.geojson')::jsonb->'features') AS f;

SELECT count(*), sum(buurtmonitor.overlap_area(a.geom, b.geom)) FROM dv18 a JOIN dv22 b ON ST_Intersects(a.geom, b.geom);

SELECT count(*) AS dv_pairs, sum(share) FROM buurtmonitor.crosswalk('dv18', 'dv22');

SELECT count(*), sum(share) FROM buurtmonitor.crosswalk('dv18', 'dv22', min_width => 0, renormalise => false);

CREATE TABLE dv_seg AS SELECT code, ST_Segmentize(geom, 5) AS geom FROM dv22;

SELECT count(*), sum(share) FROM buurtmonitor.crosswalk('dv18', 'dv_seg');

CREATE TABLE dirty AS SELECT f->'properties'->>'statcode' AS code, ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326), 28992) AS geom FROM jsonb_array_elements(pg_read_file('@DATA@/dirty/nl_buurt_2014_coarse_wgs84.geojson')::jsonb->'features') WITH ORDINALITY AS x(f, i) WHERE i <= 1500 AND f->'geometry' <> 'null'::jsonb;

SELECT count(*) AS dirty_pairs, sum(buurtmonitor.overlap_area(a.geom, b.geom)) FROM dirty a JOIN dirty b ON ST_Intersects(a.geom, b.geom) WHERE ST_IsValid(a.geom) AND ST_IsValid(b.geom);

DO $$ DECLARE g geometry; n int := 0; BEGIN FOR g IN SELECT geom FROM dirty WHERE NOT ST_IsValid(geom) LOOP BEGIN PERFORM buurtmonitor.overlap_area(g, g); EXCEPTION WHEN OTHERS THEN n := n + 1; END; END LOOP; RAISE WARNING 'invalid caught: %', n; END $$;

