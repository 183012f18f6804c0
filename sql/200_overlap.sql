-- overlap_area / overlap_measures on synthetic polygons (all data here is synthetic).
-- Every expected value is a hand calculation written in the comment of its case; the
-- "hand" column repeats it and "ok" compares with a tolerance of 1e-9 (absolute, on
-- areas of order 1) or 1e-9 relative for the RD-sized case.  PostGIS
-- ST_Area(ST_Intersection(a, b)) is shown as a second, independent oracle.
SET extra_float_digits = 0;

CREATE TEMP TABLE cases (id int, label text, a geometry, b geometry, hand float8);
INSERT INTO cases VALUES
-- 1. 2x2 squares offset by (1,1): the overlap is [1,2]x[1,2], area 1*1 = 1.
(1, 'offset squares', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 'POLYGON((1 1,3 1,3 3,1 3,1 1))', 1),
-- 2. identical squares: every edge is shared in the same direction and counts once: 2*2 = 4.
(2, 'identical', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 4),
-- 3. squares sharing the edge x = 2 (opposite directions): they only touch, 0.
(3, 'edge-adjacent', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 'POLYGON((2 0,4 0,4 2,2 2,2 0))', 0),
-- 4. squares touching in the corner (2,2): 0.
(4, 'corner touch', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 'POLYGON((2 2,4 2,4 4,2 4,2 2))', 0),
-- 5. disjoint boxes: 0.
(5, 'disjoint', 'POLYGON((0 0,1 0,1 1,0 1,0 0))', 'POLYGON((5 5,6 5,6 6,5 6,5 5))', 0),
-- 6. unit square strictly inside a 4x4 square: 1*1 = 1.
(6, 'contained', 'POLYGON((0 0,4 0,4 4,0 4,0 0))', 'POLYGON((1 1,2 1,2 2,1 2,1 1))', 1),
-- 7. left half [0,2]x[0,4] of the 4x4 square, sharing three edges in the same direction: 2*4 = 8.
(7, 'shared 3 edges', 'POLYGON((0 0,4 0,4 4,0 4,0 0))', 'POLYGON((0 0,2 0,2 4,0 4,0 0))', 8),
-- 8. L-shape [0,2]x[0,1] + [0,1]x[1,2] (area 3) against [0.5,1.5]x[0.5,1.5]:
--    [0.5,1.5]x[0.5,1] = 1*0.5 = 0.5 plus [0.5,1]x[1,1.5] = 0.5*0.5 = 0.25, total 0.75.
(8, 'L-shape', 'POLYGON((0 0,2 0,2 1,1 1,1 2,0 2,0 0))', 'POLYGON((0.5 0.5,1.5 0.5,1.5 1.5,0.5 1.5,0.5 0.5))', 0.75),
-- 9. 4x4 square with hole [1,3]x[1,3] (area 16-4 = 12) against [0,2]x[0,4] (area 8):
--    8 minus the part of the hole in it, [1,2]x[1,3] = 1*2 = 2, so 6.
(9, 'hole, half', 'POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 3,1 1))', 'POLYGON((0 0,2 0,2 4,0 4,0 0))', 6),
-- 10. a square inside the hole [1.5,2.5]x[1.5,2.5]: 0.
(10, 'in the hole', 'POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 3,1 1))', 'POLYGON((1.5 1.5,2.5 1.5,2.5 2.5,1.5 2.5,1.5 1.5))', 0),
-- 11. exactly the hole [1,3]x[1,3]: shares the hole's boundary in opposite direction: 0.
(11, 'fills the hole', 'POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 3,1 1))', 'POLYGON((1 1,3 1,3 3,1 3,1 1))', 0),
-- 12. two unit squares [0,1]x[0,1] and [2,3]x[0,1] against [0.5,2.5]x[0,1]: 0.5*1 + 0.5*1 = 1.
(12, 'multipolygon', 'MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((2 0,3 0,3 1,2 1,2 0)))', 'POLYGON((0.5 0,2.5 0,2.5 1,0.5 1,0.5 0))', 1),
-- 13. triangle (0,0),(4,0),(0,4) (area 8) and the square [0,2]x[0,2], whose corner (2,2) lies on the
--     hypotenuse x + y = 4: the square is inside, 2*2 = 4.
(13, 'vertex on edge', 'POLYGON((0 0,4 0,0 4,0 0))', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 4),
-- 14. plus sign: [0,3]x[1,2] and [1,2]x[0,3] cross in [1,2]x[1,2]: 1.
(14, 'crossing bars', 'POLYGON((0 1,3 1,3 2,0 2,0 1))', 'POLYGON((1 0,2 0,2 3,1 3,1 0))', 1),
-- 15. case 1 with both rings clockwise: orientation is normalised, still 1.
(15, 'clockwise input', 'POLYGON((0 0,0 2,2 2,2 0,0 0))', 'POLYGON((1 1,1 3,3 3,3 1,1 1))', 1),
-- 16. [0,2]x[0,2] and [2,4]x[1,3] touch along part of x = 2 (opposite directions): 0.
(16, 'partial edge touch', 'POLYGON((0 0,2 0,2 2,0 2,0 0))', 'POLYGON((2 1,4 1,4 3,2 3,2 1))', 0),
-- 17. [1,3]x[0,1] with extra vertices on its bottom edge inside [0,4]x[0,2]: the shared piece
--     y = 0, 1 <= x <= 3 runs the same way in both; area 2*1 = 2.
(17, 'collinear, extra vertices', 'POLYGON((0 0,4 0,4 2,0 2,0 0))', 'POLYGON((1 0,2 0,3 0,3 1,1 1,1 0))', 2),
-- 18. case 1 with Z coordinates: z is ignored, 1.
(18, '3D input', 'POLYGON Z((0 0 5,2 0 5,2 2 5,0 2 5,0 0 5))', 'POLYGON Z((1 1 0,3 1 0,3 3 0,1 3 0,1 1 0))', 1),
-- 19. an empty polygon: 0.
(19, 'empty', 'POLYGON EMPTY', 'POLYGON((0 0,1 0,1 1,0 1,0 0))', 0),
-- 20. diamond |x| + |y| <= 1 (area 2) against the square [0,1]x[0,1]: the triangle (0,0),(1,0),(0,1), 1/2.
(20, 'diamond', 'POLYGON((1 0,0 1,-1 0,0 -1,1 0))', 'POLYGON((0 0,1 0,1 1,0 1,0 0))', 0.5),
-- 21. RD-sized coordinates: a 1000 m square at (200000, 450000) and the same shifted by (0.5, 0.25):
--     overlap 999.5 * 999.75 = 999250.125 m^2.
(21, 'RD coordinates',
 'SRID=28992;POLYGON((200000 450000,201000 450000,201000 451000,200000 451000,200000 450000))',
 'SRID=28992;POLYGON((200000.5 450000.25,201000.5 450000.25,201000.5 451000.25,200000.5 451000.25,200000.5 450000.25))',
 999250.125);

SELECT id, label,
       round(buurtmonitor.overlap_area(a, b)::numeric, 6) AS overlap,
       hand,
       round(ST_Area(ST_Intersection(a, b))::numeric, 6) AS postgis,
       abs(buurtmonitor.overlap_area(a, b) - hand) <= 1e-9 * greatest(1, hand) AS ok,
       -- symmetric: overlap_area(b, a) is the same
       abs(buurtmonitor.overlap_area(b, a) - hand) <= 1e-9 * greatest(1, hand) AS ok_swapped
  FROM cases ORDER BY id;

-- overlap_measures: area, perimeter and width = 2 * area / perimeter.
--   case 1: the unit square [1,2]x[1,2]: area 1, perimeter 4, width 2/4 = 0.5
--   case 7: [0,2]x[0,4]: area 8, perimeter 2*(2+4) = 12, width 16/12 = 1.333333
--   case 9: [0,2]x[0,4] minus [1,2]x[1,3]: area 6; boundary 0->2 along the bottom (2), up x = 2 from
--           y = 0 to 1 (1) and from 3 to 4 (1), the top (2), the left side (4), and the hole's part
--           x = 1..2 at y = 1 and y = 3 (1 + 1) plus x = 1, y = 1..3 (2): perimeter 14, width 12/14 = 0.857143
--   case 3: no overlap: 0, 0, 0
--   a 100 m x 10 m strip (docs example): area 1000, perimeter 220, width 2000/220 = 9.090909
SELECT id, round(area::numeric, 6) AS area, round(perimeter::numeric, 6) AS perimeter,
       round(width::numeric, 6) AS width
  FROM cases, buurtmonitor.overlap_measures(a, b)
 WHERE id IN (1, 3, 7, 9) ORDER BY id;

SELECT round(area::numeric, 6) AS area, round(perimeter::numeric, 6) AS perimeter, round(width::numeric, 6) AS width
  FROM buurtmonitor.overlap_measures('SRID=28992;POLYGON((0 0,100 0,100 20,0 20,0 0))',
                                     'SRID=28992;POLYGON((0 10,100 10,100 30,0 30,0 10))');

-- Docs example: two overlapping RD squares, 100 m x 100 m offset by (60, 0): overlap 40 * 100 = 4000 m^2.
SELECT buurtmonitor.overlap_area('SRID=28992;POLYGON((0 0,100 0,100 100,0 100,0 0))',
                                 'SRID=28992;POLYGON((60 0,160 0,160 100,60 100,60 0))') AS overlap;

-- NULL in, NULL out (strict).
SELECT buurtmonitor.overlap_area(NULL, 'POLYGON((0 0,1 0,1 1,0 1,0 0))') IS NULL AS is_null;

-- Errors.
-- different SRIDs
SELECT buurtmonitor.overlap_area('SRID=28992;POLYGON((0 0,1 0,1 1,0 1,0 0))', 'POLYGON((0 0,1 0,1 1,0 1,0 0))');
-- geographic SRID 4326
SELECT buurtmonitor.overlap_area('SRID=4326;POLYGON((5 52,6 52,6 53,5 53,5 52))', 'SRID=4326;POLYGON((5 52,6 52,6 53,5 53,5 52))');
-- geographic SRID found through spatial_ref_sys (ED50, +proj=longlat)
SELECT buurtmonitor.overlap_area('SRID=4230;POLYGON((5 52,6 52,6 53,5 53,5 52))', 'SRID=4230;POLYGON((5 52,6 52,6 53,5 53,5 52))');
-- invalid: a self-intersecting bow tie
SELECT buurtmonitor.overlap_area('POLYGON((0 0,1 1,1 0,0 1,0 0))', 'POLYGON((0 0,1 0,1 1,0 1,0 0))');
-- invalid second argument: a hole outside its shell
SELECT buurtmonitor.overlap_area('POLYGON((0 0,1 0,1 1,0 1,0 0))', 'POLYGON((0 0,1 0,1 1,0 1,0 0),(5 5,6 5,6 6,5 6,5 5))');
-- not polygons
SELECT buurtmonitor.overlap_area('POINT(0 0)', 'POLYGON((0 0,1 0,1 1,0 1,0 0))');
SELECT buurtmonitor.overlap_area('POLYGON((0 0,1 0,1 1,0 1,0 0))', 'LINESTRING(0 0,1 1)');
SELECT buurtmonitor.overlap_area('GEOMETRYCOLLECTION(POLYGON((0 0,1 0,1 1,0 1,0 0)))', 'POLYGON((0 0,1 0,1 1,0 1,0 0))');
SELECT buurtmonitor.overlap_measures('MULTIPOINT((0 0),(1 1))', 'POLYGON((0 0,1 0,1 1,0 1,0 0))');

-- Validity.  A polygon of one ring is first checked by a fast proof of simplicity (overlap.c,
-- one_ring_surely_valid); only when that is unsure does GEOS decide.  The verdict must always be
-- GEOS's: each case below, by hand, and ST_IsValid agree, and overlap_area refuses exactly the invalid
-- ones.  Cases 8 and 9 come within 1e-12 m and 1e-8 m of touching (the fast proof defers; GEOS
-- says valid).
SET client_min_messages = warning;  -- ST_IsValid prints a NOTICE per invalid polygon
CREATE FUNCTION pg_temp.refused(g geometry) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM buurtmonitor.overlap_area(g, g);
    RETURN false;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN true;
END $$;
WITH cases(id, what, valid_by_hand, g) AS (VALUES
    (1, 'triangle', true, 'POLYGON((0 0,4 0,2 3,0 0))'::geometry),
    (2, 'bow tie', false, 'POLYGON((0 0,4 4,4 0,0 4,0 0))'),
    (3, 'vertex on its own edge', false, 'POLYGON((0 0,4 0,4 4,2 0,0 4,0 0))'),
    (4, 'spike out and back', false, 'POLYGON((0 0,4 0,4 4,4 6,4 4,0 4,0 0))'),
    (5, 'folds back along an edge', false, 'POLYGON((0 0,10 0,5 0,5 5,0 0))'),
    (6, 'vertex 1 mm from an edge', true, 'POLYGON((0 0,10 0,10 10,5 0.001,0 10,0 0))'),
    (7, 'collinear vertices, vertical edges', true, 'POLYGON((0 0,0 5,0 10,10 10,10 5,10 0,0 0))'),
    (8, 'vertex 1e-12 from an edge', true, 'POLYGON((0 0,10 0,10 10,5 0.000000000001,0 10,0 0))'),
    (9, 'the same at RD coordinates', true,
        'POLYGON((155000 463000,155010 463000,155010 463010,155005 463000.00000001,155000 463010,155000 463000))'),
    (10, 'square with a hole (GEOS)', true, 'POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,2 4,4 4,4 2,2 2))'),
    (11, 'comb of 200 teeth', true,
        (SELECT ST_MakePolygon(ST_MakeLine(ARRAY[ST_MakePoint(0, 0)]
                 || array_agg(p ORDER BY k) || ARRAY[ST_MakePoint(400, -5), ST_MakePoint(0, -5), ST_MakePoint(0, 0)]))
           FROM (SELECT k, ST_MakePoint(k, CASE WHEN k % 2 = 1 THEN 10 ELSE 0 END) AS p
                   FROM generate_series(1, 400) k) t))
)
SELECT id, what, valid_by_hand, ST_IsValid(g) AS geos_valid, NOT pg_temp.refused(g) AS accepted
  FROM cases ORDER BY id;
RESET client_min_messages;

-- Two large arguments (issue 9). Both squares are segmentised to 0.01 m: 400,001 points, 6.4 MB each,
-- together more than the 8 MB geometry cache. Reading b evicted a from the cache and the overlap then
-- read freed memory (375,080 instead of 500,000; a larger polygon crashed the server). a is now pinned
-- while b is read. By hand: [0,1000]x[0,1000] ∩ [500,1500]x[0,1000] = [500,1000]x[0,1000]:
-- area 500 * 1000 = 500,000, perimeter 2 * (500 + 1000) = 3,000. The shared collinear bottom and top
-- edges (every piece of them on the other boundary) used to cost quadratic time as well.
CREATE TEMP TABLE big_pair AS
SELECT ST_SetSRID(ST_Segmentize('POLYGON((0 0,1000 0,1000 1000,0 1000,0 0))'::geometry, 0.01), 28992) AS a,
       ST_SetSRID(ST_Segmentize('POLYGON((500 0,1500 0,1500 1000,500 1000,500 0))'::geometry, 0.01), 28992) AS b;
SELECT ST_NPoints(a) AS points, ST_MemSize(a) + ST_MemSize(b) > 8 * 1024 * 1024 AS over_cache_budget,
       round(buurtmonitor.overlap_area(a, b)::numeric, 6) AS area,
       round((buurtmonitor.overlap_measures(b, a)).perimeter::numeric, 6) AS perimeter
  FROM big_pair;
DROP TABLE big_pair;

-- Cancellation (issue 9): statement_timeout stops one heavy pair within about a second. Two combs of
-- 1,000 teeth, one the other transposed (synthetic): 4,000,000 edge crossings; by hand their overlap
-- is 1,000 * 1,000 unit squares (tooth i of one ∩ tooth j of the other), base strips disjoint; the whole
-- pair takes seconds, so a 200 ms timeout must end it long before (the bound, 3 s, leaves room for a busy
-- machine; without the checks the cancel came only when the pair was done). A comb of 3 teeth first,
-- against the same by hand: 9.
CREATE FUNCTION pg_temp.comb(n integer) RETURNS geometry LANGUAGE sql AS $$
  SELECT ST_SetSRID(ST_MakePolygon(ST_MakeLine(array_agg(p ORDER BY k))), 28992) FROM (
    SELECT 0 AS k, ST_MakePoint(0, -1) AS p
    UNION ALL SELECT 1, ST_MakePoint(2 * n - 1, -1)
    UNION ALL SELECT 2 + 4 * (n - 1 - i) + j,      -- tooth i: x in [2i, 2i + 1], y in [0, 2n - 1]
           ST_MakePoint(CASE WHEN j IN (0, 1) THEN 2 * i + 1 ELSE 2 * i END,
                        CASE WHEN j IN (1, 2) THEN 2 * n - 1 ELSE 0 END)
      FROM generate_series(0, n - 1) i, generate_series(0, 3) j
    UNION ALL SELECT 4 * n + 2, ST_MakePoint(0, -1)) s $$;
SELECT buurtmonitor.overlap_area(pg_temp.comb(3), ST_FlipCoordinates(pg_temp.comb(3))) AS three_teeth;
CREATE TEMP TABLE combs AS SELECT pg_temp.comb(1000) AS a, ST_FlipCoordinates(pg_temp.comb(1000)) AS b;
SELECT clock_timestamp() AS started \gset
SET statement_timeout = '200ms';
SELECT buurtmonitor.overlap_area(a, b) FROM combs;
RESET statement_timeout;
SELECT clock_timestamp() - :'started'::timestamptz < interval '3 s' AS cancelled_promptly;
DROP TABLE combs;
