-- Composite (IMD-style) index pipeline (extension/index_pipeline.c); see docs/deprivation.md.

-- Stored index specifications, so a municipality can define its own index by name.
CREATE TABLE buurtmonitor.index_specs (
    name        text PRIMARY KEY CHECK (name <> ''),
    spec        jsonb NOT NULL CHECK (jsonb_typeof(spec) = 'object' AND spec ? 'domains'),
    description text,
    builtin     boolean NOT NULL DEFAULT false,
    -- a JSON number is never NaN or infinite, but it can lie beyond double precision (1e400),
    -- and a weight written as a string ("NaN", "Infinity") would only fail when the spec is used
    CONSTRAINT index_specs_numbers_finite CHECK (
        NOT jsonb_path_exists(spec, 'lax $.domains[*].weight ? (@.type() != "number")')
        AND NOT jsonb_path_exists(spec, 'lax $.** ? (@.type() == "number" && (@ > 1.7976931348623157e308 || @ < -1.7976931348623157e308))'))
);
SELECT pg_catalog.pg_extension_config_dump('buurtmonitor.index_specs', 'WHERE NOT builtin');
COMMENT ON TABLE buurtmonitor.index_specs IS
    'Named composite index specifications (jsonb: domains with column or indicators, weight, direction, transform; rank_scaling, ties, combine, min_share, parent), used by buurtmonitor.composite_index(source, spec_name).';

-- The two official indexes, as specifications over their published domain ranks
-- (the column names are those of the files in the shared data, lower-cased).
INSERT INTO buurtmonitor.index_specs (name, spec, description, builtin) VALUES
('england_imd2019', '{
   "domains": [
     {"name": "income",      "column": "income_rank",             "weight": 0.225, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "employment",  "column": "employment_rank",         "weight": 0.225, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "education",   "column": "education_rank",          "weight": 0.135, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "health",      "column": "health_rank",             "weight": 0.135, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "crime",       "column": "crime_rank",              "weight": 0.093, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "barriers",    "column": "housing_and_access_rank", "weight": 0.093, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "environment", "column": "environment_rank",        "weight": 0.093, "direction": "higher_is_better", "transform": "exponential"}],
   "rank_scaling": "n_plus_1", "ties": "average", "min_share": 1.0}',
 'English IMD 2019 from the published domain ranks (rank 1 = most deprived); IoD 2019 technical report table 3.1 weights.', true),
('wales_wimd2019', '{
   "domains": [
     {"name": "income",      "column": "income_rank",      "weight": 0.22, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "employment",  "column": "employment_rank",  "weight": 0.22, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "health",      "column": "health_rank",      "weight": 0.15, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "education",   "column": "education_rank",   "weight": 0.14, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "access",      "column": "access_rank",      "weight": 0.10, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "housing",     "column": "housing_rank",     "weight": 0.07, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "crime",       "column": "crime_rank",       "weight": 0.05, "direction": "higher_is_better", "transform": "exponential"},
     {"name": "environment", "column": "environment_rank", "weight": 0.05, "direction": "higher_is_better", "transform": "exponential"}],
   "rank_scaling": "n_plus_1", "ties": "min", "min_share": 1.0}',
 'Welsh IMD 2019 from the published domain ranks (rank 1 = most deprived); WIMD 2019 weights.', true)
ON CONFLICT (name) DO UPDATE SET spec = EXCLUDED.spec, description = EXCLUDED.description
 WHERE buurtmonitor.index_specs.builtin;  -- re-run by the upgrade: refresh built-in rows only

CREATE FUNCTION buurtmonitor.composite_index(source regclass, spec jsonb, key text DEFAULT 'code')
RETURNS TABLE (area text, domain_scores double precision[], score double precision,
               rank bigint, decile integer, reason text)
AS 'MODULE_PATHNAME', 'bm_composite_index'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION buurtmonitor.composite_index(regclass, jsonb, text) IS
    'Composite (IMD-style) index of the areas in source: per area the transformed domain scores (in the order of spec.domains), the weighted index score, rank (1 = most deprived), decile and a reason for a NULL score or imputation.';

CREATE FUNCTION buurtmonitor.composite_index(source regclass, spec_name text, key text DEFAULT 'code')
RETURNS TABLE (area text, domain_scores double precision[], score double precision,
               rank bigint, decile integer, reason text)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
AS $$
DECLARE
    s jsonb;
BEGIN
    -- an untyped literal resolves to this text form: accept a JSON document as well as a name
    IF spec_name ~ '^\s*[{]' THEN
        RETURN QUERY SELECT * FROM buurtmonitor.composite_index(source, spec_name::jsonb, key);
        RETURN;
    END IF;
    SELECT i.spec INTO s FROM buurtmonitor.index_specs i WHERE i.name = spec_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'index specification "%" does not exist', spec_name
            USING ERRCODE = 'undefined_object',
                  HINT = 'See SELECT name FROM buurtmonitor.index_specs, or pass the specification as jsonb.';
    END IF;
    RETURN QUERY SELECT * FROM buurtmonitor.composite_index(source, s, key);
END
$$;
COMMENT ON FUNCTION buurtmonitor.composite_index(regclass, text, text) IS
    'Composite index of the areas in source with the specification stored under spec_name in buurtmonitor.index_specs, or given as a JSON document (an untyped literal).';

-- The domain names of a specification, in the order of composite_index(...).domain_scores.
CREATE FUNCTION buurtmonitor.index_domains(spec jsonb)
RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (SELECT pg_catalog.array_agg(coalesce(d->>'name', d->>'column') ORDER BY o)
          FROM jsonb_array_elements(spec->'domains') WITH ORDINALITY AS t(d, o));
COMMENT ON FUNCTION buurtmonitor.index_domains(jsonb) IS
    'Domain names of an index specification, in the order of the domain_scores array returned by composite_index.';
