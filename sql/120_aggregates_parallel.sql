-- Parallel aggregation: a forced parallel plan shows Partial Aggregate and gives the same
-- answer as the serial plan (the combine step merges compensated sums and quantile pairs).
-- Synthetic data.
SET extra_float_digits = 0;

-- 300,000 rows: the triple (1e16, 1, -1e16) with weight 1, repeated 100,000 times (k = 0, 1, 2
-- marks the position in the triple), and a group key g = i % 3.
-- Exact by hand: each group holds whole triples, so per group sum(v*w) = (number of triples)
-- and sum(w) = 3 * (number of triples): the mean is 1/3 in every group and overall.
-- The ratio_of_sums of (v, w) is the same 1/3.  coverage: one in ten rows (i % 10 = 0) has its
-- value set to NULL, so coverage = 0.9 overall (30,000 of 300,000 rows, all with weight 1).
CREATE TABLE par_rows AS
SELECT i, i % 3 AS g,
       CASE WHEN i % 10 = 0 THEN NULL ELSE v END AS v_cov,
       v, 1.0::float8 AS w
  FROM generate_series(0, 99999) AS i,
       unnest(ARRAY[1e16, 1, -1e16]::float8[]) WITH ORDINALITY AS u(v, k);
ALTER TABLE par_rows SET (parallel_workers = 2);
ANALYZE par_rows;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;  -- both halves go through serialise/deserialise/combine

-- Expected (hand): mean = ratio = 1/3 = 0.333333333333333, coverage = 0.9.
-- Median: 100,000 rows each of -1e16, 1 and 1e16 with weight 1; half the total weight is 150,000,
-- reached within the block of 1s (cumulative 100,000 after -1e16, 200,000 after 1) -> 1.
-- 0.9 quantile: 0.9 * 300,000 = 270,000 > 200,000 -> 1e16.
-- Per group g: mean 1/3 as explained above.
EXPLAIN (COSTS OFF)
SELECT buurtmonitor.weighted_mean(v, w), buurtmonitor.ratio_of_sums(v, w),
       buurtmonitor.coverage(v_cov, w), buurtmonitor.weighted_median(v, w),
       buurtmonitor.weighted_quantile(v, w, 0.9)
  FROM par_rows;
SELECT buurtmonitor.weighted_mean(v, w) AS mean, buurtmonitor.ratio_of_sums(v, w) AS ratio,
       buurtmonitor.coverage(v_cov, w) AS coverage, buurtmonitor.weighted_median(v, w) AS median,
       buurtmonitor.weighted_quantile(v, w, 0.9) AS p90
  FROM par_rows;
EXPLAIN (COSTS OFF)
SELECT g, buurtmonitor.weighted_mean(v, w) AS mean FROM par_rows GROUP BY g ORDER BY g;
SELECT g, buurtmonitor.weighted_mean(v, w) AS mean FROM par_rows GROUP BY g ORDER BY g;

-- The same queries with a serial plan give the same answers.
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF)
SELECT buurtmonitor.weighted_mean(v, w) FROM par_rows;
SELECT buurtmonitor.weighted_mean(v, w) AS mean, buurtmonitor.ratio_of_sums(v, w) AS ratio,
       buurtmonitor.coverage(v_cov, w) AS coverage, buurtmonitor.weighted_median(v, w) AS median,
       buurtmonitor.weighted_quantile(v, w, 0.9) AS p90
  FROM par_rows;
SELECT g, buurtmonitor.weighted_mean(v, w) AS mean FROM par_rows GROUP BY g ORDER BY g;

-- Overflow in a parallel plan (issue 9).  1,000 rows (1e305, 1e-303): both sums stay finite
-- in every partial state and after combining (1e308 and 1e-300), but their quotient is 1e608:
-- the final step must raise 22003, not return NaN.  1,000 rows (3e305, 1): the total 3e308
-- overflows, in a worker's partial sum or in the combine step (however the rows are split): 22003.
-- As a check that the data are fine otherwise: 1,000 rows (1e305, 1) give 1e308 / 1000 = 1e305.
CREATE TABLE par_overflow AS
SELECT i, 1e305::float8 AS n_big, 1e-303::float8 AS d_tiny, 3e305::float8 AS n_huge, 1.0::float8 AS one
  FROM generate_series(1, 1000) AS i;
ALTER TABLE par_overflow SET (parallel_workers = 2);
ANALYZE par_overflow;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT buurtmonitor.ratio_of_sums(n_big, d_tiny) FROM par_overflow;
SELECT buurtmonitor.ratio_of_sums(n_big, d_tiny) FROM par_overflow;
SELECT buurtmonitor.ratio_of_sums(n_huge, one) FROM par_overflow;
SELECT buurtmonitor.ratio_of_sums(n_big, one) FROM par_overflow;
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;
SELECT buurtmonitor.ratio_of_sums(n_big, d_tiny) FROM par_overflow;
RESET max_parallel_workers_per_gather;
