-- Loading CBS buurt boundaries from the real GeoJSON files in $BUURTMONITOR_DATA.
-- Expected counts were read off the files independently (python3 json: Deventer 2018 has
-- 68 features in 15 wkCode values, 2022 has 69 in 15; Utrecht province has 969 features
-- with 26 gmCode values; Baarn 2024 has 21 features in WGS84 without a crs member).
\getenv datadir BUURTMONITOR_DATA
SET client_min_messages = warning;
\set SHOW_CONTEXT never

\set f :datadir '/deventer/buurt_2018.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2018) AS deventer_2018;
\set f :datadir '/deventer/buurt_2022.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022) AS deventer_2022;

-- wijken and the gemeente are dissolved from the buurten; parents follow the CBS code structure
SELECT vintage, level, count(*) AS areas, count(geom) AS with_geom
  FROM buurtmonitor.areas GROUP BY 1, 2 ORDER BY 1, 2;
SELECT code, parent_code, level FROM buurtmonitor.areas
 WHERE code IN ('BU01500606', 'WK015006', 'GM0150') AND vintage = 2022 ORDER BY code;
-- Steenbrugge is new in 2022: absent from the 2018 edition
SELECT vintage, count(*) FROM buurtmonitor.areas WHERE code = 'BU01500606' GROUP BY 1;
-- dissolving loses no area: the buurten do not overlap (data README), so the gemeente's area
-- equals the sum of its buurten to within rounding of the union (1 m²)
SELECT g.vintage,
       abs(ST_Area(g.geom) - (SELECT sum(ST_Area(b.geom)) FROM buurtmonitor.areas b
                               WHERE b.vintage = g.vintage AND b.level = 'buurt')) < 1 AS union_equals_sum
  FROM buurtmonitor.areas g WHERE g.code = 'GM0150' ORDER BY 1;
SELECT GeometryType(geom), ST_SRID(geom), count(*) FROM buurtmonitor.areas GROUP BY 1, 2;

\set f :datadir '/utrecht/buurt_2022.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022) AS utrecht_2022;
SELECT level, count(*) FROM buurtmonitor.areas
 WHERE vintage = 2022 AND code NOT LIKE '%0150%' GROUP BY 1 ORDER BY 1;

-- Baarn 2024 is WGS84 without a crs member: refused, then transformed on request
\set f :datadir '/multiyear/baarn_buurt_2024_wgs84.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2024,
       code_property => 'buurtcode', name_property => 'buurtnaam');
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2024,
       code_property => 'buurtcode', name_property => 'buurtnaam', transform => true) AS baarn_2024;
-- Baarn (52.21 N, 5.29 E) lies about 7 km west and 6 km north of the RD origin at
-- Amersfoort (155000, 463000), so its centroid should be near x = 148 km, y = 469 km.
SELECT code, ST_SRID(geom), ST_DWithin(ST_Centroid(geom), ST_SetSRID(ST_MakePoint(148000, 469000), 28992), 2000) AS within_2_km
  FROM buurtmonitor.areas WHERE code = 'GM0308' AND vintage = 2024;
