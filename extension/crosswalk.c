/*
 * crosswalk.c
 *		buurtmonitor.crosswalk(): overlap shares between two polygon layers.
 *
 * Both layers are read once with SPI (key as text, geometry as the raw,
 * possibly still toasted value); crosswalk_measure.c then checks every
 * geometry (SRID, validity) and measures every overlapping pair, in parallel
 * workers when the layers are big.  Here the sliver rule drops pairs whose
 * mean overlap width 2A/P is below min_width unless they hold more than half
 * of their source or their target, shares are computed (by area,
 * or by points when a point layer is given) and optionally renormalised per
 * source.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "storage/itemptr.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "crosswalk_measure.h"
#include "overlap.h"

/* One layer: keys and areas sorted by key, and the rows as read (cw). */
typedef struct Layer
{
	const char *role;			/* "source", "target" */
	int			n;
	char	  **key;			/* sorted */
	double	   *area;			/* area of each geometry, by sorted key */
	int32		srid;
	char	   *postgis_nsp;	/* quoted schema of the geometry type */
	char	   *relname;		/* quoted qualified relation name */
	CwLayer		cw;				/* keys and raw geometry values in read order */
	int		   *rank;			/* rank[i]: sorted position of read row i */
} Layer;

/* One overlapping pair. */
typedef struct Pair
{
	int			s, t;
	double		area;
	double		perimeter;
	double		points;			/* points of s lying in t (dasymetric) */
	double		share;
	bool		kept;
} Pair;

/* Text argument as a C string, or NULL. */
static char *
text_arg(FunctionCallInfo fcinfo, int i)
{
	return PG_ARGISNULL(i) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(i));
}

/* Quoted, schema-qualified name of a relation. */
static char *
rel_name(Oid rel)
{
	char	   *name = get_rel_name(rel);

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", rel),
				 errhint("Pass an existing table or view, for example 'buurtmonitor.areas'.")));
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(rel)), name);
}

/* True when typid is PostGIS's geometry type; *nsp gets its quoted schema. */
static bool
is_geometry_type(Oid typid, char **nsp)
{
	HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	bool		ok;

	if (!HeapTupleIsValid(tup))
		return false;
	ok = strcmp(NameStr(((Form_pg_type) GETSTRUCT(tup))->typname), "geometry") == 0;
	if (ok)
		*nsp = pstrdup(quote_identifier(get_namespace_name(((Form_pg_type) GETSTRUCT(tup))->typnamespace)));
	ReleaseSysCache(tup);
	return ok;
}

/*
 * Check that column col exists in rel; with want_geometry also that it is a
 * PostGIS geometry, and return the quoted schema of that type.
 */
static char *
check_column(Oid rel, const char *relname, const char *col, const char *role,
			 const char *param, bool want_geometry)
{
	AttrNumber	att = get_attnum(rel, col);
	char	   *nsp = NULL;

	if (att == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of %s layer %s does not exist", col, role, relname),
				 errhint("Name the column with %s => '...'.", param)));
	if (want_geometry && !is_geometry_type(get_atttype(rel, att), &nsp))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of %s layer %s is not a geometry column", col, role, relname),
				 errhint("Name a geometry column with %s => '...'.", param)));
	return nsp;
}

/* Layer sort context for qsort over indices. */
static Layer *sort_layer;

/* qsort comparator: layer rows by key. */
static int
cmp_key(const void *a, const void *b)
{
	return strcmp(sort_layer->cw.key[*(const int *) a], sort_layer->cw.key[*(const int *) b]);
}

/* Receives a layer's rows from the executor, one slot at a time, without copying values. */
typedef struct LayerReceiver
{
	DestReceiver pub;
	Layer	   *L;
	const char *keycol;
	bool		by_address;		/* columns: key, tableoid, ctid, geom; else key, geom */
	int			cap;
	MemoryContext cxt;
	bool		null_key;		/* a row had a NULL key (raised after the scan) */
	List	   *unboxed;		/* rows whose values carry no box: (row, copy), parsed after the scan */
} LayerReceiver;

/* A row whose header has to be read from the whole value, after the scan. */
typedef struct UnboxedRow
{
	int			row;
	Datum		value;
} UnboxedRow;

/* Grow the per-row arrays of a layer to cap rows. */
static void
layer_grow(CwLayer *cw, int cap, bool by_address)
{
	cw->key = cw->key ? repalloc(cw->key, cap * sizeof(char *)) : palloc(cap * sizeof(char *));
	cw->header = cw->header ? repalloc(cw->header, cap * sizeof(CwHeader)) : palloc(cap * sizeof(CwHeader));
	if (by_address)
	{
		cw->relid = cw->relid ? repalloc(cw->relid, cap * sizeof(Oid)) : palloc(cap * sizeof(Oid));
		cw->tid = cw->tid ? repalloc(cw->tid, cap * sizeof(ItemPointerData)) : palloc(cap * sizeof(ItemPointerData));
	}
	else
		cw->datum = cw->datum ? repalloc(cw->datum, cap * sizeof(struct varlena *))
			: palloc(cap * sizeof(struct varlena *));
}

/* One row: its key, the header of its value, and its address (or a copy of the value). */
static bool
layer_receive(TupleTableSlot *slot, DestReceiver *self)
{
	LayerReceiver *r = (LayerReceiver *) self;
	Layer	   *L = r->L;
	CwLayer    *cw = &L->cw;
	MemoryContext old = MemoryContextSwitchTo(r->cxt);
	bool		isnull;
	Datum		key = slot_getattr(slot, 1, &isnull);
	Datum		geom;
	int			i = cw->n;

	/* errors wait until the scan is over, so they do not carry the query as context */
	if (isnull || r->null_key)
	{
		r->null_key = true;
		MemoryContextSwitchTo(old);
		return true;
	}
	if (i >= r->cap)
	{
		if (r->cap >= (int) (MaxAllocSize / sizeof(CwHeader) / 2))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s layer %s has too many rows", L->role, L->relname),
					 errhint("Split the layer with source_filter or target_filter.")));
		r->cap = Max(1024, 2 * r->cap);
		layer_grow(cw, r->cap, r->by_address);
	}
	cw->key[i] = TextDatumGetCString(key);
	geom = slot_getattr(slot, r->by_address ? 4 : 2, &isnull);
	if (r->by_address)
	{
		cw->relid[i] = DatumGetObjectId(slot_getattr(slot, 2, &isnull));
		cw->tid[i] = *(ItemPointer) DatumGetPointer(slot_getattr(slot, 3, &isnull));
	}
	else
		cw->datum[i] = (struct varlena *) DatumGetPointer(datumCopy(geom, false, -1));
	if (!cw_read_header_box(cw, i, geom))
	{
		UnboxedRow *u = palloc(sizeof(UnboxedRow));

		u->row = i;
		u->value = r->by_address ? datumCopy(geom, false, -1) : PointerGetDatum(cw->datum[i]);
		r->unboxed = lappend(r->unboxed, u);
	}
	cw->n++;
	MemoryContextSwitchTo(old);
	if ((i & 1023) == 0)
		CHECK_FOR_INTERRUPTS();
	return true;
}

static void
layer_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
layer_shutdown(DestReceiver *self)
{
}

static void
layer_destroy(DestReceiver *self)
{
}

/*
 * Read a layer with SPI (caller is connected) into cxt: keys, the headers of
 * the geometry values (SRID, box) and, for rows of tables, their addresses
 * (tableoid, ctid), from which crosswalk_measure.c reads the values back in
 * whichever process needs them; for a view or other relation, copies of the
 * raw values.  Rows with a NULL geometry are skipped; keys must be non-NULL
 * and unique.
 */
static void
read_layer(Layer *L, Oid rel, const char *keycol, const char *geomcol,
		   const char *filter, const char *keyparam, const char *geomparam,
		   MemoryContext cxt)
{
	char		relkind = get_rel_relkind(rel);
	LayerReceiver recv = {{0}};
	SPIExecuteOptions options = {0};
	SPIPlanPtr	plan;
	char	   *sql;
	int		   *order;
	CwLayer    *cw = &L->cw;
	MemoryContext old;
	ListCell   *lc;
	int			rc;

	L->relname = rel_name(rel);
	check_column(rel, L->relname, keycol, L->role, keyparam, false);
	L->postgis_nsp = check_column(rel, L->relname, geomcol, L->role, geomparam, true);
	cw->role = L->role;
	cw->relname = L->relname;
	cw->geomcol = MemoryContextStrdup(cxt, geomcol);
	cw->typid = get_atttype(rel, get_attnum(rel, geomcol));
	recv.by_address = relkind == RELKIND_RELATION || relkind == RELKIND_MATVIEW ||
		relkind == RELKIND_PARTITIONED_TABLE;
	sql = psprintf("SELECT (%s)::pg_catalog.text, %s%s FROM %s WHERE %s IS NOT NULL%s%s%s",
				   quote_identifier(keycol), recv.by_address ? "tableoid, ctid, " : "",
				   quote_identifier(geomcol), L->relname, quote_identifier(geomcol),
				   filter ? " AND (" : "", filter ? filter : "", filter ? ")" : "");
	plan = SPI_prepare(sql, 0, NULL);
	if (plan == NULL)
		/* internal: a SELECT either runs or raises its own error */
		elog(ERROR, "could not read %s layer %s: %s", L->role, L->relname,
			 SPI_result_code_string(SPI_result));
	recv.pub.receiveSlot = layer_receive;
	recv.pub.rStartup = layer_startup;
	recv.pub.rShutdown = layer_shutdown;
	recv.pub.rDestroy = layer_destroy;
	recv.pub.mydest = DestNone;
	recv.L = L;
	recv.keycol = keycol;
	recv.cxt = cxt;
	cw->n = 0;
	old = MemoryContextSwitchTo(cxt);
	layer_grow(cw, recv.cap = 1024, recv.by_address);
	MemoryContextSwitchTo(old);
	/* read-only: the query runs with the current snapshot, which the workers share */
	options.read_only = true;
	options.dest = (DestReceiver *) &recv;
	rc = SPI_execute_plan_extended(plan, &options);
	/* a SELECT into a receiver of type DestNone reports SPI_OK_UTILITY */
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		/* internal: a SELECT either runs or raises its own error */
		elog(ERROR, "could not read %s layer %s: %s", L->role, L->relname, SPI_result_code_string(rc));
	SPI_freeplan(plan);
	if (recv.null_key)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s layer %s has a NULL key in column \"%s\"", L->role, L->relname, keycol),
				 errhint("Give every row a key, or exclude such rows with %s_filter.", L->role)));

	old = MemoryContextSwitchTo(cxt);
	foreach(lc, recv.unboxed)
	{
		UnboxedRow *u = lfirst(lc);

		cw_read_header(cw, u->row, u->value);
	}
	/* sort rows by key and refuse duplicates */
	L->n = cw->n;
	order = palloc(Max(L->n, 1) * sizeof(int));
	for (int i = 0; i < L->n; i++)
		order[i] = i;
	sort_layer = L;
	qsort(order, L->n, sizeof(int), cmp_key);
	L->key = palloc(Max(L->n, 1) * sizeof(char *));
	L->rank = palloc(Max(L->n, 1) * sizeof(int));
	for (int i = 0; i < L->n; i++)
	{
		L->key[i] = cw->key[order[i]];
		L->rank[order[i]] = i;
		if (i > 0 && strcmp(L->key[i], L->key[i - 1]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("duplicate key \"%s\" in %s layer %s", L->key[i], L->role, L->relname),
					 errhint("Keys must be unique; restrict the layer with %s_filter (for example to one vintage) or name another key with %s.",
							 L->role, keyparam)));
	}
	pfree(order);
	MemoryContextSwitchTo(old);
}

/* Growable pair list. */
typedef struct PairList
{
	Pair	   *p;
	int			n, cap;
} PairList;

/* Append a pair. */
static void
pair_push(PairList *pl, int s, int t, double area, double perimeter)
{
	if (pl->n >= pl->cap)
	{
		pl->cap = Max(256, pl->cap * 2);
		pl->p = pl->p ? repalloc_huge(pl->p, pl->cap * sizeof(Pair)) : palloc(pl->cap * sizeof(Pair));
	}
	pl->p[pl->n].s = s;
	pl->p[pl->n].t = t;
	pl->p[pl->n].area = area;
	pl->p[pl->n].perimeter = perimeter;
	pl->p[pl->n].points = 0;
	pl->p[pl->n].share = 0;
	pl->p[pl->n].kept = true;
	pl->n++;
}

/*
 * Measure the layers (crosswalk_measure.c) and take over what it found: the
 * SRID and the areas by sorted key, and the pairs as sorted positions.
 */
static void
measure_layers(Layer *S, Layer *T, PairList *pl)
{
	int			n;
	CwPair	   *cp = cw_measure(&S->cw, &T->cw, &n);

	for (int l = 0; l < 2; l++)
	{
		Layer	   *L = l ? T : S;

		L->srid = L->cw.srid;
		L->area = palloc(Max(L->n, 1) * sizeof(double));
		for (int i = 0; i < L->n; i++)
			L->area[L->rank[i]] = L->cw.area[i];
	}
	for (int k = 0; k < n; k++)
		pair_push(pl, S->rank[cp[k].s], T->rank[cp[k].t], cp[k].area, cp[k].perimeter);
	pfree(cp);
}

/* qsort comparator: pairs by (source, target) index, i.e. by keys. */
static int
cmp_pair(const void *a, const void *b)
{
	const Pair *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return (x->t > y->t) - (x->t < y->t);
}

/* Index of key in a layer (sorted by key), or -1. */
static int
find_key(const Layer *L, const char *key)
{
	int			lo = 0, hi = L->n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = strcmp(L->key[mid], key);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Index of pair (s, t) in the sorted pair list, or -1. */
static int
find_pair(const PairList *pl, int s, int t)
{
	int			lo = 0, hi = pl->n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		const Pair *p = &pl->p[mid];

		if (p->s == s && p->t == t)
			return mid;
		if (p->s < s || (p->s == s && p->t < t))
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * Dasymetric counts: each point is given to one source (the lowest key when
 * it lies on a shared boundary) and to one target; adds the point counts to
 * the pairs and to src_points[s].
 */
static void
count_points(Oid points, const char *pgeom, Layer *S, Layer *T,
			 const char *skey, const char *sgeom, const char *sfilter,
			 const char *tkey, const char *tgeom, const char *tfilter,
			 PairList *pl, double *src_points)
{
	char	   *prel = rel_name(points);
	char	   *nsp = check_column(points, prel, pgeom, "points", "points_geom", true);
	char	   *sql;
	char	   *qg = pstrdup(quote_identifier(pgeom));

	/* the point layer must have one SRID, that of the polygons */
	sql = psprintf("SELECT pg_catalog.min(s), pg_catalog.max(s) FROM (SELECT %s.st_srid(%s) AS s FROM %s WHERE %s IS NOT NULL) x",
				   nsp, qg, prel, qg);
	if (SPI_execute(sql, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
	{
		bool		isnull;
		int32		srid = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		int32		srid2 = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));

		if (!isnull && srid != srid2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("point layer %s mixes SRIDs %d and %d", prel, srid, srid2),
					 errhint("Transform the points with ST_Transform to the SRID of the polygons.")));
		if (!isnull && srid != S->srid)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("point layer %s has SRID %d but the polygon layers have SRID %d", prel, srid, S->srid),
					 errhint("Transform the points with ST_Transform to the SRID of the polygons.")));
	}
	/* number the points (row_number, so the point layer may also be a view) */
	sql = psprintf("WITH p AS (SELECT pg_catalog.row_number() OVER () AS pid, %s AS g FROM %s WHERE %s IS NOT NULL),"
				   " ps AS ("
				   " SELECT DISTINCT ON (p.pid) p.pid, p.g, s.k AS sk"
				   " FROM p JOIN (SELECT (%s)::pg_catalog.text AS k, %s AS g FROM %s WHERE %s) s"
				   " ON %s.st_intersects(s.g, p.g) ORDER BY p.pid, s.k),"
				   " pt AS ("
				   " SELECT DISTINCT ON (ps.pid) ps.sk, t.k AS tk"
				   " FROM ps LEFT JOIN (SELECT (%s)::pg_catalog.text AS k, %s AS g FROM %s WHERE %s) t"
				   " ON %s.st_intersects(t.g, ps.g) ORDER BY ps.pid, t.k)"
				   " SELECT sk, tk, pg_catalog.count(*)::pg_catalog.float8 FROM pt GROUP BY sk, tk",
				   qg, prel, qg,
				   quote_identifier(skey), quote_identifier(sgeom), S->relname,
				   sfilter ? psprintf("(%s)", sfilter) : "true",
				   nsp,
				   quote_identifier(tkey), quote_identifier(tgeom), T->relname,
				   tfilter ? psprintf("(%s)", tfilter) : "true",
				   nsp);
	if (SPI_execute(sql, true, 0) != SPI_OK_SELECT)
		/* internal: a SELECT either runs or raises its own error */
		elog(ERROR, "could not count points of %s", prel);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *sk = SPI_getvalue(tup, td, 1);
		char	   *tk = SPI_getvalue(tup, td, 2);
		double		n = DatumGetFloat8(SPI_getbinval(tup, td, 3, &isnull));
		int			s = sk ? find_key(S, sk) : -1;
		int			t = tk ? find_key(T, tk) : -1;
		int			p;

		if (s < 0)
			continue;
		src_points[s] += n;
		if (t >= 0 && (p = find_pair(pl, s, t)) >= 0)
			pl->p[p].points += n;
	}
	SPI_freetuptable(SPI_tuptable);
}

/* Shares of the kept pairs, per source: by points where it has any, else by area. */
static void
compute_shares(Layer *S, PairList *pl, const double *src_points, bool renormalise)
{
	int			i = 0;

	while (i < pl->n)
	{
		int			s = pl->p[i].s;
		int			j = i;
		double		kept_points = 0, sum = 0;
		bool		by_points;

		while (j < pl->n && pl->p[j].s == s)
		{
			if (pl->p[j].kept)
				kept_points += pl->p[j].points;
			j++;
		}
		/* with renormalisation, points outside every kept pair cannot be used */
		by_points = src_points != NULL && src_points[s] > 0 && (!renormalise || kept_points > 0);
		for (int k = i; k < j; k++)
		{
			Pair	   *p = &pl->p[k];

			if (!p->kept)
				continue;
			p->share = by_points ? p->points / src_points[s] : p->area / S->area[s];
			sum += p->share;
		}
		if (renormalise && sum > 0)
			for (int k = i; k < j; k++)
				if (pl->p[k].kept)
					pl->p[k].share /= sum;
		i = j;
	}
}

/*
 * The sliver rule (docs/overlap.md).  A sliver is a piece that is thin and
 * minor on both sides: its mean width 2A/P is below min_width, and it holds
 * at most half of its source's area and at most half of its target's area.
 * A piece holding more than half of either polygon is that polygon's main
 * body, never an artefact along its boundary, so it is kept however narrow
 * the polygon is; at most one piece per source and one per target can
 * qualify, so two competing misalignment pieces are never both protected.
 */
#define SLIVER_MAX_SHARE 0.5

static void
apply_sliver_rule(const Layer *S, const Layer *T, PairList *pl, double min_width)
{
	for (int i = 0; i < pl->n; i++)
	{
		Pair	   *p = &pl->p[i];

		p->kept = 2.0 * p->area >= min_width * p->perimeter
			|| p->area > SLIVER_MAX_SHARE * S->area[p->s]
			|| p->area > SLIVER_MAX_SHARE * T->area[p->t];
	}
}

/* DEBUG2 trace of the steps, with the seconds since start. */
static void
trace_crosswalk(instr_time start, const char *step)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	elog(DEBUG2, "crosswalk: %s after %.3f s", step, INSTR_TIME_GET_DOUBLE(now));
}

PG_FUNCTION_INFO_V1(bm_crosswalk);
/*
 * crosswalk(source, target, source_key, target_key, source_geom, target_geom,
 *           min_width, points, points_geom, source_filter, target_filter,
 *           renormalise) returns (source_code, target_code, overlap_area, share).
 */
Datum
bm_crosswalk(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Layer		S = {.role = "source"}, T = {.role = "target"};
	char	   *skey, *tkey, *sgeom, *tgeom, *pgeom, *sfilter, *tfilter;
	double		min_width;
	bool		renormalise;
	MemoryContext work_cxt, old;
	PairList	pl = {0};
	double	   *src_points = NULL;
	instr_time	start;

	for (int i = 0; i <= 11; i++)
		if (PG_ARGISNULL(i) && i != 7 && i != 9 && i != 10)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %d of crosswalk must not be NULL", i + 1),
					 errhint("Only points, source_filter and target_filter may be NULL.")));
	skey = text_arg(fcinfo, 2);
	tkey = text_arg(fcinfo, 3);
	sgeom = text_arg(fcinfo, 4);
	tgeom = text_arg(fcinfo, 5);
	min_width = PG_GETARG_FLOAT8(6);
	pgeom = text_arg(fcinfo, 8);
	sfilter = text_arg(fcinfo, 9);
	tfilter = text_arg(fcinfo, 10);
	renormalise = PG_GETARG_BOOL(11);
	if (!(min_width >= 0) || isinf(min_width))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_width must be a finite number >= 0, got %g", min_width),
				 errhint("Give the sliver width in metres; 0 keeps every overlap.")));

	InitMaterializedSRF(fcinfo, 0);

	work_cxt = AllocSetContextCreate(CurrentMemoryContext, "buurtmonitor crosswalk",
									 ALLOCSET_DEFAULT_SIZES);
	INSTR_TIME_SET_CURRENT(start);
	/*
	 * Not bm_spi_connect(): source_filter and target_filter are the caller's
	 * SQL, resolved in the caller's search_path as if typed (build_crosswalk
	 * calls us under its fixed one).  Everything this file adds to the SQL is
	 * schema-qualified (docs/security.md).
	 */
	SPI_connect();
	read_layer(&S, PG_GETARG_OID(0), skey, sgeom, sfilter, "source_key", "source_geom", work_cxt);
	read_layer(&T, PG_GETARG_OID(1), tkey, tgeom, tfilter, "target_key", "target_geom", work_cxt);

	trace_crosswalk(start, "layers read");
	old = MemoryContextSwitchTo(work_cxt);
	measure_layers(&S, &T, &pl);
	trace_crosswalk(start, "measured");
	if (pl.n > 1)
		qsort(pl.p, pl.n, sizeof(Pair), cmp_pair);

	apply_sliver_rule(&S, &T, &pl, min_width);

	if (!PG_ARGISNULL(7))
	{
		src_points = palloc0(Max(S.n, 1) * sizeof(double));
		count_points(PG_GETARG_OID(7), pgeom, &S, &T, skey, sgeom, sfilter,
					 tkey, tgeom, tfilter, &pl, src_points);
	}
	compute_shares(&S, &pl, src_points, renormalise);
	MemoryContextSwitchTo(old);
	SPI_finish();

	for (int i = 0; i < pl.n; i++)
	{
		Datum		v[4];
		bool		nulls[4] = {false, false, false, false};

		if (!pl.p[i].kept)
			continue;
		v[0] = CStringGetTextDatum(S.key[pl.p[i].s]);
		v[1] = CStringGetTextDatum(T.key[pl.p[i].t]);
		v[2] = Float8GetDatum(pl.p[i].area);
		v[3] = Float8GetDatum(pl.p[i].share);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	MemoryContextDelete(work_cxt);
	trace_crosswalk(start, "rows returned");
	return (Datum) 0;
}
