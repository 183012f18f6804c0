-- Roll-up of observations from a small level (buurt) to any larger level (wijk, stadsdeel,
-- gemeente, ...) along the parent_code chain, using the indicator kinds of the catalogue:
--   count        : summed over the parts that have a value;
--   share        : scale * sum(numerator) / sum(denominator), a ratio of sums;
--   mean, score  : weighted by the base indicator (indicators.denominator);
--   score without a base (medians, classes, codes): not rolled up.
-- Always from the leaf level straight to the target level (never averaging averages).
-- See docs/rollup.md for the partial/coverage semantics.

-- One row of a roll-up result.
CREATE TYPE buurtmonitor.rollup_row AS (
    area_code    text,              -- the area at to_level
    vintage      integer,           -- boundary edition of the area and its parts
    period       integer,
    indicator    text,
    kind         text,              -- the indicator kind that set the rule
    value        double precision,  -- rolled-up value; NULL when no part could be used
    numerator    double precision,  -- shares/means: sum of the parts' numerators (value * base / scale)
    denominator  double precision,  -- shares/means: sum of the parts' bases that had a value
    n_parts      integer,           -- number of from_level areas below the area
    n_missing    integer,           -- parts without a usable value (suppressed, absent, or base unknown)
    n_suppressed integer,           -- of those, parts with status 'suppressed'
    n_estimated  integer,           -- parts whose value is itself an estimate
    coverage     double precision,  -- share of the base that had a value (counts: share of parts);
                                    -- NULL when the base of some part is itself unknown
    partial      boolean            -- true when n_missing > 0
);
COMMENT ON TYPE buurtmonitor.rollup_row IS
    'Result row of buurtmonitor.rollup: the rolled-up value with its numerator, denominator, part counts, coverage and partial flag.';

-- Check the arguments of rollup() and return the rank of to_level.
CREATE FUNCTION buurtmonitor.rollup_check_args(to_level text, indicators text[], from_level text)
RETURNS integer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    to_rank   integer;
    from_rank integer;
    bad       text;
BEGIN
    SELECT l.rank INTO to_rank FROM buurtmonitor.levels l WHERE l.level = to_level;
    IF to_rank IS NULL THEN
        RAISE EXCEPTION 'unknown level "%"', to_level
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use a level of buurtmonitor.levels, for example ''wijk'' or ''gemeente''.';
    END IF;
    SELECT l.rank INTO from_rank FROM buurtmonitor.levels l WHERE l.level = from_level;
    IF from_rank IS NULL THEN
        RAISE EXCEPTION 'unknown level "%"', from_level
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use a level of buurtmonitor.levels, for example ''buurt''.';
    END IF;
    IF from_rank >= to_rank THEN
        RAISE EXCEPTION 'from_level "%" is not below to_level "%"', from_level, to_level
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Roll up from a smaller level to a larger one, for example from ''buurt'' to ''gemeente''.';
    END IF;
    -- every requested indicator must exist ...
    SELECT u INTO bad FROM unnest(indicators) u
     WHERE u IS NULL OR NOT EXISTS (SELECT 1 FROM buurtmonitor.indicators i WHERE i.code = u) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'unknown indicator "%"', coalesce(bad, 'NULL')
            USING ERRCODE = 'undefined_object',
                  HINT = 'Use a code of buurtmonitor.indicators; buurtmonitor.indicator_aliases maps other column names to codes.';
    END IF;
    -- ... and, when asked for by name, be one that can be rolled up
    SELECT i.code INTO bad FROM buurtmonitor.indicators i
     WHERE i.code = ANY (indicators) AND i.kind = 'score' AND i.denominator IS NULL
     ORDER BY i.code LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'indicator "%" cannot be rolled up', bad
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'It is a score without a base indicator to weight it by.',
                  HINT = 'Set its denominator in buurtmonitor.indicators to the base to weight by, or leave it out.';
    END IF;
    RETURN to_rank;
END
$$;
COMMENT ON FUNCTION buurtmonitor.rollup_check_args(text, text[], text) IS
    'Internal: checks the levels and indicators given to buurtmonitor.rollup and returns the rank of to_level.';

-- Roll observations of from_level areas up to their ancestors at to_level.
CREATE FUNCTION buurtmonitor.rollup(
    to_level   text,
    period     integer DEFAULT NULL,
    indicators text[]  DEFAULT NULL,
    vintage    integer DEFAULT NULL,
    from_level text    DEFAULT 'buurt')
RETURNS SETOF buurtmonitor.rollup_row
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    to_rank integer := buurtmonitor.rollup_check_args(to_level, indicators, from_level);
BEGIN
    RETURN QUERY
    WITH RECURSIVE
    -- climb from every leaf up the parent chain, one level rank higher at each step
    chain AS (
        SELECT a.code AS leaf, a.vintage AS vin, a.code AS anc, a.level AS anc_level, l.rank AS anc_rank
          FROM buurtmonitor.areas a JOIN buurtmonitor.levels l ON l.level = a.level
         WHERE a.level = rollup.from_level
           AND (rollup.vintage IS NULL OR a.vintage = rollup.vintage)
        UNION ALL
        SELECT c.leaf, c.vin, p.code, p.level, pl.rank
          FROM chain c
          JOIN buurtmonitor.areas cur ON cur.code = c.anc AND cur.vintage = c.vin
          JOIN buurtmonitor.areas p ON p.code = cur.parent_code AND p.vintage = c.vin
          JOIN buurtmonitor.levels pl ON pl.level = p.level
         WHERE c.anc_rank < to_rank AND pl.rank > c.anc_rank AND pl.rank <= to_rank
    ),
    -- leaf -> ancestor at to_level
    parts AS (
        SELECT c.anc, c.vin, c.leaf FROM chain c WHERE c.anc_level = rollup.to_level
    ),
    nparts AS (
        SELECT pa.anc, pa.vin, count(*)::integer AS n FROM parts pa GROUP BY pa.anc, pa.vin
    ),
    -- indicators to roll up: the requested ones, or all that have a rule
    ind AS (
        SELECT i.code, i.kind, i.denominator AS base, i.scale
          FROM buurtmonitor.indicators i
         WHERE (rollup.indicators IS NULL OR i.code = ANY (rollup.indicators))
           AND NOT (i.kind = 'score' AND i.denominator IS NULL)
    ),
    -- the (area, period, indicator) combinations for which some part has a row
    grid AS (
        SELECT DISTINCT pa.anc, pa.vin, o.period AS per, o.indicator AS ind
          FROM parts pa
          JOIN buurtmonitor.observations o ON o.area_code = pa.leaf AND o.vintage = pa.vin
          JOIN ind ON ind.code = o.indicator
         WHERE rollup.period IS NULL OR o.period = rollup.period
    ),
    -- every part of every grid cell, with its value and weight (the stored denominator,
    -- else the value of the base indicator for the same part and period)
    cells AS (
        SELECT g.anc, g.vin, g.per, g.ind, ind.kind, ind.scale,
               o.value, o.status,
               coalesce(o.denominator, b.value) AS w,
               CASE WHEN o.numerator IS NOT NULL AND o.denominator IS NOT NULL THEN o.numerator
                    ELSE o.value * coalesce(o.denominator, b.value) / ind.scale END AS num
          FROM grid g
          JOIN ind ON ind.code = g.ind
          JOIN parts pa ON pa.anc = g.anc AND pa.vin = g.vin
          LEFT JOIN buurtmonitor.observations o
                 ON o.area_code = pa.leaf AND o.vintage = g.vin AND o.period = g.per AND o.indicator = g.ind
          LEFT JOIN buurtmonitor.observations b
                 ON ind.base IS NOT NULL AND b.area_code = pa.leaf AND b.vintage = g.vin
                AND b.period = g.per AND b.indicator = ind.base
    ),
    -- usable = has a value and, for weighted kinds, a known weight
    marked AS (
        SELECT c.*, (c.value IS NOT NULL AND (c.kind = 'count' OR c.w IS NOT NULL)) AS usable FROM cells c
    ),
    agg AS (
        SELECT m.anc, m.vin, m.per, m.ind, min(m.kind) AS kind, min(m.scale) AS scale,
               sum(m.value) FILTER (WHERE m.usable AND m.kind = 'count') AS total,
               -- compensated ratio of sums from the C aggregate (100_aggregates.sql)
               buurtmonitor.ratio_of_sums(m.num, m.w) FILTER (WHERE m.usable AND m.kind <> 'count') AS ratio,
               sum(m.num) FILTER (WHERE m.usable AND m.kind <> 'count') AS num_sum,
               sum(m.w) FILTER (WHERE m.usable AND m.kind <> 'count') AS w_sum,
               sum(m.w) FILTER (WHERE m.kind <> 'count') AS w_known,
               count(*) FILTER (WHERE m.kind <> 'count' AND m.w IS NULL) AS n_w_unknown,
               count(*) FILTER (WHERE m.usable)::integer AS n_used,
               count(*) FILTER (WHERE m.status = 'suppressed')::integer AS n_supp,
               count(*) FILTER (WHERE m.usable AND m.status = 'estimated')::integer AS n_est
          FROM marked m
         GROUP BY m.anc, m.vin, m.per, m.ind
    )
    SELECT a.anc, a.vin, a.per, a.ind, a.kind,
           CASE WHEN a.kind = 'count' THEN a.total
                ELSE a.scale * a.ratio END,
           CASE WHEN a.kind <> 'count' THEN a.num_sum END,
           CASE WHEN a.kind <> 'count' THEN a.w_sum END,
           np.n, np.n - a.n_used, a.n_supp, a.n_est,
           CASE WHEN a.kind = 'count' THEN a.n_used::double precision / np.n
                WHEN a.n_w_unknown = 0 AND a.w_known > 0 THEN coalesce(a.w_sum, 0) / a.w_known END,
           a.n_used < np.n
      FROM agg a JOIN nparts np ON np.anc = a.anc AND np.vin = a.vin
     ORDER BY a.anc, a.vin, a.per, a.ind;
END
$$;
COMMENT ON FUNCTION buurtmonitor.rollup(text, integer, text[], integer, text) IS
    'Roll observations of from_level areas (default buurt) up to to_level along parent_code: counts summed, shares as ratio of sums, means/scores weighted by their base; reports n_parts, n_missing, coverage and partial.';

-- Store a roll-up in observations (source 'rollup'); returns the number of rows written.
CREATE FUNCTION buurtmonitor.rollup_to_observations(
    to_level   text,
    period     integer DEFAULT NULL,
    indicators text[]  DEFAULT NULL,
    vintage    integer DEFAULT NULL,
    from_level text    DEFAULT 'buurt')
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    written bigint;
BEGIN
    -- rows that exist and were not written by an earlier roll-up (observed, suppressed or
    -- estimated by someone else) are left alone; earlier roll-ups are refreshed
    WITH r AS (
        SELECT * FROM buurtmonitor.rollup(to_level, period, indicators, vintage, from_level)
         WHERE value IS NOT NULL
    ), up AS (
        INSERT INTO buurtmonitor.observations AS o
               (area_code, vintage, period, indicator, value, numerator, denominator, status, source)
        SELECT r.area_code, r.vintage, r.period, r.indicator, r.value, r.numerator, r.denominator,
               CASE WHEN r.partial OR r.n_estimated > 0 THEN 'estimated' ELSE 'observed' END, 'rollup'
          FROM r
        ON CONFLICT ON CONSTRAINT observations_pkey DO UPDATE
           SET value = EXCLUDED.value, numerator = EXCLUDED.numerator,
               denominator = EXCLUDED.denominator, status = EXCLUDED.status,
               owner = EXCLUDED.owner
         WHERE o.source = 'rollup'
        RETURNING 1
    )
    SELECT count(*) INTO written FROM up;
    RETURN written;
END
$$;
COMMENT ON FUNCTION buurtmonitor.rollup_to_observations(text, integer, text[], integer, text) IS
    'Store buurtmonitor.rollup results in observations with source ''rollup'' (status estimated when partial or built on estimates, else observed); existing rows from other sources are kept, earlier roll-ups refreshed. Returns the rows written.';
