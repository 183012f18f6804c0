-- Weighted aggregates (extension/aggregates.c, docs/aggregates.md).
-- All have an internal transition state updated in place, compensated
-- (double-double) sums, and combine/serialise/deserialise functions so that
-- they are PARALLEL SAFE and run as Partial/Finalize Aggregate.

-- Support functions shared by weighted_mean, ratio_of_sums and coverage.
-- Transition functions are not strict: they see NULL arguments and decide.
CREATE FUNCTION buurtmonitor.weighted_mean_transfn(internal, double precision, double precision)
RETURNS internal LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_weighted_mean_transfn';

CREATE FUNCTION buurtmonitor.ratio_of_sums_transfn(internal, double precision, double precision)
RETURNS internal LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_ratio_of_sums_transfn';

CREATE FUNCTION buurtmonitor.coverage_transfn(internal, double precision, double precision)
RETURNS internal LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_coverage_transfn';

CREATE FUNCTION buurtmonitor.weighted_sum_combinefn(internal, internal)
RETURNS internal LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_wsum_combinefn';

CREATE FUNCTION buurtmonitor.weighted_sum_serialfn(internal)
RETURNS bytea LANGUAGE C STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_wsum_serialfn';

CREATE FUNCTION buurtmonitor.weighted_sum_deserialfn(bytea, internal)
RETURNS internal LANGUAGE C STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_wsum_deserialfn';

CREATE FUNCTION buurtmonitor.weighted_mean_finalfn(internal)
RETURNS double precision LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_weighted_mean_finalfn';

CREATE FUNCTION buurtmonitor.ratio_of_sums_finalfn(internal)
RETURNS double precision LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_ratio_of_sums_finalfn';

CREATE FUNCTION buurtmonitor.coverage_finalfn(internal)
RETURNS double precision LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_coverage_finalfn';

CREATE AGGREGATE buurtmonitor.weighted_mean(value double precision, weight double precision) (
    SFUNC = buurtmonitor.weighted_mean_transfn,
    STYPE = internal,
    SSPACE = 40,
    FINALFUNC = buurtmonitor.weighted_mean_finalfn,
    COMBINEFUNC = buurtmonitor.weighted_sum_combinefn,
    SERIALFUNC = buurtmonitor.weighted_sum_serialfn,
    DESERIALFUNC = buurtmonitor.weighted_sum_deserialfn,
    PARALLEL = SAFE
);

CREATE AGGREGATE buurtmonitor.ratio_of_sums(numerator double precision, denominator double precision) (
    SFUNC = buurtmonitor.ratio_of_sums_transfn,
    STYPE = internal,
    SSPACE = 40,
    FINALFUNC = buurtmonitor.ratio_of_sums_finalfn,
    COMBINEFUNC = buurtmonitor.weighted_sum_combinefn,
    SERIALFUNC = buurtmonitor.weighted_sum_serialfn,
    DESERIALFUNC = buurtmonitor.weighted_sum_deserialfn,
    PARALLEL = SAFE
);

CREATE AGGREGATE buurtmonitor.coverage(value double precision, weight double precision) (
    SFUNC = buurtmonitor.coverage_transfn,
    STYPE = internal,
    SSPACE = 40,
    FINALFUNC = buurtmonitor.coverage_finalfn,
    COMBINEFUNC = buurtmonitor.weighted_sum_combinefn,
    SERIALFUNC = buurtmonitor.weighted_sum_serialfn,
    DESERIALFUNC = buurtmonitor.weighted_sum_deserialfn,
    PARALLEL = SAFE
);

-- Quantiles: the state holds the (value, weight) pairs.
CREATE FUNCTION buurtmonitor.weighted_quantile_transfn(internal, double precision, double precision, double precision)
RETURNS internal LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_weighted_quantile_transfn';

CREATE FUNCTION buurtmonitor.weighted_median_transfn(internal, double precision, double precision)
RETURNS internal LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_weighted_median_transfn';

CREATE FUNCTION buurtmonitor.weighted_quantile_combinefn(internal, internal)
RETURNS internal LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_wq_combinefn';

CREATE FUNCTION buurtmonitor.weighted_quantile_serialfn(internal)
RETURNS bytea LANGUAGE C STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_wq_serialfn';

CREATE FUNCTION buurtmonitor.weighted_quantile_deserialfn(bytea, internal)
RETURNS internal LANGUAGE C STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_wq_deserialfn';

CREATE FUNCTION buurtmonitor.weighted_quantile_finalfn(internal)
RETURNS double precision LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_wq_finalfn';

-- The final function sorts the pairs in place; that keeps the multiset, so
-- the state stays valid for further rows and finals (READ_ONLY is honest).
CREATE AGGREGATE buurtmonitor.weighted_quantile(value double precision, weight double precision, q double precision) (
    SFUNC = buurtmonitor.weighted_quantile_transfn,
    STYPE = internal,
    FINALFUNC = buurtmonitor.weighted_quantile_finalfn,
    COMBINEFUNC = buurtmonitor.weighted_quantile_combinefn,
    SERIALFUNC = buurtmonitor.weighted_quantile_serialfn,
    DESERIALFUNC = buurtmonitor.weighted_quantile_deserialfn,
    PARALLEL = SAFE
);

CREATE AGGREGATE buurtmonitor.weighted_median(value double precision, weight double precision) (
    SFUNC = buurtmonitor.weighted_median_transfn,
    STYPE = internal,
    FINALFUNC = buurtmonitor.weighted_quantile_finalfn,
    COMBINEFUNC = buurtmonitor.weighted_quantile_combinefn,
    SERIALFUNC = buurtmonitor.weighted_quantile_serialfn,
    DESERIALFUNC = buurtmonitor.weighted_quantile_deserialfn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE buurtmonitor.weighted_mean(double precision, double precision) IS
'sum(value*weight)/sum(weight) with compensated (double-double) sums. Rows with a NULL value or NULL weight are skipped; no usable rows or total weight 0 gives NULL; negative weight, NaN or infinity is an error. PARALLEL SAFE.';
COMMENT ON AGGREGATE buurtmonitor.ratio_of_sums(double precision, double precision) IS
'sum(numerator)/sum(denominator) over rows where both are present, with compensated sums: a rate or share rolled up from its parts. Negative numerators are allowed, negative denominators, NaN and infinity are errors; no usable rows or total denominator 0 gives NULL. PARALLEL SAFE.';
COMMENT ON AGGREGATE buurtmonitor.coverage(double precision, double precision) IS
'Share of the total weight (rows with a non-NULL weight) whose value is not NULL: how much of the base a roll-up covers. NULL without weighted rows or with total weight 0. PARALLEL SAFE.';
COMMENT ON AGGREGATE buurtmonitor.weighted_quantile(double precision, double precision, double precision) IS
'Lower weighted quantile: the smallest value whose cumulative weight reaches q times the total weight (R quantile type 1 on integer weights). q in [0,1], the same in every row. Rows with a NULL value or weight are skipped. PARALLEL SAFE.';
COMMENT ON AGGREGATE buurtmonitor.weighted_median(double precision, double precision) IS
'Lower weighted median: weighted_quantile(value, weight, 0.5). PARALLEL SAFE.';

COMMENT ON FUNCTION buurtmonitor.weighted_mean_transfn(internal, double precision, double precision) IS
'Support function of buurtmonitor.weighted_mean (transition); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.ratio_of_sums_transfn(internal, double precision, double precision) IS
'Support function of buurtmonitor.ratio_of_sums (transition); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.coverage_transfn(internal, double precision, double precision) IS
'Support function of buurtmonitor.coverage (transition); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.weighted_sum_combinefn(internal, internal) IS
'Support function of weighted_mean, ratio_of_sums and coverage (merges partial compensated sums); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.weighted_sum_serialfn(internal) IS
'Support function of weighted_mean, ratio_of_sums and coverage (state to 40-byte bytea, network byte order); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.weighted_sum_deserialfn(bytea, internal) IS
'Support function of weighted_mean, ratio_of_sums and coverage (bytea to state); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.weighted_mean_finalfn(internal) IS
'Support function of buurtmonitor.weighted_mean (final); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.ratio_of_sums_finalfn(internal) IS
'Support function of buurtmonitor.ratio_of_sums (final); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.coverage_finalfn(internal) IS
'Support function of buurtmonitor.coverage (final); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.weighted_quantile_transfn(internal, double precision, double precision, double precision) IS
'Support function of buurtmonitor.weighted_quantile (transition); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.weighted_median_transfn(internal, double precision, double precision) IS
'Support function of buurtmonitor.weighted_median (transition); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.weighted_quantile_combinefn(internal, internal) IS
'Support function of weighted_quantile and weighted_median (merges partial states); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.weighted_quantile_serialfn(internal) IS
'Support function of weighted_quantile and weighted_median (state to bytea, network byte order); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.weighted_quantile_deserialfn(bytea, internal) IS
'Support function of weighted_quantile and weighted_median (bytea to state); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.weighted_quantile_finalfn(internal) IS
'Support function of weighted_quantile and weighted_median (final: sorts and walks the cumulative weight); not for direct use.';
