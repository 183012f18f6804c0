/*
 * crosswalk_measure.h
 *		Measuring every overlapping pair of two polygon layers, in parallel
 *		workers when the layers are big (crosswalk_measure.c).
 */
#ifndef BUURTMONITOR_CROSSWALK_MEASURE_H
#define BUURTMONITOR_CROSSWALK_MEASURE_H

#include "postgres.h"

/*
 * One layer as the caller read it: keys and raw (possibly still toasted)
 * geometry values, in the order the rows were read.
 */
typedef struct CwLayer
{
	const char *role;			/* "source", "target" */
	const char *relname;		/* quoted relation name, for messages */
	int			n;
	char	  **key;
	struct varlena **datum;
	Oid			typid;			/* the geometry type */
	/* filled in by cw_measure */
	int32		srid;			/* SRID of the layer (0 when empty) */
	double	   *area;			/* area of each geometry */
} CwLayer;

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
