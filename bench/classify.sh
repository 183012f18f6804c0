#!/usr/bin/env bash
# Exact natural breaks: buurtmonitor.class_breaks(value, 'fisher', 7) against R classInt
# classIntervals(style = "fisher", largeN = Inf) (exact, no sampling) on the same 15,000 values
# (about the number of Dutch buurten), and 1,000,000 values exactly. Checks that the classes are
# the same (class maxima) and prints the times and their ratio with the machine. Timings count
# only on a quiet machine (docs/performance.md).
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_bench_classify
tmp=$(mktemp -d); chmod 777 "$tmp"
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
bm_createdb "$DB"
# seeded, skewed values with ties (rounded to 0.1), like WOZ values or densities
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -v tmp="$tmp" <<'SQL'
SELECT setseed(0.13);
CREATE TABLE v15k AS SELECT round((exp(random() * 3) * 100)::numeric, 1)::float8 AS v FROM generate_series(1, 15000);
CREATE TABLE v1m AS SELECT round((exp(random() * 3) * 100)::numeric, 1)::float8 AS v FROM generate_series(1, 1000000);
\set f :tmp '/v15k.csv'
COPY v15k TO :'f' WITH (FORMAT csv);
SQL
ours=$(psql -X -At -q -d "$DB" <<'SQL'
SET work_mem = '256MB'; SET max_parallel_workers_per_gather = 0;
\timing on
SELECT buurtmonitor.class_breaks(v, 'fisher', 7) FROM v15k;
SQL
)
echo "buurtmonitor 15,000 values: $(echo "$ours" | head -1)  ($(echo "$ours" | grep -o 'Time: [0-9.]* ms'))"
chmod 644 "$tmp/v15k.csv"
r=$(Rscript -e "suppressPackageStartupMessages(library(classInt)); x <- read.csv('$tmp/v15k.csv', header = FALSE)[[1]];
  t <- system.time(ci <- classIntervals(x, 7, style = 'fisher', largeN = Inf))[['elapsed']];
  cat(paste0('{', paste(sprintf('%.17g', c(min(x), rev(attr(ci, 'parameters')[, 'max']))), collapse = ','), '}'), t * 1000, '\n')")
echo "classInt fisher largeN = Inf: $r ms"
same() { python3 -c "import sys; a, b = (list(map(float, x.strip('{}').split(','))) for x in sys.argv[1:3]); sys.exit(a != b)" "$1" "$2"; }
same "$(echo "$ours" | head -1)" "$(echo "$r" | cut -d' ' -f1)" || { echo "classes differ from classInt" >&2; exit 1; }
ms_ours=$(echo "$ours" | grep -o 'Time: [0-9.]*' | head -1 | cut -d' ' -f2)
ms_r=$(echo "$r" | cut -d' ' -f2)
echo "same classes; ratio classInt / buurtmonitor: $(echo "$ms_r / $ms_ours" | bc -l | cut -c1-8)"
big=$(psql -X -At -q -d "$DB" <<'SQL'
SET work_mem = '256MB'; SET max_parallel_workers_per_gather = 0;
\timing on
SELECT buurtmonitor.class_breaks(v, 'fisher', 7) FROM v1m;
SQL
)
echo "buurtmonitor 1,000,000 values exact: $(echo "$big" | head -1)  ($(echo "$big" | grep -o 'Time: [0-9.]* ms'))"
# correctness of the million: simple-statistics ckmeans (exact, test/classify_oracle.sh installs it)
psql -X -q -d "$DB" -v tmp="$tmp" -c "COPY v1m TO '$tmp/v1m.csv' WITH (FORMAT csv)"
chmod 644 "$tmp/v1m.csv"
NPM_DIR=${BM_NPM_DIR:-/tmp/buurtmonitor-npm}
[ -d "$NPM_DIR/node_modules/simple-statistics" ] ||
    npm install --silent --no-audit --no-fund --prefix "$NPM_DIR" simple-statistics@7.8.8 >/dev/null
ss=$(NODE_PATH="$NPM_DIR/node_modules" node -e "
  const ss = require('simple-statistics');
  const x = require('fs').readFileSync('$tmp/v1m.csv', 'utf8').trim().split('\n').map(Number);
  const t0 = Date.now(); const cl = ss.ckmeans(x, 7); const t = Date.now() - t0;
  console.log('{' + [cl[0][0]].concat(cl.map((c) => c[c.length - 1])).join(',') + '} ' + t);")
echo "simple-statistics ckmeans 1,000,000 values: $ss ms"
same "$(echo "$big" | head -1)" "$(echo "$ss" | cut -d' ' -f1)" || { echo "1,000,000 values: classes differ from simple-statistics" >&2; exit 1; }
echo "1,000,000 values: same classes as simple-statistics ckmeans"
