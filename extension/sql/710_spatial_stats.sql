-- Spatial statistics (docs/spatial_stats.md): global and local Moran, Getis-Ord Gi and Gi*,
-- computed in C (extension/spatial_stats.c) on the values of one indicator and period and named
-- weights (700_spatial_weights.sql).

-- The input of every statistic: the values of the weights' areas in area_code order and the links
-- as 1-based indices. Missing values (no row, or suppressed): missing => 'error' refuses them,
-- 'drop' leaves those areas out, with their links, and re-standardises row-standardised weights
-- (as spdep does after na.omit). rate => 'eb' replaces each value by the Assuncao-Reis empirical
-- Bayes standardised rate of its numerator and denominator. Reads only (no temporary tables).
CREATE FUNCTION buurtmonitor._spatial_input(
    weights text, indicator text, period integer, missing text, rate text,
    OUT codes text[], OUT x double precision[], OUT li integer[], OUT lj integer[],
    OUT lw double precision[], OUT include_self boolean, OUT dropped text[])
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    w buurtmonitor.weights;
    total integer;
BEGIN
    SELECT * INTO w FROM buurtmonitor.weights ww WHERE ww.name = _spatial_input.weights;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown weights: %', weights USING ERRCODE = 'undefined_object',
            HINT = 'Build them with buurtmonitor.build_weights, or list the names in buurtmonitor.weights.';
    END IF;
    IF w.vintage IS NULL THEN
        RAISE EXCEPTION 'weights % have no vintage, so observations cannot be matched', weights
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Build the weights with build_weights(name, level, vintage), or load them with a vintage.';
    END IF;
    IF missing NOT IN ('error', 'drop') THEN
        RAISE EXCEPTION 'unknown missing option: %', missing USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use error (the default) or drop.';
    END IF;
    IF rate IS NOT NULL AND rate <> 'eb' THEN
        RAISE EXCEPTION 'unknown rate option: %', rate USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use rate => ''eb'' for the empirical Bayes standardised rate, or leave it NULL.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM buurtmonitor.indicators i WHERE i.code = indicator) THEN
        RAISE EXCEPTION 'unknown indicator: %', indicator USING ERRCODE = 'undefined_object',
            HINT = 'List the indicators in buurtmonitor.indicators.';
    END IF;

    -- each area of the weights with its value (or, for rate => 'eb', numerator and denominator)
    SELECT count(*)::integer,
           coalesce(array_agg(v.area_code ORDER BY v.area_code) FILTER (WHERE NOT v.ok), '{}'),
           array_agg(v.area_code ORDER BY v.area_code) FILTER (WHERE v.ok),
           array_agg(v.value ORDER BY v.area_code) FILTER (WHERE v.ok)
      INTO total, dropped, codes, x
      FROM (SELECT a.area_code,
                   CASE WHEN rate IS NULL THEN ob.value IS NOT NULL
                        ELSE ob.denominator > 0 AND ob.numerator >= 0 END AS ok,
                   CASE WHEN rate IS NULL THEN ob.value ELSE ob.numerator / NULLIF(ob.denominator, 0) END AS value
              FROM buurtmonitor.weight_areas a
              LEFT JOIN buurtmonitor.observations ob
                ON ob.area_code = a.area_code AND ob.vintage = w.vintage AND ob.period = _spatial_input.period
               AND ob.indicator = _spatial_input.indicator
             WHERE a.name = w.name) v;
    IF cardinality(dropped) > 0 AND missing = 'error' THEN
        PERFORM buurtmonitor._fail('null_value_not_allowed',
            format('%s of %s areas have no %s for %s: %%s', cardinality(dropped), total,
                   CASE WHEN rate IS NULL THEN 'value' ELSE 'numerator and positive denominator' END,
                   indicator || ' ' || period), dropped,
            'Pass missing => ''drop'' to leave those areas out (row-standardised weights are re-standardised).');
    END IF;
    IF rate = 'eb' THEN
        -- Assuncao and Reis (1999): b = sum O / sum P, s2 = sum P (r - b)^2 / sum P,
        -- a = s2 - b / (sum P / N) (0 if negative), z = (r - b) / sqrt(a + b / P)
        SELECT array_agg(CASE WHEN e.a + e.b / e.p > 0 THEN (e.o / e.p - e.b) / sqrt(e.a + e.b / e.p) ELSE 0 END ORDER BY e.area_code)
          INTO x
          FROM (SELECT d.area_code, d.o, d.p, d.b,
                       greatest(sum(d.p * (d.o / d.p - d.b) ^ 2) OVER () / d.sp - d.b / (d.sp / d.n), 0) AS a
                  FROM (SELECT ob.area_code, ob.numerator AS o, ob.denominator AS p,
                               sum(ob.numerator) OVER () / sum(ob.denominator) OVER () AS b,
                               sum(ob.denominator) OVER () AS sp, count(*) OVER () AS n
                          FROM unnest(codes) c(area_code)
                          JOIN buurtmonitor.observations ob
                            ON ob.area_code = c.area_code AND ob.vintage = w.vintage
                           AND ob.period = _spatial_input.period AND ob.indicator = _spatial_input.indicator) d) e;
    END IF;
    SELECT array_agg(k.i ORDER BY k.i, k.j), array_agg(k.j ORDER BY k.i, k.j), array_agg(k.w ORDER BY k.i, k.j)
      INTO li, lj, lw
      FROM (SELECT a.o::integer AS i, b.o::integer AS j,
                   CASE WHEN w.style = 'row' AND cardinality(dropped) > 0
                        THEN l.weight / sum(l.weight) OVER (PARTITION BY a.o) ELSE l.weight END AS w
              FROM buurtmonitor.weight_links l
              JOIN unnest(codes) WITH ORDINALITY a(area_code, o) ON a.area_code = l.area_code
              JOIN unnest(codes) WITH ORDINALITY b(area_code, o) ON b.area_code = l.neighbour_code
             WHERE l.name = w.name) k;
    codes := coalesce(codes, '{}'); x := coalesce(x, '{}');
    li := coalesce(li, '{}'); lj := coalesce(lj, '{}'); lw := coalesce(lw, '{}');
    include_self := w.include_self;
    IF cardinality(dropped) > 0 THEN
        RAISE NOTICE '% areas without a value left out: %', cardinality(dropped),
            array_to_string(dropped[1:10], ', ') || CASE WHEN cardinality(dropped) > 10 THEN ', ...' ELSE '' END;
    END IF;
END
$$;
COMMENT ON FUNCTION buurtmonitor._spatial_input(text, text, integer, text, text) IS
    'Internal: the values (in area_code order) and links of named weights for one indicator and period, with missing values refused or dropped.';

CREATE FUNCTION buurtmonitor._moran_global(x double precision[], li integer[], lj integer[], lw double precision[],
    permutations integer, seed bigint, alternative text,
    OUT n integer, OUT n_neighbours integer, OUT i double precision, OUT e double precision,
    OUT var_norm double precision, OUT var_rand double precision, OUT z_norm double precision,
    OUT z_rand double precision, OUT p_norm double precision, OUT p_rand double precision,
    OUT p_sim double precision)
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_moran_global';
COMMENT ON FUNCTION buurtmonitor._moran_global(double precision[], integer[], integer[], double precision[], integer, bigint, text) IS
    'Internal: global Moran''s I of values under weights given as links (spdep moran.test, adjust.n).';

CREATE FUNCTION buurtmonitor._moran_local(codes text[], x double precision[], li integer[], lj integer[],
    lw double precision[], permutations integer, seed bigint, alternative text, conditional boolean,
    alpha double precision)
RETURNS TABLE (area_code text, value double precision, ii double precision, e_ii double precision,
               var_ii double precision, z_ii double precision, p_norm double precision, p_sim double precision,
               p_fdr double precision, p_bonferroni double precision, e_sim double precision,
               var_sim double precision, quadrant text, cluster text, neighbours integer)
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_moran_local';
COMMENT ON FUNCTION buurtmonitor._moran_local(text[], double precision[], integer[], integer[], double precision[],
    integer, bigint, text, boolean, double precision) IS
    'Internal: local Moran (spdep localmoran) with seeded conditional permutations.';

CREATE FUNCTION buurtmonitor._getis_ord(codes text[], x double precision[], li integer[], lj integer[],
    lw double precision[], star boolean, alternative text)
RETURNS TABLE (area_code text, value double precision, g double precision, z double precision,
               p double precision, p_fdr double precision, p_bonferroni double precision,
               hotspot text, neighbours integer)
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_getis_ord';
COMMENT ON FUNCTION buurtmonitor._getis_ord(text[], double precision[], integer[], integer[], double precision[], boolean, text) IS
    'Internal: Getis-Ord Gi or Gi* z values (spdep localG).';

CREATE FUNCTION buurtmonitor.moran(
    weights text,
    indicator text,
    period integer,
    permutations integer DEFAULT 999,
    seed bigint DEFAULT 0,
    alternative text DEFAULT 'two_sided',
    missing text DEFAULT 'error',
    rate text DEFAULT NULL)
RETURNS TABLE (weights_name text, weights_method text, weights_style text, n integer, n_neighbours integer,
               i double precision, e double precision, var_norm double precision, var_rand double precision,
               z_norm double precision, z_rand double precision, p_norm double precision,
               p_rand double precision, p_sim double precision, dropped text[])
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    inp record;
BEGIN
    inp := buurtmonitor._spatial_input(moran.weights, moran.indicator, moran.period, missing, rate);
    RETURN QUERY
    SELECT w.name, w.method, w.style, m.*, inp.dropped
      FROM buurtmonitor._moran_global(inp.x, inp.li, inp.lj, inp.lw, moran.permutations, seed, alternative) m,
           buurtmonitor.weights w WHERE w.name = moran.weights;
END
$$;
COMMENT ON FUNCTION buurtmonitor.moran(text, text, integer, integer, bigint, text, text, text) IS
    'Global Moran''s I of an indicator and period under named weights: I, expectation, variance under normality and randomisation, z, p and a seeded permutation p (as spdep moran.test / moran.mc).';

CREATE FUNCTION buurtmonitor.local_moran(
    weights text,
    indicator text,
    period integer,
    permutations integer DEFAULT 999,
    seed bigint DEFAULT 0,
    alternative text DEFAULT 'two_sided',
    conditional boolean DEFAULT true,
    alpha double precision DEFAULT 0.05,
    missing text DEFAULT 'error',
    rate text DEFAULT NULL)
RETURNS TABLE (area_code text, value double precision, ii double precision, e_ii double precision,
               var_ii double precision, z_ii double precision, p_norm double precision, p_sim double precision,
               p_fdr double precision, p_bonferroni double precision, e_sim double precision,
               var_sim double precision, quadrant text, cluster text, neighbours integer)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    inp record;
BEGIN
    inp := buurtmonitor._spatial_input(local_moran.weights, local_moran.indicator, local_moran.period, missing, rate);
    IF inp.include_self THEN
        RAISE EXCEPTION 'weights % include each area itself', local_moran.weights USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Local Moran needs weights built without include_self; those are for Getis-Ord Gi*.';
    END IF;
    RETURN QUERY SELECT * FROM buurtmonitor._moran_local(inp.codes, inp.x, inp.li, inp.lj, inp.lw,
        local_moran.permutations, seed, alternative, conditional, alpha);
END
$$;
COMMENT ON FUNCTION buurtmonitor.local_moran(text, text, integer, integer, bigint, text, boolean, double precision, text, text) IS
    'Local Moran (LISA) per area: I_i, its expectation and variance (spdep localmoran), z, normal p, seeded conditional-permutation pseudo p (two_sided or folded) with BH and Bonferroni adjustment, quadrant and cluster class.';

CREATE FUNCTION buurtmonitor.getis_ord(
    weights text,
    indicator text,
    period integer,
    alternative text DEFAULT 'two_sided',
    missing text DEFAULT 'error',
    rate text DEFAULT NULL)
RETURNS TABLE (area_code text, value double precision, g double precision, z double precision,
               p double precision, p_fdr double precision, p_bonferroni double precision,
               hotspot text, neighbours integer, star boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    inp record;
BEGIN
    inp := buurtmonitor._spatial_input(getis_ord.weights, getis_ord.indicator, getis_ord.period, missing, rate);
    RETURN QUERY SELECT r.*, inp.include_self FROM buurtmonitor._getis_ord(inp.codes, inp.x, inp.li, inp.lj, inp.lw,
        inp.include_self, alternative) r;
END
$$;
COMMENT ON FUNCTION buurtmonitor.getis_ord(text, text, integer, text, text, text) IS
    'Getis-Ord hot spots per area: Gi (weights without self) or Gi* (weights built with include_self) z values as spdep localG, p, BH and Bonferroni adjusted p, and the hot/cold spot class at 90/95/99%.';

CREATE FUNCTION buurtmonitor.local_moran_map(
    weights text,
    indicator text,
    period integer,
    permutations integer DEFAULT 999,
    seed bigint DEFAULT 0,
    alpha double precision DEFAULT 0.05,
    missing text DEFAULT 'error')
RETURNS TABLE (area_id integer, area_code text, name text, value double precision, ii double precision,
               z_ii double precision, p_sim double precision, p_fdr double precision,
               quadrant text, cluster text, hotspot text, gi_z double precision,
               geom geometry(MultiPolygon, 28992))
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT a.area_id, l.area_code, a.name, l.value, l.ii, l.z_ii, l.p_sim, l.p_fdr, l.quadrant, l.cluster,
           g.hotspot, g.z, a.geom
      FROM buurtmonitor.local_moran(weights, indicator, period, permutations => permutations, seed => seed,
                                    alpha => alpha, missing => missing) l
      JOIN buurtmonitor.getis_ord(weights, indicator, period, missing => missing) g USING (area_code)
      JOIN buurtmonitor.weights w ON w.name = weights
      JOIN buurtmonitor.areas a ON a.code = l.area_code AND a.vintage = w.vintage
$$;
COMMENT ON FUNCTION buurtmonitor.local_moran_map(text, text, integer, integer, bigint, double precision, text) IS
    'A LISA and hot-spot map layer for QGIS: local Moran cluster class and Getis-Ord hot spot per area with its geometry and area_id.';
