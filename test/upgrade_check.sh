#!/usr/bin/env bash
# Every upgrade path gives the same schema as a fresh install (h3-pg style): for each
# extension/upgrade/buurtmonitor--A--B.sql, install version A (kept as
# extension/archive/buurtmonitor--A.sql), ALTER EXTENSION ... UPDATE to the default version,
# and compare pg_dump --schema-only with a fresh CREATE EXTENSION.
set -euo pipefail
: "${PGPORT:?}" "${BM_ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$BM_ROOT/buurtmonitor.control")
shopt -s nullglob
ups=("$BM_ROOT"/extension/upgrade/buurtmonitor--*--*.sql)
if [ ${#ups[@]} -eq 0 ]; then
    echo "upgrade_check: $default is the first release; no upgrade scripts to check yet"
    exit 0
fi
schema() {
    pg_dump -s -n buurtmonitor -d "$1" | grep -v '^--' | sed '/^$/d' | sort
}
fresh=bm_upgrade_fresh; old=bm_upgrade_old
for db in $fresh $old; do psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null; done
psql -qX -d $fresh -c "SET client_min_messages = warning" -c "CREATE EXTENSION buurtmonitor CASCADE" >/dev/null
status=0
for up in "${ups[@]}"; do
    from=$(basename "$up" .sql | sed 's/^buurtmonitor--\(.*\)--.*/\1/')
    psql -qX -d $old -c "SET client_min_messages = warning" -c "DROP EXTENSION IF EXISTS buurtmonitor" \
         -c "CREATE EXTENSION buurtmonitor VERSION '$from' CASCADE" -c "ALTER EXTENSION buurtmonitor UPDATE" >/dev/null
    if diff <(schema $fresh) <(schema $old) >/dev/null; then
        echo "upgrade_check: $from -> $default matches a fresh install"
    else
        echo "upgrade_check: $from -> $default differs from a fresh install:"
        diff <(schema $fresh) <(schema $old) | head -40
        status=1
    fi
done
for db in $fresh $old; do psql -qX -d postgres -c "DROP DATABASE $db" >/dev/null; done
exit $status
