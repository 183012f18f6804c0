#!/usr/bin/env bash
# Concurrency: eight pgbench sessions (127.0.0.1, bounded in time) at once load observations with
# on_conflict => 'update' (real Utrecht key figures 2022 and synthetic 2023 figures, rows in a
# random order), build crosswalks (Deventer 2018 <-> 2022, buurt and wijk), create layer, wide and
# map views, roll up (rollup, rollup_to_observations) and run development().
# Passes when no call fails (docs/loading.md: the functions serialise themselves, so a client
# needs no retries) and the final state is the one a serial run of the same work gives:
#   - 2023: per (area, indicator) the value of the load that committed last (from a log written
#     in each load's own transaction, in commit order), numerators and denominators of the share
#     from the final base value, and the roll-up of the final values to gemeenten (sums computed
#     here in SQL, not by rollup());
#   - 2022: exactly the rows of one serial load of the real file;
#   - crosswalks: exactly the rows of a serial build; every created view readable.
# Every call runs through conc.run(), which catches an error and records its SQLSTATE, so the
# error counts of all kinds are reported (pgbench itself would stop a client at the first error).
set -euo pipefail
: "${BUURTMONITOR_DATA:?}" "${PGPORT:?}"
db=bm_concurrency
secs=${BM_CONCURRENCY_SECONDS:-15}
work=$(mktemp -d /tmp/bm_concurrency.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
echo "== setup: Deventer 2018/2022 buurten, Utrecht key figures 2022, serial crosswalks"
psql -qX -d $db -v ON_ERROR_STOP=1 -v datadir="$BUURTMONITOR_DATA" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION buurtmonitor CASCADE;
\set f :datadir '/deventer/buurt_2018.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2018);
\set f :datadir '/deventer/buurt_2022.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022);

CREATE SCHEMA conc;
-- the real key figures 2022 of 300 of the 969 Utrecht buurten (the first codes: Amersfoort, Baarn,
-- De Bilt, ...), staged once; a smaller file keeps the test quick on a busy machine
\set f :datadir '/utrecht/kwb2022_leefbaarometer2020_ses.csv'
SELECT buurtmonitor.stage_csv(:'f');
CREATE TABLE conc.kwb AS SELECT * FROM pg_temp._bm_stage ORDER BY buurt_code LIMIT 300;
-- one serial load: the expected end state of every concurrent reload of (parts of) this file
CREATE FUNCTION conc.load_real(codes text[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
    DROP TABLE IF EXISTS pg_temp.real_stage;
    -- rows in a random order, as files come
    CREATE TEMP TABLE real_stage AS
        SELECT * FROM conc.kwb k WHERE codes IS NULL OR k.buurt_code = ANY (codes) ORDER BY random();
    n := buurtmonitor.load_observations('pg_temp.real_stage', period => 2022, on_conflict => 'update',
             zero_is_suppressed => '{g_wozbag,ses_woa,g_afs_og,g_afs_pp,g_afs_bos,g_afs_ts,g_afs_sog}');
    DROP TABLE pg_temp.real_stage;
    RETURN n;
END $$;
SELECT conc.load_real(NULL);
CREATE TABLE conc.expected_2022 AS
    SELECT area_code, vintage, period, indicator, value, numerator, denominator, status
      FROM buurtmonitor.observations WHERE period = 2022 AND area_code LIKE 'BU%';
CREATE TABLE conc.codes AS SELECT buurt_code AS code FROM conc.kwb;

-- the crosswalks as a serial build makes them
SELECT buurtmonitor.build_crosswalk(f, t, lv)
  FROM (VALUES (2018, 2022, 'buurt'), (2022, 2018, 'buurt'), (2018, 2022, 'wijk'), (2022, 2018, 'wijk')) p(f, t, lv);
CREATE TABLE conc.expected_crosswalks AS SELECT * FROM buurtmonitor.crosswalks;

-- synthetic 2023 figures (vintage 2022) for a random sample of the buurten, in a random order:
-- a_inw and a_woning (counts) and p_koopw (a share with base a_woning). Every load writes
-- value = version + a per-row offset, and logs what it wrote with its place in the commit order.
CREATE TABLE conc.counter (n bigint NOT NULL);
INSERT INTO conc.counter VALUES (0);
CREATE TABLE conc.load_log (seq bigint, area_code text, indicator text, value double precision);
CREATE FUNCTION conc.load_synthetic(version integer, n_areas integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE loaded integer; s bigint;
BEGIN
    DROP TABLE IF EXISTS pg_temp.syn_stage;
    CREATE TEMP TABLE syn_stage AS
        SELECT c.code AS area_code, i.indicator,
               CASE WHEN i.indicator = 'p_koopw' THEN (version % 100) + 0.25
                    ELSE version + 10 * i.k + length(c.code) END AS value
          FROM (SELECT code FROM conc.codes ORDER BY random() LIMIT n_areas) c,
               (VALUES ('a_inw', 1), ('a_woning', 2), ('p_koopw', 3)) i(indicator, k)
         ORDER BY random();
    loaded := buurtmonitor.load_observations('pg_temp.syn_stage', period => 2023, vintage => 2022,
                                        on_conflict => 'update', source => 'synthetic');
    -- the row lock on the counter is held to commit: seq follows the commit order of the loads
    UPDATE conc.counter SET n = n + 1 RETURNING n INTO s;
    INSERT INTO conc.load_log SELECT s, area_code, indicator, value FROM pg_temp.syn_stage;
    DROP TABLE pg_temp.syn_stage;
    RETURN loaded;
END $$;

-- wait for the next quarter second and return its number: sessions that call it together start together
CREATE FUNCTION conc.sync() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(0.25 - mod(extract(epoch FROM clock_timestamp())::numeric, 0.25));
    RETURN (extract(epoch FROM clock_timestamp()) * 4)::bigint;
END $$;
-- every call of the workload goes through run(): an error is recorded, not raised
CREATE TABLE conc.errors (kind text, sqlstate text, message text);
CREATE FUNCTION conc.run(kind text, call text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
    EXECUTE call;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    INSERT INTO conc.errors VALUES (kind, st, msg);
END $$;
SQL

# the workload: one script per kind of work (weights after @)
cat > "$work/load_real.sql" <<'SQL'
SELECT conc.run('load real 2022', format('SELECT conc.load_real(%L)',
       (SELECT array_agg(code) FROM (SELECT code FROM conc.codes ORDER BY random() LIMIT 100) c)));
SQL
cat > "$work/load_synthetic.sql" <<'SQL'
\set version random(1, 1000000)
SELECT conc.run('load synthetic 2023', format('SELECT conc.load_synthetic(%s, 150)', :version));
SQL
# The quick calls (a crosswalk build takes some 30 ms) start together: conc.sync() waits for the
# next quarter second, and the crosswalk, view and schema are picked by that time, so sessions in
# these scripts race to build the same crosswalk and to create the same new view and schema.
for round in 1 2 3 4; do
    echo "SELECT conc.run('build_crosswalk', format('SELECT buurtmonitor.build_crosswalk(%s)',
          (ARRAY['2018, 2022', '2022, 2018', '2018, 2022, ''wijk''', '2022, 2018, ''wijk'''])[1 + conc.sync() % 4]));"
done > "$work/crosswalk.sql"
for round in 1 2 3; do
    echo "SELECT conc.run('create_layer_views', format('SELECT buurtmonitor.create_layer_views(%L)',
          'layers_' || conc.sync() / 8));"
    echo "SELECT conc.run('create_wide_view', format(
          'SELECT buurtmonitor.create_wide_view(%L, ''{a_inw,a_woning,p_koopw}'', ''buurt'', 2023, 2022)',
          'wide_' || conc.sync() / 8));"
    echo "SELECT conc.run('create_map_layer', format(
          'SELECT buurtmonitor.create_map_layer(''buurt'', 2022, ''a_inw'', 2022, target_schema => %L)',
          'maps_' || conc.sync() / 8));"
done > "$work/views.sql"
cat > "$work/rollup.sql" <<'SQL'
SELECT conc.run('rollup', 'SELECT count(*) FROM buurtmonitor.rollup(''gemeente'', 2023, vintage => 2022)');
SELECT conc.run('rollup_to_observations',
       'SELECT buurtmonitor.rollup_to_observations(''gemeente'', 2023, ''{a_inw,a_woning,p_koopw}'', 2022)');
SELECT conc.run('rollup_to_observations', 'SELECT buurtmonitor.rollup_to_observations(''wijk'', 2022, vintage => 2022)');
SQL
cat > "$work/development.sql" <<'SQL'
SELECT conc.run('development', 'SELECT count(*) FROM buurtmonitor.development(''buurt'', ''{a_inw,a_woning,p_koopw}'', 2022)');
SQL

echo "== pgbench: 8 sessions for ${secs} s (setup took ${SECONDS} s)"
pgbench -n -h 127.0.0.1 -c 8 -j 2 -T "$secs" -d $db \
    -f "$work/load_real.sql@2" -f "$work/load_synthetic.sql@5" -f "$work/crosswalk.sql@3" \
    -f "$work/views.sql@3" -f "$work/rollup.sql@2" -f "$work/development.sql@1" > "$work/pgbench.out" 2>&1 \
    || { cat "$work/pgbench.out"; echo "pgbench failed"; exit 1; }
grep -E '^(number of (transactions|failed)|tps)|SQL script| - [0-9]+ transactions' "$work/pgbench.out" || true

echo "== checks (${SECONDS} s)"
# the serial end of the same work: one more roll-up of the final 2023 values
psql -qX -d $db -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
     -c "SELECT buurtmonitor.rollup_to_observations('gemeente', 2023, '{a_inw,a_woning,p_koopw}', 2022)" >/dev/null

psql -qXAt -d $db -v ON_ERROR_STOP=1 -F ' ' > "$work/checks.out" <<'SQL'
-- errors of each kind (none expected)
SELECT 'error', kind, sqlstate, count(*), min(message) FROM conc.errors GROUP BY 1, 2, 3 ORDER BY 2, 3;
SELECT 'info', 'synthetic loads committed', count(DISTINCT seq) FROM conc.load_log;
-- 2023: the last committed load wins per (area, indicator)
WITH expected AS (
    SELECT DISTINCT ON (area_code, indicator) area_code, indicator, value
      FROM conc.load_log ORDER BY area_code, indicator, seq DESC),
actual AS (
    SELECT area_code, indicator, value FROM buurtmonitor.observations
     WHERE period = 2023 AND vintage = 2022 AND area_code LIKE 'BU%'),
diff AS ((SELECT * FROM expected EXCEPT SELECT * FROM actual) UNION ALL (SELECT * FROM actual EXCEPT SELECT * FROM expected))
SELECT 'fail', '2023 rows that differ from the last committed load', count(*) FROM diff HAVING count(*) > 0;
-- 2023: the share's numerator and denominator follow the final base value of its area
SELECT 'fail', 'p_koopw 2023 with a stale denominator', count(*)
  FROM buurtmonitor.observations s
  LEFT JOIN buurtmonitor.observations b
         ON b.area_code = s.area_code AND b.vintage = s.vintage AND b.period = s.period AND b.indicator = 'a_woning'
 WHERE s.period = 2023 AND s.indicator = 'p_koopw' AND s.area_code LIKE 'BU%'
   AND (s.denominator IS DISTINCT FROM b.value
        OR abs(s.numerator - s.value * b.value / 100) > 1e-9 * abs(s.value * b.value / 100))
HAVING count(*) > 0;
-- 2023 roll-up to gemeenten against sums computed here from the expected values
WITH expected AS (
    SELECT DISTINCT ON (area_code, indicator) area_code, indicator, value
      FROM conc.load_log ORDER BY area_code, indicator, seq DESC),
w AS (
    SELECT 'GM' || substr(e.area_code, 3, 4) AS gm, e.indicator, e.value, b.value AS base
      FROM expected e LEFT JOIN expected b ON b.area_code = e.area_code AND b.indicator = 'a_woning'),
sums AS (
    SELECT gm, indicator,
           CASE WHEN indicator = 'p_koopw' THEN 100 * sum(value * base / 100) FILTER (WHERE base IS NOT NULL)
                                                    / sum(base) FILTER (WHERE base IS NOT NULL)
                ELSE sum(value) END AS value
      FROM w GROUP BY gm, indicator)
SELECT 'fail', 'gemeente roll-ups 2023 that differ from the sums', count(*)
  FROM sums s FULL JOIN (SELECT * FROM buurtmonitor.observations WHERE period = 2023 AND area_code LIKE 'GM%') o
    ON o.area_code = s.gm AND o.indicator = s.indicator
 WHERE s.value IS NOT NULL AND (o.value IS NULL OR abs(o.value - s.value) > 1e-9 * abs(s.value))
    OR s.value IS NULL AND o.value IS NOT NULL
HAVING count(*) > 0;
-- 2022: exactly the serial load of the real file
WITH actual AS (
    SELECT area_code, vintage, period, indicator, value, numerator, denominator, status
      FROM buurtmonitor.observations WHERE period = 2022 AND area_code LIKE 'BU%'),
diff AS ((SELECT * FROM conc.expected_2022 EXCEPT SELECT * FROM actual)
         UNION ALL (SELECT * FROM actual EXCEPT SELECT * FROM conc.expected_2022))
SELECT 'fail', '2022 rows that differ from a serial load', count(*) FROM diff HAVING count(*) > 0;
-- crosswalks: exactly the serial build
WITH diff AS ((SELECT * FROM conc.expected_crosswalks EXCEPT SELECT * FROM buurtmonitor.crosswalks)
              UNION ALL (SELECT * FROM buurtmonitor.crosswalks EXCEPT SELECT * FROM conc.expected_crosswalks))
SELECT 'fail', 'crosswalk rows that differ from a serial build', count(*) FROM diff HAVING count(*) > 0;
-- every view made by the workload has its comment and can be read
SELECT 'info', 'views created', count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'v' AND (n.nspname ~ '^(layers|maps)_' OR c.relname LIKE 'wide\_%');
SELECT 'fail', 'views without their comment', count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'v' AND (n.nspname ~ '^(layers|maps)_' OR c.relname LIKE 'wide\_%')
   AND obj_description(c.oid, 'pg_class') NOT LIKE 'buurtmonitor %'
HAVING count(*) > 0;
SQL
psql -qXAt -d $db -v ON_ERROR_STOP=1 -c "SELECT format('SELECT * FROM %I.%I LIMIT 1;', n.nspname, c.relname)
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'v' AND (n.nspname ~ '^(layers|maps)_' OR c.relname LIKE 'wide\_%')" \
  | psql -qXAt -d $db -v ON_ERROR_STOP=1 >/dev/null
cat "$work/checks.out"
[ -n "${BM_CONCURRENCY_KEEP:-}" ] || psql -qX -d postgres -c "DROP DATABASE $db" >/dev/null
if grep -qE '^(error|fail) ' "$work/checks.out"; then
    echo "concurrency: FAILED"; exit 1
fi
echo "concurrency: no errors, final state as in a serial run (${SECONDS} s)"
