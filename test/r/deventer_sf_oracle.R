#!/usr/bin/env Rscript
# R sf oracle for buurtmonitor's crosswalk and interpolation (issue 3).
# Reads the two CBS editions of Deventer's buurten (2018, 2022) with sf and writes
#   test/expected/deventer_overlaps.csv        every 2018 x 2022 pair with a polygonal overlap:
#                                              st_area(st_intersection()) and the source's st_area()
#   test/expected/deventer_interpolate_aw.csv  sf::st_interpolate_aw() of a SYNTHETIC value per 2018
#                                              buurt, extensive = TRUE and extensive = FALSE (with the
#                                              collection fix below, and as shipped)
# The synthetic value is not a statistic: value = the last four digits of the buurt code as a
# number (BU01501103 -> 1103), so every buurt has a different, reproducible value.
# Usage: Rscript test/r/deventer_sf_oracle.R <data dir> <output dir>
suppressPackageStartupMessages(library(sf))
args <- commandArgs(trailingOnly = TRUE)
data_dir <- if (length(args) >= 1) args[1] else Sys.getenv("BUURTMONITOR_DATA", "../shared/data")
out_dir <- if (length(args) >= 2) args[2] else "test/expected"

read_edition <- function(year) {
    x <- st_read(file.path(data_dir, "deventer", sprintf("buurt_%d.geojson", year)), quiet = TRUE)
    x <- x[, "statcode"]
    names(x)[1] <- "code"
    stopifnot(st_crs(x)$epsg == 28992, all(st_is_valid(x)))
    x[order(x$code), ]
}
src <- read_edition(2018)
tgt <- read_edition(2022)

# (a) overlap areas: GEOS intersection per pair, then its area; keep pairs with a polygonal overlap
st_agr(src) <- "constant"; st_agr(tgt) <- "constant"
pairs <- st_intersection(src, tgt)            # columns code (2018), code.1 (2022)
pairs$overlap_area <- as.numeric(st_area(pairs))
pairs <- st_drop_geometry(pairs)
pairs <- pairs[pairs$overlap_area > 0, ]
src_area <- setNames(as.numeric(st_area(src)), src$code)
ov <- data.frame(source_code = pairs$code, target_code = pairs$code.1,
                 overlap_area = pairs$overlap_area, source_area = src_area[pairs$code])
ov <- ov[order(ov$source_code, ov$target_code), ]

# (b) st_interpolate_aw on a synthetic value.
# sf 1.0.9's st_interpolate_aw.sf has a bug on these layers: 11 of the pair intersections are
# GEOMETRYCOLLECTIONs, and `i[gc] = st_collection_extract(i[gc], "POLYGON")` returns 13 polygons
# for them (one per polygon, not one per pair), so R recycles them into the wrong slots (warning
# "number of items to replace is not a multiple of replacement length") and several pairs get the
# area of another pair. We therefore run sf's own function with that one statement replaced by a
# per-pair extraction (each collection becomes one MULTIPOLYGON), and also keep the output of the
# function as shipped, to document the difference (docs/interpolation.md).
aw_fixed <- sf:::st_interpolate_aw.sf
b <- body(aw_fixed)
k <- which(vapply(as.list(b), function(e) identical(deparse(e), 'i[gc] = st_collection_extract(i[gc], "POLYGON")'), TRUE))
stopifnot(length(k) == 1)
b[[k]] <- quote(i[gc] <- st_sfc(lapply(gc, function(j) st_combine(st_collection_extract(i[j], "POLYGON"))[[1]]), crs = st_crs(i)))
body(aw_fixed) <- b
src$value <- as.numeric(substr(src$code, 7, 10))
sv <- src["value"]
st_agr(sv) <- "constant"   # the synthetic value is spread uniformly over each buurt
ext <- aw_fixed(sv, tgt, extensive = TRUE, keep_NA = TRUE)
int <- aw_fixed(sv, tgt, extensive = FALSE, keep_NA = TRUE)
ext_shipped <- suppressWarnings(st_interpolate_aw(sv, tgt, extensive = TRUE, keep_NA = TRUE))
int_shipped <- suppressWarnings(st_interpolate_aw(sv, tgt, extensive = FALSE, keep_NA = TRUE))
aw <- data.frame(target_code = tgt$code, extensive = ext$value, intensive = int$value,
                 extensive_sf_as_shipped = ext_shipped$value, intensive_sf_as_shipped = int_shipped$value)

# Cross-check st_interpolate_aw against its definition computed from the pair table:
# extensive = sum(v * a_st / a_s), intensive = sum(v * a_st) / sum(a_st) over the target's pairs.
v <- setNames(src$value, src$code)
def_ext <- tapply(v[ov$source_code] * ov$overlap_area / ov$source_area, ov$target_code, sum)
def_int <- tapply(v[ov$source_code] * ov$overlap_area, ov$target_code, sum) /
           tapply(ov$overlap_area, ov$target_code, sum)
rel <- function(a, b) max(abs(a - b) / pmax(abs(b), 1e-300))
cat(sprintf("sf %s, GEOS %s: %d pairs with overlap > 0\n", packageVersion("sf"),
            sf_extSoftVersion()[["GEOS"]], nrow(ov)))
cat(sprintf("st_interpolate_aw (fixed) vs definition: extensive max rel diff %.3g, intensive %.3g\n",
            rel(aw$extensive, def_ext[aw$target_code]), rel(aw$intensive, def_int[aw$target_code])))
cat(sprintf("st_interpolate_aw (as shipped) vs definition: extensive max rel diff %.3g, intensive %.3g\n",
            rel(aw$extensive_sf_as_shipped, def_ext[aw$target_code]),
            rel(aw$intensive_sf_as_shipped, def_int[aw$target_code])))

fmt <- function(d) { for (n in names(d)) if (is.numeric(d[[n]])) d[[n]] <- sprintf("%.17g", d[[n]]); d }
write.csv(fmt(ov), file.path(out_dir, "deventer_overlaps.csv"), row.names = FALSE, quote = FALSE)
write.csv(fmt(aw), file.path(out_dir, "deventer_interpolate_aw.csv"), row.names = FALSE, quote = FALSE)
