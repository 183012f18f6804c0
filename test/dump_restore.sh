#!/usr/bin/env bash
# pg_dump / restore round trip: the extension's tables are registered with
# pg_extension_config_dump, so a dump keeps the users' areas, observations and their own
# indicators and levels (but not the built-in catalogue rows, which CREATE EXTENSION makes).
# Loads real data, dumps, restores into a new database and compares every row by checksum.
set -euo pipefail
: "${BUURTMONITOR_DATA:?}" "${PGPORT:?}"
src=bm_dump_src; dst=bm_dump_dst
for db in $src $dst; do psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null; done
psql -qX -d $src -v ON_ERROR_STOP=1 -v datadir="$BUURTMONITOR_DATA" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION buurtmonitor CASCADE;
\set f :datadir '/deventer/buurt_2022.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022);
\set f :datadir '/multiyear/utrecht_gm0344_kwb2023.csv'
SELECT buurtmonitor.load_csv(:'f');
-- a user-defined level, indicator, alias and stadsdeel, and partner data
INSERT INTO buurtmonitor.levels (level, rank, description) VALUES ('gebiedsteam', 25, 'synthetic test level');
INSERT INTO buurtmonitor.indicators (code, label, theme, unit, kind, polarity, source)
VALUES ('p_tevreden', 'Tevreden met de buurt', 'sociaal', '%', 'score', 1, 'synthetic');
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
VALUES ('SD_OOST', 2023, 'Stadsdeel Oost (synthetic)', 'stadsdeel', 'GM0344');
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, owner)
VALUES ('SD_OOST', 2023, 2023, 'p_tevreden', 71.5, 'woningcorporatie');
-- stored roll-ups (derived rows): the triggers that keep them fresh also fire while the dump is
-- restored, and must leave them exactly as they were
SELECT buurtmonitor.rollup_to_observations('wijk', 2023, '{a_inw,p_koopw}', 2023);
SELECT buurtmonitor.rollup_to_observations('gemeente', 2023, '{a_inw}', 2023, from_level => 'wijk');
SQL

# a checksum per configuration table of the extension (every table registered with
# pg_extension_config_dump, so tables added later are covered too), over all rows in a fixed order
checksums() {
    local t
    for t in $(psql -qXAt -d "$1" -c "SELECT c::regclass FROM pg_extension, unnest(extconfig) c WHERE extname = 'buurtmonitor' AND (SELECT relkind FROM pg_class WHERE oid = c) = 'r' ORDER BY 1::text"); do
        psql -qXAt -d "$1" -c "SELECT '$t', count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM $t t"
    done
    psql -qXAt -d "$1" -c "SELECT 'next area_id', last_value FROM buurtmonitor.areas_area_id_seq"
}
before=$(checksums $src)
pg_dump -Fc -d $src -f /tmp/bm_dump.$$ 2>/dev/null
pg_restore -d $dst /tmp/bm_dump.$$
rm -f /tmp/bm_dump.$$
after=$(checksums $dst)
echo "$before"
if [ "$before" != "$after" ]; then
    echo "dump/restore lost or changed rows:"; diff <(echo "$before") <(echo "$after") || true
    exit 1
fi
# the restored database is usable: a new area gets a fresh id, not a duplicate one
psql -qXAt -d $dst -v ON_ERROR_STOP=1 -c "INSERT INTO buurtmonitor.areas (code, vintage, level) VALUES ('GM9999', 2023, 'gemeente') RETURNING area_id > (SELECT max(area_id) FROM buurtmonitor.areas WHERE code <> 'GM9999')" | grep -qx t
for db in $src $dst; do psql -qX -d postgres -c "DROP DATABASE $db" >/dev/null; done
echo "dump/restore: all rows identical"
