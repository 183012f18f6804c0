-- development() on a SYNTHETIC municipality, every expected number computed by hand below.
-- Testdorp (GM9901) has one wijk with buurten Noord, Zuid and Oost; Oost is new in 2022.
-- t_uitk: share of inhabitants on benefits (%, polarity -1 = higher is worse, tolerance 0.5).
--   Noord: 2018 10 (100/1000), 2019 12 (121.2/1010), 2020 suppressed, 2021 13 (132.6/1020), 2022 15 (157.5/1050)
--   Zuid : 2018 5 (100/2000), 2019 5 (100/2000), 2020 6 (118.8/1980), 2021 6.2 (123.38/1990), 2022 6 (120.6/2010)
--   Oost : 2022 20 (100/500)
--   Testdorp itself: only 2021 (8.0) and 2022 (8.5) observed.
-- t_inw: inhabitants (count, neutral); Zuid 2022 is an estimate (status estimated).
-- The areas belong to a synthetic boundary edition 2026, so that it is the newest buurt edition in the
-- test database (development() defaults to the newest); the rows are removed at the end.
SET extra_float_digits = 0;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code) VALUES
 ('GM9901', 2026, 'Testdorp', 'gemeente', NULL),
 ('WK990101', 2026, 'Dorp', 'wijk', 'GM9901'),
 ('BU99010101', 2026, 'Noord', 'buurt', 'WK990101'),
 ('BU99010102', 2026, 'Zuid', 'buurt', 'WK990101'),
 ('BU99010103', 2026, 'Oost', 'buurt', 'WK990101');
INSERT INTO buurtmonitor.indicators (code, label, kind, numerator, denominator, scale, polarity, tolerance) VALUES
 ('t_inw', 'inhabitants', 'count', NULL, NULL, 1, 0, 0),
 ('t_uitk', 'share of inhabitants on benefits', 'share', NULL, 't_inw', 100, -1, 0.5),
 ('t_veil', 'share feeling unsafe', 'share', NULL, 't_inw', 100, -1, 0),
 ('t_tevr', 'satisfaction with the neighbourhood', 'mean', NULL, 't_inw', 1, 1, 0);
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, numerator, denominator, status) VALUES
 ('BU99010101', 2026, 2018, 't_inw', 1000, NULL, NULL, 'observed'),
 ('BU99010101', 2026, 2019, 't_inw', 1010, NULL, NULL, 'observed'),
 ('BU99010101', 2026, 2020, 't_inw', 1030, NULL, NULL, 'observed'),
 ('BU99010101', 2026, 2021, 't_inw', 1020, NULL, NULL, 'observed'),
 ('BU99010101', 2026, 2022, 't_inw', 1050, NULL, NULL, 'observed'),
 ('BU99010102', 2026, 2018, 't_inw', 2000, NULL, NULL, 'observed'),
 ('BU99010102', 2026, 2019, 't_inw', 2000, NULL, NULL, 'observed'),
 ('BU99010102', 2026, 2020, 't_inw', 1980, NULL, NULL, 'observed'),
 ('BU99010102', 2026, 2021, 't_inw', 1990, NULL, NULL, 'observed'),
 ('BU99010102', 2026, 2022, 't_inw', 2010, NULL, NULL, 'estimated'),
 ('BU99010103', 2026, 2022, 't_inw', 500, NULL, NULL, 'observed'),
 ('BU99010101', 2026, 2018, 't_uitk', 10, 100, 1000, 'observed'),
 ('BU99010101', 2026, 2019, 't_uitk', 12, 121.2, 1010, 'observed'),
 ('BU99010101', 2026, 2020, 't_uitk', NULL, NULL, NULL, 'suppressed'),
 ('BU99010101', 2026, 2021, 't_uitk', 13, 132.6, 1020, 'observed'),
 ('BU99010101', 2026, 2022, 't_uitk', 15, 157.5, 1050, 'observed'),
 ('BU99010102', 2026, 2018, 't_uitk', 5, 100, 2000, 'observed'),
 ('BU99010102', 2026, 2019, 't_uitk', 5, 100, 2000, 'observed'),
 ('BU99010102', 2026, 2020, 't_uitk', 6, 118.8, 1980, 'observed'),
 ('BU99010102', 2026, 2021, 't_uitk', 6.2, 123.38, 1990, 'observed'),
 ('BU99010102', 2026, 2022, 't_uitk', 6, 120.6, 2010, 'observed'),
 ('BU99010103', 2026, 2022, 't_uitk', 20, 100, 500, 'observed'),
 ('GM9901', 2026, 2021, 't_uitk', 8, 240, 3000, 'observed'),
 ('GM9901', 2026, 2022, 't_uitk', 8.5, 300, 3530, 'observed');

-- Reference values (the one place they are computed):
--   2018 rolled up: 100 * (100 + 100) / (1000 + 2000) = 6.6667 (ratio of sums, not mean(10, 5) = 7.5)
--   2019 rolled up: 100 * (121.2 + 100) / (1010 + 2000) = 22120 / 3010 = 7.3488
--   2020: Noord is suppressed, so no roll-up (NULL), never a value that would reveal it
--   2021, 2022: Testdorp's own observations 8.0 and 8.5
--   areas_mean/areas_sd: 2018 mean(10, 5) = 7.5, sd = sqrt(2 * 2.5^2 / 1) = 3.5355;
--   2022 mean(15, 6, 20) = 13.6667, sd = sqrt((1.3333^2 + 7.6667^2 + 6.3333^2) / 2) = sqrt(50.3333) = 7.0946
SELECT reference_code, period, round(value::numeric, 4) AS value, source, areas, areas_with_value,
       round(areas_mean::numeric, 4) AS areas_mean, round(areas_sd::numeric, 4) AS areas_sd
  FROM buurtmonitor.reference_values('buurt', 2026, indicators => '{t_uitk}')
 ORDER BY period;
-- counts roll up by summing: 2018 1000 + 2000 = 3000; 2022 1050 + 2010 + 500 = 3560
SELECT period, value, source FROM buurtmonitor.reference_values('buurt', 2026, indicators => '{t_inw}')
 WHERE period IN (2018, 2022) ORDER BY period;
-- reference_areas: every buurt with its gemeente
SELECT * FROM buurtmonitor.reference_areas('buurt', 2026) ORDER BY area_code;

-- The common call: development(indicators => ...) for buurten against their gemeente, newest vintage.
-- Noord by hand:
--   index  2018 100 * 10 / 6.6667 = 150.00; 2019 100 * 12 / 7.3488 = 163.29; 2021 100 * 13 / 8 = 162.50;
--          2022 100 * 15 / 8.5 = 176.47
--   diff   3.3333, 4.6512, -, 5.0, 6.5
--   z      2018 (10 - 7.5) / 3.5355 = 0.7071; 2022 (15 - 13.6667) / 7.0946 = 0.1879
--   change 2019: 12 - 10 = 2 (+20%, 2 pp); 2020 suppressed: NULL; 2021: previous row suppressed, so NULL
--          (no change across a suppressed value); 2022: 15 - 13 = 2 (+15.3846%)
--   label  polarity -1, tolerance 0.5: 2019 worsened (run 1); 2022 worsened (run 1: 2021 has no label)
--   gap    2019: |4.6512| - |3.3333| = 1.3178 > 0.5: widening; 2022: 6.5 - 5.0 = 1.5: widening
-- Zuid: z 2018 (5 - 7.5) / 3.5355 = -0.7071; 2020 only Zuid has a value: no z-score;
--   2022 (6 - 13.6667) / 7.0946 = -1.0806; changes 0 (stable), +1 (worsened), +0.2 (stable), -0.2 (stable, run 2);
--   gap 2019 |5 - 7.3488| - |5 - 6.6667| = 2.3488 - 1.6667 = 0.6822 > 0.5: widening;
--   2022 |6 - 8.5| - |6.2 - 8| = 2.5 - 1.8 = 0.7: widening
-- Oost: only 2022, z (20 - 13.6667) / 7.0946 = 0.8927, no previous period: change NULL (not a change from zero)
SELECT area_name AS area, period, value, status, reference_code AS ref,
       round(reference_value::numeric, 4) AS ref_value, reference_source AS ref_source,
       round(index::numeric, 2) AS index, round(difference::numeric, 4) AS diff,
       round(z_score::numeric, 4) AS z, previous_period AS prev, round(change::numeric, 4) AS change,
       round(change_pct::numeric, 4) AS change_pct, round(change_pp::numeric, 4) AS pp,
       gap_trend AS gap, label, run
  FROM buurtmonitor.development(indicators => '{t_uitk}')
 ORDER BY area_code, period;

-- Base period (default: the first period of the indicator among the compared areas, 2018) and CAGR:
--   Noord 2022: 15 - 10 = 5 (+50%, 5 pp), CAGR = (15 / 10)^(1/4) - 1 = 1.5^0.25 - 1 = 10.6682%
--   Noord 2019: CAGR = 12 / 10 - 1 = 20%; Oost has no 2018 row: no base change
-- Trend over the last 5 rows (default trend_periods): Noord 2022 uses 2018, 2019, 2021, 2022 (2020 suppressed): n 4
--   OLS: x - 2020 = -2, -1, 1, 2; y - 12.5 = -2.5, -0.5, 0.5, 2.5; sxy = 5 + 0.5 + 0.5 + 5 = 11, sxx = 10: 1.1
--   Theil-Sen: pairwise slopes 2, 1, 1.25, 0.5, 1, 2 -> sorted 0.5 1 1 1.25 2 2 -> median (1 + 1.25) / 2 = 1.125
--   Zuid 2022 (n 5): y - 5.64 = -0.64, -0.64, 0.36, 0.56, 0.36; sxy = 1.28 + 0.64 + 0 + 0.56 + 0.72 = 3.2: 0.32
--   Theil-Sen: 0, 0.5, 0.4, 0.25, 1, 0.6, 0.3333, 0.2, 0, -0.2 -> median (0.25 + 0.3333) / 2 = 0.2917
-- Other rows: Noord 2021 CAGR 1.3^(1/3) - 1 = 9.1393%; OLS on (2018,10) (2019,12) (2021,13): sxy 4.3333 / sxx 4.6667
--   = 0.9286, Theil-Sen median(2, 1, 0.5) = 1. Zuid 2020: CAGR 1.2^(1/2) - 1 = 9.5445%, OLS (5, 5, 6) = 1 / 2 = 0.5,
--   Theil-Sen median(0, 0.5, 1) = 0.5; Zuid 2021: CAGR 1.24^(1/3) - 1 = 7.4337%, OLS sxy 2.3 / sxx 5 = 0.46,
--   Theil-Sen median(0, 0.5, 0.4, 1, 0.6, 0.2) = (0.4 + 0.5) / 2 = 0.45; Zuid 2022 CAGR 1.2^(1/4) - 1 = 4.6635%.
--   In the base period itself the base change is 0 and there is no CAGR.
SELECT area_name AS area, period, base_period AS base, base_value, round(base_change::numeric, 4) AS base_change,
       round(base_change_pct::numeric, 4) AS base_pct, round(base_change_pp::numeric, 4) AS base_pp,
       round(cagr::numeric, 4) AS cagr, trend_n, round(ols_slope::numeric, 4) AS ols,
       round(theil_sen_slope::numeric, 4) AS theil_sen
  FROM buurtmonitor.development(indicators => '{t_uitk}')
 ORDER BY area_code, period;

-- An explicit base period 2019 and a 3-period trend window:
--   Noord 2022: 15 - 12 = 3 (+25%), CAGR (15 / 12)^(1/3) - 1 = 1.25^(1/3) - 1 = 7.7217%;
--   Noord 2018 lies before the base: 10 - 12 = -2, no CAGR
--   window 2020-2022: 2020 suppressed, so n 2 and both slopes (15 - 13) / 1 = 2
--   2021: 13 - 12 = 1, CAGR (13 / 12)^(1/2) - 1 = 4.0833%, window 2019-2021 = (12, -, 13): slope 1 / 2 = 0.5
SELECT period, base_period AS base, base_change, round(cagr::numeric, 4) AS cagr, trend_n,
       ols_slope, theil_sen_slope
  FROM buurtmonitor.development(indicators => '{t_uitk}', base_period => 2019, trend_periods => 3)
 WHERE area_code = 'BU99010101' ORDER BY period;

-- Only some periods: ARRAY[2018, 2022]: Noord 2022 changes against 2018: 15 - 10 = 5 (+50%), slope 5 / 4 = 1.25
SELECT period, previous_period AS prev, change, change_pct, trend_n, ols_slope
  FROM buurtmonitor.development(indicators => '{t_uitk}', periods => '{2018,2022}')
 WHERE area_code = 'BU99010101' ORDER BY period;

-- Counts: the reference is the sum (2022: 3560); neutral polarity labels increased/decreased;
-- Zuid 2022 is flagged estimated. Noord 2021: 1020 - 1030 = -10 (decreased), 2022: +30 = +2.9412% (increased),
-- index 2022 = 100 * 1050 / 3560 = 29.4944; no percentage points for a count.
-- 2021: reference 1020 + 1990 = 3010; Noord index 100 * 1020 / 3010 = 33.8870, -10 / 1030 = -0.9709%;
-- Zuid 2021 +10 / 1980 = +0.5051%, 2022 +20 / 1990 = +1.0050% (increased twice: run 2); Oost 100 * 500 / 3560 = 14.0449
SELECT area_name AS area, period, value, status, estimated, reference_value AS ref, round(index::numeric, 4) AS index,
       change, round(change_pct::numeric, 4) AS change_pct, change_pp, label, run
  FROM buurtmonitor.development(indicators => '{t_inw}')
 WHERE period >= 2021 ORDER BY area_code, period;

-- Reference level wijk: Dorp has no observations, so its value is rolled up from its buurten:
--   2021: 100 * (132.6 + 123.38) / (1020 + 1990) = 25598 / 3010 = 8.5043 (the gemeente's own figure was 8.0)
SELECT area_name AS area, period, reference_code AS ref, reference_name, round(reference_value::numeric, 4) AS ref_value,
       reference_source AS ref_source
  FROM buurtmonitor.development(indicators => '{t_uitk}', reference_level => 'wijk')
 WHERE period = 2021 ORDER BY area_code;
-- A chosen reference area (here the gemeente by code) gives the same reference as the default
SELECT count(*) AS rows_differing
  FROM buurtmonitor.development(indicators => '{t_uitk}') a
  JOIN buurtmonitor.development(indicators => '{t_uitk}', reference_area => 'GM9901') b
 USING (area_code, indicator, period)
 WHERE a.reference_value IS DISTINCT FROM b.reference_value OR a.z_score IS DISTINCT FROM b.z_score;

-- Significance with sample sizes (synthetic survey): t_veil share feeling unsafe, t_tevr satisfaction (mean).
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, numerator, denominator) VALUES
 ('BU99010101', 2026, 2021, 't_veil', 38, 387.6, 1020),
 ('BU99010101', 2026, 2022, 't_veil', 31, 325.5, 1050),
 ('GM9901', 2026, 2022, 't_veil', 25, 890, 3560),
 ('BU99010101', 2026, 2021, 't_tevr', 7.0, 7140, 1020),
 ('BU99010101', 2026, 2022, 't_tevr', 7.4, 7770, 1050);
INSERT INTO buurtmonitor.sample_sizes (area_code, vintage, period, indicator, n, se) VALUES
 ('BU99010101', 2026, 2021, 't_veil', 400, NULL),
 ('BU99010101', 2026, 2022, 't_veil', 600, NULL),
 ('GM9901', 2026, 2022, 't_veil', 2000, NULL),
 ('BU99010101', 2026, 2021, 't_tevr', NULL, 0.16),
 ('BU99010101', 2026, 2022, 't_tevr', NULL, 0.12);
-- t_veil Noord 2022 against 2021: R prop.test(c(152, 186), c(400, 600), correct = FALSE): p 0.021874686466279;
--   31% < 38% and higher is worse: better.
-- t_veil Noord 2022 against Testdorp 2022: R prop.test(c(186, 500), c(600, 2000), correct = FALSE):
--   X-squared 8.55442938483052 (z 2.92479561419777), p 0.00344682526137637; 31% > 25%: worse.
-- t_tevr: (7.4 - 7.0) / sqrt(0.12^2 + 0.16^2) = 2, R 2 * pnorm(-2) = 0.0455002638963584: better (higher is better)
--   (the reference is rolled up, so no reference test)
SELECT indicator, period, round(change_p_value::numeric, 6) AS change_p, change_significance,
       abs(change_p_value / CASE indicator WHEN 't_veil' THEN 0.021874686466279 ELSE 0.0455002638963584 END - 1) < 1e-9 AS change_p_ok,
       round(reference_p_value::numeric, 6) AS ref_p, reference_significance,
       reference_p_value IS NULL OR abs(reference_p_value / 0.00344682526137637 - 1) < 1e-9 AS ref_p_ok
  FROM buurtmonitor.development(indicators => '{t_veil,t_tevr}')
 WHERE area_code = 'BU99010101' AND period = 2022 ORDER BY indicator;

-- Sample sizes from the denominators (the docs' example): for Zuid the survey's denominator is the number
-- of respondents; the rows already given for Noord and Testdorp are kept (ON CONFLICT DO NOTHING).
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, numerator, denominator) VALUES
 ('BU99010102', 2026, 2021, 't_veil', 30, 60, 200),
 ('BU99010102', 2026, 2022, 't_veil', 20, 50, 250);
INSERT INTO buurtmonitor.sample_sizes (area_code, vintage, period, indicator, n)
SELECT area_code, vintage, period, indicator, denominator
  FROM buurtmonitor.observations WHERE indicator = 't_veil' AND denominator IS NOT NULL
ON CONFLICT DO NOTHING;
-- Zuid 2022 (20% of 250) against 2021 (30% of 200): R prop.test(c(50, 60), c(250, 200), correct = FALSE):
--   X-squared 6.01604278074866, p 0.0141763991305854, lower is better: better.
-- against Testdorp (25% of 2000): R prop.test(c(50, 500), c(250, 2000), correct = FALSE):
--   X-squared 3.00802139037433, p 0.0828533698502881: not significant at 0.05, but at alpha 0.10 better.
SELECT round(change_p_value::numeric, 6) AS change_p, change_significance,
       abs(change_p_value / 0.0141763991305854 - 1) < 1e-9 AS change_p_ok,
       round(reference_p_value::numeric, 6) AS ref_p, reference_significance,
       abs(reference_p_value / 0.0828533698502881 - 1) < 1e-9 AS ref_p_ok
  FROM buurtmonitor.development(indicators => '{t_veil}')
 WHERE area_code = 'BU99010102' AND period = 2022;
SELECT reference_significance FROM buurtmonitor.development(indicators => '{t_veil}', alpha => 0.10)
 WHERE area_code = 'BU99010102' AND period = 2022;

-- by_code: older editions' rows for codes that still exist (Zuid had a 2017 figure in the 2021 edition)
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code) VALUES
 ('BU99010102', 2021, 'Zuid', 'buurt', NULL);
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, numerator, denominator) VALUES
 ('BU99010102', 2021, 2017, 't_uitk', 4.8, 96, 2000),
 ('BU99010102', 2021, 2018, 't_uitk', 99, 1980, 2000);   -- ignored: the 2022 edition has 2018 itself
-- Zuid 2018 against 2017: 5 - 4.8 = 0.2 (stable)
SELECT period, value, obs_vintage, round(change::numeric, 4) AS change, label
  FROM buurtmonitor.development(indicators => '{t_uitk}', vintage => 2026, by_code => true)
 WHERE area_code = 'BU99010102' AND period <= 2018 ORDER BY period;
-- without by_code the 2021 edition is not used
SELECT min(period) FROM buurtmonitor.development(indicators => '{t_uitk}') WHERE area_code = 'BU99010102';

-- the default vintage is the newest edition with values of the requested indicators: a newer
-- 2027 edition with boundaries but no figures yet is passed over (with vintage => 2027: no values)
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code) VALUES
 ('GM9901', 2027, 'Testdorp', 'gemeente', NULL),
 ('WK990101', 2027, 'Dorp', 'wijk', 'GM9901'),
 ('BU99010101', 2027, 'Noord', 'buurt', 'WK990101');
SELECT count(*) FILTER (WHERE value IS NOT NULL) AS with_value, count(DISTINCT area_code) AS areas
  FROM buurtmonitor.development(indicators => '{t_uitk}');
SELECT count(*) FILTER (WHERE value IS NOT NULL) AS with_value, count(DISTINCT area_code) AS areas
  FROM buurtmonitor.development(indicators => '{t_uitk}', vintage => 2027);
DELETE FROM buurtmonitor.areas WHERE vintage = 2027 AND code LIKE '__9901%';

-- trend() on arrays: the same slopes as above (Noord 2018-2022 with the suppressed 2020 as NULL)
SELECT * FROM buurtmonitor.trend('{2018,2019,2020,2021,2022}', '{10,12,NULL,13,15}');

-- Bad input
SELECT * FROM buurtmonitor.development(indicators => '{t_uitk,no_such_indicator}');
SELECT * FROM buurtmonitor.development('blok');
SELECT * FROM buurtmonitor.development(reference_area => 'GM0000');
SELECT * FROM buurtmonitor.development(reference_level => 'buurt');
SELECT * FROM buurtmonitor.development(periods => '{2022,2018}');
SELECT * FROM buurtmonitor.development(periods => '{2018,2018,2022}');
SELECT * FROM buurtmonitor.development(periods => '{2018,2022}', base_period => 2019);
SELECT * FROM buurtmonitor.development(trend_periods => 1);
SELECT * FROM buurtmonitor.development(vintage => 2030);
SELECT * FROM buurtmonitor.development(alpha => 0);
SELECT * FROM buurtmonitor.trend('{2019,2018}', '{1,2}');
SELECT * FROM buurtmonitor.trend('{2018,2019}', '{1,2,3}');

-- Unusable standard errors never crash development() (issue 9; before, a NaN p-value passed NULL to
-- strcmp and took the server down). Synthetic score t_sig (higher is worse):
--   Noord 2021 7.0 and 2022 7.0, se 1e-200 both: se^2 underflows to 0 and the old 0/0 was NaN; the
--     difference is 0, so z = 0 / hypot(1e-200, 1e-200) = 0 and p = 2 * pnorm(0) = 1: not significant.
--   Zuid 2021 7.0 and 2022 7.5, se 1e-200 both: z = 0.5 / 1.414e-200 is huge, p = 0: worse.
--   Oost 2021 7.0 and 2022 7.5, se NaN for 2022 (if the table accepts it): no p-value, so
--     change_p_value and change_significance are NULL (documented), and the label is still given.
INSERT INTO buurtmonitor.indicators (code, label, kind, scale, polarity, tolerance) VALUES
 ('t_sig', 'synthetic score', 'score', 1, -1, 0);
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value) VALUES
 ('BU99010101', 2026, 2021, 't_sig', 7.0), ('BU99010101', 2026, 2022, 't_sig', 7.0),
 ('BU99010102', 2026, 2021, 't_sig', 7.0), ('BU99010102', 2026, 2022, 't_sig', 7.5),
 ('BU99010103', 2026, 2021, 't_sig', 7.0), ('BU99010103', 2026, 2022, 't_sig', 7.5);
INSERT INTO buurtmonitor.sample_sizes (area_code, vintage, period, indicator, se) VALUES
 ('BU99010101', 2026, 2021, 't_sig', 1e-200), ('BU99010101', 2026, 2022, 't_sig', 1e-200),
 ('BU99010102', 2026, 2021, 't_sig', 1e-200), ('BU99010102', 2026, 2022, 't_sig', 1e-200),
 ('BU99010103', 2026, 2021, 't_sig', 0.1);
DO $$
BEGIN   -- NaN may be refused at the table boundary; either way development() must not crash
    INSERT INTO buurtmonitor.sample_sizes (area_code, vintage, period, indicator, se)
    VALUES ('BU99010103', 2026, 2022, 't_sig', 'NaN');
EXCEPTION WHEN check_violation OR invalid_parameter_value THEN NULL;
END $$;
SELECT area_code, change, label, change_p_value, change_significance
  FROM buurtmonitor.development(indicators => '{t_sig}')
 WHERE period = 2022 ORDER BY area_code;
-- signals() goes through the same path: Zuid and Oost crossed 7.2 to the worse side (7.0 to 7.5)
INSERT INTO buurtmonitor.signal_rules (indicator, condition, threshold) VALUES ('t_sig', 'crosses_threshold', 7.2);
SELECT area_code, value, label FROM buurtmonitor.signals(period => 2022)
 WHERE indicator = 't_sig' ORDER BY area_code;
DELETE FROM buurtmonitor.signal_rules WHERE indicator = 't_sig';

-- An indicator code of 72 characters (issue 9): the codes were hash keys of at most 63 bytes, so one
-- such code in the catalogue made development() fail for every indicator. Now both work (t_uitk: 5 + 5 + 1 buurt rows = 11).
INSERT INTO buurtmonitor.indicators (code, label, kind) VALUES
 ('t_an_indicator_code_of_seventy_characters_which_is_more_than_sixty_three', 'long code', 'count');
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value) VALUES
 ('BU99010101', 2026, 2022, 't_an_indicator_code_of_seventy_characters_which_is_more_than_sixty_three', 42);
SELECT length(indicator) AS code_length, area_code, period, value
  FROM buurtmonitor.development(indicators => '{t_an_indicator_code_of_seventy_characters_which_is_more_than_sixty_three}')
 ORDER BY area_code;
SELECT count(*) AS t_uitk_rows FROM buurtmonitor.development(indicators => '{t_uitk}');
DELETE FROM buurtmonitor.observations WHERE indicator LIKE 't_an_indicator_code%';
DELETE FROM buurtmonitor.indicators WHERE code LIKE 't_an_indicator_code%';

-- clean up, so later tests see no synthetic areas
DELETE FROM buurtmonitor.areas WHERE code LIKE '__9901%';
DELETE FROM buurtmonitor.indicators WHERE code IN ('t_inw', 't_uitk', 't_veil', 't_tevr', 't_sig');
