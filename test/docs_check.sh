#!/usr/bin/env bash
# Every SQL-visible function, aggregate, table and view of the installed extension is named
# in docs/ (internal helpers start with an underscore; aggregate support functions are
# documented with their aggregate, so names ending in a support suffix are skipped).
set -euo pipefail
: "${PGPORT:?}" "${BM_ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
db=bm_docs_check
psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
psql -qX -d $db -c "SET client_min_messages = warning" -c "CREATE EXTENSION buurtmonitor CASCADE" >/dev/null
names=$(psql -qXAt -d $db <<'SQL'
SELECT DISTINCT p.proname FROM pg_proc p
  JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'buurtmonitor'
 WHERE p.proname !~ '^_'
   AND p.proname !~ '_(transfn|finalfn|combinefn|serialfn|deserialfn|sfunc|ffunc|combine|serial|deserial|serialize|deserialize|accum|final|trans|state)$'
UNION
SELECT DISTINCT c.relname FROM pg_class c
  JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'buurtmonitor'
 WHERE c.relkind IN ('r', 'v', 'm')
ORDER BY 1
SQL
)
psql -qX -d postgres -c "DROP DATABASE $db" >/dev/null
missing=""
for n in $names; do
    grep -rqw -- "$n" "$BM_ROOT/docs" || missing="$missing $n"
done
if [ -n "$missing" ]; then
    echo "not documented in docs/:$missing"
    exit 1
fi
echo "docs: all $(echo "$names" | wc -w) functions, aggregates, tables and views are documented"
