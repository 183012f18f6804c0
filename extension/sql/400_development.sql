-- Development over time (issue 4): sample sizes, the observation and area helpers in SQL,
-- and the set-returning buurtmonitor.development() and reference_values() in C (extension/development.c).

-- Optional sample sizes and standard errors of survey observations, for significance tests.
CREATE TABLE buurtmonitor.sample_sizes (
    area_code   text NOT NULL,
    vintage     integer NOT NULL,
    period      integer NOT NULL,
    indicator   text NOT NULL,
    n           double precision CHECK (n > 0 AND n < 'Infinity'),
    se          double precision CHECK (se > 0 AND se < 'Infinity'),
    PRIMARY KEY (area_code, vintage, period, indicator),
    FOREIGN KEY (area_code, vintage, period, indicator)
        REFERENCES buurtmonitor.observations (area_code, vintage, period, indicator)
        ON UPDATE CASCADE ON DELETE CASCADE,
    CHECK (n IS NOT NULL OR se IS NOT NULL)
);
SELECT pg_catalog.pg_extension_config_dump('buurtmonitor.sample_sizes', '');
COMMENT ON TABLE buurtmonitor.sample_sizes IS
    'Sample size (n) and/or standard error (se) of a survey observation; development() tests changes and differences for significance where these are given.';
COMMENT ON COLUMN buurtmonitor.sample_sizes.n IS 'Number of respondents behind the value (for a share: the base of the percentage).';
COMMENT ON COLUMN buurtmonitor.sample_sizes.se IS 'Standard error of a mean or score, in the units of the value.';

-- The observations of one boundary edition; with by_code, also older editions'
-- observations of area codes that still exist in that edition (newest first).
CREATE FUNCTION buurtmonitor.vintage_observations(vintage integer, by_code boolean DEFAULT false)
RETURNS SETOF buurtmonitor.observations
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT o.* FROM buurtmonitor.observations o WHERE o.vintage = $1
    UNION ALL
    (SELECT DISTINCT ON (o.area_code, o.period, o.indicator) o.*
       FROM buurtmonitor.observations o
      WHERE $2 AND o.vintage < $1
        AND EXISTS (SELECT 1 FROM buurtmonitor.areas a WHERE a.code = o.area_code AND a.vintage = $1)
        AND NOT EXISTS (SELECT 1 FROM buurtmonitor.observations n
                         WHERE n.area_code = o.area_code AND n.vintage = $1
                           AND n.period = o.period AND n.indicator = o.indicator)
      ORDER BY o.area_code, o.period, o.indicator, o.vintage DESC)
$$;
COMMENT ON FUNCTION buurtmonitor.vintage_observations(integer, boolean) IS
    'Observations of one boundary edition; with by_code => true also those of older editions for area codes that still exist in it (the newest older row wins).';

-- Each area of a level in an edition with its reference area: the ancestor at
-- reference_level, or the given reference_area (only the areas inside it, or all
-- areas of the level when it is not an ancestor of any, e.g. a national figure).
CREATE FUNCTION buurtmonitor.reference_areas(
    level text, vintage integer,
    reference_level text DEFAULT 'gemeente', reference_area text DEFAULT NULL)
RETURNS TABLE (area_code text, area_name text, reference_code text, reference_name text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH RECURSIVE up(area_code, anc_code, depth) AS (
        SELECT a.code, a.parent_code, 1
          FROM buurtmonitor.areas a
         WHERE a.level = $1 AND a.vintage = $2 AND a.parent_code IS NOT NULL
        UNION ALL
        SELECT up.area_code, p.parent_code, up.depth + 1
          FROM up JOIN buurtmonitor.areas p ON p.code = up.anc_code AND p.vintage = $2
         WHERE p.parent_code IS NOT NULL AND up.depth < 32
    ),
    refs AS (
        SELECT DISTINCT ON (up.area_code) up.area_code, p.code AS reference_code, p.name AS reference_name
          FROM up JOIN buurtmonitor.areas p ON p.code = up.anc_code AND p.vintage = $2
         WHERE ($4 IS NULL AND p.level = $3) OR p.code = $4
         ORDER BY up.area_code, up.depth
    )
    SELECT b.code, b.name,
           CASE WHEN $4 IS NULL THEN r.reference_code ELSE $4 END,
           CASE WHEN $4 IS NULL THEN r.reference_name
                ELSE (SELECT x.name FROM buurtmonitor.areas x WHERE x.code = $4 AND x.vintage = $2) END
      FROM buurtmonitor.areas b
      LEFT JOIN refs r ON r.area_code = b.code
     WHERE b.level = $1 AND b.vintage = $2
       AND ($4 IS NULL OR r.area_code IS NOT NULL OR NOT EXISTS (SELECT 1 FROM refs))
$$;
COMMENT ON FUNCTION buurtmonitor.reference_areas(text, integer, text, text) IS
    'Areas of a level in a boundary edition with their reference area: the ancestor at reference_level (NULL if none), or the given reference_area.';

-- Reference values per reference area, indicator and period (C: rollup_reference() in
-- extension/development.c is THE place where they are computed; development() uses the same code).
CREATE FUNCTION buurtmonitor.reference_values(
    level text, vintage integer,
    reference_level text DEFAULT 'gemeente', reference_area text DEFAULT NULL,
    indicators text[] DEFAULT NULL, periods integer[] DEFAULT NULL, by_code boolean DEFAULT false)
RETURNS TABLE (reference_code text, indicator text, period integer, value double precision,
               source text, areas integer, areas_with_value integer,
               areas_mean double precision, areas_sd double precision,
               n double precision, se double precision)
AS 'MODULE_PATHNAME', 'bm_reference_values'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED ROWS 1000
SET jit = off;
COMMENT ON FUNCTION buurtmonitor.reference_values(text, integer, text, text, text[], integer[], boolean) IS
    'Reference values per reference area, indicator and period: the reference area''s own observation, else the roll-up (sum, ratio of sums, weighted mean) of the compared areas inside it; with the mean and SD of those areas.';

-- OLS and Theil-Sen slopes of values over periods (the trend columns of development()).
CREATE FUNCTION buurtmonitor.trend(periods integer[], vals double precision[],
    OUT n integer, OUT ols_slope double precision, OUT theil_sen_slope double precision)
RETURNS record
AS 'MODULE_PATHNAME', 'bm_trend'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.trend(integer[], double precision[]) IS
    'Trend of values over strictly increasing periods (NULL values skipped): number used, OLS slope and Theil-Sen slope (median of pairwise slopes), per period unit.';

-- The boundary edition development() and signals() use when none is given: the newest edition with
-- values of every requested indicator at the level (any indicator when NULL), among the rows the
-- caller may read; else the newest with values of any of them; else the newest edition of the level.
CREATE FUNCTION buurtmonitor.default_vintage(level text, indicators text[] DEFAULT NULL)
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        (SELECT max(x.vintage) FROM (
            SELECT o.vintage FROM buurtmonitor.observations o
              JOIN buurtmonitor.areas a ON a.code = o.area_code AND a.vintage = o.vintage
             WHERE a.level = $1 AND o.value IS NOT NULL AND ($2 IS NULL OR o.indicator = ANY ($2))
             GROUP BY o.vintage
            HAVING $2 IS NULL OR count(DISTINCT o.indicator) = (SELECT count(DISTINCT u) FROM unnest($2) u)) x),
        (SELECT max(o.vintage) FROM buurtmonitor.observations o
           JOIN buurtmonitor.areas a ON a.code = o.area_code AND a.vintage = o.vintage
          WHERE a.level = $1 AND o.value IS NOT NULL AND o.indicator = ANY ($2)),
        (SELECT max(a.vintage) FROM buurtmonitor.areas a WHERE a.level = $1))
$$;
COMMENT ON FUNCTION buurtmonitor.default_vintage(text, text[]) IS
    'Default boundary edition of development() and signals(): the newest with values of every requested indicator at the level (any when NULL) that the caller may read, else of any of them, else the newest edition of the level.';

-- The whole development table in one call (C, extension/development.c).
CREATE FUNCTION buurtmonitor.development(
    level text DEFAULT 'buurt',
    indicators text[] DEFAULT NULL,
    vintage integer DEFAULT NULL,
    reference_level text DEFAULT 'gemeente',
    reference_area text DEFAULT NULL,
    base_period integer DEFAULT NULL,
    trend_periods integer DEFAULT 5,
    periods integer[] DEFAULT NULL,
    by_code boolean DEFAULT false,
    alpha double precision DEFAULT 0.05)
RETURNS TABLE (
    area_code text, area_name text, indicator text, period integer,
    value double precision, status text, estimated boolean, obs_vintage integer,
    reference_code text, reference_name text, reference_value double precision, reference_source text,
    index double precision, difference double precision, z_score double precision,
    previous_period integer, previous_value double precision,
    change double precision, change_pct double precision, change_pp double precision,
    base_period integer, base_value double precision,
    base_change double precision, base_change_pct double precision, base_change_pp double precision,
    cagr double precision,
    trend_n integer, ols_slope double precision, theil_sen_slope double precision,
    gap_trend text, label text, run integer,
    change_p_value double precision, change_significance text,
    reference_p_value double precision, reference_significance text)
AS 'MODULE_PATHNAME', 'bm_development'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED ROWS 10000
SET jit = off;   -- its internal scan is simple; JIT compilation would cost seconds
COMMENT ON FUNCTION buurtmonitor.development(text, text[], integer, text, text, integer, integer, integer[], boolean, double precision) IS
    'Development over time per area, indicator and period: value and status, reference value and index, z-score, change vs the previous and the base period, CAGR, OLS and Theil-Sen trend, gap trend, improved/worsened/stable label, significance.';
