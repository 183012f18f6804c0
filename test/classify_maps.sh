#!/usr/bin/env bash
# Ready-styled maps on the REAL Utrecht province buurten (969, loaded with the extension's loaders):
#  1. create_map_layer writes a graduated style to public.layer_styles; headless QGIS
#     (python3-qgis, QT_QPA_PLATFORM=offscreen) opens the layer view, loads that default style,
#     and its renderer has exactly our classes, labels and colours; the rendered PNG holds every
#     class colour (test/classify_qgis.py).
#  2. map_svg: well-formed XML, one path per buurt, one legend entry per class, every path's class
#     equal to class_of, title and source line present.
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
DB=bm_test_classify_maps
tmp=$(mktemp -d)
trap '[ -n "${BM_KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
chmod 777 "$tmp"

bm_createdb "$DB"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -v datadir="$BUURTMONITOR_DATA" -v tmp="$tmp" <<'SQL'
SET client_min_messages = warning;
\set f :datadir '/utrecht/buurt_2022.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022) AS n \gset
\set f :datadir '/utrecht/kwb2022_leefbaarometer2020_ses.csv'
SELECT buurtmonitor.load_csv(:'f', period => 2022,
       zero_is_suppressed => '{g_wozbag,ses_woa,g_afs_og,g_afs_pp,g_afs_bos,g_afs_ts,g_afs_sog}') AS n \gset
-- lbm_score: higher is better (polarity 1), so class 1 is the darkest
SELECT buurtmonitor.create_map_layer('buurt', 2022, 'lbm_score', 2022, 'fisher', 5) AS layer \gset
CREATE TABLE expected AS
SELECT j AS class, b[j] AS lower, b[j + 1] AS upper, l[j] AS label,
       buurtmonitor.class_colour(j, cardinality(b) - 1, i.polarity) AS colour
  FROM (SELECT buurtmonitor.map_breaks('buurt', 2022, 'lbm_score', 2022, 'fisher', 5) AS b) x,
       LATERAL (SELECT buurtmonitor.class_labels(x.b, 'lbm_score') AS l) y,
       buurtmonitor.indicators i, generate_series(1, cardinality(x.b) - 1) j
 WHERE i.code = 'lbm_score';
\set f :tmp '/expected.csv'
COPY (SELECT * FROM expected ORDER BY class) TO :'f' WITH (FORMAT csv, HEADER true);
-- a second call (period NULL = the latest, 2022) replaces the default; SLD: one rule per class
SELECT buurtmonitor.create_map_layer('buurt', 2022, 'lbm_score', classes => 5) AS layer \gset
DO $$ BEGIN
    IF (SELECT count(*) FROM public.layer_styles WHERE useasdefault AND f_table_name = 'buurt_2022_lbm_score_2022') <> 1
       OR (SELECT count(*) FROM public.layer_styles WHERE f_table_name = 'buurt_2022_lbm_score_2022') <> 1 THEN
        RAISE EXCEPTION 'expected one default style for buurt_2022_lbm_score_2022';
    END IF;
    IF (SELECT cardinality(xpath('//se:Rule', stylesld, ARRAY[ARRAY['se', 'http://www.opengis.net/se']]))
          FROM public.layer_styles WHERE f_table_name = 'buurt_2022_lbm_score_2022') <> 5 THEN
        RAISE EXCEPTION 'the SLD does not have one rule per class';
    END IF;
    IF (SELECT count(*) FROM buurtmonitor_layers.buurt_2022_lbm_score_2022 WHERE class IS NOT NULL) <> 714 THEN
        RAISE EXCEPTION 'the layer view does not classify the 714 buurten with a Leefbaarometer score';
    END IF;
END $$;
-- within: the city of Utrecht only (111 buurten, one municipal boundary), classes of its own buurten
DO $$ DECLARE svg text := buurtmonitor.map_svg('buurt', 2022, 'g_wozbag', within => '{GM0344}'); BEGIN
    IF regexp_count(svg, '<path class="area"') <> 111 OR regexp_count(svg, '<path class="gemeente"') <> 1 THEN
        RAISE EXCEPTION 'map_svg within GM0344: % areas, % boundaries', regexp_count(svg, '<path class="area"'),
                        regexp_count(svg, '<path class="gemeente"');
    END IF;
    IF buurtmonitor.map_breaks('buurt', 2022, 'g_wozbag', within => '{GM0344}')
       IS DISTINCT FROM (SELECT buurtmonitor.class_breaks(value, 'fisher', 5) FROM buurtmonitor.observations
                          WHERE indicator = 'g_wozbag' AND period = 2022 AND area_code LIKE 'BU0344%') THEN
        RAISE EXCEPTION 'map_breaks within GM0344 differs from class_breaks over its buurten';
    END IF;
END $$;
-- no values for a period: a clear error
DO $$ BEGIN
    PERFORM buurtmonitor.map_breaks('buurt', 2022, 'lbm_score', 2019);
    RAISE EXCEPTION 'no error for a period without values';
EXCEPTION WHEN no_data_found THEN NULL;
END $$;
\set f :tmp '/map.svg'
COPY (SELECT buurtmonitor.map_svg('buurt', 2022, 'g_wozbag', 2022, 'fisher', 5,
                                  title => 'Gemiddelde WOZ-waarde, provincie Utrecht 2022')) TO :'f';
\set f :tmp '/classes.csv'
COPY (SELECT v.area_code, buurtmonitor.class_of(v.value, buurtmonitor.map_breaks('buurt', 2022, 'g_wozbag', 2022, 'fisher', 5))
        FROM buurtmonitor._map_values('buurt', 2022, 'g_wozbag', 2022, NULL) v) TO :'f' WITH (FORMAT csv);
SQL

# 1. QGIS
QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$BM_ROOT/test/classify_qgis.py" "$DB" "$PGPORT" buurtmonitor_layers \
    buurt_2022_lbm_score_2022 "$tmp/expected.csv" "$tmp/qgis.png"

# 2. SVG structure
python3 - "$tmp/map.svg" "$tmp/classes.csv" <<'PY'
import csv, sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
areas = root.findall(".//s:path[@class='area']", ns)
legend = root.findall(".//s:g[@class='legend-entry']", ns)
borders = root.findall(".//s:path[@class='gemeente']", ns)
ours = {code: cls for code, cls in csv.reader(open(sys.argv[2]))}
fail = []
if len(areas) != 969 or len({a.get("data-code") for a in areas}) != 969:
    fail.append("%d area paths, expected one per buurt (969)" % len(areas))
if len(legend) != 5:
    fail.append("%d legend entries, expected 5 classes" % len(legend))
if len(borders) != 26:
    fail.append("%d municipal boundaries, expected 26" % len(borders))
bad = [a.get("data-code") for a in areas if a.get("data-class") != ours.get(a.get("data-code"))]
if bad:
    fail.append("class differs from class_of for %d buurten: %s" % (len(bad), bad[:5]))
texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
for want in ("Gemiddelde WOZ-waarde, provincie Utrecht 2022", "Bron: CBS"):
    if want not in texts:
        fail.append("missing text " + want)
if fail:
    sys.exit("\n".join(fail))
print("svg: %d areas, %d legend entries, %d municipal boundaries" % (len(areas), len(legend), len(borders)))
PY
echo "classify_maps: QGIS style and SVG map agree with the classes"
