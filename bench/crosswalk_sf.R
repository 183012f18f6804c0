#!/usr/bin/env Rscript
# Peer (b) of bench/crosswalk.sh: R sf::st_interpolate_aw on the benchmark layers.
# Usage: Rscript bench/crosswalk_sf.R <source.gpkg> <target.gpkg> <out.csv> [shipped|fixed]
# Reads both layers (not timed), gives each source a SYNTHETIC value (the last four digits of its
# code, as test/r/deventer_sf_oracle.R) and times st_interpolate_aw(extensive = TRUE).
#   shipped: sf's function as installed
#   fixed:   the same function with its GEOMETRYCOLLECTION statement done per pair (the sf 1.0.9 bug
#            described in test/r/deventer_sf_oracle.R; without it some targets get wrong areas)
# Prints "R_SECONDS <elapsed>" and writes target_code,value for the comparison with our code.
suppressPackageStartupMessages(library(sf))
args <- commandArgs(trailingOnly = TRUE)
variant <- if (length(args) >= 4) args[4] else "fixed"

src <- st_read(args[1], quiet = TRUE)
tgt <- st_read(args[2], quiet = TRUE)
src <- src[, "code"]
src$value <- as.numeric(substr(src$code, nchar(src$code) - 3, nchar(src$code)))
sv <- src[, "value"]
st_agr(sv) <- "constant"

aw <- sf:::st_interpolate_aw.sf
if (variant == "fixed") {
    b <- body(aw)
    k <- which(vapply(as.list(b), function(e) identical(deparse(e), 'i[gc] = st_collection_extract(i[gc], "POLYGON")'), TRUE))
    stopifnot(length(k) == 1)
    b[[k]] <- quote(i[gc] <- st_sfc(lapply(gc, function(j) st_combine(st_collection_extract(i[j], "POLYGON"))[[1]]), crs = st_crs(i)))
    body(aw) <- b
}

t0 <- proc.time()[["elapsed"]]
res <- suppressWarnings(aw(sv, tgt, extensive = TRUE, keep_NA = TRUE))
elapsed <- proc.time()[["elapsed"]] - t0
cat(sprintf("R_SECONDS %.3f\n", elapsed))
cat(sprintf("R: sf %s, GEOS %s, %d sources, %d targets, variant %s\n", packageVersion("sf"),
            sf_extSoftVersion()[["GEOS"]], nrow(src), nrow(tgt), variant))
out <- data.frame(target_code = tgt$code, value = sprintf("%.17g", res$value))
write.csv(out, args[3], row.names = FALSE, quote = FALSE)
