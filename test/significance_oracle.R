# R oracle for sql/420_significance.sql: run with `Rscript test/significance_oracle.R`;
# its printed values are pasted into the test comments and expected output.
options(digits = 15)
# two-proportion test: 45 of 150 vs 30 of 160 (p1 = 0.3, p2 = 0.1875)
r <- prop.test(c(45, 30), c(150, 160), correct = FALSE)
cat("prop1 X-squared", r$statistic, "p", r$p.value, "z", sqrt(r$statistic), "\n")
# survey share 38% of n = 400 vs 31% of n = 600 (x = 152 and 186)
r <- prop.test(c(152, 186), c(400, 600), correct = FALSE)
cat("prop2 X-squared", r$statistic, "p", r$p.value, "z", sqrt(r$statistic), "\n")
# far tail: 900/1000 vs 500/1000
r <- prop.test(c(900, 500), c(1000, 1000), correct = FALSE)
cat("prop3 X-squared", r$statistic, "p", r$p.value, "z", sqrt(r$statistic), "\n")
# normal two-sided p for z = 1.96, 5, 10, 30 (tails need erfc)
for (z in c(1.96, 5, 10, 30)) cat("norm z", z, "p", 2 * pnorm(-z), "\n")
# t two-sided p: 2 * pt(-|t|, df)
for (a in list(c(2.1, 5), c(2.1, 12.5), c(-3.5, 3), c(0.5, 40.7), c(8, 2), c(40, 10), c(1.0, 1)))
  cat("t", a[1], "df", a[2], "p", 2 * pt(-abs(a[1]), a[2]), "\n")
# Welch t-test from raw samples; t.test gives t, df and p; the same from se and n
x <- c(7.1, 6.8, 8.2, 7.9, 6.5, 7.7, 8.8, 7.3)
y <- c(6.2, 5.9, 7.0, 6.4, 5.1, 6.8, 6.6, 5.5, 6.0, 6.9, 5.8)
tt <- t.test(x, y, var.equal = FALSE)
cat("welch t", tt$statistic, "df", tt$parameter, "p", tt$p.value, "\n")
cat("means", mean(x), mean(y), "se", sd(x) / sqrt(length(x)), sd(y) / sqrt(length(y)), "\n")
# sql/400_development.sql, significance columns (synthetic survey share t_veil):
# Noord 2022 31% of 600 against Testdorp 2022 25% of 2000 (reference test)
r <- prop.test(c(186, 500), c(600, 2000), correct = FALSE)
cat("dev ref X-squared", r$statistic, "p", r$p.value, "z", sqrt(r$statistic), "\n")
# t_tevr mean 7.4 (se 0.12) in 2022 against 7.0 (se 0.16) in 2021: z = 2
cat("dev mean change p", 2 * pnorm(-2), "\n")
# sql/400_development.sql, sample sizes taken from the denominators (Zuid, t_veil):
# 2022 20% of 250 against 2021 30% of 200; and against Testdorp 2022 25% of 2000
r <- prop.test(c(50, 60), c(250, 200), correct = FALSE)
cat("dev zuid change X-squared", r$statistic, "p", r$p.value, "\n")
r <- prop.test(c(50, 500), c(250, 2000), correct = FALSE)
cat("dev zuid ref X-squared", r$statistic, "p", r$p.value, "\n")
# Extremes (issue 9): t two-sided p at tiny, fractional and huge df, 2 * pt(-abs(t), df)
for (a in list(c(3, 1e-3), c(1e10, 1e-3), c(2, 0.5), c(2.5, 2.5), c(1.96, 1e12), c(30, 1e6), c(10, 4.01e5), c(5, 1e15)))
  cat("t extreme", a[1], "df", a[2], "p", sprintf("%.15g", 2 * pt(-abs(a[1]), a[2])), "\n")
# one respondent on each side: 1 of 1 against 0 of 1 (R warns that the approximation may be poor)
r <- suppressWarnings(prop.test(c(1, 0), c(1, 1), correct = FALSE))
cat("prop n1 X-squared", r$statistic, "p", r$p.value, "\n")
