# Oracle for buurtmonitor's spatial weights and statistics (issue 12), run with R spdep on the real
# CBS buurten: the 969 buurten 2022 of the province of Utrecht and the 69 buurten 2022 of Deventer.
#   Rscript test/r/spdep_oracle.R <datadir> <outdir>
# Writes CSV files (numbers with 17 significant digits) that test/spdep_oracle.sh compares with
# buurtmonitor. Written with spdep 1.2-7, sf 1.0-9 (Debian bookworm r-cran-spdep, r-cran-sf).
suppressPackageStartupMessages({ library(sf); library(spdep) })
args <- commandArgs(trailingOnly = TRUE)
datadir <- args[1]; outdir <- args[2]
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)
num <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
wcsv <- function(df, f) write.csv(df, file.path(outdir, f), row.names = FALSE, quote = FALSE, na = "")

read_layer <- function(f) {
    l <- st_read(file.path(datadir, f), quiet = TRUE)
    l <- l[order(l$statcode), ]
    row.names(l) <- l$statcode
    l
}
layers <- list(utrecht = read_layer("utrecht/buurt_2022.geojson"),
               deventer = read_layer("deventer/buurt_2022.geojson"))

nb_long <- function(nb, codes) {
    i <- rep(seq_along(nb), card(nb))
    j <- unlist(lapply(nb, function(x) x[x > 0]))
    data.frame(area_code = codes[i], neighbour_code = codes[j])
}

# 1. neighbour sets: poly2nb queen and rook at spdep's default snap and at 1 m; knearneigh k = 6
#    and dnearneigh (0, 2000] on the centroids (written out, so both sides use the same points)
nbs <- list(); pts <- list(); points_out <- NULL; nb_out <- NULL
for (ln in names(layers)) {
    l <- layers[[ln]]; codes <- l$statcode
    cen <- st_coordinates(st_centroid(st_geometry(l)))
    pts[[ln]] <- cen
    points_out <- rbind(points_out, data.frame(layer = ln, area_code = codes, x = num(cen[, 1]), y = num(cen[, 2])))
    snaps <- c(default = sqrt(.Machine$double.eps), one_metre = 1)
    for (sn in names(snaps)) for (queen in c(TRUE, FALSE)) {
        nb <- poly2nb(l, queen = queen, snap = snaps[[sn]])
        m <- paste0(ifelse(queen, "queen", "rook"), "_", sn)
        nbs[[paste(ln, m)]] <- nb
        nb_out <- rbind(nb_out, cbind(layer = ln, method = m, nb_long(nb, codes)))
    }
    nb <- knn2nb(knearneigh(cen, k = 6))
    nbs[[paste(ln, "knn6")]] <- nb
    nb_out <- rbind(nb_out, cbind(layer = ln, method = "knn6", nb_long(nb, codes)))
    nb <- dnearneigh(cen, 0, 2000)
    nbs[[paste(ln, "dist2000")]] <- nb
    nb_out <- rbind(nb_out, cbind(layer = ln, method = "dist2000", nb_long(nb, codes)))
}
wcsv(points_out, "points.csv")
wcsv(nb_out, "neighbours.csv")

# 2. the values: Utrecht mean WOZ value 2022 (x 1000 EUR, no missing values) and the share of
#    households with children (32 missing, dropped: spdep subsets the weights and re-standardises);
#    Deventer a synthetic value, the last four digits of the code (BU01501103 -> 1103)
kwb <- read.csv(file.path(datadir, "utrecht/kwb2022_leefbaarometer2020_ses.csv"))
values <- list(
    utrecht_woz = list(layer = "utrecht", x = kwb$gemiddelde_woningwaarde[match(layers$utrecht$statcode, kwb$buurt_code)]),
    utrecht_children = list(layer = "utrecht", x = kwb$aantal_huishoudens_met_kinderen_percentage[match(layers$utrecht$statcode, kwb$buurt_code)]),
    deventer_code = list(layer = "deventer", x = as.numeric(substr(layers$deventer$statcode, 7, 10))))

# 3. statistics per (values, weights): moran.test under randomisation and normality, localmoran
#    (conditional = TRUE, spdep's default, and FALSE), localG (Gi) and localG with include.self (Gi*)
combos <- list(c("utrecht_woz", "queen_default", "W"), c("utrecht_woz", "queen_default", "B"),
               c("utrecht_woz", "rook_one_metre", "W"), c("utrecht_woz", "knn6", "W"),
               c("utrecht_woz", "dist2000", "W"), c("utrecht_children", "queen_default", "W"),
               c("deventer_code", "queen_default", "W"), c("deventer_code", "rook_default", "B"))
global <- NULL; local <- NULL
for (cb in combos) {
    v <- values[[cb[1]]]; codes <- layers[[v$layer]]$statcode
    nb <- nbs[[paste(v$layer, cb[2])]]; x <- v$x
    keep <- !is.na(x)
    if (!all(keep)) nb <- subset(nb, keep)
    x <- x[keep]; codes <- codes[keep]
    lw <- nb2listw(nb, style = cb[3], zero.policy = TRUE)
    lws <- nb2listw(include.self(nb), style = cb[3], zero.policy = TRUE)
    r <- moran.test(x, lw, randomisation = TRUE, zero.policy = TRUE)
    nrm <- moran.test(x, lw, randomisation = FALSE, zero.policy = TRUE)
    global <- rbind(global, data.frame(values = cb[1], weights = cb[2], style = cb[3], n = length(x),
        i = num(r$estimate[1]), e = num(r$estimate[2]), var_norm = num(nrm$estimate[3]),
        var_rand = num(r$estimate[3]), z_norm = num(nrm$statistic), z_rand = num(r$statistic)))
    lm <- localmoran(x, lw, zero.policy = TRUE)
    lmu <- localmoran(x, lw, zero.policy = TRUE, conditional = FALSE)
    gi <- localG(x, lw, zero.policy = TRUE)
    gis <- localG(x, lws, zero.policy = TRUE)
    local <- rbind(local, data.frame(values = cb[1], weights = cb[2], style = cb[3], area_code = codes,
        ii = num(lm[, 1]), e_cond = num(lm[, 2]), var_cond = num(lm[, 3]),
        e_total = num(lmu[, 2]), var_total = num(lmu[, 3]), gi = num(as.numeric(gi)), gi_star = num(as.numeric(gis))))
}
wcsv(global, "moran_global.csv")
wcsv(local, "moran_local.csv")

# 4. correlations between the Utrecht indicators (pairwise complete): cor.test Pearson and Spearman
#    (exact = FALSE: the t approximation), weighted by inhabitants with cov.wt (Spearman weighted =
#    weighted Pearson of the unweighted ranks; p from t with n - 2 df), per municipality (GMxxxx from
#    the code), and of the changes since a synthetic 2021 (woz * 0.95 + idx %% 7, children + idx %% 5 - 2)
ind <- list(sp_woz = kwb$gemiddelde_woningwaarde, sp_children = kwb$aantal_huishoudens_met_kinderen_percentage,
            sp_household_size = kwb$gemiddelde_huishoudensgrootte)
ind2021 <- list(sp_woz = kwb$gemiddelde_woningwaarde * 0.95 + kwb$X %% 7,
                sp_children = kwb$aantal_huishoudens_met_kinderen_percentage + kwb$X %% 5 - 2,
                sp_household_size = kwb$gemiddelde_huishoudensgrootte)
gm <- paste0("GM", substr(kwb$buurt_code, 3, 6))
w_all <- kwb$aantal_inwoners
tp <- function(r, n) 2 * pt(-abs(r * sqrt((n - 2) / (1 - r^2))), n - 2)
cor_rows <- NULL
for (change in c(FALSE, TRUE)) for (grouped in c(FALSE, TRUE)) for (method in c("pearson", "spearman"))
    for (weighted in c(FALSE, TRUE)) for (a in names(ind)) for (b in names(ind)) {
    if (a == b) next
    if (change && (weighted || grouped)) next
    xa <- if (change) ind[[a]] - ind2021[[a]] else ind[[a]]
    xb <- if (change) ind[[b]] - ind2021[[b]] else ind[[b]]
    groups <- if (grouped) sort(unique(gm)) else "all"
    for (g in groups) {
        sel <- !is.na(xa) & !is.na(xb) & (if (grouped) gm == g else TRUE) & (if (weighted) w_all > 0 else TRUE)
        x <- xa[sel]; y <- xb[sel]; n <- sum(sel)
        if (n < 3 || sd(x) == 0 || sd(y) == 0) next
        if (!weighted) {
            ct <- suppressWarnings(cor.test(x, y, method = method, exact = FALSE))
            r <- unname(ct$estimate); p <- ct$p.value
        } else {
            if (method == "spearman") { x <- rank(x); y <- rank(y) }
            r <- cov.wt(cbind(x, y), wt = w_all[sel] / sum(w_all[sel]), cor = TRUE)$cor[1, 2]
            p <- tp(r, n)
        }
        cor_rows <- rbind(cor_rows, data.frame(group_code = g, indicator_a = a, indicator_b = b, method = method,
            weighted = weighted, change = change, n = n, r = num(r), p = num(p)))
    }
}
wcsv(cor_rows, "correlations.csv")
cat("spdep", format(packageVersion("spdep")), "sf", format(packageVersion("sf")), "\n")
