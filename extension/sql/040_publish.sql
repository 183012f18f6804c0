-- Publication: a long ("tidy") view for Power BI and other BI tools, a wide table per
-- chosen indicators, and views per level and vintage that QGIS opens as layers.

-- Every area with the codes and names of its enclosing wijk, stadsdeel and gemeente
-- (found through the parent chain, so user-defined stadsdelen between wijk and gemeente work).
-- The chain is walked per area (a LATERAL recursion of a few primary-key look-ups), so a query
-- that selects a few areas -- a QGIS map extent on a layer view -- walks only their chains instead
-- of the whole table's.
CREATE VIEW buurtmonitor._area_chain WITH (security_invoker = true) AS
SELECT a.area_id, a.code, a.vintage, a.level, a.name, a.parent_code,
       anc.parent_name, anc.wijk_code, anc.wijk_name, anc.stadsdeel_code, anc.stadsdeel_name,
       anc.gemeente_code, anc.gemeente_name, a.geom
  FROM buurtmonitor.areas a
 CROSS JOIN LATERAL (
    WITH RECURSIVE up AS (
        SELECT a.code AS code, a.level AS level, a.name AS name, a.parent_code AS parent_code, 0 AS depth
        UNION ALL
        SELECT p.code, p.level, p.name, p.parent_code, up.depth + 1
          FROM up JOIN buurtmonitor.areas p ON p.code = up.parent_code AND p.vintage = a.vintage
         WHERE up.depth < 10
    )
    SELECT max(up.name) FILTER (WHERE up.depth = 1) AS parent_name,
           max(up.code) FILTER (WHERE up.level = 'wijk') AS wijk_code,
           max(up.name) FILTER (WHERE up.level = 'wijk') AS wijk_name,
           max(up.code) FILTER (WHERE up.level = 'stadsdeel') AS stadsdeel_code,
           max(up.name) FILTER (WHERE up.level = 'stadsdeel') AS stadsdeel_name,
           max(up.code) FILTER (WHERE up.level = 'gemeente') AS gemeente_code,
           max(up.name) FILTER (WHERE up.level = 'gemeente') AS gemeente_name
      FROM up
 ) anc;
COMMENT ON VIEW buurtmonitor._area_chain IS
    'Internal: area_hierarchy with the geometry, for the layer views.';

CREATE VIEW buurtmonitor.area_hierarchy WITH (security_invoker = true) AS
SELECT area_id, code, vintage, level, name, parent_code, parent_name, wijk_code, wijk_name,
       stadsdeel_code, stadsdeel_name, gemeente_code, gemeente_name
  FROM buurtmonitor._area_chain;
COMMENT ON VIEW buurtmonitor.area_hierarchy IS
    'Every area with its parent and the codes and names of the wijk, stadsdeel and gemeente it lies in (an area counts as its own ancestor at its own level).';

-- The tidy view: one row per observation, plain SQL types only (text, integer, double precision).
CREATE VIEW buurtmonitor.observations_long WITH (security_invoker = true) AS
SELECT h.code AS area_code, h.name AS area_name, h.level, h.vintage,
       h.parent_code, h.parent_name, h.wijk_code, h.wijk_name, h.stadsdeel_code, h.stadsdeel_name,
       h.gemeente_code, h.gemeente_name,
       o.period, o.indicator AS indicator_code, i.label AS indicator_label, i.theme, i.unit, i.kind,
       i.polarity::integer AS polarity, o.value, o.status, o.owner, o.source
  FROM buurtmonitor.observations o
  JOIN buurtmonitor.area_hierarchy h ON h.code = o.area_code AND h.vintage = o.vintage
  JOIN buurtmonitor.indicators i ON i.code = o.indicator;
COMMENT ON VIEW buurtmonitor.observations_long IS
    'Tidy table for Power BI and other BI tools: area code and name, level, parent wijk/stadsdeel/gemeente, period, indicator code, label, theme, unit, value, status; plain SQL types only.';

-- Check a list of indicator codes against the catalogue.
CREATE FUNCTION buurtmonitor._check_indicators(indicators text[]) RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    bad text[];
BEGIN
    IF indicators IS NULL OR cardinality(indicators) = 0 THEN
        RAISE EXCEPTION 'no indicators given' USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass a list of indicator codes, for example ARRAY[''a_inw'', ''p_koopw''].';
    END IF;
    SELECT array_agg(c ORDER BY o) INTO bad
      FROM unnest(indicators) WITH ORDINALITY u(c, o)
     WHERE NOT EXISTS (SELECT 1 FROM buurtmonitor.indicators i WHERE i.code = u.c);
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('invalid_parameter_value', 'unknown indicators: %s', bad,
            'See SELECT code, label FROM buurtmonitor.indicators for the known codes.');
    END IF;
    SELECT array_agg(c) INTO bad FROM (SELECT c FROM unnest(indicators) c GROUP BY c HAVING count(*) > 1) d;
    IF bad IS NOT NULL THEN
        PERFORM buurtmonitor._fail('invalid_parameter_value', 'indicators listed twice: %s', bad, 'List each indicator once.');
    END IF;
END
$$;
COMMENT ON FUNCTION buurtmonitor._check_indicators(text[]) IS
    'Internal: raise an error for an empty list, unknown or repeated indicator codes.';

-- Create a schema unless it exists, safe against concurrent calls: serialised per schema name,
-- and a schema created by another session meanwhile is taken as it is.
CREATE FUNCTION buurtmonitor._create_schema(target_schema text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM buurtmonitor._lock('pg_catalog.pg_namespace', format('%I', target_schema));
    BEGIN
        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', target_schema);
    EXCEPTION WHEN unique_violation OR duplicate_schema THEN
        NULL;  -- created by a session whose commit this one's catalogue cache had not seen yet
    END;
END
$$;
COMMENT ON FUNCTION buurtmonitor._create_schema(text) IS
    'Internal: CREATE SCHEMA IF NOT EXISTS, serialised per schema name with an advisory lock and safe against a concurrent creation.';

-- The query behind wide() and create_wide_view(): one row per area and period, one column per indicator.
CREATE FUNCTION buurtmonitor._wide_query(indicators text[], level text, period integer, vintage integer,
                                         with_geometry boolean)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    PERFORM buurtmonitor._check_indicators(indicators);
    IF level IS NOT NULL AND NOT EXISTS (SELECT 1 FROM buurtmonitor.levels l WHERE l.level = _wide_query.level) THEN
        RAISE EXCEPTION 'unknown level: %', level USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use one of the levels in buurtmonitor.levels.';
    END IF;
    RETURN format(
        'SELECT (a.area_id::bigint * 10000 + o.period) AS id, a.code AS area_code, a.name AS area_name,
                a.level, a.vintage, o.period, %s%s
           FROM buurtmonitor.areas a
           JOIN buurtmonitor.observations o ON o.area_code = a.code AND o.vintage = a.vintage
          WHERE o.indicator = ANY (%L::text[])%s%s%s
          GROUP BY a.area_id, a.code, a.name, a.level, a.vintage, o.period%s',
        (SELECT string_agg(format('max(o.value) FILTER (WHERE o.indicator = %L) AS %I', c, c), ', ' ORDER BY ord)
           FROM unnest(indicators) WITH ORDINALITY u(c, ord)),
        CASE WHEN with_geometry THEN ', a.geom::@extschema:postgis@.geometry(MultiPolygon, 28992) AS geom' ELSE '' END,
        indicators,
        CASE WHEN level IS NOT NULL THEN format(' AND a.level = %L', level) ELSE '' END,
        CASE WHEN period IS NOT NULL THEN format(' AND o.period = %s', period) ELSE '' END,
        CASE WHEN vintage IS NOT NULL THEN format(' AND a.vintage = %s', vintage) ELSE '' END,
        CASE WHEN with_geometry THEN ', a.geom' ELSE '' END);
END
$$;
COMMENT ON FUNCTION buurtmonitor._wide_query(text[], text, integer, integer, boolean) IS
    'Internal: the SQL text of a wide table (one column per indicator) for wide() and create_wide_view().';

-- A wide table for chosen indicators. As a function returning record it needs a column list:
--   SELECT * FROM buurtmonitor.wide('{a_inw,p_koopw}', 'buurt', 2022)
--     AS t(id bigint, area_code text, area_name text, level text, vintage integer, period integer,
--          a_inw double precision, p_koopw double precision);
-- BI tools that cannot write one use create_wide_view() instead.
CREATE FUNCTION buurtmonitor.wide(indicators text[], level text DEFAULT NULL, period integer DEFAULT NULL,
                                  vintage integer DEFAULT NULL)
RETURNS SETOF record
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN QUERY EXECUTE buurtmonitor._wide_query(indicators, level, period, vintage, false)
                         || ' ORDER BY a.code, o.period';
END
$$;
COMMENT ON FUNCTION buurtmonitor.wide(text[], text, integer, integer) IS
    'Wide table for the chosen indicators: id, area_code, area_name, level, vintage, period and one double precision column per indicator (call with a column definition list, or use create_wide_view).';

-- Make sure a schema for generated views exists and the caller may create views in it; a clear
-- error instead of PostgreSQL's when the caller may not create the schema or views in it.
CREATE FUNCTION buurtmonitor._create_view_schema(target_schema text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF target_schema IS NULL OR target_schema = '' THEN
        RAISE EXCEPTION 'target_schema must not be empty' USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass a schema name, or leave the default.';
    END IF;
    IF to_regnamespace(quote_ident(target_schema)) IS NULL THEN
        IF NOT has_database_privilege(current_database(), 'CREATE') THEN
            RAISE EXCEPTION 'schema % does not exist and % may not create schemas in database %',
                target_schema, current_user, current_database() USING ERRCODE = 'insufficient_privilege',
                HINT = format('Ask the DBA to run SELECT buurtmonitor.setup_sharing() (it creates the view schemas) or to GRANT CREATE ON DATABASE %I TO %I.',
                              current_database(), current_user);
        END IF;
        PERFORM buurtmonitor._create_schema(target_schema);
    ELSIF NOT has_schema_privilege(to_regnamespace(quote_ident(target_schema)), 'CREATE') THEN
        RAISE EXCEPTION '% may not create views in schema %', current_user, target_schema
            USING ERRCODE = 'insufficient_privilege',
            HINT = format('Ask the DBA to GRANT USAGE, CREATE ON SCHEMA %I TO %I (setup_sharing grants it to the municipality''s role).',
                          target_schema, current_user);
    END IF;
END
$$;
COMMENT ON FUNCTION buurtmonitor._create_view_schema(text) IS
    'Internal: create the schema for generated views if missing, or raise a clear error when the caller may not create it or views in it.';

-- Create (or replace) a view with the wide table, for BI tools and, with geometry, as a QGIS layer.
CREATE FUNCTION buurtmonitor.create_wide_view(view_name text, indicators text[], level text DEFAULT NULL,
                                              period integer DEFAULT NULL, vintage integer DEFAULT NULL,
                                              with_geometry boolean DEFAULT false,
                                              target_schema text DEFAULT 'buurtmonitor_views')
RETURNS regclass
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM buurtmonitor._require_names(ARRAY[view_name, target_schema], '{view_name,target_schema}');
    PERFORM buurtmonitor._create_view_schema(target_schema);
    -- one session at a time creates or replaces a view of this name: CREATE OR REPLACE VIEW
    -- itself is not safe against a concurrent one (duplicate key in pg_type, tuple concurrently updated)
    PERFORM buurtmonitor._lock('pg_catalog.pg_class', format('%I.%I', target_schema, view_name));
    EXECUTE format('CREATE OR REPLACE VIEW %I.%I WITH (security_invoker = true) AS %s', target_schema, view_name,
                   buurtmonitor._wide_query(indicators, level, period, vintage, with_geometry));
    EXECUTE format('COMMENT ON VIEW %I.%I IS %L', target_schema, view_name,
                   format('buurtmonitor wide table of %s (level %s, period %s, vintage %s)',
                          array_to_string(indicators, ', '), coalesce(level, 'all'),
                          coalesce(period::text, 'all'), coalesce(vintage::text, 'all')));
    PERFORM buurtmonitor._add_view_grants(format('%I.%I', target_schema, view_name)::regclass);
    RETURN format('%I.%I', target_schema, view_name)::regclass;
END
$$;
COMMENT ON FUNCTION buurtmonitor.create_wide_view(text, text[], text, integer, integer, boolean, text) IS
    'Create or replace a view with one column per chosen indicator (optionally with the geometry, as a QGIS layer keyed by id).';

-- One view per level and vintage, named <level>_<vintage> in target_schema, with an integer key
-- (id) and a typed geometry column, so QGIS lists it as a layer and opens it without asking for a key.
CREATE FUNCTION buurtmonitor.create_layer_views(target_schema text DEFAULT 'buurtmonitor_layers')
RETURNS SETOF regclass
LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    PERFORM buurtmonitor._require_names(ARRAY[target_schema], '{target_schema}');
    -- serialised per schema and per view name, like create_wide_view (CREATE SCHEMA IF NOT EXISTS
    -- and CREATE OR REPLACE VIEW collide in the catalogue when run concurrently)
    PERFORM buurtmonitor._create_view_schema(target_schema);
    FOR r IN SELECT DISTINCT a.level, a.vintage FROM buurtmonitor.areas a
              WHERE a.geom IS NOT NULL ORDER BY a.vintage, a.level LOOP
        PERFORM buurtmonitor._lock('pg_catalog.pg_class', format('%I.%I', target_schema, r.level || '_' || r.vintage));
        EXECUTE format(
            'CREATE OR REPLACE VIEW %I.%I WITH (security_invoker = true) AS
             SELECT h.area_id AS id, h.code, h.name, h.level, h.vintage, h.parent_code, h.parent_name,
                    h.wijk_code, h.wijk_name, h.gemeente_code, h.gemeente_name, h.geom
               FROM buurtmonitor._area_chain h
              WHERE h.level = %L AND h.vintage = %s AND h.geom IS NOT NULL',
            target_schema, r.level || '_' || r.vintage, r.level, r.vintage);
        EXECUTE format('COMMENT ON VIEW %I.%I IS %L', target_schema, r.level || '_' || r.vintage,
                       format('buurtmonitor %s boundaries, edition %s (key: id)', r.level, r.vintage));
        PERFORM buurtmonitor._add_view_grants(format('%I.%I', target_schema, r.level || '_' || r.vintage)::regclass);
        RETURN NEXT format('%I.%I', target_schema, r.level || '_' || r.vintage)::regclass;
    END LOOP;
END
$$;
COMMENT ON FUNCTION buurtmonitor.create_layer_views(text) IS
    'Create or replace one view per level and vintage (for example buurtmonitor_layers.buurt_2022) with an integer key id and a geometry(MultiPolygon, 28992) column, for QGIS.';
