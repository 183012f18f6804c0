-- Ready-styled maps: the classes of an indicator over the areas of a level and edition, a map
-- layer view with value and class, and its graduated style (QML for QGIS, SLD for GeoServer)
-- in QGIS's own table public.layer_styles, marked as default (docs/classify.md).

-- The values of an indicator for the areas of a level and edition in one period; within: only the
-- areas lying in these areas (gemeente, stadsdeel or wijk codes, or the areas' own codes).
CREATE FUNCTION buurtmonitor._map_values(level text, vintage integer, indicator text, period integer,
                                         within text[])
RETURNS TABLE (area_code text, value double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT a.code, o.value
      FROM buurtmonitor.areas a
      LEFT JOIN buurtmonitor.observations o
        ON o.area_code = a.code AND o.vintage = a.vintage AND o.indicator = _map_values.indicator
       AND o.period = _map_values.period
     WHERE a.level = _map_values.level AND a.vintage = _map_values.vintage
       AND (within IS NULL OR a.code IN (
            SELECT h.code FROM buurtmonitor.area_hierarchy h
             WHERE h.level = _map_values.level AND h.vintage = _map_values.vintage
               AND (h.code = ANY (within) OR h.wijk_code = ANY (within) OR h.stadsdeel_code = ANY (within)
                    OR h.gemeente_code = ANY (within))))
$$;
COMMENT ON FUNCTION buurtmonitor._map_values(text, integer, text, integer, text[]) IS
    'Internal: every area of a level and edition (within the given areas, if any) with its value of an indicator in a period (NULL when missing).';

-- The period a map shows: the given one, else the latest with values of the indicator for the
-- areas of the level and edition; an error when there are none.
CREATE FUNCTION buurtmonitor._map_period(level text, vintage integer, indicator text, period integer)
RETURNS integer
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    p integer;
BEGIN
    PERFORM buurtmonitor._check_indicators(ARRAY[indicator]);
    SELECT max(o.period) INTO p
      FROM buurtmonitor.observations o
      JOIN buurtmonitor.areas a ON a.code = o.area_code AND a.vintage = o.vintage
     WHERE o.indicator = _map_period.indicator AND a.level = _map_period.level
       AND a.vintage = _map_period.vintage AND o.value IS NOT NULL
       AND (_map_period.period IS NULL OR o.period = _map_period.period);
    IF p IS NULL THEN
        RAISE EXCEPTION '%', format('no values of %s for level %s edition %s%s', indicator, level, vintage,
                                    CASE WHEN period IS NULL THEN '' ELSE ' period ' || period END)
            USING ERRCODE = 'no_data_found', HINT = 'Check the level, edition and period of the loaded observations.';
    END IF;
    RETURN p;
END
$$;
COMMENT ON FUNCTION buurtmonitor._map_period(text, integer, text, integer) IS
    'Internal: the period of a map (the given one, else the latest with values); an error when there are no values.';

-- Breaks of an indicator over the areas of a level and edition.
CREATE FUNCTION buurtmonitor.map_breaks(level text, vintage integer, indicator text, period integer DEFAULT NULL,
                                        method text DEFAULT 'fisher', classes integer DEFAULT 5,
                                        within text[] DEFAULT NULL)
RETURNS double precision[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT buurtmonitor.class_breaks(v.value, method, classes)
      FROM buurtmonitor._map_values(level, vintage, indicator,
                                    buurtmonitor._map_period(level, vintage, indicator, period), within) v
$$;
COMMENT ON FUNCTION buurtmonitor.map_breaks(text, integer, text, integer, text, integer, text[]) IS
    'Class breaks of an indicator over the areas of a level and edition (within: only those in the given gemeenten, stadsdelen or wijken) in one period (default: the latest with values): class_breaks over the observations.';

-- Colour of class j of k (hex #rrggbb): a sequential ramp from light yellow to dark red, dark =
-- worse by the indicator's polarity (1 higher is better: low values dark; -1 and 0: high values dark).
CREATE FUNCTION buurtmonitor.class_colour(j integer, k integer, polarity integer DEFAULT 0)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    WITH t AS (SELECT CASE WHEN k <= 1 THEN 0.5
                           ELSE (CASE WHEN polarity = 1 THEN k - j ELSE j - 1 END)::float8 / (k - 1) END AS t),
         stops(i, r, g, b) AS (VALUES (0, 255, 255, 204), (1, 253, 141, 60), (2, 128, 0, 38)),
         s AS (SELECT least(floor(t.t * 2)::int, 1) AS i, t.t * 2 - least(floor(t.t * 2)::int, 1) AS f FROM t)
    SELECT '#' || string_agg(lpad(to_hex(round(c)::int), 2, '0'), '' ORDER BY n)
      FROM s, stops a, stops b2,
           LATERAL (VALUES (1, a.r + s.f * (b2.r - a.r)), (2, a.g + s.f * (b2.g - a.g)),
                           (3, a.b + s.f * (b2.b - a.b))) AS x(n, c)
     WHERE a.i = s.i AND b2.i = s.i + 1
$$;
COMMENT ON FUNCTION buurtmonitor.class_colour(integer, integer, integer) IS
    'Colour (#rrggbb) of class j of k on a light-yellow to dark-red ramp; dark = worse: for polarity 1 (higher is better) class 1 is darkest, otherwise class k.';

-- Text for an XML attribute or element: & < > " escaped.
CREATE FUNCTION buurtmonitor._xml_escape(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(t, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;')
$$;
COMMENT ON FUNCTION buurtmonitor._xml_escape(text) IS 'Internal: escape & < > " for XML.';

-- '#rrggbb' as 'r,g,b' (QGIS colour notation).
CREATE FUNCTION buurtmonitor._rgb(hex text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT format('%s,%s,%s', ('x' || substr(hex, 2, 2))::bit(8)::int, ('x' || substr(hex, 4, 2))::bit(8)::int,
                  ('x' || substr(hex, 6, 2))::bit(8)::int)
$$;
COMMENT ON FUNCTION buurtmonitor._rgb(text) IS 'Internal: #rrggbb as r,g,b.';

-- QGIS layer style (QML) with a graduated renderer on value_column for the breaks.
CREATE FUNCTION buurtmonitor.style_qml(breaks double precision[], value_column text DEFAULT 'value',
                                       indicator text DEFAULT NULL, language text DEFAULT 'nl')
RETURNS xml
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    labels text[] := buurtmonitor.class_labels(breaks, indicator, language);
    k integer := cardinality(breaks) - 1;
    pol integer := coalesce((SELECT i.polarity FROM buurtmonitor.indicators i WHERE i.code = indicator), 0);
    ranges text := '';
    symbols text := '';
    c text;
    j integer;
BEGIN
    IF breaks IS NULL THEN
        RAISE EXCEPTION 'breaks must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass the class breaks, for example from buurtmonitor.map_breaks(...) or class_breaks(...).';
    END IF;
    FOR j IN 1 .. k LOOP
        c := buurtmonitor.class_colour(j, k, pol);
        ranges := ranges || format('<range lower="%s" upper="%s" symbol="%s" label="%s" render="true"/>',
                                   breaks[j], breaks[j + 1], j - 1, buurtmonitor._xml_escape(labels[j]));
        symbols := symbols || format(
            '<symbol type="fill" name="%s" alpha="1" clip_to_extent="1" force_rhr="0">'
            '<layer class="SimpleFill" enabled="1" pass="0" locked="0"><Option type="Map">'
            '<Option name="color" value="%s,255" type="QString"/>'
            '<Option name="outline_color" value="255,255,255,255" type="QString"/>'
            '<Option name="outline_style" value="solid" type="QString"/>'
            '<Option name="outline_width" value="0.1" type="QString"/>'
            '<Option name="outline_width_unit" value="MM" type="QString"/>'
            '<Option name="style" value="solid" type="QString"/>'
            '</Option></layer></symbol>', j - 1, buurtmonitor._rgb(c));
    END LOOP;
    RETURN xmlparse(DOCUMENT format(
        '<qgis version="3.28.0" styleCategories="Symbology">'
        '<renderer-v2 type="graduatedSymbol" attr="%s" graduatedMethod="GraduatedColor" symbollevels="0" forceraster="0" enableorderby="0">'
        '<ranges>%s</ranges><symbols>%s</symbols></renderer-v2></qgis>',
        buurtmonitor._xml_escape(value_column), ranges, symbols));
END
$$;
COMMENT ON FUNCTION buurtmonitor.style_qml(double precision[], text, text, text) IS
    'QGIS style (QML) with a graduated renderer on value_column: one range per class with its legend label and its colour from class_colour (dark = worse by the indicator''s polarity).';

-- The same classes as an OGC Styled Layer Descriptor (SLD 1.1 / SE 1.1), for GeoServer and others.
CREATE FUNCTION buurtmonitor.style_sld(breaks double precision[], layer_name text, value_column text DEFAULT 'value',
                                       indicator text DEFAULT NULL, language text DEFAULT 'nl')
RETURNS xml
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    labels text[] := buurtmonitor.class_labels(breaks, indicator, language);
    k integer := cardinality(breaks) - 1;
    pol integer := coalesce((SELECT i.polarity FROM buurtmonitor.indicators i WHERE i.code = indicator), 0);
    col text := buurtmonitor._xml_escape(value_column);
    rules text := '';
    j integer;
BEGIN
    IF breaks IS NULL THEN
        RAISE EXCEPTION 'breaks must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass the class breaks, for example from buurtmonitor.map_breaks(...) or class_breaks(...).';
    END IF;
    FOR j IN 1 .. k LOOP
        rules := rules || format(
            '<se:Rule><se:Name>%s</se:Name><se:Description><se:Title>%s</se:Title></se:Description>'
            '<ogc:Filter><ogc:And>'
            '<ogc:%s><ogc:PropertyName>%s</ogc:PropertyName><ogc:Literal>%s</ogc:Literal></ogc:%s>'
            '<ogc:PropertyIsLessThanOrEqualTo><ogc:PropertyName>%s</ogc:PropertyName><ogc:Literal>%s</ogc:Literal></ogc:PropertyIsLessThanOrEqualTo>'
            '</ogc:And></ogc:Filter>'
            '<se:PolygonSymbolizer><se:Fill><se:SvgParameter name="fill">%s</se:SvgParameter></se:Fill>'
            '<se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">0.5</se:SvgParameter></se:Stroke>'
            '</se:PolygonSymbolizer></se:Rule>',
            buurtmonitor._xml_escape(labels[j]), buurtmonitor._xml_escape(labels[j]),
            CASE WHEN j = 1 THEN 'PropertyIsGreaterThanOrEqualTo' ELSE 'PropertyIsGreaterThan' END,
            col, breaks[j], CASE WHEN j = 1 THEN 'PropertyIsGreaterThanOrEqualTo' ELSE 'PropertyIsGreaterThan' END,
            col, breaks[j + 1], buurtmonitor.class_colour(j, k, pol));
    END LOOP;
    RETURN xmlparse(DOCUMENT format(
        '<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" '
        'xmlns:se="http://www.opengis.net/se" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.1.0" '
        'xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">'
        '<NamedLayer><se:Name>%s</se:Name><UserStyle><se:Name>%s</se:Name><se:FeatureTypeStyle>%s</se:FeatureTypeStyle>'
        '</UserStyle></NamedLayer></StyledLayerDescriptor>',
        buurtmonitor._xml_escape(layer_name), buurtmonitor._xml_escape(layer_name), rules));
END
$$;
COMMENT ON FUNCTION buurtmonitor.style_sld(double precision[], text, text, text, text) IS
    'The classes as an OGC SLD 1.1 document: one rule per class (value > lower and <= upper; the first class also = lower) with its label and colour.';

-- Write a graduated style for table_schema.table_name (geometry column geom, attribute value) to
-- public.layer_styles as its default; the table is created with QGIS's columns when missing.
CREATE FUNCTION buurtmonitor._write_layer_style(table_schema text, table_name text, method text,
                                                breaks double precision[], indicator text, language text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- public.layer_styles may have been made by another role, whose triggers or rules would run
    -- with our rights on the INSERT below (docs/security.md)
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r ON r.oid = c.relowner
                WHERE c.oid = to_regclass('public.layer_styles')
                  AND ((r.rolname <> current_user AND NOT r.rolsuper) OR c.relkind <> 'r'
                       OR c.relhastriggers OR c.relhasrules OR c.relrowsecurity)) THEN
        RAISE EXCEPTION 'public.layer_styles is not a plain table owned by you or a superuser'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Its owner''s triggers or rules would run with your rights; check the table, or let its owner create the map layer.';
    END IF;
    -- one writer of the styles at a time: the table's creation and the replacement of a default
    -- style are not safe against a concurrent one
    PERFORM buurtmonitor._lock('pg_catalog.pg_class', 'public.layer_styles');
    CREATE TABLE IF NOT EXISTS public.layer_styles (
        id serial PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar, f_table_name varchar,
        f_geometry_column varchar, stylename text, styleqml xml, stylesld xml, useasdefault boolean,
        description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml,
        update_time timestamp DEFAULT CURRENT_TIMESTAMP);
    UPDATE public.layer_styles s SET useasdefault = false
     WHERE s.f_table_catalog = current_database() AND s.f_table_schema = table_schema
       AND s.f_table_name = table_name AND s.f_geometry_column = 'geom';
    DELETE FROM public.layer_styles s
     WHERE s.f_table_catalog = current_database() AND s.f_table_schema = table_schema
       AND s.f_table_name = table_name AND s.stylename = table_name || '_' || method;
    INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, stylename,
                                     styleqml, stylesld, useasdefault, description)
    VALUES (current_database(), table_schema, table_name, 'geom', table_name || '_' || method,
            buurtmonitor.style_qml(breaks, 'value', indicator, language),
            buurtmonitor.style_sld(breaks, table_name, 'value', indicator, language), true,
            format('buurtmonitor: %s, %s classes (%s), breaks %s', indicator, cardinality(breaks) - 1, method, breaks));
END
$$;
COMMENT ON FUNCTION buurtmonitor._write_layer_style(text, text, text, double precision[], text, text) IS
    'Internal: write a graduated style (QML and SLD) for a layer to public.layer_styles as its default.';

-- A map layer: a view <level>_<vintage>_<indicator>_<period> in target_schema with id, area_code,
-- area_name, value, class and geometry, and its graduated style written to public.layer_styles
-- (QGIS's table, created with QGIS's columns when missing) as the layer's default.
CREATE FUNCTION buurtmonitor.create_map_layer(level text, vintage integer, indicator text,
                                              period integer DEFAULT NULL, method text DEFAULT 'fisher',
                                              classes integer DEFAULT 5, within text[] DEFAULT NULL,
                                              language text DEFAULT 'nl',
                                              target_schema text DEFAULT 'buurtmonitor_layers')
RETURNS regclass
LANGUAGE plpgsql AS $$
DECLARE
    p integer := buurtmonitor._map_period(level, vintage, indicator, period);
    b double precision[] := buurtmonitor.map_breaks(level, vintage, indicator, p, method, classes, within);
    view_name text := format('%s_%s_%s_%s', level, vintage, indicator, p);
BEGIN
    PERFORM buurtmonitor._require_names(ARRAY[target_schema], '{target_schema}');
    -- concurrent calls: the schema and the view are created under advisory locks per name (as
    -- create_layer_views does), so two sessions never collide in the catalogue
    IF to_regnamespace(quote_ident(target_schema)) IS NULL THEN
        PERFORM buurtmonitor._create_schema(target_schema);
    END IF;
    PERFORM buurtmonitor._lock('pg_catalog.pg_class', format('%I.%I', target_schema, view_name));
    EXECUTE format(
        'CREATE OR REPLACE VIEW %I.%I WITH (security_invoker = true) AS
         SELECT a.area_id AS id, a.code AS area_code, a.name AS area_name, v.value,
                buurtmonitor.class_of(v.value, %L) AS class, a.geom::@extschema:postgis@.geometry(MultiPolygon, 28992) AS geom
           FROM buurtmonitor.areas a
           JOIN buurtmonitor._map_values(%L, %s, %L, %s, %L) v ON v.area_code = a.code
          WHERE a.level = %L AND a.vintage = %s',
        target_schema, view_name, b, level, vintage, indicator, p, within, level, vintage);
    EXECUTE format('COMMENT ON VIEW %I.%I IS %L', target_schema, view_name,
                   format('buurtmonitor map of %s, %s %s, period %s: %s classes (%s)', indicator, level, vintage,
                          p, cardinality(b) - 1, method));
    PERFORM buurtmonitor._write_layer_style(target_schema, view_name, method, b, indicator, language);
    PERFORM buurtmonitor._add_view_grants(format('%I.%I', target_schema, view_name)::regclass);
    RETURN format('%I.%I', target_schema, view_name)::regclass;
END
$$;
COMMENT ON FUNCTION buurtmonitor.create_map_layer(text, integer, text, integer, text, integer, text[], text, text) IS
    'Create or replace a map layer view (id, area_code, area_name, value, class, geom) of an indicator for a level, edition and period (default: the latest), optionally only within given gemeenten, stadsdelen or wijken, and write its graduated QGIS style (QML and SLD) to public.layer_styles as the default style.';
