-- Significance tests (issue 4): proportion_test, mean_test, welch_df, significance_label.
-- Oracle: R 4.x, script test/significance_oracle.R (run `Rscript test/significance_oracle.R`);
-- the R calls and their printed results are pasted next to each check.
-- Tolerance: relative error below 1e-9 (p-values down to 1e-198 are checked relative, not absolute).

-- Textbook example (hand): 45 of 150 (p1 = 0.3) against 30 of 160 (p2 = 0.1875).
-- pooled p = 75/310 = 0.241935..; var = 0.241935 * 0.758065 * (1/150 + 1/160) = 0.0023685..
-- z = 0.1125 / sqrt(0.0023685) = 2.3114.
-- R: prop.test(c(45, 30), c(150, 160), correct = FALSE)
--    X-squared 5.34255319148936  p 0.0208109711310331  (z = sqrt(X-squared) = 2.31139637264779)
SELECT round(z::numeric, 4) AS z, round(p_value::numeric, 4) AS p,
       abs(z / 2.31139637264779 - 1) < 1e-9 AS z_ok,
       abs(z * z / 5.34255319148936 - 1) < 1e-9 AS x_squared_ok,
       abs(p_value / 0.0208109711310331 - 1) < 1e-9 AS p_ok
  FROM buurtmonitor.proportion_test(0.3, 150, 0.1875, 160);

-- Survey share 38% of 400 against 31% of 600.
-- R: prop.test(c(152, 186), c(400, 600), correct = FALSE)
--    X-squared 5.25572498614562  p 0.021874686466279  z 2.29253680148119
SELECT abs(z / 2.29253680148119 - 1) < 1e-9 AS z_ok,
       abs(p_value / 0.021874686466279 - 1) < 1e-9 AS p_ok
  FROM buurtmonitor.proportion_test(0.38, 400, 0.31, 600);
-- the sign follows p1 - p2
SELECT round(z::numeric, 4) AS z FROM buurtmonitor.proportion_test(0.31, 600, 0.38, 400);

-- Far tail (erfc keeps precision): 900/1000 against 500/1000.
-- R: prop.test(c(900, 500), c(1000, 1000), correct = FALSE)
--    X-squared 380.952380952381  p 7.71993459429563e-85  z 19.5180014589707
SELECT abs(z / 19.5180014589707 - 1) < 1e-9 AS z_ok,
       abs(p_value / 7.71993459429563e-85 - 1) < 1e-9 AS p_ok
  FROM buurtmonitor.proportion_test(0.9, 1000, 0.5, 1000);

-- Undefined statistic (both 0%): R gives NaN; we return NULLs.
SELECT z IS NULL AS z_null, p_value IS NULL AS p_null FROM buurtmonitor.proportion_test(0, 50, 0, 80);

-- z-test for means (df NULL): statistic = (m1 - m2) / sqrt(se1^2 + se2^2).
-- Hand: (7.4 - 7.0) / sqrt(0.12^2 + 0.16^2) = 0.4 / 0.2 = 2.0; R: 2 * pnorm(-2) = 0.0455002638963584
SELECT round(statistic::numeric, 12) AS statistic, abs(p_value / 0.0455002638963584 - 1) < 1e-9 AS p_ok
  FROM buurtmonitor.mean_test(7.4, 0.12, 7.0, 0.16);
-- Normal tails, R 2 * pnorm(-z): z 1.96 -> 0.0499957902964409, 5 -> 5.73303143758388e-07,
-- 10 -> 1.52397060483211e-23, 30 -> 9.81342785429637e-198 (statistic = z / sqrt(0.6^2 + 0.8^2) = z)
SELECT z, abs(t.p_value / r - 1) < 1e-9 AS p_ok
  FROM (VALUES (1.96, 0.0499957902964409), (5, 5.73303143758388e-07),
               (10, 1.52397060483211e-23), (30, 9.81342785429637e-198)) AS v(z, r),
       LATERAL buurtmonitor.mean_test(z, 0.6, 0, 0.8) AS t;

-- Student t tail through the incomplete beta function, against R 2 * pt(-abs(t), df):
-- t 2.1 df 5 -> 0.0897532498845987; t 2.1 df 12.5 -> 0.0566433072032142; t -3.5 df 3 -> 0.0394810376192828
-- t 0.5 df 40.7 -> 0.619767802807866; t 8 df 2 -> 0.0152680721653381; t 40 df 10 -> 2.28085774308575e-12
-- t 1 df 1 -> 0.5 (Cauchy: hand, P(|T| >= 1) = 1/2)
SELECT t, df, abs(m.p_value / r - 1) < 1e-9 AS p_ok
  FROM (VALUES (2.1, 5, 0.0897532498845987), (2.1, 12.5, 0.0566433072032142),
               (-3.5, 3, 0.0394810376192828), (0.5, 40.7, 0.619767802807866),
               (8, 2, 0.0152680721653381), (40, 10, 2.28085774308575e-12), (1, 1, 0.5)) AS v(t, df, r),
       LATERAL buurtmonitor.mean_test(t, 0.6, 0, 0.8, df) AS m;

-- Welch's t-test from summary statistics. R:
--   x <- c(7.1, 6.8, 8.2, 7.9, 6.5, 7.7, 8.8, 7.3); y <- c(6.2, 5.9, 7.0, 6.4, 5.1, 6.8, 6.6, 5.5, 6.0, 6.9, 5.8)
--   t.test(x, y, var.equal = FALSE): t 4.10941257484226  df 13.0128373051426  p 0.00122880683903698
--   means 7.5375 6.2; se = sd/sqrt(n): 0.269216787313549 0.182905837672135
SELECT abs(buurtmonitor.welch_df(0.269216787313549, 8, 0.182905837672135, 11) / 13.0128373051426 - 1) < 1e-9 AS df_ok;
SELECT abs(statistic / 4.10941257484226 - 1) < 1e-9 AS t_ok,
       abs(p_value / 0.00122880683903698 - 1) < 1e-9 AS p_ok
  FROM buurtmonitor.mean_test(7.5375, 0.269216787313549, 6.2, 0.182905837672135,
                              buurtmonitor.welch_df(0.269216787313549, 8, 0.182905837672135, 11));

-- Extremes (issue 9).  Student t at tiny, fractional and huge df, against R 2 * pt(-abs(t), df)
-- (test/significance_oracle.R; the full grid of 858 points is test/t_distribution_oracle.sh):
-- t 3 df 0.001 -> 0.994768478358268; t 1e10 df 0.001 -> 0.973193385431235; t 2 df 0.5 -> 0.445514890183131
-- t 2.5 df 2.5 -> 0.104569963078155; t 1.96 df 1e12 -> 0.0499957902967182 (almost the normal 0.0499957902964409)
-- t 30 df 1e6 -> 1.20200942336633e-197; t 10 df 401000 -> 1.53369007001249e-23; t 5 df 1e15 -> 5.73303143758483e-07
-- The old code lost digits as df grew (x = df/(df + t^2) rounds towards 1): 1e-10 relative at df 1e5,
-- 1e-8 at 1e8, 2e-4 at 1e12 and a factor 20 at 1e15, so the rows at df 1e12 and 1e15 fail on it.
SELECT t, df, abs(m.p_value / r - 1) < 1e-9 AS p_ok
  FROM (VALUES (3, 0.001, 0.994768478358268), (1e10, 0.001, 0.973193385431235),
               (2, 0.5, 0.445514890183131), (2.5, 2.5, 0.104569963078155),
               (1.96, 1e12, 0.0499957902967182), (30, 1e6, 1.20200942336633e-197),
               (10, 401000, 1.53369007001249e-23), (5, 1e15, 5.73303143758483e-07)) AS v(t, df, r),
       LATERAL buurtmonitor.mean_test(t, 0.6, 0, 0.8, df) AS m;
-- df = Infinity is the normal distribution (R 2 * pnorm(-1.96) = 0.0499957902964409, above).
SELECT abs(p_value / 0.0499957902964409 - 1) < 1e-12 AS p_ok
  FROM buurtmonitor.mean_test(1.96, 0.6, 0, 0.8, 'Infinity');

-- Standard errors whose squares under- or overflow, differences beyond 1.8e308 (hand):
-- 1 / sqrt(2 * 1e-340) = 7.0710678118654752e169, p 0 (old: Infinity);
-- 0 / anything = 0, p 1 (old: 0/0 = NaN);  2e308 / sqrt(2) = 1.4142135623730950e308 (old: Infinity);
-- 1 / (sqrt(2) * 1e200) = 7.0710678118654752e-201, p 1 (old: 0, se^2 overflowed).
SELECT abs(statistic / 7.0710678118654752e169 - 1) < 1e-15 AS stat_ok, p_value
  FROM buurtmonitor.mean_test(1, 1e-170, 0, 1e-170);
SELECT statistic, p_value FROM buurtmonitor.mean_test(0, 1e-170, 0, 1e-170);
SELECT abs(statistic / 1.4142135623730950e308 - 1) < 1e-15 AS stat_ok, p_value
  FROM buurtmonitor.mean_test(1e308, 1, -1e308, 1);
SELECT abs(statistic / 7.0710678118654752e-201 - 1) < 1e-15 AS stat_ok, p_value
  FROM buurtmonitor.mean_test(1, 1e200, 0, 1e200);
-- welch_df is scale-free; equal se and n give 2 (n - 1) = 18 also for se = 1e-200 and 1e200
-- (old: NaN, the fourth powers under- or overflowed).  se 1 and 2, n 10 and 20 (hand):
-- (1 + 4)^2 / (1/9 + 16/19) = 25 * 171 / 163 = 26.226993865030675, the same at 1e-200 and 2e-200.
SELECT buurtmonitor.welch_df(1e-200, 10, 1e-200, 10) AS tiny, buurtmonitor.welch_df(1e200, 10, 1e200, 10) AS huge,
       abs(buurtmonitor.welch_df(1e-200, 10, 2e-200, 20) / (25.0 * 171 / 163) - 1) < 1e-14 AS scaled_ok,
       abs(buurtmonitor.welch_df(1, 10, 2, 20) / (25.0 * 171 / 163) - 1) < 1e-14 AS plain_ok;

-- proportion_test at the edges.  n = 1 on each side, 1 of 1 against 0 of 1: pbar 1/2,
-- var 1/4 * 2 = 1/2, z = 1 / sqrt(1/2) = sqrt(2); R prop.test(c(1, 0), c(1, 1), correct = FALSE):
-- X-squared 2, p 0.157299207050284.
SELECT abs(z / sqrt(2) - 1) < 1e-15 AS z_ok, abs(p_value / 0.157299207050284 - 1) < 1e-9 AS p_ok
  FROM buurtmonitor.proportion_test(1, 1, 0, 1);
-- p = 0 against p = 1 with n 10 each: pbar 1/2, z = -1 / sqrt(1/4 * 2/10) = -sqrt(20) = -4.47213595499958.
SELECT abs(z / -sqrt(20) - 1) < 1e-15 AS z_ok FROM buurtmonitor.proportion_test(0, 10, 1, 10);
-- Huge n: 60% against 40% of 1e308 each (n1 + n2 overflows, the variance 5e-309 underflows; old: NULL).
-- pbar 1/2, z = 0.2 / sqrt(1/4 * 2e-308) = 2 sqrt(2) 1e153 = 2.8284271247461903e153, p 0.
SELECT abs(z / 2.8284271247461903e153 - 1) < 1e-14 AS z_ok, p_value
  FROM buurtmonitor.proportion_test(0.6, 1e308, 0.4, 1e308);
-- one huge and one small sample: pbar = 0.6 (to 1e-308), z = 0.2 / sqrt(0.24 * (1 + 1e-308)) = 0.408248290463863
SELECT abs(z / (0.2 / sqrt(0.24)) - 1) < 1e-15 AS z_ok FROM buurtmonitor.proportion_test(0.6, 1e308, 0.4, 1);

-- significance_label(difference, p_value, polarity, alpha)
SELECT buurtmonitor.significance_label(0.07, 0.0219, -1) AS higher_is_worse,   -- worse
       buurtmonitor.significance_label(0.07, 0.0219, 1) AS higher_is_better,   -- better
       buurtmonitor.significance_label(-0.07, 0.0219, 1) AS lower_is_worse,    -- worse
       buurtmonitor.significance_label(0.07, 0.0219, 0) AS neutral,            -- different
       buurtmonitor.significance_label(0.07, 0.0219, 1, 0.01) AS strict_alpha; -- not significant

-- Bad input
SELECT * FROM buurtmonitor.proportion_test(38, 400, 0.31, 600);
SELECT * FROM buurtmonitor.proportion_test(0.38, 0, 0.31, 600);
SELECT * FROM buurtmonitor.mean_test(7.4, 0, 7.0, 0.16);
SELECT * FROM buurtmonitor.mean_test(7.4, 0.12, 7.0, 0.16, -3);
SELECT buurtmonitor.welch_df(0.2, 1, 0.3, 10);
SELECT buurtmonitor.significance_label(0.07, 0.02, 2);
SELECT buurtmonitor.significance_label(0.07, 0.02, 1, 1.5);
SELECT buurtmonitor.significance_label(0.07, 1.02, 1);
