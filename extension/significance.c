/*
 * significance.c
 *		Significance tests for changes and differences of survey indicators.
 *
 * proportion_test: two-proportion z-test (pooled variance), the same statistic
 * as R prop.test(correct = FALSE), whose X-squared equals z squared.
 * mean_test: z-test for two means with standard errors, or a t-test with given
 * degrees of freedom (Welch: see welch_df).
 * significance_label: turns a difference and p-value into better/worse.
 *
 * The normal tail uses erfc, which stays accurate far into the tails where
 * 1 - Phi(z) would cancel to zero.  The t tail uses the regularised incomplete
 * beta function evaluated with a continued fraction (Numerical Recipes, betacf).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "significance.h"

PG_FUNCTION_INFO_V1(bm_proportion_test);
PG_FUNCTION_INFO_V1(bm_mean_test);
PG_FUNCTION_INFO_V1(bm_welch_df);
PG_FUNCTION_INFO_V1(bm_significance_label);

/* Continued fraction for the incomplete beta function (modified Lentz). */
static double
betacf(double a, double b, double x)
{
	const double eps = 1e-15;
	const double fpmin = 1e-300;
	double		qab = a + b;
	double		qap = a + 1.0;
	double		qam = a - 1.0;
	double		c = 1.0;
	double		d = 1.0 - qab * x / qap;
	double		h;
	int			m;

	if (fabs(d) < fpmin)
		d = fpmin;
	d = 1.0 / d;
	h = d;
	for (m = 1; m <= 10000; m++)
	{
		int			m2 = 2 * m;
		double		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		double		del;

		/* even step */
		d = 1.0 + aa * d;
		if (fabs(d) < fpmin)
			d = fpmin;
		c = 1.0 + aa / c;
		if (fabs(c) < fpmin)
			c = fpmin;
		d = 1.0 / d;
		h *= d * c;
		/* odd step */
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < fpmin)
			d = fpmin;
		c = 1.0 + aa / c;
		if (fabs(c) < fpmin)
			c = fpmin;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < eps)
			break;
	}
	return h;
}

/* Regularised incomplete beta I_x(a, b) for a, b > 0 and 0 <= x <= 1. */
double
bm_incomplete_beta(double a, double b, double x)
{
	double		lbt;

	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	/* log of the front factor x^a (1-x)^b / B(a, b) */
	lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	/* the continued fraction converges fast for x < (a+1)/(a+b+2); else use symmetry */
	if (x < (a + 1.0) / (a + b + 2.0))
		return exp(lbt) * betacf(a, b, x) / a;
	return 1.0 - exp(lbt) * betacf(b, a, 1.0 - x) / b;
}

/* Two-sided p-value of a standard normal statistic: P(|Z| >= |z|). */
double
bm_normal_p_two_sided(double z)
{
	return erfc(fabs(z) / M_SQRT2);
}

/*
 * Two-sided p-value of a t statistic with df degrees of freedom:
 * P(|T| >= |t|) = I_{df/(df+t^2)}(df/2, 1/2).
 */
double
bm_t_p_two_sided(double t, double df)
{
	return bm_incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
}

/*
 * Pooled two-proportion z statistic; returns false when it is undefined
 * (both proportions 0 or both 1, so the pooled variance is zero).
 */
bool
bm_proportion_z(double p1, double n1, double p2, double n2, double *z)
{
	double		pbar = (p1 * n1 + p2 * n2) / (n1 + n2);
	double		var = pbar * (1.0 - pbar) * (1.0 / n1 + 1.0 / n2);

	if (!(var > 0.0))
		return false;
	*z = (p1 - p2) / sqrt(var);
	return true;
}

/* Welch-Satterthwaite degrees of freedom from standard errors and sample sizes. */
double
bm_calc_welch_df(double se1, double n1, double se2, double n2)
{
	double		v1 = se1 * se1;
	double		v2 = se2 * se2;

	return (v1 + v2) * (v1 + v2) / (v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0));
}

/*
 * Label of a difference (new minus old, or area minus reference) given its
 * p-value and the indicator's polarity: better, worse, different (polarity 0)
 * or not significant.  Returns NULL when the p-value is unknown.
 */
const char *
bm_calc_significance_label(double diff, double p, int polarity, double alpha)
{
	if (isnan(p))
		return NULL;
	if (p >= alpha || diff == 0.0)
		return "not significant";
	if (polarity == 0)
		return "different";
	return (diff * polarity > 0) ? "better" : "worse";
}

/* Build the (statistic, p_value) result row of the test functions. */
static Datum
stat_result(FunctionCallInfo fcinfo, bool ok, double stat, double p)
{
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {!ok, !ok};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning a record called in a context that cannot accept it"),
				 errhint("Call it in the FROM clause, for example SELECT * FROM buurtmonitor.mean_test(...).")));
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Float8GetDatum(stat);
	values[1] = Float8GetDatum(p);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* Reject a proportion outside [0, 1]. */
static void
check_proportion(double p, const char *name)
{
	if (!(p >= 0.0 && p <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("proportion %s must be between 0 and 1, got %g", name, p),
				 errhint("Pass shares as fractions: divide a percentage by 100.")));
}

/* Reject a sample size that is not positive. */
static void
check_size(double n, const char *name, double minimum, const char *hint)
{
	if (!(n >= minimum) || isinf(n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sample size %s must be at least %g, got %g", name, minimum, n),
				 errhint("%s", hint)));
}

/* Reject a standard error that is not positive and finite. */
static void
check_se(double se, const char *name)
{
	if (!(se > 0.0) || isinf(se))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("standard error %s must be positive, got %g", name, se),
				 errhint("Pass the standard error of each mean (standard deviation divided by the square root of n).")));
}

/*
 * proportion_test(p1, n1, p2, n2) -> (z, p_value)
 * z = (p1 - p2) / sqrt(pbar (1 - pbar) (1/n1 + 1/n2)); two-sided p-value.
 */
Datum
bm_proportion_test(PG_FUNCTION_ARGS)
{
	double		p1 = PG_GETARG_FLOAT8(0);
	double		n1 = PG_GETARG_FLOAT8(1);
	double		p2 = PG_GETARG_FLOAT8(2);
	double		n2 = PG_GETARG_FLOAT8(3);
	double		z = 0.0;
	bool		ok;

	check_proportion(p1, "p1");
	check_proportion(p2, "p2");
	check_size(n1, "n1", 1.0, "Pass the number of respondents behind each proportion.");
	check_size(n2, "n2", 1.0, "Pass the number of respondents behind each proportion.");
	ok = bm_proportion_z(p1, n1, p2, n2, &z);
	return stat_result(fcinfo, ok, z, ok ? bm_normal_p_two_sided(z) : 0.0);
}

/*
 * mean_test(m1, se1, m2, se2, df DEFAULT NULL) -> (statistic, p_value)
 * statistic = (m1 - m2) / sqrt(se1^2 + se2^2); normal p-value without df,
 * Student t with df degrees of freedom otherwise.
 */
Datum
bm_mean_test(PG_FUNCTION_ARGS)
{
	double		m1,
				se1,
				m2,
				se2,
				stat;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_NULL();
	m1 = PG_GETARG_FLOAT8(0);
	se1 = PG_GETARG_FLOAT8(1);
	m2 = PG_GETARG_FLOAT8(2);
	se2 = PG_GETARG_FLOAT8(3);
	check_se(se1, "se1");
	check_se(se2, "se2");
	stat = (m1 - m2) / sqrt(se1 * se1 + se2 * se2);
	if (PG_ARGISNULL(4))
		return stat_result(fcinfo, true, stat, bm_normal_p_two_sided(stat));
	else
	{
		double		df = PG_GETARG_FLOAT8(4);

		if (!(df > 0.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("degrees of freedom must be positive, got %g", df),
					 errhint("Pass NULL for a z-test, or welch_df(se1, n1, se2, n2) for Welch's t-test.")));
		if (isinf(df))
			return stat_result(fcinfo, true, stat, bm_normal_p_two_sided(stat));
		return stat_result(fcinfo, true, stat, bm_t_p_two_sided(stat, df));
	}
}

/* welch_df(se1, n1, se2, n2): Welch-Satterthwaite degrees of freedom. */
Datum
bm_welch_df(PG_FUNCTION_ARGS)
{
	double		se1 = PG_GETARG_FLOAT8(0);
	double		n1 = PG_GETARG_FLOAT8(1);
	double		se2 = PG_GETARG_FLOAT8(2);
	double		n2 = PG_GETARG_FLOAT8(3);

	check_se(se1, "se1");
	check_se(se2, "se2");
	check_size(n1, "n1", 2.0, "Each mean needs at least two observations for a standard error.");
	check_size(n2, "n2", 2.0, "Each mean needs at least two observations for a standard error.");
	PG_RETURN_FLOAT8(bm_calc_welch_df(se1, n1, se2, n2));
}

/* significance_label(difference, p_value, polarity, alpha DEFAULT 0.05) -> text */
Datum
bm_significance_label(PG_FUNCTION_ARGS)
{
	double		diff,
				p,
				alpha;
	int			polarity;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_NULL();
	diff = PG_GETARG_FLOAT8(0);
	p = PG_GETARG_FLOAT8(1);
	polarity = PG_GETARG_INT32(2);
	alpha = PG_GETARG_FLOAT8(3);
	if (!(alpha > 0.0 && alpha < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("alpha must be between 0 and 1, got %g", alpha),
				 errhint("Use a significance level such as 0.05.")));
	if (polarity < -1 || polarity > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("polarity must be -1, 0 or 1, got %d", polarity),
				 errhint("Use 1 when higher is better, -1 when higher is worse, 0 when neutral.")));
	if (!(p >= 0.0 && p <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("p-value must be between 0 and 1, got %g", p),
				 errhint("Pass the p_value column of proportion_test or mean_test.")));
	PG_RETURN_TEXT_P(cstring_to_text(bm_calc_significance_label(diff, p, polarity, alpha)));
}
