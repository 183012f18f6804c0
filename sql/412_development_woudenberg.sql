-- development() on real data: Woudenberg (GM0351) inhabitants, CBS key figures editions 2016-2025.
-- Source: $BUURTMONITOR_DATA/multiyear/woudenberg_gm0351_a_inw_2016_2025_long.csv (CBS, CC BY 4.0).
-- A new buurt, Hoevelaar (BU03510013), appears in 2025, and before 2025 the published buurten add up to
-- less than the municipal total. Expected numbers: by hand from the CSV rows (arithmetic below), and R
-- for the standard deviation, the lm() slope and the Theil-Sen median:
--   x <- c(2255,2380,1500,3070,1435,1855,75,390,165,230,765,650)   # the 12 buurten in 2025
--   sum(x) 14770; mean(x) 1230.833; sd(x) 999.5791; (650 - mean(x)) / sd(x) -0.5810779; (765 - mean(x)) / sd(x) -0.4660295
--   y <- c(2130,2195,2210,2200,2255); x <- 2021:2025; coef(lm(y ~ x))[2] 25.5
--   p <- combn(5, 2); median((y[p[2,]] - y[p[1,]]) / (x[p[2,]] - x[p[1,]])) 22.91667
SET extra_float_digits = 0;
\getenv datadir BUURTMONITOR_DATA
\set f :datadir '/multiyear/woudenberg_gm0351_a_inw_2016_2025_long.csv'
CREATE TEMP TABLE stage (gwb_code_10 text, regio text, wk_code text, recs text, jaar integer, a_inw double precision);
COPY stage FROM :'f' CSV HEADER;
INSERT INTO buurtmonitor.indicators (code, label, kind, polarity, tolerance)
VALUES ('wb_inw', 'inhabitants', 'count', 0, 0);
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT DISTINCT gwb_code_10, jaar, regio, 'gemeente', NULL::text FROM stage WHERE recs = 'Gemeente'
ON CONFLICT DO NOTHING;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT DISTINCT wk_code, jaar, wk_code, 'wijk', 'GM0351' FROM stage WHERE recs = 'Buurt'
ON CONFLICT DO NOTHING;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT gwb_code_10, jaar, regio, 'buurt', wk_code FROM stage WHERE recs = 'Buurt'
ON CONFLICT DO NOTHING;
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, status)
SELECT gwb_code_10, jaar, jaar, 'wb_inw', a_inw, CASE WHEN a_inw IS NULL THEN 'suppressed' ELSE 'observed' END
  FROM stage;
SELECT jaar, count(*) FILTER (WHERE recs = 'Buurt') AS buurten, sum(a_inw) FILTER (WHERE recs = 'Buurt') AS buurt_sum,
       max(a_inw) FILTER (WHERE recs = 'Gemeente') AS gemeente
  FROM stage WHERE jaar IN (2024, 2025) GROUP BY jaar ORDER BY jaar;

-- The reference is Woudenberg's own published total, not the (short) sum of the buurten:
--   2024: buurten 2200 + 2380 + 1490 + 3085 + 1430 + 1830 + 70 + 400 + 165 + 240 + 570 = 13860 < 14637
--   2025: 14770 (12 buurten, rounded to 5) against the published 14760
SELECT period, value, source, areas
  FROM buurtmonitor.reference_values('buurt', 2025, indicators => '{wb_inw}', periods => '{2024,2025}', by_code => true)
 ORDER BY period;
-- Without the gemeente's own figures the reference would be the roll-up (13860 in 2024):
BEGIN;
DELETE FROM buurtmonitor.observations WHERE area_code = 'GM0351';
SELECT period, value, source
  FROM buurtmonitor.reference_values('buurt', 2025, indicators => '{wb_inw}', periods => '{2024,2025}', by_code => true)
 ORDER BY period;
ROLLBACK;

-- Hoevelaar did not exist before 2025: no previous period, no change, no base change (not a change from 0).
--   index 100 * 650 / 14760 = 4.4038; z (650 - 1230.833) / 999.5791 = -0.5811
-- Rumelaar-Lambalgen 2024 -> 2025: 765 - 570 = +195, 195 / 570 = +34.2105%; index 100 * 765 / 14760 = 5.1829;
--   z -0.4660; neutral indicator: increased; base 2016 (520): +245, CAGR (765 / 520)^(1/9) - 1 = 4.3827%;
--   trend 2021-2025 (530, 540, 575, 570, 765): mean 596, deviations -66 -56 -21 -26 169:
--   sxy = 132 + 56 + 0 - 26 + 338 = 500, OLS 50; pairwise slopes 10, 22.5, 13.33, 58.75, 35, 15, 75, -5, 95, 195
--   -> median (22.5 + 35) / 2 = 28.75
-- De Grift: base 2016 (2015) -> 2025 (2255): +240, CAGR (2255 / 2015)^(1/9) - 1 = 1.2582%;
--   trend 2021-2025 (2130, 2195, 2210, 2200, 2255): mean 2198, deviations -68 -3 12 2 57 against -2..2:
--   sxy = 136 + 3 + 0 + 2 + 114 = 255, sxx = 10: OLS 25.5; Theil-Sen: pairwise slopes
--   65, 40, 23.33, 31.25, 15, 2.5, 20, -10, 22.5, 55 -> median (22.5 + 23.33) / 2 = 22.9167;
--   2025 against 2024: 2255 - 2200 = +55 (+2.5%); index 100 * 2255 / 14760 = 15.2778; z (2255 - 1230.833) / 999.5791 = 1.0246
SELECT area_name, period, value, reference_value AS woudenberg, round(index::numeric, 4) AS index,
       round(z_score::numeric, 4) AS z, previous_period AS prev, change, round(change_pct::numeric, 4) AS pct,
       base_period AS base, base_change, round(cagr::numeric, 4) AS cagr, trend_n,
       round(ols_slope::numeric, 4) AS ols, round(theil_sen_slope::numeric, 4) AS theil_sen, label
  FROM buurtmonitor.development(indicators => '{wb_inw}', vintage => 2025, by_code => true)
 WHERE period = 2025 AND area_code IN ('BU03510013', 'BU03510012', 'BU03510001')
 ORDER BY area_code;
-- every series: 2016-2025 (10 rows) for the 11 old buurten, 1 row for Hoevelaar: 11 * 10 + 1 = 111 rows,
-- 11 * 9 = 99 with a change
SELECT count(*) AS rows, count(DISTINCT area_code) AS buurten, count(change) AS with_change
  FROM buurtmonitor.development(indicators => '{wb_inw}', vintage => 2025, by_code => true);
-- without by_code only the 2025 edition's own rows are used
SELECT count(*) AS rows FROM buurtmonitor.development(indicators => '{wb_inw}', vintage => 2025);

-- clean up this test's observations and indicators (areas may be shared with the loaders' tests)
DELETE FROM buurtmonitor.observations WHERE indicator LIKE 'wb\_%';
DELETE FROM buurtmonitor.indicators WHERE code LIKE 'wb\_%';
