-- Exact overlap area of two polygons (overlap.c): Green's theorem over the boundary
-- pieces of each polygon that lie inside the other; no intersection geometry is built.

CREATE FUNCTION buurtmonitor.overlap_area(a geometry, b geometry)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bm_overlap_area'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.overlap_area(geometry, geometry) IS
    'Exact area of the intersection of two (multi)polygons in one projected SRID, computed without building the intersection; refuses geographic SRIDs, mixed SRIDs and invalid geometries.';

CREATE FUNCTION buurtmonitor.overlap_measures(a geometry, b geometry,
    OUT area double precision, OUT perimeter double precision, OUT width double precision)
RETURNS record
AS 'MODULE_PATHNAME', 'bm_overlap_measures'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buurtmonitor.overlap_measures(geometry, geometry) IS
    'Area, perimeter and mean width (2 * area / perimeter) of the intersection of two (multi)polygons; the width drives the crosswalk sliver rule.';
