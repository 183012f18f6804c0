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

-- Store (or refresh) a roll-up in observations as derived rows; with prune, also delete the
-- derived rows of the same (to_level, from_level, vintage, period, indicators) that the roll-up
-- no longer gives a value for.  Rows from other sources are never touched.  changed: the rows
-- written or deleted (unchanged rows are not rewritten, so refreshes do not cascade needlessly);
-- stored: the roll-up rows that are now stored (new, refreshed or already current).
CREATE FUNCTION buurtmonitor._write_rollup(to_level text, period integer, indicators text[],
                                           vintage integer, from_level text, prune boolean,
                                           OUT changed bigint, OUT stored bigint)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    tl constant text := _write_rollup.to_level;
    fl constant text := _write_rollup.from_level;
    pe constant integer := _write_rollup.period;
    vi constant integer := _write_rollup.vintage;
    rollable text[];
BEGIN
    -- lock the derived rows of the group first: a concurrent refresh of the same rows then
    -- waits, and the roll-up below (a new statement, so a new snapshot in READ COMMITTED)
    -- sees what it committed
    PERFORM 1 FROM buurtmonitor.observations o
      JOIN buurtmonitor.areas a ON a.code = o.area_code AND a.vintage = o.vintage
     WHERE o.derived_from = fl AND a.level = tl
       AND (vi IS NULL OR o.vintage = vi) AND (pe IS NULL OR o.period = pe)
       AND (indicators IS NULL OR o.indicator = ANY (indicators))
     ORDER BY o.area_code, o.vintage, o.period, o.indicator
       FOR UPDATE OF o;
    -- an indicator that can no longer be rolled up (a score without base) gets no value: pruned
    SELECT array_agg(i.code) INTO rollable FROM buurtmonitor.indicators i
     WHERE (indicators IS NULL OR i.code = ANY (indicators)) AND NOT (i.kind = 'score' AND i.denominator IS NULL);
    WITH r AS (
        SELECT * FROM buurtmonitor.rollup(tl, pe, coalesce(rollable, '{}'), vi, fl)
         WHERE value IS NOT NULL
    ), up AS (
        INSERT INTO buurtmonitor.observations AS o
               (area_code, vintage, period, indicator, value, numerator, denominator, status, source, derived_from)
        SELECT r.area_code, r.vintage, r.period, r.indicator, r.value, r.numerator, r.denominator,
               CASE WHEN r.partial OR r.n_estimated > 0 THEN 'estimated' ELSE 'derived' END, 'rollup', fl
          FROM r
        ON CONFLICT ON CONSTRAINT observations_pkey DO UPDATE
           SET value = EXCLUDED.value, numerator = EXCLUDED.numerator,
               denominator = EXCLUDED.denominator, status = EXCLUDED.status,
               -- an automatic refresh keeps the owner; storing it again takes it over
               owner = CASE WHEN prune THEN o.owner ELSE EXCLUDED.owner END,
               source = EXCLUDED.source, derived_from = EXCLUDED.derived_from
         WHERE o.derived_from IS NOT NULL
           AND (o.value, o.numerator, o.denominator, o.status, o.source, o.derived_from,
                CASE WHEN prune THEN o.owner ELSE EXCLUDED.owner END)
               IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.numerator, EXCLUDED.denominator, EXCLUDED.status,
                                 EXCLUDED.source, EXCLUDED.derived_from, o.owner)
        RETURNING 1
    ), gone AS (
        DELETE FROM buurtmonitor.observations o
         USING buurtmonitor.areas a
         WHERE prune AND a.code = o.area_code AND a.vintage = o.vintage
           AND o.derived_from = fl AND a.level = tl
           AND (vi IS NULL OR o.vintage = vi) AND (pe IS NULL OR o.period = pe)
           AND (indicators IS NULL OR o.indicator = ANY (indicators))
           AND NOT EXISTS (SELECT 1 FROM r WHERE r.area_code = o.area_code AND r.vintage = o.vintage
                                             AND r.period = o.period AND r.indicator = o.indicator)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM up) + (SELECT count(*) FROM gone),
           -- roll-up rows now stored: all but those where a row of another source stands
           (SELECT count(*) FROM r WHERE NOT EXISTS (
                SELECT 1 FROM buurtmonitor.observations o
                 WHERE o.area_code = r.area_code AND o.vintage = r.vintage AND o.period = r.period
                   AND o.indicator = r.indicator AND o.derived_from IS NULL))
      INTO changed, stored;
END
$$;
COMMENT ON FUNCTION buurtmonitor._write_rollup(text, integer, text[], integer, text, boolean) IS
    'Internal: writes a roll-up into observations as derived rows (status derived, or estimated when partial), refreshing earlier derived rows; with prune deletes derived rows the roll-up no longer gives. Returns the rows changed and the roll-up rows stored.';

-- Store a roll-up in observations (derived rows); returns the number of rows written.
CREATE FUNCTION buurtmonitor.rollup_to_observations(
    to_level   text,
    period     integer DEFAULT NULL,
    indicators text[]  DEFAULT NULL,
    vintage    integer DEFAULT NULL,
    from_level text    DEFAULT 'buurt')
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- checks the arguments (and raises) before anything is written
    PERFORM buurtmonitor._rollup_check_args(to_level, indicators, from_level);
    -- the (vintage, period) pairs written are locked against loads first (sorted, as every writer
    -- of observations does), so the roll-up reads their committed state
    PERFORM buurtmonitor._lock_observation_periods(rollup_to_observations.vintage, rollup_to_observations.period,
                                                   NULL, NULL);
    -- rows that exist and are not derived (observed, suppressed, or estimated by someone else)
    -- are left alone; earlier roll-ups are refreshed
    RETURN (buurtmonitor._write_rollup(to_level, period, indicators, vintage, from_level, false)).stored;
END
$$;
COMMENT ON FUNCTION buurtmonitor.rollup_to_observations(text, integer, text[], integer, text) IS
    'Store buurtmonitor.rollup results in observations as derived rows (status derived, or estimated when partial or built on estimates; derived_from = from_level, source ''rollup''); existing rows from other sources are kept, earlier roll-ups refreshed. Stored roll-ups are refreshed automatically when their parts change. Returns the rows written.';

-- Recompute every stored roll-up (derived row) matching the filters; returns the rows changed.
CREATE FUNCTION buurtmonitor.refresh_rollups(vintage integer DEFAULT NULL, period integer DEFAULT NULL,
                                             indicators text[] DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    g record;
    n bigint := 0;
BEGIN
    -- from the smallest level up, so a roll-up of roll-ups sees fresh parts
    FOR g IN
        SELECT a.level AS to_level, o.derived_from, o.vintage, o.period, array_agg(DISTINCT o.indicator) AS inds
          FROM buurtmonitor.observations o
          JOIN buurtmonitor.areas a ON a.code = o.area_code AND a.vintage = o.vintage
          JOIN buurtmonitor.levels l ON l.level = a.level
         WHERE o.derived_from IS NOT NULL
           AND (refresh_rollups.vintage IS NULL OR o.vintage = refresh_rollups.vintage)
           AND (refresh_rollups.period IS NULL OR o.period = refresh_rollups.period)
           AND (refresh_rollups.indicators IS NULL OR o.indicator = ANY (refresh_rollups.indicators))
         GROUP BY a.level, l.rank, o.derived_from, o.vintage, o.period
         ORDER BY l.rank, o.derived_from, o.vintage, o.period
    LOOP
        n := n + (buurtmonitor._write_rollup(g.to_level, g.period, g.inds, g.vintage, g.derived_from, true)).changed;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION buurtmonitor.refresh_rollups(integer, integer, text[]) IS
    'Recompute the stored roll-ups (derived rows) of the given vintage, period and indicators (NULL: all) from their parts, deleting those that no longer have a value; returns the rows changed. Runs automatically when observations, areas or indicator rules change.';

-- Keep stored roll-ups fresh: after any statement that changes observations, the derived rows
-- that depend on the changed rows (same vintage and period, the indicator or its base, rolled
-- up from the changed rows' level) are recomputed.  The recomputation changes derived rows,
-- which fires this again for roll-ups of roll-ups; levels only go up, so it ends.
CREATE FUNCTION buurtmonitor._refresh_rollups_after_observations()
RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    changed jsonb;
    g record;
BEGIN
    -- cheap exit: no stored roll-ups at all (partial index observations_derived_idx)
    IF NOT EXISTS (SELECT 1 FROM buurtmonitor.observations o WHERE o.derived_from IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    -- (vintage, period, indicator, level) of the changed rows; level NULL when the area is gone
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(DISTINCT jsonb_build_array(c.vintage, c.period, c.indicator, a.level)) INTO changed
          FROM bm_new c LEFT JOIN buurtmonitor.areas a ON a.code = c.area_code AND a.vintage = c.vintage;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(DISTINCT jsonb_build_array(c.vintage, c.period, c.indicator, a.level)) INTO changed
          FROM bm_old c LEFT JOIN buurtmonitor.areas a ON a.code = c.area_code AND a.vintage = c.vintage;
    ELSE
        SELECT jsonb_agg(DISTINCT jsonb_build_array(c.vintage, c.period, c.indicator, a.level)) INTO changed
          FROM (SELECT * FROM bm_new UNION ALL SELECT * FROM bm_old) c
          LEFT JOIN buurtmonitor.areas a ON a.code = c.area_code AND a.vintage = c.vintage;
    END IF;
    IF changed IS NULL THEN
        RETURN NULL;
    END IF;
    FOR g IN
        WITH c AS (
            SELECT (e->>0)::integer AS vintage, (e->>1)::integer AS period, e->>2 AS indicator, e->>3 AS level
              FROM jsonb_array_elements(changed) e)
        SELECT a.level AS to_level, d.derived_from, d.vintage, d.period, array_agg(DISTINCT d.indicator) AS inds
          FROM buurtmonitor.observations d
          JOIN buurtmonitor.areas a ON a.code = d.area_code AND a.vintage = d.vintage
          JOIN buurtmonitor.levels l ON l.level = a.level
          JOIN buurtmonitor.indicators i ON i.code = d.indicator
         WHERE d.derived_from IS NOT NULL
           AND EXISTS (SELECT 1 FROM c
                        WHERE c.vintage = d.vintage AND c.period = d.period
                          AND (c.indicator = d.indicator OR c.indicator = i.denominator)
                          AND (c.level IS NULL OR c.level = d.derived_from))
         GROUP BY a.level, l.rank, d.derived_from, d.vintage, d.period
         ORDER BY l.rank, d.derived_from, d.vintage, d.period
    LOOP
        PERFORM buurtmonitor._write_rollup(g.to_level, g.period, g.inds, g.vintage, g.derived_from, true);
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION buurtmonitor._refresh_rollups_after_observations() IS
    'Internal trigger function: after observations change, recomputes the stored roll-ups that depend on the changed rows.';
CREATE TRIGGER observations_refresh_rollups_ins AFTER INSERT ON buurtmonitor.observations
    REFERENCING NEW TABLE AS bm_new FOR EACH STATEMENT EXECUTE FUNCTION buurtmonitor._refresh_rollups_after_observations();
CREATE TRIGGER observations_refresh_rollups_upd AFTER UPDATE ON buurtmonitor.observations
    REFERENCING OLD TABLE AS bm_old NEW TABLE AS bm_new FOR EACH STATEMENT EXECUTE FUNCTION buurtmonitor._refresh_rollups_after_observations();
CREATE TRIGGER observations_refresh_rollups_del AFTER DELETE ON buurtmonitor.observations
    REFERENCING OLD TABLE AS bm_old FOR EACH STATEMENT EXECUTE FUNCTION buurtmonitor._refresh_rollups_after_observations();

-- Areas (a new part, a moved parent) and indicator rules (kind, scale, base) change roll-ups too:
-- recompute the stored roll-ups of the vintages or indicators concerned.
CREATE FUNCTION buurtmonitor._refresh_rollups_after_areas()
RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v integer;
    vs integer[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM buurtmonitor.observations o WHERE o.derived_from IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    -- each transition table is named only in the branch of the trigger that has it
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT n.vintage) INTO vs FROM bm_new n;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT o.vintage) INTO vs FROM bm_old o;
    ELSE
        -- only changes of what a roll-up reads (not of names or geometry)
        SELECT array_agg(DISTINCT x.vintage) INTO vs
          FROM bm_new n JOIN bm_old o ON o.area_id = n.area_id,
               LATERAL (VALUES (n.vintage), (o.vintage)) x(vintage)
         WHERE (n.code, n.vintage, n.level, n.parent_code) IS DISTINCT FROM (o.code, o.vintage, o.level, o.parent_code);
    END IF;
    FOREACH v IN ARRAY coalesce(vs, '{}') LOOP
        PERFORM buurtmonitor.refresh_rollups(v);
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION buurtmonitor._refresh_rollups_after_areas() IS
    'Internal trigger function: after areas are added, moved or removed, recomputes the stored roll-ups of their vintages.';
CREATE TRIGGER areas_refresh_rollups_ins AFTER INSERT ON buurtmonitor.areas
    REFERENCING NEW TABLE AS bm_new FOR EACH STATEMENT EXECUTE FUNCTION buurtmonitor._refresh_rollups_after_areas();
CREATE TRIGGER areas_refresh_rollups_upd AFTER UPDATE ON buurtmonitor.areas
    REFERENCING OLD TABLE AS bm_old NEW TABLE AS bm_new FOR EACH STATEMENT EXECUTE FUNCTION buurtmonitor._refresh_rollups_after_areas();
CREATE TRIGGER areas_refresh_rollups_del AFTER DELETE ON buurtmonitor.areas
    REFERENCING OLD TABLE AS bm_old FOR EACH STATEMENT EXECUTE FUNCTION buurtmonitor._refresh_rollups_after_areas();

CREATE FUNCTION buurtmonitor._refresh_rollups_after_indicators()
RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    codes text[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM buurtmonitor.observations o WHERE o.derived_from IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    -- the indicators whose rule changed (not labels or polarity), and those weighted by them
    WITH ch AS (
        SELECT n.code FROM bm_new n
         WHERE NOT EXISTS (SELECT 1 FROM bm_old o
                            WHERE (o.code, o.kind, o.numerator, o.denominator, o.scale)
                                  IS NOT DISTINCT FROM (n.code, n.kind, n.numerator, n.denominator, n.scale)))
    SELECT array_agg(DISTINCT i.code) INTO codes
      FROM buurtmonitor.indicators i
     WHERE i.code IN (SELECT ch.code FROM ch) OR i.denominator IN (SELECT ch.code FROM ch);
    IF codes IS NOT NULL THEN
        PERFORM buurtmonitor.refresh_rollups(indicators => codes);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION buurtmonitor._refresh_rollups_after_indicators() IS
    'Internal trigger function: after an indicator''s rule (kind, scale, base) changes, recomputes its stored roll-ups and those weighted by it.';
CREATE TRIGGER indicators_refresh_rollups AFTER UPDATE ON buurtmonitor.indicators
    REFERENCING OLD TABLE AS bm_old NEW TABLE AS bm_new FOR EACH STATEMENT EXECUTE FUNCTION buurtmonitor._refresh_rollups_after_indicators();
