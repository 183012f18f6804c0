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

-- Legend labels ------------------------------------------------------------------------------

-- A number with a fixed number of decimals and thousands separators: Dutch 1.234,5, English 1,234.5.
CREATE FUNCTION buurtmonitor.format_number(value double precision, decimals integer,
                                           language text DEFAULT 'nl')
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    t text;
    int_part text;
    frac_part text;
    thousands text;
    point text;
BEGIN
    IF language NOT IN ('nl', 'en') THEN
        RAISE EXCEPTION 'unknown language: %', language USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use ''nl'' or ''en''.';
    END IF;
    IF decimals < 0 OR decimals > 15 THEN
        RAISE EXCEPTION 'decimals must be between 0 and 15: %', decimals USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Give the number of decimals to show, for example 1.';
    END IF;
    IF value = 'NaN'::float8 OR value IN ('Infinity'::float8, '-Infinity'::float8) THEN
        RAISE EXCEPTION 'cannot format %', value USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Only finite numbers have a label.';
    END IF;
    thousands := CASE language WHEN 'nl' THEN '.' ELSE ',' END;
    point := CASE language WHEN 'nl' THEN ',' ELSE '.' END;
    t := round(value::numeric, decimals)::text;
    IF t ~ '^-0(\.0*)?$' THEN t := ltrim(t, '-'); END IF;     -- no "-0"
    int_part := split_part(t, '.', 1);
    frac_part := split_part(t, '.', 2);
    int_part := regexp_replace(int_part, '(\d)(?=(\d{3})+$)', '\1' || thousands, 'g');
    RETURN int_part || CASE WHEN frac_part <> '' THEN point || frac_part ELSE '' END;
END
$$;
COMMENT ON FUNCTION buurtmonitor.format_number(double precision, integer, text) IS
    'A number rounded to decimals with thousands separators: nl 1.234,5, en 1,234.5.';

-- The unit an indicator's legend shows, from the catalogue: none for counts, scores and codes.
CREATE FUNCTION buurtmonitor._legend_unit(indicator text, language text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN i.unit IS NULL OR i.unit IN ('aantal', 'gemiddeld aantal', 'score', 'code', 'postcode')
             OR i.unit LIKE 'klasse%' THEN NULL
        WHEN language = 'en' THEN coalesce((VALUES
            (CASE i.unit WHEN 'personen' THEN 'persons'
                         WHEN 'per 1000 inwoners' THEN 'per 1,000 inhabitants'
                         WHEN 'inwoners per km2' THEN 'inhabitants per km2'
                         WHEN 'adressen per km2' THEN 'addresses per km2'
                         WHEN 'per huishouden' THEN 'per household'
                         WHEN 'x 1000 euro' THEN 'x 1,000 euro' END)), i.unit)
        ELSE replace(i.unit, 'x 1000', 'x 1.000')
    END
    FROM buurtmonitor.indicators i WHERE i.code = indicator
$$;
COMMENT ON FUNCTION buurtmonitor._legend_unit(text, text) IS
    'Internal: the unit shown in legends for an indicator (catalogue unit; none for counts, scores and codes; English for en).';

-- The fewest decimals (0..6) at which rounding moves no break by more than 5 % of the
-- narrowest class (so distinct breaks stay distinct and the labels stay honest).
CREATE FUNCTION buurtmonitor._legend_decimals(breaks double precision[]) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    WITH b AS (SELECT v, v - lag(v) OVER (ORDER BY o) AS gap FROM unnest(breaks) WITH ORDINALITY u(v, o))
    SELECT coalesce(min(d), 6) FROM generate_series(0, 6) d
     WHERE (SELECT coalesce(bool_and(abs(round(v::numeric, d) - v::numeric)
                                     <= 0.05 * (SELECT min(gap) FROM b WHERE gap > 0)::numeric), true)
              FROM b)
$$;
COMMENT ON FUNCTION buurtmonitor._legend_decimals(double precision[]) IS
    'Internal: the fewest decimals (0 to 6) at which rounding moves no break by more than 5 % of the narrowest class.';

-- One label per class: "1.000 – 2.500 inwoners" (nl) or "1,000 – 2,500" (en).
CREATE FUNCTION buurtmonitor.class_labels(breaks double precision[], indicator text DEFAULT NULL,
                                          language text DEFAULT 'nl', decimals integer DEFAULT NULL,
                                          unit text DEFAULT NULL)
RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    d integer;
    u text;
    labels text[] := '{}';
    i integer;
BEGIN
    IF breaks IS NULL THEN RETURN NULL; END IF;
    PERFORM buurtmonitor.class_of(breaks[1], breaks);          -- checks the breaks
    IF indicator IS NOT NULL AND NOT EXISTS (SELECT 1 FROM buurtmonitor.indicators i WHERE i.code = indicator) THEN
        RAISE EXCEPTION 'unknown indicator: %', indicator USING ERRCODE = 'invalid_parameter_value',
            HINT = 'See SELECT code, label FROM buurtmonitor.indicators for the known codes.';
    END IF;
    d := coalesce(decimals, buurtmonitor._legend_decimals(breaks));
    u := coalesce(unit, buurtmonitor._legend_unit(indicator, language));
    FOR i IN 2 .. cardinality(breaks) LOOP
        labels := labels || (buurtmonitor.format_number(breaks[i - 1], d, language) || ' – '
                             || buurtmonitor.format_number(breaks[i], d, language)
                             || CASE WHEN u IS NULL THEN '' WHEN u = '%' THEN '%' ELSE ' ' || u END);
    END LOOP;
    RETURN labels;
END
$$;
COMMENT ON FUNCTION buurtmonitor.class_labels(double precision[], text, text, integer, text) IS
    'Legend labels for breaks b0..bK, one per class ("1.000 – 2.500 inwoners"): language nl or en, decimals (default: the fewest that keep the breaks apart), unit (default: the indicator''s unit from the catalogue).';
