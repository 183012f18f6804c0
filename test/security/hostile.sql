-- Generates the DDL of the hostile role's objects in schema public (test/security.sh).
-- Input: temp table words(w) = every identifier the extension's SQL writes before "(",
-- psql variable postgis = PostGIS's schema. Output: one statement per line.
-- Each object, when run, calls public.bm_hijacked(what), which bumps a sequence (not
-- rolled back with the caller's transaction) and raises WARNING 'HIJACKED: what'.
-- Copies with the same signature as pg_catalog's or PostGIS's win when the caller puts
-- public first; polymorphic and "any" arguments are made concrete (text, double precision,
-- integer, and arrays of them), which beats the original even when pg_catalog comes first.
SET search_path = '';
CREATE TEMP TABLE conc(t text);
INSERT INTO conc VALUES ('text'), ('double precision'), ('integer'), ('bigint'), ('character varying');
CREATE TEMP TABLE hostile_sig AS
WITH src AS (
    SELECT p.oid, p.proname, p.prokind, p.proretset, p.prorettype, p.provariadic,
           p.proargtypes::oid[] AS args
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace IN ('pg_catalog'::regnamespace, :'postgis'::regnamespace)
       AND p.proname IN (SELECT lower(w) FROM pg_temp.words)
       AND p.prokind IN ('f', 'a') AND p.proallargtypes IS NULL
), typ AS (  -- an argument or result type, given the concrete type c for the polymorphic ones
    SELECT s.oid, c.t AS c, k.i, a.oid AS arg,
           CASE WHEN a.typtype <> 'p' THEN pg_catalog.format_type(a.oid, NULL)
                WHEN a.typname IN ('any', 'anyelement', 'anynonarray', 'anycompatible', 'anycompatiblenonarray') THEN c.t
                WHEN a.typname IN ('anyarray', 'anycompatiblearray') THEN c.t || '[]'
                WHEN a.typname = 'void' AND k.i = 0 THEN 'void' END AS t
      FROM src s CROSS JOIN conc c,
           LATERAL (SELECT 0 AS i, s.prorettype AS ty UNION ALL
                    SELECT o, ty FROM unnest(s.args) WITH ORDINALITY u(ty, o)) k
      JOIN pg_catalog.pg_type a ON a.oid = k.ty
), sig AS (
    SELECT s.oid, s.proname, s.prokind, s.proretset, c.t AS c,
           (SELECT t.t FROM typ t WHERE t.oid = s.oid AND t.c = c.t AND t.i = 0) AS ret,
           (SELECT array_agg(t.t ORDER BY t.i) FROM typ t WHERE t.oid = s.oid AND t.c = c.t AND t.i > 0) AS args,
           s.provariadic <> 0 AS is_variadic,
           (SELECT count(*) FROM typ t WHERE t.oid = s.oid AND t.c = c.t AND t.t IS NULL) AS unmappable
      FROM src s CROSS JOIN conc c
     GROUP BY s.oid, s.proname, s.prokind, s.proretset, c.t, s.provariadic
), expanded AS (  -- a VARIADIC argument as one to three plain ones
    SELECT proname, prokind, proretset, ret,
           CASE WHEN is_variadic THEN args[1:cardinality(args) - 1]
                                   || array_fill(regexp_replace(args[cardinality(args)], '\[\]$', ''), ARRAY[n])
                ELSE coalesce(args, '{}') END AS args
      FROM sig, generate_series(1, 3) n
     WHERE unmappable = 0 AND ret IS NOT NULL AND (is_variadic OR n = 1)
)
SELECT DISTINCT proname, prokind, proretset, ret, array_to_string(args, ', ') AS args FROM expanded;

SELECT format('CREATE FUNCTION public.%I(%s) RETURNS %s%s LANGUAGE plpgsql AS $h$BEGIN PERFORM public.bm_hijacked(%L); RETURN%s; END$h$;',
              proname, args, CASE WHEN proretset THEN 'SETOF ' ELSE '' END, ret,
              proname || '(' || args || ')', CASE WHEN proretset OR ret = 'void' THEN '' ELSE ' NULL' END)
  FROM pg_temp.hostile_sig WHERE prokind = 'f'
UNION ALL  -- aggregates: a hostile transition function and the aggregate
SELECT format('CREATE FUNCTION public.%I(%s) RETURNS %s LANGUAGE plpgsql AS $h$BEGIN PERFORM public.bm_hijacked(%L); RETURN $1; END$h$; CREATE AGGREGATE public.%I(%s) (SFUNC = public.%I, STYPE = %s);',
              'bm_sfunc_' || md5(proname || args), concat_ws(', ', ret, nullif(args, '')), ret, proname || '(' || args || ')',
              proname, coalesce(nullif(args, ''), '*'), 'bm_sfunc_' || md5(proname || args), ret)
  FROM pg_temp.hostile_sig WHERE prokind = 'a' AND ret <> 'void'
UNION ALL  -- operators: copies of pg_catalog's and PostGIS's, and text-like ones for varchar and name
SELECT format('CREATE FUNCTION public.%I(%s, %s) RETURNS %s LANGUAGE plpgsql AS $h$BEGIN PERFORM public.bm_hijacked(%L); RETURN NULL; END$h$; CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.%I);',
              'bm_op_' || md5(o.oprname || l || r), l, r, res, 'operator ' || o.oprname || '(' || l || ', ' || r || ')',
              o.oprname, l, r, 'bm_op_' || md5(o.oprname || l || r))
  FROM (SELECT DISTINCT o.oprname, pg_catalog.format_type(o.oprleft, NULL) AS l,
               pg_catalog.format_type(o.oprright, NULL) AS r, pg_catalog.format_type(o.oprresult, NULL) AS res
          FROM pg_catalog.pg_operator o
          JOIN pg_catalog.pg_type lt ON lt.oid = o.oprleft AND lt.typtype <> 'p'
          JOIN pg_catalog.pg_type rt ON rt.oid = o.oprright AND rt.typtype <> 'p'
         WHERE o.oprnamespace IN ('pg_catalog'::regnamespace, :'postgis'::regnamespace)
           AND o.oprname IN ('=', '<>', '<', '>', '<=', '>=', '||', '~', '~*', '!~', '~~', '~~*', '+', '-', '*', '/',
                             '@>', '<@', '?', '->', '->>', '#>', '#>>', '&&')
        UNION
        SELECT op, l, r, CASE WHEN op = '||' THEN 'text' ELSE 'boolean' END
          FROM unnest(ARRAY['=', '<>', '||', '~~', '~']) op,
               unnest(ARRAY['character varying', 'text', 'name']) l, unnest(ARRAY['character varying', 'text', 'unknown']) r
         WHERE l = 'character varying' OR r IN ('character varying')) o(oprname, l, r, res)
UNION ALL  -- types: domains named like the built-in ones, whose check runs hostile code
SELECT format('CREATE DOMAIN public.%I AS %s CHECK (public.bm_hijacked_bool(%L));', t,
              CASE WHEN t = 'geometry' THEN quote_ident(:'postgis') || '.geometry' ELSE 'pg_catalog.' || t END, 'domain ' || t)
  FROM unnest(ARRAY['text', 'float8', 'int4', 'int8', 'bool', 'jsonb', 'regclass', 'name', 'numeric', 'varchar',
                    'geometry']) t
 WHERE t <> 'geometry' OR :'postgis' <> 'public'
UNION ALL  -- QGIS's table of layer styles, which create_map_layer writes to, with a trigger
SELECT 'CREATE TABLE public.layer_styles (id serial PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar, f_table_name varchar, f_geometry_column varchar, stylename text, styleqml xml, stylesld xml, useasdefault boolean, description text, owner varchar(63), ui xml, update_time timestamp); '
    || 'CREATE FUNCTION public.bm_trigger() RETURNS trigger LANGUAGE plpgsql AS $h$BEGIN PERFORM public.bm_hijacked(''trigger on layer_styles''); RETURN NEW; END$h$; '
    || 'CREATE TRIGGER bm_trap BEFORE INSERT OR UPDATE OR DELETE ON public.layer_styles FOR EACH ROW EXECUTE FUNCTION public.bm_trigger(); '
    || 'GRANT ALL ON public.layer_styles, public.layer_styles_id_seq TO PUBLIC;'
UNION ALL  -- the temporary tables the loaders use, as hostile views in public
SELECT format('CREATE VIEW public.%I AS SELECT public.bm_hijacked_bool(%L) AS hijacked;', w, 'view ' || w)
  FROM (SELECT DISTINCT lower(w) AS w FROM pg_temp.words WHERE w ~ '^_bm_') t;
