-- Spatial weights on hand-made (synthetic) layers; the real-data check against spdep is
-- test/spdep_oracle.sh. Expected values are counted by hand below.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
-- A 3 x 3 lattice of 100 m squares (rows A..C from the bottom, columns 1..3) and Z1, a square
-- 1 km away (an island). RD New coordinates near Amersfoort.
CREATE TABLE lattice AS
SELECT chr(64 + r) || c AS code,
       ST_Multi(ST_MakeEnvelope(155000 + 100 * (c - 1), 463000 + 100 * (r - 1),
                                155000 + 100 * c, 463000 + 100 * r, 28992)) AS geom
  FROM generate_series(1, 3) r, generate_series(1, 3) c
UNION ALL
SELECT 'Z1', ST_Multi(ST_MakeEnvelope(156000, 464000, 156100, 464100, 28992));

-- Queen: a corner square touches 3 squares, an edge square 5, the centre 8: 4*3 + 4*5 + 8 = 40
-- links; Z1 touches none (1 island, 2 components).
SELECT * FROM buurtmonitor.build_weights_from('lat_queen', 'lattice');
-- Rook (two shared vertices, as spdep::poly2nb): corner 2, edge 3, centre 4: 4*2 + 4*3 + 4 = 24.
SELECT * FROM buurtmonitor.build_weights_from('lat_rook', 'lattice', 'rook');
SELECT area_code, string_agg(neighbour_code || ' ' || round(weight::numeric, 4), ', ' ORDER BY neighbour_code)
  FROM buurtmonitor.weight_links WHERE name = 'lat_rook' AND area_code IN ('A1', 'B2', 'A2')
 GROUP BY 1 ORDER BY 1;
-- the island is kept, with 0 neighbours and a component of its own
SELECT area_code, neighbours, component FROM buurtmonitor.weight_areas
 WHERE name = 'lat_rook' AND area_code IN ('A1', 'B2', 'Z1') ORDER BY 1;
-- binary weights and the area itself (for Gi*): B2 has 4 rook neighbours + itself, all weight 1;
-- row-standardised with self, each of B2's 5 weights is 1/5 = 0.2
SELECT * FROM buurtmonitor.build_weights_from('lat_rook_b', 'lattice', 'rook', style => 'binary');
SELECT name, area_code, count(*) AS links, sum(weight) AS total, min(weight), max(weight)
  FROM buurtmonitor.weight_links
 WHERE name = 'lat_rook_b' AND area_code = 'B2' GROUP BY 1, 2;
SELECT n_links FROM buurtmonitor.build_weights_from('lat_rook_self', 'lattice', 'rook', include_self => true);
SELECT neighbour_code, weight FROM buurtmonitor.weight_links
 WHERE name = 'lat_rook_self' AND area_code = 'B2' ORDER BY 1;
SELECT name, method, parameters, style, include_self, source FROM buurtmonitor.weights ORDER BY name;

-- Snap: g1 and g2 are 5 mm apart, g2 and g3 share an edge. Without snap g1 is an island
-- (2 links: g2-g3 both ways); with a snap of 1 cm g1-g2 are neighbours too (4 links).
CREATE TABLE gap AS
SELECT * FROM (VALUES
    ('g1', ST_Multi(ST_MakeEnvelope(0, 0, 10, 10, 28992))),
    ('g2', ST_Multi(ST_MakeEnvelope(10.005, 0, 20, 10, 28992))),
    ('g3', ST_Multi(ST_MakeEnvelope(20, 0, 30, 10, 28992)))) v(code, geom);
SELECT n_links, island_codes FROM buurtmonitor.build_weights_from('gap0', 'gap');
SELECT n_links, island_codes FROM buurtmonitor.build_weights_from('gap1cm', 'gap', snap => 0.01);

-- Points on a line at x = 0, 1, 3 and 10:
--   k = 1: p0 -> p1 (1), p1 -> p0 (1), p3 -> p1 (2), p10 -> p3 (7): 4 links, not symmetric;
--   symmetrised adds p1 -> p3 and p3 -> p10: 6 links.
--   distance band (0, 2.5]: p0-p1 (1), p1-p3 (2): 4 links, p10 an island.
--   inverse distance in the band, binary: p0->p1 1/1, p1->p0 1, p1->p3 1/2, p3->p1 1/2;
--   row-standardised: p1's weights 1 and 0.5 become 2/3 and 1/3.
CREATE TABLE pts AS
SELECT 'p' || x AS code, ST_SetSRID(ST_MakePoint(x, 0), 28992) AS geom FROM unnest(ARRAY[0, 1, 3, 10]) x;
SELECT n_links FROM buurtmonitor.build_weights_from('pk1', 'pts', 'knn', k => 1, style => 'binary');
SELECT area_code, neighbour_code FROM buurtmonitor.weight_links WHERE name = 'pk1' ORDER BY 1, 2;
SELECT n_links FROM buurtmonitor.build_weights_from('pk1s', 'pts', 'knn', k => 1, symmetrise => true);
SELECT n_links, n_islands, n_components, island_codes
  FROM buurtmonitor.build_weights_from('pd', 'pts', 'distance', distance => 2.5);
SELECT n_links FROM buurtmonitor.build_weights_from('pid', 'pts', 'inverse_distance', distance => 2.5, style => 'binary');
SELECT n_links FROM buurtmonitor.build_weights_from('pidr', 'pts', 'inverse_distance', distance => 2.5);
SELECT l.name, l.area_code, l.neighbour_code, round(l.weight::numeric, 6) AS weight
  FROM buurtmonitor.weight_links l WHERE l.name IN ('pid', 'pidr') ORDER BY 1, 2, 3;
-- power 2: p1 -> p3 gets 1 / 2^2 = 0.25
SELECT n_links FROM buurtmonitor.build_weights_from('pid2', 'pts', 'inverse_distance', distance => 2.5, power => 2,
                                                   style => 'binary');
SELECT weight FROM buurtmonitor.weight_links l WHERE l.name = 'pid2' AND l.area_code = 'p1' AND l.neighbour_code = 'p3';

-- From the areas of a level and vintage: Deventer's 69 buurten 2022, loaded here under vintage
-- 2996 so that no other test's areas interfere; all connected, 382 links as spdep::poly2nb
-- (test/expected/spdep/neighbours.csv)
\getenv datadir BUURTMONITOR_DATA
\set f :datadir/deventer/buurt_2022.geojson
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2996) AS deventer;
SELECT n_areas, n_links, n_islands, n_components
  FROM buurtmonitor.build_weights('dev_queen', 'buurt', 2996);
SELECT level, vintage, method FROM buurtmonitor.weights WHERE name = 'dev_queen';

-- Weights users bring themselves: three links and an area without neighbours
CREATE TABLE my_links (area_code text, neighbour_code text, weight float8);
INSERT INTO my_links VALUES ('a', 'b', 1), ('b', 'a', 1), ('b', 'c', 0.5);
SELECT * FROM buurtmonitor.load_weights('mine', 'my_links', areas => ARRAY['d']);
SELECT area_code, neighbours, component FROM buurtmonitor.weight_areas WHERE name = 'mine' ORDER BY 1;

-- renaming or deleting weights carries over to their links and areas
UPDATE buurtmonitor.weights SET name = 'mine2' WHERE name = 'mine';
SELECT (SELECT count(*) FROM buurtmonitor.weight_links WHERE name = 'mine2') AS links,
       (SELECT count(*) FROM buurtmonitor.weight_areas WHERE name = 'mine2') AS areas;
DELETE FROM buurtmonitor.weights WHERE name = 'mine2';
SELECT (SELECT count(*) FROM buurtmonitor.weight_links WHERE name IN ('mine', 'mine2')) AS links,
       (SELECT count(*) FROM buurtmonitor.weight_areas WHERE name IN ('mine', 'mine2')) AS areas;

-- Bad input: clear errors
SELECT * FROM buurtmonitor.build_weights_from('lat_queen', 'lattice');
SELECT * FROM buurtmonitor.build_weights_from('x', 'lattice', 'bishop');
SELECT * FROM buurtmonitor.build_weights_from('x', 'lattice', style => 'weird');
SELECT * FROM buurtmonitor.build_weights_from('x', 'pts', 'knn');
SELECT * FROM buurtmonitor.build_weights_from('x', 'pts', 'knn', k => 4);
SELECT * FROM buurtmonitor.build_weights_from('x', 'pts', 'distance', distance => -1);
SELECT * FROM buurtmonitor.build_weights_from('x', 'pts', 'inverse_distance', distance => 2, include_self => true);
SELECT * FROM buurtmonitor.build_weights_from('x', 'lattice', snap => -1);
SELECT * FROM buurtmonitor.build_weights('x', 'buurt', 1999);
CREATE TABLE two AS SELECT * FROM lattice LIMIT 2;
SELECT * FROM buurtmonitor.build_weights_from('x', 'two');
CREATE TABLE dup AS SELECT * FROM lattice UNION ALL SELECT * FROM lattice WHERE code = 'A1';
SELECT * FROM buurtmonitor.build_weights_from('x', 'dup');
CREATE TABLE mixed AS SELECT code, geom::geometry AS geom FROM lattice
 UNION ALL SELECT 'W1', ST_SetSRID(ST_MakeEnvelope(0, 0, 1, 1), 3857);
SELECT * FROM buurtmonitor.build_weights_from('x', 'mixed');
CREATE TABLE geographic AS SELECT code, ST_Transform(geom, 4326) AS geom FROM lattice;
SELECT * FROM buurtmonitor.build_weights_from('x', 'geographic');
CREATE TABLE bowtie AS SELECT code, geom::geometry AS geom FROM lattice
 UNION ALL SELECT 'bow', 'SRID=28992;POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))'::geometry;
SELECT * FROM buurtmonitor.build_weights_from('x', 'bowtie');
CREATE TABLE nogeom AS SELECT code, geom FROM lattice UNION ALL SELECT 'none', NULL;
SELECT * FROM buurtmonitor.build_weights_from('x', 'nogeom');
INSERT INTO my_links VALUES ('c', 'a', -1);
SELECT * FROM buurtmonitor.load_weights('bad', 'my_links');
SELECT * FROM buurtmonitor.weights_summary('no_such_weights');
-- none of the failed calls left weights behind
SELECT count(*) AS leftover FROM buurtmonitor.weights WHERE name IN ('x', 'bad');
