#!/usr/bin/env bash
# 1. Every SQL-visible function, aggregate, table and view of the installed extension is named
#    in a topic page of docs/ (internal helpers start with an underscore; aggregate support
#    functions are documented with their aggregate, so names ending in a support suffix are skipped).
# 2. docs/reference.md, generated from the COMMENT ON texts, is up to date.
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
    grep -rqw --exclude=reference.md -- "$n" "$BM_ROOT/docs" || missing="$missing $n"
done
status=0
if [ -n "$missing" ]; then
    echo "not documented in a topic page of docs/:$missing"
    status=1
fi
fresh=$(mktemp)
BM_ROOT=$BM_ROOT bash "$BM_ROOT/scripts/gen_reference.sh" "$fresh" >/dev/null
if ! diff -q "$fresh" "$BM_ROOT/docs/reference.md" >/dev/null; then
    echo "docs/reference.md is stale: run bash scripts/gen_reference.sh"
    diff "$BM_ROOT/docs/reference.md" "$fresh" | head -20
    status=1
fi
rm -f "$fresh"
[ $status -eq 0 ] || exit 1
echo "docs: all $(echo "$names" | wc -w) functions, aggregates, tables and views are documented"
