/*
 * aggregates.c
 *		Weighted aggregates for area- and base-weighted indicators:
 *		weighted_mean, ratio_of_sums, coverage, weighted_quantile and
 *		weighted_median.
 *
 * Sums are kept as unevaluated double-double pairs (hi + lo).  Each addend is
 * added with Knuth's TwoSum, whose exact rounding error goes into lo, and each
 * product v*w is split exactly into p + e with fma(v, w, -p).  This is
 * algorithm Dot2 of Ogita, Rump and Oishi, "Accurate sum and dot product"
 * (SIAM J. Sci. Comput. 26(6), 2005): the result is as accurate as if computed
 * in twice the working precision and then rounded, so mixed magnitudes and
 * cancellation (1e16 + 1 - 1e16) do not lose the small terms.
 *
 * All aggregates use an "internal" transition state that is updated in place
 * (no palloc per row) and have combine, serialise and deserialise functions,
 * so they run in parallel plans.  The serialised form is a plain bytea in
 * network byte order (see wsum_serialfn / wq_serialfn).
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/float.h"
#include "utils/memutils.h"

/* ----------------------------------------------------------------
 * Double-double arithmetic
 * ---------------------------------------------------------------- */

/* An unevaluated sum hi + lo; lo collects the rounding errors of hi. */
typedef struct DD
{
	double		hi;
	double		lo;
} DD;

/* acc += x, keeping the exact rounding error of the addition (TwoSum). */
static inline void
dd_add(DD *acc, double x)
{
	double		s = acc->hi + x;
	double		bp = s - acc->hi;
	double		err = (acc->hi - (s - bp)) + (x - bp);

	acc->hi = s;
	acc->lo += err;
}

/* acc += v*w with the product split exactly into p + e (TwoProduct via fma). */
static inline void
dd_add_product(DD *acc, double v, double w, double p)
{
	double		e = fma(v, w, -p);

	dd_add(acc, p);
	acc->lo += e;
}

/* acc += other (merging two partial sums, as the combine step needs). */
static inline void
dd_merge(DD *acc, const DD *other)
{
	dd_add(acc, other->hi);
	acc->lo += other->lo;
}

/* The double nearest to hi + lo. */
static inline double
dd_value(const DD *a)
{
	return a->hi + a->lo;
}

/*
 * Renormalise so that hi = fl(hi + lo) and lo is the exact remainder.  TwoSum,
 * not Fast2Sum: after cancellation |lo| may exceed |hi| (1e16 + 1 - 1e16 leaves
 * hi = 0, lo = 1).
 */
static inline DD
dd_normalise(DD a)
{
	DD			r = {a.hi, 0.0};

	dd_add(&r, a.lo);
	return r;
}

/*
 * n / d for double-double n and d, correct to about one rounding: the first
 * quotient's remainder is computed exactly with fma and the lo parts are
 * folded into one correction step.
 */
static double
dd_div(DD n, DD d)
{
	double		q;
	double		r;

	n = dd_normalise(n);
	d = dd_normalise(d);
	q = n.hi / d.hi;
	r = fma(-q, d.hi, n.hi);	/* exact: n.hi - q*d.hi */
	r += n.lo - q * d.lo;
	return q + r / d.hi;
}

/* ----------------------------------------------------------------
 * Argument checks
 * ---------------------------------------------------------------- */

static void report_not_finite(double x, const char *agg, const char *arg) pg_attribute_noreturn();
static void report_negative(double x, const char *agg, const char *arg) pg_attribute_noreturn();
static void report_overflow(const char *agg) pg_attribute_noreturn();

/* Error for a NaN or infinite argument; agg and arg name it in the message. */
static void
report_not_finite(double x, const char *agg, const char *arg)
{
	if (isnan(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is NaN in buurtmonitor.%s", arg, agg),
				 errhint("Replace NaN with NULL (to skip the row) or with a finite number.")));
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s is infinite in buurtmonitor.%s: %s", arg, agg,
					float8out_internal(x)),
			 errhint("Replace infinite values with NULL (to skip the row) or with a finite number.")));
}

/* Error for a negative weight or denominator. */
static void
report_negative(double x, const char *agg, const char *arg)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must not be negative in buurtmonitor.%s: %s", arg, agg,
					float8out_internal(x)),
			 errhint("Weights and denominators must be zero or positive; correct the row or filter it out.")));
}

/* Check a value-like argument: any finite number. */
static inline void
check_value(double x, const char *agg, const char *arg)
{
	if (unlikely(!isfinite(x)))
		report_not_finite(x, agg, arg);
}

/* Check a weight-like argument: finite and not negative. */
static inline void
check_weight(double x, const char *agg, const char *arg)
{
	if (unlikely(!isfinite(x)))
		report_not_finite(x, agg, arg);
	if (unlikely(x < 0.0))
		report_negative(x, agg, arg);
}

/* Error when a finite product or sum has overflowed to infinity. */
static void
report_overflow(const char *agg)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("overflow in the sums of buurtmonitor.%s", agg),
			 errhint("Rescale the values or weights (for example to thousands) so that their products and sums stay below 1e308.")));
}

/* The aggregate memory context; errors out when called outside an aggregate. */
static inline MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		/* internal: support functions take internal, so SQL cannot call them */
		elog(ERROR, "%s called in non-aggregate context", fn);
	return aggcontext;
}

/* ----------------------------------------------------------------
 * Sum state: weighted_mean, ratio_of_sums, coverage
 * ---------------------------------------------------------------- */

/*
 * Fixed-size state shared by the three sum-based aggregates.
 *   weighted_mean:  num = sum(value*weight), den = sum(weight)
 *   ratio_of_sums:  num = sum(numerator),    den = sum(denominator)
 *   coverage:       num = sum(weight where value is not null), den = sum(weight)
 * n counts the rows that went into den; n = 0 means "no usable rows".
 */
typedef struct WSumState
{
	int64		n;
	DD			num;
	DD			den;
} WSumState;

#define WSUM_SERIAL_SIZE (sizeof(int64) + 4 * sizeof(double))

/* A zeroed state in the aggregate context. */
static inline WSumState *
wsum_new(MemoryContext ctx)
{
	return (WSumState *) MemoryContextAllocZero(ctx, sizeof(WSumState));
}

/* The state argument, created on the first row. */
static inline WSumState *
wsum_state(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext ctx = agg_context(fcinfo, fn);

	if (PG_ARGISNULL(0))
		return wsum_new(ctx);
	return (WSumState *) PG_GETARG_POINTER(0);
}

PG_FUNCTION_INFO_V1(bm_weighted_mean_transfn);
/*
 * weighted_mean(value, weight) transition: every non-NULL argument is checked;
 * a row contributes only when both value and weight are present.
 */
Datum
bm_weighted_mean_transfn(PG_FUNCTION_ARGS)
{
	WSumState  *st = wsum_state(fcinfo, "weighted_mean_transfn");
	bool		have_v = !PG_ARGISNULL(1);
	bool		have_w = !PG_ARGISNULL(2);
	double		v = have_v ? PG_GETARG_FLOAT8(1) : 0.0;
	double		w = have_w ? PG_GETARG_FLOAT8(2) : 0.0;
	double		p;

	if (have_v)
		check_value(v, "weighted_mean", "value");
	if (have_w)
		check_weight(w, "weighted_mean", "weight");
	if (!(have_v && have_w))
		PG_RETURN_POINTER(st);

	p = v * w;
	if (unlikely(isinf(p)))
		report_overflow("weighted_mean");
	dd_add_product(&st->num, v, w, p);
	dd_add(&st->den, w);
	st->n++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(bm_ratio_of_sums_transfn);
/*
 * ratio_of_sums(numerator, denominator) transition: numerators may be
 * negative, denominators may not; a row counts only with both present.
 */
Datum
bm_ratio_of_sums_transfn(PG_FUNCTION_ARGS)
{
	WSumState  *st = wsum_state(fcinfo, "ratio_of_sums_transfn");
	bool		have_n = !PG_ARGISNULL(1);
	bool		have_d = !PG_ARGISNULL(2);
	double		n = have_n ? PG_GETARG_FLOAT8(1) : 0.0;
	double		d = have_d ? PG_GETARG_FLOAT8(2) : 0.0;

	if (have_n)
		check_value(n, "ratio_of_sums", "numerator");
	if (have_d)
		check_weight(d, "ratio_of_sums", "denominator");
	if (!(have_n && have_d))
		PG_RETURN_POINTER(st);

	dd_add(&st->num, n);
	dd_add(&st->den, d);
	st->n++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(bm_coverage_transfn);
/*
 * coverage(value, weight) transition: every row with a weight adds it to the
 * total; rows whose value is also present add it to the covered part.
 */
Datum
bm_coverage_transfn(PG_FUNCTION_ARGS)
{
	WSumState  *st = wsum_state(fcinfo, "coverage_transfn");
	bool		have_v = !PG_ARGISNULL(1);
	bool		have_w = !PG_ARGISNULL(2);
	double		w;

	if (have_v)
		check_value(PG_GETARG_FLOAT8(1), "coverage", "value");
	if (!have_w)
		PG_RETURN_POINTER(st);
	w = PG_GETARG_FLOAT8(2);
	check_weight(w, "coverage", "weight");

	if (have_v)
		dd_add(&st->num, w);
	dd_add(&st->den, w);
	st->n++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(bm_wsum_combinefn);
/* Merge two partial sum states (parallel or partitionwise aggregation). */
Datum
bm_wsum_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = agg_context(fcinfo, "wsum_combinefn");
	WSumState  *a = PG_ARGISNULL(0) ? NULL : (WSumState *) PG_GETARG_POINTER(0);
	WSumState  *b = PG_ARGISNULL(1) ? NULL : (WSumState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		/* b may live in a short-lived context: copy it into ours. */
		a = wsum_new(ctx);
		*a = *b;
		PG_RETURN_POINTER(a);
	}
	a->n += b->n;
	dd_merge(&a->num, &b->num);
	dd_merge(&a->den, &b->den);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(bm_wsum_serialfn);
/*
 * Serialise a sum state as 40 bytes in network byte order:
 * int8 n, float8 num.hi, num.lo, den.hi, den.lo.
 */
Datum
bm_wsum_serialfn(PG_FUNCTION_ARGS)
{
	WSumState  *st = (WSumState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	(void) agg_context(fcinfo, "wsum_serialfn");
	pq_begintypsend(&buf);
	pq_sendint64(&buf, st->n);
	pq_sendfloat8(&buf, st->num.hi);
	pq_sendfloat8(&buf, st->num.lo);
	pq_sendfloat8(&buf, st->den.hi);
	pq_sendfloat8(&buf, st->den.lo);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(bm_wsum_deserialfn);
/* Inverse of bm_wsum_serialfn. */
Datum
bm_wsum_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	WSumState  *st;

	(void) agg_context(fcinfo, "wsum_deserialfn");
	if (VARSIZE_ANY_EXHDR(b) != WSUM_SERIAL_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid serialised weighted sum state: %d bytes, expected %d",
						(int) VARSIZE_ANY_EXHDR(b), (int) WSUM_SERIAL_SIZE),
				 errhint("The state comes from a parallel worker of the same server version; reinstall buurtmonitor if it differs.")));
	/* pq_getmsg* only read the buffer, so it may point into the bytea. */
	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;

	st = (WSumState *) palloc(sizeof(WSumState));
	st->n = pq_getmsgint64(&buf);
	st->num.hi = pq_getmsgfloat8(&buf);
	st->num.lo = pq_getmsgfloat8(&buf);
	st->den.hi = pq_getmsgfloat8(&buf);
	st->den.lo = pq_getmsgfloat8(&buf);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

/* num / den of a state, or NULL-signalling false when there is nothing to divide. */
static bool
wsum_ratio(WSumState *st, const char *agg, double *result)
{
	if (st == NULL || st->n == 0)
		return false;
	if (!isfinite(st->num.hi) || !isfinite(st->den.hi) ||
		!isfinite(st->num.lo) || !isfinite(st->den.lo))
		report_overflow(agg);
	if (dd_value(&st->den) == 0.0)
		return false;
	*result = dd_div(st->num, st->den);
	return true;
}

PG_FUNCTION_INFO_V1(bm_weighted_mean_finalfn);
/* sum(value*weight) / sum(weight); NULL without usable rows or weight. */
Datum
bm_weighted_mean_finalfn(PG_FUNCTION_ARGS)
{
	WSumState  *st = PG_ARGISNULL(0) ? NULL : (WSumState *) PG_GETARG_POINTER(0);
	double		r;

	if (!wsum_ratio(st, "weighted_mean", &r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r);
}

PG_FUNCTION_INFO_V1(bm_ratio_of_sums_finalfn);
/* sum(numerator) / sum(denominator); NULL without usable rows or denominator. */
Datum
bm_ratio_of_sums_finalfn(PG_FUNCTION_ARGS)
{
	WSumState  *st = PG_ARGISNULL(0) ? NULL : (WSumState *) PG_GETARG_POINTER(0);
	double		r;

	if (!wsum_ratio(st, "ratio_of_sums", &r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r);
}

PG_FUNCTION_INFO_V1(bm_coverage_finalfn);
/* Covered weight / total weight; NULL without weighted rows or weight. */
Datum
bm_coverage_finalfn(PG_FUNCTION_ARGS)
{
	WSumState  *st = PG_ARGISNULL(0) ? NULL : (WSumState *) PG_GETARG_POINTER(0);
	double		r;

	if (!wsum_ratio(st, "coverage", &r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r);
}

/* ----------------------------------------------------------------
 * Quantile state: weighted_quantile, weighted_median
 * ---------------------------------------------------------------- */

/* One observation with positive weight. */
typedef struct WQPair
{
	double		v;
	double		w;
} WQPair;

/*
 * Growing array of (value, weight) pairs plus the requested quantile q
 * (has_q is false until a row has supplied it).  Zero weights are not stored:
 * they cannot move the quantile.  n_rows counts rows with value and weight.
 */
typedef struct WQState
{
	int64		n;				/* pairs stored */
	int64		cap;			/* pairs allocated */
	int64		n_rows;			/* rows with both value and weight */
	bool		has_q;
	double		q;
	WQPair	   *pairs;			/* in the aggregate context */
} WQState;

#define WQ_INITIAL_CAP 64

/* An empty quantile state in ctx. */
static WQState *
wq_new(MemoryContext ctx)
{
	WQState    *st = (WQState *) MemoryContextAllocZero(ctx, sizeof(WQState));

	st->cap = WQ_INITIAL_CAP;
	st->pairs = (WQPair *) MemoryContextAlloc(ctx, st->cap * sizeof(WQPair));
	return st;
}

/* Make room for extra more pairs (doubling; repalloc keeps the chunk's context). */
static void
wq_reserve(WQState *st, int64 extra)
{
	int64		need = st->n + extra;

	if (need <= st->cap)
		return;
	while (st->cap < need)
		st->cap *= 2;
	if ((Size) st->cap > MaxAllocHugeSize / sizeof(WQPair))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rows for buurtmonitor.weighted_quantile: %lld",
						(long long) need),
				 errhint("Compute the quantile per group, or on a sample of the rows.")));
	st->pairs = (WQPair *) repalloc_huge(st->pairs, st->cap * sizeof(WQPair));
}

/* Set or check the quantile q of a state; q must be the same in every row. */
static void
wq_set_q(WQState *st, double q, const char *agg)
{
	if (st->has_q)
	{
		if (q != st->q)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("q differs between rows in buurtmonitor.%s: %s and %s", agg,
							float8out_internal(st->q), float8out_internal(q)),
					 errhint("Pass the same constant q for every row of a group.")));
		return;
	}
	st->q = q;
	st->has_q = true;
}

/* Shared body of the quantile transition functions. */
static WQState *
wq_accum(FunctionCallInfo fcinfo, double q, const char *agg)
{
	MemoryContext ctx = agg_context(fcinfo, "weighted_quantile_transfn");
	WQState    *st = PG_ARGISNULL(0) ? wq_new(ctx) : (WQState *) PG_GETARG_POINTER(0);
	bool		have_v = !PG_ARGISNULL(1);
	bool		have_w = !PG_ARGISNULL(2);
	double		v = have_v ? PG_GETARG_FLOAT8(1) : 0.0;
	double		w = have_w ? PG_GETARG_FLOAT8(2) : 0.0;

	wq_set_q(st, q, agg);
	if (have_v)
		check_value(v, agg, "value");
	if (have_w)
		check_weight(w, agg, "weight");
	if (!(have_v && have_w))
		return st;
	st->n_rows++;
	if (w == 0.0)
		return st;
	wq_reserve(st, 1);
	st->pairs[st->n].v = v;
	st->pairs[st->n].w = w;
	st->n++;
	return st;
}

PG_FUNCTION_INFO_V1(bm_weighted_quantile_transfn);
/* weighted_quantile(value, weight, q) transition; q must lie in [0, 1]. */
Datum
bm_weighted_quantile_transfn(PG_FUNCTION_ARGS)
{
	double		q;

	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("q must not be null in buurtmonitor.weighted_quantile"),
				 errhint("Pass a constant q between 0 and 1, for example 0.5 for the median.")));
	q = PG_GETARG_FLOAT8(3);
	if (isnan(q) || q < 0.0 || q > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("q must be between 0 and 1 in buurtmonitor.weighted_quantile: %s",
						float8out_internal(q)),
				 errhint("Pass a constant q between 0 and 1, for example 0.5 for the median.")));
	PG_RETURN_POINTER(wq_accum(fcinfo, q, "weighted_quantile"));
}

PG_FUNCTION_INFO_V1(bm_weighted_median_transfn);
/* weighted_median(value, weight) transition: q = 0.5. */
Datum
bm_weighted_median_transfn(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(wq_accum(fcinfo, 0.5, "weighted_median"));
}

PG_FUNCTION_INFO_V1(bm_wq_combinefn);
/* Merge two quantile states by appending the pairs of the second. */
Datum
bm_wq_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = agg_context(fcinfo, "weighted_quantile_combinefn");
	WQState    *a = PG_ARGISNULL(0) ? NULL : (WQState *) PG_GETARG_POINTER(0);
	WQState    *b = PG_ARGISNULL(1) ? NULL : (WQState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = wq_new(ctx);		/* b may be short-lived: copy into ctx */
	if (b->has_q)
		wq_set_q(a, b->q, "weighted_quantile");
	a->n_rows += b->n_rows;
	wq_reserve(a, b->n);
	memcpy(a->pairs + a->n, b->pairs, b->n * sizeof(WQPair));
	a->n += b->n;
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(bm_wq_serialfn);
/*
 * Serialise a quantile state in network byte order: int8 n, int8 n_rows,
 * int1 has_q, float8 q, then n pairs of float8 (value, weight).
 */
Datum
bm_wq_serialfn(PG_FUNCTION_ARGS)
{
	WQState    *st = (WQState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int64		i;

	(void) agg_context(fcinfo, "weighted_quantile_serialfn");
	if ((Size) st->n > (MaxAllocSize - 64) / (2 * sizeof(double)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rows to pass between parallel workers in buurtmonitor.weighted_quantile: %lld",
						(long long) st->n),
				 errhint("Run the query with max_parallel_workers_per_gather = 0.")));
	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, 2 * sizeof(int64) + 1 + sizeof(double) +
					  st->n * 2 * sizeof(double));
	pq_sendint64(&buf, st->n);
	pq_sendint64(&buf, st->n_rows);
	pq_sendbyte(&buf, st->has_q ? 1 : 0);
	pq_sendfloat8(&buf, st->q);
	for (i = 0; i < st->n; i++)
	{
		pq_sendfloat8(&buf, st->pairs[i].v);
		pq_sendfloat8(&buf, st->pairs[i].w);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(bm_wq_deserialfn);
/* Inverse of bm_wq_serialfn. */
Datum
bm_wq_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	WQState    *st;
	int64		n;
	int64		i;

	(void) agg_context(fcinfo, "weighted_quantile_deserialfn");
	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;

	n = pq_getmsgint64(&buf);
	if (n < 0 || (Size) (buf.len - buf.cursor) != 8 + 1 + 8 + (Size) n * 16)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid serialised weighted quantile state"),
				 errhint("The state comes from a parallel worker of the same server version; reinstall buurtmonitor if it differs.")));
	st = (WQState *) palloc0(sizeof(WQState));
	st->n = n;
	st->cap = Max(n, 1);
	st->pairs = (WQPair *) palloc_extended(st->cap * sizeof(WQPair), MCXT_ALLOC_HUGE);
	st->n_rows = pq_getmsgint64(&buf);
	st->has_q = pq_getmsgbyte(&buf) != 0;
	st->q = pq_getmsgfloat8(&buf);
	for (i = 0; i < n; i++)
	{
		st->pairs[i].v = pq_getmsgfloat8(&buf);
		st->pairs[i].w = pq_getmsgfloat8(&buf);
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

/* qsort comparator: ascending value. */
static int
wq_cmp(const void *a, const void *b)
{
	double		x = ((const WQPair *) a)->v;
	double		y = ((const WQPair *) b)->v;

	return (x > y) - (x < y);
}

PG_FUNCTION_INFO_V1(bm_wq_finalfn);
/*
 * Lower weighted quantile: the smallest value x whose cumulative weight
 * W(x) = sum of weights of values <= x reaches q * W(total).  W(x) is summed
 * with compensation; a cumulative weight within 4 ulp-units of q * W(total)
 * (4 * DBL_EPSILON * W(total)) counts as reaching it, as R's quantile() type 1
 * does, so that a decimal q such as 0.1 behaves as its exact decimal value.
 *
 * Sorting the pairs in place keeps the state a valid multiset, so the state
 * may be finalised again or fed more rows (window aggregates).
 */
Datum
bm_wq_finalfn(PG_FUNCTION_ARGS)
{
	WQState    *st = PG_ARGISNULL(0) ? NULL : (WQState *) PG_GETARG_POINTER(0);
	DD			total = {0.0, 0.0};
	DD			cum = {0.0, 0.0};
	double		target;
	int64		i;

	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();

	for (i = 0; i < st->n; i++)
		dd_add(&total, st->pairs[i].w);
	if (!isfinite(total.hi))
		report_overflow("weighted_quantile");

	qsort(st->pairs, st->n, sizeof(WQPair), wq_cmp);

	target = st->q * dd_value(&total) - 4.0 * DBL_EPSILON * dd_value(&total);
	for (i = 0; i < st->n - 1; i++)
	{
		dd_add(&cum, st->pairs[i].w);
		if (dd_value(&cum) >= target)
			break;
	}
	PG_RETURN_FLOAT8(st->pairs[i].v);
}
