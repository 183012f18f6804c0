-- The crosswalk in parallel workers (crosswalk_measure.c).  Real shapes: the 969 buurten of the
-- province of Utrecht (CBS 2022, $BUURTMONITOR_DATA/utrecht), densified to a vertex every 25 m.
-- Synthetic second edition: the same polygons moved 40 m east and 25 m north, so every buurt
-- overlaps its own moved copy and, in slivers, its neighbours' copies.
-- min_parallel_table_scan_size = 0 lets these small layers use workers (normally they need 8 MB of
-- geometry).  Oracles: PostGIS ST_Area(ST_Intersection()) for every pair (1e-6 relative), and the
-- serial run (max_parallel_workers_per_gather = 0), which must give exactly the same rows.
SET extra_float_digits = 0;
\getenv datadir BUURTMONITOR_DATA
\set f :datadir/utrecht/buurt_2022.geojson

CREATE TABLE par_src AS
SELECT f->'properties'->>'statcode' AS code,
       ST_Segmentize(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 28992), 25) AS geom
  FROM jsonb_array_elements(pg_read_file(:'f')::jsonb->'features') AS f;
CREATE TABLE par_tgt AS SELECT 'T' || code AS code, ST_Translate(geom, 40, 25) AS geom FROM par_src;
CREATE INDEX ON par_src USING gist (geom);
CREATE INDEX ON par_tgt USING gist (geom);
SELECT count(*) AS buurten, count(*) FILTER (WHERE ST_IsValid(geom)) AS valid FROM par_src;

-- The PostGIS oracle for every intersecting pair.
CREATE TABLE par_oracle AS
SELECT source_code, target_code, ST_Area(i) AS overlap_area, ST_Perimeter(i) AS overlap_perimeter, source_area
  FROM (SELECT s.code AS source_code, t.code AS target_code, ST_Intersection(s.geom, t.geom) AS i,
               ST_Area(s.geom) AS source_area
          FROM par_src s JOIN par_tgt t ON ST_Intersects(s.geom, t.geom)) x;

SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
-- The DEBUG1 line says how the work was shared out: candidate pairs (boxes that overlap), strips
-- (4 per participant), workers.
SET client_min_messages = debug1;
SELECT count(*) FROM buurtmonitor.crosswalk('par_src', 'par_tgt', min_width => 0, renormalise => false);
RESET client_min_messages;
-- The candidate pairs are the pairs whose stored (float) boxes overlap with positive area:
SELECT count(*) AS box_pairs
  FROM par_src s JOIN par_tgt t
    ON ST_XMin(postgis_getbbox(s.geom)) < ST_XMax(postgis_getbbox(t.geom))
   AND ST_XMin(postgis_getbbox(t.geom)) < ST_XMax(postgis_getbbox(s.geom))
   AND ST_YMin(postgis_getbbox(s.geom)) < ST_YMax(postgis_getbbox(t.geom))
   AND ST_YMin(postgis_getbbox(t.geom)) < ST_YMax(postgis_getbbox(s.geom));
CREATE TABLE par_parallel AS
SELECT * FROM buurtmonitor.crosswalk('par_src', 'par_tgt', min_width => 0, renormalise => false);
SET max_parallel_workers_per_gather = 0;
CREATE TABLE par_serial AS
SELECT * FROM buurtmonitor.crosswalk('par_src', 'par_tgt', min_width => 0, renormalise => false);
SET max_parallel_workers_per_gather = 2;

-- Parallel = serial, row for row and bit for bit; both = PostGIS (same pairs with area > 0,
-- areas and shares to 1e-6 relative).
SELECT (SELECT count(*) FROM par_parallel) AS parallel_rows,
       (SELECT count(*) FROM par_serial) AS serial_rows,
       (SELECT count(*) FROM (SELECT * FROM par_parallel EXCEPT SELECT * FROM par_serial) d) AS differing;
SELECT count(*) FILTER (WHERE p.source_code IS NULL) AS only_postgis,
       count(*) FILTER (WHERE o.source_code IS NULL) AS only_ours,
       count(*) FILTER (WHERE abs(p.overlap_area - o.overlap_area) > 1e-6 * o.overlap_area) AS area_off,
       count(*) FILTER (WHERE abs(p.share - o.overlap_area / o.source_area) > 1e-6 * p.share) AS share_off
  FROM par_parallel p
  FULL JOIN (SELECT * FROM par_oracle WHERE overlap_area > 1e-9) o USING (source_code, target_code);

-- The default sliver rule and renormalisation in parallel: every source's shares sum to 1, and the
-- sources that keep a pair are those with an overlap that by PostGIS is at least 20 m wide in mean
-- width 2A/P or holds more than half of its source or of its target; the one other is a buurt so
-- small and narrow that the 40 m move leaves it no piece of more than half of itself, and every
-- piece narrower than 20 m.
SELECT count(DISTINCT source_code) AS sources, count(*) FILTER (WHERE abs(total - 1) > 1e-12) AS not_one,
       count(DISTINCT source_code) = (SELECT count(DISTINCT o.source_code) FROM par_oracle o
                                       JOIN par_tgt t ON t.code = o.target_code
                                       WHERE o.overlap_area > 0
                                         AND (2 * o.overlap_area >= 20 * o.overlap_perimeter
                                              OR o.overlap_area > 0.5 * o.source_area
                                              OR o.overlap_area > 0.5 * ST_Area(t.geom))) AS as_postgis
  FROM (SELECT source_code, sum(share) AS total FROM buurtmonitor.crosswalk('par_src', 'par_tgt') GROUP BY 1) s;

-- The other ways rows reach the workers give the same rows: a view (values handed over),
-- a partitioned table (rows read back from each partition), and a filter.
CREATE VIEW par_src_view AS SELECT code, geom FROM par_src;
CREATE TABLE par_tgt_parts (code text, geom geometry(Geometry, 28992)) PARTITION BY RANGE (code);
CREATE TABLE par_tgt_p1 PARTITION OF par_tgt_parts FOR VALUES FROM (MINVALUE) TO ('TBU0344');
CREATE TABLE par_tgt_p2 PARTITION OF par_tgt_parts FOR VALUES FROM ('TBU0344') TO (MAXVALUE);
INSERT INTO par_tgt_parts SELECT * FROM par_tgt;
SELECT (SELECT count(*) FROM par_tgt_p1) > 0 AND (SELECT count(*) FROM par_tgt_p2) > 0 AS both_partitions_used;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (c.source_code, c.target_code, c.overlap_area, c.share) IS DISTINCT FROM
                              (s.source_code, s.target_code, s.overlap_area, s.share)) AS differing
  FROM buurtmonitor.crosswalk('par_src_view', 'par_tgt_parts', min_width => 0, renormalise => false) c
  FULL JOIN par_serial s USING (source_code, target_code);
-- source_filter: only Utrecht city (GM0344); the pairs are those of the full run for these sources.
SELECT count(*) AS rows,
       count(*) = (SELECT count(*) FROM par_serial WHERE source_code LIKE 'BU0344%') AS same_count,
       count(*) FILTER (WHERE (c.overlap_area, c.share) IS DISTINCT FROM (s.overlap_area, s.share)) AS differing
  FROM buurtmonitor.crosswalk('par_src', 'par_tgt', min_width => 0, renormalise => false,
                              source_filter => $$code LIKE 'BU0344%'$$) c
  LEFT JOIN par_serial s USING (source_code, target_code);

-- Temporary layers (issue 9): workers cannot read a temporary table ("cannot access temporary
-- tables during a parallel operation" came back from a worker), so the crosswalk runs in one process
-- when a layer is, or a view reads, a temporary relation; the same rows as the serial run. The
-- DEBUG1 line shows that no worker was launched although the sizes ask for them.
CREATE TEMP TABLE par_src_temp AS SELECT * FROM par_src;
CREATE TEMP TABLE par_tgt_temp AS SELECT * FROM par_tgt;
CREATE TEMP VIEW par_src_temp_view AS SELECT code, geom FROM par_src_temp;
CREATE TEMP TABLE par_temp_result (LIKE par_serial);
SET client_min_messages = debug1;
INSERT INTO par_temp_result
SELECT * FROM buurtmonitor.crosswalk('par_src_temp', 'par_tgt_temp', min_width => 0, renormalise => false);
RESET client_min_messages;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (c.source_code, c.target_code, c.overlap_area, c.share) IS DISTINCT FROM
                              (s.source_code, s.target_code, s.overlap_area, s.share)) AS differing
  FROM par_temp_result c FULL JOIN par_serial s USING (source_code, target_code);
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (c.source_code, c.target_code, c.overlap_area, c.share) IS DISTINCT FROM
                              (s.source_code, s.target_code, s.overlap_area, s.share)) AS differing
  FROM buurtmonitor.crosswalk('par_src_temp_view', 'par_tgt', min_width => 0, renormalise => false) c
  FULL JOIN par_serial s USING (source_code, target_code);
DROP VIEW par_src_temp_view;
DROP TABLE par_src_temp, par_tgt_temp, par_temp_result;

-- One table as both layers, with a geometry column for each edition: the same rows.
CREATE TABLE par_both AS SELECT s.code, s.geom AS g_old, t.geom AS g_new FROM par_src s JOIN par_tgt t ON t.code = 'T' || s.code;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (c.overlap_area, c.share) IS DISTINCT FROM (s.overlap_area, s.share)) AS differing
  FROM buurtmonitor.crosswalk('par_both', 'par_both', source_geom => 'g_old', target_geom => 'g_new',
                              min_width => 0, renormalise => false) c
  FULL JOIN par_serial s ON s.source_code = c.source_code AND s.target_code = 'T' || c.target_code;
DROP TABLE par_both;

-- Workers see the transaction's own uncommitted changes (they share its snapshot): move one
-- target far away inside a transaction, and its pairs are gone.
SELECT min(target_code) AS moved FROM par_serial \gset
SELECT count(*) AS pairs_before FROM par_serial WHERE target_code = :'moved';
BEGIN;
UPDATE par_tgt SET geom = ST_Translate(geom, 1e6, 0) WHERE code = :'moved';
SELECT count(*) AS pairs_of_moved_target
  FROM buurtmonitor.crosswalk('par_src', 'par_tgt', min_width => 0, renormalise => false)
 WHERE target_code = :'moved';
ROLLBACK;
SELECT count(*) AS pairs_after_rollback
  FROM buurtmonitor.crosswalk('par_src', 'par_tgt', min_width => 0, renormalise => false)
 WHERE target_code = :'moved';

-- Workers inside a transaction that has already written, feeding an INSERT (as build_crosswalk
-- does): the workers only read, and the rows are inserted after they have finished.
BEGIN;
CREATE TABLE par_insert (LIKE par_serial);
SET client_min_messages = debug1;
INSERT INTO par_insert
SELECT * FROM buurtmonitor.crosswalk('par_src', 'par_tgt', min_width => 0, renormalise => false);
RESET client_min_messages;
SELECT count(*) AS rows, count(*) FILTER (WHERE (i.overlap_area, i.share) IS DISTINCT FROM (s.overlap_area, s.share)) AS differing
  FROM par_insert i FULL JOIN par_serial s USING (source_code, target_code);
ROLLBACK;

-- An invalid geometry met by a worker: the leader raises the same error as a serial run, naming
-- the row (a bow tie, synthetic, replacing one real buurt).
UPDATE par_tgt SET geom = 'SRID=28992;POLYGON((150000 450000,151000 451000,151000 450000,150000 451000,150000 450000))'
 WHERE code = 'TBU03070100';
SELECT * FROM buurtmonitor.crosswalk('par_src', 'par_tgt');
SET max_parallel_workers_per_gather = 0;
SELECT * FROM buurtmonitor.crosswalk('par_src', 'par_tgt');

RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
DROP VIEW par_src_view;
DROP TABLE par_src, par_tgt, par_tgt_parts, par_oracle, par_parallel, par_serial;
