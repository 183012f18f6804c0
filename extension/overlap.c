/*
 * overlap.c
 *		Exact overlap area of two polygonal geometries without building the
 *		intersection: buurtmonitor.overlap_area() and overlap_measures().
 *
 * Algorithm (Green's theorem).  For a region R with counter-clockwise outer
 * boundary, area(R) = 1/2 ∮ (x dy - y dx).  The boundary of A ∩ B consists of
 * the pieces of A's boundary lying inside B and the pieces of B's boundary
 * lying inside A; a piece shared by both boundaries counts once when the two
 * run in the same direction (both regions on the same side) and not at all
 * when they run in opposite directions (the regions only touch).  So:
 *
 *   1. normalise rings (outer CCW, holes CW) when parsing;
 *   2. find every contact between an edge of A and an edge of B (proper
 *      crossings, vertices on edges, collinear overlaps), testing only
 *      edges of chunks of 16 consecutive edges whose boxes meet, and record split
 *      parameters on both edges;
 *   3. cut each touched edge at its splits and classify every piece by a
 *      point-in-polygon test of its midpoint (with an on-boundary check);
 *      edges and whole chunks that touch nothing share the classification of
 *      the edge before them, and a chunk is then added from precomputed sums;
 *   4. sum 1/2 (x0 y1 - x1 y0) and the length over the kept pieces, in
 *      coordinates shifted to a local origin for precision.
 *
 * The only index is the chunks (box, boundary sums).  The contact search
 * sweeps the chunks of both polygons inside the pair's box in x order.  A
 * point-in-polygon test walks the chunks: one wholly right of the point adds
 * to the ray-crossing parity from its two end points alone (the crossings of
 * a polyline with a horizontal line telescope), so only the chunks whose box
 * holds the point are walked edge by edge.
 */
#include "postgres.h"

#include <math.h>

#include <geos_c.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "nodes/pg_list.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "overlap.h"
#include "spi_util.h"

/* ------------------------------------------------------------------------
 * EWKB parsing
 * ------------------------------------------------------------------------ */

#define WKB_SRID_FLAG	0x20000000u
#define WKB_M_FLAG		0x40000000u
#define WKB_Z_FLAG		0x80000000u

typedef struct WkbReader
{
	const unsigned char *p;
	const unsigned char *end;
	bool		swap;			/* data byte order differs from ours */
	const char *what;
} WkbReader;

/* Fail on truncated input. */
static void
wkb_need(WkbReader *r, size_t n)
{
	if ((size_t) (r->end - r->p) < n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("truncated geometry in %s", r->what),
				 errhint("Rewrite the geometry, for example with ST_AsEWKB and ST_GeomFromEWKB, or ST_MakeValid.")));
}

/* Read a byte-order byte and switch the reader to it. */
static void
wkb_byteorder(WkbReader *r)
{
	unsigned char bo;
	const uint16 one = 1;
	bool		little_host = *((const unsigned char *) &one) == 1;

	wkb_need(r, 1);
	bo = *r->p++;
	r->swap = (bo == 1) != little_host;
}

/* Read an unsigned 32-bit integer. */
static uint32
wkb_uint32(WkbReader *r)
{
	uint32		v;

	wkb_need(r, 4);
	memcpy(&v, r->p, 4);
	r->p += 4;
	if (r->swap)
		v = pg_bswap32(v);
	return v;
}

/* Read a double. */
static double
wkb_double(WkbReader *r)
{
	uint64		v;
	double		d;

	wkb_need(r, 8);
	memcpy(&v, r->p, 8);
	r->p += 8;
	if (r->swap)
		v = pg_bswap64(v);
	memcpy(&d, &v, 8);
	return d;
}

/* Split a WKB type word into base type and number of ordinates. */
static uint32
wkb_type(uint32 t, int *ndims, bool *has_srid)
{
	*has_srid = (t & WKB_SRID_FLAG) != 0;
	*ndims = 2 + ((t & WKB_Z_FLAG) ? 1 : 0) + ((t & WKB_M_FLAG) ? 1 : 0);
	t &= 0x0FFFFFFFu;
	/* ISO WKB: 1000 = Z, 2000 = M, 3000 = ZM */
	if (t >= 1000 && t < 4000)
	{
		*ndims = 2 + ((t / 1000) == 3 ? 2 : 1);
		t %= 1000;
	}
	return t;
}

/* Growable coordinate buffer used while parsing. */
typedef struct CoordBuf
{
	int			npoints, cap;
	double	   *x, *y;
	int			nrings, rcap;
	int		   *ring_start;
	bool	   *ring_outer;
} CoordBuf;

/* Make room for n more points. */
static void
cbuf_reserve(CoordBuf *b, int n)
{
	if (b->npoints + n > b->cap)
	{
		int			cap = Max(b->cap * 2, b->npoints + n);

		b->x = b->x ? repalloc(b->x, cap * sizeof(double)) : palloc(cap * sizeof(double));
		b->y = b->y ? repalloc(b->y, cap * sizeof(double)) : palloc(cap * sizeof(double));
		b->cap = cap;
	}
}

/* Start a ring of np points (the first ring of a polygon is its outer ring). */
static void
cbuf_begin_ring(CoordBuf *b, bool outer, int np)
{
	if (b->nrings + 2 > b->rcap)
	{
		b->rcap = Max(8, b->rcap * 2);
		b->ring_start = b->ring_start ? repalloc(b->ring_start, b->rcap * sizeof(int))
			: palloc(b->rcap * sizeof(int));
		b->ring_outer = b->ring_outer ? repalloc(b->ring_outer, b->rcap * sizeof(bool))
			: palloc(b->rcap * sizeof(bool));
	}
	b->ring_start[b->nrings] = b->npoints;
	b->ring_outer[b->nrings] = outer;
	b->nrings++;
	cbuf_reserve(b, np);
}

/* Read one polygon body (after its header) into the buffer. */
static void
wkb_read_polygon_body(WkbReader *r, int ndims, CoordBuf *b)
{
	uint32		nrings = wkb_uint32(r);

	for (uint32 i = 0; i < nrings; i++)
	{
		uint32		np = wkb_uint32(r);

		if (np > (uint32) ((r->end - r->p) / (8 * ndims)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("truncated geometry in %s", r->what),
				 errhint("Rewrite the geometry, for example with ST_AsEWKB and ST_GeomFromEWKB, or ST_MakeValid.")));
		cbuf_begin_ring(b, i == 0, (int) np);
		if (!r->swap)
		{
			/* native byte order: copy the doubles straight out (np was bounds-checked above) */
			const unsigned char *p = r->p;

			for (uint32 k = 0; k < np; k++, p += 8 * ndims)
			{
				memcpy(&b->x[b->npoints], p, 8);
				memcpy(&b->y[b->npoints], p + 8, 8);
				b->npoints++;
			}
			r->p = p;
			continue;
		}
		for (uint32 k = 0; k < np; k++)
		{
			b->x[b->npoints] = wkb_double(r);
			b->y[b->npoints] = wkb_double(r);
			for (int d = 2; d < ndims; d++)
				(void) wkb_double(r);
			b->npoints++;
		}
	}
}

/* Error for a geometry type we do not take. */
static void
wkb_wrong_type(uint32 type, const char *what)
{
	if (type == 7)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("geometry collection in %s is not supported", what),
				 errhint("Extract the polygons with ST_CollectionExtract(geom, 3).")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s is not a polygon or multipolygon", what),
			 errhint("Overlap areas need polygons; buffer points or lines with ST_Buffer first.")));
}

/*
 * Signed area (shoelace, shifted to the ring's first point) of ring [s, e)
 * of g, growing g's box by the ring's points on the way.
 */
static double
ring_signed_area_box(BmGeom *g, int s, int e)
{
	const double *x = g->x, *y = g->y;
	double		sum = 0.0;
	double		x0 = x[s], y0 = y[s];
	double		xmin = g->xmin, xmax = g->xmax, ymin = g->ymin, ymax = g->ymax;

	for (int i = s; i < e - 1; i++)
	{
		sum += (x[i] - x0) * (y[i + 1] - y0) - (x[i + 1] - x0) * (y[i] - y0);
		xmin = Min(xmin, x[i]);
		xmax = Max(xmax, x[i]);
		ymin = Min(ymin, y[i]);
		ymax = Max(ymax, y[i]);
	}
	/* the last point is the first again (the ring is closed) */
	g->xmin = xmin;
	g->xmax = xmax;
	g->ymin = ymin;
	g->ymax = ymax;
	return 0.5 * sum;
}

/* Reverse the points of ring [s, e) in place. */
static void
ring_reverse(double *x, double *y, int s, int e)
{
	for (int i = s, j = e - 1; i < j; i++, j--)
	{
		double		t;

		t = x[i], x[i] = x[j], x[j] = t;
		t = y[i], y[i] = y[j], y[j] = t;
	}
}

/*
 * Move the parsed rings of b into g: orientation normalised (outer rings
 * counter-clockwise, holes clockwise), area summed, bounding box; rings must
 * be closed, with at least 4 points, and coordinates finite.
 */
static void
geom_finish(BmGeom *g, CoordBuf *b, const char *what)
{
	g->npoints = b->npoints;
	g->nrings = b->nrings;
	g->x = b->x;
	g->y = b->y;
	g->ring_start = palloc((b->nrings + 1) * sizeof(int));
	for (int i = 0; i < b->nrings; i++)
		g->ring_start[i] = b->ring_start[i];
	g->ring_start[b->nrings] = b->npoints;

	/* normalise orientation, sum the area, bounding box */
	g->xmin = g->ymin = INFINITY;
	g->xmax = g->ymax = -INFINITY;
	for (int i = 0; i < b->nrings; i++)
	{
		int			s = g->ring_start[i], e = g->ring_start[i + 1];
		double		a;

		if (e - s < 4 || g->x[s] != g->x[e - 1] || g->y[s] != g->y[e - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid geometry in %s: ring %d is not closed or has fewer than 4 points", what, i + 1),
					 errhint("Repair the geometry with ST_MakeValid.")));
		/* one pass for box and area; a NaN or infinite coordinate makes the sum non-finite */
		a = ring_signed_area_box(g, s, e);
		for (int k = s; !isfinite(a) && k < e; k++)
			if (!isfinite(g->x[k]) || !isfinite(g->y[k]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid geometry in %s: non-finite coordinate", what),
						 errhint("Repair or drop the geometry.")));
		if ((b->ring_outer[i] && a < 0) || (!b->ring_outer[i] && a > 0))
		{
			ring_reverse(g->x, g->y, s, e);
			a = -a;
		}
		g->area += a;
	}
	g->ring_outer = b->ring_outer;
	if (b->ring_start)
		pfree(b->ring_start);
}

/*
 * Parse (E)WKB of a Polygon or MultiPolygon into a BmGeom: flat coordinates,
 * rings oriented outer CCW / holes CW, box and area.
 */
BmGeom *
bm_geom_from_wkb(const unsigned char *wkb, size_t len, const char *what)
{
	WkbReader	r = {wkb, wkb + len, false, what};
	CoordBuf	b = {0};
	BmGeom	   *g = palloc0(sizeof(BmGeom));
	uint32		type;
	int			ndims;
	bool		has_srid;

	wkb_byteorder(&r);
	type = wkb_type(wkb_uint32(&r), &ndims, &has_srid);
	g->srid = has_srid ? (int32) wkb_uint32(&r) : 0;

	if (type == 3)
		wkb_read_polygon_body(&r, ndims, &b);
	else if (type == 6)
	{
		uint32		nparts = wkb_uint32(&r);

		for (uint32 i = 0; i < nparts; i++)
		{
			uint32		ptype;
			int			pdims;
			bool		psrid;

			wkb_byteorder(&r);
			ptype = wkb_type(wkb_uint32(&r), &pdims, &psrid);
			if (psrid)
				(void) wkb_uint32(&r);
			if (ptype != 3)
				wkb_wrong_type(ptype, what);
			wkb_read_polygon_body(&r, pdims, &b);
		}
	}
	else
		wkb_wrong_type(type, what);

	geom_finish(g, &b, what);
	return g;
}

/* ------------------------------------------------------------------------
 * PostGIS's on-disk format (GSERIALIZED version 2)
 * ------------------------------------------------------------------------ */

#define G2_Z		0x01
#define G2_M		0x02
#define G2_BBOX		0x04
#define G2_GEODETIC	0x08
#define G2_EXTENDED	0x10
#define G2_VER_0	0x40

/* Read a native-order uint32 at *p (bounds already checked by the caller). */
static inline uint32
g2_uint32(const unsigned char *p)
{
	uint32		v;

	memcpy(&v, p, 4);
	return v;
}

/* Fail on a serialized geometry that ends too early. */
static void
g2_truncated(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("truncated geometry in %s", what),
			 errhint("Rewrite the geometry, for example with ST_AsEWKB and ST_GeomFromEWKB, or ST_MakeValid.")));
}

/*
 * Read one serialized polygon at *pp (type word, ring count, the point counts
 * padded to 8 bytes, then the coordinates) into b and advance *pp.
 */
static void
g2_read_polygon(const unsigned char **pp, const unsigned char *end, int ndims,
				CoordBuf *b, const char *what)
{
	const unsigned char *p = *pp;
	uint32		nrings;
	const unsigned char *counts;

	if (end - p < 8)
		g2_truncated(what);
	nrings = g2_uint32(p + 4);
	counts = p + 8;
	if ((uint64) (end - counts) < (uint64) nrings * 4 + (nrings % 2) * 4)
		g2_truncated(what);
	p = counts + nrings * 4 + (nrings % 2) * 4;
	for (uint32 i = 0; i < nrings; i++)
	{
		uint32		np = g2_uint32(counts + 4 * i);

		if (np > (uint64) (end - p) / (8 * ndims))
			g2_truncated(what);
		cbuf_begin_ring(b, i == 0, (int) np);
		for (uint32 k = 0; k < np; k++, p += 8 * ndims)
		{
			memcpy(&b->x[b->npoints], p, 8);
			memcpy(&b->y[b->npoints], p + 8, 8);
			b->npoints++;
		}
	}
	*pp = p;
}

/*
 * The SRID and the bounding box stored in the header of a PostGIS geometry
 * value, read from its first bytes only (a slice: a toasted value is not
 * fetched or decompressed in full).  The box is PostGIS's float box, rounded
 * outwards, so it holds the exact one.  False when the value is in another
 * format or carries no box; the caller then parses it in full.
 */
bool
bm_gserialized_header_box(Datum d, int32 *srid, double *xmin, double *ymin,
						  double *xmax, double *ymax)
{
	struct varlena *head = PG_DETOAST_DATUM_SLICE(d, 0, 48);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(head);
	Size		len = VARSIZE_ANY_EXHDR(head);
	uint8		flags;
	float		box[4];
	bool		ok = false;

	if (len >= 4)
	{
		flags = p[3];
		if ((flags & G2_VER_0) && !(flags & G2_GEODETIC) && (flags & G2_BBOX))
		{
			Size		off = 4 + ((flags & G2_EXTENDED) ? 8 : 0);

			if (len >= off + sizeof(box))
			{
				int32		v = ((int32) p[0] << 16) | ((int32) p[1] << 8) | (int32) p[2];

				*srid = (int32) ((uint32) v << 11) >> 11;
				memcpy(box, p + off, sizeof(box));
				*xmin = box[0];
				*xmax = box[1];
				*ymin = box[2];
				*ymax = box[3];
				ok = true;
			}
		}
	}
	if ((Pointer) head != DatumGetPointer(d))
		pfree(head);
	return ok;
}

/*
 * Parse a detoasted PostGIS geometry datum (GSERIALIZED version 2, as
 * PostGIS 3 writes it) straight into a BmGeom, skipping the EWKB round trip.
 * Returns NULL for a value in another format (version 1, geodetic), which
 * the caller then reads through ST_AsEWKB.
 */
BmGeom *
bm_geom_from_gserialized(const struct varlena *gs, const char *what)
{
	const unsigned char *p;
	const unsigned char *end;
	uint8		flags;
	int32		srid;
	int			ndims;
	uint32		type;
	CoordBuf	b = {0};
	BmGeom	   *g;

	if (VARATT_IS_EXTENDED(gs) || VARSIZE(gs) < 16)
		return NULL;			/* short header (tiny value): not worth a second reader */
	p = (const unsigned char *) VARDATA(gs);
	end = (const unsigned char *) gs + VARSIZE(gs);
	flags = p[3];
	if (!(flags & G2_VER_0) || (flags & G2_GEODETIC))
		return NULL;
	/* 21-bit signed SRID in three bytes */
	srid = ((int32) p[0] << 16) | ((int32) p[1] << 8) | (int32) p[2];
	srid = (int32) ((uint32) srid << 11) >> 11;
	ndims = 2 + ((flags & G2_Z) ? 1 : 0) + ((flags & G2_M) ? 1 : 0);
	p += 4;
	if (flags & G2_EXTENDED)
		p += 8;
	if (flags & G2_BBOX)
		p += 2 * ndims * sizeof(float);
	if (end - p < 8)
		g2_truncated(what);
	g = palloc0(sizeof(BmGeom));
	g->srid = srid;
	type = g2_uint32(p);
	if (type == 3)
		g2_read_polygon(&p, end, ndims, &b, what);
	else if (type == 6)
	{
		uint32		nparts = g2_uint32(p + 4);

		p += 8;
		for (uint32 i = 0; i < nparts; i++)
		{
			if (end - p < 8)
				g2_truncated(what);
			if (g2_uint32(p) != 3)
				wkb_wrong_type(g2_uint32(p), what);
			g2_read_polygon(&p, end, ndims, &b, what);
		}
	}
	else
		wkb_wrong_type(type, what);
	geom_finish(g, &b, what);
	return g;
}

/* ------------------------------------------------------------------------
 * Validity (GEOS) and SRID checks
 * ------------------------------------------------------------------------ */

static GEOSContextHandle_t geos_ctx = NULL;
static char geos_last_error[256];

/* GEOS message handler: keep the last error text for our own ereport. */
static void
geos_error_handler(const char *message, void *userdata)
{
	strlcpy(geos_last_error, message, sizeof(geos_last_error));
}

/* The backend-lifetime GEOS context. */
static GEOSContextHandle_t
geos_context(void)
{
	if (geos_ctx == NULL)
	{
		geos_ctx = GEOS_init_r();
		GEOSContext_setErrorMessageHandler_r(geos_ctx, geos_error_handler, NULL);
		GEOSContext_setNoticeMessageHandler_r(geos_ctx, geos_error_handler, NULL);
	}
	return geos_ctx;
}

/* Build a GEOS (multi)polygon from the parsed rings; NULL on GEOS failure. */
static GEOSGeometry *
geos_from_geom(GEOSContextHandle_t h, const BmGeom *g)
{
	GEOSGeometry **polys = palloc(sizeof(GEOSGeometry *) * Max(g->nrings, 1));
	int			npolys = 0;
	int			i = 0;
	GEOSGeometry *result;

	/* group rings into polygons: each outer ring starts a new polygon */
	while (i < g->nrings)
	{
		int			j = i + 1;
		GEOSGeometry *shell = NULL;
		GEOSGeometry **holes;
		int			nholes;

		while (j < g->nrings && !g->ring_outer[j])
			j++;
		nholes = j - i - 1;
		holes = palloc(sizeof(GEOSGeometry *) * Max(nholes, 1));
		for (int k = i; k < j; k++)
		{
			int			s = g->ring_start[k], n = g->ring_start[k + 1] - s;
			double	   *xy = palloc(2 * n * sizeof(double));
			GEOSCoordSequence *cs;
			GEOSGeometry *ring;

			/* one bulk copy of interleaved x,y is much faster than a call per point */
			for (int q = 0; q < n; q++)
			{
				xy[2 * q] = g->x[s + q];
				xy[2 * q + 1] = g->y[s + q];
			}
			cs = GEOSCoordSeq_copyFromBuffer_r(h, xy, n, 0, 0);
			pfree(xy);
			ring = GEOSGeom_createLinearRing_r(h, cs);
			if (k == i)
				shell = ring;
			else
				holes[k - i - 1] = ring;
		}
		polys[npolys++] = GEOSGeom_createPolygon_r(h, shell, holes, nholes);
		pfree(holes);
		i = j;
	}
	if (npolys == 1)
		result = polys[0];
	else
		result = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, npolys);
	pfree(polys);
	return result;
}

static bool one_ring_surely_valid(const BmGeom *g);

/*
 * GEOS isValid of g: true when valid; else false with GEOS's reason in detail
 * (no error raised, so a parallel worker can report it to the leader).
 */
bool
bm_geom_is_valid(const BmGeom *g, char *detail, size_t detail_size)
{
	GEOSContextHandle_t h = geos_context();
	GEOSGeometry *gg;
	char		valid;
	char	   *reason;

	if (g->nrings == 0 || one_ring_surely_valid(g))
		return true;
	geos_last_error[0] = '\0';
	gg = geos_from_geom(h, g);
	if (gg == NULL)
	{
		strlcpy(detail, geos_last_error, detail_size);
		return false;
	}
	valid = GEOSisValid_r(h, gg);
	if (valid != 1)
	{
		reason = GEOSisValidReason_r(h, gg);
		snprintf(detail, detail_size, "GEOS: %s", reason ? reason : geos_last_error);
		if (reason)
			GEOSFree_r(h, reason);
	}
	GEOSGeom_destroy_r(h, gg);
	return valid == 1;
}

/* Raise the error for an invalid geometry: what names it, detail is bm_geom_is_valid's. */
void
bm_report_invalid(const char *what, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid geometry in %s", what),
			 errdetail("%s", detail),
			 errhint("Repair the geometry with ST_MakeValid.")));
}

/* Refuse an invalid geometry (GEOS isValid), naming it and giving GEOS's reason. */
void
bm_geom_check_valid(const BmGeom *g, const char *what)
{
	char		detail[512];

	if (!bm_geom_is_valid(g, detail, sizeof(detail)))
		bm_report_invalid(what, detail);
}

/* Cache of the last SRID found projected, to avoid a catalogue query per row. */
static int32 last_projected_srid = -1;

/* Refuse a geographic SRID: 4326, 4258, 4289 or longlat in spatial_ref_sys. */
void
bm_check_srid_projected(int32 srid, const char *what)
{
	bool		geographic = false;

	if (srid == 0 || srid == last_projected_srid)
		return;
	if (srid == 4326 || srid == 4258 || srid == 4289)
		geographic = true;
	else
	{
		char	   *sql;

		int			spi_level = bm_spi_connect();

		if (SPI_execute("SELECT extnamespace::pg_catalog.regnamespace::text FROM pg_catalog.pg_extension "
						"WHERE extname = 'postgis'", true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			char	   *nsp = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

			sql = psprintf("SELECT proj4text ~* '\\+proj=(longlat|latlong)' FROM %s.spatial_ref_sys "
						   "WHERE srid = %d", nsp, srid);
			if (SPI_execute(sql, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
			{
				bool		isnull;
				Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

				geographic = !isnull && DatumGetBool(d);
			}
		}
		bm_spi_finish(spi_level);
	}
	if (geographic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has geographic SRID %d", what, srid),
				 errhint("Transform to a projected system first, for example ST_Transform(geom, 28992) for EPSG:28992 (RD New).")));
	last_projected_srid = srid;
}

/* ------------------------------------------------------------------------
 * Chunk index
 * ------------------------------------------------------------------------ */

/*
 * Sorts generated from PostgreSQL's sort template (the algorithm of its
 * qsort, with the comparison inlined; these sorts run once per geometry and
 * once per pair): chunk references by smallest x, and splits by edge, then t.
 */
#define ST_SORT sort_chunk_refs
#define ST_ELEMENT_TYPE BmChunkRef
#define ST_COMPARE(a, b) (((a)->xmin > (b)->xmin) - ((a)->xmin < (b)->xmin))
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

#define ST_SORT sort_splits
#define ST_ELEMENT_TYPE BmSplit
#define ST_COMPARE(a, b) ((a)->edge != (b)->edge ? ((a)->edge < (b)->edge ? -1 : 1) \
						  : ((a)->t > (b)->t) - ((a)->t < (b)->t))
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* Cut every ring into chunks of up to BM_CHUNK edges with boxes and sums. */
static void
build_chunks(BmGeom *g)
{
	int			n = 0;

	for (int r = 0; r < g->nrings; r++)
		n += (g->ring_start[r + 1] - 1 - g->ring_start[r] + BM_CHUNK - 1) / BM_CHUNK;
	g->chunks = palloc(Max(n, 1) * sizeof(BmChunk));
	g->nchunks = 0;
	for (int r = 0; r < g->nrings; r++)
	{
		int			rend = g->ring_start[r + 1] - 1;	/* edges end here */

		for (int first = g->ring_start[r]; first < rend; first += BM_CHUNK)
		{
			BmChunk    *c = &g->chunks[g->nchunks++];
			double		cx = g->x[first], cy = g->y[first];

			c->first = first;
			c->last = Min(first + BM_CHUNK, rend);
			c->xmin = c->xmax = cx;
			c->ymin = c->ymax = cy;
			c->cross = c->length = 0;
			for (int e = first; e < c->last; e++)
			{
				double		x0 = g->x[e] - cx, y0 = g->y[e] - cy;
				double		x1 = g->x[e + 1] - cx, y1 = g->y[e + 1] - cy;

				c->cross += x0 * y1 - x1 * y0;
				c->length += sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
				c->xmin = Min(c->xmin, g->x[e + 1]);
				c->xmax = Max(c->xmax, g->x[e + 1]);
				c->ymin = Min(c->ymin, g->y[e + 1]);
				c->ymax = Max(c->ymax, g->y[e + 1]);
			}
		}
	}
}

/*
 * Build the index: the chunks (boxes and boundary sums of runs of BM_CHUNK
 * consecutive edges).  They serve both the contact search and the
 * point-in-polygon test, so one linear pass per geometry is all it costs.
 */
void
bm_geom_index(BmGeom *g)
{
	if (g->chunks != NULL)
		return;
	build_chunks(g);
	/* the chunks sorted by smallest x, for the sweep of the contact search */
	g->chunk_by_x = palloc(Max(g->nchunks, 1) * sizeof(BmChunkRef));
	g->chunk_wmax = 0;
	for (int ci = 0; ci < g->nchunks; ci++)
	{
		g->chunk_by_x[ci].xmin = g->chunks[ci].xmin;
		g->chunk_by_x[ci].id = ci;
		g->chunk_wmax = Max(g->chunk_wmax, g->chunks[ci].xmax - g->chunks[ci].xmin);
	}
	if (g->nchunks > 1)
		sort_chunk_refs(g->chunk_by_x, g->nchunks);
}

/* ------------------------------------------------------------------------
 * Pair computation
 * ------------------------------------------------------------------------ */

/* Empty scratch space whose arrays will live in cxt. */
void
bm_work_init(BmWork *w, MemoryContext cxt)
{
	memset(w, 0, sizeof(BmWork));
	w->cxt = cxt;
}

/* Per-pair frame: local origin and tolerance. */
typedef struct PairFrame
{
	double		ox, oy;			/* local origin */
	double		eps;			/* distance tolerance for contacts */
	double		bx0, by0, bx1, by1;	/* intersection of the boxes, grown by eps */
} PairFrame;

/* Ensure the touched flags array has room for n entries, zeroed. */
static unsigned char *
touched_reset(BmWork *w, unsigned char **arr, int *cap, int n)
{
	if (*cap < n)
	{
		if (*arr)
			pfree(*arr);
		*cap = Max(n, 2 * *cap);
		*arr = MemoryContextAlloc(w->cxt, *cap);
	}
	memset(*arr, 0, n);
	return *arr;
}

/* Append a split of edge e at t. */
static inline void
split_push(BmWork *w, bool on_a, int e, double t)
{
	BmSplit   **arr = on_a ? &w->split_a : &w->split_b;
	int		   *n = on_a ? &w->nsplit_a : &w->nsplit_b;
	int		   *cap = on_a ? &w->cap_split_a : &w->cap_split_b;

	if (*n >= *cap)
	{
		int			nc = Max(64, *cap * 2);

		*arr = *arr ? repalloc(*arr, nc * sizeof(BmSplit))
			: MemoryContextAlloc(w->cxt, nc * sizeof(BmSplit));
		*cap = nc;
	}
	(*arr)[*n].edge = e;
	(*arr)[*n].t = t;
	(*n)++;
}


/* Parameter of point (qx,qy) projected on segment p0->p1 (shifted coordinates). */
static inline double
proj_t(double px0, double py0, double rx, double ry, double rr, double qx, double qy)
{
	return ((qx - px0) * rx + (qy - py0) * ry) / rr;
}

/*
 * An end point lying on the other edge at parameter t along it (within tol of
 * the edge's extent): a contact, and a split of that edge where t falls inside.
 */
static inline bool
endpoint_contact(BmWork *w, bool on_a, int e, double t, double tol)
{
	if (!(t >= -tol && t <= 1 + tol))
		return false;
	if (t > tol && t < 1 - tol)
		split_push(w, on_a, e, t);
	return true;
}

/*
 * Find the contacts of edge a (of A) with edge b (of B), record splits in the
 * interior of either edge, and return true when they touch at all.
 */
static bool
edge_contact(const BmGeom *A, int a, const BmGeom *B, int b, const PairFrame *f, BmWork *w)
{
	double		px0 = A->x[a] - f->ox, py0 = A->y[a] - f->oy;
	double		px1 = A->x[a + 1] - f->ox, py1 = A->y[a + 1] - f->oy;
	double		qx0 = B->x[b] - f->ox, qy0 = B->y[b] - f->oy;
	double		qx1 = B->x[b + 1] - f->ox, qy1 = B->y[b + 1] - f->oy;
	double		rx = px1 - px0, ry = py1 - py0, sx = qx1 - qx0, sy = qy1 - qy0;
	double		rr = rx * rx + ry * ry, ss = sx * sx + sy * sy;
	double		lr, ls;
	double		eps = f->eps;
	double		tol_a, tol_b;
	double		cq0 = rx * (qy0 - py0) - ry * (qx0 - px0);
	double		cq1 = rx * (qy1 - py0) - ry * (qx1 - px0);
	double		cp0, cp1;
	/* signed distances of q0,q1 from line a and of p0,p1 from line b */
	double		dq0, dq1, dp0, dp1;
	bool		touch = false;

	/*
	 * Cheap exit without square roots: when both ends of one edge lie on the
	 * same side of the other's line, more than 2 eps away, the edges cannot
	 * touch (no point of one is within eps of the other).  Most nearby edge
	 * pairs leave here, so the second pair of cross products waits.
	 */
	if (((cq0 > 0 && cq1 > 0) || (cq0 < 0 && cq1 < 0)) &&
		cq0 * cq0 > 4 * eps * eps * rr && cq1 * cq1 > 4 * eps * eps * rr)
		return false;
	cp0 = sx * (py0 - qy0) - sy * (px0 - qx0);
	cp1 = sx * (py1 - qy0) - sy * (px1 - qx0);
	if (((cp0 > 0 && cp1 > 0) || (cp0 < 0 && cp1 < 0)) &&
		cp0 * cp0 > 4 * eps * eps * ss && cp1 * cp1 > 4 * eps * eps * ss)
		return false;
	lr = sqrt(rr);
	ls = sqrt(ss);

	if (lr == 0 || ls == 0)
		return false;			/* repeated vertex: a zero-length edge has no area */
	tol_a = eps / lr;
	tol_b = eps / ls;
	dq0 = cq0 / lr;
	dq1 = cq1 / lr;
	dp0 = cp0 / ls;
	dp1 = cp1 / ls;

	if ((fabs(dq0) <= eps && fabs(dq1) <= eps) || (fabs(dp0) <= eps && fabs(dp1) <= eps))
	{
		/* collinear: split each edge at the other's endpoints inside it */
		double		t0 = proj_t(px0, py0, rx, ry, rr, qx0, qy0);
		double		t1 = proj_t(px0, py0, rx, ry, rr, qx1, qy1);
		double		u0, u1;

		if (Max(t0, t1) < -tol_a || Min(t0, t1) > 1 + tol_a)
			return false;
		u0 = proj_t(qx0, qy0, sx, sy, ss, px0, py0);
		u1 = proj_t(qx0, qy0, sx, sy, ss, px1, py1);
		if (t0 > tol_a && t0 < 1 - tol_a)
			split_push(w, true, a, t0);
		if (t1 > tol_a && t1 < 1 - tol_a)
			split_push(w, true, a, t1);
		if (u0 > tol_b && u0 < 1 - tol_b)
			split_push(w, false, b, u0);
		if (u1 > tol_b && u1 < 1 - tol_b)
			split_push(w, false, b, u1);
		return true;
	}

	/* an endpoint of one edge on the other edge (T-junction or shared vertex) */
	if (fabs(dq0) <= eps && endpoint_contact(w, true, a, proj_t(px0, py0, rx, ry, rr, qx0, qy0), tol_a))
		touch = true;
	if (fabs(dq1) <= eps && endpoint_contact(w, true, a, proj_t(px0, py0, rx, ry, rr, qx1, qy1), tol_a))
		touch = true;
	if (fabs(dp0) <= eps && endpoint_contact(w, false, b, proj_t(qx0, qy0, sx, sy, ss, px0, py0), tol_b))
		touch = true;
	if (fabs(dp1) <= eps && endpoint_contact(w, false, b, proj_t(qx0, qy0, sx, sy, ss, px1, py1), tol_b))
		touch = true;
	if (touch)
		return true;

	/* proper crossing: endpoints strictly on opposite sides, both ways */
	if (((dq0 > 0) != (dq1 > 0)) && ((dp0 > 0) != (dp1 > 0)))
	{
		double		t = dp0 / (dp0 - dp1);
		double		u = dq0 / (dq0 - dq1);

		split_push(w, true, a, t);
		split_push(w, false, b, u);
		return true;
	}
	return false;
}

/* True when box (x0,x1,y0,y1) meets the chunk's box grown by eps. */
static inline bool
chunk_meets(const BmChunk *c, double x0, double x1, double y0, double y1, double eps)
{
	return !(c->xmax < x0 - eps || c->xmin > x1 + eps || c->ymax < y0 - eps || c->ymin > y1 + eps);
}

/* Edges of one chunk with their boxes, as the contact search filters them. */
typedef struct EdgeBoxes
{
	int			n;
	int			e[BM_CHUNK];
	double		x0[BM_CHUNK], x1[BM_CHUNK], y0[BM_CHUNK], y1[BM_CHUNK];
} EdgeBoxes;

/*
 * The edges of chunk c of G whose boxes meet box (x0,x1,y0,y1) grown by eps,
 * with their boxes, into *out.
 */
static inline void
edges_meeting_box(const BmGeom *G, const BmChunk *c, double x0, double x1,
				  double y0, double y1, double eps, EdgeBoxes *out)
{
	int			n = 0;

	for (int e = c->first; e < c->last; e++)
	{
		double		ex0 = Min(G->x[e], G->x[e + 1]), ex1 = Max(G->x[e], G->x[e + 1]);
		double		ey0 = Min(G->y[e], G->y[e + 1]), ey1 = Max(G->y[e], G->y[e + 1]);

		if (ex1 < x0 - eps || ex0 > x1 + eps || ey1 < y0 - eps || ey0 > y1 + eps)
			continue;
		out->e[n] = e;
		out->x0[n] = ex0;
		out->x1[n] = ex1;
		out->y0[n] = ey0;
		out->y1[n] = ey1;
		n++;
	}
	out->n = n;
}

/*
 * Contacts between the edges of chunk ci of A and chunk di of B.  Each side
 * is first cut down to the edges meeting the other chunk's box (boxes of
 * neighbouring chunks overlap only in part), with the edge boxes computed
 * once, so the edge-against-edge loop is a few comparisons per pair.
 */
static void
contacts_in_chunks(const BmGeom *A, int ci, const BmGeom *B, int di, const PairFrame *f,
				   BmWork *w, unsigned char *touched_a, unsigned char *touched_b)
{
	const BmChunk *c = &A->chunks[ci], *d = &B->chunks[di];
	double		eps = f->eps;
	EdgeBoxes	ea, eb;

	edges_meeting_box(A, c, d->xmin, d->xmax, d->ymin, d->ymax, eps, &ea);
	if (ea.n == 0)
		return;
	edges_meeting_box(B, d, c->xmin, c->xmax, c->ymin, c->ymax, eps, &eb);
	for (int i = 0; i < ea.n; i++)
	{
		int			a = ea.e[i];
		double		ax0 = ea.x0[i] - eps, ax1 = ea.x1[i] + eps;
		double		ay0 = ea.y0[i] - eps, ay1 = ea.y1[i] + eps;

		for (int j = 0; j < eb.n; j++)
		{
			int			b = eb.e[j];

			if (eb.x1[j] < ax0 || eb.x0[j] > ax1 || eb.y1[j] < ay0 || eb.y0[j] > ay1)
				continue;
			if (edge_contact(A, a, B, b, f, w))
			{
				touched_a[a] = 1;
				touched_b[b] = 1;
				touched_a[A->npoints + ci] = 1;
				touched_b[B->npoints + di] = 1;
			}
		}
	}
}

/* ------------------------------------------------------------------------
 * Fast proof of validity
 * ------------------------------------------------------------------------ */

/*
 * A polygon of one ring (97% of buurten) is valid when its ring is simple;
 * finite, closed and at least 4 points are already checked by the parser.
 * This proves simplicity on the chunk index and skips GEOS: the edges of a
 * chunk whose vertices run lexicographically (by x, then y) one way cannot
 * meet, nor fold back; two consecutive edges elsewhere must not fold back;
 * and the edges of every two chunks whose boxes meet (found by the sweep
 * over chunks sorted by x) must be more than eps apart, eps being 1e-9 of
 * the coordinates' size (rounding of their differences is a million times
 * smaller).  Any doubt, a repeated point, or more than one ring: the caller
 * asks GEOS, so the verdict is always GEOS's.
 */

/* True when d0 and d1 have the same sign and both exceed sqrt(eps2len2) in size. */
static inline bool
same_side_beyond(double d0, double d1, double eps2len2)
{
	return ((d0 > 0 && d1 > 0) || (d0 < 0 && d1 < 0)) && d0 * d0 > eps2len2 && d1 * d1 > eps2len2;
}

/*
 * True when edges e and f (not consecutive) are surely more than eps apart:
 * f lies wholly on one side of e's line, or wholly before or beyond e along
 * it (collinear pieces of a straight boundary), or e on one side of f's line.
 */
static bool
edges_apart(const double *x, const double *y, int e, int f, double eps)
{
	double		px = x[e + 1] - x[e], py = y[e + 1] - y[e];
	double		pp = px * px + py * py;
	double		t0 = px * (x[f] - x[e]) + py * (y[f] - y[e]);
	double		t1 = px * (x[f + 1] - x[e]) + py * (y[f + 1] - y[e]);
	double		qx, qy;

	if (same_side_beyond(px * (y[f] - y[e]) - py * (x[f] - x[e]),
						 px * (y[f + 1] - y[e]) - py * (x[f + 1] - x[e]), eps * eps * pp))
		return true;
	/* along e: t / pp is the position of f's end points on e's line, 0 and 1 at e's ends */
	if ((t0 < 0 && t1 < 0 && t0 * t0 > eps * eps * pp && t1 * t1 > eps * eps * pp) ||
		(t0 > pp && t1 > pp && (t0 - pp) * (t0 - pp) > eps * eps * pp && (t1 - pp) * (t1 - pp) > eps * eps * pp))
		return true;
	qx = x[f + 1] - x[f];
	qy = y[f + 1] - y[f];
	return same_side_beyond(qx * (y[e] - y[f]) - qy * (x[e] - x[f]),
							qx * (y[e + 1] - y[f]) - qy * (x[e + 1] - x[f]), eps * eps * (qx * qx + qy * qy));
}

/* True when edge f, which follows edge e, surely does not fold back onto it. */
static bool
no_fold(const double *x, const double *y, int e, int f, double eps)
{
	double		ux = x[e + 1] - x[e], uy = y[e + 1] - y[e];
	double		wx = x[f + 1] - x[f], wy = y[f + 1] - y[f];
	double		cross = ux * wy - uy * wx;

	if (ux * wx + uy * wy >= 0)
		return true;			/* turns by at most 90 degrees */
	return cross * cross > eps * eps * (ux * ux + uy * uy) && cross * cross > eps * eps * (wx * wx + wy * wy);
}

/* Lexicographic direction of edge e: 1 up, -1 down, 0 for a repeated point. */
static inline int
edge_dir(const double *x, const double *y, int e)
{
	if (x[e + 1] != x[e])
		return x[e + 1] > x[e] ? 1 : -1;
	return (y[e + 1] > y[e]) - (y[e + 1] < y[e]);
}

/* True when edges e and f of a ring of nedges edges are consecutive (either way round). */
static inline bool
consecutive(int e, int f, int nedges)
{
	return f == e + 1 || e == f + 1 || (e == 0 && f == nedges - 1) || (f == 0 && e == nedges - 1);
}

/* The edges of chunks ci and di (ci != di, boxes meeting) are apart, consecutive ones aside. */
static bool
chunk_pair_apart(const BmGeom *g, int ci, int di, double eps)
{
	const BmChunk *c = &g->chunks[ci], *d = &g->chunks[di];
	int			nedges = g->npoints - 1;
	EdgeBoxes	ea, eb;

	edges_meeting_box(g, c, d->xmin, d->xmax, d->ymin, d->ymax, eps, &ea);
	if (ea.n == 0)
		return true;
	edges_meeting_box(g, d, c->xmin, c->xmax, c->ymin, c->ymax, eps, &eb);
	for (int i = 0; i < ea.n; i++)
		for (int j = 0; j < eb.n; j++)
		{
			if (eb.x1[j] < ea.x0[i] - eps || eb.x0[j] > ea.x1[i] + eps ||
				eb.y1[j] < ea.y0[i] - eps || eb.y0[j] > ea.y1[i] + eps)
				continue;
			if (!consecutive(ea.e[i], eb.e[j], nedges) && !edges_apart(g->x, g->y, ea.e[i], eb.e[j], eps))
				return false;
		}
	return true;
}

/* The edges inside chunk ci are apart and do not fold back (see above). */
static bool
chunk_apart(const BmGeom *g, int ci, double eps)
{
	const BmChunk *c = &g->chunks[ci];
	int			nedges = g->npoints - 1;
	int			dir = edge_dir(g->x, g->y, c->first);
	bool		monotone = true;

	for (int e = c->first; e < c->last; e++)
	{
		int			d = edge_dir(g->x, g->y, e);

		if (d == 0)
			return false;		/* repeated point: GEOS decides */
		monotone = monotone && d == dir;
	}
	if (monotone)
		return true;
	for (int e = c->first; e < c->last; e++)
		for (int f = e + 1; f < c->last; f++)
			if (f == e + 1 ? !no_fold(g->x, g->y, e, f, eps)
				: !consecutive(e, f, nedges) && !edges_apart(g->x, g->y, e, f, eps))
				return false;
	return true;
}

/* The fast proof (see above); g must be indexed.  True only when the one-ring polygon is surely valid. */
static bool
one_ring_surely_valid(const BmGeom *g)
{
	int			nedges = g->npoints - 1;
	double		scale = Max(Max(g->xmax - g->xmin, g->ymax - g->ymin),
							Max(Max(fabs(g->xmin), fabs(g->xmax)), Max(fabs(g->ymin), fabs(g->ymax))));
	double		eps = 1e-9 * scale;

	if (g->nrings != 1 || nedges < 3 || g->chunks == NULL || !(g->xmax > g->xmin))
		return false;
	for (int ci = 0; ci < g->nchunks; ci++)
	{
		const BmChunk *c = &g->chunks[ci];
		int			next = ci + 1 < g->nchunks ? g->chunks[ci + 1].first : 0;

		/* inside the chunk, and the fold at the vertex it shares with the next one */
		if (!chunk_apart(g, ci, eps) || !no_fold(g->x, g->y, c->last - 1, next, eps))
			return false;
	}
	/* every two chunks whose boxes meet, by a sweep over the chunks sorted by x */
	for (int i = 0; i < g->nchunks; i++)
	{
		const BmChunk *c = &g->chunks[g->chunk_by_x[i].id];

		for (int j = i + 1; j < g->nchunks && g->chunk_by_x[j].xmin <= c->xmax + eps; j++)
		{
			const BmChunk *d = &g->chunks[g->chunk_by_x[j].id];

			if (d->ymax >= c->ymin - eps && d->ymin <= c->ymax + eps &&
				!chunk_pair_apart(g, g->chunk_by_x[i].id, g->chunk_by_x[j].id, eps))
				return false;
		}
	}
	return true;
}

/*
 * The chunks of G meeting the pair's box, into *refs (grown in w->cxt), in
 * the order of smallest x: a filter of the geometry's presorted chunk list,
 * which stops at the first chunk starting right of the box.
 */
static int
chunks_in_box(const BmGeom *G, const PairFrame *f, BmWork *w, BmChunkRef **refs, int *cap)
{
	int			n = 0;
	int			lo, hi;
	double		skip_below;

	if (*cap < G->nchunks)
	{
		if (*refs)
			pfree(*refs);
		*cap = Max(G->nchunks, 2 * *cap);
		*refs = MemoryContextAlloc(w->cxt, *cap * sizeof(BmChunkRef));
	}
	/*
	 * Chunks starting left of bx0 - chunk_wmax end left of bx0: skip them by
	 * bisection (with a margin twice the width and more than any rounding).
	 */
	skip_below = f->bx0 - 2 * G->chunk_wmax - 1e-9 * fabs(f->bx0);
	lo = 0;
	hi = G->nchunks;
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (G->chunk_by_x[mid].xmin < skip_below)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int k = lo; k < G->nchunks && G->chunk_by_x[k].xmin <= f->bx1; k++)
		if (chunk_meets(&G->chunks[G->chunk_by_x[k].id], f->bx0, f->bx1, f->by0, f->by1, 0))
			(*refs)[n++] = G->chunk_by_x[k];
	return n;
}

/*
 * Find all contacts between A's and B's edges inside the box of the pair.
 * Only chunks whose boxes meet can hold touching edges.  The chunks of both
 * polygons inside the pair's box are sorted by smallest x and swept: the
 * chunk with the smaller xmin is paired with the chunks of the other polygon
 * that start before it ends, so each meeting pair of chunks is found once
 * without testing all pairs.  Meeting chunks are then searched edge against
 * edge.  touched_a/touched_b hold one flag per edge followed by one per chunk.
 */
static void
find_contacts(const BmGeom *A, const BmGeom *B, const PairFrame *f, BmWork *w,
			  unsigned char *touched_a, unsigned char *touched_b)
{
	double		eps = f->eps;
	int			na = chunks_in_box(A, f, w, &w->near_a, &w->cap_near_a);
	int			nb = chunks_in_box(B, f, w, &w->near_b, &w->cap_near_b);
	const BmChunkRef *ra = w->near_a, *rb = w->near_b;
	int			i = 0, j = 0;

	while (i < na && j < nb)
	{
		if (ra[i].xmin <= rb[j].xmin)
		{
			const BmChunk *c = &A->chunks[ra[i].id];

			/* B's chunks from j start at or after c: they meet in x while they start before c ends */
			for (int k = j; k < nb && rb[k].xmin <= c->xmax + eps; k++)
			{
				const BmChunk *d = &B->chunks[rb[k].id];

				if (d->ymax >= c->ymin - eps && d->ymin <= c->ymax + eps)
					contacts_in_chunks(A, ra[i].id, B, rb[k].id, f, w, touched_a, touched_b);
			}
			i++;
		}
		else
		{
			const BmChunk *d = &B->chunks[rb[j].id];

			for (int k = i; k < na && ra[k].xmin <= d->xmax + eps; k++)
			{
				const BmChunk *c = &A->chunks[ra[k].id];

				if (c->ymax >= d->ymin - eps && c->ymin <= d->ymax + eps)
					contacts_in_chunks(A, ra[k].id, B, rb[j].id, f, w, touched_a, touched_b);
			}
			j++;
		}
	}
}

/* Where a test point lies relative to a polygon. */
typedef enum
{
	LOC_OUTSIDE,
	LOC_INSIDE,
	LOC_BOUNDARY
} PointLoc;

/*
 * Near-boundary check and ray-crossing parity of point (px,py) (shifted
 * coordinates) against edges first .. last - 1 of G, updating the flags.
 */
static inline void
locate_in_edges(const BmGeom *G, const PairFrame *f, int first, int last,
				double px, double py, double dx, double dy,
				bool *inside, bool *has_same, bool *has_opp)
{
	double		eps = f->eps;

	for (int e = first; e < last; e++)
	{
		double		x0 = G->x[e] - f->ox, y0 = G->y[e] - f->oy;
		double		x1 = G->x[e + 1] - f->ox, y1 = G->y[e + 1] - f->oy;
		double		ex = x1 - x0, ey = y1 - y0;

		/* on-boundary check: distance from the point to the edge */
		if (px >= Min(x0, x1) - eps && px <= Max(x0, x1) + eps &&
			py >= Min(y0, y1) - eps && py <= Max(y0, y1) + eps)
		{
			double		ll = ex * ex + ey * ey;

			if (ll > 0)
			{
				double		t = ((px - x0) * ex + (py - y0) * ey) / ll;
				double		cx, cy;

				t = t < 0 ? 0 : (t > 1 ? 1 : t);
				cx = x0 + t * ex - px;
				cy = y0 + t * ey - py;
				if (cx * cx + cy * cy <= eps * eps)
				{
					if (dx * ex + dy * ey > 0)
						*has_same = true;
					else
						*has_opp = true;
				}
			}
		}
		/* crossing-number parity with a ray towards +x, half-open in y */
		if ((y0 > py) != (y1 > py))
		{
			double		xi = x0 + (py - y0) * ex / ey;

			if (xi > px)
				*inside = !*inside;
		}
	}
}

/*
 * Locate point (px,py) (shifted coordinates) in G.  On the boundary,
 * *bdir_dot is positive when G's boundary there runs in the direction (dx,dy)
 * (same-direction sharing) and negative otherwise.
 *
 * The chunks are the index: a chunk whose box misses the point's row, or lies
 * left of it, adds nothing; a chunk wholly right of the point is crossed by
 * the ray an odd number of times exactly when its first and last points lie
 * on opposite sides of the row (the half-open crossing test telescopes along
 * the chunk's polyline), so it costs O(1); only chunks whose box holds the
 * point are walked edge by edge.
 */
static PointLoc
locate_point(const BmGeom *G, const PairFrame *f, double px, double py,
			 double dx, double dy, double *bdir_dot)
{
	double		eps = f->eps;
	double		ax = px + f->ox;	/* the point in absolute coordinates, */
	double		ay = py + f->oy;	/* for the chunk boxes */
	bool		inside = false;
	bool		has_same = false,
				has_opp = false;

	if (ax < G->xmin - eps || ax > G->xmax + eps ||
		ay < G->ymin - eps || ay > G->ymax + eps)
		return LOC_OUTSIDE;
	for (int ci = 0; ci < G->nchunks; ci++)
	{
		const BmChunk *c = &G->chunks[ci];

		if (c->ymax < ay - eps || c->ymin > ay + eps || c->xmax < ax - eps)
			continue;			/* misses the row or lies left: no crossing, not near */
		if (c->xmin > ax + eps)
		{
			/* wholly right of the point: parity from the chunk's two ends */
			if ((G->y[c->first] - f->oy > py) != (G->y[c->last] - f->oy > py))
				inside = !inside;
			continue;
		}
		locate_in_edges(G, f, c->first, c->last, px, py, dx, dy,
						&inside, &has_same, &has_opp);
	}
	if (has_same || has_opp)
	{
		/*
		 * On the boundary.  Near a zero-width spike of G both directions are
		 * present; treat that as opposite (G has no area there) so the two
		 * sides of the spike are classified alike and cancel.
		 */
		*bdir_dot = (has_same && !has_opp) ? 1.0 : -1.0;
		return LOC_BOUNDARY;
	}
	return inside ? LOC_INSIDE : LOC_OUTSIDE;
}

/* Add a whole chunk's boundary sums, shifted from its first point to the pair origin. */
static inline void
add_chunk(const BmGeom *P, const BmChunk *c, const PairFrame *f, double *cross_sum, double *len_sum)
{
	double		cx = P->x[c->first] - f->ox, cy = P->y[c->first] - f->oy;

	/* sum of (x0+cx)(y1+cy) - (x1+cx)(y0+cy) = cross + cx*(yend-ystart) - cy*(xend-xstart) */
	*cross_sum += c->cross + cx * (P->y[c->last] - P->y[c->first]) - cy * (P->x[c->last] - P->x[c->first]);
	*len_sum += c->length;
}

/*
 * Sum 1/2 (x dy - y dx) and the length over the boundary pieces of P that lie
 * inside Q.  Shared pieces count for P only when count_shared (same direction).
 * Edges that touch nothing share the inside/outside state of the edge before
 * them, so a chunk without contacts is added (or not) as a whole.
 */
static void
sum_inside(const BmGeom *P, const BmGeom *Q, const PairFrame *f,
		   const unsigned char *touched, const BmSplit *splits, int nsplits,
		   bool count_shared, double *cross_sum, double *len_sum)
{
	int			si = 0;			/* cursor into the sorted splits */
	int			ci = 0;			/* chunk cursor */

	for (int r = 0; r < P->nrings; r++)
	{
		int			re = P->ring_start[r + 1];
		bool		prev_known = false;	/* previous edge untouched and classified */
		bool		prev_in = false;

		for (; ci < P->nchunks && P->chunks[ci].first < re - 1; ci++)
		{
			const BmChunk *c = &P->chunks[ci];

			if (!chunk_meets(c, f->bx0, f->bx1, f->by0, f->by1, 0))
			{
				/* away from Q's box: outside Q */
				prev_known = true;
				prev_in = false;
				continue;
			}
			if (!touched[P->npoints + ci])
			{
				if (!prev_known)
				{
					double		x0 = P->x[c->first] - f->ox, y0 = P->y[c->first] - f->oy;
					double		x1 = P->x[c->first + 1] - f->ox, y1 = P->y[c->first + 1] - f->oy;
					double		dot;

					prev_in = locate_point(Q, f, 0.5 * (x0 + x1), 0.5 * (y0 + y1),
										   x1 - x0, y1 - y0, &dot) == LOC_INSIDE;
					prev_known = true;
				}
				if (prev_in)
					add_chunk(P, c, f, cross_sum, len_sum);
				continue;
			}

			for (int e = c->first; e < c->last; e++)
			{
				double		x0 = P->x[e] - f->ox, y0 = P->y[e] - f->oy;
				double		x1 = P->x[e + 1] - f->ox, y1 = P->y[e + 1] - f->oy;

				while (si < nsplits && splits[si].edge < e)
					si++;
				if (!touched[e])
				{
					if (!prev_known)
					{
						double		dot;

						prev_in = locate_point(Q, f, 0.5 * (x0 + x1), 0.5 * (y0 + y1),
											   x1 - x0, y1 - y0, &dot) == LOC_INSIDE;
						prev_known = true;
					}
					if (prev_in)
					{
						*cross_sum += x0 * y1 - x1 * y0;
						*len_sum += sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
					}
					continue;
				}
				/* touched edge: cut at its splits and classify each piece */
				prev_known = false;
				{
					double		tprev = 0.0;
					double		dx = x1 - x0, dy = y1 - y0;

					for (;;)
					{
						double		tnext = (si < nsplits && splits[si].edge == e) ? splits[si].t : 1.0;
						double		ax, ay, bx, by, dot = 0;
						PointLoc	loc;

						if (tnext > tprev)
						{
							ax = tprev == 0.0 ? x0 : x0 + tprev * dx;
							ay = tprev == 0.0 ? y0 : y0 + tprev * dy;
							bx = tnext == 1.0 ? x1 : x0 + tnext * dx;
							by = tnext == 1.0 ? y1 : y0 + tnext * dy;
							loc = locate_point(Q, f, 0.5 * (ax + bx), 0.5 * (ay + by), dx, dy, &dot);
							if (loc == LOC_INSIDE || (loc == LOC_BOUNDARY && count_shared && dot > 0))
							{
								*cross_sum += ax * by - bx * ay;
								*len_sum += sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay));
							}
							tprev = tnext;
						}
						if (tnext >= 1.0)
							break;
						si++;
					}
				}
			}
		}
	}
}

/*
 * Area and perimeter of A ∩ B by Green's theorem (see the top of this file):
 * contacts, then the boundary pieces of A inside B and of B inside A.
 */
BmOverlap
bm_overlap(BmGeom *A, BmGeom *B, BmWork *w)
{
	BmOverlap	res = {0.0, 0.0};
	PairFrame	f;
	double		ext;
	double		cross = 0.0, len = 0.0;
	unsigned char *ta, *tb;

	if (A->nrings == 0 || B->nrings == 0 ||
		A->xmax <= B->xmin || B->xmax <= A->xmin ||
		A->ymax <= B->ymin || B->ymax <= A->ymin)
		return res;				/* empty, or boxes disjoint or only touching */

	ext = Max(Max(A->xmax, B->xmax) - Min(A->xmin, B->xmin),
			  Max(A->ymax, B->ymax) - Min(A->ymin, B->ymin));
	f.eps = 1e-11 * ext;
	f.bx0 = Max(A->xmin, B->xmin) - f.eps;
	f.by0 = Max(A->ymin, B->ymin) - f.eps;
	f.bx1 = Min(A->xmax, B->xmax) + f.eps;
	f.by1 = Min(A->ymax, B->ymax) + f.eps;
	f.ox = 0.5 * (f.bx0 + f.bx1);
	f.oy = 0.5 * (f.by0 + f.by1);

	ta = touched_reset(w, &w->touched_a, &w->touched_cap_a, A->npoints + A->nchunks);
	tb = touched_reset(w, &w->touched_b, &w->touched_cap_b, B->npoints + B->nchunks);
	w->nsplit_a = w->nsplit_b = 0;
	find_contacts(A, B, &f, w, ta, tb);
	if (w->nsplit_a > 1)
		sort_splits(w->split_a, w->nsplit_a);
	if (w->nsplit_b > 1)
		sort_splits(w->split_b, w->nsplit_b);

	/* A's boundary inside B (shared same-direction pieces counted here) ... */
	sum_inside(A, B, &f, ta, w->split_a, w->nsplit_a, true, &cross, &len);
	/* ... plus B's boundary inside A */
	sum_inside(B, A, &f, tb, w->split_b, w->nsplit_b, false, &cross, &len);

	res.area = 0.5 * cross;
	res.perimeter = len;
	/* rounding can leave a tiny negative or excess value */
	if (res.area < 0)
		res.area = 0;
	if (res.area > Min(A->area, B->area))
		res.area = Min(A->area, B->area);
	if (res.area == 0)
		res.perimeter = 0;
	return res;
}

/* ------------------------------------------------------------------------
 * SQL-callable functions
 * ------------------------------------------------------------------------ */

/*
 * fn_extra cache: PostGIS's ST_AsEWKB, a small cache of parsed, validated and
 * indexed geometries (in a join the same geometries come back for many calls,
 * and parsing plus the GEOS validity check cost more than the overlap itself;
 * at most 64 entries and 8 MB of raw geometry), and the engine's scratch space.
 */
#define GEOM_CACHE_SLOTS 64
#define GEOM_CACHE_BYTES (8 * 1024 * 1024)	/* of raw geometry; parsed + index is ~5x */

typedef struct GeomCacheSlot
{
	MemoryContext cxt;			/* holds raw and g; reset on eviction */
	struct varlena *raw;		/* the detoasted argument, for comparison */
	BmGeom	   *g;
	uint64		last_use;
} GeomCacheSlot;

typedef struct OverlapFnCache
{
	FmgrInfo	asewkb;
	GeomCacheSlot slot[GEOM_CACHE_SLOTS];
	uint64		clock;
	Size		cached_bytes;	/* raw bytes of the occupied slots */
	BmWork		work;
} OverlapFnCache;

/* Look up <schema of typid>.st_asewkb(typid) into finfo. */
void
bm_lookup_asewkb(Oid typid, FmgrInfo *finfo, MemoryContext cxt)
{
	HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	Form_pg_type typ;
	char	   *nsp;
	Oid			fn;

	if (!HeapTupleIsValid(tup))
		/* internal: the type came from the catalogue */
		elog(ERROR, "cache lookup failed for type %u", typid);
	typ = (Form_pg_type) GETSTRUCT(tup);
	if (strcmp(NameStr(typ->typname), "geometry") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("type %s is not the PostGIS geometry type", NameStr(typ->typname)),
				 errhint("Pass a geometry value or column.")));
	nsp = get_namespace_name(typ->typnamespace);
	ReleaseSysCache(tup);
	fn = LookupFuncName(list_make2(makeString(nsp), makeString("st_asewkb")), 1, &typid, false);
	fmgr_info_cxt(fn, finfo, cxt);
}

/* The fn_extra cache, created on first use. */
static OverlapFnCache *
fn_cache(FunctionCallInfo fcinfo)
{
	OverlapFnCache *c = (OverlapFnCache *) fcinfo->flinfo->fn_extra;

	if (c == NULL)
	{
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(OverlapFnCache));
		bm_lookup_asewkb(get_fn_expr_argtype(fcinfo->flinfo, 0), &c->asewkb,
						 fcinfo->flinfo->fn_mcxt);
		bm_work_init(&c->work, fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = c;
	}
	return c;
}

/*
 * Argument argno as a parsed, valid and indexed geometry: from the cache when
 * the same value was seen recently, else through ST_AsEWKB into the least
 * recently used slot.
 */
static BmGeom *
geom_arg(FunctionCallInfo fcinfo, OverlapFnCache *c, int argno, const char *what)
{
	struct varlena *raw = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(argno));
	Size		len = VARSIZE_ANY(raw);
	GeomCacheSlot *victim = &c->slot[0];
	bytea	   *wkb;
	BmGeom	   *g;
	MemoryContext old;

	for (int i = 0; i < GEOM_CACHE_SLOTS; i++)
	{
		GeomCacheSlot *sl = &c->slot[i];

		if (sl->g != NULL && VARSIZE_ANY(sl->raw) == len && memcmp(sl->raw, raw, len) == 0)
		{
			sl->last_use = ++c->clock;
			return sl->g;
		}
		if (sl->g == NULL || sl->last_use < victim->last_use)
			victim = sl;
	}

	/* keep the cache small: evict least recently used entries over the byte budget */
	if (victim->g != NULL)
		c->cached_bytes -= VARSIZE_ANY(victim->raw);
	victim->g = NULL;
	while (c->cached_bytes + len > GEOM_CACHE_BYTES)
	{
		GeomCacheSlot *lru = NULL;

		for (int i = 0; i < GEOM_CACHE_SLOTS; i++)
			if (c->slot[i].g != NULL && (lru == NULL || c->slot[i].last_use < lru->last_use))
				lru = &c->slot[i];
		if (lru == NULL)
			break;
		c->cached_bytes -= VARSIZE_ANY(lru->raw);
		lru->g = NULL;
		MemoryContextReset(lru->cxt);
	}

	/* miss: parse, check and index into the victim slot */
	if (victim->cxt == NULL)
		victim->cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "buurtmonitor overlap cache",
											ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(victim->cxt);
	victim->g = NULL;			/* empty until the geometry has passed every check */
	old = MemoryContextSwitchTo(victim->cxt);
	/* PostGIS's stored format is read directly; other formats go through ST_AsEWKB */
	g = bm_geom_from_gserialized(raw, what);
	if (g == NULL)
	{
		wkb = DatumGetByteaPP(FunctionCall1(&c->asewkb, PG_GETARG_DATUM(argno)));
		g = bm_geom_from_wkb((unsigned char *) VARDATA_ANY(wkb), VARSIZE_ANY_EXHDR(wkb), what);
		pfree(wkb);
	}
	bm_check_srid_projected(g->srid, what);
	bm_geom_index(g);			/* first: the validity check uses the index */
	bm_geom_check_valid(g, what);
	victim->raw = palloc(len);
	memcpy(victim->raw, raw, len);
	MemoryContextSwitchTo(old);
	victim->g = g;
	victim->last_use = ++c->clock;
	c->cached_bytes += len;
	return g;
}

/* Parse, check and measure the overlap of the two arguments. */
static BmOverlap
overlap_of_args(FunctionCallInfo fcinfo)
{
	OverlapFnCache *c = fn_cache(fcinfo);
	BmGeom	   *a = geom_arg(fcinfo, c, 0, "argument a");
	BmGeom	   *b = geom_arg(fcinfo, c, 1, "argument b");

	if (a->srid != b->srid)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("geometries have different SRIDs (%d and %d)", a->srid, b->srid),
				 errhint("Transform one of them with ST_Transform so both use the same SRID.")));
	return bm_overlap(a, b, &c->work);
}

PG_FUNCTION_INFO_V1(bm_overlap_area);
/* overlap_area(a geometry, b geometry): area of a ∩ b. */
Datum
bm_overlap_area(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(overlap_of_args(fcinfo).area);
}

PG_FUNCTION_INFO_V1(bm_overlap_measures);
/* overlap_measures(a, b): (area, perimeter, width = 2 area / perimeter) of a ∩ b. */
Datum
bm_overlap_measures(PG_FUNCTION_ARGS)
{
	BmOverlap	o = overlap_of_args(fcinfo);
	TupleDesc	td;
	Datum		v[3];
	bool		n[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		/* internal: fixed by the SQL declaration */
		elog(ERROR, "overlap_measures must return a composite");
	td = BlessTupleDesc(td);
	v[0] = Float8GetDatum(o.area);
	v[1] = Float8GetDatum(o.perimeter);
	v[2] = Float8GetDatum(o.perimeter > 0 ? 2.0 * o.area / o.perimeter : 0.0);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(td, v, n)));
}
