-- Deprivation building blocks: inverse normal, normal score, exponential transform,
-- scaled ranks, deciles, set-level normalisations, weights and weighted means.
-- Expected values: R 4.x qnorm (printed with sprintf("%.17g")), and hand
-- calculations (bc -l) written next to each query.
SET extra_float_digits = 0;

-- inverse_normal against R qnorm.  R one-liner:
--   p <- c(0.975, 0.5, 0.025, 0.3, 0.9, 0.075, 0.925, 0.0749, 1e-10, exp(-25), 1e-300, 1-1e-12, 0.999999)
--   for (x in p) cat(sprintf("%.17g", x), sprintf("%.17g", qnorm(x)), "\n")
-- printed (p, qnorm(p)):
--   0.975 1.9599639845400536        0.5 0                     0.025 -1.9599639845400538
--   0.3 -0.52440051270804067        0.9 1.2815515655446008    0.075 -1.4395314709384557
--   0.925 1.4395314709384559        0.0749 -1.4402382675279632   1e-10 -6.3613409024040557
--   exp(-25) = 1.3887943864964021e-11 -> -6.6579046435011024 (the r = 5 switch of AS241)
--   1e-300 -37.047096299361201      1-1e-12 7.0344869100478356   0.999999 4.7534243088170891
-- 0.075/0.925 sit on the |p - 0.5| = 0.425 switch of AS241.  Shown: the relative
-- error against R (0 means bit-identical); the bar is 2e-16.
SELECT p, r_qnorm,
       abs(buurtmonitor.inverse_normal(p) - r_qnorm) / greatest(abs(r_qnorm), 1e-300) AS rel_error,
       abs(buurtmonitor.inverse_normal(p) - r_qnorm) <= 2e-16 * abs(r_qnorm) AS ok
  FROM (VALUES (0.975::float8, 1.9599639845400536::float8),
               (0.5, 0),
               (0.025, -1.9599639845400538),
               (0.3, -0.52440051270804067),
               (0.9, 1.2815515655446008),
               (0.075, -1.4395314709384557),
               (0.925, 1.4395314709384559),
               (0.0749, -1.4402382675279632),
               (1e-10, -6.3613409024040557),
               (1.3887943864964021e-11, -6.6579046435011024),
               (1e-300, -37.047096299361201),
               (0.99999999999900002, 7.0344869100478356),
               (0.999999, 4.7534243088170891)) AS t(p, r_qnorm);

-- normal_score(rank, n) = qnorm((rank - 0.5)/n).  R: qnorm((c(1, 2.5, 10) - 0.5)/10)
--   = -1.6448536269514726 -0.84162123357291418 1.6448536269514715
SELECT rank, round(buurtmonitor.normal_score(rank, 10)::numeric, 14) AS normal_score
  FROM unnest(ARRAY[1, 2.5, 10]::float8[]) AS rank;

-- exponential_transform(r) = -23 ln(1 - r (1 - exp(-100/23))).  By hand with bc -l:
--   exp(-100/23) = 0.0129349013889498; r = 0 -> 0; r = 1 -> -23 ln(exp(-100/23)) = 100;
--   r = 0.5 -> -23 ln(1 - 0.5 * 0.9870650986110502) = -23 ln(0.5064674506944749) = 15.6467900726;
--   r = 0.2 -> 5.0580459939; r = 0.8 -> 35.8568240958
SELECT r, round(buurtmonitor.exponential_transform(r)::numeric, 10) AS transformed
  FROM unnest(ARRAY[0, 0.2, 0.5, 0.8, 1]::float8[]) AS r;

-- scaled_rank: N = 5; rank 1 (most deprived) -> (5 + 1 - 1)/5 = 1 with n_plus_1, (5 - 1)/5 = 0.8 with n;
-- rank 5 -> 1/5 = 0.2 and 0; rank 3.5 -> 0.5 and 0.3.
SELECT rank, buurtmonitor.scaled_rank(rank, 5) AS n_plus_1, buurtmonitor.scaled_rank(rank, 5, 'n') AS n
  FROM unnest(ARRAY[1, 3.5, 5]::float8[]) AS rank;

-- Deciles ceil(10 rank / N) and quantile groups, N = 32844 as in the English IMD:
-- rank 1 -> 1; 3284 -> ceil(32840/32844) = 1; 3285 -> ceil(32850/32844) = 2; 32844 -> 10.
-- quantile_group(3, 7, 5) = ceil(15/7) = 3.
SELECT buurtmonitor.decile(1, 32844) AS d1, buurtmonitor.decile(3284, 32844) AS d3284,
       buurtmonitor.decile(3285, 32844) AS d3285, buurtmonitor.decile(32844, 32844) AS d32844,
       buurtmonitor.quantile_group(3, 7, 5) AS quintile;

-- Set-level normalisations of the synthetic values {3, 1, 2, 2, NULL, 5}, higher = worse.
-- By hand: most deprived first 5, 3, 2, 2, 1, so ranks (average ties) 2, 5, 3.5, 3.5, -, 1 and
-- (min ties) 2, 5, 3, 3, -, 1.  z: mean 2.6, sample sd sqrt(9.2/4) = 1.5165750888 (R: (x-mean(x))/sd(x)
-- = 0.2637521894 -1.0550087574 -0.3956282840 -0.3956282840 1.5825131361).  minmax: 100 (x - 1)/4 =
-- 50, 0, 25, 25, -, 100.  scaled_rank n_plus_1: (6 - r)/5 = 0.8, 0.2, 0.5, 0.5, -, 1; with n: (5 - r)/5 =
-- 0.6, 0, 0.3, 0.3, -, 0.8.  exponential (n_plus_1): 35.8568240958, 5.0580459939, 15.6467900726 (twice), -, 100.
-- percentile (average ties): 100 (5 - r)/4 = 75, 0, 37.5, 37.5, -, 100; (min ties) = 100 * percent_rank
-- ascending = 75, 0, 25, 25, -, 100.  normal_score: qnorm((5.5 - r)/5) = qnorm(0.7, 0.1, 0.4, 0.4, 0.9)
-- = 0.5244005127, -1.2815515655, -0.2533471031, -0.2533471031, 1.2815515655 (R qnorm).
SELECT method, ties, scaling,
       (SELECT array_agg(round(v::numeric, 10) ORDER BY o)
          FROM unnest(buurtmonitor.normalise(ARRAY[3, 1, 2, 2, NULL, 5]::float8[], method, 'higher_is_worse', ties, scaling))
               WITH ORDINALITY AS u(v, o)) AS normalised
  FROM (VALUES ('rank', 'average', 'n_plus_1'), ('rank', 'min', 'n_plus_1'),
               ('zscore', 'average', 'n_plus_1'), ('minmax', 'average', 'n_plus_1'),
               ('scaled_rank', 'average', 'n_plus_1'), ('scaled_rank', 'average', 'n'),
               ('exponential', 'average', 'n_plus_1'), ('percentile', 'average', 'n_plus_1'),
               ('percentile', 'min', 'n_plus_1'), ('normal_score', 'average', 'n_plus_1'),
               ('none', 'average', 'n_plus_1')) AS m(method, ties, scaling);

-- Polarity: higher_is_better reverses the order.  By hand for {3, 1, 2, 2, NULL, 5}: most deprived
-- first 1, 2, 2, 3, 5 -> ranks 4, 1, 2.5, 2.5, -, 5; minmax 100 (5 - x)/4 = 50, 100, 75, 75, -, 0; none = -x.
SELECT buurtmonitor.normalise(ARRAY[3, 1, 2, 2, NULL, 5]::float8[], 'rank', 'higher_is_better') AS ranks,
       buurtmonitor.normalise(ARRAY[3, 1, 2, 2, NULL, 5]::float8[], 'minmax', 'higher_is_better') AS minmax,
       buurtmonitor.normalise(ARRAY[3, 1, 2, 2, NULL, 5]::float8[], 'none', 'higher_is_better') AS negated;

-- Window-friendly composition: the scalars with rank() OVER / count(*) OVER () give the same
-- exponential scores as the set-level function with min ties (checked on 200 synthetic values
-- with ties: x = i % 37); and percentile with min ties equals 100 * percent_rank() OVER (ORDER BY x).
WITH t AS (SELECT i, (i % 37)::float8 AS x FROM generate_series(1, 200) AS i),
     w AS (SELECT i, x,
                  buurtmonitor.exponential_transform(
                      buurtmonitor.scaled_rank(rank() OVER (ORDER BY x DESC), count(*) OVER ())) AS e_window,
                  100 * percent_rank() OVER (ORDER BY x) AS pct_window
             FROM t),
     s AS (SELECT u.v AS e_set, p.v AS pct_set, u.o AS i
             FROM unnest(buurtmonitor.normalise((SELECT array_agg(x ORDER BY i) FROM t), 'exponential', ties => 'min'))
                  WITH ORDINALITY AS u(v, o)
             JOIN unnest(buurtmonitor.normalise((SELECT array_agg(x ORDER BY i) FROM t), 'percentile', ties => 'min'))
                  WITH ORDINALITY AS p(v, o) ON p.o = u.o)
SELECT count(*) AS areas,
       max(abs(w.e_window - s.e_set)) < 1e-12 AS exponential_same,
       max(abs(w.pct_window - s.pct_set)) < 1e-12 AS percentile_same
  FROM w JOIN s USING (i);

-- Weights: {1, 1, 2} sum to 4 -> {0.25, 0.25, 0.5} with a NOTICE.
SELECT buurtmonitor.normalise_weights(ARRAY[1, 1, 2]::float8[]);
SELECT buurtmonitor.normalise_weights(ARRAY[0.5, 0.5]::float8[]);

-- Weighted means.  By hand: (0.5*10 + 0.3*20)/0.8 = 13.75 (the NULL value's weight drops out);
-- geometric 4^0.5 16^0.5 = 8 and 4^0.25 16^0.75 = 2^3.5 = 11.3137084990.
SELECT buurtmonitor.weighted_arithmetic_mean(ARRAY[10, 20, NULL]::float8[], ARRAY[0.5, 0.3, 0.2]::float8[]) AS mean,
       round(buurtmonitor.weighted_geometric_mean(ARRAY[4, 16]::float8[], ARRAY[0.5, 0.5]::float8[])::numeric, 10) AS geo_equal,
       round(buurtmonitor.weighted_geometric_mean(ARRAY[4, 16]::float8[], ARRAY[0.25, 0.75]::float8[])::numeric, 10) AS geo;
-- weights {2, 2} are normalised: one NOTICE for the whole query, not one per row; (1*2 + 3*2)/4 = 2, (5+7)/2 = 6.
SELECT buurtmonitor.weighted_arithmetic_mean(ARRAY[a, b]::float8[], ARRAY[2, 2]::float8[])
  FROM (VALUES (1, 3), (5, 7)) AS t(a, b);

-- Bad input.
SELECT buurtmonitor.inverse_normal(0);
SELECT buurtmonitor.inverse_normal(1);
SELECT buurtmonitor.normal_score(0, 10);
SELECT buurtmonitor.normal_score(11, 10);
SELECT buurtmonitor.normal_score(1, 0);
SELECT buurtmonitor.exponential_transform(-0.1);
SELECT buurtmonitor.exponential_transform(1.5);
SELECT buurtmonitor.scaled_rank(1, 5, 'n_minus_1');
SELECT buurtmonitor.decile(0, 10);
SELECT buurtmonitor.quantile_group(1, 10, 0);
SELECT buurtmonitor.normalise(ARRAY[1, 2]::float8[], 'logit');
SELECT buurtmonitor.normalise(ARRAY[1, 2]::float8[], 'rank', 'up');
SELECT buurtmonitor.normalise(ARRAY[1, 2]::float8[], 'rank', ties => 'dense');
SELECT buurtmonitor.normalise(ARRAY[]::float8[], 'rank');
SELECT buurtmonitor.normalise(ARRAY[NULL, NULL]::float8[], 'rank');
SELECT buurtmonitor.normalise(ARRAY[2, 2, 2]::float8[], 'zscore');
SELECT buurtmonitor.normalise(ARRAY[2, 2, 2]::float8[], 'minmax');
SELECT buurtmonitor.normalise(ARRAY[1, 'NaN']::float8[], 'rank');
SELECT buurtmonitor.normalise_weights(ARRAY[0.5, -0.1, 0.6]::float8[]);
SELECT buurtmonitor.normalise_weights(ARRAY[0, 0]::float8[]);
SELECT buurtmonitor.weighted_arithmetic_mean(ARRAY[1, 2]::float8[], ARRAY[1]::float8[]);
SELECT buurtmonitor.weighted_geometric_mean(ARRAY[0, 2]::float8[], ARRAY[0.5, 0.5]::float8[]);

-- Examples of docs/deprivation.md (values checked above: qnorm(0.975), E(0.5) = 15.6467900726).
SELECT buurtmonitor.inverse_normal(0.975) AS z, buurtmonitor.normal_score(1, 10) AS ns,
       buurtmonitor.exponential_transform(0.5) AS e;
SELECT buurtmonitor.scaled_rank(1, 5) AS n_plus_1, buurtmonitor.scaled_rank(1, 5, 'n') AS n,
       buurtmonitor.decile(3285, 32844) AS decile, buurtmonitor.quantile_group(3, 7, 5) AS quintile;
SELECT buurtmonitor.normalise(ARRAY[3, 1, 2, 2, NULL, 5], 'rank') AS ranks,
       buurtmonitor.normalise(ARRAY[3, 1, 2, 2, NULL, 5], 'minmax', 'higher_is_better') AS minmax;
SELECT code, x,
       round(buurtmonitor.exponential_transform(
           buurtmonitor.scaled_rank(rank() OVER (ORDER BY x DESC), count(*) OVER ()))::numeric, 4) AS imd_score
  FROM (VALUES ('a', 3), ('b', 1), ('c', 2), ('d', 5)) AS t(code, x)
 ORDER BY code;
SELECT buurtmonitor.normalise_weights(ARRAY[1, 1, 2]);
SELECT buurtmonitor.weighted_arithmetic_mean(ARRAY[10, 20, NULL], ARRAY[0.5, 0.3, 0.2]) AS mean,
       buurtmonitor.weighted_geometric_mean(ARRAY[4, 16], ARRAY[0.5, 0.5]) AS geometric;
