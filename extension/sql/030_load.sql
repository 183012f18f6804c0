-- Loading areas (CBS wijk- en buurtkaart as GeoJSON, or any staging table with geometries)
-- and key figures (CBS KWB layout or custom layouts through a column mapping).
-- Every loader runs in the caller's transaction and checks all input before it writes,
-- so a load is all-or-nothing and an error names the offending rows.

-- The level a CBS code belongs to, from its prefix (BU, WK, GM, PV, NL); NULL for other codes.
CREATE FUNCTION buurtmonitor.level_of_code(code text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN code ~ '^BU[0-9]{8}$' THEN 'buurt'
        WHEN code ~ '^WK[0-9]{6}$' THEN 'wijk'
        WHEN code ~ '^GM[0-9]{4}$' THEN 'gemeente'
        WHEN code ~ '^PV[0-9]{2}$' THEN 'provincie'
        WHEN code ~ '^NL[0-9]{2}$' THEN 'nederland'
    END
$$;
COMMENT ON FUNCTION buurtmonitor.level_of_code(text) IS
    'Level of a CBS area code from its prefix: BU.. buurt, WK.. wijk, GM.. gemeente, PV.. provincie, NL.. nederland; NULL otherwise.';

-- The enclosing CBS area of a CBS code: BU01500101 -> WK015001 -> GM0150; NULL above gemeente.
CREATE FUNCTION buurtmonitor.parent_of_code(code text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN code ~ '^BU[0-9]{8}$' THEN 'WK' || substr(code, 3, 6)
        WHEN code ~ '^WK[0-9]{6}$' THEN 'GM' || substr(code, 3, 4)
    END
$$;
COMMENT ON FUNCTION buurtmonitor.parent_of_code(text) IS
    'Enclosing CBS area of a CBS code (the code structure BU gggg ww bb): buurt -> wijk -> gemeente; NULL otherwise.';

-- Parse one cell of a key-figure file. CBS suppression marks ('.', '', 'x', '?', '-',
-- -99995, -99997 and the other -9999x codes) give NULL with suppressed = true;
-- text that is not a number gives NULL with suppressed = false (the caller reports it).
CREATE FUNCTION buurtmonitor.parse_value(raw text, OUT value double precision, OUT suppressed boolean)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    t text := btrim(raw);
BEGIN
    IF t IS NULL OR t IN ('', '.', 'x', 'X', '?', '-', '..') OR t ~ '^-9999[0-9]$' THEN
        value := NULL; suppressed := true; RETURN;
    END IF;
    -- a decimal comma (Dutch notation) is accepted when there is no decimal point
    IF t ~ '^[+-]?[0-9]+,[0-9]+$' THEN
        t := replace(t, ',', '.');
    END IF;
    IF t ~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$' THEN
        -- a number beyond double precision (1e400, 1e-400) is no figure either: NULL, reported
        IF abs(t::numeric) > 1.7976931348623157e308 OR (t::numeric <> 0 AND abs(t::numeric) < 4.9406564584124654e-324) THEN
            value := NULL;
        ELSE
            value := t::double precision;
        END IF;
        suppressed := false;
    ELSE
        value := NULL; suppressed := false;
    END IF;
END
$$;
COMMENT ON FUNCTION buurtmonitor.parse_value(text) IS
    'Parse a key-figure cell: CBS suppression marks (., empty, x, ?, -99995, -99997, ...) give suppressed = true; non-numbers, NaN, infinities and numbers beyond double precision give value NULL and suppressed = false.';

-- The catalogue code for a column name: the code itself, else an alias; NULL when unknown.
CREATE FUNCTION buurtmonitor.resolve_indicator(name text) RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN coalesce(
        (SELECT i.code FROM buurtmonitor.indicators i WHERE i.code = name),
        (SELECT i.code FROM buurtmonitor.indicators i WHERE lower(i.code) = lower(name) ORDER BY i.code LIMIT 1),
        (SELECT a.indicator FROM buurtmonitor.indicator_aliases a WHERE a.alias = name),
        (SELECT a.indicator FROM buurtmonitor.indicator_aliases a WHERE lower(a.alias) = lower(name) ORDER BY a.alias LIMIT 1));
END
$$;
COMMENT ON FUNCTION buurtmonitor.resolve_indicator(text) IS
    'Catalogue code for a column name: the indicator code itself (case-insensitive), else an entry of indicator_aliases; NULL when unknown.';

-- Raise one error that lists offending items (at most 10 named, then a count).
CREATE FUNCTION buurtmonitor._fail(sqlstate text, message text, items text[], hint text)
RETURNS void LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    listed text := array_to_string(items[1:10], ', ')
        || CASE WHEN cardinality(items) > 10 THEN format(' and %s more', cardinality(items) - 10) ELSE '' END;
BEGIN
    RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = format(message, listed), HINT = hint;
END
$$;
COMMENT ON FUNCTION buurtmonitor._fail(text, text, text[], text) IS
    'Internal: raise an error whose message lists the offending rows (first ten, then a count).';

-- Raise a clear error when a name argument (a column, table, schema or file name) is NULL or empty,
-- instead of the bare "null values cannot be formatted as an SQL identifier" of format('%I').
CREATE FUNCTION buurtmonitor._require_names(names text[], labels text[])
RETURNS void LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    FOR i IN 1 .. coalesce(cardinality(labels), 0) LOOP
        IF names[i] IS NULL OR names[i] = '' THEN
            RAISE EXCEPTION '% must not be NULL or empty', labels[i]
                USING ERRCODE = 'null_value_not_allowed',
                      HINT = 'Pass a name; an argument with a default can be left out instead.';
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION buurtmonitor._require_names(text[], text[]) IS
    'Internal: raise null_value_not_allowed naming the first argument (labels) whose name (names) is NULL or empty.';
-- Concurrency. Every function that writes a shared table serialises the writers that would
-- otherwise collide, with transaction-level advisory locks (released at commit or rollback):
--   observations of one (vintage, period)   lock_observations(vintage, period)
--   areas of one vintage                    load_areas, and loads that create or name areas
--   a stored crosswalk (from, to, level)     build_crosswalk
--   a view or schema by name                create_wide_view, create_layer_views
-- A function that needs several locks takes them in sorted order, so callers never deadlock
-- on them; see docs/loading.md.

-- Internal: wait for the advisory lock named by a catalogue (the table the lock protects) and a key.
CREATE FUNCTION buurtmonitor._lock(catalog regclass, key text) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.pg_advisory_xact_lock(catalog::oid::integer, pg_catalog.hashtext(key))
$$;
COMMENT ON FUNCTION buurtmonitor._lock(regclass, text) IS
    'Internal: wait for the transaction-level advisory lock (classid = the catalogue''s OID, objid = hashtext(key)); released at commit or rollback.';

-- Serialise the writers of the observations of one (vintage, period).
CREATE FUNCTION buurtmonitor.lock_observations(vintage integer, period integer) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF vintage IS NULL OR period IS NULL THEN
        RAISE EXCEPTION 'vintage and period must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Lock one boundary edition and period, for example lock_observations(2022, 2023).';
    END IF;
    PERFORM buurtmonitor._lock('buurtmonitor.observations', format('%s %s', vintage, period));
END
$$;
COMMENT ON FUNCTION buurtmonitor.lock_observations(integer, integer) IS
    'Wait until no other transaction writes the observations of this vintage and period through buurtmonitor''s functions, and keep them out until commit; loads, roll-ups and re-expressions take it themselves.';

-- Internal: take lock_observations, in sorted order, for the (vintage, period) pairs a function is
-- about to write: write_vintage (or the row's own vintage) with each period of the observations of
-- read_vintage (NULL: all) in period / periods (NULL: all). Returns the pairs it locked; the caller
-- writes only those (a period first loaded after this point is written by the next call).
CREATE FUNCTION buurtmonitor._lock_observation_periods(read_vintage integer, period integer,
                                                       periods integer[], write_vintage integer)
RETURNS TABLE (locked_vintage integer, locked_period integer)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    vs integer[];
    ps integer[];
BEGIN
    IF read_vintage IS NOT NULL AND (_lock_observation_periods.period IS NOT NULL OR periods IS NOT NULL) THEN
        -- the pairs are given: no scan of the observations
        SELECT array_agg(DISTINCT x.p ORDER BY x.p) INTO ps
          FROM unnest(coalesce(periods, ARRAY[_lock_observation_periods.period])) x(p)
         WHERE x.p IS NOT NULL
           AND (_lock_observation_periods.period IS NULL OR x.p = _lock_observation_periods.period);
        vs := array_fill(coalesce(write_vintage, read_vintage), ARRAY[coalesce(cardinality(ps), 0)]);
    ELSE
        SELECT array_agg(x.v ORDER BY x.v, x.p), array_agg(x.p ORDER BY x.v, x.p) INTO vs, ps
          FROM (SELECT DISTINCT coalesce(write_vintage, o.vintage) AS v, o.period AS p
                  FROM buurtmonitor.observations o
                 WHERE (read_vintage IS NULL OR o.vintage = read_vintage)
                   AND (_lock_observation_periods.period IS NULL OR o.period = _lock_observation_periods.period)
                   AND (periods IS NULL OR o.period = ANY (periods))) x;
    END IF;
    FOR i IN 1 .. coalesce(cardinality(ps), 0) LOOP
        PERFORM buurtmonitor.lock_observations(vs[i], ps[i]);
        locked_vintage := vs[i]; locked_period := ps[i];
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION buurtmonitor._lock_observation_periods(integer, integer, integer[], integer) IS
    'Internal: lock_observations in sorted order for write_vintage (or each row''s vintage) and every period of the observations of read_vintage that match; returns the locked pairs.';

-- Internal: ANALYZE observations unless another transaction holds a conflicting lock on it
-- (a concurrent load's ANALYZE, autovacuum): waiting for that lock until the other commits
-- would serialise the loads, and deadlock them when the other waits for our rows.
CREATE FUNCTION buurtmonitor._refresh_observation_statistics() RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    LOCK TABLE buurtmonitor.observations IN SHARE UPDATE EXCLUSIVE MODE NOWAIT;
    ANALYZE buurtmonitor.observations;
EXCEPTION WHEN lock_not_available OR insufficient_privilege THEN
    NULL;  -- the other transaction's statistics serve, or autovacuum's
END
$$;
COMMENT ON FUNCTION buurtmonitor._refresh_observation_statistics() IS
    'Internal: refresh the statistics of observations after a load when no other transaction is analysing it (never waits).';

-- Load areas from a staging table or query result that has a code, a name, optionally a
-- parent code, and a geometry. This is the common path behind load_areas_geojson.
CREATE FUNCTION buurtmonitor.load_areas(
    staging regclass,
    vintage integer,
    level text DEFAULT NULL,
    code_column text DEFAULT 'code',
    name_column text DEFAULT 'name',
    parent_column text DEFAULT NULL,
    geom_column text DEFAULT 'geom',
    repair boolean DEFAULT false,
    transform boolean DEFAULT false,
    derive_parents boolean DEFAULT true)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    bad text[];
    n integer;
    n_repaired integer;
BEGIN
    IF vintage IS NULL THEN
        RAISE EXCEPTION 'vintage must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass the year of the boundary edition, for example vintage => 2022.';
    END IF;
    IF level IS NOT NULL AND NOT EXISTS (SELECT 1 FROM buurtmonitor.levels l WHERE l.level = load_areas.level) THEN
        PERFORM buurtmonitor._fail('invalid_parameter_value', 'unknown level: %s', ARRAY[level],
            'Use one of the levels in buurtmonitor.levels, or add yours there first.');
    END IF;

    PERFORM buurtmonitor._require_names(ARRAY[staging::text, code_column, geom_column], '{staging,code_column,geom_column}');
    PERFORM buurtmonitor._require_columns(staging, ARRAY[code_column, name_column, parent_column, geom_column], 'staging');
    -- one writer of the areas of a vintage at a time (see the concurrency note above)
    PERFORM buurtmonitor._lock('buurtmonitor.areas', vintage::text);

    IF to_regclass('pg_temp._bm_areas') IS NOT NULL THEN DROP TABLE pg_temp._bm_areas; END IF;
    BEGIN  -- PostGIS reports an unreadable geometry as an internal error (XX000): say which column
    EXECUTE format(
        'CREATE TEMP TABLE _bm_areas AS
           SELECT btrim(%1$I::text) AS code, %2$s AS name, %3$s AS parent_code,
                  %4$I::@extschema:postgis@.geometry AS geom, row_number() OVER () AS line
             FROM %5$s',
        code_column,
        CASE WHEN name_column IS NULL THEN 'NULL::text' ELSE format('%I::text', name_column) END,
        CASE WHEN parent_column IS NULL THEN 'NULL::text' ELSE format('nullif(btrim(%I::text), '''')', parent_column) END,
        geom_column, staging);
    EXCEPTION WHEN internal_error THEN
        RAISE EXCEPTION 'cannot read column "%" of % as a geometry: %', geom_column, staging, SQLERRM
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Name the geometry column with geom_column => ...; text must be WKT, EWKT or hex WKB.';
    END;

    SELECT array_agg(format('line %s', line) ORDER BY line) INTO bad
      FROM _bm_areas WHERE code IS NULL OR code = '';
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('not_null_violation', 'areas without a code: %s', bad,
            'Every area needs a code; check the code column.');
    END IF;

    SELECT array_agg(code ORDER BY code) INTO bad
      FROM (SELECT code FROM _bm_areas GROUP BY code HAVING count(*) > 1) d;
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('unique_violation', 'duplicate area codes in the input: %s', bad,
            'Each area code may occur once per vintage; remove or merge the duplicates.');
    END IF;

    SELECT array_agg(a.code ORDER BY a.code) INTO bad
      FROM _bm_areas a JOIN buurtmonitor.areas x ON x.code = a.code AND x.vintage = load_areas.vintage;
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('unique_violation', format('areas already loaded for vintage %s: %%s', vintage), bad,
            'Delete them first (DELETE FROM buurtmonitor.areas WHERE vintage = ...) or load another vintage.');
    END IF;

    IF level IS NULL THEN
        SELECT array_agg(code ORDER BY code) INTO bad
          FROM _bm_areas WHERE buurtmonitor.level_of_code(code) IS NULL;
        IF bad IS NOT NULL THEN
            PERFORM buurtmonitor._fail('invalid_parameter_value', 'cannot tell the level of non-CBS codes: %s', bad,
                'Pass level => ''stadsdeel'' (or another level) for codes that are not CBS codes.');
        END IF;
    END IF;

    -- geometry type and SRID
    SELECT array_agg(format('%s (%s)', code, @extschema:postgis@.GeometryType(geom)) ORDER BY code) INTO bad
      FROM _bm_areas WHERE geom IS NOT NULL AND @extschema:postgis@.GeometryType(geom) NOT IN ('POLYGON', 'MULTIPOLYGON');
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('invalid_parameter_value', 'areas must be polygons or multipolygons: %s', bad,
            'Convert the geometries with ST_CollectionExtract(geom, 3).');
    END IF;
    SELECT array_agg(format('%s (SRID %s)', code, @extschema:postgis@.ST_SRID(geom)) ORDER BY code) INTO bad
      FROM _bm_areas WHERE geom IS NOT NULL AND @extschema:postgis@.ST_SRID(geom) <> 28992;
    IF bad IS NOT NULL THEN
        IF transform AND NOT EXISTS (SELECT 1 FROM _bm_areas WHERE geom IS NOT NULL AND @extschema:postgis@.ST_SRID(geom) = 0) THEN
            UPDATE _bm_areas SET geom = @extschema:postgis@.ST_Transform(geom, 28992) WHERE geom IS NOT NULL AND @extschema:postgis@.ST_SRID(geom) <> 28992;
        ELSE
            PERFORM buurtmonitor._fail('invalid_parameter_value', 'geometries are not in EPSG:28992 (RD New): %s', bad,
                'Transform them with ST_Transform(geom, 28992), or pass transform => true (needs a known SRID).');
        END IF;
    END IF;

    -- validity: refuse, or repair and report
    -- ST_IsValidDetail, unlike ST_IsValid, does not send a NOTICE per invalid geometry
    SELECT array_agg(format('%s (%s)', code, (@extschema:postgis@.ST_IsValidDetail(geom)).reason) ORDER BY code) INTO bad
      FROM _bm_areas WHERE geom IS NOT NULL AND NOT (@extschema:postgis@.ST_IsValidDetail(geom)).valid;
    IF bad IS NOT NULL THEN
        IF NOT repair THEN
            PERFORM buurtmonitor._fail('invalid_parameter_value', 'invalid geometries: %s', bad,
                'Repair them with ST_MakeValid(geom), or pass repair => true to repair and report them.');
        END IF;
        UPDATE _bm_areas SET geom = @extschema:postgis@.ST_CollectionExtract(@extschema:postgis@.ST_MakeValid(geom), 3)
         WHERE geom IS NOT NULL AND NOT (@extschema:postgis@.ST_IsValidDetail(geom)).valid;
        n_repaired := cardinality(bad);
        RAISE NOTICE 'repaired % invalid geometries: %', n_repaired, array_to_string(bad[1:10], ', ');
    END IF;
    SELECT array_agg(code ORDER BY code) INTO bad
      FROM _bm_areas WHERE geom IS NOT NULL AND (@extschema:postgis@.ST_IsEmpty(geom) OR @extschema:postgis@.ST_Area(geom) = 0);
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('invalid_parameter_value', 'empty or zero-area geometries: %s', bad,
            'Remove these areas from the input or give them a real boundary.');
    END IF;

    -- parent codes: given, or derived from the CBS code structure
    UPDATE _bm_areas SET parent_code = buurtmonitor.parent_of_code(code) WHERE parent_code IS NULL;

    INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code, geom)
    SELECT a.code, load_areas.vintage, a.name,
           coalesce(load_areas.level, buurtmonitor.level_of_code(a.code)),
           a.parent_code, @extschema:postgis@.ST_Multi(a.geom)
      FROM _bm_areas a ORDER BY a.line;
    GET DIAGNOSTICS n = ROW_COUNT;

    IF derive_parents THEN
        PERFORM buurtmonitor.derive_parent_areas(vintage);
    END IF;
    PERFORM buurtmonitor.check_parents(vintage);
    DROP TABLE pg_temp._bm_areas;
    RETURN n;
END
$$;
COMMENT ON FUNCTION buurtmonitor.load_areas(regclass, integer, text, text, text, text, text, boolean, boolean, boolean) IS
    'Load areas of one boundary edition from a table with code, name, parent and geometry columns; all-or-nothing, errors name the rows. Options: repair invalid geometries, transform to EPSG:28992, derive missing wijk/gemeente polygons by dissolving.';

-- Check that every parent code of a vintage exists; errors list the orphans.
CREATE FUNCTION buurtmonitor.check_parents(vintage integer) RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    bad text[];
BEGIN
    SELECT array_agg(format('%s (parent %s)', c.code, c.parent_code) ORDER BY c.code) INTO bad
      FROM buurtmonitor.areas c
     WHERE c.vintage = check_parents.vintage AND c.parent_code IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM buurtmonitor.areas p
                        WHERE p.code = c.parent_code AND p.vintage = c.vintage);
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('foreign_key_violation', 'areas whose parent is missing: %s', bad,
            'Load the parent areas of the same vintage first, or pass derive_parents => true to dissolve them from their children.');
    END IF;
END
$$;
COMMENT ON FUNCTION buurtmonitor.check_parents(integer) IS
    'Raise an error listing the areas of a vintage whose parent area is missing.';

-- Create missing parent areas by dissolving their children, level by level upwards
-- (buurten -> wijken -> gemeenten). Parents that exist without geometry get the dissolved one.
CREATE FUNCTION buurtmonitor.derive_parent_areas(vintage integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    total integer := 0;
    n integer;
BEGIN
    LOOP
        INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code, geom)
        SELECT c.parent_code, derive_parent_areas.vintage, NULL,
               buurtmonitor.level_of_code(c.parent_code),
               buurtmonitor.parent_of_code(c.parent_code),
               @extschema:postgis@.ST_Multi(@extschema:postgis@.ST_Union(c.geom))
          FROM buurtmonitor.areas c
         WHERE c.vintage = derive_parent_areas.vintage AND c.parent_code IS NOT NULL
           AND buurtmonitor.level_of_code(c.parent_code) IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM buurtmonitor.areas p
                            WHERE p.code = c.parent_code AND p.vintage = c.vintage)
         GROUP BY c.parent_code;
        GET DIAGNOSTICS n = ROW_COUNT;
        EXIT WHEN n = 0;
        total := total + n;
    END LOOP;
    -- existing parents without a boundary get the union of their children, smallest level first
    FOR n IN SELECT l.rank FROM buurtmonitor.levels l ORDER BY l.rank LOOP
        UPDATE buurtmonitor.areas p
           SET geom = d.geom
          FROM (SELECT c.parent_code, @extschema:postgis@.ST_Multi(@extschema:postgis@.ST_Union(c.geom)) AS geom
                  FROM buurtmonitor.areas c
                 WHERE c.vintage = derive_parent_areas.vintage AND c.geom IS NOT NULL
                 GROUP BY c.parent_code) d
         WHERE p.vintage = derive_parent_areas.vintage AND p.code = d.parent_code AND p.geom IS NULL
           AND p.level = (SELECT l.level FROM buurtmonitor.levels l WHERE l.rank = n);
    END LOOP;
    RETURN total;
END
$$;
COMMENT ON FUNCTION buurtmonitor.derive_parent_areas(integer) IS
    'Create the missing wijk and gemeente areas of a vintage by dissolving their buurten (codes from the CBS code structure); fill missing parent boundaries. Returns the number of areas created.';

-- Load a CBS wijk- en buurtkaart GeoJSON FeatureCollection (as published through PDOK,
-- or exported with ogr2ogr -f GeoJSON). The SRID comes from the collection's "crs" member;
-- without one, GeoJSON means WGS84 (EPSG:4326).
CREATE FUNCTION buurtmonitor.load_areas_geojson(
    doc jsonb,
    vintage integer,
    level text DEFAULT NULL,
    code_property text DEFAULT 'statcode',
    name_property text DEFAULT 'statnaam',
    parent_property text DEFAULT NULL,
    repair boolean DEFAULT false,
    transform boolean DEFAULT false,
    derive_parents boolean DEFAULT true)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    crs text := doc #>> '{crs,properties,name}';
    srid integer;
    n integer;
BEGIN
    IF doc IS NULL OR doc->>'type' IS DISTINCT FROM 'FeatureCollection' OR jsonb_typeof(doc->'features') <> 'array' THEN
        RAISE EXCEPTION 'input is not a GeoJSON FeatureCollection' USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass the whole file, for example pg_read_file(''buurt_2022.geojson'')::jsonb.';
    END IF;
    srid := CASE
        WHEN crs IS NULL OR crs ~* 'CRS84$' THEN 4326
        WHEN crs ~ '[0-9]+$' THEN substring(crs FROM '([0-9]+)$')::integer
    END;
    IF srid IS NULL THEN
        RAISE EXCEPTION 'cannot read the coordinate reference system "%"', crs USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use a crs name of the form urn:ogc:def:crs:EPSG::28992.';
    END IF;

    IF to_regclass('pg_temp._bm_features') IS NOT NULL THEN DROP TABLE pg_temp._bm_features; END IF;
    CREATE TEMP TABLE _bm_features AS
    SELECT f->'properties'->>code_property AS code,
           f->'properties'->>name_property AS name,
           CASE WHEN parent_property IS NOT NULL THEN f->'properties'->>parent_property END AS parent_code,
           CASE WHEN f->'geometry' IS NULL OR jsonb_typeof(f->'geometry') = 'null' THEN NULL
                ELSE @extschema:postgis@.ST_SetSRID(@extschema:postgis@.ST_GeomFromGeoJSON(f->'geometry'), srid) END AS geom
      FROM jsonb_array_elements(doc->'features') WITH ORDINALITY AS t(f, i)
     ORDER BY i;

    n := buurtmonitor.load_areas('pg_temp._bm_features'::regclass, vintage, level,
                                 'code', 'name', 'parent_code', 'geom',
                                 repair, transform, derive_parents);
    DROP TABLE pg_temp._bm_features;
    RETURN n;
END
$$;
COMMENT ON FUNCTION buurtmonitor.load_areas_geojson(jsonb, integer, text, text, text, text, boolean, boolean, boolean) IS
    'Load a CBS wijk- en buurtkaart GeoJSON FeatureCollection (statcode, statnaam properties) as areas of one vintage; SRID from the crs member; all-or-nothing.';

-- Columns of key-figure files that identify or describe an area rather than measure it.
CREATE FUNCTION buurtmonitor.identifier_columns() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['gwb_code_10', 'gwb_code_8', 'gwb_code', 'regio', 'gm_naam', 'gm_code', 'gmcode',
                 'wk_code', 'wkcode', 'recs', 'ind_wbi', 'jaar', 'period', 'vintage', 'buurt_code',
                 'statcode', 'statnaam', 'code', 'name', 'area_code', '_row']
$$;
COMMENT ON FUNCTION buurtmonitor.identifier_columns() IS
    'Column names that load_observations treats as identifiers and never as indicators (gwb_code_10, regio, gm_naam, recs, jaar, ...).';

-- Fill numerator and denominator of share, mean and score observations from their
-- denominator (base) indicator in the same area, vintage and period, so that roll-ups
-- are ratios of sums. Returns the number of observations updated.
CREATE FUNCTION buurtmonitor.refresh_denominators(vintage integer DEFAULT NULL, period integer DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    bad text[];
    lv integer[];
    lp integer[];
BEGIN
    -- the locks a load of these observations takes (a load calling this holds them already)
    SELECT array_agg(l.locked_vintage), array_agg(l.locked_period) INTO lv, lp
      FROM buurtmonitor._lock_observation_periods(vintage, period, NULL, NULL) l;
    -- value * base overflows double precision: name the observations instead of failing on one
    SELECT array_agg(format('%s %s %s = %s (base %s = %s)', o.area_code, o.period, o.indicator, o.value,
                            i.denominator, b.value) ORDER BY o.area_code, o.period, o.indicator) INTO bad
      FROM buurtmonitor.observations o, buurtmonitor.indicators i, buurtmonitor.observations b
     WHERE i.code = o.indicator AND i.denominator IS NOT NULL
       AND b.area_code = o.area_code AND b.vintage = o.vintage AND b.period = o.period
       AND b.indicator = i.denominator AND b.value > 0
       AND (refresh_denominators.vintage IS NULL OR o.vintage = refresh_denominators.vintage)
       AND (refresh_denominators.period IS NULL OR o.period = refresh_denominators.period)
       AND abs(o.value) > 1.7976931348623157e308 / b.value;
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('numeric_value_out_of_range', 'numerator value * base is beyond the range of double precision (1.8e308) for: %s', bad,
            'Correct the value or its base, or rescale the indicator (for example to thousands).');
    END IF;
    UPDATE buurtmonitor.observations o
       SET denominator = b.value,
           numerator = o.value * b.value / i.scale
      FROM buurtmonitor.indicators i, buurtmonitor.observations b
     WHERE i.code = o.indicator AND i.denominator IS NOT NULL
       AND b.area_code = o.area_code AND b.vintage = o.vintage AND b.period = o.period
       AND b.indicator = i.denominator AND b.value IS NOT NULL AND b.value >= 0
       AND (o.vintage, o.period) IN (SELECT * FROM unnest(lv, lp))
       AND o.value IS NOT NULL
       AND (o.denominator IS DISTINCT FROM b.value OR o.numerator IS DISTINCT FROM o.value * b.value / i.scale);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION buurtmonitor.refresh_denominators(integer, integer) IS
    'Set numerator = value * base / scale and denominator = base for share, mean and score observations whose base indicator is known in the same area and period.';

-- Load key figures from a staging table: the wide CBS KWB layout (one row per area, one
-- column per indicator) or a long layout (columns indicator and value). Column names are
-- resolved through mapping, then the catalogue, then indicator_aliases.
CREATE FUNCTION buurtmonitor.load_observations(
    staging regclass,
    period integer DEFAULT NULL,
    vintage integer DEFAULT NULL,
    mapping jsonb DEFAULT NULL,
    code_column text DEFAULT NULL,
    ignore_columns text[] DEFAULT NULL,
    owner text DEFAULT buurtmonitor.default_owner(),
    source text DEFAULT NULL,
    create_areas boolean DEFAULT true,
    on_conflict text DEFAULT 'error',
    zero_is_suppressed text[] DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    arg_period integer := load_observations.period;
    arg_vintage integer := load_observations.vintage;
    arg_owner text := load_observations.owner;
    arg_source text := load_observations.source;
    cols text[];
    code_col text := code_column;
    period_col text;
    name_col text;
    is_long boolean;
    bad text[];
    n integer;
    lock_v integer;
    lock_p integer;
    may_write_areas boolean := has_table_privilege('buurtmonitor.areas', 'INSERT, UPDATE');
BEGIN
    PERFORM buurtmonitor._require_names(ARRAY[staging::text, arg_owner], '{staging,owner}');
    IF on_conflict NOT IN ('error', 'update', 'skip') THEN
        RAISE EXCEPTION 'unknown on_conflict value "%"', on_conflict USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use error, update or skip.';
    END IF;
    IF NOT (arg_period BETWEEN 1800 AND 2999) THEN
        RAISE EXCEPTION 'period % is out of range', arg_period USING ERRCODE = 'numeric_value_out_of_range',
            HINT = 'Periods are years from 1800 to 2999.';
    END IF;
    IF NOT (arg_vintage BETWEEN 1800 AND 2999) THEN
        RAISE EXCEPTION 'vintage % is out of range', arg_vintage USING ERRCODE = 'numeric_value_out_of_range',
            HINT = 'Vintages are years from 1800 to 2999.';
    END IF;
    IF mapping IS NOT NULL AND jsonb_typeof(mapping) <> 'object' THEN
        RAISE EXCEPTION 'mapping must be a JSON object of column name to indicator code' USING ERRCODE = 'invalid_parameter_value',
            HINT = 'For example ''{"aantal_inwoners": "a_inw"}''::jsonb.';
    END IF;

    SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO cols
      FROM pg_attribute a WHERE a.attrelid = staging AND a.attnum > 0 AND NOT a.attisdropped;
    is_long := cols @> ARRAY['indicator', 'value'];
    IF code_col IS NULL THEN
        SELECT c INTO code_col FROM unnest(ARRAY['gwb_code_10', 'buurt_code', 'area_code', 'statcode', 'code']) c
         WHERE c = ANY (cols) LIMIT 1;
    END IF;
    IF code_col IS NULL OR NOT code_col = ANY (cols) THEN
        RAISE EXCEPTION 'staging table % has no area code column%', staging,
            coalesce(' "' || code_column || '"', '') USING ERRCODE = 'undefined_column',
            HINT = 'Name it with code_column => ''...''; by default gwb_code_10, buurt_code, area_code, statcode or code is used.';
    END IF;
    SELECT c INTO period_col FROM unnest(ARRAY['jaar', 'period']) c WHERE c = ANY (cols) LIMIT 1;
    IF arg_period IS NULL AND period_col IS NULL THEN
        RAISE EXCEPTION 'no period given and staging table % has no column jaar or period', staging
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass period => 2022.';
    END IF;
    SELECT c INTO name_col FROM unnest(ARRAY['regio', 'statnaam', 'name']) c WHERE c = ANY (cols) LIMIT 1;

    -- one row per (area, period, column, raw text)
    IF to_regclass('pg_temp._bm_cells') IS NOT NULL THEN DROP TABLE pg_temp._bm_cells; END IF;
    EXECUTE format($q$
        CREATE TEMP TABLE _bm_cells AS
        WITH rows AS (
            SELECT row_number() OVER () + %7$s AS line, to_jsonb(s) AS j FROM %1$s)
        SELECT line,
               btrim(j->>%2$L) AS code,
               %3$s AS period_raw,
               CASE WHEN %3$s ~ '^[+-]?[0-9]{1,9}$' THEN (%3$s)::integer END AS period,
               %4$s AS name,
               %6$s AS gm_name,
               kv.key AS col, kv.value AS raw
          FROM rows, LATERAL (%5$s) kv
    $q$, (SELECT coalesce(format('(SELECT %s FROM %s) s', string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum), staging),
                         staging || ' s')  -- geometry columns left out: to_jsonb would make GeoJSON of them
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
           WHERE a.attrelid = staging AND a.attnum > 0 AND NOT a.attisdropped
             AND t.typname NOT IN ('geometry', 'geography')), code_col,
        CASE WHEN arg_period IS NOT NULL THEN quote_literal(arg_period::text)
             ELSE format('nullif(btrim(j->>%L), '''')', period_col) END,
        CASE WHEN name_col IS NULL THEN 'NULL::text' ELSE format('j->>%L', name_col) END,
        CASE WHEN is_long THEN 'SELECT j->>''indicator'' AS key, j->>''value'' AS value'
             ELSE 'SELECT e.key, e.value FROM jsonb_each_text(j) e' END,
        CASE WHEN 'gm_naam' = ANY (cols) THEN 'j->>''gm_naam''' ELSE 'NULL::text' END,
        -- load_csv sets 1 so that "line N" is the file line (below the header)
        coalesce(nullif(current_setting('buurtmonitor.line_offset', true), ''), '0')::integer);
    ANALYZE _bm_cells;
    IF NOT is_long THEN
        DELETE FROM _bm_cells c
         WHERE lower(c.col) = ANY (buurtmonitor.identifier_columns() || coalesce(ignore_columns, '{}'))
            OR c.col = code_col OR c.col = ANY (coalesce(ignore_columns, '{}'))
            OR (mapping IS NOT NULL AND mapping ? c.col AND jsonb_typeof(mapping->c.col) = 'null');
    END IF;

    SELECT array_agg(format('line %s', line) ORDER BY line) INTO bad
      FROM (SELECT DISTINCT line FROM _bm_cells WHERE code IS NULL OR code = '' OR period_raw IS NULL) x;
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('not_null_violation', 'rows without an area code or period: %s', bad,
            'Every row needs an area code and a period (column jaar, or pass period => ...).');
    END IF;
    -- periods that are not whole numbers, or not years the model accepts (1800 to 2999)
    SELECT array_agg(format('line %s %s ''%s''', line, code, period_raw) ORDER BY line) INTO bad
      FROM (SELECT DISTINCT line, code, period_raw FROM _bm_cells WHERE period IS NULL) x;
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('invalid_text_representation', 'periods that are not whole years: %s', bad,
            'Write the period as a year such as 2022 (column jaar or period), or pass period => 2022.');
    END IF;
    SELECT array_agg(format('line %s %s %s', line, code, period) ORDER BY line) INTO bad
      FROM (SELECT DISTINCT line, code, period FROM _bm_cells
             WHERE NOT period BETWEEN 1800 AND 2999
                OR NOT coalesce(arg_vintage, period) BETWEEN 1800 AND 2999) x;
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('numeric_value_out_of_range', 'periods out of range (years 1800 to 2999): %s', bad,
            'Correct the year of these rows; periods and vintages are years from 1800 to 2999.');
    END IF;

    -- resolve each distinct column once
    IF to_regclass('pg_temp._bm_cols') IS NOT NULL THEN DROP TABLE pg_temp._bm_cols; END IF;
    CREATE TEMP TABLE _bm_cols AS
    SELECT d.col, coalesce(mapping->>d.col, buurtmonitor.resolve_indicator(d.col)) AS indicator
      FROM (SELECT DISTINCT col FROM _bm_cells) d;
    SELECT array_agg(format('%s → %s', c.col, c.indicator) ORDER BY c.col) INTO bad
      FROM _bm_cols c WHERE mapping ? c.col
       AND NOT EXISTS (SELECT 1 FROM buurtmonitor.indicators i WHERE i.code = c.indicator);
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('invalid_parameter_value', 'mapping names unknown indicators: %s', bad,
            'Add the indicators to buurtmonitor.indicators first, or correct the mapping.');
    END IF;
    SELECT array_agg(col ORDER BY col) INTO bad FROM _bm_cols WHERE indicator IS NULL;

    -- one table with the indicator and the parsed value of every cell
    ALTER TABLE _bm_cells RENAME TO _bm_raw;
    CREATE TEMP TABLE _bm_cells AS
    SELECT r.*, k.indicator,
           CASE WHEN z.zero THEN NULL ELSE p.value END AS value, p.suppressed OR z.zero AS suppressed
      FROM _bm_raw r JOIN _bm_cols k USING (col), LATERAL buurtmonitor.parse_value(r.raw) p,
           LATERAL (SELECT p.value = 0 AND (k.indicator = ANY (zero_is_suppressed)
                                            OR r.col = ANY (zero_is_suppressed)) IS TRUE AS zero) z;
    DROP TABLE _bm_raw, _bm_cols;
    ANALYZE _bm_cells;
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('invalid_parameter_value', 'unknown indicators: %s', bad,
            'Add them to buurtmonitor.indicators (or buurtmonitor.indicator_aliases), map them with mapping => ''{"column": "indicator"}'', or skip them with ignore_columns.');
    END IF;

    -- duplicates: an area twice in one period, or two columns for the same indicator
    SELECT array_agg(format('%s %s %s', code, period, indicator) ORDER BY code, period, indicator) INTO bad
      FROM (SELECT code, period, indicator FROM _bm_cells GROUP BY 1, 2, 3 HAVING count(*) > 1) d;
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('unique_violation', 'duplicate area codes in the input (area, period, indicator): %s', bad,
            'Each area may occur once per period; remove the duplicate rows.');
    END IF;

    -- NaN, infinities and numbers beyond double precision: never a figure (docs/loading.md)
    SELECT array_agg(format('line %s: %s %s = ''%s''', line, code, indicator, raw) ORDER BY line, col) INTO bad
      FROM _bm_cells
     WHERE value IS NULL AND NOT suppressed
       AND (btrim(raw) ~* '^[+-]?(nan|inf|infinity)$'
            OR btrim(raw) ~ '^[+-]?([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][+-]?[0-9]+)?$');
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('invalid_text_representation', 'values that are not finite numbers: %s', bad,
            'NaN and infinities are not figures, and numbers must lie within double precision (about 1.8e308). Leave a missing figure empty or use a CBS suppression mark (.), or correct the number.');
    END IF;
    SELECT array_agg(format('line %s %s %s = ''%s''', line, code,
                            CASE WHEN indicator = col THEN col ELSE format('%s (%s)', col, indicator) END,
                            raw) ORDER BY line, col) INTO bad
      FROM _bm_cells WHERE value IS NULL AND NOT suppressed;
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('invalid_text_representation', 'non-numeric values: %s', bad,
            'Use numbers with a decimal point; CBS suppression marks (., empty, -99995, -99997) are loaded as suppressed.');
    END IF;

    -- concurrency: one writer per (vintage, period) of the observations, locks taken in sorted order
    -- before anything is read or written, so the checks below see every earlier load
    FOR lock_v, lock_p IN SELECT DISTINCT coalesce(arg_vintage, c.period), c.period FROM _bm_cells c ORDER BY 1, 2 LOOP
        PERFORM buurtmonitor.lock_observations(lock_v, lock_p);
    END LOOP;
    -- areas are created and named under the lock per vintage that load_areas takes; a load of
    -- known, named areas does not take it
    FOR lock_v IN SELECT DISTINCT c.v
                    FROM (SELECT DISTINCT coalesce(arg_vintage, period) AS v, code, name, gm_name FROM _bm_cells) c
                   WHERE NOT EXISTS (SELECT 1 FROM buurtmonitor.areas a
                                      WHERE a.code = c.code AND a.vintage = c.v
                                        AND (a.name IS NOT NULL OR c.name IS NULL))
                      OR (c.gm_name IS NOT NULL AND c.code ~ '^(BU|WK|GM)[0-9]{4}'
                          AND EXISTS (SELECT 1 FROM buurtmonitor.areas a
                                       WHERE a.code = 'GM' || substr(c.code, 3, 4)
                                         AND a.vintage = c.v AND a.name IS NULL))
                   ORDER BY 1 LOOP
        PERFORM buurtmonitor._lock('buurtmonitor.areas', lock_v::text);
    END LOOP;

    -- areas: create the missing CBS areas (no geometry), refuse unknown others; a role that may
    -- not write areas (a partner in a sharing setup) loads only on areas that exist
    SELECT array_agg(DISTINCT format('%s (vintage %s)', c.code, coalesce(arg_vintage, c.period))) INTO bad
      FROM _bm_cells c
     WHERE NOT EXISTS (SELECT 1 FROM buurtmonitor.areas a
                        WHERE a.code = c.code AND a.vintage = coalesce(arg_vintage, c.period))
       AND (NOT create_areas OR NOT may_write_areas OR buurtmonitor.level_of_code(c.code) IS NULL);
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('foreign_key_violation', 'unknown areas: %s', bad,
            'Load the areas first (buurtmonitor.load_areas_geojson), or pass create_areas => true for CBS codes.');
    END IF;
    IF may_write_areas THEN
        INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
        SELECT DISTINCT ON (c.code, coalesce(arg_vintage, c.period))
               c.code, coalesce(arg_vintage, c.period), c.name, buurtmonitor.level_of_code(c.code),
               buurtmonitor.parent_of_code(c.code)
          FROM _bm_cells c
         WHERE NOT EXISTS (SELECT 1 FROM buurtmonitor.areas a
                            WHERE a.code = c.code AND a.vintage = coalesce(arg_vintage, c.period))
         ORDER BY c.code, coalesce(arg_vintage, c.period), c.line
        ON CONFLICT DO NOTHING;
        -- names from the file for areas that have none (derived wijken and gemeenten)
        UPDATE buurtmonitor.areas a SET name = c.name
          FROM (SELECT DISTINCT ON (code, period) code, period, name FROM _bm_cells
                 WHERE name IS NOT NULL ORDER BY code, period, line) c
         WHERE a.code = c.code AND a.vintage = coalesce(arg_vintage, c.period) AND a.name IS NULL;

        -- municipality names from a gm_naam column (the KWB files and the province file have one)
        UPDATE buurtmonitor.areas a SET name = c.gm_name
          FROM (SELECT DISTINCT ON (gm, period) 'GM' || substr(code, 3, 4) AS gm, period, gm_name FROM _bm_cells
                 WHERE gm_name IS NOT NULL AND code ~ '^(BU|WK|GM)[0-9]{4}' ORDER BY gm, period, line) c
         WHERE a.code = c.gm AND a.vintage = coalesce(arg_vintage, c.period) AND a.name IS NULL;

        -- parents of created areas: derive CBS parents without geometry where missing
        LOOP
            INSERT INTO buurtmonitor.areas (code, vintage, level, parent_code)
            SELECT DISTINCT a.parent_code, a.vintage, buurtmonitor.level_of_code(a.parent_code),
                   buurtmonitor.parent_of_code(a.parent_code)
              FROM buurtmonitor.areas a
             WHERE a.parent_code IS NOT NULL AND buurtmonitor.level_of_code(a.parent_code) IS NOT NULL
               AND a.vintage IN (SELECT DISTINCT coalesce(arg_vintage, period) FROM _bm_cells)
               AND NOT EXISTS (SELECT 1 FROM buurtmonitor.areas p WHERE p.code = a.parent_code AND p.vintage = a.vintage)
             ORDER BY 1, 2
            ON CONFLICT DO NOTHING;
            GET DIAGNOSTICS n = ROW_COUNT;
            EXIT WHEN n = 0;
        END LOOP;
    END IF;

    IF on_conflict = 'error' THEN
        SELECT array_agg(format('%s %s %s', c.code, c.period, c.indicator) ORDER BY c.code, c.period, c.indicator) INTO bad
          FROM _bm_cells c JOIN buurtmonitor.observations o
            ON o.area_code = c.code AND o.vintage = coalesce(arg_vintage, c.period)
           AND o.period = c.period AND o.indicator = c.indicator;
        IF bad IS NOT NULL THEN
            PERFORM buurtmonitor._fail('unique_violation', 'observations already loaded: %s', bad,
                'Pass on_conflict => ''update'' to replace them or ''skip'' to keep the existing values.');
        END IF;
    END IF;

    INSERT INTO buurtmonitor.observations AS o
           (area_code, vintage, period, indicator, value, status, owner, source)
    SELECT c.code, coalesce(arg_vintage, c.period), c.period, c.indicator, c.value,
           CASE WHEN c.suppressed THEN 'suppressed' ELSE 'observed' END,
           arg_owner, coalesce(arg_source, staging::text)
      FROM _bm_cells c
     -- rows in key order, so that writers of the same rows lock them in one order
     ORDER BY c.code, coalesce(arg_vintage, c.period), c.period, c.indicator
    ON CONFLICT (area_code, vintage, period, indicator) DO UPDATE
       SET value = excluded.value, status = excluded.status, owner = excluded.owner,
           source = excluded.source, numerator = NULL, denominator = NULL, derived_from = NULL
     WHERE load_observations.on_conflict = 'update';
    GET DIAGNOSTICS n = ROW_COUNT;
    -- fresh statistics, or the planner joins the new rows with nested loops (only the
    -- table's owner may analyze it; a partner's load leaves that to autovacuum)
    IF pg_has_role((SELECT c.relowner FROM pg_class c WHERE c.oid = 'buurtmonitor.observations'::regclass), 'USAGE') THEN
        PERFORM buurtmonitor._refresh_observation_statistics();
    END IF;

    PERFORM buurtmonitor.refresh_denominators(v, p)
       FROM (SELECT DISTINCT coalesce(arg_vintage, period) AS v, period AS p FROM _bm_cells) x;
    PERFORM buurtmonitor.check_parents(v) FROM (SELECT DISTINCT coalesce(arg_vintage, period) AS v FROM _bm_cells) x;
    DROP TABLE pg_temp._bm_cells;
    RETURN n;
END
$$;
COMMENT ON FUNCTION buurtmonitor.load_observations(regclass, integer, integer, jsonb, text, text[], text, text, boolean, text, text[]) IS
    'Load key figures from a staging table in the CBS KWB layout (one column per indicator) or a long layout (indicator, value); suppression marks (and 0 in the columns of zero_is_suppressed) become suppressed rows; all-or-nothing, errors name the rows.';

-- Create a temporary staging table with one text column per header field of a CSV file
-- on the server and copy the file into it. Needs pg_read_server_files (or superuser);
-- from a client, create the table yourself and use psql's \copy.
CREATE FUNCTION buurtmonitor.stage_csv(path text, delimiter text DEFAULT ',', table_name text DEFAULT '_bm_stage')
RETURNS regclass
LANGUAGE plpgsql AS $$
DECLARE
    header text;
    fields text[];
    names text[] := '{}';
    f text;
    i integer := 0;
BEGIN
    PERFORM buurtmonitor._require_names(ARRAY[path, table_name], '{path,table_name}');
    IF delimiter IS NULL OR octet_length(delimiter) <> 1 OR delimiter IN (E'\n', E'\r', '"') THEN
        RAISE EXCEPTION 'delimiter must be one single-byte character, not %', coalesce(quote_literal(delimiter), 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use for example '','' or '';'' or E''\t''.';
    END IF;
    IF EXISTS (SELECT 1 FROM regexp_split_to_table(path, '/') c WHERE octet_length(c) > 255) OR octet_length(path) > 4095 THEN
        RAISE EXCEPTION 'file name too long: %', left(path, 60) || '...'
            USING ERRCODE = 'name_too_long', HINT = 'Give the path of a file on the database server.';
    END IF;
    IF NOT pg_has_role('pg_read_server_files', 'USAGE') THEN
        RAISE EXCEPTION 'reading server files needs the privileges of pg_read_server_files'
            USING ERRCODE = 'insufficient_privilege',
            HINT = 'Ask the DBA to GRANT pg_read_server_files to your role, or copy the file from the client (psql \copy into a table) and call buurtmonitor.load_observations on that table.';
    END IF;
    header := split_part(pg_read_file(path, 0, 1048576), E'\n', 1);
    header := regexp_replace(header, E'^\uFEFF|\r$', '', 'g');
    fields := string_to_array(header, delimiter);
    FOREACH f IN ARRAY fields LOOP
        i := i + 1;
        f := btrim(btrim(f), '"');
        IF f = '' THEN f := CASE WHEN i = 1 THEN '_row' ELSE '_col' || i END; END IF;
        IF f = ANY (names) THEN f := f || '_' || i; END IF;
        names := names || f;
    END LOOP;
    IF to_regclass(format('pg_temp.%I', table_name)) IS NOT NULL THEN
        EXECUTE format('DROP TABLE pg_temp.%I', table_name);
    END IF;
    EXECUTE format('CREATE TEMP TABLE %I (%s)', table_name,
                   (SELECT string_agg(format('%I text', n), ', ' ORDER BY o) FROM unnest(names) WITH ORDINALITY u(n, o)));
    EXECUTE format('COPY pg_temp.%I FROM %L WITH (FORMAT csv, HEADER true, DELIMITER %L, ENCODING ''UTF8'')',
                   table_name, path, delimiter);
    RETURN format('pg_temp.%I', table_name)::regclass;
END
$$;
COMMENT ON FUNCTION buurtmonitor.stage_csv(text, text, text) IS
    'Copy a CSV file on the server into a temporary staging table with one text column per header field (empty header -> _row); returns the table.';

-- Stage a CSV file on the server and load it with load_observations.
CREATE FUNCTION buurtmonitor.load_csv(
    path text,
    period integer DEFAULT NULL,
    vintage integer DEFAULT NULL,
    mapping jsonb DEFAULT NULL,
    delimiter text DEFAULT ',',
    code_column text DEFAULT NULL,
    ignore_columns text[] DEFAULT NULL,
    owner text DEFAULT buurtmonitor.default_owner(),
    on_conflict text DEFAULT 'error',
    zero_is_suppressed text[] DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    stage regclass := buurtmonitor.stage_csv(path, delimiter, '_bm_csv');
    n integer;
BEGIN
    -- errors then name file lines: data row N is line N + 1 below the header
    PERFORM set_config('buurtmonitor.line_offset', '1', true);
    n := buurtmonitor.load_observations(stage, period, vintage, mapping, code_column, ignore_columns,
                                        owner, regexp_replace(path, '^.*/', ''), true, on_conflict,
                                        zero_is_suppressed);
    PERFORM set_config('buurtmonitor.line_offset', '', true);
    DROP TABLE pg_temp._bm_csv;
    RETURN n;
END
$$;
COMMENT ON FUNCTION buurtmonitor.load_csv(text, integer, integer, jsonb, text, text, text[], text, text, text[]) IS
    'Load a key-figure CSV file on the server (CBS KWB or custom layout) into observations: stage_csv followed by load_observations.';
