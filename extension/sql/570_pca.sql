-- Indicator weights from the first principal component (issue 5), documented in
-- docs/social_score.md. The eigen-decomposition is in C (extension/composite.c).

-- C core: correlation-matrix PCA of an n x k value matrix (complete rows only).
CREATE FUNCTION buurtmonitor._pca_first(vals double precision[], names text[],
        OUT loadings double precision[], OUT eigenvalues double precision[], OUT n_used integer)
    RETURNS record
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'bm_pca_first';
COMMENT ON FUNCTION buurtmonitor._pca_first(double precision[], text[]) IS
    'Internal: first-component loadings and all eigenvalues of the correlation matrix of the columns of an n x k matrix.';

-- Loadings and weights of the first principal component of standardised indicators.
CREATE FUNCTION buurtmonitor.pca_weights(source regclass, columns text[])
    RETURNS TABLE (indicator text, loading double precision, weight double precision,
                   correlation double precision, explained_variance double precision, n_areas integer)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
DECLARE
    vexpr  text[];
    vals   double precision[];
    core   record;
BEGIN
    IF columns IS NULL OR cardinality(columns) < 2 THEN
        RAISE EXCEPTION 'pca_weights needs at least two indicator columns'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass two or more column names.';
    END IF;
    IF (SELECT count(DISTINCT x) FROM unnest(columns) x) <> cardinality(columns) THEN
        RAISE EXCEPTION 'a column is listed twice in pca_weights'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'List each indicator column once.';
    END IF;
    PERFORM buurtmonitor._check_columns(source, columns, columns, 'Check the column names.');
    SELECT array_agg(format('%I::double precision', x) ORDER BY o) INTO vexpr
      FROM unnest(columns) WITH ORDINALITY AS u(x, o);
    EXECUTE format('SELECT array_agg(ARRAY[%s]) FROM %s', array_to_string(vexpr, ', '), source) INTO vals;
    core := buurtmonitor._pca_first(coalesce(vals, '{}'), columns);
    RETURN QUERY
        SELECT u.x, u.l, u.l / (SELECT sum(abs(y)) FROM unnest(core.loadings) y),
               u.l * sqrt(core.eigenvalues[1]),
               core.eigenvalues[1] / (SELECT sum(e) FROM unnest(core.eigenvalues) e),
               core.n_used
          FROM unnest(columns, core.loadings) WITH ORDINALITY AS u(x, l, o)
         ORDER BY u.o;
END;
$$;
COMMENT ON FUNCTION buurtmonitor.pca_weights(regclass, text[]) IS
    'First principal component of the correlation matrix of the columns (complete rows): loading (unit vector, signs summing positive), weight = loading / sum |loading|, correlation with the component, explained variance share.';
