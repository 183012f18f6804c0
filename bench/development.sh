#!/usr/bin/env bash
# Benchmark: buurtmonitor.development() (C) against the same table written by hand in SQL
# with window functions (bench/development_sql.sql), on a SYNTHETIC NL-scale data set
# (bench/development_data.sql: 15,640 areas, 10 periods, 50 indicators, 7.8 million observations)
# in a database of its own. Both runs materialise their result (CREATE TEMP TABLE AS) in one
# session, twice, alternating (best time of each counts); then the columns both compute are
# compared (relative tolerance 1e-9).
# Usage: bash bench/development.sh   (cluster up, PGHOST/PGPORT/PGUSER set; BENCH_KEEP=1 reuses the data)
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${BENCH_DB:-bm_bench_dev}

echo "== machine: $(uname -m), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== PostgreSQL: $(psql -d postgres -Atc 'SHOW server_version')"

if [ "${BENCH_KEEP:-0}" = 1 ] && psql -d "$DB" -Atc "SELECT 1 FROM buurtmonitor.indicators WHERE code = 'bench_c1'" 2>/dev/null | grep -q 1; then
    echo "== reusing the data in $DB"
else
    echo "== generating the synthetic data set in database $DB"
    psql -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
    psql -q -d "$DB" -c "CREATE EXTENSION buurtmonitor CASCADE"
    start=$(date +%s)
    psql -q -d "$DB" -f bench/development_data.sql
    echo "   generated in $(( $(date +%s) - start )) s"
fi

psql -d "$DB" -v ON_ERROR_STOP=1 -q <<'SQL'
SET work_mem = '256MB';
SELECT count(*) AS observations, count(DISTINCT indicator) AS indicators, count(DISTINCT period) AS periods
  FROM buurtmonitor.observations \gset
\echo == data: :observations observations, :indicators indicators, :periods periods
-- warm the cache once for both
SELECT count(*) FROM buurtmonitor.observations \g /dev/null

-- two rounds, alternating, each result materialised; the best time of each counts
\set round 1
\i bench/development_round.sql
\set round 2
DROP TABLE s_out;
DROP TABLE c_out;
\i bench/development_round.sql
SELECT least(:sql_s_1, :sql_s_2) AS sql_s, least(:c_s_1, :c_s_2) AS c_s \gset
SELECT (SELECT count(*) FROM c_out) AS c_rows, (SELECT count(*) FROM s_out) AS s_rows \gset
\echo == hand-written SQL (window functions): :sql_s_1 s and :sql_s_2 s, :s_rows rows
\echo == development() (C):                    :c_s_1 s and :c_s_2 s, :c_rows rows
SELECT round(:sql_s / :c_s, 2) AS ratio \gset
\echo == ratio SQL / C (best of two each): :ratio x

-- identical numbers on the shared columns (relative tolerance 1e-9; NULL must match NULL)
CREATE FUNCTION pg_temp.same(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT (a IS NULL AND b IS NULL) OR abs(a - b) <= 1e-9 * greatest(1, abs(b)) $$;
SELECT count(*) AS compared,
       count(*) FILTER (WHERE c.area_code IS NULL OR s.area_code IS NULL) AS unmatched_rows,
       count(*) FILTER (WHERE NOT (pg_temp.same(c.value, s.value) AND pg_temp.same(c.reference_value, s.reference_value)
                                  AND pg_temp.same(c.index, s.index) AND pg_temp.same(c.difference, s.difference)
                                  AND pg_temp.same(c.z_score, s.z_score) AND pg_temp.same(c.change, s.change)
                                  AND pg_temp.same(c.change_pct, s.change_pct)
                                  AND pg_temp.same(c.base_change, s.base_change)
                                  AND c.trend_n = s.trend_n AND pg_temp.same(c.ols_slope, s.ols_slope))) AS differing_rows
  FROM c_out c FULL JOIN s_out s USING (area_code, indicator, period) \gset
\echo == compared :compared rows: :unmatched_rows unmatched, :differing_rows with a differing value
SQL
