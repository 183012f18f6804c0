#!/usr/bin/env bash
# Map classes against two independent implementations on the REAL data of the 969 buurten of
# the province of Utrecht (loaded with the extension's loaders):
#   R classInt (classIntervals with largeN = Inf, so fisher is exact; intervalClosure = "right",
#   our closure) for fisher, quantile, equal, pretty, headtails, sd and box: the same class for
#   every buurt, and the same breaks (fisher: the class maxima; others to 1e-12 relative);
#   npm simple-statistics ckmeans for fisher: the same class for every buurt.
# Cases: 9 indicators (counts, shares, money, scores with negative values, many ties) for the
# province with 3, 5 and 7 classes, and every municipality with at least 25 values (fisher,
# quantile, with 4 classes, through GROUP BY). Exits non-zero on any difference.
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_test_classify
tmp=$(mktemp -d)
trap '[ -n "${BM_KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
chmod 777 "$tmp"   # the server (user postgres) writes the values there
NPM_DIR=${BM_NPM_DIR:-/tmp/buurtmonitor-npm}
SS_VERSION=7.8.8

command -v Rscript >/dev/null || { echo "Rscript not found" >&2; exit 1; }
command -v node >/dev/null || { echo "node not found (BM_PACKAGES: nodejs)" >&2; exit 1; }
# Debian ships npm apart from nodejs (NodeSource's nodejs includes it)
command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
if [ ! -f "$NPM_DIR/node_modules/simple-statistics/package.json" ] ||
   ! grep -q "\"version\": \"$SS_VERSION\"" "$NPM_DIR/node_modules/simple-statistics/package.json"; then
    mkdir -p "$NPM_DIR"
    npm install --silent --no-audit --no-fund --prefix "$NPM_DIR" "simple-statistics@$SS_VERSION" >/dev/null
fi

bm_createdb "$DB"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -v datadir="$BUURTMONITOR_DATA" -v tmp="$tmp" <<'SQL'
SET client_min_messages = warning;
\set f :datadir '/utrecht/buurt_2022.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022) AS n \gset
\set f :datadir '/utrecht/kwb2022_leefbaarometer2020_ses.csv'
SELECT buurtmonitor.load_csv(:'f', period => 2022,
       zero_is_suppressed => '{g_wozbag,ses_woa,g_afs_og,g_afs_pp,g_afs_bos,g_afs_ts,g_afs_sog}') AS n \gset

CREATE TABLE vals AS
SELECT o.indicator || ':' || g.grp AS case_, o.area_code, o.value
  FROM buurtmonitor.observations o
  JOIN buurtmonitor.areas a ON a.code = o.area_code AND a.vintage = o.vintage AND a.level = 'buurt'
  CROSS JOIN LATERAL (VALUES ('PV26'), (a.parent_code)) AS w(x)
  CROSS JOIN LATERAL (SELECT CASE WHEN w.x = 'PV26' THEN 'PV26' ELSE 'GM' || substr(a.code, 3, 4) END AS grp) g
 WHERE o.period = 2022 AND o.value IS NOT NULL
   AND o.indicator IN ('a_inw', 'g_wozbag', 'p_koopw', 'lbm_score', 'lbm_onv', 'ses_woa', 'p_25_44',
                       'g_ele', 'g_afs_gs');
DELETE FROM vals WHERE case_ IN (SELECT case_ FROM vals GROUP BY 1 HAVING count(DISTINCT value) < 25);
CREATE TABLE cases AS
SELECT DISTINCT v.case_, m.method, k.classes
  FROM vals v
  CROSS JOIN LATERAL (VALUES ('fisher'), ('quantile'), ('equal'), ('pretty'), ('headtails'), ('sd'), ('box')) m(method)
  CROSS JOIN LATERAL (VALUES (3), (5), (7)) k(classes)
 WHERE v.case_ LIKE '%:PV26'
UNION ALL
SELECT DISTINCT v.case_, m.method, 4 FROM vals v, (VALUES ('fisher'), ('quantile')) m(method)
 WHERE v.case_ NOT LIKE '%:PV26';
DELETE FROM cases WHERE method IN ('headtails', 'box') AND classes <> 3;

\set f :tmp '/values.csv'
COPY (SELECT * FROM vals ORDER BY case_, area_code) TO :'f' WITH (FORMAT csv, HEADER true);
\set f :tmp '/cases.csv'
COPY (SELECT * FROM cases ORDER BY 1, 2, 3) TO :'f' WITH (FORMAT csv, HEADER true);

-- ours: one class_breaks per case through GROUP BY (headtails: no limit; box: 6 classes)
CREATE TABLE our_breaks AS
SELECT c.case_, c.method, c.classes,
       buurtmonitor.class_breaks(v.value, c.method,
           CASE WHEN c.method IN ('headtails', 'box') THEN NULL ELSE c.classes END) AS breaks
  FROM cases c JOIN vals v USING (case_)
 GROUP BY c.case_, c.method, c.classes;
CREATE TABLE ours AS
SELECT b.case_, b.method, b.classes, v.area_code, buurtmonitor.class_of(v.value, b.breaks) AS class
  FROM our_breaks b JOIN vals v USING (case_);
SQL

Rscript "$BM_ROOT/test/classify_oracle.R" "$tmp/values.csv" "$tmp/cases.csv" "$tmp/r_members.csv" "$tmp/r_breaks.csv"
NODE_PATH="$NPM_DIR/node_modules" node "$BM_ROOT/test/classify_oracle.js" "$tmp/values.csv" "$tmp/cases.csv" "$tmp/ss_members.csv"
chmod 644 "$tmp"/*.csv

psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -v tmp="$tmp" <<'SQL'
CREATE TABLE r_members (case_ text, method text, classes int, area_code text, class int);
\set f :tmp '/r_members.csv'
COPY r_members FROM :'f' WITH (FORMAT csv, HEADER true);
CREATE TABLE r_breaks (case_ text, method text, classes int, i int, brk float8);
\set f :tmp '/r_breaks.csv'
COPY r_breaks FROM :'f' WITH (FORMAT csv, HEADER true);
CREATE TABLE ss_members (case_ text, classes int, area_code text, class int);
\set f :tmp '/ss_members.csv'
COPY ss_members FROM :'f' WITH (FORMAT csv, HEADER true);

-- every case R classified: the same class for every buurt
CREATE TABLE diff_r AS
SELECT o.case_, o.method, o.classes, o.area_code, o.class AS ours, r.class AS r
  FROM ours o JOIN r_members r USING (case_, method, classes, area_code)
 WHERE o.class IS DISTINCT FROM r.class;
-- the breaks: fisher (class maxima, data values) exactly, the others to 1e-12 relative
CREATE TABLE diff_breaks AS
SELECT coalesce(o.case_, r.case_) AS case_, coalesce(o.method, r.method) AS method,
       coalesce(o.classes, r.classes) AS classes, coalesce(o.i, r.i) AS i, o.brk AS ours, r.brk AS r
  FROM (SELECT b.case_, b.method, b.classes, u.i::int, u.brk
          FROM our_breaks b, unnest(b.breaks) WITH ORDINALITY u(brk, i)
         WHERE (b.case_, b.method, b.classes) IN (SELECT case_, method, classes FROM r_breaks)) o
  FULL JOIN r_breaks r USING (case_, method, classes, i)
 WHERE o.brk IS NULL OR r.brk IS NULL
    OR (r.method = 'fisher' AND o.brk <> r.brk)
    OR abs(o.brk - r.brk) > 1e-12 * greatest(abs(r.brk), 1e-300);
CREATE TABLE diff_ss AS
SELECT o.case_, o.classes, o.area_code, o.class AS ours, s.class AS ss
  FROM ours o JOIN ss_members s USING (case_, classes, area_code)
 WHERE o.method = 'fisher' AND o.class IS DISTINCT FROM s.class;

SELECT (SELECT count(DISTINCT (case_, method, classes)) FROM r_members) AS r_cases,
       (SELECT count(*) FROM r_members) AS r_memberships,
       (SELECT count(DISTINCT (case_, classes)) FROM ss_members) AS ss_cases,
       (SELECT count(*) FROM ss_members) AS ss_memberships,
       (SELECT count(*) FROM r_members r JOIN ours o USING (case_, method, classes, area_code)) AS r_compared,
       (SELECT count(*) FROM ss_members s JOIN ours o ON o.method = 'fisher' AND (o.case_, o.classes, o.area_code) = (s.case_, s.classes, s.area_code)) AS ss_compared;
SELECT method, count(DISTINCT (case_, classes)) AS cases, count(*) AS differing FROM diff_r GROUP BY 1 ORDER BY 1;
SELECT * FROM diff_breaks ORDER BY 1, 2, 3, 4 LIMIT 20;
SELECT case_, classes, count(*) AS differing FROM diff_ss GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 20;
DO $$ BEGIN
    IF (SELECT count(*) FROM r_members) < 10000 OR (SELECT count(*) FROM ss_members) < 5000 THEN
        RAISE EXCEPTION 'too few cases compared';
    END IF;
    IF (SELECT count(*) FROM diff_r) + (SELECT count(*) FROM diff_breaks) + (SELECT count(*) FROM diff_ss) > 0 THEN
        RAISE EXCEPTION 'map classes differ from classInt or simple-statistics';
    END IF;
END $$;
SQL
echo "classify_oracle: all classes agree with classInt and simple-statistics"
