#!/usr/bin/env bash
# Compare buurtmonitor's social score, priority score and PCA weights with R
# (test/r/composite_utrecht.R and test/r/composite_pca.R, computed independently of
# buurtmonitor): every one of the 849 scored Utrecht buurten's social and priority score to
# 1e-9, the 849 shrunk owner-occupied shares and weights (shrink_rate) to 1e-9, and the PCA loadings and explained variance to 1e-6 (R prints 6 decimals).
# Runs with the cluster up (scripts/test.sh); exits non-zero on any mismatch.
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_test_composite
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

if ! command -v Rscript >/dev/null 2>&1; then
    echo "Rscript not found: cannot run the R oracle" >&2
    exit 1
fi
Rscript "$BM_ROOT/test/r/composite_utrecht.R" "$BUURTMONITOR_DATA" "$tmp/utrecht.csv" "$tmp/shrink.csv" > "$tmp/utrecht.txt"
Rscript "$BM_ROOT/test/r/composite_pca.R" > "$tmp/pca.txt"
cat "$tmp/utrecht.txt"
# R's printed PCA figures as csv: case, name, value
{
    echo "case,name,value"
    awk '$1 == "pca" && $2 == "loading" {print "utrecht," $3 "," $4}
         $1 == "pca" && $2 == "explained" {print "utrecht,explained," $3}' "$tmp/utrecht.txt"
    awk '$1 == "loading" {print "synthetic," $2 "," $3}
         $1 == "explained" {print "synthetic,explained," $2}' "$tmp/pca.txt"
} > "$tmp/pca.csv"
chmod 644 "$tmp"/*.csv

bm_createdb "$DB"
out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -v r="$tmp/utrecht.csv" -v pca="$tmp/pca.csv" -v shr="$tmp/shrink.csv" \
     -v datadir="$BUURTMONITOR_DATA" <<'SQL'
CREATE TABLE r (code text, s float8, p float8);
COPY r FROM :'r' WITH (FORMAT csv, HEADER true);
CREATE TABLE rpca (case_ text, name text, value float8);
COPY rpca FROM :'pca' WITH (FORMAT csv, HEADER true);
CREATE TABLE rshr (code text, shrunk float8, w float8);
COPY rshr FROM :'shr' WITH (FORMAT csv, HEADER true);
CREATE TABLE stage (idx text, buurt_code text, gm_naam text, regio text, aantal_inwoners float8,
    c5 text, c6 text, gemiddelde_huishoudensgrootte float8, woningvoorraad float8, gemiddelde_woningwaarde float8,
    meergezinswoning_percentage float8, c11 text, koopwoning_percentage float8, c13 text, c14 text,
    c15 text, c16 text, c17 text, c18 text, c19 text, c20 text, c21 text, c22 text, c23 text, c24 text,
    c25 text, c26 text, c27 text, c28 text, c29 text, c30 text, c31 text, c32 text, c33 text, c34 text);
\set f :datadir/utrecht/kwb2022_leefbaarometer2020_ses.csv
COPY stage FROM :'f' WITH (FORMAT csv, HEADER true);
CREATE TABLE utr AS
SELECT buurt_code, gm_naam, aantal_inwoners AS inwoners, woningvoorraad AS woningen,
       nullif(gemiddelde_woningwaarde, 0) AS woz,
       CASE WHEN gemiddelde_woningwaarde > 0 THEN koopwoning_percentage END AS koop,
       CASE WHEN gemiddelde_woningwaarde > 0 THEN meergezinswoning_percentage END AS meergezins,
       CASE WHEN gemiddelde_woningwaarde > 0 THEN gemiddelde_huishoudensgrootte END AS hhgrootte
  FROM stage;
CREATE TABLE syn (code text, x float8, y float8, z float8, w float8);
INSERT INTO syn VALUES ('a', 2.0, 30, 9.1, 1.0), ('b', 4.0, 42, 7.7, 3.0), ('c', 3.5, 37, 8.0, 0.5),
    ('d', 8.0, 71, 3.2, 2.5), ('e', 6.5, 60, 4.8, 4.0), ('f', 1.0, 25, 9.9, 2.0),
    ('g', 7.0, 66, 3.9, 1.5), ('h', 5.0, 50, 6.0, NULL);
CREATE TABLE ours AS
SELECT * FROM buurtmonitor.social_score('utr', '{"key": "buurt_code",
    "columns": ["woz", "koop", "meergezins", "hhgrootte"], "polarity": {"meergezins": -1},
    "population": "inwoners", "min_share": 0.75}');
CREATE TABLE ourpca AS
SELECT 'utrecht' AS case_, indicator AS name, loading AS value
  FROM buurtmonitor.pca_weights('utr', ARRAY['woz', 'koop', 'meergezins', 'hhgrootte']);
INSERT INTO ourpca SELECT 'utrecht', 'explained', explained_variance
  FROM buurtmonitor.pca_weights('utr', ARRAY['woz', 'koop', 'meergezins', 'hhgrootte']) LIMIT 1;
INSERT INTO ourpca SELECT 'synthetic', indicator, loading FROM buurtmonitor.pca_weights('syn', ARRAY['x', 'y', 'z', 'w']);
INSERT INTO ourpca SELECT 'synthetic', 'explained', explained_variance
  FROM buurtmonitor.pca_weights('syn', ARRAY['x', 'y', 'z', 'w']) LIMIT 1;
-- name map from the R column names to ours
CREATE TABLE names (r text, ours text);
INSERT INTO names VALUES ('gemiddelde_woningwaarde', 'woz'), ('koopwoning_percentage', 'koop'),
    ('meergezinswoning_percentage', 'meergezins'), ('gemiddelde_huishoudensgrootte', 'hhgrootte');
SELECT format('scores: %s in R, %s scored here, %s matched, max |ds| %s, max |dp| %s',
              (SELECT count(*) FROM r), (SELECT count(*) FROM ours WHERE social_score IS NOT NULL),
              count(*), max(abs(o.social_score - r.s)), max(abs(o.priority - r.p)))
  FROM r JOIN ours o ON o.area_code = r.code;
SELECT CASE WHEN (SELECT count(*) FROM r) = 849
             AND (SELECT count(*) FROM ours WHERE social_score IS NOT NULL) = 849
             AND (SELECT count(*) FROM r JOIN ours o ON o.area_code = r.code
                   WHERE abs(o.social_score - r.s) <= 1e-9 AND abs(o.priority - r.p) <= 1e-9) = 849
            THEN 'SCORES OK' ELSE 'SCORES MISMATCH' END;
CREATE TABLE koop AS
SELECT buurt_code, gm_naam, round(koop * woningen / 100) AS r, woningen AS n FROM utr WHERE koop IS NOT NULL AND woningen > 0;
CREATE TABLE shr AS SELECT * FROM buurtmonitor.shrink_rate('koop', 'buurt_code', 'gm_naam', 'r', 'n');
SELECT format('shrink: %s in R, %s matched, max |d shrunk| %s, max |d weight| %s', (SELECT count(*) FROM rshr),
              count(*), max(abs(s.shrunk_rate - r.shrunk)), max(abs(s.weight - r.w)))
  FROM rshr r JOIN shr s ON s.area_code = r.code;
SELECT CASE WHEN (SELECT count(*) FROM rshr) = 849 AND (SELECT count(*) FROM shr) = 849
             AND (SELECT count(*) FROM rshr r JOIN shr s ON s.area_code = r.code
                   WHERE abs(s.shrunk_rate - r.shrunk) <= 1e-9 AND abs(s.weight - r.w) <= 1e-9) = 849
            THEN 'SHRINK OK' ELSE 'SHRINK MISMATCH' END;
SELECT format('pca: %s figures compared, max |d| %s', count(*), max(abs(o.value - rp.value)))
  FROM rpca rp LEFT JOIN names n ON n.r = rp.name
  JOIN ourpca o ON o.case_ = rp.case_ AND o.name = coalesce(n.ours, rp.name);
SELECT CASE WHEN count(*) = 10 AND max(abs(o.value - rp.value)) <= 1e-6 THEN 'PCA OK' ELSE 'PCA MISMATCH' END
  FROM rpca rp LEFT JOIN names n ON n.r = rp.name
  JOIN ourpca o ON o.case_ = rp.case_ AND o.name = coalesce(n.ours, rp.name);
SQL
)
echo "$out"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
if echo "$out" | grep -q "MISMATCH"; then
    echo "r_composite_oracle: FAILED" >&2
    exit 1
fi
echo "r_composite_oracle: OK"
