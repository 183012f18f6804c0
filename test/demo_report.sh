#!/usr/bin/env bash
# The monitor report of the README's first command runs on the real data without error, and a
# few of its figures are the independently known ones: the city of Utrecht's 361,525
# inhabitants (python3 over utrecht/kwb2022_leefbaarometer2020_ses.csv), and the English IMD
# 2019 reproduced for all 32,844 LSOAs with every decile exact (the official table).
set -euo pipefail
: "${BUURTMONITOR_DATA:?}" "${PGPORT:?}" "${BM_ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
db=bm_test_demo
out=$(mktemp)
psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
psql -qX -d $db -c "SET client_min_messages = warning" -c "CREATE EXTENSION buurtmonitor CASCADE" >/dev/null
psql -qX -d $db -v ON_ERROR_STOP=1 -v datadir="$BUURTMONITOR_DATA" -f "$BM_ROOT/scripts/load_sample.sql" >/dev/null
psql -qX -d $db -v ON_ERROR_STOP=1 -v datadir="$BUURTMONITOR_DATA" -P pager=off -f "$BM_ROOT/scripts/report.sql" > "$out"
psql -qX -d postgres -c "DROP DATABASE $db" >/dev/null
status=0
grep -Eq '^ Utrecht +\| +361525 ' "$out" || { echo "demo_report: Utrecht's inhabitants are not 361525"; status=1; }
grep -Eq '^ +32844 \| +3[0-9]{4} \| +1 \| +32844$' "$out" || { echo "demo_report: IMD line unexpected"; status=1; }
for section in 1 2 3 4 5 6 7; do
    grep -q "^== $section\. " "$out" || { echo "demo_report: section $section missing"; status=1; }
done
[ $status -eq 0 ] || { cat "$out"; rm -f "$out"; exit 1; }
rm -f "$out"
echo "demo_report: the monitor report runs on the real data"
