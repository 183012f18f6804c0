-- Signals: signal_rules, signals(), signal_map.
-- Part 1 SYNTHETIC (hand-checked): Signaaldorp (GM9902), four buurten, share on benefits 2019-2023
-- (polarity -1: higher is worse; tolerance 0.5), in a synthetic boundary edition 2026.
--            2019  2020  2021  2022  2023
--   Noord      10    11    12  13.5    15   worsened 4 years in a row (+1, +1, +1.5, +1.5)
--   Zuid        6     6   6.2   6.1   5.9   stable
--   Oost        8     9   8.5   9.5  11.5   +1 worse, -0.5 stable, +1 worse, +2 worse: run 2 in 2023
--   West       12    11    10     9     8   improving
--   Signaaldorp 9     9     9     9    10   (its own figures)
-- 2023: index = 100 * value / 10: Noord 150, Zuid 59, Oost 115, West 80.
-- z 2023: mean (15 + 5.9 + 11.5 + 8) / 4 = 10.1; deviations 4.9, -4.2, 1.4, -2.1;
--   sd = sqrt((24.01 + 17.64 + 1.96 + 4.41) / 3) = sqrt(16.00667) = 4.00083; z Noord 1.2247, Zuid -1.0498.
SET extra_float_digits = 0;
INSERT INTO buurtmonitor.indicators (code, label, kind, denominator, scale, polarity, tolerance) VALUES
 ('s_inw', 'inhabitants', 'count', NULL, 1, 0, 0),
 ('s_uitk', 'share of inhabitants on benefits', 'share', 's_inw', 100, -1, 0.5);
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code, geom)
SELECT code, 2026, name, level, parent,
       ST_Multi(ST_MakeEnvelope(150000 + x * 1000, 450000, 151000 + x * 1000, 451000, 28992))
  FROM (VALUES ('GM9902', 'Signaaldorp', 'gemeente', NULL, 0), ('WK990201', 'Dorp', 'wijk', 'GM9902', 0),
               ('BU99020101', 'Noord', 'buurt', 'WK990201', 1), ('BU99020102', 'Zuid', 'buurt', 'WK990201', 2),
               ('BU99020103', 'Oost', 'buurt', 'WK990201', 3), ('BU99020104', 'West', 'buurt', 'WK990201', 4))
       AS t(code, name, level, parent, x);
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value)
SELECT a, 2026, 2018 + i, 's_uitk', v[i]
  FROM (VALUES ('BU99020101', ARRAY[10, 11, 12, 13.5, 15]), ('BU99020102', ARRAY[6, 6, 6.2, 6.1, 5.9]),
               ('BU99020103', ARRAY[8, 9, 8.5, 9.5, 11.5]), ('BU99020104', ARRAY[12, 11, 10, 9, 8]),
               ('GM9902', ARRAY[9, 9, 9, 9, 10])) AS t(a, v),
       generate_series(1, 5) i;

INSERT INTO buurtmonitor.signal_rules (rule_id, indicator, condition, threshold, description, active) VALUES
 (1, 's_uitk', 'z_worse_than', 1, 'more than 1 sd worse than the other buurten of the gemeente', true),
 (2, 's_uitk', 'index_above', 140, 'more than 40% above the gemeente', true),
 (3, 's_uitk', 'index_below', 70, 'far below the gemeente', true),
 (4, 's_uitk', 'worsened_consecutive', 3, 'worse three years in a row', true),
 (5, 's_uitk', 'crosses_threshold', 11, 'crossed 11%', true),
 (6, 's_uitk', 'index_above', 0, 'inactive: would flag everything', false);
-- Expected for the newest period, 2023:
--   rule 1: polarity -1, so worse = z > 1: Noord (1.2247) only
--   rule 2: index > 140: Noord (150); rule 3: index < 70: Zuid (59)
--   rule 4: label worsened with run >= 3: Noord (run 4); Oost has run 2
--   rule 5: previous < 11 <= value: Oost (9.5 -> 11.5); Noord was already above (13.5 -> 15)
--   rule 6 is inactive.
-- Reasons: Noord 50% above, Zuid |59 - 100| = 41% below, Oost 15% above the Signaaldorp average.
-- (run counts the periods in a row with the same label: Zuid has been stable 4 times.)
SELECT rule_id, area_name, period, value, round(index::numeric, 2) AS index, round(z_score::numeric, 4) AS z,
       label, run, reason
  FROM buurtmonitor.signals() WHERE indicator = 's_uitk' ORDER BY rule_id, area_code;
-- an earlier period: in 2022 Noord had worsened 3 years in a row (index 100 * 13.5 / 9 = 150)
SELECT rule_id, area_name, period, reason FROM buurtmonitor.signals(2022, rule_ids => '{4}');
-- the QGIS view: one row per rule and area, stable key rule_id * 2^32 + area_id, RD New multipolygons
SELECT m.rule_id, m.area_code, m.fid = m.rule_id::bigint * 4294967296 + a.area_id AS fid_ok,
       GeometryType(m.geom) AS geometry_type, ST_SRID(m.geom) AS srid, ST_Area(m.geom) AS area_m2
  FROM buurtmonitor.signal_map m JOIN buurtmonitor.areas a ON a.code = m.area_code AND a.vintage = 2026
 WHERE m.indicator = 's_uitk' ORDER BY m.rule_id, m.area_code;
SELECT count(*) = count(DISTINCT fid) AS fid_unique FROM buurtmonitor.signal_map;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'buurtmonitor.signal_map'::regclass AND attname = 'geom';

-- Bad rules are rejected by the table
-- (a run of 2.5 periods, a negative number of standard deviations, an unknown condition, an unknown indicator)
INSERT INTO buurtmonitor.signal_rules (rule_id, indicator, condition, threshold) VALUES (91, 's_uitk', 'worsened_consecutive', 2.5);
INSERT INTO buurtmonitor.signal_rules (rule_id, indicator, condition, threshold) VALUES (92, 's_uitk', 'z_worse_than', -1);
INSERT INTO buurtmonitor.signal_rules (rule_id, indicator, condition, threshold) VALUES (93, 's_uitk', 'above_average', 1);
INSERT INTO buurtmonitor.signal_rules (rule_id, indicator, condition, threshold) VALUES (94, 'no_such_indicator', 'index_above', 120);

DELETE FROM buurtmonitor.signal_rules WHERE indicator = 's_uitk';
DELETE FROM buurtmonitor.areas WHERE code LIKE '__9902%';

-- Part 2 REAL DATA: Baarn, share of households with a low income (CBS editions 2016-2023).
-- Rule: more than 50% above the Baarn average. The flagged buurten must be exactly those whose
-- published value exceeds 1.5 times Baarn's own figure in the newest edition with the figure
-- (2023, Baarn 2.6%: value > 3.9), checked against the staged CSV rows directly.
-- By hand: Lage Vuursche 7.8 / 2.6 = 3.00 (200% above), Wilhelminapark 5.7 / 2.6 = 2.19 (119% above),
-- Centrum 4.3 / 2.6 = 1.65 (65% above), Professorenwijk and Verspreide huizen Baarn 4.5 / 2.6 = 1.73 (73% above).
\getenv datadir BUURTMONITOR_DATA
\set f :datadir '/multiyear/baarn_gm0308_kwb2016_2025_long.csv'
CREATE TEMP TABLE stage (gwb_code_10 text, regio text, wk_code text, recs text, jaar integer,
                         indicator text, value double precision);
COPY stage FROM :'f' CSV HEADER;
DELETE FROM stage WHERE indicator <> 'huishoudens_laag_inkomen';
INSERT INTO buurtmonitor.indicators (code, label, kind, denominator, scale, polarity, tolerance) VALUES
 ('sb_households', 'households', 'count', NULL, 1, 0, 0),
 ('sb_laag_inkomen', 'share of households with a low income', 'share', 'sb_households', 100, -1, 0.5);
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT DISTINCT gwb_code_10, 2023, regio, 'gemeente', NULL::text FROM stage WHERE recs = 'Gemeente'
ON CONFLICT DO NOTHING;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT DISTINCT wk_code, 2023, wk_code, 'wijk', 'GM0308' FROM stage WHERE recs = 'Buurt'
ON CONFLICT DO NOTHING;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT DISTINCT gwb_code_10, 2023, regio, 'buurt', wk_code FROM stage WHERE recs = 'Buurt'
ON CONFLICT DO NOTHING;
-- all editions' figures on the 2023 edition (the buurt codes did not change in Baarn)
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, status)
SELECT gwb_code_10, 2023, jaar, 'sb_laag_inkomen', value, CASE WHEN value IS NULL THEN 'suppressed' ELSE 'observed' END
  FROM stage;
INSERT INTO buurtmonitor.signal_rules (rule_id, indicator, condition, threshold, description) VALUES
 (101, 'sb_laag_inkomen', 'index_above', 150, 'low income more than 50% above the Baarn average');
SELECT area_name, period, value, round(index::numeric, 1) AS index, reason
  FROM buurtmonitor.signals(vintage => 2023, rule_ids => '{101}') ORDER BY area_code;
-- the same set straight from the CSV rows
SELECT array_agg(b.gwb_code_10 ORDER BY b.gwb_code_10) =
       (SELECT array_agg(area_code ORDER BY area_code) FROM buurtmonitor.signals(vintage => 2023, rule_ids => '{101}'))
       AS same_buurten
  FROM stage b JOIN stage g ON g.recs = 'Gemeente' AND g.jaar = b.jaar
 WHERE b.recs = 'Buurt' AND b.jaar = 2023 AND b.value > 1.5 * g.value;
-- The same figures loaded the CBS way, one boundary edition per year (vintage = period).
-- Without by_code the 2023 edition has only its own period, so the same buurten are flagged
-- but with no history; with by_code => true the older editions' rows of the same (unchanged)
-- buurt codes form the series, and the reasons equal those above (all periods on one edition).
CREATE TEMP TABLE reasons_one_edition AS
SELECT area_code, reason FROM buurtmonitor.signals(vintage => 2023, rule_ids => '{101}');
DELETE FROM buurtmonitor.observations WHERE indicator = 'sb_laag_inkomen';
-- (an earlier test may have made these areas already; remember the ones made here)
CREATE TEMP TABLE made_here AS
WITH ins AS (
    INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
    SELECT DISTINCT s.gwb_code_10, s.jaar, s.regio, CASE s.recs WHEN 'Buurt' THEN 'buurt' ELSE 'gemeente' END,
           CASE WHEN s.recs = 'Buurt' THEN 'GM0308' END
      FROM stage s WHERE s.jaar < 2023
    ON CONFLICT DO NOTHING RETURNING code, vintage)
SELECT * FROM ins;
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, status)
SELECT gwb_code_10, jaar, jaar, 'sb_laag_inkomen', value, CASE WHEN value IS NULL THEN 'suppressed' ELSE 'observed' END
  FROM stage WHERE indicator = 'huishoudens_laag_inkomen' AND jaar <= 2023;
SELECT area_name, reason FROM buurtmonitor.signals(vintage => 2023, rule_ids => '{101}')
 WHERE area_code = 'BU03080200';
SELECT (SELECT array_agg(r.area_code || ': ' || r.reason ORDER BY r.area_code) FROM reasons_one_edition r) =
       array_agg(s.area_code || ': ' || s.reason ORDER BY s.area_code) AS same_reasons_by_code
  FROM buurtmonitor.signals(vintage => 2023, rule_ids => '{101}', by_code => true) s;
SELECT array_agg(b.gwb_code_10 ORDER BY b.gwb_code_10) =
       (SELECT array_agg(area_code ORDER BY area_code)
          FROM buurtmonitor.signals(vintage => 2023, rule_ids => '{101}', by_code => true))
       AS same_buurten_by_code
  FROM stage b JOIN stage g ON g.recs = 'Gemeente' AND g.jaar = b.jaar AND g.indicator = b.indicator
 WHERE b.recs = 'Buurt' AND b.jaar = 2023 AND b.indicator = 'huishoudens_laag_inkomen' AND b.value > 1.5 * g.value;
DELETE FROM buurtmonitor.areas a USING made_here m WHERE a.code = m.code AND a.vintage = m.vintage;
DELETE FROM buurtmonitor.signal_rules WHERE rule_id = 101;
DELETE FROM buurtmonitor.observations WHERE indicator = 'sb_laag_inkomen';
DELETE FROM buurtmonitor.indicators WHERE code LIKE 'sb\_%';
