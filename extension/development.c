/*
 * development.c
 *		buurtmonitor.development(): per area, indicator and period the value, the
 *		comparison with a reference area, the change over time, trends and a label.
 *
 * Flow: the arguments are checked with a few small SPI queries; the reference
 * values (computed in SQL by buurtmonitor.reference_values, the one place where
 * roll-ups for references happen) and the indicator catalogue are loaded into
 * hash tables; then the observations are read through an SPI cursor sorted by
 * indicator, area and period, one series (indicator, area) at a time, and every
 * row of the series is computed and written into the result tuplestore.
 *
 * Also buurtmonitor.trend(periods, values): the same OLS and Theil-Sen slopes
 * on arrays, so the trend arithmetic can be checked by hand.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "significance.h"

PG_FUNCTION_INFO_V1(bm_development);
PG_FUNCTION_INFO_V1(bm_trend);

#define DEV_NCOLS 36
#define CODE_LEN 64				/* longest area or indicator code + 1 */
#define MAX_TREND_PERIODS 100
#define FETCH_ROWS 10000

/* Status of an observation as one character. */
#define ST_OBSERVED 'o'
#define ST_SUPPRESSED 's'
#define ST_ESTIMATED 'e'

/* One indicator of the catalogue, as far as development() needs it. */
typedef struct IndicatorInfo
{
	char		code[CODE_LEN];	/* hash key */
	char		kind;			/* c(ount), s(hare), m(ean), (sc)o(re) */
	double		scale;
	int			polarity;
	double		tolerance;
	int32		base_period;	/* default base: first period of the indicator */
	bool		has_base;
} IndicatorInfo;

/* Hash key of a reference value. */
typedef struct RefKey
{
	char		reference_code[CODE_LEN];
	char		indicator[CODE_LEN];
	int32		period;
} RefKey;

/* A reference value with the statistics of the compared areas. */
typedef struct RefEntry
{
	RefKey		key;
	bool		has_value;
	double		value;
	const char *source;			/* observed, rolled_up, suppressed or NULL */
	bool		has_stats;
	double		mean;
	double		sd;
	int			areas_with_value;
	bool		has_n;
	double		n;
	bool		has_se;
	double		se;
} RefEntry;

/* One observation of a series. */
typedef struct SeriesObs
{
	int32		period;
	int32		vintage;
	char		status;
	bool		has_value;
	double		value;
	bool		has_n;
	double		n;
	bool		has_se;
	double		se;
} SeriesObs;

/* The series being read: one indicator in one area. */
typedef struct Series
{
	char		indicator[CODE_LEN];
	char		area_code[CODE_LEN];
	char	   *area_name;
	char	   *reference_code;
	char	   *reference_name;
	IndicatorInfo *info;
	SeriesObs  *obs;
	int			n;
	int			cap;
} Series;

/* Arguments of development() after validation. */
typedef struct DevArgs
{
	char	   *level;
	ArrayType  *indicators;		/* NULL = all */
	int32		vintage;
	char	   *reference_level;
	char	   *reference_area;	/* NULL = by reference_level */
	bool		has_base;
	int32		base_period;
	int			trend_periods;
	ArrayType  *periods;		/* NULL = all */
	bool		by_code;
	double		alpha;
} DevArgs;

/* Everything the per-series computation needs. */
typedef struct DevState
{
	DevArgs    *args;
	HTAB	   *indicators;
	HTAB	   *refs;
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
	MemoryContext rowcxt;		/* reset after each series */
	double	   *slopes;			/* scratch for Theil-Sen */
} DevState;

/* ---------- small numeric helpers ---------- */

/* qsort comparator for doubles. */
static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Median of n doubles (sorts them in place); n > 0. */
static double
median_inplace(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	if (n % 2 == 1)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/*
 * OLS and Theil-Sen slopes of y on x over n points (x distinct).
 * slopes is scratch space for n (n - 1) / 2 doubles.  Needs n >= 2.
 */
static void
trend_slopes(const double *x, const double *y, int n, double *slopes,
			 double *ols, double *theil_sen)
{
	double		mx = 0.0,
				my = 0.0,
				sxy = 0.0,
				sxx = 0.0;
	int			i,
				j,
				k = 0;

	/* two-pass centred sums: exact enough for years around 2000 */
	for (i = 0; i < n; i++)
	{
		mx += x[i];
		my += y[i];
	}
	mx /= n;
	my /= n;
	for (i = 0; i < n; i++)
	{
		sxy += (x[i] - mx) * (y[i] - my);
		sxx += (x[i] - mx) * (x[i] - mx);
	}
	*ols = sxy / sxx;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			slopes[k++] = (y[j] - y[i]) / (x[j] - x[i]);
	*theil_sen = median_inplace(slopes, k);
}

/* Copy a text datum into a fixed code buffer, rejecting codes that do not fit. */
static void
copy_code(char *dst, const char *src, const char *what)
{
	if (strlen(src) >= CODE_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("%s code \"%s\" is longer than %d characters", what, src, CODE_LEN - 1),
				 errhint("Use shorter area and indicator codes.")));
	strlcpy(dst, src, CODE_LEN);
}

/* ---------- argument checks ---------- */

/* Read an integer[] argument into a palloc'd array; errors on NULL elements. */
static int32 *
int_array(ArrayType *arr, int *n, const char *what)
{
	Datum	   *elems;
	bool	   *nulls;
	int32	   *out;
	int			i;

	deconstruct_array(arr, INT4OID, 4, true, TYPALIGN_INT, &elems, &nulls, n);
	out = palloc(sizeof(int32) * Max(*n, 1));
	for (i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", what),
					 errhint("Remove the NULL elements.")));
		out[i] = DatumGetInt32(elems[i]);
	}
	return out;
}

/* Periods must be strictly increasing: out of order or duplicate is an error. */
static void
check_increasing(const int32 *p, int n, const char *what)
{
	int			i;

	for (i = 1; i < n; i++)
	{
		if (p[i] == p[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s contain period %d twice", what, p[i]),
					 errhint("List every period once, in increasing order.")));
		if (p[i] < p[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s are out of order: %d comes after %d", what, p[i], p[i - 1]),
					 errhint("List the periods in increasing order, for example ARRAY[2016, 2018, 2020].")));
	}
}

/* Run a one-value query with text/int parameters; returns NULL if no row or NULL. */
static char *
spi_scalar(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls)
{
	int			ret = SPI_execute_with_args(sql, nargs, types, values, nulls, true, 1);

	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI query failed: %s", sql);
	if (SPI_processed == 0)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* Error unless the level exists in buurtmonitor.levels; returns its rank. */
static int
check_level(const char *level, const char *what)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(level)};
	char	   *rank = spi_scalar("SELECT rank FROM buurtmonitor.levels WHERE level = $1",
								  1, types, values, NULL);

	if (rank == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown %s \"%s\"", what, level),
				 errhint("Use a level of buurtmonitor.levels, such as buurt, wijk or gemeente.")));
	return atoi(rank);
}

/* Error on the first indicator code that is not in the catalogue. */
static void
check_indicators(ArrayType *indicators)
{
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1] = {PointerGetDatum(indicators)};
	char	   *bad = spi_scalar("SELECT coalesce(u, '(NULL)') FROM unnest($1) WITH ORDINALITY AS t(u, i) "
								 "WHERE u IS NULL OR NOT EXISTS (SELECT 1 FROM buurtmonitor.indicators c WHERE c.code = u) "
								 "ORDER BY i LIMIT 1",
								 1, types, values, NULL);

	if (bad != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown indicator \"%s\"", bad),
				 errhint("Use a code of buurtmonitor.indicators.")));
}

/* Newest vintage of the level, or check that the given one has areas of it. */
static int32
resolve_vintage(const char *level, bool given, int32 vintage)
{
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		values[2] = {CStringGetTextDatum(level), Int32GetDatum(vintage)};
	char	   *v;

	if (!given)
	{
		v = spi_scalar("SELECT max(vintage) FROM buurtmonitor.areas WHERE level = $1",
					   1, types, values, NULL);
		if (v == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("no areas of level \"%s\"", level),
					 errhint("Load the areas first, or choose another level.")));
		return atoi(v);
	}
	v = spi_scalar("SELECT 1 FROM buurtmonitor.areas WHERE level = $1 AND vintage = $2 LIMIT 1",
				   2, types, values, NULL);
	if (v == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("no areas of level \"%s\" in vintage %d", level, vintage),
				 errhint("Pass NULL for the newest vintage, or load that boundary edition.")));
	return vintage;
}

/* Error unless the reference area exists in the vintage. */
static void
check_reference_area(const char *code, int32 vintage)
{
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		values[2] = {CStringGetTextDatum(code), Int32GetDatum(vintage)};

	if (spi_scalar("SELECT 1 FROM buurtmonitor.areas WHERE code = $1 AND vintage = $2",
				   2, types, values, NULL) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("reference area \"%s\" does not exist in vintage %d", code, vintage),
				 errhint("Use the code of an area in buurtmonitor.areas of the same vintage.")));
}

/* Validate all arguments and fill a DevArgs. */
static void
read_args(FunctionCallInfo fcinfo, DevArgs *a)
{
	int			level_rank;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("level must not be NULL"),
				 errhint("Pass a level such as 'buurt' or 'wijk'.")));
	a->level = text_to_cstring(PG_GETARG_TEXT_PP(0));
	level_rank = check_level(a->level, "level");

	a->indicators = PG_ARGISNULL(1) ? NULL : PG_GETARG_ARRAYTYPE_P(1);
	if (a->indicators)
		check_indicators(a->indicators);

	a->vintage = resolve_vintage(a->level, !PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2));

	a->reference_area = PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4));
	a->reference_level = PG_ARGISNULL(3) ? pstrdup("gemeente") : text_to_cstring(PG_GETARG_TEXT_PP(3));
	if (a->reference_area)
		check_reference_area(a->reference_area, a->vintage);
	else if (check_level(a->reference_level, "reference level") <= level_rank)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reference level \"%s\" is not larger than level \"%s\"",
						a->reference_level, a->level),
				 errhint("Compare buurten with their wijk or gemeente, or pass reference_area.")));

	a->has_base = !PG_ARGISNULL(5);
	a->base_period = a->has_base ? PG_GETARG_INT32(5) : 0;

	a->trend_periods = PG_ARGISNULL(6) ? 5 : PG_GETARG_INT32(6);
	if (a->trend_periods < 2 || a->trend_periods > MAX_TREND_PERIODS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("trend_periods must be between 2 and %d, got %d", MAX_TREND_PERIODS, a->trend_periods),
				 errhint("A trend needs at least two periods.")));

	a->periods = PG_ARGISNULL(7) ? NULL : PG_GETARG_ARRAYTYPE_P(7);
	if (a->periods)
	{
		int			n,
					i;
		int32	   *p = int_array(a->periods, &n, "periods");
		bool		found = !a->has_base;

		check_increasing(p, n, "periods");
		for (i = 0; i < n && !found; i++)
			found = (p[i] == a->base_period);
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("base period %d is not among the periods", a->base_period),
					 errhint("Add the base period to periods, or leave base_period NULL.")));
	}
	a->by_code = PG_ARGISNULL(8) ? false : PG_GETARG_BOOL(8);
	a->alpha = PG_ARGISNULL(9) ? 0.05 : PG_GETARG_FLOAT8(9);
	if (!(a->alpha > 0.0 && a->alpha < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("alpha must be between 0 and 1, got %g", a->alpha),
				 errhint("Use a significance level such as 0.05.")));
}

/* ---------- loading the catalogue and the reference values ---------- */

/* Load buurtmonitor.indicators into a hash table keyed by code. */
static HTAB *
load_indicators(void)
{
	HASHCTL		ctl;
	HTAB	   *h;
	uint64		i;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = CODE_LEN;
	ctl.entrysize = sizeof(IndicatorInfo);
	ctl.hcxt = CurrentMemoryContext;
	h = hash_create("buurtmonitor indicators", 256, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	if (SPI_execute("SELECT code, kind, scale, polarity, tolerance FROM buurtmonitor.indicators",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read buurtmonitor.indicators");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		char		key[CODE_LEN];
		char	   *kind = SPI_getvalue(tup, td, 2);
		bool		isnull;
		IndicatorInfo *e;

		copy_code(key, SPI_getvalue(tup, td, 1), "indicator");
		e = hash_search(h, key, HASH_ENTER, NULL);
		/* kind: count, share, mean, score -> c, s, m, o */
		e->kind = (strcmp(kind, "score") == 0) ? 'o' : kind[0];
		e->scale = DatumGetFloat8(SPI_getbinval(tup, td, 3, &isnull));
		e->polarity = DatumGetInt16(SPI_getbinval(tup, td, 4, &isnull));
		e->tolerance = DatumGetFloat8(SPI_getbinval(tup, td, 5, &isnull));
		e->has_base = false;
	}
	SPI_freetuptable(SPI_tuptable);
	return h;
}

/* Bind the seven arguments of reference_values() (and the stream query). */
static void
bind_args(DevArgs *a, Oid *types, Datum *values, char *nulls)
{
	types[0] = TEXTOID;
	values[0] = CStringGetTextDatum(a->level);
	types[1] = INT4OID;
	values[1] = Int32GetDatum(a->vintage);
	types[2] = TEXTOID;
	values[2] = CStringGetTextDatum(a->reference_level);
	types[3] = TEXTOID;
	values[3] = a->reference_area ? CStringGetTextDatum(a->reference_area) : (Datum) 0;
	nulls[3] = a->reference_area ? ' ' : 'n';
	types[4] = TEXTARRAYOID;
	values[4] = PointerGetDatum(a->indicators);
	nulls[4] = a->indicators ? ' ' : 'n';
	types[5] = INT4ARRAYOID;
	values[5] = PointerGetDatum(a->periods);
	nulls[5] = a->periods ? ' ' : 'n';
	types[6] = BOOLOID;
	values[6] = BoolGetDatum(a->by_code);
}

/*
 * Load buurtmonitor.reference_values() into a hash table, and set each
 * indicator's default base period (its first period among the compared areas).
 */
static HTAB *
load_references(DevArgs *a, HTAB *indicators)
{
	HASHCTL		ctl;
	HTAB	   *h;
	Oid			types[7];
	Datum		values[7];
	char		nulls[8] = "       ";
	uint64		i;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(RefKey);
	ctl.entrysize = sizeof(RefEntry);
	ctl.hcxt = CurrentMemoryContext;
	h = hash_create("buurtmonitor reference values", 4096, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	bind_args(a, types, values, nulls);
	if (SPI_execute_with_args("SELECT reference_code, indicator, period, value, source, areas, "
							  "areas_with_value, areas_mean, areas_sd, n, se "
							  "FROM buurtmonitor.reference_values($1, $2, $3, $4, $5, $6, $7)",
							  7, types, values, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not compute the reference values");

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *ref = SPI_getvalue(tup, td, 1);
		char	   *ind = SPI_getvalue(tup, td, 2);
		int32		period = DatumGetInt32(SPI_getbinval(tup, td, 3, &isnull));
		int32		areas = DatumGetInt32(SPI_getbinval(tup, td, 6, &isnull));
		IndicatorInfo *info;
		char		ikey[CODE_LEN];
		RefKey		key;
		RefEntry   *e;
		Datum		d;
		char	   *source;

		copy_code(ikey, ind, "indicator");
		info = hash_search(indicators, ikey, HASH_FIND, NULL);
		/* default base period: the first period in which a compared area has a row */
		if (info && areas > 0 && (!info->has_base || period < info->base_period))
		{
			info->has_base = true;
			info->base_period = period;
		}
		if (ref == NULL)
			continue;			/* compared areas without a reference area */

		memset(&key, 0, sizeof(key));
		copy_code(key.reference_code, ref, "area");
		strlcpy(key.indicator, ikey, CODE_LEN);
		key.period = period;
		e = hash_search(h, &key, HASH_ENTER, NULL);
		d = SPI_getbinval(tup, td, 4, &isnull);
		e->has_value = !isnull;
		e->value = isnull ? 0.0 : DatumGetFloat8(d);
		source = SPI_getvalue(tup, td, 5);
		/* keep static strings: the SPI copies are freed below */
		e->source = source == NULL ? NULL :
			strcmp(source, "observed") == 0 ? "observed" :
			strcmp(source, "rolled_up") == 0 ? "rolled_up" : "suppressed";
		e->areas_with_value = DatumGetInt32(SPI_getbinval(tup, td, 7, &isnull));
		d = SPI_getbinval(tup, td, 8, &isnull);
		e->mean = isnull ? 0.0 : DatumGetFloat8(d);
		d = SPI_getbinval(tup, td, 9, &isnull);
		e->has_stats = !isnull;
		e->sd = isnull ? 0.0 : DatumGetFloat8(d);
		d = SPI_getbinval(tup, td, 10, &isnull);
		e->has_n = !isnull;
		e->n = isnull ? 0.0 : DatumGetFloat8(d);
		d = SPI_getbinval(tup, td, 11, &isnull);
		e->has_se = !isnull;
		e->se = isnull ? 0.0 : DatumGetFloat8(d);
	}
	SPI_freetuptable(SPI_tuptable);
	return h;
}

/* ---------- per-series computation ---------- */

/* Small epsilon so that a change equal to the tolerance counts as within it. */
static inline double
tol_eps(double tolerance, double a, double b)
{
	return tolerance + 1e-12 * (fabs(a) + fabs(b) + 1.0);
}

/* Label of a change from the polarity and the tolerance. */
static const char *
change_label(double change, double tol, int polarity)
{
	if (fabs(change) <= tol)
		return "stable";
	if (polarity == 0)
		return change > 0 ? "increased" : "decreased";
	return (change * polarity > 0) ? "improved" : "worsened";
}

/*
 * p-value of the difference between a (value, n, se) and b (value, n, se):
 * a two-proportion z-test for shares with sample sizes, a z-test (Welch t-test
 * when both n are known) for other kinds with standard errors.  Returns false
 * when the observations carry no usable sample information.
 */
static bool
difference_p(const IndicatorInfo *info,
			 double va, bool has_na, double na, bool has_sea, double sea,
			 double vb, bool has_nb, double nb, bool has_seb, double seb,
			 double *p)
{
	if (info->kind == 's' && has_na && has_nb)
	{
		double		pa = va / info->scale;
		double		pb = vb / info->scale;
		double		z;

		if (!(pa >= 0.0 && pa <= 1.0 && pb >= 0.0 && pb <= 1.0))
			return false;
		if (!bm_proportion_z(pa, na, pb, nb, &z))
			return false;
		*p = bm_normal_p_two_sided(z);
		return true;
	}
	if (has_sea && has_seb)
	{
		double		stat = (va - vb) / sqrt(sea * sea + seb * seb);

		if (has_na && has_nb && na >= 2.0 && nb >= 2.0)
			*p = bm_t_p_two_sided(stat, bm_calc_welch_df(sea, na, seb, nb));
		else
			*p = bm_normal_p_two_sided(stat);
		return true;
	}
	return false;
}

/* Find the reference entry of a series at a period, or NULL. */
static RefEntry *
find_ref(DevState *st, Series *s, int32 period)
{
	RefKey		key;

	if (s->reference_code == NULL)
		return NULL;
	memset(&key, 0, sizeof(key));
	strlcpy(key.reference_code, s->reference_code, CODE_LEN);
	strlcpy(key.indicator, s->indicator, CODE_LEN);
	key.period = period;
	return hash_search(st->refs, &key, HASH_FIND, NULL);
}

/* Set output column c to a float8. */
#define SET_F(c, v) do { values[c] = Float8GetDatum(v); nulls[c] = false; } while (0)
#define SET_I(c, v) do { values[c] = Int32GetDatum(v); nulls[c] = false; } while (0)
#define SET_T(c, v) do { values[c] = CStringGetTextDatum(v); nulls[c] = false; } while (0)

/* Compute every row of one series and append it to the result. */
static void
emit_series(DevState *st, Series *s)
{
	MemoryContext old = MemoryContextSwitchTo(st->rowcxt);
	IndicatorInfo *info = s->info;
	DevArgs    *a = st->args;
	bool		has_base = a->has_base || info->has_base;
	int32		base_period = a->has_base ? a->base_period : info->base_period;
	int			base_idx = -1;
	bool		prev_has_diff = false;
	double		prev_diff = 0.0;
	const char *prev_label = NULL;
	int			prev_run = 0;
	double	   *x = palloc(sizeof(double) * a->trend_periods);
	double	   *y = palloc(sizeof(double) * a->trend_periods);
	int			i,
				j;

	for (i = 0; has_base && i < s->n; i++)
		if (s->obs[i].period == base_period)
			base_idx = i;

	for (i = 0; i < s->n; i++)
	{
		Datum		values[DEV_NCOLS];
		bool		nulls[DEV_NCOLS];
		SeriesObs  *o = &s->obs[i];
		SeriesObs  *prev = i > 0 ? &s->obs[i - 1] : NULL;
		RefEntry   *ref = find_ref(st, s, o->period);
		bool		has_ref = ref && ref->has_value;
		bool		has_diff = has_ref && o->has_value;
		const char *label = NULL;
		double		p;
		int			k;

		memset(nulls, true, sizeof(nulls));
		SET_T(0, s->area_code);
		if (s->area_name)
			SET_T(1, s->area_name);
		SET_T(2, s->indicator);
		SET_I(3, o->period);
		if (o->has_value)
			SET_F(4, o->value);
		SET_T(5, o->status == ST_OBSERVED ? "observed" :
			  o->status == ST_SUPPRESSED ? "suppressed" : "estimated");
		values[6] = BoolGetDatum(o->status == ST_ESTIMATED);
		nulls[6] = false;
		SET_I(7, o->vintage);

		/* comparison with the reference area */
		if (s->reference_code)
			SET_T(8, s->reference_code);
		if (s->reference_name)
			SET_T(9, s->reference_name);
		if (has_ref)
			SET_F(10, ref->value);
		if (ref && ref->source)
			SET_T(11, ref->source);
		if (has_diff && ref->value != 0.0)
			SET_F(12, 100.0 * o->value / ref->value);
		if (has_diff)
			SET_F(13, o->value - ref->value);
		if (ref && o->has_value && ref->has_stats && ref->areas_with_value >= 2 && ref->sd > 0.0)
			SET_F(14, (o->value - ref->mean) / ref->sd);

		/* change against the previous available period */
		if (prev)
		{
			SET_I(15, prev->period);
			if (prev->has_value)
				SET_F(16, prev->value);
		}
		if (prev && prev->has_value && o->has_value)
		{
			double		change = o->value - prev->value;

			SET_F(17, change);
			if (prev->value != 0.0)
				SET_F(18, 100.0 * change / fabs(prev->value));
			if (info->kind == 's')
				SET_F(19, change * 100.0 / info->scale);
			label = change_label(change, tol_eps(info->tolerance, o->value, prev->value), info->polarity);
			if (difference_p(info, o->value, o->has_n, o->n, o->has_se, o->se,
							 prev->value, prev->has_n, prev->n, prev->has_se, prev->se, &p))
			{
				SET_F(32, p);
				SET_T(33, bm_calc_significance_label(change, p, info->polarity, a->alpha));
			}
		}

		/* change against the base period and the compound annual growth rate */
		if (has_base)
			SET_I(20, base_period);
		if (base_idx >= 0 && s->obs[base_idx].has_value)
		{
			double		bv = s->obs[base_idx].value;

			SET_F(21, bv);
			if (o->has_value)
			{
				double		change = o->value - bv;

				SET_F(22, change);
				if (bv != 0.0)
					SET_F(23, 100.0 * change / fabs(bv));
				if (info->kind == 's')
					SET_F(24, change * 100.0 / info->scale);
				if (o->period > base_period && bv > 0.0 && o->value >= 0.0)
					SET_F(25, 100.0 * (pow(o->value / bv, 1.0 / (o->period - base_period)) - 1.0));
			}
		}

		/* trend over the last trend_periods rows of the series */
		k = 0;
		for (j = Max(0, i - a->trend_periods + 1); j <= i; j++)
			if (s->obs[j].has_value)
			{
				x[k] = s->obs[j].period;
				y[k] = s->obs[j].value;
				k++;
			}
		SET_I(26, k);
		if (k >= 2)
		{
			double		ols,
						ts;

			trend_slopes(x, y, k, st->slopes, &ols, &ts);
			SET_F(27, ols);
			SET_F(28, ts);
		}

		/* does the gap with the reference widen or narrow? */
		if (prev && has_diff && prev_has_diff)
		{
			double		now = fabs(o->value - ref->value);
			double		tol = tol_eps(info->tolerance, now, prev_diff);
			double		d = now - fabs(prev_diff);

			SET_T(29, d > tol ? "widening" : d < -tol ? "narrowing" : "unchanged");
		}
		prev_has_diff = has_diff;
		prev_diff = has_diff ? o->value - ref->value : 0.0;

		/* label and how many periods in a row it has held */
		if (label)
		{
			int			run = (prev_label && strcmp(prev_label, label) == 0) ? prev_run + 1 : 1;

			SET_T(30, label);
			SET_I(31, run);
			prev_run = run;
		}
		prev_label = label;

		/* significance of the difference with the reference */
		if (has_diff && ref->source && strcmp(ref->source, "observed") == 0 &&
			difference_p(info, o->value, o->has_n, o->n, o->has_se, o->se,
						 ref->value, ref->has_n, ref->n, ref->has_se, ref->se, &p))
		{
			SET_F(34, p);
			SET_T(35, bm_calc_significance_label(o->value - ref->value, p, info->polarity, a->alpha));
		}

		tuplestore_putvalues(st->tupstore, st->tupdesc, values, nulls);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(st->rowcxt);
}

/* ---------- streaming the observations ---------- */

/* Does a text datum equal a C string? */
static bool
text_eq(Datum d, const char *s)
{
	text	   *t = DatumGetTextPP(d);
	size_t		len = VARSIZE_ANY_EXHDR(t);

	return strlen(s) == len && memcmp(VARDATA_ANY(t), s, len) == 0;
}

/* Nullable text column as a string in the given context, or NULL. */
static char *
text_col(HeapTuple tup, TupleDesc td, int col, MemoryContext cxt)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, td, col, &isnull);
	MemoryContext old;
	char	   *s;

	if (isnull)
		return NULL;
	old = MemoryContextSwitchTo(cxt);
	s = TextDatumGetCString(d);
	MemoryContextSwitchTo(old);
	return s;
}

/* Nullable float8 column. */
static bool
float_col(HeapTuple tup, TupleDesc td, int col, double *v)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, td, col, &isnull);

	*v = isnull ? 0.0 : DatumGetFloat8(d);
	return !isnull;
}

/* Start a new series from the row that begins it. */
static void
start_series(DevState *st, Series *s, HeapTuple tup, TupleDesc td, MemoryContext cxt)
{
	bool		isnull;
	char	   *ind = TextDatumGetCString(SPI_getbinval(tup, td, 1, &isnull));

	MemoryContextReset(cxt);
	copy_code(s->indicator, ind, "indicator");
	copy_code(s->area_code, TextDatumGetCString(SPI_getbinval(tup, td, 2, &isnull)), "area");
	s->area_name = text_col(tup, td, 9, cxt);
	s->reference_code = text_col(tup, td, 10, cxt);
	s->reference_name = text_col(tup, td, 11, cxt);
	s->info = hash_search(st->indicators, s->indicator, HASH_FIND, NULL);
	if (s->info == NULL)
		elog(ERROR, "indicator \"%s\" vanished from the catalogue", s->indicator);
	s->n = 0;
}

/* Append the row's observation to the series, checking the period order. */
static void
add_obs(Series *s, HeapTuple tup, TupleDesc td)
{
	bool		isnull;
	SeriesObs  *o;
	text	   *status;

	if (s->n == s->cap)
	{
		s->cap *= 2;
		s->obs = repalloc(s->obs, sizeof(SeriesObs) * s->cap);
	}
	o = &s->obs[s->n];
	o->period = DatumGetInt32(SPI_getbinval(tup, td, 3, &isnull));
	if (s->n > 0 && o->period <= s->obs[s->n - 1].period)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("period %d of indicator \"%s\" in area \"%s\" is %s",
						o->period, s->indicator, s->area_code,
						o->period == s->obs[s->n - 1].period ? "duplicated" : "out of order"),
				 errhint("Keep one observation per area, indicator and period in the chosen vintage.")));
	o->has_value = float_col(tup, td, 4, &o->value);
	status = DatumGetTextPP(SPI_getbinval(tup, td, 5, &isnull));
	o->status = VARDATA_ANY(status)[0];	/* observed, suppressed, estimated */
	if (o->status == ST_SUPPRESSED)
		o->has_value = false;
	o->vintage = DatumGetInt32(SPI_getbinval(tup, td, 6, &isnull));
	o->has_n = float_col(tup, td, 7, &o->n);
	o->has_se = float_col(tup, td, 8, &o->se);
	s->n++;
}

/* The observations of the compared areas, one series after another. */
static const char *stream_sql =
"SELECT o.indicator, ra.area_code, o.period, o.value, o.status, o.vintage, s.n, s.se, "
"       ra.area_name, ra.reference_code, ra.reference_name "
"  FROM buurtmonitor.reference_areas($1, $2, $3, $4) ra "
"  JOIN buurtmonitor.vintage_observations($2, $7) o ON o.area_code = ra.area_code "
"  LEFT JOIN buurtmonitor.sample_sizes s ON s.area_code = o.area_code AND s.vintage = o.vintage "
"       AND s.period = o.period AND s.indicator = o.indicator "
" WHERE ($5 IS NULL OR o.indicator = ANY ($5)) AND ($6 IS NULL OR o.period = ANY ($6)) "
" ORDER BY o.indicator, ra.area_code, o.period";

/* Read the observations through a cursor and emit series as they complete. */
static void
stream_series(DevState *st)
{
	Oid			types[7];
	Datum		values[7];
	char		nulls[8] = "       ";
	Portal		portal;
	Series		s;
	bool		open = false;
	MemoryContext namecxt = AllocSetContextCreate(CurrentMemoryContext, "development series",
												  ALLOCSET_SMALL_SIZES);

	memset(&s, 0, sizeof(s));
	s.cap = 16;
	s.obs = palloc(sizeof(SeriesObs) * s.cap);

	bind_args(st->args, types, values, nulls);
	portal = SPI_cursor_open_with_args(NULL, stream_sql, 7, types, values, nulls, true, 0);
	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	td = SPI_tuptable->tupdesc;
			bool		isnull;

			if (!open ||
				!text_eq(SPI_getbinval(tup, td, 2, &isnull), s.area_code) ||
				!text_eq(SPI_getbinval(tup, td, 1, &isnull), s.indicator))
			{
				if (open)
					emit_series(st, &s);
				start_series(st, &s, tup, td, namecxt);
				open = true;
			}
			add_obs(&s, tup, td);
		}
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}
	if (open)
		emit_series(st, &s);
	SPI_cursor_close(portal);
}

/*
 * development(level, indicators, vintage, reference_level, reference_area,
 *             base_period, trend_periods, periods, by_code, alpha)
 * Set-returning (materialised): see docs/development.md for every column.
 */
Datum
bm_development(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DevArgs		args;
	DevState	st;

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	memset(&args, 0, sizeof(args));
	read_args(fcinfo, &args);

	memset(&st, 0, sizeof(st));
	st.args = &args;
	st.tupstore = rsinfo->setResult;
	st.tupdesc = rsinfo->setDesc;
	st.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "development rows", ALLOCSET_DEFAULT_SIZES);
	st.slopes = palloc(sizeof(double) * MAX_TREND_PERIODS * (MAX_TREND_PERIODS - 1) / 2);
	st.indicators = load_indicators();
	st.refs = load_references(&args, st.indicators);

	stream_series(&st);

	SPI_finish();
	return (Datum) 0;
}

/* ---------- trend() on arrays ---------- */

/*
 * trend(periods integer[], vals double precision[]) -> (n, ols_slope, theil_sen_slope)
 * NULL values are skipped; periods must be strictly increasing.
 */
Datum
bm_trend(PG_FUNCTION_ARGS)
{
	ArrayType  *pa = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *va = PG_GETARG_ARRAYTYPE_P(1);
	int			np,
				nv,
				i,
				k = 0;
	int32	   *periods = int_array(pa, &np, "periods");
	Datum	   *elems;
	bool	   *enulls;
	double	   *x,
			   *y;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, true, true};

	deconstruct_array(va, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &enulls, &nv);
	if (np != nv)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("periods and values differ in length (%d and %d)", np, nv),
				 errhint("Pass one value per period; use NULL for a missing value.")));
	if (np > 1000)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("trend takes at most 1000 periods, got %d", np),
				 errhint("Pass a shorter window.")));
	check_increasing(periods, np, "periods");
	x = palloc(sizeof(double) * Max(np, 1));
	y = palloc(sizeof(double) * Max(np, 1));
	for (i = 0; i < np; i++)
		if (!enulls[i])
		{
			x[k] = periods[i];
			y[k] = DatumGetFloat8(elems[i]);
			k++;
		}
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = Int32GetDatum(k);
	if (k >= 2)
	{
		double		ols,
					ts;

		trend_slopes(x, y, k, palloc(sizeof(double) * k * (k - 1) / 2), &ols, &ts);
		values[1] = Float8GetDatum(ols);
		values[2] = Float8GetDatum(ts);
		nulls[1] = nulls[2] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
