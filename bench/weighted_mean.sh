#!/usr/bin/env bash
# Benchmark: buurtmonitor.weighted_mean(v, w) against the plain SQL sum(v*w)/sum(w) on the same
# 10 million rows, serial (max_parallel_workers_per_gather = 0) and parallel (2 workers).
# Also times ratio_of_sums against sum(n)/sum(d).  Each query runs REPS times (default 7) in
# alternation; the median is reported with the ratio ours / plain SQL and the machine.
# Usage: bash bench/weighted_mean.sh [rows] [reps]   (cluster from scripts/common.sh, PGPORT)
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
ROWS=${1:-10000000}
REPS=${2:-7}
DB=bm_bench_agg

bm_cluster_start
echo "== machine: $(uname -m), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "== PostgreSQL: $(psql -X -At -d postgres -c 'SHOW server_version')"

if [ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$DB'")" = 1 ] &&
   [ "$(psql -X -At -d "$DB" -c "SELECT count(*) FROM pg_class WHERE relname = 'bench_rows'")" = 1 ] &&
   [ "$(psql -X -At -d "$DB" -c "SELECT count(*) FROM bench_rows")" = "$ROWS" ]; then
    echo "== reusing $ROWS rows in $DB"
    psql -X -q -d "$DB" -c "ALTER EXTENSION buurtmonitor UPDATE" >/dev/null 2>&1 || true
else
    echo "== creating $ROWS rows in $DB"
    bm_createdb "$DB"
    # Values of mixed magnitude and sign (incomes, scores), weights 1..5000 (inhabitants).
    psql -X -q -d "$DB" <<SQL
SELECT setseed(0.5) \gset
CREATE TABLE bench_rows AS
SELECT (random() - 0.3) * 10 ^ (random() * 6) AS v, floor(random() * 5000) + 1 AS w
  FROM generate_series(1, $ROWS);
ALTER TABLE bench_rows SET (parallel_workers = 2);
VACUUM ANALYZE bench_rows;
SQL
fi
# Warm the cache.
psql -X -q -d "$DB" -c "SELECT count(*) FROM bench_rows" >/dev/null

# One timed run of a query in a fresh session with the given worker setting; prints milliseconds.
time_query() {
    local workers=$1 query=$2
    psql -X -q -d "$DB" <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
SET max_parallel_workers_per_gather = $workers;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
\\o /dev/null
\\timing on
$query;
SQL
}

# Median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

OURS_MEAN="SELECT buurtmonitor.weighted_mean(v, w) FROM bench_rows"
PLAIN_MEAN="SELECT sum(v * w) / sum(w) FROM bench_rows"
OURS_RATIO="SELECT buurtmonitor.ratio_of_sums(v, w) FROM bench_rows"
PLAIN_RATIO="SELECT sum(v) / sum(w) FROM bench_rows"

echo "== results agree (ours vs plain SQL, serial):"
psql -X -d "$DB" -c "SET max_parallel_workers_per_gather = 0" \
     -c "SELECT buurtmonitor.weighted_mean(v, w) AS ours, sum(v * w) / sum(w) AS plain_sql,
                sum(v::numeric * w::numeric) / sum(w::numeric) AS exact_numeric FROM bench_rows"

printf '%-28s %8s %12s %12s %8s\n' "case" "workers" "ours ms" "plain ms" "ratio"
for workers in 0 2; do
    for pair in "weighted_mean|$OURS_MEAN|$PLAIN_MEAN" "ratio_of_sums|$OURS_RATIO|$PLAIN_RATIO"; do
        IFS='|' read -r name ours plain <<<"$pair"
        : >"/tmp/bm_bench_ours.$$"; : >"/tmp/bm_bench_plain.$$"
        for _ in $(seq "$REPS"); do
            time_query "$workers" "$ours" >>"/tmp/bm_bench_ours.$$"
            time_query "$workers" "$plain" >>"/tmp/bm_bench_plain.$$"
        done
        o=$(median <"/tmp/bm_bench_ours.$$"); p=$(median <"/tmp/bm_bench_plain.$$")
        printf '%-28s %8s %12.1f %12.1f %8.2f\n' "$name" "$workers" "$o" "$p" "$(echo "$o / $p" | bc -l)"
    done
done
rm -f "/tmp/bm_bench_ours.$$" "/tmp/bm_bench_plain.$$"
echo "(ratio = ours / plain SQL, median of $REPS runs each; goal: at most 1.5)"
