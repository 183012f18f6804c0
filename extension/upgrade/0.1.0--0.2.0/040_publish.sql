-- 0.2.0 (issue 11, sharing): observations_long runs with the reader's rights
-- (security_invoker), and create_wide_view defaults to schema buurtmonitor_views instead of
-- public. Drop the 0.1.0 view and function; the new definitions follow.
DROP VIEW IF EXISTS buurtmonitor.observations_long;
DROP FUNCTION IF EXISTS buurtmonitor.create_wide_view(text, text[], text, integer, integer, boolean, text);
