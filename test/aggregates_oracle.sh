#!/usr/bin/env bash
# Compare buurtmonitor's weighted aggregates with base R (test/aggregates_oracle.R):
# weighted_mean and coverage to 1e-12 relative, weighted_quantile/weighted_median exactly, on
# the real Utrecht-province and Baarn data and on a seeded random data set written by the R
# script (60 groups, ties, zero weights, NULL values and weights, 10 quantiles each).
# Runs with the cluster up (scripts/test.sh); exits non-zero on any mismatch.
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_test_aggregates
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

if ! command -v Rscript >/dev/null 2>&1; then
    echo "Rscript not found: cannot run the R oracle" >&2
    exit 1
fi
Rscript "$BM_ROOT/test/aggregates_oracle.R" "$BUURTMONITOR_DATA" "$tmp/random.csv" > "$tmp/oracle.csv"
chmod 644 "$tmp"/*.csv

bm_createdb "$DB"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -v oracle="$tmp/oracle.csv" -v random="$tmp/random.csv" \
     -v datadir="$BUURTMONITOR_DATA" <<'SQL'
CREATE TABLE oracle (case_ text, key text, stat text, value float8);
COPY oracle FROM :'oracle' WITH (FORMAT csv, HEADER true);
CREATE TABLE random_rows (grp int, value float8, weight float8);
COPY random_rows FROM :'random' WITH (FORMAT csv, HEADER true);

CREATE TABLE baarn (jaar int, gwb_code_10 text, regio text, wk_code text, recs text,
    laag float8, minimum float8, income float8, bijstand float8, arbeid float8,
    opl_laag float8, opl_mid float8, opl_hoog float8, jeugdzorg float8, inhabitants float8);
\set f :datadir/multiyear/baarn_gm0308_kwb2022.csv
COPY baarn FROM :'f' WITH (FORMAT csv, HEADER true);
-- only the columns used are typed; the rest are read as text
CREATE TABLE utrecht (rownum text, buurt_code text, gm_naam text, regio text, aantal_inwoners float8,
    c5 text, c6 text, c7 text, woningvoorraad float8, gemiddelde_woningwaarde float8,
    c10 text, c11 text, c12 text, c13 text, c14 text, c15 text, c16 text, c17 text, c18 text,
    c19 text, c20 text, c21 text, c22 text, c23 text, c24 text, c25 text, c26 text, c27 text,
    c28 text, c29 text, c30 text, c31 text, ses float8, c33 text, c34 text);
\set f :datadir/utrecht/kwb2022_leefbaarometer2020_ses.csv
COPY utrecht FROM :'f' WITH (FORMAT csv, HEADER true);

CREATE TABLE ours (case_ text, key text, stat text, value float8);
INSERT INTO ours
SELECT 'utrecht', gm_naam, s.stat, s.value
  FROM (SELECT gm_naam,
               buurtmonitor.weighted_mean(gemiddelde_woningwaarde, woningvoorraad) AS woz_mean,
               buurtmonitor.weighted_median(gemiddelde_woningwaarde, woningvoorraad) AS woz_median,
               buurtmonitor.weighted_mean(ses, aantal_inwoners) AS ses_mean,
               buurtmonitor.coverage(ses, aantal_inwoners) AS ses_coverage
          FROM utrecht GROUP BY gm_naam) AS u,
       LATERAL (VALUES ('woz_mean', woz_mean), ('woz_median', woz_median),
                       ('ses_mean', ses_mean), ('ses_coverage', ses_coverage)) AS s(stat, value);
INSERT INTO ours
SELECT 'baarn', 'GM0308', 'income_mean', buurtmonitor.weighted_mean(income, inhabitants) FROM baarn WHERE recs = 'Buurt'
UNION ALL
SELECT 'baarn', 'GM0308', 'income_coverage', buurtmonitor.coverage(income, inhabitants) FROM baarn WHERE recs = 'Buurt'
UNION ALL
SELECT 'baarn', 'GM0308', 'income_q' || q, buurtmonitor.weighted_quantile(income, inhabitants, q::float8)
  FROM baarn, unnest(ARRAY['0', '0.1', '0.25', '0.5', '0.75', '0.9', '1']) AS q
 WHERE recs = 'Buurt' GROUP BY q;
INSERT INTO ours
SELECT 'random', grp::text, 'mean', buurtmonitor.weighted_mean(value, weight) FROM random_rows GROUP BY grp
UNION ALL
SELECT 'random', grp::text, 'coverage', buurtmonitor.coverage(value, weight) FROM random_rows GROUP BY grp
UNION ALL
SELECT 'random', grp::text, 'q' || q, buurtmonitor.weighted_quantile(value, weight, q::float8)
  FROM random_rows,
       unnest(ARRAY['0', '0.05', '0.1', '0.25', '0.3', '0.5', '0.7', '0.9', '0.99', '1']) AS q
 GROUP BY grp, q;
-- Our NULLs (no usable rows) have no R line: R cannot compute them either.
DELETE FROM ours WHERE value IS NULL;

-- Report every mismatch; quantiles must be identical, means and coverage within 1e-12 relative.
CREATE TABLE mismatches AS
SELECT coalesce(o.case_, r.case_) AS case_, coalesce(o.key, r.key) AS key,
       coalesce(o.stat, r.stat) AS stat, o.value AS ours, r.value AS r
  FROM ours o FULL JOIN oracle r USING (case_, key, stat)
 WHERE o.value IS NULL OR r.value IS NULL
    OR (o.stat ~ '(median|_q|^q)' AND o.value <> r.value)
    OR abs(o.value - r.value) > 1e-12 * abs(r.value);
SELECT count(*) AS compared FROM ours;
SELECT * FROM mismatches ORDER BY 1, 2, 3;
DO $$ BEGIN
    IF (SELECT count(*) FROM mismatches) > 0 THEN
        RAISE EXCEPTION 'weighted aggregates differ from the R oracle';
    END IF;
END $$;
SQL
echo "aggregates_oracle: all values agree with R"
