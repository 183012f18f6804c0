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

-- Volatility and PARALLEL markings follow the policy of docs/developing.md: functions that write
-- (by name: load_, stage_, create_, build_, derive_, refresh_, reexpress_, setup_, add_, drop_,
-- remove_, write_, *_to_observations) are VOLATILE PARALLEL UNSAFE; every other function is STABLE or
-- IMMUTABLE and not PARALLEL UNSAFE. Allowed exception, with its reason: crosswalk is VOLATILE
-- PARALLEL RESTRICTED because it starts parallel workers of its own. Aggregate support functions
-- (on an internal state) are left out: the aggregate's own marking is checked above.
WITH f AS (
    SELECT p.oid, p.proname, p.provolatile, p.proparallel,
           p.proname ~ '^_?(load|stage|create|build|derive|refresh|reexpress|setup|add|drop|remove|write)_'
           OR p.proname ~ '_to_observations$' AS writes
      FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'buurtmonitor'
     WHERE p.prokind = 'f' AND p.prorettype <> 'internal'::regtype
       AND NOT 'internal'::regtype = ANY (p.proargtypes::oid[])
)
SELECT oid::regprocedure AS wrong_marking, provolatile, proparallel
  FROM f
 WHERE (writes AND (provolatile <> 'v' OR proparallel <> 'u'))
    OR (NOT writes AND proname <> 'crosswalk' AND (provolatile = 'v' OR proparallel = 'u'))
 ORDER BY 1::text;

-- No two functions or aggregates of the schema can both take the same number of arguments
-- (an untyped literal could then pick either, or fail as "not unique"). Allowed: composite_index
-- and index_sensitivity take a specification as jsonb or as text, and the text form accepts a
-- JSON document as well as a stored name, so both readings of a literal give the same result.
WITH f AS (
    SELECT p.oid, p.proname, p.pronargs - p.pronargdefaults AS lo, p.pronargs AS hi
      FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'buurtmonitor'
)
SELECT a.oid::regprocedure AS could_be_ambiguous, b.oid::regprocedure AS with_function
  FROM f a JOIN f b ON a.proname = b.proname AND a.oid < b.oid
 WHERE a.lo <= b.hi AND b.lo <= a.hi
   AND a.proname NOT IN ('composite_index', 'index_sensitivity')
 ORDER BY 1::text, 2::text;

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
