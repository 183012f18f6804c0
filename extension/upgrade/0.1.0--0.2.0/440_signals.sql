-- 0.2.0 (issue 11, sharing): signal_map runs with the reader's rights (security_invoker).
-- Drop the 0.1.0 view; the new definition follows.
DROP VIEW IF EXISTS buurtmonitor.signal_map;
