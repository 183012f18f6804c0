-- One timed round of bench/development.sh: the hand-written SQL, then development(); sets
-- :sql_s_<round> and :c_s_<round> (seconds).
SELECT clock_timestamp() AS t0 \gset
\i bench/development_sql.sql
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 2) AS sql_s_:round \gset

SELECT clock_timestamp() AS t0 \gset
CREATE TEMP TABLE c_out AS
SELECT area_code, indicator, period, value, reference_value, index, difference, z_score,
       change, change_pct, base_change, trend_n, ols_slope
  FROM buurtmonitor.development('buurt', vintage => 2025, base_period => 2016);
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric, 2) AS c_s_:round \gset
