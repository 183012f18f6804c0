/*
 * classify.c
 *		Map classes: the aggregate class_breaks(value [, weight], method,
 *		classes) and the scalar class_of(value, breaks).
 *
 * The aggregate collects the values of its group (bounded by work_mem) and
 * its final function computes the breaks b0 <= b1 <= ... <= bK of K classes.
 * Class j (1-based) holds the values v with b(j-1) < v <= b(j); class 1 also
 * holds v = b0 (right-closed intervals, as QGIS's graduated renderer).
 *
 * Methods:
 *	fisher		exact optimal 1-D classes (Fisher 1958 = Jenks natural breaks =
 *				optimal 1-D k-means): minimum (weighted) within-class sum of
 *				squares, by dynamic programming over the sorted distinct values
 *				(Wang and Song, "Ckmeans.1d.dp", R Journal 3(2), 2011), each row
 *				with the divide-and-conquer optimisation (the cost satisfies the
 *				quadrangle inequality, so the best split is monotone):
 *				O(K * m * log m) for m distinct values.  Breaks are the class
 *				maxima (classInt prints midpoints between classes instead).
 *	quantile	R quantile type 7 at j/K; repeated breaks are dropped.
 *	equal		min + j * (max - min) / K (R seq(min, max, length.out = K + 1)).
 *	pretty		R pretty(x, K): round breaks covering the range.
 *	headtails	Jiang's head/tail breaks (classInt, threshold 0.4): the mean of
 *				the head (values above the previous mean) while the head is at
 *				most 40 % of its parent; classes is an upper limit.
 *	sd			classInt "sd": pretty breaks of the z-scores, scaled back.
 *	box			box plot, hinge 1.5: lower fence, quartiles, upper fence (6
 *				classes; an outlier class with no values is [fence, fence]).
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

typedef enum ClassMethod
{
	CM_FISHER = 1,
	CM_QUANTILE,
	CM_EQUAL,
	CM_PRETTY,
	CM_HEADTAILS,
	CM_SD,
	CM_BOX
} ClassMethod;

#define CLASSES_MAX 100

/*
 * Collected values of one group.  weighted states keep a weight per value
 * (rows with weight 0 are not stored: they cannot move optimal classes).
 */
typedef struct ClassState
{
	int64		n;
	int64		cap;
	bool		weighted;
	int32		method;
	int32		classes;		/* 0 = not given (headtails, box) */
	double	   *v;
	double	   *w;				/* NULL unless weighted */
} ClassState;

/* ----------------------------------------------------------------
 * Argument checks and memory budget
 * ---------------------------------------------------------------- */

/* The method named by text, or an error listing the methods. */
static ClassMethod
parse_method(text *t)
{
	char	   *s = text_to_cstring(t);

	if (strcmp(s, "fisher") == 0)
		return CM_FISHER;
	if (strcmp(s, "quantile") == 0)
		return CM_QUANTILE;
	if (strcmp(s, "equal") == 0)
		return CM_EQUAL;
	if (strcmp(s, "pretty") == 0)
		return CM_PRETTY;
	if (strcmp(s, "headtails") == 0)
		return CM_HEADTAILS;
	if (strcmp(s, "sd") == 0)
		return CM_SD;
	if (strcmp(s, "box") == 0)
		return CM_BOX;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown classification method: \"%s\"", s),
			 errhint("Use fisher, quantile, equal, pretty, headtails, sd or box; user-defined breaks are passed to class_of directly.")));
	return 0;					/* not reached */
}

/* Check the number of classes for a method; returns 0 for "not given". */
static int32
check_classes(ClassMethod m, bool isnull, int32 k)
{
	if (isnull)
	{
		if (m == CM_HEADTAILS || m == CM_BOX)
			return 0;
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("classes must not be null in buurtmonitor.class_breaks"),
				 errhint("Pass the number of classes, for example 5.")));
	}
	if (m == CM_BOX && k != 6)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the box method always makes 6 classes, not %d", k),
				 errhint("Pass classes => 6 or NULL.")));
	if (k < 1 || k > CLASSES_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("classes must be between 1 and %d in buurtmonitor.class_breaks: %d",
						CLASSES_MAX, k),
				 errhint("Maps rarely need more than 7 classes.")));
	return k;
}

/* Error for NaN or infinity in a value or weight. */
static void
check_finite(double x, const char *arg)
{
	if (isfinite(x))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s is %s in buurtmonitor.class_breaks", arg,
					isnan(x) ? "NaN" : "infinite"),
			 errhint("Replace it with NULL (to skip the row) or with a finite number.")));
}

/* Error when the values and work of a classification need more than work_mem. */
static void
check_budget(double bytes, const char *what)
{
	double		budget = (double) work_mem * 1024.0;

	if (bytes <= budget)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("buurtmonitor.class_breaks needs %.0f kB for %s, more than work_mem (%d kB)",
					ceil(bytes / 1024.0), what, work_mem),
			 errhint("Raise work_mem for this query, for example SET work_mem = '%.0fMB'.",
					 ceil(bytes / (1024.0 * 1024.0)) + 1)));
}

/* Bytes one stored row takes. */
static inline Size
row_bytes(const ClassState *st)
{
	return st->weighted ? 2 * sizeof(double) : sizeof(double);
}

/* ----------------------------------------------------------------
 * State handling: transition, combine, serialise, deserialise
 * ---------------------------------------------------------------- */

static MemoryContext
class_agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext ctx;

	if (!AggCheckCallContext(fcinfo, &ctx))
		/* internal: support functions take internal, so SQL cannot call them */
		elog(ERROR, "%s called in non-aggregate context", fn);
	return ctx;
}

static ClassState *
state_new(MemoryContext ctx, bool weighted, int32 method, int32 classes)
{
	ClassState *st = MemoryContextAllocZero(ctx, sizeof(ClassState));

	st->cap = 64;
	st->weighted = weighted;
	st->method = method;
	st->classes = classes;
	st->v = MemoryContextAlloc(ctx, st->cap * sizeof(double));
	if (weighted)
		st->w = MemoryContextAlloc(ctx, st->cap * sizeof(double));
	return st;
}

/* Room for extra more rows, within work_mem. */
static void
state_reserve(ClassState *st, int64 extra)
{
	int64		need = st->n + extra;

	if (need <= st->cap)
		return;
	check_budget((double) need * row_bytes(st), "the values of one group (so far)");
	while (st->cap < need)
		st->cap *= 2;
	st->v = repalloc_huge(st->v, st->cap * sizeof(double));
	if (st->weighted)
		st->w = repalloc_huge(st->w, st->cap * sizeof(double));
}

/* Method and classes must be the same in every row of a group. */
static void
state_same_params(const ClassState *st, int32 method, int32 classes)
{
	if (st->method != method || st->classes != classes)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("method and classes differ between rows in buurtmonitor.class_breaks"),
				 errhint("Pass the same constant method and number of classes for every row of a group.")));
}

/* Shared transition: args value, [weight], method, classes. */
static ClassState *
class_accum(FunctionCallInfo fcinfo, bool weighted)
{
	MemoryContext ctx = class_agg_context(fcinfo, "class_breaks_transfn");
	int			am = weighted ? 3 : 2;
	ClassMethod m;
	int32		k;
	ClassState *st;
	double		v,
				w = 1.0;

	if (PG_ARGISNULL(am))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("method must not be null in buurtmonitor.class_breaks"),
				 errhint("Pass a method such as 'fisher' or 'quantile'.")));
	m = parse_method(PG_GETARG_TEXT_PP(am));
	k = check_classes(m, PG_ARGISNULL(am + 1), PG_ARGISNULL(am + 1) ? 0 : PG_GETARG_INT32(am + 1));
	if (weighted && m != CM_FISHER)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("weights are only supported by the fisher method"),
				 errhint("Call class_breaks(value, method, classes) without a weight.")));
	if (PG_ARGISNULL(0))
		st = state_new(ctx, weighted, m, k);
	else
	{
		st = (ClassState *) PG_GETARG_POINTER(0);
		state_same_params(st, m, k);
	}
	if (PG_ARGISNULL(1) || (weighted && PG_ARGISNULL(2)))
		return st;
	v = PG_GETARG_FLOAT8(1);
	check_finite(v, "value");
	if (weighted)
	{
		w = PG_GETARG_FLOAT8(2);
		check_finite(w, "weight");
		if (w < 0.0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weight must not be negative in buurtmonitor.class_breaks: %s",
							float8out_internal(w)),
					 errhint("Weights are counts or sizes such as inhabitants; correct the row or filter it out.")));
		if (w == 0.0)
			return st;
	}
	state_reserve(st, 1);
	st->v[st->n] = v;
	if (weighted)
		st->w[st->n] = w;
	st->n++;
	return st;
}

PG_FUNCTION_INFO_V1(bm_class_breaks_transfn);
Datum
bm_class_breaks_transfn(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(class_accum(fcinfo, false));
}

PG_FUNCTION_INFO_V1(bm_class_breaks_weighted_transfn);
Datum
bm_class_breaks_weighted_transfn(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(class_accum(fcinfo, true));
}

PG_FUNCTION_INFO_V1(bm_class_breaks_combinefn);
/* Append the rows of the second state to the first (copied into the aggregate context). */
Datum
bm_class_breaks_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = class_agg_context(fcinfo, "class_breaks_combinefn");
	ClassState *a = PG_ARGISNULL(0) ? NULL : (ClassState *) PG_GETARG_POINTER(0);
	ClassState *b = PG_ARGISNULL(1) ? NULL : (ClassState *) PG_GETARG_POINTER(1);
	MemoryContext old;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = state_new(ctx, b->weighted, b->method, b->classes);
	state_same_params(a, b->method, b->classes);
	old = MemoryContextSwitchTo(ctx);
	state_reserve(a, b->n);
	MemoryContextSwitchTo(old);
	memcpy(a->v + a->n, b->v, b->n * sizeof(double));
	if (a->weighted)
		memcpy(a->w + a->n, b->w, b->n * sizeof(double));
	a->n += b->n;
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(bm_class_breaks_serialfn);
/* int8 n, int1 weighted, int4 method, int4 classes, n values, [n weights]. */
Datum
bm_class_breaks_serialfn(PG_FUNCTION_ARGS)
{
	ClassState *st = (ClassState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int64		i;

	(void) class_agg_context(fcinfo, "class_breaks_serialfn");
	if ((Size) st->n > (MaxAllocSize - 64) / row_bytes(st))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rows to pass between parallel workers in buurtmonitor.class_breaks: %lld",
						(long long) st->n),
				 errhint("Run the query with max_parallel_workers_per_gather = 0.")));
	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, 17 + st->n * row_bytes(st));
	pq_sendint64(&buf, st->n);
	pq_sendbyte(&buf, st->weighted ? 1 : 0);
	pq_sendint32(&buf, st->method);
	pq_sendint32(&buf, st->classes);
	for (i = 0; i < st->n; i++)
		pq_sendfloat8(&buf, st->v[i]);
	for (i = 0; st->weighted && i < st->n; i++)
		pq_sendfloat8(&buf, st->w[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(bm_class_breaks_deserialfn);
/* Inverse of bm_class_breaks_serialfn. */
Datum
bm_class_breaks_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	ClassState *st;
	int64		n,
				i;
	bool		weighted;

	(void) class_agg_context(fcinfo, "class_breaks_deserialfn");
	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	n = pq_getmsgint64(&buf);
	weighted = pq_getmsgbyte(&buf) != 0;
	if (n < 0 || (Size) (buf.len - buf.cursor) != 8 + (Size) n * (weighted ? 16 : 8))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid serialised class_breaks state"),
				 errhint("The state comes from a parallel worker of the same server version; reinstall buurtmonitor if it differs.")));
	st = state_new(CurrentMemoryContext, weighted, 0, 0);
	st->method = (int32) pq_getmsgint(&buf, 4);
	st->classes = (int32) pq_getmsgint(&buf, 4);
	state_reserve(st, n);
	for (i = 0; i < n; i++)
		st->v[i] = pq_getmsgfloat8(&buf);
	for (i = 0; weighted && i < n; i++)
		st->w[i] = pq_getmsgfloat8(&buf);
	st->n = n;
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

/* ----------------------------------------------------------------
 * Helpers on sorted values
 * ---------------------------------------------------------------- */

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

/* (value, weight) pair for sorting weighted rows. */
typedef struct VW
{
	double		v;
	double		w;
} VW;

static int
cmp_vw(const void *a, const void *b)
{
	return cmp_double(&((const VW *) a)->v, &((const VW *) b)->v);
}

/* Mean of x[0..n-1] as R computes it: sum / n, then corrected by the mean residual. */
static double
mean_of(const double *x, int64 n)
{
	double		s = 0.0,
				c = 0.0,
				m;
	int64		i;

	for (i = 0; i < n; i++)
		s += x[i];
	m = s / n;
	for (i = 0; i < n; i++)
		c += x[i] - m;
	return m + c / n;
}

/* R quantile type 7 of sorted x[0..n-1] at p. */
static double
quantile7(const double *x, int64 n, double p)
{
	double		index = 1.0 + (double) (n - 1) * p;
	int64		lo = (int64) floor(index);
	int64		hi = (int64) ceil(index);
	double		qs = x[lo - 1];
	double		h;

	if (index > lo && x[hi - 1] != qs)
	{
		h = index - lo;
		qs = (1.0 - h) * qs + h * x[hi - 1];
	}
	return qs;
}

/* Breaks of nb values, with repeated values dropped (result length in *nb). */
static void
drop_repeats(double *b, int *nb)
{
	int			i,
				j = 1;

	for (i = 1; i < *nb; i++)
		if (b[i] != b[j - 1])
			b[j++] = b[i];
	*nb = j;
}

/* ----------------------------------------------------------------
 * R pretty(): round numbers 1, 2, 5 or 10 times a power of ten
 * ---------------------------------------------------------------- */

/*
 * The unit and the bounds ns, nu (in units) of R's pretty(c(lo, up), n) with
 * its defaults min.n = n %/% 3, shrink.sml = 0.75, high.u.bias = 1.5,
 * u5.bias = 2.75, f.min = 2^-20, eps.correct = 0; written after R's algorithm
 * (R_pretty, src/appl/pretty.c) and checked against R in test/classify_oracle.sh.
 */
static double
pretty_unit(double lo, double up, int *ndiv, double *ns_out, double *nu_out)
{
	const double h = 1.5,
				h5 = 0.5 + 1.5 * h,
				eps = 1e-10;
	int			min_n = *ndiv / 3;
	double		dx = up - lo,
				cell,
				base,
				unit,
				ns,
				nu,
				u;
	bool		small;
	int			k;

	if (dx == 0 && up == 0)
	{
		cell = 1;
		small = true;
	}
	else
	{
		cell = fmax(fabs(lo), fabs(up));
		u = 1 + ((h5 >= 1.5 * h + .5) ? 1 / (1 + h) : 1.5 / (1 + h5));
		u *= Max(1, *ndiv) * DBL_EPSILON;
		small = dx < cell * u * 3;
	}
	if (small)
	{
		if (cell > 10)
			cell = 9 + cell / 10;
		cell *= 0.75;
		if (min_n > 1)
			cell /= min_n;
	}
	else
	{
		cell = dx;
		if (*ndiv > 1)
			cell /= *ndiv;
	}
	if (cell < ldexp(DBL_MIN, -20))
		cell = ldexp(DBL_MIN, -20);
	base = pow(10.0, floor(log10(cell)));
	unit = base;
	if (2 * base - cell < h * (cell - unit))
	{
		unit = 2 * base;
		if (5 * base - cell < h5 * (cell - unit))
		{
			unit = 5 * base;
			if (10 * base - cell < h * (cell - unit))
				unit = 10 * base;
		}
	}
	ns = floor(lo / unit + eps);
	nu = ceil(up / unit - eps);
	while (ns * unit > lo + eps * unit)
		ns--;
	while (nu * unit < up - eps * unit)
		nu++;
	k = (int) (0.5 + nu - ns);
	if (k < min_n)
	{
		k = min_n - k;
		if (lo == 0. && ns == 0. && up != 0.)
			nu += k;
		else if (up == 0. && nu == 0. && lo != 0.)
			ns -= k;
		else if (ns >= 0.)
		{
			nu += k / 2;
			ns -= k / 2 + k % 2;
		}
		else
		{
			ns -= k / 2;
			nu += k / 2 + k % 2;
		}
		*ndiv = min_n;
	}
	else
		*ndiv = k;
	*ns_out = ns;
	*nu_out = nu;
	return unit;
}

/* R pretty(c(lo, up), n) into b (room for CLASSES_MAX * 3 + 2); returns the count. */
static int
pretty_breaks(double lo, double up, int n, double *b)
{
	int			ndiv = n;
	double		ns,
				nu;
	double		unit = pretty_unit(lo, up, &ndiv, &ns, &nu);
	double		l = (ns * unit < lo) ? ns * unit : lo;
	double		u = (nu * unit > up) ? nu * unit : up;
	int			len = ndiv + 1,
				i;
	double		by,
				delta;

	if (len > CLASSES_MAX * 3 + 2)
		/* internal: the callers bound the number of classes by CLASSES_MAX */
		elog(ERROR, "pretty breaks: %d breaks", len);
	/* seq.int(l, u, length.out = len) as in R 4.2: l + i * by, the last one u */
	by = (u - l) / (double) (len - 1);
	for (i = 0; i < len - 1; i++)
		b[i] = l + (double) i * by;
	b[len - 1] = u;
	delta = (u - l) / ndiv;
	for (i = 0; i < len; i++)
		if (fabs(b[i]) < 1e-14 * delta)
			b[i] = 0.0;
	return len;
}

/* ----------------------------------------------------------------
 * Fisher: exact optimal classes by dynamic programming
 * ---------------------------------------------------------------- */

/* Sorted distinct values x[0..m-1] with their total weights, and prefix sums. */
typedef struct FisherData
{
	int64		m;
	double	   *x;
	double	   *w;
	double	   *cw;				/* cw[i] = sum of w[0..i-1] */
	double	   *cs;				/* sum of w * (x - shift) */
	double	   *cq;				/* sum of w * (x - shift)^2 */
	int32	   *split;			/* split[q * m + i]: first index of class q (0-based) */
	double	   *prev;
	double	   *cur;
} FisherData;

/* Within-class sum of squares of x[j..i] (inclusive). */
static inline double
fisher_sse(const FisherData *fd, int64 j, int64 i)
{
	double		w = fd->cw[i + 1] - fd->cw[j];
	double		s = fd->cs[i + 1] - fd->cs[j];
	double		r = (fd->cq[i + 1] - fd->cq[j]) - s * s / w;

	return r > 0.0 ? r : 0.0;
}

/*
 * Row q of the table for i in [lo, hi], knowing that the best first index of
 * the last class lies in [optlo, opthi] (monotone in i): divide and conquer.
 */
static void
fisher_row(FisherData *fd, int q, int64 lo, int64 hi, int64 optlo, int64 opthi)
{
	int64		mid,
				j,
				best = -1,
				jlo,
				jhi;
	double		bestcost = DBL_MAX;

	while (lo <= hi)
	{
		mid = lo + (hi - lo) / 2;
		jlo = Max(optlo, q);
		jhi = Min(mid, opthi);
		best = jlo;
		bestcost = DBL_MAX;
		for (j = jlo; j <= jhi; j++)
		{
			double		c = fd->prev[j - 1] + fisher_sse(fd, j, mid);

			if (c < bestcost)
			{
				bestcost = c;
				best = j;
			}
		}
		fd->cur[mid] = bestcost;
		fd->split[(int64) q * fd->m + mid] = (int32) best;
		/* left half recursively, right half in this loop (depth log m) */
		fisher_row(fd, q, lo, mid - 1, optlo, best);
		lo = mid + 1;
		optlo = best;
	}
}

/* Class maxima of the optimal K classes into b[1..K]; b[0] = minimum. */
static void
fisher_solve(FisherData *fd, int K, double *b)
{
	int64		m = fd->m,
				i;
	int			q;

	for (i = 0; i < m; i++)
		fd->prev[i] = fisher_sse(fd, 0, i);
	for (q = 1; q < K; q++)
	{
		double	   *t;

		CHECK_FOR_INTERRUPTS();
		fisher_row(fd, q, q, m - 1, q, m - 1);
		t = fd->prev;
		fd->prev = fd->cur;
		fd->cur = t;
	}
	b[0] = fd->x[0];
	i = m - 1;
	for (q = K - 1; q >= 0; q--)
	{
		b[q + 1] = fd->x[i];
		if (q > 0)
			i = fd->split[(int64) q * m + i] - 1;
	}
}

/* Sort the rows, merge equal values (adding weights) and build prefix sums. */
static void
fisher_prepare(ClassState *st, FisherData *fd, int K)
{
	VW		   *p = palloc_extended(st->n * sizeof(VW), MCXT_ALLOC_HUGE);
	int64		i,
				m = 0;
	double		shift;

	for (i = 0; i < st->n; i++)
	{
		p[i].v = st->v[i];
		p[i].w = st->weighted ? st->w[i] : 1.0;
	}
	qsort(p, st->n, sizeof(VW), cmp_vw);
	for (i = 0; i < st->n; i++)
	{
		if (m > 0 && p[m - 1].v == p[i].v)
			p[m - 1].w += p[i].w;
		else
			p[m++] = p[i];
	}
	fd->m = m;
	fd->x = palloc_extended(m * sizeof(double), MCXT_ALLOC_HUGE);
	fd->w = palloc_extended(m * sizeof(double), MCXT_ALLOC_HUGE);
	for (i = 0; i < m; i++)
	{
		fd->x[i] = p[i].v;
		fd->w[i] = p[i].w;
	}
	pfree(p);
	fd->cw = palloc_extended((m + 1) * sizeof(double), MCXT_ALLOC_HUGE);
	fd->cs = palloc_extended((m + 1) * sizeof(double), MCXT_ALLOC_HUGE);
	fd->cq = palloc_extended((m + 1) * sizeof(double), MCXT_ALLOC_HUGE);
	shift = fd->x[m / 2];		/* sums of squares around the median stay small */
	fd->cw[0] = fd->cs[0] = fd->cq[0] = 0.0;
	for (i = 0; i < m; i++)
	{
		double		d = fd->x[i] - shift;

		fd->cw[i + 1] = fd->cw[i] + fd->w[i];
		fd->cs[i + 1] = fd->cs[i] + fd->w[i] * d;
		fd->cq[i + 1] = fd->cq[i] + fd->w[i] * d * d;
	}
	fd->prev = palloc_extended(m * sizeof(double), MCXT_ALLOC_HUGE);
	fd->cur = palloc_extended(m * sizeof(double), MCXT_ALLOC_HUGE);
	fd->split = palloc_extended((Size) K * m * sizeof(int32), MCXT_ALLOC_HUGE);
}

/* Fisher breaks: at most classes classes, fewer when there are fewer distinct values. */
static int
fisher_breaks(ClassState *st, double *b)
{
	FisherData	fd;
	int			K = st->classes;

	/* sorting copy, distinct values and weights, prefix sums, two rows, split table */
	check_budget((double) st->n * (row_bytes(st) + 16) +
				 (double) st->n * (7 * sizeof(double) + K * sizeof(int32)),
				 "the values and the table of optimal classes");
	if (st->n > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many values for the fisher method: %lld", (long long) st->n),
				 errhint("Use the quantile or pretty method, or classify a sample of the values.")));
	fisher_prepare(st, &fd, K);
	if (K > fd.m)
		K = (int) fd.m;
	fisher_solve(&fd, K, b);
	pfree(fd.x);
	pfree(fd.w);
	pfree(fd.cw);
	pfree(fd.cs);
	pfree(fd.cq);
	pfree(fd.prev);
	pfree(fd.cur);
	pfree(fd.split);
	return K + 1;
}

/* ----------------------------------------------------------------
 * The other methods (on the sorted values)
 * ---------------------------------------------------------------- */

static int
quantile_breaks(const double *x, int64 n, int k, double *b)
{
	int			j,
				nb = k + 1;

	for (j = 0; j <= k; j++)
		b[j] = quantile7(x, n, Min((double) j * (1.0 / k), 1.0));
	drop_repeats(b, &nb);
	return nb;
}

static int
equal_breaks(const double *x, int64 n, int k, double *b)
{
	double		lo = x[0],
				up = x[n - 1];
	int			j;

	b[0] = lo;
	for (j = 1; j < k; j++)
		b[j] = lo + (double) j * ((up - lo) / k);
	b[k] = up;
	return k + 1;
}

/* Head/tail breaks; at most k classes when k > 0. */
static int
headtails_breaks(const double *x, int64 n, int k, double *b)
{
	int64		start = 0;		/* the head is x[start..n-1] (sorted) */
	int			nb = 0,
				it;
	int			limit = (k > 0) ? k - 1 : 100;

	b[nb++] = x[0];
	for (it = 0; it < Min(limit, 100); it++)
	{
		double		mu = mean_of(x + start, n - start);
		int64		ntot = n - start;

		b[nb++] = mu;
		while (start < n && x[start] <= mu)
			start++;
		if (!((double) (n - start) / ntot <= 0.4 && n - start > 1))
			break;
	}
	b[nb++] = x[n - 1];
	qsort(b, nb, sizeof(double), cmp_double);
	drop_repeats(b, &nb);
	return nb;
}

/* classInt "sd": pretty breaks of the z-scores (sample standard deviation), scaled back. */
static int
sd_breaks(const double *x, int64 n, int k, double *b)
{
	double		mu = mean_of(x, n),
				ss = 0.0,
				sd;
	int64		i;
	int			nb,
				j;

	if (n < 2)
		return equal_breaks(x, n, 1, b);
	for (i = 0; i < n; i++)
		ss += (x[i] - mu) * (x[i] - mu);
	sd = sqrt(ss / (n - 1));
	nb = pretty_breaks((x[0] - mu) / sd, (x[n - 1] - mu) / sd, k, b);
	for (j = 0; j < nb; j++)
		b[j] = b[j] * sd + mu;
	return nb;
}

/* Box plot: [lower fence or min, Q1, median, Q3, upper fence or max]. */
static int
box_breaks(const double *x, int64 n, double *b)
{
	double		q[5];
	double		iqr,
				lofence,
				upfence;
	int			j;

	for (j = 0; j < 5; j++)
		q[j] = quantile7(x, n, j * 0.25);
	iqr = 1.5 * (q[3] - q[1]);
	upfence = q[3] + iqr;
	lofence = q[1] - iqr;
	b[0] = (lofence < q[0]) ? lofence : q[0];
	b[1] = lofence;
	b[2] = q[1];
	b[3] = q[2];
	b[4] = q[3];
	b[5] = upfence;
	b[6] = (upfence > q[4]) ? upfence : q[4];
	return 7;
}

/* ----------------------------------------------------------------
 * Final function
 * ---------------------------------------------------------------- */

/* The breaks of a state into b; returns their number. */
static int
compute_breaks(ClassState *st, double *b)
{
	double	   *x;
	int			nb;

	if (st->method == CM_FISHER)
		return fisher_breaks(st, b);
	check_budget((double) st->n * 2 * sizeof(double), "the values and a sorted copy");
	x = palloc_extended(st->n * sizeof(double), MCXT_ALLOC_HUGE);
	memcpy(x, st->v, st->n * sizeof(double));
	qsort(x, st->n, sizeof(double), cmp_double);
	if (x[0] == x[st->n - 1])
	{
		/* all values equal: one class [v, v] whatever the method */
		b[0] = b[1] = x[0];
		nb = 2;
	}
	else if (st->method == CM_QUANTILE)
		nb = quantile_breaks(x, st->n, st->classes, b);
	else if (st->method == CM_EQUAL)
		nb = equal_breaks(x, st->n, st->classes, b);
	else if (st->method == CM_PRETTY)
		nb = pretty_breaks(x[0], x[st->n - 1], st->classes, b);
	else if (st->method == CM_HEADTAILS)
		nb = headtails_breaks(x, st->n, st->classes, b);
	else if (st->method == CM_SD)
		nb = sd_breaks(x, st->n, st->classes, b);
	else
		nb = box_breaks(x, st->n, b);
	pfree(x);
	return nb;
}

PG_FUNCTION_INFO_V1(bm_class_breaks_finalfn);
/* The breaks b0..bK as float8[]; NULL for a group without values. */
Datum
bm_class_breaks_finalfn(PG_FUNCTION_ARGS)
{
	ClassState *st = PG_ARGISNULL(0) ? NULL : (ClassState *) PG_GETARG_POINTER(0);
	double		b[CLASSES_MAX * 3 + 2];
	Datum		d[CLASSES_MAX * 3 + 2];
	int			nb,
				i;

	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	nb = compute_breaks(st, b);
	for (i = 0; i < nb; i++)
		d[i] = Float8GetDatum(b[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, nb, FLOAT8OID, sizeof(float8),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* ----------------------------------------------------------------
 * class_of(value, breaks)
 * ---------------------------------------------------------------- */

/* Check a breaks array: at least two, no NULLs, finite, non-decreasing. */
static void
check_breaks(const double *b, const bool *nulls, int nb)
{
	int			i;

	if (nb < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("breaks must have at least two elements (one class), not %d", nb),
				 errhint("Pass the lower bound followed by the upper bound of every class.")));
	for (i = 0; i < nb; i++)
	{
		if (nulls && nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("breaks must not contain NULL (element %d)", i + 1),
					 errhint("Give the class breaks as numbers in ascending order.")));
		if (!isfinite(b[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("breaks must be finite (element %d is %s)", i + 1,
							float8out_internal(b[i])),
					 errhint("Give the class breaks as finite numbers in ascending order.")));
		if (i > 0 && b[i] < b[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("breaks must not decrease (element %d is %s after %s)", i + 1,
							float8out_internal(b[i]), float8out_internal(b[i - 1])),
					 errhint("Sort the breaks in ascending order.")));
	}
}

PG_FUNCTION_INFO_V1(bm_class_of);
/*
 * The class (1..K) of value for breaks b0..bK: the smallest j with
 * value <= b[j], for b0 <= value <= bK; NULL outside that range.
 */
Datum
bm_class_of(PG_FUNCTION_ARGS)
{
	double		v = PG_GETARG_FLOAT8(0);
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *d;
	bool	   *nulls;
	double	   *b;
	int			nb,
				i,
				lo,
				hi;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("breaks must be a one-dimensional array"),
				 errhint("Give the class breaks as a plain array, for example ARRAY[0, 10, 20].")));
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &d, &nulls, &nb);
	b = palloc(Max(nb, 1) * sizeof(double));
	for (i = 0; i < nb; i++)
		b[i] = nulls[i] ? 0.0 : DatumGetFloat8(d[i]);
	check_breaks(b, nulls, nb);
	if (isnan(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value is NaN in buurtmonitor.class_of"),
				 errhint("Replace NaN with NULL.")));
	if (v < b[0] || v > b[nb - 1])
		PG_RETURN_NULL();
	/* smallest j in 1..nb-1 with v <= b[j] */
	lo = 1;
	hi = nb - 1;
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (v <= b[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	PG_RETURN_INT32(lo);
}
