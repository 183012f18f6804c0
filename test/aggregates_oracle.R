# R oracle for the weighted aggregates (buurtmonitor issue 3, docs/aggregates.md).
# Computes, with base R only, the values that sql/130_weighted_quantile.sql and
# test/aggregates_oracle.sh compare buurtmonitor against:
#   weighted mean      stats::weighted.mean(x, w) over rows where x and w are present
#   coverage           sum(w[!is.na(x)]) / sum(w) over rows where w is present
#   weighted quantile  quantile(rep(x, w), q, type = 1): the inverse of the empirical CDF of the
#                      data with every value repeated w times (w are whole numbers here), which is
#                      the lower weighted quantile buurtmonitor documents.
# Usage: Rscript test/aggregates_oracle.R <data dir> > oracle.csv
# Output: CSV  case,key,stat,value  with 17 significant digits.
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
