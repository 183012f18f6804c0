-- Empirical-Bayes shrinkage of small-area rates toward the parent (IoD 2019 Appendix D style).
-- Synthetic counts; the expected values are the hand calculation below (formula in docs/social_score.md).
\set SHOW_CONTEXT never
CREATE TABLE shr (code text, la text, num integer, den integer);
INSERT INTO shr VALUES ('x', 'L', 5, 100), ('y', 'L', 20, 100), ('z', 'M', 3, 10),
                       ('q', 'M', 0, 0), ('u', 'M', NULL, 40);
-- Parent L (areas x, y):
--   z_x = ln((5 + 0.5) / (100 - 5 + 0.5)) = ln(5.5 / 95.5) = -2.854378,  s2_x = 1/5.5 + 1/95.5 = 0.192289
--   z_y = ln(20.5 / 80.5) = -1.367832,                                  s2_y = 1/20.5 + 1/80.5 = 0.061203
--   parent logit from the summed counts 25 / 200: zbar = ln(25.5 / 175.5) = -1.928961
--   t2 = (100 * (z_x - zbar)^2 + 100 * (z_y - zbar)^2) / 200
--      = (0.925418^2 + 0.561128^2) / 2 = (0.856398 + 0.314865) / 2 = 0.585631
--   w_x = t2 / (t2 + s2_x) = 0.585631 / 0.777920 = 0.752816
--   w_y = 0.585631 / 0.646834 = 0.905381
--   z*_x = 0.752816 * -2.854378 + 0.247184 * -1.928961 = -2.625630 -> 1 / (1 + exp(2.625630)) = 0.067507
--   z*_y = 0.905381 * -1.367832 + 0.094619 * -1.928961 = -1.420926 -> 0.194516
--   (x's 5 % moves up toward the parent's 12.5 %, y's 20 % moves down; the small-variance y moves less)
-- Parent M: z (3 of 10) is its only area with counts, so t2 = 0 and w = 0: the shrunk rate is the
--   parent's own logit back-transformed, (3 + 0.5) / (10 + 1) = 0.318182 (empirical logits throughout).
--   q (denominator 0) and u (numerator NULL) have no rate: rate, shrunk rate and weight are NULL
--   (no silent imputation) and they take no part in the parent's figures.
SELECT area_code, parent_code, rate, round(shrunk_rate::numeric, 6) AS shrunk_rate,
       round(weight::numeric, 6) AS weight, parent_rate, round(between_variance::numeric, 6) AS t2
  FROM buurtmonitor.shrink_rate('shr', 'code', 'la', 'num', 'den');
-- the shrunk rate lies between the area's rate and the parent's rate (L areas)
SELECT count(*) AS between_count
  FROM buurtmonitor.shrink_rate('shr', 'code', 'la', 'num', 'den')
 WHERE parent_code = 'L' AND shrunk_rate BETWEEN least(rate, parent_rate) AND greatest(rate, parent_rate);
-- variance_method: parent Q with p1 = 2 of 10 and p2 = 30 of 100 (unequal denominators).
--   z_1 = ln(2.5 / 8.5) = -1.223775, s2_1 = 1/2.5 + 1/8.5 = 0.517647
--   z_2 = ln(30.5 / 70.5) = -0.837886, s2_2 = 1/30.5 + 1/70.5 = 0.046971
--   zbar = ln(32.5 / 78.5) = -0.881859; deviations -0.341917, 0.043973
--   weighted:   t2 = (10 * 0.341917^2 + 100 * 0.043973^2) / 110 = (1.169070 + 0.193358) / 110 = 0.012386
--               w = 0.012386 / (0.012386 + 0.517647) = 0.023368, 0.012386 / 0.059357 = 0.208665
--               shrunk 0.291141, 0.294696
--   unweighted: t2 = (0.341917^2 + 0.043973^2) / 2 = (0.116907 + 0.001934) / 2 = 0.059420
--               w = 0.059420 / 0.577068 = 0.102970, 0.059420 / 0.106392 = 0.558506
--               shrunk 0.285556, 0.297904
CREATE TABLE shr_q (code text, la text, num integer, den integer);
INSERT INTO shr_q VALUES ('p1', 'Q', 2, 10), ('p2', 'Q', 30, 100);
SELECT b.v AS variance_method, s.area_code, round(s.between_variance::numeric, 6) AS t2,
       round(s.weight::numeric, 6) AS weight, round(s.shrunk_rate::numeric, 6) AS shrunk_rate
  FROM unnest(ARRAY['weighted', 'unweighted']) AS b(v),
       LATERAL buurtmonitor.shrink_rate('shr_q', 'code', 'la', 'num', 'den', b.v) s
 ORDER BY 1 DESC, 2;
SELECT * FROM buurtmonitor.shrink_rate('shr_q', 'code', 'la', 'num', 'den', 'pooled');
-- errors
SELECT * FROM buurtmonitor.shrink_rate('shr', 'code', 'la', 'nope', 'den');
SELECT * FROM buurtmonitor.shrink_rate('shr', 'code', 'la', 'la', 'den');
CREATE TABLE shr_bad (code text, la text, num integer, den integer);
INSERT INTO shr_bad VALUES ('x', 'L', 5, 3);
SELECT * FROM buurtmonitor.shrink_rate('shr_bad', 'code', 'la', 'num', 'den');
CREATE TABLE shr_dup (code text, la text, num integer, den integer);
INSERT INTO shr_dup VALUES ('x', 'L', 1, 3), ('x', 'L', 2, 3);
SELECT * FROM buurtmonitor.shrink_rate('shr_dup', 'code', 'la', 'num', 'den');
CREATE TABLE shr_nopar (code text, la text, num integer, den integer);
INSERT INTO shr_nopar VALUES ('x', 'L', 1, 3), ('y', NULL, 2, 3);
SELECT * FROM buurtmonitor.shrink_rate('shr_nopar', 'code', 'la', 'num', 'den');
CREATE TABLE shr_empty (code text, la text, num integer, den integer);
SELECT * FROM buurtmonitor.shrink_rate('shr_empty', 'code', 'la', 'num', 'den');
DROP TABLE shr, shr_q, shr_bad, shr_dup, shr_nopar, shr_empty;
