-- Monte Carlo sensitivity of a composite index (extension/sensitivity.c); see docs/deprivation.md.

CREATE FUNCTION buurtmonitor.index_sensitivity(
    source regclass, spec jsonb, draws integer DEFAULT 1000, seed bigint DEFAULT 1,
    weight_spread double precision DEFAULT 0.25, key text DEFAULT 'code',
    transforms text[] DEFAULT NULL)
RETURNS TABLE (area text, base_rank bigint, median_rank double precision,
               p05_rank double precision, p95_rank double precision, reason text)
AS 'MODULE_PATHNAME', 'bm_index_sensitivity'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION buurtmonitor.index_sensitivity(regclass, jsonb, integer, bigint, double precision, text, text[]) IS
    'Monte Carlo over the index weights (each weight times 1 + U(-spread, spread), renormalised) and optionally over the normalisation (one of transforms per draw): per area the base rank and the median, 5th and 95th percentile rank (R type 7); seeded xoshiro256**, reproducible.';

CREATE FUNCTION buurtmonitor.index_sensitivity(
    source regclass, spec_name text, draws integer DEFAULT 1000, seed bigint DEFAULT 1,
    weight_spread double precision DEFAULT 0.25, key text DEFAULT 'code',
    transforms text[] DEFAULT NULL)
RETURNS TABLE (area text, base_rank bigint, median_rank double precision,
               p05_rank double precision, p95_rank double precision, reason text)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
AS $$
DECLARE
    s jsonb;
BEGIN
    -- an untyped literal resolves to this text form: accept a JSON document as well as a name
    IF spec_name ~ '^\s*[{]' THEN
        RETURN QUERY SELECT * FROM buurtmonitor.index_sensitivity(source, spec_name::jsonb, draws, seed, weight_spread, key, transforms);
        RETURN;
    END IF;
    SELECT i.spec INTO s FROM buurtmonitor.index_specs i WHERE i.name = spec_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'index specification "%" does not exist', spec_name
            USING ERRCODE = 'undefined_object',
                  HINT = 'See SELECT name FROM buurtmonitor.index_specs, or pass the specification as jsonb.';
    END IF;
    RETURN QUERY SELECT * FROM buurtmonitor.index_sensitivity(source, s, draws, seed, weight_spread, key, transforms);
END
$$;
COMMENT ON FUNCTION buurtmonitor.index_sensitivity(regclass, text, integer, bigint, double precision, text, text[]) IS
    'index_sensitivity with the specification stored under spec_name in buurtmonitor.index_specs, or given as a JSON document (an untyped literal).';

CREATE FUNCTION buurtmonitor.sensitivity_weights(
    weights double precision[], draws integer DEFAULT 1000, seed bigint DEFAULT 1,
    weight_spread double precision DEFAULT 0.25)
RETURNS TABLE (draw integer, weights double precision[])
AS 'MODULE_PATHNAME', 'bm_sensitivity_weights'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.sensitivity_weights(double precision[], integer, bigint, double precision) IS
    'The weight vectors that index_sensitivity draws for these base weights, seed and spread, one row per draw.';
