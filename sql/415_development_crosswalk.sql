-- Development across boundary editions, end to end on the real Deventer buurten (2018 and 2022
-- editions): build_crosswalk -> reexpress_observations -> development. The figures are
-- SYNTHETIC and chosen so every expected value follows by hand without geometry:
--   2018 edition, period 2018: every buurt 1000 households, 10 % with a low income (num 100);
--   2022 edition, period 2022: every buurt 1000 households, 12 % with a low income.
-- A share re-expressed as sum(share*num) / sum(share*den) over sources that all have 10 % is
-- exactly 10 % whatever the overlaps, so every 2022 buurt that continues an old one gets an
-- estimated 10 % for 2018 and a change of +2.0 percentage points ("worsened": polarity -1,
-- tolerance 0.5). Steenbrugge (BU01500606) is new in 2022: no 2018 value and no change.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
\getenv datadir BUURTMONITOR_DATA
DELETE FROM buurtmonitor.areas WHERE code ~ '0150' AND vintage IN (2018, 2022);
\set f :datadir '/deventer/buurt_2018.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2018) AS buurten_2018;
\set f :datadir '/deventer/buurt_2022.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022) AS buurten_2022;
INSERT INTO buurtmonitor.indicators (code, label, kind, denominator, scale, polarity, tolerance) VALUES
    ('e2e_hh', 'households (synthetic)', 'count', NULL, 1, 0, 0),
    ('e2e_low', 'households with a low income (synthetic)', 'share', 'e2e_hh', 100, -1, 0.5);
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, numerator, denominator)
SELECT a.code, a.vintage, a.vintage, i.code,
       CASE WHEN i.code = 'e2e_hh' THEN 1000 WHEN a.vintage = 2018 THEN 10 ELSE 12 END,
       CASE WHEN i.code = 'e2e_low' THEN CASE WHEN a.vintage = 2018 THEN 100 ELSE 120 END END,
       CASE WHEN i.code = 'e2e_low' THEN 1000 END
  FROM buurtmonitor.areas a CROSS JOIN (VALUES ('e2e_hh'), ('e2e_low')) i(code)
 WHERE a.code LIKE 'BU0150%' AND a.vintage IN (2018, 2022);

SELECT buurtmonitor.build_crosswalk(2018, 2022) > 0 AS crosswalk_built;
SELECT buurtmonitor.reexpress_observations(2018, 2022) > 0 AS reexpressed;
-- every 2022 buurt but Steenbrugge continues an old one (python3 over the two files: 69 buurten,
-- one new code besides Oxerhof's changed code, and Oxerhof keeps 97 % of its area)
SELECT count(DISTINCT area_code) AS buurten_with_estimate,
       bool_and(area_code <> 'BU01500606') AS steenbrugge_not_among_them,
       max(abs(value - 10)) < 1e-9 AS all_10_pct_within_1e_9
  FROM buurtmonitor.observations
 WHERE vintage = 2022 AND period = 2018 AND indicator = 'e2e_low' AND status = 'estimated';

SELECT area_code, area_name, period, round(value::numeric, 6) AS value, estimated, previous_period,
       round(change_pp::numeric, 6) AS change_pp, label
  FROM buurtmonitor.development('buurt', '{e2e_low}', 2022)
 WHERE area_code IN ('BU01500606', 'BU01501505', 'BU01501103') ORDER BY area_code, period;
-- the whole edition: 68 changes of +2 pp, all worsened; Steenbrugge's 2022 row has none
SELECT count(*) FILTER (WHERE abs(change_pp - 2) < 1e-9 AND label = 'worsened') AS worsened_by_2pp,
       count(*) FILTER (WHERE change_pp IS NULL) AS without_change,
       string_agg(area_code, ',') FILTER (WHERE change_pp IS NULL) AS which
  FROM buurtmonitor.development('buurt', '{e2e_low}', 2022) WHERE period = 2022;

DELETE FROM buurtmonitor.areas WHERE code ~ '0150' AND vintage IN (2018, 2022);
DELETE FROM buurtmonitor.indicators WHERE code LIKE 'e2e\_%';
