-- The monitor report of scripts/demo.sh: every number is computed here, from the real data
-- that scripts/load_sample.sql loaded (psql -v datadir=...).
SET client_min_messages = warning;
\pset footer off

\echo
\echo '== 1. What is in the monitor'
SELECT vintage AS edition, count(*) FILTER (WHERE level = 'buurt') AS buurten,
       count(*) FILTER (WHERE level = 'wijk') AS wijken, count(*) FILTER (WHERE level = 'gemeente') AS gemeenten,
       count(geom) AS with_boundary,
       (SELECT count(*) FROM buurtmonitor.observations o WHERE o.vintage = a.vintage) AS observations
  FROM buurtmonitor.areas a GROUP BY vintage ORDER BY vintage;

\echo
\echo '== 2. How does each municipality compare? Province of Utrecht 2022, rolled up from 969 buurten'
\echo '   (shares are ratios of sums, WOZ weighted by dwellings; index: province = 100;'
\echo '   Leefbaarometer is suppressed in some buurten, so its coverage of the inhabitants is shown)'
WITH r AS (
    SELECT * FROM buurtmonitor.rollup('gemeente', 2022, '{a_inw,p_koopw,g_wozbag,lbm_score}', 2022)
), province AS (
    SELECT r.indicator, i.scale * buurtmonitor.ratio_of_sums(r.numerator, r.denominator) AS value
      FROM r JOIN buurtmonitor.indicators i ON i.code = r.indicator GROUP BY r.indicator, i.scale
), wide AS (
    SELECT r.area_code,
           max(r.value) FILTER (WHERE r.indicator = 'a_inw') AS inw,
           max(r.value) FILTER (WHERE r.indicator = 'p_koopw') AS koop,
           max(r.value) FILTER (WHERE r.indicator = 'g_wozbag') AS woz,
           max(r.value) FILTER (WHERE r.indicator = 'lbm_score') AS lbm,
           max(r.coverage) FILTER (WHERE r.indicator = 'lbm_score') AS lbm_cov
      FROM r GROUP BY r.area_code
)
SELECT a.name AS gemeente, w.inw::bigint AS inwoners,
       round(w.koop::numeric, 1) AS "koopwoningen %",
       round((100 * w.koop / (SELECT value FROM province WHERE indicator = 'p_koopw'))::numeric) AS "index",
       round(w.woz::numeric) AS "WOZ x1000",
       round((100 * w.woz / (SELECT value FROM province WHERE indicator = 'g_wozbag'))::numeric) AS "index WOZ",
       round(w.lbm::numeric, 2) AS leefbaarometer, round((100 * w.lbm_cov)::numeric) AS "coverage %"
  FROM wide w JOIN buurtmonitor.areas a ON a.code = w.area_code AND a.vintage = 2022
 ORDER BY w.inw DESC LIMIT 10;
SELECT round(value::numeric, 1) AS "province: koopwoningen %",
       (SELECT round(value::numeric) FROM (SELECT i.scale * buurtmonitor.ratio_of_sums(o.numerator, o.denominator) AS value
          FROM buurtmonitor.observations o JOIN buurtmonitor.indicators i ON i.code = o.indicator
         WHERE o.indicator = 'g_wozbag' AND o.vintage = 2022 AND o.area_code !~ '^BU0150' GROUP BY i.scale) x) AS "WOZ x1000",
       (SELECT round(avg(value)::numeric, 1) FROM buurtmonitor.observations
         WHERE indicator = 'p_koopw' AND vintage = 2022 AND area_code !~ '^BU0150') AS "naive mean of buurt % (wrong)"
  FROM (SELECT 100 * buurtmonitor.ratio_of_sums(numerator, denominator) AS value FROM buurtmonitor.observations
         WHERE indicator = 'p_koopw' AND vintage = 2022 AND area_code !~ '^BU0150') p;

\echo '   Spread within the municipality: buurt WOZ values weighted by their dwellings'
SELECT h.gemeente_name AS gemeente,
       round(buurtmonitor.weighted_quantile(o.value, w.value, 0.1)::numeric) AS "p10 WOZ",
       round(buurtmonitor.weighted_median(o.value, w.value)::numeric) AS "median WOZ",
       round(buurtmonitor.weighted_quantile(o.value, w.value, 0.9)::numeric) AS "p90 WOZ",
       round((100 * buurtmonitor.coverage(o.value, w.value))::numeric, 1) AS "dwellings with a WOZ value %"
  FROM buurtmonitor.observations o
  JOIN buurtmonitor.observations w ON w.area_code = o.area_code AND w.vintage = o.vintage
                                  AND w.period = o.period AND w.indicator = 'a_woning'
  JOIN buurtmonitor.area_hierarchy h ON h.code = o.area_code AND h.vintage = o.vintage
 WHERE o.indicator = 'g_wozbag' AND o.vintage = 2022 AND h.gemeente_code IN ('GM0344', 'GM0307', 'GM0345', 'GM0355')
 GROUP BY h.gemeente_name ORDER BY 1;

\echo
\echo '== 3. How is each buurt developing? Baarn, households with a low income (p_hh_lkk, %), against Baarn'
\echo '   (newest period with figures; change in percentage points; trends over up to 5 periods)'
SELECT d.area_name AS buurt, d.period, round(d.value::numeric, 1) AS value,
       round(d.reference_value::numeric, 1) AS baarn, round(d.index::numeric) AS index,
       round(d.z_score::numeric, 2) AS z, d.previous_period AS prev, round(d.change_pp::numeric, 1) AS "change pp",
       d.trend_n AS n, round(d.theil_sen_slope::numeric, 2) AS "Theil-Sen/yr", d.gap_trend AS gap, d.label
  FROM buurtmonitor.development('buurt', '{p_hh_lkk}', vintage => 2025, by_code => true) d
 WHERE d.area_code LIKE 'BU0308%'
   AND d.period = (SELECT max(period) FROM buurtmonitor.observations
                    WHERE indicator = 'p_hh_lkk' AND area_code LIKE 'BU0308%' AND value IS NOT NULL)
 ORDER BY d.index DESC NULLS LAST LIMIT 8;

\echo
\echo '== 4. Signals: rules an analyst keeps in buurtmonitor.signal_rules'
INSERT INTO buurtmonitor.signal_rules (indicator, condition, threshold, description) VALUES
    ('p_hh_lkk', 'index_above', 150, 'share of households with a low income at least 1.5 times the municipal share'),
    ('a_soz_wb', 'worsened_consecutive', 2, 'more social-assistance recipients two periods in a row');
SELECT s.rule_id AS rule, s.area_name AS buurt, s.period, s.reason
  FROM buurtmonitor.signals(vintage => 2025, by_code => true) s
 WHERE s.area_code LIKE 'BU0308%' ORDER BY s.rule_id, s.area_name LIMIT 12;

\echo
\echo '== 5. New boundaries: crosswalk Deventer 2018 -> 2022 (exact overlaps, slivers dropped)'
SELECT count(*) AS pairs, count(*) FILTER (WHERE source_code <> target_code) AS "between different codes",
       count(DISTINCT source_code) AS "2018 buurten", count(DISTINCT target_code) AS "2022 buurten"
  FROM buurtmonitor.crosswalks WHERE from_vintage = 2018 AND to_vintage = 2022;
SELECT c.source_code, s.name AS "2018", c.target_code, t.name AS "2022",
       round((c.overlap_area / 1e4)::numeric, 1) AS ha, round(c.share::numeric, 3) AS share
  FROM buurtmonitor.crosswalks c
  JOIN buurtmonitor.areas s ON s.code = c.source_code AND s.vintage = c.from_vintage
  JOIN buurtmonitor.areas t ON t.code = c.target_code AND t.vintage = c.to_vintage
 WHERE c.from_vintage = 2018 AND c.to_vintage = 2022 AND c.share < 0.99
   AND (c.source_code <> c.target_code OR c.share < 0.9)
 ORDER BY c.overlap_area DESC LIMIT 10;

\echo
\echo '== 6. Where does disadvantage pile up? Social score (mean 0) and priority score (mean 1),'
\echo '   province of Utrecht 2022, from WOZ value, owner-occupation, multi-family dwellings and household'
\echo '   size (docs/social_score.md), population-weighted; the 10 lowest-scoring buurten with 500+ inhabitants'
CREATE TEMP TABLE social AS
SELECT s.* FROM buurtmonitor.social_score('buurt', 2022, '{g_wozbag,p_koopw,p_mgezw,g_hhgro}', 2022,
       '{"polarity": {"g_wozbag": 1, "p_koopw": 1, "p_mgezw": -1, "g_hhgro": 1}, "population": "a_inw",
         "min_share": 0.75}') s
 WHERE s.area_code !~ '^BU0150';
SELECT h.name AS buurt, h.gemeente_name AS gemeente, round(s.social_score::numeric, 2) AS social,
       round(s.priority::numeric, 2) AS priority, i.value::integer AS inwoners,
       round(o.value::numeric, 2) AS "CBS SES-WOA"
  FROM social s JOIN buurtmonitor.area_hierarchy h ON h.code = s.area_code AND h.vintage = 2022
  JOIN buurtmonitor.observations i ON i.area_code = s.area_code AND i.vintage = 2022 AND i.indicator = 'a_inw'
  LEFT JOIN buurtmonitor.observations o ON o.area_code = s.area_code AND o.vintage = 2022 AND o.indicator = 'ses_woa'
 WHERE s.social_score IS NOT NULL AND i.value >= 500 ORDER BY s.social_score LIMIT 10;
SELECT count(s.social_score) AS scored, count(*) - count(s.social_score) AS "not scored (reason given)",
       round(corr(s.social_score, o.value)::numeric, 4) AS "Pearson r with CBS SES-WOA", count(o.value) AS "buurten with SES"
  FROM social s LEFT JOIN buurtmonitor.observations o
    ON o.area_code = s.area_code AND o.vintage = 2022 AND o.indicator = 'ses_woa';

\echo '== 7. The official English IMD 2019 reproduced from its seven published domain ranks'
CREATE TEMP TABLE imd (lsoa11_code text, imd_decile int, income_decile int, employment_decile int,
    education_decile int, health_decile int, crime_decile int, housing_and_access_decile int,
    environment_decile int, imd_rank int, income_rank int, employment_rank int, education_rank int,
    health_rank int, crime_rank int, housing_and_access_rank int, environment_rank int);
\set f :datadir '/deprivation/england_imd2019_lsoa_ranks.csv'
COPY imd FROM :'f' WITH (FORMAT csv, HEADER true);
SELECT count(*) AS lsoas, count(*) FILTER (WHERE c.rank = i.imd_rank) AS "rank exact",
       max(abs(c.rank - i.imd_rank)) AS "max rank difference",
       count(*) FILTER (WHERE c.decile = i.imd_decile) AS "decile exact"
  FROM buurtmonitor.composite_index('imd', 'england_imd2019', 'lsoa11_code') c
  JOIN imd i ON i.lsoa11_code = c.area;
