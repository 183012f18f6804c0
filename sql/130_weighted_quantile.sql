-- weighted_quantile and weighted_median: the lower weighted quantile, i.e. the smallest value x
-- whose cumulative weight (sum of the weights of values <= x) reaches q * total weight.
-- With whole-number weights this is R's quantile(rep(x, w), q, type = 1); hand calculations in
-- the comments, R values from test/aggregates_oracle.R (base R only).
SET extra_float_digits = 0;

-- Synthetic.  Values 1, 2, 3, 4 with weight 1 each, total 4:
--   q = 0    -> first value with positive weight: 1
--   q = 0.25 -> target 1: cumulative 1 at value 1 -> 1
--   q = 0.26 -> target 1.04: cumulative 1 < 1.04, 2 at value 2 -> 2
--   q = 0.5  -> target 2: reached at value 2 -> 2 (the LOWER median, no interpolation to 2.5)
--   q = 1    -> target 4: reached at value 4 -> 4
SELECT q, buurtmonitor.weighted_quantile(v, w, q) AS quantile
  FROM (VALUES (1.0, 1.0), (2.0, 1.0), (3.0, 1.0), (4.0, 1.0)) AS t(v, w),
       (VALUES (0.0), (0.25), (0.26), (0.5), (1.0)) AS qs(q)
 GROUP BY q ORDER BY q;

-- Docs example: median income of two buurten, (10, weight 1) and (20, weight 3): total 4, half 2;
-- cumulative 1 at 10 < 2, 4 at 20 >= 2 -> 20.  The 0.25 quantile: target 1, reached at 10 -> 10.
SELECT buurtmonitor.weighted_median(v, w)          AS median,
       buurtmonitor.weighted_quantile(v, w, 0.25)  AS q25
  FROM (VALUES (10.0, 1.0), (20.0, 3.0)) AS t(v, w);

-- Decimal q: values 1..10 with weight 1, q = 0.3.  In float8 0.3 * 10 = 3.0000000000000004, so a
-- strict comparison would answer 4; the documented tolerance of 4 * 2^-52 * total weight keeps
-- it at 3, as R does: quantile(1:10, 0.3, type = 1) = 3.  Likewise q = 0.1 -> 1, q = 0.7 -> 7.
SELECT q, buurtmonitor.weighted_quantile(i, 1, q) AS quantile
  FROM generate_series(1, 10) AS i, (VALUES (0.1), (0.3), (0.7)) AS qs(q)
 GROUP BY q ORDER BY q;

-- Fractional weights: (5, 0.2), (7, 0.3), (9, 0.5), total 1.  Median target 0.5: cumulative 0.2
-- at 5, 0.5 at 7 -> 7.  q = 0.51: not reached at 7 -> 9.
SELECT buurtmonitor.weighted_median(v, w) AS median, buurtmonitor.weighted_quantile(v, w, 0.51) AS q51
  FROM (VALUES (5.0, 0.2), (7.0, 0.3), (9.0, 0.5)) AS t(v, w);

-- Zero weights cannot be the answer: (-100, 0), (1, 1), (2, 1), (100, 0):
-- q = 0 -> 1 (not -100), q = 1 -> 2 (not 100).
SELECT buurtmonitor.weighted_quantile(v, w, 0) AS q0, buurtmonitor.weighted_quantile(v, w, 1) AS q1
  FROM (VALUES (-100.0, 0.0), (1.0, 1.0), (2.0, 1.0), (100.0, 0.0)) AS t(v, w);

-- NULL rules as for weighted_mean: (NULL, 5) and (3, NULL) are skipped; only (4, 1) is left -> 4.
SELECT buurtmonitor.weighted_median(v, w) AS median
  FROM (VALUES (NULL::float8, 5.0::float8), (3.0, NULL), (4.0, 1.0)) AS t(v, w);

-- No rows, only NULLs, or only zero weights -> NULL.
SELECT buurtmonitor.weighted_median(v, w) IS NULL AS empty_null,
       buurtmonitor.weighted_quantile(v, w, 0.5) IS NULL AS empty_q_null
  FROM (VALUES (1.0, 1.0)) AS t(v, w) WHERE false;
SELECT buurtmonitor.weighted_median(v, w) IS NULL AS nulls_null
  FROM (VALUES (NULL::float8, 1.0::float8), (2.0, NULL)) AS t(v, w);
SELECT buurtmonitor.weighted_median(v, w) IS NULL AS zero_weight_null
  FROM (VALUES (1.0, 0.0), (2.0, 0.0)) AS t(v, w);

-- GROUP BY, and q may differ between groups (but not within one):
--   group a: (1,1),(2,1),(3,2), q = 0.5: total 4, target 2: cumulative 1, 2 at value 2 -> 2
--   group b: (1,1),(2,1),(3,2), q = 0.75: target 3: cumulative 2 at 2 < 3, 4 at 3 -> 3
SELECT g, buurtmonitor.weighted_quantile(v, w, q) AS quantile
  FROM (VALUES ('a', 1.0, 1.0, 0.5), ('a', 2.0, 1.0, 0.5), ('a', 3.0, 2.0, 0.5),
               ('b', 1.0, 1.0, 0.75), ('b', 2.0, 1.0, 0.75), ('b', 3.0, 2.0, 0.75)) AS t(g, v, w, q)
 GROUP BY g ORDER BY g;

-- As a window aggregate (the final step sorts the state in place; later rows are appended and the
-- next final sorts again).  Running lower median over k:
--   k=1: {5}                       -> 5
--   k=2: {1, 5}, total 2, half 1   -> cumulative 1 at 1 -> 1
--   k=3: {1, 3, 5}, half 1.5       -> 1 at 1, 2 at 3 -> 3
--   k=4: {1, 2 (weight 5), 3, 5}, total 8, half 4 -> 1 at 1, 6 at 2 -> 2
SELECT k, buurtmonitor.weighted_median(v, w) OVER (ORDER BY k) AS running_median
  FROM (VALUES (1, 5.0, 1.0), (2, 1.0, 1.0), (3, 3.0, 1.0), (4, 2.0, 5.0)) AS t(k, v, w) ORDER BY k;

-- Errors.
SELECT buurtmonitor.weighted_quantile(v, w, NULL) FROM (VALUES (1.0, 1.0)) AS t(v, w);
SELECT buurtmonitor.weighted_quantile(v, w, 1.5) FROM (VALUES (1.0, 1.0)) AS t(v, w);
SELECT buurtmonitor.weighted_quantile(v, w, -0.1) FROM (VALUES (1.0, 1.0)) AS t(v, w);
SELECT buurtmonitor.weighted_quantile(v, w, 'NaN') FROM (VALUES (1.0, 1.0)) AS t(v, w);
SELECT buurtmonitor.weighted_quantile(v, w, q)
  FROM (VALUES (1.0, 1.0, 0.5), (2.0, 1.0, 0.9)) AS t(v, w, q);
SELECT buurtmonitor.weighted_median(v, w) FROM (VALUES (1.0, -1.0)) AS t(v, w);
SELECT buurtmonitor.weighted_median(v, w) FROM (VALUES ('-Infinity'::float8, 1.0::float8)) AS t(v, w);
SELECT buurtmonitor.weighted_quantile(v, w, 0.5) FROM (VALUES (1.0::float8, 'NaN'::float8)) AS t(v, w);

-- Real data: Baarn 2022 (CBS key figures), mean household income (x 1000 EUR) of the buurten,
-- weighted by inhabitants.  Four buurten have no income figure (150 + 700 + 210 + 70 = 1,130
-- inhabitants of the 24,870 in the buurt rows).  By hand: sorted incomes with their weights
-- 30.8 (2100), 31.1 (2560), 32.5 (1285), 34.5 (1865), 37.1 (1675), 37.3 (1970), 39.6 (1790), ...
-- total 23,740, half 11,870; cumulative 2100, 4660, 5945, 7810, 9485, 11455, 13245 -> median 39.6.
-- coverage = 23,740 / 24,870 = 0.954564 (6 d.p.).  R (test/aggregates_oracle.R) agrees:
-- median 39.6, weighted mean 42.253032855939345, quantiles 0.1 -> 31.1, 0.9 -> 69.5.
\getenv datadir BUURTMONITOR_DATA
\set baarn :datadir/multiyear/baarn_gm0308_kwb2022.csv
CREATE TABLE baarn_2022 (
    jaar int, gwb_code_10 text, regio text, wk_code text, recs text,
    huishoudens_laag_inkomen float8, huishoudens_sociaal_minimum float8, gem_inkomen_huishoudens float8,
    bijstandsontvangers float8, arbeidsparticipatie float8, opleiding_laag float8,
    opleiding_middelbaar float8, opleiding_hoog float8, jongeren_jeugdzorg float8, aantal_inwoners float8);
COPY baarn_2022 FROM :'baarn' WITH (FORMAT csv, HEADER true);
SELECT count(*) AS buurten,
       sum(aantal_inwoners) AS inhabitants,
       buurtmonitor.weighted_median(gem_inkomen_huishoudens, aantal_inwoners) AS median_income,
       buurtmonitor.weighted_quantile(gem_inkomen_huishoudens, aantal_inwoners, 0.1) AS p10,
       buurtmonitor.weighted_quantile(gem_inkomen_huishoudens, aantal_inwoners, 0.9) AS p90,
       abs(buurtmonitor.weighted_mean(gem_inkomen_huishoudens, aantal_inwoners) - 42.253032855939345)
           <= 1e-12 * 42.253032855939345 AS mean_matches_r,
       round(buurtmonitor.coverage(gem_inkomen_huishoudens, aantal_inwoners)::numeric, 6) AS coverage
  FROM baarn_2022 WHERE recs = 'Buurt';

-- Real data: all 969 buurten of the province of Utrecht (2022), per municipality: WOZ value per
-- dwelling weighted by dwellings (mean and lower median) and the SES-WOA score weighted by
-- inhabitants with its coverage (19 buurten have no score).  Expected values: R, printed with
-- 15 significant digits by test/aggregates_oracle.R; agreement required to 1e-12 relative.
\set utrecht :datadir/utrecht/kwb2022_leefbaarometer2020_ses.csv
CREATE TABLE utrecht_2022 (
    rownum int, buurt_code text, gm_naam text, regio text,
    aantal_inwoners float8,
    aantal_inwoners_tussen_25_44_percentage float8,
    aantal_huishoudens_met_kinderen_percentage float8,
    gemiddelde_huishoudensgrootte float8,
    woningvoorraad float8,
    gemiddelde_woningwaarde float8,
    meergezinswoning_percentage float8,
    bewoond_percentage float8,
    koopwoning_percentage float8,
    bouwjaar_vanaf_2000_percentage float8,
    afstand_tot_ziekenhuis_km float8,
    afstand_tot_grote_supermarkt_km float8,
    afstand_tot_cafe_km float8,
    afstand_tot_kinderdagverblijf_km float8,
    afstand_tot_buitenschoolseopvang_km float8,
    afstand_tot_openbaar_groen_km float8,
    afstand_tot_park_of_plantsoen_km float8,
    afstand_tot_bos_km float8,
    afstand_tot_hoofdverkeersweg_km float8,
    afstand_tot_treinstation_km float8,
    AfstandTotSemiOpenbaarGroenTotaal_83 float8,
    leefbarometer_score float8,
    leefbarometer_fysieke_omgeving float8,
    leefbarometer_fysieke_overlast float8,
    leefbarometer_sociale_samenhang float8,
    leefbarometer_voorzieningen float8,
    aardgasverbruik_m3_gemiddeld float8,
    elektriciteitsverbruik_kwh_gemiddeld float8,
    social_economische_score_gemiddeld float8,
    geluid_van_treinverkeer float8,
    geluid_van_weg float8
);
COPY utrecht_2022 FROM :'utrecht' WITH (FORMAT csv, HEADER true);
CREATE TABLE utrecht_r (gm_naam text, woz_mean float8, woz_median float8, ses_mean float8, ses_coverage float8);
INSERT INTO utrecht_r VALUES
    ('Amersfoort', 366.230982533375, 344, 0.133520935805272, 1),
    ('Baarn', 409.051334353221, 366, 0.139225975070366, 1),
    ('Bunnik', 435.397016288628, 449, 0.295586914688903, 1),
    ('Bunschoten', 373.322002756086, 365, 0.189373040752351, 1),
    ('De Bilt', 464.405672756637, 386, 0.200333831303149, 1),
    ('De Ronde Venen', 440.486779552374, 378, 0.219981100611451, 1),
    ('Eemnes', 441.611273792094, 431, 0.230899470899471, 1),
    ('Houten', 416.658522563955, 413, 0.298292258769751, 1),
    ('IJsselstein', 344.76892237506, 335, 0.178420107719928, 1),
    ('Leusden', 391.291569876358, 366, 0.250507977857375, 1),
    ('Lopik', 384.133378932969, 357, 0.197258620689655, 1),
    ('Montfoort', 367.735584415584, 342, 0.245307636626855, 1),
    ('Nieuwegein', 290.675252592396, 288, 0.0612328661039263, 1),
    ('Oudewater', 366.690778830599, 343, 0.166833169291339, 1),
    ('Renswoude', 402.987648673376, 346, 0.178305334512231, 1),
    ('Rhenen', 354.673695625979, 312, 0.101718094297704, 1),
    ('Soest', 374.130714928697, 385, 0.133443371192018, 1),
    ('Stichtse Vecht', 355.430971055737, 343, 0.172102803738318, 1),
    ('Utrecht', 391.136422675145, 388, 0.0157113310256668, 0.96290712952078),
    ('Utrechtse Heuvelrug', 419.083431523611, 384, 0.156773354670934, 1),
    ('Veenendaal', 301.202550792396, 285, 0.0729164512078008, 1),
    ('Vijfheerenlanden', 328.35317540937, 323, 0.101376657087235, 0.917417928219085),
    ('Wijk bij Duurstede', 357.064388071263, 365, 0.206314014752371, 0.991019214703425),
    ('Woerden', 354.905606813343, 348, 0.16797304964539, 1),
    ('Woudenberg', 351.709683391964, 366, 0.206502161383285, 1),
    ('Zeist', 417.745659896776, 396, 0.105045469441258, 0.924907175873305);
WITH ours AS (
    SELECT gm_naam, count(*) AS buurten,
           buurtmonitor.weighted_mean(gemiddelde_woningwaarde, woningvoorraad) AS woz_mean,
           buurtmonitor.weighted_median(gemiddelde_woningwaarde, woningvoorraad) AS woz_median,
           buurtmonitor.weighted_mean(social_economische_score_gemiddeld, aantal_inwoners) AS ses_mean,
           buurtmonitor.coverage(social_economische_score_gemiddeld, aantal_inwoners) AS ses_coverage
      FROM utrecht_2022 GROUP BY gm_naam)
SELECT o.gm_naam, o.buurten,
       round(o.woz_mean::numeric, 2) AS woz_mean, o.woz_median,
       round(o.ses_mean::numeric, 4) AS ses_mean, round(o.ses_coverage::numeric, 4) AS ses_coverage,
       abs(o.woz_mean - r.woz_mean) <= 1e-12 * abs(r.woz_mean)
         AND o.woz_median = r.woz_median
         AND abs(o.ses_mean - r.ses_mean) <= 1e-12 * abs(r.ses_mean)
         AND abs(o.ses_coverage - r.ses_coverage) <= 1e-12 * r.ses_coverage AS matches_r
  FROM ours o JOIN utrecht_r r USING (gm_naam)
 ORDER BY o.gm_naam;

-- SQLSTATEs of the quantile errors: NULL q 22004 null_value_not_allowed, the others 22023
-- invalid_parameter_value, an infinite value 22003 numeric_value_out_of_range.
CREATE FUNCTION pg_temp.sqlstate_of(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT q, pg_temp.sqlstate_of(q) AS sqlstate FROM (VALUES
    ('SELECT buurtmonitor.weighted_quantile(1, 1, NULL)'),
    ('SELECT buurtmonitor.weighted_quantile(1, 1, 1.5)'),
    ('SELECT buurtmonitor.weighted_quantile(v, 1, v) FROM (VALUES (0.5), (0.9)) AS t(v)'),
    ('SELECT buurtmonitor.weighted_median(1, -1)'),
    ('SELECT buurtmonitor.weighted_median(''Infinity'', 1)'),
    ('SELECT buurtmonitor.weighted_median(-1, 1)')) AS t(q);
