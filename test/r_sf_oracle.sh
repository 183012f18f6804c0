#!/usr/bin/env bash
# Compare buurtmonitor's overlap areas, crosswalk and interpolation with R sf on the real Deventer
# 2018 -> 2022 buurten. Expected values: test/expected/deventer_*.csv, written by
# test/r/deventer_sf_oracle.R (sf::st_intersection + st_area, sf::st_interpolate_aw). If Rscript is
# installed the R script is re-run into a temporary directory and checked against the committed CSV.
# Tolerances (issue 3): overlap areas 1e-6 relative; interpolation 1e-9 relative.
# Run by scripts/test.sh with the cluster up; exits non-zero on any mismatch.
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_r_sf_oracle
EXP="$BM_ROOT/test/expected"

if command -v Rscript >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    echo "== re-running test/r/deventer_sf_oracle.R"
    Rscript "$BM_ROOT/test/r/deventer_sf_oracle.R" "$BUURTMONITOR_DATA" "$tmp"
    # R is deterministic here; a difference means another sf/GEOS, so report it, but the
    # committed CSV stays the expected value
    for f in deventer_overlaps.csv deventer_interpolate_aw.csv; do
        cmp -s "$tmp/$f" "$EXP/$f" && echo "R re-run: $f identical" \
            || echo "R re-run: NOTE $f differs from the committed values (other sf/GEOS version?)"
    done
    rm -rf "$tmp"
fi

bm_createdb "$DB"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -f "$BM_ROOT/test/sql/load_deventer_areas.sql"
out=$(mktemp)
(psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -v expdir="$EXP" <<'SQL'
\set ON_ERROR_STOP 1
\pset footer off
CREATE TEMP TABLE r_overlaps (source_code text, target_code text, overlap_area float8, source_area float8);
CREATE TEMP TABLE r_aw (target_code text, extensive float8, intensive float8,
                        extensive_sf_as_shipped float8, intensive_sf_as_shipped float8);
\set f :expdir/deventer_overlaps.csv
COPY r_overlaps FROM :'f' (FORMAT csv, HEADER);
\set f :expdir/deventer_interpolate_aw.csv
COPY r_aw FROM :'f' (FORMAT csv, HEADER);

CREATE TEMP TABLE s AS SELECT code, geom FROM buurtmonitor.areas WHERE vintage = 2018;
CREATE TEMP TABLE t AS SELECT code, geom FROM buurtmonitor.areas WHERE vintage = 2022;
-- the synthetic value of the R script: the last four digits of the code (BU01501103 -> 1103)
CREATE TEMP TABLE v AS SELECT code, substr(code, 7, 4)::float8 AS value FROM s;

-- crosswalk without sliver rule and without renormalising, as st_interpolate_aw has neither
CREATE TEMP TABLE cw AS
SELECT * FROM buurtmonitor.crosswalk('s', 't', min_width => 0, renormalise => false);

CREATE TEMP TABLE checks (name text, n integer, bad integer, worst float8, tolerance float8);
-- relative difference (no absolute floor: even the smallest R overlap, 1.6e-5 m², must match)
CREATE FUNCTION pg_temp.rel(a float8, b float8) RETURNS float8 LANGUAGE sql IMMUTABLE
AS $$ SELECT abs(a - b) / abs(b) $$;

-- 1. overlap_area() on every R pair
INSERT INTO checks
SELECT 'overlap_area() vs st_area(st_intersection())', count(*),
       count(*) FILTER (WHERE NOT coalesce(pg_temp.rel(buurtmonitor.overlap_area(s.geom, t.geom), r.overlap_area) <= 1e-6, false)),
       max(pg_temp.rel(buurtmonitor.overlap_area(s.geom, t.geom), r.overlap_area)), 1e-6
  FROM r_overlaps r JOIN s ON s.code = r.source_code JOIN t ON t.code = r.target_code;
-- 2. crosswalk(): the same set of pairs with area > 0
INSERT INTO checks
SELECT 'crosswalk() pairs with area > 0 = R pairs', count(*),
       count(*) FILTER (WHERE r.source_code IS NULL OR c.source_code IS NULL), NULL, 0
  FROM (SELECT * FROM cw WHERE overlap_area > 0) c
  FULL JOIN r_overlaps r USING (source_code, target_code);
-- 3. crosswalk() areas and shares (share = overlap / source area when not renormalised)
INSERT INTO checks
SELECT 'crosswalk() overlap_area', count(*),
       count(*) FILTER (WHERE NOT pg_temp.rel(c.overlap_area, r.overlap_area) <= 1e-6),
       max(pg_temp.rel(c.overlap_area, r.overlap_area)), 1e-6
  FROM cw c JOIN r_overlaps r USING (source_code, target_code);
INSERT INTO checks
SELECT 'crosswalk() share', count(*),
       count(*) FILTER (WHERE NOT abs(c.share - r.overlap_area / r.source_area) <= 1e-6 * r.overlap_area / r.source_area),
       max(abs(c.share - r.overlap_area / r.source_area) / (r.overlap_area / r.source_area)), 1e-6
  FROM cw c JOIN r_overlaps r USING (source_code, target_code);
-- 4. interpolation against st_interpolate_aw
INSERT INTO checks
SELECT 'interpolate_extensive() vs st_interpolate_aw(extensive = TRUE)', count(*),
       count(*) FILTER (WHERE NOT coalesce(abs(i.value - r.extensive) <= 1e-9 * abs(r.extensive), false)),
       max(abs(i.value - r.extensive) / abs(r.extensive)), 1e-9
  FROM r_aw r LEFT JOIN buurtmonitor.interpolate_extensive('cw', 'v') i USING (target_code);
INSERT INTO checks
SELECT 'interpolate_intensive() vs st_interpolate_aw(extensive = FALSE)', count(*),
       count(*) FILTER (WHERE NOT coalesce(abs(i.value - r.intensive) <= 1e-9 * abs(r.intensive), false)),
       max(abs(i.value - r.intensive) / abs(r.intensive)), 1e-9
  FROM r_aw r LEFT JOIN buurtmonitor.interpolate_intensive('cw', 'v') i USING (target_code);

SELECT name AS check, n, bad AS mismatches, to_char(worst, '9.9EEEE') AS worst_rel_diff,
       tolerance FROM checks;
-- one verdict line for the shell
SELECT coalesce(sum(bad), 1) = 0 AND min(n) > 0 AS ok FROM checks \gset
\if :ok
\echo RESULT: PASS
\else
\echo RESULT: FAIL
\endif
SQL
) | tee "$out"
grep -q '^RESULT: PASS$' "$out" || { echo "r_sf_oracle: FAILED"; exit 1; }
echo "r_sf_oracle: all checks passed"
rm -f "$out"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"
