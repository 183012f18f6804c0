# Independent R oracle for sql/410_development_baarn.sql: recomputes the development() columns
# for Baarn (CBS key figures 2016-2025, $BUURTMONITOR_DATA/multiyear) straight from the CSV and
# prints a SQL VALUES list, pasted into the test as the expected table.
# Run: Rscript test/development_oracle.R [datadir]
args <- commandArgs(trailingOnly = TRUE)
datadir <- if (length(args) > 0) args[1] else Sys.getenv("BUURTMONITOR_DATA", "../shared/data")
d <- read.csv(file.path(datadir, "multiyear", "baarn_gm0308_kwb2016_2025_long.csv"), stringsAsFactors = FALSE)
# indicator metadata as declared in the test: kind, polarity, tolerance
meta <- list(
  huishoudens_laag_inkomen = list(kind = "share", pol = -1, tol = 0.5, scale = 100),
  bijstandsontvangers      = list(kind = "count", pol = -1, tol = 10, scale = 1),
  gem_inkomen_huishoudens  = list(kind = "mean",  pol = 1,  tol = 0, scale = 1))
areas <- c("BU03080000", "BU03080005", "BU03080500")
N <- 5  # trend_periods
num <- function(x) if (is.na(x)) "NULL" else sprintf("%.15g", x)
str <- function(x) if (is.na(x)) "NULL" else sprintf("'%s'", x)
rows <- c()
for (ind in names(meta)) {
  m <- meta[[ind]]
  di <- d[d$indicator == ind, ]
  bu <- di[di$recs == "Buurt", ]
  base <- min(bu$jaar)
  for (a in areas) {
    s <- bu[bu$gwb_code_10 == a, ]
    s <- s[order(s$jaar), ]
    for (i in seq_len(nrow(s))) {
      p <- s$jaar[i]; v <- s$value[i]
      ref <- di$value[di$gwb_code_10 == "GM0308" & di$jaar == p]
      same <- bu$value[bu$jaar == p & !is.na(bu$value)]   # suppressed (empty) values are left out
      z <- if (length(same) >= 2) (v - mean(same)) / sd(same) else NA
      idx <- 100 * v / ref; dif <- v - ref
      ch <- NA; pct <- NA; lab <- NA; gap <- NA
      if (i > 1 && !is.na(v) && !is.na(s$value[i - 1])) {   # no change across a suppressed value
        pv <- s$value[i - 1]; ch <- v - pv
        pct <- if (pv != 0) 100 * ch / abs(pv) else NA
        lab <- if (abs(ch) <= m$tol) "stable" else if (ch * m$pol > 0) "improved" else "worsened"
      }
      if (i > 1) {
        pref <- di$value[di$gwb_code_10 == "GM0308" & di$jaar == s$jaar[i - 1]]
        g <- abs(dif) - abs(s$value[i - 1] - pref)
        if (!is.na(g)) gap <- if (g > m$tol) "widening" else if (g < -m$tol) "narrowing" else "unchanged"
      }
      vb <- s$value[s$jaar == base]
      bch <- if (length(vb)) v - vb else NA
      cagr <- if (length(vb) && !is.na(vb) && !is.na(v) && p > base && vb > 0) 100 * ((v / vb)^(1 / (p - base)) - 1) else NA
      w <- s[max(1, i - N + 1):i, ]
      w <- w[!is.na(w$value), ]
      ols <- NA; ts <- NA
      if (nrow(w) >= 2) {
        ols <- unname(coef(lm(value ~ jaar, data = w))[2])
        pr <- combn(nrow(w), 2)
        ts <- median((w$value[pr[2, ]] - w$value[pr[1, ]]) / (w$jaar[pr[2, ]] - w$jaar[pr[1, ]]))
      }
      rows <- c(rows, sprintf(" ('%s', '%s', %d, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %d, %s, %s)",
        ind, a, p, num(v), num(ref), num(idx), num(dif), num(z), num(ch), num(pct), num(bch), num(cagr),
        num(ols), nrow(w), str(lab), str(gap)))
      # num(ts) printed separately to keep lines short
      rows[length(rows)] <- sub("\\)$", sprintf(", %s)", num(ts)), rows[length(rows)])
    }
  }
}
cat("-- indicator, area, period, value, ref, index, diff, z, change, change_pct, base_change, cagr, ols, trend_n, label, gap, theil_sen\n")
cat(paste(rows, collapse = ",\n"), "\n")
