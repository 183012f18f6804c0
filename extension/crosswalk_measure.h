/*
 * crosswalk_measure.h
 *		Measuring every overlapping pair of two polygon layers, in parallel
 *		workers when the layers are big (crosswalk_measure.c).
 */
#ifndef BUURTMONITOR_CROSSWALK_MEASURE_H
#define BUURTMONITOR_CROSSWALK_MEASURE_H

#include "postgres.h"

#include "fmgr.h"
#include "storage/itemptr.h"

/* What the header of a row's value says: SRID, float box, uncompressed size. */
typedef struct CwHeader
{
	int32		srid;
	double		xmin, ymin, xmax, ymax; /* xmin > xmax: empty geometry */
	double		size;
} CwHeader;

/*
 * One layer as the caller read it, in read order: keys, headers, and either
 * the raw (possibly still toasted) values or, for rows of tables, their
 * addresses, from which each participant reads the values itself.
 */
typedef struct CwLayer
{
	const char *role;			/* "source", "target" */
	const char *relname;		/* quoted relation name, for messages */
	const char *geomcol;		/* geometry column (to read rows back by address) */
	int			n;
	char	  **key;
	CwHeader   *header;
	struct varlena **datum;		/* raw values, or NULL when read back by address */
	Oid		   *relid;			/* table of each row (partitions, inheritance) */
	ItemPointerData *tid;		/* address of each row */
	Oid			typid;			/* the geometry type */
	FmgrInfo	asewkb;			/* ST_AsEWKB, for values not in PostGIS's own format */
	/* filled in by cw_measure */
	int32		srid;			/* SRID of the layer (0 when empty) */
	double	   *area;			/* area of each geometry */
} CwLayer;

/* Fill in L->header[i] from the first bytes of value; false when they carry no box. */
extern bool cw_read_header_box(CwLayer *L, int i, Datum value);

/* Fill in L->header[i] from value, parsing it in full when it carries no box. */
extern void cw_read_header(CwLayer *L, int i, Datum value);

/* One pair of rows (indices into the layers) with an overlap of positive area. */
typedef struct CwPair
{
	int			s, t;
	double		area;
	double		perimeter;
} CwPair;

/*
 * Check every geometry (polygonal, one projected SRID, valid) and measure
 * every pair whose overlap has positive area.  Returns the pairs (in no
 * particular order) and sets *npairs.
 */
extern CwPair *cw_measure(CwLayer *S, CwLayer *T, int *npairs);

#endif
