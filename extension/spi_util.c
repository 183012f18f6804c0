/*
 * spi_util.c
 *		SPI with a fixed, safe search_path (spi_util.h).
 */
#include "postgres.h"

#include "executor/spi.h"
#include "utils/guc.h"

#include "spi_util.h"

/*
 * Connect to SPI and pin search_path to BM_SAFE_SEARCH_PATH until
 * bm_spi_finish(level); returns the GUC nest level to pass there.  This is
 * what a function's SET search_path clause does, without its cost on the
 * calls that run no SQL.  GUC_ACTION_SAVE is allowed in parallel workers.
 */
int
bm_spi_connect(void)
{
	int			level;

	if (SPI_connect() != SPI_OK_CONNECT)
		/* internal: SPI_connect fails only when nested wrongly */
		elog(ERROR, "SPI_connect failed");
	level = NewGUCNestLevel();
	(void) set_config_option("search_path", BM_SAFE_SEARCH_PATH, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return level;
}

/* Restore the caller's search_path and close SPI. */
void
bm_spi_finish(int guc_level)
{
	AtEOXact_GUC(true, guc_level);
	SPI_finish();
}
