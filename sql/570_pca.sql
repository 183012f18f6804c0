-- PCA weights: first principal component of the correlation matrix.
-- Synthetic table (the same numbers as test/r/composite_pca.R). Expected values
-- come from R: prcomp(cc, scale. = TRUE) on the 7 complete rows, rotation[, 1]
-- signed so that the loadings sum positive (R printed, to 6 decimals):
--   loading      x 0.550295   y 0.551513   z -0.548478   w 0.303613
--   weight       x 0.281640   y 0.282263   z -0.280709   w 0.155388   (loading / sum |loading|)
--   correlation  x 0.986962   y 0.989147   z -0.983702   w 0.544534   (loading * sdev[1])
--   explained    0.804173 (eigenvalues 3.216694 0.775570 0.007065 0.000671; sum = 4 = k)
\set SHOW_CONTEXT never
CREATE TABLE pca_syn (code text PRIMARY KEY, x numeric, y integer, z double precision, w real);
INSERT INTO pca_syn VALUES
    ('a', 2.0, 30, 9.1, 1.0), ('b', 4.0, 42, 7.7, 3.0), ('c', 3.5, 37, 8.0, 0.5),
    ('d', 8.0, 71, 3.2, 2.5), ('e', 6.5, 60, 4.8, 4.0), ('f', 1.0, 25, 9.9, 2.0),
    ('g', 7.0, 66, 3.9, 1.5), ('h', 5.0, 50, 6.0, NULL);
SELECT indicator, round(loading::numeric, 6) AS loading, round(weight::numeric, 6) AS weight,
       round(correlation::numeric, 6) AS correlation,
       round(explained_variance::numeric, 6) AS explained, n_areas
  FROM buurtmonitor.pca_weights('pca_syn', ARRAY['x', 'y', 'z', 'w']);
-- the loadings form a unit vector and the weights' absolute values sum to 1
SELECT round(sum(loading ^ 2)::numeric, 12) AS sum_sq_loading, round(sum(abs(weight))::numeric, 12) AS sum_abs_weight
  FROM buurtmonitor.pca_weights('pca_syn', ARRAY['x', 'y', 'z', 'w']);
-- hand case: two columns with correlation r have eigenvalues 1 + r and 1 - r,
-- first loading (1/sqrt 2, 1/sqrt 2) = 0.707107 each when r > 0.
-- u = (1, 2, 3), v = (1, 3, 2): r = (-1*-1 + 0*1 + 1*0) / 2 = 0.5 -> explained (1 + 0.5) / 2 = 0.75,
-- correlation with the component = 0.707107 * sqrt(1.5) = 0.866025.
CREATE TABLE pca_two (u integer, v integer);
INSERT INTO pca_two VALUES (1, 1), (2, 3), (3, 2);
SELECT indicator, round(loading::numeric, 6) AS loading, round(correlation::numeric, 6) AS correlation,
       round(explained_variance::numeric, 6) AS explained
  FROM buurtmonitor.pca_weights('pca_two', ARRAY['u', 'v']);
-- sign convention: negatively correlated pair (r = -0.5): loadings sum to 0, so the first is positive
CREATE TABLE pca_neg (u integer, v integer);
INSERT INTO pca_neg VALUES (1, 3), (2, 1), (3, 2);
SELECT indicator, round(loading::numeric, 6) AS loading, round(explained_variance::numeric, 6) AS explained
  FROM buurtmonitor.pca_weights('pca_neg', ARRAY['u', 'v']);
-- PCA weights inside the social score ("weights": "pca"): the weights are |loading| from R
-- (0.550295, 0.551513, 0.548478, 0.303613), so the result equals the social score with those
-- weights written out (to the 6 decimals R printed: differences below 1e-5). z runs against the
-- others, so it gets polarity -1. Area h (w NULL) is scored on x, y, z (min_share 0.5).
SELECT max(abs(a.social_score - b.social_score)) < 1e-5 AS same_as_r_weights,
       count(*) AS areas, count(a.social_score) AS scored
  FROM buurtmonitor.social_score('pca_syn', '{"key": "code", "columns": ["x", "y", "z", "w"],
                                              "polarity": {"z": -1}, "weights": "pca"}') a
  JOIN buurtmonitor.social_score('pca_syn', '{"key": "code", "columns": ["x", "y", "z", "w"], "polarity": {"z": -1},
                                              "weights": {"x": 0.550295, "y": 0.551513, "z": 0.548478, "w": 0.303613}}') b
    USING (area_code);
-- polarity that contradicts the component is refused
SELECT * FROM buurtmonitor.social_score('pca_syn', '{"key": "code", "columns": ["x", "y", "z", "w"], "weights": "pca"}');
SELECT * FROM buurtmonitor.social_score('pca_syn', '{"key": "code", "columns": ["x", "y", "z", "w"], "weights": "equal"}');
-- errors
SELECT * FROM buurtmonitor.pca_weights('pca_syn', ARRAY['x']);
SELECT * FROM buurtmonitor.pca_weights('pca_syn', ARRAY['x', 'nope']);
SELECT * FROM buurtmonitor.pca_weights('pca_syn', ARRAY['x', 'code']);
SELECT * FROM buurtmonitor.pca_weights('pca_syn', ARRAY['x', 'x']);
CREATE TABLE pca_const (u integer, v integer);
INSERT INTO pca_const VALUES (1, 5), (2, 5), (3, 5);
SELECT * FROM buurtmonitor.pca_weights('pca_const', ARRAY['u', 'v']);
CREATE TABLE pca_empty (u integer, v integer);
SELECT * FROM buurtmonitor.pca_weights('pca_empty', ARRAY['u', 'v']);
DROP TABLE pca_syn, pca_two, pca_neg, pca_const, pca_empty;

-- Cancellation (issue 9): the Jacobi solver and the correlation matrix check for interrupts, so a
-- statement_timeout of 200 ms ends a PCA of 300 columns (synthetic: 300 rows of sin(7.3 i + 1.7 j
-- + 0.01 i j); the full solve takes many seconds) long before it would finish (bound 3 s, room for a
-- busy machine; without the checks the cancel came only when the solve was done).
CREATE TEMP TABLE pca_heavy AS
SELECT (SELECT array_agg(r ORDER BY i)
          FROM (SELECT i, (SELECT array_agg(sin(i * 7.3 + j * 1.7 + i * j * 0.01) ORDER BY j)
                             FROM generate_series(1, 300) j) AS r
                  FROM generate_series(1, 300) i) s) AS m,
       (SELECT array_agg('c' || j ORDER BY j) FROM generate_series(1, 300) j) AS names;
SELECT clock_timestamp() AS started \gset
SET statement_timeout = '200ms';
SELECT (buurtmonitor._pca_first(m, names)).n_used FROM pca_heavy;
RESET statement_timeout;
SELECT clock_timestamp() - :'started'::timestamptz < interval '3 s' AS cancelled_promptly;
DROP TABLE pca_heavy;
