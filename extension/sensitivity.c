/*
 * sensitivity.c
 *		Monte Carlo sensitivity of a composite index to its weights (and
 *		optionally to the choice of normalisation): per area the median and
 *		the 5th and 95th percentile of its rank over the draws.
 *
 * The transformed domain scores are computed once (dep_index_prepare); each
 * draw is then a weighted sum per area and one sort.  Random numbers come from
 * our own xoshiro256** generator seeded through splitmix64, so a seed gives
 * the same draws on every platform and PostgreSQL version.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/jsonb.h"

#include "budget.h"
#include "deprivation.h"

/* ---------- PRNG: splitmix64 seeding, xoshiro256** (Blackman & Vigna 2018) ---------- */

typedef struct Xoshiro
{
	uint64		s[4];
} Xoshiro;

/* One splitmix64 step: spreads a 64-bit seed over the xoshiro state. */
static uint64
splitmix64(uint64 *x)
{
	uint64		z = (*x += UINT64CONST(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static inline uint64
rotl64(uint64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* Next 64-bit output of xoshiro256**. */
static uint64
xoshiro_next(Xoshiro *g)
{
	uint64	   *s = g->s;
	uint64		result = rotl64(s[1] * 5, 7) * 9;
	uint64		t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* Uniform double in [0, 1) from the top 53 bits. */
static double
xoshiro_uniform(Xoshiro *g)
{
	return (double) (xoshiro_next(g) >> 11) * (1.0 / 9007199254740992.0);
}

/* Seed two independent streams: one for the weights, one for the transform choice. */
static void
seed_streams(int64 seed, Xoshiro *wgen, Xoshiro *tgen)
{
	uint64		x = (uint64) seed;

	for (int i = 0; i < 4; i++)
		wgen->s[i] = splitmix64(&x);
	for (int i = 0; i < 4; i++)
		tgen->s[i] = splitmix64(&x);
}

/*
 * draw_weights
 *		w_j (1 + spread (2U - 1)), renormalised to sum 1: each weight moves by
 *		up to +-spread of itself, uniformly, before renormalising.
 */
static void
draw_weights(Xoshiro *g, const double *base, int nd, double spread, double *out)
{
	double		sum = 0.0;

	for (int j = 0; j < nd; j++)
	{
		out[j] = base[j] * (1.0 + spread * (2.0 * xoshiro_uniform(g) - 1.0));
		sum += out[j];
	}
	if (sum <= 0.0)				/* only with spread 1 and every draw at -1: keep the base */
	{
		memcpy(out, base, sizeof(double) * nd);
		return;
	}
	for (int j = 0; j < nd; j++)
		out[j] /= sum;
}

/* Check draws and spread. */
static void
check_draw_args(int32 draws, double spread)
{
	if (draws < 1 || draws > 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("draws must be between 1 and 1000000, got %d", draws),
				 errhint("1000 draws give stable 5th and 95th percentiles.")));
	if (!(spread >= 0.0 && spread <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weight_spread must be between 0 and 1, got %g", spread),
				 errhint("A spread of 0.25 lets each weight move by up to 25%% of itself.")));
}

/* ---------- per-draw ranking ---------- */

/* Areas per block when reading the ranks back per area. */
#define SENS_BLOCK 64

/* A score and its area; sorted most deprived (highest score) first. */
typedef struct ScoredArea
{
	double		key;			/* minus the score */
	int32		idx;			/* area index */
	uint32		fkey;			/* order-preserving bits of (float) key */
} ScoredArea;

/* Map a float to a uint32 whose unsigned order is the numeric order. */
static inline uint32
float_sort_key(float x)
{
	uint32		u;

	memcpy(&u, &x, sizeof(u));
	return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

/* True when a sorts after b: by key, then by area index. */
static inline bool
scored_after(const ScoredArea *a, const ScoredArea *b)
{
	return a->key > b->key || (a->key == b->key && a->idx > b->idx);
}

/*
 * sort_scored
 *		Sort by (key, idx).  A stable LSD radix sort on the 32-bit float image
 *		of the key (three 11-bit passes) puts the areas in order up to float
 *		rounding; an insertion pass then orders the few runs with equal float
 *		keys by the exact double.  Several times faster than a comparison sort,
 *		which matters as it runs once per draw.
 */
static void
sort_scored(ScoredArea *a, ScoredArea *tmp, int m)
{
	for (int shift = 0; shift < 32; shift += 11)
	{
		int			count[2049] = {0};

		for (int p = 0; p < m; p++)
			count[((a[p].fkey >> shift) & 0x7FF) + 1]++;
		for (int b = 0; b < 2048; b++)
			count[b + 1] += count[b];
		for (int p = 0; p < m; p++)
			tmp[count[(a[p].fkey >> shift) & 0x7FF]++] = a[p];
		memcpy(a, tmp, sizeof(ScoredArea) * m);
	}
	/* the float order is the double order up to rounding: fix runs of equal floats */
	for (int p = 1; p < m; p++)
	{
		ScoredArea	cur = a[p];
		int			q = p - 1;

		while (q >= 0 && scored_after(&a[q], &cur))
		{
			a[q + 1] = a[q];
			q--;
		}
		a[q + 1] = cur;
	}
}

/*
 * rank_draw
 *		Ranks of the m scored areas (listed in scored_idx) for one draw; those
 *		of the areas a0 .. a0 + nb - 1 are stored in ranks[draw * nb + area - a0].
 *		Equal scores share the smallest rank.
 */
static void
rank_draw(const double *index, const int *scored_idx, int m, int a0, int nb, ScoredArea *buf,
		  ScoredArea *tmp, int32 *ranks, int draw)
{
	int32	   *row = ranks + (size_t) draw * nb;
	int32		prev_rank = 0;

	for (int p = 0; p < m; p++)
	{
		buf[p].key = -index[scored_idx[p]];
		buf[p].idx = scored_idx[p];
		buf[p].fkey = float_sort_key((float) buf[p].key);
	}
	sort_scored(buf, tmp, m);
	for (int p = 0; p < m; p++)
	{
		/* equal scores (compared as doubles, so -0 and +0 tie) share a rank */
		int32		r = (p > 0 && buf[p].key == buf[p - 1].key) ? prev_rank : p + 1;

		if (buf[p].idx >= a0 && buf[p].idx < a0 + nb)
			row[buf[p].idx - a0] = r;
		prev_rank = r;
	}
}

/* Swap two int32s. */
static inline void
swap_int32(int32 *a, int32 *b)
{
	int32		t = *a;

	*a = *b;
	*b = t;
}

/*
 * select_kth
 *		Partially order x[lo..hi] (inclusive) so that x[k] holds the value a
 *		full sort would put there, smaller or equal ones before it and larger
 *		or equal after (Hoare's quickselect, median-of-three pivot).  Linear on
 *		average.
 */
static void
select_kth(int32 *x, int lo, int hi, int k)
{
	while (hi > lo)
	{
		int			mid = lo + (hi - lo) / 2;
		int32		pivot;
		int			i = lo,
					j = hi;

		/* median of three as pivot */
		if (x[mid] < x[lo])
			swap_int32(&x[mid], &x[lo]);
		if (x[hi] < x[lo])
			swap_int32(&x[hi], &x[lo]);
		if (x[hi] < x[mid])
			swap_int32(&x[hi], &x[mid]);
		pivot = x[mid];
		while (i <= j)
		{
			while (x[i] < pivot)
				i++;
			while (x[j] > pivot)
				j--;
			if (i <= j)
			{
				swap_int32(&x[i], &x[j]);
				i++;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;				/* x[j+1 .. i-1] all equal the pivot */
	}
}

/*
 * quantile7_select
 *		Quantile of x[0..n-1] by R's default (type 7) linear interpolation
 *		between the order statistics at lo = floor(h) and lo + 1, h = (n-1) p.
 *		Only x[0..n_sel-1] is searched: the caller guarantees that it holds the
 *		n_sel smallest values (a previous selection for a larger p leaves them
 *		in front).  Reorders x.
 */
static double
quantile7_select(int32 *x, int n, int n_sel, double prob)
{
	double		h = (n - 1) * prob;
	int			lo = (int) floor(h);
	int			end;
	int32		next;

	if (n_sel > n)
		n_sel = n;
	select_kth(x, 0, n_sel - 1, lo);
	if (lo >= n - 1 || h == lo)
		return x[lo];
	/*
	 * The next order statistic is the smallest value after position lo; the
	 * values beyond n_sel are no smaller than those before, so searching up to
	 * n_sel suffices unless lo is the last searched position.
	 */
	end = (lo + 1 < n_sel) ? n_sel : n;
	next = x[lo + 1];
	for (int i = lo + 2; i < end; i++)
		next = Min(next, x[i]);
	return x[lo] + (h - lo) * (double) (next - x[lo]);
}

/*
 * How many areas' ranks one pass over the draws can keep within the budget
 * of budget.h (maintenance_work_mem).  Every area's rank in every draw takes
 * 4 bytes, and so does its copy for the block of up to SENS_BLOCK areas being
 * summarised; the score matrix of each alternative transform and the
 * per-area work arrays are needed whatever the pass.  When all areas do not
 * fit, the draws are run again for each block of areas (the same seed gives
 * the same draws, so the result is the same, at the cost of time); when that
 * would take more than SENS_MAX_PASSES passes, the call stops with the error
 * that says how much it needs.
 */
#define SENS_MAX_PASSES 8

static int
areas_per_pass(int n, int nd, int draws, int ntransforms)
{
	double		fixed = (double) ntransforms * n * nd * sizeof(double) +
		(double) n * (sizeof(double) + sizeof(int64) + sizeof(int) + 2 * sizeof(ScoredArea));
	double		per_area = (double) draws * sizeof(int32);	/* one area's ranks */
	double		avail = bm_budget_bytes() - fixed;
	double		b;

	/* b areas need b * per_area for the ranks and min(b, SENS_BLOCK) * per_area for the copy */
	if (avail >= (double) (n + Min(n, SENS_BLOCK)) * per_area)
		return n;
	b = avail >= 2.0 * SENS_BLOCK * per_area ? floor(avail / per_area) - SENS_BLOCK
		: floor(avail / (2.0 * per_area));
	if (b < 1 || ceil(n / b) > SENS_MAX_PASSES)
		bm_check_budget(fixed + (double) (n + Min(n, SENS_BLOCK)) * per_area, false,
						psprintf("index_sensitivity with %d draws over %d areas", draws, n),
						"use fewer draws (1000 give stable 5th and 95th percentiles).");
	return (int) b;
}

/*
 * Per area a0 .. a0 + nb - 1, from its ranks over the draws (ranks[draw * nb
 * + area - a0]): the result row.  The ranks are stored draw by draw, so they
 * are copied out SENS_BLOCK areas at a time (contiguous reads) into xblock
 * before selecting.
 */
static void
emit_areas(ReturnSetInfo *rsinfo, const DepIndexData *d, const int64 *base_rank,
		   const int32 *ranks, int32 *xblock, int a0, int nb, int draws)
{
	for (int i0 = 0; i0 < nb; i0 += SENS_BLOCK)
	{
		int			nx = Min(SENS_BLOCK, nb - i0);

		CHECK_FOR_INTERRUPTS();
		for (int r = 0; r < draws; r++)
		{
			const int32 *row = ranks + (size_t) r * nb + i0;

			for (int b = 0; b < nx; b++)
				xblock[(size_t) b * draws + r] = row[b];
		}
		for (int b = 0; b < nx; b++)
		{
			int			i = a0 + i0 + b;
			Datum		values[6];
			bool		nulls[6] = {false, false, false, false, false, false};
			int32	   *x = xblock + (size_t) b * draws;

			values[0] = CStringGetTextDatum(d->keys[i]);
			if (d->scored[i])
			{
				/* largest quantile first: each selection leaves the smaller values in front */
				double		p95 = quantile7_select(x, draws, draws, 0.95);
				double		med = quantile7_select(x, draws, (int) floor((draws - 1) * 0.95) + 1, 0.5);
				double		p05 = quantile7_select(x, draws, (int) floor((draws - 1) * 0.5) + 1, 0.05);

				values[1] = Int64GetDatum(base_rank[i]);
				values[2] = Float8GetDatum(med);
				values[3] = Float8GetDatum(p05);
				values[4] = Float8GetDatum(p95);
			}
			else
				nulls[1] = nulls[2] = nulls[3] = nulls[4] = true;
			if (d->reasons[i])
				values[5] = CStringGetTextDatum(d->reasons[i]);
			else
				nulls[5] = true;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
}

PG_FUNCTION_INFO_V1(bm_index_sensitivity);
/*
 * index_sensitivity(source, spec, draws, seed, weight_spread, key, transforms)
 *		Per area: the rank with the spec's own weights, and the median, 5th and
 *		95th percentile of its rank over the draws.
 */
Datum
bm_index_sensitivity(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid;
	Jsonb	   *spec;
	int32		draws;
	int64		seed;
	double		spread;
	char	   *key;
	DepIndexData *d;
	int			n,
				nd,
				m = 0,
				ntr = 1,
				block;
	double	  **mats;
	double	   *w,
			   *index;
	int64	   *base_rank;
	int		   *scored_idx;
	int32	   *ranks,
			   *xblock;
	ScoredArea *buf,
			   *tmp;
	Xoshiro		wgen,
				tgen;

	/* not STRICT because transforms may be NULL; the other arguments may not */
	for (int a = 0; a < 6; a++)
		if (PG_ARGISNULL(a))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %d of index_sensitivity is NULL", a + 1),
					 errhint("Only transforms may be NULL (keep the specification's transforms).")));
	relid = PG_GETARG_OID(0);
	spec = PG_GETARG_JSONB_P(1);
	draws = PG_GETARG_INT32(2);
	seed = PG_GETARG_INT64(3);
	spread = PG_GETARG_FLOAT8(4);
	key = text_to_cstring(PG_GETARG_TEXT_PP(5));
	check_draw_args(draws, spread);
	InitMaterializedSRF(fcinfo, 0);
	d = dep_index_prepare(relid, spec, key);
	n = d->n_areas;
	nd = d->n_domains;
	block = areas_per_pass(n, nd, draws,
						   PG_ARGISNULL(6) ? 0 : ArrayGetNItems(ARR_NDIM(PG_GETARG_ARRAYTYPE_P(6)),
																ARR_DIMS(PG_GETARG_ARRAYTYPE_P(6))));

	/* transformed scores: the spec's, or one matrix per alternative normalisation */
	if (!PG_ARGISNULL(6))
	{
		ArrayType  *ta = PG_GETARG_ARRAYTYPE_P(6);
		Datum	   *td;
		bool	   *tn;

		deconstruct_array(ta, TEXTOID, -1, false, TYPALIGN_INT, &td, &tn, &ntr);
		if (ntr == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("transforms array is empty"),
					 errhint("Pass NULL to keep the specification's transforms, or list alternatives such as ARRAY['exponential', 'normal_score'].")));
		mats = palloc(sizeof(double *) * ntr);
		for (int k = 0; k < ntr; k++)
		{
			DepTransform *tr = palloc(sizeof(DepTransform) * nd);
			DepTransform t;

			if (tn[k])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("transforms array has a NULL"),
						 errhint("List transform names such as 'exponential' or 'zscore'.")));
			t = dep_parse_transform(TextDatumGetCString(td[k]));
			if (t == DEP_TR_RANK)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("transform \"rank\" cannot be used in an index"),
						 errhint("Use scaled_rank, percentile, normal_score or exponential.")));
			for (int j = 0; j < nd; j++)
				tr[j] = t;
			mats[k] = palloc(sizeof(double) * n * nd);
			dep_index_transform(d, tr, mats[k]);
		}
	}
	else
	{
		mats = palloc(sizeof(double *));
		mats[0] = d->scores;
	}

	/* the base ranking, with the spec's weights and transforms */
	index = palloc(sizeof(double) * n);
	base_rank = palloc(sizeof(int64) * n);
	scored_idx = palloc(sizeof(int) * n);
	dep_index_combine(d, d->scores, d->weights, index);
	for (int i = 0; i < n; i++)
		if (d->scored[i] && isnan(index[i]))
			d->scored[i] = false;
	dep_rank_scores(index, d->scored, n, true, base_rank, scored_idx);
	for (int i = 0; i < n; i++)
		if (d->scored[i])
			scored_idx[m++] = i;

	/* the draws, once per block of areas whose ranks fit in the budget */
	ranks = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * (size_t) block * draws);
	xblock = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * (size_t) Min(SENS_BLOCK, block) * draws);
	buf = palloc(sizeof(ScoredArea) * Max(m, 1));
	tmp = palloc(sizeof(ScoredArea) * Max(m, 1));
	w = palloc(sizeof(double) * nd);
	for (int a0 = 0; a0 < n; a0 += block)
	{
		int			nb = Min(block, n - a0);

		seed_streams(seed, &wgen, &tgen);
		for (int r = 0; r < draws; r++)
		{
			int			k = 0;

			CHECK_FOR_INTERRUPTS();
			draw_weights(&wgen, d->weights, nd, spread, w);
			if (ntr > 1)
				k = (int) (xoshiro_uniform(&tgen) * ntr);
			dep_index_combine(d, mats[k], w, index);
			rank_draw(index, scored_idx, m, a0, nb, buf, tmp, ranks, r);
		}
		emit_areas(rsinfo, d, base_rank, ranks, xblock, a0, nb, draws);
	}
	PG_RETURN_NULL();
}

PG_FUNCTION_INFO_V1(bm_sensitivity_weights);
/*
 * sensitivity_weights(weights, draws, seed, weight_spread)
 *		The weight vectors index_sensitivity draws for these base weights, so
 *		users can inspect them: one row per draw.
 */
Datum
bm_sensitivity_weights(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *wa = PG_GETARG_ARRAYTYPE_P(0);
	int32		draws = PG_GETARG_INT32(1);
	int64		seed = PG_GETARG_INT64(2);
	double		spread = PG_GETARG_FLOAT8(3);
	Datum	   *wd;
	bool	   *wn;
	int			nd;
	double	   *base,
			   *w;
	Xoshiro		wgen,
				tgen;

	check_draw_args(draws, spread);
	if (ARR_NDIM(wa) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("weights must be a one-dimensional array"),
				 errhint("Pass one weight per domain.")));
	deconstruct_array(wa, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &wd, &wn, &nd);
	if (nd == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weights array is empty"),
				 errhint("Pass one weight per domain.")));
	base = palloc(sizeof(double) * nd);
	w = palloc(sizeof(double) * nd);
	for (int j = 0; j < nd; j++)
	{
		if (wn[j])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("weight %d is NULL", j + 1),
					 errhint("Give every weight a value.")));
		base[j] = DatumGetFloat8(wd[j]);
	}
	dep_normalise_weights(base, nd, "the base weights");

	InitMaterializedSRF(fcinfo, 0);
	seed_streams(seed, &wgen, &tgen);
	for (int r = 0; r < draws; r++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		Datum	   *ad = palloc(sizeof(Datum) * nd);

		draw_weights(&wgen, base, nd, spread, w);
		for (int j = 0; j < nd; j++)
			ad[j] = Float8GetDatum(w[j]);
		values[0] = Int32GetDatum(r + 1);
		values[1] = PointerGetDatum(construct_array(ad, nd, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		pfree(ad);
	}
	PG_RETURN_NULL();
}
