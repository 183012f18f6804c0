-- Upgrade piece 0.1.0 -> 0.2.0 for the data model (issue 9, "Wrong numbers and lost rows"):
--   * numbers in tables must be finite: 0.1.0's CHECKs let NaN through (in PostgreSQL NaN = NaN
--     is true and NaN sorts above every number), and numerator had no check at all;
--   * stored roll-ups become derived rows (status 'derived', column derived_from) that triggers
--     keep fresh (extension/sql/300_rollup.sql creates the functions and triggers).
-- Tables of other topics (sample_sizes, signal_rules, index_specs) are handled here too, so the
-- refusal below sees every non-finite number of the database at once.

-- 1. A 0.1.0 database may hold NaN (and, in columns without a check, infinities).  The upgrade
--    does not guess what such a row meant: it stops, lists the rows, and says how to fix them.
DO $$
DECLARE
    bad text[];
BEGIN
    SELECT array_agg(x ORDER BY x) INTO bad FROM (
        SELECT format('observations (%s, %s, %s, %s): %s', o.area_code, o.vintage, o.period, o.indicator,
                      concat_ws(', ', CASE WHEN NOT (o.value > '-Infinity' AND o.value < 'Infinity') THEN 'value ' || o.value END,
                                      CASE WHEN NOT (o.numerator > '-Infinity' AND o.numerator < 'Infinity') THEN 'numerator ' || o.numerator END,
                                      CASE WHEN NOT (o.denominator < 'Infinity') THEN 'denominator ' || o.denominator END)) AS x
          FROM buurtmonitor.observations o
         WHERE NOT (o.value > '-Infinity' AND o.value < 'Infinity')
            OR NOT (o.numerator > '-Infinity' AND o.numerator < 'Infinity')
            OR NOT (o.denominator < 'Infinity')
        UNION ALL
        SELECT format('sample_sizes (%s, %s, %s, %s): n %s, se %s', s.area_code, s.vintage, s.period, s.indicator, s.n, s.se)
          FROM buurtmonitor.sample_sizes s
         WHERE NOT (s.n < 'Infinity') OR NOT (s.se < 'Infinity')
        UNION ALL
        SELECT format('indicators %s: scale %s, tolerance %s', i.code, i.scale, i.tolerance)
          FROM buurtmonitor.indicators i
         WHERE NOT (i.scale < 'Infinity') OR NOT (i.tolerance < 'Infinity')
        UNION ALL
        SELECT format('signal_rules %s: threshold %s', r.rule_id, r.threshold)
          FROM buurtmonitor.signal_rules r
         WHERE NOT (r.threshold > '-Infinity' AND r.threshold < 'Infinity')
        UNION ALL
        SELECT format('index_specs %s: a weight that is not a number, or a number beyond double precision', x.name)
          FROM buurtmonitor.index_specs x
         WHERE jsonb_path_exists(x.spec, 'lax $.domains[*].weight ? (@.type() != "number")')
            OR jsonb_path_exists(x.spec, 'lax $.** ? (@.type() == "number" && (@ > 1.7976931348623157e308 || @ < -1.7976931348623157e308))')
    ) rows;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'cannot upgrade buurtmonitor to 0.2.0: % rows hold NaN or infinite numbers: %', cardinality(bad),
              array_to_string(bad[1:20], '; ') || CASE WHEN cardinality(bad) > 20 THEN format(' and %s more', cardinality(bad) - 20) ELSE '' END
            USING ERRCODE = 'check_violation',
                  HINT = 'NaN is not a figure. Set a missing observation to value NULL with status ''suppressed'' (or delete it), '
                         'set numerator and denominator to NULL (SELECT buurtmonitor.refresh_denominators() refills them), '
                         'delete or correct the other rows, then run ALTER EXTENSION buurtmonitor UPDATE again.';
    END IF;
END
$$;

-- 2. Finite numbers: the same constraint names as a fresh install.
ALTER TABLE buurtmonitor.indicators
    DROP CONSTRAINT indicators_scale_check,
    DROP CONSTRAINT indicators_tolerance_check,
    ADD CONSTRAINT indicators_scale_check CHECK (scale > 0 AND scale < 'Infinity'),
    ADD CONSTRAINT indicators_tolerance_check CHECK (tolerance >= 0 AND tolerance < 'Infinity');
ALTER TABLE buurtmonitor.sample_sizes
    DROP CONSTRAINT sample_sizes_n_check,
    DROP CONSTRAINT sample_sizes_se_check,
    ADD CONSTRAINT sample_sizes_n_check CHECK (n > 0 AND n < 'Infinity'),
    ADD CONSTRAINT sample_sizes_se_check CHECK (se > 0 AND se < 'Infinity');
ALTER TABLE buurtmonitor.signal_rules
    DROP CONSTRAINT signal_rules_threshold_check,
    ADD CONSTRAINT signal_rules_threshold_check CHECK (threshold > '-Infinity' AND threshold < 'Infinity');
ALTER TABLE buurtmonitor.index_specs
    ADD CONSTRAINT index_specs_numbers_finite CHECK (
        NOT jsonb_path_exists(spec, 'lax $.domains[*].weight ? (@.type() != "number")')
        AND NOT jsonb_path_exists(spec, 'lax $.** ? (@.type() == "number" && (@ > 1.7976931348623157e308 || @ < -1.7976931348623157e308))'));

-- 3. Observations: finite numbers, the status 'derived' and the column derived_from.  0.1.0
--    stored roll-ups with source 'rollup' and status observed (complete) or estimated (partial)
--    and did not record the level they came from; they become derived rows from 'buurt' (the
--    default from_level, which nearly every call used).  Their values may be stale: after the
--    upgrade, SELECT buurtmonitor.refresh_rollups() recomputes them (docs/rollup.md).
ALTER TABLE buurtmonitor.observations
    DROP CONSTRAINT observations_value_check,
    DROP CONSTRAINT observations_denominator_check,
    DROP CONSTRAINT observations_status_check,
    ADD CONSTRAINT observations_value_check CHECK (value > '-Infinity' AND value < 'Infinity'),
    ADD CONSTRAINT observations_numerator_check CHECK (numerator > '-Infinity' AND numerator < 'Infinity'),
    ADD CONSTRAINT observations_denominator_check CHECK (denominator >= 0 AND denominator < 'Infinity'),
    ADD CONSTRAINT observations_status_check CHECK (status IN ('observed', 'suppressed', 'estimated', 'derived')),
    ADD COLUMN derived_from text REFERENCES buurtmonitor.levels (level) ON UPDATE CASCADE;
UPDATE buurtmonitor.observations
   SET derived_from = 'buurt', status = CASE WHEN status = 'observed' THEN 'derived' ELSE status END
 WHERE source = 'rollup' AND status IN ('observed', 'estimated')
   AND EXISTS (SELECT 1 FROM buurtmonitor.areas a JOIN buurtmonitor.levels l ON l.level = a.level
                WHERE a.code = area_code AND a.vintage = observations.vintage
                  AND l.rank > (SELECT b.rank FROM buurtmonitor.levels b WHERE b.level = 'buurt'));
ALTER TABLE buurtmonitor.observations
    ADD CONSTRAINT observations_derived_check
        CHECK ((status = 'derived' AND derived_from IS NOT NULL)
               OR (status IN ('observed', 'suppressed') AND derived_from IS NULL)
               OR status = 'estimated');
CREATE INDEX observations_derived_idx ON buurtmonitor.observations (vintage, period, indicator)
    WHERE derived_from IS NOT NULL;
COMMENT ON COLUMN buurtmonitor.observations.status IS 'observed, suppressed (value NULL, kept private or not published), estimated (interpolated, imputed, or a partial roll-up) or derived (a complete roll-up of other rows, kept up to date).';
COMMENT ON COLUMN buurtmonitor.observations.derived_from IS 'For stored roll-ups (rollup_to_observations): the level they were rolled up from; they are refreshed when their parts change. NULL for supplied data.';
