# Headless QGIS check of a style written by buurtmonitor.create_map_layer (test/classify_maps.sh).
# Args: dbname port schema view expected.csv (class, lower, upper, label, colour #rrggbb) out.png
# Opens the view as a PostGIS layer, which loads its default style from public.layer_styles;
# checks the renderer is graduated on "value" with exactly the expected ranges, labels and colours;
# renders a PNG and checks every class colour occurs in it.
import csv
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsDataSourceUri, QgsMapRendererSequentialJob,
                       QgsMapSettings, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

db, port, schema, view, expected_file, png = sys.argv[1:7]
app = QgsApplication([], False)
app.initQgis()
uri = QgsDataSourceUri()
uri.setConnection("127.0.0.1", port, db, "postgres", "")
uri.setDataSource(schema, view, "geom", "", "id")
layer = QgsVectorLayer(uri.uri(False), view, "postgres")
fail = []
if not layer.isValid():
    sys.exit("layer not valid: " + uri.uri(False))
r = layer.renderer()
if r.type() != "graduatedSymbol":
    sys.exit("default style not loaded: renderer is " + r.type())
if r.classAttribute() != "value":
    fail.append("attribute " + r.classAttribute())
expected = list(csv.DictReader(open(expected_file)))
ranges = r.ranges()
if len(ranges) != len(expected):
    fail.append("%d ranges, expected %d" % (len(ranges), len(expected)))
for rg, e in zip(ranges, expected):
    got = (rg.lowerValue(), rg.upperValue(), rg.label(), rg.symbol().color().name())
    want = (float(e["lower"]), float(e["upper"]), e["label"], e["colour"])
    if got != want:
        fail.append("range %s: %r, expected %r" % (e["class"], got, want))
print("qgis: %d features, %d ranges on %s" % (layer.featureCount(), len(ranges), r.classAttribute()))

settings = QgsMapSettings()
settings.setLayers([layer])
settings.setExtent(layer.extent())
settings.setOutputSize(QSize(800, 700))
settings.setBackgroundColor(QColor(255, 255, 255))
job = QgsMapRendererSequentialJob(settings)
job.start()
job.waitForFinished()
img = job.renderedImage()
img.save(png)
counts = {}
for y in range(0, img.height(), 2):
    for x in range(0, img.width(), 2):
        c = QColor(img.pixel(x, y)).name()
        counts[c] = counts.get(c, 0) + 1
for e in expected:
    n = counts.get(e["colour"], 0)
    print("  class %s %s: %d pixels" % (e["class"], e["colour"], n))
    if n < 20:
        fail.append("class %s colour %s hardly in the PNG (%d pixels)" % (e["class"], e["colour"], n))
app.exitQgis()
if fail:
    sys.exit("\n".join(fail))
print("qgis: style and rendering agree with buurtmonitor")
