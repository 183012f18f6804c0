/*
 * spatial_weights.c
 *		Neighbour sets for spatial weights: contiguity (queen, rook) on polygon
 *		vertices with a snap tolerance, k nearest neighbours and distance bands on
 *		points, and the connected components of a neighbour graph.
 *
 * Contiguity follows spdep::poly2nb exactly, so neighbour sets can be checked
 * against it: the vertices of an area are all points of all its rings in
 * storage order without the very first one (spdep drops the first row of each
 * feature's coordinates, so the closing points of later rings stay); two areas
 * are neighbours when at least one (queen) or at least two (rook) pairs of their
 * vertices lie within the snap distance (Euclidean, inclusive).  All vertices
 * are sorted by x and swept once, so the cost is O(V log V) instead of spdep's
 * pairwise loops.
 *
 * The functions only find neighbours; weights (binary, row-standardised,
 * inverse distance, self included) are made in SQL (extension/sql/700_spatial_weights.sql).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "overlap.h"

PG_FUNCTION_INFO_V1(bm_contiguity_pairs);
PG_FUNCTION_INFO_V1(bm_knn_pairs);
PG_FUNCTION_INFO_V1(bm_distance_pairs);
PG_FUNCTION_INFO_V1(bm_graph_components);

/* One polygon vertex with the index of its area. */
typedef struct SwVertex
{
	double		x, y;
	int			area;
} SwVertex;

/* A point with its index, sorted by x for the sweeps. */
typedef struct SwPoint
{
	double		x, y;
	int			idx;
} SwPoint;

static int
vertex_cmp(const void *a, const void *b)
{
	const SwVertex *p = a, *q = b;

	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	return p->area - q->area;
}

static int
point_cmp(const void *a, const void *b)
{
	const SwPoint *p = a, *q = b;

	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	return p->idx - q->idx;
}

static int
uint64_cmp(const void *a, const void *b)
{
	uint64		p = *(const uint64 *) a, q = *(const uint64 *) b;

	return p < q ? -1 : (p > q ? 1 : 0);
}

/* Refuse a job whose arrays would exceed maintenance_work_mem. */
static void
check_budget(Size bytes, const char *what)
{
	Size		budget = (Size) maintenance_work_mem * 1024;

	if (bytes > budget)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s needs %zu kB, more than maintenance_work_mem (%d kB)",
						what, bytes / 1024 + 1, maintenance_work_mem),
				 errhint("Raise maintenance_work_mem for this session, e.g. SET maintenance_work_mem = '%zuMB'.",
						 bytes / (1024 * 1024) + 1)));
}

/* Start a materialised set-returning result (PostgreSQL's helper). */
static Tuplestorestate *
srf_start(FunctionCallInfo fcinfo, TupleDesc *tdp)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	*tdp = rsinfo->setDesc;
	return rsinfo->setResult;
}

/* Emit one (i, j, distance) row, indices 1-based. */
static void
put_pair(Tuplestorestate *ts, TupleDesc td, int i, int j, double d)
{
	Datum		v[3];
	bool		n[3] = {false, false, false};

	v[0] = Int32GetDatum(i + 1);
	v[1] = Int32GetDatum(j + 1);
	v[2] = Float8GetDatum(d);
	n[2] = isnan(d);
	tuplestore_putvalues(ts, td, v, n);
}

/* The elements of a one-dimensional array argument without NULLs. */
static void
array_elems(ArrayType *a, Oid elmtype, const char *what, Datum **elems, int *n)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	bool	   *nulls;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						errmsg("%s must be a one-dimensional array", what),
						errhint("Pass a one-dimensional array.")));
	get_typlenbyvalalign(elmtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elmtype, typlen, typbyval, typalign, elems, &nulls, n);
	for (int i = 0; i < *n; i++)
		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("%s has a NULL at position %d", what, i + 1),
							errhint("Drop the rows without a value or geometry first.")));
}

/* Parse, check and collect the polygons of geometry array argument 1 (codes in argument 0). */
static BmGeom **
read_polygons(FunctionCallInfo fcinfo, int *np)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(1);
	Oid			typid = ARR_ELEMTYPE(a);
	Datum	   *elems, *codes;
	int			ncodes;
	BmGeom	  **g;
	FmgrInfo	asewkb;
	bool		have_asewkb = false;
	char		what[128];

	array_elems(PG_GETARG_ARRAYTYPE_P(0), TEXTOID, "codes", &codes, &ncodes);
	array_elems(a, typid, "geometries", &elems, np);
	if (ncodes != *np)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						errmsg("%d codes for %d geometries", ncodes, *np),
						errhint("Pass one area code per geometry.")));
	g = palloc(sizeof(BmGeom *) * Max(*np, 1));
	for (int i = 0; i < *np; i++)
	{
		struct varlena *raw = PG_DETOAST_DATUM(elems[i]);

		CHECK_FOR_INTERRUPTS();
		snprintf(what, sizeof(what), "area %s", TextDatumGetCString(codes[i]));
		g[i] = bm_geom_from_gserialized(raw, what);
		if (g[i] == NULL)
		{
			bytea	   *wkb;

			if (!have_asewkb)
				bm_lookup_asewkb(typid, &asewkb, CurrentMemoryContext);
			have_asewkb = true;
			wkb = DatumGetByteaPP(FunctionCall1(&asewkb, elems[i]));
			g[i] = bm_geom_from_wkb((unsigned char *) VARDATA_ANY(wkb), VARSIZE_ANY_EXHDR(wkb), what);
		}
		bm_check_srid_projected(g[i]->srid, what);
		if (g[i]->srid != g[0]->srid)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("geometries have different SRIDs (%d and %d)", g[0]->srid, g[i]->srid),
					 errhint("Transform them with ST_Transform so all use one projected SRID.")));
		bm_geom_index(g[i]);
		bm_geom_check_valid(g[i], what);
	}
	return g;
}

/* All vertices of the areas as spdep counts them (see the file comment). */
static SwVertex *
collect_vertices(BmGeom **g, int n, int *nv)
{
	Size		total = 0;
	SwVertex   *v;
	int			k = 0;

	for (int i = 0; i < n; i++)
		total += g[i]->npoints > 0 ? g[i]->npoints - 1 : 0;
	check_budget(total * (sizeof(SwVertex) + sizeof(uint64)), "contiguity");
	v = palloc_extended(sizeof(SwVertex) * Max(total, 1), MCXT_ALLOC_HUGE);
	for (int i = 0; i < n; i++)
		for (int p = 1; p < g[i]->npoints; p++)
		{
			v[k].x = g[i]->x[p];
			v[k].y = g[i]->y[p];
			v[k].area = i;
			k++;
		}
	*nv = k;
	return v;
}

/*
 * contiguity_pairs(codes text[], geoms geometry[], rook boolean, snap float8)
 *   -> (i, j, distance): every ordered pair of contiguous areas (1-based
 *   indices into geoms), distance NULL.
 */
Datum
bm_contiguity_pairs(PG_FUNCTION_ARGS)
{
	bool		rook = PG_GETARG_BOOL(2);
	double		snap = PG_GETARG_FLOAT8(3);
	TupleDesc	td;
	Tuplestorestate *ts = srf_start(fcinfo, &td);
	BmGeom	  **g;
	SwVertex   *v;
	uint64	   *pairs;
	Size		npairs = 0, cap = 1024;
	int			n, nv;

	if (!(snap >= 0) || !isfinite(snap))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("snap must be a finite distance of 0 or more, not %g", snap),
						errhint("Give the tolerance in the units of the SRID (metres in RD New).")));
	g = read_polygons(fcinfo, &n);
	v = collect_vertices(g, n, &nv);
	qsort(v, nv, sizeof(SwVertex), vertex_cmp);
	pairs = palloc(sizeof(uint64) * cap);
	for (int i = 0; i < nv; i++)
	{
		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		for (int j = i + 1; j < nv && v[j].x - v[i].x <= snap; j++)
		{
			double		dy = v[j].y - v[i].y;
			int			a = v[i].area, b = v[j].area;

			if (snap == 0 && dy > 0)
				break;			/* same x, sorted by y: nothing further matches */
			if (a == b || fabs(dy) > snap || hypot(v[j].x - v[i].x, dy) > snap)
				continue;
			if (npairs == cap)
			{
				cap *= 2;
				check_budget(cap * sizeof(uint64) + (Size) nv * sizeof(SwVertex), "contiguity");
				pairs = repalloc_huge(pairs, sizeof(uint64) * cap);
			}
			pairs[npairs++] = ((uint64) Min(a, b) << 32) | (uint64) Max(a, b);
		}
	}
	qsort(pairs, npairs, sizeof(uint64), uint64_cmp);
	for (Size s = 0; s < npairs;)
	{
		Size		e = s;

		while (e < npairs && pairs[e] == pairs[s])
			e++;
		if (e - s >= (rook ? 2 : 1))
		{
			int			a = (int) (pairs[s] >> 32), b = (int) (pairs[s] & 0xffffffff);

			put_pair(ts, td, a, b, NAN);
			put_pair(ts, td, b, a, NAN);
		}
		s = e;
	}
	return (Datum) 0;
}

/* The x and y coordinate arrays (arguments 0 and 1) as points sorted by x. */
static SwPoint *
read_points(FunctionCallInfo fcinfo, int *np)
{
	Datum	   *xs, *ys;
	int			nx, ny;
	SwPoint    *p;

	array_elems(PG_GETARG_ARRAYTYPE_P(0), FLOAT8OID, "x", &xs, &nx);
	array_elems(PG_GETARG_ARRAYTYPE_P(1), FLOAT8OID, "y", &ys, &ny);
	if (nx != ny)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						errmsg("x and y have different lengths (%d and %d)", nx, ny),
						errhint("Pass one x and one y per point.")));
	check_budget((Size) nx * sizeof(SwPoint), "distance weights");
	p = palloc(sizeof(SwPoint) * Max(nx, 1));
	for (int i = 0; i < nx; i++)
	{
		p[i].x = DatumGetFloat8(xs[i]);
		p[i].y = DatumGetFloat8(ys[i]);
		p[i].idx = i;
		if (!isfinite(p[i].x) || !isfinite(p[i].y))
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("point %d has a non-finite coordinate", i + 1),
							errhint("Repair or drop the geometry.")));
	}
	qsort(p, nx, sizeof(SwPoint), point_cmp);
	*np = nx;
	return p;
}

/* A candidate neighbour in the k-nearest max-heap: farthest (then highest index) on top. */
typedef struct KnnCand
{
	double		d2;
	int			idx;
} KnnCand;

static bool
cand_worse(const KnnCand *a, const KnnCand *b)
{
	return a->d2 > b->d2 || (a->d2 == b->d2 && a->idx > b->idx);
}

static void
heap_sift_down(KnnCand *h, int n, int i)
{
	for (;;)
	{
		int			l = 2 * i + 1, r = l + 1, m = i;
		KnnCand		t;

		if (l < n && cand_worse(&h[l], &h[m]))
			m = l;
		if (r < n && cand_worse(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Offer candidate c to the heap of size *n (capacity k). */
static void
heap_offer(KnnCand *h, int *n, int k, KnnCand c)
{
	if (*n < k)
	{
		int			i = (*n)++;

		h[i] = c;
		while (i > 0 && cand_worse(&h[i], &h[(i - 1) / 2]))
		{
			KnnCand		t = h[i];

			h[i] = h[(i - 1) / 2];
			h[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
	}
	else if (cand_worse(&h[0], &c))
	{
		h[0] = c;
		heap_sift_down(h, *n, 0);
	}
}

/* Scan one direction from sorted position s; false once x alone rules out the rest. */
static bool
knn_take(const SwPoint *p, int s, int t, KnnCand *h, int *nh, int k)
{
	double		dx = p[t].x - p[s].x, dy = p[t].y - p[s].y;
	KnnCand		c;

	if (*nh == k && dx * dx > h[0].d2)
		return false;
	c.d2 = dx * dx + dy * dy;
	c.idx = p[t].idx;
	heap_offer(h, nh, k, c);
	return true;
}

/*
 * knn_pairs(x float8[], y float8[], k integer) -> (i, j, distance): for every
 * point its k nearest other points (ties: lower index first), not symmetrised.
 */
Datum
bm_knn_pairs(PG_FUNCTION_ARGS)
{
	int			k = PG_GETARG_INT32(2);
	TupleDesc	td;
	Tuplestorestate *ts = srf_start(fcinfo, &td);
	int			n;
	SwPoint    *p = read_points(fcinfo, &n);
	KnnCand    *h;

	if (k < 1 || k >= n)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("k must be between 1 and the number of areas minus one (%d), not %d", n - 1, k),
						errhint("Choose a smaller k.")));
	h = palloc(sizeof(KnnCand) * k);
	for (int s = 0; s < n; s++)
	{
		int			nh = 0;
		bool		left = true, right = true;

		CHECK_FOR_INTERRUPTS();
		for (int off = 1; left || right; off++)
		{
			if (right)
				right = s + off < n && knn_take(p, s, s + off, h, &nh, k);
			if (left)
				left = s - off >= 0 && knn_take(p, s, s - off, h, &nh, k);
		}
		for (int c = 0; c < nh; c++)
			put_pair(ts, td, p[s].idx, h[c].idx, sqrt(h[c].d2));
	}
	return (Datum) 0;
}

/*
 * distance_pairs(x float8[], y float8[], lower float8, upper float8)
 *   -> (i, j, distance): every ordered pair with lower < distance <= upper
 *   (spdep::dnearneigh's default bounds).
 */
Datum
bm_distance_pairs(PG_FUNCTION_ARGS)
{
	double		lower = PG_GETARG_FLOAT8(2);
	double		upper = PG_GETARG_FLOAT8(3);
	TupleDesc	td;
	Tuplestorestate *ts = srf_start(fcinfo, &td);
	int			n;
	SwPoint    *p = read_points(fcinfo, &n);

	if (!(lower >= 0) || !(upper > lower) || !isfinite(upper))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("the distance band must satisfy 0 <= lower < upper < infinity, not (%g, %g]", lower, upper),
						errhint("Give the band in the units of the SRID (metres in RD New).")));
	for (int s = 0; s < n; s++)
	{
		CHECK_FOR_INTERRUPTS();
		for (int t = s + 1; t < n && p[t].x - p[s].x <= upper; t++)
		{
			double		d = hypot(p[t].x - p[s].x, p[t].y - p[s].y);

			if (d > lower && d <= upper)
			{
				put_pair(ts, td, p[s].idx, p[t].idx, d);
				put_pair(ts, td, p[t].idx, p[s].idx, d);
			}
		}
	}
	return (Datum) 0;
}

static int
uf_find(int *parent, int a)
{
	while (parent[a] != a)
	{
		parent[a] = parent[parent[a]];
		a = parent[a];
	}
	return a;
}

/*
 * graph_components(n integer, i integer[], j integer[]) -> integer[]: the
 * component of each of the n nodes (1-based), numbered 1, 2, ... in the order
 * of each component's first node; an island is a component of its own.
 */
Datum
bm_graph_components(PG_FUNCTION_ARGS)
{
	int			n = PG_GETARG_INT32(0);
	Datum	   *is, *js, *out;
	int			ni, nj, next = 0;
	int		   *parent, *label;

	if (n < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("n must not be negative"),
						errhint("Pass the number of nodes, 0 or more.")));
	array_elems(PG_GETARG_ARRAYTYPE_P(1), INT4OID, "i", &is, &ni);
	array_elems(PG_GETARG_ARRAYTYPE_P(2), INT4OID, "j", &js, &nj);
	if (ni != nj)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						errmsg("i and j have different lengths (%d and %d)", ni, nj),
						errhint("Pass i and j arrays of equal length.")));
	check_budget((Size) Max(n, 1) * (2 * sizeof(int) + sizeof(Datum)), "graph components");
	parent = palloc(sizeof(int) * Max(n, 1));
	label = palloc(sizeof(int) * Max(n, 1));
	out = palloc(sizeof(Datum) * Max(n, 1));
	for (int a = 0; a < n; a++)
		parent[a] = a, label[a] = 0;
	for (int e = 0; e < ni; e++)
	{
		int			a = DatumGetInt32(is[e]) - 1, b = DatumGetInt32(js[e]) - 1;

		if (a < 0 || a >= n || b < 0 || b >= n)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("link %d refers to node outside 1 .. %d", e + 1, n),
						errhint("Links are 1-based node numbers from 1 to n.")));
		parent[uf_find(parent, a)] = uf_find(parent, b);
	}
	for (int a = 0; a < n; a++)
	{
		int			r = uf_find(parent, a);

		if (label[r] == 0)
			label[r] = ++next;
		out[a] = Int32GetDatum(label[r]);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(out, n, INT4OID, 4, true, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(bm_check_srid);
/* _check_srid(srid, what): error when the SRID is geographic. */
Datum
bm_check_srid(PG_FUNCTION_ARGS)
{
	bm_check_srid_projected(PG_GETARG_INT32(0), text_to_cstring(PG_GETARG_TEXT_PP(1)));
	PG_RETURN_VOID();
}
