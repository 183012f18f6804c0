/*
 * overlap.h
 *		The exact overlap-area engine shared by overlap.c and crosswalk.c.
 *
 * A polygonal geometry is parsed once (from EWKB, or from PostGIS's stored
 * format) into flat coordinate arrays (rings normalised: outer rings
 * counter-clockwise, holes clockwise) and cut into chunks of consecutive
 * edges with boxes and sums, its only index.  bm_overlap() then computes the
 * area and the perimeter of A ∩ B by Green's theorem over the boundary
 * pieces of A inside B and of B inside A, without building the intersection
 * geometry.
 */
#ifndef BUURTMONITOR_OVERLAP_H
#define BUURTMONITOR_OVERLAP_H

#include "postgres.h"
#include "fmgr.h"

/* A parsed (Multi)Polygon. Coordinates are absolute; pairs shift them on the fly. */
typedef struct BmGeom
{
	int32		srid;
	int			npoints;		/* total points, closing points included */
	int			nrings;
	int		   *ring_start;		/* nrings + 1 offsets into x/y */
	bool	   *ring_outer;		/* ring is a polygon's outer ring */
	double	   *x;
	double	   *y;
	double		xmin, ymin, xmax, ymax;
	double		area;			/* area of the geometry */
	/* chunks: runs of up to BM_CHUNK consecutive edges of one ring */
	int			nchunks;
	struct BmChunk *chunks;
	struct BmChunkRef *chunk_by_x;	/* the chunks sorted by smallest x */
	double		chunk_wmax;		/* widest chunk in x (to skip chunks left of a box) */
	/*
	 * Runs of consecutive chunks of one ring grouped BM_CHUNK at a time,
	 * level on level (level 1 groups chunks, level 2 groups level-1 runs,
	 * ...), so that point location descends only into the runs whose box
	 * holds the point and costs O(log n) for a boundary that is not a spiral.
	 */
	int			nlevels;		/* levels above the chunks */
	int		   *level_n;		/* runs per level */
	struct BmRun **levels;		/* levels[l][i]: run i of level l + 1 */
} BmGeom;

/* A run of consecutive chunks (or runs) of one ring, with its box. */
typedef struct BmRun
{
	int			first, last;	/* its first and last point */
	int			child_first, child_last;	/* its children one level down: child_first .. child_last - 1 */
	double		xmin, xmax, ymin, ymax;
} BmRun;

#define BM_CHUNK 16

/*
 * A chunk's box and its precomputed boundary sums, so a chunk far from the
 * other polygon's boundary costs O(1) per pair.  cross is the sum of
 * x0*y1 - x1*y0 over its edges in coordinates relative to its first point.
 */
typedef struct BmChunk
{
	int			first, last;	/* edges first .. last - 1 (start point indices) */
	double		xmin, xmax, ymin, ymax;
	double		cross;
	double		length;
} BmChunk;

/* A chunk id with its smallest x, for the sorted sweep over chunks. */
typedef struct BmChunkRef
{
	double		xmin;
	int			id;
} BmChunkRef;

/* One split of an edge at parameter t in (0,1). */
typedef struct BmSplit
{
	int			edge;
	double		t;
} BmSplit;

/* Scratch space reused across pairs so a pair does no allocation that scales. */
typedef struct BmWork
{
	unsigned char *touched_a;
	unsigned char *touched_b;
	int			touched_cap_a;
	int			touched_cap_b;
	BmSplit    *split_a;
	BmSplit    *split_b;
	int			nsplit_a, nsplit_b;
	struct BmChunkRef *near_a;	/* A's chunks meeting the pair's box, by xmin */
	struct BmChunkRef *near_b;	/* B's chunks meeting the pair's box, by xmin */
	int			cap_near_a, cap_near_b;
	int			cap_split_a, cap_split_b;
	MemoryContext cxt;
} BmWork;

/* Result of one pair. */
typedef struct BmOverlap
{
	double		area;
	double		perimeter;
} BmOverlap;

/* Parse (E)WKB into a BmGeom allocated in the current memory context.
 * what names the value in error messages (e.g. "argument a" or a key). */
extern BmGeom *bm_geom_from_wkb(const unsigned char *wkb, size_t len, const char *what);

/* Parse a detoasted PostGIS geometry datum (GSERIALIZED v2); NULL when it
 * is in another format and must be read through ST_AsEWKB. */
extern BmGeom *bm_geom_from_gserialized(const struct varlena *gs, const char *what);

/* SRID and float bounding box from the header of a geometry value (a slice
 * only); false when it has none or is in another format. */
extern bool bm_gserialized_header_box(Datum d, int32 *srid, double *xmin, double *ymin,
									  double *xmax, double *ymax);

/* GEOS isValid without raising: false with the reason in detail. */
extern bool bm_geom_is_valid(const BmGeom *g, char *detail, size_t detail_size);

/* Raise the invalid-geometry error: what names the geometry, detail the reason. */
extern void bm_report_invalid(const char *what, const char *detail);

/* Raise an error unless the geometry is valid (GEOS isValid). */
extern void bm_geom_check_valid(const BmGeom *g, const char *what);

/* Raise an error when the SRID is geographic (4326 or longlat in spatial_ref_sys). */
extern void bm_check_srid_projected(int32 srid, const char *what);

/* Build the chunks of g (idempotent). */
extern void bm_geom_index(BmGeom *g);


/* Initialise a workspace whose arrays live in cxt. */
extern void bm_work_init(BmWork *w, MemoryContext cxt);

/* Exact area and perimeter of a ∩ b; both must be indexed. */
extern BmOverlap bm_overlap(BmGeom *a, BmGeom *b, BmWork *w);

/* Look up PostGIS's ST_AsEWKB for geometry type typid into finfo. */
extern void bm_lookup_asewkb(Oid typid, FmgrInfo *finfo, MemoryContext cxt);

#endif
