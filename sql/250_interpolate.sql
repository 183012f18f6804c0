-- Crosswalks between boundary editions and interpolation through them (issue 3).
-- Expected values: hand calculations in the comments for the SYNTHETIC squares below, and for the
-- real Deventer case the R sf overlap areas in test/expected/deventer_overlaps.csv
-- (test/r/deventer_sf_oracle.R). Floats are rounded in the output.
\set SHOW_CONTEXT never

-- SYNTHETIC boundary editions (made up for this test), 200 m squares in RD New, y from 0 to 200:
--   vintage 2001: SA x 0..200, SB x 200..400, SC x 400..600          (each 40 000 m²)
--   vintage 2002: SA x 0..202 (takes a 2 m strip of SB: a sliver), SX x 202..300, SY x 300..600
-- So SB is split over SX (98 m wide) and SY (100 m), and SY merges the rest of SB with all of SC.
INSERT INTO buurtmonitor.areas (code, vintage, level, name, geom) VALUES
    ('SA', 2001, 'buurt', 'A', ST_Multi(ST_MakeEnvelope(0, 0, 200, 200, 28992))),
    ('SB', 2001, 'buurt', 'B', ST_Multi(ST_MakeEnvelope(200, 0, 400, 200, 28992))),
    ('SC', 2001, 'buurt', 'C', ST_Multi(ST_MakeEnvelope(400, 0, 600, 200, 28992))),
    ('SA', 2002, 'buurt', 'A', ST_Multi(ST_MakeEnvelope(0, 0, 202, 200, 28992))),
    ('SX', 2002, 'buurt', 'X', ST_Multi(ST_MakeEnvelope(202, 0, 300, 200, 28992))),
    ('SY', 2002, 'buurt', 'Y', ST_Multi(ST_MakeEnvelope(300, 0, 600, 200, 28992)));

-- Default sliver rule: the 2 m strip SB∩SA (400 m², mean width 2*400/404 = 1.98 m) is dropped and
-- SB's other shares renormalised: SB→SX 19600/39600 = 49/99 = 0.494949495, SB→SY 50/99 = 0.505050505.
SELECT buurtmonitor.build_crosswalk(2001, 2002) AS pairs;
SELECT source_code, target_code, round(overlap_area::numeric, 6) AS overlap_area, round(share::numeric, 9) AS share
  FROM buurtmonitor.crosswalks WHERE from_vintage = 2001 AND to_vintage = 2002 AND level = 'buurt'
 ORDER BY 1, 2;

-- min_width => 0 keeps the sliver: SB→SA 400/40000 = 0.01, SB→SX 0.49, SB→SY 0.5.
-- A rebuild replaces the previous run (5 rows, not 4 + 5).
SELECT buurtmonitor.build_crosswalk(2001, 2002, min_width => 0) AS pairs;
SELECT source_code, target_code, round(overlap_area::numeric, 6) AS overlap_area, round(share::numeric, 9) AS share
  FROM buurtmonitor.crosswalks WHERE from_vintage = 2001 AND to_vintage = 2002 ORDER BY 1, 2;
SELECT count(*) FROM buurtmonitor.crosswalks WHERE from_vintage = 2001 AND to_vintage = 2002;
SELECT buurtmonitor.build_crosswalk(2001, 2002) AS pairs;

-- build_crosswalk errors
SELECT buurtmonitor.build_crosswalk(2001, 2001);
SELECT buurtmonitor.build_crosswalk(2001, 2002, 'kwartier');
SELECT buurtmonitor.build_crosswalk(2001, 2003);
SELECT buurtmonitor.build_crosswalk(NULL, 2002);

-- Generic interpolation on any tables: a crosswalk view and a SYNTHETIC source table.
CREATE TEMP VIEW cw_2001_2002 AS
SELECT source_code, target_code, overlap_area, share
  FROM buurtmonitor.crosswalks WHERE from_vintage = 2001 AND to_vintage = 2002 AND level = 'buurt';
CREATE TEMP TABLE pop (code text, inhabitants float8, pct_x float8);
INSERT INTO pop VALUES ('SA', 1000, 10), ('SB', 2000, 20), ('SC', 500, 40);

-- Extensive, by hand: SA = 1000; SX = 2000*49/99 = 989.898990; SY = 2000*50/99 + 500 = 1510.101010.
-- The total 1000 + 989.898990 + 1510.101010 = 3500 is kept.
SELECT target_code, round(value::numeric, 6) AS value, coverage, sources
  FROM buurtmonitor.interpolate_extensive('cw_2001_2002', 'pop', 'inhabitants');
SELECT round(sum(value)::numeric, 6) AS total
  FROM buurtmonitor.interpolate_extensive('cw_2001_2002', 'pop', 'inhabitants');

-- Intensive weighted by overlap area: SY = (20000*20 + 40000*40) / 60000 = 33.333333.
SELECT target_code, round(value::numeric, 6) AS value, denominator, coverage, sources
  FROM buurtmonitor.interpolate_intensive('cw_2001_2002', 'pop', 'pct_x');
-- Intensive with the denominator moved along: SY = (20*2000*50/99 + 40*500) / (2000*50/99 + 500)
-- = (39800/99) / (149500/99) = 26.622074, moved denominator 1510.101010; SX keeps SB's 20.
SELECT target_code, round(value::numeric, 6) AS value, round(denominator::numeric, 6) AS denominator, coverage, sources
  FROM buurtmonitor.interpolate_intensive('cw_2001_2002', 'pop', 'pct_x', denominator_column => 'inhabitants');

-- Totals lost where the targets do not cover the source: a crosswalk onto SA and SX only, not
-- renormalised. SB keeps 19600/40000 = 0.49 (its sliver into SA is dropped, not renormalised), so
-- 2000 * 0.51 = 1020 of it is lost; SC has no target and loses all 500.
CREATE TEMP TABLE cw_partial AS
SELECT * FROM buurtmonitor.crosswalk('buurtmonitor.areas', 'buurtmonitor.areas',
    source_filter => 'vintage = 2001', target_filter => 'vintage = 2002 AND code <> ''SY''', renormalise => false);
SELECT s.code, s.inhabitants * (1 - coalesce(sum(c.share), 0)) AS lost
  FROM pop s LEFT JOIN cw_partial c ON c.source_code = s.code
 GROUP BY s.code, s.inhabitants HAVING coalesce(sum(c.share), 0) < 1 - 1e-9
 ORDER BY s.code;
-- with the renormalised crosswalk nothing is lost
SELECT count(*) AS sources_losing FROM (
    SELECT s.code FROM pop s LEFT JOIN cw_2001_2002 c ON c.source_code = s.code
     GROUP BY s.code, s.inhabitants HAVING coalesce(sum(c.share), 0) < 1 - 1e-9) x;

-- Missing values are not zeros. SC unknown: SY's coverage = 20000/60000 = 0.333333 (the part of
-- its overlap area with known sources); with the default min_coverage 1 its value is NULL,
-- with min_coverage 0 it is the known part: extensive 2000*50/99 = 1010.101010, intensive 20.
UPDATE pop SET inhabitants = NULL, pct_x = NULL WHERE code = 'SC';
SELECT target_code, round(value::numeric, 6) AS value, round(coverage::numeric, 6) AS coverage, sources
  FROM buurtmonitor.interpolate_extensive('cw_2001_2002', 'pop', 'inhabitants');
SELECT target_code, round(value::numeric, 6) AS value, round(coverage::numeric, 6) AS coverage
  FROM buurtmonitor.interpolate_extensive('cw_2001_2002', 'pop', 'inhabitants', min_coverage => 0);
SELECT target_code, round(value::numeric, 6) AS value, round(coverage::numeric, 6) AS coverage
  FROM buurtmonitor.interpolate_intensive('cw_2001_2002', 'pop', 'pct_x', min_coverage => 0);
-- A source absent from the source table counts as unknown too: without SA, target SA has coverage 0.
DELETE FROM pop WHERE code = 'SA';
SELECT target_code, value, coverage FROM buurtmonitor.interpolate_extensive('cw_2001_2002', 'pop', 'inhabitants', min_coverage => 0)
 WHERE target_code = 'SA';

-- interpolation errors
SELECT * FROM buurtmonitor.interpolate_extensive('cw_2001_2002', 'pop', 'no_such_column');
SELECT * FROM buurtmonitor.interpolate_extensive('pop', 'pop', 'inhabitants');
SELECT * FROM buurtmonitor.interpolate_extensive('cw_2001_2002', 'pop', 'inhabitants', min_coverage => 1.5);
SELECT * FROM buurtmonitor.interpolate_intensive('cw_2001_2002', 'pop', 'pct_x', denominator_column => 'nope');
INSERT INTO pop VALUES ('SB', 1, 1);
SELECT * FROM buurtmonitor.interpolate_extensive('cw_2001_2002', 'pop', 'inhabitants');
DELETE FROM pop WHERE inhabitants = 1;
UPDATE pop SET pct_x = 'NaN' WHERE code = 'SB';
SELECT * FROM buurtmonitor.interpolate_intensive('cw_2001_2002', 'pop', 'pct_x');
UPDATE pop SET pct_x = 20, inhabitants = -5 WHERE code = 'SB';
SELECT * FROM buurtmonitor.interpolate_intensive('cw_2001_2002', 'pop', 'pct_x', denominator_column => 'inhabitants');
CREATE TEMP TABLE cw_bad AS SELECT * FROM cw_2001_2002;
UPDATE cw_bad SET share = -0.5 WHERE source_code = 'SC';
SELECT * FROM buurtmonitor.interpolate_extensive('cw_bad', 'pop', 'inhabitants');
CREATE TEMP TABLE cw_twice AS SELECT * FROM cw_2001_2002 UNION ALL SELECT * FROM cw_2001_2002 WHERE source_code = 'SC';
SELECT * FROM buurtmonitor.interpolate_extensive('cw_twice', 'pop', 'inhabitants');

-- reexpress_observations: SYNTHETIC indicators and observations of edition 2001.
INSERT INTO buurtmonitor.indicators (code, label, kind, denominator, scale) VALUES
    ('syn_inw', 'inhabitants (synthetic)', 'count', NULL, 1),
    ('syn_pct', 'share of inhabitants with x, % (synthetic)', 'share', 'syn_inw', 100),
    ('syn_won', 'dwellings (synthetic)', 'count', NULL, 1),
    ('syn_woz', 'mean dwelling value (synthetic)', 'mean', 'syn_won', 1),
    ('syn_score', 'score without base (synthetic)', 'score', NULL, 1);
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, numerator, denominator, status) VALUES
    ('SA', 2001, 2020, 'syn_inw', 1000, NULL, NULL, 'observed'),
    ('SB', 2001, 2020, 'syn_inw', 2000, NULL, NULL, 'observed'),
    ('SC', 2001, 2020, 'syn_inw', 500, NULL, NULL, 'observed'),
    ('SA', 2001, 2020, 'syn_pct', 10, 100, 1000, 'observed'),
    ('SB', 2001, 2020, 'syn_pct', 20, 400, 2000, 'observed'),
    ('SC', 2001, 2020, 'syn_pct', 40, 200, 500, 'observed'),
    ('SA', 2001, 2020, 'syn_won', 400, NULL, NULL, 'observed'),
    ('SB', 2001, 2020, 'syn_won', 800, NULL, NULL, 'observed'),
    ('SC', 2001, 2020, 'syn_won', 200, NULL, NULL, 'observed'),
    -- means without their own denominator: the base is taken from syn_won
    ('SA', 2001, 2020, 'syn_woz', 300, NULL, NULL, 'observed'),
    ('SB', 2001, 2020, 'syn_woz', 200, NULL, NULL, 'observed'),
    ('SC', 2001, 2020, 'syn_woz', 500, NULL, NULL, 'observed'),
    ('SA', 2001, 2020, 'syn_score', 5, NULL, NULL, 'observed'),
    ('SB', 2001, 2020, 'syn_score', 7, NULL, NULL, 'observed'),
    ('SC', 2001, 2020, 'syn_score', 9, NULL, NULL, 'observed'),
    -- 2019: SC suppressed, so SY (which needs SC) gets no estimate
    ('SA', 2001, 2019, 'syn_inw', 900, NULL, NULL, 'observed'),
    ('SB', 2001, 2019, 'syn_inw', 1800, NULL, NULL, 'observed'),
    ('SC', 2001, 2019, 'syn_inw', NULL, NULL, NULL, 'suppressed');
-- the new edition already has its own figure for SX: it must not be overwritten
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, status)
VALUES ('SX', 2002, 2020, 'syn_inw', 990, 'observed');

-- SX is only the smaller half of SB (49/99; SB's main successor is SY), so by default it counts
-- as a new area without a past and gets no estimates: 2020: syn_inw SA, SY; the other four for
-- SA, SY: 2 + 4*2 = 10; 2019: syn_inw SA only (SY lacks SC). Total 11.
SELECT buurtmonitor.reexpress_observations(2001, 2002) AS rows;
SELECT count(*) AS sx_rows FROM buurtmonitor.observations WHERE area_code = 'SX' AND status = 'estimated';
-- With estimate_new_areas the split-off half is estimated too.
-- Expected rows (hand): 2020: syn_inw SA, SY (SX is observed); syn_pct, syn_won, syn_woz,
-- syn_score for SA, SX, SY: 2 + 4*3 = 14; 2019: syn_inw SA, SX (SY lacks SC): 2. Total 16.
SELECT buurtmonitor.reexpress_observations(2001, 2002, estimate_new_areas => true) AS rows;
-- By hand (f = 49/99 for SB→SX, g = 50/99 for SB→SY):
--   syn_inw   SY = 2000g + 500 = 1510.101010; 2019: SA 900, SX = 1800f = 890.909091
--   syn_pct   SX = 400f / 2000f = 20; SY = 100*(400g + 200)/(2000g + 500) = 26.622074,
--             numerator 39800/99 = 402.020202, denominator 1510.101010
--   syn_won   SX = 800f = 395.959596; SY = 800g + 200 = 604.040404
--   syn_woz   SX = 200; SY = (200*800g + 500*200)/(800g + 200) = 17900000/59800 = 299.331104,
--             numerator 180808.080808 (= 8000000/99 + 100000), denominator 604.040404
--   syn_score SY by area = (20000*7 + 40000*9)/60000 = 8.333333 (no base)
SELECT area_code, period, indicator, round(value::numeric, 6) AS value,
       round(numerator::numeric, 6) AS numerator, round(denominator::numeric, 6) AS denominator, status, source
  FROM buurtmonitor.observations WHERE vintage = 2002 ORDER BY period, indicator, area_code;
-- A second run refreshes its own estimates (16 rows again) and still leaves SX's observed 990.
SELECT buurtmonitor.reexpress_observations(2001, 2002, estimate_new_areas => true) AS rows;
SELECT status, count(*) FROM buurtmonitor.observations WHERE vintage = 2002 GROUP BY 1 ORDER BY 1;
-- periods restricts the run: 2019 only gives SA and SX.
SELECT buurtmonitor.reexpress_observations(2001, 2002, periods => ARRAY[2019], estimate_new_areas => true) AS rows;

-- reexpress errors: no stored crosswalk
SELECT buurtmonitor.reexpress_observations(2002, 2001);

-- Real case, Deventer 2018 → 2022 (CBS boundaries). The sliver rule keeps four of Tjoene's
-- (BU01501103) five overlaps; the fifth, with BU01501201, is 162 m² in a thin sliver. Overlap areas
-- from R sf (test/expected/deventer_overlaps.csv): BU01500606 1010277.81, BU01501101 259084.19,
-- BU01501103 8035303.85, BU01501202 166736.79; their sum 9471402.647638, so the renormalised shares
-- are 0.106666124, 0.027354364, 0.848375278, 0.017604234.
\i test/sql/load_deventer_areas.sql
SELECT buurtmonitor.build_crosswalk(2018, 2022) > 0 AS built;
SELECT target_code, round(overlap_area::numeric, 2) AS overlap_area, round(share::numeric, 9) AS share
  FROM buurtmonitor.crosswalks
 WHERE from_vintage = 2018 AND to_vintage = 2022 AND source_code = 'BU01501103' ORDER BY 1;
-- The new buurt Steenbrugge (BU01500606) has one source, Tjoene: a SYNTHETIC count of 10000 in
-- Tjoene gives Steenbrugge 10000 * 0.1066661241 = 1066.661241 (an area-based estimate), 4000
-- dwellings give 426.664496, and Tjoene's mean dwelling value 250 (base: dwellings) stays 250.
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value)
VALUES ('BU01501103', 2018, 2017, 'syn_inw', 10000), ('BU01501103', 2018, 2017, 'syn_won', 4000),
       ('BU01501103', 2018, 2017, 'syn_woz', 250);
-- By default Steenbrugge is a new buurt (Tjoene's main successor is Tjoene itself, share 0.848),
-- so it gets no estimate and development() shows no change for it. (No 2022 buurt gets one here:
-- each that takes part of Tjoene also takes part of a 2018 buurt without figures in this test.)
SELECT buurtmonitor.reexpress_observations(2018, 2022, periods => ARRAY[2017]) AS rows;
-- Asked for, Steenbrugge is estimated from Tjoene as well.
SELECT buurtmonitor.reexpress_observations(2018, 2022, periods => ARRAY[2017], estimate_new_areas => true) > 0 AS estimated;
SELECT area_code, vintage, period, indicator, round(value::numeric, 6) AS value, status, source
  FROM buurtmonitor.observations WHERE area_code = 'BU01500606' AND period = 2017 ORDER BY indicator;

-- clean up what this test added
DELETE FROM buurtmonitor.observations WHERE indicator LIKE 'syn\_%';
DELETE FROM buurtmonitor.indicators WHERE code LIKE 'syn\_%';
DELETE FROM buurtmonitor.crosswalks WHERE (from_vintage, to_vintage) IN ((2001, 2002), (2018, 2022));
DELETE FROM buurtmonitor.areas WHERE vintage IN (2001, 2002);
