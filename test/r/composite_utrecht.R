# R oracle for the Dutch example (sql/580_utrecht_social_score.sql, docs/social_score.md):
# the social score, priority score, correlations and PCA weights of the 969 buurten of
# the province of Utrecht, computed here independently of buurtmonitor.
# Usage: Rscript test/r/composite_utrecht.R <data dir> [out.csv]
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(file.path(args[1], "utrecht", "kwb2022_leefbaarometer2020_ses.csv"))
# CBS suppression is coded 0 in this file: a mean WOZ value of 0 means the housing figures
# of the buurt are suppressed, and an SES score of exactly 0.00 (157 buurten with housing
# figures) is treated as suppressed too.
sup <- d$gemiddelde_woningwaarde == 0
for (v in c("gemiddelde_woningwaarde", "koopwoning_percentage", "meergezinswoning_percentage",
            "gemiddelde_huishoudensgrootte")) d[[v]][sup] <- NA
d$ses <- ifelse(d$social_economische_score_gemiddeld == 0, NA, d$social_economische_score_gemiddeld)
cols <- c("gemiddelde_woningwaarde", "koopwoning_percentage", "meergezinswoning_percentage",
          "gemiddelde_huishoudensgrootte")
pol <- c(1, 1, -1, 1)
w <- d$aantal_inwoners
# population-weighted z-scores over the buurten with all four values (min_share 1)
ok <- complete.cases(d[, cols]) & !is.na(w)
z <- sapply(seq_along(cols), function(j) {
  x <- d[[cols[j]]][ok]; ww <- w[ok]
  m <- sum(ww * x) / sum(ww); s <- sqrt(sum(ww * (x - m)^2) / sum(ww))
  pol[j] * (x - m) / s
})
raw <- rowMeans(z)
s <- raw - sum(w[ok] * raw) / sum(w[ok])
# priority: min(3, 1 - 0.5 s) for s <= 0, exp(-g s) for s > 0 with g from uniroot
pd <- pmin(3, 1 - 0.5 * s)
excess <- sum((w[ok] * (pd - 1))[s <= 0])
g <- uniroot(function(g) sum((w[ok] * (1 - exp(-g * s)))[s > 0]) - excess, c(0, 100), tol = 1e-15)$root
p <- ifelse(s <= 0, pd, exp(-g * s))
res <- data.frame(code = d$buurt_code[ok], s = s, p = p)
cat(sprintf("scored %d of %d buurten\n", sum(ok), nrow(d)))
cat(sprintf("weighted mean s %.3e, weighted mean p - 1 %.3e\n", sum(w[ok] * s) / sum(w[ok]),
            sum(w[ok] * p) / sum(w[ok]) - 1))
cat(sprintf("gamma %.6f, capped %d, max p %.6f, min p %.6f\n", g, sum(p == 3), max(p), min(p)))
ses <- d$ses[ok]; lbm <- d$leefbarometer_score[ok]
cat(sprintf("cor(s, SES) pearson %.4f n %d\n", cor(s, ses, use = "complete.obs"), sum(!is.na(ses))))
cat(sprintf("cor(s, SES) spearman %.4f\n", cor(s, ses, use = "complete.obs", method = "spearman")))
cat(sprintf("cor(s, Leefbaarometer) pearson %.4f n %d\n", cor(s, lbm, use = "complete.obs"), sum(!is.na(lbm))))
cat(sprintf("cor(s, Leefbaarometer) spearman %.4f\n", cor(s, lbm, use = "complete.obs", method = "spearman")))
# PCA weights on the complete buurten (unweighted, as prcomp)
pc <- prcomp(d[ok, cols], scale. = TRUE)
l <- pc$rotation[, 1]; if (sum(l) < 0) l <- -l
cat(sprintf("pca loading %s %.6f\n", cols, l), sep = "")
cat(sprintf("pca explained %.6f\n", pc$sdev[1]^2 / sum(pc$sdev^2)))
if (length(args) > 1) write.csv(res, args[2], row.names = FALSE)
# Shrinkage (buurtmonitor.shrink_rate) of the owner-occupied share toward the gemeente:
# r = round(koopwoning_percentage * woningvoorraad / 100) of n = woningvoorraad dwellings,
# buurten with housing figures and at least one dwelling; empirical logits, t2 weighted by n.
h <- d[!sup & d$woningvoorraad > 0, ]
h$r <- round(h$koopwoning_percentage * h$woningvoorraad / 100); h$n <- h$woningvoorraad
h$z <- log((h$r + 0.5) / (h$n - h$r + 0.5)); h$s2 <- 1 / (h$r + 0.5) + 1 / (h$n - h$r + 0.5)
R <- tapply(h$r, h$gm_naam, sum); N <- tapply(h$n, h$gm_naam, sum)
zbar <- log((R + 0.5) / (N - R + 0.5))
h$zbar <- zbar[h$gm_naam]
t2 <- tapply(h$n * (h$z - h$zbar)^2, h$gm_naam, sum) / N
h$t2 <- t2[h$gm_naam]
h$w <- ifelse(h$t2 > 0, h$t2 / (h$t2 + h$s2), 0)
h$shrunk <- 1 / (1 + exp(-(h$w * h$z + (1 - h$w) * h$zbar)))
cat(sprintf("shrink: %d buurten, weight from %.6f to %.6f, max |shrunk - rate| %.6f\n", nrow(h),
            min(h$w), max(h$w), max(abs(h$shrunk - h$r / h$n))))
o <- h[order(-abs(h$shrunk - h$r / h$n)), ][1:3, ]
cat(sprintf("shrink moved most: %s %s n %d rate %.6f shrunk %.6f weight %.6f\n", o$buurt_code, o$gm_naam, o$n,
            o$r / o$n, o$shrunk, o$w), sep = "")
if (length(args) > 2) write.csv(data.frame(code = h$buurt_code, shrunk = h$shrunk, w = h$w), args[3], row.names = FALSE)
