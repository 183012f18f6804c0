#!/usr/bin/env bash
# The upgrade piece extension/upgrade/0.1.0--0.2.0/010_model.sql on a 0.1.0 database:
#   1. a database holding NaN or infinite numbers is refused, with every bad row listed and a hint,
#      and nothing changed;
#   2. after the rows are fixed, the piece brings the tables to exactly what a fresh 0.2.0 install
#      has (columns, constraints, indexes, column comments), and 0.1.0's stored roll-ups become
#      derived rows.
# (test/upgrade_check.sh compares whole upgrade scripts once they are assembled from the pieces.)
set -euo pipefail
: "${PGPORT:?}" "${BM_ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
piece=$BM_ROOT/extension/upgrade/0.1.0--0.2.0/010_model.sql
old=bm_upgrade_model_old; fresh=bm_upgrade_model_fresh
for db in $old $fresh; do psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null; done
psql -qX -d $fresh -c "SET client_min_messages = warning" -c "CREATE EXTENSION buurtmonitor CASCADE" >/dev/null
psql -qX -d $old -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION buurtmonitor VERSION '0.1.0' CASCADE;
INSERT INTO buurtmonitor.areas (code, vintage, level, parent_code) VALUES
    ('GM9995', 2022, 'gemeente', NULL), ('WK999501', 2022, 'wijk', 'GM9995'),
    ('BU99950101', 2022, 'buurt', 'WK999501'), ('BU99950102', 2022, 'buurt', 'WK999501');
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, numerator) VALUES
    ('BU99950101', 2022, 2022, 'a_inw', 'NaN', NULL),
    ('BU99950102', 2022, 2022, 'a_inw', 20, 'Infinity'),
    ('BU99950101', 2022, 2021, 'a_inw', 10, NULL), ('BU99950102', 2022, 2021, 'a_inw', 20, NULL);
INSERT INTO buurtmonitor.sample_sizes (area_code, vintage, period, indicator, n, se)
VALUES ('BU99950101', 2022, 2021, 'a_inw', 'NaN', NULL);
SELECT buurtmonitor.rollup_to_observations('gemeente', 2021, '{a_inw}', 2022);
SQL
status=0
out=$(psql -qX -d $old -v ON_ERROR_STOP=1 -c "BEGIN" -f "$piece" -c "COMMIT" 2>&1 || true)
for want in 'cannot upgrade buurtmonitor to 0.2.0: 3 rows hold NaN or infinite numbers' \
            'observations (BU99950101, 2022, 2022, a_inw): value NaN' \
            'observations (BU99950102, 2022, 2022, a_inw): numerator Infinity' \
            'sample_sizes (BU99950101, 2022, 2021, a_inw): n NaN' 'HINT:  NaN is not a figure'; do
    if ! grep -qF "$want" <<<"$out"; then echo "upgrade_model: refusal lacks: $want"; status=1; fi
done
[ "$(psql -qXAt -d $old -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'buurtmonitor.observations'::regclass AND attname = 'derived_from'")" = 0 ] \
    || { echo "upgrade_model: the refused upgrade changed the table"; status=1; }
psql -qX -d $old -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
UPDATE buurtmonitor.observations SET value = NULL, status = 'suppressed' WHERE value = 'NaN';
UPDATE buurtmonitor.observations SET numerator = NULL WHERE numerator = 'Infinity';
DELETE FROM buurtmonitor.sample_sizes;
SQL
psql -qX -d $old -v ON_ERROR_STOP=1 -c "BEGIN" -f "$piece" -c "COMMIT" >/dev/null
# the tables 0.1.0 had (new tables of 0.2.0 come from other topics' definitions, not from this piece)
catalog() {
    psql -qXAt -d "$1" <<'SQL' | sort
CREATE TEMP VIEW t010 AS SELECT c.oid FROM pg_class c
 WHERE c.relnamespace = 'buurtmonitor'::regnamespace AND c.relkind = 'r'
   AND c.relname IN ('levels', 'areas', 'indicators', 'indicator_aliases', 'observations', 'crosswalks',
                     'sample_sizes', 'signal_rules', 'index_specs');
SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE connamespace = 'buurtmonitor'::regnamespace AND conrelid IN (SELECT oid FROM t010);
SELECT attrelid::regclass, attnum, attname, format_type(atttypid, atttypmod), attnotnull, col_description(attrelid, attnum)
  FROM pg_attribute WHERE attrelid IN (SELECT oid FROM t010) AND attnum > 0 AND NOT attisdropped;
SELECT indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid IN (SELECT oid FROM t010);
SQL
}
if diff <(catalog $fresh) <(catalog $old) >/dev/null; then
    echo "upgrade_model: tables after the piece match a fresh 0.2.0 install"
else
    echo "upgrade_model: tables after the piece differ from a fresh install:"; diff <(catalog $fresh) <(catalog $old) | head -20; status=1
fi
got=$(psql -qXAt -d $old -c "SELECT area_code || ' ' || value || ' ' || status || ' ' || derived_from FROM buurtmonitor.observations WHERE source = 'rollup'")
[ "$got" = "GM9995 30 derived buurt" ] && echo "upgrade_model: the 0.1.0 roll-up became a derived row" \
    || { echo "upgrade_model: roll-up after the upgrade: '$got'"; status=1; }
for db in $old $fresh; do psql -qX -d postgres -c "DROP DATABASE $db" >/dev/null; done
exit $status
