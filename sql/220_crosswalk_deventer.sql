-- The real case: Deventer buurten, CBS editions 2018 and 2022 (CBS, CC BY 4.0), read from
-- $BUURTMONITOR_DATA/deventer.  Two independent oracles:
--   * PostGIS/GEOS ST_Area(ST_Intersection(a, b)) for every overlap area (to 1e-6 relative);
--   * the width of each overlap by a negative buffer: ST_Buffer(ST_Intersection(a, b), -w/2) is
--     non-empty exactly when the overlap holds a disc of diameter w, i.e. is at least w metres wide.
-- The sliver rule (default min_width 20 m on the mean width 2A/P) must keep every overlap that is at
-- least 100 m wide and drop every overlap narrower than 10 m.
SET extra_float_digits = 0;
\getenv datadir BUURTMONITOR_DATA
\set f18 :datadir/deventer/buurt_2018.geojson
\set f22 :datadir/deventer/buurt_2022.geojson

CREATE TABLE dv18 AS
SELECT f->'properties'->>'statcode' AS code,
       ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 28992) AS geom
  FROM jsonb_array_elements(pg_read_file(:'f18')::jsonb->'features') AS f;
CREATE TABLE dv22 AS
SELECT f->'properties'->>'statcode' AS code,
       ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 28992) AS geom
  FROM jsonb_array_elements(pg_read_file(:'f22')::jsonb->'features') AS f;
-- README: 68 buurten in 2018, 69 in 2022
SELECT (SELECT count(*) FROM dv18) AS buurten_2018, (SELECT count(*) FROM dv22) AS buurten_2022;

-- Every pair of intersecting (or touching) buurten, with the PostGIS oracle and the buffer widths.
CREATE TABLE dv_pairs AS
SELECT a.code AS s, b.code AS t,
       buurtmonitor.overlap_area(a.geom, b.geom) AS ours,
       ST_Area(ST_Intersection(a.geom, b.geom)) AS postgis,
       ST_Intersection(a.geom, b.geom) AS ig
  FROM dv18 a JOIN dv22 b ON ST_Intersects(a.geom, b.geom);
ALTER TABLE dv_pairs ADD wide10 boolean, ADD wide25 boolean, ADD wide100 boolean;
UPDATE dv_pairs SET wide10  = NOT ST_IsEmpty(ST_Buffer(ig, -5)),
                    wide25  = NOT ST_IsEmpty(ST_Buffer(ig, -12.5)),
                    wide100 = NOT ST_IsEmpty(ST_Buffer(ig, -50));

-- overlap_area against PostGIS: every pair within 1e-6 relative, the same pairs with area > 0,
-- and the same total (the whole 2018 area that the 2022 edition covers).
SELECT count(*) AS candidate_pairs,
       count(*) FILTER (WHERE postgis > 0) AS postgis_positive,
       count(*) FILTER (WHERE ours > 0) AS ours_positive,
       count(*) FILTER (WHERE abs(ours - postgis) > 1e-6 * postgis) AS outside_1e6_rel,
       round(sum(ours)::numeric) AS total_ours, round(sum(postgis)::numeric) AS total_postgis
  FROM dv_pairs;

-- The crosswalk with its default sliver rule.
CREATE TABLE dv_cw AS SELECT * FROM buurtmonitor.crosswalk('dv18', 'dv22');
CREATE TABLE dv_cw0 AS SELECT * FROM buurtmonitor.crosswalk('dv18', 'dv22', min_width => 0, renormalise => false);

-- min_width => 0 keeps every overlap: the same pairs and areas as the PostGIS oracle.
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE abs(c.overlap_area - p.postgis) > 1e-6 * p.postgis) AS outside_1e6_rel,
       count(*) FILTER (WHERE abs(c.share - p.postgis / ST_Area(a.geom)) > 1e-9) AS share_not_area_ratio
  FROM dv_cw0 c JOIN dv_pairs p ON (p.s, p.t) = (c.source_code, c.target_code)
  JOIN dv18 a ON a.code = c.source_code;

-- The sliver rule against the buffer widths: every >= 100 m overlap kept, every < 10 m overlap
-- dropped; and everything kept is at least 25 m wide by the buffer test.
SELECT p.wide100, p.wide10, count(*) AS pairs, count(c.source_code) AS kept,
       count(*) FILTER (WHERE c.source_code IS NOT NULL AND p.wide25) AS kept_and_25m_wide
  FROM dv_pairs p LEFT JOIN dv_cw c ON (p.s, p.t) = (c.source_code, c.target_code)
 WHERE p.postgis > 0
 GROUP BY 1, 2 ORDER BY 1, 2;

-- The margin: the widest overlap that is under 10 m by the buffer test, and the narrowest one that is
-- at least 100 m, both in mean width 2A/P (m).  The default 20 m lies between them with a factor
-- of about 2 to spare on each side.
SELECT round(max(m.width) FILTER (WHERE NOT p.wide10)::numeric, 2) AS widest_under_10m,
       round(min(m.width) FILTER (WHERE p.wide100)::numeric, 2)    AS narrowest_over_100m
  FROM dv_pairs p, dv18 a, dv22 b, buurtmonitor.overlap_measures(a.geom, b.geom) m
 WHERE a.code = p.s AND b.code = p.t AND p.postgis > 0;

-- The transfers named in the issue (every pair between different codes among the redrawn buurten
-- whose overlap is at least 100 m wide by the buffer test): all kept.  Steenbrugge BU01500606 out of
-- Tjoene BU01501103, Oxerhof BU01501011 -> BU01501505, and BU01501403 -> BU01501402 (0.55 km2,
-- under 2% of its source).
SELECT p.s, p.t, round(p.postgis) AS postgis_m2, round(c.overlap_area) AS crosswalk_m2,
       round(c.share::numeric, 4) AS share, c.source_code IS NOT NULL AS kept
  FROM dv_pairs p LEFT JOIN dv_cw c ON (p.s, p.t) = (c.source_code, c.target_code)
 WHERE p.s <> p.t AND p.wide100
   AND p.s IN ('BU01501103', 'BU01501011', 'BU01501401', 'BU01501402', 'BU01501403', 'BU01500907',
               'BU01501010', 'BU01501503', 'BU01501504', 'BU01501505')
 ORDER BY p.postgis DESC;

-- Shares sum to 1 for every 2018 buurt (each has a kept pair).
SELECT count(DISTINCT source_code) AS sources,
       count(*) FILTER (WHERE abs(total - 1) > 1e-12) AS not_summing_to_1
  FROM (SELECT source_code, sum(share) AS total FROM dv_cw GROUP BY 1) s;
