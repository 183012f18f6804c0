/*
 * dd.h
 *		Double-double accumulation (an unevaluated sum hi + lo), shared by the
 *		weighted aggregates (aggregates.c) and the overlap engine (overlap.c).
 *
 * dd_add keeps the exact rounding error of each addition (Knuth's TwoSum) in
 * lo; dd_add_cross adds x0*y1 - x1*y0 with both products split exactly by
 * fma.  Sums kept this way are as accurate as if computed in twice the working
 * precision (Ogita, Rump and Oishi, SIAM J. Sci. Comput. 26(6), 2005), so
 * large terms that cancel (1e22 - 1e22 + 1) keep the small remainder.
 */
#ifndef BM_DD_H
#define BM_DD_H

#include <math.h>

/* An unevaluated sum hi + lo; lo collects the rounding errors of hi. */
typedef struct DD
{
	double		hi;
	double		lo;
} DD;

/* acc += x, keeping the exact rounding error of the addition (TwoSum). */
static inline void
dd_add(DD *acc, double x)
{
	double		s = acc->hi + x;
	double		bp = s - acc->hi;
	double		err = (acc->hi - (s - bp)) + (x - bp);

	acc->hi = s;
	acc->lo += err;
}

/* acc += x0*y1 - x1*y0, both products exact (TwoProduct via fma). */
static inline void
dd_add_cross(DD *acc, double x0, double y1, double x1, double y0)
{
	double		p = x0 * y1;
	double		q = x1 * y0;

	dd_add(acc, p);
	dd_add(acc, -q);
	acc->lo += fma(x0, y1, -p) - fma(x1, y0, -q);
}

/* The double nearest to hi + lo. */
static inline double
dd_value(const DD *a)
{
	return a->hi + a->lo;
}

#endif
