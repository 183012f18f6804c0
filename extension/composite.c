/*
 * composite.c
 *		Social score, priority score and first-principal-component weights.
 *
 * The SQL wrappers in extension/sql/550_social_score.sql and 570_pca.sql check
 * the specification, read the source table and hand the numbers over as
 * arrays (an n x k matrix has one row per area and one column per indicator).
 * The functions here do the arithmetic and return arrays indexed like the
 * input rows, so the wrapper can unnest them next to the area keys.
 *
 * Formulas (documented in docs/social_score.md):
 *   z_ij  = polarity_j * (x_ij - m_j) / sd_j    (m, sd over the scored areas,
 *           population-weighted when a population is given)
 *   raw_i = sum_j a_j z_ij / sum_j a_j          (over the indicators area i has)
 *   s_i   = raw_i - weighted mean(raw)          (so the weighted mean is 0)
 *   p_i   = min(cap, 1 - beta s_i) for s_i <= 0   (linear, capped),
 *           exp(-gamma s_i)        for s_i >  0   (stays positive),
 *           gamma >= 0 solved so that the weighted mean of p is 1.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(bm_social_score_core);
PG_FUNCTION_INFO_V1(bm_priority_scores);
PG_FUNCTION_INFO_V1(bm_pca_first);

/* A float8 array read into C: values, null flags and its shape. */
typedef struct Float8Array
{
	double	   *v;
	bool	   *isnull;
	int			ndim;
	int			dims[2];
	int			n;				/* total number of elements */
} Float8Array;

/* Read a float8[] (1-D or 2-D, NULL elements allowed) into a Float8Array. */
static void
read_float8_array(ArrayType *arr, const char *what, int want_ndim, Float8Array *out)
{
	Datum	   *elems;
	int			i;
	int			ndim = ARR_NDIM(arr);

	if (ARR_ELEMTYPE(arr) != FLOAT8OID)
		/* internal: the SQL signatures declare double precision[] */
		elog(ERROR, "%s must be a double precision array", what);
	if (ndim != 0 && ndim != want_ndim)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a %d-dimensional array", what, want_ndim),
				 errhint("Pass one row per area%s.", want_ndim == 2 ? " and one column per indicator" : "")));
	out->ndim = ndim;
	out->dims[0] = ndim > 0 ? ARR_DIMS(arr)[0] : 0;
	out->dims[1] = ndim > 1 ? ARR_DIMS(arr)[1] : (ndim == 2 ? 0 : 1);
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &out->isnull, &out->n);
	out->v = palloc(sizeof(double) * Max(out->n, 1));
	for (i = 0; i < out->n; i++)
		out->v[i] = out->isnull[i] ? 0.0 : DatumGetFloat8(elems[i]);
}

/* Build a 1-D float8[] from values with NULL flags (flags may be NULL). */
static ArrayType *
make_float8_array(const double *v, const bool *isnull, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};
	int			i;

	for (i = 0; i < n; i++)
		d[i] = Float8GetDatum(v[i]);
	return construct_md_array(d, (bool *) isnull, 1, dims, lbs, FLOAT8OID,
							  sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* Build a 1-D int4[] from n ints. */
static ArrayType *
make_int4_array(const int *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		d[i] = Int32GetDatum(v[i]);
	return construct_array(d, n, INT4OID, sizeof(int32), true, TYPALIGN_INT);
}

/* Build a 1-D text[] from C strings (NULL pointer = NULL element). */
static ArrayType *
make_text_array(char **s, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *isnull = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};
	int			i;

	for (i = 0; i < n; i++)
	{
		isnull[i] = (s[i] == NULL);
		d[i] = isnull[i] ? (Datum) 0 : CStringGetTextDatum(s[i]);
	}
	return construct_md_array(d, isnull, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT);
}

/*
 * f(g) = sum over the areas with s_i > 0 of w_i (1 - exp(-g s_i)), minus the
 * deprived areas' excess; its root in g is the non-deprived slope gamma.
 * Also returns the derivative f'(g) = sum w_i s_i exp(-g s_i) for Newton steps.
 */
static double
positive_side_deficit(const double *s, const double *w, const bool *use, int n,
					  double g, double excess, double *deriv)
{
	double		sum = 0.0,
				d = 0.0;
	int			i;

	for (i = 0; i < n; i++)
		if (use[i] && s[i] > 0)
		{
			double		e = exp(-g * s[i]);

			sum += w[i] * (1.0 - e);
			d += w[i] * s[i] * e;
		}
	*deriv = d;
	return sum - excess;
}

/*
 * Priority scores p_i for the areas with use[i] (others untouched): capped
 * 1 - beta s on the deprived side, exp(-gamma s) on the other side, with
 * gamma found by safeguarded Newton so that sum w p = sum w exactly (to rounding).
 */
static void
priority_from_scores(const double *s, const double *w, const bool *use, int n,
					 double beta, double cap, double *p)
{
	double		excess = 0.0;	/* sum over s <= 0 of w (p - 1) */
	double		wpos = 0.0;		/* total weight of the areas with s > 0 */
	double		lo = 0.0,
				hi = 1.0;
	double		gamma,
				g,
				deriv;
	int			i,
				iter;

	for (i = 0; i < n; i++)
	{
		if (!use[i])
			continue;
		if (s[i] <= 0)
		{
			p[i] = Min(cap, 1.0 - beta * s[i]);
			excess += w[i] * (p[i] - 1.0);
		}
		else
			wpos += w[i];
	}
	if (excess <= 0.0)
	{
		/* nothing deprived (or zero weight): every area gets priority 1 */
		for (i = 0; i < n; i++)
			if (use[i] && s[i] > 0)
				p[i] = 1.0;
		return;
	}
	if (excess >= wpos)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("priority score cannot reach mean 1: the deprived areas' excess %.6g is not below the weight %.6g of the other areas",
						excess, wpos),
				 errhint("Lower beta or cap, so that the deprived areas carry less extra priority.")));

	/* f grows with g from -excess towards wpos - excess > 0: bracket the root */
	while (positive_side_deficit(s, w, use, n, hi, excess, &deriv) < 0.0)
	{
		lo = hi;
		hi *= 2.0;
		if (hi > 1e300)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("priority score: no slope found for the non-deprived areas"),
					 errhint("Check the scores for values that are huge or nearly equal, or lower beta.")));
	}

	/*
	 * Safeguarded Newton: f is increasing and concave, so Newton steps from
	 * the left stay left of the root; a step leaving the bracket is replaced
	 * by bisection. Stop when no representable progress is left; g, the last
	 * point evaluated, is the root to the last bit or two.
	 */
	g = lo;
	for (iter = 0; iter < 200; iter++)
	{
		double		f = positive_side_deficit(s, w, use, n, g, excess, &deriv);
		double		next;

		if (f == 0.0)
			break;
		if (f < 0.0)
			lo = Max(lo, g);
		else
			hi = Min(hi, g);
		next = (deriv > 0.0) ? g - f / deriv : 0.5 * (lo + hi);
		if (!(next > lo && next < hi))
			next = 0.5 * (lo + hi);
		if (next <= lo || next >= hi || next == g)
			break;				/* no representable progress: converged */
		g = next;
	}
	gamma = g;
	for (i = 0; i < n; i++)
		if (use[i] && s[i] > 0)
			p[i] = exp(-gamma * s[i]);
}

/* Check the priority parameters beta > 0 and cap > 1. */
static void
check_priority_params(double beta, double cap)
{
	if (!(beta > 0.0) || isinf(beta))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("priority beta must be a positive finite number, not %g", beta),
				 errhint("Use beta > 0; the default is 0.5.")));
	if (!(cap > 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("priority cap must be greater than 1, not %g", cap),
				 errhint("Use a cap above 1 (for example 3), or 'Infinity' for no cap.")));
}

/*
 * bm_priority_scores(scores float8[], weights float8[], beta float8, cap float8)
 *		-> float8[]: the priority score of every element (NULL where the score
 *		or the weight is NULL).  weights NULL means equal weights.
 */
Datum
bm_priority_scores(PG_FUNCTION_ARGS)
{
	Float8Array s,
				w;
	double		beta,
				cap;
	double	   *weight,
			   *p;
	bool	   *use,
			   *pnull;
	int			i,
				nuse = 0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("scores, beta and cap must not be NULL"),
				 errhint("Pass an array of scores; beta and cap have defaults 0.5 and 3.")));
	beta = PG_GETARG_FLOAT8(2);
	cap = PG_GETARG_FLOAT8(3);
	check_priority_params(beta, cap);
	read_float8_array(PG_GETARG_ARRAYTYPE_P(0), "scores", 1, &s);
	if (!PG_ARGISNULL(1))
	{
		read_float8_array(PG_GETARG_ARRAYTYPE_P(1), "weights", 1, &w);
		if (w.n != s.n)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("weights has %d elements but scores has %d", w.n, s.n),
					 errhint("Pass one weight per score.")));
	}
	else
		w.n = 0;

	weight = palloc(sizeof(double) * Max(s.n, 1));
	p = palloc0(sizeof(double) * Max(s.n, 1));
	use = palloc(sizeof(bool) * Max(s.n, 1));
	pnull = palloc(sizeof(bool) * Max(s.n, 1));
	for (i = 0; i < s.n; i++)
	{
		bool		wnull = (w.n > 0 && w.isnull[i]);

		weight[i] = w.n > 0 ? w.v[i] : 1.0;
		if (!wnull && (weight[i] < 0 || isnan(weight[i]) || isinf(weight[i])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weight %d is %g; weights must be finite and not negative", i + 1, weight[i]),
					 errhint("Use populations or other non-negative weights.")));
		if (!s.isnull[i] && (isnan(s.v[i]) || isinf(s.v[i])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("score %d is not finite", i + 1),
					 errhint("Remove NaN and infinite scores.")));
		use[i] = !s.isnull[i] && !wnull;
		pnull[i] = !use[i];
		nuse += use[i];
	}
	if (nuse == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("no areas with a score and a weight"),
				 errhint("Pass at least one non-NULL score with a non-NULL weight.")));
	priority_from_scores(s.v, weight, use, s.n, beta, cap, p);
	PG_RETURN_ARRAYTYPE_P(make_float8_array(p, pnull, s.n));
}

/* The data of one social-score call, in C arrays (row-major n x k matrices). */
typedef struct SocialData
{
	int			n;				/* areas */
	int			k;				/* indicators */
	Datum	   *names;			/* k indicator names (text), for messages */
	Float8Array x;				/* observed values, n x k */
	Float8Array imp;			/* parent values, n x k (when have_imp) */
	bool		have_imp;
	Float8Array pol;			/* k polarities */
	Float8Array aw;				/* k indicator weights */
	Float8Array pop;			/* n populations (when weighted) */
	bool		weighted;
	double		min_share;
	/* results and working state */
	double	   *val;			/* value used per cell (observed or imputed) */
	bool	   *have;			/* cell has a value and its area is scored */
	double	   *w;				/* area weight: population or 1 */
	bool	   *scored;
	int		   *nobs;
	int		   *nimp;
	char	  **reason;			/* why an area has no score (NULL if it has one) */
	double	   *score;
} SocialData;

/* Name of indicator j as a C string. */
static char *
indicator_name(const SocialData *d, int j)
{
	return TextDatumGetCString(d->names[j]);
}

/* Indicator weights must be finite and >= 0 (not all 0); polarities +-1. */
static void
check_indicator_specs(const SocialData *d)
{
	double		asum = 0.0;
	int			j;

	for (j = 0; j < d->k; j++)
	{
		if (d->aw.isnull[j] || !(d->aw.v[j] >= 0.0) || isinf(d->aw.v[j]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weight of indicator \"%s\" must be a finite number >= 0", indicator_name(d, j)),
					 errhint("Give non-negative weights; they are normalised to sum 1.")));
		if (d->pol.isnull[j] || (d->pol.v[j] != 1.0 && d->pol.v[j] != -1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("polarity of indicator \"%s\" must be 1 or -1", indicator_name(d, j)),
					 errhint("Use 1 when a higher value is better and -1 when a higher value is worse.")));
		asum += d->aw.v[j];
	}
	if (!(asum > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("indicator weights are all zero"),
				 errhint("Give at least one indicator a positive weight.")));
}

/* Every indicator needs at least one value, and values must be finite. */
static void
check_indicator_values(const SocialData *d)
{
	int			i,
				j;

	for (j = 0; j < d->k; j++)
	{
		bool		any = false;

		for (i = 0; i < d->n; i++)
		{
			int			c = i * d->k + j;

			if (d->x.isnull[c])
				continue;
			if (isnan(d->x.v[c]) || isinf(d->x.v[c]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("indicator \"%s\" has a value that is not finite", indicator_name(d, j)),
						 errhint("Replace NaN and infinite values by NULL.")));
			any = true;
		}
		if (!any)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("indicator \"%s\" is NULL in every area", indicator_name(d, j)),
					 errhint("Drop the indicator from the specification or load its values.")));
	}
}

/*
 * Decide which areas are scored (population present, enough observed
 * indicators), record the reason for the others, and fill the cells of the
 * scored areas (imputing parent values where asked). Returns the count.
 */
static int
select_scored_areas(SocialData *d)
{
	int			i,
				j,
				k = d->k,
				nscored = 0;

	for (i = 0; i < d->n; i++)
	{
		for (j = 0; j < k; j++)
		{
			d->val[i * k + j] = d->x.v[i * k + j];
			d->nobs[i] += !d->x.isnull[i * k + j];
		}
		d->w[i] = 1.0;
		if (d->weighted)
		{
			if (d->pop.isnull[i])
			{
				d->reason[i] = "population missing";
				continue;
			}
			if (!(d->pop.v[i] >= 0.0) || isinf(d->pop.v[i]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("population of area %d is %g; populations must be finite and not negative",
								i + 1, d->pop.v[i]),
						 errhint("Fix the population column or leave out the population weighting.")));
			d->w[i] = d->pop.v[i];
		}
		if (d->nobs[i] == 0)
		{
			d->reason[i] = "no indicator observed";
			continue;
		}
		/* small tolerance so that 2 of 3 passes min_share 0.6667 */
		if (d->nobs[i] < d->min_share * k - 1e-9)
		{
			d->reason[i] = psprintf("%d of %d indicators observed, below min_share %g",
									d->nobs[i], k, d->min_share);
			continue;
		}
		d->scored[i] = true;
		nscored++;
		for (j = 0; j < k; j++)
		{
			int			c = i * k + j;

			d->have[c] = !d->x.isnull[c];
			/* imputation fills gaps of scored areas only; it never makes an area pass */
			if (!d->have[c] && d->have_imp && !d->imp.isnull[c])
			{
				d->have[c] = true;
				d->val[c] = d->imp.v[c];
				d->nimp[i]++;
			}
		}
	}
	return nscored;
}

/* Weighted mean and standard deviation of column j over the cells with have[]. */
static void
column_moments(const SocialData *d, int j, double *mean, double *sd)
{
	double		sw = 0.0,
				swx = 0.0,
				ss = 0.0;
	int			i,
				k = d->k;

	for (i = 0; i < d->n; i++)
		if (d->have[i * k + j])
		{
			sw += d->w[i];
			swx += d->w[i] * d->val[i * k + j];
		}
	*mean = sw > 0 ? swx / sw : 0.0;
	for (i = 0; i < d->n; i++)
		if (d->have[i * k + j])
		{
			double		dev = d->val[i * k + j] - *mean;

			ss += d->w[i] * dev * dev;
		}
	/* unweighted: sample sd (n - 1), as R's sd() and scale(); weighted: divide by the total weight */
	if (d->weighted)
		*sd = sw > 0 ? sqrt(ss / sw) : 0.0;
	else
		*sd = sw > 1 ? sqrt(ss / (sw - 1.0)) : 0.0;
}

/* score_i = weighted mean of the polarity-signed z-scores area i has. */
static void
average_z_scores(SocialData *d)
{
	double	   *num = palloc0(sizeof(double) * d->n);
	double	   *den = palloc0(sizeof(double) * d->n);
	int			i,
				j,
				k = d->k;

	for (j = 0; j < k; j++)
	{
		double		mean,
					sd;

		if (d->aw.v[j] == 0.0)
			continue;
		column_moments(d, j, &mean, &sd);
		if (!(sd > 0.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("indicator \"%s\" has no spread over the scored areas (standard deviation 0)",
							indicator_name(d, j)),
					 errhint("Drop the indicator: a constant cannot be standardised.")));
		for (i = 0; i < d->n; i++)
			if (d->have[i * k + j])
			{
				num[i] += d->aw.v[j] * d->pol.v[j] * (d->val[i * k + j] - mean) / sd;
				den[i] += d->aw.v[j];
			}
	}
	for (i = 0; i < d->n; i++)
	{
		if (!d->scored[i])
			continue;
		if (den[i] > 0.0)
			d->score[i] = num[i] / den[i];
		else
		{
			/* only zero-weight indicators observed: nothing to average */
			d->scored[i] = false;
			d->reason[i] = "only indicators with weight 0 observed";
		}
	}
}

/* Subtract the weighted mean of the scores, so that it is 0. */
static void
centre_scores(SocialData *d)
{
	double		sw = 0.0,
				sws = 0.0;
	int			i;

	for (i = 0; i < d->n; i++)
		if (d->scored[i])
		{
			sw += d->w[i];
			sws += d->w[i] * d->score[i];
		}
	if (!(sw > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the scored areas have total population 0"),
				 errhint("Check the population column.")));
	for (i = 0; i < d->n; i++)
		if (d->scored[i])
			d->score[i] -= sws / sw;
}

/*
 * bm_social_score_core(values float8[][], imputed float8[][], polarity float8[],
 *                      weights float8[], population float8[], min_share float8,
 *                      beta float8, cap float8, names text[])
 *		-> (score float8[], priority float8[], n_observed int4[], n_imputed int4[], reason text[])
 *
 * values: n x k observed values; imputed: n x k parent values used where a
 * value is missing (or NULL for no imputation); population: n weights or NULL
 * for equal weights; names: the k indicator names, for messages.
 */
Datum
bm_social_score_core(PG_FUNCTION_ARGS)
{
	SocialData	d;
	double		beta,
				cap;
	double	   *prio;
	bool	   *snull;
	int			i,
				nnames;
	TupleDesc	tupdesc;
	Datum		outv[5];
	bool		outnull[5] = {false, false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		/* internal: fixed by the SQL declaration */
		elog(ERROR, "bm_social_score_core must return a composite");
	for (i = 0; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i) && i != 1 && i != 4)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("social score: argument %d must not be NULL", i + 1),
					 errhint("Call buurtmonitor.social_score(), which fills in every argument.")));
	memset(&d, 0, sizeof(d));
	d.have_imp = !PG_ARGISNULL(1);
	d.weighted = !PG_ARGISNULL(4);
	d.min_share = PG_GETARG_FLOAT8(5);
	beta = PG_GETARG_FLOAT8(6);
	cap = PG_GETARG_FLOAT8(7);
	check_priority_params(beta, cap);
	if (!(d.min_share >= 0.0 && d.min_share <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_share must lie between 0 and 1, not %g", d.min_share),
				 errhint("Give the minimum share of indicators an area must have, for example 0.75.")));

	/* read and check the arguments' shapes */
	read_float8_array(PG_GETARG_ARRAYTYPE_P(0), "values", 2, &d.x);
	d.n = d.x.dims[0];
	d.k = d.x.ndim == 2 ? d.x.dims[1] : 0;
	if (d.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("social score needs at least one area, the source has none"),
				 errhint("Check the source table and its filter.")));
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(8), TEXTOID, -1, false, TYPALIGN_INT, &d.names, NULL, &nnames);
	read_float8_array(PG_GETARG_ARRAYTYPE_P(2), "polarity", 1, &d.pol);
	read_float8_array(PG_GETARG_ARRAYTYPE_P(3), "weights", 1, &d.aw);
	if (d.pol.n != d.k || d.aw.n != d.k || nnames != d.k)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("social score: %d indicator columns but %d polarities, %d weights, %d names",
						d.k, d.pol.n, d.aw.n, nnames),
				 errhint("Give one polarity, weight and name per indicator column.")));
	if (d.have_imp)
	{
		read_float8_array(PG_GETARG_ARRAYTYPE_P(1), "imputed", 2, &d.imp);
		if (d.imp.n != d.x.n)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("social score: imputed matrix has %d cells, values has %d", d.imp.n, d.x.n),
					 errhint("The imputed matrix has the shape of the values.")));
	}
	if (d.weighted)
	{
		read_float8_array(PG_GETARG_ARRAYTYPE_P(4), "population", 1, &d.pop);
		if (d.pop.n != d.n)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("social score: %d populations for %d areas", d.pop.n, d.n),
					 errhint("Give one population per area (row of the values).")));
	}
	check_indicator_specs(&d);
	check_indicator_values(&d);

	d.val = palloc(sizeof(double) * d.n * d.k);
	d.have = palloc0(sizeof(bool) * d.n * d.k);
	d.w = palloc(sizeof(double) * d.n);
	d.scored = palloc0(sizeof(bool) * d.n);
	d.nobs = palloc0(sizeof(int) * d.n);
	d.nimp = palloc0(sizeof(int) * d.n);
	d.reason = palloc0(sizeof(char *) * d.n);
	d.score = palloc0(sizeof(double) * d.n);

	if (select_scored_areas(&d) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("no area has enough indicators for a social score"),
				 errhint("Lower min_share or add indicator values.")));
	average_z_scores(&d);
	centre_scores(&d);

	prio = palloc0(sizeof(double) * d.n);
	snull = palloc(sizeof(bool) * d.n);
	priority_from_scores(d.score, d.w, d.scored, d.n, beta, cap, prio);
	for (i = 0; i < d.n; i++)
		snull[i] = !d.scored[i];

	outv[0] = PointerGetDatum(make_float8_array(d.score, snull, d.n));
	outv[1] = PointerGetDatum(make_float8_array(prio, snull, d.n));
	outv[2] = PointerGetDatum(make_int4_array(d.nobs, d.n));
	outv[3] = PointerGetDatum(make_int4_array(d.nimp, d.n));
	outv[4] = PointerGetDatum(make_text_array(d.reason, d.n));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), outv, outnull)));
}

/*
 * Eigen-decomposition of the symmetric k x k matrix a (overwritten) by cyclic
 * Jacobi rotations; eigenvalues to d, eigenvectors to the columns of v.
 */
static void
jacobi_eigen(double *a, int k, double *d, double *v)
{
	int			sweep,
				p,
				q,
				r;

	for (p = 0; p < k; p++)
		for (q = 0; q < k; q++)
			v[p * k + q] = (p == q) ? 1.0 : 0.0;
	for (sweep = 0; sweep < 100; sweep++)
	{
		double		off = 0.0;

		for (p = 0; p < k; p++)
			for (q = p + 1; q < k; q++)
				off += a[p * k + q] * a[p * k + q];
		if (off < 1e-30)
			break;
		for (p = 0; p < k; p++)
			for (q = p + 1; q < k; q++)
			{
				double		apq = a[p * k + q];
				double		theta,
							t,
							c,
							s;

				if (fabs(apq) < 1e-300)
					continue;
				/* rotation angle that zeroes a[p][q] (Golub & Van Loan 8.4) */
				theta = (a[q * k + q] - a[p * k + p]) / (2.0 * apq);
				t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
				c = 1.0 / sqrt(t * t + 1.0);
				s = t * c;
				for (r = 0; r < k; r++)
				{
					/* A := A J (columns p and q) */
					double		arp = a[r * k + p],
								arq = a[r * k + q];

					a[r * k + p] = c * arp - s * arq;
					a[r * k + q] = s * arp + c * arq;
				}
				for (r = 0; r < k; r++)
				{
					/* A := J' A (rows p and q) */
					double		apr = a[p * k + r],
								aqr = a[q * k + r];

					a[p * k + r] = c * apr - s * aqr;
					a[q * k + r] = s * apr + c * aqr;
				}
				for (r = 0; r < k; r++)
				{
					double		vrp = v[r * k + p],
								vrq = v[r * k + q];

					v[r * k + p] = c * vrp - s * vrq;
					v[r * k + q] = s * vrp + c * vrq;
				}
			}
	}
	for (p = 0; p < k; p++)
		d[p] = a[p * k + p];
}

/* Mark the rows without NULLs (rejecting non-finite values); returns their count. */
static int
complete_rows(const Float8Array *x, int n, int k, Datum *names, bool *complete)
{
	int			i,
				j,
				m = 0;

	for (i = 0; i < n; i++)
	{
		complete[i] = true;
		for (j = 0; j < k; j++)
		{
			double		v = x->v[i * k + j];

			if (x->isnull[i * k + j])
				complete[i] = false;
			else if (isnan(v) || isinf(v))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("indicator \"%s\" has a value that is not finite", TextDatumGetCString(names[j])),
						 errhint("Replace NaN and infinite values by NULL.")));
		}
		m += complete[i];
	}
	return m;
}

/* Correlation matrix (k x k) of the columns over the m complete rows. */
static void
correlation_matrix(const Float8Array *x, int n, int k, const bool *complete, int m,
				   Datum *names, double *cor)
{
	double	   *mean = palloc0(sizeof(double) * k);
	double	   *sd = palloc0(sizeof(double) * k);
	int			i,
				j,
				l;

	for (j = 0; j < k; j++)
	{
		for (i = 0; i < n; i++)
			if (complete[i])
				mean[j] += x->v[i * k + j];
		mean[j] /= m;
		for (i = 0; i < n; i++)
			if (complete[i])
				sd[j] += (x->v[i * k + j] - mean[j]) * (x->v[i * k + j] - mean[j]);
		sd[j] = sqrt(sd[j] / (m - 1));
		if (!(sd[j] > 0.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("indicator \"%s\" has no spread (standard deviation 0)", TextDatumGetCString(names[j])),
					 errhint("Drop the constant column: it has no correlation with the others.")));
	}
	for (j = 0; j < k; j++)
		for (l = j; l < k; l++)
		{
			double		c = 0.0;

			for (i = 0; i < n; i++)
				if (complete[i])
					c += (x->v[i * k + j] - mean[j]) * (x->v[i * k + l] - mean[l]);
			c /= (m - 1) * sd[j] * sd[l];
			cor[j * k + l] = cor[l * k + j] = (j == l) ? 1.0 : c;
		}
}

/* Flip a unit vector so that its entries sum positive (if ~0: first non-zero entry positive). */
static void
orient_loadings(double *load, int k)
{
	double		sum = 0.0;
	int			j;

	for (j = 0; j < k; j++)
		sum += load[j];
	if (fabs(sum) < 1e-12)
	{
		for (j = 0; j < k && fabs(load[j]) < 1e-12; j++)
			;
		sum = (j < k) ? load[j] : 1.0;
	}
	if (sum < 0)
		for (j = 0; j < k; j++)
			load[j] = -load[j];
}

/* Sort k values largest first (k is small: insertion sort). */
static void
sort_descending(double *v, int k)
{
	int			j,
				l;

	for (j = 1; j < k; j++)
	{
		double		t = v[j];

		for (l = j; l > 0 && v[l - 1] < t; l--)
			v[l] = v[l - 1];
		v[l] = t;
	}
}

/*
 * bm_pca_first(values float8[][], names text[]) -> (loadings float8[], eigenvalues float8[], n_used int4)
 *
 * Principal components of the correlation matrix of the k columns over the
 * rows without NULLs (as R prcomp(scale. = TRUE) on complete cases).
 * loadings: the unit eigenvector of the largest eigenvalue, signed so that
 * the loadings sum to a positive number (ties: the first non-zero loading
 * positive); eigenvalues: all k, largest first.
 */
Datum
bm_pca_first(PG_FUNCTION_ARGS)
{
	Float8Array x;
	Datum	   *names;
	int			nnames,
				n,
				k,
				j,
				m,
				best = 0;
	double	   *cor,
			   *eig,
			   *vec,
			   *load;
	bool	   *complete;
	TupleDesc	tupdesc;
	Datum		outv[3];
	bool		outnull[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		/* internal: fixed by the SQL declaration */
		elog(ERROR, "bm_pca_first must return a composite");
	read_float8_array(PG_GETARG_ARRAYTYPE_P(0), "values", 2, &x);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT, &names, NULL, &nnames);
	n = x.dims[0];
	k = x.ndim == 2 ? x.dims[1] : 0;
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("principal components need at least 3 areas, the source has none"),
				 errhint("Check the source table and its filter.")));
	if (k != nnames)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("principal components: %d columns but %d names", k, nnames),
				 errhint("Give one name per column of the values.")));
	if (k < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("principal components need at least two indicator columns, got %d", k),
				 errhint("Pass two or more columns.")));

	complete = palloc(sizeof(bool) * n);
	m = complete_rows(&x, n, k, names, complete);
	if (m < 3)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("principal components need at least 3 areas with every indicator, found %d", m),
				 errhint("Add areas or drop indicators that are often NULL.")));

	cor = palloc(sizeof(double) * k * k);
	eig = palloc(sizeof(double) * k);
	vec = palloc(sizeof(double) * k * k);
	load = palloc(sizeof(double) * k);
	correlation_matrix(&x, n, k, complete, m, names, cor);
	jacobi_eigen(cor, k, eig, vec);

	/* the first component: eigenvector (column of vec) of the largest eigenvalue */
	for (j = 1; j < k; j++)
		if (eig[j] > eig[best])
			best = j;
	for (j = 0; j < k; j++)
		load[j] = vec[j * k + best];
	orient_loadings(load, k);
	sort_descending(eig, k);

	outv[0] = PointerGetDatum(make_float8_array(load, NULL, k));
	outv[1] = PointerGetDatum(make_float8_array(eig, NULL, k));
	outv[2] = Int32GetDatum(m);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), outv, outnull)));
}
