-- The development table written by hand in SQL with window functions (the peer of
-- buurtmonitor.development() in bench/development.sh): buurten against their gemeente,
-- boundary edition 2025, base period 2016, trend over the last 5 periods.
-- Columns both compute: value, reference value, index, difference, z-score, change,
-- change %, change against the base period, number of trend periods, OLS slope.
CREATE TEMP TABLE s_out AS
WITH ra AS (          -- buurt -> wijk -> gemeente
    SELECT b.code AS area_code, g.code AS reference_code
      FROM buurtmonitor.areas b
      JOIN buurtmonitor.areas w ON w.code = b.parent_code AND w.vintage = b.vintage
      JOIN buurtmonitor.areas g ON g.code = w.parent_code AND g.vintage = w.vintage AND g.level = 'gemeente'
     WHERE b.level = 'buurt' AND b.vintage = 2025
),
obs AS (
    SELECT o.area_code, o.indicator, o.period, ra.reference_code,
           CASE WHEN o.status = 'suppressed' THEN NULL ELSE o.value END AS value
      FROM buurtmonitor.observations o JOIN ra USING (area_code)
     WHERE o.vintage = 2025
),
w AS (
    SELECT obs.*, r.value AS reference_value,
           avg(obs.value) OVER grp AS grp_mean,
           stddev_samp(obs.value) OVER grp AS grp_sd,
           count(obs.value) OVER grp AS grp_n,
           lag(obs.value) OVER ser AS prev_value,
           max(obs.value) FILTER (WHERE obs.period = 2016) OVER (PARTITION BY obs.indicator, obs.area_code) AS base_value,
           regr_slope(obs.value, obs.period) OVER (ser ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS ols_slope,
           count(obs.value) OVER (ser ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS trend_n
      FROM obs
      LEFT JOIN buurtmonitor.observations r
             ON r.area_code = obs.reference_code AND r.vintage = 2025
            AND r.period = obs.period AND r.indicator = obs.indicator
    WINDOW grp AS (PARTITION BY obs.reference_code, obs.indicator, obs.period),
           ser AS (PARTITION BY obs.indicator, obs.area_code ORDER BY obs.period)
)
SELECT area_code, indicator, period, value, reference_value,
       100 * value / nullif(reference_value, 0) AS index,
       value - reference_value AS difference,
       CASE WHEN grp_n >= 2 AND grp_sd > 0 THEN (value - grp_mean) / grp_sd END AS z_score,
       value - prev_value AS change,
       100 * (value - prev_value) / nullif(abs(prev_value), 0) AS change_pct,
       value - base_value AS base_change,
       trend_n, ols_slope
  FROM w;
