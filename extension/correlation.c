/*
 * correlation.c
 *		The p-value of a correlation coefficient, for correlations()
 *		(extension/sql/720_correlation.sql computes the coefficients).
 *
 * t = r * sqrt((n - 2) / (1 - r^2)) with n - 2 degrees of freedom, two-sided:
 * R's cor.test for Pearson, and for Spearman with exact = FALSE.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"

#include "significance.h"

PG_FUNCTION_INFO_V1(bm_correlation_p);

/* _correlation_p(r float8, n integer) -> float8: NULL when n < 3 or r is undefined. */
Datum
bm_correlation_p(PG_FUNCTION_ARGS)
{
	double		r = PG_GETARG_FLOAT8(0);
	int32		n = PG_GETARG_INT32(1);

	if (n < 3 || !(fabs(r) <= 1.0))
		PG_RETURN_NULL();
	if (fabs(r) == 1.0)
		PG_RETURN_FLOAT8(0.0);
	PG_RETURN_FLOAT8(bm_t_p_two_sided(r * sqrt((n - 2) / (1 - r * r)), n - 2));
}
