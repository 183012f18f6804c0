-- Crosswalks between boundary editions and interpolation of values through them.
--   buurtmonitor.crosswalks              stored crosswalk per (from_vintage, to_vintage, level)
--   buurtmonitor.build_crosswalk()        fills it from buurtmonitor.areas with buurtmonitor.crosswalk()
--   buurtmonitor.interpolate_extensive()  counts split by share, on any tables
--   buurtmonitor.interpolate_intensive()  rates and means, weighted by overlap area or by a moved denominator
--   buurtmonitor.reexpress_observations() observations of an old edition re-expressed on a new edition
-- The geometry work is done by buurtmonitor.crosswalk() (extension/crosswalk.c); everything here is
-- arithmetic on its (source_code, target_code, overlap_area, share) rows. See docs/interpolation.md.


-- One row per overlapping (source, target) pair of two editions of one level, as crosswalk() returns it.
CREATE TABLE buurtmonitor.crosswalks (
    from_vintage integer NOT NULL,
    to_vintage   integer NOT NULL,
    level        text NOT NULL REFERENCES buurtmonitor.levels (level) ON UPDATE CASCADE,
    source_code  text NOT NULL,
    target_code  text NOT NULL,
    overlap_area double precision NOT NULL CHECK (overlap_area >= 0 AND overlap_area < 'Infinity'),
    -- share is a fraction of the source; allow the last bits of rounding above 1
    share        double precision NOT NULL CHECK (share >= 0 AND share <= 1.000000001),
    PRIMARY KEY (from_vintage, to_vintage, level, source_code, target_code),
    CHECK (from_vintage <> to_vintage),
    FOREIGN KEY (source_code, from_vintage) REFERENCES buurtmonitor.areas (code, vintage)
        ON UPDATE CASCADE ON DELETE CASCADE,
    FOREIGN KEY (target_code, to_vintage) REFERENCES buurtmonitor.areas (code, vintage)
        ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX crosswalks_target_idx ON buurtmonitor.crosswalks (from_vintage, to_vintage, level, target_code);
SELECT pg_catalog.pg_extension_config_dump('buurtmonitor.crosswalks', '');
COMMENT ON TABLE buurtmonitor.crosswalks IS
    'Stored crosswalks between boundary editions: per (from_vintage, to_vintage, level) one row per overlapping pair, filled by buurtmonitor.build_crosswalk().';
COMMENT ON COLUMN buurtmonitor.crosswalks.overlap_area IS 'Area of the intersection of source and target in m² (EPSG:28992).';
COMMENT ON COLUMN buurtmonitor.crosswalks.share IS
    'Part of the source that lies in the target (by area, or by points when built with a point layer); after the sliver rule the shares of a source sum to 1.';


-- Raise a clear error when a relation lacks one of the columns a function needs.
CREATE FUNCTION buurtmonitor._require_columns(rel regclass, columns text[], role text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    missing text;
BEGIN
    SELECT c INTO missing
      FROM unnest(columns) AS c
     WHERE c IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = rel AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped)
     LIMIT 1;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'column "%" of the % relation % does not exist', missing, role, rel
            USING ERRCODE = 'undefined_column',
                  HINT = format('Name the %s columns with the function''s column arguments, or pass a view that renames them.', role);
    END IF;
END
$$;
COMMENT ON FUNCTION buurtmonitor._require_columns(regclass, text[], text) IS
    'Internal helper: raises undefined_column with a hint when rel lacks one of the named columns (NULL names are skipped).';


-- Build (or rebuild) the stored crosswalk from one edition of a level to another.
CREATE FUNCTION buurtmonitor.build_crosswalk(from_vintage integer, to_vintage integer,
                                             level text DEFAULT 'buurt',
                                             min_width double precision DEFAULT NULL,
                                             points regclass DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    f  constant integer := build_crosswalk.from_vintage;
    t  constant integer := build_crosswalk.to_vintage;
    lv constant text := build_crosswalk.level;
    sf text;
    tf text;
    n  bigint;
BEGIN
    IF f IS NULL OR t IS NULL OR lv IS NULL THEN
        RAISE EXCEPTION 'from_vintage, to_vintage and level must not be null'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass two boundary editions, for example build_crosswalk(2018, 2022).';
    END IF;
    IF f = t THEN
        RAISE EXCEPTION 'from_vintage and to_vintage are both %', f
            USING ERRCODE = 'invalid_parameter_value', HINT = 'A crosswalk links two different boundary editions.';
    END IF;
    -- before any work (crosswalk() checks it too, but only once both editions are found)
    IF NOT (min_width >= 0 AND min_width < 'Infinity') THEN
        RAISE EXCEPTION 'min_width must be a finite number >= 0, got %', min_width
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the sliver width in metres; 0 keeps every overlap, NULL the default.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM buurtmonitor.levels l WHERE l.level = lv) THEN
        RAISE EXCEPTION 'level "%" does not exist', lv
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use a level from buurtmonitor.levels, such as buurt or wijk.';
    END IF;
    -- both editions must have areas with geometry, or the crosswalk would silently be empty
    IF NOT EXISTS (SELECT 1 FROM buurtmonitor.areas a WHERE a.vintage = f AND a.level = lv AND a.geom IS NOT NULL) THEN
        RAISE EXCEPTION 'no % areas with geometry in vintage %', lv, f
            USING ERRCODE = 'no_data_found', HINT = 'Load the boundaries of that edition into buurtmonitor.areas first.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM buurtmonitor.areas a WHERE a.vintage = t AND a.level = lv AND a.geom IS NOT NULL) THEN
        RAISE EXCEPTION 'no % areas with geometry in vintage %', lv, t
            USING ERRCODE = 'no_data_found', HINT = 'Load the boundaries of that edition into buurtmonitor.areas first.';
    END IF;
    sf := format('vintage = %s AND level = %L AND geom IS NOT NULL', f, lv);
    tf := format('vintage = %s AND level = %L AND geom IS NOT NULL', t, lv);

    -- one build per (from, to, level) at a time: a concurrent build of the same crosswalk waits and
    -- then replaces this one whole; builds of other crosswalks do not wait
    PERFORM buurtmonitor._lock('buurtmonitor.crosswalks', format('%s %s %s', f, t, lv));
    -- a rebuild replaces the previous run for the same key (atomically: readers see the old rows
    -- until this transaction commits)
    DELETE FROM buurtmonitor.crosswalks c
     WHERE c.from_vintage = f AND c.to_vintage = t AND c.level = lv;

    IF min_width IS NULL THEN
        -- leave min_width out so crosswalk() applies its own default sliver rule
        INSERT INTO buurtmonitor.crosswalks (from_vintage, to_vintage, level, source_code, target_code, overlap_area, share)
        SELECT f, t, lv, x.source_code, x.target_code, x.overlap_area, x.share
          FROM buurtmonitor.crosswalk('buurtmonitor.areas', 'buurtmonitor.areas',
                                      points => build_crosswalk.points,
                                      source_filter => sf, target_filter => tf) AS x;
    ELSE
        INSERT INTO buurtmonitor.crosswalks (from_vintage, to_vintage, level, source_code, target_code, overlap_area, share)
        SELECT f, t, lv, x.source_code, x.target_code, x.overlap_area, x.share
          FROM buurtmonitor.crosswalk('buurtmonitor.areas', 'buurtmonitor.areas',
                                      min_width => build_crosswalk.min_width,
                                      points => build_crosswalk.points,
                                      source_filter => sf, target_filter => tf) AS x;
    END IF;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION buurtmonitor.build_crosswalk(integer, integer, text, double precision, regclass) IS
    'Fills buurtmonitor.crosswalks for (from_vintage, to_vintage, level) from buurtmonitor.areas with buurtmonitor.crosswalk(), replacing an earlier run; returns the number of pairs.';


-- Validate the arguments shared by the two interpolation functions; returns nothing or raises.
CREATE FUNCTION buurtmonitor._check_interpolation_input(crosswalk regclass, source regclass,
                                                       value_column text, code_column text,
                                                       denominator_column text, min_coverage double precision)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $$
DECLARE
    bad text;
BEGIN
    IF crosswalk IS NULL OR source IS NULL OR value_column IS NULL OR code_column IS NULL THEN
        RAISE EXCEPTION 'crosswalk, source, value_column and code_column must not be null'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a crosswalk table and a source table.';
    END IF;
    IF min_coverage IS NULL OR NOT (min_coverage BETWEEN 0 AND 1) THEN
        RAISE EXCEPTION 'min_coverage must be between 0 and 1, not %', coalesce(min_coverage::text, 'null')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use 1 to estimate only targets whose sources are all known, or 0 to accept any known part.';
    END IF;
    PERFORM buurtmonitor._require_columns(crosswalk, ARRAY['source_code', 'target_code', 'overlap_area', 'share'], 'crosswalk');
    PERFORM buurtmonitor._require_columns(source, ARRAY[code_column, value_column, denominator_column], 'source');

    -- the crosswalk: finite, non-negative areas and shares, no duplicate pairs
    EXECUTE format($q$
        SELECT CASE WHEN source_code IS NULL OR target_code IS NULL THEN 'a null code'
                    WHEN overlap_area IS NULL OR share IS NULL THEN 'a null overlap_area or share'
                    WHEN NOT (overlap_area >= 0 AND overlap_area < 'Infinity') THEN 'overlap_area ' || overlap_area
                    WHEN NOT (share >= 0 AND share < 'Infinity') THEN 'share ' || share END
          FROM (SELECT source_code::text, target_code::text, overlap_area::float8, share::float8 FROM %s) c
         WHERE source_code IS NULL OR target_code IS NULL OR overlap_area IS NULL OR share IS NULL
            OR NOT (overlap_area >= 0 AND overlap_area < 'Infinity') OR NOT (share >= 0 AND share < 'Infinity')
         LIMIT 1$q$, crosswalk) INTO bad;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'crosswalk % has a row with %', crosswalk, bad
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A crosswalk row needs both codes, an overlap_area >= 0 and a share >= 0; build it with buurtmonitor.crosswalk().';
    END IF;
    EXECUTE format('SELECT source_code::text || '' -> '' || target_code::text FROM %s GROUP BY 1 HAVING count(*) > 1 LIMIT 1',
                   crosswalk) INTO bad;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'crosswalk % has pair % more than once', crosswalk, bad
            USING ERRCODE = 'unique_violation', HINT = 'Pass a crosswalk of one pair of editions (filter the stored crosswalks by from_vintage, to_vintage and level).';
    END IF;

    -- the source: one row per code, finite values, non-negative denominators
    EXECUTE format('SELECT %1$I::text FROM %2$s GROUP BY 1 HAVING count(*) > 1 LIMIT 1', code_column, source) INTO bad;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'source % has code % more than once', source, bad
            USING ERRCODE = 'unique_violation', HINT = 'Pass one value per source area (filter the source to one period and indicator).';
    END IF;
    EXECUTE format($q$SELECT %1$I::text || ': ' || %2$I::float8 FROM %3$s
                       WHERE %2$I::float8 IN ('NaN', 'Infinity', '-Infinity') LIMIT 1$q$,
                   code_column, value_column, source) INTO bad;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'source % has a value that is not finite (%)', source, bad
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use NULL for an unknown value, not NaN or infinity.';
    END IF;
    IF denominator_column IS NOT NULL THEN
        EXECUTE format($q$SELECT %1$I::text || ': ' || %2$I::float8 FROM %3$s
                           WHERE NOT (%2$I::float8 >= 0 AND %2$I::float8 < 'Infinity') LIMIT 1$q$,
                       code_column, denominator_column, source) INTO bad;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'source % has a denominator that is negative or not finite (%)', source, bad
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Denominators are counts or bases: use a value >= 0, or NULL when unknown.';
        END IF;
    END IF;
END
$$;
COMMENT ON FUNCTION buurtmonitor._check_interpolation_input(regclass, regclass, text, text, text, double precision) IS
    'Internal helper of interpolate_extensive/interpolate_intensive: checks columns, crosswalk rows, duplicate codes, non-finite values and negative denominators.';


-- Extensive interpolation (counts): target value = sum over its sources of share * source value.
CREATE FUNCTION buurtmonitor.interpolate_extensive(crosswalk regclass, source regclass,
                                                   value_column text DEFAULT 'value',
                                                   code_column text DEFAULT 'code',
                                                   min_coverage double precision DEFAULT 1)
RETURNS TABLE (target_code text, value double precision, coverage double precision, sources integer)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $$
BEGIN
    PERFORM buurtmonitor._check_interpolation_input(crosswalk, source, value_column, code_column, NULL, min_coverage);
    -- A source is known when it is in the source table with a non-null value. Unknown sources are
    -- not counted as 0: they lower the coverage, and below min_coverage the value is NULL.
    RETURN QUERY EXECUTE format($q$
        WITH cw AS (SELECT source_code::text AS sc, target_code::text AS tc,
                           overlap_area::float8 AS a, share::float8 AS sh FROM %1$s),
             src AS (SELECT %3$I::text AS code, %4$I::float8 AS v FROM %2$s),
             agg AS (SELECT cw.tc,
                            sum(cw.sh * src.v) AS est,
                            count(src.v) AS known, count(*) AS n,
                            sum(cw.a) FILTER (WHERE src.v IS NOT NULL) AS a_known, sum(cw.a) AS a_all
                       FROM cw LEFT JOIN src ON src.code = cw.sc
                      GROUP BY cw.tc),
             cov AS (SELECT tc, est, n,
                            CASE WHEN known = n THEN 1.0::float8
                                 WHEN known = 0 THEN 0.0::float8
                                 ELSE a_known / nullif(a_all, 0) END AS coverage
                       FROM agg)
        SELECT tc, CASE WHEN coverage >= $1 THEN est END, coverage, n::integer
          FROM cov ORDER BY tc$q$,
        crosswalk, source, code_column, value_column)
    USING min_coverage;
END
$$;
COMMENT ON FUNCTION buurtmonitor.interpolate_extensive(regclass, regclass, text, text, double precision) IS
    'Moves counts through a crosswalk (columns source_code, target_code, overlap_area, share): target value = sum(share * source value); coverage = part of the target''s overlap area whose source value is known; value is NULL when coverage < min_coverage.';


-- Intensive interpolation (rates, means): weighted mean of the source values, weighted by overlap
-- area, or, given a denominator column, by the denominator moved along (sum(share*num)/sum(share*den)).
CREATE FUNCTION buurtmonitor.interpolate_intensive(crosswalk regclass, source regclass,
                                                   value_column text DEFAULT 'value',
                                                   code_column text DEFAULT 'code',
                                                   denominator_column text DEFAULT NULL,
                                                   min_coverage double precision DEFAULT 1)
RETURNS TABLE (target_code text, value double precision, denominator double precision,
               coverage double precision, sources integer)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $$
DECLARE
    den text;
BEGIN
    PERFORM buurtmonitor._check_interpolation_input(crosswalk, source, value_column, code_column, denominator_column, min_coverage);
    -- without a denominator column the weight is the overlap area (as sf::st_interpolate_aw)
    den := CASE WHEN denominator_column IS NULL THEN 'NULL::float8' ELSE format('%I::float8', denominator_column) END;
    RETURN QUERY EXECUTE format($q$
        WITH cw AS (SELECT source_code::text AS sc, target_code::text AS tc,
                           overlap_area::float8 AS a, share::float8 AS sh FROM %1$s),
             src AS (SELECT %3$I::text AS code, %4$I::float8 AS v, %5$s AS d FROM %2$s),
             j AS (SELECT cw.tc, cw.a,
                          CASE WHEN $2 THEN cw.sh * src.d ELSE cw.a END AS w,
                          cw.sh * src.d AS moved_d,
                          src.v,
                          src.v IS NOT NULL AND (NOT $2 OR src.d IS NOT NULL) AS known
                     FROM cw LEFT JOIN src ON src.code = cw.sc),
             agg AS (SELECT tc,
                            sum(w * v) FILTER (WHERE known) / nullif(sum(w) FILTER (WHERE known), 0) AS est,
                            sum(moved_d) FILTER (WHERE known) AS moved_d,
                            count(*) FILTER (WHERE known) AS k, count(*) AS n,
                            sum(a) FILTER (WHERE known) AS a_known, sum(a) AS a_all
                       FROM j GROUP BY tc),
             cov AS (SELECT tc, est, moved_d, n,
                            CASE WHEN k = n THEN 1.0::float8
                                 WHEN k = 0 THEN 0.0::float8
                                 ELSE a_known / nullif(a_all, 0) END AS coverage
                       FROM agg)
        SELECT tc, CASE WHEN coverage >= $1 THEN est END,
               CASE WHEN $2 AND coverage >= $1 THEN moved_d END, coverage, n::integer
          FROM cov ORDER BY tc$q$,
        crosswalk, source, code_column, value_column, den)
    USING min_coverage, denominator_column IS NOT NULL;
END
$$;
COMMENT ON FUNCTION buurtmonitor.interpolate_intensive(regclass, regclass, text, text, text, double precision) IS
    'Moves rates and means through a crosswalk: weighted mean of source values by overlap_area, or with denominator_column by share * denominator (sum(share*num)/sum(share*den)); returns the moved denominator and the coverage.';


-- Re-express the observations of one edition on the areas of another through the stored crosswalk.
CREATE FUNCTION buurtmonitor.reexpress_observations(from_vintage integer, to_vintage integer,
                                                    level text DEFAULT 'buurt',
                                                    periods integer[] DEFAULT NULL,
                                                    estimate_new_areas boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    f   constant integer := reexpress_observations.from_vintage;
    t   constant integer := reexpress_observations.to_vintage;
    lv  constant text := reexpress_observations.level;
    ps  constant integer[] := reexpress_observations.periods;
    src constant text := format('crosswalk %s→%s', reexpress_observations.from_vintage, reexpress_observations.to_vintage);
    n   bigint;
    locked_v integer[];
    locked_p integer[];
BEGIN
    IF f IS NULL OR t IS NULL OR lv IS NULL THEN
        RAISE EXCEPTION 'from_vintage, to_vintage and level must not be null'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass two boundary editions, for example reexpress_observations(2018, 2022).';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM buurtmonitor.crosswalks c
                    WHERE c.from_vintage = f AND c.to_vintage = t AND c.level = lv) THEN
        RAISE EXCEPTION 'no stored crosswalk from vintage % to vintage % at level %', f, t, lv
            USING ERRCODE = 'no_data_found',
                  HINT = format('Run SELECT buurtmonitor.build_crosswalk(%s, %s, %L) first.', f, t, lv);
    END IF;
    -- lock the (to_vintage, period) pairs written against loads, sorted; write only those
    SELECT array_agg(l.locked_vintage), array_agg(l.locked_period) INTO locked_v, locked_p
      FROM buurtmonitor._lock_observation_periods(f, NULL, ps, t) l;

    WITH cw AS (
        SELECT c.source_code, c.target_code, c.overlap_area, c.share
          FROM buurtmonitor.crosswalks c
         WHERE c.from_vintage = f AND c.to_vintage = t AND c.level = lv),
    -- each source's main successor (the target holding the largest share of it); a target that
    -- is nobody's main successor is a new area (Steenbrugge, split off Tjoene), which has no past
    succ AS (
        SELECT DISTINCT ON (cw.source_code) cw.target_code
          FROM cw ORDER BY cw.source_code, cw.share DESC, cw.target_code),
    -- how many sources each target has: an estimate needs all of them known
    nsrc AS (
        SELECT cw.target_code, count(*) AS n FROM cw GROUP BY cw.target_code),
    -- the old edition's observations of the crosswalk's sources, with numerator and denominator
    -- completed from the indicator's base observation where the row itself lacks them
    obs AS (
        SELECT o.area_code, o.period, o.indicator, i.kind, i.scale, o.owner,
               i.denominator IS NOT NULL AS has_base,
               o.value,
               coalesce(o.denominator, b.value) AS den,
               coalesce(o.numerator, o.value * coalesce(o.denominator, b.value) / i.scale) AS num
          FROM buurtmonitor.observations o
          JOIN buurtmonitor.indicators i ON i.code = o.indicator
          LEFT JOIN buurtmonitor.observations b
                 ON b.area_code = o.area_code AND b.vintage = o.vintage AND b.period = o.period
                AND b.indicator = i.denominator
         WHERE o.vintage = f
           AND o.status <> 'suppressed' AND o.value IS NOT NULL
           AND (ps IS NULL OR o.period = ANY (ps))
           AND o.area_code IN (SELECT cw.source_code FROM cw)),
    -- per target, period and indicator: the three kinds of sums; a source counts as known for
    -- the ratio when it has a numerator and a denominator
    agg AS (
        SELECT cw.target_code, obs.period, obs.indicator,
               min(obs.kind) AS kind, min(obs.scale) AS scale, bool_or(obs.has_base) AS has_base,
               count(*) AS known,
               count(*) FILTER (WHERE obs.num IS NOT NULL AND obs.den IS NOT NULL) AS known_ratio,
               sum(cw.share * obs.value) AS ext,
               sum(cw.share * obs.num) AS num,
               sum(cw.share * obs.den) AS den,
               sum(cw.overlap_area * obs.value) / sum(cw.overlap_area) AS by_area,
               CASE WHEN min(obs.owner) = max(obs.owner) THEN min(obs.owner) ELSE current_user END AS owner
          FROM cw JOIN obs ON obs.area_code = cw.source_code
         GROUP BY cw.target_code, obs.period, obs.indicator),
    est AS (
        SELECT a.target_code, a.period, a.indicator, a.owner,
               CASE WHEN a.kind = 'count' THEN a.ext
                    WHEN a.kind IN ('share', 'mean') OR a.has_base THEN a.scale * a.num / nullif(a.den, 0)
                    ELSE a.by_area END AS value,
               CASE WHEN a.kind <> 'count' AND (a.kind IN ('share', 'mean') OR a.has_base) THEN a.num END AS num,
               CASE WHEN a.kind <> 'count' AND (a.kind IN ('share', 'mean') OR a.has_base) THEN a.den END AS den
          FROM agg a JOIN nsrc s ON s.target_code = a.target_code
         WHERE a.known = s.n
           AND (a.kind IN ('count') OR NOT (a.kind IN ('share', 'mean') OR a.has_base) OR a.known_ratio = s.n)
           AND (reexpress_observations.estimate_new_areas OR a.target_code IN (SELECT succ.target_code FROM succ)))
    INSERT INTO buurtmonitor.observations AS o
           (area_code, vintage, period, indicator, value, numerator, denominator, status, owner, source)
    SELECT e.target_code, t, e.period, e.indicator, e.value, e.num, e.den, 'estimated', e.owner, src
      FROM est e
     WHERE e.value IS NOT NULL AND (t, e.period) IN (SELECT * FROM unnest(locked_v, locked_p))
     ORDER BY e.target_code, e.period, e.indicator
    -- never overwrite what the new edition has itself; refresh only our own earlier estimates
    ON CONFLICT (area_code, vintage, period, indicator) DO UPDATE
       SET value = excluded.value, numerator = excluded.numerator, denominator = excluded.denominator,
           owner = excluded.owner
     WHERE o.status = 'estimated' AND o.source = excluded.source;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION buurtmonitor.reexpress_observations(integer, integer, text, integer[], boolean) IS
    'Re-expresses observations of from_vintage on the to_vintage areas through the stored crosswalk (counts by share; shares and means as sum(share*num)/sum(share*den); scores by base or area), inserted with status estimated and source ''crosswalk A→B''; never overwrites other rows. New areas (no source''s main successor) get no estimate unless estimate_new_areas.';
