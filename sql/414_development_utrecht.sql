-- development() and the roll-up of reference values on real data: the city of Utrecht (GM0344),
-- 111 buurten in 10 wijken, CBS key figures 2022 (subset), 2023 and 2024 (first release).
-- Source: $BUURTMONITOR_DATA/multiyear/utrecht_gm0344_kwb202{2_subset,3,4}.csv (CBS, CC BY 4.0).
-- Loading rules: an empty cell is a suppressed value; a column that is empty for every area in the
-- 2024 first release (dwellings, owner-occupied share) has not been published yet and is not loaded.
-- Official check: the wijk share of owner-occupied dwellings rolled up from the buurten as a ratio of
-- sums (sum(p * dwellings) / sum(dwellings)) must match CBS's own published wijk figures (whole
-- percentages) within 0.5 percentage points plus the rounding of the buurt percentages (tolerance 1).
-- The per-wijk numbers below were also computed independently in Python from the CSV:
--   WK034401 West 51.22 (CBS 51), 02 Noordwest 40.11 (40), 03 Overvecht 20.33 (20), 04 Noordoost 55.75 (56),
--   05 Oost 40.81 (41), 06 Binnenstad 29.73 (30), 07 Zuid 41.82 (42), 08 Zuidwest 30.35 (30),
--   09 Leidsche Rijn: 3 of 15 buurten suppressed, so no roll-up; 10 Vleuten-De Meern 71.02 (71).
--   The mean of the buurt percentages would be wrong by up to 10 points (Overvecht 30.7 against CBS 20).
SET extra_float_digits = 0;
\getenv datadir BUURTMONITOR_DATA
\set f22 :datadir '/multiyear/utrecht_gm0344_kwb2022_subset.csv'
\set f23 :datadir '/multiyear/utrecht_gm0344_kwb2023.csv'
\set f24 :datadir '/multiyear/utrecht_gm0344_kwb2024.csv'
-- staging tables with the files' own header columns (all text)
SELECT format('CREATE TEMP TABLE %I (%s)', t, string_agg(quote_ident(c) || ' text', ', ' ORDER BY i))
  FROM (VALUES ('s22', :'f22'), ('s23', :'f23'), ('s24', :'f24')) AS f(t, path),
       unnest(string_to_array(rtrim(split_part(pg_read_file(path), E'\n', 1), E'\r'), ',')) WITH ORDINALITY AS h(c, i)
 GROUP BY t ORDER BY t \gexec
COPY s22 FROM :'f22' CSV HEADER;
COPY s23 FROM :'f23' CSV HEADER;
COPY s24 FROM :'f24' CSV HEADER;
SELECT (SELECT count(*) FROM s22) AS rows_2022, (SELECT count(*) FROM s23) AS rows_2023, (SELECT count(*) FROM s24) AS rows_2024;

INSERT INTO buurtmonitor.indicators (code, label, kind, denominator, scale, polarity, tolerance) VALUES
 ('ut_inw', 'inhabitants', 'count', NULL, 1, 0, 0),
 ('ut_woning', 'dwellings', 'count', NULL, 1, 0, 0),
 ('ut_koopw', 'share of owner-occupied dwellings', 'share', 'ut_woning', 100, 0, 1);
-- areas of the 2024 edition (the same 111 buurt codes in all three files)
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT gwb_code_10, 2024, regio,
       CASE recs WHEN 'Gemeente' THEN 'gemeente' WHEN 'Wijk' THEN 'wijk' ELSE 'buurt' END,
       CASE recs WHEN 'Wijk' THEN 'GM0344' WHEN 'Buurt' THEN 'WK' || substr(gwb_code_10, 3, 6) END
  FROM s24
ON CONFLICT DO NOTHING;
SELECT count(*) AS codes_in_all_three FROM s22 JOIN s23 USING (gwb_code_10) JOIN s24 USING (gwb_code_10);
-- observations: every published cell, empty cells as suppressed
WITH cells AS (
    SELECT gwb_code_10 AS code, 2022 AS period, 'ut_inw' AS ind, a_inw AS v, NULL::text AS den FROM s22
    UNION ALL SELECT gwb_code_10, 2022, 'ut_woning', a_woning, NULL FROM s22
    UNION ALL SELECT gwb_code_10, 2022, 'ut_koopw', p_koopw, a_woning FROM s22
    UNION ALL SELECT gwb_code_10, 2023, 'ut_inw', a_inw, NULL FROM s23
    UNION ALL SELECT gwb_code_10, 2023, 'ut_woning', a_woning, NULL FROM s23
    UNION ALL SELECT gwb_code_10, 2023, 'ut_koopw', p_koopw, a_woning FROM s23
    UNION ALL SELECT gwb_code_10, 2024, 'ut_inw', a_inw, NULL FROM s24
)
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, numerator, denominator, status)
SELECT code, 2024, period, ind, nullif(v, '')::float8,
       nullif(v, '')::float8 * nullif(den, '')::float8 / 100, nullif(den, '')::float8,
       CASE WHEN nullif(v, '') IS NULL THEN 'suppressed' ELSE 'observed' END
  FROM cells;
SELECT indicator, period, count(*) AS rows, count(*) FILTER (WHERE status = 'suppressed') AS suppressed
  FROM buurtmonitor.observations WHERE indicator LIKE 'ut\_%' GROUP BY 1, 2 ORDER BY 1, 2;

-- 1. The wijken's own published figures are their reference values:
SELECT reference_code, round(value::numeric, 2) AS value, source, areas, areas_with_value
  FROM buurtmonitor.reference_values('buurt', 2024, 'wijk', indicators => '{ut_koopw}', periods => '{2023}')
 ORDER BY reference_code;
-- 2. Without them, the roll-up as a ratio of sums reproduces CBS's published wijk figures:
BEGIN;
DELETE FROM buurtmonitor.observations WHERE indicator = 'ut_koopw' AND area_code LIKE 'WK%';
SELECT r.reference_code, round(r.value::numeric, 2) AS rolled_up, p.p_koopw AS cbs_published,
       abs(r.value - p.p_koopw::float8) <= 1 AS within_1, round(r.areas_mean::numeric, 2) AS mean_of_percentages,
       r.source, r.areas, r.areas_with_value
  FROM buurtmonitor.reference_values('buurt', 2024, 'wijk', indicators => '{ut_koopw}', periods => '{2023}') r
  JOIN s23 p ON p.gwb_code_10 = r.reference_code
 ORDER BY r.reference_code;
ROLLBACK;

-- 3. Inhabitants: 2022 has no municipal row in the subset, so the reference is the sum of the 111 buurten
--    (361525, summed from the CSV); 2023 and 2024 use Utrecht's own totals 367947 and 374238
--    (the buurten, rounded to 5, add up to 367715 and 374200).
SELECT period, reference_value, reference_source, count(*) AS buurten
  FROM buurtmonitor.development(indicators => '{ut_inw}', vintage => 2024)
 GROUP BY 1, 2, 3 ORDER BY 1;
SELECT sum(a_inw::int) AS buurt_sum_2022 FROM s22;
-- 4. Two buurten by hand: Welgelegen, Den Hommel inhabitants 1855 (2022), 1810 (2023), 1800 (2024):
--    changes -45 (-2.4259%), -10 (-0.5525%); owner-occupied 44% in both years: 0 pp, stable (tolerance 1).
--    Oog in Al 4220, 4200, 4155: -20 (-0.4739%), -45 (-1.0714%); 89% both years.
--    OLS over 2022-2024, Welgelegen: y - 1821.67 = 33.33, -11.67, -21.67 against x - 2023 = -1, 0, 1:
--    sxy = -33.33 - 21.67 = -55, sxx = 2: -27.5; Theil-Sen median(-45, -10, -55 / 2) = -27.5.
--    Oog in Al: y - 4191.67 = 28.33, 8.33, -36.67: sxy = -65, OLS -32.5; Theil-Sen median(-20, -45, -32.5) = -32.5.
--    Owner-occupied share: two points (2022, 2023), slope 0.
SELECT area_name, indicator, period, value, change, round(change_pct::numeric, 4) AS change_pct, change_pp,
       label, trend_n, ols_slope, theil_sen_slope
  FROM buurtmonitor.development(indicators => '{ut_inw,ut_koopw}', vintage => 2024)
 WHERE area_code IN ('BU03440111', 'BU03440112') AND period >= 2023
 ORDER BY area_code, indicator, period;

DELETE FROM buurtmonitor.observations WHERE indicator LIKE 'ut\_%';
DELETE FROM buurtmonitor.indicators WHERE code LIKE 'ut\_%';
