-- Significance tests for survey indicators (C, extension/significance.c).

CREATE FUNCTION buurtmonitor.proportion_test(
    p1 double precision, n1 double precision, p2 double precision, n2 double precision,
    OUT z double precision, OUT p_value double precision)
RETURNS record
AS 'MODULE_PATHNAME', 'bm_proportion_test'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.proportion_test(double precision, double precision, double precision, double precision) IS
    'Two-proportion z-test with pooled variance (p1, p2 as fractions, n1, n2 sample sizes): z and two-sided p-value; z^2 equals R prop.test(correct = FALSE) X-squared.';

CREATE FUNCTION buurtmonitor.mean_test(
    m1 double precision, se1 double precision, m2 double precision, se2 double precision,
    df double precision DEFAULT NULL,
    OUT statistic double precision, OUT p_value double precision)
RETURNS record
AS 'MODULE_PATHNAME', 'bm_mean_test'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.mean_test(double precision, double precision, double precision, double precision, double precision) IS
    'Test of two means with standard errors: statistic (m1 - m2) / sqrt(se1^2 + se2^2) and two-sided p-value, normal (z-test) when df is NULL, Student t with df degrees of freedom otherwise.';

CREATE FUNCTION buurtmonitor.welch_df(
    se1 double precision, n1 double precision, se2 double precision, n2 double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bm_welch_df'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.welch_df(double precision, double precision, double precision, double precision) IS
    'Welch-Satterthwaite degrees of freedom from two standard errors and sample sizes, for mean_test(..., df).';

CREATE FUNCTION buurtmonitor.significance_label(
    difference double precision, p_value double precision, polarity integer,
    alpha double precision DEFAULT 0.05)
RETURNS text
AS 'MODULE_PATHNAME', 'bm_significance_label'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.significance_label(double precision, double precision, integer, double precision) IS
    'better, worse (from the sign of the difference and the polarity), different (polarity 0) or not significant (p-value >= alpha).';
