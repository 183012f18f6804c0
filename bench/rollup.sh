#!/usr/bin/env bash
# Benchmark: buurtmonitor.rollup() against the plain SQL a user would write for the same roll-up
# (a GROUP BY over buurt -> wijk -> gemeente self-joins with the base joined in), on an NL-scale
# case built from the real Utrecht province file: the 969 buurten and their 31 indicators copied
# COPIES times (default 14: 13,566 buurten, 3,108 wijken, 364 gemeenten, 420,546 observations).
# Both give the same values (checked); rollup() also computes n_missing, coverage and partial.
# Prints the timings (best of RUNS), the ratio and the machine.
#   bash bench/rollup.sh            (PGPORT selects the throwaway cluster, as for the tests)
set -euo pipefail
source "$(dirname "$0")/../scripts/common.sh"
COPIES=${COPIES:-14}
RUNS=${RUNS:-3}
DB=bm_bench_rollup

bm_cluster_start
bm_createdb "$DB"

echo "== build the case: $COPIES copies of the Utrecht province buurten"
psql -X -q -d "$DB" -v datadir="$BUURTMONITOR_DATA" -v copies="$COPIES" <<'SQL'
\set csvfile :datadir/utrecht/kwb2022_leefbaarometer2020_ses.csv
CREATE TEMP TABLE ut_raw (line text);
COPY ut_raw FROM :'csvfile' WITH (FORMAT text);
-- the header gives the column names; the rows are read as CSV through a second COPY
CREATE TEMP TABLE ut_stage (
    idx text, buurt_code text, gm_naam text, regio text,
    c01 text, c02 text, c03 text, c04 text, c05 text, c06 text, c07 text, c08 text, c09 text, c10 text,
    c11 text, c12 text, c13 text, c14 text, c15 text, c16 text, c17 text, c18 text, c19 text, c20 text,
    c21 text, c22 text, c23 text, c24 text, c25 text, c26 text, c27 text, c28 text, c29 text, c30 text, c31 text);
COPY ut_stage FROM :'csvfile' WITH (FORMAT csv, HEADER true);
CREATE TEMP TABLE ut_cols AS
SELECT k - 4 AS pos, h[k] AS name
  FROM (SELECT string_to_array(line, ',') AS h FROM ut_raw LIMIT 1) x, generate_subscripts(h, 1) k WHERE k > 4;
CREATE TEMP TABLE ut_long AS
SELECT s.buurt_code, a.indicator, nullif(v.val, '')::double precision AS value
  FROM ut_stage s
  CROSS JOIN LATERAL unnest(ARRAY[c01,c02,c03,c04,c05,c06,c07,c08,c09,c10,c11,c12,c13,c14,c15,c16,c17,c18,
                                  c19,c20,c21,c22,c23,c24,c25,c26,c27,c28,c29,c30,c31]) WITH ORDINALITY v(val, pos)
  JOIN ut_cols c ON c.pos = v.pos
  JOIN buurtmonitor.indicator_aliases a ON a.alias = c.name;
-- copy k of a code: 'K07_' || code
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT DISTINCT format('K%s_GM%s', k, substr(buurt_code, 3, 4)), 2022, gm_naam, 'gemeente', NULL::text
  FROM ut_stage, generate_series(1, :copies) k;
INSERT INTO buurtmonitor.areas (code, vintage, level, parent_code)
SELECT DISTINCT format('K%s_WK%s', k, substr(buurt_code, 3, 6)), 2022, 'wijk', format('K%s_GM%s', k, substr(buurt_code, 3, 4))
  FROM ut_stage, generate_series(1, :copies) k;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT format('K%s_%s', k, buurt_code), 2022, regio, 'buurt', format('K%s_WK%s', k, substr(buurt_code, 3, 6))
  FROM ut_stage, generate_series(1, :copies) k;
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, status)
SELECT format('K%s_%s', k, l.buurt_code), 2022, 2022, l.indicator, l.value,
       CASE WHEN l.value IS NULL THEN 'suppressed' ELSE 'observed' END
  FROM ut_long l, generate_series(1, :copies) k;
ANALYZE buurtmonitor.areas;
ANALYZE buurtmonitor.observations;
SELECT level, count(*) FROM buurtmonitor.areas GROUP BY level ORDER BY level;
SELECT count(*) AS observations FROM buurtmonitor.observations;
SQL

echo "== time rollup('gemeente', 2022) against plain SQL (best of $RUNS)"
psql -X -q -d "$DB" -v runs="$RUNS" <<'SQL'
-- the plain SQL a user would write: fixed two-step parent join, kinds by CASE
CREATE TEMP VIEW plain AS
WITH p AS (
    SELECT b.code AS leaf, g.code AS anc
      FROM buurtmonitor.areas b
      JOIN buurtmonitor.areas w ON w.code = b.parent_code AND w.vintage = b.vintage
      JOIN buurtmonitor.areas g ON g.code = w.parent_code AND g.vintage = w.vintage
     WHERE b.level = 'buurt' AND g.level = 'gemeente' AND b.vintage = 2022)
SELECT p.anc AS area_code, o.indicator,
       CASE WHEN i.kind = 'count' THEN sum(o.value)
            ELSE sum(o.value * bo.value) / nullif(sum(bo.value) FILTER (WHERE o.value IS NOT NULL), 0) END AS value
  FROM p
  JOIN buurtmonitor.observations o ON o.area_code = p.leaf AND o.vintage = 2022 AND o.period = 2022
  JOIN buurtmonitor.indicators i ON i.code = o.indicator AND NOT (i.kind = 'score' AND i.denominator IS NULL)
  LEFT JOIN buurtmonitor.observations bo ON bo.area_code = o.area_code AND bo.vintage = o.vintage
        AND bo.period = o.period AND bo.indicator = i.denominator
 GROUP BY p.anc, o.indicator, i.kind;

-- run a query n times, return the best wall time in ms
CREATE FUNCTION pg_temp.best_ms(q text, n integer) RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; best double precision := 'Infinity'; c double precision;
BEGIN
    FOR i IN 1..n LOOP
        t0 := clock_timestamp();
        EXECUTE q INTO c;
        best := least(best, 1000 * extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
    RETURN best;
END $$;

CREATE TEMP TABLE timing AS
-- sum(value) makes both compute every value (a bare count(*) lets the planner drop the
-- unused aggregates of the view, and with them the join to the base)
SELECT pg_temp.best_ms('SELECT count(*) + coalesce(sum(value), 0) FROM buurtmonitor.rollup(''gemeente'', 2022, vintage => 2022)', :runs) AS ours_ms,
       pg_temp.best_ms('SELECT count(*) + coalesce(sum(value), 0) FROM plain', :runs) AS plain_ms;

-- same values (relative 1e-9; NULL on both sides counts as equal)
SELECT count(*) AS result_rows,
       count(*) FILTER (WHERE NOT (r.value IS NULL AND p.value IS NULL)
                          AND (r.value IS NULL OR p.value IS NULL
                               OR abs(r.value - p.value) > 1e-9 * greatest(abs(p.value), 1))) AS differing
  FROM buurtmonitor.rollup('gemeente', 2022, vintage => 2022) r
  FULL JOIN plain p USING (area_code, indicator);

SELECT round(ours_ms::numeric, 1) AS rollup_ms, round(plain_ms::numeric, 1) AS plain_sql_ms,
       round((ours_ms / plain_ms)::numeric, 2) AS ratio_rollup_over_plain
  FROM timing;
SQL

echo "== machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
[ -n "${KEEP_DB:-}" ] || psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null
