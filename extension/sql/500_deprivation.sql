-- Deprivation index building blocks (extension/deprivation.c); see docs/deprivation.md.
-- Orientation everywhere: rank 1 = most deprived; transformed scores are higher = more deprived.

CREATE FUNCTION buurtmonitor.inverse_normal(p double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bm_inverse_normal'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.inverse_normal(double precision) IS
    'Inverse standard normal distribution function (Wichura AS241 PPND16, as R qnorm) for 0 < p < 1.';

CREATE FUNCTION buurtmonitor.normal_score(rank double precision, n bigint)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bm_normal_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.normal_score(double precision, bigint) IS
    'Rank-based normal score inverse_normal((rank - 0.5) / n) for 1 <= rank <= n.';

CREATE FUNCTION buurtmonitor.exponential_transform(r double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bm_exponential_transform'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.exponential_transform(double precision) IS
    'IMD exponential transform -23 ln(1 - r (1 - exp(-100/23))) of a scaled rank r in [0, 1]: 0 least, 100 most deprived.';

CREATE FUNCTION buurtmonitor.scaled_rank(rank double precision, n bigint, scaling text DEFAULT 'n_plus_1')
RETURNS double precision
AS 'MODULE_PATHNAME', 'bm_scaled_rank'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.scaled_rank(double precision, bigint, text) IS
    'Deprivation rank (1 = most deprived) scaled to [0, 1]: n_plus_1 gives (N + 1 - rank)/N, n gives (N - rank)/N.';

CREATE FUNCTION buurtmonitor.quantile_group(rank double precision, n bigint, groups integer)
RETURNS integer
AS 'MODULE_PATHNAME', 'bm_quantile_group'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.quantile_group(double precision, bigint, integer) IS
    'Quantile group ceil(groups * rank / n) of a deprivation rank; group 1 holds the most deprived areas.';

CREATE FUNCTION buurtmonitor.decile(rank double precision, n bigint)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN buurtmonitor.quantile_group(rank, n, 10);
COMMENT ON FUNCTION buurtmonitor.decile(double precision, bigint) IS
    'Decile ceil(10 * rank / n) of a deprivation rank; decile 1 = the 10% most deprived.';

CREATE FUNCTION buurtmonitor.normalise(
    "values" double precision[], method text,
    direction text DEFAULT 'higher_is_worse', ties text DEFAULT 'average',
    rank_scaling text DEFAULT 'n_plus_1')
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'bm_normalise'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.normalise(double precision[], text, text, text, text) IS
    'Normalise one indicator over a set of areas (element by element, NULL stays NULL): method zscore, minmax, rank, scaled_rank, percentile, normal_score, exponential or none; higher output = more deprived (rank: 1 = most deprived).';

CREATE FUNCTION buurtmonitor.normalise_weights(weights double precision[])
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'bm_normalise_weights'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.normalise_weights(double precision[]) IS
    'Weights checked (none negative, not all zero) and scaled to sum 1; a NOTICE reports weights that did not sum to 1.';

CREATE FUNCTION buurtmonitor.weighted_arithmetic_mean("values" double precision[], weights double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bm_weighted_mean'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.weighted_arithmetic_mean(double precision[], double precision[]) IS
    'Weighted arithmetic mean of one area''s scores; NULL scores are skipped and the other weights renormalised.';

CREATE FUNCTION buurtmonitor.weighted_geometric_mean("values" double precision[], weights double precision[])
RETURNS double precision
AS 'MODULE_PATHNAME', 'bm_weighted_geometric_mean'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.weighted_geometric_mean(double precision[], double precision[]) IS
    'Weighted geometric mean exp(sum w ln x) of one area''s positive scores; NULL scores are skipped.';
