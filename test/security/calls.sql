-- Generates one call of every function and aggregate of the extension, found from the catalogue
-- (test/security.sh), so that a function added later is called without editing this file.
-- Required arguments get a value chosen by the parameter's name, else by its type, on the tables
-- scenario.sql made; errors are allowed (the point is that no hostile object runs), so each
-- call is its own statement. Types are written qualified: the calls run with public first.
SET search_path = '';
-- a type name that resolves to the same type whatever the search_path
CREATE FUNCTION pg_temp.qtype(t oid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN y.typnamespace = 'pg_catalog'::regnamespace
                THEN 'pg_catalog.' || quote_ident(coalesce(e.typname, y.typname)) || CASE WHEN e.oid IS NULL THEN '' ELSE '[]' END
                ELSE pg_catalog.format_type(y.oid, NULL) END
      FROM pg_catalog.pg_type y LEFT JOIN pg_catalog.pg_type e ON e.oid = y.typelem AND y.typcategory = 'A'
     WHERE y.oid = t
$$;
WITH f AS (
    SELECT p.oid, p.proname, p.prokind, p.pronargs, p.pronargdefaults,
           p.proargtypes::oid[] AS types, coalesce(p.proargnames, '{}') AS names,
           coalesce(p.proargmodes, '{}') AS modes
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
      JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'buurtmonitor'
     WHERE p.prokind IN ('f', 'a') AND NOT 'internal'::regtype = ANY (p.proargtypes::oid[])
), a AS (  -- the required (input) arguments with a value each
    SELECT f.oid, i, f.types[i + array_lower(f.types, 1) - 1] AS ty,  -- oidvector arrays start at 0
           coalesce((SELECT n FROM unnest(f.names) WITH ORDINALITY u(n, k)
                      WHERE k = i + (SELECT count(*) FROM unnest(f.modes) WITH ORDINALITY m(m, j)
                                      WHERE j <= i AND m.m IN ('o', 't'))), '') AS name
      FROM f, generate_series(1, f.pronargs - f.pronargdefaults) i
), v AS (
    SELECT a.oid, a.i,
           CASE WHEN a.name IN ('level', 'reference_level') THEN $$'buurt'$$
                WHEN a.name IN ('vintage', 'period', 'from_vintage') THEN '2018'
                WHEN a.name = 'to_vintage' THEN '2022'
                WHEN a.name IN ('crosswalk') THEN $$'bm_sec.cw'$$
                WHEN a.name IN ('source', 'staging', 'target') AND a.ty = 'regclass'::regtype THEN
                     CASE WHEN f.proname = 'crosswalk' THEN $$'bm_sec.l2018'$$ ELSE $$'bm_sec.synth'$$ END
                WHEN a.name = 'path' THEN quote_literal(:'kwb2018')
                WHEN a.name = 'doc' THEN '(SELECT d.dev2022 FROM bm_sec.docs d)'
                WHEN a.name = 'view_name' THEN $$'bm_sec_generic'$$
                WHEN a.name = 'code' THEN $$'BU01500101'$$
                WHEN a.name = 'raw' THEN $$'12,5'$$
                WHEN a.name = 'message' THEN $$'bm %s'$$
                WHEN a.name = 'sqlstate' THEN $$'22023'$$
                WHEN a.name IN ('spec') AND a.ty = 'jsonb'::regtype THEN
                     $${"domains": [{"column": "income", "weight": 1}], "key": "code", "columns": ["income", "health"]}$$
                WHEN a.ty = 'text'::regtype THEN $$'income'$$
                WHEN a.ty = 'text[]'::regtype THEN $$'{a_inw}'$$
                WHEN a.ty IN ('integer'::regtype, 'bigint'::regtype) THEN '2'
                WHEN a.ty = 'double precision'::regtype THEN '0.5'
                WHEN a.ty = 'double precision[]'::regtype THEN $$'{1, 2.5, 4}'$$
                WHEN a.ty = 'integer[]'::regtype THEN $$'{2016, 2017, 2018}'$$
                WHEN a.ty = 'boolean'::regtype THEN 'false'
                WHEN a.ty = 'jsonb'::regtype THEN $${}$$
                WHEN a.ty = 'regclass'::regtype THEN $$'bm_sec.synth'$$
                WHEN pg_catalog.format_type(a.ty, NULL) ~ 'geometry$' THEN
                     quote_literal('SRID=28992;POLYGON((0 0,10 0,10 10,0 10,0 0))')
           END AS val, a.ty
      FROM a JOIN f ON f.oid = a.oid
)
SELECT format('SELECT %s %s.%I(%s)%s;',
              CASE WHEN f.prokind = 'a' THEN '' ELSE 'NULL FROM' END,
              'buurtmonitor', f.proname,
              coalesce((SELECT string_agg(CASE WHEN v.val ~ '^[{]' THEN quote_literal(v.val) ELSE v.val END
                                          || '::' || pg_temp.qtype(v.ty), ', ' ORDER BY v.i)
                          FROM v WHERE v.oid = f.oid), ''),
              CASE WHEN f.prokind = 'a' THEN '' WHEN pg_catalog.pg_get_function_result(f.oid) = 'SETOF record'
                   THEN ' AS t(x pg_catalog.text)' ELSE '' END)
  FROM f ORDER BY f.proname, f.oid;
