#!/usr/bin/env bash
# Benchmark (issue 12): spatial weights and local Moran against R spdep on a national-size layer.
#   layer: the 969 Utrecht province buurten + the 69 Deventer buurten 2022, tiled 15 times
#          (3 x 5 grid, offsets 110 km / 53 km, as bench/make_nl_layers.sql): 15,570 buurten;
#          value: the last four digits of the buurt code + 13 * the tile number (synthetic).
#   1. queen contiguity: buurtmonitor.build_weights against spdep::poly2nb (both on the same
#      coordinates; R rebuilds the tiling from the GeoJSON files); neighbour sets must be identical.
#   2. local Moran with 999 conditional permutations: buurtmonitor.local_moran against
#      spdep::localmoran_perm (one core); I_i must agree to 1e-10 and the folded pseudo p-values
#      statistically (|difference| within 5 standard errors of two independent 999-draw estimates,
#      plus 2/1000, for at least 99 % of the areas).
#   3. local Moran with 9,999 permutations (goal: under 10 s).
# Prints times, ratios and the machine. Not a test: run by hand with the cluster up. Timings on a
# crowded machine mean little; record them in docs/performance.md from a quiet one.
#   BM_BENCH_R=0   skip R (times and checks of ours only)
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_bench_spatial
WORK=$(mktemp -d /tmp/bm_bench_spatial.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
R_ON=${BM_BENCH_R:-1}
command -v Rscript >/dev/null 2>&1 || R_ON=0
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
timed() {
    local t0 t1
    t0=$(date +%s.%N); q -c "$1" >/dev/null; t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

echo "== machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(psql -X -At -d postgres -c 'SHOW server_version'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== building the layer"
bm_createdb "$DB"
q -v datadir="$BUURTMONITOR_DATA" <<'SQL'
\set utrecht :datadir/utrecht/buurt_2022.geojson
\set deventer :datadir/deventer/buurt_2022.geojson
CREATE TABLE base AS
SELECT ft->'properties'->>'statcode' AS code, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(ft->'geometry'), 28992)) AS geom
  FROM (VALUES (pg_read_file(:'utrecht')::jsonb), (pg_read_file(:'deventer')::jsonb)) AS d(doc),
       jsonb_array_elements(d.doc->'features') AS ft;
INSERT INTO buurtmonitor.areas (code, vintage, level, geom)
SELECT format('T%s_%s', lpad(k::text, 2, '0'), b.code), 2998, 'buurt',
       ST_Translate(b.geom, (k % 3) * 110000, (k / 3) * 53000)
  FROM base b, generate_series(0, 14) AS k;
INSERT INTO buurtmonitor.indicators (code, label, kind) VALUES ('bench_value', 'synthetic', 'score');
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value)
SELECT code, 2998, 2998, 'bench_value', right(code, 4)::float8 + 13 * substr(code, 2, 2)::int
  FROM buurtmonitor.areas WHERE vintage = 2998;
ANALYZE buurtmonitor.areas; ANALYZE buurtmonitor.observations;
SQL
echo "   $(q -At -c "SELECT count(*) FROM buurtmonitor.areas WHERE vintage = 2998") buurten"

t_w=$(timed "SELECT * FROM buurtmonitor.build_weights('nl_queen', 'buurt', 2998)")
q -c "SELECT weights, n_areas, n_links, n_islands, n_components FROM buurtmonitor.weights_summary('nl_queen')"
t_l=$(timed "CREATE TABLE ours_lisa AS SELECT * FROM buurtmonitor.local_moran('nl_queen', 'bench_value', 2998, permutations => 999, seed => 1, alternative => 'folded')")
t_l9=$(timed "SELECT count(*) FROM buurtmonitor.local_moran('nl_queen', 'bench_value', 2998, permutations => 9999, seed => 1)")
echo "== ours: queen weights ${t_w} s; local Moran 999 permutations ${t_l} s; 9,999 permutations ${t_l9} s"

if [ "$R_ON" = 1 ]; then
    q -c "\\copy (SELECT area_code, neighbour_code FROM buurtmonitor.weight_links WHERE name = 'nl_queen') TO '$WORK/ours_nb.csv' CSV"
    cat > "$WORK/bench.R" <<'RS'
suppressPackageStartupMessages({ library(sf); library(spdep) })
args <- commandArgs(trailingOnly = TRUE); datadir <- args[1]; work <- args[2]
b <- rbind(st_read(file.path(datadir, "utrecht/buurt_2022.geojson"), quiet = TRUE)[, "statcode"],
           st_read(file.path(datadir, "deventer/buurt_2022.geojson"), quiet = TRUE)[, "statcode"])
tiles <- lapply(0:14, function(k) {
    g <- st_geometry(b) + c((k %% 3) * 110000, (k %/% 3) * 53000)
    st_sf(code = sprintf("T%02d_%s", k, b$statcode), geometry = st_set_crs(g, 28992))
})
l <- do.call(rbind, tiles); l <- l[order(l$code), ]
t_nb <- system.time(nb <- poly2nb(l, queen = TRUE))[["elapsed"]]
i <- rep(seq_along(nb), card(nb)); j <- unlist(lapply(nb, function(x) x[x > 0]))
write.csv(data.frame(a = l$code[i], b = l$code[j]), file.path(work, "r_nb.csv"), row.names = FALSE, quote = FALSE)
x <- as.numeric(substr(l$code, 11, 14)) + 13 * as.numeric(substr(l$code, 2, 3))
lw <- nb2listw(nb, style = "W", zero.policy = TRUE)
set.seed(1)
t_lm <- system.time(lm <- localmoran_perm(x, lw, nsim = 999, zero.policy = TRUE))[["elapsed"]]
write.csv(data.frame(code = l$code, ii = sprintf("%.17g", lm[, "Ii"]), p_folded = lm[, "Pr(folded) Sim"]),
          file.path(work, "r_lisa.csv"), row.names = FALSE, quote = FALSE)
cat(sprintf("%.3f %.3f\n", t_nb, t_lm), file = file.path(work, "r_times.txt"))
RS
    echo "== R spdep $(Rscript -e 'cat(format(packageVersion("spdep")))') (poly2nb, localmoran_perm 999, one core)"
    Rscript "$WORK/bench.R" "$BUURTMONITOR_DATA" "$WORK"
    read -r r_nb r_lm < "$WORK/r_times.txt"
    q -c "CREATE TABLE r_nb (a text, b text); CREATE TABLE r_lisa (code text, ii float8, p_folded float8)"
    q -c "\\copy r_nb FROM '$WORK/r_nb.csv' (FORMAT csv, HEADER)"
    q -c "\\copy r_lisa FROM '$WORK/r_lisa.csv' (FORMAT csv, HEADER)"
    q <<'SQL'
SELECT (SELECT count(*) FROM r_nb) AS r_links,
       (SELECT count(*) FROM ((SELECT a, b FROM r_nb) EXCEPT (SELECT area_code, neighbour_code FROM buurtmonitor.weight_links WHERE name = 'nl_queen')) x)
     + (SELECT count(*) FROM ((SELECT area_code, neighbour_code FROM buurtmonitor.weight_links WHERE name = 'nl_queen') EXCEPT (SELECT a, b FROM r_nb)) y)
       AS neighbour_differences;
SELECT count(*) AS areas, max(abs(o.ii - r.ii) / greatest(1, abs(r.ii))) AS max_ii_difference,
       avg((abs(o.p_sim - r.p_folded) <= 5 * sqrt(2 * r.p_folded * (1 - r.p_folded) / 999) + 0.002)::int) AS share_p_within_bound,
       avg(abs(o.p_sim - r.p_folded)) AS mean_abs_p_difference
  FROM ours_lisa o JOIN r_lisa r ON r.code = o.area_code;
SQL
    echo "== queen weights: ours ${t_w} s, spdep::poly2nb ${r_nb} s, ratio $(ratio "$r_nb" "$t_w") (goal >= 5)"
    echo "== LISA 999 permutations: ours ${t_l} s, spdep::localmoran_perm ${r_lm} s, ratio $(ratio "$r_lm" "$t_l") (goal >= 30)"
fi
echo "== LISA 9,999 permutations: ours ${t_l9} s (goal < 10 s)"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"
