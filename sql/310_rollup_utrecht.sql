-- Roll-up on the REAL data of the province of Utrecht: 969 buurten of 26 municipalities
-- ($BUURTMONITOR_DATA/utrecht: CBS key figures 2022 with Leefbaarometer 2020 and SES-WOA,
-- and the 2022 buurt polygons). The areas and observations are built here from a staging
-- table (the loaders of 030_load.sql can replace this); all in a transaction rolled back.
--
-- Expected values were computed independently of the extension with Python over the CSV
-- (run in $BUURTMONITOR_DATA/utrecht; f = float; gm(c) = rows whose buurt_code[2:6] == c;
-- wsum(G,v,w) = sum of v*w over rows with v non-empty; wtot(G,v,w) = sum of w over the same):
--   r = list(csv.DictReader(open('kwb2022_leefbaarometer2020_ses.csv')))
--   buurten 969, wijken len({buurt_code[2:8]}) = 222, gemeenten 26, empty cells 1868
--   sum(aantal_inwoners)                              = 1369745   (province)
--   sum(aantal_inwoners) for gm('0307') Amersfoort    = 158580
--   sum(aantal_inwoners) for buurt_code[2:8]=='034401' = 28825    (wijk WK034401)
--   gm('0344') Utrecht: sum(woningvoorraad) = 162451,
--       wsum/wtot(gemiddelde_woningwaarde, woningvoorraad) = 391.136423,
--       wsum/wtot(koopwoning_percentage, woningvoorraad)   = 44.333374,
--       naive mean of koopwoning_percentage                = 44.936937
--   gm('0317') Eemnes: sum(woningvoorraad) = 4098, WOZ 441.611274,
--       koopwoning ratio of sums 71.660810 vs naive mean 55.800000
--   leefbarometer_score weighted by aantal_inwoners over buurten with a score:
--       gm('0307') 4.161601, 145 parts, 28 missing, inhabitant coverage 0.980798
--       gm('0344') 4.101924, 111 parts,  5 missing, coverage 0.999544
--       gm('1961') 4.192238,  88 parts, 72 missing, coverage 0.156574
--   gm('0344') aantal_inwoners_tussen_25_44_percentage weighted by inhabitants 36.357098, 2 missing
--   gm('0339') Renswoude afstand_tot_grote_supermarkt_km weighted by inhabitants 1.174271
BEGIN;
\getenv datadir BUURTMONITOR_DATA
\set csvfile :datadir/utrecht/kwb2022_leefbaarometer2020_ses.csv
\set geojson :datadir/utrecht/buurt_2022.geojson

-- Staging table: the CSV as text, column names as in its header.
CREATE TEMP TABLE ut_stage (
    idx text, buurt_code text, gm_naam text, regio text,
    aantal_inwoners text, aantal_inwoners_tussen_25_44_percentage text,
    aantal_huishoudens_met_kinderen_percentage text, gemiddelde_huishoudensgrootte text,
    woningvoorraad text, gemiddelde_woningwaarde text, meergezinswoning_percentage text,
    bewoond_percentage text, koopwoning_percentage text, bouwjaar_vanaf_2000_percentage text,
    afstand_tot_ziekenhuis_km text, afstand_tot_grote_supermarkt_km text, afstand_tot_cafe_km text,
    afstand_tot_kinderdagverblijf_km text, afstand_tot_buitenschoolseopvang_km text,
    afstand_tot_openbaar_groen_km text, afstand_tot_park_of_plantsoen_km text, afstand_tot_bos_km text,
    afstand_tot_hoofdverkeersweg_km text, afstand_tot_treinstation_km text,
    "AfstandTotSemiOpenbaarGroenTotaal_83" text, leefbarometer_score text,
    leefbarometer_fysieke_omgeving text, leefbarometer_fysieke_overlast text,
    leefbarometer_sociale_samenhang text, leefbarometer_voorzieningen text,
    aardgasverbruik_m3_gemiddeld text, elektriciteitsverbruik_kwh_gemiddeld text,
    social_economische_score_gemiddeld text, geluid_van_treinverkeer text, geluid_van_weg text);
COPY ut_stage FROM :'csvfile' WITH (FORMAT csv, HEADER true);

-- Buurt polygons from the GeoJSON (EPSG:28992).
CREATE TEMP TABLE ut_geo AS
SELECT f->'properties'->>'statcode' AS code, f->'properties'->>'statnaam' AS name,
       f->'properties'->>'gmCode' AS gm_code,
       ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 28992)) AS geom
  FROM jsonb_array_elements(pg_read_file(:'geojson')::jsonb->'features') f;
SELECT (SELECT count(*) FROM ut_stage) AS csv_rows, (SELECT count(*) FROM ut_geo) AS polygons,
       (SELECT count(*) FROM ut_stage s JOIN ut_geo g ON g.code = s.buurt_code) AS matched,
       (SELECT count(*) FROM ut_geo WHERE substr(code, 3, 4) <> substr(gm_code, 3, 4)) AS gm_code_mismatch;

-- Areas: gemeenten (gmCode, name from gm_naam), wijken (from the buurt code structure
-- BU gggg ww bb -> WK gggg ww), buurten with their polygons. If an earlier test loaded the
-- same areas they are kept (ON CONFLICT DO NOTHING).
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT DISTINCT g.gm_code, 2022, s.gm_naam, 'gemeente', NULL::text
  FROM ut_geo g JOIN ut_stage s ON s.buurt_code = g.code
ON CONFLICT DO NOTHING;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT DISTINCT 'WK' || substr(g.code, 3, 6), 2022, NULL::text, 'wijk', g.gm_code FROM ut_geo g
ON CONFLICT DO NOTHING;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code, geom)
SELECT g.code, 2022, g.name, 'buurt', 'WK' || substr(g.code, 3, 6), g.geom FROM ut_geo g
ON CONFLICT DO NOTHING;
SELECT a.level, count(*) FROM buurtmonitor.areas a
 WHERE a.vintage = 2022 AND substr(a.code, 3, 4) IN (SELECT substr(gm_code, 3, 4) FROM ut_geo)
 GROUP BY a.level ORDER BY a.level;

ANALYZE buurtmonitor.areas;

-- Observations: every column through indicator_aliases; an empty cell (NULL after COPY) is suppressed.
-- The file combines KWB 2022 with Leefbaarometer 2020; everything is stored as period 2022
-- (the file's edition) so that scores are weighted by the 2022 inhabitants.
INSERT INTO buurtmonitor.observations AS o (area_code, vintage, period, indicator, value, status, source)
SELECT s.buurt_code, 2022, 2022, a.indicator, nullif(kv.value, '')::double precision,
       CASE WHEN coalesce(kv.value, '') = '' THEN 'suppressed' ELSE 'observed' END, 'utrecht sample file'
  FROM ut_stage s
  CROSS JOIN LATERAL jsonb_each_text(to_jsonb(s) - 'idx' - 'buurt_code' - 'gm_naam' - 'regio') kv
  JOIN buurtmonitor.indicator_aliases a ON a.alias = kv.key
ON CONFLICT (area_code, vintage, period, indicator) DO UPDATE
   SET value = EXCLUDED.value, status = EXCLUDED.status, source = EXCLUDED.source;
-- Fresh statistics after a bulk load (as after any load) let the planner pick hash joins.
ANALYZE buurtmonitor.observations;
ANALYZE ut_stage;
SELECT count(*) AS observations, count(*) FILTER (WHERE o.status = 'suppressed') AS suppressed,
       count(DISTINCT o.indicator) AS indicators
  FROM buurtmonitor.observations o JOIN ut_stage s ON s.buurt_code = o.area_code
 WHERE o.vintage = 2022 AND o.period = 2022 AND o.source = 'utrecht sample file';
-- The indicators of this file (other tests may have stored more for the same buurten).
CREATE TEMP TABLE ut_ind AS
SELECT array_agg(DISTINCT o.indicator) AS codes FROM buurtmonitor.observations o
 WHERE o.source = 'utrecht sample file';

CREATE TEMP TABLE ut_gm AS SELECT DISTINCT gm_code FROM ut_geo;

-- Inhabitants per municipality: 26 rows, all complete; province total 1369745.
SELECT count(*) AS municipalities, sum(r.value) AS inhabitants, bool_or(r.partial) AS any_partial
  FROM buurtmonitor.rollup('gemeente', 2022, ARRAY['a_inw'], 2022) r
 WHERE r.area_code IN (SELECT gm_code FROM ut_gm);
-- Amersfoort: 158580 inhabitants over 145 buurten.
SELECT r.area_code, a.name, r.value, r.n_parts, r.n_missing, r.coverage
  FROM buurtmonitor.rollup('gemeente', 2022, ARRAY['a_inw'], 2022) r
  JOIN buurtmonitor.areas a ON a.code = r.area_code AND a.vintage = r.vintage
 WHERE r.area_code = 'GM0307';

-- Dwellings, mean WOZ value weighted by dwellings and the share of owner-occupied dwellings
-- as a ratio of sums, next to the naive mean of the buurt percentages (Utrecht, Eemnes).
SELECT r.area_code, r.indicator, round(r.value::numeric, 6) AS value, r.n_parts, r.n_missing,
       round(r.coverage::numeric, 6) AS coverage,
       CASE WHEN r.indicator = 'p_koopw' THEN
           (SELECT round(avg(o.value)::numeric, 6) FROM buurtmonitor.observations o
              JOIN buurtmonitor.areas b ON b.code = o.area_code AND b.vintage = o.vintage
             WHERE o.indicator = 'p_koopw' AND o.period = 2022 AND b.level = 'buurt'
               AND b.vintage = 2022 AND substr(b.code, 3, 4) = substr(r.area_code, 3, 4)) END AS naive_mean
  FROM buurtmonitor.rollup('gemeente', 2022, ARRAY['a_woning', 'g_wozbag', 'p_koopw'], 2022) r
 WHERE r.area_code IN ('GM0344', 'GM0317')
 ORDER BY r.area_code, r.indicator;

-- Leefbaarometer weighted by inhabitants, with suppressed parts: partial results and the
-- share of the inhabitants covered (Amersfoort, Utrecht, Vijfheerenlanden).
SELECT r.area_code, round(r.value::numeric, 6) AS lbm_score, r.n_parts, r.n_missing, r.n_suppressed,
       round(r.coverage::numeric, 6) AS coverage, r.partial
  FROM buurtmonitor.rollup('gemeente', 2022, ARRAY['lbm_score'], 2022) r
 WHERE r.area_code IN ('GM0307', 'GM0344', 'GM1961')
 ORDER BY r.area_code;

-- A share whose missing parts have no inhabitants (coverage 1, yet partial), and a distance.
SELECT r.area_code, r.indicator, round(r.value::numeric, 6) AS value, r.n_missing,
       round(r.coverage::numeric, 6) AS coverage, r.partial
  FROM buurtmonitor.rollup('gemeente', 2022, ARRAY['p_25_44', 'g_afs_gs'], 2022) r
 WHERE (r.area_code, r.indicator) IN (('GM0344', 'p_25_44'), ('GM0339', 'g_afs_gs'))
 ORDER BY r.area_code;

-- SES-WOA is weighted by households (a_hh), which this file does not contain: no part can
-- be weighed, so the value is NULL and nothing is claimed.
SELECT r.area_code, r.value, r.n_parts, r.n_missing, r.coverage, r.partial
  FROM buurtmonitor.rollup('gemeente', 2022, ARRAY['ses_woa'], 2022) r
 WHERE r.area_code = 'GM0344';

-- To wijken: 222 wijken; WK034401 has 28825 inhabitants; the wijken add up to the province.
SELECT count(*) AS wijken, sum(r.value) AS inhabitants,
       sum(r.value) FILTER (WHERE r.area_code = 'WK034401') AS wk034401
  FROM buurtmonitor.rollup('wijk', 2022, ARRAY['a_inw'], 2022) r
 WHERE substr(r.area_code, 3, 4) IN (SELECT substr(gm_code, 3, 4) FROM ut_gm);

-- Storing every indicator for the 26 municipalities. 31 columns resolve to 31 indicators;
-- g_hhgro, p_hh_m_k and ses_woa are weighted by households (a_hh), absent here, so their
-- 3 x 26 values are NULL and not stored; the rail and road noise of Eemnes (GM0317) and
-- Vijfheerenlanden (GM1961) is empty for every buurt (4 more NULLs): 26*31 - 78 - 4 = 724.
-- Estimated (partial) are the pairs where some but not all buurten are empty: 144.
-- (Python: for each gm and each column not weighted by a_hh, skip if all cells are empty,
--  else count it as stored, and as estimated if any cell is empty -> stored 724, estimated 144.)
SELECT buurtmonitor.rollup_to_observations('gemeente', 2022, (SELECT codes FROM ut_ind), 2022) AS written;
SELECT count(*) AS rows, count(*) FILTER (WHERE o.status = 'estimated') AS estimated,
       count(DISTINCT o.indicator) AS indicators
  FROM buurtmonitor.observations o
 WHERE o.area_code IN (SELECT gm_code FROM ut_gm) AND o.vintage = 2022 AND o.period = 2022
   AND o.source = 'rollup';

ROLLBACK;
