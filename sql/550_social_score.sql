-- Social score: polarity-signed z-scores averaged per area, weighted mean exactly 0.
-- All tables here are synthetic; the expected values are hand calculations (below).
\set SHOW_CONTEXT never
SET extra_float_digits = 0;
CREATE TABLE ss3 (code text, a double precision, b integer, pop integer);
INSERT INTO ss3 VALUES ('A', 1, 10, 100), ('B', 2, 30, 200), ('C', 3, 20, 100);

-- 1. Equal weights, both indicators "higher is better" (polarity 1, the default).
--    a = 1, 2, 3: mean 2, sample sd 1 -> z_a = -1, 0, 1
--    b = 10, 30, 20: mean 20, sd sqrt((100 + 100 + 0) / 2) = 10 -> z_b = -1, 1, 0
--    raw = (z_a + z_b) / 2 = -1, 0.5, 0.5; its mean is 0, so s = raw.
--    Priority (beta 0.5, cap 3): A: 1 - 0.5 * (-1) = 1.5, excess 0.5 over two areas with s = 0.5:
--    2 * (1 - exp(-0.5 g)) = 0.5 -> p_B = p_C = exp(-0.5 g) = 0.75. Mean (1.5 + 0.75 + 0.75) / 3 = 1.
SELECT area_code, round(social_score::numeric, 6) AS s, round(priority::numeric, 6) AS p, n_observed, n_imputed, reason
  FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"]}');

-- 2. Polarity -1 on b (higher b is worse) and weights a = 3, b = 1.
--    z_b becomes 1, -1, 0; raw = (3 z_a + z_b) / 4 = (-3 + 1) / 4, (0 - 1) / 4, (3 + 0) / 4
--    = -0.5, -0.25, 0.75 (mean 0).
--    Priority: A 1 + 0.5 * 0.5 = 1.25, B 1 + 0.5 * 0.25 = 1.125; excess 0.375 -> p_C = 1 - 0.375 = 0.625.
SELECT area_code, round(social_score::numeric, 6) AS s, round(priority::numeric, 6) AS p
  FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"],
                                          "polarity": {"b": -1}, "weights": {"a": 3, "b": 1}}');

-- 3. Population-weighted (pop 100, 200, 100; weighted sd divides by the total weight 400).
--    a: mean (100 + 400 + 300) / 400 = 2, var (100 * 1 + 0 + 100 * 1) / 400 = 0.5, sd 0.70710678
--       z_a = -1.41421356, 0, 1.41421356
--    b: mean (1000 + 6000 + 2000) / 400 = 22.5, deviations -12.5, 7.5, -2.5,
--       var (100 * 156.25 + 200 * 56.25 + 100 * 6.25) / 400 = 68.75, sd 8.29156198
--       z_b = -1.50755672, 0.90453403, -0.30151134
--    raw = -1.46088514, 0.45226702, 0.55635111; weighted mean
--    (100 * -1.46088514 + 200 * 0.45226702 + 100 * 0.55635111) / 400 = 0 (to 1e-8), so s = raw.
--    Priority of A = 1 + 0.5 * 1.46088514 = 1.73044257.
SELECT area_code, round(social_score::numeric, 6) AS s, round(priority::numeric, 6) AS p
  FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "population": "pop"}');
-- weighted means: social score exactly 0, priority exactly 1 (to 1e-12); B and C share one
-- slope g on the non-deprived side: ln(p) / s is the same for both.
SELECT abs(sum(pop * social_score) / sum(pop)) < 1e-12 AS mean_s_is_0,
       abs(sum(pop * priority) / sum(pop) - 1) < 1e-12 AS mean_p_is_1,
       round((max(ln(priority) / social_score) FILTER (WHERE social_score > 0)
            - min(ln(priority) / social_score) FILTER (WHERE social_score > 0))::numeric, 12) AS slope_spread
  FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "population": "pop"}') s
  JOIN ss3 ON ss3.code = s.area_code;

-- an area without a population gets no score (and takes no part in the means)
CREATE TABLE ss4 (code text, a double precision, b integer, pop integer);
INSERT INTO ss4 SELECT * FROM ss3 UNION ALL SELECT 'D', 9, 99, NULL;
SELECT area_code, round(social_score::numeric, 6) AS s, reason
  FROM buurtmonitor.social_score('ss4', '{"key": "code", "columns": ["a", "b"], "population": "pop"}');

-- 4. Missing values, min_share and imputation by the parent.
CREATE TABLE ssm (code text, gm text, a double precision, b double precision);
INSERT INTO ssm VALUES ('A', 'G1', 1, 10), ('B', 'G1', 2, 30), ('C', 'G2', 3, 20),
                       ('D', 'G2', 6, NULL), ('E', 'G2', NULL, NULL);
-- 4a. Default min_share 0.5: D (1 of 2) is scored on a alone, E (0 of 2) is NULL with a reason.
--     a over A-D = 1, 2, 3, 6: mean 3, sd sqrt((4 + 1 + 0 + 9) / 3) = 2.16024690
--       z_a = -0.92582010, -0.46291005, 0, 1.38873015
--     b over A-C: z_b = -1, 1, 0
--     raw: A (-0.92582010 - 1) / 2 = -0.96291005, B (-0.46291005 + 1) / 2 = 0.26854498,
--          C (0 + 0) / 2 = 0, D 1.38873015; mean (sum 0.69436508) / 4 = 0.17359127
--     s = raw - 0.17359127: A -1.13650132, B 0.09495371, C -0.17359127, D 1.21513888
SELECT area_code, round(social_score::numeric, 6) AS s, n_observed, n_imputed, reason
  FROM buurtmonitor.social_score('ssm', '{"key": "code", "columns": ["a", "b"]}');
-- 4b. min_share 1: D and E are NULL; A-C as in case 1 (s = -1, 0.5, 0.5).
SELECT area_code, round(social_score::numeric, 6) AS s, reason
  FROM buurtmonitor.social_score('ssm', '{"key": "code", "columns": ["a", "b"], "min_share": 1}');
-- 4c. impute "parent": D's missing b is the mean b of its G2 siblings that have one (C: 20).
--     b over A-D = 10, 30, 20, 20: mean 20, sd sqrt(200 / 3) = 8.16496581
--       z_b = -1.22474487, 1.22474487, 0, 0
--     raw: A (-0.92582010 - 1.22474487) / 2 = -1.07528249, B (-0.46291005 + 1.22474487) / 2 = 0.38091741,
--          C 0, D (1.38873015 + 0) / 2 = 0.69436508; mean 0, so s = raw.
--     E has nothing observed, so it stays NULL (imputation does not create a score from nothing).
SELECT area_code, round(social_score::numeric, 6) AS s, n_observed, n_imputed, reason
  FROM buurtmonitor.social_score('ssm', '{"key": "code", "columns": ["a", "b"],
                                          "parent": "gm", "impute": "parent"}');
-- no silent zeros: every area without a score says why
SELECT count(*) FILTER (WHERE social_score IS NULL AND reason IS NULL) AS null_without_reason
  FROM buurtmonitor.social_score('ssm', '{"key": "code", "columns": ["a", "b"], "min_share": 1}');

-- 5. The same areas from buurtmonitor.observations: impute "parent" takes the parent area's own
--    observation (gemeente G2 has b = 26), not the siblings' mean.
--     b over A-D = 10, 30, 20, 26: mean 21.5, deviations -11.5, 8.5, -1.5, 4.5,
--       sd sqrt((132.25 + 72.25 + 2.25 + 20.25) / 3) = sqrt(227 / 3) = 8.69865890
--       z_b = -1.32204125, 0.97715223, -0.17244016, 0.51732047
--     raw: A (-0.92582010 - 1.32204125) / 2 = -1.12393068, B (-0.46291005 + 0.97715223) / 2 = 0.25712109,
--          C (0 - 0.17244016) / 2 = -0.08622008, D (1.38873015 + 0.51732047) / 2 = 0.95302531 (sum 0)
INSERT INTO buurtmonitor.indicators (code, label, kind, polarity) VALUES
    ('syn_a', 'synthetic a (higher is better)', 'score', 1),
    ('syn_b', 'synthetic b (higher is better)', 'score', 1),
    ('syn_n', 'synthetic neutral', 'score', 0);
INSERT INTO buurtmonitor.areas (code, vintage, level, parent_code) VALUES
    ('G1', 2099, 'gemeente', NULL), ('G2', 2099, 'gemeente', NULL),
    ('A', 2099, 'buurt', 'G1'), ('B', 2099, 'buurt', 'G1'), ('C', 2099, 'buurt', 'G2'),
    ('D', 2099, 'buurt', 'G2'), ('E', 2099, 'buurt', 'G2');
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value)
SELECT code, 2099, 2099, 'syn_a', a FROM ssm WHERE a IS NOT NULL
UNION ALL SELECT code, 2099, 2099, 'syn_b', b FROM ssm WHERE b IS NOT NULL
UNION ALL SELECT 'G2', 2099, 2099, 'syn_b', 26
UNION ALL SELECT code, 2099, 2099, 'syn_n', 1 FROM ssm;
SELECT area_code, round(social_score::numeric, 6) AS s, n_observed, n_imputed, reason
  FROM buurtmonitor.social_score('buurt', 2099, ARRAY['syn_a', 'syn_b'], spec => '{"impute": "parent"}');
-- population from an indicator: syn_p = 100, 200, 100 for A, B, C, none for D, 50 for E.
-- D gets "population missing", E "no indicator observed"; A-C are case 3:
-- s = -1.46088514, 0.45226702, 0.55635111
INSERT INTO buurtmonitor.indicators (code, label, kind) VALUES ('syn_p', 'synthetic population', 'count');
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value)
VALUES ('A', 2099, 2099, 'syn_p', 100), ('B', 2099, 2099, 'syn_p', 200), ('C', 2099, 2099, 'syn_p', 100),
       ('E', 2099, 2099, 'syn_p', 50);
SELECT area_code, round(social_score::numeric, 6) AS s, n_observed, reason
  FROM buurtmonitor.social_score('buurt', 2099, ARRAY['syn_a', 'syn_b'], spec => '{"population": "syn_p"}');
-- "within": only the buurten of gemeente G1 (A, B), standardised among themselves:
-- a = 1, 2: mean 1.5, sample sd sqrt(0.25 + 0.25) = 0.70710678 -> z = -0.70710678, 0.70710678;
-- b = 10, 30: mean 20, sd sqrt(100 + 100) = 14.1421356 -> z = -0.70710678, 0.70710678; s = z.
SELECT area_code, round(social_score::numeric, 6) AS s
  FROM buurtmonitor.social_score('buurt', 2099, ARRAY['syn_a', 'syn_b'], spec => '{"within": "G1"}');
SELECT * FROM buurtmonitor.social_score('buurt', 2099, ARRAY['syn_a', 'syn_b'], spec => '{"within": "G9"}');
-- without imputation it equals case 4a
SELECT area_code, round(social_score::numeric, 6) AS s
  FROM buurtmonitor.social_score('buurt', 2099, ARRAY['syn_a', 'syn_b']);

-- 6. Errors.
CREATE TABLE ss_empty (code text, a double precision, b double precision);
SELECT * FROM buurtmonitor.social_score('ss_empty', '{"key": "code", "columns": ["a", "b"]}');
CREATE TABLE ss_allnull (code text, a double precision, b double precision);
INSERT INTO ss_allnull VALUES ('A', 1, NULL), ('B', 2, NULL);
SELECT * FROM buurtmonitor.social_score('ss_allnull', '{"key": "code", "columns": ["a", "b"]}');
SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "nope"]}');
SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "nope", "columns": ["a"]}');
CREATE TABLE ss_dup (code text, a double precision);
INSERT INTO ss_dup VALUES ('A', 1), ('B', 2), ('A', 3);
SELECT * FROM buurtmonitor.social_score('ss_dup', '{"key": "code", "columns": ["a"]}');
SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "weights": {"a": -1}}');
SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "weights": {"a": 0, "b": 0}}');
SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "cap": 0.5}');
SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "polarity": {"a": 0}}');
SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "polarity": {"c": 1}}');
SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "min_shar": 1}');
SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "min_share": 1.5}');
SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "code"]}');
SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "impute": "parent"}');
SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": []}');
CREATE TABLE ss_const (code text, a double precision, b double precision);
INSERT INTO ss_const VALUES ('A', 1, 5), ('B', 2, 5);
SELECT * FROM buurtmonitor.social_score('ss_const', '{"key": "code", "columns": ["a", "b"]}');
CREATE TABLE ss_negpop (code text, a double precision, pop integer);
INSERT INTO ss_negpop VALUES ('A', 1, 10), ('B', 2, -5);
SELECT * FROM buurtmonitor.social_score('ss_negpop', '{"key": "code", "columns": ["a"], "population": "pop"}');
SELECT * FROM buurtmonitor.social_score('buurt', 2099, ARRAY['syn_a', 'syn_n']);
SELECT * FROM buurtmonitor.social_score('buurt', 2099, ARRAY['syn_a', 'nope']);
SELECT * FROM buurtmonitor.social_score('buurt', 2099, ARRAY[]::text[]);
-- clean up (the synthetic areas, observations and indicators, and the tables)
DELETE FROM buurtmonitor.observations WHERE vintage = 2099 AND indicator IN ('syn_a', 'syn_b', 'syn_n', 'syn_p');
DELETE FROM buurtmonitor.areas WHERE vintage = 2099 AND code IN ('A', 'B', 'C', 'D', 'E', 'G1', 'G2');
DELETE FROM buurtmonitor.indicators WHERE code IN ('syn_a', 'syn_b', 'syn_n', 'syn_p');
DROP TABLE ss3, ss4, ssm, ss_empty, ss_allnull, ss_dup, ss_const, ss_negpop;
