-- Load the real sample data (psql -v datadir=...): boundaries, CBS key figures, crosswalk.
SET client_min_messages = warning;
\echo '   Deventer buurten, editions 2018 and 2022'
\set f :datadir '/deventer/buurt_2018.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2018) AS deventer_2018 \gset
\set f :datadir '/deventer/buurt_2022.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022) AS deventer_2022 \gset
\echo '   province of Utrecht: 969 buurten 2022 with CBS key figures, Leefbaarometer and SES'
\set f :datadir '/utrecht/buurt_2022.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022) AS utrecht_areas \gset
\set f :datadir '/utrecht/kwb2022_leefbaarometer2020_ses.csv'
-- this file codes suppressed WOZ values, SES scores and unavailable distances as 0
SELECT buurtmonitor.load_csv(:'f', period => 2022,
       zero_is_suppressed => '{g_wozbag,ses_woa,g_afs_og,g_afs_pp,g_afs_bos,g_afs_ts,g_afs_sog}') AS utrecht_obs \gset
\echo '   city of Utrecht: full CBS key figures 2023 and 2024 (first release)'
\set f :datadir '/multiyear/utrecht_gm0344_kwb2023.csv'
SELECT buurtmonitor.load_csv(:'f') AS n \gset
\set f :datadir '/multiyear/utrecht_gm0344_kwb2024.csv'
SELECT buurtmonitor.load_csv(:'f') AS n \gset
\echo '   Baarn 2016-2025 (boundaries 2024 in WGS84, transformed) and Woudenberg 2016-2025'
\set f :datadir '/multiyear/baarn_buurt_2024_wgs84.geojson'
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2024, code_property => 'buurtcode',
       name_property => 'buurtnaam', transform => true) AS n \gset
\set f :datadir '/multiyear/baarn_gm0308_kwb2016_2025_long.csv'
SELECT buurtmonitor.load_csv(:'f', on_conflict => 'skip') AS n \gset
\set f :datadir '/multiyear/woudenberg_gm0351_a_inw_2016_2025_long.csv'
SELECT buurtmonitor.load_csv(:'f', on_conflict => 'skip') AS n \gset
\echo '   crosswalk Deventer 2018 -> 2022 and QGIS layer views'
SELECT buurtmonitor.build_crosswalk(2018, 2022) AS n \gset
SELECT count(*) AS n FROM buurtmonitor.create_layer_views() \gset
ANALYZE;
