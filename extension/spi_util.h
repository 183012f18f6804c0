/*
 * spi_util.h
 *		SPI with a fixed, safe search_path (docs/security.md).
 *
 * C code that runs SQL opens SPI with bm_spi_connect() and closes it with
 * bm_spi_finish(): in between, search_path is BM_SAFE_SEARCH_PATH, so no
 * name in the SQL can resolve to an object in a schema an untrusted role can
 * write (public), whatever the caller's search_path.  PostGIS objects are
 * then written qualified with the schema of the geometry type at hand (or
 * of pg_extension's postgis row).  On an error the
 * transaction's abort restores the caller's search_path.
 */
#ifndef BUURTMONITOR_SPI_UTIL_H
#define BUURTMONITOR_SPI_UTIL_H

/* The search_path of every SQL and PL/pgSQL function (set by extension/sql/990_security.sql). */
#define BM_SAFE_SEARCH_PATH "pg_catalog, pg_temp"

extern int	bm_spi_connect(void);
extern void bm_spi_finish(int guc_level);

#endif
