#!/usr/bin/env bash
# Every upgrade path gives the same extension as a fresh install and keeps the user's data
# (h3-pg style). For each released version A kept in extension/archive/buurtmonitor--A.sql:
#   1. install A in a database and fill it with user data through A's own functions: areas of two
#      Deventer editions, key figures of Baarn, a crosswalk, a signal rule, an index specification,
#      an own indicator and an own level;
#   2. ALTER EXTENSION buurtmonitor UPDATE to the default version;
#   3. compare pg_dump --schema-only of the schema with a fresh install (functions, signatures,
#      comments, views, tables, policies, grants), and every user row with what was there before.
set -euo pipefail
: "${PGPORT:?}" "${BUURTMONITOR_DATA:?}" "${BM_ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$BM_ROOT/buurtmonitor.control")
shopt -s nullglob
olds=("$BM_ROOT"/extension/archive/buurtmonitor--*.sql)
if [ ${#olds[@]} -eq 0 ]; then
    echo "upgrade_check: $default is the first release; no older version to upgrade from"
    exit 0
fi
q() { psql -qX -v ON_ERROR_STOP=1 -d "$@"; }
# schema without pg_dump's per-run \restrict keys and its comments
schema() {
    pg_dump -s -n buurtmonitor -d "$1" 2>/dev/null | grep -v -e '^--' -e '^\\restrict' -e '^\\unrestrict' | sed '/^$/d' | sort
    # pg_dump leaves out the members of an extension, so the catalogue is compared too: every
    # function's definition (body, volatility, search_path), views, columns, constraints, indexes, comments
    q "$1" -At <<'SQL'
SELECT 'function ' || p.oid::regprocedure || ' ' || CASE WHEN p.prokind = 'a' THEN 'aggregate'
       ELSE md5(pg_get_functiondef(p.oid)) END || ' ' || coalesce(obj_description(p.oid, 'pg_proc'), '')
  FROM pg_proc p WHERE p.pronamespace = 'buurtmonitor'::regnamespace
UNION ALL
SELECT 'relation ' || c.oid::regclass || ' ' || c.relkind::text || ' ' || coalesce(md5(pg_get_viewdef(c.oid)), '')
       || ' ' || coalesce(obj_description(c.oid, 'pg_class'), '')
  FROM pg_class c WHERE c.relnamespace = 'buurtmonitor'::regnamespace
UNION ALL
SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid AND c.relnamespace = 'buurtmonitor'::regnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'buurtmonitor'::regnamespace
UNION ALL
SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE c.relnamespace = 'buurtmonitor'::regnamespace
ORDER BY 1
SQL
}
# the user's rows, table by table, on the columns every version has
user_rows() {
    q "$1" -At <<'SQL'
SELECT 'areas', count(*), md5(string_agg(code || '/' || vintage || '/' || coalesce(parent_code, '') || '/' ||
       coalesce(md5(ST_AsBinary(geom)), ''), ',' ORDER BY code, vintage)) FROM buurtmonitor.areas
UNION ALL
SELECT 'observations', count(*), md5(string_agg(area_code || '/' || vintage || '/' || period || '/' || indicator
       || '/' || coalesce(value::text, 'null') || '/' || status || '/' || owner, ',' ORDER BY area_code, vintage, period, indicator))
  FROM buurtmonitor.observations
UNION ALL
SELECT 'crosswalks', count(*), md5(string_agg(from_vintage || '/' || to_vintage || '/' || source_code || '/' ||
       target_code || '/' || share::text, ',' ORDER BY from_vintage, to_vintage, source_code, target_code))
  FROM buurtmonitor.crosswalks
UNION ALL
SELECT 'signal_rules', count(*), md5(string_agg(rule_id || '/' || indicator || '/' || condition || '/' || threshold,
       ',' ORDER BY rule_id)) FROM buurtmonitor.signal_rules
UNION ALL
SELECT 'own index_specs', count(*), md5(string_agg(name || spec::text, ',' ORDER BY name)) FROM buurtmonitor.index_specs WHERE NOT builtin
UNION ALL
SELECT 'own indicators', count(*), md5(string_agg(code || '/' || label, ',' ORDER BY code)) FROM buurtmonitor.indicators WHERE NOT builtin
UNION ALL
SELECT 'own levels', count(*), md5(string_agg(level || '/' || rank, ',' ORDER BY level)) FROM buurtmonitor.levels WHERE NOT builtin;
SQL
}
fill() {
    q "$1" -v datadir="$BUURTMONITOR_DATA" >/dev/null <<'SQL'
SET client_min_messages = warning;
\set f :datadir '/deventer/buurt_2018.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2018);
\set f :datadir '/deventer/buurt_2022.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022);
\set f :datadir '/multiyear/baarn_buurt_2024_wgs84.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2024, code_property => 'buurtcode',
       name_property => 'buurtnaam', transform => true);
\set f :datadir '/multiyear/baarn_gm0308_kwb2016_2025_long.csv'
SELECT buurtmonitor.load_csv(:'f', on_conflict => 'skip');
SELECT buurtmonitor.build_crosswalk(2018, 2022);
INSERT INTO buurtmonitor.levels (level, rank, description) VALUES ('gebiedsteam', 25, 'upgrade check');
INSERT INTO buurtmonitor.indicators (code, label, theme, unit, kind, denominator, scale, polarity, source)
VALUES ('p_achterstand', 'Huurders met betalingsachterstand', 'sociaal', '%', 'share', 'a_woning', 100, -1, 'corporatie');
INSERT INTO buurtmonitor.signal_rules (indicator, condition, threshold, description)
VALUES ('a_inw', 'z_worse_than', 1.5, 'upgrade check');
INSERT INTO buurtmonitor.index_specs (name, spec, description)
SELECT 'eigen_index', spec, 'upgrade check' FROM buurtmonitor.index_specs WHERE name = 'wales_wimd2019';
SQL
}
fresh=bm_upgrade_fresh; old=bm_upgrade_old
for db in $fresh $old; do q postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null; done
q $fresh -c "SET client_min_messages = warning" -c "CREATE EXTENSION buurtmonitor CASCADE" >/dev/null
status=0
for file in "${olds[@]}"; do
    from=$(basename "$file" .sql | sed 's/^buurtmonitor--//')
    q $old -c "SET client_min_messages = warning" -c "DROP EXTENSION IF EXISTS buurtmonitor CASCADE" \
           -c "CREATE EXTENSION buurtmonitor VERSION '$from' CASCADE" >/dev/null
    fill $old
    before=$(user_rows $old)
    q $old -c "SET client_min_messages = warning" -c "ALTER EXTENSION buurtmonitor UPDATE" >/dev/null
    after=$(user_rows $old)
    if diff <(schema $fresh) <(schema $old) >/dev/null; then
        echo "upgrade_check: $from -> $default matches a fresh install"
    else
        echo "upgrade_check: $from -> $default differs from a fresh install (< fresh, > upgraded):"
        diff <(schema $fresh) <(schema $old) | head -60
        status=1
    fi
    if [ "$before" = "$after" ]; then
        echo "upgrade_check: $from -> $default kept every user row:"; echo "$after" | sed 's/^/    /'
    else
        echo "upgrade_check: $from -> $default changed user rows (< before, > after):"
        diff <(echo "$before") <(echo "$after") || true
        status=1
    fi
done
for db in $fresh $old; do q postgres -c "DROP DATABASE $db" >/dev/null; done
exit $status
