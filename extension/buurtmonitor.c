/*
 * buurtmonitor.c
 *		Module entry point of the buurtmonitor extension.
 *
 * Each concern lives in its own file (aggregates.c, overlap.c, ...); this file
 * only declares the module magic.
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;
