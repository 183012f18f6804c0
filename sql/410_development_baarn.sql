-- development() on real data: Baarn (GM0308), CBS key figures editions 2016-2025, 21 buurten.
-- Source: $BUURTMONITOR_DATA/multiyear/baarn_gm0308_kwb2016_2025_long.csv (CBS, CC BY 4.0).
-- Empty cells are values CBS did not publish (suppressed). Every edition is loaded as its own
-- boundary vintage; the buurt codes are the same in all ten editions, so development(vintage => 2025, by_code => true)
-- follows each code back through the older editions.
-- Expected values: an independent R implementation, test/development_oracle.R, run as
--   Rscript test/development_oracle.R $BUURTMONITOR_DATA
-- whose printed VALUES list is pasted below (3 indicators x 3 buurten, 78 rows).
-- Tolerance: 1e-9 relative (R's lm() slope carries ~1e-13 noise).
SET extra_float_digits = 0;
\getenv datadir BUURTMONITOR_DATA
\set f :datadir '/multiyear/baarn_gm0308_kwb2016_2025_long.csv'
CREATE TEMP TABLE stage (gwb_code_10 text, regio text, wk_code text, recs text, jaar integer,
                         indicator text, value double precision);
COPY stage FROM :'f' CSV HEADER;
SELECT count(*) AS rows, count(*) FILTER (WHERE value IS NULL) AS suppressed,
       min(jaar) AS first, max(jaar) AS last FROM stage;

-- Indicator catalogue for this test (own codes bn_*; households and the other bases are not in the file,
-- the gemeente's own figures are, so no roll-up is needed for the reference).
INSERT INTO buurtmonitor.indicators (code, label, kind, denominator, scale, polarity, tolerance) VALUES
 ('bn_households', 'households', 'count', NULL, 1, 0, 0),
 ('bn_aantal_inwoners', 'inhabitants', 'count', NULL, 1, 0, 0),
 ('bn_huishoudens_laag_inkomen', 'share of households with a low income', 'share', 'bn_households', 100, -1, 0.5),
 ('bn_huishoudens_sociaal_minimum', 'share of households at the social minimum', 'share', 'bn_households', 100, -1, 0.5),
 ('bn_bijstandsontvangers', 'social-assistance recipients', 'count', NULL, 1, -1, 10),
 ('bn_gem_inkomen_huishoudens', 'mean household income (x 1000 EUR)', 'mean', 'bn_households', 1, 1, 0),
 ('bn_arbeidsparticipatie', 'labour participation', 'share', 'bn_aantal_inwoners', 100, 1, 0.5),
 ('bn_jongeren_jeugdzorg', 'share of young people in youth care', 'share', 'bn_aantal_inwoners', 100, -1, 0.5),
 ('bn_opleiding_laag', 'persons with a low education level', 'count', NULL, 1, 0, 0),
 ('bn_opleiding_middelbaar', 'persons with a middle education level', 'count', NULL, 1, 0, 0),
 ('bn_opleiding_hoog', 'persons with a high education level', 'count', NULL, 1, 0, 0);
-- areas: gemeente, wijken and buurten of every edition
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT DISTINCT gwb_code_10, jaar, regio, 'gemeente', NULL::text FROM stage WHERE recs = 'Gemeente'
ON CONFLICT DO NOTHING;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT DISTINCT wk_code, jaar, wk_code, 'wijk', 'GM0308' FROM stage WHERE recs = 'Buurt'
ON CONFLICT DO NOTHING;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT DISTINCT gwb_code_10, jaar, regio, 'buurt', wk_code FROM stage WHERE recs = 'Buurt'
ON CONFLICT DO NOTHING;
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, status, source)
SELECT gwb_code_10, jaar, jaar, 'bn_' || indicator, value,
       CASE WHEN value IS NULL THEN 'suppressed' ELSE 'observed' END, 'CBS kerncijfers wijken en buurten'
  FROM stage;
SELECT vintage, count(*) FILTER (WHERE level = 'buurt') AS buurten, count(*) FILTER (WHERE level = 'wijk') AS wijken
  FROM buurtmonitor.areas WHERE code LIKE '%0308%' GROUP BY vintage ORDER BY vintage;

-- The R oracle's table.
CREATE TEMP TABLE oracle (indicator text, area_code text, period integer, value float8, ref float8, index float8,
                          diff float8, z float8, change float8, change_pct float8, base_change float8, cagr float8,
                          ols float8, trend_n integer, label text, gap text, theil_sen float8);
INSERT INTO oracle VALUES
 ('huishoudens_laag_inkomen', 'BU03080000', 2016, 7.8, 5.8, 134.48275862069, 2, 1.10861909390431, NULL, NULL, 0, NULL, NULL, 1, NULL, NULL, NULL),
 ('huishoudens_laag_inkomen', 'BU03080000', 2017, 8.4, 5.8, 144.827586206897, 2.6, 1.22429891065769, 0.600000000000001, 7.6923076923077, 0.600000000000001, 7.69230769230771, 0.599999999999707, 2, 'worsened', 'widening', 0.600000000000001),
 ('huishoudens_laag_inkomen', 'BU03080000', 2018, 7.6, 5.8, 131.034482758621, 1.8, 0.857064779278941, -0.800000000000001, -9.52380952380953, -0.2, -1.29037664143509, -0.10000000000017, 3, 'improved', 'narrowing', -0.1),
 ('huishoudens_laag_inkomen', 'BU03080000', 2019, 6.7, 5.7, 117.543859649123, 1, 0.573100544875682, -0.899999999999999, -11.8421052631579, -1.1, -4.94096526260187, -0.41, 4, 'improved', 'narrowing', -0.583333333333334),
 ('huishoudens_laag_inkomen', 'BU03080000', 2020, 6.3, 5.1, 123.529411764706, 1.2, 0.772873528675111, -0.4, -5.97014925373135, -1.5, -5.19931254084087, -0.470000000000012, 5, 'stable', 'unchanged', -0.525),
 ('huishoudens_laag_inkomen', 'BU03080000', 2021, 5.1, 4.6, 110.869565217391, 0.5, 0.485090825736638, -1.2, -19.0476190476191, -2.7, -8.14662577923444, -0.789999999999934, 5, 'improved', 'narrowing', -0.8125),
 ('huishoudens_laag_inkomen', 'BU03080000', 2022, 3.7, 3.5, 105.714285714286, 0.2, 0.364390014939422, -1.4, -27.4509803921569, -4.1, -11.6883795996781, -0.940000000000017, 5, 'improved', 'unchanged', -0.9375),
 ('huishoudens_laag_inkomen', 'BU03080000', 2023, 4.3, 2.6, 165.384615384615, 1.7, 0.794204822661626, 0.6, 16.2162162162162, -3.5, -8.15544642158255, -0.740000000000088, 5, 'worsened', 'widening', -0.733333333333333),
 ('huishoudens_laag_inkomen', 'BU03080005', 2016, 10, 5.8, 172.413793103448, 4.2, 1.95306622449537, NULL, NULL, 0, NULL, NULL, 1, NULL, NULL, NULL),
 ('huishoudens_laag_inkomen', 'BU03080005', 2017, 9.8, 5.8, 168.965517241379, 4, 1.7464909191461, -0.199999999999999, -1.99999999999999, -0.199999999999999, -1.99999999999999, -0.199999999999899, 2, 'stable', 'unchanged', -0.199999999999999),
 ('huishoudens_laag_inkomen', 'BU03080005', 2018, 11.1, 5.8, 191.379310344828, 5.3, 2.06262871230724, 1.3, 13.265306122449, 1.1, 5.35653752852738, 0.550000000000405, 3, 'worsened', 'widening', 0.55),
 ('huishoudens_laag_inkomen', 'BU03080005', 2019, 11.1, 5.7, 194.736842105263, 5.4, 2.18265952197334, 0, 0, 1.1, 3.53988054484062, 0.459999999999999, 4, 'stable', 'unchanged', 0.458333333333333),
 ('huishoudens_laag_inkomen', 'BU03080005', 2020, 9.4, 5.1, 184.313725490196, 4.3, 2.20704377378703, -1.7, -15.3153153153153, -0.6, -1.53498227881814, 0.00999999999999848, 5, 'improved', 'narrowing', -0.0666666666666667),
 ('huishoudens_laag_inkomen', 'BU03080005', 2021, 8.2, 4.6, 178.260869565217, 3.6, 1.93760710507305, -1.2, -12.7659574468085, -1.8, -3.89128503899367, -0.489999999999911, 5, 'improved', 'narrowing', -0.625),
 ('huishoudens_laag_inkomen', 'BU03080005', 2022, 6.8, 3.5, 194.285714285714, 3.3, 2.2470717587931, -1.4, -17.0731707317073, -3.2, -6.22548670178896, -1.15000000000002, 5, 'improved', 'unchanged', -1.25),
 ('huishoudens_laag_inkomen', 'BU03080005', 2023, 3.3, 2.6, 126.923076923077, 0.7, 0.285461519889054, -3.5, -51.4705882352941, -6.7, -14.6474939322147, -1.82000000000023, 5, 'improved', 'narrowing', -1.575),
 ('huishoudens_laag_inkomen', 'BU03080500', 2016, NULL, 5.8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL),
 ('huishoudens_laag_inkomen', 'BU03080500', 2017, NULL, 5.8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL),
 ('huishoudens_laag_inkomen', 'BU03080500', 2018, NULL, 5.8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL),
 ('huishoudens_laag_inkomen', 'BU03080500', 2019, 7.9, 5.7, 138.59649122807, 2.2, 1.01207117499323, NULL, NULL, NULL, NULL, NULL, 1, NULL, NULL, NULL),
 ('huishoudens_laag_inkomen', 'BU03080500', 2020, NULL, 5.1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, NULL, NULL, NULL),
 ('huishoudens_laag_inkomen', 'BU03080500', 2021, NULL, 4.6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, NULL, NULL, NULL),
 ('huishoudens_laag_inkomen', 'BU03080500', 2022, NULL, 3.5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, NULL, NULL, NULL),
 ('huishoudens_laag_inkomen', 'BU03080500', 2023, 7.8, 2.6, 300, 5.2, 2.57480638236563, NULL, NULL, NULL, NULL, -0.0249999999999957, 2, NULL, NULL, -0.0250000000000001),
 ('bijstandsontvangers', 'BU03080000', 2016, 30, 360, 8.33333333333333, -330, 0.487560144253419, NULL, NULL, 0, NULL, NULL, 1, NULL, NULL, NULL),
 ('bijstandsontvangers', 'BU03080000', 2017, 30, 400, 7.5, -370, 0.386482710605549, 0, 0, 0, 0, 0, 2, 'stable', 'widening', 0),
 ('bijstandsontvangers', 'BU03080000', 2018, 30, 400, 7.5, -370, 0.378107451820095, 0, 0, 0, 0, -3.07674029821474e-15, 3, 'stable', 'unchanged', 0),
 ('bijstandsontvangers', 'BU03080000', 2019, 30, 390, 7.69230769230769, -360, 0.455426022589879, 0, 0, 0, 0, -0, 4, 'stable', 'unchanged', 0),
 ('bijstandsontvangers', 'BU03080000', 2020, 30, 360, 8.33333333333333, -330, 0.519961999227688, 0, 0, 0, 0, 1.58882185807825e-15, 5, 'stable', 'narrowing', 0),
 ('bijstandsontvangers', 'BU03080000', 2021, 20, 350, 5.71428571428571, -330, 0.123091490979333, -10, -33.3333333333333, -10, -7.78920885182722, -1.99999999999974, 5, 'stable', 'unchanged', 0),
 ('bijstandsontvangers', 'BU03080000', 2022, 20, 360, 5.55555555555556, -340, 0.0875819274211306, 0, 0, -10, -6.53447348159328, -3.00000000000007, 5, 'stable', 'unchanged', -2.91666666666667),
 ('bijstandsontvangers', 'BU03080000', 2023, 20, 370, 5.40540540540541, -350, 0.10030135678563, 0, 0, -10, -5.6277942564502, -3.00000000000036, 5, 'stable', 'unchanged', -2.91666666666667),
 ('bijstandsontvangers', 'BU03080000', 2024, 20, 360, 5.55555555555556, -340, 0.10030135678563, 0, 0, -10, -4.94201750458593, -2, 5, 'stable', 'unchanged', 0),
 ('bijstandsontvangers', 'BU03080000', 2025, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, -0, 4, NULL, NULL, 0),
 ('bijstandsontvangers', 'BU03080005', 2016, 90, 360, 25, -270, 2.94486327129065, NULL, NULL, 0, NULL, NULL, 1, NULL, NULL, NULL),
 ('bijstandsontvangers', 'BU03080005', 2017, 100, 400, 25, -300, 2.96888991328808, 10, 11.1111111111111, 10, 11.1111111111111, 9.9999999999951, 2, 'stable', 'widening', 10),
 ('bijstandsontvangers', 'BU03080005', 2018, 110, 400, 27.5, -290, 3.13993579554948, 10, 10, 20, 10.5541596785133, 10.0000000000051, 3, 'stable', 'unchanged', 10),
 ('bijstandsontvangers', 'BU03080005', 2019, 100, 390, 25.6410256410256, -290, 3.03033468877112, -10, -9.09090909090909, 10, 3.57441686512863, 4, 4, 'stable', 'unchanged', 6.66666666666667),
 ('bijstandsontvangers', 'BU03080005', 2020, 90, 360, 25, -270, 2.9464513289569, -10, -10, 0, 0, -6.99358026940491e-14, 5, 'stable', 'narrowing', 0),
 ('bijstandsontvangers', 'BU03080005', 2021, 100, 350, 28.5714285714286, -250, 3.07728727448332, 10, 11.1111111111111, 10, 2.12956876001351, -1.99999999999966, 5, 'stable', 'narrowing', -1.66666666666667),
 ('bijstandsontvangers', 'BU03080005', 2022, 90, 360, 25, -270, 2.66249059360237, -10, -10, 0, 0, -4.00000000000004, 5, 'stable', 'widening', -4.16666666666667),
 ('bijstandsontvangers', 'BU03080005', 2023, 100, 370, 27.027027027027, -270, 2.90873934678327, 10, 11.1111111111111, 10, 1.51653465554913, 2.31995875603576e-13, 5, 'stable', 'unchanged', 0),
 ('bijstandsontvangers', 'BU03080005', 2024, 100, 360, 27.7777777777778, -260, 2.90873934678327, 0, 0, 10, 1.32571717389129, 2.00000000000002, 5, 'stable', 'unchanged', 1.25),
 ('bijstandsontvangers', 'BU03080005', 2025, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, 4, NULL, NULL, 0),
 ('bijstandsontvangers', 'BU03080500', 2016, 0, 360, 0, -360, -0.741091419265197, NULL, NULL, 0, NULL, NULL, 1, NULL, NULL, NULL),
 ('bijstandsontvangers', 'BU03080500', 2017, 0, 400, 0, -400, -0.720263233401251, 0, NULL, 0, NULL, 0, 2, 'stable', 'widening', 0),
 ('bijstandsontvangers', 'BU03080500', 2018, 0, 400, 0, -400, -0.657578177078426, 0, NULL, 0, NULL, -0, 3, 'stable', 'unchanged', 0),
 ('bijstandsontvangers', 'BU03080500', 2019, 0, 390, 0, -390, -0.648106262916367, 0, NULL, 0, NULL, -0, 4, 'stable', 'unchanged', 0),
 ('bijstandsontvangers', 'BU03080500', 2020, 0, 360, 0, -360, -0.693282665636918, 0, NULL, 0, NULL, 0, 5, 'stable', 'narrowing', 0),
 ('bijstandsontvangers', 'BU03080500', 2021, 0, 350, 0, -350, -0.615457454896664, 0, NULL, 0, NULL, 0, 5, 'stable', 'unchanged', 0),
 ('bijstandsontvangers', 'BU03080500', 2022, 0, 360, 0, -360, -0.648106262916367, 0, NULL, 0, NULL, 0, 5, 'stable', 'unchanged', 0),
 ('bijstandsontvangers', 'BU03080500', 2023, 0, 370, 0, -370, -0.60180814071378, 0, NULL, 0, NULL, 0, 5, 'stable', 'unchanged', 0),
 ('bijstandsontvangers', 'BU03080500', 2024, 0, 360, 0, -360, -0.60180814071378, 0, NULL, 0, NULL, 0, 5, 'stable', 'unchanged', 0),
 ('bijstandsontvangers', 'BU03080500', 2025, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, -0, 4, NULL, NULL, 0),
 ('gem_inkomen_huishoudens', 'BU03080000', 2018, 34.2, 36.5, 93.6986301369863, -2.3, -0.321829287245639, NULL, NULL, 0, NULL, NULL, 1, NULL, NULL, NULL),
 ('gem_inkomen_huishoudens', 'BU03080000', 2019, 34.7, 38, 91.3157894736842, -3.3, -0.474305006694394, 0.5, 1.46198830409357, 0.5, 1.46198830409356, 0.49999999999991, 2, 'improved', 'widening', 0.5),
 ('gem_inkomen_huishoudens', 'BU03080000', 2020, 35.4, 37.2, 95.1612903225806, -1.8, -0.467561859276641, 0.699999999999996, 2.01729106628241, 1.2, 1.73926082384546, 0.600000000000066, 3, 'improved', 'narrowing', 0.599999999999998),
 ('gem_inkomen_huishoudens', 'BU03080000', 2021, 36.8, 39.1, 94.1176470588235, -2.3, -0.496375653232901, 1.4, 3.954802259887, 2.59999999999999, 2.47247777627053, 0.85, 4, 'improved', 'widening', 0.78333333333333),
 ('gem_inkomen_huishoudens', 'BU03080000', 2022, 39.6, 41.8, 94.7368421052632, -2.2, -0.491401754921651, 2.8, 7.60869565217393, 5.4, 3.73307928033086, 1.29000000000003, 5, 'improved', 'narrowing', 1.2),
 ('gem_inkomen_huishoudens', 'BU03080000', 2023, 43, 49.1, 87.5763747454175, -6.1, -0.449155294356889, 3.4, 8.58585858585858, 8.8, 4.68596720759376, 2.08000000000031, 5, 'improved', 'widening', 2.0875),
 ('gem_inkomen_huishoudens', 'BU03080000', 2024, NULL, 49.6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2.56, 4, NULL, NULL, 2.66666666666667),
 ('gem_inkomen_huishoudens', 'BU03080000', 2025, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 3.10000000000162, 3, NULL, NULL, 3.1),
 ('gem_inkomen_huishoudens', 'BU03080005', 2018, 25.7, 36.5, 70.4109589041096, -10.8, -1.03935032110477, NULL, NULL, 0, NULL, NULL, 1, NULL, NULL, NULL),
 ('gem_inkomen_huishoudens', 'BU03080005', 2019, 26.9, 38, 70.7894736842105, -11.1, -0.845707253988833, 1.2, 4.6692607003891, 1.2, 4.66926070038911, 1.1999999999998, 2, 'improved', 'widening', 1.2),
 ('gem_inkomen_huishoudens', 'BU03080005', 2020, 28, 37.2, 75.2688172043011, -9.2, -1.0897320856068, 1.1, 4.08921933085502, 2.3, 4.37883709948701, 1.15000000000013, 3, 'improved', 'narrowing', 1.15),
 ('gem_inkomen_huishoudens', 'BU03080005', 2021, 29.1, 39.1, 74.4245524296675, -10, -1.07087231997195, 1.1, 3.92857142857143, 3.4, 4.22853220827493, 1.13, 4, 'improved', 'widening', 1.11666666666667),
 ('gem_inkomen_huishoudens', 'BU03080005', 2022, 31.1, 41.8, 74.4019138755981, -10.7, -1.07152882670416, 2, 6.87285223367698, 5.4, 4.88341425130323, 1.30000000000002, 5, 'improved', 'widening', 1.175),
 ('gem_inkomen_huishoudens', 'BU03080005', 2023, 33.2, 49.1, 67.6171079429735, -15.9, -0.770188495023644, 2.1, 6.75241157556271, 7.5, 5.25457744622855, 1.57000000000021, 5, 'improved', 'widening', 1.5625),
 ('gem_inkomen_huishoudens', 'BU03080005', 2024, NULL, 49.6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1.76, 4, NULL, NULL, 1.86666666666667),
 ('gem_inkomen_huishoudens', 'BU03080005', 2025, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2.05000000000104, 3, NULL, NULL, 2.05),
 ('gem_inkomen_huishoudens', 'BU03080500', 2018, NULL, 36.5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL),
 ('gem_inkomen_huishoudens', 'BU03080500', 2019, 35.7, 38, 93.9473684210526, -2.3, -0.426689333964337, NULL, NULL, NULL, NULL, NULL, 1, NULL, NULL, NULL),
 ('gem_inkomen_huishoudens', 'BU03080500', 2020, 37.3, 37.2, 100.268817204301, 0.0999999999999943, -0.307815449813493, 1.59999999999999, 4.48179271708682, NULL, NULL, 1.60000000000024, 2, 'improved', 'narrowing', 1.59999999999999),
 ('gem_inkomen_huishoudens', 'BU03080500', 2021, NULL, 39.1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1.60000000000024, 2, NULL, NULL, 1.59999999999999),
 ('gem_inkomen_huishoudens', 'BU03080500', 2022, NULL, 41.8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1.60000000000024, 2, NULL, NULL, 1.59999999999999),
 ('gem_inkomen_huishoudens', 'BU03080500', 2023, 50.6, 49.1, 103.054989816701, 1.5, -0.200190771390834, NULL, NULL, NULL, NULL, 3.88846153846187, 3, NULL, NULL, 3.725),
 ('gem_inkomen_huishoudens', 'BU03080500', 2024, NULL, 49.6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 4.43333333333306, 2, NULL, NULL, 4.43333333333333),
 ('gem_inkomen_huishoudens', 'BU03080500', 2025, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, NULL, NULL, NULL);

-- One call for the whole municipality, following the codes back through the editions.
CREATE TEMP TABLE dev AS
SELECT * FROM buurtmonitor.development(
    indicators => '{bn_huishoudens_laag_inkomen,bn_bijstandsontvangers,bn_gem_inkomen_huishoudens}',
    vintage => 2025, by_code => true);
-- 21 buurten; laag_inkomen 2016-2023 (8 editions), inkomen 2018-2025 (8), bijstand 2016-2025 (10): 21 * (8 + 8 + 10) = 546
SELECT indicator, count(*) AS rows, count(DISTINCT area_code) AS buurten, min(period), max(period),
       count(*) FILTER (WHERE status = 'suppressed') AS suppressed,
       bool_and(obs_vintage = period) AS each_from_its_own_edition,
       bool_and(reference_source = 'observed' OR value IS NULL) AS reference_is_baarns_own_figure
  FROM dev GROUP BY indicator ORDER BY indicator;

-- Compare with the R oracle: same rows, and every column equal within 1e-9 (NULL where R has NA).
CREATE FUNCTION pg_temp.same(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT (a IS NULL AND b IS NULL) OR abs(a - b) <= 1e-9 * greatest(1, abs(b)) $$;
SELECT count(*) AS compared,
       count(*) FILTER (WHERE d.area_code IS NULL) AS missing_in_development,
       count(*) FILTER (WHERE NOT pg_temp.same(d.value, o.value)) AS value_differs,
       count(*) FILTER (WHERE NOT pg_temp.same(d.reference_value, o.ref)) AS ref_differs,
       count(*) FILTER (WHERE NOT pg_temp.same(d.index, o.index)) AS index_differs,
       count(*) FILTER (WHERE NOT pg_temp.same(d.difference, o.diff)) AS diff_differs,
       count(*) FILTER (WHERE NOT pg_temp.same(d.z_score, o.z)) AS z_differs,
       count(*) FILTER (WHERE NOT pg_temp.same(d.change, o.change)) AS change_differs,
       count(*) FILTER (WHERE NOT pg_temp.same(d.change_pct, o.change_pct)) AS pct_differs,
       count(*) FILTER (WHERE NOT pg_temp.same(d.base_change, o.base_change)) AS base_differs,
       count(*) FILTER (WHERE NOT pg_temp.same(d.cagr, o.cagr)) AS cagr_differs,
       count(*) FILTER (WHERE NOT pg_temp.same(d.ols_slope, o.ols)) AS ols_differs,
       count(*) FILTER (WHERE NOT pg_temp.same(d.theil_sen_slope, o.theil_sen)) AS theil_sen_differs,
       count(*) FILTER (WHERE d.trend_n IS DISTINCT FROM o.trend_n) AS n_differs,
       count(*) FILTER (WHERE d.label IS DISTINCT FROM o.label) AS label_differs,
       count(*) FILTER (WHERE d.gap_trend IS DISTINCT FROM o.gap) AS gap_differs
  FROM oracle o
  LEFT JOIN dev d ON d.indicator = 'bn_' || o.indicator AND d.area_code = o.area_code AND d.period = o.period;

-- Readable excerpt: Centrum, share of households with a low income (R oracle rows above):
--   2016 7.8 vs Baarn 5.8: index 134.48, z 1.1086; 2017 8.4: +0.6 (+7.69%) worsened, gap widening;
--   2020 6.3: -0.4 within the tolerance 0.5: stable; 2023 4.3 vs 2.6: index 165.38.
SELECT period, value, reference_value AS baarn, round(index::numeric, 2) AS index, round(z_score::numeric, 4) AS z,
       round(change::numeric, 2) AS change, round(change_pct::numeric, 2) AS pct, label, run, gap_trend,
       trend_n, round(ols_slope::numeric, 4) AS ols, round(theil_sen_slope::numeric, 4) AS theil_sen
  FROM dev WHERE area_code = 'BU03080000' AND indicator = 'bn_huishoudens_laag_inkomen' ORDER BY period;

-- Lage Vuursche: suppressed 2016-2018, first published 2019: no change, trend from 2019 on.
SELECT period, value, status, change, label, trend_n
  FROM dev WHERE area_code = 'BU03080500' AND indicator = 'bn_huishoudens_laag_inkomen' AND period <= 2020
 ORDER BY period;

-- With the wijk as reference the wijk has no figures of its own and no numerators/denominators are
-- loaded, so the share cannot be rolled up: the reference stays NULL rather than a mean of percentages.
SELECT count(*) AS rows, count(reference_value) AS with_reference
  FROM buurtmonitor.development('buurt', '{bn_huishoudens_laag_inkomen}', reference_level => 'wijk', vintage => 2025, by_code => true);
-- ... while counts do roll up by summing: WK030800 (buurten BU03080000-07) social-assistance recipients 2016:
--   30 + 20 + 10 + 30 + 20 + 90 + 0 (Pekingpark) + 0 (Amaliapark) = 200, also checked against the staged rows:
SELECT d.reference_value, d.reference_value = s.total AS rolled_up_sum_ok, d.reference_source
  FROM buurtmonitor.development('buurt', '{bn_bijstandsontvangers}', reference_level => 'wijk', vintage => 2025, by_code => true) d,
       (SELECT sum(value) AS total FROM stage
         WHERE wk_code = 'WK030800' AND jaar = 2016 AND indicator = 'bijstandsontvangers') s
 WHERE d.area_code = 'BU03080000' AND d.period = 2016;

-- clean up this test's observations and indicators (areas may be shared with the loaders' tests)
DELETE FROM buurtmonitor.observations WHERE indicator LIKE 'bn\_%';
DELETE FROM buurtmonitor.indicators WHERE code LIKE 'bn\_%';
