-- Map classes: breaks for a choropleth by exact optimal (Fisher/Jenks), quantile, equal,
-- pretty, head/tail, standard-deviation and box-plot classes, the class of a value, and
-- legend labels. Classes are right-closed: class j holds b[j-1] < value <= b[j], class 1
-- also b[1] itself (docs/classify.md).

CREATE FUNCTION buurtmonitor.class_breaks_transfn(internal, double precision, text, integer)
RETURNS internal LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_class_breaks_transfn';

CREATE FUNCTION buurtmonitor.class_breaks_transfn(internal, double precision, double precision, text, integer)
RETURNS internal LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_class_breaks_weighted_transfn';

CREATE FUNCTION buurtmonitor.class_breaks_combinefn(internal, internal)
RETURNS internal LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_class_breaks_combinefn';

CREATE FUNCTION buurtmonitor.class_breaks_serialfn(internal)
RETURNS bytea LANGUAGE C STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_class_breaks_serialfn';

CREATE FUNCTION buurtmonitor.class_breaks_deserialfn(bytea, internal)
RETURNS internal LANGUAGE C STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_class_breaks_deserialfn';

CREATE FUNCTION buurtmonitor.class_breaks_finalfn(internal)
RETURNS double precision[] LANGUAGE C PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_class_breaks_finalfn';

-- The final function only reads the state (it sorts a copy), so it may run more than once.
CREATE AGGREGATE buurtmonitor.class_breaks(value double precision, method text, classes integer) (
    SFUNC = buurtmonitor.class_breaks_transfn,
    STYPE = internal,
    FINALFUNC = buurtmonitor.class_breaks_finalfn,
    COMBINEFUNC = buurtmonitor.class_breaks_combinefn,
    SERIALFUNC = buurtmonitor.class_breaks_serialfn,
    DESERIALFUNC = buurtmonitor.class_breaks_deserialfn,
    PARALLEL = SAFE
);

CREATE AGGREGATE buurtmonitor.class_breaks(value double precision, weight double precision, method text,
                                           classes integer) (
    SFUNC = buurtmonitor.class_breaks_transfn,
    STYPE = internal,
    FINALFUNC = buurtmonitor.class_breaks_finalfn,
    COMBINEFUNC = buurtmonitor.class_breaks_combinefn,
    SERIALFUNC = buurtmonitor.class_breaks_serialfn,
    DESERIALFUNC = buurtmonitor.class_breaks_deserialfn,
    PARALLEL = SAFE
);

CREATE FUNCTION buurtmonitor.class_of(value double precision, breaks double precision[])
RETURNS integer LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_class_of';

COMMENT ON AGGREGATE buurtmonitor.class_breaks(double precision, text, integer) IS
'Breaks b0..bK of map classes (float8[]): method fisher (exact optimal = Jenks natural breaks; breaks are class maxima), quantile (R type 7), equal, pretty (R pretty), headtails (classes = upper limit or NULL), sd, box (6 classes). Right-closed classes; NULL values skipped; NaN and infinity refused; values held within work_mem. PARALLEL SAFE.';
COMMENT ON AGGREGATE buurtmonitor.class_breaks(double precision, double precision, text, integer) IS
'Weighted exact optimal classes (method fisher only): minimises the weighted within-class sum of squares, for example buurten weighted by inhabitants. NULL value or weight skipped, weight 0 ignored, negative weight refused. PARALLEL SAFE.';
COMMENT ON FUNCTION buurtmonitor.class_of(double precision, double precision[]) IS
'Class 1..K of a value for breaks b0..bK (from class_breaks or user-defined, non-decreasing): the smallest j with value <= b[j]; NULL outside [b0, bK].';
COMMENT ON FUNCTION buurtmonitor.class_breaks_transfn(internal, double precision, text, integer) IS
'Support function of buurtmonitor.class_breaks (transition); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.class_breaks_transfn(internal, double precision, double precision, text, integer) IS
'Support function of the weighted buurtmonitor.class_breaks (transition); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.class_breaks_combinefn(internal, internal) IS
'Support function of buurtmonitor.class_breaks (combine); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.class_breaks_serialfn(internal) IS
'Support function of buurtmonitor.class_breaks (serialise); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.class_breaks_deserialfn(bytea, internal) IS
'Support function of buurtmonitor.class_breaks (deserialise); not for direct use.';
COMMENT ON FUNCTION buurtmonitor.class_breaks_finalfn(internal) IS
'Support function of buurtmonitor.class_breaks (final); not for direct use.';
