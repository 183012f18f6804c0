-- Spatial weights (docs/spatial_weights.md): neighbour sets built in C
-- (extension/spatial_weights.c), stored under a name with the level and vintage they
-- were built from, so every statistic says which weights it used.

CREATE TABLE buurtmonitor.weights (
    name         text PRIMARY KEY CHECK (name <> ''),
    level        text,
    vintage      integer,
    method       text NOT NULL CHECK (method IN ('queen', 'rook', 'knn', 'distance', 'inverse_distance', 'custom')),
    parameters   jsonb NOT NULL DEFAULT '{}',
    style        text NOT NULL CHECK (style IN ('row', 'binary', 'custom')),
    include_self boolean NOT NULL DEFAULT false,
    source       text,
    created      timestamptz NOT NULL DEFAULT now()
);
SELECT pg_catalog.pg_extension_config_dump('buurtmonitor.weights', '');
COMMENT ON TABLE buurtmonitor.weights IS
    'Named spatial weights: the level, vintage and method they were built from, their parameters, style (row, binary, custom) and whether each area is its own neighbour (for Gi*).';

CREATE TABLE buurtmonitor.weight_areas (
    name       text NOT NULL REFERENCES buurtmonitor.weights (name) ON UPDATE CASCADE ON DELETE CASCADE,
    area_code  text NOT NULL,
    neighbours integer NOT NULL CHECK (neighbours >= 0),
    component  integer NOT NULL CHECK (component >= 1),
    PRIMARY KEY (name, area_code)
);
SELECT pg_catalog.pg_extension_config_dump('buurtmonitor.weight_areas', '');
COMMENT ON TABLE buurtmonitor.weight_areas IS
    'The areas of each named weights, with their number of neighbours (0 = island, kept) and connected component (1, 2, ...).';

CREATE TABLE buurtmonitor.weight_links (
    name           text NOT NULL,
    area_code      text NOT NULL,
    neighbour_code text NOT NULL,
    weight         double precision NOT NULL
                   CHECK (weight >= 0 AND weight <> 'Infinity'::double precision AND weight = weight),
    PRIMARY KEY (name, area_code, neighbour_code)
);
SELECT pg_catalog.pg_extension_config_dump('buurtmonitor.weight_links', '');
COMMENT ON TABLE buurtmonitor.weight_links IS
    'The weights as a plain table: one row per (area_code, neighbour_code) with its weight; readable in QGIS, and the form of weights users bring themselves.';

-- weight_links has no foreign keys: their per-row checks cost more than building the weights
-- (90,000 links for the buurten of the Netherlands). The builders write consistent rows;
-- deleting or renaming weights carries over to their links here.
CREATE FUNCTION buurtmonitor._write_weights_cascade() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM buurtmonitor.weight_links l WHERE l.name = OLD.name;
    ELSIF NEW.name <> OLD.name THEN
        UPDATE buurtmonitor.weight_links l SET name = NEW.name WHERE l.name = OLD.name;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION buurtmonitor._write_weights_cascade() IS
    'Internal trigger: deleting or renaming weights deletes or renames their links.';
CREATE TRIGGER weights_cascade AFTER DELETE OR UPDATE OF name ON buurtmonitor.weights
    FOR EACH ROW EXECUTE FUNCTION buurtmonitor._write_weights_cascade();

CREATE FUNCTION buurtmonitor._contiguity_pairs(codes text[], geoms geometry[], rook boolean, snap double precision)
RETURNS TABLE (i integer, j integer, distance double precision)
LANGUAGE C STRICT STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_contiguity_pairs';
COMMENT ON FUNCTION buurtmonitor._contiguity_pairs(text[], geometry[], boolean, double precision) IS
    'Internal: ordered pairs (1-based indices) of polygons with at least one (queen) or two (rook) vertex pairs within snap, as spdep::poly2nb.';

CREATE FUNCTION buurtmonitor._knn_pairs(x double precision[], y double precision[], k integer)
RETURNS TABLE (i integer, j integer, distance double precision)
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_knn_pairs';
COMMENT ON FUNCTION buurtmonitor._knn_pairs(double precision[], double precision[], integer) IS
    'Internal: each point''s k nearest other points (ties to the lower index), as spdep::knearneigh.';

CREATE FUNCTION buurtmonitor._distance_pairs(x double precision[], y double precision[],
                                             lower double precision, upper double precision)
RETURNS TABLE (i integer, j integer, distance double precision)
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_distance_pairs';
COMMENT ON FUNCTION buurtmonitor._distance_pairs(double precision[], double precision[], double precision, double precision) IS
    'Internal: ordered pairs of points with lower < distance <= upper, as spdep::dnearneigh.';

CREATE FUNCTION buurtmonitor._graph_components(n integer, i integer[], j integer[])
RETURNS integer[]
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_graph_components';
COMMENT ON FUNCTION buurtmonitor._graph_components(integer, integer[], integer[]) IS
    'Internal: connected component (1, 2, ... by first node) of each of n nodes of a graph given by links i -> j.';

CREATE FUNCTION buurtmonitor._check_srid(srid integer, what text)
RETURNS void
LANGUAGE C STRICT STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'bm_check_srid';
COMMENT ON FUNCTION buurtmonitor._check_srid(integer, text) IS
    'Internal: raise an error when the SRID is geographic.';

-- Fill weight_areas and weight_links of weights name from the areas (codes, geoms), both in
-- code order. The common path of build_weights and build_weights_from.
CREATE FUNCTION buurtmonitor._write_weights(
    name text, codes text[], geoms geometry[], method text,
    k integer, distance double precision, lower double precision, snap double precision,
    power double precision, style text, symmetrise boolean, include_self boolean)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    n integer := cardinality(codes);
    srids integer[];
    x double precision[];
    y double precision[];
BEGIN
    IF n < 3 THEN
        RAISE EXCEPTION 'weights % would have % areas; at least 3 are needed', name, n
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Check the level, vintage and codes: no areas (or too few) matched.';
    END IF;
    IF method = 'knn' AND k IS NULL OR method IN ('distance', 'inverse_distance') AND distance IS NULL THEN
        RAISE EXCEPTION 'method % needs %', method, CASE WHEN method = 'knn' THEN 'k' ELSE 'distance' END
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass k => 6 for knn, distance => 2000 (metres) for distance bands.';
    END IF;
    IF method = 'inverse_distance' AND include_self THEN
        RAISE EXCEPTION 'include_self is not defined for inverse distance weights (distance 0)'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use binary distance weights for Gi*.';
    END IF;
    IF (SELECT count(*) <> count(DISTINCT c) FROM unnest(codes) c) THEN
        PERFORM buurtmonitor._fail('unique_violation', 'duplicate area codes: %s',
            ARRAY(SELECT c FROM unnest(codes) c GROUP BY c HAVING count(*) > 1 ORDER BY c),
            'Each area may appear once; filter the source to one row per code.');
    END IF;
    PERFORM buurtmonitor._fail('null_value_not_allowed', 'areas without geometry: %s',
            ARRAY(SELECT c FROM unnest(codes, geoms) u(c, g) WHERE g IS NULL OR @extschema:postgis@.ST_IsEmpty(g) ORDER BY c),
            'Give every area a geometry, or leave those areas out.')
      WHERE EXISTS (SELECT 1 FROM unnest(geoms) g WHERE g IS NULL OR @extschema:postgis@.ST_IsEmpty(g));
    srids := ARRAY(SELECT DISTINCT @extschema:postgis@.ST_SRID(g) FROM unnest(geoms) g ORDER BY 1);
    IF cardinality(srids) > 1 THEN
        RAISE EXCEPTION 'the areas have different SRIDs: %', srids USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Transform them with ST_Transform so all use one projected SRID.';
    END IF;
    PERFORM buurtmonitor._check_srid(srids[1], 'the layer');

    IF to_regclass('pg_temp._bm_pairs') IS NULL THEN
        CREATE TEMP TABLE _bm_pairs (i integer, j integer, distance double precision);
    END IF;
    TRUNCATE _bm_pairs;
    IF method IN ('queen', 'rook') THEN
        INSERT INTO _bm_pairs SELECT * FROM buurtmonitor._contiguity_pairs(codes, geoms, method = 'rook', snap);
    ELSE
        PERFORM buurtmonitor._fail('invalid_parameter_value', 'invalid geometries: %s',
                ARRAY(SELECT c FROM unnest(codes, geoms) u(c, g) WHERE NOT @extschema:postgis@.ST_IsValid(g) ORDER BY c),
                'Repair them with ST_MakeValid.')
          WHERE EXISTS (SELECT 1 FROM unnest(geoms) g WHERE NOT @extschema:postgis@.ST_IsValid(g));
        -- polygons stand for their centroid, points for themselves
        SELECT array_agg(@extschema:postgis@.ST_X(p) ORDER BY o), array_agg(@extschema:postgis@.ST_Y(p) ORDER BY o) INTO x, y
          FROM (SELECT o, CASE WHEN @extschema:postgis@.GeometryType(g) = 'POINT' THEN g ELSE @extschema:postgis@.ST_Centroid(g) END AS p
                  FROM unnest(geoms) WITH ORDINALITY u(g, o)) s;
        IF method = 'knn' THEN
            INSERT INTO _bm_pairs SELECT * FROM buurtmonitor._knn_pairs(x, y, k);
            IF symmetrise THEN
                INSERT INTO _bm_pairs SELECT p.j, p.i, p.distance FROM _bm_pairs p
                 WHERE NOT EXISTS (SELECT 1 FROM _bm_pairs q WHERE q.i = p.j AND q.j = p.i);
            END IF;
        ELSE
            INSERT INTO _bm_pairs SELECT * FROM buurtmonitor._distance_pairs(x, y, coalesce(lower, 0), distance);
        END IF;
    END IF;

    INSERT INTO buurtmonitor.weight_areas (name, area_code, neighbours, component)
    SELECT _write_weights.name, u.code, coalesce(d.neighbours, 0), u.component
      FROM unnest(codes, buurtmonitor._graph_components(n, ARRAY(SELECT p.i FROM _bm_pairs p),
                                                        ARRAY(SELECT p.j FROM _bm_pairs p)))
           WITH ORDINALITY u(code, component, o)
      LEFT JOIN (SELECT p.i, count(*)::integer AS neighbours FROM _bm_pairs p GROUP BY p.i) d ON d.i = u.o;
    IF include_self THEN
        INSERT INTO _bm_pairs SELECT o, o, 0 FROM generate_series(1, n) o;
    END IF;
    INSERT INTO buurtmonitor.weight_links (name, area_code, neighbour_code, weight)
    SELECT _write_weights.name, ci.code, cj.code,
           CASE WHEN style = 'row' THEN b.base / sum(b.base) OVER (PARTITION BY b.i) ELSE b.base END
      FROM (SELECT p.i, p.j, CASE WHEN method = 'inverse_distance' THEN p.distance ^ (-power) ELSE 1 END AS base
              FROM _bm_pairs p) b
      JOIN unnest(codes) WITH ORDINALITY ci(code, o) ON ci.o = b.i      -- (codes[i] is O(n) on text[])
      JOIN unnest(codes) WITH ORDINALITY cj(code, o) ON cj.o = b.j;
    TRUNCATE _bm_pairs;
END
$$;
COMMENT ON FUNCTION buurtmonitor._write_weights(text, text[], geometry[], text, integer, double precision,
    double precision, double precision, double precision, text, boolean, boolean) IS
    'Internal: compute and store the neighbours and weights of named weights from areas given in code order.';

-- Register the weights row and check the options that are not the builder's business.
CREATE FUNCTION buurtmonitor._create_weights(name text, level text, vintage integer, method text, parameters jsonb,
                                          style text, include_self boolean, source text, replace boolean)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'weights name must not be empty' USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Name the weights, for example ''utrecht_queen''.';
    END IF;
    IF method NOT IN ('queen', 'rook', 'knn', 'distance', 'inverse_distance') AND method || style <> 'customcustom' THEN
        RAISE EXCEPTION 'unknown weights method: %', method USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use queen, rook, knn, distance or inverse_distance.';
    END IF;
    IF style NOT IN ('row', 'binary') AND method || style <> 'customcustom' THEN
        RAISE EXCEPTION 'unknown weights style: %', style USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use row (row-standardised) or binary.';
    END IF;
    IF EXISTS (SELECT 1 FROM buurtmonitor.weights w WHERE w.name = _create_weights.name) THEN
        IF NOT replace THEN
            RAISE EXCEPTION 'weights % already exist', name USING ERRCODE = 'duplicate_object',
                HINT = 'Pass replace => true to rebuild them, or choose another name.';
        END IF;
        DELETE FROM buurtmonitor.weights w WHERE w.name = _create_weights.name;
    END IF;
    INSERT INTO buurtmonitor.weights (name, level, vintage, method, parameters, style, include_self, source)
    VALUES (name, level, vintage, method, jsonb_strip_nulls(parameters), style, include_self, source);
END
$$;
COMMENT ON FUNCTION buurtmonitor._create_weights(text, text, integer, text, jsonb, text, boolean, text, boolean) IS
    'Internal: register (or, with replace, re-register) the header row of named weights.';

CREATE FUNCTION buurtmonitor.weights_summary(name text)
RETURNS TABLE (weights text, n_areas integer, n_links integer, n_islands integer, n_components integer,
               min_neighbours integer, max_neighbours integer, mean_neighbours double precision,
               island_codes text[])
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM buurtmonitor.weights w WHERE w.name = weights_summary.name) THEN
        RAISE EXCEPTION 'unknown weights: %', weights_summary.name USING ERRCODE = 'undefined_object',
            HINT = 'Build them with buurtmonitor.build_weights, or list the names in buurtmonitor.weights.';
    END IF;
    RETURN QUERY
    SELECT weights_summary.name, count(*)::integer,
           (SELECT count(*)::integer FROM buurtmonitor.weight_links l WHERE l.name = weights_summary.name),
           count(*) FILTER (WHERE a.neighbours = 0)::integer, max(a.component),
           min(a.neighbours), max(a.neighbours), avg(a.neighbours)::double precision,
           coalesce(array_agg(a.area_code ORDER BY a.area_code) FILTER (WHERE a.neighbours = 0), '{}')
      FROM buurtmonitor.weight_areas a WHERE a.name = weights_summary.name;
END
$$;
COMMENT ON FUNCTION buurtmonitor.weights_summary(text) IS
    'Areas, links, islands (areas without neighbours, listed), connected components and neighbour counts of named weights.';

CREATE FUNCTION buurtmonitor.build_weights(
    name text,
    level text,
    vintage integer,
    method text DEFAULT 'queen',
    codes text[] DEFAULT NULL,
    k integer DEFAULT NULL,
    distance double precision DEFAULT NULL,
    lower double precision DEFAULT 0,
    snap double precision DEFAULT 0,
    power double precision DEFAULT 1,
    style text DEFAULT 'row',
    symmetrise boolean DEFAULT false,
    include_self boolean DEFAULT false,
    replace boolean DEFAULT false)
RETURNS TABLE (weights text, n_areas integer, n_links integer, n_islands integer, n_components integer,
               min_neighbours integer, max_neighbours integer, mean_neighbours double precision,
               island_codes text[])
LANGUAGE plpgsql AS $$
DECLARE
    c text[];
    g @extschema:postgis@.geometry[];
BEGIN
    SELECT array_agg(a.code ORDER BY a.code), array_agg(a.geom ORDER BY a.code) INTO c, g
      FROM buurtmonitor.areas a
     WHERE a.level = build_weights.level AND a.vintage = build_weights.vintage
       AND (build_weights.codes IS NULL OR a.code = ANY (build_weights.codes));
    PERFORM buurtmonitor._create_weights(build_weights.name, level, vintage, method,
        jsonb_build_object('k', k, 'distance', distance, 'lower', NULLIF(lower, 0), 'snap', snap,
                           'power', CASE WHEN method = 'inverse_distance' THEN power END,
                           'symmetrise', CASE WHEN method = 'knn' THEN symmetrise END,
                           'codes', codes),
        style, include_self, 'buurtmonitor.areas', replace);
    PERFORM buurtmonitor._write_weights(build_weights.name, coalesce(c, '{}'), g, method, k, distance, lower,
                                        snap, power, style, symmetrise, include_self);
    RETURN QUERY SELECT * FROM buurtmonitor.weights_summary(build_weights.name);
END
$$;
COMMENT ON FUNCTION buurtmonitor.build_weights(text, text, integer, text, text[], integer, double precision,
    double precision, double precision, double precision, text, boolean, boolean, boolean) IS
    'Build named spatial weights from the areas of a level and vintage (optionally only codes): queen or rook contiguity with snap (metres), knn (k, symmetrise), distance band (lower, distance] or inverse_distance (power); style row or binary; include_self for Gi*.';

CREATE FUNCTION buurtmonitor.build_weights_from(
    name text,
    source regclass,
    method text DEFAULT 'queen',
    code_column text DEFAULT 'code',
    geom_column text DEFAULT 'geom',
    k integer DEFAULT NULL,
    distance double precision DEFAULT NULL,
    lower double precision DEFAULT 0,
    snap double precision DEFAULT 0,
    power double precision DEFAULT 1,
    style text DEFAULT 'row',
    symmetrise boolean DEFAULT false,
    include_self boolean DEFAULT false,
    replace boolean DEFAULT false)
RETURNS TABLE (weights text, n_areas integer, n_links integer, n_islands integer, n_components integer,
               min_neighbours integer, max_neighbours integer, mean_neighbours double precision,
               island_codes text[])
LANGUAGE plpgsql AS $$
DECLARE
    c text[];
    g @extschema:postgis@.geometry[];
BEGIN
    PERFORM buurtmonitor._require_names(ARRAY[build_weights_from.name, source::text, code_column, geom_column],
                                        '{name,source,code_column,geom_column}');
    BEGIN  -- PostGIS reports an unreadable geometry as an internal error (XX000): say which column
        EXECUTE format('SELECT array_agg(%1$I::text ORDER BY %1$I::text), array_agg(%2$I::@extschema:postgis@.geometry ORDER BY %1$I::text) FROM %3$s',
                       code_column, geom_column, source) INTO c, g;
    EXCEPTION WHEN internal_error THEN
        RAISE EXCEPTION 'cannot read column "%" of % as a geometry: %', geom_column, source, SQLERRM
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Name the geometry column with geom_column => ...; text must be WKT, EWKT or hex WKB.';
    END;
    IF EXISTS (SELECT 1 FROM unnest(c) x WHERE x IS NULL) THEN
        RAISE EXCEPTION 'rows of % without a code in %', source, code_column USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Give every row a code, or filter them out in a view.';
    END IF;
    PERFORM buurtmonitor._create_weights(build_weights_from.name, NULL, NULL, method,
        jsonb_build_object('k', k, 'distance', distance, 'lower', NULLIF(lower, 0), 'snap', snap,
                           'power', CASE WHEN method = 'inverse_distance' THEN power END,
                           'symmetrise', CASE WHEN method = 'knn' THEN symmetrise END,
                           'code_column', code_column, 'geom_column', geom_column),
        style, include_self, source::text, replace);
    PERFORM buurtmonitor._write_weights(build_weights_from.name, coalesce(c, '{}'), g, method, k, distance, lower,
                                        snap, power, style, symmetrise, include_self);
    RETURN QUERY SELECT * FROM buurtmonitor.weights_summary(build_weights_from.name);
END
$$;
COMMENT ON FUNCTION buurtmonitor.build_weights_from(text, regclass, text, text, text, integer, double precision,
    double precision, double precision, double precision, text, boolean, boolean, boolean) IS
    'Build named spatial weights from any table or view of polygons or points (code_column, geom_column); options as build_weights.';

CREATE FUNCTION buurtmonitor.load_weights(
    name text,
    links regclass,
    area_code_column text DEFAULT 'area_code',
    neighbour_code_column text DEFAULT 'neighbour_code',
    weight_column text DEFAULT 'weight',
    areas text[] DEFAULT NULL,
    level text DEFAULT NULL,
    vintage integer DEFAULT NULL,
    replace boolean DEFAULT false)
RETURNS TABLE (weights text, n_areas integer, n_links integer, n_islands integer, n_components integer,
               min_neighbours integer, max_neighbours integer, mean_neighbours double precision,
               island_codes text[])
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
    c text[];
    bad text[];
BEGIN
    PERFORM buurtmonitor._require_names(ARRAY[load_weights.name, links::text, area_code_column, neighbour_code_column, weight_column],
                                        '{name,links,area_code_column,neighbour_code_column,weight_column}');
    IF to_regclass('pg_temp._bm_links') IS NULL THEN
        CREATE TEMP TABLE _bm_links (a text, b text, w double precision);
        CREATE TEMP TABLE _bm_link_idx (i integer, j integer);
    END IF;
    TRUNCATE _bm_links;
    EXECUTE format('INSERT INTO _bm_links SELECT %I::text, %I::text, %I::double precision FROM %s',
                   area_code_column, neighbour_code_column, weight_column, links);
    bad := ARRAY(SELECT format('%s -> %s', l.a, l.b) FROM _bm_links l
                  WHERE l.a IS NULL OR l.b IS NULL OR l.w IS NULL OR NOT (l.w >= 0 AND l.w < 'Infinity')
                  ORDER BY 1);
    IF cardinality(bad) > 0 THEN
        PERFORM buurtmonitor._fail('invalid_parameter_value', 'weights rows with a NULL code, or a weight that is NULL, negative, NaN or infinite: %s',
                                   bad, 'Every row needs both codes and a finite weight of 0 or more.');
    END IF;
    bad := ARRAY(SELECT format('%s -> %s', l.a, l.b) FROM _bm_links l GROUP BY l.a, l.b HAVING count(*) > 1 ORDER BY 1);
    IF cardinality(bad) > 0 THEN
        PERFORM buurtmonitor._fail('unique_violation', 'duplicate weights rows: %s', bad,
                                   'Give each (area_code, neighbour_code) pair one row.');
    END IF;
    c := ARRAY(SELECT x FROM (SELECT l.a FROM _bm_links l UNION SELECT l.b FROM _bm_links l
                              UNION SELECT unnest(load_weights.areas)) s(x) WHERE x IS NOT NULL ORDER BY x);
    n := cardinality(c);
    IF n < 3 THEN
        RAISE EXCEPTION 'weights % would have % areas; at least 3 are needed', load_weights.name, n
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the links of at least 3 areas.';
    END IF;
    PERFORM buurtmonitor._create_weights(load_weights.name, level, vintage, 'custom', '{}', 'custom',
        EXISTS (SELECT 1 FROM _bm_links l WHERE l.a = l.b), links::text, replace);
    TRUNCATE _bm_link_idx;
    INSERT INTO _bm_link_idx
    SELECT ia.o, ib.o FROM _bm_links l
      JOIN unnest(c) WITH ORDINALITY ia(x, o) ON ia.x = l.a
      JOIN unnest(c) WITH ORDINALITY ib(x, o) ON ib.x = l.b
     WHERE l.a <> l.b;
    INSERT INTO buurtmonitor.weight_areas (name, area_code, neighbours, component)
    SELECT load_weights.name, u.code, coalesce(d.neighbours, 0), u.component
      FROM unnest(c, buurtmonitor._graph_components(n, ARRAY(SELECT p.i FROM _bm_link_idx p),
                                                    ARRAY(SELECT p.j FROM _bm_link_idx p)))
           WITH ORDINALITY u(code, component, o)
      LEFT JOIN (SELECT p.i, count(*)::integer AS neighbours FROM _bm_link_idx p GROUP BY p.i) d ON d.i = u.o;
    INSERT INTO buurtmonitor.weight_links (name, area_code, neighbour_code, weight)
    SELECT load_weights.name, l.a, l.b, l.w FROM _bm_links l;
    TRUNCATE _bm_links;
    RETURN QUERY SELECT * FROM buurtmonitor.weights_summary(load_weights.name);
END
$$;
COMMENT ON FUNCTION buurtmonitor.load_weights(text, regclass, text, text, text, text[], text, integer, boolean) IS
    'Store weights users bring themselves (a table of area_code, neighbour_code, weight) under a name; areas lists areas without neighbours too.';
