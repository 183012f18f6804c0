-- Loading CBS key figures: the Utrecht province file (custom layout, resolved through the
-- catalogue's aliases), the city of Utrecht in the full KWB layout, and long files.
-- Expected values were computed independently with python3's csv module over the same
-- files (commands in the comments); the areas come from 030_load_areas.
\getenv datadir BUURTMONITOR_DATA
SET client_min_messages = warning;
\set SHOW_CONTEXT never

\set f :datadir '/utrecht/kwb2022_leefbaarometer2020_ses.csv'
SELECT buurtmonitor.load_csv(:'f', period => 2022) > 0 AS loaded;
-- python3: sum(float(r['aantal_inwoners'])) per gm_naam -> Amersfoort 158580, Utrecht 361525,
-- all 969 buurten 1369745; 255 empty leefbarometer_score cells
SELECT a.parent_code IS NOT NULL AS has_parent, count(*) AS buurten, sum(o.value) AS inwoners
  FROM buurtmonitor.observations o JOIN buurtmonitor.areas a ON a.code = o.area_code AND a.vintage = o.vintage
 WHERE o.indicator = 'a_inw' AND o.period = 2022 AND a.level = 'buurt' AND a.code NOT LIKE 'BU0150%'
 GROUP BY 1;
SELECT sum(o.value) FILTER (WHERE o.area_code LIKE 'BU0307%') AS amersfoort,
       sum(o.value) FILTER (WHERE o.area_code LIKE 'BU0344%') AS utrecht
  FROM buurtmonitor.observations o WHERE o.indicator = 'a_inw' AND o.period = 2022;
SELECT status, count(*) FROM buurtmonitor.observations
 WHERE indicator = 'lbm_score' AND period = 2022 GROUP BY 1 ORDER BY 1;
-- suppressed cells are NULL, never 0
SELECT count(*) AS suppressed_with_value FROM buurtmonitor.observations
 WHERE status = 'suppressed' AND value IS NOT NULL;
-- shares and means carry their base: BU03070100 (Hof) has 396 dwellings and 26 % owner-occupied,
-- so numerator = 26 * 396 / 100 = 102.96 owner-occupied dwellings
SELECT indicator, value, numerator, denominator FROM buurtmonitor.observations
 WHERE area_code = 'BU03070100' AND indicator IN ('p_koopw', 'g_wozbag', 'a_woning') ORDER BY indicator;
-- python3: Amersfoort's WOZ value weighted by dwellings = 366.23098 (x 1000 EUR)
SELECT round((sum(numerator) / sum(denominator))::numeric, 5) AS amersfoort_woz
  FROM buurtmonitor.observations WHERE indicator = 'g_wozbag' AND area_code LIKE 'BU0307%';

-- In this processed file CBS suppression of some figures is coded 0: 120 buurten have a mean
-- WOZ value of 0 (python3: 15 of Amersfoort's 145). zero_is_suppressed names such columns;
-- python3 over the 130 others: Amersfoort's WOZ weighted by dwellings = 366.54533
SELECT buurtmonitor.load_csv(:'f', period => 2022, on_conflict => 'update',
                             zero_is_suppressed => '{g_wozbag}') > 0 AS reloaded;
SELECT round((sum(numerator) / sum(denominator))::numeric, 5) AS amersfoort_woz,
       count(*) FILTER (WHERE status = 'suppressed') AS suppressed
  FROM buurtmonitor.observations WHERE indicator = 'g_wozbag' AND area_code LIKE 'BU0307%';

-- the full KWB layout: 122 rows (gemeente, 10 wijken, 111 buurten) x 114 indicator columns
-- = 13908 cells, 5591 of them empty (python3); names come from the regio column
\set f :datadir '/multiyear/utrecht_gm0344_kwb2023.csv'
SELECT buurtmonitor.load_csv(:'f') AS utrecht_2023;
SELECT status, count(*) FROM buurtmonitor.observations WHERE vintage = 2023 AND area_code LIKE '%0344%'
 GROUP BY 1 ORDER BY 1;
SELECT code, name, level, parent_code FROM buurtmonitor.areas
 WHERE vintage = 2023 AND code IN ('GM0344', 'WK034401', 'BU03440111') ORDER BY code;
-- python3: GM0344 a_inw = 367947; its 111 buurten add up to 367715 (CBS rounds per buurt)
SELECT (SELECT value FROM buurtmonitor.observations WHERE area_code = 'GM0344' AND vintage = 2023 AND indicator = 'a_inw') AS gemeente,
       (SELECT sum(value) FROM buurtmonitor.observations WHERE area_code LIKE 'BU0344%' AND vintage = 2023 AND indicator = 'a_inw') AS buurten;

-- a long file with ten years in it: 1518 rows, 354 empty values, 22 codes (python3).
-- Baarn is part of the province file loaded above, so its 21 buurten already have a_inw for
-- 2022: the load is refused and names them, and with on_conflict => 'skip' the other
-- 1518 - 21 = 1497 rows load.
\set f :datadir '/multiyear/baarn_gm0308_kwb2016_2025_long.csv'
SELECT buurtmonitor.load_csv(:'f');
SELECT buurtmonitor.load_csv(:'f', on_conflict => 'skip') AS baarn;
SELECT count(*) AS rows, count(*) FILTER (WHERE status = 'suppressed') AS suppressed,
       count(DISTINCT area_code) AS codes, min(period), max(period)
  FROM buurtmonitor.observations WHERE source = 'baarn_gm0308_kwb2016_2025_long.csv';
-- awk: the 21 buurten had 25180 inhabitants in 2025
SELECT sum(value) FROM buurtmonitor.observations
 WHERE indicator = 'a_inw' AND period = 2025 AND area_code LIKE 'BU0308%';

-- a period column per row (Woudenberg inhabitants 2016-2025, 121 rows); the new buurt
-- BU03510013 exists only in 2025. Its 11 buurten of 2022 are in the province file: 110 load.
\set f :datadir '/multiyear/woudenberg_gm0351_a_inw_2016_2025_long.csv'
SELECT buurtmonitor.load_csv(:'f', on_conflict => 'skip') AS woudenberg;
SELECT min(vintage), max(vintage), count(*) FROM buurtmonitor.areas WHERE code = 'BU03510013';

-- a reload replaces nothing unless asked; a custom mapping loads partner data
SELECT buurtmonitor.load_csv(:'f', on_conflict => 'skip') AS reloaded;
CREATE TEMP TABLE partner (buurt text, huurwoningen text);
INSERT INTO partner VALUES ('BU03510001', '410'), ('BU03510002', '.');
SELECT buurtmonitor.load_observations('partner', period => 2025, code_column => 'buurt',
       mapping => '{"huurwoningen": "a_woning"}', owner => 'woningcorporatie');
SELECT area_code, indicator, value, status, owner FROM buurtmonitor.observations
 WHERE owner = 'woningcorporatie' ORDER BY 1;

-- concurrency (docs/loading.md): own SQL that writes observations takes the lock that loads,
-- roll-ups and re-expressions of that vintage and period take; it is held until commit, and
-- the functions called inside take it again without waiting
BEGIN;
SELECT buurtmonitor.lock_observations(2025, 2025);
UPDATE buurtmonitor.observations SET value = 420
 WHERE area_code = 'BU03510001' AND vintage = 2025 AND period = 2025 AND indicator = 'a_woning';
SELECT buurtmonitor.refresh_denominators(2025, 2025);
SELECT mode, granted FROM pg_locks
 WHERE locktype = 'advisory' AND classid = 'buurtmonitor.observations'::regclass::oid AND pid = pg_backend_pid();
COMMIT;
SELECT count(*) AS advisory_locks_after_commit FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();
SELECT buurtmonitor.lock_observations(NULL, 2025);

-- clean up, so later tests start from an empty monitor
TRUNCATE buurtmonitor.areas CASCADE;
