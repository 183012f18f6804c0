#!/usr/bin/env bash
# Benchmark (issue 3): buurtmonitor.crosswalk against
#   (a) the usual PostGIS idiom: ST_Area(ST_Intersection(s.geom, t.geom)) / ST_Area(s.geom) over an
#       ST_Intersects join with GiST indexes, and
#   (b) R sf::st_interpolate_aw,
# crosswalk uses parallel workers as configured (max_parallel_workers_per_gather, 2 in scripts/common.sh),
# as the idiom's plan does; it is also timed without workers, against the idiom without workers.
# on an NL-scale case (bench/make_nl_layers.sql: ~15,500 buurten from the real Utrecht and Deventer
# shapes, a second edition with re-generalised boundaries, splits and merges), once on the generalised
# shapes and once densified to a vertex every 5 m. All three run on the same layers in this one run;
# the script checks that the results are identical (same pairs with area > 0, areas to 1e-6 relative;
# st_interpolate_aw and interpolate_extensive to 1e-9 relative) and prints times, ratios and the machine.
# Not a test: run it by hand with the cluster up (PGPORT etc. as in scripts/common.sh).
#   BM_BENCH_R=0        skip R entirely          BM_BENCH_R_DENSE=0  skip R on the densified case
#   BM_BENCH_REUSE=1    reuse the layers of an earlier run (skips the ~40 s build)
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_bench_crosswalk
WORK=$(mktemp -d /tmp/bm_bench_crosswalk.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
R_ON=${BM_BENCH_R:-1}
R_DENSE=${BM_BENCH_R_DENSE:-1}
command -v Rscript >/dev/null 2>&1 || R_ON=0
q() { PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# seconds taken by one SQL statement in its own session
timed() {
    local t0 t1
    t0=$(date +%s.%N)
    q -c "$1" >/dev/null
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

echo "== machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(psql -X -At -d postgres -c 'SHOW server_version'), PostGIS $(psql -X -At -d postgres -c "SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'")"
echo "   max_parallel_workers_per_gather = $(psql -X -At -d postgres -c 'SHOW max_parallel_workers_per_gather'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${BM_BENCH_REUSE:-0}" != 1 ] || ! q -c "SELECT 1 FROM tgt_dense LIMIT 1" >/dev/null 2>&1; then
    echo "== building the layers (bench/make_nl_layers.sql)"
    bm_createdb "$DB"
    q -v datadir="$BUURTMONITOR_DATA" -f "$BM_ROOT/bench/make_nl_layers.sql"
fi

summary="$WORK/summary.txt"
for case in gen dense; do
    src=src_$case; tgt=tgt_$case
    echo "== case $case: $src -> $tgt"
    q -c "DROP TABLE IF EXISTS ours_$case, ours_default_$case, idiom_$case, idiom1_$case, vals_$case, r_$case, interp_$case"

    # ours, with the options that match the peers (no sliver rule, shares of the whole source)
    t_ours=$(timed "CREATE UNLOGGED TABLE ours_$case AS SELECT * FROM buurtmonitor.crosswalk('$src', '$tgt', min_width => 0, renormalise => false)")
    # ours as normally used: default sliver rule and renormalised shares
    t_ours_def=$(timed "CREATE UNLOGGED TABLE ours_default_$case AS SELECT * FROM buurtmonitor.crosswalk('$src', '$tgt')")
    # ours without parallel workers (one process, like the serial idiom below)
    t_ours1=$(PGOPTIONS="-c max_parallel_workers_per_gather=0" timed "SELECT count(*) FROM buurtmonitor.crosswalk('$src', '$tgt', min_width => 0, renormalise => false)")
    # (a) the PostGIS idiom; the intersection is computed once per pair
    t_idiom=$(timed "CREATE UNLOGGED TABLE idiom_$case AS
        SELECT sc, tc, a, a / sa AS share
          FROM (SELECT s.code AS sc, t.code AS tc, ST_Area(ST_Intersection(s.geom, t.geom)) AS a, ST_Area(s.geom) AS sa
                  FROM $src s JOIN $tgt t ON ST_Intersects(s.geom, t.geom)) x")
    # the same idiom without parallel workers (crosswalk() runs in one process)
    t_idiom1=$(PGOPTIONS="-c max_parallel_workers_per_gather=0" timed "CREATE UNLOGGED TABLE idiom1_$case AS
        SELECT s.code AS sc, t.code AS tc, ST_Area(ST_Intersection(s.geom, t.geom)) AS a
          FROM $src s JOIN $tgt t ON ST_Intersects(s.geom, t.geom)")
    q -c "DROP TABLE idiom1_$case"
    echo "   ours ${t_ours} s (default sliver rule ${t_ours_def} s; without workers ${t_ours1} s), idiom ${t_idiom} s (parallel plan), ${t_idiom1} s (serial)"
    echo "   without workers on both sides: ours ${t_ours1} s, idiom ${t_idiom1} s: $(ratio "$t_idiom1" "$t_ours1")x"

    # identical results: same pairs with area > 0, areas and shares to 1e-6 relative. A pair in one
    # set only whose area is below 1e-9 m² is counted apart as noise: GEOS's overlay returns areas
    # like 1e-20 m² for boundaries that only touch (vertices of one layer lying on the other's
    # edges up to rounding); coordinates near 1e5 m cannot resolve such areas.
    q -At -F' ' -c "
        SELECT count(*) FILTER (WHERE (o.source_code IS NULL OR i.sc IS NULL) AND coalesce(o.overlap_area, i.a) > 1e-9),
               count(*) FILTER (WHERE (o.source_code IS NULL OR i.sc IS NULL) AND coalesce(o.overlap_area, i.a) <= 1e-9),
               count(*) FILTER (WHERE abs(o.overlap_area - i.a) > 1e-6 * i.a OR abs(o.share - i.share) > 1e-6 * i.share),
               to_char(coalesce(max(abs(o.overlap_area - i.a) / i.a), 0), '9.9EEEE'),
               count(o.source_code),
               (SELECT count(*) FROM idiom_$case), (SELECT count(*) FROM ours_default_$case)
          FROM (SELECT * FROM ours_$case WHERE overlap_area > 0) o
          FULL JOIN (SELECT * FROM idiom_$case WHERE a > 0) i ON i.sc = o.source_code AND i.tc = o.target_code" \
        > "$WORK/cmp_a"
    read -r pair_mismatch pair_noise area_mismatch area_maxrel pairs candidates pairs_default < "$WORK/cmp_a"
    echo "   pairs with overlap (ours) $pairs of $candidates ST_Intersects candidates; after the default sliver rule $pairs_default"
    echo "   ours vs idiom: $pair_mismatch pairs in one only (+ $pair_noise with area <= 1e-9 m², noise), $area_mismatch areas/shares beyond 1e-6 (max rel diff $area_maxrel)"

    # (b) R sf::st_interpolate_aw of a synthetic value against interpolate_extensive on our crosswalk
    t_r="n/a"; t_interp="n/a"; r_cmp="R not run"
    if [ "$R_ON" = 1 ] && { [ "$case" = gen ] || [ "$R_DENSE" = 1 ]; }; then
        for l in $src $tgt; do
            ogr2ogr -f GPKG "$WORK/$l.gpkg" PG:"host=$PGHOST port=$PGPORT user=$PGUSER dbname=$DB" \
                -sql "SELECT code, geom FROM $l" -nln "$l" -a_srs EPSG:28992
        done
        Rscript "$BM_ROOT/bench/crosswalk_sf.R" "$WORK/$src.gpkg" "$WORK/$tgt.gpkg" "$WORK/r_$case.csv" fixed | tee "$WORK/r_$case.log"
        t_r=$(awk '/^R_SECONDS/ { print $2 }' "$WORK/r_$case.log")
        q -c "CREATE UNLOGGED TABLE vals_$case AS SELECT code, right(code, 4)::float8 AS value FROM $src"
        t_interp=$(timed "CREATE UNLOGGED TABLE interp_$case AS SELECT * FROM buurtmonitor.interpolate_extensive('ours_$case', 'vals_$case', min_coverage => 0)")
        q -c "CREATE UNLOGGED TABLE r_$case (target_code text, value float8)" \
          -c "\\copy r_$case FROM '$WORK/r_$case.csv' (FORMAT csv, HEADER, NULL 'NA')"
        r_cmp=$(q -At -F' ' -c "
            SELECT count(*) FILTER (WHERE NOT coalesce(abs(i.value - r.value) <= 1e-9 * abs(r.value), i.value IS NULL AND r.value IS NULL)),
                   to_char(coalesce(max(abs(i.value - r.value) / nullif(abs(r.value), 0)), 0), '9.9EEEE'), count(*)
              FROM r_$case r FULL JOIN interp_$case i USING (target_code)")
        read -r r_bad r_maxrel r_n <<< "$r_cmp"
        r_cmp="$r_bad of $r_n targets beyond 1e-9 (max rel diff $r_maxrel)"
        q -c "DROP TABLE interp_$case"
    fi
    echo "   st_interpolate_aw vs crosswalk + interpolate_extensive: $r_cmp"
    t_ours_r=$t_ours
    [ "$t_interp" != "n/a" ] && t_ours_r=$(awk -v a="$t_ours" -v b="$t_interp" 'BEGIN { printf "%.3f", a + b }')
    printf '%-6s %8s %8s %7s %8s %7s %9s %8s %7s  %s\n' "$case" "$t_ours" "$t_idiom" "$(ratio "$t_idiom" "$t_ours")x" \
        "$t_idiom1" "$(ratio "$t_idiom1" "$t_ours")x" \
        "$t_ours_r" "$t_r" "$( [ "$t_r" = n/a ] && echo n/a || echo "$(ratio "$t_r" "$t_ours_r")x")" \
        "pairs $pairs, idiom diff: $pair_mismatch pairs (+$pair_noise noise)/$area_mismatch areas, R diff: $r_cmp" >> "$summary"
done

echo
echo "== summary (seconds; ratio = peer time / our time); load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %8s %8s %7s %8s %7s %9s %8s %7s\n' case ours idiom "(a)" "idiom1" "(a1)" "ours+int" "R sf" "(b)"
cat "$summary"
echo "ours = buurtmonitor.crosswalk(min_width => 0, renormalise => false); ours+int adds interpolate_extensive,"
echo "the part st_interpolate_aw also does; (a) = PostGIS ST_Intersects join + ST_Area(ST_Intersection()) as"
echo "PostgreSQL plans it (parallel workers allowed); (a1) = the same with max_parallel_workers_per_gather = 0;"
echo "(b) = sf::st_interpolate_aw(extensive = TRUE) (with the sf 1.0.9 collection fix, see bench/crosswalk_sf.R)."
