-- 0.2.0 (issue 11, sharing): the loaders' owner defaults to buurtmonitor.default_owner()
-- (CBS for the municipality, the loading role for everyone else) instead of 'CBS', so a
-- partner's load is never labelled CBS. Drop the 0.1.0 signatures; the new definitions follow.
-- The observations.owner column default is set by extension/sql/025_sharing.sql itself.
DROP FUNCTION IF EXISTS buurtmonitor.load_csv(text, integer, integer, jsonb, text, text, text[], text, text, text[]);
DROP FUNCTION IF EXISTS buurtmonitor.load_observations(regclass, integer, integer, jsonb, text, text[], text, text, boolean, text, text[]);
