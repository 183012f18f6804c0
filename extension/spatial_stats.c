/*
 * spatial_stats.c
 *		Global Moran's I, local Moran (LISA) with conditional permutations,
 *		Getis-Ord Gi and Gi*, and multiple-testing adjustment.
 *
 * The formulas are spdep 1.2-7's, so results can be checked against it:
 * moran.test (adjust.n: n counts the areas with neighbours, the mean and the
 * kurtosis use all values), localmoran (mlvar, conditional or total
 * expectation and variance) and localG.
 *
 * Input: values x (in area_code order, the SQL layer sorts) and the weights
 * as links (i, j, w) with 1-based indices, sorted by i.  Permutations are
 * seeded: each area's stream is seeded from the seed and a hash of its
 * area_code (FNV-1a then splitmix64, the same on every machine), so a result
 * depends neither on row order nor on the other areas' draws.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "significance.h"

PG_FUNCTION_INFO_V1(bm_moran_global);
PG_FUNCTION_INFO_V1(bm_moran_local);
PG_FUNCTION_INFO_V1(bm_getis_ord);

/* Weights in compressed rows: the links of area i are start[i] .. start[i+1]-1. */
typedef struct SsWeights
{
	int			n;
	int		   *start;
	int		   *col;
	double	   *w;
	double	   *x;
	double		mean, m2, m4;	/* mean, sum z^2 / n, sum z^4 / n */
	double	   *z;				/* x - mean */
	double	   *lag;			/* sum_j w_ij z_j */
	double	   *wsum;			/* W_i */
	double	   *w2sum;			/* sum_j w_ij^2 */
	int		   *card;			/* neighbours other than the area itself */
} SsWeights;

static void
float8_array(ArrayType *a, const char *what, double **out, int *n)
{
	Datum	   *e;
	bool	   *nulls;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						errmsg("%s must be a one-dimensional array", what),
						errhint("Pass a one-dimensional array.")));
	deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &e, &nulls, n);
	*out = palloc(sizeof(double) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("%s has a NULL at position %d", what, i + 1),
						errhint("Leave out the areas without a value, or fill them first.")));
		(*out)[i] = DatumGetFloat8(e[i]);
		if (!isfinite((*out)[i]))
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("%s has a non-finite value (%g) at position %d", what, (*out)[i], i + 1),
							errhint("NaN and infinite values have no place in spatial statistics; drop or repair them.")));
	}
}

static void
int4_array(ArrayType *a, const char *what, int **out, int *n)
{
	Datum	   *e;
	bool	   *nulls;

	deconstruct_array(a, INT4OID, 4, true, TYPALIGN_INT, &e, &nulls, n);
	*out = palloc(sizeof(int) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("%s has a NULL at position %d", what, i + 1),
						errhint("Leave out the links with a NULL, or fill them first.")));
		(*out)[i] = DatumGetInt32(e[i]);
	}
}

/*
 * Read x (argument a), and the links i, j, w (arguments a+1 .. a+3) into
 * compressed rows; compute z, the lag and the row sums.
 */
static SsWeights *
read_input(FunctionCallInfo fcinfo, int a)
{
	SsWeights  *s = palloc0(sizeof(SsWeights));
	int		   *li, *lj;
	double	   *lw;
	int			nl, nl2, nl3;

	float8_array(PG_GETARG_ARRAYTYPE_P(a), "values", &s->x, &s->n);
	int4_array(PG_GETARG_ARRAYTYPE_P(a + 1), "link i", &li, &nl);
	int4_array(PG_GETARG_ARRAYTYPE_P(a + 2), "link j", &lj, &nl2);
	float8_array(PG_GETARG_ARRAYTYPE_P(a + 3), "link weights", &lw, &nl3);
	if (nl != nl2 || nl != nl3)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						errmsg("link arrays have different lengths (%d, %d, %d)", nl, nl2, nl3),
						errhint("Pass i, j and w arrays of equal length, as stored in buurtmonitor.weights_links.")));
	if (s->n < 3)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("spatial statistics need at least 3 areas with a value, not %d", s->n),
						errhint("Use a larger set of areas, or check for missing values.")));
	s->start = palloc0(sizeof(int) * (s->n + 1));
	s->col = palloc(sizeof(int) * Max(nl, 1));
	s->w = palloc(sizeof(double) * Max(nl, 1));
	for (int e = 0; e < nl; e++)
	{
		if (li[e] < 1 || li[e] > s->n || lj[e] < 1 || lj[e] > s->n || (e > 0 && li[e] < li[e - 1]))
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("link %d (%d -> %d) is out of range or out of order", e + 1, li[e], lj[e]),
						errhint("Links are 1-based area numbers sorted by i then j, as stored in buurtmonitor.weights_links.")));
		s->start[li[e]]++;
		s->col[e] = lj[e] - 1;
		s->w[e] = lw[e];
	}
	for (int i = 0; i < s->n; i++)
		s->start[i + 1] += s->start[i];

	s->z = palloc(sizeof(double) * s->n);
	s->lag = palloc0(sizeof(double) * s->n);
	s->wsum = palloc0(sizeof(double) * s->n);
	s->w2sum = palloc0(sizeof(double) * s->n);
	s->card = palloc0(sizeof(int) * s->n);
	for (int i = 0; i < s->n; i++)
		s->mean += s->x[i];
	s->mean /= s->n;
	for (int i = 0; i < s->n; i++)
	{
		s->z[i] = s->x[i] - s->mean;
		s->m2 += s->z[i] * s->z[i];
		s->m4 += s->z[i] * s->z[i] * s->z[i] * s->z[i];
	}
	s->m2 /= s->n;
	s->m4 /= s->n;
	if (!(s->m2 > 0))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("the values have zero variance (all %d equal %g)", s->n, s->x[0]),
						errhint("Spatial autocorrelation is undefined for a constant indicator.")));
	for (int i = 0; i < s->n; i++)
		for (int e = s->start[i]; e < s->start[i + 1]; e++)
		{
			s->lag[i] += s->w[e] * s->z[s->col[e]];
			s->wsum[i] += s->w[e];
			s->w2sum[i] += s->w[e] * s->w[e];
			s->card[i] += s->col[e] != i;
		}
	return s;
}

/* Start a materialised set-returning result (PostgreSQL's helper). */
static Tuplestorestate *
srf_begin(FunctionCallInfo fcinfo, TupleDesc *tdp)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	*tdp = rsinfo->setDesc;
	return rsinfo->setResult;
}

/* Seeded generator for one stream: splitmix64 of the seed mixed with a key hash. */
static void
stream_seed(pg_prng_state *st, int64 seed, const char *key, int keylen)
{
	uint64		h = UINT64CONST(14695981039346656037);
	uint64		z;

	for (int i = 0; i < keylen; i++)
	{
		h ^= (unsigned char) key[i];
		h *= UINT64CONST(1099511628211);
	}
	z = (uint64) seed + h * UINT64CONST(0x9E3779B97F4A7C15);
	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	pg_prng_seed(st, z ^ (z >> 31));
}

/*
 * Uniform integer in [0, bound) from a 32-bit draw, unbiased (Lemire's multiply-and-reject),
 * the same on every machine; bound must be below 2^32.
 */
static inline uint32
draw_below(pg_prng_state *st, uint32 bound)
{
	uint64		m = (uint64) pg_prng_uint32(st) * bound;
	uint32		low = (uint32) m;

	if (low < bound)
	{
		uint32		threshold = (uint32) (-bound) % bound;

		while (low < threshold)
		{
			m = (uint64) pg_prng_uint32(st) * bound;
			low = (uint32) m;
		}
	}
	return (uint32) (m >> 32);
}

/* Permutation p-value from the counts of draws at or above / at or below the observation. */
static double
perm_p(int ge, int le, int nsim, bool folded)
{
	double		p = (Min(ge, le) + 1.0) / (nsim + 1.0);

	return folded ? p : Min(1.0, 2.0 * p);
}

static double
normal_p(double z, bool folded)
{
	double		p = bm_normal_p_two_sided(z);

	return folded ? p / 2.0 : p;
}

static bool
alternative_folded(text *t)
{
	char	   *s = text_to_cstring(t);

	if (strcmp(s, "two_sided") == 0)
		return false;
	if (strcmp(s, "folded") == 0)
		return true;
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					errmsg("unknown alternative: %s", s),
					errhint("Use two_sided (the default) or folded (GeoDa's one-sided pseudo p-value).")));
	return false;
}

/* Moran's I of z under weights s (n adjusted for islands). */
static double
moran_i(const SsWeights *s, const double *z, double n_adj, double s0)
{
	double		num = 0;

	for (int i = 0; i < s->n; i++)
	{
		double		l = 0;

		for (int e = s->start[i]; e < s->start[i + 1]; e++)
			l += s->w[e] * z[s->col[e]];
		num += z[i] * l;
	}
	return n_adj / s0 * num / (s->m2 * s->n);
}

/* S0, S1, S2 of spdep's spweights.constants. */
static void
weights_constants(const SsWeights *s, double *s0, double *s1, double *s2)
{
	double	   *cs = palloc0(sizeof(double) * s->n);

	*s0 = *s1 = *s2 = 0;
	for (int i = 0; i < s->n; i++)
		for (int e = s->start[i]; e < s->start[i + 1]; e++)
		{
			int			j = s->col[e];
			double		wji = 0;

			/* w_ji: the links of j are sorted by neighbour, so bisect */
			int			lo = s->start[j], hi = s->start[j + 1] - 1;

			while (lo <= hi)
			{
				int			mid = (lo + hi) / 2;

				if (s->col[mid] == i)
				{
					wji = s->w[mid];
					break;
				}
				if (s->col[mid] < i)
					lo = mid + 1;
				else
					hi = mid - 1;
			}
			*s0 += s->w[e];
			*s1 += s->w[e] * s->w[e] + s->w[e] * wji;
			cs[j] += s->w[e];
		}
	for (int i = 0; i < s->n; i++)
		*s2 += (s->wsum[i] + cs[i]) * (s->wsum[i] + cs[i]);
	pfree(cs);
}

/*
 * moran_global(x, i, j, w, permutations, seed, alternative)
 *   -> (n, n_neighbours, i, e, var_norm, var_rand, z_norm, z_rand, p_norm, p_rand, p_sim)
 */
Datum
bm_moran_global(PG_FUNCTION_ARGS)
{
	SsWeights  *s = read_input(fcinfo, 0);
	int			nsim = PG_GETARG_INT32(4);
	bool		folded = alternative_folded(PG_GETARG_TEXT_PP(6));
	double		s0, s1, s2, n, n2, k, I, E, vn, vr;
	int			n_adj = 0;
	TupleDesc	td;
	Datum		v[11];
	bool		nulls[11] = {0};

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");	/* internal: the SQL signature declares OUT columns */
	for (int i = 0; i < s->n; i++)
		n_adj += s->start[i + 1] > s->start[i];
	weights_constants(s, &s0, &s1, &s2);
	if (n_adj < 3 || !(s0 > 0))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("only %d areas have neighbours; Moran's I needs at least 3", n_adj),
						errhint("Use weights that connect more areas (for example knn).")));
	n = n_adj;
	n2 = n * n;
	k = s->m4 / (s->m2 * s->m2);	/* length(x) * sum z^4 / (sum z^2)^2 */
	I = moran_i(s, s->z, n, s0);
	E = -1.0 / (n - 1);
	vn = (n2 * s1 - n * s2 + 3 * s0 * s0) / (s0 * s0 * (n2 - 1)) - E * E;
	vr = (n * (s1 * (n2 - 3 * n + 3) - n * s2 + 3 * s0 * s0)
		  - k * (s1 * (n2 - n) - 2 * n * s2 + 6 * s0 * s0))
		/ ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - E * E;
	v[0] = Int32GetDatum(s->n);
	v[1] = Int32GetDatum(n_adj);
	v[2] = Float8GetDatum(I);
	v[3] = Float8GetDatum(E);
	v[4] = Float8GetDatum(vn);
	v[5] = Float8GetDatum(vr);
	v[6] = Float8GetDatum((I - E) / sqrt(vn));
	v[7] = Float8GetDatum((I - E) / sqrt(vr));
	v[8] = Float8GetDatum(normal_p((I - E) / sqrt(vn), folded));
	v[9] = Float8GetDatum(normal_p((I - E) / sqrt(vr), folded));
	nulls[7] = nulls[9] = !(vr > 0);
	nulls[10] = nsim == 0;
	if (nsim > 0)
	{
		pg_prng_state st;
		double	   *zp = palloc(sizeof(double) * s->n);
		int			ge = 0, le = 0;

		memcpy(zp, s->z, sizeof(double) * s->n);
		stream_seed(&st, PG_GETARG_INT64(5), "", 0);
		for (int r = 0; r < nsim; r++)
		{
			double		Ir;

			CHECK_FOR_INTERRUPTS();
			for (int i = s->n - 1; i > 0; i--)
			{
				int			t = (int) draw_below(&st, (uint32) (i + 1));
				double		tmp = zp[i];

				zp[i] = zp[t];
				zp[t] = tmp;
			}
			Ir = moran_i(s, zp, n, s0);
			ge += Ir >= I;
			le += Ir <= I;
		}
		v[10] = Float8GetDatum(perm_p(ge, le, nsim, folded));
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(td), v, nulls)));
}

/*
 * Conditional permutations of area i: nsim draws of its neighbours' values from
 * the other n - 1 values without replacement.  pool holds 0 .. n-1 with i at
 * the end on entry and is restored on exit.  Returns the counts of simulated
 * I_i at or above and at or below the observed one, and their sum and sum of squares.
 */
static void
permute_area(const SsWeights *s, int i, int nsim, pg_prng_state *st, int *pool,
			 int *ge, int *le, double *sum, double *sumsq)
{
	int			first = s->start[i], k = s->start[i + 1] - first;
	double		f = s->z[i] / s->m2;
	double		obs = f * s->lag[i];
	int		   *swaps = palloc(sizeof(int) * Max(k, 1));

	*ge = *le = 0;
	*sum = *sumsq = 0;
	for (int r = 0; r < nsim; r++)
	{
		double		l = 0, Ir;

		for (int t = 0; t < k; t++)
		{
			int			u = t + (int) draw_below(st, (uint32) (s->n - 1 - t));
			int			tmp = pool[t];

			pool[t] = pool[u];
			pool[u] = tmp;
			swaps[t] = u;
			l += s->w[first + t] * s->z[pool[t]];
		}
		for (int t = k - 1; t >= 0; t--)
		{
			int			tmp = pool[t];

			pool[t] = pool[swaps[t]];
			pool[swaps[t]] = tmp;
		}
		Ir = f * l;
		*ge += Ir >= obs;
		*le += Ir <= obs;
		*sum += Ir;
		*sumsq += Ir * Ir;
	}
	pfree(swaps);
}

static int
p_cmp(const void *a, const void *b, void *arg)
{
	const double *p = arg;
	double		x = p[*(const int *) a], y = p[*(const int *) b];

	return x < y ? -1 : (x > y ? 1 : *(const int *) a - *(const int *) b);
}

/* Benjamini-Hochberg adjustment of the non-NaN values of p (NaN stays NaN). */
static void
adjust_bh(const double *p, double *out, int n)
{
	int		   *ord = palloc(sizeof(int) * Max(n, 1));
	int			m = 0;
	double		run = 1.0;

	for (int i = 0; i < n; i++)
	{
		out[i] = NAN;
		if (!isnan(p[i]))
			ord[m++] = i;
	}
	qsort_arg(ord, m, sizeof(int), p_cmp, (void *) p);
	for (int r = m - 1; r >= 0; r--)
	{
		run = Min(run, p[ord[r]] * m / (r + 1.0));
		out[ord[r]] = Min(run, 1.0);
	}
	pfree(ord);
}

static int
count_finite(const double *p, int n)
{
	int			m = 0;

	for (int i = 0; i < n; i++)
		m += !isnan(p[i]);
	return m;
}

static Datum
float_or_null(double x, bool *isnull)
{
	*isnull = isnan(x);
	return Float8GetDatum(x);
}

static const char *
quadrant_of(double z, double lag)
{
	return z > 0 ? (lag > 0 ? "high-high" : "high-low") : (lag > 0 ? "low-high" : "low-low");
}

/* The codes of argument 0, one per value. */
static text **
read_codes(FunctionCallInfo fcinfo, int n)
{
	Datum	   *e;
	bool	   *nulls;
	int			nc;
	text	  **codes;

	deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), TEXTOID, -1, false, TYPALIGN_INT, &e, &nulls, &nc);
	if (nc != n)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						errmsg("%d codes for %d values", nc, n),
						errhint("Pass one area code per value.")));
	codes = palloc(sizeof(text *) * n);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("area code %d is NULL", i + 1),
						errhint("Give every area a code.")));
		codes[i] = DatumGetTextPP(e[i]);
	}
	return codes;
}

/* Per-area results of local Moran. */
typedef struct LisaRow
{
	double		ii, e, var, z, p_norm, p_sim, e_sim, var_sim;
} LisaRow;

/* Analytic moments of I_i (spdep localmoran, mlvar = TRUE). */
static void
lisa_analytic(const SsWeights *s, int i, bool conditional, LisaRow *r)
{
	double		n = s->n, zi = s->z[i], wi = s->wsum[i], wi2 = s->w2sum[i];
	double		b2 = s->m4 / (s->m2 * s->m2);

	r->ii = zi / s->m2 * s->lag[i];
	if (conditional)
	{
		r->e = -(zi * zi * wi) / ((n - 1) * s->m2) + 0.0;	/* no -0 for islands */
		r->var = (zi / s->m2) * (zi / s->m2) * (n / (n - 2)) * (wi2 - wi * wi / (n - 1))
			* (s->m2 - zi * zi / (n - 1));
	}
	else
	{
		double		A = (n - b2) / (n - 1), B = (2 * b2 - n) / ((n - 1) * (n - 2));

		r->e = -wi / (n - 1);
		r->var = A * wi2 + B * (wi * wi - wi2) - r->e * r->e;
	}
	r->z = r->var > 0 ? (r->ii - r->e) / sqrt(r->var) : NAN;
}

/*
 * moran_local(codes, x, i, j, w, permutations, seed, alternative, conditional, alpha)
 *   -> (area_code, value, ii, e_ii, var_ii, z_ii, p_norm, p_sim, p_fdr,
 *       p_bonferroni, e_sim, var_sim, quadrant, cluster, neighbours): p_fdr and
 *   p_bonferroni adjust p_sim, or p_norm when there are no permutations.
 */
Datum
bm_moran_local(PG_FUNCTION_ARGS)
{
	SsWeights  *s = read_input(fcinfo, 1);
	text	  **codes = read_codes(fcinfo, s->n);
	int			nsim = PG_GETARG_INT32(5);
	int64		seed = PG_GETARG_INT64(6);
	bool		folded = alternative_folded(PG_GETARG_TEXT_PP(7));
	bool		conditional = PG_GETARG_BOOL(8);
	double		alpha = PG_GETARG_FLOAT8(9);
	LisaRow    *r = palloc0(sizeof(LisaRow) * s->n);
	double	   *psim = palloc(sizeof(double) * s->n);
	double	   *pfdr = palloc(sizeof(double) * s->n);
	int		   *pool = palloc(sizeof(int) * s->n);
	int			m;
	TupleDesc	td;
	Tuplestorestate *ts = srf_begin(fcinfo, &td);

	if (nsim < 0 || !(alpha > 0 && alpha < 1))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("permutations must be 0 or more and alpha between 0 and 1"),
						errhint("The defaults are permutations => 999 and alpha => 0.05.")));
	for (int i = 0; i < s->n; i++)
	{
		if (s->card[i] != s->start[i + 1] - s->start[i])
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("area %s is its own neighbour", text_to_cstring(codes[i])),
							errhint("Local Moran needs weights without the area itself; use them for Getis-Ord Gi* only.")));
		pool[i] = i;
	}
	for (int i = 0; i < s->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		lisa_analytic(s, i, conditional, &r[i]);
		r[i].p_norm = isnan(r[i].z) ? NAN : normal_p(r[i].z, folded);
		r[i].p_sim = r[i].e_sim = r[i].var_sim = NAN;
		if (nsim > 0 && s->card[i] > 0)
		{
			pg_prng_state st;
			int			ge, le, tmp;
			double		sum, sumsq;

			stream_seed(&st, seed, VARDATA_ANY(codes[i]), VARSIZE_ANY_EXHDR(codes[i]));
			tmp = pool[i], pool[i] = pool[s->n - 1], pool[s->n - 1] = tmp;
			permute_area(s, i, nsim, &st, pool, &ge, &le, &sum, &sumsq);
			tmp = pool[i], pool[i] = pool[s->n - 1], pool[s->n - 1] = tmp;
			r[i].p_sim = perm_p(ge, le, nsim, folded);
			r[i].e_sim = sum / nsim;
			r[i].var_sim = nsim > 1 ? (sumsq - sum * sum / nsim) / (nsim - 1) : NAN;
		}
		psim[i] = nsim > 0 ? r[i].p_sim : r[i].p_norm;
	}
	adjust_bh(psim, pfdr, s->n);
	m = count_finite(psim, s->n);
	for (int i = 0; i < s->n; i++)
	{
		Datum		v[15];
		bool		nl[15] = {0};
		bool		island = s->card[i] == 0;

		v[0] = PointerGetDatum(codes[i]);
		v[1] = Float8GetDatum(s->x[i]);
		v[2] = Float8GetDatum(r[i].ii);
		v[3] = Float8GetDatum(r[i].e);
		v[4] = Float8GetDatum(r[i].var);
		v[5] = float_or_null(r[i].z, &nl[5]);
		v[6] = float_or_null(r[i].p_norm, &nl[6]);
		v[7] = float_or_null(r[i].p_sim, &nl[7]);
		v[8] = float_or_null(pfdr[i], &nl[8]);
		v[9] = float_or_null(isnan(psim[i]) ? NAN : Min(1.0, psim[i] * m), &nl[9]);
		v[10] = float_or_null(r[i].e_sim, &nl[10]);
		v[11] = float_or_null(r[i].var_sim, &nl[11]);
		v[12] = CStringGetTextDatum(island ? "island" : quadrant_of(s->z[i], s->lag[i]));
		v[13] = CStringGetTextDatum(island ? "island" : (psim[i] < alpha ? quadrant_of(s->z[i], s->lag[i]) : "not significant"));
		v[14] = Int32GetDatum(s->card[i]);
		tuplestore_putvalues(ts, td, v, nl);
	}
	return (Datum) 0;
}

/* Hot or cold spot class of a Gi z value at 90, 95 and 99 %. */
static const char *
hotspot_of(double z)
{
	double		a = fabs(z);

	if (isnan(z))
		return "island";
	if (a >= 2.5758293035489004)
		return z > 0 ? "hot spot 99%" : "cold spot 99%";
	if (a >= 1.959963984540054)
		return z > 0 ? "hot spot 95%" : "cold spot 95%";
	if (a >= 1.6448536269514722)
		return z > 0 ? "hot spot 90%" : "cold spot 90%";
	return "not significant";
}

/*
 * getis_ord(codes, x, i, j, w, star, alternative)
 *   -> (area_code, value, g, z, p, p_fdr, p_bonferroni, hotspot, neighbours)
 * spdep localG: Gi (star false: weights without self, the mean and variance of the
 * other areas) or Gi* (star true: weights with self, all areas).
 */
Datum
bm_getis_ord(PG_FUNCTION_ARGS)
{
	SsWeights  *s = read_input(fcinfo, 1);
	text	  **codes = read_codes(fcinfo, s->n);
	bool		star = PG_GETARG_BOOL(5);
	bool		folded = alternative_folded(PG_GETARG_TEXT_PP(6));
	double		n = s->n, sx = 0, sx2 = 0;
	double	   *z = palloc(sizeof(double) * s->n);
	double	   *g = palloc(sizeof(double) * s->n);
	double	   *p = palloc(sizeof(double) * s->n);
	double	   *pfdr = palloc(sizeof(double) * s->n);
	int			m;
	TupleDesc	td;
	Tuplestorestate *ts = srf_begin(fcinfo, &td);

	for (int i = 0; i < s->n; i++)
	{
		sx += s->x[i];
		sx2 += s->x[i] * s->x[i];
		if (!star && s->card[i] != s->start[i + 1] - s->start[i])
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("area %s is its own neighbour in weights for Gi", text_to_cstring(codes[i])),
							errhint("Weights built with include_self => true give Gi*.")));
	}
	for (int i = 0; i < s->n; i++)
	{
		double		lx = 0, xb, si2, vg, total;

		for (int e = s->start[i]; e < s->start[i + 1]; e++)
			lx += s->w[e] * s->x[s->col[e]];
		if (star)
		{
			xb = s->mean;
			si2 = s->m2;
			vg = si2 * (n * s->w2sum[i] - s->wsum[i] * s->wsum[i]) / (n - 1);
			total = sx;
		}
		else
		{
			xb = (sx - s->x[i]) / (n - 1);
			si2 = (sx2 - s->x[i] * s->x[i]) / (n - 1) - xb * xb;
			vg = si2 * ((n - 1) * s->w2sum[i] - s->wsum[i] * s->wsum[i]) / (n - 2);
			total = sx - s->x[i];
		}
		g[i] = total != 0 ? lx / total : NAN;
		z[i] = vg > 0 ? (lx - s->wsum[i] * xb) / sqrt(vg) : NAN;
		p[i] = isnan(z[i]) ? NAN : normal_p(z[i], folded);
	}
	adjust_bh(p, pfdr, s->n);
	m = count_finite(p, s->n);
	for (int i = 0; i < s->n; i++)
	{
		Datum		v[9];
		bool		nl[9] = {0};

		v[0] = PointerGetDatum(codes[i]);
		v[1] = Float8GetDatum(s->x[i]);
		v[2] = float_or_null(g[i], &nl[2]);
		v[3] = float_or_null(z[i], &nl[3]);
		v[4] = float_or_null(p[i], &nl[4]);
		v[5] = float_or_null(pfdr[i], &nl[5]);
		v[6] = float_or_null(isnan(p[i]) ? NAN : Min(1.0, p[i] * m), &nl[6]);
		v[7] = CStringGetTextDatum(s->card[i] == 0 && !star ? "island" : hotspot_of(z[i]));
		v[8] = Int32GetDatum(s->card[i]);
		tuplestore_putvalues(ts, td, v, nl);
	}
	return (Datum) 0;
}
