#!/usr/bin/env bash
# Compare the deprivation building blocks with R (test/deprivation_oracle.R): inverse_normal with
# qnorm on 17,300 p over (0, 1) down to 1e-300 (relative error <= 1e-15, i.e. a few ulp; both are
# AS241, and about 98% are bit-identical: in the central branch R 4.2's build rounds a few results
# differently by 1-3 ulp, where a plain IEEE evaluation of the same expression in Python gives our
# value), normal_score on every rank of n = 1, 2, 7, 1000, exponential_transform on a
# grid of 1,001 R (1e-12 absolute), and normalise(..., 'rank') with average ties against R's
# rank() on 1,000 values with many ties (exact).  Exits non-zero on any mismatch.
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_test_deprivation
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
command -v Rscript >/dev/null 2>&1 || { echo "Rscript not found: cannot run the R oracle" >&2; exit 1; }
Rscript "$BM_ROOT/test/deprivation_oracle.R" "$tmp/oracle.csv"
chmod 644 "$tmp/oracle.csv"

bm_createdb "$DB"
result=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -v oracle="$tmp/oracle.csv" <<'SQL'
CREATE TABLE oracle (case_ text, x float8, n bigint, value float8);
COPY oracle FROM :'oracle' WITH (FORMAT csv, HEADER true);
WITH q AS (SELECT abs(buurtmonitor.inverse_normal(x) - value) / greatest(abs(value), 1e-300) AS rel
             FROM oracle WHERE case_ = 'qnorm'),
     s AS (SELECT abs(buurtmonitor.normal_score(x, n) - value) / greatest(abs(value), 1e-300) AS rel
             FROM oracle WHERE case_ = 'normscore'),
     e AS (SELECT abs(buurtmonitor.exponential_transform(x) - value) AS err FROM oracle WHERE case_ = 'exptrans'),
     r AS (SELECT o.value, u.v
             FROM (SELECT buurtmonitor.normalise(array_agg(n::float8 ORDER BY x), 'rank') AS a
                     FROM oracle WHERE case_ = 'rankavg') t,
                  unnest(t.a) WITH ORDINALITY AS u(v, i)
             JOIN oracle o ON o.case_ = 'rankavg' AND o.x = u.i)
SELECT format('qnorm: %s p, %s bit-identical, max relative error %s', (SELECT count(*) FROM q),
              (SELECT count(*) FILTER (WHERE rel = 0) FROM q), (SELECT max(rel) FROM q)),
       (SELECT max(rel) <= 1e-15 FROM q)
UNION ALL
SELECT format('normal_score: %s ranks, max relative error %s', (SELECT count(*) FROM s), (SELECT max(rel) FROM s)),
       (SELECT max(rel) <= 1e-15 FROM s)
UNION ALL
SELECT format('exponential_transform: %s R, max abs error %s', (SELECT count(*) FROM e), (SELECT max(err) FROM e)),
       (SELECT max(err) <= 1e-12 FROM e)
UNION ALL
SELECT format('rank (average ties): %s values, %s equal to R rank()', (SELECT count(*) FROM r),
              (SELECT count(*) FILTER (WHERE v = value) FROM r)),
       (SELECT bool_and(v = value) FROM r);
SQL
)
psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null
echo "$result" | sed 's/|/ ok=/'
if echo "$result" | grep -q '|f$'; then
    echo "deprivation_oracle: mismatch with R" >&2
    exit 1
fi
echo "deprivation_oracle: all checks pass"
