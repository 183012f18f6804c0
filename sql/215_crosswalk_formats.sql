-- crosswalk() reads PostGIS's stored geometry format directly; this checks every variant of it
-- (all data synthetic; expected values are hand calculations in the comments).
SET extra_float_digits = 0;

-- Z, M and ZM coordinates are ignored.  Source A = [0,100]x[0,100] (area 10000) in 2D, Z, M and ZM
-- form; target B = [60,160]x[0,100]: overlap 40 x 100 = 4000, share 4000 / 10000 = 0.4 for each.
CREATE TABLE fmt_src (code text, geom geometry);
CREATE TABLE fmt_tgt (code text, geom geometry);
INSERT INTO fmt_src VALUES
 ('xy',   'SRID=28992;POLYGON((0 0,100 0,100 100,0 100,0 0))'),
 ('xyz',  'SRID=28992;POLYGON Z ((0 0 5,100 0 5,100 100 7,0 100 7,0 0 5))'),
 ('xym',  'SRID=28992;POLYGON M ((0 0 1,100 0 2,100 100 3,0 100 4,0 0 1))'),
 ('xyzm', 'SRID=28992;POLYGON ZM ((0 0 5 1,100 0 5 2,100 100 7 3,0 100 7 4,0 0 5 1))');
INSERT INTO fmt_tgt VALUES ('B', 'SRID=28992;POLYGON((60 0,160 0,160 100,60 100,60 0))');
SELECT source_code, target_code, round(overlap_area::numeric, 6) AS overlap_area, round(share::numeric, 6) AS share
  FROM buurtmonitor.crosswalk('fmt_src', 'fmt_tgt', min_width => 0, renormalise => false)
 ORDER BY 1, 2;

-- A multipolygon with an odd and an even number of rings per part (the stored ring counts are
-- padded to 8 bytes when odd), and an empty geometry (no rows):
--   part 1: [0,100]x[0,100] with hole [10,30]x[10,30]  (2 rings, area 10000 - 400 = 9600)
--   part 2: [200,300]x[0,100]                          (1 ring,  area 10000)
--   source area 19600.  Target B2 = [20,250]x[0,100]:
--   overlap with part 1 = [20,100]x[0,100] minus the hole's part [20,30]x[10,30] = 8000 - 200 = 7800
--   overlap with part 2 = [200,250]x[0,100] = 5000;  total 12800, share 12800 / 19600 = 0.653061
CREATE TABLE fmt_src2 (code text, geom geometry);
CREATE TABLE fmt_tgt2 (code text, geom geometry);
INSERT INTO fmt_src2 VALUES
 ('M', 'SRID=28992;MULTIPOLYGON(((0 0,100 0,100 100,0 100,0 0),(10 10,10 30,30 30,30 10,10 10)),((200 0,300 0,300 100,200 100,200 0)))'),
 ('E', 'SRID=28992;POLYGON EMPTY');
INSERT INTO fmt_tgt2 VALUES ('B2', 'SRID=28992;POLYGON((20 0,250 0,250 100,20 100,20 0))');
SELECT source_code, target_code, round(overlap_area::numeric, 6) AS overlap_area, round(share::numeric, 6) AS share
  FROM buurtmonitor.crosswalk('fmt_src2', 'fmt_tgt2', min_width => 0, renormalise => false)
 ORDER BY 1, 2;

-- A big geometry stored out of line (TOAST, 320 kB): a circle of 20,000 vertices, radius 100
-- (area of the inscribed 20000-gon = 1/2 n r^2 sin(2 pi / n) = 31415.926019, by hand), against the
-- box [0,200]x[-200,200]: the polygon is symmetric about x = 0 (n is a multiple of 4), so the overlap
-- is half of it, 1/4 n r^2 sin(2 pi / n) = 15707.963010, share 0.5.  The last vertex repeats the first.
CREATE TABLE fmt_src3 (code text, geom geometry);
CREATE TABLE fmt_tgt3 (code text, geom geometry);
INSERT INTO fmt_src3
SELECT 'C', ST_SetSRID(ST_MakePolygon(ST_MakeLine(array_agg(ST_MakePoint(100 * cos(2 * pi() * (i % 20000) / 20000),
                                                                         100 * sin(2 * pi() * (i % 20000) / 20000)) ORDER BY i))), 28992)
  FROM generate_series(0, 20000) AS i;
INSERT INTO fmt_tgt3 VALUES ('H', ST_MakeEnvelope(0, -200, 200, 200, 28992));
SELECT pg_relation_size(reltoastrelid) > 0 AS stored_in_toast FROM pg_class WHERE oid = 'fmt_src3'::regclass;
SELECT source_code, target_code, round(overlap_area::numeric, 6) AS overlap_area, round(share::numeric, 6) AS share
  FROM buurtmonitor.crosswalk('fmt_src3', 'fmt_tgt3', min_width => 0, renormalise => false);

-- Geometries that are not polygons are refused, naming the row.
INSERT INTO fmt_src2 VALUES ('P', 'SRID=28992;POINT(5 5)');
SELECT * FROM buurtmonitor.crosswalk('fmt_src2', 'fmt_tgt2');
DELETE FROM fmt_src2 WHERE code = 'P';
INSERT INTO fmt_src2 VALUES ('G', 'SRID=28992;GEOMETRYCOLLECTION(POLYGON((0 0,1 0,1 1,0 0)))');
SELECT * FROM buurtmonitor.crosswalk('fmt_src2', 'fmt_tgt2');

DROP TABLE fmt_src, fmt_tgt, fmt_src2, fmt_tgt2, fmt_src3, fmt_tgt3;
