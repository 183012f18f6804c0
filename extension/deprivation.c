/*
 * deprivation.c
 *		Building blocks of deprivation indexes: the inverse normal (Wichura's
 *		AS241), rank-based normal scores, the IMD exponential transform,
 *		ranking with ties, set-level normalisations, weight checks and the
 *		weighted arithmetic and geometric means.
 *
 * Conventions (see deprivation.h): transformed scores are "higher = more
 * deprived" and ranks have 1 = most deprived.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"

#include "deprivation.h"

/* exp(-100/23): the IMD transform maps R in [0,1] onto [0,100]. */
#define DEP_EXP_C (1.0 - exp(-100.0 / 23.0))

/* Weights whose sum differs from 1 by more than this are reported. */
#define DEP_WEIGHT_TOL 1e-9

/*
 * dep_scale_factor
 *		A power of two s such that maxabs * s lies in [0.5, 1) when maxabs is
 *		outside [2^-400, 2^400] (for subnormal maxabs: s = 2^1000), else 1.  Multiplying by s is exact (no rounding
 *		for normal numbers), so results that are invariant under scaling (z-scores,
 *		min-max, weight shares, correlations) keep their bits for ordinary data,
 *		while values near 1e308 no longer overflow in sums and squares, nor values
 *		near 1e-300 underflow in squares.
 */
double
dep_scale_factor(double maxabs)
{
	int			e;

	if (maxabs == 0.0 || (maxabs >= 0x1p-400 && maxabs <= 0x1p400))
		return 1.0;
	(void) frexp(maxabs, &e);
	/* 2^1000 at most (2^1074 would overflow): subnormal maxabs then ends above 2^-74 */
	return ldexp(1.0, -Max(e, -1000));
}

/* Largest absolute value among the present x (0 when none). */
static double
dep_max_abs(const double *x, const bool *isnull, int n)
{
	double		m = 0.0;

	for (int i = 0; i < n; i++)
		if (!(isnull && isnull[i]))
			m = Max(m, fabs(x[i]));
	return m;
}

/*
 * dep_notice_weight_sum
 *		NOTICE that user weights did not sum to 1 and were rescaled; label is
 *		"weights" or "index weights".  A sum beyond 1.8e308 is said so.
 */
void
dep_notice_weight_sum(const char *label, double sum)
{
	if (isinf(sum))
		ereport(NOTICE,
				(errmsg("%s sum to more than 1.8e308, not 1; they were scaled to sum 1", label)));
	else
		ereport(NOTICE,
				(errmsg("%s sum to %g, not 1; they were divided by %g", label, sum, sum)));
}

/*
 * dep_inverse_normal
 *		Phi^-1(p) by Wichura (1988), algorithm AS241 PPND16, relative accuracy
 *		about 1e-16.  The caller guarantees 0 < p < 1.
 */
double
dep_inverse_normal(double p)
{
	double		q = p - 0.5;
	double		r;
	double		val;

	if (fabs(q) <= 0.425)
	{
		/* central region: rational function in q^2 */
		r = 0.180625 - q * q;
		return q * (((((((r * 2509.0809287301226727 +
						  33430.575583588128105) * r + 67265.770927008700853) * r +
						45921.953931549871457) * r + 13731.693765509461125) * r +
					  1971.5909503065514427) * r + 133.14166789178437745) * r +
					3.387132872796366608)
			/ (((((((r * 5226.495278852545925 +
					 28729.085735721942674) * r + 39307.89580009271061) * r +
				   21213.794301586595867) * r + 5394.1960214247511077) * r +
				 687.1870074920579083) * r + 42.313330701600911252) * r + 1.0);
	}

	/* tails: rational function in sqrt(-log(min(p, 1 - p))) */
	r = (q < 0) ? p : 1.0 - p;
	r = sqrt(-log(r));
	if (r <= 5.0)
	{
		r -= 1.6;
		val = (((((((r * 7.7454501427834140764e-4 +
					 0.0227238449892691845833) * r + 0.24178072517745061177) *
				   r + 1.27045825245236838258) * r +
				  3.64784832476320460504) * r + 5.7694972214606914055) *
				r + 4.6303378461565452959) * r +
			   1.42343711074968357734)
			/ (((((((r *
					 1.05075007164441684324e-9 + 5.475938084995344946e-4) *
					r + 0.0151986665636164571966) * r +
				   0.14810397642748007459) * r + 0.68976733498510000455) *
				 r + 1.6763848301838038494) * r +
				2.05319162663775882187) * r + 1.0);
	}
	else
	{
		r -= 5.0;
		val = (((((((r * 2.01033439929228813265e-7 +
					 2.71155556874348757815e-5) * r +
					0.0012426609473880784386) * r + 0.026532189526576123093) *
				  r + 0.29656057182850489123) * r +
				 1.7848265399172913358) * r + 5.4637849111641143699) *
			   r + 6.6579046435011037772)
			/ (((((((r *
					 2.04426310338993978564e-15 + 1.4215117583164458887e-7) *
					r + 1.8463183175100546818e-5) * r +
				   7.868691311456132591e-4) * r + 0.0148753612908506148525)
				 * r + 0.13692988092273580531) * r +
				0.59983220655588793769) * r + 1.0);
	}
	return (q < 0.0) ? -val : val;
}

/*
 * dep_exponential
 *		The IMD exponential transform -23 ln(1 - R (1 - exp(-100/23))) of a
 *		scaled rank R in [0, 1]: 0 for R = 0, 100 for R = 1.
 */
double
dep_exponential(double r)
{
	return -23.0 * log(1.0 - r * DEP_EXP_C);
}

/* ---------- option parsing ---------- */

/* Raise the error for an unknown option word. */
static void
dep_unknown_option(const char *what, const char *value, const char *allowed)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown %s \"%s\"", what, value),
			 errhint("Use one of: %s.", allowed)));
}

DepTies
dep_parse_ties(const char *s)
{
	if (strcmp(s, "average") == 0)
		return DEP_TIES_AVERAGE;
	if (strcmp(s, "min") == 0)
		return DEP_TIES_MIN;
	dep_unknown_option("tie method", s, "average, min");
	return DEP_TIES_AVERAGE;	/* not reached */
}

DepScaling
dep_parse_scaling(const char *s)
{
	if (strcmp(s, "n_plus_1") == 0)
		return DEP_SCALE_N_PLUS_1;
	if (strcmp(s, "n") == 0)
		return DEP_SCALE_N;
	dep_unknown_option("rank scaling", s, "n_plus_1 for R = (N + 1 - r)/N, n for R = (N - r)/N");
	return DEP_SCALE_N_PLUS_1;
}

/* Names of the transforms, indexed by DepTransform. */
static const char *const dep_transform_names[] = {
	"none", "zscore", "minmax", "rank", "scaled_rank", "percentile",
	"normal_score", "exponential"
};

DepTransform
dep_parse_transform(const char *s)
{
	for (int i = 0; i < (int) lengthof(dep_transform_names); i++)
		if (strcmp(s, dep_transform_names[i]) == 0)
			return (DepTransform) i;
	dep_unknown_option("transform", s,
					   "exponential, normal_score, zscore, minmax, percentile, scaled_rank, rank, none");
	return DEP_TR_NONE;
}

const char *
dep_transform_name(DepTransform t)
{
	return dep_transform_names[t];
}

bool
dep_parse_direction(const char *s)
{
	if (strcmp(s, "higher_is_worse") == 0)
		return true;
	if (strcmp(s, "higher_is_better") == 0)
		return false;
	dep_unknown_option("direction", s, "higher_is_worse, higher_is_better");
	return true;
}

DepCombine
dep_parse_combine(const char *s)
{
	if (strcmp(s, "arithmetic") == 0)
		return DEP_COMBINE_ARITHMETIC;
	if (strcmp(s, "geometric") == 0)
		return DEP_COMBINE_GEOMETRIC;
	dep_unknown_option("combination", s, "arithmetic, geometric");
	return DEP_COMBINE_ARITHMETIC;
}

/* ---------- ranking and normalisation ---------- */

/* Sort context: oriented values, so that ascending order = most deprived first. */
typedef struct DepSortArg
{
	const double *key;
} DepSortArg;

/* Compare two area indexes by oriented value, then by index (stable, deterministic). */
static inline int
dep_cmp_idx(int a, int b, DepSortArg *arg)
{
	double		ka = arg->key[a];
	double		kb = arg->key[b];

	if (ka < kb)
		return -1;
	if (ka > kb)
		return 1;
	return (a > b) - (a < b);
}

#define ST_SORT dep_sort_idx
#define ST_ELEMENT_TYPE int
#define ST_COMPARE(a, b, arg) dep_cmp_idx(*(a), *(b), (arg))
#define ST_COMPARE_ARG_TYPE DepSortArg
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * dep_rank_scores
 *		Rank the scored areas by score, highest (most deprived) = 1.  Equal
 *		scores share the smallest rank when min_ties, else they get consecutive
 *		ranks in input order.  Unscored areas get rank 0.  order_buf holds n ints.
 */
void
dep_rank_scores(const double *score, const bool *scored, int n, bool min_ties,
				int64 *rank_out, int *order_buf)
{
	double	   *key = palloc(sizeof(double) * Max(n, 1));
	DepSortArg	arg = {key};
	int			m = 0;

	for (int i = 0; i < n; i++)
	{
		rank_out[i] = 0;
		if (scored[i])
		{
			key[i] = -score[i];
			order_buf[m++] = i;
		}
	}
	dep_sort_idx(order_buf, m, &arg);
	for (int p = 0; p < m; p++)
	{
		int			i = order_buf[p];

		if (min_ties && p > 0 && key[order_buf[p - 1]] == key[i])
			rank_out[i] = rank_out[order_buf[p - 1]];
		else
			rank_out[i] = p + 1;
	}
	pfree(key);
}

/*
 * Mean and sample standard deviation of the present values times scale (a
 * power of two from dep_scale_factor, so that neither the sum nor the squares
 * overflow).
 */
static void
dep_mean_sd(const double *x, const bool *isnull, int n, double scale, double *mean, double *sd)
{
	double		sum = 0.0;
	double		ss = 0.0;
	int			m = 0;

	for (int i = 0; i < n; i++)
		if (!isnull[i])
		{
			sum += x[i] * scale;
			m++;
		}
	*mean = sum / m;
	for (int i = 0; i < n; i++)
		if (!isnull[i])
			ss += (x[i] * scale - *mean) * (x[i] * scale - *mean);
	*sd = (m > 1) ? sqrt(ss / (m - 1)) : 0.0;
}

/*
 * dep_normalise
 *		Normalise one indicator over a set of areas; see deprivation.h.  Rank-based
 *		transforms use N = the number of present values.
 */
void
dep_normalise(const double *x, const bool *isnull, int n,
			  DepTransform tr, bool higher_is_worse, DepTies ties,
			  DepScaling scaling, const char *what, double *out)
{
	double		sign = higher_is_worse ? 1.0 : -1.0;
	int			m = 0;

	for (int i = 0; i < n; i++)
	{
		out[i] = get_float8_nan();
		if (!isnull[i])
		{
			if (isnan(x[i]) || isinf(x[i]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s has a non-finite value", what),
						 errhint("Replace NaN and infinite values by NULL (missing) or a real value.")));
			m++;
		}
	}
	if (m == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has no values: all are NULL", what),
				 errhint("Remove the indicator from the specification or supply its values.")));

	if (tr == DEP_TR_NONE)
	{
		for (int i = 0; i < n; i++)
			if (!isnull[i])
				out[i] = sign * x[i];
		return;
	}
	if (tr == DEP_TR_ZSCORE)
	{
		double		mean,
					sd,
					scale = dep_scale_factor(dep_max_abs(x, isnull, n));

		/* computed on x * scale: z-scores do not change under scaling */
		dep_mean_sd(x, isnull, n, scale, &mean, &sd);
		if (!(sd > 0.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s has no variation, so its z-score is undefined", what),
					 errhint("A z-score needs at least two different values; use another transform or drop the indicator.")));
		for (int i = 0; i < n; i++)
			if (!isnull[i])
				out[i] = sign * (x[i] * scale - mean) / sd;
		return;
	}
	if (tr == DEP_TR_MINMAX)
	{
		double		lo = INFINITY,
					hi = -INFINITY;

		for (int i = 0; i < n; i++)
			if (!isnull[i])
			{
				lo = Min(lo, x[i]);
				hi = Max(hi, x[i]);
			}
		if (!(hi > lo))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s has no variation, so min-max scaling is undefined", what),
					 errhint("Min-max scaling needs at least two different values; use another transform or drop the indicator.")));
		{
			/* hi - lo overflows for values of both signs near 1e308: scale first */
			double		scale = dep_scale_factor(Max(fabs(lo), fabs(hi)));

			lo *= scale;
			hi *= scale;
			for (int i = 0; i < n; i++)
				if (!isnull[i])
					out[i] = higher_is_worse ? 100.0 * (x[i] * scale - lo) / (hi - lo)
						: 100.0 * (hi - x[i] * scale) / (hi - lo);
		}
		return;
	}

	/* rank-based transforms: order the present areas, most deprived first */
	{
		int		   *idx = palloc(sizeof(int) * m);
		double	   *key = palloc(sizeof(double) * n);
		DepSortArg	arg = {key};
		int			k = 0;

		for (int i = 0; i < n; i++)
			if (!isnull[i])
			{
				key[i] = higher_is_worse ? -x[i] : x[i];
				idx[k++] = i;
			}
		dep_sort_idx(idx, m, &arg);

		for (int p = 0; p < m;)
		{
			int			q = p;
			double		r;

			while (q + 1 < m && key[idx[q + 1]] == key[idx[p]])
				q++;
			/* positions p..q (0-based) hold equal values */
			r = (ties == DEP_TIES_MIN) ? p + 1.0 : (p + q + 2) / 2.0;
			for (int j = p; j <= q; j++)
			{
				double		v;

				switch (tr)
				{
					case DEP_TR_RANK:
						v = r;
						break;
					case DEP_TR_SCALED_RANK:
					case DEP_TR_EXPONENTIAL:
						v = (scaling == DEP_SCALE_N_PLUS_1) ? (m + 1.0 - r) / m : (m - r) / m;
						if (tr == DEP_TR_EXPONENTIAL)
							v = dep_exponential(v);
						break;
					case DEP_TR_PERCENTILE:
						/* share of less deprived areas; min ties count the group as not less */
						if (m == 1)
							v = 0.0;
						else if (ties == DEP_TIES_MIN)
							v = 100.0 * (m - 1 - q) / (m - 1);
						else
							v = 100.0 * (m - r) / (m - 1);
						break;
					case DEP_TR_NORMAL_SCORE:
						v = dep_inverse_normal((m + 0.5 - r) / m);
						break;
					default:
						/* internal: the spec parser admits only the known transforms */
						elog(ERROR, "unexpected transform %d", (int) tr);
						v = 0.0;
				}
				out[idx[j]] = v;
			}
			p = q + 1;
		}
		pfree(idx);
		pfree(key);
	}
}

/*
 * dep_normalise_weights
 *		Refuse negative, non-finite or all-zero weights; scale to sum 1 and
 *		return the sum as given (Infinity when it exceeds 1.8e308: the shares are
 *		then computed on the weights scaled by a power of two, so weights near
 *		1e308 give correct shares, not zeros).
 */
double
dep_normalise_weights(double *w, int n, const char *what)
{
	double		sum = 0.0;
	double		scaled_sum = 0.0;
	double		scale;

	for (int i = 0; i < n; i++)
	{
		if (!(w[i] >= 0.0) || isinf(w[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weight %d in %s is negative or not finite: %g", i + 1, what, w[i]),
					 errhint("Weights must be finite and zero or positive; reverse an indicator with its direction instead.")));
		sum += w[i];
	}
	if (!(sum > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("all weights in %s are zero", what),
				 errhint("Give at least one positive weight.")));
	scale = dep_scale_factor(dep_max_abs(w, NULL, n));
	for (int i = 0; i < n; i++)
		scaled_sum += w[i] * scale;
	for (int i = 0; i < n; i++)
		w[i] = (w[i] * scale) / scaled_sum;
	return sum;
}

/* ---------- SQL-callable scalars ---------- */

/* Refuse a count of areas below 1. */
static void
dep_check_n(int64 n)
{
	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of areas n must be at least 1, got " INT64_FORMAT, n),
				 errhint("Pass the count of ranked areas, for example count(*) OVER ().")));
}

/* Refuse a rank outside 1 .. n, with a hint fitting the caller. */
static void
dep_check_rank(double rank, int64 n, const char *hint)
{
	if (!(rank >= 1.0 && rank <= (double) n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rank %g is outside 1 .. " INT64_FORMAT, rank, n),
				 errhint("%s", hint)));
}

PG_FUNCTION_INFO_V1(bm_inverse_normal);
/* inverse_normal(p): Phi^-1(p) for 0 < p < 1. */
Datum
bm_inverse_normal(PG_FUNCTION_ARGS)
{
	double		p = PG_GETARG_FLOAT8(0);

	if (!(p > 0.0 && p < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("probability p must be strictly between 0 and 1, got %g", p),
				 errhint("The inverse normal is infinite at 0 and 1; pass a p with 0 < p < 1.")));
	PG_RETURN_FLOAT8(dep_inverse_normal(p));
}

PG_FUNCTION_INFO_V1(bm_normal_score);
/* normal_score(rank, n): Phi^-1((rank - 0.5) / n), the rank-based normal score. */
Datum
bm_normal_score(PG_FUNCTION_ARGS)
{
	double		rank = PG_GETARG_FLOAT8(0);
	int64		n = PG_GETARG_INT64(1);

	dep_check_n(n);
	dep_check_rank(rank, n, "Pass a rank between 1 and n, for example rank() OVER (ORDER BY value).");
	PG_RETURN_FLOAT8(dep_inverse_normal((rank - 0.5) / (double) n));
}

PG_FUNCTION_INFO_V1(bm_exponential_transform);
/* exponential_transform(r): the IMD transform of a scaled rank r in [0, 1]. */
Datum
bm_exponential_transform(PG_FUNCTION_ARGS)
{
	double		r = PG_GETARG_FLOAT8(0);

	if (!(r >= 0.0 && r <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scaled rank r must be between 0 and 1, got %g", r),
				 errhint("Scale the rank first, for example with buurtmonitor.scaled_rank(rank, n).")));
	PG_RETURN_FLOAT8(dep_exponential(r));
}

PG_FUNCTION_INFO_V1(bm_scaled_rank);
/* scaled_rank(rank, n, scaling): R = (N + 1 - r)/N or (N - r)/N. */
Datum
bm_scaled_rank(PG_FUNCTION_ARGS)
{
	double		rank = PG_GETARG_FLOAT8(0);
	int64		n = PG_GETARG_INT64(1);
	DepScaling	sc = dep_parse_scaling(text_to_cstring(PG_GETARG_TEXT_PP(2)));

	dep_check_n(n);
	dep_check_rank(rank, n, "Pass a deprivation rank between 1 (most deprived) and n.");
	PG_RETURN_FLOAT8(sc == DEP_SCALE_N_PLUS_1 ? ((double) n + 1.0 - rank) / (double) n
					 : ((double) n - rank) / (double) n);
}

/* Check rank/n/groups for the grouping functions. */
static void
dep_check_group_args(double rank, int64 n, int32 groups)
{
	dep_check_n(n);
	if (groups < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of groups must be at least 1, got %d", groups),
				 errhint("Use 10 for deciles, 5 for quintiles.")));
	dep_check_rank(rank, n, "Pass a deprivation rank between 1 (most deprived) and n.");
}

PG_FUNCTION_INFO_V1(bm_quantile_group);
/* quantile_group(rank, n, groups): ceil(groups * rank / n); group 1 = most deprived. */
Datum
bm_quantile_group(PG_FUNCTION_ARGS)
{
	double		rank = PG_GETARG_FLOAT8(0);
	int64		n = PG_GETARG_INT64(1);
	int32		groups = PG_GETARG_INT32(2);

	dep_check_group_args(rank, n, groups);
	/* rank * groups is exact in double for any realistic n; ceil of the exact quotient */
	PG_RETURN_INT32((int32) ceil((rank * groups) / (double) n));
}

/* ---------- set-level functions on arrays ---------- */

/* Deconstruct a float8[] into values and null flags; refuse multi-dimensional arrays. */
static int
dep_array_to_doubles(ArrayType *a, double **vals, bool **nulls, const char *what)
{
	Datum	   *d;
	int			n;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what),
				 errhint("Pass a flat array, for example array_agg(value ORDER BY code).")));
	deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &d, nulls, &n);
	*vals = palloc(sizeof(double) * Max(n, 1));
	for (int i = 0; i < n; i++)
		(*vals)[i] = (*nulls)[i] ? 0.0 : DatumGetFloat8(d[i]);
	return n;
}

/* Build a float8[] from values; NaN entries become NULL. */
static ArrayType *
dep_doubles_to_array(const double *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
	{
		nulls[i] = isnan(v[i]);
		d[i] = Float8GetDatum(nulls[i] ? 0.0 : v[i]);
	}
	return construct_md_array(d, nulls, 1, dims, lbs, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

PG_FUNCTION_INFO_V1(bm_normalise);
/*
 * normalise(values, method, direction, ties, rank_scaling): one indicator over
 * a set of areas, element by element in the same order; NULL stays NULL.
 */
Datum
bm_normalise(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	DepTransform tr = dep_parse_transform(text_to_cstring(PG_GETARG_TEXT_PP(1)));
	bool		hiw = dep_parse_direction(text_to_cstring(PG_GETARG_TEXT_PP(2)));
	DepTies		ties = dep_parse_ties(text_to_cstring(PG_GETARG_TEXT_PP(3)));
	DepScaling	sc = dep_parse_scaling(text_to_cstring(PG_GETARG_TEXT_PP(4)));
	double	   *x;
	bool	   *nulls;
	double	   *out;
	int			n;

	n = dep_array_to_doubles(a, &x, &nulls, "values");
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no areas: the values array is empty"),
				 errhint("Pass one value per area.")));
	out = palloc(sizeof(double) * n);
	dep_normalise(x, nulls, n, tr, hiw, ties, sc, "the indicator", out);
	PG_RETURN_ARRAYTYPE_P(dep_doubles_to_array(out, n));
}

PG_FUNCTION_INFO_V1(bm_normalise_weights);
/* normalise_weights(weights): weights scaled to sum 1, with a NOTICE when they did not. */
Datum
bm_normalise_weights(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	double	   *w;
	bool	   *nulls;
	double		sum;
	int			n = dep_array_to_doubles(a, &w, &nulls, "weights");

	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weights array is empty"),
				 errhint("Pass one weight per domain or indicator.")));
	for (int i = 0; i < n; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("weight %d is NULL", i + 1),
					 errhint("Give every weight a value (0 drops the indicator).")));
	sum = dep_normalise_weights(w, n, "the weights array");
	if (!(fabs(sum - 1.0) <= DEP_WEIGHT_TOL))
		dep_notice_weight_sum("weights", sum);
	PG_RETURN_ARRAYTYPE_P(dep_doubles_to_array(w, n));
}

/*
 * dep_weighted_mean_common
 *		Weighted arithmetic or geometric mean of the non-NULL values of one
 *		area, with weights renormalised over those values.  Weights not summing
 *		to 1 get one NOTICE per query (remembered in fn_extra).
 */
static Datum
dep_weighted_mean_common(FunctionCallInfo fcinfo, bool geometric)
{
	ArrayType  *va = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *wa = PG_GETARG_ARRAYTYPE_P(1);
	double	   *v,
			   *w;
	bool	   *vn,
			   *wn;
	int			n = dep_array_to_doubles(va, &v, &vn, "values");
	int			nw = dep_array_to_doubles(wa, &w, &wn, "weights");
	double		sum,
				acc = 0.0,
				wpresent = 0.0;

	if (n != nw)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("values and weights differ in length: %d values, %d weights", n, nw),
				 errhint("Pass one weight per value, in the same order.")));
	if (n == 0)
		PG_RETURN_NULL();
	for (int i = 0; i < n; i++)
		if (wn[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("weight %d is NULL", i + 1),
					 errhint("Give every weight a value (0 drops the indicator).")));
	sum = dep_normalise_weights(w, n, "the weighted mean");
	if (!(fabs(sum - 1.0) <= DEP_WEIGHT_TOL) && fcinfo->flinfo->fn_extra == NULL)
	{
		/* report once per call site, not once per row */
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, 1);
		dep_notice_weight_sum("weights", sum);
	}
	for (int i = 0; i < n; i++)
	{
		if (vn[i])
			continue;
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("value %d is %g; values must be finite numbers", i + 1, v[i]),
					 errhint("Replace NaN and infinite values by NULL (missing).")));
		if (geometric)
		{
			if (!(v[i] > 0.0))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("value %d is %g, but a geometric mean needs positive values", i + 1, v[i]),
						 errhint("Shift the values to be positive, or use the weighted arithmetic mean.")));
			acc += w[i] * log(v[i]);
		}
		else
			acc += w[i] * v[i];
		wpresent += w[i];
	}
	if (wpresent <= 0.0)
		PG_RETURN_NULL();
	acc /= wpresent;
	PG_RETURN_FLOAT8(geometric ? exp(acc) : acc);
}

PG_FUNCTION_INFO_V1(bm_weighted_mean);
/* weighted_mean(values, weights): weighted arithmetic mean of one area's scores. */
Datum
bm_weighted_mean(PG_FUNCTION_ARGS)
{
	return dep_weighted_mean_common(fcinfo, false);
}

PG_FUNCTION_INFO_V1(bm_weighted_geometric_mean);
/* weighted_geometric_mean(values, weights): exp(sum w ln x) of one area's scores. */
Datum
bm_weighted_geometric_mean(PG_FUNCTION_ARGS)
{
	return dep_weighted_mean_common(fcinfo, true);
}
