-- Compensated summation: cases built so that plain float8 sums visibly fail.
-- The oracle is PostgreSQL numeric arithmetic (exact for these integer inputs).
-- Synthetic data.  A serial plan keeps the scan order, so the naive float8 result is reproducible.
SET extra_float_digits = 0;
SET max_parallel_workers_per_gather = 0;

-- Case 1: the triple (1e16, 1, -1e16), weight 1, repeated 1000 times in this order.
-- Exact: sum(v*w) = 1000, sum(w) = 3000, mean = 1/3 = 0.333333333333333 (15 digits).
-- Naive float8: doubles near 1e16 are 2 apart, so 1e16 + 1 is a tie between 1e16 and 1e16 + 2;
-- round-half-to-even keeps 1e16 (its significand 1e16/2 = 5e15 is even), the 1 is lost, and
-- -1e16 brings the running sum back to 0 after every triple.
-- Naive sum(v*w)/sum(w) = 0/3000 = 0: wrong in the first digit.
CREATE TABLE cs_triples AS
SELECT i, u.ord, u.v, 1.0::float8 AS w
  FROM generate_series(1, 1000) AS i,
       unnest(ARRAY[1e16, 1, -1e16]::float8[]) WITH ORDINALITY AS u(v, ord)
 ORDER BY i, u.ord;
SELECT sum(v * w) / sum(w)                                    AS naive_float8,
       sum(v::numeric * w::numeric) / sum(w::numeric)         AS exact_numeric,
       buurtmonitor.weighted_mean(v, w)                       AS weighted_mean,
       buurtmonitor.ratio_of_sums(v, w)                       AS ratio_of_sums
  FROM cs_triples;

-- Case 2: 300,000 rows of mixed magnitudes that cancel.  For each i: a big integer b (up to 1e15)
-- with weight w and again -b with the same weight, plus a small integer s in [-50, 49] with
-- weight u; weights are integers in [1, 1000].  Products b*w reach 1e18 (> 2^53, so inexact in
-- float8) but cancel exactly; the answer is sum(s*u) / sum(2w + u), carried by the small terms.
-- Rows are shuffled so that the partners are far apart.  All inputs are integers below 2^53, so
-- their numeric copies are exact and numeric gives the exact answer.
SELECT setseed(0.42);
CREATE TABLE cs_mixed AS
WITH base AS (
    SELECT i, floor(random() * 1e15) AS b, floor(random() * 1000) + 1 AS w,
              floor(random() * 100) - 50 AS s, floor(random() * 1000) + 1 AS u
      FROM generate_series(1, 100000) AS i)
SELECT v::float8 AS v, w::float8 AS w
  FROM (SELECT b AS v, w FROM base
        UNION ALL SELECT -b, w FROM base
        UNION ALL SELECT s, u FROM base) AS rows
 ORDER BY random();
-- Exact values from numeric; ours must agree to 1e-12 relative, the naive one is printed as its
-- relative error class to show that it fails.
WITH r AS (
    SELECT sum(v::numeric * w::numeric) / sum(w::numeric) AS exact_mean,
           sum(v::numeric) / sum(w::numeric)               AS exact_ratio,
           sum(v * w) / sum(w)                             AS naive_mean,
           sum(v) / sum(w)                                 AS naive_ratio,
           buurtmonitor.weighted_mean(v, w)                AS mean,
           buurtmonitor.ratio_of_sums(v, w)                AS ratio,
           count(*)                                        AS n
      FROM cs_mixed)
SELECT n,
       abs(mean - exact_mean::float8) <= 1e-12 * abs(exact_mean::float8)    AS mean_within_1e12,
       abs(ratio - exact_ratio::float8) <= 1e-12 * abs(exact_ratio::float8) AS ratio_within_1e12,
       abs(naive_mean - exact_mean::float8) > 1e-6 * abs(exact_mean::float8)    AS naive_mean_off_by_1e6,
       abs(naive_ratio - exact_ratio::float8) > 1e-12 * abs(exact_ratio::float8) AS naive_ratio_off_by_1e12
  FROM r;
