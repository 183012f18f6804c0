#!/usr/bin/env bash
# Compare buurtmonitor.rollup with an independent Python oracle (test/rollup_oracle.py, csv module
# only) on the real Utrecht province file: every one of its 31 columns rolled up to all 222 wijken
# and 26 gemeenten (7,688 results): value to 1e-9 relative, n_parts, n_missing, coverage to 1e-9,
# partial. Runs with the cluster up (scripts/test.sh); exits non-zero on any mismatch.
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_test_rollup
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

python3 "$BM_ROOT/test/rollup_oracle.py" "$BUURTMONITOR_DATA" > "$tmp/oracle.csv"
chmod 644 "$tmp/oracle.csv"

bm_createdb "$DB"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -v oracle="$tmp/oracle.csv" -v datadir="$BUURTMONITOR_DATA" <<'SQL'
\set csvfile :datadir/utrecht/kwb2022_leefbaarometer2020_ses.csv
-- the CSV as text (column names as in its header), areas from the buurt codes, observations
-- through indicator_aliases with empty cells suppressed (as in sql/310_rollup_utrecht.sql)
CREATE TABLE ut_stage (
    idx text, buurt_code text, gm_naam text, regio text,
    aantal_inwoners text, aantal_inwoners_tussen_25_44_percentage text,
    aantal_huishoudens_met_kinderen_percentage text, gemiddelde_huishoudensgrootte text,
    woningvoorraad text, gemiddelde_woningwaarde text, meergezinswoning_percentage text,
    bewoond_percentage text, koopwoning_percentage text, bouwjaar_vanaf_2000_percentage text,
    afstand_tot_ziekenhuis_km text, afstand_tot_grote_supermarkt_km text, afstand_tot_cafe_km text,
    afstand_tot_kinderdagverblijf_km text, afstand_tot_buitenschoolseopvang_km text,
    afstand_tot_openbaar_groen_km text, afstand_tot_park_of_plantsoen_km text, afstand_tot_bos_km text,
    afstand_tot_hoofdverkeersweg_km text, afstand_tot_treinstation_km text,
    "AfstandTotSemiOpenbaarGroenTotaal_83" text, leefbarometer_score text,
    leefbarometer_fysieke_omgeving text, leefbarometer_fysieke_overlast text,
    leefbarometer_sociale_samenhang text, leefbarometer_voorzieningen text,
    aardgasverbruik_m3_gemiddeld text, elektriciteitsverbruik_kwh_gemiddeld text,
    social_economische_score_gemiddeld text, geluid_van_treinverkeer text, geluid_van_weg text);
COPY ut_stage FROM :'csvfile' WITH (FORMAT csv, HEADER true);
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT DISTINCT 'GM' || substr(buurt_code, 3, 4), 2022, gm_naam, 'gemeente', NULL::text FROM ut_stage;
INSERT INTO buurtmonitor.areas (code, vintage, level, parent_code)
SELECT DISTINCT 'WK' || substr(buurt_code, 3, 6), 2022, 'wijk', 'GM' || substr(buurt_code, 3, 4) FROM ut_stage;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT buurt_code, 2022, regio, 'buurt', 'WK' || substr(buurt_code, 3, 6) FROM ut_stage;
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, status)
SELECT s.buurt_code, 2022, 2022, a.indicator, nullif(kv.value, '')::double precision,
       CASE WHEN coalesce(kv.value, '') = '' THEN 'suppressed' ELSE 'observed' END
  FROM ut_stage s
  CROSS JOIN LATERAL jsonb_each_text(to_jsonb(s) - 'idx' - 'buurt_code' - 'gm_naam' - 'regio') kv
  JOIN buurtmonitor.indicator_aliases a ON a.alias = kv.key;
ANALYZE buurtmonitor.areas;
ANALYZE buurtmonitor.observations;

CREATE TABLE oracle (level text, area_code text, indicator text, value float8, n_parts int,
                     n_missing int, coverage float8, partial boolean);
COPY oracle FROM :'oracle' WITH (FORMAT csv, HEADER true);
CREATE TABLE ours AS
SELECT 'wijk' AS level, r.* FROM buurtmonitor.rollup('wijk', 2022, vintage => 2022) r
UNION ALL
SELECT 'gemeente', r.* FROM buurtmonitor.rollup('gemeente', 2022, vintage => 2022) r;

-- close: both NULL, or relative difference at most 1e-9 (absolute for values near 0)
CREATE FUNCTION pg_temp.close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT (a IS NULL AND b IS NULL) OR abs(a - b) <= 1e-9 * greatest(abs(b), 1) $$;

CREATE TABLE cmp AS
SELECT o.level, o.area_code, o.indicator, o.value AS expected, r.value AS got,
       r.area_code IS NOT NULL AS present,
       coalesce(pg_temp.close(r.value, o.value), false) AS value_ok,
       r.n_parts = o.n_parts AND r.n_missing = o.n_missing AS counts_ok,
       coalesce(pg_temp.close(r.coverage, o.coverage), false) AS coverage_ok,
       r.partial = o.partial AS partial_ok
  FROM oracle o
  LEFT JOIN ours r ON r.level = o.level AND r.area_code = o.area_code AND r.indicator = o.indicator;

SELECT level, count(*) AS results, count(*) FILTER (WHERE present) AS found,
       count(*) FILTER (WHERE NOT (value_ok AND counts_ok AND coverage_ok AND partial_ok)) AS mismatches,
       count(*) FILTER (WHERE expected IS NULL) AS null_values
  FROM cmp GROUP BY level ORDER BY level;
SELECT count(*) AS extra_rows_of_ours FROM ours r
 WHERE NOT EXISTS (SELECT 1 FROM oracle o WHERE o.level = r.level AND o.area_code = r.area_code
                     AND o.indicator = r.indicator);
SELECT * FROM cmp WHERE NOT (value_ok AND counts_ok AND coverage_ok AND partial_ok) LIMIT 10;

DO $$
BEGIN
    IF (SELECT count(*) FROM cmp WHERE NOT (present AND value_ok AND counts_ok AND coverage_ok AND partial_ok)) > 0
       OR (SELECT count(*) FROM ours r WHERE NOT EXISTS (SELECT 1 FROM oracle o WHERE o.level = r.level
              AND o.area_code = r.area_code AND o.indicator = r.indicator)) > 0
       OR (SELECT count(*) FROM oracle) <> 7688 THEN
        RAISE EXCEPTION 'rollup differs from the Python oracle';
    END IF;
END $$;
SQL
psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null
echo "rollup agrees with the Python oracle on 7688 results (222 wijken and 26 gemeenten x 31 indicators)"
