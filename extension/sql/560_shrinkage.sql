-- Empirical-Bayes shrinkage of small-area rates toward the parent area (issue 5),
-- after the English Indices of Deprivation 2019 technical report, Appendix D.
-- The exact formula is in docs/social_score.md ("shrink_rate").

CREATE FUNCTION buurtmonitor.shrink_rate(source regclass, key text, parent text, numerator text, denominator text,
        variance_method text DEFAULT 'weighted')
    RETURNS TABLE (area_code text, parent_code text, rate double precision, shrunk_rate double precision,
                   weight double precision, parent_rate double precision, between_variance double precision)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET jit = off    -- JIT compiling the one-pass query costs more than it saves
    AS $$
DECLARE
    dup    text;
    bad    text;
    nrow   bigint;
BEGIN
    IF variance_method IS NULL OR variance_method NOT IN ('weighted', 'unweighted') THEN
        RAISE EXCEPTION 'variance_method must be ''weighted'' or ''unweighted'', not %', coalesce(quote_literal(variance_method), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = '''weighted'' weights the squared deviations by the denominators, ''unweighted'' averages them over the areas.';
    END IF;
    PERFORM buurtmonitor._require_names(ARRAY[key, parent, numerator, denominator], '{key,parent,numerator,denominator}');
    PERFORM buurtmonitor._check_columns(source, ARRAY[key, parent, numerator, denominator],
                                        ARRAY[numerator, denominator],
                                        'Check the key, parent, numerator and denominator column names.');
    EXECUTE format('SELECT k FROM (SELECT %1$I::text AS k FROM %2$s) s GROUP BY k HAVING count(*) > 1 OR k IS NULL LIMIT 1',
                   key, source) INTO dup;
    GET DIAGNOSTICS nrow = ROW_COUNT;
    IF nrow > 0 THEN
        RAISE EXCEPTION 'area key % occurs more than once in %', coalesce(quote_literal(dup), 'NULL'), source
            USING ERRCODE = 'unique_violation', HINT = 'Give each area one row with a non-NULL key.';
    END IF;
    -- NaN and infinities first: NaN > x is true in PostgreSQL, Infinity would pass the test below
    EXECUTE format('SELECT %1$I::text FROM %4$s WHERE NOT (%2$I::float8 < ''Infinity'' AND %3$I::float8 < ''Infinity'') LIMIT 1',
                   key, numerator, denominator, source) INTO bad;
    GET DIAGNOSTICS nrow = ROW_COUNT;
    IF nrow > 0 THEN
        RAISE EXCEPTION 'area % has a NaN or infinite numerator or denominator', quote_literal(bad)
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Counts must be finite numbers; use NULL for a missing count.';
    END IF;
    EXECUTE format('SELECT %1$I::text FROM %4$s WHERE %2$I < 0 OR %3$I < 0 OR %2$I > %3$I LIMIT 1',
                   key, numerator, denominator, source) INTO bad;
    GET DIAGNOSTICS nrow = ROW_COUNT;
    IF nrow > 0 THEN
        RAISE EXCEPTION 'area % has a negative count or a numerator above its denominator', quote_literal(bad)
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The numerator counts events among the denominator: 0 <= numerator <= denominator.';
    END IF;
    EXECUTE format('SELECT %1$I::text FROM %3$s WHERE %2$I IS NULL LIMIT 1', key, parent, source) INTO bad;
    GET DIAGNOSTICS nrow = ROW_COUNT;
    IF nrow > 0 THEN
        RAISE EXCEPTION 'area % has no parent in column "%"', quote_literal(bad), parent
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Every area needs the code of the parent it is shrunk toward.';
    END IF;
    EXECUTE format('SELECT 1 FROM %s LIMIT 1', source) INTO bad;
    IF bad IS NULL THEN
        RAISE EXCEPTION 'shrink_rate needs at least one area, % has none', source
            USING ERRCODE = 'no_data_found', HINT = 'Check the source table and its filter.';
    END IF;

    -- one pass with window functions over the parents (no joins back to the parents' figures)
    RETURN QUERY EXECUTE format($q$
        WITH a AS (
            SELECT %1$I::text AS k, %2$I::text AS par,
                   %3$I::double precision AS r, %4$I::double precision AS n,
                   (%3$I IS NOT NULL AND %4$I > 0) AS ok
              FROM %5$s),
        b AS (   -- empirical logit, its sampling variance, and the parent's summed counts
            SELECT a.*,
                   CASE WHEN ok THEN ln((r + 0.5) / (n - r + 0.5)) END AS z,
                   CASE WHEN ok THEN 1 / (r + 0.5) + 1 / (n - r + 0.5) END AS s2,
                   sum(r) FILTER (WHERE ok) OVER w AS pr, sum(n) FILTER (WHERE ok) OVER w AS pn
              FROM a WINDOW w AS (PARTITION BY par)),
        c AS (   -- the parent's logit from its summed counts
            SELECT b.*, ln((pr + 0.5) / (pn - pr + 0.5)) AS zbar FROM b),
        d AS (   -- between-area variance within the parent (weighted by the denominators, or not)
            SELECT c.*, %6$s AS t2 FROM c),
        e AS (
            SELECT d.*, CASE WHEN NOT ok THEN NULL WHEN t2 > 0 THEN t2 / (t2 + s2) ELSE 0 END AS wt FROM d)
        SELECT k, par, CASE WHEN n > 0 THEN r / n END,
               1 / (1 + exp(-(wt * z + (1 - wt) * zbar))), wt, pr / pn, t2
          FROM e
         ORDER BY k$q$, key, parent, numerator, denominator, source,
        CASE variance_method
            WHEN 'weighted' THEN 'sum(n * (z - zbar) ^ 2) FILTER (WHERE ok) OVER (PARTITION BY par) / pn'
            ELSE 'avg((z - zbar) ^ 2) FILTER (WHERE ok) OVER (PARTITION BY par)' END);
END;
$$;
COMMENT ON FUNCTION buurtmonitor.shrink_rate(regclass, text, text, text, text, text) IS
    'Empirical-Bayes shrinkage of numerator/denominator rates toward the parent area on the logit scale (IoD 2019 Appendix D): weight t2/(t2 + s2) on the area''s empirical logit; variance_method ''weighted'' (between-area variance weighted by the denominators, default) or ''unweighted''.';
