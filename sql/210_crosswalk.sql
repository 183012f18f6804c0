-- crosswalk() on synthetic layers (all data here is synthetic); expected values are hand
-- calculations written in the comments.  Shares are rounded to 6 decimals.
SET extra_float_digits = 0;

-- Source edition: three 100 m x 100 m squares in a row.
--   S1 = [0,100]x[0,100], S2 = [100,200]x[0,100], S3 = [200,300]x[0,100]   (area 10000 each)
-- Target edition:
--   T1 = [0,102]x[0,100]  (its border with T2 moved 2 m into S2: a sliver of S2)
--   T2 = [102,160]x[0,100], T4 = [160,200]x[0,100]  (S2 split in two real parts)
--   T3 = [200,250]x[0,100] (covers only half of S3; the rest of S3 is in no target)
CREATE TABLE cw_src (code text, geom geometry(Polygon, 28992));
CREATE TABLE cw_tgt (code text, geom geometry(Polygon, 28992));
INSERT INTO cw_src VALUES
 ('S1', ST_MakeEnvelope(0, 0, 100, 100, 28992)),
 ('S2', ST_MakeEnvelope(100, 0, 200, 100, 28992)),
 ('S3', ST_MakeEnvelope(200, 0, 300, 100, 28992));
INSERT INTO cw_tgt VALUES
 ('T1', ST_MakeEnvelope(0, 0, 102, 100, 28992)),
 ('T2', ST_MakeEnvelope(102, 0, 160, 100, 28992)),
 ('T4', ST_MakeEnvelope(160, 0, 200, 100, 28992)),
 ('T3', ST_MakeEnvelope(200, 0, 250, 100, 28992));

-- Overlaps and widths 2A/P:
--   S1-T1: 100x100 = 10000, P = 400, width 20000/400 = 50
--   S2-T1: 2x100   =   200, P = 204, width   400/204 = 1.96  (sliver)
--   S2-T2: 58x100  =  5800, P = 316, width 11600/316 = 36.71
--   S2-T4: 40x100  =  4000, P = 280, width  8000/280 = 28.57
--   S3-T3: 50x100  =  5000, P = 300, width 10000/300 = 33.33
-- (S1-T2 etc. only touch and give no row.)
-- min_width = 0, no renormalisation: share = overlap / source area:
--   S1-T1 1, S2-T1 0.02, S2-T2 0.58, S2-T4 0.40, S3-T3 0.5
SELECT source_code, target_code, round(overlap_area::numeric, 6) AS overlap_area, round(share::numeric, 6) AS share
  FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', min_width => 0, renormalise => false)
 ORDER BY 1, 2;

-- Docs example. Default (min_width 20 m, renormalise): the 1.96 m sliver S2-T1 is dropped; S2's
-- remaining shares 0.58 and 0.40 are divided by 0.98: 0.591837 and 0.408163; S3-T3 0.5/0.5 = 1.
SELECT source_code, target_code, round(overlap_area::numeric, 6) AS overlap_area, round(share::numeric, 6) AS share
  FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt')
 ORDER BY 1, 2;

-- min_width 30: S2-T4 (28.57 m) is narrower, but it is the whole of T4 (more than half of its target),
-- so it is no sliver and stays: the same rows as the default.  (Before 0.2.0 it was dropped and T4
-- received nothing.)
SELECT source_code, target_code, round(share::numeric, 6) AS share
  FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', min_width => 30)
 ORDER BY 1, 2;

-- A narrow source is no sliver of itself.  Synthetic: source R = [0,100]x[0,10] (a 10 m strip,
-- area 1000); targets U = [0,51]x[0,200] (area 10200) and V = [51,100]x[0,200] (area 9800).
--   R-U: 51x10 = 510, P = 122, width 1020/122 = 8.36 m; 51 % of R (> half), 5 % of U   -> kept
--   R-V: 49x10 = 490, P = 118, width  980/118 = 8.31 m; 49 % of R, 5 % of V            -> sliver
-- So R goes wholly to U (510/510 = 1).  A piece of exactly half its source and target is still a
-- sliver when it is narrow: Q = [0,100]x[300,310] (area 1000) against W = [0,50]x[300,320] (area 1000):
-- Q-W 500 = half of Q and half of W, width 1000/120 = 8.33 m -> dropped, Q gives no rows.
CREATE TABLE cw_narrow_src (code text, geom geometry(Polygon, 28992));
CREATE TABLE cw_narrow_tgt (code text, geom geometry(Polygon, 28992));
INSERT INTO cw_narrow_src VALUES ('R', ST_MakeEnvelope(0, 0, 100, 10, 28992)),
                                 ('Q', ST_MakeEnvelope(0, 300, 100, 310, 28992));
INSERT INTO cw_narrow_tgt VALUES ('U', ST_MakeEnvelope(0, 0, 51, 200, 28992)),
                                 ('V', ST_MakeEnvelope(51, 0, 100, 200, 28992)),
                                 ('W', ST_MakeEnvelope(0, 300, 50, 320, 28992));
SELECT source_code, target_code, round(overlap_area::numeric, 6) AS overlap_area, round(share::numeric, 6) AS share
  FROM buurtmonitor.crosswalk('cw_narrow_src', 'cw_narrow_tgt') ORDER BY 1, 2;
DROP TABLE cw_narrow_src, cw_narrow_tgt;

-- Shares sum to 1 for every source with a kept pair (default rule).
SELECT source_code, round(sum(share)::numeric, 12) AS total
  FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt') GROUP BY 1 ORDER BY 1;

-- Dasymetric weighting with a point layer (say, addresses):
--   (50,50) in S1/T1; (101,50) in S2/T1 (the sliver); (120,50), (130,50) in S2/T2; (170,50) in S2/T4;
--   S3 has no points, so it falls back to the area share.
CREATE TABLE cw_addr (id int, geom geometry(Point, 28992));
INSERT INTO cw_addr VALUES
 (1, 'SRID=28992;POINT(50 50)'), (2, 'SRID=28992;POINT(101 50)'),
 (3, 'SRID=28992;POINT(120 50)'), (4, 'SRID=28992;POINT(130 50)'), (5, 'SRID=28992;POINT(170 50)');
-- min_width 0, no renormalisation: S2 has 4 points: T1 1/4 = 0.25, T2 2/4 = 0.5, T4 1/4 = 0.25;
-- S1 1/1 = 1; S3 by area 0.5.
SELECT source_code, target_code, round(share::numeric, 6) AS share
  FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', min_width => 0, points => 'cw_addr', renormalise => false)
 ORDER BY 1, 2;
-- Default rule: the sliver S2-T1 is dropped; T2 2/4 and T4 1/4 renormalised by 3/4: 0.666667, 0.333333;
-- S3 by area, renormalised: 1.
SELECT source_code, target_code, round(share::numeric, 6) AS share
  FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', points => 'cw_addr')
 ORDER BY 1, 2;

-- The point layer may be a view. Without point 2 (the one in the sliver), min_width 0, no renormalisation:
-- S2 has 3 points: T1 0/3 = 0 (the pair is still returned), T2 2/3 = 0.666667, T4 1/3 = 0.333333;
-- S1 1/1 = 1; S3 by area 0.5.
CREATE VIEW cw_addr_view AS SELECT geom FROM cw_addr WHERE id <> 2;
SELECT source_code, target_code, round(share::numeric, 6) AS share
  FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', min_width => 0, points => 'cw_addr_view', renormalise => false)
 ORDER BY 1, 2;

-- Named columns and filters on one table with several editions (like buurtmonitor.areas).
CREATE TABLE cw_areas (buurt text, jaar int, shape geometry(Polygon, 28992));
INSERT INTO cw_areas SELECT code, 2018, geom FROM cw_src;
INSERT INTO cw_areas SELECT code, 2022, geom FROM cw_tgt;
INSERT INTO cw_areas SELECT 'S1', 2022, ST_MakeEnvelope(300, 0, 400, 100, 28992);  -- code reused in 2022
-- Same as the default result above (S1-T1 1, S2-T2 0.591837, S2-T4 0.408163, S3-T3 1).
SELECT source_code, target_code, round(share::numeric, 6) AS share
  FROM buurtmonitor.crosswalk('cw_areas', 'cw_areas', source_key => 'buurt', target_key => 'buurt',
                              source_geom => 'shape', target_geom => 'shape',
                              source_filter => 'jaar = 2018', target_filter => 'jaar = 2022')
 ORDER BY 1, 2;

-- A MultiPolygon layer and a NULL geometry (skipped): the multipolygon M = S1 + S3 against the targets:
--   M-T1 10000, M-T3 5000; area of M 20000: shares 0.5 and 0.25 before, 2/3 and 1/3 after renormalisation.
CREATE TABLE cw_multi (code text, geom geometry);
INSERT INTO cw_multi VALUES
 ('M', ST_Multi(ST_Union(ST_MakeEnvelope(0, 0, 100, 100, 28992), ST_MakeEnvelope(200, 0, 300, 100, 28992)))),
 ('N', NULL);
SELECT source_code, target_code, round(overlap_area::numeric, 6) AS overlap_area, round(share::numeric, 6) AS share
  FROM buurtmonitor.crosswalk('cw_multi', 'cw_tgt') ORDER BY 1, 2;

-- Errors.
-- missing key column
SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', source_key => 'buurtcode');
-- missing geometry column
SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', target_geom => 'shape');
-- not a geometry column
SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', source_geom => 'code');
-- duplicate keys
CREATE TABLE cw_dup AS SELECT * FROM cw_src UNION ALL SELECT 'S2', ST_MakeEnvelope(500, 0, 600, 100, 28992);
SELECT * FROM buurtmonitor.crosswalk('cw_dup', 'cw_tgt');
-- duplicate keys: both editions in one table without a filter
SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_areas', target_key => 'buurt', target_geom => 'shape');
-- SRID mismatch between the layers
CREATE TABLE cw_other (code text, geom geometry);
INSERT INTO cw_other VALUES ('X', ST_MakeEnvelope(0, 0, 100, 100, 3035));
SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_other');
-- mixed SRIDs inside one layer
INSERT INTO cw_other VALUES ('Y', ST_MakeEnvelope(0, 0, 100, 100, 28992));
SELECT * FROM buurtmonitor.crosswalk('cw_other', 'cw_tgt');
-- geographic SRID
CREATE TABLE cw_wgs (code text, geom geometry);
INSERT INTO cw_wgs VALUES ('W', ST_MakeEnvelope(5, 52, 6, 53, 4326));
SELECT * FROM buurtmonitor.crosswalk('cw_wgs', 'cw_wgs');
-- invalid geometry, named by its key
CREATE TABLE cw_bad (code text, geom geometry);
INSERT INTO cw_bad VALUES ('OK', ST_MakeEnvelope(0, 0, 100, 100, 28992)),
                          ('BOWTIE', 'SRID=28992;POLYGON((0 0,100 100,100 0,0 100,0 0))');
SELECT * FROM buurtmonitor.crosswalk('cw_bad', 'cw_tgt');
-- NULL key
INSERT INTO cw_multi VALUES (NULL, ST_MakeEnvelope(0, 0, 1, 1, 28992));
SELECT * FROM buurtmonitor.crosswalk('cw_multi', 'cw_tgt');
-- negative min_width
SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', min_width => -1);
-- point layer in another SRID
CREATE TABLE cw_addr_wgs (geom geometry);
INSERT INTO cw_addr_wgs VALUES ('SRID=4326;POINT(5 52)');
SELECT * FROM buurtmonitor.crosswalk('cw_src', 'cw_tgt', points => 'cw_addr_wgs');
-- lines are not polygons
CREATE TABLE cw_lines (code text, geom geometry);
INSERT INTO cw_lines VALUES ('L', 'SRID=28992;LINESTRING(0 0,10 10)');
SELECT * FROM buurtmonitor.crosswalk('cw_lines', 'cw_tgt');

-- Large coordinates (issue 9), synthetic: a source square S = [0, 1e11]^2 and two target squares:
-- T_strip = [1e11 - 1, 2e11] x [-2e11, 1e11 - 1] overlaps S in [1e11 - 1, 1e11] x [0, 1e11 - 1], a strip
-- 1 m wide: area 1e11 - 1 = 99999999999, share / 1e22 = 9.9999999999e-12;
-- T_corner = [1e11 - 1, 2e11]^2 overlaps S in a 1 m x 1 m corner: area 1, share 1e-22.
-- (min_width 0: both are narrower than 20 m.)  Before the fix both overlaps were 0 and gave no row.
CREATE TABLE cw_big_src (code text, geom geometry(Polygon, 28992));
CREATE TABLE cw_big_tgt (code text, geom geometry(Polygon, 28992));
INSERT INTO cw_big_src VALUES ('S', ST_MakeEnvelope(0, 0, 1e11, 1e11, 28992));
INSERT INTO cw_big_tgt VALUES
 ('T_strip', ST_MakeEnvelope(1e11 - 1, -2e11, 2e11, 1e11 - 1, 28992)),
 ('T_corner', ST_MakeEnvelope(1e11 - 1, 1e11 - 1, 2e11, 2e11, 28992));
SELECT source_code, target_code, overlap_area, share
  FROM buurtmonitor.crosswalk('cw_big_src', 'cw_big_tgt', min_width => 0, renormalise => false)
 ORDER BY 1, 2;
DROP TABLE cw_big_src, cw_big_tgt;
-- Memory budget (issue 9): the pairs of overlapping boxes can be quadratic in the number of areas
-- (50,000 squares that all overlap grew a backend to 24 GB). They are held to maintenance_work_mem at
-- an upper bound of 160 bytes a pair, and past it the crosswalk stops before measuring anything.
-- Synthetic: 100 source squares of 100 m, shifted 1 cm apart in x, and 100 target squares shifted in y:
-- every source meets every target, 100 * 100 = 10,000 pairs; 10,000 * 160 bytes = 1.53 MB, rounded up
-- 2 MB, more than 1 MB. With 400 squares against themselves (160,000 pairs) the sweep stops counting
-- at 16 times the budget: 16 * floor(1048576 / 160) = 104,976 pairs, 104,976 * 160 bytes = 16.02 MB,
-- rounded up 17 MB. With the default budget the first runs and gives the 10,000 pairs.
CREATE TABLE cw_sq_src AS
SELECT 'S' || i AS code, ST_MakeEnvelope(i * 0.01, 0, 100 + i * 0.01, 100, 28992) AS geom FROM generate_series(1, 100) i;
CREATE TABLE cw_sq_tgt AS
SELECT 'T' || i AS code, ST_MakeEnvelope(0, i * 0.01, 100, 100 + i * 0.01, 28992) AS geom FROM generate_series(1, 100) i;
CREATE TABLE cw_sq_big AS
SELECT 'B' || i AS code, ST_MakeEnvelope(i * 0.01, 0, 100 + i * 0.01, 100, 28992) AS geom FROM generate_series(1, 400) i;
SET maintenance_work_mem = '1MB';
SELECT count(*) FROM buurtmonitor.crosswalk('cw_sq_src', 'cw_sq_tgt', min_width => 0, renormalise => false);
SELECT count(*) FROM buurtmonitor.crosswalk('cw_sq_big', 'cw_sq_big', min_width => 0, renormalise => false);
RESET maintenance_work_mem;
SELECT count(*) FROM buurtmonitor.crosswalk('cw_sq_src', 'cw_sq_tgt', min_width => 0, renormalise => false);
DROP TABLE cw_sq_src, cw_sq_tgt, cw_sq_big;
