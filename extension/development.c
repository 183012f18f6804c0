/*
 * development.c
 *		buurtmonitor.development(): per area, indicator and period the value, the
 *		comparison with a reference area, the change over time, trends and a label;
 *		and buurtmonitor.reference_values(), the reference values it uses.
 *
 * Flow: the arguments are checked with a few small SPI queries; the compared
 * areas with their reference areas (buurtmonitor.reference_areas) and the
 * indicator catalogue are loaded into hash tables.  Then the observations of
 * the boundary edition are read ONCE through an SPI cursor, unsorted: each row
 * is added to its group (reference area, indicator, period: counts, running
 * mean and variance, sums for the roll-up) and, for development(), to its
 * series (area, indicator).  After the scan rollup_reference() turns every
 * group into a reference value -- the one place where roll-up rules for
 * references live -- and each series is sorted by period and computed row by
 * row into the result tuplestore.  Groups live in short per-period lists per
 * (reference area, indicator); series heads in an array per (area, indicator),
 * so the scan does no hashing beyond a lookup when the area code changes.
 * Memory: about 24 bytes per observation plus 8 per (compared area, indicator).
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
#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "significance.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(bm_development);
PG_FUNCTION_INFO_V1(bm_reference_values);
PG_FUNCTION_INFO_V1(bm_trend);

#define DEV_NCOLS 36
#define REF_NCOLS 11
#define MAX_TREND_PERIODS 100
#define FETCH_ROWS 10000
#define OBS_CHUNK_BITS 16		/* observations are stored in chunks of 65536 */
#define OBS_CHUNK (1 << OBS_CHUNK_BITS)

/* Status of an observation as one character. */
#define ST_OBSERVED 'o'
#define ST_SUPPRESSED 's'
#define ST_ESTIMATED 'e'
#define ST_DERIVED 'd'				/* a stored complete roll-up (kept fresh by triggers) */

/* One indicator of the catalogue, as far as development() needs it. */
typedef struct IndicatorInfo
{
	const char *code;			/* hash key (any length: see code_hash) */
	int32		idx;			/* position in code order */
	char		kind;			/* c(ount), s(hare), m(ean), (sc)o(re) */
	bool		has_base_indicator; /* denominator (share) or base (mean, score) given */
	double		scale;
	int			polarity;
	double		tolerance;
	int32		base_period;	/* default base: first period of the indicator */
	bool		has_base;
} IndicatorInfo;

/* An area code and the roles it plays in this call. */
typedef struct AreaEntry
{
	const char *code;			/* hash key (any length: see code_hash) */
	int32		compared;		/* index among the compared areas, or -1 */
	int32		reference;		/* index among the reference areas, or -1 */
} AreaEntry;

/* Hash key of a group: reference area (-1: none), indicator, period. */
typedef struct GroupKey
{
	int32		ref;
	int32		ind;
	int32		period;
} GroupKey;

/*
 * A group: the compared areas' rows of one reference area, indicator and
 * period, the reference area's own row, and (after rollup_reference) the
 * reference value.
 */
typedef struct GroupEntry
{
	GroupKey	key;
	int32		rows;			/* compared areas with a row */
	int32		areas_with_value;	/* ... with a (non-suppressed) value */
	double		mean;			/* Welford running mean and sum of squares */
	double		m2;
	double		sum_value;
	double		sum_num;
	double		sum_den;
	double		sum_weighted;	/* sum of value * denominator */
	int32		with_num_den;	/* rows with numerator and denominator */
	int32		with_den;		/* rows with a value and a denominator */
	bool		own_row;		/* the reference area's own observation */
	bool		own_has_value;
	double		own_value;
	/* results, also read by the per-series computation */
	bool		has_value;
	double		value;
	const char *source;			/* observed, rolled_up, suppressed or NULL */
	bool		has_stats;		/* sd defined (two or more values) */
	double		sd;
	bool		has_n;
	double		n;
	bool		has_se;
	double		se;
} GroupEntry;

/* The groups of one reference area and indicator, one per period (a handful). */
typedef struct GroupList
{
	int			n;
	int			cap;
	GroupEntry *items;
} GroupList;

/* A stored observation (compact: there can be millions). */
typedef struct StoredObs
{
	double		value;
	int32		next;			/* previous observation of the series, or -1 */
	int32		sample;			/* index into the sample information, or -1 */
	int16		period;
	int16		vintage;
	char		status;
	bool		has_value;
} StoredObs;

/* Sample size and standard error of an observation, where given. */
typedef struct SampleInfo
{
	bool		has_n;
	double		n;
	bool		has_se;
	double		se;
} SampleInfo;

/* One observation of a series, as the per-series computation reads it. */
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

/* The series being computed: one indicator in one area. */
typedef struct Series
{
	const char *indicator;
	const char *area_code;
	const char *area_name;
	const char *reference_code;
	const char *reference_name;
	int32		ref;			/* reference area index or -1 */
	IndicatorInfo *info;
	SeriesObs  *obs;
	int			n;
} Series;

/* Arguments after validation. */
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

/* Everything the scan and the per-series computation need. */
typedef struct DevState
{
	DevArgs    *args;
	bool		keep_series;	/* development(): store the series */
	/* catalogue */
	HTAB	   *indicators;		/* code -> IndicatorInfo */
	IndicatorInfo **ind_by_idx;
	int			n_ind;
	/* areas */
	HTAB	   *areas;			/* code -> AreaEntry */
	char	  **cmp_code;		/* compared areas, in code order */
	char	  **cmp_name;
	int32	   *cmp_ref;		/* their reference area, or -1 */
	int			n_cmp;
	char	  **ref_code;		/* reference areas */
	char	  **ref_name;
	int			n_ref;
	/* groups: per (reference area or "none", indicator) a short list by period */
	GroupList  *glists;			/* (n_ref + 1) * n_ind */
	/* series: per (compared area, indicator) the last stored observation and a count */
	int32	   *series_head;	/* n_cmp * n_ind, -1 = none */
	int32	   *series_count;
	StoredObs **chunks;
	int			n_chunks;
	int32		n_obs;
	SampleInfo *samples;
	int32		n_samples;
	int32		cap_samples;
	/* output */
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
	MemoryContext rowcxt;		/* reset after each series */
	double	   *slopes;			/* scratch for Theil-Sen */
	Datum	   *word_datums;	/* text datums of the fixed output words */
	/* text datums of the series being emitted */
	Datum		d_area_code,
				d_area_name,
				d_indicator,
				d_reference_code,
				d_reference_name;
} DevState;

/* The fixed words of the output, made into text datums once per call. */
static const char *const fixed_words[] = {
	"observed", "suppressed", "estimated", "rolled_up",
	"improved", "worsened", "stable", "increased", "decreased",
	"widening", "narrowing", "unchanged",
	"better", "worse", "different", "not significant", NULL
};

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

/*
 * Hash tables keyed by a code of any length: the key is a pointer to the
 * string (fixed-size string keys of 64 bytes made any longer indicator code
 * an error for every call).  An entry's code is copied when it is entered,
 * which happens only while loading, in the context the table lives in.
 */
static uint32
code_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, (int) strlen(s));
}

static int
code_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* A hash table of entries of entrysize whose first field is the code (const char *). */
static HTAB *
code_hash_create(const char *name, long nelem, Size entrysize)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(const char *);
	ctl.entrysize = entrysize;
	ctl.hash = code_hash;
	ctl.match = code_match;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, nelem, &ctl, HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

/* Find (HASH_FIND) or add (HASH_ENTER) code; a new entry gets its own copy of the code. */
static void *
code_hash_search(HTAB *h, const char *code, HASHACTION action, bool *found)
{
	bool		f;
	const char **e = hash_search(h, &code, action, &f);

	if (e != NULL && !f)
		*e = pstrdup(code);		/* entered while loading, in the table's own context */
	if (found)
		*found = f;
	return e;
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
		/* internal: a SELECT either runs or raises its own error */
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

/*
 * The default vintage: buurtmonitor.default_vintage(level, indicators) (SQL, shared with signals()). Or check that the given one has areas of the level.
 */
static int32
resolve_vintage(const char *level, ArrayType *indicators, bool given, int32 vintage)
{
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		values[2] = {CStringGetTextDatum(level), Int32GetDatum(vintage)};
	Oid			itypes[2] = {TEXTOID, TEXTARRAYOID};
	Datum		ivalues[2] = {CStringGetTextDatum(level), indicators ? PointerGetDatum(indicators) : (Datum) 0};
	char		inulls[2] = {' ', indicators ? ' ' : 'n'};
	char	   *v;

	if (!given)
	{
		v = spi_scalar("SELECT buurtmonitor.default_vintage($1, $2)",
					   2, itypes, ivalues, inulls);
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
				 errhint("Pass NULL for the newest vintage with values of the indicators, or load that boundary edition.")));
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

	a->vintage = resolve_vintage(a->level, a->indicators, !PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2));

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


/* Read the arguments of reference_values(level, vintage, reference_level,
 * reference_area, indicators, periods, by_code). */
static void
read_reference_args(FunctionCallInfo fcinfo, DevArgs *a)
{
	int			level_rank;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("level and vintage must not be NULL"),
				 errhint("Pass a level such as 'buurt' and a boundary edition such as 2024.")));
	a->level = text_to_cstring(PG_GETARG_TEXT_PP(0));
	level_rank = check_level(a->level, "level");
	a->vintage = resolve_vintage(a->level, NULL, true, PG_GETARG_INT32(1));
	a->reference_level = PG_ARGISNULL(2) ? pstrdup("gemeente") : text_to_cstring(PG_GETARG_TEXT_PP(2));
	a->reference_area = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	if (a->reference_area)
		check_reference_area(a->reference_area, a->vintage);
	else if (check_level(a->reference_level, "reference level") <= level_rank)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reference level \"%s\" is not larger than level \"%s\"",
						a->reference_level, a->level),
				 errhint("Compare buurten with their wijk or gemeente, or pass reference_area.")));
	a->indicators = PG_ARGISNULL(4) ? NULL : PG_GETARG_ARRAYTYPE_P(4);
	if (a->indicators)
		check_indicators(a->indicators);
	a->periods = PG_ARGISNULL(5) ? NULL : PG_GETARG_ARRAYTYPE_P(5);
	if (a->periods)
	{
		int			n;
		int32	   *p = int_array(a->periods, &n, "periods");

		check_increasing(p, n, "periods");
	}
	a->by_code = PG_ARGISNULL(6) ? false : PG_GETARG_BOOL(6);
	a->trend_periods = 5;
	a->alpha = 0.05;
}

/* ---------- loading the catalogue and the areas ---------- */

/* Load buurtmonitor.indicators (in code order) into a hash table and an array. */
static void
load_indicators(DevState *st)
{
	uint64		i;

	st->indicators = code_hash_create("buurtmonitor indicators", 256, sizeof(IndicatorInfo));

	if (SPI_execute("SELECT code, kind, scale, polarity, tolerance, denominator IS NOT NULL "
					"FROM buurtmonitor.indicators ORDER BY code COLLATE \"C\"",
					true, 0) != SPI_OK_SELECT)
		/* internal: a SELECT either runs or raises its own error */
		elog(ERROR, "could not read buurtmonitor.indicators");
	st->n_ind = (int) SPI_processed;
	st->ind_by_idx = palloc(sizeof(IndicatorInfo *) * Max(st->n_ind, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		char	   *kind = SPI_getvalue(tup, td, 2);
		bool		isnull;
		IndicatorInfo *e;

		e = code_hash_search(st->indicators, SPI_getvalue(tup, td, 1), HASH_ENTER, NULL);
		e->idx = (int32) i;
		/* kind: count, share, mean, score -> c, s, m, o */
		e->kind = (strcmp(kind, "score") == 0) ? 'o' : kind[0];
		e->scale = DatumGetFloat8(SPI_getbinval(tup, td, 3, &isnull));
		e->polarity = DatumGetInt16(SPI_getbinval(tup, td, 4, &isnull));
		e->tolerance = DatumGetFloat8(SPI_getbinval(tup, td, 5, &isnull));
		e->has_base_indicator = DatumGetBool(SPI_getbinval(tup, td, 6, &isnull));
		e->has_base = false;
		st->ind_by_idx[i] = e;
	}
	SPI_freetuptable(SPI_tuptable);
}

/* Bind the seven arguments shared by the SQL helpers: level, vintage,
 * reference_level, reference_area, indicators, periods, by_code. */
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

/* Find or add an area code in the area hash. */
static AreaEntry *
area_entry(DevState *st, const char *code)
{
	bool		found;
	AreaEntry  *e = code_hash_search(st->areas, code, HASH_ENTER, &found);

	if (!found)
	{
		e->compared = -1;
		e->reference = -1;
	}
	return e;
}

/*
 * Load the compared areas (in code order) and their reference areas from
 * buurtmonitor.reference_areas() into arrays and the area hash.
 */
static void
load_areas(DevState *st)
{
	DevArgs    *a = st->args;
	Oid			types[7];
	Datum		values[7];
	char		nulls[8] = "       ";
	uint64		i;

	st->areas = code_hash_create("buurtmonitor areas", 16384, sizeof(AreaEntry));

	bind_args(a, types, values, nulls);	/* the first four are used */
	if (SPI_execute_with_args("SELECT area_code, area_name, reference_code, reference_name "
							  "FROM buurtmonitor.reference_areas($1, $2, $3, $4) "
							  "ORDER BY area_code COLLATE \"C\"",
							  4, types, values, nulls, true, 0) != SPI_OK_SELECT)
		/* internal: a SELECT either runs or raises its own error */
		elog(ERROR, "could not read the compared areas");

	st->n_cmp = (int) SPI_processed;
	st->cmp_code = palloc(sizeof(char *) * Max(st->n_cmp, 1));
	st->cmp_name = palloc(sizeof(char *) * Max(st->n_cmp, 1));
	st->cmp_ref = palloc(sizeof(int32) * Max(st->n_cmp, 1));
	st->ref_code = palloc(sizeof(char *) * Max(st->n_cmp, 1));
	st->ref_name = palloc(sizeof(char *) * Max(st->n_cmp, 1));
	st->n_ref = 0;
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		char	   *ref = SPI_getvalue(tup, td, 3);
		AreaEntry  *e = area_entry(st, SPI_getvalue(tup, td, 1));

		e->compared = (int32) i;
		st->cmp_code[i] = pstrdup(e->code);
		st->cmp_name[i] = SPI_getvalue(tup, td, 2);
		st->cmp_ref[i] = -1;
		if (ref != NULL)
		{
			AreaEntry  *r = area_entry(st, ref);

			if (r->reference < 0)
			{
				r->reference = st->n_ref;
				st->ref_code[st->n_ref] = pstrdup(r->code);
				st->ref_name[st->n_ref] = SPI_getvalue(tup, td, 4);
				st->n_ref++;
			}
			st->cmp_ref[i] = r->reference;
		}
	}
	/* the SPI_getvalue() strings live in the SPI procedure context until SPI_finish */
	SPI_freetuptable(SPI_tuptable);
}

/* ---------- the scan ---------- */

/* The observations of the boundary edition with their sample information, unsorted. */
static const char *scan_sql =
"SELECT o.area_code, o.indicator, o.period, o.value, o.status, o.vintage, "
"       o.numerator, o.denominator, s.n, s.se "
"  FROM buurtmonitor.vintage_observations($2, $7) o "
"  LEFT JOIN buurtmonitor.sample_sizes s ON s.area_code = o.area_code AND s.vintage = o.vintage "
"       AND s.period = o.period AND s.indicator = o.indicator "
" WHERE ($5 IS NULL OR o.indicator = ANY ($5)) AND ($6 IS NULL OR o.period = ANY ($6))";

/* Does a text datum equal a C string? */
static bool
text_eq(Datum d, const char *s)
{
	text	   *t = DatumGetTextPP(d);
	size_t		len = VARSIZE_ANY_EXHDR(t);

	return s != NULL && strlen(s) == len && memcmp(VARDATA_ANY(t), s, len) == 0;
}

/* Nullable float8 column of a deformed row (0-based). */
static bool
float_col(Datum *col, bool *isnull, int i, double *v)
{
	*v = isnull[i] ? 0.0 : DatumGetFloat8(col[i]);
	return !isnull[i];
}

/* The list of groups of a reference area (-1: none) and indicator. */
static inline GroupList *
group_list(DevState *st, int32 ref, int32 ind)
{
	return &st->glists[(ref < 0 ? st->n_ref : ref) * st->n_ind + ind];
}

/* The group of a reference area, indicator and period, or NULL; created if create. */
static GroupEntry *
group_entry(DevState *st, int32 ref, int32 ind, int32 period, bool create)
{
	GroupList  *l = group_list(st, ref, ind);
	GroupEntry *g;
	int			i;

	for (i = 0; i < l->n; i++)
		if (l->items[i].key.period == period)
			return &l->items[i];
	if (!create)
		return NULL;
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = l->items ? repalloc(l->items, sizeof(GroupEntry) * l->cap)
			: palloc(sizeof(GroupEntry) * l->cap);
	}
	g = &l->items[l->n++];
	memset(g, 0, sizeof(GroupEntry));
	g->key.ref = ref;
	g->key.ind = ind;
	g->key.period = period;
	return g;
}

/* Append an observation to its series. */
static void
store_obs(DevState *st, int32 area, int32 ind, int32 period, int32 vintage, char status,
		  bool has_value, double value, int32 sample)
{
	int64		series = (int64) area * st->n_ind + ind;
	StoredObs  *o;
	int32		idx = st->n_obs;

	if ((idx >> OBS_CHUNK_BITS) >= st->n_chunks)
	{
		if (idx == PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many observations for one development() call"),
					 errhint("Select fewer indicators or periods.")));
		st->chunks = repalloc(st->chunks, sizeof(StoredObs *) * (st->n_chunks + 1));
		st->chunks[st->n_chunks++] = palloc(sizeof(StoredObs) * OBS_CHUNK);
	}
	o = &st->chunks[idx >> OBS_CHUNK_BITS][idx & (OBS_CHUNK - 1)];
	o->value = value;
	o->has_value = has_value;
	o->period = (int16) period;
	o->vintage = (int16) vintage;
	o->status = status;
	o->sample = sample;
	o->next = st->series_head[series];
	st->series_head[series] = idx;
	st->series_count[series]++;
	st->n_obs++;
}

/* Keep an observation's sample information; returns its index or -1. */
static int32
store_sample(DevState *st, bool has_n, double n, bool has_se, double se)
{
	if (!has_n && !has_se)
		return -1;
	if (st->n_samples == st->cap_samples)
	{
		st->cap_samples = st->cap_samples ? st->cap_samples * 2 : 64;
		st->samples = st->samples ? repalloc(st->samples, sizeof(SampleInfo) * st->cap_samples)
			: palloc(sizeof(SampleInfo) * st->cap_samples);
	}
	st->samples[st->n_samples].has_n = has_n;
	st->samples[st->n_samples].n = n;
	st->samples[st->n_samples].has_se = has_se;
	st->samples[st->n_samples].se = se;
	return st->n_samples++;
}

/* Add one compared area's row to its group (counts, Welford mean/variance, sums). */
static void
add_to_group(GroupEntry *g, bool has_value, double value, bool has_num, double num,
			 bool has_den, double den)
{
	g->rows++;
	if (has_value)
	{
		double		delta = value - g->mean;

		g->areas_with_value++;
		g->mean += delta / g->areas_with_value;
		g->m2 += delta * (value - g->mean);
		g->sum_value += value;
		if (has_den)
		{
			g->sum_weighted += value * den;
			g->with_den++;
		}
	}
	if (has_num)
		g->sum_num += num;
	if (has_den)
		g->sum_den += den;
	if (has_num && has_den)
		g->with_num_den++;
}

/*
 * Read the observations once: group rows of compared areas by reference area,
 * indicator and period; note reference areas' own rows; store the series.
 */
static void
scan_observations(DevState *st)
{
	Oid			types[7];
	Datum		values[7];
	char		nulls[8] = "       ";
	Portal		portal;
	AreaEntry  *area = NULL;	/* cache: consecutive rows share area and indicator */
	IndicatorInfo *ind = NULL;
	Size		n_series = (Size) Max(st->n_cmp, 1) * Max(st->n_ind, 1);

	st->glists = palloc0(sizeof(GroupList) * (st->n_ref + 1) * Max(st->n_ind, 1));
	if (st->keep_series)
	{
		st->series_head = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * n_series);
		memset(st->series_head, 0xff, sizeof(int32) * n_series);	/* all -1 */
		st->series_count = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * n_series);
		memset(st->series_count, 0, sizeof(int32) * n_series);
	}
	st->chunks = palloc(sizeof(StoredObs *));

	bind_args(st->args, types, values, nulls);
	portal = SPI_cursor_open_with_args(NULL, scan_sql, 7, types, values, nulls, true, 0);
	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed; i++)
		{
			Datum		col[10];
			bool		isnull[10];
			Datum		d;
			int32		period,
						vintage;
			double		value,
						num,
						den,
						n,
						se;
			bool		has_value,
						has_num,
						has_den,
						has_n,
						has_se;
			char		status;

			/* one pass over the tuple instead of ten SPI_getbinval() walks */
			heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, col, isnull);
			d = col[0];
			if (area == NULL || !text_eq(d, area->code))
			{
				char	   *code = TextDatumGetCString(d);

				area = code_hash_search(st->areas, code, HASH_FIND, NULL);
				pfree(code);
				if (area == NULL)
					continue;	/* neither compared nor a reference */
			}
			d = col[1];
			if (ind == NULL || !text_eq(d, ind->code))
			{
				char	   *code = TextDatumGetCString(d);

				ind = code_hash_search(st->indicators, code, HASH_FIND, NULL);
				pfree(code);
				if (ind == NULL)
					/* internal: observations.indicator references indicators */
					elog(ERROR, "indicator of an observation is missing from the catalogue");
			}
			period = DatumGetInt32(col[2]);
			has_value = float_col(col, isnull, 3, &value);
			status = VARDATA_ANY(DatumGetTextPP(col[4]))[0];
			if (status == ST_SUPPRESSED)
				has_value = false;
			vintage = DatumGetInt32(col[5]);
			has_num = float_col(col, isnull, 6, &num);
			has_den = float_col(col, isnull, 7, &den);
			has_n = float_col(col, isnull, 8, &n);
			has_se = float_col(col, isnull, 9, &se);

			if (area->compared >= 0)
			{
				int32		ref = st->cmp_ref[area->compared];

				if (!ind->has_base || period < ind->base_period)
				{
					ind->has_base = true;
					ind->base_period = period;
				}
				add_to_group(group_entry(st, ref, ind->idx, period, true),
							 has_value, value, has_num, num, has_den, den);
				if (st->keep_series)
					store_obs(st, area->compared, ind->idx, period, vintage, status,
							  has_value, value, store_sample(st, has_n, n, has_se, se));
			}
			if (area->reference >= 0)
			{
				GroupEntry *g = group_entry(st, area->reference, ind->idx, period, true);

				g->own_row = true;
				g->own_has_value = has_value;
				g->own_value = value;
				g->has_n = has_n;
				g->n = n;
				g->has_se = has_se;
				g->se = se;
			}
		}
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
}

/*
 * THE place where reference values are computed.  Per reference area,
 * indicator and period: the reference area's own observation when it has one
 * (also when it is suppressed: then NULL, never a roll-up that would reveal
 * it); otherwise the roll-up of the compared areas inside it: counts summed,
 * shares and means as scale * sum(numerator) / sum(denominator) (ratio of
 * sums), shares, means and scores with a base weighted by it, scores without a
 * base as the plain mean; NULL when a part is suppressed or lacks its
 * numerator/denominator.  Also the sample standard deviation of the compared
 * areas' values, for z-scores.
 */
static void
rollup_reference(GroupEntry *g, const IndicatorInfo *info)
{
	g->has_stats = g->areas_with_value >= 2;
	g->sd = g->has_stats ? sqrt(g->m2 / (g->areas_with_value - 1)) : 0.0;
	g->has_value = false;
	g->source = NULL;
	if (g->key.ref < 0)
		return;					/* compared areas without a reference area */
	if (g->own_row)
	{
		g->has_value = g->own_has_value;
		g->value = g->own_value;
		g->source = g->own_has_value ? "observed" : "suppressed";
		return;
	}
	if (g->rows == 0 || g->areas_with_value < g->rows)
		return;					/* a part is suppressed */
	if (info->kind == 'c')
	{
		g->value = g->sum_value;
		g->has_value = true;
	}
	else if ((info->kind == 's' || info->kind == 'm') && g->with_num_den == g->rows && g->sum_den > 0)
	{
		g->value = info->scale * g->sum_num / g->sum_den;	/* ratio of sums */
		g->has_value = true;
	}
	else if (info->kind != 'c' && g->with_den == g->rows && g->sum_den > 0)
	{
		g->value = g->sum_weighted / g->sum_den;	/* weighted by the base */
		g->has_value = true;
	}
	else if (info->kind == 'o' && !info->has_base_indicator)
	{
		g->value = g->mean;
		g->has_value = true;
	}
	if (g->has_value)
		g->source = "rolled_up";
}

/* Compute every group's reference value. */
static void
rollup_all(DevState *st)
{
	int			l,
				i;

	for (l = 0; l < (st->n_ref + 1) * st->n_ind; l++)
		for (i = 0; i < st->glists[l].n; i++)
			rollup_reference(&st->glists[l].items[i], st->ind_by_idx[st->glists[l].items[i].key.ind]);
}

/* The group entry of a series at a period, or NULL. */
static GroupEntry *
find_ref(DevState *st, Series *s, int32 period)
{
	if (s->ref < 0)
		return NULL;
	return group_entry(st, s->ref, s->info->idx, period, false);
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
 * when the observations carry no usable sample information, or when the
 * p-value is not a number (a NaN in the input, or equal values with both
 * standard errors zero): the p-value and significance columns are then NULL.
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
		return !isnan(*p);
	}
	if (has_sea && has_seb)
	{
		/*
		 * bm_mean_statistic: no under- or overflow for tiny or huge se or values;
		 * 0/0 (equal values, both se zero) stays NaN so there is no p-value
		 */
		double		stat = (sea == 0.0 && seb == 0.0 && va == vb) ? NAN
			: bm_mean_statistic(va, sea, vb, seb);
		double		m = Max(fabs(sea), fabs(seb));

		if (has_na && has_nb && na >= 2.0 && nb >= 2.0)
			/* the Welch df does not change when both se are scaled: scale them to 1 */
			*p = bm_t_p_two_sided(stat, bm_calc_welch_df(sea / m, na, seb / m, nb));
		else
			*p = bm_normal_p_two_sided(stat);
	}
	else
		return false;
	/* NaN input or 0/0 (equal values, both se zero): no p-value (NULL, never a label) */
	return !isnan(*p);
}
/* Set output column c to a float8. */
#define SET_F(c, v) do { values[c] = Float8GetDatum(v); nulls[c] = false; } while (0)
#define SET_I(c, v) do { values[c] = Int32GetDatum(v); nulls[c] = false; } while (0)
#define SET_D(c, v) do { values[c] = (v); nulls[c] = false; } while (0)
/* a word column; NULL stays NULL (e.g. the label of an unknown p-value) */
#define SET_W(c, w) do { const char *w_ = (w); \
		if (w_ != NULL) { values[c] = word_datum(st, w_); nulls[c] = false; } } while (0)

/* The text datum of one of the fixed output words (made once per call). */
static Datum
word_datum(DevState *st, const char *w)
{
	int			i;

	for (i = 0; fixed_words[i] != NULL; i++)
		if (fixed_words[i] == w || strcmp(fixed_words[i], w) == 0)
			return st->word_datums[i];
	return CStringGetTextDatum(w);	/* not reached: every word is listed */
}

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

	/* the series' own text columns, made once for all its rows */
	st->d_area_code = CStringGetTextDatum(s->area_code);
	st->d_area_name = s->area_name ? CStringGetTextDatum(s->area_name) : (Datum) 0;
	st->d_indicator = CStringGetTextDatum(s->indicator);
	st->d_reference_code = s->reference_code ? CStringGetTextDatum(s->reference_code) : (Datum) 0;
	st->d_reference_name = s->reference_name ? CStringGetTextDatum(s->reference_name) : (Datum) 0;

	for (i = 0; i < s->n; i++)
	{
		Datum		values[DEV_NCOLS];
		bool		nulls[DEV_NCOLS];
		SeriesObs  *o = &s->obs[i];
		SeriesObs  *prev = i > 0 ? &s->obs[i - 1] : NULL;
		GroupEntry *ref = find_ref(st, s, o->period);
		bool		has_ref = ref && ref->has_value;
		bool		has_diff = has_ref && o->has_value;
		const char *label = NULL;
		double		p;
		int			k;

		memset(nulls, true, sizeof(nulls));
		SET_D(0, st->d_area_code);
		if (s->area_name)
			SET_D(1, st->d_area_name);
		SET_D(2, st->d_indicator);
		SET_I(3, o->period);
		if (o->has_value)
			SET_F(4, o->value);
		SET_W(5, o->status == ST_OBSERVED ? "observed" :
			  o->status == ST_SUPPRESSED ? "suppressed" :
			  o->status == ST_DERIVED ? "derived" : "estimated");
		values[6] = BoolGetDatum(o->status == ST_ESTIMATED);
		nulls[6] = false;
		SET_I(7, o->vintage);

		/* comparison with the reference area */
		if (s->reference_code)
			SET_D(8, st->d_reference_code);
		if (s->reference_name)
			SET_D(9, st->d_reference_name);
		if (has_ref)
			SET_F(10, ref->value);
		if (ref && ref->source)
			SET_W(11, ref->source);
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
				SET_W(33, bm_calc_significance_label(change, p, info->polarity, a->alpha));
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

			SET_W(29, d > tol ? "widening" : d < -tol ? "narrowing" : "unchanged");
		}
		prev_has_diff = has_diff;
		prev_diff = has_diff ? o->value - ref->value : 0.0;

		/* label and how many periods in a row it has held */
		if (label)
		{
			int			run = (prev_label && strcmp(prev_label, label) == 0) ? prev_run + 1 : 1;

			SET_W(30, label);
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
			SET_W(35, bm_calc_significance_label(o->value - ref->value, p, info->polarity, a->alpha));
		}

		tuplestore_putvalues(st->tupstore, st->tupdesc, values, nulls);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(st->rowcxt);
}


/* ---------- emitting the series ---------- */

/* qsort comparator for the observations of one series: by period. */
static int
cmp_obs(const void *a, const void *b)
{
	int32		x = ((const SeriesObs *) a)->period;
	int32		y = ((const SeriesObs *) b)->period;

	return (x > y) - (x < y);
}

/* Every series, by indicator and area (both in code order): sort by period and compute its rows. */
static void
emit_all_series(DevState *st)
{
	int			cap = 16;
	int32		ind,
				area;
	Series		s;

	memset(&s, 0, sizeof(s));
	s.obs = palloc(sizeof(SeriesObs) * cap);
	for (ind = 0; ind < st->n_ind; ind++)
	{
		for (area = 0; area < st->n_cmp; area++)
		{
			int64		series = (int64) area * st->n_ind + ind;
			int32		idx;
			int			j = 0;

			if (st->series_count[series] == 0)
				continue;
			if (st->series_count[series] > cap)
			{
				cap = st->series_count[series];
				s.obs = repalloc(s.obs, sizeof(SeriesObs) * cap);
			}
			for (idx = st->series_head[series]; idx >= 0; j++)
			{
				StoredObs  *o = &st->chunks[idx >> OBS_CHUNK_BITS][idx & (OBS_CHUNK - 1)];
				SeriesObs  *so = &s.obs[j];

				so->period = o->period;
				so->vintage = o->vintage;
				so->status = o->status;
				so->has_value = o->has_value;
				so->value = o->value;
				so->has_n = so->has_se = false;
				if (o->sample >= 0)
				{
					SampleInfo *si = &st->samples[o->sample];

					so->has_n = si->has_n;
					so->n = si->n;
					so->has_se = si->has_se;
					so->se = si->se;
				}
				idx = o->next;
			}
			s.n = j;
			qsort(s.obs, s.n, sizeof(SeriesObs), cmp_obs);
			s.info = st->ind_by_idx[ind];
			s.indicator = s.info->code;
			s.area_code = st->cmp_code[area];
			s.area_name = st->cmp_name[area];
			s.ref = st->cmp_ref[area];
			s.reference_code = s.ref >= 0 ? st->ref_code[s.ref] : NULL;
			s.reference_name = s.ref >= 0 ? st->ref_name[s.ref] : NULL;
			for (j = 1; j < s.n; j++)
				if (s.obs[j].period == s.obs[j - 1].period)
					ereport(ERROR,
							(errcode(ERRCODE_DATA_EXCEPTION),
							 errmsg("period %d of indicator \"%s\" in area \"%s\" is duplicated",
									s.obs[j].period, s.indicator, s.area_code),
							 errhint("Keep one observation per area, indicator and period in the chosen vintage.")));
			emit_series(st, &s);
		}
		CHECK_FOR_INTERRUPTS();
	}
}

/* Common start of both set-returning functions: SPI, catalogue, areas, scan. */
static void
prepare(DevState *st, DevArgs *args, bool keep_series)
{
	int			i;

	st->args = args;
	st->keep_series = keep_series;
	st->rowcxt = AllocSetContextCreate(CurrentMemoryContext, "development rows", ALLOCSET_DEFAULT_SIZES);
	st->slopes = palloc(sizeof(double) * MAX_TREND_PERIODS * (MAX_TREND_PERIODS - 1) / 2);
	st->word_datums = palloc(sizeof(Datum) * lengthof(fixed_words));
	for (i = 0; fixed_words[i] != NULL; i++)
		st->word_datums[i] = CStringGetTextDatum(fixed_words[i]);
	load_indicators(st);
	load_areas(st);
	scan_observations(st);
	rollup_all(st);
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
	int			spi_level;

	InitMaterializedSRF(fcinfo, 0);
	spi_level = bm_spi_connect();
	memset(&args, 0, sizeof(args));
	read_args(fcinfo, &args);
	memset(&st, 0, sizeof(st));
	st.tupstore = rsinfo->setResult;
	st.tupdesc = rsinfo->setDesc;
	prepare(&st, &args, true);
	emit_all_series(&st);
	bm_spi_finish(spi_level);
	return (Datum) 0;
}

/* The state whose reference codes cmp_groups() compares (qsort has no context argument). */
static DevState *cmp_groups_state;

/* qsort comparator for groups: reference code (no reference last), indicator, period. */
static int
cmp_groups(const void *a, const void *b)
{
	const GroupEntry *x = *(GroupEntry *const *) a;
	const GroupEntry *y = *(GroupEntry *const *) b;
	int			c;

	if (x->key.ref != y->key.ref)
	{
		if (x->key.ref < 0 || y->key.ref < 0)
			return x->key.ref < 0 ? 1 : -1;
		c = strcmp(cmp_groups_state->ref_code[x->key.ref], cmp_groups_state->ref_code[y->key.ref]);
		if (c != 0)
			return c;
	}
	if (x->key.ind != y->key.ind)
		return x->key.ind < y->key.ind ? -1 : 1;
	return (x->key.period > y->key.period) - (x->key.period < y->key.period);
}

/*
 * reference_values(level, vintage, reference_level, reference_area,
 *                  indicators, periods, by_code)
 * The groups after rollup_reference(), one row per reference area, indicator and period.
 */
Datum
bm_reference_values(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DevArgs		args;
	DevState	st;
	GroupEntry *g;
	GroupEntry **all;
	long		k = 0,
				n = 0,
				i;
	int			l;
	int			spi_level;

	InitMaterializedSRF(fcinfo, 0);
	spi_level = bm_spi_connect();
	memset(&args, 0, sizeof(args));
	read_reference_args(fcinfo, &args);
	memset(&st, 0, sizeof(st));
	prepare(&st, &args, false);

	for (l = 0; l < (st.n_ref + 1) * st.n_ind; l++)
		n += st.glists[l].n;
	all = palloc(sizeof(GroupEntry *) * Max(n, 1));
	for (l = 0; l < (st.n_ref + 1) * st.n_ind; l++)
		for (i = 0; i < st.glists[l].n; i++)
			all[k++] = &st.glists[l].items[i];
	cmp_groups_state = &st;
	qsort(all, k, sizeof(GroupEntry *), cmp_groups);
	for (i = 0; i < k; i++)
	{
		Datum		values[REF_NCOLS];
		bool		nulls[REF_NCOLS];

		g = all[i];
		memset(nulls, true, sizeof(nulls));
		if (g->key.ref >= 0)
		{
			values[0] = CStringGetTextDatum(st.ref_code[g->key.ref]);
			nulls[0] = false;
		}
		values[1] = CStringGetTextDatum(st.ind_by_idx[g->key.ind]->code);
		nulls[1] = false;
		values[2] = Int32GetDatum(g->key.period);
		nulls[2] = false;
		if (g->has_value)
		{
			values[3] = Float8GetDatum(g->value);
			nulls[3] = false;
		}
		if (g->source)
		{
			values[4] = CStringGetTextDatum(g->source);
			nulls[4] = false;
		}
		values[5] = Int32GetDatum(g->rows);
		values[6] = Int32GetDatum(g->areas_with_value);
		nulls[5] = nulls[6] = false;
		if (g->areas_with_value >= 1)
		{
			values[7] = Float8GetDatum(g->mean);
			nulls[7] = false;
		}
		if (g->has_stats)
		{
			values[8] = Float8GetDatum(g->sd);
			nulls[8] = false;
		}
		if (g->has_n)
		{
			values[9] = Float8GetDatum(g->n);
			nulls[9] = false;
		}
		if (g->has_se)
		{
			values[10] = Float8GetDatum(g->se);
			nulls[10] = false;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	bm_spi_finish(spi_level);
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
			if (!isfinite(y[k]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("value %d of the trend is %g; values must be finite numbers", i + 1, y[k]),
						 errhint("Use NULL for a missing value; NaN and infinities are not figures.")));
			k++;
		}
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		/* internal: fixed by the SQL declaration */
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
