-- Stored roll-ups are derived rows that stay fresh.  SYNTHETIC municipality, every expected value
-- computed by hand below; in a transaction that is rolled back.
--
--   GM9998 Stalen
--   +-- WK999801: BU99980101, BU99980102
--   +-- WK999802: BU99980201
--
--   buurt        a_inw 2021  a_inw 2022 (first load)  p_25_44 (both years, % of a_inw)
--   BU99980101        1000        1000                 20
--   BU99980102        2000        2500                 30
--   BU99980201        3000         300  (a typo)       40
--
-- 0.1.0 stored roll-ups as 'observed' and never refreshed them: after the typo was corrected
-- (300 -> 3000) development() still compared against the stale municipal total.
BEGIN;
SET client_min_messages = warning;
\set SHOW_CONTEXT never
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code) VALUES
    ('GM9998', 2022, 'Stalen', 'gemeente', NULL),
    ('WK999801', 2022, 'Wijk 1', 'wijk', 'GM9998'),
    ('WK999802', 2022, 'Wijk 2', 'wijk', 'GM9998'),
    ('BU99980101', 2022, 'Buurt 1a', 'buurt', 'WK999801'),
    ('BU99980102', 2022, 'Buurt 1b', 'buurt', 'WK999801'),
    ('BU99980201', 2022, 'Buurt 2a', 'buurt', 'WK999802');
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value)
SELECT b.code, 2022, p.period, i.indicator,
       CASE WHEN i.indicator = 'p_25_44' THEN b.pct WHEN p.period = 2021 THEN b.inw21 ELSE b.inw22 END
  FROM (VALUES ('BU99980101', 1000, 1000, 20), ('BU99980102', 2000, 2500, 30),
               ('BU99980201', 3000, 300, 40)) b(code, inw21, inw22, pct),
       (VALUES (2021), (2022)) p(period), (VALUES ('a_inw'), ('p_25_44')) i(indicator);

-- Store: wijken from buurten (both indicators); the gemeente's a_inw from the wijken (a roll-up of
-- roll-ups), its p_25_44 from the buurten.
SELECT buurtmonitor.rollup_to_observations('wijk', NULL, '{a_inw,p_25_44}', 2022) AS wijk_rows;
SELECT buurtmonitor.rollup_to_observations('gemeente', NULL, '{a_inw}', 2022, from_level => 'wijk') AS gm_inw_rows;
SELECT buurtmonitor.rollup_to_observations('gemeente', NULL, '{p_25_44}', 2022) AS gm_pct_rows;
-- By hand, 2022 with the typo:
--   WK999801 a_inw 1000 + 2500 = 3500, p_25_44 (0.2*1000 + 0.3*2500) / 3500 = 950/3500 = 27.142857
--   WK999802 a_inw 300, p_25_44 40
--   GM9998   a_inw 3500 + 300 = 3800 (from the wijken), p_25_44 (200 + 750 + 120) / 3800 = 28.157895
-- 2021: GM9998 a_inw 6000, p_25_44 (200 + 600 + 1200) / 6000 = 33.333333
CREATE TEMP VIEW stored AS
SELECT area_code, period, indicator, round(value::numeric, 6) AS value, status, derived_from, source
  FROM buurtmonitor.observations WHERE area_code IN ('GM9998', 'WK999801', 'WK999802')
 ORDER BY area_code, period, indicator;
SELECT * FROM stored;

-- The correction arrives through the loader (on_conflict => 'update'): BU99980201 has 3000
-- inhabitants in 2022.  The stored roll-ups follow, through both levels:
--   WK999802 a_inw 3000 (p_25_44 stays 40)
--   GM9998   a_inw 3500 + 3000 = 6500, p_25_44 (200 + 750 + 1200) / 6500 = 2150/6500 = 33.076923
CREATE TEMP TABLE fix (area_code text, indicator text, value text);
INSERT INTO fix VALUES ('BU99980201', 'a_inw', '3000');
SELECT buurtmonitor.load_observations('fix', period => 2022, vintage => 2022, on_conflict => 'update') AS loaded;
SELECT * FROM stored WHERE period = 2022;

-- development() compares against the fresh value: 6500 - 6000 = +500 (0.1.0: 3800 - 6000 = -2200),
-- and the buurten's reference value is 6500.
SELECT area_code, period, value, status, previous_value, change
  FROM buurtmonitor.development('gemeente', '{a_inw}', 2022, reference_area => 'GM9998')
 WHERE area_code = 'GM9998' ORDER BY period;
SELECT area_code, value, reference_code, reference_value, round(index::numeric, 6) AS index
  FROM buurtmonitor.development('buurt', '{a_inw}', 2022, periods => '{2022}')
 WHERE area_code LIKE 'BU9998%' ORDER BY area_code;
SELECT reference_code, period, value, source
  FROM buurtmonitor.reference_values('buurt', 2022, indicators => '{a_inw}', periods => '{2022}')
 WHERE reference_code = 'GM9998';

-- A plain UPDATE is followed too: BU99980101 2022 a_inw 1000 -> 1200.
--   WK999801 a_inw 1200 + 2500 = 3700, GM9998 3700 + 3000 = 6700.
--   p_25_44 stays: shares roll up from their stored numerators and denominators, which the
--   loader set (refresh_denominators) from the a_inw of that time.
UPDATE buurtmonitor.observations SET value = 1200
 WHERE area_code = 'BU99980101' AND period = 2022 AND indicator = 'a_inw';
SELECT * FROM stored WHERE period = 2022;

-- Deleting parts: BU99980201 loses its 2022 rows.  WK999802 has no part with a value left, so its
-- derived rows are deleted (invalidated); the gemeente becomes partial (status estimated):
--   GM9998 a_inw 3700 (only WK999801), p_25_44 (200 + 750) / 3500 = 27.142857
DELETE FROM buurtmonitor.observations WHERE area_code = 'BU99980201' AND period = 2022;
SELECT * FROM stored WHERE period = 2022;

-- A new buurt without figures makes WK999801's 2022 roll-ups partial: same values, status estimated
-- (2021 too: the new buurt has no 2021 figures either).
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
VALUES ('BU99980103', 2022, 'Buurt 1c', 'buurt', 'WK999801');
SELECT * FROM stored WHERE area_code = 'WK999801';
-- Moving a buurt to the other wijk: BU99980102 -> WK999802.  2021: WK999801 1000 (partial: 1c has
-- none), WK999802 2000 + 3000 = 5000; the gemeente 1000 + 5000 = 6000 from the wijken, status
-- estimated because one of its parts (WK999801) is itself an estimate.
UPDATE buurtmonitor.areas SET parent_code = 'WK999802' WHERE code = 'BU99980102' AND vintage = 2022;
SELECT * FROM stored WHERE period = 2021 AND indicator = 'a_inw';

-- The published figure wins: CBS's own municipal total loaded over the derived row becomes an
-- observed row (derived_from NULL) and is left alone by later refreshes.
DELETE FROM fix;
INSERT INTO fix VALUES ('GM9998', 'a_inw', '6010');
SELECT buurtmonitor.load_observations('fix', period => 2021, vintage => 2022, on_conflict => 'update') AS loaded;
UPDATE buurtmonitor.observations SET value = 1100
 WHERE area_code = 'BU99980101' AND period = 2021 AND indicator = 'a_inw';
SELECT * FROM stored WHERE period = 2021 AND indicator = 'a_inw';

-- refresh_rollups() recomputes on request (after, say, disabling triggers for a bulk load) and
-- returns the rows it changed: none now, everything is fresh.
SELECT buurtmonitor.refresh_rollups() AS changed;
SELECT buurtmonitor.refresh_rollups(2022, 2022, '{a_inw}') AS changed;

-- A derived row cannot pretend to be supplied data: status observed with derived_from set is refused.
SAVEPOINT s;
UPDATE buurtmonitor.observations SET status = 'observed'
 WHERE area_code = 'WK999802' AND period = 2021 AND indicator = 'a_inw';
ROLLBACK TO s;
ROLLBACK;
