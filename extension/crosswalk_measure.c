/*
 * crosswalk_measure.c
 *		Measure every overlapping pair of two polygon layers, in parallel
 *		workers when the layers are big.
 *
 * Rows are numbered source rows first, then target rows.  The leader
 *
 *   1. reads the SRID and bounding box of every row from the first bytes of
 *      its value (PostGIS stores a float box, rounded outwards, in the
 *      header; a slice of a toasted value is cheap) and checks the SRIDs;
 *   2. lists the candidate pairs, whose boxes overlap, by a sweep over xmin;
 *   3. cuts the plane into vertical strips of about equal estimated work.
 *      A pair belongs to the strip holding the larger xmin of its two boxes,
 *      so each pair is measured in exactly one strip; a row is "owned" by the
 *      strip holding its xmin, which checks it (bm_geom_is_valid) and records
 *      its area.  A strip reads the rows it owns and the partners of its pairs.
 *
 * Then every participant (the leader and, for big layers, parallel workers in
 * a ParallelContext, as parallel CREATE INDEX uses) claims strips, most work
 * first, and for each one detoasts, parses and indexes its rows in private
 * memory, measures its pairs with bm_overlap() into the shared pair array,
 * and frees the strip.  No geometry is shared between processes: only keys,
 * the addresses of table rows (which each process reads back with the
 * leader's snapshot) or the values of other relations' rows, boxes and
 * results are in the DSM segment.  Rows on a strip border are read by both
 * strips (a few per cent more parsing), which costs far less than sharing
 * parsed coordinates (tried: the shared memory's page faults and copies ate
 * the gain).  Serially the same code runs in the leader alone, with strips
 * only for memory locality (one strip for small layers, which reads the rows
 * in their read order).
 *
 * Errors: a value that fails a parse check raises its error in whichever
 * process reads it (a worker's error is re-raised by the leader).  An invalid
 * geometry is only noted; the other participants stop, and the leader raises
 * the error for the first invalid row in read order that was examined.
 */
#include "postgres.h"

#include <math.h>

#include "access/detoast.h"
#include "access/parallel.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/paths.h"
#include "port/atomics.h"
#include "storage/shm_toc.h"
#include "storage/spin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "crosswalk_measure.h"
#include "overlap.h"

#define CW_KEY_SHARED	UINT64CONST(0xB0B0000000000001)
#define CW_KEY_VALUES	UINT64CONST(0xB0B0000000000002)
#define CW_KEY_PAIRS	UINT64CONST(0xB0B0000000000003)
#define CW_KEY_STRIPS	UINT64CONST(0xB0B0000000000004)

#define CW_STRIPS_PER_PARTICIPANT 4 /* more strips balance better, fewer read less twice */
#define CW_MIN_STRIP_ROWS 64		/* fewer rows per strip: not worth a strip */
#define CW_STRIP_BYTES (32 * 1024 * 1024)	/* geometry per strip, so that it stays near the caches */

/* A row's state once its owner strip has read it. */
#define ROW_UNREAD		0
#define ROW_READY		1
#define ROW_INVALID		2

/* One row: where its key and value are, its box, and what its owner found. */
typedef struct CwRow
{
	Size		key_off;		/* offsets into the values area (parallel only) */
	Size		value_off;
	bool		has_value;		/* else read back from relid, tid */
	Oid			relid;
	ItemPointerData tid;
	int32		srid;
	int			owner;			/* strip holding its xmin */
	double		xmin, ymin, xmax, ymax; /* header box (holds the exact box) */
	double		size;			/* uncompressed size of the value */
	double		weight;			/* estimated work, for the strip cuts */
	int			state;
	double		area;
} CwRow;

/* State shared by all participants (in the DSM segment when parallel). */
typedef struct CwShared
{
	int			nrows;
	int			nsource;		/* rows 0 .. nsource - 1 are the source layer */
	Oid			typid[2];		/* geometry type of source, target */
	NameData	geomcol[2];		/* geometry column of source, target */
	int			npairs;
	int			nstrips;
	pg_atomic_uint32 next_strip;	/* index into the claim order */
	pg_atomic_uint32 failed;	/* an invalid geometry was found: stop */
	slock_t		mutex;			/* protects invalid_row and invalid_detail */
	int			invalid_row;	/* lowest row found invalid, or -1 */
	char		invalid_detail[512];
	CwRow		rows[FLEXIBLE_ARRAY_MEMBER];
} CwShared;

/*
 * The strips: claim order, and for strip k its pairs pair_start[k] ..
 * pair_start[k+1] - 1 (pairs are sorted by strip) and its rows
 * strip_rows[row_start[k] .. row_start[k+1] - 1].  One int array laid out
 * as order[nstrips], pair_start[nstrips+1], row_start[nstrips+1], strip_rows[].
 */
typedef struct CwStrips
{
	int		   *order;
	int		   *pair_start;
	int		   *row_start;
	int		   *strip_rows;
} CwStrips;

/* One participant's view of the shared state. */
typedef struct CwProcess
{
	CwShared   *sh;
	const char **key;			/* per row */
	struct varlena **value;		/* per row, the raw value, or NULL: read back by address */
	CwPair	   *pairs;			/* row numbers, sorted by strip */
	CwStrips	strips;
	BmGeom	  **geom;			/* per row, parsed while its strip is worked on */
	MemoryContext cxt;			/* per-process memory */
	MemoryContext strip_cxt;	/* the geometries of one strip */
	MemoryContext row_cxt;		/* scratch of one row */
	FmgrInfo	asewkb[2];		/* ST_AsEWKB for values not in PostGIS's own format */
	BmWork		work;
	struct CwRel *rels;			/* tables opened to read rows back */
	int			nrels;
} CwProcess;

/*
 * A table rows of one layer are read back from, with a slot and the number
 * of that layer's geometry column (both layers may be one table, with two
 * geometry columns).
 */
typedef struct CwRel
{
	Oid			relid;
	int			layer;			/* 0 source, 1 target */
	Relation	rel;
	TupleTableSlot *slot;
	AttrNumber	attnum;
} CwRel;

PGDLLEXPORT void bm_crosswalk_worker(dsm_segment *seg, shm_toc *toc);

/* DEBUG2 trace of the steps, with the seconds since start (for tuning; see docs/performance.md). */
static void
trace_step(instr_time start, const char *step, int n)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	elog(DEBUG2, "crosswalk: %s (%d) after %.3f s", step, n, INSTR_TIME_GET_DOUBLE(now));
}

/* Name of row i in messages, e.g. source "BU01500101". */
static char *
row_name(const CwProcess *P, int i)
{
	return psprintf("%s \"%s\"", i < P->sh->nsource ? "source" : "target", P->key[i]);
}

/*
 * Parse one geometry value: PostGIS's serialized format directly when it is
 * version 2 (no EWKB built and copied), else through ST_AsEWKB (*asewkb is
 * looked up in cxt on first use).
 */
static BmGeom *
parse_value(Datum d, Oid typid, FmgrInfo *asewkb, MemoryContext cxt, const char *what)
{
	struct varlena *raw = PG_DETOAST_DATUM(d);
	BmGeom	   *g = bm_geom_from_gserialized(raw, what);
	bytea	   *wkb;

	if ((Pointer) raw != DatumGetPointer(d))
		pfree(raw);
	if (g != NULL)
		return g;
	if (asewkb->fn_oid == InvalidOid)
		bm_lookup_asewkb(typid, asewkb, cxt);
	wkb = DatumGetByteaPP(FunctionCall1(asewkb, d));
	g = bm_geom_from_wkb((unsigned char *) VARDATA_ANY(wkb), VARSIZE_ANY_EXHDR(wkb), what);
	pfree(wkb);
	return g;
}

/*
 * Fill in L->header[i] from the first bytes of the value (a slice): SRID and
 * float box.  False for the few values that carry no box (or are in another
 * format); cw_read_header then parses them.
 */
bool
cw_read_header_box(CwLayer *L, int i, Datum value)
{
	CwHeader   *h = &L->header[i];

	h->size = toast_raw_datum_size(value);
	return bm_gserialized_header_box(value, &h->srid, &h->xmin, &h->ymin, &h->xmax, &h->ymax);
}

/* Fill in L->header[i] from the value, parsing it when it carries no box. */
void
cw_read_header(CwLayer *L, int i, Datum value)
{
	CwHeader   *h = &L->header[i];
	MemoryContext cxt, old;
	BmGeom	   *g;

	if (cw_read_header_box(L, i, value))
		return;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "buurtmonitor header", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	g = parse_value(value, L->typid, &L->asewkb, old, psprintf("%s \"%s\"", L->role, L->key[i]));
	h->srid = g->srid;
	h->xmin = g->xmin;
	h->ymin = g->ymin;
	h->xmax = g->xmax;
	h->ymax = g->ymax;
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

/* Table relid opened for reading rows of layer l back, with its slot (cached per process). */
static CwRel *
rel_of(CwProcess *P, Oid relid, int l)
{
	CwRel	   *r;
	MemoryContext old;

	for (int k = 0; k < P->nrels; k++)
		if (P->rels[k].relid == relid && P->rels[k].layer == l)
			return &P->rels[k];
	/* in process memory: the slot outlives the strip */
	old = MemoryContextSwitchTo(P->cxt);
	P->rels = P->rels ? repalloc(P->rels, (P->nrels + 1) * sizeof(CwRel)) : palloc(sizeof(CwRel));
	r = &P->rels[P->nrels++];
	r->relid = relid;
	r->layer = l;
	r->rel = table_open(relid, AccessShareLock);
	r->slot = table_slot_create(r->rel, NULL);
	MemoryContextSwitchTo(old);
	r->attnum = get_attnum(relid, NameStr(P->sh->geomcol[l]));
	if (r->attnum == InvalidAttrNumber)
		/* internal: the columns were checked under the same lock */
		elog(ERROR, "buurtmonitor: column \"%s\" missing in relation %u", NameStr(P->sh->geomcol[l]), relid);
	return r;
}

/* Close the tables opened to read rows back. */
static void
close_rels(CwProcess *P)
{
	for (int k = 0; k < P->nrels; k++)
	{
		ExecDropSingleTupleTableSlot(P->rels[k].slot);
		table_close(P->rels[k].rel, AccessShareLock);
	}
	P->nrels = 0;
}

/*
 * Parse row i's geometry: from its raw value, or by reading the row back
 * from its table with the snapshot the leader read it with.
 */
static BmGeom *
read_value(CwProcess *P, int i, const char *what)
{
	CwRow	   *row = &P->sh->rows[i];
	int			l = i < P->sh->nsource ? 0 : 1;
	CwRel	   *r;
	bool		isnull;
	Datum		d;
	BmGeom	   *g;

	if (P->value[i] != NULL)
		return parse_value(PointerGetDatum(P->value[i]), P->sh->typid[l], &P->asewkb[l], P->cxt, what);
	r = rel_of(P, row->relid, l);
	/* the leader saw the row with this snapshot, so it is there; a safeguard all the same */
	if (!table_tuple_fetch_row_version(r->rel, &row->tid, GetActiveSnapshot(), r->slot) ||
		(d = slot_getattr(r->slot, r->attnum, &isnull), isnull))
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not read %s again", what),
				 errhint("Run the crosswalk again.")));
	g = parse_value(d, P->sh->typid[l], &P->asewkb[l], P->cxt, what);
	ExecClearTuple(r->slot);
	return g;
}

/* Note that row i is invalid, keeping the lowest such row for the leader's error. */
static void
note_invalid(CwShared *sh, int i, const char *detail)
{
	SpinLockAcquire(&sh->mutex);
	if (sh->invalid_row < 0 || i < sh->invalid_row)
	{
		sh->invalid_row = i;
		strlcpy(sh->invalid_detail, detail, sizeof(sh->invalid_detail));
	}
	SpinLockRelease(&sh->mutex);
	pg_atomic_write_u32(&sh->failed, 1);
}

/*
 * Read row i for strip k into strip memory; the owner strip also checks it
 * and records its area.  False when it is invalid.
 */
static bool
read_row(CwProcess *P, int i, int k)
{
	CwRow	   *row = &P->sh->rows[i];
	MemoryContext old = MemoryContextSwitchTo(P->row_cxt);
	char	   *what = row_name(P, i);
	char		detail[512];
	BmGeom	   *g;
	bool		ok = true;

	MemoryContextSwitchTo(P->strip_cxt);
	g = read_value(P, i, what);
	MemoryContextSwitchTo(P->row_cxt);
	if (g->nrings > 0)
	{
		/*
		 * The strips and candidates were made from the stored box: it must hold the geometry.
		 * PostGIS boxes a polygon by its exterior ring, so a hole outside its shell lands here.
		 */
		if (g->xmin < row->xmin || g->xmax > row->xmax || g->ymin < row->ymin || g->ymax > row->ymax)
			bm_report_invalid(what, "Hole lies outside shell: a ring is outside the box of the exterior ring.");
		/* index before the validity check, which uses it */
		MemoryContextSwitchTo(P->strip_cxt);
		bm_geom_index(g);
		MemoryContextSwitchTo(P->row_cxt);
	}
	if (row->owner == k)
	{
		if (!bm_geom_is_valid(g, detail, sizeof(detail)))
		{
			row->state = ROW_INVALID;
			note_invalid(P->sh, i, detail);
			ok = false;
		}
		else
		{
			row->area = g->area;
			row->state = ROW_READY;
		}
	}
	P->geom[i] = g;
	MemoryContextSwitchTo(old);
	MemoryContextReset(P->row_cxt);
	return ok;
}

/* Read, check and measure strip k, then free its geometries. */
static void
work_strip(CwProcess *P, int k)
{
	const CwStrips *st = &P->strips;

	for (int r = st->row_start[k]; r < st->row_start[k + 1]; r++)
	{
		if (!read_row(P, st->strip_rows[r], k) || pg_atomic_read_u32(&P->sh->failed) != 0)
			goto done;
		CHECK_FOR_INTERRUPTS();
	}
	for (int p = st->pair_start[k]; p < st->pair_start[k + 1]; p++)
	{
		CwPair	   *pair = &P->pairs[p];
		BmOverlap	o = bm_overlap(P->geom[pair->s], P->geom[pair->t], &P->work);

		pair->area = o.area;
		pair->perimeter = o.perimeter;
		if ((p & 63) == 0)
			CHECK_FOR_INTERRUPTS();
	}
done:
	for (int r = st->row_start[k]; r < st->row_start[k + 1]; r++)
		P->geom[st->strip_rows[r]] = NULL;
	MemoryContextReset(P->strip_cxt);
}

/* Claim strips, most work first, until none is left or a geometry was invalid. */
static void
work_strips(CwProcess *P)
{
	CwShared   *sh = P->sh;

	while (pg_atomic_read_u32(&sh->failed) == 0)
	{
		uint32		n = pg_atomic_fetch_add_u32(&sh->next_strip, 1);

		if (n >= (uint32) sh->nstrips)
			break;
		work_strip(P, P->strips.order[n]);
	}
}

/* Memory and scratch of one participant. */
static void
process_begin(CwProcess *P, CwShared *sh)
{
	P->sh = sh;
	P->cxt = AllocSetContextCreate(CurrentMemoryContext, "buurtmonitor crosswalk",
								   ALLOCSET_DEFAULT_SIZES);
	P->strip_cxt = AllocSetContextCreate(P->cxt, "buurtmonitor crosswalk strip",
										 ALLOCSET_DEFAULT_SIZES);
	P->row_cxt = AllocSetContextCreate(P->cxt, "buurtmonitor crosswalk row",
									   ALLOCSET_DEFAULT_SIZES);
	P->geom = MemoryContextAllocHuge(P->cxt, Max(sh->nrows, 1) * sizeof(BmGeom *));
	memset(P->geom, 0, Max(sh->nrows, 1) * sizeof(BmGeom *));
	bm_work_init(&P->work, P->cxt);
}

/* Point the strip arrays into one int array (see CwStrips). */
static void
strips_layout(CwStrips *st, int *ints, int nstrips)
{
	st->order = ints;
	st->pair_start = st->order + nstrips;
	st->row_start = st->pair_start + nstrips + 1;
	st->strip_rows = st->row_start + nstrips + 1;
}

/*
 * Entry point of a parallel worker (called by ParallelWorkerMain inside the
 * leader's transaction and snapshot): attach the shared state and work on
 * strips.
 */
void
bm_crosswalk_worker(dsm_segment *seg, shm_toc *toc)
{
	CwShared   *sh = shm_toc_lookup(toc, CW_KEY_SHARED, false);
	char	   *values = shm_toc_lookup(toc, CW_KEY_VALUES, false);
	CwProcess	P = {0};
	instr_time	start;

	process_begin(&P, sh);
	P.pairs = shm_toc_lookup(toc, CW_KEY_PAIRS, false);
	strips_layout(&P.strips, shm_toc_lookup(toc, CW_KEY_STRIPS, false), sh->nstrips);
	P.key = MemoryContextAllocHuge(P.cxt, Max(sh->nrows, 1) * sizeof(char *));
	P.value = MemoryContextAllocHuge(P.cxt, Max(sh->nrows, 1) * sizeof(struct varlena *));
	for (int i = 0; i < sh->nrows; i++)
	{
		P.key[i] = values + sh->rows[i].key_off;
		P.value[i] = sh->rows[i].has_value ? (struct varlena *) (values + sh->rows[i].value_off) : NULL;
	}
	INSTR_TIME_SET_CURRENT(start);
	work_strips(&P);
	close_rels(&P);
	trace_step(start, "worker done, strips claimed up to", (int) pg_atomic_read_u32(&sh->next_strip));
	MemoryContextDelete(P.cxt);
}

/* Uncompressed size of all geometry values of both layers (from their headers). */
static double
layers_size(const CwLayer *S, const CwLayer *T)
{
	double		size = 0;

	for (int i = 0; i < S->n; i++)
		size += S->header[i].size;
	for (int i = 0; i < T->n; i++)
		size += T->header[i].size;
	return size;
}

/*
 * Workers to ask for, the way the planner sizes a parallel scan: none below
 * min_parallel_table_scan_size of geometry (uncompressed), then one more for
 * every tripling, up to max_parallel_workers_per_gather.  None when already
 * in parallel mode (crosswalk called inside a parallel plan).
 */
static int
workers_wanted(double size)
{
	double		pages = size / BLCKSZ;
	double		threshold = Max(min_parallel_table_scan_size, 1);
	int			workers = 1;

	if (max_parallel_workers_per_gather <= 0 || IsInParallelMode() || !IsUnderPostmaster)
		return 0;
	if (pages < threshold)
		return 0;
	while (pages >= threshold * 3 && workers < max_parallel_workers_per_gather)
	{
		workers++;
		threshold *= 3;
	}
	return workers;
}

/*
 * Step 1: rows from the layers' headers and addresses, and the SRID checks
 * in read order: one SRID per layer, the same in both, projected.
 */
static void
rows_from_layers(CwProcess *P, CwLayer *S, CwLayer *T)
{
	CwShared   *sh = P->sh;

	for (int l = 0; l < 2; l++)
	{
		CwLayer    *L = l ? T : S;
		int			base = l ? sh->nsource : 0;

		L->srid = 0;
		for (int i = 0; i < L->n; i++)
		{
			CwRow	   *row = &sh->rows[base + i];
			const CwHeader *h = &L->header[i];
			char	   *what;

			row->srid = h->srid;
			row->xmin = h->xmin;
			row->ymin = h->ymin;
			row->xmax = h->xmax;
			row->ymax = h->ymax;
			row->size = row->weight = h->size;
			row->has_value = L->datum != NULL;
			if (!row->has_value)
			{
				row->relid = L->relid[i];
				row->tid = L->tid[i];
			}
			if (i == 0)
				L->srid = row->srid;
			else if (row->srid != L->srid)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s layer %s mixes SRIDs %d and %d (at key %s)",
								L->role, L->relname, L->srid, row->srid, L->key[i]),
						 errhint("Transform the layer to one SRID with ST_Transform.")));
			if (L->srid != 0 && i == 0)
			{
				what = row_name(P, base + i);
				bm_check_srid_projected(L->srid, what);
				pfree(what);
			}
		}
	}
	if (S->n > 0 && T->n > 0 && S->srid != T->srid)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("source layer has SRID %d but target layer has SRID %d", S->srid, T->srid),
				 errhint("Transform one layer with ST_Transform so both use the same SRID.")));
}

/* Sweep item: one row and its smallest x. */
typedef struct SweepItem
{
	double		xmin;
	int			row;
} SweepItem;

/* qsort comparator: by xmin, then row (a repeatable order). */
static int
cmp_sweep(const void *a, const void *b)
{
	const SweepItem *x = a, *y = b;

	if (x->xmin != y->xmin)
		return x->xmin < y->xmin ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/* Append candidate (s, t) to a growable array. */
static void
candidate_push(CwPair **c, int *n, int *cap, int s, int t)
{
	if (*n >= *cap)
	{
		if (*cap >= INT_MAX / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many overlapping pairs"),
					 errhint("Split the layers with source_filter or target_filter.")));
		*cap = Max(1024, *cap * 2);
		*c = *c ? repalloc_huge(*c, (Size) *cap * sizeof(CwPair))
			: palloc_extended((Size) *cap * sizeof(CwPair), MCXT_ALLOC_HUGE);
	}
	(*c)[*n] = (CwPair) {s, t, 0, 0};
	(*n)++;
}

/*
 * Step 2: the pairs of a source and a target row whose boxes overlap with
 * positive area, by a sweep over xmin (an item meets the active items of the
 * other layer whose xmax lies beyond its xmin), in sweep order.  Also returns
 * the rows that have a box, sorted by xmin, and adds a share of each pair's
 * work to the weights of its rows.
 */
static CwPair *
candidates(CwShared *sh, int *ncand, SweepItem **sorted, int *nsorted)
{
	SweepItem  *items = palloc(Max(sh->nrows, 1) * sizeof(SweepItem));
	int		   *active[2];
	int			nactive[2] = {0, 0};
	int			n = 0, cap = 0, k = 0;
	CwPair	   *c = NULL;

	active[0] = palloc(Max(sh->nrows, 1) * sizeof(int));
	active[1] = palloc(Max(sh->nrows, 1) * sizeof(int));
	for (int i = 0; i < sh->nrows; i++)
		if (sh->rows[i].xmin <= sh->rows[i].xmax)	/* empty geometries have no box */
			items[k++] = (SweepItem) {sh->rows[i].xmin, i};
	qsort(items, k, sizeof(SweepItem), cmp_sweep);
	for (int i = 0; i < k; i++)
	{
		int			r = items[i].row;
		int			l = r < sh->nsource ? 0 : 1;
		int		   *other = active[1 - l];
		int		   *nother = &nactive[1 - l];
		CwRow	   *a = &sh->rows[r];

		for (int j = 0; j < *nother;)
		{
			CwRow	   *b = &sh->rows[other[j]];

			if (b->xmax <= a->xmin)
			{
				other[j] = other[--(*nother)];
				continue;
			}
			if (!(a->ymax <= b->ymin || b->ymax <= a->ymin))
			{
				/* a pair costs about a sixth of reading both rows (measured on the NL case) */
				double		w = (a->size + b->size) / 6;

				candidate_push(&c, &n, &cap, l == 0 ? r : other[j], l == 0 ? other[j] : r);
				a->weight += w / 2;
				b->weight += w / 2;
			}
			j++;
		}
		active[l][nactive[l]++] = r;
	}
	pfree(active[0]);
	pfree(active[1]);
	*ncand = n;
	*sorted = items;
	*nsorted = k;
	return c;
}

/* Strip holding x: the last cut at or left of it. */
static int
strip_of(const double *cut, int nstrips, double x)
{
	int			lo = 0, hi = nstrips - 1;

	while (lo < hi)
	{
		int			mid = (lo + hi + 1) / 2;

		if (cut[mid] <= x)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* qsort context and comparator: strips by estimated work, most first. */
static const double *strip_work_sort;

static int
cmp_strip_work(const void *a, const void *b)
{
	double		x = strip_work_sort[*(const int *) a], y = strip_work_sort[*(const int *) b];

	if (x != y)
		return x > y ? -1 : 1;
	return (*(const int *) a > *(const int *) b) - (*(const int *) a < *(const int *) b);
}

/*
 * Step 3: cut the rows (sorted by xmin) into about nstrips strips of equal
 * weight, give every row its owner and every pair its strip, sort the pairs
 * by strip (keeping sweep order within), and list each strip's rows: with
 * one strip, every row in read order.  Returns the int array of CwStrips
 * (allocated with alloc_ints) and sets *nstrips_out.
 */
static int *
make_strips(CwShared *sh, CwPair *pairs, int npairs, const SweepItem *sorted, int nsorted,
			int want, int *nstrips_out, int *nints_out)
{
	double		total = 0, acc = 0;
	double	   *cut = palloc(sizeof(double) * (want + 1));
	double	   *work;
	int			nstrips = 0;
	int		   *pair_strip, *count, *mark;
	int			nrow_refs = 0;
	int		   *ints = NULL;
	CwStrips	st = {0};
	CwPair	   *tmp;

	/* cuts at xmin values, strictly increasing, so equal xmins share a strip */
	for (int i = 0; i < nsorted; i++)
		total += sh->rows[sorted[i].row].weight;
	cut[nstrips++] = -INFINITY;
	for (int i = 0; i < nsorted && want > 1; i++)
	{
		double		x = sorted[i].xmin;

		if (acc >= total * nstrips / want && x > cut[nstrips - 1] && nstrips < want)
			cut[nstrips++] = x;
		acc += sh->rows[sorted[i].row].weight;
	}

	/* owners (rows without a box: strip 0) and the strip of each pair */
	for (int i = 0; i < sh->nrows; i++)
		sh->rows[i].owner = sh->rows[i].xmin <= sh->rows[i].xmax ?
			strip_of(cut, nstrips, sh->rows[i].xmin) : 0;
	pair_strip = palloc(Max(npairs, 1) * sizeof(int));
	count = palloc0((nstrips + 1) * sizeof(int));
	for (int p = 0; p < npairs; p++)
	{
		pair_strip[p] = strip_of(cut, nstrips, Max(sh->rows[pairs[p].s].xmin, sh->rows[pairs[p].t].xmin));
		count[pair_strip[p]]++;
	}

	/* rows per strip: the owned ones plus the partners of its pairs, each once */
	mark = palloc(Max(sh->nrows, 1) * sizeof(int));
	for (int pass = 0; pass < 2; pass++)
	{
		int			fill = 0;

		for (int i = 0; i < sh->nrows; i++)
			mark[i] = -1;
		if (pass == 1)
		{
			ints = palloc_extended((Size) (3 * nstrips + 2 + nrow_refs) * sizeof(int), MCXT_ALLOC_HUGE);
			strips_layout(&st, ints, nstrips);
		}
		for (int k = 0; k < nstrips; k++)
		{
			if (pass == 1)
				st.row_start[k] = fill;
			for (int i = 0; i < sh->nrows; i++)
				if (sh->rows[i].owner == k)
				{
					if (pass == 1)
						st.strip_rows[fill] = i;
					fill++;
					mark[i] = k;
				}
			for (int p = 0; p < npairs; p++)
			{
				if (pair_strip[p] != k)
					continue;
				for (int side = 0; side < 2; side++)
				{
					int			r = side ? pairs[p].t : pairs[p].s;

					if (mark[r] == k)
						continue;
					mark[r] = k;
					if (pass == 1)
						st.strip_rows[fill] = r;
					fill++;
				}
			}
		}
		if (pass == 0)
			nrow_refs = fill;
		else
			st.row_start[nstrips] = fill;
	}

	/* pairs sorted by strip, keeping sweep order within a strip */
	st.pair_start[0] = 0;
	for (int k = 0; k < nstrips; k++)
		st.pair_start[k + 1] = st.pair_start[k] + count[k];
	memset(count, 0, (nstrips + 1) * sizeof(int));
	tmp = palloc_extended(Max(npairs, 1) * sizeof(CwPair), MCXT_ALLOC_HUGE);
	for (int p = 0; p < npairs; p++)
		tmp[st.pair_start[pair_strip[p]] + count[pair_strip[p]]++] = pairs[p];
	memcpy(pairs, tmp, (Size) npairs * sizeof(CwPair));

	/* claim order: most estimated work first */
	work = palloc0(nstrips * sizeof(double));
	for (int k = 0; k < nstrips; k++)
	{
		st.order[k] = k;
		for (int r = st.row_start[k]; r < st.row_start[k + 1]; r++)
			work[k] += sh->rows[st.strip_rows[r]].weight;
	}
	strip_work_sort = work;
	qsort(st.order, nstrips, sizeof(int), cmp_strip_work);

	pfree(tmp);
	pfree(work);
	pfree(mark);
	pfree(count);
	pfree(pair_strip);
	pfree(cut);
	*nstrips_out = nstrips;
	*nints_out = 3 * nstrips + 2 + nrow_refs;
	return ints;
}

/*
 * How many strips: enough for the participants to balance their work, and
 * enough that one strip's geometries stay small (memory locality pays off
 * serially too), but at least CW_MIN_STRIP_ROWS rows each; no workers when
 * that leaves a single strip.
 */
static int
strips_wanted(double size, int nsorted, int *nworkers)
{
	int			want;

	want = (int) Min(size / CW_STRIP_BYTES, 4096.0);
	if (*nworkers > 0)
		want = Max(want, CW_STRIPS_PER_PARTICIPANT * (*nworkers + 1));
	want = Min(want, nsorted / CW_MIN_STRIP_ROWS);
	if (want < 2)
	{
		*nworkers = 0;
		want = 1;
	}
	return want;
}

/* Initialise the lock and the counters of the shared state. */
static void
shared_init_sync(CwShared *sh)
{
	SpinLockInit(&sh->mutex);
	pg_atomic_init_u32(&sh->next_strip, 0);
	pg_atomic_init_u32(&sh->failed, 0);
}

/* Bytes of the values area: every key and raw value, MAXALIGNed. */
static Size
values_size(const CwLayer *S, const CwLayer *T)
{
	Size		size = 0;

	for (int l = 0; l < 2; l++)
	{
		const CwLayer *L = l ? T : S;

		for (int i = 0; i < L->n; i++)
		{
			size = add_size(size, MAXALIGN(strlen(L->key[i]) + 1));
			if (L->datum)
				size = add_size(size, MAXALIGN(VARSIZE_ANY(L->datum[i])));
		}
	}
	return size;
}

/* Copy every key and raw value into the values area and note their offsets. */
static void
values_fill(CwShared *sh, char *values, const CwProcess *P)
{
	Size		off = 0;

	for (int i = 0; i < sh->nrows; i++)
	{
		Size		klen = strlen(P->key[i]) + 1;

		memcpy(values + off, P->key[i], klen);
		sh->rows[i].key_off = off;
		off += MAXALIGN(klen);
		if (P->value[i])
		{
			Size		vlen = VARSIZE_ANY(P->value[i]);

			memcpy(values + off, P->value[i], vlen);
			sh->rows[i].value_off = off;
			off += MAXALIGN(vlen);
		}
	}
}

/* Copy n bytes to a new chunk of the DSM segment under key. */
static void *
toc_copy(ParallelContext *pcxt, uint64 key, const void *src, Size n)
{
	void	   *dst = shm_toc_allocate(pcxt->toc, n);

	memcpy(dst, src, n);
	shm_toc_insert(pcxt->toc, key, dst);
	return dst;
}

/*
 * Measure every overlapping pair of S and T (see crosswalk_measure.h).
 */
CwPair *
cw_measure(CwLayer *S, CwLayer *T, int *npairs)
{
	int			nrows = S->n + T->n;
	Size		shared_size = add_size(offsetof(CwShared, rows), mul_size(Max(nrows, 1), sizeof(CwRow)));
	double		size = layers_size(S, T);
	int			nworkers = workers_wanted(size);
	ParallelContext *pcxt = NULL;
	CwProcess	P = {0};
	CwShared   *sh;
	CwPair	   *pairs;
	CwPair	   *result;
	SweepItem  *sorted;
	int		   *ints;
	int			ncand, nsorted, nstrips, nints, n = 0;
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	sh = MemoryContextAllocHuge(CurrentMemoryContext, shared_size);
	memset(sh, 0, shared_size);
	sh->nrows = nrows;
	sh->nsource = S->n;
	sh->typid[0] = S->typid;
	sh->typid[1] = T->typid;
	namestrcpy(&sh->geomcol[0], S->geomcol);
	namestrcpy(&sh->geomcol[1], T->geomcol);
	sh->invalid_row = -1;
	shared_init_sync(sh);
	process_begin(&P, sh);
	P.key = palloc(Max(nrows, 1) * sizeof(char *));
	P.value = palloc(Max(nrows, 1) * sizeof(struct varlena *));
	for (int i = 0; i < nrows; i++)
	{
		P.key[i] = i < S->n ? S->key[i] : T->key[i - S->n];
		P.value[i] = i < S->n ? (S->datum ? S->datum[i] : NULL) : (T->datum ? T->datum[i - S->n] : NULL);
	}

	/* the leader's steps: boxes and SRIDs, candidate pairs, strips */
	rows_from_layers(&P, S, T);
	pairs = candidates(sh, &ncand, &sorted, &nsorted);
	trace_step(start, "candidate pairs listed", ncand);
	ints = make_strips(sh, pairs, ncand, sorted, nsorted, strips_wanted(size, nsorted, &nworkers),
					   &nstrips, &nints);
	sh->nstrips = nstrips;
	sh->npairs = ncand;
	trace_step(start, "strips cut", nstrips);

	if (nworkers > 0)
	{
		Size		vsize = values_size(S, T);
		Size		psize = Max(ncand, 1) * sizeof(CwPair);

		EnterParallelMode();
		pcxt = CreateParallelContext("$libdir/buurtmonitor", "bm_crosswalk_worker", nworkers);
		shm_toc_estimate_chunk(&pcxt->estimator, shared_size);
		shm_toc_estimate_chunk(&pcxt->estimator, vsize);
		shm_toc_estimate_chunk(&pcxt->estimator, psize);
		shm_toc_estimate_chunk(&pcxt->estimator, nints * sizeof(int));
		shm_toc_estimate_keys(&pcxt->estimator, 4);
		InitializeParallelDSM(pcxt);
		if (pcxt->seg == NULL)
		{
			/* no DSM segment to be had: the leader works alone */
			DestroyParallelContext(pcxt);
			ExitParallelMode();
			pcxt = NULL;
		}
		else
		{
			char	   *values = shm_toc_allocate(pcxt->toc, vsize);

			values_fill(sh, values, &P);
			shm_toc_insert(pcxt->toc, CW_KEY_VALUES, values);
		}
	}
	if (pcxt)
	{
		sh = toc_copy(pcxt, CW_KEY_SHARED, sh, shared_size);
		shared_init_sync(sh);	/* the copy's lock and counters start afresh */
		P.sh = sh;
		pairs = toc_copy(pcxt, CW_KEY_PAIRS, pairs, Max(ncand, 1) * sizeof(CwPair));
		ints = toc_copy(pcxt, CW_KEY_STRIPS, ints, nints * sizeof(int));
		LaunchParallelWorkers(pcxt);
	}
	trace_step(start, "workers launched", pcxt ? pcxt->nworkers_launched : 0);
	elog(DEBUG1, "crosswalk: %d candidate pairs in %d strips, %d parallel workers launched",
		 ncand, nstrips, pcxt ? pcxt->nworkers_launched : 0);
	P.pairs = pairs;
	strips_layout(&P.strips, ints, nstrips);
	work_strips(&P);
	close_rels(&P);
	trace_step(start, "leader done", 0);
	if (pcxt)
		WaitForParallelWorkersToFinish(pcxt);
	trace_step(start, "workers done", 0);

	/* the first invalid row in read order among those checked */
	if (pg_atomic_read_u32(&sh->failed) != 0)
	{
		int			i = sh->invalid_row;

		bm_report_invalid(row_name(&P, i), sh->invalid_detail);
	}

	/* areas of the geometries, and the pairs with an overlap of positive area */
	S->area = palloc(Max(S->n, 1) * sizeof(double));
	T->area = palloc(Max(T->n, 1) * sizeof(double));
	for (int i = 0; i < nrows; i++)
	{
		if (sh->rows[i].state != ROW_READY)
			/* internal: every row is read before this step */
			elog(ERROR, "buurtmonitor: %s was not read", row_name(&P, i));
		if (i < S->n)
			S->area[i] = sh->rows[i].area;
		else
			T->area[i - S->n] = sh->rows[i].area;
	}
	result = palloc_extended(Max(ncand, 1) * sizeof(CwPair), MCXT_ALLOC_HUGE);
	for (int k = 0; k < ncand; k++)
		if (pairs[k].area > 0)
		{
			result[n] = pairs[k];
			result[n].t -= S->n;
			n++;
		}
	if (pcxt)
	{
		DestroyParallelContext(pcxt);
		ExitParallelMode();
	}
	MemoryContextDelete(P.cxt);
	trace_step(start, "pairs with overlap", n);
	*npairs = n;
	return result;
}
