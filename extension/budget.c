/*
 * budget.c
 *		The memory budget of the bulk computations: maintenance_work_mem, as
 *		for CREATE INDEX, whose parallel build crosswalk follows (see budget.h).
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "budget.h"

double
bm_budget_bytes(void)
{
	return (double) maintenance_work_mem * 1024.0;
}

void
bm_check_budget(double bytes, bool at_least, const char *what, const char *otherwise)
{
	double		budget = bm_budget_bytes();
	double		mb = ceil(bytes / (1024.0 * 1024.0));

	if (bytes <= budget)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s needs %s%.0f MB of memory, more than maintenance_work_mem (%.0f kB)",
					what, at_least ? "at least " : "", mb, budget / 1024.0),
			 errhint("Raise maintenance_work_mem (for example SET maintenance_work_mem = '%.0fMB')%s%s",
					 at_least ? 2 * mb : mb, otherwise ? "; or " : ".", otherwise ? otherwise : "")));
}
