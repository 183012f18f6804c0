-- Monte Carlo sensitivity of a composite index.  The oracle is an independent computation in
-- plain SQL: the drawn weights (sensitivity_weights, the same seeded stream), the domain scores
-- of composite_index (checked by hand in 510 and against official tables in 530), rank() per
-- draw, and percentile_cont, which interpolates like R's quantile type 7.
SET extra_float_digits = 0;

-- Synthetic areas with crossing profiles; s10 misses c and so has no score (min_share 1).
CREATE TABLE sens (code text, a float8, b float8, c float8);
INSERT INTO sens VALUES ('s01', 9, 1, 5), ('s02', 8, 3, 2), ('s03', 7, 8, 1), ('s04', 6, 2, 8),
    ('s05', 5, 9, 3), ('s06', 4, 4, 9), ('s07', 3, 7, 7), ('s08', 2, 6, 4), ('s09', 1, 5, 6),
    ('s10', 10, 10, NULL);
CREATE TABLE sens_spec AS SELECT '{"domains": [{"column": "a", "weight": 0.5}, {"column": "b", "weight": 0.3},
                                               {"column": "c", "weight": 0.2}]}'::jsonb AS spec;

-- Drawn weights: each w_j (1 + U(-0.5, 0.5)) renormalised, so every drawn weight lies in
-- [w_j 0.5/1.5, w_j 1.5/0.5] and each draw sums to 1.
SELECT count(*) AS draws,
       bool_and(abs(weights[1] + weights[2] + weights[3] - 1) < 1e-12) AS sum_to_1,
       bool_and(weights[1] BETWEEN 0.5 / 3 AND 0.5 * 3 AND weights[2] BETWEEN 0.3 / 3 AND 0.3 * 3
                AND weights[3] BETWEEN 0.2 / 3 AND 0.2 * 3) AS within_bounds,
       round(avg(weights[1])::numeric, 2) AS mean_w1
  FROM buurtmonitor.sensitivity_weights(ARRAY[0.5, 0.3, 0.2], 2000, 42, 0.5);
-- seeded: the same seed gives the same draws, another seed other draws
SELECT (SELECT array_agg(weights) FROM buurtmonitor.sensitivity_weights(ARRAY[0.5, 0.3, 0.2], 5, 42, 0.5))
     = (SELECT array_agg(weights) FROM buurtmonitor.sensitivity_weights(ARRAY[0.5, 0.3, 0.2], 5, 42, 0.5)) AS same_seed_same,
       (SELECT array_agg(weights) FROM buurtmonitor.sensitivity_weights(ARRAY[0.5, 0.3, 0.2], 5, 42, 0.5))
     = (SELECT array_agg(weights) FROM buurtmonitor.sensitivity_weights(ARRAY[0.5, 0.3, 0.2], 5, 43, 0.5)) AS other_seed_same;

-- The SQL oracle against index_sensitivity: 400 draws, seed 42, spread 0.5.
CREATE TABLE sens_oracle AS
WITH ds AS (SELECT area, domain_scores AS s FROM buurtmonitor.composite_index('sens', (SELECT spec FROM sens_spec))
             WHERE score IS NOT NULL),
     w AS (SELECT draw, weights AS w FROM buurtmonitor.sensitivity_weights(ARRAY[0.5, 0.3, 0.2], 400, 42, 0.5)),
     r AS (SELECT draw, area,
                  rank() OVER (PARTITION BY draw
                               ORDER BY ((w[1] * s[1] + w[2] * s[2]) + w[3] * s[3]) / ((w[1] + w[2]) + w[3]) DESC) AS rk
             FROM ds CROSS JOIN w)
SELECT area, percentile_cont(0.5) WITHIN GROUP (ORDER BY rk) AS median_rank,
       percentile_cont(0.05) WITHIN GROUP (ORDER BY rk) AS p05_rank,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY rk) AS p95_rank
  FROM r GROUP BY area;
SELECT s.area, s.base_rank, s.median_rank, s.p05_rank, s.p95_rank,
       (s.median_rank, s.p05_rank, s.p95_rank) = (o.median_rank, o.p05_rank, o.p95_rank) AS same_as_sql,
       s.reason
  FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 400, 42, 0.5) s
  LEFT JOIN sens_oracle o USING (area)
 ORDER BY s.area;

-- Spread 0: every draw uses the spec's weights, so all quantiles equal the base rank, which is the
-- rank of composite_index.
SELECT bool_and(s.median_rank = s.base_rank AND s.p05_rank = s.base_rank AND s.p95_rank = s.base_rank) AS all_equal,
       bool_and(s.base_rank = c.rank) AS base_is_index_rank, count(*) AS scored
  FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 50, 1, 0) s
  JOIN buurtmonitor.composite_index('sens', (SELECT spec FROM sens_spec)) c USING (area)
 WHERE s.base_rank IS NOT NULL;

-- Varying the normalisation: with the spec's own transform as the only choice nothing changes; with
-- three choices the quantiles stay ordered and within 1..9.
SELECT (SELECT array_agg((median_rank, p05_rank, p95_rank) ORDER BY area)
          FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 100, 7, 0.3,
                                              transforms => ARRAY['exponential']))
     = (SELECT array_agg((median_rank, p05_rank, p95_rank) ORDER BY area)
          FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 100, 7, 0.3)) AS same_without_choice;
SELECT bool_and(p05_rank <= median_rank AND median_rank <= p95_rank AND p05_rank >= 1 AND p95_rank <= 9) AS ordered,
       count(*) AS scored
  FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 300, 7, 0.3,
                                      transforms => ARRAY['exponential', 'zscore', 'percentile'])
 WHERE base_rank IS NOT NULL;

-- A stored specification by name.
INSERT INTO buurtmonitor.index_specs (name, spec) SELECT 'sens_test', spec FROM sens_spec;
SELECT count(*) FILTER (WHERE base_rank IS NOT NULL) AS scored, count(*) AS areas
  FROM buurtmonitor.index_sensitivity('sens', 'sens_test', 20);

-- Bad input.
SELECT * FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 0);
SELECT * FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 10, 1, 1.5);
SELECT * FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 10, 1, 0.2, transforms => ARRAY[]::text[]);
SELECT * FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 10, 1, 0.2, transforms => ARRAY['rank']);
SELECT * FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 10, NULL);
SELECT * FROM buurtmonitor.index_sensitivity('sens', 'no_such_index');
SELECT * FROM buurtmonitor.sensitivity_weights(ARRAY[0.5, -0.5], 10);

-- Examples of docs/deprivation.md.
-- The drawn weights checked against an independent Python version of splitmix64 seeding and
-- xoshiro256** (Blackman & Vigna's reference algorithm), seed 1, spread 0.25:
--   M = 2**64 - 1; rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M
--   x = 1; s = []
--   for i in range(4):                       # splitmix64
--       x = (x + 0x9E3779B97F4A7C15) & M; z = x
--       z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M; z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
--       s.append(z ^ (z >> 31))
--   def nxt():                               # xoshiro256**
--       r = (rotl((s[1] * 5) & M, 7) * 9) & M; t = (s[1] << 17) & M
--       s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45); return r
--   for d in range(3):
--       w = [b * (1 + 0.25 * (2 * ((nxt() >> 11) * 2.0**-53) - 1)) for b in (0.5, 0.3, 0.2)]
--       print([v / sum(w) for v in w])
-- printed [0.5189663343042137, 0.28558578081913866, 0.1954478848766475],
--         [0.4890863905529343, 0.3409064062149621, 0.17000720323210358],
--         [0.43082266896508337, 0.30952269069631316, 0.25965464033860347]
SELECT draw, (SELECT array_agg(round(x::numeric, 4)) FROM unnest(weights) x) AS weights
  FROM buurtmonitor.sensitivity_weights(ARRAY[0.5, 0.3, 0.2], 3, 1, 0.25);
SELECT area, base_rank, median_rank, p05_rank, p95_rank
  FROM buurtmonitor.index_sensitivity('sens', '{"domains": [{"column": "a", "weight": 0.5},
           {"column": "b", "weight": 0.3}, {"column": "c", "weight": 0.2}]}'::jsonb, draws => 1000, seed => 1)
 WHERE base_rank <= 3 ORDER BY base_rank;

-- Memory budget (issue 9): the ranks of every area in every draw (4 bytes each) are held to
-- maintenance_work_mem (before, up to 4 GB per call). When they do not fit, the draws are run again
-- for each block of areas that fits (the same seed gives the same draws, so the same result), up to
-- 8 passes. By hand, 10 areas and 50,000 draws at 1 MB: one area's ranks and their copy take
-- 2 * 50,000 * 4 = 400,000 bytes, the work arrays 10 * (8 + 8 + 4 + 2 * 16) = 520, so
-- floor((1,048,576 - 520) / 400,000) = 2 areas per pass, 5 passes; the rows equal those of one pass at
-- the default 64 MB.
CREATE TEMP TABLE sens_one_pass AS
SELECT * FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 50000, 3, 0.4);
SET maintenance_work_mem = '1MB';
SELECT count(*) AS areas,
       count(*) FILTER (WHERE (p.base_rank, p.median_rank, p.p05_rank, p.p95_rank, p.reason)
                              IS DISTINCT FROM (o.base_rank, o.median_rank, o.p05_rank, o.p95_rank, o.reason)) AS differing
  FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 50000, 3, 0.4) p
  FULL JOIN sens_one_pass o USING (area);
-- 100,000 draws: 1 area a pass (2 * 400,000 bytes fit, 2 * 2 * 400,000 do not), 10 passes, more than 8:
-- the call stops before the draws and says what one pass needs: (10 + 10) * 400,000 + 520 = 8,000,520
-- bytes = 7.63 MB, rounded up 8 MB.
SELECT count(*) FROM buurtmonitor.index_sensitivity('sens', (SELECT spec FROM sens_spec), 100000);
RESET maintenance_work_mem;
DROP TABLE sens_one_pass;
