-- Social score and priority score (issue 5), documented in docs/social_score.md.
-- The arithmetic is in C (extension/composite.c); the functions here check the
-- specification, read the areas and hand the numbers over as arrays.

-- C core: n x k values (+ parent values for imputation) -> per-area arrays.
CREATE FUNCTION buurtmonitor._social_score_core(
        vals double precision[], imputed double precision[], polarity double precision[],
        weights double precision[], population double precision[], min_share double precision,
        beta double precision, cap double precision, names text[],
        OUT score double precision[], OUT priority double precision[],
        OUT n_observed integer[], OUT n_imputed integer[], OUT reason text[])
    RETURNS record
    LANGUAGE C IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'bm_social_score_core';
COMMENT ON FUNCTION buurtmonitor._social_score_core(double precision[], double precision[], double precision[],
        double precision[], double precision[], double precision, double precision, double precision, text[]) IS
    'Internal: social and priority scores from an n x k value matrix; use buurtmonitor.social_score.';

-- Priority scores of an array of social scores (array in, array out).
CREATE FUNCTION buurtmonitor.priority_scores(scores double precision[], weights double precision[] DEFAULT NULL,
        beta double precision DEFAULT 0.5, cap double precision DEFAULT 3)
    RETURNS double precision[]
    LANGUAGE C IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'bm_priority_scores';
COMMENT ON FUNCTION buurtmonitor.priority_scores(double precision[], double precision[], double precision, double precision) IS
    'Priority scores of social scores s: min(cap, 1 - beta*s) where s <= 0, exp(-gamma*s) where s > 0, gamma solved so the (weighted) mean is exactly 1.';

-- Parse the keys of a social-score spec shared by both variants.
CREATE FUNCTION buurtmonitor._social_score_spec_check(spec jsonb, allowed text[])
    RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
DECLARE
    k text;
BEGIN
    IF spec IS NULL OR jsonb_typeof(spec) <> 'object' THEN
        RAISE EXCEPTION 'social score spec must be a jsonb object'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass for example ''{"key": "code", "columns": ["a", "b"]}''.';
    END IF;
    FOR k IN SELECT jsonb_object_keys(spec) LOOP
        IF NOT k = ANY (allowed) THEN
            RAISE EXCEPTION 'unknown key "%" in social score spec', k
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = format('Allowed keys: %s.', array_to_string(allowed, ', '));
        END IF;
    END LOOP;
    IF spec ? 'min_share' AND jsonb_typeof(spec->'min_share') <> 'number' THEN
        RAISE EXCEPTION 'min_share in social score spec must be a number'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use a share between 0 and 1, for example 0.75.';
    END IF;
    IF spec ? 'impute' AND spec->>'impute' NOT IN ('none', 'parent') THEN
        RAISE EXCEPTION 'impute in social score spec must be "none" or "parent", not %', spec->'impute'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use "parent" to fill gaps with the parent area''s value.';
    END IF;
END;
$$;
COMMENT ON FUNCTION buurtmonitor._social_score_spec_check(jsonb, text[]) IS
    'Internal: rejects unknown keys and malformed options in a social score spec.';

-- Polarity (1/-1) and weight (>= 0) of each indicator from a spec (defaults 1).
CREATE FUNCTION buurtmonitor._social_score_spec_numbers(spec jsonb, names text[], default_polarity double precision[],
        OUT polarity double precision[], OUT weights double precision[])
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
DECLARE
    k text;
BEGIN
    IF jsonb_typeof(coalesce(spec->'polarity', '{}')) <> 'object'
       OR jsonb_typeof(coalesce(spec->'weights', '{}')) <> 'object' THEN
        RAISE EXCEPTION 'polarity and weights in a social score spec must be objects (column -> number)'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Write for example "weights": {"a": 2, "b": 1}; "weights": "pca" works only with a source table.';
    END IF;
    FOR k IN SELECT jsonb_object_keys(coalesce(spec->'polarity', '{}')) UNION ALL
             SELECT jsonb_object_keys(coalesce(spec->'weights', '{}')) LOOP
        IF NOT k = ANY (names) THEN
            RAISE EXCEPTION 'indicator "%" in the polarity or weights of the spec is not one of the columns', k
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Give polarity and weights only for listed columns.';
        END IF;
    END LOOP;
    SELECT array_agg(coalesce((spec->'polarity'->>n)::double precision, d, 1) ORDER BY o),
           array_agg(coalesce((spec->'weights'->>n)::double precision, 1) ORDER BY o)
      INTO polarity, weights
      FROM unnest(names, coalesce(default_polarity, '{}'::double precision[])) WITH ORDINALITY AS u(n, d, o)
     WHERE n IS NOT NULL;
END;
$$;
COMMENT ON FUNCTION buurtmonitor._social_score_spec_numbers(jsonb, text[], double precision[]) IS
    'Internal: polarity and weight arrays of a social score spec, in column order.';

-- Every named column must exist in source; those in numeric_cols must be numeric.
CREATE FUNCTION buurtmonitor._check_columns(source regclass, cols text[], numeric_cols text[], hint text)
    RETURNS void
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
DECLARE
    c      text;
    typcat "char";
BEGIN
    FOREACH c IN ARRAY array_remove(cols, NULL) LOOP
        SELECT t.typcategory INTO typcat
          FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
         WHERE a.attrelid = source AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'column "%" does not exist in %', c, source
                USING ERRCODE = 'undefined_column', HINT = hint;
        END IF;
        IF c = ANY (numeric_cols) AND typcat <> 'N' THEN
            RAISE EXCEPTION 'column "%" of % is not numeric', c, source
                USING ERRCODE = 'datatype_mismatch', HINT = 'Cast the column to a number in a view and use the view.';
        END IF;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION buurtmonitor._check_columns(regclass, text[], text[], text) IS
    'Internal: raises an error naming the first column that is missing from a table or not numeric.';

-- Social score of the rows of a table: one row per area with key and indicator columns.
CREATE FUNCTION buurtmonitor.social_score(source regclass, spec jsonb)
    RETURNS TABLE (area_code text, social_score double precision, priority double precision,
                   n_observed integer, n_imputed integer, reason text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
DECLARE
    cols     text[];
    keycol   text := spec->>'key';
    popcol   text := spec->>'population';
    parcol   text := spec->>'parent';
    impute   boolean := coalesce(spec->>'impute', 'none') = 'parent';
    c        text;
    vexpr    text[] := '{}';
    iexpr    text[] := '{}';
    wexpr    text;
    dup      text;
    keys     text[];
    vals     double precision[];
    imps     double precision[];
    pops     double precision[];
    pol      double precision[];
    wts      double precision[];
    core     record;
    nrow     bigint;
    loads    double precision[];
    agree    double precision;
BEGIN
    PERFORM buurtmonitor._social_score_spec_check(spec,
        ARRAY['key', 'columns', 'polarity', 'weights', 'population', 'min_share', 'parent', 'impute', 'beta', 'cap']);
    IF keycol IS NULL THEN
        RAISE EXCEPTION 'social score spec has no "key" column'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Add "key": "<area code column>" to the spec.';
    END IF;
    IF jsonb_typeof(spec->'columns') IS DISTINCT FROM 'array' OR jsonb_array_length(spec->'columns') = 0 THEN
        RAISE EXCEPTION 'social score spec has no "columns" array'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Add "columns": ["indicator_a", "indicator_b"] to the spec.';
    END IF;
    SELECT array_agg(x ORDER BY o) INTO cols FROM jsonb_array_elements_text(spec->'columns') WITH ORDINALITY AS e(x, o);
    IF impute AND parcol IS NULL THEN
        RAISE EXCEPTION 'impute "parent" needs a "parent" column in the social score spec'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Add "parent": "<parent code column>".';
    END IF;
    -- every named column must exist; indicator and population columns must be numeric
    PERFORM buurtmonitor._check_columns(source, cols || ARRAY[keycol, popcol, parcol], cols || popcol,
                                        'Check the column names in the social score spec.');
    IF (SELECT count(DISTINCT x) FROM unnest(cols) x) <> cardinality(cols) THEN
        RAISE EXCEPTION 'a column is listed twice in the social score spec'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'List each indicator column once.';
    END IF;
    IF spec->'weights' = '"pca"' THEN
        -- weights from the first principal component: |loading|; polarity must agree with the signs
        SELECT * INTO pol, wts FROM buurtmonitor._social_score_spec_numbers(spec - 'weights', cols, NULL);
        SELECT array_agg(w.loading ORDER BY w.o) INTO loads
          FROM buurtmonitor.pca_weights(source, cols) WITH ORDINALITY AS w(indicator, loading, weight, correlation, explained, n, o);
        SELECT array_agg(abs(u.l) ORDER BY u.o) INTO wts FROM unnest(loads) WITH ORDINALITY AS u(l, o);
        -- the component's sign is arbitrary: compare with the majority direction
        SELECT sum(sign(u.l) * u.p) INTO agree FROM unnest(loads, pol) AS u(l, p);
        SELECT u.x INTO c FROM unnest(loads, pol, cols) AS u(l, p, x)
         WHERE u.l <> 0 AND sign(u.l) * u.p <> CASE WHEN agree < 0 THEN -1 ELSE 1 END LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'indicator "%" loads on the first principal component against its polarity', c
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Check the polarity of the indicator, or give explicit weights instead of "pca".';
        END IF;
    ELSE
        SELECT * INTO pol, wts FROM buurtmonitor._social_score_spec_numbers(spec, cols, NULL);
    END IF;

    EXECUTE format('SELECT k FROM (SELECT %1$I::text AS k FROM %2$s) s GROUP BY k HAVING count(*) > 1 OR k IS NULL LIMIT 1',
                   keycol, source) INTO dup;
    GET DIAGNOSTICS nrow = ROW_COUNT;
    IF nrow > 0 THEN
        RAISE EXCEPTION 'area key % occurs more than once in %', coalesce(quote_literal(dup), 'NULL'), source
            USING ERRCODE = 'unique_violation', HINT = 'Give each area one row with a non-NULL key.';
    END IF;

    IF popcol IS NOT NULL THEN
        EXECUTE format('SELECT %1$I::text FROM %3$s WHERE %2$I < 0 OR %2$I::double precision = ''NaN'' LIMIT 1',
                       keycol, popcol, source) INTO dup;
        GET DIAGNOSTICS nrow = ROW_COUNT;
        IF nrow > 0 THEN
            RAISE EXCEPTION 'area % has a negative or NaN population in column "%"', quote_literal(dup), popcol
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Fix the population column or leave out the population weighting.';
        END IF;
    END IF;

    FOREACH c IN ARRAY cols LOOP
        vexpr := vexpr || format('%I::double precision', c);
        -- parent value: (population-)weighted mean of the sibling areas that have the indicator
        wexpr := CASE WHEN popcol IS NULL THEN '1' ELSE format('%I::double precision', popcol) END;
        iexpr := iexpr || format(
            'sum(%1$I::double precision * %3$s) OVER w / nullif(sum(CASE WHEN %1$I IS NOT NULL THEN %3$s END) OVER w, 0)',
            c, parcol, wexpr);
    END LOOP;
    -- one aggregate pass: the arrays are aligned row by row (their order does not matter)
    EXECUTE format(
        'SELECT array_agg(k), array_agg(v), %3$s, array_agg(p)
           FROM (SELECT %1$I::text AS k, ARRAY[%2$s] AS v, %7$s AS i, %4$s AS p FROM %5$s %6$s) s',
        keycol, array_to_string(vexpr, ', '),
        CASE WHEN impute THEN 'array_agg(i)' ELSE 'NULL::double precision[]' END,
        CASE WHEN popcol IS NULL THEN 'NULL::double precision' ELSE format('%I::double precision', popcol) END,
        source,
        CASE WHEN impute THEN format('WINDOW w AS (PARTITION BY %I)', parcol) ELSE '' END,
        CASE WHEN impute THEN 'ARRAY[' || array_to_string(iexpr, ', ') || ']' ELSE 'NULL::double precision[]' END)
      INTO keys, vals, imps, pops;

    core := buurtmonitor._social_score_core(
        coalesce(vals, '{}'), CASE WHEN impute THEN imps END, pol, wts,
        CASE WHEN popcol IS NOT NULL THEN coalesce(pops, '{}') END,
        coalesce((spec->>'min_share')::double precision, 0.5),
        coalesce((spec->>'beta')::double precision, 0.5), coalesce((spec->>'cap')::double precision, 3), cols);
    RETURN QUERY
        SELECT u.k, u.s, u.p, u.no, u.ni, u.r
          FROM unnest(keys, core.score, core.priority, core.n_observed, core.n_imputed, core.reason)
               AS u(k, s, p, no, ni, r)
         ORDER BY u.k;
END;
$$;
COMMENT ON FUNCTION buurtmonitor.social_score(regclass, jsonb) IS
    'Social score per area (mean of polarity-signed z-scores, weighted mean exactly 0) and priority score (weighted mean exactly 1) from a table; spec: key, columns, polarity, weights (object or "pca"), population, min_share, parent, impute, beta, cap.';

-- Social score from buurtmonitor.observations for the areas of one level and vintage.
CREATE FUNCTION buurtmonitor.social_score(level text, period integer, indicators text[],
        vintage integer DEFAULT NULL, spec jsonb DEFAULT '{}')
    RETURNS TABLE (area_code text, social_score double precision, priority double precision,
                   n_observed integer, n_imputed integer, reason text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
DECLARE
    vin     integer := coalesce(vintage, period);
    lvl     text := level;
    per     integer := period;
    popind  text := spec->>'population';
    impute  boolean := coalesce(spec->>'impute', 'none') = 'parent';
    bad     text;
    keys    text[];
    vals    double precision[];
    imps    double precision[];
    pops    double precision[];
    defpol  double precision[];
    pol     double precision[];
    wts     double precision[];
    core    record;
BEGIN
    PERFORM buurtmonitor._social_score_spec_check(spec,
        ARRAY['polarity', 'weights', 'population', 'min_share', 'impute', 'beta', 'cap', 'within']);
    IF spec ? 'within' AND NOT EXISTS (SELECT 1 FROM buurtmonitor.areas a
                                        WHERE a.code = spec->>'within' AND a.vintage = vin) THEN
        RAISE EXCEPTION 'area "%" of "within" is not in buurtmonitor.areas for vintage %', spec->>'within', vin
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the code of a loaded area, for example a gemeente.';
    END IF;
    IF indicators IS NULL OR cardinality(indicators) = 0 THEN
        RAISE EXCEPTION 'social score needs at least one indicator'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass an array of indicator codes.';
    END IF;
    SELECT x INTO bad FROM unnest(array_remove(indicators || ARRAY[popind], NULL)) x
     WHERE NOT EXISTS (SELECT 1 FROM buurtmonitor.indicators i WHERE i.code = x) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'indicator "%" is not in buurtmonitor.indicators', bad
            USING ERRCODE = 'undefined_object', HINT = 'Register the indicator first or check its code.';
    END IF;
    IF (SELECT count(DISTINCT x) FROM unnest(indicators) x) <> cardinality(indicators) THEN
        RAISE EXCEPTION 'an indicator is listed twice'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'List each indicator once.';
    END IF;
    -- polarity from the catalogue unless the spec overrides it; neutral (0) cannot be scored
    SELECT array_agg(i.polarity::double precision ORDER BY o) INTO defpol
      FROM unnest(indicators) WITH ORDINALITY AS u(x, o) JOIN buurtmonitor.indicators i ON i.code = u.x;
    SELECT * INTO pol, wts FROM buurtmonitor._social_score_spec_numbers(spec, indicators, defpol);
    SELECT u.x INTO bad FROM unnest(indicators, pol) AS u(x, p) WHERE u.p = 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'indicator "%" has polarity 0 (neutral)', bad
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Set its polarity in buurtmonitor.indicators or give "polarity" in the spec.';
    END IF;

    -- one aggregate pass: the arrays are aligned row by row (their order does not matter)
    SELECT array_agg(a.code),
           array_agg((SELECT array_agg(o.value ORDER BY u.ord)
                        FROM unnest(indicators) WITH ORDINALITY AS u(x, ord)
                        LEFT JOIN buurtmonitor.observations o
                          ON o.area_code = a.code AND o.vintage = vin AND o.period = per AND o.indicator = u.x)),
           array_agg((SELECT array_agg(o.value ORDER BY u.ord)
                        FROM unnest(indicators) WITH ORDINALITY AS u(x, ord)
                        LEFT JOIN buurtmonitor.observations o
                          ON o.area_code = a.parent_code AND o.vintage = vin AND o.period = per AND o.indicator = u.x)),
           array_agg((SELECT o.value FROM buurtmonitor.observations o
                       WHERE o.area_code = a.code AND o.vintage = vin AND o.period = per AND o.indicator = popind))
      INTO keys, vals, imps, pops
      FROM buurtmonitor.areas a
     WHERE a.level = lvl AND a.vintage = vin
       AND (NOT spec ? 'within' OR a.code IN (
            -- the areas below "within", following parent_code downwards
            WITH RECURSIVE below(code) AS (
                SELECT spec->>'within'
                UNION
                SELECT c.code FROM buurtmonitor.areas c JOIN below b ON c.parent_code = b.code
                 WHERE c.vintage = vin)
            SELECT code FROM below));

    core := buurtmonitor._social_score_core(
        coalesce(vals, '{}'), CASE WHEN impute THEN imps END, pol, wts,
        CASE WHEN popind IS NOT NULL THEN coalesce(pops, '{}') END,
        coalesce((spec->>'min_share')::double precision, 0.5),
        coalesce((spec->>'beta')::double precision, 0.5), coalesce((spec->>'cap')::double precision, 3), indicators);
    RETURN QUERY
        SELECT u.k, u.s, u.p, u.no, u.ni, u.r
          FROM unnest(keys, core.score, core.priority, core.n_observed, core.n_imputed, core.reason)
               AS u(k, s, p, no, ni, r)
         ORDER BY u.k;
END;
$$;
COMMENT ON FUNCTION buurtmonitor.social_score(text, integer, text[], integer, jsonb) IS
    'Social and priority score per area of a level from buurtmonitor.observations (polarity from buurtmonitor.indicators); spec: polarity, weights, population (indicator code), min_share, impute ("parent" = the parent area''s observation), beta, cap.';
