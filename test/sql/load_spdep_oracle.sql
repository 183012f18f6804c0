-- Load the areas and values of test/r/spdep_oracle.R into buurtmonitor with the extension's
-- loaders: the 969 Utrecht province buurten 2022 and the 69 Deventer buurten 2022, the Utrecht
-- mean WOZ value and share of households with children (CBS key figures 2022), and Deventer's
-- synthetic value (the last four digits of the code). Used by test/spdep_oracle.sh and bench/spatial.sh.
\getenv datadir BUURTMONITOR_DATA
SET client_min_messages = warning;
\set f :datadir/utrecht/buurt_2022.geojson
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022) AS utrecht_2022;
\set f :datadir/deventer/buurt_2022.geojson
SELECT buurtmonitor.load_areas_geojson(pg_read_file(:'f')::jsonb, 2022) AS deventer_2022;
\set f :datadir/utrecht/kwb2022_leefbaarometer2020_ses.csv
-- the file has 35 columns; names with commas are quoted, so read it as CSV into text columns
CREATE TEMP TABLE kwb (idx text, buurt_code text, gm_naam text, regio text, aantal_inwoners text,
    p_25_44 text, p_kinderen text, hh_grootte text, woningvoorraad text, woz text,
    c11 text, c12 text, c13 text, c14 text, c15 text, c16 text, c17 text, c18 text, c19 text, c20 text,
    c21 text, c22 text, c23 text, c24 text, c25 text, c26 text, c27 text, c28 text, c29 text, c30 text,
    c31 text, c32 text, c33 text, c34 text, c35 text);
COPY kwb FROM :'f' (FORMAT csv, HEADER);
INSERT INTO buurtmonitor.indicators (code, label, kind) VALUES
    ('sp_woz', 'mean WOZ value (x 1000 EUR), CBS 2022', 'score'),
    ('sp_children', 'households with children (%), CBS 2022', 'score'),
    ('sp_synthetic', 'synthetic: last four digits of the code', 'score'),
    ('sp_inhabitants', 'inhabitants, CBS 2022', 'count'),
    ('sp_household_size', 'mean household size, CBS 2022', 'score')
ON CONFLICT DO NOTHING;
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, status)
SELECT buurt_code, 2022, 2022, 'sp_woz', woz::float8, 'observed' FROM kwb
UNION ALL
SELECT buurt_code, 2022, 2022, 'sp_children', NULLIF(p_kinderen, '')::float8,
       CASE WHEN coalesce(p_kinderen, '') = '' THEN 'suppressed' ELSE 'observed' END FROM kwb
UNION ALL
SELECT buurt_code, 2022, 2022, 'sp_inhabitants', aantal_inwoners::float8, 'observed' FROM kwb
UNION ALL
SELECT buurt_code, 2022, 2022, 'sp_household_size', hh_grootte::float8, 'observed' FROM kwb
-- a synthetic period 2021 for the correlation of changes (the same formulas in the R script):
-- WOZ * 0.95 + (row index mod 7), children + (row index mod 5) - 2, household size unchanged
UNION ALL
SELECT buurt_code, 2022, 2021, 'sp_woz', woz::float8 * 0.95 + idx::int % 7, 'observed' FROM kwb
UNION ALL
SELECT buurt_code, 2022, 2021, 'sp_children', NULLIF(p_kinderen, '')::float8 + idx::int % 5 - 2,
       CASE WHEN coalesce(p_kinderen, '') = '' THEN 'suppressed' ELSE 'observed' END FROM kwb
UNION ALL
SELECT buurt_code, 2022, 2021, 'sp_household_size', hh_grootte::float8, 'observed' FROM kwb
UNION ALL
SELECT code, 2022, 2022, 'sp_synthetic', substr(code, 7, 4)::float8, 'observed'
  FROM buurtmonitor.areas WHERE vintage = 2022 AND level = 'buurt' AND code LIKE 'BU0150%'
ON CONFLICT DO NOTHING;
ANALYZE buurtmonitor.observations; ANALYZE buurtmonitor.areas;
