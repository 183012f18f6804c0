-- Security (docs/security.md): runs last in the install script and in every upgrade script.
--  1. Bodies name PostGIS objects as @extschema:postgis@.name (the PostgreSQL 16 spelling, which 15
--     does not substitute); each function whose body has it is re-created here with PostGIS's schema.
--  2. Every SQL and PL/pgSQL function of the extension gets search_path = pg_catalog, pg_temp, so no
--     unqualified name in a body can resolve to an object in a schema that other roles can write
--     (public), whatever the caller's search_path; objects of the extension are written
--     buurtmonitor.name. Functions added later are covered without editing this file.
-- The block runs under the installer's search_path (which may include public), so every name in
-- it is schema-qualified, operators included.
DO $bm_security$
DECLARE
    placeholder constant pg_catalog.text := '@extschema' OPERATOR(pg_catalog.||) ':postgis@';
    nsp pg_catalog.text;
    fn pg_catalog.oid;
BEGIN
    SELECT n.nspname INTO nsp
      FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
     WHERE e.extname OPERATOR(pg_catalog.=) 'postgis'::pg_catalog.name;
    -- the name goes into string literals, format() patterns and dollar-quoted bodies
    IF nsp OPERATOR(pg_catalog.~) '[''"$%\\]' THEN
        RAISE EXCEPTION 'PostGIS schema name "%" contains a quote, $, %% or backslash', nsp
            USING ERRCODE = 'invalid_schema_name',
                  HINT = 'Install PostGIS in a schema with a plain name, for example CREATE SCHEMA postgis.';
    END IF;
    FOR fn IN SELECT p.oid FROM pg_catalog.pg_proc p
               WHERE p.pronamespace OPERATOR(pg_catalog.=) 'buurtmonitor'::pg_catalog.regnamespace
                 AND pg_catalog.strpos(p.prosrc, placeholder) OPERATOR(pg_catalog.>) 0 LOOP
        EXECUTE pg_catalog.replace(pg_catalog.pg_get_functiondef(fn), placeholder,
                                   pg_catalog.quote_ident(nsp));
    END LOOP;
    FOR fn IN SELECT p.oid FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
               WHERE p.pronamespace OPERATOR(pg_catalog.=) 'buurtmonitor'::pg_catalog.regnamespace
                 AND l.lanname OPERATOR(pg_catalog.=) ANY ('{sql,plpgsql}'::pg_catalog.name[]) LOOP
        EXECUTE pg_catalog.format('ALTER ROUTINE %s SET search_path = pg_catalog, pg_temp',
                                  fn::pg_catalog.regprocedure);
    END LOOP;
END
$bm_security$;
