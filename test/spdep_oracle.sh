#!/usr/bin/env bash
# Compare buurtmonitor's spatial weights and statistics with R spdep (issue 12) on the real CBS
# buurten 2022 of the province of Utrecht (969) and of Deventer (69). Expected values:
# test/expected/spdep/*.csv, written by test/r/spdep_oracle.R with spdep 1.2-7 and sf 1.0-9:
#   neighbours.csv   poly2nb queen and rook (snap sqrt(.Machine$double.eps) and 1 m), knearneigh
#                    k = 6 and dnearneigh (0, 2000] m on the centroids of points.csv
#   moran_global.csv moran.test (randomisation and normality, adjust.n), I, E, variances, z
#   moran_local.csv  localmoran (conditional TRUE and FALSE) I_i, E, Var; localG Gi and Gi*
#   correlations.csv cor.test Pearson and Spearman, cov.wt weighted, per municipality, of changes
# Checks: neighbour sets identical; every statistic within 1e-10 * max(1, |R value|); correlation
# p-values within 1e-9 relative (or 1e-15 absolute).
# If Rscript is installed the R script is re-run into a temporary directory first and any
# difference from the committed values is reported (the committed values stay the oracle).
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_spdep_oracle
EXP="$BM_ROOT/test/expected/spdep"

if [ -z "${BM_SKIP_R_RERUN:-}" ] && command -v Rscript >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    echo "== re-running test/r/spdep_oracle.R"
    Rscript "$BM_ROOT/test/r/spdep_oracle.R" "$BUURTMONITOR_DATA" "$tmp"
    for f in neighbours.csv points.csv moran_global.csv moran_local.csv correlations.csv; do
        cmp -s "$tmp/$f" "$EXP/$f" && echo "R re-run: $f identical" \
            || echo "R re-run: NOTE $f differs from the committed values (another spdep/sf version?)"
    done
    rm -rf "$tmp"
fi

bm_createdb "$DB"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -f "$BM_ROOT/test/sql/load_spdep_oracle.sql" >/dev/null
out=$(mktemp)
(psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -v expdir="$EXP" <<'SQL'
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;
CREATE TEMP TABLE r_nb (layer text, method text, area_code text, neighbour_code text);
CREATE TEMP TABLE r_pts (layer text, area_code text, x float8, y float8);
CREATE TEMP TABLE r_global (vals text, weights text, style text, n integer, i float8, e float8,
    var_norm float8, var_rand float8, z_norm float8, z_rand float8);
CREATE TEMP TABLE r_local (vals text, weights text, style text, area_code text, ii float8, e_cond float8,
    var_cond float8, e_total float8, var_total float8, gi float8, gi_star float8);
\set f :expdir/neighbours.csv
COPY r_nb FROM :'f' (FORMAT csv, HEADER);
\set f :expdir/points.csv
COPY r_pts FROM :'f' (FORMAT csv, HEADER);
\set f :expdir/moran_global.csv
COPY r_global FROM :'f' (FORMAT csv, HEADER);
\set f :expdir/moran_local.csv
COPY r_local FROM :'f' (FORMAT csv, HEADER);

-- the two layers and R's centroids as point tables
CREATE TABLE layer_codes AS
SELECT CASE WHEN code LIKE 'BU0150%' THEN 'deventer' ELSE 'utrecht' END AS layer, code
  FROM buurtmonitor.areas WHERE level = 'buurt' AND vintage = 2022;
CREATE TABLE pts_utrecht AS SELECT area_code AS code, ST_SetSRID(ST_MakePoint(x, y), 28992) AS geom FROM r_pts WHERE layer = 'utrecht';
CREATE TABLE pts_deventer AS SELECT area_code AS code, ST_SetSRID(ST_MakePoint(x, y), 28992) AS geom FROM r_pts WHERE layer = 'deventer';

-- build every weights R used: name = layer_method_style (and _self with the area itself, for Gi*)
CREATE FUNCTION pg_temp.build(layer text, method text, style text, self boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE nm text := layer || '_' || method || '_' || style || CASE WHEN self THEN '_self' ELSE '' END;
        st text := CASE style WHEN 'W' THEN 'row' ELSE 'binary' END;
        codes text[] := ARRAY(SELECT code FROM layer_codes l WHERE l.layer = build.layer);
BEGIN
    CASE method
    WHEN 'queen_default' THEN PERFORM buurtmonitor.build_weights(nm, 'buurt', 2022, 'queen', codes => codes, snap => sqrt(2.220446049250313e-16), style => st, include_self => self);
    WHEN 'queen_one_metre' THEN PERFORM buurtmonitor.build_weights(nm, 'buurt', 2022, 'queen', codes => codes, snap => 1, style => st, include_self => self);
    WHEN 'rook_default' THEN PERFORM buurtmonitor.build_weights(nm, 'buurt', 2022, 'rook', codes => codes, snap => sqrt(2.220446049250313e-16), style => st, include_self => self);
    WHEN 'rook_one_metre' THEN PERFORM buurtmonitor.build_weights(nm, 'buurt', 2022, 'rook', codes => codes, snap => 1, style => st, include_self => self);
    WHEN 'knn6' THEN PERFORM buurtmonitor.build_weights_from(nm, ('pts_' || layer)::regclass, 'knn', k => 6, style => st, include_self => self);
    WHEN 'dist2000' THEN PERFORM buurtmonitor.build_weights_from(nm, ('pts_' || layer)::regclass, 'distance', distance => 2000, style => st, include_self => self);
    END CASE;
    -- point-table weights carry no vintage: give them the areas' so observations match
    UPDATE buurtmonitor.weights SET level = 'buurt', vintage = 2022 WHERE name = nm;
END $$;
SELECT count(pg_temp.build(l, m, 'W', false)) AS weights_built
  FROM unnest(ARRAY['utrecht', 'deventer']) l,
       unnest(ARRAY['queen_default', 'queen_one_metre', 'rook_default', 'rook_one_metre', 'knn6', 'dist2000']) m;
SELECT count(pg_temp.build(l, m, s, self)) AS weights_built
  FROM (SELECT DISTINCT split_part(vals, '_', 1) AS l, weights AS m, style AS s FROM r_global) c,
       unnest(ARRAY[false, true]) self
 WHERE NOT (s = 'W' AND NOT self);

CREATE TEMP TABLE checks (name text, n integer, bad integer, worst float8, tolerance float8);
-- 1. neighbour sets: symmetric difference with spdep, per layer and method
INSERT INTO checks
SELECT 'neighbours ' || l || ' ' || m, (SELECT count(*) FROM r_nb WHERE layer = l AND method = m),
       (SELECT count(*) FROM ((SELECT area_code, neighbour_code FROM r_nb WHERE layer = l AND method = m)
                              EXCEPT (SELECT area_code, neighbour_code FROM buurtmonitor.weight_links WHERE name = l || '_' || m || '_W')) a)
     + (SELECT count(*) FROM ((SELECT area_code, neighbour_code FROM buurtmonitor.weight_links WHERE name = l || '_' || m || '_W')
                              EXCEPT (SELECT area_code, neighbour_code FROM r_nb WHERE layer = l AND method = m)) b),
       NULL, 0
  FROM (SELECT DISTINCT layer AS l, method AS m FROM r_nb) s;
-- islands are kept: every area of the layer is in weight_areas, also those without neighbours
INSERT INTO checks
SELECT 'areas kept ' || w.name, count(*), count(*) FILTER (WHERE a.area_code IS NULL), NULL, 0
  FROM buurtmonitor.weights w JOIN layer_codes l ON l.layer = split_part(w.name, '_', 1)
  LEFT JOIN buurtmonitor.weight_areas a ON a.name = w.name AND a.area_code = l.code
 GROUP BY w.name;

CREATE FUNCTION pg_temp.off(a float8, b float8) RETURNS float8 LANGUAGE sql IMMUTABLE
AS $$ SELECT abs(a - b) / greatest(1, abs(b)) $$;
CREATE TEMP TABLE indicator_of (vals text, indicator text);
INSERT INTO indicator_of VALUES ('utrecht_woz', 'sp_woz'), ('utrecht_children', 'sp_children'), ('deventer_code', 'sp_synthetic');

-- 2. global Moran: moran.test under randomisation and normality
CREATE TEMP TABLE g AS
SELECT r.*, m.i AS bi, m.e AS be, m.var_norm AS bvn, m.var_rand AS bvr, m.z_norm AS bzn, m.z_rand AS bzr, m.n AS bn
  FROM r_global r JOIN indicator_of o USING (vals),
       LATERAL buurtmonitor.moran(split_part(r.vals, '_', 1) || '_' || r.weights || '_' || r.style, o.indicator, 2022,
                                  permutations => 0, missing => 'drop') m;
INSERT INTO checks
SELECT 'moran ' || c.name, count(*), count(*) FILTER (WHERE NOT coalesce(c.d <= 1e-10, false)), max(c.d), 1e-10
  FROM (SELECT 'I' AS name, pg_temp.off(bi, i) AS d FROM g UNION ALL
        SELECT 'E', pg_temp.off(be, e) FROM g UNION ALL
        SELECT 'var normality', pg_temp.off(bvn, var_norm) FROM g UNION ALL
        SELECT 'var randomisation', pg_temp.off(bvr, var_rand) FROM g UNION ALL
        SELECT 'z normality', pg_temp.off(bzn, z_norm) FROM g UNION ALL
        SELECT 'z randomisation', pg_temp.off(bzr, z_rand) FROM g UNION ALL
        SELECT 'n', abs(bn - n) FROM g) c
 GROUP BY c.name;

-- 3. localmoran (conditional and total moments) and localG (Gi, and Gi* on the _self weights)
-- each combination once, into a table (a lateral call per R row would repeat them)
CREATE TEMP TABLE ours (vals text, weights text, style text, area_code text, bii float8, bec float8,
    bvc float8, bet float8, bvt float8, bgi float8, bgs float8);
DO $$
DECLARE k record;
BEGIN
    FOR k IN SELECT DISTINCT r.vals, r.weights, r.style, o.indicator,
                    split_part(r.vals, '_', 1) || '_' || r.weights || '_' || r.style AS wn
               FROM r_local r JOIN indicator_of o USING (vals) LOOP
        INSERT INTO ours
        SELECT k.vals, k.weights, k.style, c.area_code, c.ii, c.e_ii, c.var_ii, t.e_ii, t.var_ii, gi.z, gs.z
          FROM buurtmonitor.local_moran(k.wn, k.indicator, 2022, permutations => 0, missing => 'drop') c
          JOIN buurtmonitor.local_moran(k.wn, k.indicator, 2022, permutations => 0, conditional => false,
                                        missing => 'drop') t USING (area_code)
          JOIN buurtmonitor.getis_ord(k.wn, k.indicator, 2022, missing => 'drop') gi USING (area_code)
          JOIN buurtmonitor.getis_ord(k.wn || '_self', k.indicator, 2022, missing => 'drop') gs USING (area_code);
    END LOOP;
END $$;
CREATE TEMP TABLE lc AS
SELECT r.*, x.bii, x.bec, x.bvc, x.bet, x.bvt, x.bgi, x.bgs
  FROM r_local r JOIN ours x USING (vals, weights, style, area_code);
INSERT INTO checks
SELECT 'local ' || c.name, count(*), count(*) FILTER (WHERE NOT coalesce(c.d <= 1e-10, c.both_null)), max(c.d), 1e-10
  FROM (SELECT 'I_i' AS name, pg_temp.off(bii, ii) AS d, false AS both_null FROM lc UNION ALL
        SELECT 'E conditional', pg_temp.off(bec, e_cond), false FROM lc UNION ALL
        SELECT 'Var conditional', pg_temp.off(bvc, var_cond), false FROM lc UNION ALL
        SELECT 'E total', pg_temp.off(bet, e_total), false FROM lc UNION ALL
        SELECT 'Var total', pg_temp.off(bvt, var_total), false FROM lc UNION ALL
        -- an island's Gi is NaN in R (0/0) and NULL here
        SELECT 'Gi', pg_temp.off(bgi, gi), bgi IS NULL AND gi = 'NaN' FROM lc UNION ALL
        SELECT 'Gi*', pg_temp.off(bgs, gi_star), bgs IS NULL AND gi_star = 'NaN' FROM lc) c
 GROUP BY c.name;
INSERT INTO checks SELECT 'local rows matched', (SELECT count(*) FROM r_local), (SELECT count(*) FROM r_local) - count(*), NULL, 0 FROM lc;

-- 3b. permutations on real data: with 9,999 conditional permutations the mean of the simulated
-- I_i of every area lies within 5 standard errors (sqrt(Var / 9999), Var the exact conditional
-- variance that spdep's localmoran gives) of the exact conditional expectation
INSERT INTO checks
SELECT 'permutation mean of I_i within 5 s.e.', count(*),
       count(*) FILTER (WHERE NOT abs(l.e_sim - l.e_ii) <= 5 * sqrt(l.var_ii / 9999)),
       max(abs(l.e_sim - l.e_ii) / sqrt(l.var_ii / 9999)), 5
  FROM buurtmonitor.local_moran('utrecht_queen_default_W', 'sp_woz', 2022, permutations => 9999, seed => 12) l;

-- 4. correlations
CREATE TEMP TABLE r_cor (group_code text, indicator_a text, indicator_b text, method text, weighted boolean,
    change boolean, n integer, r float8, p float8);
\set f :expdir/correlations.csv
COPY r_cor FROM :'f' (FORMAT csv, HEADER);
CREATE TEMP TABLE our_cor AS
SELECT m AS method, wtd AS weighted, chg AS change, c.*
  FROM unnest(ARRAY['pearson', 'spearman']) m, unnest(ARRAY[false, true]) wtd, unnest(ARRAY[false, true]) chg,
       unnest(ARRAY[NULL, 'gemeente']) gl,
       LATERAL buurtmonitor.correlations(ARRAY['sp_woz', 'sp_children', 'sp_household_size'], 'buurt', 2022, 2022, m,
           weight_indicator => CASE WHEN wtd THEN 'sp_inhabitants' END, group_level => gl,
           change_from => CASE WHEN chg THEN 2021 END) c
 WHERE NOT (chg AND (wtd OR gl IS NOT NULL)) AND c.indicator_a <> c.indicator_b;
CREATE TEMP TABLE cc AS
SELECT r.*, o.n AS bn, o.r AS br, o.p AS bp
  FROM r_cor r LEFT JOIN our_cor o USING (group_code, indicator_a, indicator_b, method, weighted, change);
INSERT INTO checks
SELECT 'correlation ' || x.name, count(*), count(*) FILTER (WHERE NOT coalesce(x.d <= x.tol, false)), max(x.d), min(x.tol)
  FROM (SELECT 'n' AS name, abs(bn - n)::float8 AS d, 0::float8 AS tol FROM cc UNION ALL
        SELECT 'r', pg_temp.off(br, r), 1e-10 FROM cc UNION ALL
        SELECT 'p', CASE WHEN abs(bp - p) <= 1e-15 THEN 0 ELSE abs(bp - p) / p END, 1e-9 FROM cc) x
 GROUP BY x.name;

SELECT name, n, bad, worst, tolerance FROM checks ORDER BY name;
SELECT 'FAILED: ' || count(*) AS result FROM checks WHERE bad <> 0 OR n = 0 HAVING count(*) > 0;
SQL
) | tee "$out"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"
if grep -q "FAILED" "$out"; then rm -f "$out"; exit 1; fi
rm -f "$out"
echo "spdep oracle: all checks passed"
