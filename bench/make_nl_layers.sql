-- Build an NL-scale crosswalk benchmark case (issue 3) from the real CBS shapes:
--   src_gen    "old edition": the 969 buurten of the province of Utrecht + the 69 of Deventer (2022),
--              tiled 15 times (3 x 5 grid, offsets of 110 km / 53 km so tiles do not overlap)
--   tgt_gen    "new edition", derived from src_gen the way real editions differ:
--              * re-generalised: every vertex snapped to a 8 m grid (shared vertices move together,
--                so the layer stays a tiling, but each boundary shifts up to 4 m: slivers everywhere)
--              * splits: 1 in 25 buurten cut in two by a north-south line through its centroid
--              * merges: 1 in 25 buurten merged with a neighbour
--   src_dense, tgt_dense  the same layers densified with ST_Segmentize to a vertex every 5 m, as
--              CBS's full-resolution editions have hundreds of vertices per buurt.
-- Run in a database with the buurtmonitor extension:  psql -v datadir=... -f bench/make_nl_layers.sql
-- Selection is by a hash of the code, so the case is the same on every run.
\set ON_ERROR_STOP 1
\set utrecht :datadir/utrecht/buurt_2022.geojson
\set deventer :datadir/deventer/buurt_2022.geojson

DROP TABLE IF EXISTS base, src_gen, tgt_gen, src_dense, tgt_dense;

-- deterministic pseudo-random integer from a code
CREATE OR REPLACE FUNCTION pg_temp.h(code text) RETURNS integer LANGUAGE sql IMMUTABLE
AS $$ SELECT abs(('x' || substr(md5(code), 1, 8))::bit(32)::integer) $$;

CREATE TABLE base AS
SELECT ft->'properties'->>'statcode' AS code,
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(ft->'geometry'), 28992)) AS geom
  FROM (VALUES (pg_read_file(:'utrecht')::jsonb), (pg_read_file(:'deventer')::jsonb)) AS d(doc),
       jsonb_array_elements(d.doc->'features') AS ft;

-- 15 tiles: tile k at column k % 3, row k / 3
CREATE TABLE src_gen AS
SELECT format('T%s_%s', lpad(k::text, 2, '0'), b.code) AS code,
       ST_Translate(b.geom, (k % 3) * 110000, (k / 3) * 53000) AS geom
  FROM base b, generate_series(0, 14) AS k;

-- re-generalised copy, kept valid
CREATE TEMP TABLE snapped AS
SELECT code, ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SnapToGrid(geom, 8)), 3)) AS geom
  FROM src_gen;
DELETE FROM snapped WHERE ST_IsEmpty(geom) OR ST_Area(geom) = 0;

-- splits: west and east half of the buurt at its centroid
CREATE TEMP TABLE split_set AS SELECT code FROM snapped WHERE pg_temp.h(code) % 25 = 0;
-- merges: a seed with its touching neighbour of lowest code that is neither seed nor split;
-- each neighbour is used once
CREATE INDEX ON snapped USING gist (geom);
CREATE TEMP TABLE merge_pairs AS
SELECT DISTINCT ON (partner) seed, partner
  FROM (SELECT DISTINCT ON (s.code) s.code AS seed, n.code AS partner
          FROM snapped s JOIN snapped n ON n.code <> s.code AND ST_Intersects(s.geom, n.geom)
         WHERE pg_temp.h(s.code) % 25 = 1
           AND pg_temp.h(n.code) % 25 NOT IN (0, 1)
         ORDER BY s.code, n.code) p
 ORDER BY partner, seed;

CREATE TABLE tgt_gen AS
-- unchanged (apart from the snapping)
SELECT code, geom FROM snapped
 WHERE code NOT IN (SELECT code FROM split_set)
   AND code NOT IN (SELECT seed FROM merge_pairs) AND code NOT IN (SELECT partner FROM merge_pairs)
UNION ALL
-- split halves
SELECT s.code || h.suffix,
       ST_Multi(ST_CollectionExtract(ST_Intersection(s.geom,
           CASE h.suffix WHEN 'w' THEN ST_MakeEnvelope(ST_XMin(s.geom) - 1, ST_YMin(s.geom) - 1, round(ST_X(ST_Centroid(s.geom))), ST_YMax(s.geom) + 1, 28992)
                         ELSE ST_MakeEnvelope(round(ST_X(ST_Centroid(s.geom))), ST_YMin(s.geom) - 1, ST_XMax(s.geom) + 1, ST_YMax(s.geom) + 1, 28992) END), 3))
  FROM snapped s JOIN split_set USING (code), (VALUES ('w'), ('e')) AS h(suffix)
UNION ALL
-- merged pairs
SELECT m.seed || '+', ST_Multi(ST_CollectionExtract(ST_Union(a.geom, b.geom), 3))
  FROM merge_pairs m JOIN snapped a ON a.code = m.seed JOIN snapped b ON b.code = m.partner;
DELETE FROM tgt_gen WHERE ST_IsEmpty(geom) OR ST_Area(geom) = 0;

CREATE TABLE src_dense AS SELECT code, ST_Segmentize(geom, 5) AS geom FROM src_gen;
CREATE TABLE tgt_dense AS SELECT code, ST_Segmentize(geom, 5) AS geom FROM tgt_gen;

ALTER TABLE src_gen ADD PRIMARY KEY (code);
ALTER TABLE tgt_gen ADD PRIMARY KEY (code);
ALTER TABLE src_dense ADD PRIMARY KEY (code);
ALTER TABLE tgt_dense ADD PRIMARY KEY (code);
CREATE INDEX ON src_gen USING gist (geom);
CREATE INDEX ON tgt_gen USING gist (geom);
CREATE INDEX ON src_dense USING gist (geom);
CREATE INDEX ON tgt_dense USING gist (geom);
ANALYZE src_gen; ANALYZE tgt_gen; ANALYZE src_dense; ANALYZE tgt_dense;

-- describe the case
SELECT 'src_gen' AS layer, count(*) AS polygons, sum(ST_NPoints(geom)) AS vertices,
       count(*) FILTER (WHERE NOT ST_IsValid(geom)) AS invalid FROM src_gen
UNION ALL SELECT 'tgt_gen', count(*), sum(ST_NPoints(geom)), count(*) FILTER (WHERE NOT ST_IsValid(geom)) FROM tgt_gen
UNION ALL SELECT 'src_dense', count(*), sum(ST_NPoints(geom)), count(*) FILTER (WHERE NOT ST_IsValid(geom)) FROM src_dense
UNION ALL SELECT 'tgt_dense', count(*), sum(ST_NPoints(geom)), count(*) FILTER (WHERE NOT ST_IsValid(geom)) FROM tgt_dense;
SELECT (SELECT count(*) FROM split_set) AS splits, (SELECT count(*) FROM merge_pairs) AS merges;
