# R oracle for the weighted aggregates (buurtmonitor issue 3, docs/aggregates.md).
# Computes, with base R only, the values that sql/130_weighted_quantile.sql and
# test/aggregates_oracle.sh compare buurtmonitor against:
#   weighted mean      stats::weighted.mean(x, w) over rows where x and w are present
#   coverage           sum(w[!is.na(x)]) / sum(w) over rows where w is present
#   weighted quantile  quantile(rep(x, w), q, type = 1): the inverse of the empirical CDF of the
#                      data with every value repeated w times (w are whole numbers here), which is
#                      the lower weighted quantile buurtmonitor documents.
# Usage: Rscript test/aggregates_oracle.R <data dir> [<random data csv>] > oracle.csv
# Output: CSV  case,key,stat,value  with 17 significant digits.  With a second argument it also
# writes a seeded random data set (group,value,weight) there and adds its expected values
# (case "random"): 60 groups of 0-40 rows, values with 2 decimals, whole weights 0-20, some NULLs.
args <- commandArgs(trailingOnly = TRUE)
datadir <- if (length(args) >= 1) args[1] else Sys.getenv("BUURTMONITOR_DATA")

out <- function(case, key, stat, value)
    cat(sprintf("%s,%s,%s,%.17g\n", case, key, stat, value))

wmean <- function(x, w) { ok <- !is.na(x) & !is.na(w); weighted.mean(x[ok], w[ok]) }
cover <- function(x, w) { ok <- !is.na(w); sum(w[ok & !is.na(x)]) / sum(w[ok]) }
wquant <- function(x, w, q) {
    ok <- !is.na(x) & !is.na(w) & w > 0
    stopifnot(all(w[ok] == round(w[ok])))
    unname(quantile(rep(x[ok], w[ok]), q, type = 1))
}

cat("case,key,stat,value\n")

# Utrecht province 2022, by municipality: WOZ value per dwelling weighted by dwellings,
# SES-WOA score weighted by inhabitants (with its coverage), weighted median WOZ.
u <- read.csv(file.path(datadir, "utrecht", "kwb2022_leefbaarometer2020_ses.csv"),
              stringsAsFactors = FALSE, check.names = FALSE)
for (gm in sort(unique(u$gm_naam))) {
    s <- u[u$gm_naam == gm, ]
    out("utrecht", gm, "woz_mean", wmean(s$gemiddelde_woningwaarde, s$woningvoorraad))
    out("utrecht", gm, "woz_median", wquant(s$gemiddelde_woningwaarde, s$woningvoorraad, 0.5))
    out("utrecht", gm, "ses_mean", wmean(s$social_economische_score_gemiddeld, s$aantal_inwoners))
    out("utrecht", gm, "ses_coverage", cover(s$social_economische_score_gemiddeld, s$aantal_inwoners))
}

# Baarn 2022: mean household income (x 1000 EUR) of the 21 buurten weighted by inhabitants.
b <- read.csv(file.path(datadir, "multiyear", "baarn_gm0308_kwb2022.csv"), stringsAsFactors = FALSE)
b <- b[b$recs == "Buurt", ]
out("baarn", "GM0308", "income_mean", wmean(b$gem_inkomen_huishoudens, b$aantal_inwoners))
out("baarn", "GM0308", "income_coverage", cover(b$gem_inkomen_huishoudens, b$aantal_inwoners))
for (q in c(0, 0.1, 0.25, 0.5, 0.75, 0.9, 1))
    out("baarn", "GM0308", sprintf("income_q%g", q), wquant(b$gem_inkomen_huishoudens, b$aantal_inwoners, q))

# Seeded random groups, to exercise ties, zero weights, NULLs and many q at once.
if (length(args) >= 2) {
    set.seed(20261122)
    rows <- list()
    for (g in 1:60) {
        n <- sample(0:40, 1)
        if (n == 0) next
        x <- round(rnorm(n, 50, 20), 2)
        x[sample(n, min(n, 3))] <- round(runif(min(n, 3), 0, 100))   # whole numbers: ties likely
        w <- sample(0:20, n, replace = TRUE)
        x[runif(n) < 0.1] <- NA
        w[runif(n) < 0.05] <- NA
        rows[[length(rows) + 1]] <- data.frame(grp = g, value = x, weight = w)
    }
    d <- do.call(rbind, rows)
    fmt <- function(v) ifelse(is.na(v), "", sprintf("%.17g", v))
    writeLines(c("grp,value,weight", paste(d$grp, fmt(d$value), fmt(d$weight), sep = ",")), args[2])
    for (g in sort(unique(d$grp))) {
        s <- d[d$grp == g, ]
        usable <- !is.na(s$value) & !is.na(s$weight)
        if (any(usable) && sum(s$weight[usable]) > 0)
            out("random", g, "mean", wmean(s$value, s$weight))
        if (any(!is.na(s$weight)) && sum(s$weight, na.rm = TRUE) > 0)
            out("random", g, "coverage", cover(s$value, s$weight))
        if (any(usable & s$weight > 0, na.rm = TRUE))
            for (q in c(0, 0.05, 0.1, 0.25, 0.3, 0.5, 0.7, 0.9, 0.99, 1))
                out("random", g, sprintf("q%g", q), wquant(s$value, s$weight, q))
    }
}
