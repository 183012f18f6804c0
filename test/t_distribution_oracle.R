# R oracle for test/t_distribution_oracle.sh: the two-sided p-value of Student's t,
# 2 * pt(-|t|, df), on a grid of t and df that includes the extremes (df from 1e-3 to 1e15
# and Inf, fractional df as Welch's test produces, t from 1e-300 to 1e150).
# Writes CSV t,df,p (17 significant digits) to stdout.
ts <- c(0, 1e-300, 1e-10, 1e-3, 0.1, 0.5, 1, 1.5, 1.96, 2.5, 3, 4, 5, 7, 10, 20, 30, 37,
        100, 1e3, 1e6, 1e10, 1e50, 1e150, -2.5, -1e10)
dfs <- c(1e-3, 0.01, 0.1, 0.3, 0.5, 0.9, 1, 1.5, 2, 2.5, 3, 3.7, 5, 7.3, 10, 13.0128373051426,
         30, 100, 999.5, 1e3, 9999, 1e4, 10001, 3e4, 1e5, 4e5, 4.01e5, 1e6, 1e8, 1e10, 1e12,
         1e15, Inf)
g <- expand.grid(t = ts, df = dfs)
g$p <- 2 * pt(-abs(g$t), g$df)
write.csv(data.frame(t = sprintf("%.17g", g$t), df = sprintf("%.17g", g$df),
                     p = sprintf("%.17g", g$p)),
          stdout(), row.names = FALSE, quote = FALSE)
