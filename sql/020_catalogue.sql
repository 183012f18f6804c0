-- Indicator catalogue (extension/sql/020_catalogue.sql) and indicator_aliases.
-- Runs in a transaction that is rolled back, so the user rows added below do not leak.
BEGIN;

-- Size of the builtin catalogue per kind and per theme.
SELECT kind, count(*) FROM buurtmonitor.indicators WHERE builtin GROUP BY kind ORDER BY kind;
SELECT theme, count(*) FROM buurtmonitor.indicators WHERE builtin GROUP BY theme ORDER BY theme;

-- Every share and mean has a denominator, and it is a count; so has every score with a base,
-- and every numerator is a count (expect no rows).
SELECT i.code, i.kind, i.numerator, i.denominator, d.kind AS den_kind, n.kind AS num_kind
  FROM buurtmonitor.indicators i
  LEFT JOIN buurtmonitor.indicators d ON d.code = i.denominator
  LEFT JOIN buurtmonitor.indicators n ON n.code = i.numerator
 WHERE (i.kind IN ('share', 'mean') AND (d.code IS NULL OR d.kind <> 'count'))
    OR (i.denominator IS NOT NULL AND d.kind IS DISTINCT FROM 'count')
    OR (i.numerator IS NOT NULL AND n.kind IS DISTINCT FROM 'count');

-- Scores without a base are the ones a roll-up skips: medians, classes, codes, a spread.
SELECT code, label FROM buurtmonitor.indicators WHERE kind = 'score' AND denominator IS NULL ORDER BY code;

-- Every builtin indicator has a label, unit, source; every approximation says so.
SELECT count(*) FILTER (WHERE label = '' OR unit IS NULL OR source IS NULL) AS incomplete,
       count(*) FILTER (WHERE description LIKE '%Approximation%') AS approximations
  FROM buurtmonitor.indicators WHERE builtin;

-- A handful of entries.
SELECT code, label, theme, unit, kind, numerator, denominator, scale, polarity
  FROM buurtmonitor.indicators
 WHERE code IN ('a_inw', 'p_koopw', 'g_wozbag', 'g_hhgro', 'g_afs_gs', 'p_hh_li', 'p_arb_pp',
                'p_geb', 'bev_dich', 'lbm_score', 'ses_woa', 'm_hh_ver', 'p_gehuwd', 'g_5km_zhi')
 ORDER BY code;

-- Resolution rule of the loaders: the column name as a code, else as an alias.
CREATE TEMP TABLE resolved_cols AS
SELECT f.file, f.col,
       coalesce((SELECT i.code FROM buurtmonitor.indicators i WHERE i.code = f.col),
                (SELECT a.indicator FROM buurtmonitor.indicator_aliases a WHERE a.alias = f.col)) AS code
  FROM (
    -- multiyear/utrecht_gm0344_kwb2023.csv (also 2024, and the 2022 subset): the header without
    -- the identifiers jaar, gwb_code_10, gwb_code_8, regio, gm_naam, recs, gwb_code, ind_wbi
    SELECT 'kwb2023' AS file, unnest(string_to_array(
      'a_inw a_man a_vrouw a_00_14 a_15_24 a_25_44 a_45_64 a_65_oo a_ongeh a_gehuwd a_gesch a_verwed '
      'a_nl_all a_eur_al a_neu_al a_geb_nl a_geb_eu a_geb_ne a_gbl_eu a_gbl_ne a_geb p_geb a_ste p_ste '
      'a_hh a_1p_hh a_hh_z_k a_hh_m_k g_hhgro bev_dich a_woning g_wozbag p_1gezw p_mgezw p_bewndw p_leegsw '
      'p_koopw p_huurw p_wcorpw p_ov_hw p_e_o_w p_bjj2k p_bjo2k g_ele g_ele_ap g_ele_tw g_ele_hw g_ele_2w '
      'g_ele_vw g_ele_hu g_ele_ko g_gas g_gas_ap g_gas_tw g_gas_hw g_gas_2w g_gas_vw g_gas_hu g_gas_ko '
      'p_stadsv a_opl_lg a_opl_md a_opl_hg p_arb_pp p_arb_wn p_arb_zs a_inkont g_ink_po g_ink_pi p_ink_li '
      'p_ink_hi g_hh_sti p_hh_li p_hh_hi p_hh_lkk p_hh_osm p_hh_110 p_hh_120 m_hh_ver a_soz_wb a_soz_ao '
      'a_soz_ww a_soz_ow a_jz_tn p_jz_tn a_wmo_t p_wmo_t a_bedv a_bed_a a_bed_bf a_bed_gi a_bed_hj '
      'a_bed_kl a_bed_mn a_bed_oq a_bed_ru a_pau a_bst_b a_bst_nb g_pau_hh g_pau_km a_m2w g_afs_hp '
      'g_afs_gs g_afs_kv g_afs_sc g_3km_sc a_opp_ha a_lan_ha a_wat_ha pst_mvp pst_dekp ste_mvs ste_oad', ' ')) AS col
    UNION ALL
    -- utrecht/kwb2022_leefbaarometer2020_ses.csv without the index, buurt_code, gm_naam, regio
    SELECT 'utrecht_province', unnest(string_to_array(
      'aantal_inwoners aantal_inwoners_tussen_25_44_percentage aantal_huishoudens_met_kinderen_percentage '
      'gemiddelde_huishoudensgrootte woningvoorraad gemiddelde_woningwaarde meergezinswoning_percentage '
      'bewoond_percentage koopwoning_percentage bouwjaar_vanaf_2000_percentage afstand_tot_ziekenhuis_km '
      'afstand_tot_grote_supermarkt_km afstand_tot_cafe_km afstand_tot_kinderdagverblijf_km '
      'afstand_tot_buitenschoolseopvang_km afstand_tot_openbaar_groen_km afstand_tot_park_of_plantsoen_km '
      'afstand_tot_bos_km afstand_tot_hoofdverkeersweg_km afstand_tot_treinstation_km '
      'AfstandTotSemiOpenbaarGroenTotaal_83 leefbarometer_score leefbarometer_fysieke_omgeving '
      'leefbarometer_fysieke_overlast leefbarometer_sociale_samenhang leefbarometer_voorzieningen '
      'aardgasverbruik_m3_gemiddeld elektriciteitsverbruik_kwh_gemiddeld social_economische_score_gemiddeld '
      'geluid_van_treinverkeer geluid_van_weg', ' '))
    UNION ALL
    -- multiyear/baarn_gm0308_kwb*.csv and the values of the indicator column of the long file
    SELECT 'baarn', unnest(string_to_array(
      'huishoudens_laag_inkomen huishoudens_sociaal_minimum gem_inkomen_huishoudens bijstandsontvangers '
      'arbeidsparticipatie opleiding_laag opleiding_middelbaar opleiding_hoog jongeren_jeugdzorg aantal_inwoners', ' '))
    UNION ALL
    -- amsterdam/ses_woa_2019.csv (StatLine headings; the first three are period and area)
    SELECT 'amsterdam_ses', unnest(ARRAY['Particuliere huishoudens (Aantal)', 'Opleidingsniveau/Laag/Waarde (%)',
      'Opleidingsniveau/Middelbaar/Waarde (%)', 'Opleidingsniveau/Hoog/Waarde (%)',
      'SES-WOA/Totaalscore/Gemiddelde score (Getal)', 'Spreiding/Spreiding totaal/Waarde (Getal)'])
    UNION ALL
    -- multiyear/woudenberg_gm0351_a_inw_2016_2025_long.csv
    SELECT 'woudenberg', 'a_inw'
  ) f;

-- The key-figure properties of the PDOK layout, read from the file itself
-- (multiyear/baarn_buurt_2024_wgs84.geojson, 223 properties of which 9 are identifiers or flags).
\getenv datadir BUURTMONITOR_DATA
\set baarn_geojson :datadir/multiyear/baarn_buurt_2024_wgs84.geojson
INSERT INTO resolved_cols (file, col, code)
SELECT 'baarn_geojson', k,
       coalesce((SELECT i.code FROM buurtmonitor.indicators i WHERE i.code = k),
                (SELECT a.indicator FROM buurtmonitor.indicator_aliases a WHERE a.alias = k))
  FROM jsonb_object_keys(pg_read_file(:'baarn_geojson')::jsonb->'features'->0->'properties') k
 WHERE k NOT IN ('buurtcode', 'buurtnaam', 'wijkcode', 'gemeentecode', 'gemeentenaam',
                 'indelingswijziging_wijken_en_buurten', 'water', 'jrstatcode', 'jaar');

-- Columns per file and how many resolve (114 KWB columns; 31 + 10 + 6 + 1 + 214 others).
SELECT file, count(*) AS columns, count(code) AS resolved FROM resolved_cols GROUP BY file ORDER BY file;
-- Unresolved columns (expect none).
SELECT file, col FROM resolved_cols WHERE code IS NULL;

-- The custom layouts' names and what they map to.
SELECT file, col, code FROM resolved_cols WHERE file IN ('utrecht_province', 'baarn', 'amsterdam_ses') ORDER BY file, col;

-- A sample of the PDOK names, among them the two low-income shares that tell p_hh_lkk and
-- p_hh_li apart.
SELECT col, code FROM resolved_cols
 WHERE file = 'baarn_geojson'
   AND col IN ('percentage_huishoudens_met_laag_inkomen', 'percentage_huishoudens_met_laagste_inkomen',
               'percentage_personen_0_tot_15_jaar', 'stedelijkheid_adressen_per_km2',
               'ziekenhuis_incl_buitenpoli_gem_aantal_binnen_5_km', 'gemiddelde_afstand_tot_museum')
 ORDER BY col;

-- Indicators with an exact numerator reproduce the published CBS values: check on the
-- municipal row of the real Utrecht 2023 file (buurt and wijk counts are rounded to
-- multiples of 5 by CBS, so only the unrounded GM0344 row can be recomputed). The
-- tolerance is half a unit of the published last digit.
\set kwb2023 :datadir/multiyear/utrecht_gm0344_kwb2023.csv
CREATE TEMP TABLE kwb2023_line (line text);
COPY kwb2023_line FROM :'kwb2023' WITH (FORMAT text);
CREATE TEMP TABLE kwb2023_gm AS
WITH hdr AS (SELECT string_to_array(line, ',') AS h FROM kwb2023_line WHERE line LIKE 'jaar,%'),
     gm  AS (SELECT string_to_array(line, ',') AS v FROM kwb2023_line WHERE line LIKE '%,GM0344,%')
SELECT h[k] AS col, nullif(v[k], '') AS val FROM hdr, gm, generate_subscripts(h, 1) k;
SELECT i.code, v.val AS published, n.val AS numerator, d.val AS denominator, i.scale,
       round((i.scale::numeric * n.val::numeric / d.val::numeric), 3) AS recomputed,
       abs(i.scale::numeric * n.val::numeric / d.val::numeric - v.val::numeric)
           <= 0.5 * 10 ^ (-coalesce(length(split_part(v.val, '.', 2)), 0)) AS within_rounding
  FROM buurtmonitor.indicators i
  JOIN kwb2023_gm v ON v.col = i.code
  JOIN kwb2023_gm n ON n.col = i.numerator
  JOIN kwb2023_gm d ON d.col = i.denominator
 WHERE i.numerator IS NOT NULL AND v.val IS NOT NULL
 ORDER BY i.code;

-- Aliases: builtin ones, and registered so that pg_dump keeps only the users' rows.
SELECT count(*) AS builtin_aliases FROM buurtmonitor.indicator_aliases WHERE builtin;
SELECT c.relname, x.cond
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(oid, cond)
  JOIN pg_class c ON c.oid = x.oid
 WHERE e.extname = 'buurtmonitor' AND c.relname IN ('indicators', 'indicator_aliases')
 ORDER BY c.relname;

-- A user adds an indicator of their own (docs/catalogue.md): satisfaction with green space,
-- a share of survey respondents, rolled up weighted by inhabitants; and an alias for it.
INSERT INTO buurtmonitor.indicators (code, label, theme, unit, kind, denominator, scale, polarity, source, description)
VALUES ('p_tevr_groen', 'Tevreden over groen in de buurt', 'leefbaarheid', '%', 'share', 'a_inw', 100, 1,
        'Bewonersenquête 2023', 'Share of respondents satisfied with green space.');
INSERT INTO buurtmonitor.indicator_aliases (alias, indicator) VALUES ('tevredenheid_groen', 'p_tevr_groen');
SELECT i.code, i.builtin, a.alias, a.builtin AS alias_builtin
  FROM buurtmonitor.indicators i JOIN buurtmonitor.indicator_aliases a ON a.indicator = i.code
 WHERE i.code = 'p_tevr_groen';

-- Bad entries are refused: an alias for an unknown indicator, a share without denominator,
-- a mean whose base is not in the catalogue.
SAVEPOINT s;
INSERT INTO buurtmonitor.indicator_aliases (alias, indicator) VALUES ('geluid', 'geluid_totaal');
ROLLBACK TO s;
INSERT INTO buurtmonitor.indicators (code, label, kind) VALUES ('p_zonder_noemer', 'Share without denominator', 'share');
ROLLBACK TO s;
INSERT INTO buurtmonitor.indicators (code, label, kind, denominator) VALUES ('g_x', 'Mean of x', 'mean', 'a_onbekend');
SET CONSTRAINTS ALL IMMEDIATE;
ROLLBACK TO s;

ROLLBACK;
