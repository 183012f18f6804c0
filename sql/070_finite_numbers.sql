-- NaN and infinities (issue 9).  In PostgreSQL NaN = NaN is true and NaN sorts above every number,
-- so 0.1.0's CHECK (value = value ...) and CHECK (se > 0) let NaN in, and it spread into
-- development() (a NaN change labelled "decreased") and roll-ups (a municipal total of NaN).
-- 0.2.0 refuses NaN and +-Infinity at the table boundary, in the loaders (naming the line, area
-- and indicator) and in every function's direct numeric arguments (policy: docs/developing.md).
-- SYNTHETIC values; in a transaction that is rolled back.
BEGIN;
SET client_min_messages = warning;
\set SHOW_CONTEXT never
\set VERBOSITY terse
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code) VALUES
    ('GM9996', 2022, 'Eindig', 'gemeente', NULL),
    ('WK999601', 2022, 'Wijk', 'wijk', 'GM9996'),
    ('BU99960101', 2022, 'Buurt a', 'buurt', 'WK999601'),
    ('BU99960102', 2022, 'Buurt b', 'buurt', 'WK999601');
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value) VALUES
    ('BU99960101', 2022, 2021, 'a_inw', 100), ('BU99960102', 2022, 2021, 'a_inw', 200),
    ('BU99960101', 2022, 2022, 'a_inw', 110), ('BU99960102', 2022, 2022, 'a_inw', 190),
    ('BU99960101', 2022, 2022, 'p_25_44', 30);

-- 1. Tables: every column holding user numbers refuses NaN, Infinity and -Infinity, and still takes
--    finite numbers.  pg_temp.try() runs a statement in a savepoint and reports the outcome.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; con text;
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, con = CONSTRAINT_NAME;
    RETURN st || coalesce(' ' || con, '');
END $$;
WITH cols(tbl, stmt) AS (VALUES
    ('observations.value',       $$UPDATE buurtmonitor.observations SET value = X WHERE area_code = 'BU99960101' AND period = 2021 AND indicator = 'a_inw'$$),
    ('observations.numerator',   $$UPDATE buurtmonitor.observations SET numerator = X WHERE area_code = 'BU99960101' AND period = 2022 AND indicator = 'p_25_44'$$),
    ('observations.denominator', $$UPDATE buurtmonitor.observations SET denominator = X WHERE area_code = 'BU99960101' AND period = 2022 AND indicator = 'p_25_44'$$),
    ('sample_sizes.n',           $$INSERT INTO buurtmonitor.sample_sizes (area_code, vintage, period, indicator, n) VALUES ('BU99960101', 2022, 2022, 'p_25_44', X)$$),
    ('sample_sizes.se',          $$INSERT INTO buurtmonitor.sample_sizes (area_code, vintage, period, indicator, se) VALUES ('BU99960101', 2022, 2022, 'p_25_44', X)$$),
    ('indicators.scale',         $$UPDATE buurtmonitor.indicators SET scale = X WHERE code = 'p_25_44'$$),
    ('indicators.tolerance',     $$UPDATE buurtmonitor.indicators SET tolerance = X WHERE code = 'p_25_44'$$),
    ('signal_rules.threshold',   $$INSERT INTO buurtmonitor.signal_rules (indicator, condition, threshold) VALUES ('a_inw', 'crosses_threshold', X)$$),
    ('crosswalks.overlap_area',  $$INSERT INTO buurtmonitor.crosswalks VALUES (2022, 2023, 'buurt', 'BU99960101', 'BU99960101', X, 1)$$),
    ('crosswalks.share',         $$INSERT INTO buurtmonitor.crosswalks VALUES (2022, 2023, 'buurt', 'BU99960101', 'BU99960101', 1, X)$$)
)
SELECT tbl,
       pg_temp.try(replace(stmt, 'X', '''NaN''::float8')) AS nan,
       pg_temp.try(replace(stmt, 'X', '''Infinity''::float8')) AS infinity,
       pg_temp.try(replace(stmt, 'X', '''-Infinity''::float8')) AS minus_infinity,
       pg_temp.try(replace(stmt, 'X', '0.5')) AS finite_0_5
  FROM cols;
-- (crosswalks.overlap_area 0.5 fails only on its foreign key: there is no vintage 2023 here.)
-- The old checks were the bug: NaN = NaN and NaN > 0 are true in PostgreSQL.
SELECT 'NaN'::float8 = 'NaN'::float8 AS nan_equals_nan, 'NaN'::float8 > 0 AS nan_above_0,
       'NaN'::float8 < 'Infinity' AS nan_below_infinity;
-- index_specs: a weight must be a JSON number (JSON has no NaN), and numbers must fit a double.
SELECT pg_temp.try($$INSERT INTO buurtmonitor.index_specs (name, spec) VALUES ('t1', '{"domains": [{"name": "a", "column": "a", "weight": "NaN"}]}')$$) AS weight_string_nan,
       pg_temp.try($$INSERT INTO buurtmonitor.index_specs (name, spec) VALUES ('t2', '{"domains": [{"name": "a", "column": "a", "weight": 1e400}]}')$$) AS weight_1e400,
       pg_temp.try($$INSERT INTO buurtmonitor.index_specs (name, spec) VALUES ('t3', '{"domains": [{"name": "a", "column": "a", "weight": 0.5}]}')$$) AS weight_0_5;

-- 2. Loaders: one error naming line, area, indicator and text of every non-finite cell, with a hint.
CREATE TEMP TABLE nan_stage (buurt_code text, aantal_inwoners text, woningvoorraad text);
INSERT INTO nan_stage VALUES ('BU99960101', 'NaN', '50'), ('BU99960102', '200', '-Infinity'),
                             ('BU99960103', 'inf', '1e400'), ('BU99960104', '1,5', '.');
SAVEPOINT s;
SELECT buurtmonitor.load_observations('nan_stage', period => 2023, vintage => 2022);
ROLLBACK TO s;
\set VERBOSITY default
SAVEPOINT s;
SELECT buurtmonitor.load_observations('nan_stage', period => 2023, vintage => 2022);
ROLLBACK TO s;
\set VERBOSITY terse
-- parse_value, the cell parser behind every loader: NaN, infinities and out-of-range numbers give NULL
-- (not suppressed), so the loader reports them; 1e308 and a denormal still parse.
SELECT raw, p.value, p.suppressed
  FROM unnest(ARRAY['NaN', 'nan', 'Infinity', '-inf', '1e400', '-1e400', '1e-400', '1e308', '5e-324', '1,5', '.']) raw,
       buurtmonitor.parse_value(raw) p;

-- 3. Functions: each direct double precision argument given NaN, Infinity and -Infinity.  Policy
--    (docs/developing.md): an error (SQLSTATE shown; 22023 invalid_parameter_value, 22003 for
--    infinite aggregate inputs) unless the docs give the value a meaning: mean_test(df => Infinity)
--    is the normal (z) test, priority_scores(cap => Infinity) means no cap.  NULL stays "missing".
CREATE FUNCTION pg_temp.probe(call text, with_message boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; st text; msg text;
BEGIN
    EXECUTE 'SELECT (' || call || ')::text' INTO r;
    RETURN coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    RETURN 'error ' || st || CASE WHEN with_message THEN ': ' || msg ELSE '' END;
END $$;
CREATE TEMP TABLE calls (call text);
INSERT INTO calls VALUES
 ('weighted_mean(v, w) over (1, 1), (X, 1)'), ('weighted_mean(v, w) over (1, 1), (2, X)'),
 ('ratio_of_sums(v, w) over (1, 1), (X, 1)'), ('ratio_of_sums(v, w) over (1, 1), (2, X)'),
 ('coverage(v, w) over (1, 1), (X, 1)'), ('coverage(v, w) over (1, 1), (2, X)'),
 ('weighted_quantile(v, w, 0.5) over (1, 1), (X, 1)'), ('weighted_quantile(v, w, 0.5) over (1, 1), (2, X)'),
 ('weighted_quantile(v, w, X) over (1, 1), (2, 1)'),
 ('weighted_median(v, w) over (1, 1), (X, 1)'), ('weighted_median(v, w) over (1, 1), (2, X)'),
 ('inverse_normal(X)'), ('normal_score(X, 10)'), ('exponential_transform(X)'), ('scaled_rank(X, 10)'),
 ('quantile_group(X, 10, 5)'), ('decile(X, 10)'),
 ('normalise(ARRAY[1, 2, X], ''rank'')'), ('normalise(ARRAY[1, 2, X], ''zscore'')'),
 ('normalise_weights(ARRAY[1, X])'),
 ('weighted_arithmetic_mean(ARRAY[1, X], ARRAY[1, 1]::float8[])'), ('weighted_arithmetic_mean(ARRAY[1, 2]::float8[], ARRAY[1, X])'),
 ('weighted_geometric_mean(ARRAY[1, X], ARRAY[1, 1]::float8[])'), ('weighted_geometric_mean(ARRAY[1, 2]::float8[], ARRAY[1, X])'),
 ('priority_scores(ARRAY[1, X, 0])'), ('priority_scores(ARRAY[1, -1, 0]::float8[], ARRAY[1, X, 1])'),
 ('priority_scores(ARRAY[1, -1, 0]::float8[], beta => X)'), ('priority_scores(ARRAY[1, -1, 0]::float8[], cap => X)'),
 ('sensitivity_weights(ARRAY[1, X], 3, 1)'), ('sensitivity_weights(ARRAY[1, 2]::float8[], 3, 1, X)'),
 ('proportion_test(X, 100, 0.5, 100)'), ('proportion_test(0.4, X, 0.5, 100)'),
 ('mean_test(X, 1, 2, 1)'), ('mean_test(1, X, 2, 1)'), ('mean_test(1, 1, 2, 1, X)'),
 ('welch_df(X, 10, 1, 10)'), ('welch_df(1, X, 1, 10)'),
 ('significance_label(X, 0.01, 1)'), ('significance_label(1, X, 1)'), ('significance_label(1, 0.01, 1, X)'),
 ('trend(ARRAY[2020, 2021, 2022], ARRAY[1, 2, X])'),
 ('(SELECT count(*) FROM buurtmonitor.development(''buurt'', ''{a_inw}'', 2022, alpha => X))'),
 ('(SELECT count(*) FROM buurtmonitor.crosswalk(''nan_layer'', ''nan_layer'', min_width => X))'),
 ('build_crosswalk(2022, 2023, min_width => X)'),
 ('(SELECT count(*) FROM buurtmonitor.interpolate_extensive(''nan_cw'', ''nan_src'', ''v'', ''code'', min_coverage => X))'),
 ('(SELECT count(*) FROM buurtmonitor.interpolate_intensive(''nan_cw'', ''nan_src'', ''v'', ''code'', ''d'', min_coverage => X))'),
 ('(SELECT count(*) FROM buurtmonitor.index_sensitivity(''nan_src'', ''nan_spec'', 3, 1, X))');
INSERT INTO buurtmonitor.index_specs (name, spec) VALUES
    ('nan_spec', '{"domains": [{"name": "v", "column": "v", "weight": 1}, {"name": "d", "column": "d", "weight": 1}]}');
CREATE TEMP TABLE nan_layer AS SELECT 'S' AS code, ST_MakeEnvelope(0, 0, 10, 10, 28992) AS geom;
CREATE TEMP TABLE nan_cw (source_code text, target_code text, overlap_area float8, share float8);
INSERT INTO nan_cw VALUES ('a', 't', 1, 1), ('b', 't', 1, 1);
CREATE TEMP TABLE nan_src (code text, v float8, d float8);
INSERT INTO nan_src VALUES ('a', 1, 1), ('b', 2, 1), ('c', 3, 2);
-- an aggregate call "agg(args) over (rows)" becomes SELECT agg(args) FROM (VALUES rows) t(v, w)
CREATE FUNCTION pg_temp.sql_of(call text, x text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN call LIKE '% over %'
                THEN format('(SELECT buurtmonitor.%s FROM (VALUES %s) t(v, w))', replace(split_part(call, ' over ', 1), 'X', x),
                            regexp_replace(replace(split_part(call, ' over ', 2), 'X', x), '^\(1, 1\)', '(1::float8, 1::float8)'))
                WHEN call LIKE '(%' THEN replace(call, 'X', x)
                ELSE 'buurtmonitor.' || replace(call, 'X', x) END
$$;
SELECT call,
       pg_temp.probe(pg_temp.sql_of(call, '''Infinity''::float8'), false) AS infinity,
       pg_temp.probe(pg_temp.sql_of(call, '''-Infinity''::float8'), false) AS minus_infinity,
       pg_temp.probe(pg_temp.sql_of(call, '''NaN''::float8'), true) AS nan
  FROM calls ORDER BY call;

-- 4. Functions reading tables refuse NaN and infinities in the columns they read (each with the
--    column; composite_index, social_score and pca_weights the column, shrink_rate the area).
CREATE TEMP TABLE nan_tab (code text, parent text, a float8, b float8, num float8, den float8);
INSERT INTO nan_tab VALUES ('x', 'p', 1, 2, 1, 10), ('y', 'p', 2, 1, 2, 10), ('z', 'p', 3, 3, 3, 10);
CREATE FUNCTION pg_temp.readers() RETURNS TABLE (reader text, outcome text) LANGUAGE sql AS $$
    SELECT r, pg_temp.probe(q, true) FROM (VALUES
        ('composite_index', '(SELECT count(*) FROM buurtmonitor.composite_index(''nan_tab'', ''{"domains": [{"name": "a", "column": "a", "weight": 1}, {"name": "b", "column": "b", "weight": 1}]}''::jsonb))'),
        ('social_score', '(SELECT count(*) FROM buurtmonitor.social_score(''nan_tab'', ''{"key": "code", "columns": ["a", "b"]}''))'),
        ('pca_weights', '(SELECT count(*) FROM buurtmonitor.pca_weights(''nan_tab'', ''{a,b}''))'),
        ('shrink_rate', '(SELECT count(*) FROM buurtmonitor.shrink_rate(''nan_tab'', ''code'', ''parent'', ''num'', ''den''))'),
        ('interpolate_extensive', '(SELECT count(*) FROM buurtmonitor.interpolate_extensive(''nan_cw'', ''nan_tab'', ''a'', ''code''))')) v(r, q)
$$;
UPDATE nan_cw SET source_code = 'x' WHERE source_code = 'a';
UPDATE nan_cw SET source_code = 'y' WHERE source_code = 'b';
UPDATE nan_tab SET a = 'NaN', num = 'NaN' WHERE code = 'x';
SELECT * FROM pg_temp.readers();
UPDATE nan_tab SET a = 'Infinity', num = 1, den = 'Infinity' WHERE code = 'x';
SELECT * FROM pg_temp.readers();
ROLLBACK;
