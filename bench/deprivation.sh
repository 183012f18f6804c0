#!/usr/bin/env bash
# Benchmark: the English IMD 2019 pipeline (32,844 LSOAs, 7 domains) through
# buurtmonitor.composite_index against the same computation in plain SQL with window functions
# (rank() OVER / count(*) OVER for average ties, the exponential transform written in SQL,
# weighted sum, rank() OVER for the index, decile ceil(10 rank / N)), in one run, on the same
# input; the results are checked to be the same.  Then index_sensitivity with 1,000 draws
# (goal < 10 s), with the plain-SQL Monte Carlo (rank() per draw, percentile_cont) timed on
# 20 draws as the peer, per draw.
# Each query runs REPS times (default 5) in alternation; the median is reported.
# Usage: bash bench/deprivation.sh [reps]   (cluster from scripts/common.sh, PGPORT)
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
REPS=${1:-5}
DB=bm_bench_dep

bm_cluster_start
echo "== machine: $(uname -m), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "== PostgreSQL: $(psql -X -At -d postgres -c 'SHOW server_version')"

bm_createdb "$DB"
psql -X -q -d "$DB" -v f="$BUURTMONITOR_DATA/deprivation/england_imd2019_lsoa_ranks.csv" <<'SQL'
CREATE TABLE england_imd2019 (
    lsoa11_code text PRIMARY KEY, imd_decile int, income_decile int, employment_decile int,
    education_decile int, health_decile int, crime_decile int, housing_and_access_decile int,
    environment_decile int, imd_rank int, income_rank int, employment_rank int, education_rank int,
    health_rank int, crime_rank int, housing_and_access_rank int, environment_rank int);
COPY england_imd2019 FROM :'f' WITH (FORMAT csv, HEADER true);
VACUUM ANALYZE england_imd2019;
SQL
echo "== loaded $(psql -X -At -d "$DB" -c 'SELECT count(*) FROM england_imd2019') LSOAs"

OURS="CREATE TEMP TABLE res AS
SELECT area, domain_scores, score, rank, decile
  FROM buurtmonitor.composite_index('england_imd2019', 'england_imd2019', 'lsoa11_code')"

# Average ties from the published min-style ranks: r + (k - 1)/2 with k the size of the tie group.
dom() { # column -> transformed score expression over window functions
    local c=$1
    echo "-23 * ln(1 - ((count(*) OVER () + 1 - (rank() OVER (ORDER BY $c) + (count(*) OVER (PARTITION BY $c) - 1) / 2.0))::float8
                     / count(*) OVER ()) * (1 - exp(-100 / 23.0)))"
}
PLAIN="CREATE TEMP TABLE res AS
WITH d AS (
  SELECT lsoa11_code AS area,
         $(dom income_rank) AS income, $(dom employment_rank) AS employment,
         $(dom education_rank) AS education, $(dom health_rank) AS health,
         $(dom crime_rank) AS crime, $(dom housing_and_access_rank) AS barriers,
         $(dom environment_rank) AS environment
    FROM england_imd2019),
s AS (
  SELECT area, ARRAY[income, employment, education, health, crime, barriers, environment] AS domain_scores,
         (0.225 * income + 0.225 * employment + 0.135 * education + 0.135 * health
          + 0.093 * crime + 0.093 * barriers + 0.093 * environment) / 0.999 AS score
    FROM d)
SELECT area, domain_scores, score, rank() OVER (ORDER BY score DESC) AS rank,
       ceil(10.0 * rank() OVER (ORDER BY score DESC) / count(*) OVER ())::int AS decile
  FROM s"

# One timed run in a fresh session; prints "wall_ms cpu_ms": wall clock from \timing, and the CPU
# time of the server backend (utime + stime from /proc, 10 ms ticks), which other load on a shared
# machine does not inflate.
time_query() {
    local query=$1
    psql -X -q -d "$DB" 2>/dev/null <<SQL | awk '/^cpu0 /{c0=$2} /^cpu1 /{c1=$2} /^Time: /{w=$2} END {printf "%s %d\n", w, (c1 - c0) * 10}'
SET client_min_messages = warning;
SELECT pg_backend_pid() AS pid \gset
\setenv BM_PID :pid
\! awk '{print "cpu0", \$14 + \$15}' /proc/\$BM_PID/stat
\timing on
$query;
\timing off
\! awk '{print "cpu1", \$14 + \$15}' /proc/\$BM_PID/stat
SQL
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "== same results? (ours vs plain SQL)"
psql -X -q -d "$DB" <<SQL
SET client_min_messages = warning;
CREATE TABLE res_ours AS SELECT * FROM buurtmonitor.composite_index('england_imd2019', 'england_imd2019', 'lsoa11_code');
CREATE TABLE res_plain AS ${PLAIN#CREATE TEMP TABLE res AS};
SELECT count(*) AS lsoas, count(*) FILTER (WHERE o.rank = p.rank) AS same_rank,
       count(*) FILTER (WHERE o.decile = p.decile) AS same_decile,
       max(abs(o.score - p.score)) AS max_score_diff,
       count(*) FILTER (WHERE o.rank = e.imd_rank) AS ours_equal_published
  FROM res_ours o JOIN res_plain p USING (area) JOIN england_imd2019 e ON e.lsoa11_code = o.area;
SQL

echo "== composite_index vs plain SQL, $REPS runs each (wall ms / backend CPU ms)"
ours=(); plain=()
for i in $(seq "$REPS"); do
    ours+=("$(time_query "$OURS" | tr ' ' /)")
    plain+=("$(time_query "$PLAIN" | tr ' ' /)")
done
mo=$(printf '%s\n' "${ours[@]}" | cut -d/ -f1 | median); mp=$(printf '%s\n' "${plain[@]}" | cut -d/ -f1 | median)
co=$(printf '%s\n' "${ours[@]}" | cut -d/ -f2 | median); cp=$(printf '%s\n' "${plain[@]}" | cut -d/ -f2 | median)
echo "composite_index  runs: ${ours[*]}  median wall ${mo} ms, CPU ${co} ms"
echo "plain SQL        runs: ${plain[*]}  median wall ${mp} ms, CPU ${cp} ms"
echo "speed-up plain/ours: wall $(awk -v a="$mp" -v b="$mo" 'BEGIN {printf "%.1f", a / b}')x, CPU $(awk -v a="$cp" -v b="$co" 'BEGIN {printf "%.1f", a / b}')x (goal >= 3x)"

echo "== index_sensitivity, 1000 draws, spread 0.25 ($REPS runs, wall ms / backend CPU ms)"
# the ranks of 1,000 draws over 32,844 LSOAs take ~128 MB: one pass needs maintenance_work_mem above that
# (at the default 64 MB the draws run in 3 passes; docs/deprivation.md, memory)
SENS="SET maintenance_work_mem = '256MB'; CREATE TEMP TABLE sens AS SELECT * FROM buurtmonitor.index_sensitivity('england_imd2019', 'england_imd2019', 1000, 1, 0.25, 'lsoa11_code')"
sens=()
for i in $(seq "$REPS"); do sens+=("$(time_query "$SENS" | tr ' ' /)"); done
ms=$(printf '%s\n' "${sens[@]}" | cut -d/ -f1 | median); cs=$(printf '%s\n' "${sens[@]}" | cut -d/ -f2 | median)
echo "index_sensitivity 1000 draws  runs: ${sens[*]}  median wall ${ms} ms, CPU ${cs} ms (goal < 10000 ms)"

echo "== peer: the same Monte Carlo in plain SQL (weights from sensitivity_weights, rank() per draw,"
echo "   percentile_cont), 20 draws, once; and index_sensitivity with 20 draws"
SQLMC="CREATE TEMP TABLE mc AS
WITH w AS (SELECT draw, weights AS w FROM buurtmonitor.sensitivity_weights(
             ARRAY[0.225, 0.225, 0.135, 0.135, 0.093, 0.093, 0.093], 20, 1, 0.25)),
     r AS (SELECT draw, area, rank() OVER (PARTITION BY draw ORDER BY
             w[1]*s[1] + w[2]*s[2] + w[3]*s[3] + w[4]*s[4] + w[5]*s[5] + w[6]*s[6] + w[7]*s[7] DESC) AS rk
             FROM (SELECT area, domain_scores AS s FROM res_ours) e CROSS JOIN w)
SELECT area, percentile_cont(ARRAY[0.05, 0.5, 0.95]) WITHIN GROUP (ORDER BY rk) AS q FROM r GROUP BY area"
read -r tsql csql <<<"$(time_query "$SQLMC")"
read -r t20 c20 <<<"$(time_query "CREATE TEMP TABLE sens AS SELECT * FROM buurtmonitor.index_sensitivity('england_imd2019', 'england_imd2019', 20, 1, 0.25, 'lsoa11_code')")"
echo "plain SQL 20 draws: wall ${tsql} ms, CPU ${csql} ms ($(awk -v a="$csql" 'BEGIN {printf "%.0f", a / 20}') ms CPU per draw; 1000 draws would take ~$(awk -v a="$csql" 'BEGIN {printf "%.0f", a / 20}') s CPU)"
echo "index_sensitivity 20 draws: wall ${t20} ms, CPU ${c20} ms (including reading and transforming the table once)"
echo "per-draw CPU speed-up SQL/ours at 1000 draws: $(awk -v a="$csql" -v b="$cs" 'BEGIN {printf "%.0f", (a / 20) / (b / 1000)}')x"

psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null
