-- The Dutch example on real data: a social score for the 969 buurten of the province of
-- Utrecht from CBS key figures 2022 ($BUURTMONITOR_DATA/utrecht/kwb2022_leefbaarometer2020_ses.csv),
-- its correlation with the published CBS SES-WOA score and the Leefbaarometer 2020 score, and the
-- priority score. Expected values: test/r/composite_utrecht.R, an independent R computation
-- (R printed: scored 849 of 969; cor with SES pearson 0.8219 (n 674), spearman 0.8491;
-- with Leefbaarometer pearson 0.5236 (n 692), spearman 0.5095; max p 2.391390, min p 0.200974;
-- PCA loadings 0.406036, 0.537521, -0.531806, 0.513213, explained 0.706450).
-- test/r_composite_oracle.sh compares all 849 scores and priorities with R to 1e-9.
\set SHOW_CONTEXT never
\getenv datadir BUURTMONITOR_DATA
\set f :datadir/utrecht/kwb2022_leefbaarometer2020_ses.csv
SET extra_float_digits = 0;
CREATE TABLE ss_utr_stage (
    idx text,
    buurt_code text,
    gm_naam text,
    regio text,
    aantal_inwoners text,
    aantal_inwoners_tussen_25_44_percentage text,
    aantal_huishoudens_met_kinderen_percentage text,
    gemiddelde_huishoudensgrootte text,
    woningvoorraad text,
    gemiddelde_woningwaarde text,
    meergezinswoning_percentage text,
    bewoond_percentage text,
    koopwoning_percentage text,
    bouwjaar_vanaf_2000_percentage text,
    afstand_tot_ziekenhuis_km text,
    afstand_tot_grote_supermarkt_km text,
    afstand_tot_cafe_km text,
    afstand_tot_kinderdagverblijf_km text,
    afstand_tot_buitenschoolseopvang_km text,
    afstand_tot_openbaar_groen_km text,
    afstand_tot_park_of_plantsoen_km text,
    afstand_tot_bos_km text,
    afstand_tot_hoofdverkeersweg_km text,
    afstand_tot_treinstation_km text,
    afstandtotsemiopenbaargroentotaal_83 text,
    leefbarometer_score text,
    leefbarometer_fysieke_omgeving text,
    leefbarometer_fysieke_overlast text,
    leefbarometer_sociale_samenhang text,
    leefbarometer_voorzieningen text,
    aardgasverbruik_m3_gemiddeld text,
    elektriciteitsverbruik_kwh_gemiddeld text,
    social_economische_score_gemiddeld text,
    geluid_van_treinverkeer text,
    geluid_van_weg text
);
COPY ss_utr_stage FROM :'f' WITH (FORMAT csv, HEADER true);
SELECT count(*) AS buurten, count(DISTINCT gm_naam) AS gemeenten FROM ss_utr_stage;
-- CBS suppression is coded 0 in this file: a mean WOZ value of 0 means the buurt's housing
-- figures are suppressed (they are NULL here), and an SES score of exactly 0.00 is suppressed too.
CREATE TABLE ss_utr AS
SELECT buurt_code, gm_naam, regio AS naam, aantal_inwoners::integer AS inwoners,
       nullif(gemiddelde_woningwaarde::numeric, 0) AS woz,
       CASE WHEN gemiddelde_woningwaarde::numeric > 0 THEN koopwoning_percentage::numeric END AS koop,
       CASE WHEN gemiddelde_woningwaarde::numeric > 0 THEN meergezinswoning_percentage::numeric END AS meergezins,
       CASE WHEN gemiddelde_woningwaarde::numeric > 0 THEN gemiddelde_huishoudensgrootte::numeric END AS hhgrootte,
       nullif(social_economische_score_gemiddeld::numeric, 0) AS ses,
       leefbarometer_score::numeric AS lbm, woningvoorraad::integer AS woningen
  FROM ss_utr_stage;
-- The index: four housing key figures, equal weights, population-weighted (aantal_inwoners):
-- mean WOZ value (+), share owner-occupied (+), share multi-family dwellings (-), mean household size (+).
CREATE TABLE ss_utr_score AS
SELECT * FROM buurtmonitor.social_score('ss_utr', '{
    "key": "buurt_code",
    "columns": ["woz", "koop", "meergezins", "hhgrootte"],
    "polarity": {"meergezins": -1},
    "population": "inwoners",
    "min_share": 0.75}');
SELECT count(*) FILTER (WHERE social_score IS NOT NULL) AS scored, reason, count(*)
  FROM ss_utr_score GROUP BY reason ORDER BY reason NULLS FIRST;
-- population-weighted means: 0 and 1 to 1e-12; priority range as in R
SELECT abs(sum(inwoners * social_score) / sum(inwoners)) < 1e-12 AS mean_s_is_0,
       abs(sum(inwoners * priority) / sum(inwoners) - 1) < 1e-12 AS mean_p_is_1,
       round(max(priority)::numeric, 6) AS max_p, round(min(priority)::numeric, 6) AS min_p,
       count(*) FILTER (WHERE priority > 1) AS above_1,
       count(*) FILTER (WHERE social_score < 0) AS deprived
  FROM ss_utr_score JOIN ss_utr ON ss_utr.buurt_code = ss_utr_score.area_code
 WHERE social_score IS NOT NULL;
-- the five lowest scores (R: Kop van Isselt -2.782779 / 2.391390, Hoefkwartier -2.576349 / 2.288174,
-- Utrecht Science Park -2.503229 / 2.251615, Paardenveld -2.406829 / 2.203415,
-- Smallepad e.o. -2.368344 / 2.184172)
SELECT area_code, gm_naam, naam, round(social_score::numeric, 6) AS s, round(priority::numeric, 6) AS p
  FROM ss_utr_score JOIN ss_utr ON ss_utr.buurt_code = ss_utr_score.area_code
 WHERE social_score IS NOT NULL ORDER BY social_score LIMIT 5;
-- correlation with the published SES-WOA score and the Leefbaarometer (Pearson; Spearman on average ranks)
CREATE FUNCTION pg_temp.avg_rank_corr(x double precision[], y double precision[]) RETURNS double precision
    LANGUAGE sql AS $$
    WITH d AS (SELECT a, b FROM unnest(x, y) u(a, b) WHERE a IS NOT NULL AND b IS NOT NULL),
         r AS (SELECT (rank() OVER (ORDER BY a) + count(*) OVER (PARTITION BY a) * 0.5 - 0.5) AS ra,
                      (rank() OVER (ORDER BY b) + count(*) OVER (PARTITION BY b) * 0.5 - 0.5) AS rb FROM d)
    SELECT corr(ra, rb) FROM r $$;
SELECT 'SES-WOA' AS compared_with, count(ses) AS n, round(corr(social_score, ses)::numeric, 4) AS pearson,
       round(pg_temp.avg_rank_corr(array_agg(social_score), array_agg(ses::double precision))::numeric, 4) AS spearman
  FROM ss_utr_score JOIN ss_utr ON ss_utr.buurt_code = ss_utr_score.area_code WHERE social_score IS NOT NULL
UNION ALL
SELECT 'Leefbaarometer', count(lbm), round(corr(social_score, lbm)::numeric, 4),
       round(pg_temp.avg_rank_corr(array_agg(social_score), array_agg(lbm::double precision))::numeric, 4)
  FROM ss_utr_score JOIN ss_utr ON ss_utr.buurt_code = ss_utr_score.area_code WHERE social_score IS NOT NULL;
-- PCA weights of the four indicators (unweighted, complete buurten, as R prcomp(scale. = TRUE))
SELECT indicator, round(loading::numeric, 6) AS loading, round(weight::numeric, 6) AS weight,
       round(explained_variance::numeric, 6) AS explained, n_areas
  FROM buurtmonitor.pca_weights('ss_utr', ARRAY['woz', 'koop', 'meergezins', 'hhgrootte']);
-- Shrinkage on real counts: the owner-occupied share of the dwellings, shrunk toward the gemeente.
-- r = round(koop * woningen / 100) (round half even in double precision, as R's round), n = woningen.
-- R (test/r/composite_utrecht.R): 849 buurten, weight from 0.182236 to 0.999126, max |shrunk - rate|
-- 0.455032; moved most: BU03120008 Bunnik n 26 rate 0.192308 -> 0.647340 (weight 0.182236),
-- BU15810201 Utrechtse Heuvelrug n 30 0.966667 -> 0.792629 (0.306618),
-- BU03170213 Eemnes n 34 0.941176 -> 0.794365 (0.254014). Small buurten move most.
CREATE TABLE ss_utr_koop AS
SELECT buurt_code, gm_naam, round(koop::double precision * woningen / 100) AS koopwoningen, woningen
  FROM ss_utr WHERE koop IS NOT NULL AND woningen > 0;
CREATE TABLE ss_utr_shrunk AS
SELECT * FROM buurtmonitor.shrink_rate('ss_utr_koop', 'buurt_code', 'gm_naam', 'koopwoningen', 'woningen');
SELECT count(*) AS buurten, round(min(weight)::numeric, 6) AS min_weight, round(max(weight)::numeric, 6) AS max_weight,
       round(max(abs(shrunk_rate - rate))::numeric, 6) AS max_move
  FROM ss_utr_shrunk;
SELECT s.area_code, s.parent_code, k.woningen AS n, round(s.rate::numeric, 6) AS rate,
       round(s.shrunk_rate::numeric, 6) AS shrunk, round(s.weight::numeric, 6) AS weight
  FROM ss_utr_shrunk s JOIN ss_utr_koop k ON k.buurt_code = s.area_code
 ORDER BY abs(s.shrunk_rate - s.rate) DESC LIMIT 3;
-- clean up
DROP TABLE ss_utr_stage, ss_utr, ss_utr_score, ss_utr_koop, ss_utr_shrunk;
