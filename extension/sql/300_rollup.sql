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
CREATE FUNCTION buurtmonitor._rollup_check_args(to_level text, indicators text[], from_level text)
RETURNS integer
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
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
COMMENT ON FUNCTION buurtmonitor._rollup_check_args(text, text[], text) IS
    'Internal: checks the levels and indicators given to buurtmonitor.rollup and returns the rank of to_level.';

-- Roll observations of from_level areas up to their ancestors at to_level.
CREATE FUNCTION buurtmonitor.rollup(
    to_level   text,
    period     integer DEFAULT NULL,
    indicators text[]  DEFAULT NULL,
    vintage    integer DEFAULT NULL,
    from_level text    DEFAULT 'buurt')
RETURNS SETOF buurtmonitor.rollup_row
LANGUAGE plpgsql STABLE PARALLEL SAFE
-- A roll-up reads whole levels, so hash joins are always the right plan; the planner
-- underestimates the join of parts to observations (correlated code and vintage columns)
-- by orders of magnitude and would otherwise pick per-row index loops (several times slower).
SET enable_nestloop = off
AS $$
DECLARE
    to_rank   integer := buurtmonitor._rollup_check_args(to_level, indicators, from_level);
    from_rank integer;
    depth     integer;
    joins     text := '';
    pick      text := '';
BEGIN
    -- A chain climbs at most one step per level between from_level and to_level. It is built
    -- as that many joins of areas on its key (not a recursive CTE), so that the planner gets
    -- real row estimates; a recursive CTE's estimate is far too low and led to quadratic plans.
    SELECT l.rank INTO from_rank FROM buurtmonitor.levels l WHERE l.level = from_level;
    SELECT count(*) INTO depth FROM buurtmonitor.levels l WHERE l.rank > from_rank AND l.rank <= to_rank;
    FOR k IN 1..depth LOOP
        joins := joins || format(E'\n          LEFT JOIN buurtmonitor.areas a%s ON a%s.code = a%s.parent_code AND a%s.vintage = a%s.vintage',
                                 k, k, k - 1, k, k - 1);
        pick := pick || format(' WHEN a%s.level = $1 THEN a%s.code', k, k);
    END LOOP;

    -- $1 to_level, $2 period, $3 indicators, $4 vintage, $5 from_level
    RETURN QUERY EXECUTE format($query$
    WITH
    -- leaf -> its first ancestor at to_level, with the ancestor's number of parts
    parts AS (
        SELECT x.anc, x.vin, x.leaf, count(*) OVER (PARTITION BY x.anc, x.vin)::integer AS n
          FROM (SELECT a0.code AS leaf, a0.vintage AS vin, CASE %s END AS anc
                  FROM buurtmonitor.areas a0 %s
                 WHERE a0.level = $5 AND ($4 IS NULL OR a0.vintage = $4)) x
         WHERE x.anc IS NOT NULL
    ),
    -- the parts' observation rows (one pass over the leaves' rows, no part x cell grid), with
    -- the value of the base for the same part and period, and the weight: the stored
    -- denominator, else that base value
    prow AS (
        SELECT pa.anc, pa.vin, pa.n, o.period AS per, o.indicator AS ind, i.kind, i.scale,
               i.denominator AS base, o.value, o.status, b.value AS bval,
               coalesce(o.denominator, b.value) AS w,
               CASE WHEN o.numerator IS NOT NULL AND o.denominator IS NOT NULL THEN o.numerator
                    ELSE o.value * coalesce(o.denominator, b.value) / i.scale END AS num
          FROM parts pa
          JOIN buurtmonitor.observations o ON o.area_code = pa.leaf AND o.vintage = pa.vin
          -- the requested indicators, or all that have a rule (not a score without base)
          JOIN buurtmonitor.indicators i ON i.code = o.indicator
          LEFT JOIN buurtmonitor.observations b
                 ON b.area_code = o.area_code AND b.vintage = o.vintage
                AND b.period = o.period AND b.indicator = i.denominator
         WHERE ($2 IS NULL OR o.period = $2)
           AND ($3 IS NULL OR i.code = ANY ($3))
           AND NOT (i.kind = 'score' AND i.denominator IS NULL)
    ),
    -- usable = has a value and, for weighted kinds, a known weight
    marked AS (
        SELECT r.*, (r.value IS NOT NULL AND (r.kind = 'count' OR r.w IS NOT NULL)) AS usable FROM prow r
    ),
    agg AS (
        SELECT m.anc, m.vin, m.per, m.ind, min(m.n) AS n,
               min(m.kind) AS kind, min(m.scale) AS scale, min(m.base) AS base,
               sum(m.value) FILTER (WHERE m.usable AND m.kind = 'count') AS total,
               -- compensated ratio of sums from the C aggregate (100_aggregates.sql)
               buurtmonitor.ratio_of_sums(m.num, m.w) FILTER (WHERE m.usable AND m.kind <> 'count') AS ratio,
               sum(m.num) FILTER (WHERE m.usable AND m.kind <> 'count') AS num_sum,
               sum(m.w) FILTER (WHERE m.usable AND m.kind <> 'count') AS w_sum,
               sum(m.w) FILTER (WHERE m.kind <> 'count') AS w_rows,      -- known weights of parts with a row
               sum(m.bval) FILTER (WHERE m.kind <> 'count') AS b_rows,   -- their base values
               count(*)::integer AS n_rows,
               count(*) FILTER (WHERE m.kind <> 'count' AND m.w IS NULL)::integer AS n_w_null,
               count(*) FILTER (WHERE m.kind <> 'count' AND m.bval IS NULL)::integer AS n_b_null,
               count(*) FILTER (WHERE m.usable)::integer AS n_used,
               count(*) FILTER (WHERE m.status = 'suppressed')::integer AS n_supp,
               count(*) FILTER (WHERE m.usable AND m.status = 'estimated')::integer AS n_est
          FROM marked m
         GROUP BY m.anc, m.vin, m.per, m.ind
    ),
    -- per area and period, the total and the number of known values of every base indicator
    -- over all parts, so parts without a row of their own still count in the coverage
    btot AS (
        SELECT pa.anc, pa.vin, b.period AS per, b.indicator AS base,
               sum(b.value) AS b_sum, count(b.value)::integer AS b_known
          FROM parts pa
          JOIN buurtmonitor.observations b ON b.area_code = pa.leaf AND b.vintage = pa.vin
         WHERE b.indicator IN (SELECT i.denominator FROM buurtmonitor.indicators i
                                WHERE $3 IS NULL OR i.code = ANY ($3))
           AND ($2 IS NULL OR b.period = $2)
         GROUP BY pa.anc, pa.vin, b.period, b.indicator
    ),
    -- weights for the coverage: parts with a row use their weight, parts without one their base;
    -- n_unknown counts parts whose weight is unknown either way
    cov AS (
        SELECT a.*,
               coalesce(a.w_rows, 0) + coalesce(bt.b_sum, 0) - coalesce(a.b_rows, 0) AS w_all,
               a.n_w_null + (a.n - coalesce(bt.b_known, 0) - a.n_b_null) AS n_unknown
          FROM agg a
          LEFT JOIN btot bt ON bt.anc = a.anc AND bt.vin = a.vin AND bt.per = a.per AND bt.base = a.base
    )
    SELECT c.anc, c.vin, c.per, c.ind, c.kind,
           CASE WHEN c.kind = 'count' THEN c.total ELSE c.scale * c.ratio END,
           CASE WHEN c.kind <> 'count' THEN c.num_sum END,
           CASE WHEN c.kind <> 'count' THEN c.w_sum END,
           c.n, c.n - c.n_used, c.n_supp, c.n_est,
           CASE WHEN c.kind = 'count' THEN c.n_used::double precision / c.n
                WHEN c.n_unknown = 0 AND c.w_all > 0 THEN coalesce(c.w_sum, 0) / c.w_all END,
           c.n_used < c.n
      FROM cov c
     ORDER BY c.anc, c.vin, c.per, c.ind
    $query$, pick, joins)
    USING to_level, period, indicators, vintage, from_level;
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
