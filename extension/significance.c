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

#include <float.h>
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

/*
 * Continued fraction for the incomplete beta function (modified Lentz,
 * Numerical Recipes betacf).  It converges quickly for x < (a+1)/(a+b+2);
 * the number of terms grows like sqrt(max(a, b)), which stays below the cap for
 * the a <= 5e3 that bm_t_p_two_sided passes.
 */
static double
betacf(double a, double b, double x)
{
	const double eps = 4e-16;	/* two units in the last place of 1 */
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

/*
 * Regularised incomplete beta from logs: I_x(a, b) given log x = lx and
 * log(1 - x) = ly (both passed so that neither x nor 1 - x is formed by a
 * cancelling subtraction) and lbeta = log B(a, b).  The continued fraction is
 * always evaluated on the side where it converges; the other side is 1 minus
 * it, which only happens where the result is not small (so it keeps its
 * relative accuracy where it matters).
 */
static double
incomplete_beta_log(double a, double b, double lx, double ly, double lbeta)
{
	double		x = exp(lx);
	double		y = exp(ly);
	double		front = a * lx + b * ly - lbeta;
	double		side;

	if (x < (a + 1.0) / (a + b + 2.0))
		return exp(front - log(a)) * betacf(a, b, x);	/* I_x(a, b) */
	side = exp(front - log(b)) * betacf(b, a, y);	/* I_y(b, a) = 1 - I_x(a, b) */
	return 1.0 - side;
}

/* Regularised incomplete beta I_x(a, b) for a, b > 0 and 0 <= x <= 1. */
double
bm_incomplete_beta(double a, double b, double x)
{
	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	return incomplete_beta_log(a, b, log(x), log1p(-x),
							   lgamma(a) + lgamma(b) - lgamma(a + b));
}

/* Two-sided p-value of a standard normal statistic: P(|Z| >= |z|). */
double
bm_normal_p_two_sided(double z)
{
	return erfc(fabs(z) / M_SQRT2);
}

/*
 * log(Gamma(a + 1/2) / Gamma(a)) without the cancellation of two large lgamma
 * values: for a >= 10 the asymptotic series
 *   (1/2) log a + sum_k (-1)^k (B_k(1/2) - B_k) / (k (k-1) a^(k-1)),
 * B_k(1/2) = (2^(1-k) - 1) B_k, i.e. -1/(8a) + 1/(192a^3) - 1/(640a^5)
 * + 17/(14336a^7) - 31/(18432a^9) + 691 (2 - 2^-11)/(360360 a^11); the first
 * omitted term is below 2e-15 at a = 10.
 */
static double
lgamma_ratio_half(double a)
{
	double		z,
				z2;

	if (a < 10.0)
		return lgamma(a + 0.5) - lgamma(a);
	z = 1.0 / a;
	z2 = z * z;
	return 0.5 * log(a) +
		z * (-1.0 / 8.0 + z2 * (1.0 / 192.0 + z2 * (-1.0 / 640.0 + z2 * (17.0 / 14336.0 +
			z2 * (-31.0 / 18432.0 + z2 * (691.0 * (2.0 - 1.0 / 2048.0) / 360360.0))))));
}

/*
 * Two-sided p-value of a t statistic with df degrees of freedom, P(|T| >= |t|),
 * for any df > 0 (fractional df such as Welch's included):
 *  - df = Infinity: the normal distribution;
 *  - df > 1e4: Hill's asymptotic series (G. W. Hill, Algorithm 395, Comm. ACM
 *    13(10), 1970): with y = (df - 1/2) log(1 + t^2/df), the normal deviate
 *    z = sqrt(y) (1 + (y + 3 + (-0.4y^3 - 3.3y^2 - 24y - 85.5) /
 *    (0.8y^2 + 100 + b)) / b), b = 48 (df - 1/2)^2, gives p to better than
 *    1e-12 relative for df > 1e4, down to p = 1e-300 (checked against R);
 *  - otherwise I_x(df/2, 1/2) with x = df / (df + t^2) = 1 / (1 + r),
 *    r = t^2 / df.  Both log x and log(1 - x) are formed from r (log1p), never
 *    as 1 - x, and log B(df/2, 1/2) uses lgamma_ratio_half, so neither x within
 *    1e-12 of 1, nor tiny df (1e-3), nor huge t (1e200) loses digits.
 * test/t_distribution_oracle.sh checks this against R's pt() on a grid of t
 * and df from 1e-3 to 1e15.
 */
double
bm_t_p_two_sided(double t, double df)
{
	double		r,
				lr,
				l1,
				lx,
				ly;

	if (isnan(t) || isnan(df))
		return NAN;
	t = fabs(t);
	if (t == 0.0)
		return 1.0;
	if (isinf(df))
		return bm_normal_p_two_sided(t);
	if (isinf(t))
		return 0.0;
	/* r = t^2 / df, or its log where r itself under- or overflows */
	r = (t * t) / df;
	lr = (r > 0.0 && isfinite(r)) ? log(r) : 2.0 * log(t) - log(df);
	if (lr < -740.0)
		return 1.0;				/* 1 - p below 1e-320 */
	if (!(r > 0.0 && isfinite(r)))
		r = exp(lr);
	/* l1 = log(1 + r); 1/r is 0 when r overflowed */
	l1 = (lr > 0.0) ? lr + log1p(1.0 / r) : log1p(r);
	if (df > 1e4)
	{
		double		a = df - 0.5;
		double		b = 48.0 * a * a;
		double		y = a * l1;
		double		z;

		if (y > 1600.0)
			return 0.0;			/* p below 1e-340 */
		z = (((((-0.4 * y - 3.3) * y - 24.0) * y - 85.5) / (0.8 * y * y + 100.0 + b)
			  + y + 3.0) / b + 1.0) * sqrt(y);
		return bm_normal_p_two_sided(z);
	}
	lx = -l1;					/* log(1 / (1 + r)) */
	ly = lr - l1;				/* log(r / (1 + r)) */
	/* log B(df/2, 1/2) = log Gamma(1/2) + log Gamma(df/2) - log Gamma(df/2 + 1/2) */
	return incomplete_beta_log(df / 2.0, 0.5, lx, ly,
							   0.5 * log(M_PI) - lgamma_ratio_half(df / 2.0));
}

/*
 * Pooled two-proportion z statistic; returns false when it is undefined
 * (both proportions 0 or both 1, so the pooled variance is zero).  Sample
 * sizes up to 1.8e308 work: the pooled share and the variance are rescaled
 * where n1 + n2 overflows or the variance underflows (n about 1e308), so
 * huge n gives a huge z, not NULL.
 */
bool
bm_proportion_z(double p1, double n1, double p2, double n2, double *z)
{
	double		pbar = (p1 * n1 + p2 * n2) / (n1 + n2);
	double		var;

	if (!isfinite(n1 + n2))
	{
		double		w1 = 1.0 / (1.0 + n2 / n1);	/* n1 / (n1 + n2) */

		pbar = p1 * w1 + p2 * (1.0 - w1);
	}
	if (!(pbar > 0.0 && pbar < 1.0))
		return false;
	var = pbar * (1.0 - pbar) * (1.0 / n1 + 1.0 / n2);
	if (var >= DBL_MIN)
		*z = (p1 - p2) / sqrt(var);
	else
	{
		/* sqrt(1/n1 + 1/n2) = sqrt(1 + nmin/nmax) / sqrt(nmin), no underflow */
		double		nmin = fmin(n1, n2);
		double		nmax = fmax(n1, n2);

		*z = (p1 - p2) / (sqrt(pbar * (1.0 - pbar)) * (sqrt(1.0 + nmin / nmax) / sqrt(nmin)));
	}
	return true;
}

/*
 * Statistic of the test of two means, (m1 - m2) / sqrt(se1^2 + se2^2), also
 * where the squares under- or overflow (se below 1e-154 or above 1e154) or
 * m1 - m2 overflows.  0 when m1 = m2; may be +-Infinity only when the true
 * statistic is beyond 1.8e308.
 */
double
bm_mean_statistic(double m1, double se1, double m2, double se2)
{
	double		v = se1 * se1 + se2 * se2;
	double		h = (v >= DBL_MIN && isfinite(v)) ? sqrt(v) : hypot(se1, se2);
	double		d = m1 - m2;

	if (d == 0.0)
		return 0.0;
	if (isinf(d) && isfinite(m1) && isfinite(m2))
		return (m1 / 2.0 - m2 / 2.0) / (h / 2.0);
	return d / h;
}

/*
 * Welch-Satterthwaite degrees of freedom from standard errors and sample sizes.
 * The result does not change when both standard errors are scaled by the same
 * factor, so where a fourth power would under- or overflow (se below about 1e-77
 * or above 1e77) they are divided by the larger one first.
 */
double
bm_calc_welch_df(double se1, double n1, double se2, double n2)
{
	double		v1 = se1 * se1;
	double		v2 = se2 * se2;

	if (!(v1 * v1 >= DBL_MIN && v2 * v2 >= DBL_MIN && isfinite(v1 * v1) && isfinite(v2 * v2)))
	{
		double		s = fmax(se1, se2);

		v1 = (se1 / s) * (se1 / s);
		v2 = (se2 / s) * (se2 / s);
	}
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

/* Reject a NaN or infinite mean or difference (a NULL is the way to say "missing"). */
static void
check_finite(double x, const char *name)
{
	if (!isfinite(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number, got %g", name, x),
				 errhint("Pass NULL for a missing value; NaN and infinities are not figures.")));
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
	check_finite(m1, "mean m1");
	check_finite(m2, "mean m2");
	check_se(se1, "se1");
	check_se(se2, "se2");
	stat = bm_mean_statistic(m1, se1, m2, se2);
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
	check_finite(diff, "difference");
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
