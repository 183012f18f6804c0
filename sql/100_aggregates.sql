-- Weighted aggregates: hand-computed cases, NULL rules, empty input, GROUP BY, errors.
-- All data here is synthetic; every expected value is worked out by hand in the comment above it.
SET extra_float_digits = 0;

-- weighted_mean of (10,1),(20,3): (10*1 + 20*3) / (1+3) = 70/4 = 17.5
-- ratio_of_sums of the same rows: (10+20) / (1+3) = 30/4 = 7.5
-- coverage: every row has a value, so 4/4 = 1
SELECT buurtmonitor.weighted_mean(v, w) AS mean,
       buurtmonitor.ratio_of_sums(v, w) AS ratio,
       buurtmonitor.coverage(v, w)      AS coverage
  FROM (VALUES (10.0, 1.0), (20.0, 3.0)) AS t(v, w);

-- Docs example: a rate rolled up from its parts is a ratio of sums, not a mean of percentages.
-- Buurt A: 30 low-income households of 100; buurt B: 10 of 400.
-- ratio_of_sums = (30+10)/(100+400) = 40/500 = 0.08; the naive avg(30/100, 10/400) = (0.3+0.025)/2 = 0.1625
-- weighted_mean of the shares by households = (0.3*100 + 0.025*400)/500 = 40/500 = 0.08 as well
SELECT round(buurtmonitor.ratio_of_sums(low_income, households)::numeric, 4) AS rate,
       round(avg(low_income / households)::numeric, 4)                        AS naive_mean_of_rates,
       round(buurtmonitor.weighted_mean(low_income / households, households)::numeric, 4) AS weighted_share
  FROM (VALUES ('A', 30.0, 100.0), ('B', 10.0, 400.0)) AS t(buurt, low_income, households);

-- NULL rules.  Rows (10,1), (NULL,2), (30,NULL), (40,4):
--   weighted_mean uses (10,1) and (40,4): (10 + 160) / 5 = 170/5 = 34
--   ratio_of_sums uses the same rows:     (10 + 40) / (1 + 4) = 50/5 = 10
--   coverage: weights present 1+2+4 = 7, of which with a value 1+4 = 5 -> 5/7 = 0.714286 (6 d.p.)
SELECT buurtmonitor.weighted_mean(v, w) AS mean,
       buurtmonitor.ratio_of_sums(v, w) AS ratio,
       round(buurtmonitor.coverage(v, w)::numeric, 6) AS coverage
  FROM (VALUES (10.0, 1.0), (NULL, 2.0), (30.0, NULL), (40.0, 4.0)) AS t(v, w);

-- Negative values and numerators are allowed: (-5,1),(5,3) -> mean (-5+15)/4 = 2.5, ratio (-5+5)/4 = 0
SELECT buurtmonitor.weighted_mean(v, w) AS mean, buurtmonitor.ratio_of_sums(v, w) AS ratio
  FROM (VALUES (-5.0, 1.0), (5.0, 3.0)) AS t(v, w);

-- No rows at all -> NULL for every aggregate.
SELECT buurtmonitor.weighted_mean(v, w) IS NULL AS mean_null,
       buurtmonitor.ratio_of_sums(v, w) IS NULL AS ratio_null,
       buurtmonitor.coverage(v, w) IS NULL AS coverage_null
  FROM (VALUES (1.0, 1.0)) AS t(v, w) WHERE false;

-- Only NULL values: no usable rows -> NULL mean and ratio; coverage = 0/(2+3) = 0.
SELECT buurtmonitor.weighted_mean(v, w) IS NULL AS mean_null,
       buurtmonitor.ratio_of_sums(v, w) IS NULL AS ratio_null,
       buurtmonitor.coverage(v, w) AS coverage
  FROM (VALUES (NULL::float8, 2.0::float8), (NULL, 3.0)) AS t(v, w);

-- Only NULL weights: nothing to weigh -> NULL everywhere (coverage too: its total weight is unknown).
SELECT buurtmonitor.weighted_mean(v, w) IS NULL AS mean_null,
       buurtmonitor.coverage(v, w) IS NULL AS coverage_null
  FROM (VALUES (1.0::float8, NULL::float8), (2.0, NULL)) AS t(v, w);

-- Total weight 0 -> NULL (0/0 has no meaning); a zero weight among others simply adds nothing:
-- (7,0),(9,0) -> NULL; (7,0),(9,2) -> (0 + 18)/2 = 9
SELECT buurtmonitor.weighted_mean(v, w) IS NULL AS all_zero_is_null,
       buurtmonitor.ratio_of_sums(v, w) IS NULL AS ratio_all_zero_is_null,
       buurtmonitor.coverage(v, w) IS NULL AS coverage_all_zero_is_null
  FROM (VALUES (7.0, 0.0), (9.0, 0.0)) AS t(v, w);
SELECT buurtmonitor.weighted_mean(v, w) AS mean
  FROM (VALUES (7.0, 0.0), (9.0, 2.0)) AS t(v, w);

-- GROUP BY: two wijken.
--   W1: (10,1),(20,3)            -> mean 70/4 = 17.5, coverage 4/4 = 1
--   W2: (100,2),(NULL,6),(50,2)  -> mean (200+100)/4 = 75, coverage (2+2)/(2+6+2) = 0.4
SELECT wijk,
       buurtmonitor.weighted_mean(v, w) AS mean,
       buurtmonitor.coverage(v, w) AS coverage
  FROM (VALUES ('W1', 10.0, 1.0), ('W1', 20.0, 3.0),
               ('W2', 100.0, 2.0), ('W2', NULL, 6.0), ('W2', 50.0, 2.0)) AS t(wijk, v, w)
 GROUP BY wijk ORDER BY wijk;

-- As a window aggregate (running mean over rows ordered by k):
--   k=1: 10/1 = 10;  k=2: (10 + 60)/4 = 17.5;  k=3: (10 + 60 + 30)/(1+3+1) = 100/5 = 20
SELECT k, buurtmonitor.weighted_mean(v, w) OVER (ORDER BY k) AS running_mean
  FROM (VALUES (1, 10.0, 1.0), (2, 20.0, 3.0), (3, 30.0, 1.0)) AS t(k, v, w) ORDER BY k;

-- Errors: negative weight or denominator, NaN or infinity in any argument (even on a row that
-- would be skipped for a NULL in the other argument), and overflow of a product.
SELECT buurtmonitor.weighted_mean(v, w) FROM (VALUES (1.0, -2.0)) AS t(v, w);
SELECT buurtmonitor.weighted_mean(v, w) FROM (VALUES (NULL::float8, -2.0::float8)) AS t(v, w);
SELECT buurtmonitor.weighted_mean(v, w) FROM (VALUES ('NaN'::float8, 1.0::float8)) AS t(v, w);
SELECT buurtmonitor.weighted_mean(v, w) FROM (VALUES (1.0::float8, 'NaN'::float8)) AS t(v, w);
SELECT buurtmonitor.weighted_mean(v, w) FROM (VALUES ('Infinity'::float8, 1.0::float8)) AS t(v, w);
SELECT buurtmonitor.weighted_mean(v, w) FROM (VALUES (1.0::float8, 'Infinity'::float8)) AS t(v, w);
SELECT buurtmonitor.weighted_mean(v, w) FROM (VALUES (1e300::float8, 1e300::float8)) AS t(v, w);
SELECT buurtmonitor.ratio_of_sums(n, d) FROM (VALUES (3.0, -1.0)) AS t(n, d);
SELECT buurtmonitor.ratio_of_sums(n, d) FROM (VALUES ('-Infinity'::float8, 1.0::float8)) AS t(n, d);
SELECT buurtmonitor.ratio_of_sums(n, d) FROM (VALUES (1.0::float8, 'NaN'::float8)) AS t(n, d);
SELECT buurtmonitor.ratio_of_sums(n, d) FROM (VALUES (1e308::float8, 1.0::float8), (1e308, 1.0)) AS t(n, d);
-- Finite sums whose quotient overflows: 1e308 / 1e-300 = 1e608 > 1.8e308 (issue 9: this returned NaN,
-- the remainder step computed inf - inf).  Both signs.
SELECT buurtmonitor.ratio_of_sums(n, d) FROM (VALUES (1e308::float8, 1e-300::float8)) AS t(n, d);
SELECT buurtmonitor.ratio_of_sums(n, d) FROM (VALUES (-5e307::float8, 1e-300::float8), (-5e307, 0)) AS t(n, d);
-- In range by hand: 1e300 / 1e-8 = 1e308 (just below the limit); (2e307 + 2e307) / (0.5 + 0.5) = 4e307;
-- 1e-300 / 1e300 = 1e-600 underflows to 0 (below the smallest float8, 4.9e-324).
SELECT buurtmonitor.ratio_of_sums(n, d) FROM (VALUES (1e300::float8, 1e-8::float8)) AS t(n, d);
SELECT buurtmonitor.ratio_of_sums(n, d) FROM (VALUES (2e307::float8, 0.5::float8), (2e307, 0.5)) AS t(n, d);
SELECT buurtmonitor.ratio_of_sums(n, d) FROM (VALUES (1e-300::float8, 1e300::float8)) AS t(n, d);
SELECT buurtmonitor.coverage(v, w) FROM (VALUES (NULL::float8, -0.5::float8)) AS t(v, w);
SELECT buurtmonitor.coverage(v, w) FROM (VALUES ('NaN'::float8, 1.0::float8)) AS t(v, w);

-- Catalogue: every aggregate is parallel safe and has combine, serial and deserial functions.
SELECT p.proname, p.proparallel, a.aggcombinefn <> 0 AS has_combine,
       a.aggserialfn <> 0 AS has_serial, a.aggdeserialfn <> 0 AS has_deserial,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS has_comment
  FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
 WHERE p.pronamespace = 'buurtmonitor'::regnamespace
   AND p.proname IN ('weighted_mean', 'ratio_of_sums', 'coverage', 'weighted_quantile', 'weighted_median')
 ORDER BY p.proname;

-- The SQLSTATE of each error case: negative weights/denominators and NaN are
-- 22023 invalid_parameter_value, infinities and overflow 22003 numeric_value_out_of_range.
CREATE FUNCTION pg_temp.sqlstate_of(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT q, pg_temp.sqlstate_of(q) AS sqlstate FROM (VALUES
    ('SELECT buurtmonitor.weighted_mean(1, -2)'),
    ('SELECT buurtmonitor.weighted_mean(''NaN'', 1)'),
    ('SELECT buurtmonitor.weighted_mean(''Infinity'', 1)'),
    ('SELECT buurtmonitor.weighted_mean(1e300, 1e300)'),
    ('SELECT buurtmonitor.ratio_of_sums(3, -1)'),
    ('SELECT buurtmonitor.ratio_of_sums(1, ''-Infinity'')'),
    ('SELECT buurtmonitor.ratio_of_sums(1e308, 1e-300)'),
    ('SELECT buurtmonitor.coverage(NULL, -0.5)'),
    ('SELECT buurtmonitor.ratio_of_sums(-3, 1)')) AS t(q);
