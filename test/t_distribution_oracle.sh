#!/usr/bin/env bash
# Compare the Student t p-values of buurtmonitor.mean_test(..., df) with R's pt()
# (test/t_distribution_oracle.R) on 858 points: t from 1e-300 to 1e150 (and negative),
# df from 1e-3 to 1e15 and Infinity, fractional df as Welch's test gives (issue 9: the old
# incomplete-beta code lost digits as df grew, 1e-8 relative at df 1e8, 2e-4 at 1e12, a factor
# 20 or more at 1e15, and 8e-11 near p = 1; about 160 of the 858 points failed on it).  mean_test(t, 0.6, 0, 0.8, df) has statistic exactly t (0.6^2 + 0.8^2 = 1
# in float8).  Tolerance: 1e-11 relative where R's p is above 1e-290; where R's p is below
# 1e-290 (underflow region) ours must be below 1e-290 too.  Exits non-zero on any mismatch.
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_test_t_distribution
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

if ! command -v Rscript >/dev/null 2>&1; then
    echo "Rscript not found: cannot run the R oracle" >&2
    exit 1
fi
Rscript "$BM_ROOT/test/t_distribution_oracle.R" > "$tmp/oracle.csv"
chmod 644 "$tmp"/oracle.csv

bm_createdb "$DB"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -v oracle="$tmp/oracle.csv" <<'SQL'
CREATE TABLE oracle (t float8, df float8, p float8);
COPY oracle FROM :'oracle' WITH (FORMAT csv, HEADER true);
CREATE TABLE ours AS
SELECT o.t, o.df, o.p AS r, m.statistic, m.p_value AS p
  FROM oracle o, LATERAL buurtmonitor.mean_test(o.t, 0.6, 0, 0.8, o.df) AS m;
CREATE TABLE mismatches AS
SELECT t, df, statistic, p, r, abs(p / r - 1) AS rel
  FROM ours
 WHERE statistic IS DISTINCT FROM t
    OR p IS NULL OR p = 'NaN' OR p < 0 OR p > 1
    OR (r >= 1e-290 AND NOT abs(p - r) <= 1e-11 * r)
    OR (r < 1e-290 AND p >= 1e-290);
SELECT count(*) AS compared, max(abs(p / r - 1)) FILTER (WHERE r >= 1e-290) AS worst_relative
  FROM ours;
SELECT * FROM mismatches ORDER BY df, t;
DO $$ BEGIN
    IF (SELECT count(*) FROM mismatches) > 0 THEN
        RAISE EXCEPTION 't distribution differs from R pt()';
    END IF;
END $$;
SQL
psql -X -q -d postgres -c "DROP DATABASE $DB"
echo "t_distribution_oracle: all p-values agree with R pt() to 1e-11 relative"
