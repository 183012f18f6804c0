-- Roll-up across levels (extension/sql/300_rollup.sql) on a small SYNTHETIC municipality whose
-- results are computed by hand below. Runs in a transaction that is rolled back.
--
--   GM9999 Synthetica
--   +-- SD_NOORD (stadsdeel)
--   |   +-- WK999901: BU99990101, BU99990102
--   |   +-- WK999902: BU99990201
--   +-- WK999903 (wijk directly under the gemeente): BU99990301, BU99990302
--
--   buurt       a_inw  a_woning  p_koopw  g_wozbag  lbm_score  (period 2022)
--   BU99990101   1000       400       50       300        4.0
--   BU99990102    500       300       20       200        3.0
--   BU99990201    200       100     supp       500     (no row)
--   BU99990301    800       200       80       400        4.5
--   BU99990302   supp        50       10      supp        4.0
BEGIN;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code) VALUES
    ('GM9999', 2022, 'Synthetica', 'gemeente', NULL),
    ('SD_NOORD', 2022, 'Stadsdeel Noord', 'stadsdeel', 'GM9999'),
    ('WK999901', 2022, 'Wijk 1', 'wijk', 'SD_NOORD'),
    ('WK999902', 2022, 'Wijk 2', 'wijk', 'SD_NOORD'),
    ('WK999903', 2022, 'Wijk 3', 'wijk', 'GM9999'),
    ('BU99990101', 2022, 'Buurt 1a', 'buurt', 'WK999901'),
    ('BU99990102', 2022, 'Buurt 1b', 'buurt', 'WK999901'),
    ('BU99990201', 2022, 'Buurt 2a', 'buurt', 'WK999902'),
    ('BU99990301', 2022, 'Buurt 3a', 'buurt', 'WK999903'),
    ('BU99990302', 2022, 'Buurt 3b', 'buurt', 'WK999903');
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, status) VALUES
    ('BU99990101', 2022, 2022, 'a_inw', 1000, 'observed'),
    ('BU99990102', 2022, 2022, 'a_inw', 500, 'observed'),
    ('BU99990201', 2022, 2022, 'a_inw', 200, 'observed'),
    ('BU99990301', 2022, 2022, 'a_inw', 800, 'observed'),
    ('BU99990302', 2022, 2022, 'a_inw', NULL, 'suppressed'),
    ('BU99990101', 2022, 2022, 'a_woning', 400, 'observed'),
    ('BU99990102', 2022, 2022, 'a_woning', 300, 'observed'),
    ('BU99990201', 2022, 2022, 'a_woning', 100, 'observed'),
    ('BU99990301', 2022, 2022, 'a_woning', 200, 'observed'),
    ('BU99990302', 2022, 2022, 'a_woning', 50, 'observed'),
    ('BU99990101', 2022, 2022, 'p_koopw', 50, 'observed'),
    ('BU99990102', 2022, 2022, 'p_koopw', 20, 'observed'),
    ('BU99990201', 2022, 2022, 'p_koopw', NULL, 'suppressed'),
    ('BU99990301', 2022, 2022, 'p_koopw', 80, 'observed'),
    ('BU99990302', 2022, 2022, 'p_koopw', 10, 'observed'),
    ('BU99990101', 2022, 2022, 'g_wozbag', 300, 'observed'),
    ('BU99990102', 2022, 2022, 'g_wozbag', 200, 'observed'),
    ('BU99990201', 2022, 2022, 'g_wozbag', 500, 'observed'),
    ('BU99990301', 2022, 2022, 'g_wozbag', 400, 'observed'),
    ('BU99990302', 2022, 2022, 'g_wozbag', NULL, 'suppressed'),
    ('BU99990101', 2022, 2022, 'lbm_score', 4.0, 'observed'),
    ('BU99990102', 2022, 2022, 'lbm_score', 3.0, 'observed'),
    ('BU99990301', 2022, 2022, 'lbm_score', 4.5, 'observed'),
    ('BU99990302', 2022, 2022, 'lbm_score', 4.0, 'observed'),
    -- a median: not rolled up (score without base)
    ('BU99990101', 2022, 2022, 'm_hh_ver', 120, 'observed');

-- To the gemeente, all five buurten (through the stadsdeel and directly through WK999903).
-- Hand calculation:
--   a_inw     count: 1000+500+200+800 = 2500; 1 of 5 parts suppressed -> coverage 4/5 = 0.8, partial
--   a_woning  count: 400+300+100+200+50 = 1050, complete
--   p_koopw   share: numerators 0.50*400 + 0.20*300 + 0.80*200 + 0.10*50 = 200+60+160+5 = 425,
--             denominators 400+300+200+50 = 950 -> 100*425/950 = 44.736842;
--             coverage 950/1050 = 0.904762 (BU99990201's 100 dwellings suppressed).
--             The naive mean of the four percentages would be (50+20+80+10)/4 = 40.
--   g_wozbag  mean by a_woning: (300*400 + 200*300 + 500*100 + 400*200)/1000 = 310000/1000 = 310;
--             coverage 1000/1050 = 0.952381
--   lbm_score by a_inw: (4.0*1000 + 3.0*500 + 4.5*800)/2300 = 9100/2300 = 3.956522; BU99990201
--             has no row, BU99990302 has a score but no known base -> 2 missing; coverage NULL
--             because the base of BU99990302 is unknown
--   m_hh_ver  not rolled up (no row)
SELECT area_code, vintage, period, indicator, kind, round(value::numeric, 6) AS value,
       round(numerator::numeric, 3) AS numerator, round(denominator::numeric, 3) AS denominator,
       n_parts, n_missing, n_suppressed, round(coverage::numeric, 6) AS coverage, partial
  FROM buurtmonitor.rollup('gemeente', 2022, vintage => 2022)
 WHERE area_code = 'GM9999';

-- To the stadsdeel: BU99990101, BU99990102, BU99990201.
--   a_inw 1700, a_woning 800 (complete)
--   p_koopw   (200+60)/(400+300) = 37.142857; coverage 700/800 = 0.875
--   g_wozbag  (120000+60000+50000)/800 = 287.5, complete
--   lbm_score (4000+1500)/1500 = 3.666667; coverage 1500/1700 = 0.882353 (BU99990201 has no row)
SELECT area_code, indicator, round(value::numeric, 6) AS value, n_parts, n_missing,
       round(coverage::numeric, 6) AS coverage, partial
  FROM buurtmonitor.rollup('stadsdeel', 2022, vintage => 2022)
 WHERE area_code = 'SD_NOORD';

-- To the wijken, four indicators.
--   WK999901: a_inw 1500; p_koopw 260/700 = 37.142857; g_wozbag 180000/700 = 257.142857;
--             lbm_score 5500/1500 = 3.666667; all complete
--   WK999902: a_inw 200; p_koopw only part suppressed -> NULL, coverage 0; g_wozbag 500;
--             lbm_score: no part has a row, so no result row
--   WK999903: a_inw 800 of 2 parts, coverage 0.5; p_koopw (160+5)/250 = 66 complete;
--             g_wozbag 400 by 200 of 250 dwellings, coverage 0.8;
--             lbm_score 4.5 (BU99990302's base unknown) coverage NULL, partial
SELECT area_code, indicator, round(value::numeric, 6) AS value, n_parts, n_missing, n_suppressed,
       round(coverage::numeric, 6) AS coverage, partial
  FROM buurtmonitor.rollup('wijk', 2022, ARRAY['a_inw', 'p_koopw', 'g_wozbag', 'lbm_score'], 2022)
 WHERE area_code LIKE 'WK9999%';

-- Stored numerators and denominators take precedence over the base indicator: a user
-- survey share with its own respondents (docs/rollup.md).
--   BU99990101 60% of 50 respondents (30), BU99990102 80% of 10 (8):
--   100*(30+8)/(50+10) = 63.333333, whereas weighting by inhabitants would give
--   (60*1000 + 80*500)/1500 = 66.666667.
INSERT INTO buurtmonitor.indicators (code, label, theme, unit, kind, denominator, scale, polarity)
VALUES ('p_tevr_groen', 'Tevreden over groen in de buurt', 'leefbaarheid', '%', 'share', 'a_inw', 100, 1);
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, numerator, denominator, source) VALUES
    ('BU99990101', 2022, 2022, 'p_tevr_groen', 60, 30, 50, 'enquête'),
    ('BU99990102', 2022, 2022, 'p_tevr_groen', 80, 8, 10, 'enquête');
SELECT area_code, round(value::numeric, 6) AS value, numerator, denominator, n_parts, n_missing, coverage, partial
  FROM buurtmonitor.rollup('wijk', indicators => ARRAY['p_tevr_groen'])
 WHERE area_code = 'WK999901';

-- From the wijk level instead of buurten (here only a wijk-level count exists).
--   WK999901 1500 + WK999902 200 + WK999903 800 = 2500, 3 parts.
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value) VALUES
    ('WK999901', 2022, 2023, 'a_inw', 1500), ('WK999902', 2022, 2023, 'a_inw', 200), ('WK999903', 2022, 2023, 'a_inw', 800);
SELECT area_code, period, indicator, value, n_parts, n_missing, partial
  FROM buurtmonitor.rollup('gemeente', 2023, ARRAY['a_inw'], 2022, from_level => 'wijk')
 WHERE area_code = 'GM9999';

-- Storing a roll-up. CBS's own municipal figure for a_woning (observed, 1060) is kept;
-- the others are written with source 'rollup', 'estimated' where partial.
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, source)
VALUES ('GM9999', 2022, 2022, 'a_woning', 1060, 'CBS');
SELECT buurtmonitor.rollup_to_observations('gemeente', 2022, ARRAY['a_inw', 'a_woning', 'p_koopw', 'g_wozbag'], 2022) AS written;
SELECT area_code, indicator, round(value::numeric, 6) AS value, status, source
  FROM buurtmonitor.observations WHERE area_code = 'GM9999' AND period = 2022 ORDER BY indicator;
-- Running it again refreshes its own rows (3 again) and still leaves the CBS row alone.
SELECT buurtmonitor.rollup_to_observations('gemeente', 2022, ARRAY['a_inw', 'a_woning', 'p_koopw', 'g_wozbag'], 2022) AS written;
SELECT count(*) AS rows, count(*) FILTER (WHERE source = 'rollup') AS from_rollup
  FROM buurtmonitor.observations WHERE area_code = 'GM9999' AND period = 2022;

-- Errors.
\set SHOW_CONTEXT never
SAVEPOINT s;
SELECT * FROM buurtmonitor.rollup('provinsie');
ROLLBACK TO s;
SELECT * FROM buurtmonitor.rollup('gemeente', from_level => 'blok');
ROLLBACK TO s;
SELECT * FROM buurtmonitor.rollup('wijk', from_level => 'gemeente');
ROLLBACK TO s;
SELECT * FROM buurtmonitor.rollup('wijk', from_level => 'wijk');
ROLLBACK TO s;
SELECT * FROM buurtmonitor.rollup('gemeente', indicators => ARRAY['a_inw', 'aantal_inwoners']);
ROLLBACK TO s;
SELECT * FROM buurtmonitor.rollup('gemeente', indicators => ARRAY['m_hh_ver']);
ROLLBACK TO s;

ROLLBACK;
