# R oracle for the deprivation building blocks (test/deprivation_oracle.sh).
# Writes CSV rows (case, x, n, value) with 17 significant digits:
#   qnorm     : qnorm(p) for 17,300 p over (0, 1): uniform, both tails log-uniform down to 1e-300,
#               and the two switch points of AS241 (|p - 0.5| = 0.425, sqrt(-log p) = 5)
#   normscore : qnorm((r - 0.5) / n) for every rank r of n = 1, 2, 7, 1000
#   exptrans  : -23 * log(1 - R * (1 - exp(-100/23))) for R = 0, 0.001, ..., 1
#   rankavg   : rank(x, ties.method = "average") of a seeded sample with ties (higher = worse,
#               so we rank -x), x given in column n
args <- commandArgs(trailingOnly = TRUE)
set.seed(20191)
p <- c(runif(10000), 10^-runif(4000, 0, 300), 1 - 10^-runif(3000, 1, 15),
       0.075 + (-50:49) * 1e-12, 0.925 + (-50:49) * 1e-12, exp(-25) * (1 + (-50:49) * 1e-9))
p <- p[p > 0 & p < 1]
f <- function(x) sprintf("%.17g", x)
out <- data.frame(case = "qnorm", x = f(p), n = "", value = f(qnorm(p)))
for (n in c(1, 2, 7, 1000)) {
  r <- seq_len(n)
  out <- rbind(out, data.frame(case = "normscore", x = f(r), n = n, value = f(qnorm((r - 0.5) / n))))
}
R <- seq(0, 1, by = 0.001)
out <- rbind(out, data.frame(case = "exptrans", x = f(R), n = "", value = f(-23 * log(1 - R * (1 - exp(-100 / 23))))))
x <- sample(1:300, 1000, replace = TRUE)
out <- rbind(out, data.frame(case = "rankavg", x = seq_along(x), n = x, value = f(rank(-x, ties.method = "average"))))
write.csv(out, args[1], row.names = FALSE, quote = FALSE)
