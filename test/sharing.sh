#!/usr/bin/env bash
# Sharing (docs/sharing.md): row-level security proven with real LOGIN roles over TCP.
#   * setup_sharing() + add_partner('partner_a'), add_partner('partner_b'); login users alice (A),
#     bob (B), carol (municipality), ana (analyst/BI), quinn (QGIS).
#   * bob snapshots every relation of the extension schema and of the generated view schemas, and
#     every set-returning function of the extension schema (all found from the catalogue, so a
#     future view or function is covered), before and after alice loads A's private rows: the
#     snapshots must be identical, so nothing of A reaches B (directly or through a roll-up, a
#     development, a signal, a wide or layer view). As alice the same snapshot does change, which
#     shows the check can fail.
#   * bob cannot update, delete or forge official (CBS) rows, nor A's; partner loads are owned by
#     the partner; the municipality sees and writes everything.
#   * roll-ups computed as A use only A's rows (coverage says so).
#   * the loaders do not read server files without pg_read_server_files;
#   * a non-superuser database owner cannot install the extension (control file superuser = true).
set -euo pipefail
: "${BUURTMONITOR_DATA:?}" "${PGPORT:?}"
db=bm_sharing
fail=0
check() {   # check NAME GOT EXPECTED
    if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got [$2], expected [$3]"; fail=1; fi
}
as() {      # as USER SQL...: run as a LOGIN role over TCP (127.0.0.1), tuples only
    local u=$1; shift
    psql -qXAt -h 127.0.0.1 -U "$u" -d $db -v ON_ERROR_STOP=1 "$@"
}
err() {     # err USER SQL: the SQLSTATE and message of a statement that must fail, or "no error"
    local out
    if out=$(psql -qXAt -h 127.0.0.1 -U "$1" -d $db -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "$2" 2>&1); then
        echo "no error: $out"
    else
        echo "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\): \(.*\)$/\1 \2/p' | head -1
    fi
}

psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" \
     -c "DROP DATABASE IF EXISTS bm_sharing_owned" >/dev/null
for r in alice bob carol ana quinn dbowner partner_a partner_b bm_municipality bm_analyst bm_qgis; do
    psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP OWNED BY $r" >/dev/null 2>&1 || true
    psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true
done
psql -qX -d postgres -c "CREATE DATABASE $db" >/dev/null

# --- the DBA: extension, official data (Baarn 2024 boundaries and key figures), sharing, users
psql -qX -d $db -v ON_ERROR_STOP=1 -v datadir="$BUURTMONITOR_DATA" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION buurtmonitor CASCADE;
\set f :datadir '/multiyear/baarn_buurt_2024_wgs84.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2024, code_property => 'buurtcode',
       name_property => 'buurtnaam', transform => true);
\set f :datadir '/multiyear/baarn_gm0308_kwb2023.csv'
SELECT buurtmonitor.load_csv(:'f', vintage => 2024);
\set f :datadir '/multiyear/baarn_gm0308_kwb2024.csv'
SELECT buurtmonitor.load_csv(:'f');
-- partner indicators (synthetic): A's private count, and a count both partners deliver
INSERT INTO buurtmonitor.indicators (code, label, kind, polarity, source) VALUES
    ('x_a', 'synthetic private indicator of partner A', 'count', -1, 'synthetic'),
    ('x_cnt', 'synthetic count delivered by partners', 'count', 0, 'synthetic');
INSERT INTO buurtmonitor.signal_rules (indicator, condition, threshold) VALUES ('x_a', 'index_above', 1);
SELECT buurtmonitor.setup_sharing();
SELECT buurtmonitor.add_partner('partner_a');
SELECT buurtmonitor.add_partner('partner_b');
CREATE ROLE alice LOGIN IN ROLE partner_a;
CREATE ROLE bob LOGIN IN ROLE partner_b;
CREATE ROLE carol LOGIN IN ROLE bm_municipality;
CREATE ROLE ana LOGIN IN ROLE bm_analyst;
CREATE ROLE quinn LOGIN IN ROLE bm_qgis;
SQL

check "official loads by the DBA are owned by CBS" \
    "$(psql -qXAt -d $db -c "SELECT string_agg(DISTINCT owner, ',') FROM buurtmonitor.observations")" "CBS"

# the municipality creates the generated views (as a non-owner, in the schemas setup_sharing made)
as carol >/dev/null <<'SQL'
SELECT buurtmonitor.create_wide_view('partner_wide', '{a_inw,x_a,x_cnt}', with_geometry => true);
SELECT buurtmonitor.create_layer_views();
SQL
check "views created by the municipality are readable by the QGIS role" \
    "$(as quinn -c "SELECT count(*) > 0 FROM buurtmonitor_layers.buurt_2024")" "t"

# --- what bob sees: every relation and set-returning function, from the catalogue
snapshot() {
    as "$1" <<'SQL'
CREATE TEMP TABLE snap (object text, digest text);
DO $$
DECLARE
    r record;
    call text;
    args text[];
    d text;
    sample jsonb := '{"level": "''buurt''", "to_level": "''wijk''", "vintage": "2024", "period": "2024",
                      "indicators": "''{a_inw,x_a,x_cnt}''::text[]", "indicator": "''x_a''", "within": "NULL::text[]",
                      "weights": "''no_such_weights''", "name": "''no_such_weights''"}';
BEGIN
    FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c
              WHERE c.relnamespace::regnamespace::text IN ('buurtmonitor', 'buurtmonitor_views', 'buurtmonitor_layers')
                AND c.relkind IN ('r', 'v', 'm', 'p', 'f') ORDER BY 1::text LOOP
        EXECUTE format('SELECT count(*) || '':'' || coalesce(md5(string_agg(t::text, ''|'' ORDER BY t::text)), '''') FROM %s t', r.rel)
           INTO d;
        INSERT INTO snap VALUES (r.rel::text, d);
    END LOOP;
    -- set-returning functions: writers and functions that read only the relation they are given are
    -- listed with that reason; every other one is called with sample arguments
    FOR r IN SELECT p.oid, p.proname, p.provolatile, p.prorettype, p.pronargs, p.pronargdefaults,
                    p.proargnames, p.proargtypes::oid[] AS types
               FROM pg_proc p WHERE p.pronamespace = 'buurtmonitor'::regnamespace AND p.proretset
              ORDER BY p.oid::regprocedure::text LOOP
        IF r.provolatile = 'v' THEN
            INSERT INTO snap VALUES (r.oid::regprocedure::text, 'skipped: writes'); CONTINUE;
        ELSIF r.provolatile = 'i' THEN
            INSERT INTO snap VALUES (r.oid::regprocedure::text, 'skipped: immutable, reads no tables'); CONTINUE;
        ELSIF r.proname ~ '^_' AND EXISTS (SELECT 1 FROM unnest(r.types) t JOIN pg_type y ON y.oid = t WHERE y.typcategory = 'A') THEN
            INSERT INTO snap VALUES (r.oid::regprocedure::text, 'skipped: internal, computes on the arrays it is given'); CONTINUE;
        ELSIF 'regclass'::regtype = ANY (r.types) THEN
            INSERT INTO snap VALUES (r.oid::regprocedure::text, 'skipped: reads only the relation it is given'); CONTINUE;
        END IF;
        args := '{}';
        FOR i IN 1 .. r.pronargs LOOP
            IF sample ? r.proargnames[i] THEN
                args := args || format('%I => %s', r.proargnames[i], sample->>r.proargnames[i]);
            ELSIF i <= r.pronargs - r.pronargdefaults THEN
                RAISE EXCEPTION 'no sample argument for %(%): add one to the test', r.proname, r.proargnames[i];
            END IF;
        END LOOP;
        call := format('buurtmonitor.%I(%s)', r.proname, array_to_string(args, ', '));
        IF r.prorettype = 'record'::regtype AND r.proname = 'wide' THEN
            call := call || ' AS t(id bigint, area_code text, area_name text, level text, vintage integer,
                                   period integer, a_inw float8, x_a float8, x_cnt float8)';
        END IF;
        BEGIN
            EXECUTE format('SELECT count(*) || '':'' || coalesce(md5(string_agg(t::text, ''|'' ORDER BY t::text)), '''') FROM %s t', call)
               INTO d;
        EXCEPTION WHEN OTHERS THEN
            d := 'error: ' || SQLERRM;
        END;
        INSERT INTO snap VALUES (call, d);
    END LOOP;
END
$$;
SELECT object || ' ' || digest FROM snap ORDER BY object;
SQL
}
# B's own rows first: B's view may change only through B's own actions
as bob >/dev/null <<'SQL'
SET ROLE partner_b;
CREATE TEMP TABLE b_rows (area_code text, indicator text, value text);
INSERT INTO b_rows VALUES ('BU03080002', 'x_cnt', '5');
SELECT buurtmonitor.load_observations('b_rows', period => 2024, vintage => 2024);
SQL
bob_before=$(snapshot bob)
alice_before=$(snapshot alice)

# --- partner A loads its private rows the documented way (SET ROLE, default owner), with a sample size
as alice >/dev/null <<'SQL'
SET ROLE partner_a;
CREATE TEMP TABLE a_rows (area_code text, indicator text, value text);
INSERT INTO a_rows
SELECT code, 'x_a', (987654 + row_number() OVER (ORDER BY code))::text FROM buurtmonitor.areas
 WHERE level = 'buurt' AND vintage = 2024;
INSERT INTO a_rows VALUES ('BU03080000', 'x_cnt', '10'), ('BU03080001', 'x_cnt', '20');
SELECT buurtmonitor.load_observations('a_rows', period => 2024, vintage => 2024);
INSERT INTO buurtmonitor.sample_sizes (area_code, vintage, period, indicator, n)
VALUES ('BU03080000', 2024, 2024, 'x_a', 424242);
SQL
check "partner loads are owned by the partner, never CBS" \
    "$(psql -qXAt -d $db -c "SELECT string_agg(DISTINCT owner || ' ' || indicator, ',' ORDER BY owner || ' ' || indicator) FROM buurtmonitor.observations WHERE indicator IN ('x_a', 'x_cnt')")" \
    "partner_a x_a,partner_a x_cnt,partner_b x_cnt"

bob_after=$(snapshot bob)
alice_after=$(snapshot alice)
n_objects=$(echo "$bob_after" | wc -l)
n_called=$(echo "$bob_after" | grep -vc "skipped:" || true)
echo "     bob's snapshot covers $n_objects relations and set-returning functions ($n_called read)"
if [ "$bob_before" == "$bob_after" ]; then
    echo "ok   B sees nothing of A's rows through any relation or set-returning function"
else
    echo "FAIL B's view changed when A loaded private rows:"
    diff <(echo "$bob_before") <(echo "$bob_after") | head -20
    fail=1
fi
# the same check as alice must see her own rows appear (so the snapshot can detect a leak)
for o in buurtmonitor.observations buurtmonitor.observations_long buurtmonitor.sample_sizes \
         buurtmonitor_views.partner_wide buurtmonitor.signal_map; do
    check "A sees her rows appear in $o" \
        "$( [ "$(echo "$alice_before" | grep "^$o ")" != "$(echo "$alice_after" | grep "^$o ")" ] && echo changed)" "changed"
done
check "A's development and roll-up change with her rows" \
    "$(diff <(echo "$alice_before" | grep -E '^buurtmonitor\.(development|rollup)\(') <(echo "$alice_after" | grep -E '^buurtmonitor\.(development|rollup)\(') | grep -c '^>')" "2"
check "no function in the snapshot lacks sample arguments" "$(echo "$bob_after" | grep -c 'error: no sample' || true)" "0"

# --- writes B must not make
check "B cannot update official rows" "$(as bob -c "UPDATE buurtmonitor.observations SET value = 0 WHERE owner = 'CBS' RETURNING 1" | wc -l)" "0"
check "B cannot delete official rows" "$(as bob -c "DELETE FROM buurtmonitor.observations WHERE owner = 'CBS' RETURNING 1" | wc -l)" "0"
check "B cannot delete A's rows" "$(as bob -c "DELETE FROM buurtmonitor.observations WHERE owner = 'partner_a' RETURNING 1" | wc -l)" "0"
check "B cannot insert a row labelled CBS" \
    "$(err bob "INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, owner) VALUES ('BU03080003', 2024, 2024, 'x_cnt', 1, 'CBS')")" \
    '42501 new row violates row-level security policy for table "observations"'
check "B cannot relabel its row as CBS" \
    "$(err bob "UPDATE buurtmonitor.observations SET owner = 'CBS' WHERE owner = 'partner_b'")" \
    '42501 new row violates row-level security policy for table "observations"'
check "B cannot load as CBS" \
    "$(err bob "CREATE TEMP TABLE f (area_code text, indicator text, value text); INSERT INTO f VALUES ('BU03080004', 'x_cnt', '1'); SELECT buurtmonitor.load_observations('f', period => 2024, vintage => 2024, owner => 'CBS')")" \
    '42501 new row violates row-level security policy for table "observations"'
check "B cannot overwrite an official value through on_conflict => update" \
    "$(err bob "SET ROLE partner_b; CREATE TEMP TABLE f (area_code text, indicator text, value text); INSERT INTO f VALUES ('BU03080000', 'a_inw', '1'); SELECT buurtmonitor.load_observations('f', period => 2024, vintage => 2024, on_conflict => 'update')")" \
    '42501 new row violates row-level security policy (USING expression) for table "observations"'
check "B cannot add a sample size to an official row" \
    "$(err bob "INSERT INTO buurtmonitor.sample_sizes (area_code, vintage, period, indicator, n) VALUES ('BU03080000', 2024, 2024, 'a_inw', 5)")" \
    '42501 new row violates row-level security policy for table "sample_sizes"'
check "B cannot change the areas" "$(err bob "UPDATE buurtmonitor.areas SET name = 'x'")" '42501 permission denied for table areas'
check "B cannot change the public owners" "$(err bob "INSERT INTO buurtmonitor.public_owners VALUES ('partner_b')")" \
    '42501 permission denied for table public_owners'
check "the analyst reads no partner rows" \
    "$(as ana -c "SELECT count(*) FROM buurtmonitor.observations_long WHERE owner <> 'CBS'")" "0"
check "the analyst cannot write" "$(err ana "DELETE FROM buurtmonitor.observations")" '42501 permission denied for table observations'
check "official rows unchanged" \
    "$(psql -qXAt -d $db -c "SELECT count(*), sum(value) = (SELECT sum(value) FROM buurtmonitor.observations WHERE owner = 'CBS') FROM buurtmonitor.observations WHERE owner = 'CBS' AND value IS NOT NULL")" \
    "$(psql -qXAt -d $db -c "SELECT count(*), true FROM buurtmonitor.observations WHERE owner = 'CBS' AND value IS NOT NULL")"

# --- the municipality sees and writes everything, and its loads are official by default
check "the municipality sees both partners' rows" \
    "$(as carol -c "SELECT count(DISTINCT owner) FROM buurtmonitor.observations_long WHERE indicator_code = 'x_cnt'")" "2"
check "the municipality's loads default to CBS" \
    "$(as carol -c "CREATE TEMP TABLE m (area_code text, indicator text, value text); INSERT INTO m VALUES ('BU03080003', 'x_cnt', '7'); SELECT buurtmonitor.load_observations('m', period => 2024, vintage => 2024); SELECT owner FROM buurtmonitor.observations WHERE area_code = 'BU03080003' AND indicator = 'x_cnt'" | tail -1)" "CBS"

# --- roll-ups as A use only what A may see: wijk WK030800 from A's 10 + 20 (B's 5 is not A's;
#     the municipality's 7 in BU03080003 is public), n_parts counts every buurt of the wijk
nb=$(psql -qXAt -d $db -c "SELECT count(*) FROM buurtmonitor.areas WHERE parent_code = 'WK030800' AND vintage = 2024 AND level = 'buurt'")
check "roll-up as A: A's and public rows only, coverage says so" \
    "$(as alice -c "SELECT value, n_parts, n_parts - n_missing FROM buurtmonitor.rollup('wijk', 2024, '{x_cnt}', 2024) WHERE area_code = 'WK030800'")" \
    "37|$nb|3"
check "roll-up as B" \
    "$(as bob -c "SELECT value, n_parts - n_missing FROM buurtmonitor.rollup('wijk', 2024, '{x_cnt}', 2024) WHERE area_code = 'WK030800'")" "12|2"
check "roll-up as the municipality" \
    "$(as carol -c "SELECT value, n_parts - n_missing FROM buurtmonitor.rollup('wijk', 2024, '{x_cnt}', 2024) WHERE area_code = 'WK030800'")" "42|4"

# --- server files
check "load_csv without pg_read_server_files" "$(err bob "SELECT buurtmonitor.load_csv('/etc/passwd')")" \
    '42501 reading server files needs the privileges of pg_read_server_files'
check "stage_csv without pg_read_server_files" "$(err carol "SELECT buurtmonitor.stage_csv('/etc/passwd')")" \
    '42501 reading server files needs the privileges of pg_read_server_files'
check "setup_sharing by a non-owner" "$(err carol "SELECT buurtmonitor.setup_sharing()")" \
    '42501 only the owner of the buurtmonitor tables can set up sharing'

# --- installation: a database owner who is not a superuser cannot install (postgis is installed first)
psql -qX -d postgres -c "CREATE ROLE dbowner LOGIN" -c "CREATE DATABASE bm_sharing_owned OWNER dbowner" >/dev/null
psql -qX -d bm_sharing_owned -c "CREATE EXTENSION postgis" >/dev/null
check "a non-superuser database owner cannot install" \
    "$(db=bm_sharing_owned err dbowner "CREATE EXTENSION buurtmonitor")" \
    '42501 permission denied to create extension "buurtmonitor"'
psql -qX -d postgres -c "DROP DATABASE bm_sharing_owned" >/dev/null

[ $fail -eq 0 ] && echo "sharing: all checks passed"
exit $fail
