-- Install the extension and check where its objects live.
CREATE EXTENSION buurtmonitor CASCADE;
SELECT extname, extversion, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'buurtmonitor';
SELECT level, rank FROM buurtmonitor.levels ORDER BY rank;
