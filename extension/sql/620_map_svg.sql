-- A choropleth map as SVG text, from SQL: the areas of a level and edition coloured by class,
-- the municipal boundaries, a legend, a title and the source line (docs/classify.md).
CREATE FUNCTION buurtmonitor.map_svg(level text, vintage integer, indicator text, period integer DEFAULT NULL,
                                     method text DEFAULT 'fisher', classes integer DEFAULT 5,
                                     within text[] DEFAULT NULL, title text DEFAULT NULL, language text DEFAULT 'nl',
                                     width integer DEFAULT 800, source text DEFAULT 'Bron: CBS')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    p integer := buurtmonitor._map_period(level, vintage, indicator, period);
    b double precision[] := buurtmonitor.map_breaks(level, vintage, indicator, p, method, classes, within);
    labels text[] := buurtmonitor.class_labels(b, indicator, language);
    k integer := cardinality(b) - 1;
    pol integer := (SELECT i.polarity FROM buurtmonitor.indicators i WHERE i.code = indicator);
    ext @extschema:postgis@.box3d;
    map_w double precision := width - 230;
    map_h double precision;
    areas text;
    borders text;
    legend text;
BEGIN
    SELECT @extschema:postgis@.ST_Extent(a.geom) INTO ext
      FROM buurtmonitor.areas a JOIN buurtmonitor._map_values(map_svg.level, map_svg.vintage, map_svg.indicator, p, within) v
        ON v.area_code = a.code
     WHERE a.level = map_svg.level AND a.vintage = map_svg.vintage;
    IF width < 400 THEN
        RAISE EXCEPTION 'width must be at least 400 pixels: %', width USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Give a width of 400 or more, for example width => 800.';
    END IF;
    map_h := map_w * (@extschema:postgis@.ST_YMax(ext) - @extschema:postgis@.ST_YMin(ext)) / (@extschema:postgis@.ST_XMax(ext) - @extschema:postgis@.ST_XMin(ext));
    -- one path per area (ST_AsSVG writes y downwards as -y), filled by class; no value: grey
    SELECT string_agg(format('<path class="area" data-code="%s" data-class="%s" fill="%s" d="%s"><title>%s: %s</title></path>',
                             a.code, coalesce(buurtmonitor.class_of(v.value, b)::text, ''),
                             coalesce(buurtmonitor.class_colour(buurtmonitor.class_of(v.value, b), k, coalesce(pol, 0)), '#d9d9d9'),
                             @extschema:postgis@.ST_AsSVG(a.geom, 0, 0), buurtmonitor._xml_escape(coalesce(a.name, a.code)),
                             coalesce(buurtmonitor.format_number(v.value, buurtmonitor._legend_decimals(b), language), '–')),
                      '' ORDER BY a.code)
      INTO areas
      FROM buurtmonitor.areas a JOIN buurtmonitor._map_values(map_svg.level, map_svg.vintage, map_svg.indicator, p, within) v ON v.area_code = a.code
     WHERE a.level = map_svg.level AND a.vintage = map_svg.vintage AND a.geom IS NOT NULL;
    -- municipal boundaries of the municipalities the areas lie in
    SELECT string_agg(format('<path class="gemeente" d="%s"/>', @extschema:postgis@.ST_AsSVG(g.geom, 0, 0)), '' ORDER BY g.code)
      INTO borders
      FROM buurtmonitor.areas g
     WHERE g.level = 'gemeente' AND g.vintage = map_svg.vintage AND g.geom IS NOT NULL
       AND g.code IN (SELECT h.gemeente_code FROM buurtmonitor.area_hierarchy h
                       JOIN buurtmonitor._map_values(map_svg.level, map_svg.vintage, map_svg.indicator, p, within) v
                         ON v.area_code = h.code
                       WHERE h.level = map_svg.level AND h.vintage = map_svg.vintage);
    SELECT string_agg(format('<g class="legend-entry"><rect x="0" y="%s" width="18" height="14" fill="%s" stroke="#999" stroke-width="0.5"/>'
                             '<text x="26" y="%s">%s</text></g>',
                             (j - 1) * 22, buurtmonitor.class_colour(j, k, coalesce(pol, 0)), (j - 1) * 22 + 12,
                             buurtmonitor._xml_escape(labels[j])), '' ORDER BY j)
      INTO legend FROM generate_series(1, k) j;
    RETURN format(
        '<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" font-family="sans-serif" font-size="12">'
        '<rect width="100%%" height="100%%" fill="#ffffff"/>'
        '<text class="title" x="10" y="24" font-size="18" font-weight="bold">%s</text>'
        '<svg x="10" y="40" width="%s" height="%s" viewBox="%s %s %s %s" preserveAspectRatio="xMidYMid meet">'
        '<g stroke="#ffffff" stroke-width="%s" stroke-linejoin="round">%s</g>'
        '<g fill="none" stroke="#333333" stroke-width="%s" stroke-linejoin="round">%s</g></svg>'
        '<g class="legend" transform="translate(%s,60)">%s'
        '<g class="legend-missing" transform="translate(0,%s)"><rect width="18" height="14" fill="#d9d9d9" stroke="#999" stroke-width="0.5"/>'
        '<text x="26" y="12">%s</text></g></g>'
        '<text class="source" x="10" y="%s" font-size="11" fill="#555555">%s</text></svg>',
        width, round(map_h) + 70,
        buurtmonitor._xml_escape(coalesce(title, (SELECT i.label FROM buurtmonitor.indicators i WHERE i.code = indicator)
                                          || format(' (%s, %s)', level, p))),
        round(map_w), round(map_h), @extschema:postgis@.ST_XMin(ext), -@extschema:postgis@.ST_YMax(ext), @extschema:postgis@.ST_XMax(ext) - @extschema:postgis@.ST_XMin(ext), @extschema:postgis@.ST_YMax(ext) - @extschema:postgis@.ST_YMin(ext),
        round(((@extschema:postgis@.ST_XMax(ext) - @extschema:postgis@.ST_XMin(ext)) / map_w * 0.3)::numeric, 1), coalesce(areas, ''),
        round(((@extschema:postgis@.ST_XMax(ext) - @extschema:postgis@.ST_XMin(ext)) / map_w * 1.2)::numeric, 1), coalesce(borders, ''),
        round(map_w) + 20, legend, k * 22 + 8,
        CASE language WHEN 'en' THEN 'no data' ELSE 'geen gegevens' END,
        round(map_h) + 60, buurtmonitor._xml_escape(source));
END
$$;
COMMENT ON FUNCTION buurtmonitor.map_svg(text, integer, text, integer, text, integer, text[], text, text, integer, text) IS
    'SVG choropleth of an indicator for a level, edition and period (default: the latest), optionally only within given gemeenten, stadsdelen or wijken: one path per area coloured by class (grey without a value), municipal boundaries, a legend with one entry per class, a title and the source line.';
