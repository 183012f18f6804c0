/*
 * budget.h
 *		The memory budget of the bulk computations (budget.c).
 *
 * Functions whose memory grows faster than their input (crosswalk's pairs of
 * overlapping boxes, index_sensitivity's ranks of every area in every draw)
 * check what they need against maintenance_work_mem before they allocate it,
 * and stop with a clear error instead of growing until the kernel kills the
 * backend.
 */
#ifndef BUURTMONITOR_BUDGET_H
#define BUURTMONITOR_BUDGET_H

#include "postgres.h"

/* The budget in bytes: maintenance_work_mem. */
extern double bm_budget_bytes(void);

/*
 * Raise program_limit_exceeded when bytes exceed the budget: what needs them
 * (e.g. "crosswalk of 50000 and 50000 areas"), the amount, the setting to
 * raise, and how else to get by (a sentence, or NULL).  at_least: bytes is a
 * lower bound (counting stopped early).
 */
extern void bm_check_budget(double bytes, bool at_least, const char *what, const char *otherwise);

#endif
