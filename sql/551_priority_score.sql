-- Priority score: min(cap, 1 - beta * s) where s <= 0, exp(-g * s) where s > 0, with g >= 0
-- solved so that the (weighted) mean is exactly 1. Expected values are hand calculations.
\set SHOW_CONTEXT never
SET extra_float_digits = 0;
-- s = -1, 0, 1 (beta 0.5): p(-1) = 1.5, p(0) = 1, excess 0.5 -> exp(-g) = 1 - 0.5 = 0.5 (g = ln 2).
SELECT array(SELECT round(x::numeric, 12) FROM unnest(buurtmonitor.priority_scores('{-1, 0, 1}')) x) AS p;
-- cap 2: s = -4, -1, 1, 1, 1, 2: p(-4) = min(2, 3) = 2, p(-1) = 1.5, excess 1 + 0.5 = 1.5.
-- With u = exp(-g): 3 (1 - u) + (1 - u^2) = 1.5 -> u^2 + 3u - 2.5 = 0 -> u = (-3 + sqrt(19)) / 2 = 0.679449,
-- p(2) = u^2 = 0.461652; mean (2 + 1.5 + 3 * 0.679449 + 0.461652) / 6 = 1.
SELECT array(SELECT round(x::numeric, 6) FROM unnest(buurtmonitor.priority_scores('{-4, -1, 1, 1, 1, 2}', cap => 2)) x) AS p;
-- weights 1, 3 for s = -1, 1: excess 1 * 0.5 -> 3 (1 - u) = 0.5 -> u = 5/6 = 0.833333; (1.5 + 3 * 5/6) / 4 = 1.
SELECT array(SELECT round(x::numeric, 6) FROM unnest(buurtmonitor.priority_scores('{-1, 1}', '{1, 3}')) x) AS p;
-- beta 1: s = -0.5, 0.25, 0.25 -> p(-0.5) = 1.5, excess 0.5 -> 2 (1 - u) = 0.5 -> p = 0.75.
SELECT array(SELECT round(x::numeric, 6) FROM unnest(buurtmonitor.priority_scores('{-0.5, 0.25, 0.25}', beta => 1)) x) AS p;
-- NULL scores (or NULL weights) give NULL priorities and take no part in the mean
SELECT buurtmonitor.priority_scores('{-1, NULL, 0, 1}') AS p;
-- no cap: 'Infinity'
-- s = -10 then twelve times 1, beta 0.05: p(-10) = 1 + 0.5 = 1.5; 12 (1 - u) = 0.5 -> u = 1 - 1/24 = 0.958333
SELECT array(SELECT round(x::numeric, 6)
               FROM unnest(buurtmonitor.priority_scores('{-10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}',
                                                        beta => 0.05, cap => 'Infinity')) x) AS p_no_cap;
-- Properties on 2,000 scores (a deterministic spread, weights 1..50): the weighted mean is 1 to 1e-12,
-- p is non-increasing in s, p > 1 exactly where s < 0, and no p exceeds the cap.
CREATE TABLE pr_big AS
SELECT i, 1.2 * sin(i * 0.7) + 0.4 * cos(i * 1.3) AS s, 1 + (i % 50) AS w FROM generate_series(1, 2000) i;
WITH p AS (
    SELECT buurtmonitor.priority_scores(array_agg(s ORDER BY i), array_agg(w::double precision ORDER BY i),
                                        0.8, 2.0) AS pa
      FROM pr_big),
u AS (SELECT i, s, w, pa[i] AS p FROM pr_big, p)
SELECT abs(sum(w * p) / sum(w) - 1) < 1e-12 AS mean_is_1,
       bool_and((p > 1) = (s < 0)) AS above_1_iff_deprived,
       max(p) <= 2.0 AS cap_holds,
       (SELECT bool_and(p <= prev_p) FROM (SELECT p, lag(p) OVER (ORDER BY s) AS prev_p FROM u) m
         WHERE prev_p IS NOT NULL) AS non_increasing,
       count(*) FILTER (WHERE p = 2.0) AS n_capped
  FROM u;
-- errors
SELECT buurtmonitor.priority_scores('{-1, 0, 1}', cap => 0.5);
SELECT buurtmonitor.priority_scores('{-1, 0, 1}', cap => 1);
SELECT buurtmonitor.priority_scores('{-1, 0, 1}', beta => 0);
SELECT buurtmonitor.priority_scores('{-1, 0, 1}', '{1, -1, 1}');
SELECT buurtmonitor.priority_scores('{-1, 0, 1}', '{1, 1}');
SELECT buurtmonitor.priority_scores('{NULL, NULL}');
SELECT buurtmonitor.priority_scores('{}');
SELECT buurtmonitor.priority_scores(NULL);
-- infeasible: s = -2, -1, 2 (beta 0.5) -> p = 2, 1.5, excess 1.5, but the one non-deprived area
-- can give at most 1 (p > 0), so no mean-1 priority exists with these parameters
SELECT buurtmonitor.priority_scores('{-2, -1, 2}');
DROP TABLE pr_big;
