-- Correlation matrices on a hand-made (synthetic) set of six buurten in two gemeenten; the
-- real-data check against R cor.test and cov.wt is test/spdep_oracle.sh (628 pairs, Utrecht).
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET extra_float_digits = 0;
INSERT INTO buurtmonitor.areas (code, vintage, level, parent_code) VALUES
    ('CG1', 2997, 'gemeente', NULL), ('CG2', 2997, 'gemeente', NULL),
    ('CB1', 2997, 'buurt', 'CG1'), ('CB2', 2997, 'buurt', 'CG1'), ('CB3', 2997, 'buurt', 'CG1'),
    ('CB4', 2997, 'buurt', 'CG2'), ('CB5', 2997, 'buurt', 'CG2'), ('CB6', 2997, 'buurt', 'CG2');
INSERT INTO buurtmonitor.indicators (code, label, kind) VALUES
    ('cor_x', 'synthetic x', 'score'), ('cor_y', 'synthetic y', 'score'), ('cor_w', 'synthetic weight', 'count');
-- x = 1..6, y = 2 1 4 3 6 5, weight 1 1 1 1 1 5 (period 2997); period 2996: x and y lower by
-- 0 1 0 1 0 1 and 0 2 0 2 0 2, so the changes are proportional (r = 1)
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value)
SELECT 'CB' || k, 2997, p, i,
       CASE i WHEN 'cor_x' THEN k - CASE WHEN p = 2996 THEN (k + 1) % 2 ELSE 0 END
              WHEN 'cor_y' THEN (ARRAY[2, 1, 4, 3, 6, 5])[k] - CASE WHEN p = 2996 THEN 2 * ((k + 1) % 2) ELSE 0 END
              ELSE CASE WHEN k = 6 THEN 5 ELSE 1 END END
  FROM generate_series(1, 6) k, unnest(ARRAY['cor_x', 'cor_y', 'cor_w']) i, unnest(ARRAY[2996, 2997]) p;

-- Pearson over all six: deviations from 3.5 are dx = -2.5 -1.5 -0.5 0.5 1.5 2.5 and
--   dy = -1.5 -2.5 0.5 -0.5 2.5 1.5; sum dx dy = 14.5, sum dx^2 = sum dy^2 = 17.5, r = 0.828571;
--   t = r sqrt(4 / (1 - r^2)) = 2.959809 with 4 df: p = 0.041563 (R: cor.test(1:6, c(2,1,4,3,6,5))).
-- Spearman: the values are their own ranks, so the same r and p (R: method = "spearman", exact = FALSE).
SELECT group_code, indicator_a, indicator_b, measure, n, round(r::numeric, 6) AS r, round(p::numeric, 6) AS p
  FROM buurtmonitor.correlations(ARRAY['cor_x', 'cor_y'], 'buurt', 2997, 2997);
SELECT measure, n, round(r::numeric, 6) AS r, round(p::numeric, 6) AS p
  FROM buurtmonitor.correlations(ARRAY['cor_x', 'cor_y'], 'buurt', 2997, 2997, 'spearman')
 WHERE indicator_a = 'cor_x' AND indicator_b = 'cor_y';
-- Weighted by cor_w: weighted means 45/10 = 4.5 and 41/10 = 4.1; sum w dx dy = 23.5,
--   sum w dx^2 = 32.5, sum w dy^2 = 22.9: r = 23.5 / sqrt(32.5 * 22.9) = 0.861407
--   (R: cov.wt(cbind(x, y), wt = w / sum(w), cor = TRUE)); p from t with n - 2 = 4 df.
SELECT n, round(r::numeric, 6) AS r
  FROM buurtmonitor.correlations(ARRAY['cor_x', 'cor_y'], 'buurt', 2997, 2997, weight_indicator => 'cor_w')
 WHERE indicator_a = 'cor_x' AND indicator_b = 'cor_y';
-- Per gemeente: CG1 x = 1 2 3, y = 2 1 4: dx = -1 0 1, dy = -1/3 -4/3 5/3, sum dx dy = 2,
--   sum dx^2 = 2, sum dy^2 = 42/9, r = 2 / sqrt(2 * 42/9) = 0.654654, p = 0.545629 (R:
--   cor.test(1:3, c(2,1,4))); CG2 x = 4 5 6, y = 3 6 5: dy = -5/3 4/3 1/3, again sum dx dy = 2 and
--   sum dy^2 = 42/9, so the same r and p
SELECT group_code, n, round(r::numeric, 6) AS r, round(p::numeric, 6) AS p
  FROM buurtmonitor.correlations(ARRAY['cor_x', 'cor_y'], 'buurt', 2997, 2997, group_level => 'gemeente')
 WHERE indicator_a = 'cor_x' AND indicator_b = 'cor_y' ORDER BY 1;
-- Changes since 2996: dx = 0 1 0 1 0 1, dy = 2 dx: r = 1, p = 0
SELECT n, r, p FROM buurtmonitor.correlations(ARRAY['cor_x', 'cor_y'], 'buurt', 2997, 2997, change_from => 2996)
 WHERE indicator_a = 'cor_x' AND indicator_b = 'cor_y';
-- Bad input
SELECT * FROM buurtmonitor.correlations(ARRAY['cor_x', 'cor_y'], 'buurt', 2997, 2997, 'kendall');
SELECT * FROM buurtmonitor.correlations(ARRAY['cor_x'], 'buurt', 2997, 2997);
SELECT * FROM buurtmonitor.correlations(ARRAY['cor_x', 'no_such'], 'buurt', 2997, 2997);
SELECT * FROM buurtmonitor.correlations(ARRAY['cor_x', 'cor_y'], 'buurt', 2997, 2997, group_level => 'county');
