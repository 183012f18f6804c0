-- Composite index pipeline on a synthetic table of four areas (labelled synthetic), with every
-- expected score worked out by hand (bc -l) in the comments; then missing data, imputation,
-- stored specifications and bad input.
SET extra_float_digits = 0;

-- Synthetic areas A..D in two parent areas; C has no crime value.
CREATE TABLE synth (code text, parent text, income float8, health float8, crime float8);
INSERT INTO synth VALUES ('A', 'P1', 10, 5, 1), ('B', 'P1', 20, 3, 2), ('C', 'P2', 30, 4, NULL), ('D', 'P2', 40, 1, 4);

-- 1. Percentile (income, higher is worse) and min-max (health, higher is better), weights 0.5/0.5.
--    income most deprived first D, C, B, A -> ranks 1..4 -> percentile 100 (4 - r)/3 = D 100, C 66.667,
--    B 33.333, A 0.  health minmax 100 (5 - x)/4 = A 0, B 50, C 25, D 100.
--    Index = mean: A 0, B 41.6667, C 45.8333, D 100 -> ranks D 1, C 2, B 3, A 4;
--    deciles ceil(10 r / 4) = D 3, C 5, B 8, A 10.
SELECT area, (SELECT array_agg(round(v::numeric, 4)) FROM unnest(domain_scores) v) AS domain_scores,
       round(score::numeric, 4) AS score, rank, decile, reason
  FROM buurtmonitor.composite_index('synth', '{
         "domains": [{"column": "income", "weight": 0.5, "direction": "higher_is_worse", "transform": "percentile"},
                     {"column": "health", "weight": 0.5, "direction": "higher_is_better", "transform": "minmax"}]}'::jsonb)
 ORDER BY area;

-- 2. IMD-style exponential transform of ranks, three domains, weights 0.5/0.3/0.2, min_share 0.6.
--    E(R) = -23 ln(1 - R (1 - exp(-100/23))), R = (N + 1 - r)/N:
--    income N = 4: D R=1 -> 100, C .75 -> 31.0091435328, B .5 -> 15.6467900726, A .25 -> 6.5177332637.
--    health (lower is worse) N = 4: D 100, B 31.0091435328, C 15.6467900726, A 6.5177332637.
--    crime N = 3 (C missing): D R=1 -> 100, B 2/3 -> 24.6806433005, A 1/3 -> 9.1774250776.
--    A = .5*6.51773 + .3*6.51773 + .2*9.17743 = 7.0496716265; B = .5*15.64679 + .3*31.00914 + .2*24.68064
--    = 22.0622667562; C has 2 of 3 domains (0.667 >= 0.6): weights renormalised over income and health,
--    (.5*31.00914 + .3*15.64679)/.8 = 25.2482609852; D = 100.  Ranks D 1, C 2, B 3, A 4.
SELECT area, (SELECT array_agg(round(v::numeric, 4)) FROM unnest(domain_scores) v) AS domain_scores,
       round(score::numeric, 8) AS score, rank, decile, reason
  FROM buurtmonitor.composite_index('synth', '{
         "domains": [{"column": "income", "weight": 0.5},
                     {"column": "health", "weight": 0.3, "direction": "higher_is_better"},
                     {"column": "crime",  "weight": 0.2}],
         "rank_scaling": "n_plus_1", "min_share": 0.6}'::jsonb)
 ORDER BY area;

-- 3. The same with min_share 1 (the default): C gets a NULL score and a reason, never a zero;
--    the three others keep their order and N = 3 for ranks and deciles (ceil(10 r / 3)).
SELECT area, round(score::numeric, 8) AS score, rank, decile, reason
  FROM buurtmonitor.composite_index('synth', '{
         "domains": [{"column": "income", "weight": 0.5},
                     {"column": "health", "weight": 0.3, "direction": "higher_is_better"},
                     {"column": "crime",  "weight": 0.2}]}'::jsonb)
 ORDER BY area;

-- 4. Imputation by parent area: C's crime = mean of the other P2 areas = D's 4, so C and D tie on crime
--    (average ties: r = 1.5 each, R = (5 - 1.5)/4 = .875 -> 45.8335858773), B R = .5 -> 15.6467900726,
--    A R = .25 -> 6.5177332637.  Index: A = 6.5177332637 (all three domains at R = .25);
--    B = .7*15.64679 + .3*31.00914 = 20.2554961107; C = .5*31.00914 + .3*15.64679 + .2*45.83359 = 29.3653259637;
--    D = .8*100 + .2*45.83359 = 89.1667171755.
SELECT area, (SELECT array_agg(round(v::numeric, 4)) FROM unnest(domain_scores) v) AS domain_scores,
       round(score::numeric, 8) AS score, rank, decile, reason
  FROM buurtmonitor.composite_index('synth', '{
         "domains": [{"column": "income", "weight": 0.5},
                     {"column": "health", "weight": 0.3, "direction": "higher_is_better"},
                     {"column": "crime",  "weight": 0.2}],
         "parent": "parent"}'::jsonb)
 ORDER BY area;

-- 5. Weighted geometric mean of scaled ranks, weights 2 and 2 (normalised to 0.5/0.5, with a NOTICE).
--    income R: A .25, B .5, C .75, D 1; health R (lower is worse): D 1, B .75, C .5, A .25.
--    A sqrt(.25*.25) = .25; B sqrt(.5*.75) = C sqrt(.75*.5) = 0.6123724357; D 1.
--    B and C tie exactly: both rank 2 (equal scores share the smallest rank), A rank 4.
SELECT area, round(score::numeric, 10) AS score, rank, decile
  FROM buurtmonitor.composite_index('synth', '{
         "domains": [{"name": "inc", "column": "income", "weight": 2, "transform": "scaled_rank"},
                     {"name": "hlt", "column": "health", "weight": 2, "direction": "higher_is_better", "transform": "scaled_rank"}],
         "combine": "geometric"}'::jsonb)
 ORDER BY area;

-- 6. Stored specifications: a user spec by name, with its domain names in array order.
INSERT INTO buurtmonitor.index_specs (name, spec, description) VALUES
  ('synthetic_two', '{"domains": [{"name": "inc", "column": "income", "weight": 0.5, "transform": "percentile"},
                                  {"name": "hlt", "column": "health", "weight": 0.5, "direction": "higher_is_better", "transform": "minmax"}]}',
   'Synthetic two-domain index (test).');
SELECT buurtmonitor.index_domains(spec) FROM buurtmonitor.index_specs WHERE name = 'synthetic_two';
-- same numbers as query 1
SELECT area, round(score::numeric, 4) AS score, rank, decile
  FROM buurtmonitor.composite_index('synth', 'synthetic_two') ORDER BY area;
-- the specification as an untyped JSON literal (no cast) gives the same as the stored one and as jsonb
SELECT (SELECT array_agg((area, score, rank) ORDER BY area) FROM buurtmonitor.composite_index('synth',
          '{"domains": [{"name": "inc", "column": "income", "weight": 0.5, "transform": "percentile"},
                        {"name": "hlt", "column": "health", "weight": 0.5, "direction": "higher_is_better", "transform": "minmax"}]}'))
     = (SELECT array_agg((area, score, rank) ORDER BY area) FROM buurtmonitor.composite_index('synth', 'synthetic_two'))
       AS untyped_json_same_as_stored,
       (SELECT count(*) FROM buurtmonitor.index_sensitivity('synth', ' {"domains": [{"column": "income", "weight": 1}]}', draws => 5)) AS sensitivity_rows;
SELECT name, builtin, buurtmonitor.index_domains(spec) FROM buurtmonitor.index_specs ORDER BY name;

-- A non-default key column.
CREATE TABLE synth_keyed AS SELECT code AS buurtcode, income, health FROM synth;
SELECT area, rank FROM buurtmonitor.composite_index('synth_keyed', 'synthetic_two', 'buurtcode') ORDER BY area;

-- 7. Indicators inside a domain (synthetic): domain "poverty" = weighted mean of the min-max scores of
--    benefits (higher is worse, weight 1) and income (higher is better, weight 3, so 0.25/0.75);
--    domain "environment" = z-score of noise (C has none, so C misses the domain).  Both domains
--    untransformed ("none"), weights 0.6/0.4, min_share 0.5.  By hand:
--    benefits minmax 100 (x - 10)/30: A 0, B 33.3333, C 66.6667, D 100; income 100 (40 - x)/30 for
--    40, 35, 20, 10: A 0, B 16.6667, C 66.6667, D 100; poverty = .25 b + .75 i: A 0,
--    B 8.3333 + 12.5 = 20.8333, C 66.6667, D 100.  noise 1, 2, -, 4: mean 7/3, sd sqrt(7/3) = 1.5275252317,
--    z: A -0.8728715609, B -0.2182178902, D 1.0910894512.  Index: A .4 * -0.87287 = -0.3491486244;
--    B .6 * 20.8333 + .4 * -0.21822 = 12.4127128439; C only poverty (weights renormalised) = 66.6666666667;
--    D 60 + .4 * 1.09109 = 60.4364357805.  Ranks C 1, D 2, B 3, A 4.
CREATE TABLE synth_ind (code text, benefits float8, income float8, noise float8);
INSERT INTO synth_ind VALUES ('A', 10, 40, 1), ('B', 20, 35, 2), ('C', 30, 20, NULL), ('D', 40, 10, 4);
SELECT area, (SELECT array_agg(round(v::numeric, 4)) FROM unnest(domain_scores) v) AS domain_scores,
       round(score::numeric, 8) AS score, rank, decile, reason
  FROM buurtmonitor.composite_index('synth_ind', '{
         "domains": [{"name": "poverty", "weight": 0.6, "transform": "none",
                      "indicators": [{"column": "benefits", "weight": 1, "transform": "minmax"},
                                     {"column": "income", "weight": 3, "direction": "higher_is_better", "transform": "minmax"}]},
                     {"name": "environment", "weight": 0.4, "transform": "none",
                      "indicators": [{"column": "noise"}]}],
         "min_share": 0.5}'::jsonb)
 ORDER BY area;

-- Bad input.
CREATE TABLE synth_empty (LIKE synth);
SELECT * FROM buurtmonitor.composite_index('synth_empty', 'synthetic_two');
CREATE TABLE synth_allnull AS SELECT code, income, NULL::float8 AS health FROM synth;
SELECT * FROM buurtmonitor.composite_index('synth_allnull', 'synthetic_two');
CREATE TABLE synth_dup AS SELECT * FROM synth UNION ALL SELECT * FROM synth WHERE code = 'B';
SELECT * FROM buurtmonitor.composite_index('synth_dup', 'synthetic_two');
CREATE TABLE synth_nullkey AS SELECT * FROM synth UNION ALL SELECT NULL, 'P1', 1, 1, 1;
SELECT * FROM buurtmonitor.composite_index('synth_nullkey', 'synthetic_two');
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": [{"column": "wealth", "weight": 1}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": [{"column": "income", "weight": 1}]}'::jsonb, 'buurtcode');
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": [{"column": "income", "weight": -0.5}, {"column": "health", "weight": 1.5}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": [{"column": "income", "weight": 1, "transform": "log"}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": [{"column": "income", "weight": 1, "transform": "rank"}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": [{"column": "income", "wieght": 1}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": [{"column": "income"}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": [{"column": "income", "weight": "0.5"}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": []}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '{"domain": [{"column": "income", "weight": 1}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '[1, 2]'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": [{"column": "income", "weight": 1}], "min_share": 1.5}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": [{"column": "income", "weight": 1}], "rank_scaling": "n_minus_1"}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": [{"column": "income", "weight": 1}], "parent": "wijk"}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', '{"domains": [{"column": "income", "weight": 1, "transform": "minmax"}], "combine": "geometric"}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth', 'no_such_index');
SELECT * FROM buurtmonitor.composite_index('synth_ind', '{"domains": [{"column": "noise", "weight": 1, "indicators": [{"column": "income"}]}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth_ind', '{"domains": [{"weight": 1, "indicators": []}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth_ind', '{"domains": [{"weight": 1, "direction": "higher_is_better", "indicators": [{"column": "income"}]}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth_ind', '{"domains": [{"column": "income", "weight": 1, "combine": "geometric"}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth_ind', '{"domains": [{"weight": 1, "indicators": [{"column": "income", "polarity": -1}]}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth_ind', '{"domains": [{"weight": 1, "indicators": [{"column": "wealth"}]}]}'::jsonb);
SELECT * FROM buurtmonitor.composite_index('synth_ind', '{"domains": [{"weight": 1, "combine": "geometric", "indicators": [{"column": "income", "transform": "minmax"}]}]}'::jsonb);
