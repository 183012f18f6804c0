#!/usr/bin/env bash
# Command 1 of the README: set everything up and run the monitor on the real sample data.
#   apt-get the packages, build and install the extension, start a throwaway cluster
#   (user postgres, 127.0.0.1:$PGPORT), load ../shared/data (or $BUURTMONITOR_DATA) into a
#   database "buurtmonitor", and print the monitor report. The cluster keeps running so you
#   can explore; stop it with: bash scripts/demo.sh stop
source "$(dirname "$0")/common.sh"

if [ "${1:-}" = "stop" ]; then bm_cluster_stop; echo "stopped"; exit 0; fi
[ -d "$BUURTMONITOR_DATA" ] || { echo "no sample data in $BUURTMONITOR_DATA (set BUURTMONITOR_DATA)" >&2; exit 1; }

bm_install_packages
bm_build_install
bm_cluster_start
bm_createdb buurtmonitor

echo "== load the sample data from $BUURTMONITOR_DATA"
psql -qX -d buurtmonitor -v ON_ERROR_STOP=1 -v datadir="$BUURTMONITOR_DATA" -f "$BM_ROOT/scripts/load_sample.sql"
echo "== monitor report"
psql -qX -d buurtmonitor -v ON_ERROR_STOP=1 -v datadir="$BUURTMONITOR_DATA" -P pager=off -f "$BM_ROOT/scripts/report.sql"
echo "== maps: a styled QGIS layer and an SVG map of the province of Utrecht (docs/classify.md)"
map=${TMPDIR:-/tmp}/buurtmonitor_utrecht_woz.svg
psql -qXAt -d buurtmonitor -v ON_ERROR_STOP=1 -o "$map" <<'SQL'
SELECT buurtmonitor.map_svg('buurt', 2022, 'g_wozbag',
       within => (SELECT array_agg(code) FROM buurtmonitor.areas
                   WHERE level = 'gemeente' AND vintage = 2022 AND code <> 'GM0150'),
       title => 'Gemiddelde WOZ-waarde, provincie Utrecht 2022');
SQL
psql -qXAt -d buurtmonitor -v ON_ERROR_STOP=1 \
     -c "SELECT 'QGIS layer with its default style: ' || buurtmonitor.create_map_layer('buurt', 2022, 'lbm_score')"
echo "SVG map: $map"

cat <<MSG

The cluster is still running. Connect with:
  psql -h 127.0.0.1 -p $PGPORT -U postgres buurtmonitor
QGIS: PostGIS connection host 127.0.0.1 port $PGPORT database buurtmonitor user postgres,
      schema buurtmonitor_layers. Power BI: view buurtmonitor.observations_long.
Stop it with: bash scripts/demo.sh stop
MSG
