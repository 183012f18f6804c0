#!/usr/bin/env bash
# Re-runs the R oracles of the development and significance tests and checks that the values
# pasted into the pg_regress tests are exactly what R prints:
#  - test/development_oracle.R (Baarn, from the CSV) against the VALUES list in sql/410_development_baarn.sql;
#  - test/significance_oracle.R: every p-value / statistic it prints appears in sql/400 or sql/420.
set -euo pipefail
: "${BM_ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${BUURTMONITOR_DATA:=$(cd "$BM_ROOT/.." && pwd)/shared/data}"
command -v Rscript >/dev/null || { echo "Rscript not installed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

Rscript "$BM_ROOT/test/development_oracle.R" "$BUURTMONITOR_DATA" | sed -n '2,$p' | sed 's/ *$//' > "$tmp/r.txt"
# the rows between "INSERT INTO oracle VALUES" and the statement's end
awk '/^INSERT INTO oracle VALUES/{on=1; next} on{print; if ($0 ~ /;$/) exit}' \
    "$BM_ROOT/sql/410_development_baarn.sql" | sed 's/;$//' > "$tmp/sql.txt"
if ! diff -q "$tmp/r.txt" "$tmp/sql.txt" >/dev/null; then
    echo "development_oracle: the R oracle's rows differ from sql/410_development_baarn.sql:"
    diff "$tmp/r.txt" "$tmp/sql.txt" | head -20
    exit 1
fi
echo "development_oracle: $(wc -l < "$tmp/r.txt") Baarn rows of the R oracle match the test"

Rscript "$BM_ROOT/test/significance_oracle.R" > "$tmp/sig.txt"
missing=0
# every number R printed with 10 or more significant digits must be quoted in a test
for v in $(grep -oE '[0-9]+\.[0-9]{9,}(e-[0-9]+)?' "$tmp/sig.txt"); do
    if ! grep -qF -- "$v" "$BM_ROOT/sql/400_development.sql" "$BM_ROOT/sql/420_significance.sql"; then
        echo "significance_oracle: R printed $v, not found in sql/400 or sql/420"
        missing=1
    fi
done
[ "$missing" = 0 ] || exit 1
echo "significance_oracle: all $(grep -oE '[0-9]+\.[0-9]{9,}(e-[0-9]+)?' "$tmp/sig.txt" | wc -l) R values are quoted in the tests"
