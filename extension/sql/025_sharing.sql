-- Sharing a monitor with partners (issue 11): roles, grants and row-level security on the
-- tables that hold user data, set up by the DBA with buurtmonitor.setup_sharing() and
-- buurtmonitor.add_partner(). See docs/sharing.md.
--
-- Model: every observation carries an owner (a role name, or a public owner such as 'CBS').
--   * rows of a public owner are readable by every role that may read the tables; only roles that
--     "write all" (the municipality's role, the extension owner) may write them;
--   * other rows are readable and writable by members of the owner role, and by the municipality;
--   * sample_sizes follow the observation they belong to;
--   * areas, levels, the catalogue, crosswalks, signal rules and index specifications are shared
--     configuration: readable by every sharing role, writable only by the municipality (privileges).
-- The policies are created by setup_sharing() at run time (not by CREATE EXTENSION), so that
-- pg_dump keeps them exactly once.

-- Owners whose rows everyone may read (official statistics); filled by setup_sharing().
CREATE TABLE buurtmonitor.public_owners (
    owner    text PRIMARY KEY CHECK (owner <> ''),
    position integer NOT NULL DEFAULT 1
);
SELECT pg_catalog.pg_extension_config_dump('buurtmonitor.public_owners', '');
COMMENT ON TABLE buurtmonitor.public_owners IS
    'Owners of public (official) observations, readable by every sharing role and writable only by the municipality; the one with the lowest position is the default owner of official loads.';

-- The roles setup_sharing() and add_partner() made, and what they may see and write.
CREATE TABLE buurtmonitor.sharing_roles (
    role       text PRIMARY KEY CHECK (role <> ''),
    kind       text NOT NULL CHECK (kind IN ('municipality', 'analyst', 'qgis', 'partner')),
    sees_all   boolean NOT NULL DEFAULT false,
    writes_all boolean NOT NULL DEFAULT false
);
SELECT pg_catalog.pg_extension_config_dump('buurtmonitor.sharing_roles', '');
COMMENT ON TABLE buurtmonitor.sharing_roles IS
    'Group roles of the sharing setup: kind (municipality, analyst, qgis, partner), whether their members see all rows (sees_all) and may write official and other owners'' rows (writes_all).';

-- The roles the current user is a member of (directly or through other roles), itself included.
CREATE FUNCTION buurtmonitor.sharing_my_roles() RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(array_agg(r.rolname::text), '{}')
      FROM pg_catalog.pg_roles r WHERE pg_catalog.pg_has_role(r.oid, 'MEMBER')
$$;
COMMENT ON FUNCTION buurtmonitor.sharing_my_roles() IS
    'Names of the roles the current user is a member of, itself included: the owners whose private rows it may read and write.';

-- Whether the current user sees every row (the municipality, readers set up to see all, the table owner).
CREATE FUNCTION buurtmonitor.sharing_sees_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.pg_has_role(c.relowner, 'MEMBER')
        OR EXISTS (SELECT 1 FROM buurtmonitor.sharing_roles s JOIN pg_catalog.pg_roles r ON r.rolname = s.role
                    WHERE (s.sees_all OR s.writes_all) AND pg_catalog.pg_has_role(r.oid, 'MEMBER'))
      FROM pg_catalog.pg_class c WHERE c.oid = 'buurtmonitor.observations'::pg_catalog.regclass
$$;
COMMENT ON FUNCTION buurtmonitor.sharing_sees_all() IS
    'True when the current user reads every observation: a member of the tables'' owner or of a sharing role with sees_all or writes_all.';

-- Whether the current user may write official rows and other owners' rows.
CREATE FUNCTION buurtmonitor.sharing_writes_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_catalog.pg_has_role(c.relowner, 'MEMBER')
        OR EXISTS (SELECT 1 FROM buurtmonitor.sharing_roles s JOIN pg_catalog.pg_roles r ON r.rolname = s.role
                    WHERE s.writes_all AND pg_catalog.pg_has_role(r.oid, 'MEMBER'))
      FROM pg_catalog.pg_class c WHERE c.oid = 'buurtmonitor.observations'::pg_catalog.regclass
$$;
COMMENT ON FUNCTION buurtmonitor.sharing_writes_all() IS
    'True when the current user may write official (public) rows and every owner''s rows: a member of the tables'' owner or of the municipality''s role.';

-- The owner a load gets when none is given: the official owner (CBS) for the municipality and the
-- extension owner, the loading role (current_user) for everyone else, so partner data is never CBS.
CREATE FUNCTION buurtmonitor.default_owner() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN buurtmonitor.sharing_writes_all()
                THEN coalesce((SELECT p.owner FROM buurtmonitor.public_owners p ORDER BY p.position, p.owner LIMIT 1), 'CBS')
                ELSE current_user::text END
$$;
COMMENT ON FUNCTION buurtmonitor.default_owner() IS
    'Default owner of loaded and computed observations: the first public owner (CBS) when the current user may write official rows, else the current role.';

ALTER TABLE buurtmonitor.observations ALTER COLUMN owner SET DEFAULT buurtmonitor.default_owner();

-- The row-level security policies (idempotent). Subqueries around the helper functions make the
-- planner evaluate them once per query, not once per row.
CREATE FUNCTION buurtmonitor._create_sharing_policies() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    readable text := 'owner IN (SELECT p.owner FROM buurtmonitor.public_owners p)
                      OR owner IN (SELECT unnest(buurtmonitor.sharing_my_roles()))
                      OR (SELECT buurtmonitor.sharing_sees_all())';
    writable text := '(owner IN (SELECT unnest(buurtmonitor.sharing_my_roles()))
                       AND owner NOT IN (SELECT p.owner FROM buurtmonitor.public_owners p))
                      OR (SELECT buurtmonitor.sharing_writes_all())';
    obs text := 'EXISTS (SELECT 1 FROM buurtmonitor.observations o
                          WHERE o.area_code = sample_sizes.area_code AND o.vintage = sample_sizes.vintage
                            AND o.period = sample_sizes.period AND o.indicator = sample_sizes.indicator AND (%s))';
    writable_o text := replace(replace(writable, '(owner IN', '(o.owner IN'), 'AND owner NOT IN', 'AND o.owner NOT IN');
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['observations', 'sample_sizes'] LOOP
        EXECUTE format('ALTER TABLE buurtmonitor.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('DROP POLICY IF EXISTS sharing_read ON buurtmonitor.%I', t);
        EXECUTE format('DROP POLICY IF EXISTS sharing_insert ON buurtmonitor.%I', t);
        EXECUTE format('DROP POLICY IF EXISTS sharing_update ON buurtmonitor.%I', t);
        EXECUTE format('DROP POLICY IF EXISTS sharing_delete ON buurtmonitor.%I', t);
    END LOOP;
    EXECUTE format('CREATE POLICY sharing_read ON buurtmonitor.observations FOR SELECT USING (%s)', readable);
    EXECUTE format('CREATE POLICY sharing_insert ON buurtmonitor.observations FOR INSERT WITH CHECK (%s)', writable);
    EXECUTE format('CREATE POLICY sharing_update ON buurtmonitor.observations FOR UPDATE USING (%s) WITH CHECK (%s)',
                   writable, writable);
    EXECUTE format('CREATE POLICY sharing_delete ON buurtmonitor.observations FOR DELETE USING (%s)', writable);
    -- a sample size is visible with its observation, and written by whoever may write that observation
    EXECUTE format('CREATE POLICY sharing_read ON buurtmonitor.sample_sizes FOR SELECT USING (%s)',
                   format(obs, 'true'));
    EXECUTE format('CREATE POLICY sharing_insert ON buurtmonitor.sample_sizes FOR INSERT WITH CHECK (%s)',
                   format(obs, writable_o));
    EXECUTE format('CREATE POLICY sharing_update ON buurtmonitor.sample_sizes FOR UPDATE USING (%s) WITH CHECK (%s)',
                   format(obs, writable_o), format(obs, writable_o));
    EXECUTE format('CREATE POLICY sharing_delete ON buurtmonitor.sample_sizes FOR DELETE USING (%s)',
                   format(obs, writable_o));
END
$$;
COMMENT ON FUNCTION buurtmonitor._create_sharing_policies() IS
    'Internal: enable row-level security on observations and sample_sizes and (re)create the sharing policies.';

-- Create a NOLOGIN group role when it does not exist yet.
CREATE FUNCTION buurtmonitor._create_sharing_role(role text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF role IS NULL OR role = '' THEN
        RAISE EXCEPTION 'role name must not be empty' USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass a role name, for example ''woonstad''.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = role) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', role);
    END IF;
END
$$;
COMMENT ON FUNCTION buurtmonitor._create_sharing_role(text) IS 'Internal: create a NOLOGIN group role unless it exists.';

-- The privileges every sharing role gets: use the schemas, read every table and view.
CREATE FUNCTION buurtmonitor._add_read_grants(role text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s text;
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA buurtmonitor TO %I', role);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA buurtmonitor TO %I', role);
    FOR s IN SELECT n.nspname FROM pg_catalog.pg_namespace n
              WHERE n.nspname IN ('buurtmonitor_views', 'buurtmonitor_layers') LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, role);
        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', s, role);
    END LOOP;
    IF to_regclass('public.layer_styles') IS NOT NULL THEN
        EXECUTE format('GRANT SELECT ON public.layer_styles TO %I', role);
    END IF;
END
$$;
COMMENT ON FUNCTION buurtmonitor._add_read_grants(text) IS
    'Internal: grant a sharing role USAGE on the extension and view schemas and SELECT on their tables and views.';

-- Let every sharing role read a generated view (called by create_wide_view, create_layer_views and
-- create_map_layer; a no-op before setup_sharing). The view runs with the reader's rights.
CREATE FUNCTION buurtmonitor._add_view_grants(view regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT s.role FROM buurtmonitor.sharing_roles s JOIN pg_catalog.pg_roles x ON x.rolname = s.role
              ORDER BY s.role LOOP
        EXECUTE format('GRANT SELECT ON %s TO %I', view, r);
    END LOOP;
END
$$;
COMMENT ON FUNCTION buurtmonitor._add_view_grants(regclass) IS
    'Internal: grant SELECT on a generated view to every role of the sharing setup (none before setup_sharing).';

-- Set up sharing: roles, grants, the view schemas and the row-level security policies.
CREATE FUNCTION buurtmonitor.setup_sharing(
    municipality_role text DEFAULT 'bm_municipality',
    analyst_role text DEFAULT 'bm_analyst',
    qgis_role text DEFAULT 'bm_qgis',
    public_owners text[] DEFAULT '{CBS}',
    readers_see_all boolean DEFAULT false)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s text;
    r text;
BEGIN
    IF NOT pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c
                                    WHERE c.oid = 'buurtmonitor.observations'::pg_catalog.regclass), 'MEMBER') THEN
        RAISE EXCEPTION 'only the owner of the buurtmonitor tables can set up sharing' USING ERRCODE = 'insufficient_privilege',
            HINT = 'Run setup_sharing as the role that created the extension, or as a superuser.';
    END IF;
    IF public_owners IS NULL OR cardinality(public_owners) = 0 OR '' = ANY (public_owners)
       OR array_position(public_owners, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'public_owners must list at least one owner name' USING ERRCODE = 'invalid_parameter_value',
            HINT = 'The owners of official rows, for example ''{CBS}''.';
    END IF;
    IF municipality_role = ANY (public_owners) OR analyst_role = ANY (public_owners) OR qgis_role = ANY (public_owners) THEN
        RAISE EXCEPTION 'a sharing role may not be named like a public owner' USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Public owners label official rows; give the roles other names.';
    END IF;

    DELETE FROM buurtmonitor.public_owners;
    INSERT INTO buurtmonitor.public_owners (owner, position)
    SELECT DISTINCT ON (o) o, min(i) OVER (PARTITION BY o) FROM unnest(public_owners) WITH ORDINALITY u(o, i);
    RETURN NEXT format('public owners: %s', array_to_string(public_owners, ', '));

    FOREACH s IN ARRAY ARRAY['buurtmonitor_views', 'buurtmonitor_layers'] LOOP
        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', s);
    END LOOP;

    FOR r, s IN SELECT * FROM (VALUES (municipality_role, 'municipality'), (analyst_role, 'analyst'),
                                      (qgis_role, 'qgis')) v(role, kind) LOOP
        PERFORM buurtmonitor._create_sharing_role(r);
        INSERT INTO buurtmonitor.sharing_roles (role, kind, sees_all, writes_all)
        VALUES (r, s, s = 'municipality' OR readers_see_all, s = 'municipality')
        ON CONFLICT (role) DO UPDATE SET kind = excluded.kind, sees_all = excluded.sees_all,
                                         writes_all = excluded.writes_all;
        PERFORM buurtmonitor._add_read_grants(r);
        RETURN NEXT format('%s role %s: reads %s', s, r,
                           CASE WHEN s = 'municipality' OR readers_see_all THEN 'all rows' ELSE 'public rows' END);
    END LOOP;

    -- the municipality writes every table and creates views in the view schemas
    EXECUTE format('GRANT INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA buurtmonitor TO %I', municipality_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA buurtmonitor TO %I', municipality_role);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON buurtmonitor.sharing_roles, buurtmonitor.public_owners FROM %I',
                   municipality_role);
    FOREACH s IN ARRAY ARRAY['buurtmonitor_views', 'buurtmonitor_layers'] LOOP
        EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO %I', s, municipality_role);
        -- views the municipality or the DBA create later are readable by every sharing role
        FOR r IN SELECT sr.role FROM buurtmonitor.sharing_roles sr
                  WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_roles x WHERE x.rolname = sr.role) LOOP
            EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT ON TABLES TO %I',
                           municipality_role, s, r);
            EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO %I', s, r);
        END LOOP;
    END LOOP;
    IF to_regclass('public.layer_styles') IS NOT NULL THEN
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON public.layer_styles TO %I', municipality_role);
    END IF;
    RETURN NEXT format('municipality role %s: writes all tables, creates views in buurtmonitor_views and buurtmonitor_layers',
                       municipality_role);

    PERFORM buurtmonitor._create_sharing_policies();
    RETURN NEXT 'row-level security on buurtmonitor.observations and buurtmonitor.sample_sizes';
END
$$;
COMMENT ON FUNCTION buurtmonitor.setup_sharing(text, text, text, text[], boolean) IS
    'DBA setup for sharing a monitor: creates (if missing) the municipality, analyst/BI and QGIS group roles, the view schemas, the grants and the row-level security policies on observations and sample_sizes; returns what it did.';

-- Add a partner: a NOLOGIN group role that reads the public rows and reads and writes only its own.
CREATE FUNCTION buurtmonitor.add_partner(role text)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM buurtmonitor.sharing_roles sr WHERE sr.kind = 'municipality') THEN
        RAISE EXCEPTION 'sharing is not set up' USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Run SELECT buurtmonitor.setup_sharing() first.';
    END IF;
    IF EXISTS (SELECT 1 FROM buurtmonitor.public_owners p WHERE p.owner = role) THEN
        RAISE EXCEPTION 'partner role % is named like a public owner', role USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Public owners label official rows; give the partner another name.';
    END IF;
    IF EXISTS (SELECT 1 FROM buurtmonitor.sharing_roles sr WHERE sr.role = add_partner.role AND sr.kind <> 'partner') THEN
        RAISE EXCEPTION 'role % is already a % role of the sharing setup', role,
            (SELECT sr.kind FROM buurtmonitor.sharing_roles sr WHERE sr.role = add_partner.role)
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the partner a role of its own.';
    END IF;
    PERFORM buurtmonitor._create_sharing_role(role);
    INSERT INTO buurtmonitor.sharing_roles (role, kind) VALUES (role, 'partner') ON CONFLICT DO NOTHING;
    PERFORM buurtmonitor._add_read_grants(role);
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON buurtmonitor.observations, buurtmonitor.sample_sizes TO %I', role);
    FOREACH s IN ARRAY ARRAY['buurtmonitor_views', 'buurtmonitor_layers'] LOOP
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO %I', s, role);
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT ON TABLES TO %I',
                       (SELECT sr.role FROM buurtmonitor.sharing_roles sr WHERE sr.kind = 'municipality' LIMIT 1), s, role);
    END LOOP;
    RETURN format('partner role %s: reads public rows and its own, writes only its own', role);
END
$$;
COMMENT ON FUNCTION buurtmonitor.add_partner(text) IS
    'Create (if missing) a NOLOGIN partner role that reads the public rows and its own, and inserts, updates and deletes only rows it owns; grant it to the partner''s login users.';
