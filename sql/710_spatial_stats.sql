-- Spatial statistics on a hand-made (synthetic) 3 x 3 lattice with the numbers written out; the
-- real-data check against spdep (moran.test, localmoran, localG) is test/spdep_oracle.sh.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET extra_float_digits = 0;
-- 100 m squares, rows A..C from the bottom, columns 1..3, vintage 2999 (synthetic), and an island Z1
INSERT INTO buurtmonitor.areas (code, vintage, level, geom)
SELECT 'L' || chr(64 + r) || c, 2999, 'buurt',
       ST_Multi(ST_MakeEnvelope(100 * (c - 1), 100 * (r - 1), 100 * c, 100 * r, 28992))
  FROM generate_series(1, 3) r, generate_series(1, 3) c
UNION ALL SELECT 'LZ1', 2999, 'buurt', ST_Multi(ST_MakeEnvelope(1000, 1000, 1100, 1100, 28992));
INSERT INTO buurtmonitor.indicators (code, label, kind) VALUES
    ('lat_x', 'synthetic lattice value', 'score'), ('lat_const', 'synthetic constant', 'score'),
    ('lat_gap', 'synthetic value with a gap', 'score'), ('lat_perm', 'synthetic value for permutations', 'score'),
    ('lat_pop', 'synthetic population', 'count');
INSERT INTO buurtmonitor.indicators (code, label, kind, denominator) VALUES ('lat_rate', 'synthetic rate', 'share', 'lat_pop');
-- lat_x: LA1..LC3 = 1..9 (row by row), LZ1 = 10
--   7 8 9     C
--   4 5 6     B
--   1 2 3     A
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value)
SELECT code, 2999, 2999, 'lat_x', (ascii(substr(code, 2, 1)) - 65) * 3 + substr(code, 3, 1)::int
  FROM buurtmonitor.areas WHERE vintage = 2999 AND code <> 'LZ1'
UNION ALL SELECT 'LZ1', 2999, 2999, 'lat_x', 10
UNION ALL SELECT code, 2999, 2999, 'lat_const', 7 FROM buurtmonitor.areas WHERE vintage = 2999;
SELECT n_links, island_codes FROM buurtmonitor.build_weights('lat9_b', 'buurt', 2999, 'rook', style => 'binary',
       codes => ARRAY['LA1', 'LA2', 'LA3', 'LB1', 'LB2', 'LB3', 'LC1', 'LC2', 'LC3']);

-- Global Moran, rook binary weights, the nine lattice squares (hand calculation):
--   mean 5, z = -4 .. 4, sum z^2 = 60; 12 shared edges, S0 = 24
--   z'Wz = 2 * (sum over edges z_i z_j) = 2 * (12 + 6 + 0 + 0 + 6 + 12   horizontal
--                                              + 4 - 2 + 0 + 0 - 2 + 4) vertical  = 80
--   I = n / S0 * z'Wz / z'z = 9 / 24 * 80 / 60 = 0.5;  E = -1 / (n - 1) = -0.125
--   S1 = 0.5 * 24 * 2^2 = 48; S2 = sum (2 k_i)^2 = 4 * 16 + 4 * 36 + 64 = 272
--   var normality = (81 * 48 - 9 * 272 + 3 * 576) / (576 * 80) - 0.125^2 = 17/320 = 0.053125
--   kurtosis K = 9 * 708 / 3600 = 1.77
--   var randomisation = (9 * (57 * 48 - 9 * 272 + 3 * 576) - 1.77 * (72 * 48 - 18 * 272 + 6 * 576))
--                       / (8 * 7 * 6 * 576) - 0.125^2 = 191/3200 = 0.0596875
--   z normality = 0.625 / sqrt(0.053125) = 2.711631, z randomisation = 0.625 / sqrt(0.0596875) = 2.558223
CREATE TEMP TABLE lat9 AS SELECT code FROM buurtmonitor.areas WHERE vintage = 2999 AND code <> 'LZ1';
SELECT weights_name, weights_method, weights_style, n, n_neighbours, i, e, var_norm, var_rand,
       round(z_norm::numeric, 6) AS z_norm, round(z_rand::numeric, 6) AS z_rand, dropped
  FROM buurtmonitor.moran('lat9_b', 'lat_x', 2999, permutations => 0);

-- Local Moran (conditional moments, spdep's default), m2 = 60 / 9:
--   LA1: z = -4, neighbours LA2 (-3) and LB1 (-1), sum -4: I = -4 / m2 * -4 = 2.4
--        E = -(16 * 2) / (8 * m2) = -0.6
--        Var = (4 / m2)^2 * 9/7 * (2 - 4/8) * (m2 - 16/8) = 0.36 * 9/7 * 1.5 * 14/3 = 3.24
--        z = (2.4 + 0.6) / 1.8 = 1.666667
--   LB2: z = 0, so I = E = Var = 0 and z is undefined (NULL)
--   LA3: z = -2, neighbours LA2 (-3) and LB3 (1): I = -2 / m2 * -2 = 0.6
SELECT area_code, value, round(ii::numeric, 10) AS ii, round(e_ii::numeric, 10) AS e_ii,
       round(var_ii::numeric, 10) AS var_ii, round(z_ii::numeric, 6) AS z_ii, quadrant, neighbours
  FROM buurtmonitor.local_moran('lat9_b', 'lat_x', 2999, permutations => 0)
 WHERE area_code IN ('LA1', 'LB2', 'LA3', 'LC3') ORDER BY 1;

-- Getis-Ord Gi for LA1 (without itself): the other 8 values have mean 44/8 = 5.5 and variance
--   284/8 - 5.5^2 = 5.25; W = 2, S1 = 2; lag = 2 + 4 = 6, E = 2 * 5.5 = 11;
--   Var = 5.25 * (7 * 2 - 4) / 7 ... spdep: si2 * ((n-1) S1 - W^2) / (n-2) = 5.25 * 12 / 7 = 9
--   z = (6 - 11) / 3 = -1.666667 (cold spot 90 %)
SELECT area_code, round(z::numeric, 6) AS z, hotspot, star
  FROM buurtmonitor.getis_ord('lat9_b', 'lat_x', 2999) WHERE area_code IN ('LA1', 'LC3', 'LB2') ORDER BY 1;
-- Gi* for LA1 (with itself, binary): mean 5, variance 60/9, W = 3, S1 = 3, lag = 1 + 2 + 4 = 7,
--   E = 15, Var = 60/9 * (9 * 3 - 9) / 8 = 15, z = (7 - 15) / sqrt(15) = -2.065591 (cold spot 95 %)
SELECT n_links FROM buurtmonitor.build_weights('lat9_bs', 'buurt', 2999, 'rook', style => 'binary',
       include_self => true, codes => ARRAY(SELECT code FROM lat9));
SELECT area_code, round(z::numeric, 6) AS z, hotspot, star
  FROM buurtmonitor.getis_ord('lat9_bs', 'lat_x', 2999) WHERE area_code IN ('LA1', 'LC3') ORDER BY 1;

-- An island: with LZ1 (value 10) the mean is 5.5 over all 10 values, but n counts only the 9
-- areas with neighbours (spdep adjust.n), so E stays -1/8; LZ1's local row says 'island'.
SELECT n_links, island_codes FROM buurtmonitor.build_weights('lat10_b', 'buurt', 2999, 'rook', style => 'binary');
SELECT n, n_neighbours, e FROM buurtmonitor.moran('lat10_b', 'lat_x', 2999, permutations => 0);
SELECT area_code, ii, e_ii, var_ii, z_ii, p_norm, p_sim, quadrant, cluster, neighbours
  FROM buurtmonitor.local_moran('lat10_b', 'lat_x', 2999, permutations => 99) WHERE area_code = 'LZ1';
SELECT area_code, z, hotspot FROM buurtmonitor.getis_ord('lat10_b', 'lat_x', 2999) WHERE area_code = 'LZ1';

-- Permutations on a lattice whose permutation distribution can be enumerated:
--   1 5 4     C      LB2 = 9 (z = 4) has neighbours LA2, LB1, LB3, LC2 with z = 3, 2, 1, 0 (sum 6).
--   7 9 6     B      Conditional permutation: 4 of the other 8 values, z in {-4, -3, ..., 3};
--   3 8 2     A      of the C(8,4) = 70 equally likely sets only {3, 2, 1, 0} sums to 6 or more,
-- so the exact folded p is 1/70 = 0.0142857 and the two-sided one 2/70. The test enumerates the
-- 70 sets in SQL and checks the pseudo p of 99,999 permutations within 5 standard errors.
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value)
SELECT code, 2999, 2999, 'lat_perm', v
  FROM (VALUES ('LA1', 3), ('LA2', 8), ('LA3', 2), ('LB1', 7), ('LB2', 9), ('LB3', 6),
               ('LC1', 1), ('LC2', 5), ('LC3', 4)) t(code, v);
CREATE TEMP TABLE others AS SELECT * FROM (VALUES (1, -4), (2, -3), (3, -2), (4, -1), (5, 0), (6, 1), (7, 2), (8, 3)) t(k, z);
CREATE TEMP TABLE exact AS
SELECT count(*) FILTER (WHERE a.z + b.z + c.z + d.z >= 6)::float8 / count(*) AS p_ge,
       count(*) FILTER (WHERE a.z + b.z + c.z + d.z <= 6)::float8 / count(*) AS p_le, count(*) AS sets
  FROM others a JOIN others b ON b.k > a.k JOIN others c ON c.k > b.k JOIN others d ON d.k > c.k;
SELECT sets, round(p_ge::numeric, 7) AS p_ge, p_le FROM exact;
SELECT alt, abs(l.p_sim - CASE alt WHEN 'folded' THEN e.p_ge ELSE 2 * e.p_ge END)
            <= 5 * sqrt(e.p_ge * (1 - e.p_ge) / 99999) * CASE alt WHEN 'folded' THEN 1 ELSE 2 END + 1.0 / 100000
            AS p_sim_within_bound,
       l.cluster
  FROM unnest(ARRAY['folded', 'two_sided']) alt, exact e,
       LATERAL buurtmonitor.local_moran('lat9_b', 'lat_perm', 2999, permutations => 99999, seed => 7,
                                        alternative => alt) l
 WHERE l.area_code = 'LB2';
-- The permutation mean and variance of I_i converge on the exact conditional moments
-- (spdep's analytic E and Var): on LB2, 99,999 draws put the mean within 5 standard errors.
SELECT abs(e_sim - e_ii) <= 5 * sqrt(var_ii / 99999) AS mean_within_bound,
       abs(var_sim / var_ii - 1) < 0.05 AS variance_within_5_percent
  FROM buurtmonitor.local_moran('lat9_b', 'lat_perm', 2999, permutations => 99999, seed => 7)
 WHERE area_code = 'LB2';

-- Seeded: the same seed gives the same pseudo p, another seed (almost always) another one;
-- and the result does not depend on the order in which the observations were stored.
CREATE TEMP TABLE run1 AS SELECT area_code, p_sim FROM buurtmonitor.local_moran('lat9_b', 'lat_x', 2999, seed => 42);
CREATE TEMP TABLE run2 AS SELECT area_code, p_sim FROM buurtmonitor.local_moran('lat9_b', 'lat_x', 2999, seed => 42);
CREATE TEMP TABLE run3 AS SELECT area_code, p_sim FROM buurtmonitor.local_moran('lat9_b', 'lat_x', 2999, seed => 43);
CREATE TEMP TABLE saved AS SELECT * FROM buurtmonitor.observations WHERE indicator = 'lat_x';
DELETE FROM buurtmonitor.observations WHERE indicator = 'lat_x';
INSERT INTO buurtmonitor.observations SELECT * FROM saved ORDER BY area_code DESC;
CREATE TEMP TABLE run4 AS SELECT area_code, p_sim FROM buurtmonitor.local_moran('lat9_b', 'lat_x', 2999, seed => 42);
SELECT (SELECT count(*) FROM run1 JOIN run2 USING (area_code) WHERE run1.p_sim IS NOT DISTINCT FROM run2.p_sim) AS same_seed_equal,
       (SELECT count(*) FROM run1 JOIN run4 USING (area_code) WHERE run1.p_sim IS NOT DISTINCT FROM run4.p_sim) AS reordered_equal,
       (SELECT count(*) FROM run1 JOIN run3 USING (area_code) WHERE run1.p_sim IS DISTINCT FROM run3.p_sim) > 0 AS other_seed_differs;
-- global permutation p: I = 0.5 is far in the tail of 9! orderings (two-sided p below 0.05)
SELECT p_sim < 0.05 AS significant, p_sim = (SELECT p_sim FROM buurtmonitor.moran('lat9_b', 'lat_x', 2999, seed => 1))
       AS reproducible
  FROM buurtmonitor.moran('lat9_b', 'lat_x', 2999, seed => 1);

-- Multiple testing on the analytic p values (permutations => 0; with permutations p_sim is
-- adjusted): 8 areas have a p (LB2 has none). Sorted, the p are 0.0512526 (LA2, LC2), 0.0955808
-- (LA1, LC3), 0.468494 (LA3, LC1), 0.549798 (LB1, LB3).
--   Bonferroni: 8 p, capped at 1: 0.410021, 0.764646, 1, 1.
--   BH: p * 8 / rank, then the running minimum from the largest rank down: ranks 8..5 give
--   0.549798 (rank 8) and larger values, so 0.549798; rank 4: 0.0955808 * 2 = 0.191161, and ranks
--   3..1 (0.254882, 0.205010, 0.410021) keep 0.191161.
SELECT area_code, round(p_norm::numeric, 6) AS p, round(p_bonferroni::numeric, 6) AS bonferroni,
       round(p_fdr::numeric, 6) AS bh
  FROM buurtmonitor.local_moran('lat9_b', 'lat_x', 2999, permutations => 0) ORDER BY p_norm NULLS LAST, area_code;

-- Empirical Bayes rate (Assuncao-Reis): counts 1..9 of 100 each. b = 45/900 = 0.05,
--   s2 = mean((k/100 - 0.05)^2) = 60 / 90000, a = s2 - b / 100 = 1/6000, v = a + b / 100 = 1/1500,
--   z_k = (k/100 - 0.05) * sqrt(1500) = (k - 5) * 0.387298; linear in k, so Moran's I is again 0.5.
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, numerator, denominator)
SELECT area_code, 2999, 2999, 'lat_rate', value / 100, value, 100 FROM saved WHERE area_code <> 'LZ1';
SELECT i FROM buurtmonitor.moran('lat9_b', 'lat_rate', 2999, permutations => 0, rate => 'eb');
SELECT area_code, round(value::numeric, 6) AS eb_z FROM buurtmonitor.local_moran('lat9_b', 'lat_rate', 2999, rate => 'eb')
 WHERE area_code IN ('LA1', 'LC3') ORDER BY 1;

-- Missing values: refused by default, dropped on request (row weights re-standardised)
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value)
SELECT area_code, 2999, 2999, 'lat_gap', value FROM saved WHERE area_code NOT IN ('LB2', 'LZ1');
SELECT n FROM buurtmonitor.moran('lat9_b', 'lat_gap', 2999);
SELECT n, dropped FROM buurtmonitor.moran('lat9_b', 'lat_gap', 2999, permutations => 0, missing => 'drop');

-- Bad input
SELECT * FROM buurtmonitor.moran('lat9_b', 'lat_const', 2999);
SELECT * FROM buurtmonitor.moran('no_such_weights', 'lat_x', 2999);
SELECT * FROM buurtmonitor.moran('lat9_b', 'no_such_indicator', 2999);
SELECT * FROM buurtmonitor.local_moran('lat9_bs', 'lat_x', 2999);
SELECT * FROM buurtmonitor.local_moran('lat9_b', 'lat_x', 2999, alternative => 'greater');
SELECT * FROM buurtmonitor.local_moran('lat9_b', 'lat_x', 2999, alpha => 2);
SELECT * FROM buurtmonitor.moran('lat9_b', 'lat_x', 2999, missing => 'impute');
SELECT * FROM buurtmonitor.moran('lat9_b', 'lat_x', 2999, rate => 'raw');
DELETE FROM buurtmonitor.observations WHERE indicator = 'lat_gap' AND area_code NOT IN ('LA1', 'LA2');
SELECT * FROM buurtmonitor.moran('lat9_b', 'lat_gap', 2999, missing => 'drop');

-- The map layer for QGIS: geometry, area_id, the LISA cluster and the hot-spot class
SELECT area_code, cluster, hotspot, GeometryType(geom), ST_SRID(geom)
  FROM buurtmonitor.local_moran_map('lat9_b', 'lat_x', 2999, seed => 1) ORDER BY area_code LIMIT 3;
