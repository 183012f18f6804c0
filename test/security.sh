#!/usr/bin/env bash
# Security (docs/security.md): a role with CREATE on schema public plants hostile functions,
# aggregates, operators, domains and views there (generated from the names the extension's SQL
# and C code write and from pg_catalog's and PostGIS's signatures; test/security/hostile.sql),
# each of which records that it ran. Then a superuser installs the extension and runs the main
# functions on small real data (test/security/scenario.sql) and one call of every function and
# aggregate found in the catalogue (test/security/calls.sql), with public first on its
# search_path. None of the hostile objects may run. Four set-ups: PostGIS in public; PostGIS in
# its own schema (not on the caller's path); that with the caller's search_path = ''; and 0.1.0
# installed before the hostile role acts, then ALTER EXTENSION buurtmonitor UPDATE.
# A control function without a fixed search_path must be caught, or the test proves nothing.
# (Run on 0.1.0 without the update, the scenario's first loader is hijacked through the domain
# public.text and the operator ->>; statement_timeout bounds a loop that hostile code could stall.)
set -euo pipefail
: "${PGPORT:?}" "${BM_ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
export BUURTMONITOR_DATA=${BUURTMONITOR_DATA:-$(cd "$BM_ROOT/.." && pwd)/shared/data}
dir=$BM_ROOT/test/security
work=$(mktemp -d)
chmod 755 "$work"
status=0
fail() { echo "security: FAIL: $*"; status=1; }
q() { psql -qXAt -v ON_ERROR_STOP=1 "$@"; }

# C code runs SQL only through bm_spi_connect() (extension/spi_util.c), which pins the search_path;
# crosswalk.c is the documented exception (its filters are the caller's SQL, docs/security.md)
raw=$(grep -l 'SPI_connect *(' "$BM_ROOT"/extension/*.c | grep -v -e '/spi_util\.c$' -e '/crosswalk\.c$' || true)
[ -z "$raw" ] || fail "SPI_connect() outside spi_util.c: $raw (use bm_spi_connect)"

# every identifier the extension's SQL and C code write before "(", and the loaders' temp tables
{ grep -ohE '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(' "$BM_ROOT"/extension/sql/*.sql "$BM_ROOT"/extension/*.c \
      | tr -d '( \t' | tr 'A-Z' 'a-z'
  grep -ohE '_bm_[a-z_]+' "$BM_ROOT"/extension/sql/*.sql; } | sort -u > "$work/words"

q -d postgres -c "SET client_min_messages = warning" \
  -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'bm_hostile') THEN CREATE ROLE bm_hostile NOLOGIN; END IF; END\$\$"

# hijacks: the hostile sequence's count; it is not rolled back with the caller's transaction
hijacks() { q -d "$1" -c "SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END FROM public.bm_hijack_seq s"; }

dbs="bm_sec_public bm_sec_schema bm_sec_empty bm_sec_upgrade bm_sec_doc"
cleanup() {   # BM_SECURITY_KEEP=1 keeps the databases and the logs for a look
    [ -n "${BM_SECURITY_KEEP:-}" ] && { echo "security: kept $dbs and $work"; return; }
    for db in $dbs; do psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
    psql -qX -d postgres -c "DROP ROLE IF EXISTS bm_hostile" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

run() {
    local db=$1 postgis=$2 caller=$3 from=${4:-} n
    q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    if [ "$postgis" = public ]; then
        q -d "$db" -c "CREATE EXTENSION postgis"
    else
        q -d "$db" -c "CREATE SCHEMA $postgis" -c "CREATE EXTENSION postgis SCHEMA $postgis"
    fi
    # an upgrade starts from the released version, installed before the hostile role acts
    [ -z "$from" ] || q -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION buurtmonitor VERSION '$from'"
    q -d "$db" -c "GRANT CREATE ON SCHEMA public TO bm_hostile" -c "SET ROLE bm_hostile" -f - <<'SQL'
CREATE SEQUENCE public.bm_hijack_seq;
GRANT USAGE, SELECT ON SEQUENCE public.bm_hijack_seq TO PUBLIC;
CREATE FUNCTION public.bm_hijacked(what pg_catalog.text) RETURNS void LANGUAGE plpgsql AS $h$
BEGIN
    PERFORM pg_catalog.nextval('public.bm_hijack_seq'::pg_catalog.regclass);
    RAISE WARNING 'HIJACKED: % ran as %', what, CURRENT_USER;
END
$h$;
CREATE FUNCTION public.bm_hijacked_bool(what pg_catalog.text) RETURNS boolean LANGUAGE plpgsql AS $h$
BEGIN PERFORM public.bm_hijacked(what); RETURN true; END
$h$;
SQL
    q -d "$db" -v postgis="$postgis" -c "CREATE TEMP TABLE words (w text)" -c "\\copy words FROM '$work/words'" \
      -f "$dir/hostile.sql" > "$work/hostile_$db.sql"
    # as the hostile role; statements that collide with an existing object fail and are skipped
    psql -qXAt -d "$db" -c "SET ROLE bm_hostile" -c "SET search_path = pg_catalog" -f "$work/hostile_$db.sql" \
        > "$work/hostile_$db.log" 2>&1 || true
    n=$(q -d "$db" -c "SELECT (SELECT count(*) FROM pg_catalog.pg_proc WHERE pronamespace = 'public'::regnamespace AND proowner = 'bm_hostile'::regrole)
                              || ' functions and aggregates, '
                              || (SELECT count(*) FROM pg_catalog.pg_operator WHERE oprnamespace = 'public'::regnamespace AND oprowner = 'bm_hostile'::regrole)
                              || ' operators, '
                              || (SELECT count(*) FROM pg_catalog.pg_type WHERE typnamespace = 'public'::regnamespace AND typowner = 'bm_hostile'::regrole AND typtype = 'd')
                              || ' domains'")
    echo "security: $db (PostGIS in $postgis, caller: $caller): the hostile role made $n"

    # the control: a function without a fixed search_path is hijacked
    q -d "$db" -c "SET client_min_messages = error" -c "SET search_path = $caller" -f - > /dev/null 2>&1 <<SQL || true
CREATE FUNCTION pg_temp.control() RETURNS pg_catalog.text LANGUAGE plpgsql AS \$c\$
BEGIN
    RETURN format('%s', array_to_string(ARRAY['a', 'b'], ','::text));
END
\$c\$;
SELECT pg_temp.control();
SQL
    if [ "$(hijacks "$db")" -eq 0 ] && [ "$caller" != "''" ]; then
        fail "$db: the control function was not hijacked: the hostile objects catch nothing"
    fi
    q -d "$db" -c "SELECT pg_catalog.setval('public.bm_hijack_seq', 1, false)" > /dev/null

    # install or upgrade with the hostile objects in place (the script runs with PostGIS's schema on the path)
    psql -qX -d "$db" -c "SET client_min_messages = warning" \
         -c "$([ -z "$from" ] && echo "CREATE EXTENSION buurtmonitor" || echo "ALTER EXTENSION buurtmonitor UPDATE")" \
         > "$work/install_$db.log" 2>&1 || { cat "$work/install_$db.log"; fail "$db: installing buurtmonitor failed"; return; }

    # the main functions must work and print only t
    if ! PGOPTIONS="-c track_functions=all -c statement_timeout=300s" psql -qXAt -d "$db" -v safe="SET search_path = pg_catalog, pg_temp" -v caller="SET search_path = $caller" \
             -v postgis="$postgis" -f "$dir/scenario.sql" > "$work/scenario_$db.log" 2>&1; then
        tail -5 "$work/scenario_$db.log"
        fail "$db: a main function failed (test/security/scenario.sql)"
    fi
    grep -v '^t$' "$work/scenario_$db.log" | grep -v '^[0-9]*$' | grep -v '^bm_sec\.' | grep -v HIJACKED | head -5 \
        | sed "s/^/security: $db: unexpected output: /" | grep . && status=1

    # one call of every function and aggregate; errors are allowed here
    q -d "$db" -v kwb2018="$BUURTMONITOR_DATA/multiyear/baarn_gm0308_kwb2018.csv" -f "$dir/calls.sql" > "$work/calls_$db.sql"
    PGOPTIONS="-c track_functions=all -c statement_timeout=300s" psql -qXAt -d "$db" -c "SET client_min_messages = warning" \
         -c "SET search_path = $caller" -f "$work/calls_$db.sql" > "$work/calls_$db.log" 2>&1 || true
    echo "security: $db: $(wc -l < "$work/calls_$db.sql") calls of every function and aggregate, $(grep -c 'ERROR:' "$work/calls_$db.log" || true) of them errors (allowed)"

    # which functions ran to the end at least once (pg_stat_user_functions counts completed calls)
    n=$(q -d "$db" -c "SELECT pg_catalog.string_agg(p.proname, ' ' ORDER BY p.proname)
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
          JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'buurtmonitor'
          LEFT JOIN pg_catalog.pg_stat_user_functions s ON s.funcid = p.oid
         WHERE p.prokind = 'f' AND p.prorettype <> 'internal'::regtype AND p.proname !~ '_(finalfn|serialfn)\$'
           AND coalesce(s.calls, 0) = 0")
    echo "security: $db: functions whose calls here all ended in an error (allowed): ${n:-none}"

    # the views the extension and scenario made, read by a caller without PostGIS on its path
    psql -qXAt -d "$db" -c "SET search_path = $caller" -c "SELECT pg_catalog.count(*) FROM bm_sec.bm_sec_wide" \
         -c "SELECT pg_catalog.count(*) FROM bm_sec_layers.buurt_2018" -c "SELECT pg_catalog.count(*) FROM buurtmonitor.signal_map" \
         > "$work/views_$db.log" 2>&1 || { cat "$work/views_$db.log"; fail "$db: reading the views failed"; }

    n=$(hijacks "$db")
    if [ "$n" -ne 0 ] || grep -q HIJACKED "$work"/*_"$db".log; then
        grep -h HIJACKED "$work"/*_"$db".log | sort | uniq -c | head -20
        fail "$db: hostile code ran $n times"
    fi
}

run bm_sec_public public "public, pg_catalog"
run bm_sec_schema postgis "public, pg_catalog"
run bm_sec_empty postgis "''"
run bm_sec_upgrade public "public, pg_catalog" 0.1.0
# the DBA's example of docs/security.md: its first SQL block sets up, its second must list nothing
block() { awk -v n="$1" '/^```sql$/ { k++; inside = 1; next } /^```$/ { inside = 0; next } inside && k == n' "$BM_ROOT/docs/security.md"; }
block 1 > "$work/doc1.sql"
block 2 > "$work/doc2.sql"
q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS bm_sec_doc" -c "CREATE DATABASE bm_sec_doc"
if ! q -d bm_sec_doc -c "SET client_min_messages = warning" -f "$work/doc1.sql" >/dev/null \
   || [ -n "$(q -d bm_sec_doc -f "$work/doc2.sql")" ]; then
    fail "the example of docs/security.md does not give a database whose functions all have the fixed search_path"
fi

[ $status -eq 0 ] && echo "security: no hostile object ran; the main functions work with PostGIS off the caller's search_path"
exit $status
