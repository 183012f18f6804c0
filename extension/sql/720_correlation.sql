-- Correlation matrices between indicators (docs/correlation.md): Pearson and Spearman, optionally
-- weighted, per group of areas (for example per municipality), in long form for Power BI heat maps.

CREATE FUNCTION buurtmonitor._correlation_p(r double precision, n integer)
RETURNS double precision
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_correlation_p';
COMMENT ON FUNCTION buurtmonitor._correlation_p(double precision, integer) IS
    'Internal: two-sided p of a correlation r of n pairs (t with n - 2 degrees of freedom, as R cor.test).';

CREATE FUNCTION buurtmonitor.correlations(
    indicators text[],
    level text,
    vintage integer,
    period integer,
    method text DEFAULT 'pearson',
    weight_indicator text DEFAULT NULL,
    group_level text DEFAULT NULL,
    change_from integer DEFAULT NULL)
RETURNS TABLE (group_code text, indicator_a text, indicator_b text, measure text, n integer,
               r double precision, p double precision)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET enable_nestloop = off       -- the CTEs' row estimates are 1: a nested loop over pairs is quadratic
AS $$
DECLARE
    unknown text[];
BEGIN
    IF correlations.method NOT IN ('pearson', 'spearman') THEN
        RAISE EXCEPTION 'unknown correlation method: %', correlations.method USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use pearson or spearman.';
    END IF;
    unknown := ARRAY(SELECT u FROM unnest(indicators || weight_indicator) u
                      WHERE u IS NOT NULL AND NOT EXISTS (SELECT 1 FROM buurtmonitor.indicators i WHERE i.code = u));
    IF cardinality(indicators) IS DISTINCT FROM (SELECT count(DISTINCT u) FROM unnest(indicators) u)::integer
       OR cardinality(indicators) < 2 OR cardinality(unknown) > 0 THEN
        RAISE EXCEPTION 'correlations need two or more distinct known indicators (unknown: %)', coalesce(array_to_string(unknown, ', '), '')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'List the indicators in buurtmonitor.indicators.';
    END IF;
    IF group_level IS NOT NULL AND NOT EXISTS (SELECT 1 FROM buurtmonitor.levels l WHERE l.level = group_level) THEN
        RAISE EXCEPTION 'unknown level: %', group_level USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use one of the levels in buurtmonitor.levels, for example gemeente.';
    END IF;
    RETURN QUERY
    WITH RECURSIVE up AS (      -- each area and its ancestors in the same vintage
        SELECT a.code AS area_code, a.code, a.level, a.parent_code, 0 AS depth
          FROM buurtmonitor.areas a WHERE a.level = correlations.level AND a.vintage = correlations.vintage
        UNION ALL
        SELECT up.area_code, p.code, p.level, p.parent_code, up.depth + 1
          FROM up JOIN buurtmonitor.areas p ON p.code = up.parent_code AND p.vintage = correlations.vintage
         WHERE up.depth < 20 AND correlations.group_level IS NOT NULL),
    grp AS (
        SELECT DISTINCT ON (u.area_code) u.area_code,
               CASE WHEN correlations.group_level IS NULL THEN 'all' ELSE u.code END AS group_code
          FROM up u
         WHERE correlations.group_level IS NULL OR u.level = correlations.group_level
         ORDER BY u.area_code, u.depth),
    val AS (                    -- the value, or its change since change_from; and the weight
        SELECT s.area_code, s.indicator, s.value - coalesce(s.base, 0) AS value
          FROM (SELECT o.area_code, o.indicator, o.value,
                       (SELECT b.value FROM buurtmonitor.observations b
                         WHERE correlations.change_from IS NOT NULL AND b.area_code = o.area_code
                           AND b.vintage = o.vintage AND b.period = correlations.change_from
                           AND b.indicator = o.indicator) AS base
                  FROM buurtmonitor.observations o
                 WHERE o.vintage = correlations.vintage AND o.period = correlations.period
                   AND o.indicator = ANY (indicators) AND o.value IS NOT NULL) s
         WHERE correlations.change_from IS NULL OR s.base IS NOT NULL),
    wt AS (
        SELECT o.area_code, o.value AS w FROM buurtmonitor.observations o
         WHERE correlations.weight_indicator IS NOT NULL AND o.indicator = correlations.weight_indicator
           AND o.vintage = correlations.vintage AND o.period = correlations.period AND o.value > 0),
    pairs AS (                  -- pairwise complete observations
        SELECT g.group_code, x.indicator AS ia, y.indicator AS ib, x.value AS x, y.value AS y,
               CASE WHEN correlations.weight_indicator IS NULL THEN 1 ELSE w.w END AS w
          FROM val x JOIN val y ON y.area_code = x.area_code AND y.indicator <> x.indicator
          JOIN grp g ON g.area_code = x.area_code
          LEFT JOIN wt w ON w.area_code = x.area_code
         WHERE correlations.weight_indicator IS NULL OR w.w IS NOT NULL),
    ranked AS (                 -- Spearman: average ranks within each pair's complete cases
        SELECT q.group_code, q.ia, q.ib, q.w,
               CASE WHEN correlations.method = 'pearson' THEN q.x
                    ELSE (rank() OVER (PARTITION BY q.group_code, q.ia, q.ib ORDER BY q.x))
                         + (count(*) OVER (PARTITION BY q.group_code, q.ia, q.ib, q.x) - 1) / 2.0 END AS x,
               CASE WHEN correlations.method = 'pearson' THEN q.y
                    ELSE (rank() OVER (PARTITION BY q.group_code, q.ia, q.ib ORDER BY q.y))
                         + (count(*) OVER (PARTITION BY q.group_code, q.ia, q.ib, q.y) - 1) / 2.0 END AS y
          FROM pairs q),
    centred AS (
        SELECT k.group_code, k.ia, k.ib, k.w,
               k.x - sum(k.w * k.x) OVER pw / sum(k.w) OVER pw AS dx,
               k.y - sum(k.w * k.y) OVER pw / sum(k.w) OVER pw AS dy
          FROM ranked k WINDOW pw AS (PARTITION BY k.group_code, k.ia, k.ib)),
    coef AS (
        SELECT c.group_code, c.ia, c.ib, count(*)::integer AS n,
               CASE WHEN sum(c.w * c.dx * c.dx) > 0 AND sum(c.w * c.dy * c.dy) > 0
                    THEN greatest(-1, least(1, sum(c.w * c.dx * c.dy) / sqrt(sum(c.w * c.dx * c.dx) * sum(c.w * c.dy * c.dy))))
               END AS r
          FROM centred c GROUP BY 1, 2, 3)
    SELECT c.group_code, c.ia, c.ib, correlations.method, c.n, c.r, buurtmonitor._correlation_p(c.r, c.n)
      FROM coef c
    UNION ALL                   -- the diagonal, so a heat map is complete
    SELECT DISTINCT g.group_code, v.indicator, v.indicator, correlations.method, NULL::integer, 1::double precision, NULL::double precision
      FROM val v JOIN grp g USING (area_code)
     ORDER BY 1, 2, 3;
END
$$;
COMMENT ON FUNCTION buurtmonitor.correlations(text[], text, integer, integer, text, text, text, integer) IS
    'Pearson or Spearman correlation of every pair of indicators over the areas of a level, vintage and period (pairwise complete), optionally weighted by an indicator, per group (group_level, e.g. gemeente), or of the changes since change_from; long form with n and two-sided p per pair.';
