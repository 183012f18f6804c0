-- Error messages (issue 9): the cases the fuzz test (test/fuzz.sh) found, each with its SQLSTATE,
-- message and hint. Before the fix each was an internal error (XX000/XX001) or had no hint.
-- Synthetic geometries in RD New.
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hint text;
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg || coalesce(' | detail: ' || nullif(det, ''), '') || coalesce(' | hint: ' || nullif(hint, ''), ' | NO HINT');
END $$;
CREATE TABLE em_sq (code text, geom geometry);
INSERT INTO em_sq VALUES ('S1', 'SRID=28992;POLYGON((0 0,100 0,100 100,0 100,0 0))');
-- a hole outside its shell was XX001 "the bounding box stored ... does not hold its coordinates"
CREATE TABLE em_hole (code text, geom geometry);
INSERT INTO em_hole VALUES ('H1', 'SRID=28992;POLYGON((0 0,100 0,100 100,0 100,0 0),(200 200,300 200,300 300,200 200))');
SELECT pg_temp.err($$SELECT * FROM buurtmonitor.crosswalk('em_sq', 'em_hole')$$);
-- a point layer with two SRIDs was XX000 from PostGIS ("Operation on mixed SRID geometries")
CREATE TABLE em_pts (geom geometry);
INSERT INTO em_pts VALUES ('SRID=28992;POINT(50 50)'), ('SRID=4326;POINT(5 52)');
SELECT pg_temp.err($$SELECT * FROM buurtmonitor.crosswalk('em_sq', 'em_sq', points => 'em_pts')$$);
-- a geometry column that holds no geometry was XX000 "parse error - invalid geometry"
SELECT pg_temp.err($$SELECT buurtmonitor.load_areas('em_sq', 2022, 'buurt', name_column => NULL, geom_column => 'code')$$);
SELECT pg_temp.err($$SELECT buurtmonitor.load_areas('em_sq', 2022, 'buurt', code_column => '')$$);
SELECT pg_temp.err($$SELECT buurtmonitor.load_areas('em_sq', 2022, 'buurt', name_column => 'nonexistent')$$);
SELECT pg_temp.err($$SELECT buurtmonitor.load_observations(NULL)$$);
-- a staging table with a geometry column (here a curve) was XX000 from GeoJSON output; the geometry
-- column is now left out, and the load reaches its own check of the codes
CREATE TABLE em_stage (code text, jaar integer, a_inw text, geom geometry);
INSERT INTO em_stage VALUES ('BU_EM_1', 2022, '5', 'SRID=28992;CURVEPOLYGON(CIRCULARSTRING(0 0,10 0,0 0))');
SELECT pg_temp.err($$SELECT buurtmonitor.load_observations('em_stage', create_areas => false)$$);
-- file loaders: bad delimiter (was 0A000 from COPY), a file name too long (was XX000), NULL path
SELECT pg_temp.err($$SELECT buurtmonitor.stage_csv('/tmp/x.csv', ';;')$$);
SELECT pg_temp.err($$SELECT buurtmonitor.stage_csv(repeat('x', 300))$$);
SELECT pg_temp.err($$SELECT buurtmonitor.load_csv(NULL)$$);
-- NULL or empty names (was "null values cannot be formatted as an SQL identifier", no hint)
SELECT pg_temp.err($$SELECT * FROM buurtmonitor.shrink_rate('em_sq', NULL, 'p', 'n', 'd')$$);
SELECT pg_temp.err($$SELECT buurtmonitor.create_wide_view('', '{a_inw}')$$);
SELECT pg_temp.err($$SELECT buurtmonitor.create_layer_views(NULL)$$);
-- the internal helper of social_score with a NULL argument (was XX000)
SELECT pg_temp.err($$SELECT * FROM buurtmonitor._social_score_core(NULL, NULL, '{1}', '{1}', NULL, 1, 1, 2, '{a}')$$);
DROP TABLE em_sq, em_hole, em_pts, em_stage;
