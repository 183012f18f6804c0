-- Crosswalk between two polygon layers (crosswalk.c), on the overlap engine of overlap.c.

CREATE FUNCTION buurtmonitor.crosswalk(
    source regclass,
    target regclass,
    source_key text DEFAULT 'code',
    target_key text DEFAULT 'code',
    source_geom text DEFAULT 'geom',
    target_geom text DEFAULT 'geom',
    min_width double precision DEFAULT 20,
    points regclass DEFAULT NULL,
    points_geom text DEFAULT 'geom',
    source_filter text DEFAULT NULL,
    target_filter text DEFAULT NULL,
    renormalise boolean DEFAULT true)
RETURNS TABLE (source_code text, target_code text, overlap_area double precision, share double precision)
AS 'MODULE_PATHNAME', 'bm_crosswalk'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION buurtmonitor.crosswalk(regclass, regclass, text, text, text, text, double precision, regclass, text, text, text, boolean) IS
    'One row per overlapping (source, target) pair with the overlap area and the share of the source in the target; pairs whose overlap is narrower than min_width metres (2 * area / perimeter) and holds at most half of its source and of its target are dropped as slivers, and each source''s shares renormalised to sum to 1; with points, shares are point counts (dasymetric) with area as the fallback. Big layers are measured in parallel workers (up to max_parallel_workers_per_gather).';
