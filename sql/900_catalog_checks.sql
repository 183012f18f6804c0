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
