-- Standing checks over the installed extension (runs last). Each query lists offenders,
-- so the expected output is empty result sets.

-- every function, aggregate, table and view of the extension has a COMMENT
SELECT p.oid::regprocedure AS without_comment
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'buurtmonitor'
 WHERE obj_description(p.oid, 'pg_proc') IS NULL
 ORDER BY 1::text;
SELECT c.oid::regclass AS without_comment
  FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'buurtmonitor'
 WHERE c.relkind IN ('r', 'v', 'm') AND obj_description(c.oid, 'pg_class') IS NULL
 ORDER BY 1::text;

-- every aggregate is PARALLEL SAFE with a combine function, and an internal state
-- comes with serialise and deserialise functions
SELECT a.aggfnoid::regprocedure AS not_parallel_ready
  FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
 WHERE p.pronamespace = 'buurtmonitor'::regnamespace
   AND (p.proparallel <> 's' OR a.aggcombinefn = 0
        OR (a.aggtranstype = 'internal'::regtype AND (a.aggserialfn = 0 OR a.aggdeserialfn = 0)))
 ORDER BY 1::text;

-- every object lives in schema buurtmonitor
SELECT p.oid::regprocedure AS outside_schema
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'buurtmonitor'
 WHERE p.pronamespace <> 'buurtmonitor'::regnamespace;

-- every SQL and PL/pgSQL function of the schema runs with the fixed search_path that
-- extension/sql/990_security.sql sets (docs/security.md), so a future function is covered too
SELECT p.oid::regprocedure AS without_fixed_search_path, p.proconfig
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'buurtmonitor'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
   AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)
 ORDER BY 1::text;

-- no body names a PostGIS function or type unqualified (write @extschema:postgis@.name, see
-- docs/developing.md); under the fixed search_path such a name would not resolve. String
-- literals that read as a sentence (hints: 'Repair them with ST_MakeValid(geom).') are skipped.
SELECT p.oid::regprocedure AS unqualified_postgis, m[1] AS name
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang,
       regexp_matches(lower(regexp_replace(p.prosrc, '''[A-Z][a-z]([^'']|'''')*''', '', 'g')), '(?:^|[^.\w"])(\w+)\s*\(|::\s*(geometry|geography|box2d|box3d)\M', 'g') m
 WHERE p.pronamespace = 'buurtmonitor'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
   AND (m[2] IS NOT NULL
        OR m[1] IN (SELECT q.proname FROM pg_proc q JOIN pg_depend d ON d.objid = q.oid AND d.deptype = 'e'
                      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'postgis'
                    EXCEPT SELECT q.proname FROM pg_proc q WHERE q.pronamespace = 'pg_catalog'::regnamespace))
 ORDER BY 1::text, 2;
